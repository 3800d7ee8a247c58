/*
 * The application's internals, shared by app.c (the FastCGI loop and
 * dispatch), request.c, response.c and resource.c.
 *
 * A request flows one way: the front end's CGI variables and body become a
 * ma_request (request.c), the router picks a handler (app.c), the handler
 * fills a ma_response (response.c, resource.c), and app.c writes it out.
 */
#ifndef MA_APP_PRIVATE_H
#define MA_APP_PRIVATE_H

#include <signal.h>
#include <sys/types.h>

#include "http-private.h"

/* What an application owns besides its routes: freed with it. */
typedef struct ma_owned {
	void *ptr;
	void (*destroy)(void *ptr);
} ma_owned;

/*
 * Per-document locks shared by an app's worker processes (locks.c): a
 * conditional write holds its document's from the read to the write.
 * NULL (no shared memory) locks nothing.
 */
typedef struct ma_locks ma_locks;
ma_locks *_ma_locks_new(void);
void _ma_locks_destroy(ma_locks *locks);
void _ma_locks_acquire(ma_locks *locks, const bson_oid_t *id);
void _ma_locks_release(ma_locks *locks, const bson_oid_t *id);

struct ma_app {
	ma_router *router;
	ma_locks *locks; /* mapped before the fork: shared by the workers */
	ma_db **dbs;
	size_t ndbs;
	ma_owned *owned;
	size_t nowned;
	size_t body_limit;
	char *name;
	bool access_log;
	ma_error error; /* the first setup call that failed; MA_OK if none */
	ma_app_hook on_start, on_worker_start;
	void *on_start_arg, *on_worker_start_arg;
};

/* Reads up to n bytes of the body; 0 at its end, -1 on an error. */
typedef ssize_t (*ma_body_reader)(void *ctx, char *buf, size_t n);

struct ma_request {
	ma_app *app;
	ma_method method; /* MA_GET for HEAD */
	bool head;
	const char *method_name; /* as sent */
	char *path;              /* raw, without the query string */
	const char *query_string;
	ma_qs qs;
	ma_route_match match;
	char **env; /* CGI variables: NAME=value, NULL-terminated */
	ma_body_reader read;
	void *read_ctx;
	bool body_read;       /* read (or refused) once, for every call */
	ma_error body_error;  /* MA_OK, or why there is no body */
	char *body;
	size_t body_len;
};

struct ma_response {
	const ma_request *req; /* for Link headers and log lines */
	int status;
	char *content_type; /* of the body; NULL: none */
	ma_buf headers;     /* other headers, "Name: value\r\n" lines */
	ma_buf body;
	bool has_body;
};

/* --- request.c ------------------------------------------------------------ */

/*
 * Fills req from CGI variables (REQUEST_METHOD, REQUEST_URI or
 * SCRIPT_NAME + PATH_INFO, QUERY_STRING, CONTENT_TYPE, CONTENT_LENGTH,
 * HTTP_*) and a body reader. false with *status (400, 405...) and error
 * when the request cannot be routed at all: an unknown method, a query
 * string that does not decode.
 */
bool _ma_request_init(ma_request *req, ma_app *app, char **env,
		      ma_body_reader read, void *read_ctx, int *status,
		      ma_error *error);
void _ma_request_destroy(ma_request *req);

/*
 * The body of a request that must carry JSON: MA_ERR_MEDIA_TYPE for
 * another content type (the body is read and dropped), MA_ERR_TOO_LARGE
 * above the limit, MA_ERR_JSON when empty.
 */
bool _ma_request_json_body(ma_request *req, const char **body, size_t *len,
			   ma_error *error);

/* A CGI variable, or NULL. */
const char *_ma_request_env(const ma_request *req, const char *name);

/* --- response.c ----------------------------------------------------------- */

void _ma_response_init(ma_response *res, const ma_request *req);
void _ma_response_destroy(ma_response *res);

/* The reason phrase of a status ("Not Found"); "Unknown" for others. */
const char *_ma_status_title(int status);

/*
 * Writes res as a FastCGI (CGI) response: "Status:" line, headers,
 * Content-Type and Content-Length, a blank line and the body (left out
 * for HEAD and for 204 and 304, which have none).
 */
void _ma_response_serialize(const ma_response *res, bool head, ma_buf *out);

/* Logs "METHOD /path: detail" for a request (no query, no body). */
void _ma_request_log(const ma_request *req, const char *fmt, ...)
	MA_PRINTF(2, 3);

/* --- app.c ---------------------------------------------------------------- */

/* Routes req to its handler and fills res: every answer, 404 and 405
 * included. */
void _ma_app_dispatch(ma_app *app, ma_request *req, ma_response *res);

/*
 * Setup calls: false when an earlier one failed (error gets its error),
 * else keeps e (when it is a failure) as the app's first error and
 * returns whether it is MA_OK.
 */
bool _ma_app_setup_ok(ma_app *app, ma_error *error);
bool _ma_app_setup_result(ma_app *app, bool ok, const ma_error *e,
			  ma_error *error);

/*
 * One request through the application: CGI variables and a body in, the
 * serialized response appended to out (the FastCGI loop sends it), an
 * access-log line when asked for.
 */
void _ma_app_handle(ma_app *app, char **env, ma_body_reader read,
		    void *read_ctx, ma_buf *out);

/* A worker's life for the runtime (runtime-private.h): FastCGI requests
 * on listen_fd until *stop. */
int _ma_app_worker(void *ctx, int listen_fd, volatile sig_atomic_t *stop);

/* Hands ptr to the app, to be freed with destroy in ma_app_destroy(). */
void _ma_app_own(ma_app *app, void *ptr, void (*destroy)(void *ptr));

#endif
