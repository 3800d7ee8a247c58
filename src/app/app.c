/*
 * The application: routes, dispatch, and the FastCGI loop of each worker.
 * Processes, sockets and signals are runtime.c's.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/select.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <fcgiapp.h>

#include "app/app-private.h"
#include "runtime/runtime-private.h"

ma_app *
ma_app_new(const ma_app_options *opts, ma_error *error)
{
	ma_app *app = bson_malloc0(sizeof(*app));

	ma_error_clear(&app->error);

	app->router = _ma_router_new();
	app->locks = _ma_locks_new();
	app->body_limit = opts != NULL && opts->body_limit > 0 ? opts->body_limit
							       : MA_BODY_LIMIT;
	app->name = bson_strdup(opts != NULL && opts->name != NULL
					? opts->name
					: "mongoalchemy");
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
	_ma_router_destroy(app->router);
	_ma_locks_destroy(app->locks);
	bson_free(app->owned);
	bson_free(app->dbs);
	bson_free(app->name);
	bson_free(app);
}

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
	return _ma_app_setup_result(app, ok, &e, error);
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

/* --- dispatch ------------------------------------------------------------- */

void
_ma_app_dispatch(ma_app *app, ma_request *req, ma_response *res)
{
	ma_method method = req->head ? MA_HEAD : req->method;
	ma_error err;
	ma_buf allow;

	switch (_ma_router_match(app->router, method, req->path, &req->match,
				 &err)) {
	case MA_ROUTE_FOUND:
		break;
	case MA_ROUTE_NOT_FOUND:
		ma_response_problem(res, MA_STATUS_NOT_FOUND,
				    "no route matches this path");
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

/* --- the FastCGI loop ----------------------------------------------------- */

static ssize_t
fcgi_read(void *ctx, char *buf, size_t n)
{
	FCGX_Request *r = ctx;
	int got;

	if (n > 1 << 30)
		n = 1 << 30;
	got = FCGX_GetStr(buf, (int)n, r->in);
	if (got < 0)
		return -1;
	if (got == 0 && FCGX_GetError(r->in) != 0)
		return -1;
	return got;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void
_ma_app_handle(ma_app *app, char **env, ma_body_reader read, void *read_ctx,
	       ma_buf *out)
{
	double start = app->access_log ? now_ms() : 0;
	ma_request req;
	ma_response res;
	ma_error err;
	ma_status status = MA_STATUS_BAD_REQUEST;
	bool routable = _ma_request_init(&req, app->body_limit, env, read,
					 read_ctx, &status, &err);

	_ma_response_init(&res, &req);
	if (routable)
		_ma_app_dispatch(app, &req, &res);
	else
		ma_response_problem(&res, status, err.message);
	_ma_response_serialize(&res, req.head, out);
	if (app->access_log)
		_ma_request_log(&req, "%d %zu bytes %.1f ms", (int)res.status,
				res.has_body ? res.body.len : 0,
				now_ms() - start);
	_ma_response_destroy(&res);
	_ma_request_destroy(&req);
}

/* One FastCGI request. A client that went away (a failed write) is not
 * an error worth a line. */
static void
serve(ma_app *app, FCGX_Request *r)
{
	ma_buf out;

	_ma_buf_init(&out, 1024);
	_ma_app_handle(app, r->envp, fcgi_read, r, &out);
	(void)FCGX_PutStr(out.data, (int)out.len, r->out);
	_ma_buf_destroy(&out);
}

/*
 * A worker's loop. libfcgi must not see a signal while it holds a
 * connection: its wait for a Unix socket's first bytes (a select()) is
 * not restarted, and on EINTR it drops the connection unanswered (the
 * front end answers 502 or 503). So SIGTERM and SIGINT stay blocked except
 * in pselect(), which waits for a connection with them unblocked; the
 * listening socket is non-blocking, so that a worker that lost the race
 * for a connection to another one gets EAGAIN instead of sleeping in
 * accept() with the signals blocked.
 */
int
_ma_app_worker(void *ctx, int listen_fd, volatile sig_atomic_t *stop)
{
	ma_app *app = ctx;
	sigset_t stops, waiting;
	fd_set readable;
	FCGX_Request r;
	ma_error err;
	int flags;

	if (app->on_worker_start != NULL &&
	    !app->on_worker_start(app, app->on_worker_start_arg, &err)) {
		_ma_log("the worker cannot start: %s", err.message);
		return 1;
	}
	if (FCGX_Init() != 0 || FCGX_InitRequest(&r, listen_fd, 0) != 0) {
		_ma_log("libfcgi cannot start");
		return 1;
	}
	flags = fcntl(listen_fd, F_GETFL);
	if (flags < 0 || fcntl(listen_fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		_ma_log("cannot make the socket non-blocking: %s",
			strerror(errno));
		return 1;
	}
	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGINT);
	sigprocmask(SIG_BLOCK, &stops, &waiting);
	sigdelset(&waiting, SIGTERM);
	sigdelset(&waiting, SIGINT);
	while (!*stop) {
		FD_ZERO(&readable);
		FD_SET(listen_fd, &readable);
		if (pselect(listen_fd + 1, &readable, NULL, NULL, NULL,
			    &waiting) < 0)
			continue; /* a signal: *stop tells which */
		/* A pselect() that finds a connection already waiting returns
		 * without delivering a stop that is pending: the signal mask
		 * is back before the return. Under steady load a connection
		 * always waits, and the worker would never see SIGTERM. So
		 * let a pending stop in before taking the connection. */
		sigprocmask(SIG_SETMASK, &waiting, NULL);
		sigprocmask(SIG_BLOCK, &stops, NULL);
		if (*stop)
			break;
		if (FCGX_Accept_r(&r) < 0) {
			/* Another worker took it; or, after a SIGTERM, the
			 * runtime broke the listening descriptor off. */
			if (*stop || errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				continue;
			_ma_log("accept failed: %s", strerror(errno));
			break;
		}
		serve(app, &r);
		FCGX_Finish_r(&r);
	}
	FCGX_Free(&r, 0);
	return *stop ? 0 : 1;
}

/* The master's part: the application's start hook, then no client of
 * its own left open while the workers run. */
static bool
master_start(void *ctx, ma_error *error)
{
	ma_app *app = ctx;
	bool ok = true;
	size_t i;

	if (app->on_start != NULL)
		ok = app->on_start(app, app->on_start_arg, error);
	for (i = 0; i < app->ndbs; i++)
		_ma_db_release(app->dbs[i]);
	return ok;
}

int
ma_app_run(ma_app *app, int argc, char **argv)
{
	ma_runtime_hooks hooks = {master_start, _ma_app_worker, app};
	const char *program = argc > 0 && argv[0] != NULL ? argv[0] : app->name;
	ma_run_options opts;
	ma_error err;

	if (!_ma_run_parse(argc, argv, &opts, &err)) {
		fprintf(stderr, "%s: %s\ntry '%s --help'\n", program, err.message,
			program);
		return 2;
	}
	if (opts.help) {
		printf("usage: %s [options]\n\n%s", program, _ma_run_usage());
		return 0;
	}
	if (opts.version) {
		printf("%s (mongoalchemy %s)\n", app->name, PACKAGE_VERSION);
		return 0;
	}
	/* A setup call that failed (a missing MONGOALCHEMY_DATABASE, a
	 * malformed route) stops here, before any socket is bound. */
	if (app->error.code != MA_OK) {
		fprintf(stderr, "%s: %s\n", program, app->error.message);
		return 2;
	}
	app->access_log = opts.access_log;
	return _ma_runtime_run(&opts, &hooks, program);
}
