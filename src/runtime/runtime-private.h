/*
 * The worker runtime: options (options.c), the listening socket
 * (listener.c), privileges (privileges.c), the worker processes (child.c),
 * the prefork master (master.c) and the log (log.c). The application
 * (app/worker.c) gives it two callbacks and knows nothing of processes;
 * the runtime knows nothing of HTTP. What its files share among themselves
 * is in runtime-internal.h.
 */
#ifndef MA_RUNTIME_PRIVATE_H
#define MA_RUNTIME_PRIVATE_H

#include <signal.h>
#include <stdbool.h>

#include <mongoalchemy/error.h>

#include "core/core.h"

#define MA_RUN_DEFAULT_WORKERS 2
#define MA_RUN_MAX_WORKERS 1024
#define MA_RUN_DEFAULT_BACKLOG 1024
#define MA_RUN_DEFAULT_GRACE 30 /* seconds a draining worker gets */
/* Longest host name of a --socket HOST:PORT, and its NUL (DNS allows 253). */
#define MA_RUN_HOST_MAX 256

typedef struct ma_run_options {
	const char *socket; /* PATH, HOST:PORT, :PORT; NULL: inherited */
	/* socket split once, as _ma_run_split_socket() gives it */
	bool tcp;
	char host[MA_RUN_HOST_MAX];
	unsigned port;
	int workers;	  /* 1..MA_RUN_MAX_WORKERS */
	const char *user; /* USER or USER:GROUP to drop to; NULL: stay */
	int socket_mode;  /* permissions of a Unix socket */
	int backlog;
	int grace;	      /* seconds between SIGTERM and SIGKILL */
	bool access_log;      /* one line per request on stderr (default) */
	bool access_log_json; /* as JSON lines */
	bool help;	      /* --help given: usage printed, exit 0 */
	bool version;	      /* --version given */
} ma_run_options;

/*
 * Parses the worker options (mongoalchemy-fcgi(8)); argv[0] is the
 * program. Unknown options, missing or malformed values, numbers outside
 * their range: false with MA_ERR_INVALID naming the option. On success
 * every field holds a valid value (a default where no option was given).
 * Pure: prints nothing.
 */
bool _ma_run_parse(int argc, char **argv, ma_run_options *opts,
		   ma_error *error);

/*
 * Splits a --socket argument. HOST:PORT, :PORT and [IPV6]:PORT are TCP:
 * *tcp is true, host gets the host without brackets ("" for every
 * address) and *port the port. Anything with a '/' or without a colon is
 * a Unix socket path: *tcp is false. False with MA_ERR_INVALID naming
 * --socket for an empty argument, a bad port, an IPv6 address without
 * brackets, a host or path too long. Pure.
 */
bool _ma_run_split_socket(const char *arg, bool *tcp, char *host,
			  size_t host_size, unsigned *port, ma_error *error);

/* The usage text for program, for --help and errors. Static storage. */
const char *_ma_run_usage(void);

typedef struct ma_runtime_hooks {
	/* In the master after binding and dropping root, before any fork.
	 * false: stop with status 1 (error logged by the runtime). */
	bool (*master_start)(void *ctx, ma_error *error);
	/* A worker's whole life: serve on listen_fd until *stop is set, then
	 * return the exit status. Runs in the child after the fork. */
	int (*worker)(void *ctx, int listen_fd, volatile sig_atomic_t *stop);
	void *ctx;
} ma_runtime_hooks;

/*
 * Runs the master: binds (or inherits) the socket, drops root, calls
 * master_start, forks opts->workers children running hooks->worker,
 * replaces any that die, SIGHUP replaces them one by one, SIGTERM/SIGINT
 * drains them and returns. opts are as _ma_run_parse() filled them: the
 * values are not checked again. Returns the exit status for main().
 */
int _ma_runtime_run(const ma_run_options *opts, const ma_runtime_hooks *hooks,
		    const char *program);

/*
 * Sets (on) or clears O_NONBLOCK on the listening socket fd, for all who
 * share it (listener.c). The master clears it, so that a worker callback
 * gets a blocking socket; a worker that waits for connections in pselect()
 * sets it, so that losing a connection to another worker is an EAGAIN and
 * not a sleep in accept(). False with errno set when fcntl() fails.
 */
bool _ma_run_set_nonblocking(int fd, bool on);

/* Logs one line on stderr: "<program>[pid]: <message>". */
void _ma_log(const char *fmt, ...) MA_PRINTF(1, 2);

/* The name _ma_log() gives the program from now on: program's last path
 * component. NULL or "" keep the name it had ("mongoalchemy" at first). */
void _ma_log_set_program(const char *program);

/* The name _ma_log() gives the program; static, valid until the next
 * _ma_log_set_program(). */
const char *_ma_log_program(void);

/* Writes line (len bytes, its '\n' included) on stderr as it is, in one
 * write() when the pipe takes it: lines of several processes do not
 * interleave. */
void _ma_log_write(const char *line, size_t len);

#endif
