/*
 * JSON text -> BSON in a type's database form, checked on the way: the
 * text is read by _ma_json_parse() (parse.c), then each value is converted
 * by its field's kind, and the defaults of missing fields filled in.
 */
#include <string.h>

#include <json-c/json.h>

#include "json/json-private.h"

/* --- conversion ---------------------------------------------------------- */

static void convert_fields(ma_walk *walk, const ma_type *type, json_object *obj,
			   bool partial, bson_t *out);

static void
convert_any(ma_walk *walk, json_object *v, bson_t *out, const char *key)
{
	bson_t child;
	size_t i, n, mark;
	char ibuf[16];
	const char *ikey;

	switch (json_object_get_type(v)) {
	case json_type_null:
		BSON_APPEND_NULL(out, key);
		break;
	case json_type_boolean:
		BSON_APPEND_BOOL(out, key, json_object_get_boolean(v));
		break;
	case json_type_int:
		BSON_APPEND_INT64(out, key, json_object_get_int64(v));
		break;
	case json_type_double:
		BSON_APPEND_DOUBLE(out, key, json_object_get_double(v));
		break;
	case json_type_string:
		bson_append_utf8(out, key, -1, json_object_get_string(v),
				 json_object_get_string_len(v));
		break;
	case json_type_object:
		BSON_APPEND_DOCUMENT_BEGIN(out, key, &child);
		json_object_object_foreach(v, k, value)
		{
			mark = _ma_walk_push_key(walk, k, strlen(k));
			if (_ma_walk_check_key(walk, k))
				convert_any(walk, value, &child, k);
			_ma_walk_pop(walk, mark);
		}
		bson_append_document_end(out, &child);
		break;
	case json_type_array:
		BSON_APPEND_ARRAY_BEGIN(out, key, &child);
		n = json_object_array_length(v);
		for (i = 0; i < n; i++) {
			bson_uint32_to_string((uint32_t)i, &ikey, ibuf,
					      sizeof(ibuf));
			mark = _ma_walk_push_index(walk, i);
			convert_any(walk, json_object_array_get_idx(v, i),
				    &child, ikey);
			_ma_walk_pop(walk, mark);
		}
		bson_append_array_end(out, &child);
		break;
	default:
		break;
	}
}

static bool
string_oid(json_object *v, bson_oid_t *oid)
{
	return json_object_is_type(v, json_type_string) &&
	       json_object_get_string_len(v) == 24 &&
	       _ma_oid_from_hex(json_object_get_string(v), oid);
}

void
_ma_json_value_to_bson(ma_walk *walk, const ma_field *f, json_object *v,
		       bson_t *out, const char *key)
{
	enum json_type t = json_object_get_type(v);
	bson_t child;
	bson_oid_t oid;
	const char *s, *ikey;
	char ibuf[16];
	size_t len, i, n, mark;
	int64_t ms;

	if (t == json_type_null) {
		if (f->nullable)
			BSON_APPEND_NULL(out, key);
		else
			_ma_walk_problem(walk, "must not be null");
		return;
	}
	switch (f->kind) {
	case MA_KIND_STRING:
	case MA_KIND_ENUM:
		if (t != json_type_string) {
			_ma_walk_expect(walk, f);
			return;
		}
		s = json_object_get_string(v);
		len = (size_t)json_object_get_string_len(v);
		if (f->kind == MA_KIND_STRING
			    ? _ma_check_string(walk, f, s, len)
			    : _ma_check_enum(walk, f, s, len))
			bson_append_utf8(out, key, -1, s, (int)len);
		return;
	case MA_KIND_INT:
		/* Only an integer token: 3.0 is a float in JSON's eyes and
		 * in every client's. */
		if (t != json_type_int) {
			_ma_walk_expect(walk, f);
			return;
		}
		if (_ma_check_int(walk, f, json_object_get_int64(v)))
			BSON_APPEND_INT64(out, key, json_object_get_int64(v));
		return;
	case MA_KIND_FLOAT:
		if (t != json_type_int && t != json_type_double) {
			_ma_walk_expect(walk, f);
			return;
		}
		if (_ma_check_float(walk, f, json_object_get_double(v)))
			BSON_APPEND_DOUBLE(out, key, json_object_get_double(v));
		return;
	case MA_KIND_BOOL:
		if (t != json_type_boolean)
			_ma_walk_expect(walk, f);
		else
			BSON_APPEND_BOOL(out, key, json_object_get_boolean(v));
		return;
	case MA_KIND_DATETIME:
		if (t != json_type_string ||
		    !_ma_datetime_parse(json_object_get_string(v),
					(size_t)json_object_get_string_len(v),
					&ms))
			_ma_walk_expect(walk, f);
		else
			BSON_APPEND_DATE_TIME(out, key, ms);
		return;
	case MA_KIND_OBJECTID:
	case MA_KIND_REF:
		if (!string_oid(v, &oid))
			_ma_walk_expect(walk, f);
		else
			BSON_APPEND_OID(out, key, &oid);
		return;
	case MA_KIND_DOCUMENT:
		if (t != json_type_object) {
			_ma_walk_expect(walk, f);
			return;
		}
		BSON_APPEND_DOCUMENT_BEGIN(out, key, &child);
		convert_fields(walk, f->type, v, false, &child);
		bson_append_document_end(out, &child);
		return;
	case MA_KIND_LIST:
		if (t != json_type_array) {
			_ma_walk_expect(walk, f);
			return;
		}
		n = json_object_array_length(v);
		_ma_check_items(walk, f, n);
		BSON_APPEND_ARRAY_BEGIN(out, key, &child);
		for (i = 0; i < n; i++) {
			bson_uint32_to_string((uint32_t)i, &ikey, ibuf,
					      sizeof(ibuf));
			mark = _ma_walk_push_index(walk, i);
			_ma_json_value_to_bson(walk, f->item,
					       json_object_array_get_idx(v, i),
					       &child, ikey);
			_ma_walk_pop(walk, mark);
		}
		bson_append_array_end(out, &child);
		return;
	case MA_KIND_ANY:
		convert_any(walk, v, out, key);
		return;
	case MA_KIND_NONE:
	case MA_KIND__MAX:
	default:
		_ma_walk_expect(walk, f);
		return;
	}
}

/* f's default converted, parsing and checking on the way. */
static bool
convert_default(ma_walk *walk, const ma_field *f, bson_t *out, const char *key)
{
	ma_error error;
	json_object *v;

	v = _ma_json_parse(f->default_json, strlen(f->default_json), false,
			   walk, &error);
	if (v == NULL && error.code != MA_OK)
		return false;
	_ma_json_value_to_bson(walk, f, v, out, key);
	json_object_put(v);
	return true;
}

/*
 * Defaults already converted, per thread (a static const field has no room
 * for it), keyed by the field and its text: a document missing a defaulted
 * field then costs a copy, not a parse. Types are static, so the keys stay
 * valid. Only defaults that convert cleanly are kept; a bad one is
 * converted (and reported) at each use.
 */
#define DEFAULT_CACHE_SIZE 32

typedef struct cached_default {
	const ma_field *field;
	const char *text;
	bson_t value; /* {"v": <the default>} */
} cached_default;

static _Thread_local cached_default default_cache[DEFAULT_CACHE_SIZE];
static _Thread_local size_t defaults_cached, default_next;

static const cached_default *
cached(const ma_field *f)
{
	cached_default *c;
	ma_problems *problems;
	ma_walk walk;
	bson_t value = BSON_INITIALIZER;
	bool ok;
	size_t i;

	for (i = 0; i < defaults_cached; i++) {
		if (default_cache[i].field == f &&
		    default_cache[i].text == f->default_json)
			return &default_cache[i];
	}
	problems = ma_problems_new();
	_ma_walk_init(&walk, problems);
	ok = convert_default(&walk, f, &value, "v") &&
	     ma_problems_count(problems) == 0;
	_ma_walk_destroy(&walk);
	ma_problems_destroy(problems);
	if (!ok) {
		bson_destroy(&value);
		return NULL;
	}
	/* Full: replace the oldest entry. */
	if (defaults_cached < DEFAULT_CACHE_SIZE) {
		c = &default_cache[defaults_cached++];
	} else {
		c = &default_cache[default_next];
		default_next = (default_next + 1) % DEFAULT_CACHE_SIZE;
		bson_destroy(&c->value);
	}
	c->field = f;
	c->text = f->default_json;
	bson_steal(&c->value, &value);
	return c;
}

void
_ma_default_cache_clear(void)
{
	size_t i;

	for (i = 0; i < defaults_cached; i++)
		bson_destroy(&default_cache[i].value);
	defaults_cached = default_next = 0;
}

bool
_ma_default_to_bson(ma_walk *walk, const ma_field *f, bson_t *out,
		    const char *key)
{
	const cached_default *c = cached(f);
	bson_iter_t it;

	if (c == NULL)
		return convert_default(walk, f, out, key);
	if (bson_iter_init_find(&it, &c->value, "v"))
		bson_append_iter(out, key, -1, &it);
	return true;
}

/* partial: only the fields given, as a PATCH sends them (no defaults, no
 * "required"); embedded documents are always whole. */
static void
convert_fields(ma_walk *walk, const ma_type *type, json_object *obj,
	       bool partial, bson_t *out)
{
	const ma_field *f;
	json_object *v;
	bson_oid_t oid;
	size_t mark;

	/* The id first, where MongoDB puts it. */
	if (json_object_object_get_ex(obj, "_id", &v)) {
		mark = _ma_walk_push_key(walk, "_id", 3);
		if (string_oid(v, &oid))
			BSON_APPEND_OID(out, "_id", &oid);
		else
			_ma_walk_problem(walk, "must be %s",
					 _ma_kind_expects(MA_KIND_OBJECTID));
		_ma_walk_pop(walk, mark);
	}

	for (f = type->fields; f->kind != MA_KIND_NONE; f++) {
		mark = _ma_walk_push_key(walk, f->name, strlen(f->name));
		if (json_object_object_get_ex(obj, f->name, &v))
			_ma_json_value_to_bson(walk, f, v, out,
					       ma_field_db_name(f));
		else if (!partial && f->default_json != NULL)
			_ma_default_to_bson(walk, f, out, ma_field_db_name(f));
		else if (!partial && !f->optional)
			_ma_walk_problem(walk, "required");
		_ma_walk_pop(walk, mark);
	}

	json_object_object_foreach(obj, key, value)
	{
		(void)value;
		if (strcmp(key, "_id") == 0 || ma_type_field(type, key) != NULL)
			continue;
		mark = _ma_walk_push_key(walk, key, strlen(key));
		if (_ma_walk_check_key(walk, key))
			_ma_walk_problem(walk, "unknown field");
		_ma_walk_pop(walk, mark);
	}
}

void
_ma_json_object_to_bson(ma_walk *walk, const ma_type *type,
			struct json_object *obj, bson_t *out)
{
	convert_fields(walk, type, obj, false, out);
}

static bool
to_bson(const ma_type *type, const char *json, size_t len, bool partial,
	bson_t *out, ma_problems *problems, ma_error *error)
{
	ma_problems *p = _ma_problems_use(problems);
	ma_walk walk;
	json_object *root;
	bool ok = false;

	bson_init(out);
	_ma_walk_init(&walk, p);
	if (type == NULL || (json == NULL && len > 0)) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "no type or no JSON given");
		goto done;
	}
	root = _ma_json_parse(json != NULL ? json : "", len, true, &walk,
			      error);
	if (root == NULL)
		goto done;
	convert_fields(&walk, type, root, partial, out);
	json_object_put(root);
	if (ma_problems_count(p) > 0) {
		_ma_error_from_problems(error, type, p);
		goto done;
	}
	ma_error_clear(error);
	ok = true;
done:
	_ma_walk_destroy(&walk);
	_ma_problems_done(p, problems);
	return ok;
}

bool
ma_json_to_bson(const ma_type *type, const char *json, size_t len, bson_t *out,
		ma_problems *problems, ma_error *error)
{
	return to_bson(type, json, len, false, out, problems, error);
}

bool
_ma_json_to_bson_partial(const ma_type *type, const char *json, size_t len,
			 bson_t *out, ma_problems *problems, ma_error *error)
{
	return to_bson(type, json, len, true, out, problems, error);
}
