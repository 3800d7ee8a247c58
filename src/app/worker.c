/*
 * A worker's FastCGI loop, and ma_app_run(), which hands it to the
 * runtime (master.c) with the application's start hook.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>

#include <fcgiapp.h>

#include "app/app-private.h"
#include "runtime/runtime-private.h"

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

/* One FastCGI request. A client that went away (a failed write) is not
 * an error worth a line. */
static void
fcgi_write(void *ctx, const char *data, size_t n)
{
	FCGX_Request *r = ctx;

	(void)FCGX_PutStr(data, (int)n, r->out);
}

static void
serve(ma_app *app, FCGX_Request *r)
{
	_ma_app_answer(app, r->envp, fcgi_read, r, fcgi_write, r);
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

	_ma_ops_worker_start(app);
	if (app->on_worker_start != NULL &&
	    !app->on_worker_start(app, app->on_worker_start_arg, &err)) {
		_ma_log("the worker cannot start: %s", err.message);
		return 1;
	}
	_ma_app_access_worker_start(app);
	if (FCGX_Init() != 0 || FCGX_InitRequest(&r, listen_fd, 0) != 0) {
		_ma_log("libfcgi cannot start");
		return 1;
	}
	if (!_ma_run_set_nonblocking(listen_fd, true)) {
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
	/* How to run it again, in the usage and its hint... */
	const char *command =
		argc > 0 && argv[0] != NULL ? argv[0] : "mongoalchemy";
	const ma_config *cfg;
	const char *name;
	ma_run_options opts;
	ma_error err;
	size_t i;

	/* ...and the one name of every line it writes: the application's,
	 * else the base name it was started under. */
	_ma_log_set_program(app->name != NULL ? app->name : command);
	name = _ma_log_program();
	if (!_ma_run_parse(argc, argv, &opts, &err)) {
		fprintf(stderr, "%s: %s\ntry '%s --help'\n", name, err.message,
			command);
		return 2;
	}
	if (opts.help) {
		printf("usage: %s [options]\n\n%s", command, _ma_run_usage());
		return 0;
	}
	if (opts.version) {
		printf("%s (mongoalchemy %s)\n", name, PACKAGE_VERSION);
		return 0;
	}
	/* A setup call that failed (a missing MONGOALCHEMY_DATABASE, a
	 * malformed route) stops here, before any socket is bound. */
	if (app->error.code != MA_OK) {
		fprintf(stderr, "%s: %s\n", name, app->error.message);
		return 2;
	}
	/* What a connection string makes ignored is said once, by the
	 * master, in mongoalchemy-config's words. */
	for (i = 0; i < app->ndbs; i++) {
		cfg = ma_db_config(app->dbs[i]);
		if (ma_config_ignored(cfg) != NULL)
			_ma_log("ignored: %s (%s_CONNECTION_STRING gives the "
				"whole URI)",
				ma_config_ignored(cfg), ma_config_prefix(cfg));
	}
	if (!_ma_app_access_ready(app, &err)) {
		fprintf(stderr, "%s: %s\n", name, err.message);
		return 2;
	}
	app->access_log = opts.access_log;
	app->log_json = opts.access_log_json;
	_ma_metrics_set_workers(app->metrics, opts.workers);
	return _ma_runtime_run(&opts, &hooks, name);
}
