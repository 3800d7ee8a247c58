/*
 * The application: its life (new, destroy), dispatch, and one request from
 * CGI variables to the serialized answer. Its setup calls are setup.c's;
 * the routes it adds of itself (operations, the API description) are
 * ops.c's and openapi.c's, above setup.c. The FastCGI loop that feeds it
 * is worker.c's; processes, sockets and signals are the runtime's.
 */
#include <string.h>
#include <time.h>

#include "app/app-private.h"
#include "runtime/runtime-private.h"

ma_app *
ma_app_new(const ma_app_options *opts, ma_error *error)
{
	ma_app *app = bson_malloc0(sizeof(*app));
	const char *openapi = opts != NULL && opts->openapi_path != NULL
				      ? opts->openapi_path
				      : "/openapi.json";

	ma_error_clear(&app->error);

	app->router = _ma_router_new();
	app->locks = _ma_locks_new();
	/* No metrics path, no counting: not a cycle spent on them. */
	if (opts == NULL || opts->metrics_path == NULL ||
	    opts->metrics_path[0] != '\0')
		app->metrics = _ma_metrics_new();
	app->body_limit = opts != NULL && opts->body_limit > 0
				  ? opts->body_limit
				  : MA_BODY_LIMIT;
	/* A name given names every line from now on, the requests' logged
	 * in this process too; without one, ma_app_run() takes the
	 * program's. */
	if (opts != NULL && opts->name != NULL && opts->name[0] != '\0') {
		app->name = bson_strdup(opts->name);
		_ma_log_set_program(app->name);
	}
	/* A path that is not a route pattern: no application (app.h). */
	if ((openapi[0] != '\0' &&
	     (!ma_app_route(app, MA_GET, openapi, _ma_app_openapi_handler, app,
			    NULL) ||
	      !ma_app_describe(app, MA_GET, openapi, &_ma_openapi_route_doc,
			       NULL))) ||
	    !_ma_ops_routes(app, opts)) {
		if (error != NULL)
			*error = app->error;
		ma_app_destroy(app);
		return NULL;
	}
	/* A refused CORS policy sticks, as a setup call's error (app.h). */
	if (!_ma_app_cors(app, opts != NULL ? opts->cors : NULL, error))
		return app;
	ma_error_clear(error);
	return app;
}

void
ma_app_destroy(ma_app *app)
{
	size_t i;

	if (app == NULL)
		return;
	for (i = app->nowned; i > 0; i--)
		app->owned[i - 1].destroy(app->owned[i - 1].ptr);
	for (i = 0; i < app->ndbs; i++)
		ma_db_destroy(app->dbs[i]);
	for (i = 0; i < app->nroutes; i++)
		bson_free(app->routes[i].pattern);
	bson_free(app->routes);
	bson_free(app->openapi);
	_ma_router_destroy(app->router);
	_ma_locks_destroy(app->locks);
	_ma_metrics_destroy(app->metrics);
	bson_free(app->owned);
	bson_free(app->dbs);
	bson_free(app->name);
	bson_free(app);
}

/* --- dispatch ------------------------------------------------------------- */

/*
 * A path that no route matches but would without its trailing '/'
 * ("/books/"). It is still a 404, not an answer for the other path: the
 * links and the Location of an answer repeat the path asked for, and a
 * cache keeps the two apart. The detail says what would match.
 */
static bool
only_the_trailing_slash(const ma_app *app, ma_method method, const char *path)
{
	size_t len = strlen(path);
	ma_route_match other;
	ma_route_result found;
	char *shorter;
	ma_error e;

	if (len < 2 || path[len - 1] != '/')
		return false;
	shorter = bson_strndup(path, len - 1);
	found = _ma_router_match(app->router, method, shorter, &other, &e);
	_ma_route_match_clear(&other);
	bson_free(shorter);
	return found != MA_ROUTE_NOT_FOUND;
}

/* Routes req to its handler and fills res: every answer, 404 and 405
 * included. */
static void
dispatch(ma_app *app, ma_request *req, ma_response *res)
{
	ma_method method = req->head ? MA_HEAD : req->method;
	ma_error err;
	ma_buf allow;

	switch (_ma_router_match(app->router, method, req->path, &req->match,
				 &err)) {
	case MA_ROUTE_FOUND:
		break;
	case MA_ROUTE_NOT_FOUND:
		ma_response_problem(
			res, MA_STATUS_NOT_FOUND,
			only_the_trailing_slash(app, method, req->path)
				? "no route matches this path; one matches it "
				  "without the trailing '/'"
				: "no route matches this path");
		return;
	case MA_ROUTE_NO_METHOD:
		_ma_buf_init(&allow, 64);
		_ma_allow_header(&allow, req->match.allowed);
		allow.data[allow.len] = '\0';
		ma_response_problem(res, MA_STATUS_METHOD_NOT_ALLOWED,
				    "this path does not take this method");
		ma_response_header(res, "Allow", allow.data);
		_ma_buf_destroy(&allow);
		return;
	case MA_ROUTE_BAD_PATH:
		ma_response_problem(res, MA_STATUS_BAD_REQUEST, err.message);
		return;
	}
	req->match.handler(req, res, req->match.arg);
	if (res->status == 0) {
		_ma_request_log(req, "the handler gave no answer");
		ma_response_problem(res, MA_STATUS_INTERNAL_SERVER_ERROR,
				    "the server could not answer this request");
	}
}

/* --- one request ---------------------------------------------------------- */

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

void
_ma_app_answer(ma_app *app, char **env, ma_body_reader read, void *read_ctx,
	       ma_writer write, void *write_ctx)
{
	uint64_t start = now_us(), us;
	ma_request req;
	ma_response res;
	ma_error err;
	ma_status status = MA_STATUS_BAD_REQUEST;
	bool routable, preflight = false;

	_ma_metrics_in_flight(app->metrics, 1);
	routable = _ma_request_init(&req, app->body_limit, env, read, read_ctx,
				    &status, &err);
	_ma_response_init(&res, &req);
	if (!routable)
		ma_response_problem(&res, status, err.message);
	else if (!(preflight = _ma_app_preflight(app, &req, &res)))
		dispatch(app, &req, &res);
	if (!preflight)
		_ma_app_cors_headers(app, &req, &res);
	ma_response_header(&res, "X-Request-Id", req.request_id);
	_ma_response_write(&res, req.head, write, write_ctx);

	us = now_us() - start;
	_ma_metrics_request(app->metrics, req.match.route_id,
			    req.head ? MA_HEAD : req.method, (int)res.status,
			    us);
	if (res.status == MA_STATUS_SERVICE_UNAVAILABLE && !_ma_ops_quiet(&req))
		_ma_metrics_db_unavailable(app->metrics);
	_ma_metrics_in_flight(app->metrics, -1);
	if (app->access_log && !_ma_ops_quiet(&req))
		_ma_ops_log(app, &req, &res, us);
	_ma_response_destroy(&res);
	_ma_request_destroy(&req);
}

void
_ma_app_handle(ma_app *app, char **env, ma_body_reader read, void *read_ctx,
	       ma_buf *out)
{
	_ma_app_answer(app, env, read, read_ctx, _ma_buf_writer, out);
}
