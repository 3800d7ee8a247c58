/*
 * Queries: Flask-MongoAlchemy's BaseQuery. A query collects checked
 * clauses, sort keys, skip, limit and fields (read.c runs them as one
 * find, count, distinct or get). Refining errors stick to the query, so
 * that a chain of calls can be checked once.
 */
#include <inttypes.h>
#include <string.h>

#include "query/query-private.h"

/* --- life ---------------------------------------------------------------- */

ma_query *
ma_query_new(ma_db *db, const ma_type *type)
{
	ma_query *q = BSON_ALIGNED_ALLOC0(ma_query);

	q->db = db;
	q->type = type;
	bson_init(&q->merged);
	bson_init(&q->and_list);
	bson_init(&q->built);
	bson_init(&q->projection);
	ma_error_clear(&q->error);
	if (db == NULL || type == NULL)
		_ma_error_set(&q->error, MA_ERR_INVALID,
			      "a query needs a database and a type");
	return q;
}

static void
sort_key_copy(ma_sort_key *to, const ma_sort_key *from)
{
	to->path = bson_strdup(from->path);
	to->dbpath = bson_strdup(from->dbpath);
	to->field = from->field;
	to->dir = from->dir;
}

ma_query *
ma_query_copy(const ma_query *query)
{
	ma_query *q = BSON_ALIGNED_ALLOC0(ma_query);
	size_t i;

	q->db = query->db;
	q->type = query->type;
	bson_copy_to(&query->merged, &q->merged);
	bson_copy_to(&query->and_list, &q->and_list);
	q->n_and = query->n_and;
	bson_copy_to(&query->built, &q->built);
	if (query->n_sort > 0) {
		q->sort = bson_malloc(query->n_sort * sizeof(*q->sort));
		for (i = 0; i < query->n_sort; i++)
			sort_key_copy(&q->sort[i], &query->sort[i]);
	}
	q->n_sort = query->n_sort;
	bson_copy_to(&query->projection, &q->projection);
	q->skip = query->skip;
	q->limit = query->limit;
	q->error = query->error;
	return q;
}

void
ma_query_destroy(ma_query *query)
{
	size_t i;

	if (query == NULL)
		return;
	bson_destroy(&query->merged);
	bson_destroy(&query->and_list);
	bson_destroy(&query->built);
	bson_destroy(&query->projection);
	for (i = 0; i < query->n_sort; i++) {
		bson_free(query->sort[i].path);
		bson_free(query->sort[i].dbpath);
	}
	bson_free(query->sort);
	bson_free(query);
}

ma_db *
ma_query_db(const ma_query *query)
{
	return query->db;
}

const ma_type *
ma_query_type(const ma_query *query)
{
	return query->type;
}

/* --- refining ------------------------------------------------------------ */

bool
_ma_query_usable(const ma_query *query, ma_error *error)
{
	if (query->error.code == MA_OK)
		return true;
	if (error != NULL)
		*error = query->error;
	return false;
}

bool
ma_query_ok(const ma_query *query, ma_error *error)
{
	if (!_ma_query_usable(query, error))
		return false;
	ma_error_clear(error);
	return true;
}

/* Records a refining failure (the first one sticks) and reports it. */
static bool
refine_failed(ma_query *query, const ma_error *why, ma_error *error)
{
	if (query->error.code == MA_OK)
		query->error = *why;
	if (error != NULL)
		*error = *why;
	return false;
}

void
_ma_query_add_clause(ma_query *query, const bson_t *clause)
{
	bson_iter_t it, found;
	const char *key;
	char buf[16];

	/* Two conditions on one key cannot share a document: the second
	 * would replace the first, or, on some servers, fail. The key is
	 * looked for as it is: bson_has_field() would read "author.name"
	 * as a path and miss it. */
	if (bson_iter_init(&it, clause)) {
		while (bson_iter_next(&it)) {
			if (bson_iter_init_find(&found, &query->merged,
						bson_iter_key(&it)))
				goto separate;
		}
	}
	bson_concat(&query->merged, clause);
	goto combine;
separate:
	bson_uint32_to_string(query->n_and++, &key, buf, sizeof(buf));
	BSON_APPEND_DOCUMENT(&query->and_list, key, clause);
combine:
	/* The whole filter, kept whole: it is read by every run. */
	if (query->n_and > 0) {
		bson_reinit(&query->built);
		bson_concat(&query->built, &query->merged);
		BSON_APPEND_ARRAY(&query->built, "$and", &query->and_list);
	}
}

const bson_t *
_ma_query_filter(const ma_query *query)
{
	return query->n_and > 0 ? &query->built : &query->merged;
}

const bson_t *
ma_query_filter_bson(const ma_query *query)
{
	return _ma_query_filter(query);
}

/* Takes filter: adds it as a clause, or records why it cannot. */
static bool
add_filter(ma_query *query, ma_filter *filter, const ma_error *why,
	   ma_error *error)
{
	ma_error e;

	if (!_ma_query_usable(query, error)) {
		ma_filter_destroy(filter);
		return false;
	}
	if (filter == NULL)
		return refine_failed(query, why, error);
	if (_ma_filter_type(filter) != query->type) {
		_ma_error_set(&e, MA_ERR_INVALID,
			      "a filter on %s cannot refine a query on %s",
			      _ma_filter_type(filter)->name, query->type->name);
		ma_filter_destroy(filter);
		return refine_failed(query, &e, error);
	}
	_ma_query_add_clause(query, ma_filter_bson(filter));
	ma_filter_destroy(filter);
	ma_error_clear(error);
	return true;
}

bool
ma_query_filter(ma_query *query, const char *path, ma_op op, ma_value value,
		ma_error *error)
{
	ma_filter *f = NULL;
	ma_error e;

	if (_ma_query_usable(query, error))
		f = ma_filter_new(query->type, path, op, value, &e);
	return add_filter(query, f, &e, error);
}

bool
ma_query_filter_in(ma_query *query, const char *path, ma_op op,
		   const ma_value *values, size_t n, ma_error *error)
{
	ma_filter *f = NULL;
	ma_error e;

	if (_ma_query_usable(query, error))
		f = ma_filter_new_in(query->type, path, op, values, n, &e);
	return add_filter(query, f, &e, error);
}

bool
ma_query_where(ma_query *query, ma_filter *filter, ma_error *error)
{
	ma_error e;

	if (filter == NULL)
		_ma_filter_failure(&e);
	return add_filter(query, filter, &e, error);
}

bool
ma_query_filter_unchanged(ma_query *query, const ma_doc *current,
			  ma_error *error)
{
	bson_t clause;
	ma_error e;

	if (!_ma_query_usable(query, error))
		return false;
	if (current == NULL || ma_doc_type(current) != query->type ||
	    !bson_has_field(ma_doc_bson(current), "_id")) {
		_ma_error_set(&e, MA_ERR_INVALID,
			      "ma_query_filter_unchanged needs a stored %s",
			      query->type->name);
		return refine_failed(query, &e, error);
	}
	_ma_doc_unchanged_filter(current, &clause);
	_ma_query_add_clause(query, &clause);
	bson_destroy(&clause);
	ma_error_clear(error);
	return true;
}

bool
_ma_field_sortable(const ma_field *f)
{
	if (f == NULL)
		return true; /* the id */
	switch (f->kind) {
	case MA_KIND_STRING:
	case MA_KIND_INT:
	case MA_KIND_FLOAT:
	case MA_KIND_BOOL:
	case MA_KIND_DATETIME:
	case MA_KIND_OBJECTID:
	case MA_KIND_ENUM:
	case MA_KIND_REF:
		return true;
	case MA_KIND_DOCUMENT:
	case MA_KIND_LIST:
	case MA_KIND_ANY:
	case MA_KIND_NONE:
	case MA_KIND__MAX:
	default:
		return false;
	}
}

bool
ma_query_sort(ma_query *query, const char *key, ma_error *error)
{
	const ma_field *f;
	const char *path;
	ma_sort_key *k;
	ma_buf db;
	ma_error e;
	size_t i;
	int dir = 1;

	if (!_ma_query_usable(query, error))
		return false;
	if (key == NULL) {
		_ma_error_set(&e, MA_ERR_INVALID, "a sort key is required");
		return refine_failed(query, &e, error);
	}
	path = key;
	if (path[0] == '-') {
		dir = -1;
		path++;
	}
	_ma_buf_init(&db, 32);
	if (!_ma_query_path(query->type, path, &db, &f, &e))
		goto fail;
	if (!_ma_field_sortable(f)) {
		_ma_error_set(&e, MA_ERR_INVALID,
			      "%s cannot be a sort key: it holds %s", path,
			      _ma_kind_name(f->kind));
		goto fail;
	}
	for (i = 0; i < query->n_sort; i++) {
		if (strcmp(query->sort[i].dbpath, db.data) == 0) {
			_ma_error_set(&e, MA_ERR_INVALID,
				      "%s is already a sort key", path);
			goto fail;
		}
	}
	query->sort = bson_realloc(query->sort,
				   (query->n_sort + 1) * sizeof(*query->sort));
	k = &query->sort[query->n_sort++];
	k->path = bson_strdup(path);
	k->dbpath = _ma_buf_steal(&db, NULL);
	k->field = f;
	k->dir = dir;
	ma_error_clear(error);
	return true;
fail:
	_ma_buf_destroy(&db);
	return refine_failed(query, &e, error);
}

static bool
count_arg(ma_query *query, const char *what, int64_t n, int64_t *to,
	  ma_error *error)
{
	ma_error e;

	if (!_ma_query_usable(query, error))
		return false;
	if (n < 0) {
		_ma_error_set(&e, MA_ERR_INVALID,
			      "%s must be 0 or more, not %" PRId64, what, n);
		return refine_failed(query, &e, error);
	}
	*to = n;
	ma_error_clear(error);
	return true;
}

bool
ma_query_skip(ma_query *query, int64_t n, ma_error *error)
{
	return count_arg(query, "skip", n, &query->skip, error);
}

bool
ma_query_limit(ma_query *query, int64_t n, ma_error *error)
{
	return count_arg(query, "limit", n, &query->limit, error);
}

bool
ma_query_fields(ma_query *query, const char *path, ma_error *error)
{
	const ma_field *f;
	bson_iter_t it;
	bson_t kept;
	ma_buf db;
	ma_error e;

	if (!_ma_query_usable(query, error))
		return false;
	_ma_buf_init(&db, 32);
	if (!_ma_query_path(query->type, path, &db, &f, &e)) {
		_ma_buf_destroy(&db);
		return refine_failed(query, &e, error);
	}
	/* "author" and "author.name" together are a path collision to
	 * MongoDB: the wider one stays. */
	bson_init(&kept);
	bson_iter_init(&it, &query->projection);
	while (bson_iter_next(&it)) {
		if (_ma_path_within(db.data, bson_iter_key(&it))) {
			bson_destroy(&kept);
			goto done;
		}
		if (!_ma_path_within(bson_iter_key(&it), db.data))
			bson_append_iter(&kept, NULL, -1, &it);
	}
	BSON_APPEND_INT32(&kept, db.data, 1);
	bson_destroy(&query->projection);
	query->projection = kept;
done:
	_ma_buf_destroy(&db);
	ma_error_clear(error);
	return true;
}

/* --- extensions ---------------------------------------------------------- */

bool
ma_query_extend(ma_query *query, const char *name, const char *arg,
		ma_error *error)
{
	const ma_query_extension *x;
	ma_error e;

	if (!_ma_query_usable(query, error))
		return false;
	x = ma_type_extension(query->type, name);
	if (x == NULL || x->fn == NULL) {
		/* The program's call, not the client's: its types are
		 * static, so no request can make this one work. */
		_ma_error_set(
			&e, MA_ERR_UNDECLARED, "%s has no query extension '%s'",
			query->type->name, name != NULL ? name : "(null)");
		return refine_failed(query, &e, error);
	}
	ma_error_clear(&e);
	if (!x->fn(query, arg, &e)) {
		/* An extension that fails without saying why still fails. */
		if (e.code == MA_OK)
			_ma_error_set(&e, MA_ERR_INVALID,
				      "the query extension '%s' failed", name);
		return refine_failed(query, &e, error);
	}
	/* What the extension's own calls refused sticks too. */
	if (!_ma_query_usable(query, error))
		return false;
	ma_error_clear(error);
	return true;
}
