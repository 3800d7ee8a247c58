/*
 * The API description's list parameters of a type: page, per_page, sort and
 * fields with the dotted paths of its embedded documents, and the filters
 * of every field a path reaches, each operator with the values it takes.
 * The rules (what sorts, which operators a kind takes) are the query
 * layer's own, asked, not restated.
 */
#include <string.h>

#include "app/openapi-private.h"

/* How deep the description follows embedded documents: a type that holds
 * itself would otherwise have no end. */
#define PATH_DEPTH 8

/* Integers from min (when has_min) to max (when has_max), int64's bounds
 * where there is none: what the query string's reader takes. */
static json_object *
int_schema(bool has_min, int64_t min, bool has_max, int64_t max)
{
	const ma_field f = {.kind = MA_KIND_INT,
			    .has_min = has_min,
			    .min = min,
			    .has_max = has_max,
			    .max = max};

	return _ma_openapi_value_schema(&f);
}

/* Appends to alt, '|' first, the paths under prefix of type's fields that
 * a sort (sort) or a projection takes, down its embedded documents. */
static void
path_names(ma_buf *alt, const ma_type *type, const char *prefix, bool sort,
	   int depth)
{
	const ma_field *f;
	char *path;

	for (f = type->fields; f != NULL && f->kind != MA_KIND_NONE; f++) {
		path = bson_strdup_printf("%s%s", prefix, f->name);
		if (!sort || _ma_field_sortable(f)) {
			_ma_buf_putc(alt, '|');
			_ma_openapi_regex_quote(alt, path);
		}
		bson_free(path);
		if (f->kind == MA_KIND_DOCUMENT && f->type != NULL &&
		    depth < PATH_DEPTH) {
			path = bson_strdup_printf("%s%s.", prefix, f->name);
			path_names(alt, f->type, path, sort, depth + 1);
			bson_free(path);
		}
	}
}

/*
 * "^-?(?:_id|title|author\.name)(?:,-?(?:_id|title|author\.name))*$": a
 * comma-separated list of the paths that pass (sortable ones for sort),
 * '-' first when sort.
 */
static json_object *
names_schema(const ma_type *type, bool sort)
{
	const char *dash = sort ? "-?" : "";
	json_object *o = _ma_json_typed("string");
	ma_buf alt, b;

	_ma_buf_init(&alt, 64);
	_ma_buf_append(&alt, "_id", 3);
	path_names(&alt, type, "", sort, 0);
	_ma_buf_init(&b, alt.len * 2 + 32);
	_ma_buf_printf(&b, "^%s(?:%.*s)(?:,%s(?:%.*s))*$", dash, (int)alt.len,
		       alt.data, dash, (int)alt.len, alt.data);
	_ma_json_put_str(o, "pattern", b.data);
	_ma_buf_destroy(&b);
	_ma_buf_destroy(&alt);
	return o;
}

/* A filter value: text read by the field's kind (MA_V_TEXT), so any
 * integer for an int field, whatever its bounds. exact: a value compared
 * for equality, which for an enum must be one of its values; an order's
 * bound may be any text. */
static json_object *
filter_value_schema(const ma_field *f, bool exact)
{
	const ma_field oid = {.kind = MA_KIND_OBJECTID};

	if (f == NULL)
		return _ma_openapi_value_schema(&oid);
	if (f->kind == MA_KIND_LIST && f->item != NULL)
		return filter_value_schema(f->item, exact);
	switch (f->kind) {
	case MA_KIND_INT:
		return int_schema(false, 0, false, 0);
	case MA_KIND_FLOAT:
		return _ma_json_typed("number");
	case MA_KIND_BOOL:
		return _ma_json_typed("boolean");
	case MA_KIND_ENUM:
		return exact ? _ma_openapi_value_schema(f)
			     : _ma_json_typed("string");
	case MA_KIND_DATETIME:
	case MA_KIND_OBJECTID:
	case MA_KIND_REF:
		return _ma_openapi_value_schema(f);
	case MA_KIND_STRING:
	case MA_KIND_ANY:
	case MA_KIND_DOCUMENT:
	case MA_KIND_LIST:
	case MA_KIND_NONE:
	case MA_KIND__MAX:
	default:
		return _ma_json_typed("string");
	}
}

/* An item of an in, nin or all list: no comma (it splits the list), not
 * empty. */
static json_object *
in_item_schema(const ma_field *f)
{
	json_object *o = filter_value_schema(f, true);
	json_object *type;

	if (json_object_object_get_ex(o, "type", &type) &&
	    strcmp(json_object_get_string(type), "string") == 0 &&
	    !json_object_object_get_ex(o, "pattern", NULL) &&
	    !json_object_object_get_ex(o, "enum", NULL))
		_ma_json_put_str(o, "pattern", "^[^,]+$");
	return o;
}

/* name__op=a,b,c: a form-style array of 1 to MA_MAX_IN_VALUES items. */
static json_object *
list_param(const char *name, const char *description, const ma_field *f)
{
	json_object *list = _ma_json_typed("array"), *p;

	_ma_json_put(list, "items", in_item_schema(f));
	_ma_json_put(list, "minItems", json_object_new_int(1));
	_ma_json_put(list, "maxItems", json_object_new_int(MA_MAX_IN_VALUES));
	p = _ma_openapi_query_param(name, description, list);
	_ma_json_put_str(p, "style", "form");
	_ma_json_put(p, "explode", json_object_new_boolean(false));
	return p;
}

static void
add_param(json_object *params, const char *name, const char *op,
	  const char *description, json_object *schema)
{
	char *pname = bson_strdup_printf("%s__%s", name, op);

	json_object_array_add(
		params, _ma_openapi_query_param(pname, description, schema));
	bson_free(pname);
}

/* The filters of one field (NULL: _id) at path name: name=value and
 * name__op=value; an embedded document's fields follow, by their dotted
 * paths. */
static void
field_filters(json_object *params, const char *name, const ma_field *f,
	      int depth)
{
	static const struct {
		const char *name;
		bool list; /* name__in=a,b,c */
		bool exact;
	} ops[] = {{"ne", false, true},	  {"gt", false, false},
		   {"gte", false, false}, {"lt", false, false},
		   {"lte", false, false}, {"in", true, true},
		   {"nin", true, true}};
	bool is_list = f != NULL && f->kind == MA_KIND_LIST;
	bool of_documents = is_list && (f->item == NULL ||
					f->item->kind == MA_KIND_DOCUMENT);
	const ma_field *sub;
	char *pname;
	size_t i;

	/* A document is compared whole, as JSON, which the grammar does not
	 * take from a client: only its presence (and a list's length) can be
	 * asked for. */
	if ((f == NULL || f->kind != MA_KIND_DOCUMENT) && !of_documents) {
		json_object_array_add(
			params,
			_ma_openapi_query_param(name, "equal to",
						filter_value_schema(f, true)));
		for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
			pname = bson_strdup_printf("%s__%s", name, ops[i].name);
			json_object_array_add(
				params,
				ops[i].list
					? list_param(pname, NULL, f)
					: _ma_openapi_query_param(
						  pname, NULL,
						  filter_value_schema(
							  f, ops[i].exact)));
			bson_free(pname);
		}
	}
	if (is_list && !of_documents) {
		pname = bson_strdup_printf("%s__all", name);
		json_object_array_add(params,
				      list_param(pname, "holds every one", f));
		bson_free(pname);
	}
	if (is_list)
		add_param(params, name, "size", "holds exactly that many items",
			  int_schema(true, 0, true, INT32_MAX));
	add_param(params, name, "exists", "present or absent",
		  _ma_json_typed("boolean"));
	if (f != NULL && _ma_field_matches_text(f))
		add_param(params, name, "startswith", "starts with",
			  _ma_json_typed("string"));

	if (f == NULL || f->kind != MA_KIND_DOCUMENT || f->type == NULL ||
	    depth >= PATH_DEPTH)
		return;
	for (sub = f->type->fields; sub != NULL && sub->kind != MA_KIND_NONE;
	     sub++) {
		pname = bson_strdup_printf("%s.%s", name, sub->name);
		field_filters(params, pname, sub, depth + 1);
		bson_free(pname);
	}
}

void
_ma_openapi_list_params(json_object *params, const ma_type *type,
			int64_t max_per_page)
{
	const ma_field *f;
	json_object *s;

	if (max_per_page < 1)
		max_per_page = MA_MAX_PER_PAGE;
	s = int_schema(true, 1, false, 0);
	_ma_json_put(s, "default", json_object_new_int(1));
	json_object_array_add(
		params,
		_ma_openapi_query_param(
			"page", "page number; past the last page: 404", s));
	s = int_schema(true, 1, true, max_per_page);
	_ma_json_put(s, "default",
		     json_object_new_int64(MA_PER_PAGE < max_per_page
						   ? MA_PER_PAGE
						   : max_per_page));
	json_object_array_add(params, _ma_openapi_query_param(
					      "per_page", "items per page", s));
	json_object_array_add(params,
			      _ma_openapi_query_param(
				      "sort",
				      "sort keys, comma-separated, '-' for "
				      "descending, dotted paths into embedded "
				      "documents: -year,author.name",
				      names_schema(type, true)));
	json_object_array_add(
		params,
		_ma_openapi_query_param(
			"fields",
			"the fields to return, comma-separated, dotted "
			"paths into embedded documents: title,author.name",
			names_schema(type, false)));
	field_filters(params, "_id", NULL, 0);
	for (f = type->fields; f != NULL && f->kind != MA_KIND_NONE; f++)
		field_filters(params, f->name, f, 0);
}
