/*
 * Typed values for a field: what a filter compares with and what an update
 * writes, converted to BSON by the field's kind (text as a query string
 * gives it, or JSON, read as input is) and refused in words that say what
 * the field expects.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "query/query-private.h"

/* What a field compares with, for messages: the id is an ObjectId. */
static const char *
kind_expects(const ma_field *f)
{
	return _ma_kind_expects_value(f != NULL ? f->kind : MA_KIND_OBJECTID);
}

const char *
_ma_value_kind_name(ma_value_kind k)
{
	static const char *const names[MA_VALUE__MAX] = {
		[MA_VALUE_NULL] = "null",	[MA_VALUE_STRING] = "a string",
		[MA_VALUE_INT] = "an integer",	[MA_VALUE_FLOAT] = "a float",
		[MA_VALUE_BOOL] = "a bool",	[MA_VALUE_DATETIME] = "a date",
		[MA_VALUE_OID] = "an ObjectId", [MA_VALUE_TEXT] = "text",
		[MA_VALUE_JSON] = "JSON",
	};

	return (unsigned)k < MA_VALUE__MAX ? names[k] : "an unknown value";
}

static bool
wrong_value(ma_error *error, const char *path, const ma_field *f,
	    const ma_value *v)
{
	if (v->kind == MA_VALUE_TEXT && v->u.s != NULL)
		_ma_error_set(error, MA_ERR_INVALID,
			      "%s: must be %s, not '%.40s'", path,
			      kind_expects(f), v->u.s);
	else
		_ma_error_set(error, MA_ERR_INVALID, "%s: must be %s, not %s",
			      path, kind_expects(f),
			      _ma_value_kind_name(v->kind));
	return false;
}

/* Whole-string finite decimal number: strtod would also take "inf",
 * "nan", hex and leading spaces. */
static bool
text_float(const char *s, double *out)
{
	const char *p;
	char *end;
	double v;

	if (s[0] == '\0')
		return false;
	for (p = s; *p != '\0'; p++) {
		if (strchr("0123456789+-.eE", *p) == NULL)
			return false;
	}
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v))
		return false;
	*out = v;
	return true;
}

bool
_ma_value_append_utf8(const char *path, const char *s, bson_t *out,
		      const char *key, ma_error *error)
{
	size_t len = strlen(s);

	if (!bson_utf8_validate(s, len, false)) {
		_ma_error_set(error, MA_ERR_INVALID, "%s: not valid UTF-8",
			      path);
		return false;
	}
	bson_append_utf8(out, key, -1, s, (int)len);
	return true;
}

/*
 * JSON text for field, converted and checked as input is. Problems become
 * one MA_ERR_INVALID naming the first.
 */
static bool
json_value(const ma_field *f, const char *path, const char *json, bson_t *out,
	   const char *key, ma_error *error)
{
	ma_problems *problems = ma_problems_new();
	/* The id is not declared: it is an ObjectId. */
	ma_field id = {.kind = MA_KIND_OBJECTID, .name = path};
	json_object *v;
	ma_walk walk;
	ma_error jerr;
	bool ok = false;

	_ma_walk_init(&walk, problems);
	walk.compare = true;
	_ma_walk_push_key(&walk, path, strlen(path));
	v = _ma_json_parse(json, strlen(json), false, &walk, &jerr);
	if (v == NULL && jerr.code != MA_OK) {
		_ma_error_set(error, MA_ERR_INVALID, "%s: %s", path,
			      jerr.message);
		goto done;
	}
	if (v == NULL) {
		BSON_APPEND_NULL(out, key);
	} else {
		_ma_json_value_to_bson(&walk, f != NULL ? f : &id, v, out, key);
		json_object_put(v);
	}
	ok = !_ma_error_from_first_problem(error, problems);
done:
	_ma_walk_destroy(&walk);
	ma_problems_destroy(problems);
	return ok;
}

bool
_ma_value_in_enum(const ma_field *f, const char *path, const ma_value *v,
		  ma_error *error)
{
	ma_problems *problems;
	ma_walk walk;
	bool ok;

	/* A list of enums: the item is what a filter's value is. JSON was
	 * checked as it was read. */
	if (f != NULL && f->kind == MA_KIND_LIST)
		f = f->item;
	if (f == NULL || f->kind != MA_KIND_ENUM ||
	    (v->kind != MA_VALUE_STRING && v->kind != MA_VALUE_TEXT) ||
	    v->u.s == NULL)
		return true;

	/* The body's check, so that both say the same words. */
	problems = ma_problems_new();
	_ma_walk_init(&walk, problems);
	_ma_walk_push_key(&walk, path, strlen(path));
	_ma_check_enum(&walk, f, v->u.s, strlen(v->u.s));
	ok = !_ma_error_from_first_problem(error, problems);
	_ma_walk_destroy(&walk);
	ma_problems_destroy(problems);
	return ok;
}

bool
_ma_value_to_bson(const ma_field *f, const char *path, const ma_value *v,
		  bson_t *out, const char *key, ma_error *error)
{
	ma_kind kind = f != NULL ? f->kind : MA_KIND_OBJECTID;
	bson_oid_t oid;
	int64_t i, ms;
	double d;
	bool b;

	if ((unsigned)v->kind >= MA_VALUE__MAX)
		return wrong_value(error, path, f, v);
	if (v->kind == MA_VALUE_NULL) {
		BSON_APPEND_NULL(out, key);
		return true;
	}
	if ((v->kind == MA_VALUE_STRING || v->kind == MA_VALUE_TEXT ||
	     v->kind == MA_VALUE_JSON) &&
	    v->u.s == NULL) {
		_ma_error_set(error, MA_ERR_INVALID, "%s: the value is NULL",
			      path);
		return false;
	}
	if (v->kind == MA_VALUE_JSON)
		return json_value(f, path, v->u.s, out, key, error);

	switch (kind) {
	case MA_KIND_STRING:
	case MA_KIND_ENUM:
		if (v->kind != MA_VALUE_STRING && v->kind != MA_VALUE_TEXT)
			return wrong_value(error, path, f, v);
		return _ma_value_append_utf8(path, v->u.s, out, key, error);
	case MA_KIND_INT:
		if (v->kind == MA_VALUE_INT)
			i = v->u.i;
		else if (v->kind != MA_VALUE_TEXT ||
			 _ma_parse_int(v->u.s, 10, INT64_MIN, INT64_MAX, &i) !=
				 MA_INT_OK)
			return wrong_value(error, path, f, v);
		BSON_APPEND_INT64(out, key, i);
		return true;
	case MA_KIND_FLOAT:
		if (v->kind == MA_VALUE_FLOAT && isfinite(v->u.f))
			d = v->u.f;
		else if (v->kind == MA_VALUE_INT)
			d = (double)v->u.i;
		else if (v->kind != MA_VALUE_TEXT || !text_float(v->u.s, &d))
			return wrong_value(error, path, f, v);
		BSON_APPEND_DOUBLE(out, key, d);
		return true;
	case MA_KIND_BOOL:
		if (v->kind == MA_VALUE_BOOL)
			b = v->u.b;
		else if (v->kind != MA_VALUE_TEXT ||
			 !_ma_parse_bool(v->u.s, MA_BOOL_JSON, &b))
			return wrong_value(error, path, f, v);
		BSON_APPEND_BOOL(out, key, b);
		return true;
	case MA_KIND_DATETIME:
		if (v->kind == MA_VALUE_DATETIME)
			ms = v->u.i;
		else if ((v->kind != MA_VALUE_STRING &&
			  v->kind != MA_VALUE_TEXT) ||
			 !_ma_datetime_parse(v->u.s, strlen(v->u.s), &ms))
			return wrong_value(error, path, f, v);
		BSON_APPEND_DATE_TIME(out, key, ms);
		return true;
	case MA_KIND_OBJECTID:
	case MA_KIND_REF:
		if (v->kind == MA_VALUE_OID && v->u.oid != NULL)
			bson_oid_copy(v->u.oid, &oid);
		else if ((v->kind != MA_VALUE_STRING &&
			  v->kind != MA_VALUE_TEXT) ||
			 !_ma_oid_from_hex(v->u.s, &oid))
			return wrong_value(error, path, f, v);
		BSON_APPEND_OID(out, key, &oid);
		return true;
	case MA_KIND_LIST:
		/* An item: MongoDB matches the lists that hold it. */
		if (f->item == NULL)
			return wrong_value(error, path, f, v);
		return _ma_value_to_bson(f->item, path, v, out, key, error);
	case MA_KIND_ANY:
		switch (v->kind) {
		case MA_VALUE_STRING:
		case MA_VALUE_TEXT:
			return _ma_value_append_utf8(path, v->u.s, out, key,
						     error);
		case MA_VALUE_INT:
			BSON_APPEND_INT64(out, key, v->u.i);
			return true;
		case MA_VALUE_FLOAT:
			if (!isfinite(v->u.f))
				return wrong_value(error, path, f, v);
			BSON_APPEND_DOUBLE(out, key, v->u.f);
			return true;
		case MA_VALUE_BOOL:
			BSON_APPEND_BOOL(out, key, v->u.b);
			return true;
		case MA_VALUE_DATETIME:
			BSON_APPEND_DATE_TIME(out, key, v->u.i);
			return true;
		case MA_VALUE_OID:
			if (v->u.oid == NULL)
				return wrong_value(error, path, f, v);
			BSON_APPEND_OID(out, key, v->u.oid);
			return true;
		case MA_VALUE_NULL:
		case MA_VALUE_JSON:
		case MA_VALUE__MAX:
		default:
			return wrong_value(error, path, f, v);
		}
	case MA_KIND_DOCUMENT:
	case MA_KIND_NONE:
	case MA_KIND__MAX:
	default:
		return wrong_value(error, path, f, v);
	}
}
