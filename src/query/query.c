/*
 * Queries: Flask-MongoAlchemy's BaseQuery. A query collects checked
 * clauses, sort keys, skip, limit and fields, and runs them as one find,
 * count, distinct or get. Refining errors stick to the query, so that a
 * chain of calls can be checked once.
 */
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
	bson_iter_t it;
	const char *key;
	char buf[16];

	/* Two conditions on one key cannot share a document: the second
	 * would replace the first. */
	if (bson_iter_init(&it, clause)) {
		while (bson_iter_next(&it)) {
			if (bson_has_field(&query->merged, bson_iter_key(&it)))
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

static bool
sortable(const ma_field *f)
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
	if (!sortable(f)) {
		_ma_error_set(&e, MA_ERR_INVALID,
			      "%s cannot be a sort key: it holds a %s", path,
			      f->kind == MA_KIND_LIST	    ? "list"
			      : f->kind == MA_KIND_DOCUMENT ? "document"
							    : "value of any kind");
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
		_ma_error_set(&e, MA_ERR_INVALID, "%s has no query extension '%s'",
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
		_ma_error_set(error, MA_ERR_NOT_FOUND, "no %s has the id '%.40s'",
			      query->type->name, id != NULL ? id : "(null)");
	return doc;
}

bool
ma_query_first(ma_query *query, ma_doc **out, ma_error *error)
{
	*out = NULL;
	if (!_ma_query_usable(query, error))
		return false;
	return find_one(query, _ma_query_filter(query), query->skip, out, error);
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
			      "no values", query->type->name);
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
	ma_error failed; /* why the collection could not be had */
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
		cursor->coll = _ma_query_collection(cursor->query, &cursor->failed);
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
	if (mongoc_cursor_next(cursor->cursor, &b)) {
		cursor->current = ma_doc_new_from_bson(cursor->query->type, b);
		*doc = cursor->current;
		return true;
	}
	if (mongoc_cursor_error(cursor->cursor, &berr))
		_ma_db_error(cursor->query->db, error, &berr, "read",
			     cursor->query->type);
	else
		ma_error_clear(error);
	return false;
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
