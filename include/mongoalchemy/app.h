/*
 * The FastCGI application: routes, requests, responses and resources.
 *
 * An application is a table of routes (method + path pattern -> handler)
 * and the database objects its handlers use. ma_app_run() binds the
 * socket, forks the workers and serves FastCGI requests until SIGTERM:
 *
 *   ma_app *app = ma_app_new(NULL, &err);
 *   ma_db *db = ma_app_add_db(app, NULL, &err);        // MONGOALCHEMY_*
 *   ma_app_resource(app, "/books", db, &book_type, NULL, &err);
 *   ma_app_route(app, MA_GET, "/books/since/{year}", since, db, &err);
 *   return ma_app_run(app, argc, argv);
 *
 * A handler reads its request and fills its response. A library call that
 * fails hands its error to ma_response_error(), which picks the status
 * (one table, ma_status_from_error()): MA_ERR_NOT_FOUND from
 * ma_query_get_or_404() becomes a 404 problem, as abort(404) in Flask.
 */
#ifndef MONGOALCHEMY_APP_H
#define MONGOALCHEMY_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mongoalchemy/db.h>
#include <mongoalchemy/error.h>
#include <mongoalchemy/http.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ma_app ma_app;

/*
 * Cross-origin requests from browsers: the CORS protocol of the Fetch
 * standard (docs/http-api.md, "Cross-origin requests"). A preflight
 * (OPTIONS with Origin and Access-Control-Request-Method on a path that
 * has routes) from an allowed origin, for an allowed method and headers,
 * is answered 204 with the Access-Control-Allow-* headers, before any
 * route and never behind access control; any other preflight is a 403
 * naming what was refused, without them. Every other answer to a request
 * from an allowed origin carries Access-Control-Allow-Origin and exposes
 * MA_CORS_EXPOSE; one from another origin carries none. Both carry
 * Vary: Origin. A request without Origin is answered as without CORS.
 *
 * origins      NULL-terminated list of serialized origins, compared
 *              exactly: "https://app.example.com", "http://127.0.0.1:8081"
 *              (lower case, no path, no default port); or "*" alone, any
 *              origin, never with credentials. Required.
 * methods      ma_method bits a cross-origin request may use; 0: every
 *              method of the path's routes.
 * headers      NULL-terminated request header names a cross-origin
 *              request may send (any case); NULL: MA_CORS_HEADERS.
 * max_age      seconds a browser may keep a preflight's answer; 0:
 *              MA_CORS_MAX_AGE; negative: not said (browsers keep it 5 s).
 * credentials  the requests may carry cookies or HTTP authentication
 *              (Access-Control-Allow-Credentials: true). A bearer token
 *              set by the page is a header, not a credential: it needs
 *              Authorization in headers, which the default has.
 *
 * What ma_app_new() refuses (MA_ERR_INVALID, naming it): no origin, an
 * origin that is not serialized as a browser sends it, "null", "*" beside
 * other origins or with credentials, a header name that is not an HTTP
 * token, an unknown method bit.
 */
#define MA_CORS_HEADERS "Authorization, Content-Type, If-Match, If-None-Match"
#define MA_CORS_EXPOSE                                                         \
	"ETag, Link, Location, Retry-After, X-Request-Id, X-Total-Count"
#define MA_CORS_MAX_AGE 600
typedef struct ma_cors {
	const char *const *origins;
	unsigned methods;
	const char *const *headers;
	int max_age;
	bool credentials;
} ma_cors;

typedef struct ma_app_options {
	size_t body_limit; /* bytes; 0: MA_BODY_LIMIT */
	const char *name;  /* of every line the program writes (setup errors,
			      log lines, --version); NULL: the base name
			      ma_app_run() is started under */
	/* The operations routes (docs/operations.md), never behind access
	 * control; NULL: "/healthz", "/readyz", "/metrics"; "": none (and
	 * with no metrics path, nothing is counted). */
	const char *health_path;
	const char *ready_path;
	const char *metrics_path;
	/* where the API description is served (openapi.h); NULL:
	 * "/openapi.json", "": nowhere */
	const char *openapi_path;
	/* cross-origin requests from browsers (ma_cors); NULL: none */
	const ma_cors *cors;
} ma_app_options;

/*
 * A new application; opts may be NULL. It answers GET and HEAD on
 * /healthz, /readyz and /metrics (docs/operations.md) unless opts moves
 * or removes them: NULL with MA_ERR_INVALID when such a path is not a
 * route pattern. A cors that is refused (ma_cors) is the app's setup
 * error: the app is returned, error filled. The setup calls below (add_db,
 * route, resource) keep the first error they meet: every later one fails
 * with it, and ma_app_run() prints it and returns 2. A main can make them
 * all and check once, as examples/library/app.c does.
 */
ma_app *ma_app_new(const ma_app_options *opts,
		   ma_error *error) MA_WARN_UNUSED_RESULT;
void ma_app_destroy(ma_app *app);

/*
 * Creates a database object from <prefix>_* (NULL: MONGOALCHEMY) and
 * attaches it: the app owns it and destroys it. Nothing connects here;
 * each worker opens its own client after the fork, on first use.
 */
ma_db *ma_app_add_db(ma_app *app, const char *prefix, ma_error *error);

/*
 * Adds a route. methods is one or more ma_method bits; pattern is a path
 * of literal segments and named parameters, "/books/{id}". A literal
 * segment wins over a parameter at the same place. A GET route answers
 * HEAD too. Refused (MA_ERR_INVALID): a malformed pattern, a parameter
 * named twice, or a method the same pattern already has.
 */
bool ma_app_route(ma_app *app, unsigned methods, const char *pattern,
		  ma_handler handler, void *arg, ma_error *error);

/*
 * Called once in each worker after the fork, before the first request
 * (open files, warm caches); and, for on_start, once in the master
 * before the workers are forked (seed data: see examples/library). A
 * false return from on_start stops the program with error's message;
 * a failing on_worker_start stops that worker.
 */
typedef bool (*ma_app_hook)(ma_app *app, void *arg, ma_error *error);
void ma_app_on_start(ma_app *app, ma_app_hook hook, void *arg);
void ma_app_on_worker_start(ma_app *app, ma_app_hook hook, void *arg);

/*
 * Runs the application: parses the worker options (see mongoalchemy-fcgi(8):
 * --socket, --workers, --user, --access-log, --help...), binds or inherits
 * the socket, drops root, forks the workers and serves until SIGTERM.
 * Returns the process exit status.
 */
int ma_app_run(ma_app *app, int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif
