/*
 * The worker runtime: the options, the --socket grammar, the log line,
 * and the master itself, run in a forked process on a Unix socket in a
 * temporary folder (no network): signals, replaced workers, inherited
 * sockets, refusals.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "app/app-private.h"
#include "runtime/runtime-private.h"

/* A NULL-terminated argv on the stack; argv[0] is the program. */
#define ARGS(...) ((char *[]){"app", __VA_ARGS__, NULL})
#define NO_ARGS ((char *[]){"app", NULL})

static int
count_args(char **argv)
{
	int n = 0;

	while (argv[n] != NULL)
		n++;
	return n;
}

static bool
parse(char **argv, ma_run_options *opts, ma_error *e)
{
	ma_error_clear(e);
	return _ma_run_parse(count_args(argv), argv, opts, e);
}

static bool
same_string(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Every field of got is want's; label names the case. */
static void
expect_same_options(const char *label, const ma_run_options *got,
		    const ma_run_options *want)
{
	cr_expect(same_string(got->socket, want->socket), "%s: socket %s",
		  label, got->socket != NULL ? got->socket : "NULL");
	cr_expect_eq(got->tcp, want->tcp, "%s: tcp", label);
	cr_expect_str_eq(got->host, want->host, "%s: host", label);
	cr_expect_eq(got->port, want->port, "%s: port %u", label, got->port);
	cr_expect_eq(got->workers, want->workers, "%s: workers %d", label,
		     got->workers);
	cr_expect(same_string(got->user, want->user), "%s: user %s", label,
		  got->user != NULL ? got->user : "NULL");
	cr_expect_eq(got->socket_mode, want->socket_mode, "%s: socket_mode %o",
		     label, (unsigned)got->socket_mode);
	cr_expect_eq(got->backlog, want->backlog, "%s: backlog %d", label,
		     got->backlog);
	cr_expect_eq(got->grace, want->grace, "%s: grace %d", label,
		     got->grace);
	cr_expect_eq(got->access_log, want->access_log, "%s: access_log",
		     label);
	cr_expect_eq(got->access_log_json, want->access_log_json,
		     "%s: access_log_json", label);
	cr_expect_eq(got->help, want->help, "%s: help", label);
	cr_expect_eq(got->version, want->version, "%s: version", label);
}

static void
expect_options(char **argv, const ma_run_options *want)
{
	ma_run_options got;
	ma_error e;
	const char *first = argv[1] != NULL ? argv[1] : "(none)";

	cr_assert(parse(argv, &got, &e), "%s: %s", first, e.message);
	expect_same_options(first, &got, want);
}

/* The defaults, with changes: OPTS(.workers = 4). A later designated
 * initializer overrides an earlier one (C11 6.7.9), which is the point. */
#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Woverride-init"
#endif
#define OPTS(...)                                                              \
	(&(ma_run_options){.workers = MA_RUN_DEFAULT_WORKERS,                  \
			   .socket_mode = 0660,                                \
			   .backlog = MA_RUN_DEFAULT_BACKLOG,                  \
			   .grace = MA_RUN_DEFAULT_GRACE,                      \
			   .access_log = true,                                 \
			   __VA_ARGS__})
#define DEFAULTS OPTS(.socket = NULL)

/* --- options -------------------------------------------------------------- */

Test(run_parse, no_arguments_give_the_defaults)
{
	expect_options(NO_ARGS, DEFAULTS);
	cr_expect_eq(DEFAULTS->workers, 2);
	cr_expect_eq(DEFAULTS->grace, 30);
	cr_expect_eq(DEFAULTS->backlog, 1024);
}

Test(run_parse, an_empty_argv_gives_the_defaults)
{
	ma_run_options got;
	ma_error e;
	char *argv[] = {NULL};

	cr_assert(_ma_run_parse(0, argv, &got, &e), "%s", e.message);
	expect_same_options("argc 0", &got, DEFAULTS);
}

Test(run_parse, every_option_in_the_separate_form)
{
	expect_options(ARGS("--socket", "/run/app.sock"),
		       OPTS(.socket = "/run/app.sock"));
	expect_options(ARGS("--socket", "127.0.0.1:9000"),
		       OPTS(.socket = "127.0.0.1:9000", .tcp = true,
			    .host = "127.0.0.1", .port = 9000));
	expect_options(ARGS("--workers", "8"), OPTS(.workers = 8));
	expect_options(ARGS("--user", "www"), OPTS(.user = "www"));
	expect_options(ARGS("--user", "www:web"), OPTS(.user = "www:web"));
	expect_options(ARGS("--socket-mode", "0600"),
		       OPTS(.socket_mode = 0600));
	expect_options(ARGS("--backlog", "64"), OPTS(.backlog = 64));
	expect_options(ARGS("--grace", "5"), OPTS(.grace = 5));
	expect_options(ARGS("--access-log"), OPTS(.access_log = true));
	expect_options(ARGS("--no-access-log"), OPTS(.access_log = false));
	expect_options(ARGS("--access-log-format", "json"),
		       OPTS(.access_log_json = true));
	expect_options(ARGS("--access-log-format", "text"),
		       OPTS(.access_log_json = false));
	expect_options(ARGS("--help"), OPTS(.help = true));
	expect_options(ARGS("--version"), OPTS(.version = true));
}

Test(run_parse, every_option_in_the_equals_form)
{
	expect_options(ARGS("--socket=/run/app.sock"),
		       OPTS(.socket = "/run/app.sock"));
	expect_options(ARGS("--socket=[::1]:9000"),
		       OPTS(.socket = "[::1]:9000", .tcp = true, .host = "::1",
			    .port = 9000));
	expect_options(ARGS("--workers=8"), OPTS(.workers = 8));
	expect_options(ARGS("--user=www:web"), OPTS(.user = "www:web"));
	expect_options(ARGS("--socket-mode=600"), OPTS(.socket_mode = 0600));
	expect_options(ARGS("--backlog=64"), OPTS(.backlog = 64));
	expect_options(ARGS("--grace=5"), OPTS(.grace = 5));
}

Test(run_parse, the_limits_are_accepted)
{
	expect_options(ARGS("--workers", "1"), OPTS(.workers = 1));
	expect_options(ARGS("--workers", "1024"), OPTS(.workers = 1024));
	expect_options(ARGS("--socket-mode", "0"), OPTS(.socket_mode = 0));
	expect_options(ARGS("--socket-mode", "0777"),
		       OPTS(.socket_mode = 0777));
	expect_options(ARGS("--socket-mode", "0000777"),
		       OPTS(.socket_mode = 0777));
	expect_options(ARGS("--backlog", "1"), OPTS(.backlog = 1));
	expect_options(ARGS("--backlog", "65535"), OPTS(.backlog = 65535));
	expect_options(ARGS("--grace", "0"), OPTS(.grace = 0));
	expect_options(ARGS("--grace", "3600"), OPTS(.grace = 3600));
	expect_options(ARGS("--socket", ":0"),
		       OPTS(.socket = ":0", .tcp = true, .port = 0));
	expect_options(ARGS("--socket", "[::1]:65535"),
		       OPTS(.socket = "[::1]:65535", .tcp = true, .host = "::1",
			    .port = 65535));
}

Test(run_parse, options_combine_and_the_last_one_wins)
{
	expect_options(
		ARGS("--workers", "3", "--socket=:9000", "--workers=5",
		     "--access-log", "--user", "app:www-data", "--grace", "10"),
		OPTS(.workers = 5, .socket = ":9000", .tcp = true, .port = 9000,
		     .access_log = true, .user = "app:www-data", .grace = 10));
	/* A later --socket replaces all of the earlier one. */
	expect_options(ARGS("--socket=[::1]:9000", "--socket", "/run/app.sock"),
		       OPTS(.socket = "/run/app.sock"));
}

Test(run_parse, a_lone_double_dash_ends_the_options)
{
	expect_options(ARGS("--workers", "3", "--"), OPTS(.workers = 3));
}

/* As GNU programs do: --help and --version end the reading. */
Test(run_parse, help_and_version_stop_the_reading)
{
	expect_options(ARGS("--help", "--bogus", "extra"), OPTS(.help = true));
	expect_options(ARGS("--workers=4", "--version", "--workers=0"),
		       OPTS(.workers = 4, .version = true));
}

typedef struct bad_case {
	char *args[4];
	const char *message;
} bad_case;

static const bad_case bad_cases[] = {
	/* numbers: whole strings of digits within their range */
	{{"--workers", "0"}, "--workers: must be a number from 1 to 1024"},
	{{"--workers=1025"}, "--workers: must be a number from 1 to 1024"},
	{{"--workers=-1"}, "--workers: must be a number from 1 to 1024"},
	{{"--workers=+4"}, "--workers: must be a number from 1 to 1024"},
	{{"--workers= 4"}, "--workers: must be a number from 1 to 1024"},
	{{"--workers=4x"}, "--workers: must be a number from 1 to 1024"},
	{{"--workers=0x10"}, "--workers: must be a number from 1 to 1024"},
	{{"--workers=99999999999999999999999"},
	 "--workers: must be a number from 1 to 1024"},
	{{"--workers", "two"}, "--workers: must be a number from 1 to 1024"},
	{{"--socket-mode=0778"},
	 "--socket-mode: must be an octal mode from 0 to 0777"},
	{{"--socket-mode=1777"},
	 "--socket-mode: must be an octal mode from 0 to 0777"},
	{{"--socket-mode=rw"},
	 "--socket-mode: must be an octal mode from 0 to 0777"},
	{{"--backlog=0"}, "--backlog: must be a number from 1 to 65535"},
	{{"--backlog=65536"}, "--backlog: must be a number from 1 to 65535"},
	{{"--grace=-1"}, "--grace: must be a number of seconds from 0 to 3600"},
	{{"--grace=3601"},
	 "--grace: must be a number of seconds from 0 to 3600"},
	{{"--grace=1.5"},
	 "--grace: must be a number of seconds from 0 to 3600"},
	/* --user */
	{{"--user=:www"}, "--user: must be USER or USER:GROUP"},
	{{"--user=app:"}, "--user: must be USER or USER:GROUP"},
	{{"--user=a:b:c"}, "--user: must be USER or USER:GROUP"},
	/* missing values */
	{{"--workers"}, "--workers: needs a value"},
	{{"--workers="}, "--workers: needs a value"},
	{{"--socket", "--workers", "4"}, "--socket: needs a value"},
	{{"--socket="}, "--socket: needs a value"},
	{{"--user", ""}, "--user: needs a value"},
	{{"--grace"}, "--grace: needs a value"},
	{{"--backlog"}, "--backlog: needs a value"},
	{{"--socket-mode"}, "--socket-mode: needs a value"},
	/* values where none is taken */
	{{"--access-log=yes"}, "--access-log: takes no value"},
	{{"--access-log-format", "xml"},
	 "--access-log-format: must be text or json"},
	{{"--access-log-format"}, "--access-log-format: needs a value"},
	{{"--help=1"}, "--help: takes no value"},
	{{"--version="}, "--version: takes no value"},
	/* what is not an option */
	{{"--frobnicate"}, "--frobnicate: unknown option"},
	{{"--frobnicate=3"}, "--frobnicate: unknown option"},
	{{"--work=4"}, "--work: unknown option"},
	{{"--Workers=4"}, "--Workers: unknown option"},
	{{"-w", "4"}, "-w: unknown option"},
	{{"-h"}, "-h: unknown option"},
	{{"extra"}, "extra: unexpected argument"},
	{{"-"}, "-: unexpected argument"},
	{{"--", "--workers=4"}, "--workers=4: unexpected argument"},
	{{"--workers", "4", "5"}, "5: unexpected argument"},
	/* the --socket grammar, checked before anything binds */
	{{"--socket=host:99999"},
	 "--socket: the port must be a number from 0 to 65535"},
	{{"--socket", "host:"},
	 "--socket: the port must be a number from 0 to 65535"},
	{{"--socket", "::1:9000"},
	 "--socket: an IPv6 address is written [ADDRESS]:PORT"},
	/* the first error is the one reported */
	{{"--workers=0", "--grace=-1"},
	 "--workers: must be a number from 1 to 1024"},
	{{"--bogus", "--help"}, "--bogus: unknown option"},
};

Test(run_parse, every_error_names_its_option)
{
	size_t i, j;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		char *argv[6] = {"app"};
		ma_run_options got;
		ma_error e;

		for (j = 0; j < 4 && bad_cases[i].args[j] != NULL; j++)
			argv[j + 1] = bad_cases[i].args[j];
		cr_expect_not(parse(argv, &got, &e), "%s %s accepted", argv[1],
			      argv[2] != NULL ? argv[2] : "");
		cr_expect_eq(e.code, MA_ERR_INVALID, "%s: code %s", argv[1],
			     ma_strerror(e.code));
		cr_expect_str_eq(e.message, bad_cases[i].message, "%s %s",
				 argv[1], argv[2] != NULL ? argv[2] : "");
	}
}

Test(run_parse, a_null_error_is_allowed)
{
	ma_run_options got;
	char **argv = ARGS("--workers=0");

	cr_expect_not(_ma_run_parse(2, argv, &got, NULL));
}

/* The help lists every option, and every option it lists is one. */
Test(run_parse, the_usage_text_and_the_options_agree)
{
	static const char *const names[] = {
		"--socket",
		"--workers",
		"--user",
		"--socket-mode",
		"--backlog",
		"--grace",
		"--access-log",
		"--help",
		"--version",
		"--no-access-log",
		"--access-log-format",
	};
	const char *usage = _ma_run_usage(), *p;
	char name[32];
	size_t i, n;
	int listed = 0;

	cr_assert_not_null(usage);
	cr_expect(strstr(usage, "mongoalchemy-fcgi(8)") != NULL);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		cr_expect(strstr(usage, names[i]) != NULL, "%s not listed",
			  names[i]);

	for (p = strstr(usage, "--"); p != NULL; p = strstr(p + n, "--")) {
		ma_run_options got;
		ma_error e;

		n = strspn(p, "-abcdefghijklmnopqrstuvwxyz");
		cr_assert_lt(n, sizeof(name));
		memcpy(name, p, n);
		name[n] = '\0';
		snprintf(name + n, sizeof(name) - n, "=1");
		if (!parse(ARGS(name), &got, &e))
			cr_expect(strstr(e.message, "unknown option") == NULL,
				  "usage lists %.*s: %s", (int)n, p, e.message);
		listed++;
	}
	cr_expect_geq(listed, 9);
}

/* --- the --socket grammar ------------------------------------------------- */

typedef struct socket_case {
	const char *arg;
	bool ok, tcp;
	const char *host;
	unsigned port;
	const char *message;
} socket_case;

#define IPV6_MSG "--socket: an IPv6 address is written [ADDRESS]:PORT"
#define PORT_MSG "--socket: the port must be a number from 0 to 65535"

static const socket_case socket_cases[] = {
	/* Unix socket paths: a '/', or no colon at all */
	{"/run/app.sock", true, false, "", 0, NULL},
	{"app.sock", true, false, "", 0, NULL},
	{"./host:9000", true, false, "", 0, NULL},
	{"/tmp/a:b", true, false, "", 0, NULL},
	/* TCP */
	{"localhost:9000", true, true, "localhost", 9000, NULL},
	{"127.0.0.1:80", true, true, "127.0.0.1", 80, NULL},
	{":9000", true, true, "", 9000, NULL},
	{":0", true, true, "", 0, NULL},
	{"host:65535", true, true, "host", 65535, NULL},
	{"host:0080", true, true, "host", 80, NULL},
	{"[::1]:9000", true, true, "::1", 9000, NULL},
	{"[::]:9000", true, true, "::", 9000, NULL},
	{"[fe80::1%eth0]:9000", true, true, "fe80::1%eth0", 9000, NULL},
	/* refused */
	{"", false, false, "", 0, "--socket: needs a value"},
	{"host:99999", false, false, "", 0, PORT_MSG},
	{"host:65536", false, false, "", 0, PORT_MSG},
	{"host:", false, false, "", 0, PORT_MSG},
	{":", false, false, "", 0, PORT_MSG},
	{"host:-1", false, false, "", 0, PORT_MSG},
	{"host: 80", false, false, "", 0, PORT_MSG},
	{"host:80x", false, false, "", 0, PORT_MSG},
	{"host:http", false, false, "", 0, PORT_MSG},
	{"[::1]:", false, false, "", 0, PORT_MSG},
	{"[::1]:123456", false, false, "", 0, PORT_MSG},
	{"::1:9000", false, false, "", 0, IPV6_MSG},
	{"::", false, false, "", 0, IPV6_MSG},
	{"[::1]", false, false, "", 0, IPV6_MSG},
	{"[::1]9000", false, false, "", 0, IPV6_MSG},
	{"[]:9000", false, false, "", 0, IPV6_MSG},
	{"[::1:9000", false, false, "", 0, IPV6_MSG},
};

Test(run_socket, addresses_are_split_or_refused)
{
	size_t i;

	for (i = 0; i < sizeof(socket_cases) / sizeof(socket_cases[0]); i++) {
		const socket_case *c = &socket_cases[i];
		char host[64] = "junk";
		unsigned port = 12345;
		bool tcp = true, ok;
		ma_error e;

		ma_error_clear(&e);
		ok = _ma_run_split_socket(c->arg, &tcp, host, sizeof(host),
					  &port, &e);
		cr_expect_eq(ok, c->ok, "'%s': %s", c->arg, e.message);
		if (!c->ok) {
			cr_expect_eq(e.code, MA_ERR_INVALID, "'%s'", c->arg);
			cr_expect_str_eq(e.message, c->message, "'%s'", c->arg);
			continue;
		}
		cr_expect_eq(tcp, c->tcp, "'%s': tcp %d", c->arg, tcp);
		cr_expect_str_eq(host, c->host, "'%s'", c->arg);
		cr_expect_eq(port, c->port, "'%s': port %u", c->arg, port);
	}
}

/* sun_path holds 107 bytes and a NUL: a longer path would be cut. */
Test(run_socket, a_path_must_fit_a_unix_address)
{
	struct sockaddr_un sa;
	char path[sizeof(sa.sun_path) + 1];
	char host[64];
	unsigned port;
	bool tcp;
	ma_error e;

	memset(path, 'a', sizeof(path));
	path[0] = '/';
	path[sizeof(sa.sun_path) - 1] = '\0';
	cr_expect(
		_ma_run_split_socket(path, &tcp, host, sizeof(host), &port, &e),
		"%s", e.message);
	cr_expect_not(tcp);

	path[sizeof(sa.sun_path) - 1] = 'a';
	path[sizeof(sa.sun_path)] = '\0';
	cr_expect_not(_ma_run_split_socket(path, &tcp, host, sizeof(host),
					   &port, &e));
	cr_expect_str_eq(e.message,
			 "--socket: a Unix socket path has at most 107 bytes");
}

Test(run_socket, a_host_must_fit_its_buffer)
{
	char host[8];
	unsigned port;
	bool tcp;
	ma_error e;

	cr_expect(_ma_run_split_socket("1234567:80", &tcp, host, sizeof(host),
				       &port, &e),
		  "%s", e.message);
	cr_expect_str_eq(host, "1234567");
	cr_expect_not(_ma_run_split_socket("12345678:80", &tcp, host,
					   sizeof(host), &port, &e));
	cr_expect_str_eq(e.message, "--socket: the host name is too long");
}

/* --- the log line --------------------------------------------------------- */

/* Runs fn with stderr going to a pipe; returns what it wrote. */
static size_t
capture_stderr(void (*fn)(void), char *out, size_t size)
{
	int fds[2], saved;
	ssize_t n;
	size_t len = 0;

	cr_assert_eq(pipe(fds), 0);
	saved = dup(STDERR_FILENO);
	cr_assert_geq(saved, 0);
	dup2(fds[1], STDERR_FILENO);
	close(fds[1]);
	fn();
	dup2(saved, STDERR_FILENO);
	close(saved);
	while (len + 1 < size &&
	       (n = read(fds[0], out + len, size - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(fds[0]);
	return len;
}

static void
log_hello(void)
{
	_ma_log("hello %d", 42);
}

static void
log_long(void)
{
	char big[5000];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	_ma_log("%s", big);
}

static void
run_without_worker(void)
{
	ma_runtime_hooks hooks = {.worker = NULL};

	cr_expect_eq(_ma_runtime_run(DEFAULTS, &hooks, "/usr/bin/library"), 1);
	_ma_log("after");
}

Test(run_log, a_line_is_program_pid_and_message)
{
	char out[256], want[256];

	capture_stderr(log_hello, out, sizeof(out));
	snprintf(want, sizeof(want), "mongoalchemy[%ld]: hello 42\n",
		 (long)getpid());
	cr_expect_str_eq(out, want);
}

Test(run_log, a_long_message_is_one_cut_line)
{
	char out[8192];
	size_t len = capture_stderr(log_long, out, sizeof(out));

	cr_expect_eq(len, 2047);
	cr_expect_eq(out[len - 1], '\n');
	cr_expect_null(memchr(out, '\n', len - 1));
}

Test(run_log, the_runtime_names_the_program_after_argv0)
{
	char out[256], want[256];
	long pid = (long)getpid();

	capture_stderr(run_without_worker, out, sizeof(out));
	snprintf(want, sizeof(want),
		 "library[%ld]: no worker to run\nlibrary[%ld]: after\n", pid,
		 pid);
	cr_expect_str_eq(out, want);
}

/* --- the master, in a forked process -------------------------------------- */

/* REFUSED: the test expects the master to stop while still root (when it
 * is root), before any fork. */
enum worker_mode { SERVE, SERVE_FCGI, CRASH, REFUSED };

/*
 * What the workers of a test do: SERVE answers each connection's one
 * byte with "<pid>\n"; SERVE_FCGI is an application's worker
 * (app/worker.c), answering a FastCGI GET / with its pid; CRASH exits with
 * status 3 at once. Each worker reports on the events pipe: "S pid uid
 * fd env" when it starts (env: 1 if LISTEN_FDS is still set), "A pid"
 * when it has accepted a connection, "E pid" when it leaves.
 */
typedef struct rt {
	char dir[64], sock[96], log[96];
	int events;   /* read end, in the test */
	int events_w; /* write end, in the workers */
	enum worker_mode mode;
	bool slow_stop; /* workers take 300 ms to leave */
	bool fail_start;
	pid_t master; /* until reaped */
	pid_t group;  /* the master's process group, with its workers */
	uid_t uid;    /* the user the workers run as */
	char *argv[16];
	int argc;
} rt;

static void event(int fd, const char *fmt, ...) MA_PRINTF(2, 3);

static void
event(int fd, const char *fmt, ...)
{
	char line[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One write, shorter than PIPE_BUF: lines of several workers never
	 * mix. */
	if (n > 0 && write(fd, line, (size_t)n) < 0)
		_exit(99);
}

static void
answer_pid(ma_request *req, ma_response *res, void *arg)
{
	char pid[24];

	(void)req;
	(void)arg;
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	ma_response_json(res, 200, pid, strlen(pid));
}

/* An application's worker (app/worker.c) answering GET / with its pid:
 * libfcgi reads each request itself. */
static int
fcgi_worker(rt *t, int listen_fd, volatile sig_atomic_t *stop)
{
	ma_app *app = ma_app_new(NULL, NULL);
	int status;

	cr_assert(ma_app_route(app, MA_GET, "/", answer_pid, NULL, NULL));
	status = _ma_app_worker(app, listen_fd, stop);
	ma_app_destroy(app);
	event(t->events_w, "E %ld\n", (long)getpid());
	return status;
}

static int
test_worker(void *ctx, int listen_fd, volatile sig_atomic_t *stop)
{
	rt *t = ctx;
	char byte;
	int conn;

	event(t->events_w, "S %ld %ld %d %d\n", (long)getpid(), (long)getuid(),
	      listen_fd, getenv("LISTEN_FDS") != NULL);
	if (t->mode == SERVE_FCGI)
		return fcgi_worker(t, listen_fd, stop);
	if (t->mode != SERVE)
		return 3;
	while (!*stop) {
		conn = accept(listen_fd, NULL, NULL);
		if (conn < 0)
			break;
		event(t->events_w, "A %ld\n", (long)getpid());
		/* A SIGTERM here must not cut this read short. */
		if (read(conn, &byte, 1) == 1)
			dprintf(conn, "%ld\n", (long)getpid());
		else
			dprintf(conn, "read failed: %s\n", strerror(errno));
		close(conn);
	}
	if (t->slow_stop)
		nanosleep(&(struct timespec){0, 300 * 1000000}, NULL);
	event(t->events_w, "E %ld\n", (long)getpid());
	return 0;
}

static bool
test_start(void *ctx, ma_error *error)
{
	rt *t = ctx;

	if (t->fail_start) {
		_ma_error_set(error, MA_ERR_CONFIG, "seed data refused");
		return false;
	}
	return true;
}

/* One per test process; the suite's fini cleans up whatever a failed
 * assertion left running. */
static rt the_rt;

static rt *
rt_new(enum worker_mode mode)
{
	rt *t = &the_rt;
	struct passwd *pw = NULL;

	memset(t, 0, sizeof(*t));
	t->events = -1;
	t->mode = mode;
	t->master = -1;
	t->argv[t->argc++] = "rt";
	t->uid = getuid();

	/* Root must name a user to drop to; that user must be able to
	 * remove the socket from the folder. */
	if (geteuid() == 0) {
		pw = getpwnam("nobody");
		if (pw == NULL)
			cr_skip_test("running as root without a 'nobody' user");
		t->uid = pw->pw_uid;
		t->argv[t->argc++] = "--user";
		t->argv[t->argc++] = "nobody";
	}

	snprintf(t->dir, sizeof(t->dir), "/tmp/ma-runtime-XXXXXX");
	cr_assert_not_null(mkdtemp(t->dir));
	snprintf(t->sock, sizeof(t->sock), "%.40s/s.sock", t->dir);
	snprintf(t->log, sizeof(t->log), "%.40s/log", t->dir);
	if (pw != NULL)
		cr_assert_eq(chown(t->dir, pw->pw_uid, pw->pw_gid), 0);
	return t;
}

static void
rt_arg(rt *t, char *arg)
{
	cr_assert_lt(t->argc, 15);
	t->argv[t->argc++] = arg;
	t->argv[t->argc] = NULL;
}

/* rt_new(), listening on the Unix socket in its folder. */
static rt *
rt_on_socket(enum worker_mode mode)
{
	rt *t = rt_new(mode);

	rt_arg(t, "--socket");
	rt_arg(t, t->sock);
	return t;
}

/*
 * Forks the master. prepare, when given, runs in the forked process first
 * (to hand it an inherited socket).
 */
static void
rt_start(rt *t, void (*prepare)(rt *))
{
	ma_runtime_hooks hooks = {
		.master_start = test_start, .worker = test_worker, .ctx = t};
	ma_run_options opts;
	ma_error e;
	int fds[2], log;
	pid_t parent;

	t->argv[t->argc] = NULL;
	cr_assert(_ma_run_parse(t->argc, t->argv, &opts, &e), "%s", e.message);
	cr_assert_eq(pipe(fds), 0);
	t->events = fds[0];
	t->events_w = fds[1];
	log = open(t->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	cr_assert_geq(log, 0);

	parent = getpid();
	t->master = fork();
	cr_assert_geq(t->master, 0);
	if (t->master == 0) {
		/* A group to end in one kill; and no master outliving a test
		 * that crashed or timed out. */
		setpgid(0, 0);
#ifdef __linux__
		prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
		if (getppid() != parent)
			_exit(98);
		close(t->events);
		dup2(log, STDERR_FILENO);
		if (prepare != NULL)
			prepare(t);
		_exit(_ma_runtime_run(&opts, &hooks, t->argv[0]));
	}
	t->group = t->master;
	/* Both sides: the test must not signal the group before it exists. */
	setpgid(t->master, t->master);
	close(log);
	close(t->events_w);
}

/* The next event line, or false after timeout_ms without one. */
static bool
rt_event(rt *t, char *line, size_t size, int timeout_ms)
{
	struct pollfd p = {.fd = t->events, .events = POLLIN};
	size_t len = 0;
	char c;

	while (len + 1 < size) {
		if (poll(&p, 1, timeout_ms) != 1 || read(t->events, &c, 1) != 1)
			return false;
		if (c == '\n')
			break;
		line[len++] = c;
	}
	line[len] = '\0';
	return true;
}

/* The next event, which must be of kind; its pid. */
static long
rt_expect(rt *t, char kind, int timeout_ms)
{
	char line[128];
	long pid = 0;

	cr_assert(rt_event(t, line, sizeof(line), timeout_ms),
		  "no '%c' event within %d ms", kind, timeout_ms);
	cr_assert_eq(line[0], kind, "expected '%c', got '%s'", kind, line);
	cr_assert_eq(sscanf(line + 2, "%ld", &pid), 1, "'%s'", line);
	return pid;
}

typedef struct start_event {
	long pid, uid;
	int fd;	 /* the listening descriptor the worker was given */
	int env; /* 1: LISTEN_FDS reached it */
} start_event;

/* The next event, which must be a worker's start. */
static start_event
rt_expect_start(rt *t, int timeout_ms)
{
	char line[128];
	start_event s;

	cr_assert(rt_event(t, line, sizeof(line), timeout_ms),
		  "no worker within %d ms", timeout_ms);
	cr_assert_eq(
		sscanf(line, "S %ld %ld %d %d", &s.pid, &s.uid, &s.fd, &s.env),
		4, "%s", line);
	return s;
}

/*
 * No event left, and the pipe at its end: every process that could write
 * one (the master and every worker it forked) has gone.
 */
static void
rt_expect_no_more(rt *t)
{
	struct pollfd p = {.fd = t->events, .events = POLLIN};
	char c = 0;

	cr_assert_eq(poll(&p, 1, 3000), 1, "a worker outlives its master");
	cr_expect_eq(read(t->events, &c, 1), 0, "one more event: '%c...'", c);
}

/* The master's exit status; fails after timeout_ms. */
static int
rt_wait(rt *t, int timeout_ms)
{
	int status, waited;
	pid_t pid;

	for (waited = 0; waited < timeout_ms; waited += 10) {
		pid = waitpid(t->master, &status, WNOHANG);
		if (pid == t->master) {
			t->master = -1;
			cr_assert(WIFEXITED(status), "master status %d",
				  status);
			return WEXITSTATUS(status);
		}
		nanosleep(&(struct timespec){0, 10 * 1000000}, NULL);
	}
	cr_assert_fail("the master did not exit within %d ms", timeout_ms);
	return -1;
}

static bool
log_has(const rt *t, const char *text)
{
	char buf[8192];
	ssize_t n;
	int fd = open(t->log, O_RDONLY);

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return strstr(buf, text) != NULL;
}

/*
 * SIGTERM to the master: n workers leave, the master exits 0 and leaves
 * no process behind.
 */
static void
rt_stop(rt *t, int n)
{
	int i;

	kill(t->master, SIGTERM);
	for (i = 0; i < n; i++)
		rt_expect(t, 'E', 3000);
	cr_expect_eq(rt_wait(t, 3000), 0);
	rt_expect_no_more(t);
}

/*
 * Ends what the test started, whatever state an assertion left it in: the
 * master and its workers are a process group of their own. A group id is
 * not reused while a member lives, so killing it after the master was
 * reaped only reaches our workers.
 */
static void
rt_cleanup(void)
{
	rt *t = &the_rt;
	char buf[128];
	int waited;

	if (t->group > 0 && t->master > 0) {
		kill(-t->group, SIGKILL);
		waitpid(t->master, NULL, 0);
		t->master = -1;
	}
	if (t->events >= 0) {
		/* The pipe ends when the last worker has gone. */
		for (waited = 0; waited < 2000; waited += 100) {
			struct pollfd p = {.fd = t->events, .events = POLLIN};

			if (poll(&p, 1, 100) == 1 &&
			    read(t->events, buf, sizeof(buf)) <= 0)
				break;
		}
		if (waited >= 2000 && t->group > 0)
			kill(-t->group, SIGKILL);
		close(t->events);
		t->events = -1;
	}
	if (t->dir[0] != '\0') {
		unlink(t->sock);
		unlink(t->log);
		rmdir(t->dir);
		t->dir[0] = '\0';
	}
}

TestSuite(runtime, .fini = rt_cleanup, .timeout = 10);

static int
connect_to(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	cr_assert_geq(fd, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0,
		     "connect %s: %s", path, strerror(errno));
	return fd;
}

/* Sends the one byte of a request; returns the answer. */
static void
request(int fd, char *answer, size_t size)
{
	ssize_t n;

	/* A worker that hung up must fail the test, not kill it. */
	cr_assert_eq(send(fd, "x", 1, MSG_NOSIGNAL), 1, "send: %s",
		     strerror(errno));
	n = read(fd, answer, size - 1);
	cr_assert_gt(n, 0, "no answer");
	answer[n] = '\0';
	close(fd);
}

/* A socket bound at path, listening when backlog > 0; -1 on failure
 * (with errno). Also runs in the forked master: it asserts nothing. */
static int
bind_unix(const char *path, int backlog)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0), saved;

	if (fd < 0)
		return -1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    (backlog > 0 && listen(fd, backlog) != 0)) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

static bool
path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

Test(runtime, sigterm_lets_the_request_in_flight_finish)
{
	char answer[64], want[64];
	long a, b, busy, idle;
	int fd;
	rt *t;

	t = rt_on_socket(SERVE);
	rt_start(t, NULL);
	a = rt_expect(t, 'S', 3000);
	b = rt_expect(t, 'S', 3000);
	cr_expect(path_exists(t->sock));

	/* One worker holds a request whose body is not there yet. */
	fd = connect_to(t->sock);
	busy = rt_expect(t, 'A', 3000);
	cr_assert(busy == a || busy == b);
	idle = busy == a ? b : a;
	kill(t->master, SIGTERM);

	/* The idle one stops at once: its accept() is broken off. */
	cr_expect_eq(rt_expect(t, 'E', 3000), idle);

	/* The busy one still answers, then stops. */
	request(fd, answer, sizeof(answer));
	snprintf(want, sizeof(want), "%ld\n", busy);
	cr_expect_str_eq(answer, want);
	cr_expect_eq(rt_expect(t, 'E', 3000), busy);

	cr_expect_eq(rt_wait(t, 3000), 0);
	rt_expect_no_more(t);
	cr_expect_not(path_exists(t->sock), "the socket is still there");
	cr_expect(log_has(t, "stopping 2 workers"));
}

/*
 * Connections queued on the socket, accepted by no worker yet, when the
 * master gets SIGTERM: their clients sent their requests before the stop,
 * and closing the socket would reset them. The socket file goes at once,
 * so that nothing new can come; the worker goes on to take what is queued,
 * and only then is it told to stop.
 */
Test(runtime, sigterm_answers_the_connections_queued_on_the_socket)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char answer[64], want[64];
	int held, queued[3], late;
	long worker;
	size_t i;
	rt *t;

	t = rt_on_socket(SERVE);
	rt_arg(t, "--workers");
	rt_arg(t, "1");
	rt_start(t, NULL);
	worker = rt_expect(t, 'S', 3000);

	/* The one worker holds a request whose byte is not there yet; three
	 * more connections wait in the listen queue. */
	held = connect_to(t->sock);
	cr_assert_eq(rt_expect(t, 'A', 3000), worker);
	for (i = 0; i < 3; i++)
		queued[i] = connect_to(t->sock);
	kill(t->master, SIGTERM);

	/* No new connection from now on. */
	for (i = 0; i < 300 && path_exists(t->sock); i++)
		nanosleep(&(struct timespec){0, 10 * 1000000}, NULL);
	cr_assert_not(path_exists(t->sock), "the socket file is still there");
	late = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", t->sock);
	cr_expect_neq(connect(late, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_expect_eq(errno, ENOENT, "connect after the stop: %s",
		     strerror(errno));
	close(late);

	/* Every request sent before the stop is answered. */
	snprintf(want, sizeof(want), "%ld\n", worker);
	request(held, answer, sizeof(answer));
	cr_expect_str_eq(answer, want, "the held request");
	for (i = 0; i < 3; i++) {
		cr_assert_eq(rt_expect(t, 'A', 3000), worker, "queued %zu", i);
		request(queued[i], answer, sizeof(answer));
		cr_expect_str_eq(answer, want, "queued request %zu", i);
	}
	cr_expect_eq(rt_expect(t, 'E', 3000), worker);
	cr_expect_eq(rt_wait(t, 3000), 0);
	rt_expect_no_more(t);
}

/* A FastCGI record header: version 1, type, request 1, length. */
static size_t
fcgi_record(unsigned char *out, int type, const void *content, size_t len)
{
	unsigned char h[8] = {1,
			      (unsigned char)type,
			      0,
			      1,
			      (unsigned char)(len >> 8),
			      (unsigned char)len,
			      0,
			      0};

	memcpy(out, h, 8);
	if (len > 0)
		memcpy(out + 8, content, len);
	return 8 + len;
}

/* A whole FastCGI GET request: BEGIN_REQUEST (responder, close the
 * connection after), one parameter, end of params, end of stdin. */
static size_t
fcgi_get(unsigned char *out)
{
	static const unsigned char begin[8] = {0, 1, 0, 0, 0, 0, 0, 0};
	static const unsigned char param[] = "\x0e\x03REQUEST_METHODGET"
					     "\x11\x02HTTP_X_REQUEST_IDr1";
	size_t n = 0;

	n += fcgi_record(out + n, 1, begin, sizeof(begin));
	n += fcgi_record(out + n, 4, param, sizeof(param) - 1);
	n += fcgi_record(out + n, 4, NULL, 0);
	n += fcgi_record(out + n, 5, NULL, 0);
	return n;
}

/*
 * The worker has accepted a connection whose request has not arrived yet
 * when SIGTERM comes: libfcgi must still read it and answer. (A signal in
 * libfcgi's wait for a Unix socket's first bytes made it drop the
 * connection, and the front end answered 502 or 503.)
 */
Test(runtime, sigterm_lets_an_accepted_fastcgi_request_be_read_and_answered)
{
	unsigned char req[128], answer[512];
	char want[128], pid[24];
	size_t len, got = 0;
	ssize_t n;
	long worker;
	int fd;
	rt *t;

	t = rt_on_socket(SERVE_FCGI);
	rt_arg(t, "--workers");
	rt_arg(t, "1");
	rt_start(t, NULL);
	worker = rt_expect_start(t, 3000).pid;

	/* Connected: the idle worker accepts at once and waits in libfcgi
	 * for the request's records. */
	fd = connect_to(t->sock);
	nanosleep(&(struct timespec){0, 200 * 1000000}, NULL);
	kill(t->master, SIGTERM);
	nanosleep(&(struct timespec){0, 200 * 1000000}, NULL);

	len = fcgi_get(req);
	cr_assert_eq(send(fd, req, len, MSG_NOSIGNAL), (ssize_t)len, "send: %s",
		     strerror(errno));
	while (got < sizeof(answer) - 1 &&
	       (n = read(fd, answer + got, sizeof(answer) - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	answer[got] = '\0';
	/* The first record is the answer on stdout (type 6). */
	cr_assert_gt(got, 8, "the request was dropped: no answer");
	cr_expect_eq(answer[1], 6, "record type %d", answer[1]);
	snprintf(pid, sizeof(pid), "%ld", worker);
	snprintf(want, sizeof(want),
		 "Status: 200 OK\r\nContent-Type: application/json\r\n"
		 "X-Request-Id: r1\r\nContent-Length: %zu\r\n\r\n%s",
		 strlen(pid), pid);
	cr_expect_eq(memcmp(answer + 8, want, strlen(want)), 0, "answer: %.*s",
		     (int)(got - 8), answer + 8);

	cr_expect_eq(rt_expect(t, 'E', 3000), worker);
	cr_expect_eq(rt_wait(t, 3000), 0);
	rt_expect_no_more(t);
}

Test(runtime, workers_run_as_the_user_and_serve)
{
	char answer[64], want[64];
	struct stat st;
	start_event s;
	rt *t;

	t = rt_on_socket(SERVE);
	rt_arg(t, "--workers=1");
	rt_arg(t, "--socket-mode=0600");
	rt_start(t, NULL);
	s = rt_expect_start(t, 3000);
	cr_expect_eq(s.uid, (long)t->uid);

	cr_assert_eq(lstat(t->sock, &st), 0);
	cr_expect(S_ISSOCK(st.st_mode));
	cr_expect_eq(st.st_mode & 0777, 0600, "mode %o", st.st_mode & 0777);
	cr_expect_eq(st.st_uid, t->uid);

	request(connect_to(t->sock), answer, sizeof(answer));
	snprintf(want, sizeof(want), "%ld\n", s.pid);
	cr_expect_str_eq(answer, want);

	kill(t->master, SIGINT);
	cr_expect_eq(rt_expect(t, 'A', 3000), s.pid);
	cr_expect_eq(rt_expect(t, 'E', 3000), s.pid);
	cr_expect_eq(rt_wait(t, 3000), 0);
	rt_expect_no_more(t);
}

Test(runtime, the_default_socket_mode_is_0660)
{
	struct stat st;
	rt *t;

	t = rt_on_socket(SERVE);
	rt_arg(t, "--workers=1");
	rt_start(t, NULL);
	rt_expect(t, 'S', 3000);
	cr_assert_eq(lstat(t->sock, &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0660, "mode %o", st.st_mode & 0777);
	rt_stop(t, 1);
}

Test(runtime, a_killed_worker_is_replaced)
{
	char text[64];
	long a, b, c;
	rt *t;

	t = rt_on_socket(SERVE);
	rt_start(t, NULL);
	a = rt_expect(t, 'S', 3000);
	b = rt_expect(t, 'S', 3000);

	kill((pid_t)a, SIGKILL);
	c = rt_expect(t, 'S', 3000);
	cr_expect_neq(c, a);
	cr_expect_neq(c, b);

	rt_stop(t, 2);
	snprintf(text, sizeof(text), "worker %ld killed by signal 9", a);
	cr_expect(log_has(t, text), "no '%s' in the log", text);
}

Test(runtime, sighup_replaces_the_workers_one_by_one)
{
	char line[128];
	long a, b, pid, started[2], ended[2];
	int n_started = 0, n_ended = 0, i;
	rt *t;

	t = rt_on_socket(SERVE);
	t->slow_stop = true;
	rt_start(t, NULL);
	a = rt_expect(t, 'S', 3000);
	b = rt_expect(t, 'S', 3000);

	kill(t->master, SIGHUP);
	for (i = 0; i < 4; i++) {
		cr_assert(rt_event(t, line, sizeof(line), 3000),
			  "event %d missing", i);
		cr_assert_eq(sscanf(line + 2, "%ld", &pid), 1);
		if (line[0] == 'S') {
			/* The second new one only once an old one is gone. */
			cr_expect(n_started == 0 || n_ended >= 1,
				  "two new workers before an old one left");
			cr_assert_lt(n_started, 2);
			started[n_started++] = pid;
			/* A stray wake-up of the master changes nothing. */
			kill(t->master, SIGCHLD);
		} else {
			cr_assert_eq(line[0], 'E', "%s", line);
			cr_assert_lt(n_ended, 2);
			ended[n_ended++] = pid;
		}
	}
	cr_assert_eq(n_started, 2);
	cr_assert_eq(n_ended, 2);
	cr_expect((ended[0] == a && ended[1] == b) ||
		  (ended[0] == b && ended[1] == a));
	for (i = 0; i < 2; i++)
		cr_expect(started[i] != a && started[i] != b);
	cr_expect_neq(started[0], started[1]);

	rt_stop(t, 2);
}

/*
 * Workers that die as they start: the first is replaced at once, the
 * next a second later (then 2 s, 3 s... up to 10 s), not in a fork storm.
 */
Test(runtime, workers_dying_at_start_are_restarted_slower)
{
	char line[128];
	rt *t;

	t = rt_on_socket(CRASH);
	rt_arg(t, "--workers=1");
	rt_start(t, NULL);
	rt_expect(t, 'S', 3000);
	rt_expect(t, 'S', 500);
	cr_expect_not(rt_event(t, line, sizeof(line), 700),
		      "a third start within 700 ms: %s", line);
	rt_expect(t, 'S', 1000);

	rt_stop(t, 0);
	cr_expect(log_has(t, "exited with status 3"));
	cr_expect(log_has(t, "next start in 1 s"));
}

Test(runtime, workers_stop_when_the_master_dies)
{
#ifdef __linux__
	long a, b, e1, e2;
	rt *t;

	t = rt_on_socket(SERVE);
	rt_start(t, NULL);
	a = rt_expect(t, 'S', 3000);
	b = rt_expect(t, 'S', 3000);
	kill(t->master, SIGKILL);
	waitpid(t->master, NULL, 0);
	t->master = -1;
	e1 = rt_expect(t, 'E', 3000);
	e2 = rt_expect(t, 'E', 3000);
	cr_expect((e1 == a && e2 == b) || (e1 == b && e2 == a));
	rt_expect_no_more(t);
#else
	cr_skip_test("the parent-death signal is Linux's");
#endif
}

Test(runtime, a_failed_start_exits_1_before_any_fork)
{
	rt *t;

	t = rt_on_socket(SERVE);
	t->fail_start = true;
	rt_start(t, NULL);
	cr_expect_eq(rt_wait(t, 3000), 1);
	rt_expect_no_more(t);
	cr_expect(log_has(t, "start failed: seed data refused"));
	cr_expect_not(path_exists(t->sock));
}

/* Root without --user is refused; anyone else may not name another. */
Test(runtime, privileges_are_checked_before_any_fork)
{
	rt *t;

	t = rt_new(REFUSED);
	t->argc = 1;
	rt_arg(t, "--socket");
	rt_arg(t, t->sock);
	if (geteuid() != 0) {
		rt_arg(t, "--user");
		rt_arg(t, "root");
	}
	rt_start(t, NULL);
	cr_expect_eq(rt_wait(t, 3000), 1);
	rt_expect_no_more(t);
	if (geteuid() == 0)
		cr_expect(log_has(t, "refusing to run as root: give --user"));
	else
		cr_expect(log_has(t, "--user root: only root can switch "
				     "users"));
	cr_expect_not(path_exists(t->sock));
}

Test(runtime, root_is_refused_as_the_user)
{
	rt *t;

	if (geteuid() != 0)
		cr_skip_test("only root can try --user root");
	t = rt_new(REFUSED);
	t->argc = 1;
	rt_arg(t, "--socket");
	rt_arg(t, t->sock);
	rt_arg(t, "--user=root");
	rt_start(t, NULL);
	cr_expect_eq(rt_wait(t, 3000), 1);
	rt_expect_no_more(t);
	cr_expect(log_has(t, "--user root: refusing to run as root"));
	cr_expect_not(path_exists(t->sock));
}

Test(runtime, a_stale_socket_is_replaced)
{
	char answer[64], want[64];
	long pid;
	int fd;
	rt *t;

	t = rt_on_socket(SERVE);
	rt_arg(t, "--workers=1");

	/* What a killed master leaves: a socket file nobody listens on. */
	fd = bind_unix(t->sock, 0);
	cr_assert_geq(fd, 0, "%s: %s", t->sock, strerror(errno));
	close(fd);

	rt_start(t, NULL);
	pid = rt_expect(t, 'S', 3000);

	/* The path now leads to our worker. */
	request(connect_to(t->sock), answer, sizeof(answer));
	snprintf(want, sizeof(want), "%ld\n", pid);
	cr_expect_str_eq(answer, want);
	cr_expect_eq(rt_expect(t, 'A', 3000), pid);

	rt_stop(t, 1);
	cr_expect_not(path_exists(t->sock), "the socket is still there");
}

Test(runtime, a_file_that_is_not_a_socket_is_left_alone)
{
	struct stat st;
	int fd;
	rt *t;

	t = rt_on_socket(REFUSED);
	fd = open(t->sock, O_WRONLY | O_CREAT, 0644);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "data", 4), 4);
	close(fd);

	rt_start(t, NULL);
	cr_expect_eq(rt_wait(t, 3000), 1);
	rt_expect_no_more(t);
	cr_expect(log_has(t, "exists and is not a socket"));
	cr_assert_eq(lstat(t->sock, &st), 0);
	cr_expect(S_ISREG(st.st_mode));
	cr_expect_eq(st.st_size, 4);
}

Test(runtime, a_live_socket_is_not_taken_over)
{
	int fd;
	rt *t;

	t = rt_on_socket(REFUSED);
	fd = bind_unix(t->sock, 4);
	cr_assert_geq(fd, 0, "%s: %s", t->sock, strerror(errno));

	rt_start(t, NULL);
	cr_expect_eq(rt_wait(t, 3000), 1);
	rt_expect_no_more(t);
	cr_expect(log_has(t, "another process is listening on it"));

	/* Still the other process's: the path leads to its socket. */
	close(connect_to(t->sock));
	close(fd);
}

/* A listening socket made in the forked master, moved to fd target. */
static void
inherit_on(rt *t, int target)
{
	int fd = bind_unix(t->sock, 8);

	if (fd < 0 || chmod(t->sock, 0666) != 0)
		_exit(97);
	if (fd != target) {
		dup2(fd, target);
		close(fd);
	}
}

static void
inherit_systemd(rt *t)
{
	char pid[32];

	inherit_on(t, 3);
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	setenv("LISTEN_PID", pid, 1);
	setenv("LISTEN_FDS", "1", 1);
}

static void
inherit_stdin(rt *t)
{
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	inherit_on(t, STDIN_FILENO);
}

static void
inherit_nothing(rt *t)
{
	int fd = open("/dev/null", O_RDONLY);

	(void)t;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	dup2(fd, STDIN_FILENO);
	close(fd);
}

static void
expect_inherited(void (*prepare)(rt *), int want_fd)
{
	char answer[64], want[64];
	start_event s;
	rt *t;

	t = rt_new(SERVE);
	rt_arg(t, "--workers=1");
	rt_start(t, prepare);
	s = rt_expect_start(t, 3000);
	cr_expect_eq(s.fd, want_fd);
	cr_expect_eq(s.env, 0, "LISTEN_FDS reached the worker");

	request(connect_to(t->sock), answer, sizeof(answer));
	snprintf(want, sizeof(want), "%ld\n", s.pid);
	cr_expect_str_eq(answer, want);
	rt_expect(t, 'A', 3000);

	kill(t->master, SIGTERM);
	cr_expect_eq(rt_expect(t, 'E', 3000), s.pid);
	cr_expect_eq(rt_wait(t, 3000), 0);
	rt_expect_no_more(t);
	cr_expect(log_has(t, "(inherited)"));
	/* Not ours to remove: whoever made it does. */
	cr_expect(path_exists(t->sock));
}

Test(runtime, a_systemd_socket_is_served)
{
	expect_inherited(inherit_systemd, 3);
}

Test(runtime, a_socket_on_stdin_is_served)
{
	expect_inherited(inherit_stdin, STDIN_FILENO);
}

Test(runtime, no_socket_at_all_exits_1)
{
	rt *t;

	t = rt_new(REFUSED);
	rt_start(t, inherit_nothing);
	cr_expect_eq(rt_wait(t, 3000), 1);
	rt_expect_no_more(t);
	cr_expect(log_has(t, "no --socket given and no inherited socket"));
}

/* A worker still busy when the grace period ends is killed. */
Test(runtime, grace_zero_kills_a_busy_worker_at_once)
{
	char answer[8], text[64];
	long busy;
	int fd;
	rt *t;

	t = rt_on_socket(SERVE);
	rt_arg(t, "--workers=1");
	rt_arg(t, "--grace=0");
	rt_start(t, NULL);
	rt_expect(t, 'S', 3000);
	fd = connect_to(t->sock);
	busy = rt_expect(t, 'A', 3000);
	kill(t->master, SIGTERM);
	cr_expect_eq(rt_wait(t, 3000), 0);
	rt_expect_no_more(t);

	/* Killed mid-request: the connection ends without an answer. */
	cr_expect_leq(read(fd, answer, sizeof(answer)), 0);
	close(fd);
	snprintf(text, sizeof(text), "worker %ld killed by signal 9", busy);
	cr_expect(log_has(t, text), "no '%s' in the log", text);
}
