/*
 * A resource's writes: create (one document or a bulk array), replace,
 * update and delete, each conditional on If-Match where the request or
 * the resource asks, under the document's lock.
 */
#include <string.h>

#include "app/resource-private.h"

/*
 * A write's precondition: whether it holds the document's lock (shared by
 * the pool's workers), and the stored document its preconditions were
 * checked against (NULL: none is stored, or the write is unconditional).
 */
typedef struct guard {
	bool locked;
	bson_oid_t oid;
	ma_doc *current;
} guard;

/*
 * Before a write to the path's document. When the request makes it
 * conditional: a 428 (before any read) when the resource demands If-Match
 * and the request has none; otherwise the lock, the stored document, its
 * preconditions, and, with q (PATCH, DELETE), q narrowed to the document
 * exactly as read, so that the write itself matches nothing once it
 * changed. false, answered, when the write must not go on; guard_end()
 * either way.
 */
static bool
guard_begin(const resource *r, const ma_request *req, ma_response *res,
	    const bson_oid_t *oid, ma_query *q, guard *g)
{
	ma_query *read;
	ma_error e;
	bool ok;

	g->oid = *oid;
	g->current = NULL;
	g->locked = _ma_res_conditional(r, req);
	if (!g->locked)
		return true;
	if (r->opts.require_if_match &&
	    ma_request_header(req, "If-Match") == NULL) {
		g->locked = false;
		ma_response_problem(res, MA_STATUS_PRECONDITION_REQUIRED,
				    "this write needs If-Match with the "
				    "document's ETag (from a GET)");
		return false;
	}
	_ma_locks_acquire(r->app->locks, oid);
	read = ma_query_new(r->db, r->type);
	ok = ma_query_get_oid(read, oid, &g->current, &e);
	ma_query_destroy(read);
	if (ok && g->current != NULL && q != NULL)
		ok = ma_query_filter_unchanged(q, g->current, &e);
	if (!ok) {
		ma_response_error(res, &e, NULL);
		return false;
	}
	return _ma_res_preconditions(req, res, g->current, false);
}

static void
guard_end(const resource *r, guard *g)
{
	if (g->locked)
		_ma_locks_release(r->app->locks, &g->oid);
	ma_doc_destroy(g->current);
}

/* A write that found no document to change: the path's id names none,
 * or, for a conditional write, the document changed (or went) after it
 * was read. */
static void
matched_nothing(const resource *r, const ma_request *req, ma_response *res,
		const guard *g)
{
	ma_error e;

	if (g->current == NULL) {
		_ma_res_not_found(r, req, res);
		return;
	}
	_ma_error_set(&e, MA_ERR_PRECONDITION,
		      "this %s changed since it was read; GET it again",
		      r->type->name);
	ma_response_error(res, &e, NULL);
}

/* POST /books */
void
_ma_res_create(ma_request *req, ma_response *res, void *arg)
{
	resource *r = arg;
	ma_problems *problems = ma_problems_new();
	ma_doc *doc = NULL;
	char hex[25], *location;
	bson_oid_t oid;
	ma_error e;

	if (_ma_bulk_body(req)) {
		_ma_resource_create_many(req, res, r->db, r->type, &r->opts);
		ma_problems_destroy(problems);
		return;
	}
	doc = ma_request_doc(req, r->type, problems, &e);
	if (doc != NULL &&
	    !_ma_owner_set(r->opts.access, req, res, doc, NULL)) {
		/* answered */
	} else if (doc == NULL ||
		   !ma_doc_insert(r->db, doc, r->opts.safe, problems, &e)) {
		ma_response_error(res, &e, problems);
	} else {
		ma_doc_id(doc, &oid);
		bson_oid_to_string(&oid, hex);
		location = bson_strdup_printf("%s/%s", r->path, hex);
		_ma_res_respond_doc(res, MA_STATUS_CREATED, doc);
		ma_response_header(res, "Location", location);
		bson_free(location);
	}
	ma_doc_destroy(doc);
	ma_problems_destroy(problems);
}

/* PUT /books/{id}; with If-Match, only over the document of that ETag. */
void
_ma_res_replace(ma_request *req, ma_response *res, void *arg)
{
	resource *r = arg;
	ma_problems *problems = NULL;
	ma_doc *doc = NULL, *stored = NULL;
	bson_oid_t oid, given;
	ma_error e;
	guard g;
	bool ok;

	if (!_ma_oid_from_hex(ma_request_param(req, "id"), &oid)) {
		_ma_res_not_found(r, req, res);
		return;
	}
	if (!_ma_owner_stored(r->opts.access, req, r->db, r->type, &oid,
			      &stored, &e)) {
		ma_response_error(res, &e, NULL);
		return;
	}
	if (r->opts.access != NULL && r->opts.access->owner_field != NULL &&
	    stored == NULL) {
		_ma_res_not_found(r, req, res); /* none the caller may see */
		return;
	}
	if (!guard_begin(r, req, res, &oid, NULL, &g))
		goto done;
	problems = ma_problems_new();
	doc = ma_request_doc(req, r->type, problems, &e);
	if (doc == NULL) {
		ma_response_error(res, &e, problems);
	} else if (ma_doc_id(doc, &given) &&
		   bson_oid_compare(&given, &oid) != 0) {
		ma_response_problem(res, MA_STATUS_BAD_REQUEST,
				    "_id: does not match the id in the path");
	} else if (_ma_owner_set(r->opts.access, req, res, doc, stored)) {
		ma_doc_set_id(doc, &oid);
		ok = g.current != NULL
			     ? ma_doc_replace_if(r->db, doc, g.current,
						 r->opts.safe, problems, &e)
			     : ma_doc_replace(r->db, doc, r->opts.safe,
					      problems, &e);
		if (ok)
			_ma_res_respond_doc(res, MA_STATUS_OK, doc);
		else if (e.code == MA_ERR_NOT_FOUND ||
			 e.code == MA_ERR_PRECONDITION)
			matched_nothing(r, req, res, &g);
		else
			ma_response_error(res, &e, problems);
	}
done:
	guard_end(r, &g);
	ma_doc_destroy(doc);
	ma_doc_destroy(stored);
	ma_problems_destroy(problems);
}

/* PATCH /books/{id}: $set of the fields given, atomically; with If-Match,
 * only on the document of that ETag. */
void
_ma_res_update(ma_request *req, ma_response *res, void *arg)
{
	resource *r = arg;
	ma_problems *problems = NULL;
	ma_update *u = NULL;
	ma_doc *doc = NULL;
	const char *body;
	bson_oid_t oid;
	size_t len;
	ma_error e;
	guard g;
	bool ok;
	ma_query *q = _ma_res_by_path_id(r, req, res, &oid);

	if (q == NULL)
		return;
	if (!guard_begin(r, req, res, &oid, q, &g))
		goto done;
	problems = ma_problems_new();
	if (_ma_request_json_body(req, &body, &len, &e))
		u = ma_update_new_from_json(r->type, body, len, &oid, problems,
					    &e);
	if (u == NULL)
		ok = false;
	else if (!_ma_owner_update_ok(r->opts.access, r->type, req, res, u))
		goto done;
	else if (bson_empty(ma_update_bson(u)))
		ok = ma_query_first(q, &doc, &e); /* nothing to change */
	else
		ok = ma_query_find_and_modify(q, u, MA_UPDATE_RETURN_NEW, &doc,
					      &e);
	if (!ok)
		ma_response_error(res, &e, problems);
	else if (doc == NULL)
		matched_nothing(r, req, res, &g);
	else
		_ma_res_respond_doc(res, MA_STATUS_OK, doc);
done:
	guard_end(r, &g);
	ma_doc_destroy(doc);
	ma_query_destroy(q);
	ma_update_destroy(u);
	ma_problems_destroy(problems);
}

/* DELETE /books/{id}; with If-Match, only the document of that ETag. */
void
_ma_res_delete(ma_request *req, ma_response *res, void *arg)
{
	resource *r = arg;
	int64_t deleted = 0;
	bson_oid_t oid;
	ma_error e;
	guard g;
	ma_query *q = _ma_res_by_path_id(r, req, res, &oid);

	if (q == NULL)
		return;
	if (guard_begin(r, req, res, &oid, q, &g)) {
		if (!ma_query_remove(q, r->opts.safe, &deleted, &e))
			ma_response_error(res, &e, NULL);
		else if (deleted == 0)
			matched_nothing(r, req, res, &g);
		else
			ma_response_status(res, MA_STATUS_NO_CONTENT);
	}
	guard_end(r, &g);
	ma_query_destroy(q);
}
