/*
 * Filter expressions: a path, an operator and a typed value, checked
 * against the document type and turned into MongoDB's form here. Nothing a
 * client sends reaches MongoDB as a query document of its own: every key
 * is a declared field's database name or an operator written below.
 */
#include <inttypes.h>
#include <string.h>

#include "query/query-private.h"

struct ma_filter {
	const ma_type *type;
	bson_t bson;
};

/*
 * Why this thread's last filter could not be built. A failed filter is
 * NULL, and the call it is handed to (or, where, not) reports this, so
 * that one expression needs one check; the caller's error struct is
 * output only and never read.
 */
static _Thread_local ma_error last_failure;

static ma_filter *
failed(const ma_error *why, ma_error *error)
{
	last_failure = *why;
	if (error != NULL)
		*error = *why;
	return NULL;
}

void
_ma_filter_failure(ma_error *error)
{
	if (last_failure.code == MA_OK)
		_ma_error_set(&last_failure, MA_ERR_INVALID,
			      "a filter that could not be built");
	if (error != NULL)
		*error = last_failure;
}

/* --- operators ----------------------------------------------------------- */

static const char *const op_names[MA_OP__MAX] = {
	[MA_OP_EQ] = "eq",
	[MA_OP_NE] = "ne",
	[MA_OP_GT] = "gt",
	[MA_OP_GTE] = "gte",
	[MA_OP_LT] = "lt",
	[MA_OP_LTE] = "lte",
	[MA_OP_IN] = "in",
	[MA_OP_NIN] = "nin",
	[MA_OP_EXISTS] = "exists",
	[MA_OP_REGEX] = "regex",
	[MA_OP_STARTSWITH] = "startswith",
	[MA_OP_ALL] = "all",
	[MA_OP_SIZE] = "size",
};

/* MongoDB's operator for each; eq is written as {path: value}. */
static const char *const op_mongo[MA_OP__MAX] = {
	[MA_OP_EQ] = "$eq",
	[MA_OP_NE] = "$ne",
	[MA_OP_GT] = "$gt",
	[MA_OP_GTE] = "$gte",
	[MA_OP_LT] = "$lt",
	[MA_OP_LTE] = "$lte",
	[MA_OP_IN] = "$in",
	[MA_OP_NIN] = "$nin",
	[MA_OP_EXISTS] = "$exists",
	[MA_OP_REGEX] = "$regex",
	[MA_OP_STARTSWITH] = "$regex",
	[MA_OP_ALL] = "$all",
	[MA_OP_SIZE] = "$size",
};

const char *
ma_op_name(ma_op op)
{
	if ((unsigned)op >= MA_OP__MAX)
		return NULL;
	return op_names[op];
}

bool
ma_op_from_name(const char *name, size_t n, ma_op *op)
{
	unsigned i;

	if (name == NULL)
		return false;
	for (i = 0; i < MA_OP__MAX; i++) {
		if (strlen(op_names[i]) == n &&
		    memcmp(op_names[i], name, n) == 0) {
			*op = (ma_op)i;
			return true;
		}
	}
	return false;
}

/* --- paths --------------------------------------------------------------- */

bool
_ma_query_path(const ma_type *type, const char *path, ma_buf *dbpath,
	       const ma_field **field, ma_error *error)
{
	const char *seg;

	if (path == NULL || path[0] == '\0') {
		_ma_error_set(error, MA_ERR_INVALID,
			      "a field name is required");
		return false;
	}
	/* Empty parts and operators: "a..b", ".a", "$where", "a.$". */
	for (seg = path;; seg++) {
		if (*seg == '.' || *seg == '$' || *seg == '\0') {
			_ma_error_set(error, MA_ERR_INVALID,
				      "'%s' is not a field name", path);
			return false;
		}
		seg = strchr(seg, '.');
		if (seg == NULL)
			break;
	}
	if (strcmp(path, "_id") == 0) {
		_ma_buf_append(dbpath, "_id", 3);
		dbpath->data[dbpath->len] = '\0';
		*field = NULL;
		return true;
	}
	if (!_ma_type_path(type, path, dbpath, field) || *field == NULL) {
		_ma_error_set(error, MA_ERR_INVALID, "%s has no field '%s'",
			      type->name, path);
		return false;
	}
	return true;
}

bool
_ma_path_within(const char *a, const char *b)
{
	size_t n = strlen(b);

	return strncmp(a, b, n) == 0 && (a[n] == '\0' || a[n] == '.');
}

/* --- building ------------------------------------------------------------ */

static ma_filter *
filter_new(const ma_type *type)
{
	ma_filter *filter = BSON_ALIGNED_ALLOC0(ma_filter);

	filter->type = type;
	bson_init(&filter->bson);
	return filter;
}

void
ma_filter_destroy(ma_filter *filter)
{
	if (filter == NULL)
		return;
	bson_destroy(&filter->bson);
	bson_free(filter);
}

const bson_t *
ma_filter_bson(const ma_filter *filter)
{
	return &filter->bson;
}

const ma_type *
_ma_filter_type(const ma_filter *filter)
{
	return filter->type;
}

char *
_ma_regex_prefix(const char *prefix)
{
	ma_buf b;
	const char *p;

	_ma_buf_init(&b, strlen(prefix) * 2 + 2);
	_ma_buf_putc(&b, '^');
	for (p = prefix; *p != '\0'; p++) {
		if (strchr("\\^$.|?*+()[]{}", *p) != NULL)
			_ma_buf_putc(&b, '\\');
		_ma_buf_putc(&b, *p);
	}
	return _ma_buf_steal(&b, NULL);
}

bool
_ma_field_matches_text(const ma_field *f)
{
	if (f != NULL && f->kind == MA_KIND_LIST)
		f = f->item;
	return f != NULL && (f->kind == MA_KIND_STRING ||
			     f->kind == MA_KIND_ENUM || f->kind == MA_KIND_ANY);
}

static const ma_field exists_field = {.kind = MA_KIND_BOOL, .name = "exists"};

/* {$size: n}: an int32, as no list holds more items than that. */
static bool
append_size(const char *path, const ma_value *v, bson_t *cond, ma_error *error)
{
	bool text = (v->kind == MA_VALUE_TEXT || v->kind == MA_VALUE_STRING) &&
		    v->u.s != NULL;
	int64_t n = -1;

	if (v->kind == MA_VALUE_INT)
		n = v->u.i;
	else if (text &&
		 _ma_parse_int(v->u.s, 10, 0, INT32_MAX, &n) != MA_INT_OK)
		n = -1;
	if (n >= 0 && n <= INT32_MAX) {
		BSON_APPEND_INT32(cond, "$size", (int32_t)n);
		return true;
	}
	if (text)
		_ma_error_set(error, MA_ERR_INVALID,
			      "%s: size takes an integer from 0 to %d, not "
			      "'%.40s'",
			      path, INT32_MAX, v->u.s);
	else if (v->kind == MA_VALUE_INT)
		_ma_error_set(error, MA_ERR_INVALID,
			      "%s: size takes an integer from 0 to %d, not "
			      "%" PRId64,
			      path, INT32_MAX, v->u.i);
	else
		_ma_error_set(error, MA_ERR_INVALID,
			      "%s: size takes an integer from 0 to %d, not %s",
			      path, INT32_MAX, _ma_value_kind_name(v->kind));
	return false;
}

/* The value of path op value under key `op` in cond. */
static bool
append_condition(const ma_field *f, const char *path, ma_op op,
		 const ma_value *v, bson_t *cond, ma_error *error)
{
	char *re;
	bool ok;

	switch (op) {
	case MA_OP_EXISTS:
		if (v->kind == MA_VALUE_NULL) {
			_ma_error_set(
				error, MA_ERR_INVALID,
				"%s: exists takes true or false, not null",
				path);
			return false;
		}
		/* true or false, read as a bool field reads them */
		return _ma_value_to_bson(&exists_field, path, v, cond,
					 "$exists", error);
	case MA_OP_REGEX:
	case MA_OP_STARTSWITH:
		if (!_ma_field_matches_text(f)) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "%s: %s applies to text fields only",
				      path, op_names[op]);
			return false;
		}
		if ((v->kind != MA_VALUE_STRING && v->kind != MA_VALUE_TEXT) ||
		    v->u.s == NULL) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "%s: %s takes a string, not %s", path,
				      op_names[op],
				      _ma_value_kind_name(v->kind));
			return false;
		}
		re = op == MA_OP_STARTSWITH ? _ma_regex_prefix(v->u.s)
					    : bson_strdup(v->u.s);
		ok = _ma_value_append_utf8(path, re, cond, "$regex", error);
		bson_free(re);
		return ok;
	case MA_OP_GT:
	case MA_OP_GTE:
	case MA_OP_LT:
	case MA_OP_LTE:
		if (v->kind == MA_VALUE_NULL) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "%s: %s cannot compare with null", path,
				      op_names[op]);
			return false;
		}
		return _ma_value_to_bson(f, path, v, cond, op_mongo[op], error);
	case MA_OP_NE:
		return _ma_value_in_enum(f, path, v, error) &&
		       _ma_value_to_bson(f, path, v, cond, op_mongo[op], error);
	case MA_OP_SIZE:
		return append_size(path, v, cond, error);
	case MA_OP_EQ:
	case MA_OP_IN:
	case MA_OP_NIN:
	case MA_OP_ALL:
	case MA_OP__MAX:
	default:
		_ma_error_set(error, MA_ERR_INVALID,
			      "%s: %s is not a comparison", path,
			      ma_op_name(op) != NULL ? ma_op_name(op) : "?");
		return false;
	}
}

/*
 * path op value, or, for in and nin (list), path op values[0..n): checked
 * and built, or NULL with the reason recorded.
 */
static ma_filter *
build(const ma_type *type, const char *path, ma_op op, bool list,
      const ma_value *values, size_t n, ma_error *error)
{
	const ma_field *f;
	ma_filter *filter = NULL;
	bson_t cond, items;
	const char *key;
	char buf[16];
	ma_buf db;
	ma_error e;
	size_t i;
	bool ok = true;

	_ma_buf_init(&db, 32);
	if (type == NULL) {
		_ma_error_set(&e, MA_ERR_INVALID, "a filter needs a type");
		goto done;
	}
	if (!_ma_query_path(type, path, &db, &f, &e))
		goto done;
	if ((unsigned)op >= MA_OP__MAX) {
		_ma_error_set(&e, MA_ERR_INVALID, "%s: unknown operator %d",
			      path, (int)op);
		goto done;
	}
	if (list != (op == MA_OP_IN || op == MA_OP_NIN || op == MA_OP_ALL)) {
		_ma_error_set(&e, MA_ERR_INVALID,
			      list ? "%s: only in, nin and all take a list of "
				     "values"
				   : "%s: %s takes a list of values "
				     "(ma_query_filter_in)",
			      path, op_names[op]);
		goto done;
	}
	/* Neither has a meaning on one value, and MongoDB's $all on one
	 * would quietly be an equality. */
	if ((op == MA_OP_ALL || op == MA_OP_SIZE) &&
	    (f == NULL || f->kind != MA_KIND_LIST)) {
		_ma_error_set(&e, MA_ERR_INVALID,
			      "%s: %s applies to list fields only, not to %s",
			      path, op_names[op],
			      f != NULL ? _ma_kind_name(f->kind)
					: "an objectid");
		goto done;
	}
	if (n > 0 && values == NULL) {
		_ma_error_set(&e, MA_ERR_INVALID, "%s: the values are NULL",
			      path);
		goto done;
	}

	filter = filter_new(type);
	if (op == MA_OP_EQ) {
		/* {path: value}: the form every server's planner and an
		 * upsert's seed understand. */
		ok = _ma_value_in_enum(f, path, values, &e) &&
		     _ma_value_to_bson(f, path, values, &filter->bson, db.data,
				       &e);
	} else if (list) {
		bson_append_document_begin(&filter->bson, db.data, -1, &cond);
		bson_append_array_begin(&cond, op_mongo[op], -1, &items);
		for (i = 0; i < n && ok; i++) {
			bson_uint32_to_string((uint32_t)i, &key, buf,
					      sizeof(buf));
			ok = _ma_value_in_enum(f, path, &values[i], &e) &&
			     _ma_value_to_bson(f, path, &values[i], &items, key,
					       &e);
		}
		bson_append_array_end(&cond, &items);
		bson_append_document_end(&filter->bson, &cond);
	} else {
		bson_append_document_begin(&filter->bson, db.data, -1, &cond);
		ok = append_condition(f, path, op, values, &cond, &e);
		bson_append_document_end(&filter->bson, &cond);
	}
	if (!ok) {
		ma_filter_destroy(filter);
		filter = NULL;
	}
done:
	_ma_buf_destroy(&db);
	return filter != NULL ? filter : failed(&e, error);
}

ma_filter *
ma_filter_new(const ma_type *type, const char *path, ma_op op, ma_value value,
	      ma_error *error)
{
	return build(type, path, op, false, &value, 1, error);
}

ma_filter *
ma_filter_new_in(const ma_type *type, const char *path, ma_op op,
		 const ma_value *values, size_t n, ma_error *error)
{
	return build(type, path, op, true, values, n, error);
}

/* Appends the parts of f to list: f's own list when f is only `op`. */
static void
append_flat(bson_t *list, uint32_t *n, const ma_filter *f, const char *op)
{
	bson_iter_t it, child;
	const char *key;
	char buf[16];

	if (bson_count_keys(&f->bson) == 1 &&
	    bson_iter_init_find(&it, &f->bson, op) &&
	    BSON_ITER_HOLDS_ARRAY(&it) && bson_iter_recurse(&it, &child)) {
		while (bson_iter_next(&child)) {
			bson_uint32_to_string((*n)++, &key, buf, sizeof(buf));
			bson_append_iter(list, key, -1, &child);
		}
		return;
	}
	bson_uint32_to_string((*n)++, &key, buf, sizeof(buf));
	BSON_APPEND_DOCUMENT(list, key, &f->bson);
}

static ma_filter *
combine(ma_filter *a, ma_filter *b, const char *op, ma_error *error)
{
	ma_filter *out = NULL;
	bson_t list;
	uint32_t n = 0;
	ma_error e;

	if (a == NULL || b == NULL) {
		_ma_filter_failure(error);
		goto done;
	}
	if (a->type != b->type) {
		_ma_error_set(&e, MA_ERR_INVALID,
			      "cannot combine a filter on %s with one on %s",
			      a->type->name, b->type->name);
		failed(&e, error);
		goto done;
	}
	out = filter_new(a->type);
	bson_append_array_begin(&out->bson, op, -1, &list);
	append_flat(&list, &n, a, op);
	append_flat(&list, &n, b, op);
	bson_append_array_end(&out->bson, &list);
done:
	ma_filter_destroy(a);
	ma_filter_destroy(b);
	return out;
}

ma_filter *
ma_filter_or(ma_filter *a, ma_filter *b, ma_error *error)
{
	return combine(a, b, "$or", error);
}

ma_filter *
ma_filter_and(ma_filter *a, ma_filter *b, ma_error *error)
{
	return combine(a, b, "$and", error);
}

ma_filter *
ma_filter_not(ma_filter *a, ma_error *error)
{
	ma_filter *out;
	bson_t list;

	if (a == NULL) {
		_ma_filter_failure(error);
		return NULL;
	}
	/* $nor of one: MongoDB's $not applies to one field's operator
	 * only, this to any expression. */
	out = filter_new(a->type);
	bson_append_array_begin(&out->bson, "$nor", -1, &list);
	BSON_APPEND_DOCUMENT(&list, "0", &a->bson);
	bson_append_array_end(&out->bson, &list);
	ma_filter_destroy(a);
	return out;
}

/*
 * The filter that matches current exactly as it is stored: its id, every
 * field's value ($eq: a value, never an operator; null by its type, since
 * {$eq: null} would also match a field that was removed), and each
 * declared field it lacks still absent. A write with this filter changes
 * nothing once anybody changed the document in between.
 */
void
_ma_doc_unchanged_filter(const ma_doc *current, bson_t *out)
{
	const ma_field *f;
	const char *key;
	bson_iter_t it;
	bson_t cond;

	bson_init(out);
	if (bson_iter_init(&it, ma_doc_bson(current))) {
		while (bson_iter_next(&it)) {
			key = bson_iter_key(&it);
			BSON_APPEND_DOCUMENT_BEGIN(out, key, &cond);
			if (BSON_ITER_HOLDS_NULL(&it))
				BSON_APPEND_INT32(&cond, "$type",
						  BSON_TYPE_NULL);
			else
				bson_append_iter(&cond, "$eq", 3, &it);
			bson_append_document_end(out, &cond);
		}
	}
	for (f = ma_doc_type(current)->fields; f != NULL && f->name != NULL;
	     f++) {
		key = f->db_name != NULL ? f->db_name : f->name;
		if (bson_has_field(ma_doc_bson(current), key))
			continue;
		BSON_APPEND_DOCUMENT_BEGIN(out, key, &cond);
		BSON_APPEND_BOOL(&cond, "$exists", false);
		bson_append_document_end(out, &cond);
	}
}
