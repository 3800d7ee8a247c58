/*
 * The application's setup calls: what it owns, its databases, its routes
 * and their descriptions, its hooks. The first one that fails is the
 * app's setup error (ma_app_run() reports it and exits 2); every call
 * after it fails with it. Below everything that adds routes (ops.c,
 * openapi.c, access.c, resource.c) and below app.c, which adds its own
 * through them.
 */
#include <string.h>

#include "app/app-private.h"

void
_ma_app_own(ma_app *app, void *ptr, void (*destroy)(void *ptr))
{
	app->owned = bson_realloc(app->owned,
				  (app->nowned + 1) * sizeof(*app->owned));
	app->owned[app->nowned].ptr = ptr;
	app->owned[app->nowned].destroy = destroy;
	app->nowned++;
}

bool
_ma_app_setup_ok(ma_app *app, ma_error *error)
{
	if (app == NULL) {
		_ma_error_set(error, MA_ERR_INVALID, "no application given");
		return false;
	}
	if (app->error.code == MA_OK)
		return true;
	if (error != NULL)
		*error = app->error;
	return false;
}

bool
_ma_app_setup_result(ma_app *app, bool ok, const ma_error *e, ma_error *error)
{
	if (!ok && app->error.code == MA_OK)
		app->error = *e;
	if (error != NULL)
		*error = *e;
	return ok;
}

ma_db *
ma_app_add_db(ma_app *app, const char *prefix, ma_error *error)
{
	ma_db *db;
	ma_error e;

	if (!_ma_app_setup_ok(app, error))
		return NULL;
	db = ma_db_new(prefix, &e);
	if (!_ma_app_setup_result(app, db != NULL, &e, error))
		return NULL;
	app->dbs = bson_realloc(app->dbs, (app->ndbs + 1) * sizeof(*app->dbs));
	app->dbs[app->ndbs++] = db;
	return db;
}

bool
ma_app_route(ma_app *app, unsigned methods, const char *pattern,
	     ma_handler handler, void *arg, ma_error *error)
{
	ma_error e;
	bool ok;

	if (!_ma_app_setup_ok(app, error))
		return false;
	if (handler == NULL) {
		_ma_error_set(&e, MA_ERR_INVALID, "route %s has no handler",
			      pattern != NULL ? pattern : "(null)");
		ok = false;
	} else {
		ok = _ma_router_add(app->router, methods, pattern, handler, arg,
				    &e);
	}
	if (ok) {
		app->routes = bson_realloc(
			app->routes, (app->nroutes + 1) * sizeof(*app->routes));
		app->routes[app->nroutes].methods = methods;
		app->routes[app->nroutes].pattern = bson_strdup(pattern);
		app->routes[app->nroutes].doc = NULL;
		app->nroutes++;
	}
	return _ma_app_setup_result(app, ok, &e, error);
}

bool
ma_app_describe(ma_app *app, unsigned methods, const char *pattern,
		const ma_route_doc *doc, ma_error *error)
{
	bool found = false;
	ma_error e;
	size_t i;

	if (!_ma_app_setup_ok(app, error))
		return false;
	for (i = 0; pattern != NULL && i < app->nroutes; i++) {
		if ((app->routes[i].methods & methods) != 0 &&
		    strcmp(app->routes[i].pattern, pattern) == 0) {
			app->routes[i].doc = doc;
			found = true;
		}
	}
	if (found)
		ma_error_clear(&e);
	else
		_ma_error_set(&e, MA_ERR_INVALID, "no route %s to describe",
			      pattern != NULL ? pattern : "(null)");
	return _ma_app_setup_result(app, found, &e, error);
}

void
ma_app_on_start(ma_app *app, ma_app_hook hook, void *arg)
{
	app->on_start = hook;
	app->on_start_arg = arg;
}

void
ma_app_on_worker_start(ma_app *app, ma_app_hook hook, void *arg)
{
	app->on_worker_start = hook;
	app->on_worker_start_arg = arg;
}
