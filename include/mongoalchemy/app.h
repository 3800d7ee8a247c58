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
 * (one table, ma_status_for_error()): MA_ERR_NOT_FOUND from
 * ma_query_get_or_404() becomes a 404 problem, as abort(404) in Flask.
 */
#ifndef MONGOALCHEMY_APP_H
#define MONGOALCHEMY_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mongoalchemy/db.h>
#include <mongoalchemy/document.h>
#include <mongoalchemy/error.h>
#include <mongoalchemy/query.h>
#include <mongoalchemy/schema.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ma_app ma_app;
typedef struct ma_request ma_request;
typedef struct ma_response ma_response;

/* HTTP methods, as bits so that a route can take several. */
typedef enum ma_method {
	MA_GET = 1 << 0,
	MA_HEAD = 1 << 1,
	MA_POST = 1 << 2,
	MA_PUT = 1 << 3,
	MA_PATCH = 1 << 4,
	MA_DELETE = 1 << 5,
	MA_OPTIONS = 1 << 6
} ma_method;

/* "GET" for MA_GET; NULL for anything that is not exactly one method. */
const char *ma_method_name(ma_method method);

/* MA_GET for "GET" (exact, upper case); 0 for an unknown method. */
ma_method ma_method_from_name(const char *name);

/* A handler: read req, fill res. arg is the pointer given to the route. */
typedef void (*ma_handler)(ma_request *req, ma_response *res, void *arg);

/* Defaults: DESIGN's 1 MiB body and 100 items per page. */
#define MA_BODY_LIMIT (1024 * 1024)
#define MA_MAX_PER_PAGE 100

typedef struct ma_app_options {
	size_t body_limit;    /* bytes; 0: MA_BODY_LIMIT */
	const char *name;     /* for log lines; NULL: "mongoalchemy" */
} ma_app_options;

/*
 * A new application; opts may be NULL. The setup calls below (add_db,
 * route, resource) keep the first error they meet: every later one fails
 * with it, and ma_app_run() prints it and returns 2. A main can make them
 * all and check once, as examples/library/app.c does.
 */
ma_app *ma_app_new(const ma_app_options *opts, ma_error *error);
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

/* --- requests ------------------------------------------------------------- */

ma_method ma_request_method(const ma_request *req); /* MA_GET for HEAD */
bool ma_request_is_head(const ma_request *req);

/* The path as the client sent it, without the query string. */
const char *ma_request_path(const ma_request *req);

/* A path parameter of the route, percent-decoded; NULL if none. */
const char *ma_request_param(const ma_request *req, const char *name);

/* The first value of a query-string parameter, decoded; NULL if none. */
const char *ma_request_query(const ma_request *req, const char *name);

/* All query-string parameters, in the order sent, decoded. */
size_t ma_request_query_count(const ma_request *req);
bool ma_request_query_at(const ma_request *req, size_t i, const char **name,
			 const char **value);

/* The raw query string ("" if none). */
const char *ma_request_query_string(const ma_request *req);

/* A request header by name, any case ("Content-Type"); NULL if absent. */
const char *ma_request_header(const ma_request *req, const char *name);

/*
 * The body, read up to the application's limit: MA_ERR_TOO_LARGE (413)
 * when it is larger, MA_ERR_INVALID when it ends before its
 * Content-Length. Failures go to ma_response_error() as they are.
 */
bool ma_request_body(ma_request *req, const char **body, size_t *len,
		     ma_error *error);

/*
 * The body as a document of type: MA_ERR_MEDIA_TYPE (415) when its
 * content type is not JSON, MA_ERR_TOO_LARGE (413), MA_ERR_JSON when it is
 * empty or malformed, MA_ERR_VALIDATION with each problem in problems.
 */
ma_doc *ma_request_doc(ma_request *req, const ma_type *type,
		       ma_problems *problems, ma_error *error);

/* --- responses ------------------------------------------------------------ */

/* The status for a library error: 400, 404, 409, 413, 415, 503, or 500:
 * the one table. */
int ma_status_for_error(ma_error_code code);

void ma_response_status(ma_response *res, int status);

/* Adds a header; false for a name or value with CR, LF or NUL. */
bool ma_response_header(ma_response *res, const char *name, const char *value);

/* Any body with its content type (NULL: none). Each body call replaces
 * the body and content type before it. */
void ma_response_body(ma_response *res, int status, const char *content_type,
		      const char *body, size_t len);

/* A JSON text (application/json). */
void ma_response_json(ma_response *res, int status, const char *json,
		      size_t len);

/* A document as JSON. */
void ma_response_doc(ma_response *res, int status, const ma_doc *doc);

/*
 * A page object (DESIGN's HTTP contract) with its Link (first, prev,
 * next, last) and X-Total-Count headers; the links keep the request's
 * other query parameters.
 */
void ma_response_page(ma_response *res, const ma_request *req,
		      const ma_page *page);

/*
 * A list answered in full, as a resource's GET does: the request's list
 * parameters applied to query (ma_request_list_params()), the page asked
 * for (error_out: 404 past the end; opts may be NULL), and either
 * ma_response_page() or the problem.
 */
void ma_response_list(ma_response *res, const ma_request *req,
		      ma_query *query, int64_t max_per_page,
		      const ma_page_opts *opts);

/* An RFC 9457 problem: application/problem+json, title from the status. */
void ma_response_problem(ma_response *res, int status, const char *detail);

/*
 * A problem for a library error, status from ma_status_for_error(). A
 * validation error lists problems (may be NULL) under "errors"; a 503
 * carries Retry-After. Errors that are the server's fault are logged
 * with the request's method and path, and the client sees a generic
 * detail.
 */
void ma_response_error(ma_response *res, const ma_error *error,
		       const ma_problems *problems);

/* --- resources ------------------------------------------------------------ */

/* The methods a resource mounts: all by default. */
typedef enum ma_resource_ops {
	MA_RES_LIST = 1 << 0,   /* GET    /books        */
	MA_RES_GET = 1 << 1,    /* GET    /books/{id}   */
	MA_RES_CREATE = 1 << 2, /* POST   /books        */
	MA_RES_REPLACE = 1 << 3, /* PUT   /books/{id}   */
	MA_RES_UPDATE = 1 << 4, /* PATCH  /books/{id}   */
	MA_RES_DELETE = 1 << 5, /* DELETE /books/{id}   */
	MA_RES_ALL = (1 << 6) - 1
} ma_resource_ops;

typedef struct ma_resource_options {
	unsigned ops;         /* ma_resource_ops bits; 0: MA_RES_ALL */
	int64_t max_per_page; /* 0: MA_MAX_PER_PAGE */
	bool no_total;        /* lists without total, pages, last link */
	ma_safe safe;         /* write safety of create/replace/update/delete */
	bool require_if_match; /* PUT, PATCH, DELETE without If-Match: 428 */
} ma_resource_options;

/*
 * Mounts the CRUD routes of the HTTP contract for type at path ("/books"):
 * list with page, per_page, sort, fields and filters; get; create (201,
 * Location); replace; update (partial, validated); delete (204). opts may
 * be NULL. db must be one of the app's.
 *
 * Every document answered carries an ETag (ma_doc_etag()). A GET with
 * If-None-Match listing it answers 304. PUT, PATCH and DELETE with
 * If-Match change the document only if it is still stored with that ETag,
 * checked in the write itself (ma_doc_replace_if(),
 * ma_query_filter_unchanged()): a stale one, or a change made in between,
 * is a 412 and changes nothing.
 */
bool ma_app_resource(ma_app *app, const char *path, ma_db *db,
		     const ma_type *type, const ma_resource_options *opts,
		     ma_error *error);

/*
 * Applies a list request's parameters to a query, as a resource does:
 * sort, fields and filters (name=value, name__op=value on the type's
 * declared fields), and reads page and per_page (default 1 and
 * MA_PER_PAGE, at most max_per_page). Other handlers use it to offer the
 * same list grammar. False with MA_ERR_INVALID naming the parameter (a
 * 400), or MA_ERR_NOT_FOUND for a page below 1 (a 404).
 */
bool ma_request_list_params(const ma_request *req, ma_query *query,
			    int64_t max_per_page, int64_t *page,
			    int64_t *per_page, ma_error *error);

#ifdef __cplusplus
}
#endif

#endif
