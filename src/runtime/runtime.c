/*
 * The worker runtime: what spawn-fcgi and gunicorn do for other stacks.
 *
 * The master parses the worker options, binds (or inherits) the listening
 * socket, leaves root for good, then forks the workers and supervises
 * them: a worker that dies is replaced (with a back-off when they die as
 * they start), SIGHUP replaces them one by one, SIGTERM and SIGINT let
 * them answer what was sent before (take_queued()), stop them and end the
 * program. The master serves no request and opens no
 * database client: everything a worker needs is created after the fork.
 */

/* initgroups() and setgroups() are not POSIX; glibc hides them otherwise. */
#define _DEFAULT_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <time.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <fcgiapp.h>

#include "runtime/runtime-private.h"

#define BACKLOG_MAX 65535
#define GRACE_MAX 3600
/* A worker that dies sooner than this after its start "died at start". */
#define FAST_DEATH_MS 1000
#define BACKOFF_MAX_S 10

/* --- logging -------------------------------------------------------------- */

static char log_program[64] = "mongoalchemy";

void
_ma_log(const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	size_t len, off;
	int n;
	ssize_t w;

	/* One write() per line: the lines of the master and of every worker
	 * share stderr and must not interleave. */
	n = snprintf(line, sizeof(line), "%s[%ld]: ", log_program,
		     (long)getpid());
	if (n < 0)
		return;
	len = (size_t)n;
	va_start(ap, fmt);
	n = vsnprintf(line + len, sizeof(line) - len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	len += (size_t)n;
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	line[len++] = '\n';
	for (off = 0; off < len; off += (size_t)w) {
		w = write(STDERR_FILENO, line + off, len - off);
		if (w < 0 && errno == EINTR)
			w = 0;
		else if (w <= 0)
			return;
	}
}

static void
set_program(const char *program)
{
	const char *slash;

	if (program == NULL || *program == '\0')
		return;
	slash = strrchr(program, '/');
	if (slash != NULL && slash[1] != '\0')
		program = slash + 1;
	snprintf(log_program, sizeof(log_program), "%s", program);
}

/* --- options -------------------------------------------------------------- */

typedef enum opt_id {
	OPT_SOCKET,
	OPT_WORKERS,
	OPT_USER,
	OPT_SOCKET_MODE,
	OPT_BACKLOG,
	OPT_GRACE,
	OPT_ACCESS_LOG,
	OPT_HELP,
	OPT_VERSION,
	OPT__MAX
} opt_id;

/*
 * The options. A number option (base not 0) is read by _ma_parse_int()
 * within [min, max] into the int of ma_run_options at field; its error
 * says it must be "what" in that range. Every min is 0 or more, so no
 * sign is taken: digits only.
 */
static const struct run_option {
	const char *name;
	bool has_value;
	unsigned base;
	long min, max;
	const char *what;
	size_t field;
} run_options[OPT__MAX] = {
	[OPT_SOCKET] = {"--socket", true},
	[OPT_WORKERS] = {"--workers", true, .base = 10, .min = 1,
			 .max = MA_RUN_MAX_WORKERS, .what = "a number",
			 .field = offsetof(ma_run_options, workers)},
	[OPT_USER] = {"--user", true},
	[OPT_SOCKET_MODE] = {"--socket-mode", true, .base = 8, .min = 0,
			     .max = 0777, .what = "an octal mode",
			     .field = offsetof(ma_run_options, socket_mode)},
	[OPT_BACKLOG] = {"--backlog", true, .base = 10, .min = 1,
			 .max = BACKLOG_MAX, .what = "a number",
			 .field = offsetof(ma_run_options, backlog)},
	[OPT_GRACE] = {"--grace", true, .base = 10, .min = 0, .max = GRACE_MAX,
		       .what = "a number of seconds",
		       .field = offsetof(ma_run_options, grace)},
	[OPT_ACCESS_LOG] = {"--access-log", false},
	[OPT_HELP] = {"--help", false},
	[OPT_VERSION] = {"--version", false},
};

/* One line of code a line of text. */
/* clang-format off */
static const char usage_text[] =
	"Options (see mongoalchemy-fcgi(8)):\n"
	"  --socket PATH|HOST:PORT|:PORT  where to listen (default: the inherited\n"
	"                                 socket of systemd or spawn-fcgi)\n"
	"  --workers N                    worker processes, 1 to 1024 (default 2)\n"
	"  --user USER[:GROUP]            user to run as when started as root\n"
	"  --socket-mode OCTAL            Unix socket permissions (default 0660)\n"
	"  --backlog N                    length of the listen queue (default 1024)\n"
	"  --grace SECONDS                time a stopping worker gets to finish its\n"
	"                                 request before SIGKILL (default 30)\n"
	"  --access-log                   one line per request on stderr\n"
	"  --help                         print this help and exit\n"
	"  --version                      print the version and exit\n";
/* clang-format on */

const char *
_ma_run_usage(void)
{
	return usage_text;
}

bool
_ma_run_split_socket(const char *arg, bool *tcp, char *host, size_t host_size,
		     unsigned *port, ma_error *error)
{
	struct sockaddr_un sa;
	const char *colon, *h, *rb;
	size_t hlen;
	int64_t p;

	*tcp = false;
	if (host_size > 0)
		host[0] = '\0';
	*port = 0;
	if (arg == NULL || *arg == '\0') {
		_ma_error_set(error, MA_ERR_INVALID, "--socket: needs a value");
		return false;
	}

	/* A path: the bind() of a longer one would fail or truncate it. */
	colon = strrchr(arg, ':');
	if (strchr(arg, '/') != NULL || colon == NULL) {
		if (strlen(arg) >= sizeof(sa.sun_path)) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "--socket: a Unix socket path has at "
				      "most %zu bytes",
				      sizeof(sa.sun_path) - 1);
			return false;
		}
		return true;
	}

	if (arg[0] == '[') {
		rb = strchr(arg, ']');
		if (rb == NULL || rb[1] != ':' || rb == arg + 1) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "--socket: an IPv6 address is written "
				      "[ADDRESS]:PORT");
			return false;
		}
		h = arg + 1;
		hlen = (size_t)(rb - h);
		colon = rb + 1;
	} else {
		h = arg;
		hlen = (size_t)(colon - arg);
		/* "::1:9000" could be read two ways: ask for brackets. */
		if (memchr(h, ':', hlen) != NULL) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "--socket: an IPv6 address is written "
				      "[ADDRESS]:PORT");
			return false;
		}
	}
	if (_ma_parse_int(colon + 1, 10, 0, 65535, &p) != MA_INT_OK) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "--socket: the port must be a number from 0 to "
			      "65535");
		return false;
	}
	if (hlen >= host_size) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "--socket: the host name is too long");
		return false;
	}
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	*port = (unsigned)p;
	*tcp = true;
	return true;
}

/* USER or USER:GROUP, neither empty. Names are looked up when used. */
static bool
user_spec_ok(const char *spec)
{
	const char *colon = strchr(spec, ':');

	if (colon == NULL)
		return true;
	return colon != spec && colon[1] != '\0' &&
	       strchr(colon + 1, ':') == NULL;
}

/* The error names the range in the option's own base: 0 to 0777. */
static bool
set_number(const struct run_option *o, const char *value, ma_run_options *opts,
	   ma_error *error)
{
	int64_t n;

	if (_ma_parse_int(value, o->base, o->min, o->max, &n) != MA_INT_OK) {
		_ma_error_set(error, MA_ERR_INVALID,
			      o->base == 8 ? "%s: must be %s from %#lo to %#lo"
					   : "%s: must be %s from %lu to %lu",
			      o->name, o->what, (unsigned long)o->min,
			      (unsigned long)o->max);
		return false;
	}
	*(int *)((char *)opts + o->field) = (int)n;
	return true;
}

static bool
apply_option(opt_id id, const char *value, ma_run_options *opts,
	     ma_error *error)
{
	if (run_options[id].base != 0)
		return set_number(&run_options[id], value, opts, error);

	switch (id) {
	case OPT_SOCKET:
		if (!_ma_run_split_socket(value, &opts->tcp, opts->host,
					  sizeof(opts->host), &opts->port,
					  error))
			return false;
		opts->socket = value;
		return true;
	case OPT_USER:
		if (!user_spec_ok(value)) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "--user: must be USER or USER:GROUP");
			return false;
		}
		opts->user = value;
		return true;
	case OPT_ACCESS_LOG:
		opts->access_log = true;
		return true;
	case OPT_HELP:
		opts->help = true;
		return true;
	case OPT_VERSION:
		opts->version = true;
		return true;
	default: /* the number options, taken above */
		break;
	}
	return false;
}

static void
run_options_init(ma_run_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->workers = MA_RUN_DEFAULT_WORKERS;
	opts->socket_mode = 0660;
	opts->backlog = MA_RUN_DEFAULT_BACKLOG;
	opts->grace = MA_RUN_DEFAULT_GRACE;
}

bool
_ma_run_parse(int argc, char **argv, ma_run_options *opts, ma_error *error)
{
	const struct run_option *o;
	const char *arg, *eq, *value;
	bool operands = false;
	size_t len;
	int i, id;

	run_options_init(opts);
	for (i = 1; i < argc && argv[i] != NULL; i++) {
		arg = argv[i];
		if (!operands && strcmp(arg, "--") == 0) {
			operands = true;
			continue;
		}
		if (operands || arg[0] != '-' || arg[1] == '\0') {
			_ma_error_set(error, MA_ERR_INVALID,
				      "%s: unexpected argument", arg);
			return false;
		}

		/* Long options only, as "--name value" or "--name=value". */
		eq = strchr(arg, '=');
		len = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
		for (id = 0; id < OPT__MAX; id++) {
			o = &run_options[id];
			if (strlen(o->name) == len &&
			    memcmp(o->name, arg, len) == 0)
				break;
		}
		if (arg[1] != '-' || id == OPT__MAX) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "%.*s: unknown option", (int)len, arg);
			return false;
		}

		o = &run_options[id];
		value = NULL;
		if (!o->has_value && eq != NULL) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "%s: takes no value", o->name);
			return false;
		}
		if (o->has_value) {
			/* "--socket --workers 4" is a forgotten value, not
			 * a socket named "--workers". */
			if (eq != NULL)
				value = eq + 1;
			else if (i + 1 < argc && argv[i + 1] != NULL &&
				 strncmp(argv[i + 1], "--", 2) != 0)
				value = argv[++i];
			if (value == NULL || *value == '\0') {
				_ma_error_set(error, MA_ERR_INVALID,
					      "%s: needs a value", o->name);
				return false;
			}
		}
		if (!apply_option((opt_id)id, value, opts, error))
			return false;

		/* As GNU programs do: what follows --help is not read. */
		if (opts->help || opts->version)
			break;
	}
	return true;
}

/* --- the listening socket ------------------------------------------------- */

typedef struct listener {
	int fd;
	char *path; /* the Unix socket we created, removed at the end */
	dev_t dev;  /* and its identity: we never remove another's */
	ino_t ino;
} listener;

static bool
is_listening(int fd)
{
	int v = 0;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) != 0)
		return false;
	return v != 0;
}

static void
set_cloexec(int fd, bool on)
{
	int flags = fcntl(fd, F_GETFD);

	if (flags < 0)
		return;
	flags = on ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC;
	(void)fcntl(fd, F_SETFD, flags);
}

/* "unix:/run/app.sock", "127.0.0.1:9000", "[::]:9000": for log lines. */
static void
describe_socket(int fd, char *out, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[MA_RUN_HOST_MAX], serv[16];
	const struct sockaddr_un *un;

	snprintf(out, size, "fd %d", fd);
	memset(&ss, 0, sizeof(ss));
	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return;
	if (ss.ss_family == AF_UNIX) {
		un = (const struct sockaddr_un *)&ss;
		snprintf(out, size, "unix:%s",
			 un->sun_path[0] != '\0' ? un->sun_path : "(unnamed)");
		return;
	}
	if (getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), serv,
			sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		return;
	snprintf(out, size, ss.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s",
		 host, serv);
}

/* A Unix stream socket, and in sa the address of path (whose length
 * _ma_run_split_socket() checked). -1 with the error set on failure. */
static int
unix_socket(const char *path, struct sockaddr_un *sa, ma_error *error)
{
	int fd;

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0) {
		_ma_error_set(error, MA_ERR_INVALID, "socket: %s",
			      strerror(errno));
		return -1;
	}
	set_cloexec(fd, true);
	return fd;
}

/*
 * Makes room for our socket at path: a socket file nobody listens on is
 * what a killed master leaves behind and goes; a live socket or any other
 * kind of file stays, and we refuse to start.
 */
static bool
clear_stale_socket(const char *path, ma_error *error)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd, rc, saved;

	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return true;
		_ma_error_set(error, MA_ERR_INVALID, "%s: %s", path,
			      strerror(errno));
		return false;
	}
	if (!S_ISSOCK(st.st_mode)) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "%s: exists and is not a socket", path);
		return false;
	}
	fd = unix_socket(path, &sa, error);
	if (fd < 0)
		return false;
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	saved = errno;
	close(fd);
	if (rc == 0) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "%s: another process is listening on it", path);
		return false;
	}

	/* Only a refusal proves that nobody listens; a socket we may not
	 * connect to may well be alive. */
	if (saved != ECONNREFUSED && saved != ENOENT) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "%s: cannot tell whether it is in use: %s", path,
			      strerror(saved));
		return false;
	}
	if (unlink(path) != 0 && errno != ENOENT) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "%s: cannot remove the stale socket: %s", path,
			      strerror(errno));
		return false;
	}
	return true;
}

static bool
listen_unix(const ma_run_options *opts, listener *l, ma_error *error)
{
	struct sockaddr_un sa;
	const char *path = opts->socket;
	struct stat st;
	mode_t mask;
	int fd, rc;

	if (!clear_stale_socket(path, error))
		return false;
	fd = unix_socket(path, &sa, error);
	if (fd < 0)
		return false;

	/* Created owner-only, then opened up with chmod(): no moment when
	 * the umask's mode lets others in. */
	mask = umask(0077);
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(mask);
	if (rc != 0) {
		_ma_error_set(error, MA_ERR_INVALID, "cannot bind %s: %s", path,
			      strerror(errno));
		close(fd);
		return false;
	}
	l->path = bson_strdup(path);
	if (stat(path, &st) == 0) {
		l->dev = st.st_dev;
		l->ino = st.st_ino;
	}
	l->fd = fd;
	if (chmod(path, (mode_t)opts->socket_mode) != 0) {
		_ma_error_set(error, MA_ERR_INVALID, "cannot chmod %s: %s",
			      path, strerror(errno));
		return false;
	}
	if (listen(fd, opts->backlog) != 0) {
		_ma_error_set(error, MA_ERR_INVALID, "cannot listen on %s: %s",
			      path, strerror(errno));
		return false;
	}
	return true;
}

static int
bind_tcp(const struct addrinfo *ai, bool wildcard, int backlog)
{
	int fd, one = 1, zero = 0, saved;

	fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
	if (fd < 0)
		return -1;

	/* A restarted master binds again while old connections linger in
	 * TIME_WAIT. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0)
		goto fail;

	/* ":PORT" means every address: one IPv6 socket that takes IPv4 too. */
	if (ai->ai_family == AF_INET6 && wildcard)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero,
				 sizeof(zero));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
	    listen(fd, backlog) != 0)
		goto fail;
	return fd;

fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

static bool
listen_tcp(const ma_run_options *opts, listener *l, ma_error *error)
{
	struct addrinfo hints, *res = NULL, *ai;
	char serv[16];
	bool wildcard = opts->host[0] == '\0';
	int rc, pass, err = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(serv, sizeof(serv), "%u", opts->port);
	rc = getaddrinfo(wildcard ? NULL : opts->host, serv, &hints, &res);
	if (rc != 0) {
		_ma_error_set(error, MA_ERR_INVALID, "cannot resolve %s: %s",
			      opts->socket, gai_strerror(rc));
		return false;
	}

	/* The wildcard tries IPv6 first (it serves both), then IPv4. */
	for (pass = wildcard ? 0 : 1; pass < 2 && l->fd < 0; pass++) {
		for (ai = res; ai != NULL && l->fd < 0; ai = ai->ai_next) {
			if (pass == 0 && ai->ai_family != AF_INET6)
				continue;
			l->fd = bind_tcp(ai, wildcard, opts->backlog);
			if (l->fd < 0)
				err = errno;
		}
	}
	freeaddrinfo(res);
	if (l->fd < 0) {
		_ma_error_set(error, MA_ERR_INVALID, "cannot listen on %s: %s",
			      opts->socket,
			      strerror(err != 0 ? err : EADDRNOTAVAIL));
		return false;
	}
	return true;
}

/*
 * The socket of whoever started us: systemd's first socket (fd 3, when
 * LISTEN_PID is us), or spawn-fcgi's fd 0 when it is a listening socket.
 */
static bool
inherit_listener(listener *l, ma_error *error)
{
	const char *pid_s = getenv("LISTEN_PID");
	const char *fds_s = getenv("LISTEN_FDS");
	int64_t pid, n;
	int fd;

	if (pid_s != NULL && fds_s != NULL &&
	    _ma_parse_int(pid_s, 10, 1, LONG_MAX, &pid) == MA_INT_OK &&
	    _ma_parse_int(fds_s, 10, 1, INT_MAX - 3, &n) == MA_INT_OK &&
	    pid == (int64_t)getpid()) {
		/* Meant for us alone: the workers' programs must not take
		 * them as theirs. */
		unsetenv("LISTEN_PID");
		unsetenv("LISTEN_FDS");
		unsetenv("LISTEN_FDNAMES");
		for (fd = 4; fd < 3 + n; fd++)
			set_cloexec(fd, true);
		if (n > 1)
			_ma_log("%ld inherited sockets: serving the first",
				(long)n);
		if (!is_listening(3)) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "LISTEN_FDS: descriptor 3 is not a "
				      "listening socket");
			return false;
		}
		l->fd = 3;
		return true;
	}
	if (is_listening(STDIN_FILENO)) {
		l->fd = STDIN_FILENO;
		return true;
	}
	_ma_error_set(error, MA_ERR_INVALID,
		      "no --socket given and no inherited socket");
	return false;
}

static bool
open_listener(const ma_run_options *opts, listener *l, ma_error *error)
{
	bool ok;
	int flags;

	if (opts->socket == NULL)
		ok = inherit_listener(l, error);
	else if (opts->tcp)
		ok = listen_tcp(opts, l, error);
	else
		ok = listen_unix(opts, l, error);
	if (!ok)
		return false;

	/* Blocking accepts (libfcgi expects them, a systemd socket may come
	 * non-blocking), and the one descriptor a worker's exec() keeps. */
	flags = fcntl(l->fd, F_GETFL);
	if (flags >= 0 && (flags & O_NONBLOCK) != 0)
		(void)fcntl(l->fd, F_SETFL, flags & ~O_NONBLOCK);
	set_cloexec(l->fd, false);
	return true;
}

/* Removes the socket file we created, if it is still ours; false when
 * there was none (a TCP or an inherited socket, or already removed). */
static bool
remove_socket_file(listener *l)
{
	struct stat st;

	if (l->path == NULL)
		return false;
	if (lstat(l->path, &st) == 0 && st.st_dev == l->dev &&
	    st.st_ino == l->ino && unlink(l->path) != 0)
		_ma_log("cannot remove %s: %s", l->path, strerror(errno));
	bson_free(l->path);
	l->path = NULL;
	return true;
}

/* Closes the socket and removes the file we created, if it is still ours. */
static void
close_listener(listener *l)
{
	(void)remove_socket_file(l);
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}

/* --- privileges ----------------------------------------------------------- */

typedef struct identity {
	uid_t uid;
	gid_t gid;
	bool group_given;
	bool in_passwd; /* supplementary groups come from the group file */
	char name[256];
} identity;

/* USER[:GROUP] by name, or by number when there is no such name. */
static bool
resolve_user(const char *spec, identity *id, ma_error *error)
{
	char user[256];
	const char *group = NULL;
	struct passwd *pw;
	struct group *gr;
	char *colon;
	int64_t n;

	memset(id, 0, sizeof(*id));
	if (snprintf(user, sizeof(user), "%s", spec) >= (int)sizeof(user)) {
		_ma_error_set(error, MA_ERR_INVALID, "--user: too long");
		return false;
	}
	colon = strchr(user, ':');
	if (colon != NULL) {
		*colon = '\0';
		group = colon + 1;
		id->group_given = true;
	}

	pw = getpwnam(user);
	if (pw != NULL) {
		id->uid = pw->pw_uid;
		id->gid = pw->pw_gid;
		id->in_passwd = true;
		snprintf(id->name, sizeof(id->name), "%s", pw->pw_name);
	} else if (_ma_parse_int(user, 10, 0, INT_MAX, &n) == MA_INT_OK &&
		   group != NULL) {
		id->uid = (uid_t)n;
		snprintf(id->name, sizeof(id->name), "%s", user);
	} else {
		_ma_error_set(error, MA_ERR_INVALID, "--user %s: no such user",
			      spec);
		return false;
	}

	if (group != NULL) {
		gr = getgrnam(group);
		if (gr != NULL)
			id->gid = gr->gr_gid;
		else if (_ma_parse_int(group, 10, 0, INT_MAX, &n) == MA_INT_OK)
			id->gid = (gid_t)n;
		else {
			_ma_error_set(error, MA_ERR_INVALID,
				      "--user %s: no such group", spec);
			return false;
		}
	}
	return true;
}

/*
 * Leaves root for id, then proves it: a process that could become root
 * again has not dropped anything, and we would rather not run at all.
 */
static bool
drop_root(const char *spec, const identity *id, ma_error *error)
{
	int rc;

	if (id->in_passwd)
		rc = initgroups(id->name, id->gid);
	else
		rc = setgroups(1, &id->gid);
	if (rc != 0) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "--user %s: cannot set the groups: %s", spec,
			      strerror(errno));
		return false;
	}
	if (setgid(id->gid) != 0) {
		_ma_error_set(error, MA_ERR_INVALID, "--user %s: setgid: %s",
			      spec, strerror(errno));
		return false;
	}
	if (setuid(id->uid) != 0) {
		_ma_error_set(error, MA_ERR_INVALID, "--user %s: setuid: %s",
			      spec, strerror(errno));
		return false;
	}

	if (setuid(0) != -1 || seteuid(0) != -1 || getuid() != id->uid ||
	    geteuid() != id->uid || getgid() != id->gid ||
	    getegid() != id->gid) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "--user %s: root can be regained after the "
			      "switch: refusing to run",
			      spec);
		return false;
	}
	return true;
}

/*
 * Root binds, then leaves for --user (which owns the Unix socket from
 * then on); anyone else stays who they are, and --user may only name
 * themselves.
 */
static bool
settle_privileges(const ma_run_options *opts, const listener *l,
		  ma_error *error)
{
	identity id;

	if (geteuid() != 0) {
		if (opts->user == NULL)
			return true;
		if (!resolve_user(opts->user, &id, error))
			return false;
		if (id.uid != geteuid() ||
		    (id.group_given && id.gid != getegid())) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "--user %s: only root can switch users "
				      "(running as uid %ld)",
				      opts->user, (long)geteuid());
			return false;
		}
		return true;
	}

	if (opts->user == NULL) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "refusing to run as root: give --user");
		return false;
	}
	if (!resolve_user(opts->user, &id, error))
		return false;
	if (id.uid == 0) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "--user %s: refusing to run as root", opts->user);
		return false;
	}
	if (l->path != NULL && chown(l->path, id.uid, id.gid) != 0) {
		_ma_error_set(error, MA_ERR_INVALID, "cannot chown %s: %s",
			      l->path, strerror(errno));
		return false;
	}
	if (!drop_root(opts->user, &id, error))
		return false;
	_ma_log("running as %s (uid %ld, gid %ld)", id.name, (long)id.uid,
		(long)id.gid);
	return true;
}

/* --- signals -------------------------------------------------------------- */

/* The master's signals arrive only inside pselect() (blocked elsewhere),
 * so these flags are read without races. */
static volatile sig_atomic_t got_stop, got_hup;

/* The worker's side: the flag handed to the worker callback, and the
 * descriptors its SIGTERM handler swaps. */
static volatile sig_atomic_t worker_stop;
static volatile sig_atomic_t worker_listen_fd = -1;
static volatile sig_atomic_t worker_dead_fd = -1;

static void
master_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else if (sig == SIGTERM || sig == SIGINT)
		got_stop = 1;
	/* SIGCHLD: waking pselect() is all it is for. */
}

/*
 * A worker's SIGTERM (and SIGINT, and the master's death). The request in
 * flight must finish, and no new one may start:
 *
 * - SA_RESTART (set where this is installed), so that the reads and
 *   writes of the request in flight are resumed, not failed with EINTR.
 * - *stop = 1, which the worker checks between requests.
 * - A worker blocked in accept() would be restarted too and wait for one
 *   more connection, maybe for ever. So the listening descriptor number
 *   is made to point at a socket that is not listening: dup2() of one made
 *   at the worker's start (async-signal-safe). The restarted accept()
 *   looks the number up again and fails at once with EINVAL, as does any
 *   later one; libfcgi's FCGX_Accept_r() returns an error and the worker
 *   loop ends. Only this worker's descriptor changes: the master and the
 *   other workers keep the real socket and what is queued on it.
 * - Not FCGX_ShutdownPending(): libfcgi's reads fail once its flag is
 *   set, so a request accepted but not yet read would be dropped (the
 *   front end answers 502). The broken accept() is enough.
 */
static void
worker_signal(int sig)
{
	int saved = errno;

	(void)sig;
	worker_stop = 1;
	if (worker_dead_fd >= 0 && worker_listen_fd >= 0)
		(void)dup2(worker_dead_fd, worker_listen_fd);
	errno = saved;
}

static void
set_handler(int sig, void (*handler)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(sig, &sa, NULL);
}

/* The signals the master handles; their dispositions and mask are given
 * back when _ma_runtime_run() returns. */
static const int master_signals[] = {SIGCHLD, SIGHUP, SIGINT, SIGTERM, SIGPIPE};
#define N_MASTER_SIGNALS (sizeof(master_signals) / sizeof(master_signals[0]))

/* --- the master ----------------------------------------------------------- */

typedef struct child {
	pid_t pid; /* 0: a free slot */
	int64_t started;
	unsigned round; /* the master's round when it was forked */
	bool old;	/* to be replaced (SIGHUP) */
	bool stopping;	/* sent SIGTERM: its exit is expected */
	bool killed;	/* sent SIGKILL after the grace period */
	int64_t kill_at;
} child;

typedef struct master {
	const ma_runtime_hooks *hooks;
	listener *l;
	pid_t pid;
	int workers, grace;
	child *children;
	size_t n;	      /* workers + 1: room for a replacement */
	unsigned round;	      /* a new one each time a round dies at start */
	unsigned fast_rounds; /* rounds in a row that died at start */
	unsigned delay;	      /* seconds between such rounds: 0, 1, 2... */
	int64_t spawn_at;     /* no fork before this */
	sigset_t wait_mask;   /* the mask pselect() waits with */
	sigset_t worker_mask; /* the mask a worker runs with */
} master;

/* Milliseconds on a clock that wall-clock changes do not move. */
static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
log_exit(pid_t pid, int status)
{
	if (WIFEXITED(status))
		_ma_log("worker %ld exited with status %d", (long)pid,
			WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		_ma_log("worker %ld killed by signal %d (%s)%s", (long)pid,
			WTERMSIG(status), strsignal(WTERMSIG(status)),
#ifdef WCOREDUMP
			WCOREDUMP(status) ? ", core dumped" : ""
#else
			""
#endif
		);
	else
		_ma_log("worker %ld ended with wait status %d", (long)pid,
			status);
}

/* A worker's whole life, in the child. Never returns. */
static void
worker_main(master *m)
{
	int status, dead;

	/* Nothing of the master's supervision applies here. */
	bson_free(m->children);
	m->children = NULL;
	set_handler(SIGCHLD, SIG_DFL, 0);
	set_handler(SIGHUP, SIG_IGN, 0);
	set_handler(SIGPIPE, SIG_IGN, 0);
	dead = socket(AF_UNIX, SOCK_STREAM, 0);
	if (dead >= 0)
		set_cloexec(dead, true);
	else
		_ma_log("no socket to stop accepting with (%s): a stopping "
			"worker waits for one more connection",
			strerror(errno));
	worker_stop = 0;
	worker_listen_fd = m->l->fd;
	worker_dead_fd = dead;
	set_handler(SIGTERM, worker_signal, SA_RESTART);
	set_handler(SIGINT, worker_signal, SA_RESTART);

#ifdef __linux__
	/* A worker whose master is gone stops as if told to; the master may
	 * have died before this line, hence the getppid() check after. */
	(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
	if (getppid() != m->pid)
		_exit(0);

	/* Signals were blocked since before the fork: one that came in
	 * between is delivered now, to the handlers above. */
	sigprocmask(SIG_SETMASK, &m->worker_mask, NULL);
	status = m->hooks->worker(m->hooks->ctx, m->l->fd, &worker_stop);
	_exit(status);
}

static child *
free_slot(master *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		if (m->children[i].pid == 0)
			return &m->children[i];
	}
	return NULL;
}

static bool
spawn(master *m)
{
	child *c = free_slot(m);
	pid_t pid;

	if (c == NULL)
		return false;
	pid = fork();
	if (pid < 0) {
		_ma_log("cannot fork a worker: %s", strerror(errno));
		m->spawn_at = now_ms() + 1000;
		return false;
	}
	if (pid == 0)
		worker_main(m);
	memset(c, 0, sizeof(*c));
	c->pid = pid;
	c->started = now_ms();
	c->round = m->round;
	_ma_log("worker %ld started", (long)pid);
	return true;
}

static void
stop_child(master *m, child *c, int64_t now)
{
	if (c->stopping)
		return;
	(void)kill(c->pid, SIGTERM);
	c->stopping = true;
	c->kill_at = now + (int64_t)m->grace * 1000;
}

/* Reaps every child that has ended; WNOHANG until none, since several
 * SIGCHLDs can arrive as one. */
static void
reap(master *m)
{
	int64_t now;
	pid_t pid;
	size_t i;
	child *c;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		c = NULL;
		for (i = 0; i < m->n; i++) {
			if (m->children[i].pid == pid)
				c = &m->children[i];
		}
		if (c == NULL)
			continue; /* not a worker: master_start's business */
		now = now_ms();
		if (c->stopping) {
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				log_exit(pid, status);
			c->pid = 0;
			continue;
		}

		log_exit(pid, status);
		c->pid = 0;
		if (now - c->started >= FAST_DEATH_MS) {
			m->fast_rounds = m->delay = 0;
			continue;
		}

		/* Dying as they start: a bad configuration, a database
		 * refused... Forking again at once would only burn CPU. One
		 * step per round of forks, however many workers a round had
		 * (the first round is restarted at once). */
		if (c->round != m->round)
			continue;
		m->round++;
		if (m->delay < BACKOFF_MAX_S)
			m->delay = m->fast_rounds++ == 0 ? 0 : m->delay + 1;
		if (m->delay > 0) {
			m->spawn_at = now + (int64_t)m->delay * 1000;
			_ma_log("workers die as they start: next start in %u s",
				m->delay);
		}
	}
}

static size_t
count(const master *m, bool active_only)
{
	size_t i, k = 0;

	for (i = 0; i < m->n; i++) {
		if (m->children[i].pid != 0 &&
		    !(active_only && m->children[i].stopping))
			k++;
	}
	return k;
}

/* SIGKILL for the workers still there after their grace period. */
static void
kill_overdue(master *m, int64_t now)
{
	size_t i;
	child *c;

	for (i = 0; i < m->n; i++) {
		c = &m->children[i];
		if (c->pid != 0 && c->stopping && !c->killed &&
		    now >= c->kill_at) {
			_ma_log("worker %ld still running %d s after SIGTERM: "
				"SIGKILL",
				(long)c->pid, m->grace);
			(void)kill(c->pid, SIGKILL);
			c->killed = true;
		}
	}
}

/*
 * SIGHUP's replacement, one worker at a time: a new worker first, then
 * SIGTERM to one old one, and the next only once that one has gone, so
 * that the number serving never drops.
 */
static void
roll(master *m, int64_t now)
{
	child *old = NULL;
	size_t i;

	for (i = 0; i < m->n; i++) {
		if (m->children[i].pid == 0)
			continue;
		if (m->children[i].stopping)
			return;
		if (old == NULL && m->children[i].old)
			old = &m->children[i];
	}
	if (old == NULL || !spawn(m))
		return;
	stop_child(m, old, now);
}

/* Whether a worker waits to be forked: a missing one, or an old one's
 * replacement. */
static bool
wants_spawn(const master *m)
{
	size_t i;

	if (count(m, true) < (size_t)m->workers)
		return true;
	for (i = 0; i < m->n; i++) {
		if (m->children[i].pid != 0 && m->children[i].old &&
		    !m->children[i].stopping)
			return true;
	}
	return false;
}

/* How long pselect() may sleep: until the next timer, or for ever. */
static struct timespec *
next_timeout(const master *m, int64_t now, bool stopping, struct timespec *ts)
{
	int64_t wait = -1, t;
	size_t i;
	const child *c;

	for (i = 0; i < m->n; i++) {
		c = &m->children[i];
		if (c->pid != 0 && c->stopping && !c->killed) {
			t = c->kill_at - now;
			if (wait < 0 || t < wait)
				wait = t;
		}
	}
	if (!stopping && m->spawn_at > now && wants_spawn(m)) {
		t = m->spawn_at - now;
		if (wait < 0 || t < wait)
			wait = t;
	}
	if (wait < 0)
		return NULL;
	ts->tv_sec = (time_t)(wait / 1000);
	ts->tv_nsec = (long)(wait % 1000) * 1000000;
	return ts;
}

static void
wait_for_signal(master *m, bool stopping)
{
	struct timespec ts, *timeout;

	timeout = next_timeout(m, now_ms(), stopping, &ts);
	(void)pselect(0, NULL, NULL, NULL, timeout, &m->wait_mask);
}

/*
 * A graceful stop, before the workers are told to stop. A Unix socket of
 * ours loses its file first, so that no new connection can come (a front
 * end gets "no such file" at once, and can try another server); then the
 * workers, still serving, take what is already queued: those clients sent
 * their requests before the stop, and closing the socket would reset them.
 * Until the grace period's end (until) at most, or the last worker's. An
 * inherited socket keeps its queue for whoever listens next (systemd), and
 * a TCP socket cannot refuse new connections while it is open: both go
 * straight to the stop.
 */
static void
take_queued(master *m, int64_t until)
{
	struct pollfd p = {.fd = m->l->fd, .events = POLLIN};

	if (!remove_socket_file(m->l))
		return;
	while (count(m, false) > 0 && now_ms() < until &&
	       poll(&p, 1, 0) == 1 && (p.revents & POLLIN) != 0) {
		(void)pselect(0, NULL, NULL, NULL,
			      &(struct timespec){0, 5 * 1000000},
			      &m->wait_mask);
		reap(m);
	}
}

static void
supervise(master *m)
{
	int64_t now;
	size_t i;

	/* A SIGTERM that came during the start is taken before any fork. */
	(void)pselect(0, NULL, NULL, NULL, &(struct timespec){0, 0},
		      &m->wait_mask);
	for (;;) {
		reap(m);
		if (got_stop)
			break;
		now = now_ms();
		if (got_hup) {
			got_hup = 0;
			_ma_log("SIGHUP: replacing the workers one by one");
			for (i = 0; i < m->n; i++) {
				if (m->children[i].pid != 0 &&
				    !m->children[i].stopping)
					m->children[i].old = true;
			}
		}
		kill_overdue(m, now);
		if (now >= m->spawn_at) {
			while (count(m, true) < (size_t)m->workers && spawn(m))
				;
			/* Unless a fork just failed and put spawn_at off. */
			if (now >= m->spawn_at)
				roll(m, now);
		}
		wait_for_signal(m, false);
	}

	_ma_log("stopping %zu workers (grace %d s)", count(m, false), m->grace);
	/* The grace period counts from the signal, the queue's time in it. */
	now = now_ms();
	take_queued(m, now + (int64_t)m->grace * 1000);
	for (i = 0; i < m->n; i++) {
		if (m->children[i].pid != 0)
			stop_child(m, &m->children[i], now);
	}
	for (;;) {
		reap(m);
		if (count(m, false) == 0)
			break;
		kill_overdue(m, now_ms());
		wait_for_signal(m, true);
	}
}

int
_ma_runtime_run(const ma_run_options *opts, const ma_runtime_hooks *hooks,
		const char *program)
{
	struct sigaction saved_actions[N_MASTER_SIGNALS];
	sigset_t ours, saved_mask;
	listener l = {.fd = -1};
	char where[MA_RUN_HOST_MAX + 32];
	master m;
	ma_error error;
	size_t i;
	int status = 1;

	set_program(program);
	if (opts == NULL || hooks == NULL || hooks->worker == NULL) {
		_ma_log("no worker to run");
		return 1;
	}

	/* From here on the signals the master handles are blocked, and only
	 * let in while it waits: a SIGTERM during startup still ends in a
	 * clean stop, and no handler ever interrupts the supervision. */
	got_stop = got_hup = 0;
	sigemptyset(&ours);
	for (i = 0; i < N_MASTER_SIGNALS; i++)
		sigaddset(&ours, master_signals[i]);
	sigprocmask(SIG_BLOCK, &ours, &saved_mask);
	for (i = 0; i < N_MASTER_SIGNALS; i++)
		sigaction(master_signals[i], NULL, &saved_actions[i]);
	set_handler(SIGCHLD, master_signal, SA_NOCLDSTOP);
	set_handler(SIGHUP, master_signal, 0);
	set_handler(SIGINT, master_signal, 0);
	set_handler(SIGTERM, master_signal, 0);
	set_handler(SIGPIPE, SIG_IGN, 0);

	memset(&m, 0, sizeof(m));
	m.hooks = hooks;
	m.l = &l;
	m.pid = getpid();
	m.workers = opts->workers;
	m.grace = opts->grace;
	m.wait_mask = saved_mask;
	m.worker_mask = saved_mask;
	for (i = 0; i < N_MASTER_SIGNALS; i++) {
		sigdelset(&m.wait_mask, master_signals[i]);
		sigdelset(&m.worker_mask, master_signals[i]);
	}

	ma_error_clear(&error);
	if (!open_listener(opts, &l, &error) ||
	    !settle_privileges(opts, &l, &error)) {
		_ma_log("%s", error.message);
		goto done;
	}
	describe_socket(l.fd, where, sizeof(where));
	_ma_log("listening on %s%s", where,
		opts->socket == NULL ? " (inherited)" : "");

	/* Root is gone: whatever the application does at start runs as the
	 * user it serves as. */
	if (hooks->master_start != NULL &&
	    !hooks->master_start(hooks->ctx, &error)) {
		_ma_log("start failed: %s", error.code != MA_OK
						    ? error.message
						    : "no reason given");
		goto done;
	}

	m.n = (size_t)m.workers + 1;
	m.children = bson_malloc0(m.n * sizeof(*m.children));
	supervise(&m);
	bson_free(m.children);
	_ma_log("stopped");
	status = 0;

done:
	close_listener(&l);
	for (i = 0; i < N_MASTER_SIGNALS; i++)
		sigaction(master_signals[i], &saved_actions[i], NULL);
	sigprocmask(SIG_SETMASK, &saved_mask, NULL);
	return status;
}
