/*
 * Resources: the six CRUD routes of the HTTP contract for a document type,
 * mounted with one call.
 */
#include <string.h>

#include "app-private.h"

typedef struct resource {
	char *path; /* "/books" */
	ma_db *db;
	const ma_type *type;
	ma_resource_options opts;
} resource;

static void
resource_destroy(void *ptr)
{
	resource *r = ptr;

	bson_free(r->path);
	bson_free(r);
}

/*
 * The 404 of an item route: the path's id names no document (a malformed
 * one included), in the words of ma_query_get_or_404().
 */
static void
not_found(const resource *r, const ma_request *req, ma_response *res)
{
	const char *id = ma_request_param(req, "id");
	ma_error e;

	_ma_error_set(&e, MA_ERR_NOT_FOUND, "no %s has the id '%.40s'",
		      r->type->name, id != NULL ? id : "");
	ma_response_error(res, &e, NULL);
}

/* A query for the document with the path's id; NULL, 404 answered, for a
 * malformed id. */
static ma_query *
by_path_id(const resource *r, const ma_request *req, ma_response *res,
	   bson_oid_t *oid)
{
	ma_query *q;
	ma_error e;

	if (!_ma_oid_from_hex(ma_request_param(req, "id"), oid)) {
		not_found(r, req, res);
		return NULL;
	}
	q = ma_query_new(r->db, r->type);
	if (!ma_query_filter(q, "_id", MA_OP_EQ, MA_V_OID(oid), &e)) {
		ma_response_error(res, &e, NULL);
		ma_query_destroy(q);
		return NULL;
	}
	return q;
}

/* GET /books */
static void
list(ma_request *req, ma_response *res, void *arg)
{
	resource *r = arg;
	ma_page_opts po = {.no_total = r->opts.no_total};
	ma_query *q = ma_query_new(r->db, r->type);

	ma_response_list(res, req, q, r->opts.max_per_page, &po);
	ma_query_destroy(q);
}

/* GET /books/{id} */
static void
get(ma_request *req, ma_response *res, void *arg)
{
	resource *r = arg;
	ma_query *q = ma_query_new(r->db, r->type);
	ma_error e;
	ma_doc *doc = ma_query_get_or_404(q, ma_request_param(req, "id"), &e);

	if (doc != NULL)
		ma_response_doc(res, 200, doc);
	else
		ma_response_error(res, &e, NULL);
	ma_doc_destroy(doc);
	ma_query_destroy(q);
}

/* POST /books */
static void
create(ma_request *req, ma_response *res, void *arg)
{
	resource *r = arg;
	ma_problems *problems = ma_problems_new();
	ma_doc *doc = NULL;
	char hex[25], *location;
	bson_oid_t oid;
	ma_error e;

	doc = ma_request_doc(req, r->type, problems, &e);
	if (doc == NULL ||
	    !ma_doc_insert(r->db, doc, r->opts.safe, problems, &e)) {
		ma_response_error(res, &e, problems);
	} else {
		ma_doc_id(doc, &oid);
		bson_oid_to_string(&oid, hex);
		location = bson_strdup_printf("%s/%s", r->path, hex);
		ma_response_doc(res, 201, doc);
		ma_response_header(res, "Location", location);
		bson_free(location);
	}
	ma_doc_destroy(doc);
	ma_problems_destroy(problems);
}

/* PUT /books/{id} */
static void
replace(ma_request *req, ma_response *res, void *arg)
{
	resource *r = arg;
	ma_problems *problems;
	bson_oid_t oid, given;
	ma_doc *doc;
	ma_error e;

	if (!_ma_oid_from_hex(ma_request_param(req, "id"), &oid)) {
		not_found(r, req, res);
		return;
	}
	problems = ma_problems_new();
	doc = ma_request_doc(req, r->type, problems, &e);
	if (doc == NULL) {
		ma_response_error(res, &e, problems);
	} else if (ma_doc_id(doc, &given) && bson_oid_compare(&given, &oid) != 0) {
		ma_response_problem(res, 400,
				    "_id: does not match the id in the path");
	} else {
		ma_doc_set_id(doc, &oid);
		if (ma_doc_replace(r->db, doc, r->opts.safe, problems, &e))
			ma_response_doc(res, 200, doc);
		else if (e.code == MA_ERR_NOT_FOUND)
			not_found(r, req, res);
		else
			ma_response_error(res, &e, problems);
	}
	ma_doc_destroy(doc);
	ma_problems_destroy(problems);
}

/* PATCH /books/{id}: $set of the fields given, atomically. */
static void
update(ma_request *req, ma_response *res, void *arg)
{
	resource *r = arg;
	ma_problems *problems = NULL;
	ma_update *u = NULL;
	ma_doc *doc = NULL;
	const char *body;
	bson_oid_t oid;
	size_t len;
	ma_error e;
	bool ok;
	ma_query *q = by_path_id(r, req, res, &oid);

	if (q == NULL)
		return;
	problems = ma_problems_new();
	if (_ma_request_json_body(req, &body, &len, &e))
		u = ma_update_new_from_json(r->type, body, len, &oid, problems,
					    &e);
	if (u == NULL)
		ok = false;
	else if (bson_empty(ma_update_bson(u)))
		ok = ma_query_first(q, &doc, &e); /* nothing to change */
	else
		ok = ma_query_find_and_modify(q, u, MA_UPDATE_RETURN_NEW, &doc,
					      &e);
	if (!ok)
		ma_response_error(res, &e, problems);
	else if (doc == NULL)
		not_found(r, req, res);
	else
		ma_response_doc(res, 200, doc);
	ma_doc_destroy(doc);
	ma_query_destroy(q);
	ma_update_destroy(u);
	ma_problems_destroy(problems);
}

/* DELETE /books/{id} */
static void
delete(ma_request *req, ma_response *res, void *arg)
{
	resource *r = arg;
	int64_t deleted = 0;
	bson_oid_t oid;
	ma_error e;
	ma_query *q = by_path_id(r, req, res, &oid);

	if (q == NULL)
		return;
	if (!ma_query_remove(q, r->opts.safe, &deleted, &e))
		ma_response_error(res, &e, NULL);
	else if (deleted == 0)
		not_found(r, req, res);
	else
		ma_response_status(res, 204);
	ma_query_destroy(q);
}

bool
ma_app_resource(ma_app *app, const char *path, ma_db *db, const ma_type *type,
		const ma_resource_options *opts, ma_error *error)
{
	static const struct {
		unsigned op;
		ma_method method;
		bool item;
		ma_handler handler;
	} routes[] = {
		{MA_RES_LIST, MA_GET, false, list},
		{MA_RES_CREATE, MA_POST, false, create},
		{MA_RES_GET, MA_GET, true, get},
		{MA_RES_REPLACE, MA_PUT, true, replace},
		{MA_RES_UPDATE, MA_PATCH, true, update},
		{MA_RES_DELETE, MA_DELETE, true, delete},
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
	if (!ma_type_check(type, &e) || !ma_db_add_type(db, type, &e))
		return _ma_app_setup_result(app, false, &e, error);
	r = bson_malloc0(sizeof(*r));
	r->path = bson_strdup(strcmp(path, "/") == 0 ? "" : path);
	r->db = db;
	r->type = type;
	if (opts != NULL)
		r->opts = *opts;
	if (r->opts.ops == 0)
		r->opts.ops = MA_RES_ALL;
	if (r->opts.max_per_page <= 0)
		r->opts.max_per_page = MA_MAX_PER_PAGE;
	_ma_app_own(app, r, resource_destroy);

	item = bson_strdup_printf("%s/{id}", r->path);
	for (i = 0; ok && i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (r->opts.ops & routes[i].op)
			ok = ma_app_route(app, routes[i].method,
					  routes[i].item ? item : path,
					  routes[i].handler, r, error);
	}
	bson_free(item);
	return ok;
}
