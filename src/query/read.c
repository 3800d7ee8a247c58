/*
 * Running a query: the options of a find (sort, projection, skip, limit,
 * maxTimeMS), and the reads themselves: get, first, count, distinct, and
 * cursors over a find.
 */
#include <string.h>

#include "query/query-private.h"

/* --- the options of a read ----------------------------------------------- */

void
_ma_query_sort_doc(const ma_query *query, bool with_id, bool reverse,
		   bson_t *out)
{
	bool has_id = false;
	size_t i;
	int flip = reverse ? -1 : 1;

	bson_init(out);
	for (i = 0; i < query->n_sort; i++) {
		BSON_APPEND_INT32(out, query->sort[i].dbpath,
				  query->sort[i].dir * flip);
		has_id = has_id || strcmp(query->sort[i].dbpath, "_id") == 0;
	}
	if (with_id && !has_id)
		BSON_APPEND_INT32(out, "_id", flip);
}

void
_ma_query_projection(const ma_query *query, bson_t *out)
{
	bson_iter_t it;
	bool covered;
	size_t i;

	bson_init(out);
	if (bson_empty(&query->projection))
		return;
	bson_concat(out, &query->projection);
	for (i = 0; i < query->n_sort; i++) {
		covered = false;
		bson_iter_init(&it, &query->projection);
		while (!covered && bson_iter_next(&it))
			covered = _ma_path_within(query->sort[i].dbpath,
						  bson_iter_key(&it));
		if (!covered)
			BSON_APPEND_INT32(out, query->sort[i].dbpath, 1);
	}
}

void
_ma_query_find_opts(const ma_query *query, bool with_id, bool reverse,
		    int64_t skip, int64_t limit, bson_t *opts)
{
	bson_t sort, proj;

	_ma_query_sort_doc(query, with_id, reverse, &sort);
	if (!bson_empty(&sort))
		BSON_APPEND_DOCUMENT(opts, "sort", &sort);
	_ma_query_projection(query, &proj);
	if (!bson_empty(&proj))
		BSON_APPEND_DOCUMENT(opts, "projection", &proj);
	if (skip > 0)
		BSON_APPEND_INT64(opts, "skip", skip);
	if (limit > 0)
		BSON_APPEND_INT64(opts, "limit", limit);
	_ma_query_max_time(query, opts);
	bson_destroy(&sort);
	bson_destroy(&proj);
}

/* Every read carries the configured maxTimeMS: a slow one is stopped by
 * the server, which answers MaxTimeMSExpired (MA_ERR_TIMEOUT), instead of
 * holding a worker until the socket timeout. */
void
_ma_query_max_time(const ma_query *query, bson_t *opts)
{
	int64_t ms = ma_config_max_time_ms(ma_db_config(query->db));

	if (ms > 0)
		BSON_APPEND_INT64(opts, "maxTimeMS", ms);
}

/* --- running ------------------------------------------------------------- */

mongoc_collection_t *
_ma_query_collection(ma_query *query, ma_error *error)
{
	return _ma_db_type_collection(query->db, query->type, error);
}

bool
_ma_query_fetch(ma_query *query, const bson_t *filter, const bson_t *opts,
		ma_doc ***docs, size_t *n, ma_error *error)
{
	mongoc_collection_t *coll;
	mongoc_cursor_t *cursor;
	const bson_t *b;
	bson_error_t berr;
	size_t cap = *n;
	bool ok = true;

	coll = _ma_query_collection(query, error);
	if (coll == NULL)
		return false;
	cursor = mongoc_collection_find_with_opts(coll, filter, opts, NULL);
	while (mongoc_cursor_next(cursor, &b)) {
		if (*n == cap) {
			cap = cap < 8 ? 8 : cap * 2;
			*docs = bson_realloc(*docs, cap * sizeof(**docs));
		}
		(*docs)[(*n)++] = ma_doc_new_from_bson(query->type, b);
	}
	if (mongoc_cursor_error(cursor, &berr)) {
		_ma_db_error(query->db, error, &berr, "read", query->type);
		ok = false;
	}
	mongoc_cursor_destroy(cursor);
	mongoc_collection_destroy(coll);
	return ok;
}

static void
free_docs(ma_doc **docs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		ma_doc_destroy(docs[i]);
	bson_free(docs);
}

/* The first document of filter in the query's order, after skip. */
static bool
find_one(ma_query *query, const bson_t *filter, int64_t skip, ma_doc **out,
	 ma_error *error)
{
	bson_t opts = BSON_INITIALIZER;
	ma_doc **docs = NULL;
	size_t n = 0;
	bool ok;

	_ma_query_find_opts(query, false, false, skip, 1, &opts);
	BSON_APPEND_BOOL(&opts, "singleBatch", true);
	ok = _ma_query_fetch(query, filter, &opts, &docs, &n, error);
	*out = NULL;
	if (ok && n > 0) {
		*out = docs[0];
		docs[0] = NULL;
	}
	free_docs(docs, n);
	bson_destroy(&opts);
	if (ok)
		ma_error_clear(error);
	return ok;
}

bool
ma_query_get_oid(ma_query *query, const bson_oid_t *id, ma_doc **out,
		 ma_error *error)
{
	ma_query *q;
	bson_t clause = BSON_INITIALIZER;
	bool ok;

	*out = NULL;
	if (!_ma_query_usable(query, error))
		return false;
	if (id == NULL) {
		_ma_error_set(error, MA_ERR_INVALID, "the id is NULL");
		return false;
	}
	q = ma_query_copy(query);
	BSON_APPEND_OID(&clause, "_id", id);
	_ma_query_add_clause(q, &clause);
	ok = find_one(q, _ma_query_filter(q), 0, out, error);
	bson_destroy(&clause);
	ma_query_destroy(q);
	return ok;
}

bool
ma_query_get(ma_query *query, const char *id, ma_doc **out, ma_error *error)
{
	bson_oid_t oid;

	*out = NULL;
	if (!_ma_query_usable(query, error))
		return false;
	/* Flask-MongoAlchemy's get: an id that cannot be one names no
	 * document. */
	if (!_ma_oid_from_hex(id, &oid)) {
		ma_error_clear(error);
		return true;
	}
	return ma_query_get_oid(query, &oid, out, error);
}

ma_doc *
ma_query_get_or_404(ma_query *query, const char *id, ma_error *error)
{
	ma_doc *doc;

	if (!ma_query_get(query, id, &doc, error))
		return NULL;
	if (doc == NULL)
		_ma_error_set(error, MA_ERR_NOT_FOUND,
			      "no %s has the id '%.40s'", query->type->name,
			      id != NULL ? id : "(null)");
	return doc;
}

bool
ma_query_first(ma_query *query, ma_doc **out, ma_error *error)
{
	*out = NULL;
	if (!_ma_query_usable(query, error))
		return false;
	return find_one(query, _ma_query_filter(query), query->skip, out,
			error);
}

ma_doc *
ma_query_first_or_404(ma_query *query, ma_error *error)
{
	ma_doc *doc;

	if (!ma_query_first(query, &doc, error))
		return NULL;
	if (doc == NULL)
		_ma_error_set(error, MA_ERR_NOT_FOUND, "no %s matches",
			      query->type->name);
	return doc;
}

bool
ma_query_count(ma_query *query, int64_t *count, ma_error *error)
{
	mongoc_collection_t *coll;
	bson_t opts = BSON_INITIALIZER;
	bson_error_t berr;
	int64_t n;

	if (!_ma_query_usable(query, error))
		return false;
	coll = _ma_query_collection(query, error);
	if (coll == NULL)
		return false;
	_ma_query_max_time(query, &opts);
	n = mongoc_collection_count_documents(coll, _ma_query_filter(query),
					      &opts, NULL, NULL, &berr);
	bson_destroy(&opts);
	mongoc_collection_destroy(coll);
	if (n < 0) {
		_ma_db_error(query->db, error, &berr, "count", query->type);
		return false;
	}
	*count = n;
	ma_error_clear(error);
	return true;
}

bool
ma_query_distinct(ma_query *query, const char *path, bson_t *values,
		  ma_error *error)
{
	mongoc_collection_t *coll = NULL;
	const ma_field *f;
	bson_t cmd = BSON_INITIALIZER, reply, view;
	bson_error_t berr;
	bson_iter_t it;
	ma_buf db;
	bool ok = false;

	bson_init(values);
	bson_init(&reply);
	_ma_buf_init(&db, 32);
	if (!_ma_query_usable(query, error) ||
	    !_ma_query_path(query->type, path, &db, &f, error))
		goto done;
	coll = _ma_query_collection(query, error);
	if (coll == NULL)
		goto done;
	BSON_APPEND_UTF8(&cmd, "distinct", mongoc_collection_get_name(coll));
	BSON_APPEND_UTF8(&cmd, "key", db.data);
	BSON_APPEND_DOCUMENT(&cmd, "query", _ma_query_filter(query));
	/* No maxTimeMS here: some MongoDB-compatible servers (FerretDB 1.x)
	 * refuse the field on distinct, and MongoDB's own needs none to be
	 * bounded by the socket timeout. */
	bson_destroy(&reply);
	if (!mongoc_collection_read_command_with_opts(coll, &cmd, NULL, NULL,
						      &reply, &berr)) {
		_ma_db_error(query->db, error, &berr, "read", query->type);
		goto done;
	}
	if (!bson_iter_init_find(&it, &reply, "values") ||
	    !BSON_ITER_HOLDS_ARRAY(&it)) {
		_ma_error_set(error, MA_ERR_DRIVER,
			      "cannot read %s: the server's distinct reply has "
			      "no values",
			      query->type->name);
		goto done;
	}
	if (!_ma_iter_view(&it, &view)) {
		_ma_error_set(error, MA_ERR_DRIVER,
			      "cannot read %s: malformed distinct reply",
			      query->type->name);
		goto done;
	}
	/* A copy: the reply goes away below. */
	bson_destroy(values);
	bson_copy_to(&view, values);
	ma_error_clear(error);
	ok = true;
done:
	mongoc_collection_destroy(coll);
	bson_destroy(&cmd);
	bson_destroy(&reply);
	_ma_buf_destroy(&db);
	return ok;
}

/* --- cursors ------------------------------------------------------------- */

struct ma_cursor {
	ma_query *query; /* a copy: the cursor may outlive the caller's */
	bson_t opts;
	mongoc_collection_t *coll;
	mongoc_cursor_t *cursor;
	ma_doc *current;
	ma_error
		failed; /* why it stopped on an error; MA_OK while it has not */
	bool ended;	/* past its last result: libmongoc would call a
			 * further next() an error */
};

ma_cursor *
ma_query_find(ma_query *query, ma_error *error)
{
	ma_cursor *c;

	if (!_ma_query_usable(query, error))
		return NULL;
	c = BSON_ALIGNED_ALLOC0(ma_cursor);
	c->query = ma_query_copy(query);
	bson_init(&c->opts);
	ma_error_clear(&c->failed);
	_ma_query_find_opts(query, false, false, query->skip, query->limit,
			    &c->opts);
	ma_error_clear(error);
	return c;
}

bool
ma_cursor_next(ma_cursor *cursor, const ma_doc **doc, ma_error *error)
{
	const bson_t *b;
	bson_error_t berr;

	ma_doc_destroy(cursor->current);
	cursor->current = NULL;
	*doc = NULL;
	/* Everything that talks to the server happens here, so that every
	 * database error comes out of the loop's one check. */
	if (cursor->cursor == NULL && cursor->failed.code == MA_OK) {
		cursor->coll =
			_ma_query_collection(cursor->query, &cursor->failed);
		if (cursor->coll != NULL)
			cursor->cursor = mongoc_collection_find_with_opts(
				cursor->coll, _ma_query_filter(cursor->query),
				&cursor->opts, NULL);
	}
	if (cursor->cursor == NULL) {
		if (error != NULL)
			*error = cursor->failed;
		return false;
	}
	if (cursor->ended) {
		ma_error_clear(error);
		return false;
	}
	if (mongoc_cursor_next(cursor->cursor, &b)) {
		cursor->current = ma_doc_new_from_bson(cursor->query->type, b);
		*doc = cursor->current;
		return true;
	}
	if (mongoc_cursor_error(cursor->cursor, &berr)) {
		_ma_db_error(cursor->query->db, &cursor->failed, &berr, "read",
			     cursor->query->type);
		if (error != NULL)
			*error = cursor->failed;
	} else {
		cursor->ended = true;
		ma_error_clear(error);
	}
	return false;
}

bool
ma_cursor_error(const ma_cursor *cursor, ma_error *error)
{
	if (cursor == NULL || cursor->failed.code == MA_OK)
		return false;
	if (error != NULL)
		*error = cursor->failed;
	return true;
}

void
ma_cursor_destroy(ma_cursor *cursor)
{
	if (cursor == NULL)
		return;
	ma_doc_destroy(cursor->current);
	mongoc_cursor_destroy(cursor->cursor);
	mongoc_collection_destroy(cursor->coll);
	ma_query_destroy(cursor->query);
	bson_destroy(&cursor->opts);
	bson_free(cursor);
}
