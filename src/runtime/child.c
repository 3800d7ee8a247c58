/*
 * A worker process, from the fork to its _exit(): its signals, and how a
 * SIGTERM lets the request in flight finish but no new one start.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "runtime/runtime-internal.h"

/* The worker's side: the flag handed to the worker callback, and the
 * descriptors its SIGTERM handler swaps. */
static volatile sig_atomic_t worker_stop;
static volatile sig_atomic_t worker_listen_fd = -1;
static volatile sig_atomic_t worker_dead_fd = -1;

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

void
_ma_run_set_handler(int sig, void (*handler)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(sig, &sa, NULL);
}

void
_ma_run_child(const ma_runtime_hooks *hooks, int listen_fd, pid_t master,
	      const sigset_t *mask)
{
	int status, dead;

	_ma_run_set_handler(SIGCHLD, SIG_DFL, 0);
	_ma_run_set_handler(SIGHUP, SIG_IGN, 0);
	_ma_run_set_handler(SIGPIPE, SIG_IGN, 0);
	dead = socket(AF_UNIX, SOCK_STREAM, 0);
	if (dead >= 0)
		_ma_run_set_cloexec(dead, true);
	else
		_ma_log("no socket to stop accepting with (%s): a stopping "
			"worker waits for one more connection",
			strerror(errno));
	worker_stop = 0;
	worker_listen_fd = listen_fd;
	worker_dead_fd = dead;
	_ma_run_set_handler(SIGTERM, worker_signal, SA_RESTART);
	_ma_run_set_handler(SIGINT, worker_signal, SA_RESTART);

#ifdef __linux__
	/* A worker whose master is gone stops as if told to; the master may
	 * have died before this line, hence the getppid() check after. */
	(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
	if (getppid() != master)
		_exit(0);

	/* Signals were blocked since before the fork: one that came in
	 * between is delivered now, to the handlers above. */
	sigprocmask(SIG_SETMASK, mask, NULL);
	status = hooks->worker(hooks->ctx, listen_fd, &worker_stop);
	_exit(status);
}
