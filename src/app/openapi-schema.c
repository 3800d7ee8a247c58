/*
 * The API description's JSON Schemas (2020-12, as OpenAPI 3.1 takes them):
 * a type's documents in the forms the HTTP contract uses (the list
 * parameters are in openapi-params.c). Everything is read from the type's
 * static tables; the rules they follow (what sorts, what a filter value is,
 * which operators a kind takes) are the query layer's own, asked, not restated.
 */
#include <string.h>

#include "app/openapi-private.h"

/* "^[0-9a-fA-F]{24}$": what _ma_oid_from_hex() takes. */
#define OID_PATTERN "^[0-9a-fA-F]{24}$"

static json_object *
oid_schema(void)
{
	json_object *o = _ma_json_typed("string");

	_ma_json_put_str(o, "pattern", OID_PATTERN);
	return o;
}

/* Integers, with int64's bounds where the field has none: what the JSON
 * reader takes. */
static json_object *
int_schema(bool has_min, int64_t min, bool has_max, int64_t max)
{
	json_object *o = _ma_json_typed("integer");

	_ma_json_put(o, "minimum",
		     json_object_new_int64(has_min ? min : INT64_MIN));
	_ma_json_put(o, "maximum",
		     json_object_new_int64(has_max ? max : INT64_MAX));
	return o;
}

/* A JSON value parsed from a field's default, or NULL. */
static json_object *
default_value(const ma_field *f)
{
	return f->default_json != NULL ? json_tokener_parse(f->default_json)
				       : NULL;
}

/* Appends s to b with the ECMA-262 syntax characters escaped. */
static void
regex_quote(ma_buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (strchr("\\^$.|?*+()[]{}/-", *s) != NULL)
			_ma_buf_putc(b, '\\');
		_ma_buf_putc(b, *s);
	}
}

static json_object *embedded_schema(const ma_type *type, bool output);

/* The schema of one value of field f (its nullability aside). */
static json_object *
value_schema(const ma_field *f, bool output)
{
	json_object *o, *list;
	const char *const *v;
	ma_buf b;

	switch (f->kind) {
	case MA_KIND_STRING:
		o = _ma_json_typed("string");
		if (f->min_len > 0)
			_ma_json_put(
				o, "minLength",
				json_object_new_int64((int64_t)f->min_len));
		if (f->max_len > 0)
			_ma_json_put(
				o, "maxLength",
				json_object_new_int64((int64_t)f->max_len));
		if (f->regex != NULL) {
			/* The field's regex is anchored by the library;
			 * JSON Schema's pattern is not. */
			_ma_buf_init(&b, strlen(f->regex) + 8);
			_ma_buf_printf(&b, "^(?:%s)$", f->regex);
			_ma_json_put_str(o, "pattern", b.data);
			_ma_buf_destroy(&b);
		}
		return o;
	case MA_KIND_INT:
		return int_schema(f->has_min, f->min, f->has_max, f->max);
	case MA_KIND_FLOAT:
		o = _ma_json_typed("number");
		if (f->has_fmin)
			_ma_json_put(o, "minimum",
				     json_object_new_double(f->fmin));
		if (f->has_fmax)
			_ma_json_put(o, "maximum",
				     json_object_new_double(f->fmax));
		return o;
	case MA_KIND_BOOL:
		return _ma_json_typed("boolean");
	case MA_KIND_DATETIME:
		o = _ma_json_typed("string");
		_ma_json_put_str(o, "format", "date-time");
		return o;
	case MA_KIND_OBJECTID:
		return oid_schema();
	case MA_KIND_REF:
		o = oid_schema();
		_ma_json_put_str(o, "description", "the _id of a document");
		return o;
	case MA_KIND_DOCUMENT:
		return embedded_schema(f->type, output);
	case MA_KIND_LIST:
		o = _ma_json_typed("array");
		_ma_json_put(o, "items", value_schema(f->item, output));
		if (f->min_items > 0)
			_ma_json_put(
				o, "minItems",
				json_object_new_int64((int64_t)f->min_items));
		if (f->max_items > 0)
			_ma_json_put(
				o, "maxItems",
				json_object_new_int64((int64_t)f->max_items));
		return o;
	case MA_KIND_ENUM:
		o = _ma_json_typed("string");
		list = json_object_new_array();
		for (v = f->values; v != NULL && *v != NULL; v++)
			json_object_array_add(list, json_object_new_string(*v));
		_ma_json_put(o, "enum", list);
		return o;
	case MA_KIND_ANY:
	case MA_KIND_NONE:
	case MA_KIND__MAX:
	default:
		return json_object_new_object(); /* any value */
	}
}

/* A field's schema: its value, null when it allows it, its default. */
static json_object *
field_schema(const ma_field *f, bool output)
{
	json_object *o = value_schema(f, output);
	json_object *any, *def;

	if (f->nullable) {
		any = json_object_new_array();
		json_object_array_add(any, o);
		json_object_array_add(any, _ma_json_typed("null"));
		o = json_object_new_object();
		_ma_json_put(o, "anyOf", any);
	}
	def = default_value(f);
	if (def != NULL ||
	    (f->default_json != NULL && strcmp(f->default_json, "null") == 0))
		_ma_json_put(o, "default", def);
	return o;
}

/*
 * An object of type's fields. In an answer (output) every required field
 * is there (a default fills it); in a request a field with a default may
 * be left out. partial: nothing required (PATCH, a list's fields=).
 */
static json_object *
object_schema(const ma_type *type, bool output, bool partial, bool with_id,
	      bool id_required)
{
	json_object *o = _ma_json_typed("object");
	json_object *props = json_object_new_object();
	json_object *required = json_object_new_array();
	const ma_field *f;

	if (with_id) {
		_ma_json_put(props, "_id", oid_schema());
		if (id_required && !partial)
			json_object_array_add(required,
					      json_object_new_string("_id"));
	}
	for (f = type->fields; f != NULL && f->kind != MA_KIND_NONE; f++) {
		_ma_json_put(props, f->name, field_schema(f, output));
		if (!partial && !f->optional &&
		    (output || f->default_json == NULL))
			json_object_array_add(required,
					      json_object_new_string(f->name));
	}
	_ma_json_put(o, "properties", props);
	if (json_object_array_length(required) > 0)
		_ma_json_put(o, "required", required);
	else
		json_object_put(required);
	/* Unknown fields are refused. */
	_ma_json_put(o, "additionalProperties", json_object_new_boolean(false));
	return o;
}

static json_object *
embedded_schema(const ma_type *type, bool output)
{
	json_object *o = object_schema(type, output, false, false, false);

	_ma_json_put_str(o, "title", type->name);
	return o;
}

json_object *
_ma_openapi_type_schema(const ma_type *type, ma_schema_form form)
{
	json_object *o;

	switch (form) {
	case MA_FORM_STORED:
		o = object_schema(type, true, false, true, true);
		break;
	case MA_FORM_ITEM:
		o = object_schema(type, true, true, true, false);
		break;
	case MA_FORM_INPUT:
		o = object_schema(type, false, false, true, false);
		break;
	case MA_FORM_PATCH:
	default:
		o = object_schema(type, false, true, false, false);
		break;
	}
	return o;
}

json_object *
_ma_openapi_field_schema(const ma_field *f)
{
	return field_schema(f, false);
}

json_object *
_ma_openapi_value_schema(const ma_field *f)
{
	return value_schema(f, false);
}

void
_ma_openapi_regex_quote(ma_buf *b, const char *s)
{
	regex_quote(b, s);
}

/*
 * A bulk create's body or answer: one, or an array of them (max > 0: of
 * 1 to max; a body); takes one.
 */
json_object *
_ma_openapi_one_or_many(json_object *one, size_t max)
{
	json_object *o = json_object_new_object();
	json_object *alts = json_object_new_array();
	json_object *many = _ma_json_typed("array");

	_ma_json_put(many, "items", json_object_get(one));
	if (max > 0) {
		_ma_json_put(many, "minItems", json_object_new_int64(1));
		_ma_json_put(many, "maxItems",
			     json_object_new_int64((int64_t)max));
	}
	json_object_array_add(alts, one);
	json_object_array_add(alts, many);
	_ma_json_put(o, "oneOf", alts);
	return o;
}

json_object *
_ma_openapi_bulk_items_schema(void)
{
	static const char *const doc =
		"{\"type\":\"array\",\"items\":{\"type\":\"object\","
		"\"properties\":{\"index\":{\"type\":\"integer\",\"minimum\":0,"
		"\"description\":\"the item's place in the array sent\"},"
		"\"_id\":{\"type\":\"string\",\"pattern\":\"^[0-9a-f]{24}$\"},"
		"\"reason\":{\"type\":\"string\"}},\"required\":[\"index\","
		"\"_id\"]}}";

	return json_tokener_parse(doc);
}

/* A query parameter of a list (openapi-params.c, embed=). */
json_object *
_ma_openapi_query_param(const char *name, const char *description,
			json_object *schema)
{
	json_object *p = json_object_new_object();

	_ma_json_put_str(p, "name", name);
	_ma_json_put_str(p, "in", "query");
	_ma_json_put(p, "required", json_object_new_boolean(false));
	if (description != NULL)
		_ma_json_put_str(p, "description", description);
	_ma_json_put(p, "schema", schema);
	return p;
}

/* A field's answer schema: its id, or, embedded, its document. */
static void
embedded_or_id(json_object *schema, const ma_field *f)
{
	json_object *props, *one, *alt, *ref;
	char *name;

	if (!json_object_object_get_ex(schema, "properties", &props))
		return;
	one = json_object_new_array();
	json_object_array_add(one, field_schema(f, true));
	ref = json_object_new_object();
	name = bson_strdup_printf("#/components/schemas/%s", f->type->name);
	_ma_json_put_str(ref, "$ref", name);
	bson_free(name);
	json_object_array_add(one, ref);
	alt = json_object_new_object();
	_ma_json_put(alt, "oneOf", one);
	_ma_json_put(props, f->name, alt);
}

void
_ma_openapi_embed(json_object *params, json_object *schemas,
		  const ma_type *type, const char *const *embeddable)
{
	static const char *const forms[] = {"", "Item"};
	json_object *s, *items, *names, *why, *props, *p;
	const char *const *v;
	char *name;
	size_t i;

	names = json_object_new_array();
	for (v = embeddable; *v != NULL; v++)
		json_object_array_add(names, json_object_new_string(*v));
	items = _ma_json_typed("string");
	_ma_json_put(items, "enum", names);
	s = _ma_json_typed("array");
	_ma_json_put(s, "items", items);
	_ma_json_put(s, "minItems", json_object_new_int(1));
	_ma_json_put(s, "uniqueItems", json_object_new_boolean(true));
	p = _ma_openapi_query_param(
		"embed",
		"reference fields to show as the documents they name, "
		"comma-separated",
		s);
	_ma_json_put_str(p, "style", "form");
	_ma_json_put(p, "explode", json_object_new_boolean(false));
	json_object_array_add(params, p);

	/* The answers of the type: each embeddable field an id or a
	 * document, and why one stayed an id. */
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		name = bson_strdup_printf("%s%s", type->name, forms[i]);
		if (json_object_object_get_ex(schemas, name, &s) &&
		    json_object_object_get_ex(s, "properties", &props) &&
		    !json_object_object_get_ex(props, MA_EMBED_KEY, NULL)) {
			for (v = embeddable; *v != NULL; v++)
				embedded_or_id(s, ma_type_field(type, *v));
			why = json_tokener_parse(
				"{\"type\":\"object\",\"description\":\"the "
				"references embed= left as ids, and why\","
				"\"additionalProperties\":{\"enum\":["
				"\"" MA_EMBED_MISSING "\",\"" MA_EMBED_FORBIDDEN
				"\"]}}");
			_ma_json_put(props, MA_EMBED_KEY, why);
		}
		bson_free(name);
	}
}

json_object *
_ma_openapi_problem_schema(void)
{
	static const char *const doc =
		"{\"type\":\"object\",\"description\":\"RFC 9457 problem "
		"details\",\"properties\":{\"type\":{\"type\":\"string\"},"
		"\"title\":{\"type\":\"string\"},\"status\":{\"type\":"
		"\"integer\"},\"detail\":{\"type\":\"string\"},\"instance\":{"
		"\"type\":\"string\",\"description\":\"urn:request: and the "
		"request's id, as in X-Request-Id\"},\"errors\":{"
		"\"type\":\"array\",\"description\":\"what is wrong with a "
		"document, field by field\",\"items\":{\"type\":\"object\","
		"\"properties\":{\"field\":{\"type\":\"string\"},\"message\":{"
		"\"type\":\"string\"}},\"required\":[\"field\",\"message\"]}},"
		"\"stored\":{\"$ref\":\"#/components/schemas/BulkItems\","
		"\"description\":\"a bulk create that failed part way: the "
		"items stored\"},\"not_stored\":{\"$ref\":\"#/components/"
		"schemas/BulkItems\",\"description\":\"the items not stored, "
		"each with its reason\"},\"unknown\":{\"$ref\":\"#/components/"
		"schemas/BulkItems\",\"description\":\"the items the server "
		"may or may not have stored\"}},"
		"\"required\":[\"type\",\"title\",\"status\"]}";

	return json_tokener_parse(doc);
}

json_object *
_ma_openapi_page_schema(json_object *item)
{
	static const char *const doc =
		"{\"type\":\"object\",\"properties\":{\"items\":{\"type\":"
		"\"array\"},\"page\":{\"type\":\"integer\",\"minimum\":1},"
		"\"per_page\":{\"type\":\"integer\",\"minimum\":1},\"total\":{"
		"\"type\":[\"integer\",\"null\"],\"minimum\":0},\"pages\":{"
		"\"type\":[\"integer\",\"null\"],\"minimum\":0},\"has_prev\":{"
		"\"type\":\"boolean\"},\"has_next\":{\"type\":\"boolean\"},"
		"\"prev_num\":{\"type\":[\"integer\",\"null\"]},\"next_num\":{"
		"\"type\":[\"integer\",\"null\"]}},\"required\":[\"items\","
		"\"page\",\"per_page\",\"has_prev\",\"has_next\",\"prev_num\","
		"\"next_num\"]}";
	json_object *o = json_tokener_parse(doc), *props, *items;

	json_object_object_get_ex(o, "properties", &props);
	json_object_object_get_ex(props, "items", &items);
	_ma_json_put(items, "items", item);
	return o;
}
