/*
 * What the runtime's own files share, and nothing above the runtime sees
 * (runtime-private.h is what they offer the application). Calls go one
 * way: master.c uses child.c, privileges.c, listener.c and log.c; child.c
 * uses listener.c; each of those uses log.c; nothing calls master.c, and
 * options.c calls none of them.
 */
#ifndef MA_RUNTIME_INTERNAL_H
#define MA_RUNTIME_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "runtime/runtime-private.h"

/* --- listener.c ----------------------------------------------------------- */

typedef struct ma_listener {
	int fd;
	char *path; /* the Unix socket we created, removed at the end */
	dev_t dev;  /* and its identity: we never remove another's */
	ino_t ino;
} ma_listener;

/*
 * Binds opts->socket, or takes the inherited socket (systemd's first
 * when LISTEN_PID is us, else a listening fd 0), into l (fd -1 before).
 * On success l->fd is blocking and kept across exec(); on failure false
 * with MA_ERR_INVALID, and what l holds is for _ma_listener_close().
 */
bool _ma_listener_open(const ma_run_options *opts, ma_listener *l,
		       ma_error *error);

/* Removes the socket file we created, if it is still ours; false when
 * there was none (a TCP or an inherited socket, or already removed). */
bool _ma_listener_unlink(ma_listener *l);

/* Closes the socket and removes the file we created, if it is still ours. */
void _ma_listener_close(ma_listener *l);

/* "unix:/run/app.sock", "127.0.0.1:9000", "[::]:9000" ("fd N" when it
 * cannot tell) into out: for log lines. */
void _ma_listener_describe(int fd, char *out, size_t size);

/* FD_CLOEXEC on or off; a failure leaves the descriptor as it was. */
void _ma_run_set_cloexec(int fd, bool on);

/* --- privileges.c --------------------------------------------------------- */

/*
 * Root binds, then leaves for --user (which owns the Unix socket at
 * socket_path, when not NULL, from then on); anyone else stays who they
 * are, and --user may only name themselves. False with MA_ERR_INVALID
 * when the user is unknown, root, or root could be regained.
 */
bool _ma_run_settle_privileges(const ma_run_options *opts,
			       const char *socket_path, ma_error *error);

/* --- child.c -------------------------------------------------------------- */

/* sigaction() with an empty mask. */
void _ma_run_set_handler(int sig, void (*handler)(int), int flags);

/*
 * A worker's whole life, in the child just forked by the master (pid
 * master) with the master's signals blocked: the worker's signals, then
 * hooks->worker on listen_fd with mask as its signal mask. Never returns.
 */
void _ma_run_child(const ma_runtime_hooks *hooks, int listen_fd, pid_t master,
		   const sigset_t *mask);

#endif
