/*
 * The worker runtime: what spawn-fcgi and gunicorn do for other stacks.
 *
 * The master parses the worker options (options.c), binds (or inherits)
 * the listening socket (listener.c), leaves root for good (privileges.c),
 * then forks the workers (child.c) and supervises them: a worker that
 * dies is replaced (with a back-off when they die as they start), SIGHUP
 * replaces them one by one, SIGTERM and SIGINT let them answer what was
 * sent before (take_queued()), stop them and end the program. The master
 * serves no request and opens no database client: everything a worker
 * needs is created after the fork. This file is the master itself.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/select.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runtime/runtime-internal.h"

/* A worker that dies sooner than this after its start "died at start". */
#define FAST_DEATH_MS 1000
#define BACKOFF_MAX_S 10

/* The master's signals arrive only inside pselect() (blocked elsewhere),
 * so these flags are read without races. */
static volatile sig_atomic_t got_stop, got_hup;

static void
master_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else if (sig == SIGTERM || sig == SIGINT)
		got_stop = 1;
	/* SIGCHLD: waking pselect() is all it is for. */
}

/* The signals the master handles; their dispositions and mask are given
 * back when _ma_runtime_run() returns. */
static const int master_signals[] = {SIGCHLD, SIGHUP, SIGINT, SIGTERM, SIGPIPE};
#define N_MASTER_SIGNALS (sizeof(master_signals) / sizeof(master_signals[0]))

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
	ma_listener *l;
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
	if (pid == 0) {
		/* Nothing of the master's supervision applies here. */
		bson_free(m->children);
		m->children = NULL;
		_ma_run_child(m->hooks, m->l->fd, m->pid, &m->worker_mask);
	}
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

	if (!_ma_listener_unlink(m->l))
		return;
	while (count(m, false) > 0 && now_ms() < until && poll(&p, 1, 0) == 1 &&
	       (p.revents & POLLIN) != 0) {
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
	ma_listener l = {.fd = -1};
	char where[MA_RUN_HOST_MAX + 32];
	master m;
	ma_error error;
	size_t i;
	int status = 1;

	_ma_log_set_program(program);
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
	_ma_run_set_handler(SIGCHLD, master_signal, SA_NOCLDSTOP);
	_ma_run_set_handler(SIGHUP, master_signal, 0);
	_ma_run_set_handler(SIGINT, master_signal, 0);
	_ma_run_set_handler(SIGTERM, master_signal, 0);
	_ma_run_set_handler(SIGPIPE, SIG_IGN, 0);

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
	if (!_ma_listener_open(opts, &l, &error) ||
	    !_ma_run_settle_privileges(opts, l.path, &error)) {
		_ma_log("%s", error.message);
		goto done;
	}
	_ma_listener_describe(l.fd, where, sizeof(where));
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
	_ma_listener_close(&l);
	for (i = 0; i < N_MASTER_SIGNALS; i++)
		sigaction(master_signals[i], &saved_actions[i], NULL);
	sigprocmask(SIG_SETMASK, &saved_mask, NULL);
	return status;
}
