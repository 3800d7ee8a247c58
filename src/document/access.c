/*
 * A document's fields by name: the typed getters, which follow dotted
 * paths, and the setters, which check each value against its field.
 */
#include <string.h>

#include <json-c/json.h>

#include "document/document-private.h"

/*
 * Finds the value at a dotted path of JSON names; *field gets the field
 * that describes it (NULL for a field the type does not declare).
 */
static bool
find_path(const ma_doc *doc, const char *path, bson_iter_t *out,
	  const ma_field **field)
{
	ma_buf dbpath;
	bson_iter_t it;
	bool found;

	if (path == NULL || path[0] == '\0')
		return false;
	_ma_buf_init(&dbpath, 64);
	_ma_type_path(doc->type, path, &dbpath, field);
	found = bson_iter_init(&it, &doc->bson) &&
		bson_iter_find_descendant(&it, dbpath.data, out);
	_ma_buf_destroy(&dbpath);
	return found;
}

bool
ma_doc_get_string(const ma_doc *doc, const char *path, const char **out)
{
	bson_iter_t it;

	if (!find_path(doc, path, &it, NULL) || !BSON_ITER_HOLDS_UTF8(&it))
		return false;
	*out = bson_iter_utf8(&it, NULL);
	return true;
}

bool
ma_doc_get_int(const ma_doc *doc, const char *path, int64_t *out)
{
	bson_iter_t it;

	if (!find_path(doc, path, &it, NULL) ||
	    !(BSON_ITER_HOLDS_INT32(&it) || BSON_ITER_HOLDS_INT64(&it)))
		return false;
	*out = bson_iter_as_int64(&it);
	return true;
}

bool
ma_doc_get_float(const ma_doc *doc, const char *path, double *out)
{
	bson_iter_t it;

	if (!find_path(doc, path, &it, NULL) || !BSON_ITER_HOLDS_NUMBER(&it))
		return false;
	*out = bson_iter_as_double(&it);
	return true;
}

bool
ma_doc_get_bool(const ma_doc *doc, const char *path, bool *out)
{
	bson_iter_t it;

	if (!find_path(doc, path, &it, NULL) || !BSON_ITER_HOLDS_BOOL(&it))
		return false;
	*out = bson_iter_bool(&it);
	return true;
}

bool
ma_doc_get_datetime(const ma_doc *doc, const char *path, int64_t *out)
{
	bson_iter_t it;

	if (!find_path(doc, path, &it, NULL) || !BSON_ITER_HOLDS_DATE_TIME(&it))
		return false;
	*out = bson_iter_date_time(&it);
	return true;
}

bool
ma_doc_get_oid(const ma_doc *doc, const char *path, bson_oid_t *out)
{
	bson_iter_t it;

	if (!find_path(doc, path, &it, NULL) || !BSON_ITER_HOLDS_OID(&it))
		return false;
	bson_oid_copy(bson_iter_oid(&it), out);
	return true;
}

bool
ma_doc_is_null(const ma_doc *doc, const char *path)
{
	bson_iter_t it;

	return find_path(doc, path, &it, NULL) && BSON_ITER_HOLDS_NULL(&it);
}

ma_doc *
ma_doc_get_doc(const ma_doc *doc, const char *path)
{
	const ma_field *f;
	bson_iter_t it;
	bson_t sub;

	if (!find_path(doc, path, &it, &f) || f == NULL ||
	    f->kind != MA_KIND_DOCUMENT || !BSON_ITER_HOLDS_DOCUMENT(&it) ||
	    !_ma_iter_view(&it, &sub))
		return NULL;
	return ma_doc_new_from_bson(f->type, &sub);
}

/* --- changing ------------------------------------------------------------ */

/*
 * Writes the value held under "v" in holder as key, where key was (or at
 * the end); a NULL holder removes key. BSON cannot be edited in place, so
 * the document is rebuilt: fields keep their order.
 */
static void
put(ma_doc *doc, const char *key, const bson_t *holder)
{
	bson_iter_t it, value;
	bson_t out;
	bool done = false;
	bool have = holder != NULL && bson_iter_init_find(&value, holder, "v");

	bson_init(&out);
	if (bson_iter_init(&it, &doc->bson)) {
		while (bson_iter_next(&it)) {
			if (strcmp(bson_iter_key(&it), key) != 0) {
				bson_append_iter(&out, NULL, 0, &it);
				continue;
			}
			if (have && !done)
				bson_append_iter(&out, key, -1, &value);
			done = true;
		}
	}
	if (have && !done)
		bson_append_iter(&out, key, -1, &value);
	bson_destroy(&doc->bson);
	bson_steal(&doc->bson, &out);
}

/* The field name of doc's type; otherwise NULL and an error. */
static const ma_field *
field_named(const ma_doc *doc, const char *name, ma_error *error)
{
	const ma_field *f = ma_type_field(doc->type, name);

	if (f == NULL)
		_ma_error_set(error, MA_ERR_INVALID, "%s has no field %s",
			      doc->type->name, name != NULL ? name : "(null)");
	return f;
}

/* The field name, if it is of kind a or b; otherwise NULL and an error. */
static const ma_field *
settable(const ma_doc *doc, const char *name, ma_kind a, ma_kind b,
	 ma_error *error)
{
	const ma_field *f = field_named(doc, name, error);

	if (f == NULL)
		return NULL;
	if (f->kind != a && f->kind != b) {
		_ma_error_set(error, MA_ERR_INVALID, "%s.%s is %s, not %s",
			      doc->type->name, name, _ma_kind_name(f->kind),
			      _ma_kind_name(a));
		return NULL;
	}
	return f;
}

/* Ends a setter: holder's "v" goes in as field f. */
static bool
set_from(ma_doc *doc, const ma_field *f, bson_t *holder, ma_error *error)
{
	put(doc, ma_field_db_name(f), holder);
	bson_destroy(holder);
	ma_error_clear(error);
	return true;
}

bool
ma_doc_set_string(ma_doc *doc, const char *name, const char *value,
		  ma_error *error)
{
	const ma_field *f =
		settable(doc, name, MA_KIND_STRING, MA_KIND_ENUM, error);
	bson_t h = BSON_INITIALIZER;

	if (f == NULL)
		return false;
	if (value == NULL || !bson_utf8_validate(value, strlen(value), false)) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "%s.%s: a string must be valid UTF-8, not NULL",
			      doc->type->name, name);
		return false;
	}
	BSON_APPEND_UTF8(&h, "v", value);
	return set_from(doc, f, &h, error);
}

bool
ma_doc_set_int(ma_doc *doc, const char *name, int64_t value, ma_error *error)
{
	const ma_field *f =
		settable(doc, name, MA_KIND_INT, MA_KIND_INT, error);
	bson_t h = BSON_INITIALIZER;

	if (f == NULL)
		return false;
	BSON_APPEND_INT64(&h, "v", value);
	return set_from(doc, f, &h, error);
}

bool
ma_doc_set_float(ma_doc *doc, const char *name, double value, ma_error *error)
{
	const ma_field *f =
		settable(doc, name, MA_KIND_FLOAT, MA_KIND_FLOAT, error);
	bson_t h = BSON_INITIALIZER;

	if (f == NULL)
		return false;
	BSON_APPEND_DOUBLE(&h, "v", value);
	return set_from(doc, f, &h, error);
}

bool
ma_doc_set_bool(ma_doc *doc, const char *name, bool value, ma_error *error)
{
	const ma_field *f =
		settable(doc, name, MA_KIND_BOOL, MA_KIND_BOOL, error);
	bson_t h = BSON_INITIALIZER;

	if (f == NULL)
		return false;
	BSON_APPEND_BOOL(&h, "v", value);
	return set_from(doc, f, &h, error);
}

bool
ma_doc_set_datetime(ma_doc *doc, const char *name, int64_t ms, ma_error *error)
{
	const ma_field *f =
		settable(doc, name, MA_KIND_DATETIME, MA_KIND_DATETIME, error);
	bson_t h = BSON_INITIALIZER;

	if (f == NULL)
		return false;
	BSON_APPEND_DATE_TIME(&h, "v", ms);
	return set_from(doc, f, &h, error);
}

bool
ma_doc_set_oid(ma_doc *doc, const char *name, const bson_oid_t *value,
	       ma_error *error)
{
	const ma_field *f =
		settable(doc, name, MA_KIND_OBJECTID, MA_KIND_REF, error);
	bson_t h = BSON_INITIALIZER;

	if (f == NULL)
		return false;
	BSON_APPEND_OID(&h, "v", value);
	return set_from(doc, f, &h, error);
}

bool
ma_doc_set_doc(ma_doc *doc, const char *name, const ma_doc *value,
	       ma_error *error)
{
	const ma_field *f =
		settable(doc, name, MA_KIND_DOCUMENT, MA_KIND_DOCUMENT, error);
	bson_t h = BSON_INITIALIZER;

	if (f == NULL)
		return false;
	if (value == NULL || value->type != f->type) {
		_ma_error_set(error, MA_ERR_INVALID, "%s.%s holds a %s",
			      doc->type->name, name, f->type->name);
		return false;
	}
	BSON_APPEND_DOCUMENT(&h, "v", &value->bson);
	return set_from(doc, f, &h, error);
}

bool
ma_doc_set_json(ma_doc *doc, const char *name, const char *json,
		ma_problems *problems, ma_error *error)
{
	const ma_field *f = field_named(doc, name, error);
	ma_problems *p;
	ma_walk walk;
	ma_error perr;
	json_object *v;
	bson_t h = BSON_INITIALIZER;
	bool ok = false;

	if (f == NULL)
		return false;
	if (json == NULL) {
		_ma_error_set(error, MA_ERR_INVALID, "%s.%s: no JSON given",
			      doc->type->name, name);
		return false;
	}
	p = _ma_problems_use(problems);
	_ma_walk_init(&walk, p);
	/* Paths, duplicate keys' too, start at the field. */
	_ma_walk_push_key(&walk, f->name, strlen(f->name));
	v = _ma_json_parse(json, strlen(json), false, &walk, &perr);
	if (v == NULL && perr.code != MA_OK) {
		if (error != NULL)
			*error = perr;
		goto done;
	}
	_ma_json_value_to_bson(&walk, f, v, &h, "v");
	json_object_put(v);
	if (ma_problems_count(p) > 0) {
		_ma_error_from_problems(error, doc->type, p);
		goto done;
	}
	put(doc, ma_field_db_name(f), &h);
	ma_error_clear(error);
	ok = true;
done:
	bson_destroy(&h);
	_ma_walk_destroy(&walk);
	_ma_problems_done(p, problems);
	return ok;
}

bool
ma_doc_set_null(ma_doc *doc, const char *name, ma_error *error)
{
	const ma_field *f = field_named(doc, name, error);
	bson_t h = BSON_INITIALIZER;

	if (f == NULL)
		return false;
	BSON_APPEND_NULL(&h, "v");
	return set_from(doc, f, &h, error);
}

bool
ma_doc_unset(ma_doc *doc, const char *name, ma_error *error)
{
	const ma_field *f = field_named(doc, name, error);

	if (f == NULL)
		return false;
	put(doc, ma_field_db_name(f), NULL);
	ma_error_clear(error);
	return true;
}
