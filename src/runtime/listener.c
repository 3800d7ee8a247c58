/*
 * The listening socket: a Unix socket or a TCP address bound by the
 * master, or the one inherited from systemd or spawn-fcgi; a stale socket
 * file replaced, ours removed at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <unistd.h>

#include "runtime/runtime-internal.h"

static bool
is_listening(int fd)
{
	int v = 0;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) != 0)
		return false;
	return v != 0;
}

void
_ma_run_set_cloexec(int fd, bool on)
{
	int flags = fcntl(fd, F_GETFD);

	if (flags < 0)
		return;
	flags = on ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC;
	(void)fcntl(fd, F_SETFD, flags);
}

/* Here alone, since O_NONBLOCK is shared by every process on the socket. */
bool
_ma_run_set_nonblocking(int fd, bool on)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0)
		return false;
	if (((flags & O_NONBLOCK) != 0) == on)
		return true;
	flags = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
	return fcntl(fd, F_SETFL, flags) == 0;
}

void
_ma_listener_describe(int fd, char *out, size_t size)
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
	_ma_run_set_cloexec(fd, true);
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
listen_unix(const ma_run_options *opts, ma_listener *l, ma_error *error)
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
listen_tcp(const ma_run_options *opts, ma_listener *l, ma_error *error)
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
inherit_listener(ma_listener *l, ma_error *error)
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
			_ma_run_set_cloexec(fd, true);
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

bool
_ma_listener_open(const ma_run_options *opts, ma_listener *l, ma_error *error)
{
	bool ok;

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
	(void)_ma_run_set_nonblocking(l->fd, false);
	_ma_run_set_cloexec(l->fd, false);
	return true;
}

bool
_ma_listener_unlink(ma_listener *l)
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

void
_ma_listener_close(ma_listener *l)
{
	(void)_ma_listener_unlink(l);
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}
