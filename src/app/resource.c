/*
 * Resources: the six CRUD routes of the HTTP contract for a document type,
 * mounted with one call.
 */
#include <string.h>

#include "app/resource-private.h"

/* The path parameter of the item routes. */
static const ma_field id_param[] = {MA_OBJECTID("id"), MA_FIELDS_END};

/*
 * The 404 of an item route: the path's id names no document (a malformed
 * one included), in the words of ma_query_get_or_404().
 */
void
_ma_res_not_found(const resource *r, const ma_request *req, ma_response *res)
{
	const char *id = ma_request_param(req, "id");
	ma_error e;

	_ma_error_set(&e, MA_ERR_NOT_FOUND, "no %s has the id '%.40s'",
		      r->type->name, id != NULL ? id : "");
	ma_response_error(res, &e, NULL);
}

/* A query for the document with the path's id; NULL, 404 answered, for a
 * malformed id. */
ma_query *
_ma_res_by_path_id(const resource *r, const ma_request *req, ma_response *res,
		   bson_oid_t *oid)
{
	ma_query *q;
	ma_error e;

	if (!_ma_oid_from_hex(ma_request_param(req, "id"), oid)) {
		_ma_res_not_found(r, req, res);
		return NULL;
	}
	q = ma_query_new(r->db, r->type);
	if (!ma_query_filter(q, "_id", MA_OP_EQ, MA_V_OID(oid), &e) ||
	    !_ma_owner_narrow(r->opts.access, req, q, &e)) {
		ma_response_error(res, &e, NULL);
		ma_query_destroy(q);
		return NULL;
	}
	return q;
}

/* A document with its entity tag. */
void
_ma_res_respond_doc(ma_response *res, ma_status status, const ma_doc *doc)
{
	char etag[MA_ETAG_SIZE];

	ma_doc_etag(doc, etag);
	ma_response_doc(res, status, doc);
	ma_response_header(res, "ETag", etag);
}

/* true when the request makes a write conditional (or must make it). */
bool
_ma_res_conditional(const resource *r, const ma_request *req)
{
	return r->opts.require_if_match ||
	       ma_request_header(req, "If-Match") != NULL ||
	       ma_request_header(req, "If-None-Match") != NULL;
}

/*
 * RFC 9110 13.2.2 against the stored document (current; NULL when there
 * is none): If-Match, then If-None-Match. On a failure the answer is
 * written and the result is false: 304 for a read whose If-None-Match
 * matched (with the tag), 412 otherwise.
 */
bool
_ma_res_preconditions(const ma_request *req, ma_response *res,
		      const ma_doc *current, bool read)
{
	const char *if_match = ma_request_header(req, "If-Match");
	const char *if_none = ma_request_header(req, "If-None-Match");
	char etag[MA_ETAG_SIZE] = "";

	if (if_match == NULL && if_none == NULL)
		return true;
	if (current != NULL)
		ma_doc_etag(current, etag);
	if (if_match != NULL &&
	    (current == NULL || !_ma_etag_match(if_match, etag, false))) {
		ma_response_problem(
			res, MA_STATUS_PRECONDITION_FAILED,
			current == NULL ? "If-Match: no such document is stored"
					: "If-Match: the document changed "
					  "since that ETag was read");
		return false;
	}
	if (if_none != NULL && current != NULL &&
	    _ma_etag_match(if_none, etag, true)) {
		if (read) {
			ma_response_status(res, MA_STATUS_NOT_MODIFIED);
			ma_response_header(res, "ETag", etag);
		} else {
			ma_response_problem(res, MA_STATUS_PRECONDITION_FAILED,
					    "If-None-Match: the document is "
					    "stored with that ETag");
		}
		return false;
	}
	return true;
}

/* The controller's part of a list: the request read, the page run (its
 * references embedded when r asks, em), and the finished page (or the
 * problem) handed to the response. */
static void
list_run(const ma_request *req, ma_response *res, ma_query *query,
	 int64_t max_per_page, const ma_page_opts *opts, const resource *r,
	 const ma_embed_req *em)
{
	static const char *const embed_skip[] = {"embed", NULL};
	int64_t page, per_page;
	ma_page *p = NULL;
	ma_error e;

	if (_ma_list_params(&req->qs, query, max_per_page,
			    em != NULL ? embed_skip : NULL, &page, &per_page,
			    &e))
		p = ma_query_paginate_with_opts(query, page, per_page, true,
						opts, &e);
	if (p != NULL && em != NULL && em->n > 0 &&
	    !_ma_embed_docs(r->app, req, r->db, em, NULL, 0, p, &e)) {
		ma_page_destroy(p);
		p = NULL;
	}
	if (p != NULL)
		ma_response_page(res, p);
	else
		ma_response_error(res, &e, NULL);
	ma_page_destroy(p);
}

void
ma_resource_list(const ma_request *req, ma_response *res, ma_query *query,
		 int64_t max_per_page, const ma_page_opts *opts)
{
	list_run(req, res, query, max_per_page, opts, NULL, NULL);
}

/* GET /books */
static void
list(ma_request *req, ma_response *res, void *arg)
{
	resource *r = arg;
	ma_page_opts po = {.no_total = r->opts.no_total};
	ma_query *q = ma_query_new(r->db, r->type);
	ma_embed_req em;
	ma_error e;

	if (_ma_embed_read(&req->qs, r->type, r->opts.embeddable, &em, &e) &&
	    _ma_owner_narrow(r->opts.access, req, q, &e))
		list_run(req, res, q, r->opts.max_per_page, &po, r,
			 _ma_embed_param(r->type) ? &em : NULL);
	else
		ma_response_error(res, &e, NULL);
	ma_query_destroy(q);
}

/* GET /books/{id}: with embed=, the ETag is the embedded form's. */
static void
get(ma_request *req, ma_response *res, void *arg)
{
	resource *r = arg;
	ma_query *q = ma_query_new(r->db, r->type);
	ma_doc *doc = NULL;
	ma_embed_req em;
	ma_error e;

	if (_ma_embed_read(&req->qs, r->type, r->opts.embeddable, &em, &e) &&
	    _ma_owner_narrow(r->opts.access, req, q, &e) &&
	    (doc = ma_query_get_or_404(q, ma_request_param(req, "id"), &e)) &&
	    em.n > 0 &&
	    !_ma_embed_docs(r->app, req, r->db, &em, &doc, 1, NULL, &e)) {
		ma_doc_destroy(doc);
		doc = NULL;
	}
	if (doc == NULL)
		ma_response_error(res, &e, NULL);
	else if (_ma_res_preconditions(req, res, doc, true))
		_ma_res_respond_doc(res, MA_STATUS_OK, doc);
	ma_doc_destroy(doc);
	ma_query_destroy(q);
}

bool
ma_app_resource(ma_app *app, const char *path, ma_db *db, const ma_type *type,
		const ma_resource_options *opts, ma_error *error)
{
	static const struct {
		unsigned op;
		const char *after; /* the summary: doc's, the type, this */
		ma_method method;
		bool item;
		ma_handler handler;
		ma_route_doc doc; /* what the type adds is added below */
	} routes[] = {
		{MA_RES_LIST,
		 "s: filters, sort, fields",
		 MA_GET,
		 false,
		 list,
		 {.summary = "A page of ", .answer = MA_ANSWER_PAGE}},
		{MA_RES_CREATE,
		 "",
		 MA_POST,
		 false,
		 _ma_res_create,
		 {.summary = "Stores a new ",
		  .answer = MA_ANSWER_DOC,
		  .status = MA_STATUS_CREATED,
		  .body = MA_BODY_DOC}},
		{MA_RES_GET,
		 " of this id",
		 MA_GET,
		 true,
		 get,
		 {.summary = "The ", .answer = MA_ANSWER_DOC, .etag = true}},
		{MA_RES_REPLACE,
		 " of this id",
		 MA_PUT,
		 true,
		 _ma_res_replace,
		 {.summary = "Replaces the ",
		  .answer = MA_ANSWER_DOC,
		  .body = MA_BODY_DOC,
		  .etag = true}},
		{MA_RES_UPDATE,
		 "",
		 MA_PATCH,
		 true,
		 _ma_res_update,
		 {.summary = "Changes the fields given of the ",
		  .answer = MA_ANSWER_DOC,
		  .body = MA_BODY_PARTIAL,
		  .etag = true}},
		{MA_RES_DELETE,
		 " of this id",
		 MA_DELETE,
		 true,
		 _ma_res_delete,
		 {.summary = "Deletes the ",
		  .answer = MA_ANSWER_NONE,
		  .status = MA_STATUS_NO_CONTENT,
		  .etag = true}},
	};
	resource *r;
	char *item;
	size_t i;
	bool ok = true;
	ma_error e;

	if (!_ma_app_setup_ok(app, error))
		return false;
	if (path == NULL || db == NULL || type == NULL) {
		_ma_error_set(&e, MA_ERR_INVALID,
			      "a resource needs a path, a database and a type");
		return _ma_app_setup_result(app, false, &e, error);
	}
	if (!ma_type_check(type, &e) ||
	    !_ma_access_check(opts != NULL ? opts->access : NULL, type, &e) ||
	    !_ma_embed_check(type, opts != NULL ? opts->embeddable : NULL,
			     &e) ||
	    !ma_db_add_type(db, type, &e))
		return _ma_app_setup_result(app, false, &e, error);
	r = bson_malloc0(sizeof(*r));
	r->path = bson_strdup(strcmp(path, "/") == 0 ? "" : path);
	r->app = app;
	r->db = db;
	r->type = type;
	if (opts != NULL)
		r->opts = *opts;
	if (r->opts.ops == 0)
		r->opts.ops = MA_RES_ALL;
	if (r->opts.max_per_page <= 0)
		r->opts.max_per_page = MA_MAX_PER_PAGE;
	_ma_app_own(app, r, _ma_res_destroy);

	item = bson_strdup_printf("%s/{id}", r->path);
	for (i = 0; ok && i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (!(r->opts.ops & routes[i].op))
			continue;
		r->docs[i] = routes[i].doc;
		r->summaries[i] =
			bson_strdup_printf("%s%s%s", routes[i].doc.summary,
					   type->name, routes[i].after);
		r->docs[i].summary = r->summaries[i];
		r->docs[i].type = type;
		r->docs[i].max_per_page = r->opts.max_per_page;
		if (routes[i].op == MA_RES_CREATE)
			r->docs[i].max_items = r->opts.max_bulk > 0
						       ? r->opts.max_bulk
						       : MA_MAX_BULK;
		r->docs[i].auth = r->opts.access != NULL &&
				  !(r->opts.access->public_ops & routes[i].op);
		r->docs[i].require_if_match = routes[i].doc.etag &&
					      routes[i].method != MA_GET &&
					      r->opts.require_if_match;
		if (routes[i].op & (MA_RES_LIST | MA_RES_GET))
			r->docs[i].embeddable = r->opts.embeddable;
		if (routes[i].item)
			r->docs[i].params = id_param;
		ok = _ma_app_route_guarded(app, routes[i].method,
					   routes[i].item ? item : path,
					   routes[i].handler, r, r->opts.access,
					   routes[i].op, error) &&
		     ma_app_describe(app, routes[i].method,
				     routes[i].item ? item : path, &r->docs[i],
				     error);
	}
	bson_free(item);
	return ok;
}
