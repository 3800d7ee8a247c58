/*
 * Access control in the application: the authenticators it trusts, the
 * check a handler makes with one call, and a resource's policy put in
 * front of its routes.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/app-private.h"
#include "auth/auth-private.h"

/* The app's authenticators, made on first use and freed with it. */
static ma_auth *
app_auth(ma_app *app)
{
	if (app->auth == NULL) {
		app->auth = _ma_auth_new();
		_ma_app_own(app, app->auth, _ma_auth_destroy);
	}
	return app->auth;
}

bool
ma_app_auth_jwt(ma_app *app, const ma_jwt_options *opts, ma_error *error)
{
	ma_error e;
	bool ok;

	if (!_ma_app_setup_ok(app, error))
		return false;
	ok = _ma_auth_set_jwt(app_auth(app), opts, &e);
	return _ma_app_setup_result(app, ok, &e, error);
}

bool
ma_app_auth_frontend(ma_app *app, const char *roles_param, ma_error *error)
{
	if (!_ma_app_setup_ok(app, error))
		return false;
	_ma_auth_set_frontend(app_auth(app), roles_param);
	ma_error_clear(error);
	return true;
}

ma_user *
ma_app_authorize(ma_app *app, const ma_request *req, ma_response *res,
		 const char *const *roles)
{
	/* Fails closed: a handler that asks for a caller in an app that
	 * trusts none refuses everyone. */
	if (app == NULL || !_ma_auth_enabled(app->auth)) {
		_ma_request_log(req, "access control asked for, but the "
				     "application trusts no authenticator");
		ma_response_problem(res, MA_STATUS_INTERNAL_SERVER_ERROR,
				    "the server could not answer this request");
		return NULL;
	}
	return _ma_auth_check(app->auth, app->name, req, res, roles,
			      (int64_t)time(NULL));
}

/* --- a resource's policy -------------------------------------------------- */

/* One of a resource's routes behind its policy. */
typedef struct guarded_route {
	ma_app *app;
	const ma_access *access;
	unsigned op;
	ma_handler handler;
	void *arg;
} guarded_route;

/* The roles op needs: the first rule naming it; NULL (any caller) when
 * none does. */
static const char *const *
roles_for(const ma_access *access, unsigned op)
{
	size_t i;

	for (i = 0; i < MA_ACCESS_MAX_RULES && access->rules[i].ops != 0; i++) {
		if (access->rules[i].ops & op)
			return access->rules[i].roles;
	}
	return NULL;
}

/* The caller is checked before the handler reads anything: a refused
 * request stores, changes and reveals nothing. */
static void
guarded(ma_request *req, ma_response *res, void *arg)
{
	guarded_route *g = arg;
	ma_user *user = NULL;

	if (!(g->access->public_ops & g->op)) {
		user = ma_app_authorize(g->app, req, res,
					roles_for(g->access, g->op));
		if (user == NULL)
			return;
	}
	req->user = user;
	g->handler(req, res, g->arg);
	req->user = NULL;
	ma_user_destroy(user);
}

bool
_ma_app_route_guarded(ma_app *app, unsigned methods, const char *pattern,
		      ma_handler handler, void *arg, const ma_access *access,
		      unsigned op, ma_error *error)
{
	guarded_route *g;

	if (access == NULL)
		return ma_app_route(app, methods, pattern, handler, arg, error);
	g = bson_malloc0(sizeof(*g));
	*g = (guarded_route){app, access, op, handler, arg};
	_ma_app_own(app, g, bson_free);
	app->needs_auth = true;
	return ma_app_route(app, methods, pattern, guarded, g, error);
}

bool
_ma_app_access_ready(const ma_app *app, ma_error *error)
{
	if (app->needs_auth && !_ma_auth_enabled(app->auth)) {
		_ma_error_set(error, MA_ERR_CONFIG,
			      "a resource has an access policy, but the "
			      "application trusts no authenticator "
			      "(ma_app_auth_jwt(), ma_app_auth_frontend())");
		return false;
	}
	return true;
}

void
_ma_app_access_worker_start(ma_app *app)
{
	_ma_auth_reload(app->auth);
}

/* --- documents of their owner --------------------------------------------- */

const ma_user *
ma_request_user(const ma_request *req)
{
	return req != NULL ? req->user : NULL;
}

bool
_ma_access_check(const ma_access *access, const ma_type *type, ma_error *error)
{
	const ma_field *f;

	if (access == NULL || access->owner_field == NULL)
		return true;
	f = ma_type_field(type, access->owner_field);
	if (f == NULL || f->kind != MA_KIND_STRING || !f->optional) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "%s: the owner field '%s' must be an optional "
			      "string field of the type",
			      type->name, access->owner_field);
		return false;
	}
	if (access->public_ops != 0) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "%s: a resource with an owner field has no "
			      "public operations",
			      type->name);
		return false;
	}
	return true;
}

const char *
_ma_access_owner(const ma_access *access, const ma_request *req)
{
	size_t i;

	if (access == NULL || access->owner_field == NULL)
		return NULL;
	/* No caller (never so behind the policy): a name no caller has,
	 * which matches nothing stored. */
	if (req->user == NULL)
		return "";
	for (i = 0; access->all_owners != NULL && access->all_owners[i] != NULL;
	     i++) {
		if (ma_user_has_role(req->user, access->all_owners[i]))
			return NULL;
	}
	return ma_user_name(req->user);
}

bool
_ma_owner_narrow(const ma_access *access, const ma_request *req, ma_query *q,
		 ma_error *error)
{
	const char *owner = _ma_access_owner(access, req);

	return owner == NULL ||
	       ma_query_filter(q, access->owner_field, MA_OP_EQ,
			       MA_V_STRING(owner), error);
}

static bool
has_owner(const ma_access *access)
{
	return access != NULL && access->owner_field != NULL;
}

static void
owner_forbidden(const ma_access *access, ma_response *res)
{
	char detail[128];

	snprintf(detail, sizeof(detail),
		 "%.60s: set by the server to the caller, not by the client",
		 access->owner_field);
	ma_response_problem(res, MA_STATUS_FORBIDDEN, detail);
}

bool
_ma_owner_set(const ma_access *access, const ma_request *req, ma_response *res,
	      ma_doc *doc, const ma_doc *stored)
{
	const char *owner = _ma_access_owner(access, req);
	const char *given = NULL, *name = owner;
	ma_error e;

	if (!has_owner(access))
		return true;
	(void)ma_doc_get_string(doc, access->owner_field, &given);
	if (owner != NULL && given != NULL && strcmp(given, owner) != 0) {
		owner_forbidden(access, res);
		return false;
	}
	if (given != NULL)
		return true;
	if (name == NULL &&
	    (stored == NULL ||
	     !ma_doc_get_string(stored, access->owner_field, &name)))
		name = ma_user_name(ma_request_user(req));
	if (!ma_doc_set_string(doc, access->owner_field, name, &e)) {
		ma_response_error(res, &e, NULL);
		return false;
	}
	return true;
}

bool
_ma_owner_stored(const ma_access *access, const ma_request *req, ma_db *db,
		 const ma_type *type, const bson_oid_t *oid, ma_doc **stored,
		 ma_error *error)
{
	ma_query *q;
	bool ok;

	*stored = NULL;
	if (!has_owner(access))
		return true;
	q = ma_query_new(db, type);
	ok = ma_query_filter(q, "_id", MA_OP_EQ, MA_V_OID(oid), error) &&
	     _ma_owner_narrow(access, req, q, error) &&
	     ma_query_first(q, stored, error);
	ma_query_destroy(q);
	return ok;
}

bool
_ma_owner_update_ok(const ma_access *access, const ma_type *type,
		    const ma_request *req, ma_response *res, const ma_update *u)
{
	const char *owner = _ma_access_owner(access, req);
	char set[160], unset[160];
	const char *name;
	bson_iter_t it, f;

	if (!has_owner(access))
		return true;
	name = ma_field_db_name(ma_type_field(type, access->owner_field));
	snprintf(set, sizeof(set), "$set.%s", name);
	snprintf(unset, sizeof(unset), "$unset.%s", name);
	if (bson_iter_init(&it, ma_update_bson(u)) &&
	    bson_iter_find_descendant(&it, unset, &f)) {
		owner_forbidden(access, res);
		return false;
	}
	if (owner != NULL && bson_iter_init(&it, ma_update_bson(u)) &&
	    bson_iter_find_descendant(&it, set, &f) &&
	    (!BSON_ITER_HOLDS_UTF8(&f) ||
	     strcmp(bson_iter_utf8(&f, NULL), owner) != 0)) {
		owner_forbidden(access, res);
		return false;
	}
	return true;
}

bool
_ma_access_may_read(const ma_access *access, const ma_user *caller,
		    const ma_doc *doc)
{
	const char *const *roles;
	const char *owner = NULL;
	size_t i;

	if (access == NULL || (access->public_ops & MA_RES_GET))
		return true;
	if (caller == NULL)
		return false;
	roles = roles_for(access, MA_RES_GET);
	for (i = 0; roles != NULL && roles[i] != NULL; i++) {
		if (ma_user_has_role(caller, roles[i]))
			break;
	}
	if (roles != NULL && roles[i] == NULL)
		return false;
	if (!has_owner(access))
		return true;
	for (i = 0; access->all_owners != NULL && access->all_owners[i] != NULL;
	     i++) {
		if (ma_user_has_role(caller, access->all_owners[i]))
			return true;
	}
	return ma_doc_get_string(doc, access->owner_field, &owner) &&
	       strcmp(owner, ma_user_name(caller)) == 0;
}
