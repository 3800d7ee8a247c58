/*
 * DESIGN.md's HTTP contract where a front end takes part: real HTTP
 * through nginx or Apache to the example application's workers
 * (examples/library) and FerretDB, all started by scripts/http-stack
 * (tests/http/with-stack.sh runs this program once per front end). The
 * contract without a front end (statuses, bodies, headers the application
 * makes) is test_contract's, in-process; here are the tests where the
 * front end or the worker processes matter: what the front end answers
 * itself or passes on (conditional GETs, escapes in the query and the
 * path, the body limit, HEAD), several workers at once, workers that die
 * or reload, database outages, the worker program's privileges and logs.
 *
 * The suite shares one database and runs serially: some tests stop the
 * database or the workers. So a test never counts documents it did not
 * make (resources.h); only the seed documents (fixed ids) are common
 * ground. A test that disrupts the stack puts it back in its .fini, which
 * runs even when the test fails.
 */
#include <ctype.h>
#include <inttypes.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdatomic.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "httplib.h"
#include "resources.h"
#include "seed.h"
#include "live.h"

/* What the front end passes on or answers itself: frontend.c, compiled
 * into this program and into test_contract. */

/* --- concurrent writes ---------------------------------------------------- */

/*
 * Lost updates: 8 clients add 1 to the same book's year 200 times each,
 * read-modify-write with If-Match, retrying on 412. Every 200 is one
 * increment that must show in the end: the year is exactly 1,600. With
 * the workers under valgrind (make valgrind), 25 times each.
 */
#define RACERS 8

static int
races(void)
{
	const char *prefix = getenv("MA_STACK_WORKER_PREFIX");

	return prefix != NULL && prefix[0] != '\0' ? 25 : 200;
}

typedef struct racer {
	const char *path;
	int races;     /* increments to make */
	int done;      /* 200s */
	int refused;   /* 412s */
	char *failure; /* anything else, the first one */
} racer;

static void *
racer_run(void *arg)
{
	racer *c = arg;
	char body[64], cond[64];
	const char *tag;
	http_resp *g, *p;
	json_object *year;
	http_opts o = {0};
	const char *headers[] = {cond, NULL};

	o.headers = headers;
	while (c->done < c->races && c->failure == NULL) {
		g = http_try("GET", c->path, NULL, NULL, 0, NULL);
		tag = http_header_get(g, "ETag");
		if (g->status != 200 || tag == NULL || g->json == NULL ||
		    !json_object_object_get_ex(g->json, "year", &year)) {
			c->failure = bson_strdup_printf("%s: %ld %s", g->what,
							g->status, g->body);
			http_free(g);
			break;
		}
		snprintf(body, sizeof(body), "{\"year\": %" PRId64 "}",
			 json_object_get_int64(year) + 1);
		snprintf(cond, sizeof(cond), "If-Match: %s", tag);
		http_free(g);
		p = http_try("PATCH", c->path, "application/json", body,
			     strlen(body), &o);
		if (p->status == 200)
			c->done++;
		else if (p->status == 412)
			c->refused++;
		else
			c->failure = bson_strdup_printf("%s: %ld %s", p->what,
							p->status, p->body);
		http_free(p);
	}
	return NULL;
}

Test(etags, concurrent_patches_with_if_match_lose_no_update, .timeout = 240)
{
	const char *title = tprintf("%sRaced", prefix());
	const char *id = create_book(title, "Allen B. Downey", 0);
	racer c[RACERS];
	pthread_t t[RACERS];
	int i, refused = 0;
	http_resp *r;

	for (i = 0; i < RACERS; i++) {
		c[i] = (racer){.path = tprintf("/books/%s", id),
			       .races = races()};
		cr_assert_eq(pthread_create(&t[i], NULL, racer_run, &c[i]), 0);
	}
	for (i = 0; i < RACERS; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < RACERS; i++) {
		cr_expect_null(c[i].failure, "client %d: %s", i, c[i].failure);
		bson_free(c[i].failure);
		cr_assert_eq(c[i].done, races(), "client %d: %d increments", i,
			     c[i].done);
		refused += c[i].refused;
	}
	r = http_get(tprintf("/books/%s", id));
	expect_book(r->what, expect_json(r, 200), id, title, "Allen B. Downey",
		    RACERS * races());
	cr_log_info("%d increments by %d clients; %d stale writes refused "
		    "with 412 and retried",
		    RACERS * races(), RACERS, refused);
}

/* --- the runtime: workers die, reload, drain ------------------------------ */

/* A seed book's GET, checked field for field: the answer the threads
 * below must see again. */
static http_resp *
get_seed_book(const seed_book *s)
{
	http_resp *r = http_get(tprintf("/books/%s", s->id));

	expect_book(r->what, expect_json(r, 200), s->id, s->title, s->author,
		    s->year);
	return r;
}

/*
 * GETs of want's path in a thread, each of which must repeat want: its
 * status, its Content-Type and its body to the byte. How many went out,
 * how many did not repeat it, the first that did not. Never asserts (only
 * the main thread may).
 */
typedef struct get_loop {
	const char *path;
	const http_resp *want;
	int max; /* stop after this many; 0: until stop */
	atomic_bool stop;
	atomic_int done;
	int failed;
	char failure[512];
	pthread_t thread;
} get_loop;

static void *
get_loop_run(void *arg)
{
	get_loop *l = arg;
	const char *want_type = http_header_get(l->want, "Content-Type");
	int done;

	while (!atomic_load(&l->stop) &&
	       (l->max == 0 || atomic_load(&l->done) < l->max)) {
		http_resp *r = http_try("GET", l->path, NULL, NULL, 0, NULL);
		const char *type = http_header_get(r, "Content-Type");

		done = atomic_fetch_add(&l->done, 1) + 1;
		if (r->status != l->want->status || type == NULL ||
		    strcmp(type, want_type) != 0 ||
		    strcmp(r->body, l->want->body) != 0) {
			if (l->failed++ == 0)
				snprintf(l->failure, sizeof(l->failure),
					 "request %d: %ld, %s, %s%.120s; "
					 "expected %ld, %s, %.120s",
					 done, r->status,
					 type != NULL ? type : "no type",
					 r->error != NULL ? r->error : "",
					 r->body, l->want->status, want_type,
					 l->want->body);
		}
		http_free(r);
	}
	return NULL;
}

static void
get_loop_start(get_loop *l, const char *path, const http_resp *want, int max)
{
	memset(l, 0, sizeof(*l));
	l->path = path;
	l->want = want;
	l->max = max;
	atomic_init(&l->stop, false);
	atomic_init(&l->done, 0);
	cr_assert_eq(pthread_create(&l->thread, NULL, get_loop_run, l), 0);
}

static void
get_loop_join(get_loop *l)
{
	atomic_store(&l->stop, true);
	pthread_join(l->thread, NULL);
}

/*
 * Waits until the master has exactly MA_STACK_WORKERS live children and
 * none of them is in old; the children into now. False at the deadline.
 */
static bool
wait_workers_replaced(pid_t master, const pid_t *old, size_t nold, long ms,
		      pid_t *now, size_t *nnow)
{
	long long deadline = now_ms() + ms;
	size_t i, want = (size_t)stack_workers();
	bool fresh;

	for (;;) {
		*nnow = proc_children(master, now, 64);
		fresh = *nnow == want;
		for (i = 0; fresh && i < *nnow; i++)
			fresh = !pid_in(now[i], old, nold);
		if (fresh)
			return true;
		if (now_ms() >= deadline)
			return false;
		sleep_ms(20);
	}
}

Test(runtime, killed_worker_is_replaced_while_service_goes_on, .timeout = 60)
{
	pid_t master = stack_master_pid(), old[64], now[64], victim;
	const seed_book *s = &seed_books[0];
	size_t nold, nnow;
	http_resp *want;
	get_loop l;
	bool replaced;

	cr_assert(wait_serving(10000), "the stack does not serve");
	want = get_seed_book(s);
	nold = proc_children(master, old, 64);
	cr_assert_eq(nold, (size_t)stack_workers(),
		     "master %ld has %zu workers (%s), expected %d",
		     (long)master, nold, pid_list(old, nold), stack_workers());
	victim = old[0];
	cr_assert_eq(kill(victim, SIGKILL), 0, "kill %ld: %s", (long)victim,
		     strerror(errno));
	/* Dead before the first GET: no request can be lost with it, so
	 * every one must succeed while the master replaces it. */
	cr_assert(wait_gone(victim, 5000),
		  "worker %ld still runs 5 s after SIGKILL", (long)victim);
	get_loop_start(&l, tprintf("/books/%s", s->id), want, 50);
	/* Only the killed one must be new; the others stay. */
	replaced = wait_workers_replaced(master, &victim, 1, 5000, now, &nnow);
	wait_count(&l.done, 50, 30000);
	get_loop_join(&l);
	cr_assert(replaced,
		  "5 s after killing worker %ld: workers %s, expected "
		  "%d without it",
		  (long)victim, pid_list(now, nnow), stack_workers());
	cr_assert_eq(atomic_load(&l.done), 50);
	cr_assert_eq(l.failed, 0,
		     "%d of 50 GETs after the kill failed; first: %s", l.failed,
		     l.failure);
	cr_assert(proc_alive(master), "the master %ld died", (long)master);
}

Test(runtime, sighup_replaces_every_worker_while_requests_succeed,
     .timeout = 60)
{
	pid_t master = stack_master_pid(), old[64], now[64];
	const seed_book *s = &seed_books[0];
	bool going, replaced, after = false;
	size_t nold, nnow;
	http_resp *want;
	get_loop l;

	cr_assert(wait_serving(10000), "the stack does not serve");
	want = get_seed_book(s);
	nold = proc_children(master, old, 64);
	cr_assert_eq(nold, (size_t)stack_workers(), "workers: %s",
		     pid_list(old, nold));
	get_loop_start(&l, tprintf("/books/%s", s->id), want, 0);
	/* Requests already going when the reload starts. */
	going = wait_count(&l.done, 3, 10000);
	cr_assert_eq(kill(master, SIGHUP), 0, "kill -HUP %ld: %s", (long)master,
		     strerror(errno));
	replaced = wait_workers_replaced(master, old, nold, 20000, now, &nnow);
	/* A few more requests on the new workers only. */
	if (replaced)
		after = wait_count(&l.done, atomic_load(&l.done) + 5, 10000);
	get_loop_join(&l);
	cr_assert(going, "no GET answered within 10 s before the reload");
	cr_assert(replaced, "20 s after SIGHUP: workers %s, before %s",
		  pid_list(now, nnow), pid_list(old, nold));
	cr_assert(after, "no 5 GETs answered within 10 s after the reload");
	cr_assert_eq(l.failed, 0,
		     "%d of %d GETs failed during the reload; "
		     "first: %s",
		     l.failed, atomic_load(&l.done), l.failure);
	cr_assert(proc_alive(master), "the master %ld died", (long)master);
	cr_assert_eq(stack_master_pid(), master, "the master changed");
}

/* What the drain test disrupts, for its .fini to restore. */
static bool paused;

static void
restore_stack(void)
{
	if (paused)
		stack_cmd("mongo-resume");
	paused = false;
	if (!proc_alive(stack_master_pid()))
		cr_assert_eq(stack_cmd("workers-start"), 0,
			     "http-stack workers-start failed: the tests after "
			     "this one have no workers");
	cr_assert(wait_serving(30000), "the stack does not serve again");
}

/*
 * Whether a connection to the loopback port holds bytes that its server
 * has not read: with the server stopped, a request reached it.
 */
static bool
unread_bytes_at(unsigned port)
{
	FILE *f = fopen("/proc/net/tcp", "r");
	unsigned local, state;
	unsigned long rx;
	char line[512];
	bool found = false;

	cr_assert_not_null(f, "/proc/net/tcp: %s", strerror(errno));
	/* "sl local_address rem_address st tx_queue:rx_queue ...", hex. */
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, " %*u: %*x:%x %*x:%*x %x %*x:%lx", &local,
			   &state, &rx) == 3)
			found = local == port && state == 1 /* ESTABLISHED */ &&
				rx > 0;
	}
	fclose(f);
	return found;
}

Test(runtime, sigterm_lets_the_request_in_flight_finish, .fini = restore_stack,
     .timeout = 90)
{
	pid_t master = stack_master_pid();
	const seed_book *s = &seed_books[2];
	const char *port_env = stack_master_getenv("MONGOALCHEMY_PORT");
	bool reached = false, alive_while_draining;
	long long deadline;
	http_resp *want;
	unsigned port;
	get_loop l;

	cr_assert_not_null(port_env, "the master has no MONGOALCHEMY_PORT");
	port = (unsigned)atoi(port_env);
	cr_assert(wait_serving(10000), "the stack does not serve");
	want = get_seed_book(s);
	stack_do("mongo-pause");
	paused = true;
	cr_assert(!unread_bytes_at(port),
		  "the paused database has unread bytes before the GET");
	get_loop_start(&l, tprintf("/books/%s", s->id), want, 1);
	/* In flight: a worker took the request and its query waits, unread,
	 * at the paused database. */
	deadline = now_ms() + 10000;
	while (!(reached = unread_bytes_at(port)) && now_ms() < deadline)
		sleep_ms(20);
	cr_assert(reached,
		  "no query reached the paused database 10 s after "
		  "GET %s",
		  l.path);
	cr_assert_eq(kill(master, SIGTERM), 0, "kill -TERM %ld: %s",
		     (long)master, strerror(errno));
	alive_while_draining = !wait_gone(master, 500);
	stack_do("mongo-resume");
	paused = false;
	get_loop_join(&l);

	cr_assert(alive_while_draining,
		  "the master %ld exited within 500 ms of "
		  "SIGTERM with a request in flight",
		  (long)master);
	cr_assert_eq(atomic_load(&l.done), 1);
	cr_assert_eq(l.failed, 0, "the request in flight: %s", l.failure);
	cr_assert(wait_gone(master, 10000),
		  "the master %ld still runs 10 s "
		  "after its last request",
		  (long)master);
}

/* --- MongoDB outages ------------------------------------------------------ */

static bool mongo_stopped;

static void
restore_mongo(void)
{
	if (mongo_stopped)
		cr_assert_eq(stack_cmd("mongo-start"), 0,
			     "http-stack mongo-start failed: the tests after "
			     "this one have no database");
	mongo_stopped = false;
	/* A worker's driver tries a server again only 5 s after it failed
	 * there (a single-threaded client's cooldown). One worker may serve
	 * every GET of wait_serving() while another still waits out its
	 * 5 s: the next test would get its 503. So wait past it first. */
	sleep_ms(5500);
	cr_assert(wait_serving(30000), "the workers do not serve again 30 s "
				       "after the database came back");
}

Test(outage, database_down_is_503_with_retry_after_then_recovers,
     .fini = restore_mongo, .timeout = 90)
{
	const char *title = tprintf("%sSurvivor", prefix());
	const char *path =
		tprintf("/books/%s", create_book(title, "Al Sweigart", 2001));
	const char *retry;
	long long t0;
	http_resp *r;

	stack_do("mongo-stop");
	mongo_stopped = true;
	t0 = now_ms();
	r = poll_status(path, 503, 5000);
	cr_assert_eq(r->status, 503,
		     "%s: %ld %s after %lld ms without the "
		     "database, expected 503 within 5 s",
		     r->what, r->status, r->error != NULL ? r->error : r->body,
		     now_ms() - t0);
	expect_problem(r, 503, NULL);
	retry = http_header_get(r, "Retry-After");
	cr_assert_not_null(retry, "%s: 503 without Retry-After", r->what);
	cr_assert(strspn(retry, "0123456789") == strlen(retry) &&
			  atol(retry) > 0,
		  "%s: Retry-After \"%s\", expected a positive integer",
		  r->what, retry);

	stack_do("mongo-start");
	mongo_stopped = false;
	r = poll_status(path, 200, 30000);
	cr_assert_eq(r->status, 200,
		     "%s: %ld 30 s after the database came "
		     "back: %s",
		     r->what, r->status, r->body);
	expect_book(r->what, expect_json(r, 200), NULL, title, "Al Sweigart",
		    2001);
}

Test(outage, errors_are_logged_with_method_and_path_not_the_body,
     .fini = restore_mongo, .timeout = 90)
{
	const char *logf = stack_env("MA_STACK_WORKER_LOG");
	const seed_book *s = &seed_books[3];
	const char *path = tprintf("/books/%s", s->id);
	const char *marker = tprintf("body-marker-%ld", (long)getpid());
	const char *body = book_json(marker, "Nobody", 1999);
	long offset = file_size(logf);
	long long deadline;
	const char *log = "";
	http_resp *r;

	stack_do("mongo-stop");
	mongo_stopped = true;
	r = poll_status(path, 503, 5000);
	expect_problem(r, 503, NULL);
	r = http_json("POST", "/books", body);
	expect_problem(r, 503, NULL);

	/* The worker writes its line before it answers; the file may lag a
	 * little behind a pipe. */
	deadline = now_ms() + 3000;
	while (now_ms() < deadline) {
		log = read_file_from(logf, offset);
		if (strstr(log, tprintf("GET %s", path)) != NULL &&
		    strstr(log, "POST /books") != NULL)
			break;
		sleep_ms(50);
	}
	cr_assert_not_null(strstr(log, tprintf("GET %s", path)),
			   "%s has no line with \"GET %s\"; new lines:\n%s",
			   logf, path, log);
	cr_assert_not_null(
		strstr(log, "POST /books"),
		"%s has no line with \"POST /books\"; new lines:\n%s", logf,
		log);
	cr_assert_null(strstr(log, marker), "%s shows a request body:\n%s",
		       logf, log);

	stack_do("mongo-start");
	mongo_stopped = false;
	r = poll_status(path, 200, 30000);
	expect_book(r->what, expect_json(r, 200), s->id, s->title, s->author,
		    s->year);
}

/* --- the worker program on its own: privileges and secrets ---------------- */

/* A worker started here, outside the stack, for the .fini to stop. */
static pid_t direct_pid;
static char direct_dir[64];

static void
stop_direct(void)
{
	int status;

	if (direct_pid > 0 && !wait_exit(direct_pid, 0, &status)) {
		kill(direct_pid, SIGKILL);
		wait_exit(direct_pid, 5000, &status);
	}
	direct_pid = 0;
	if (direct_dir[0] != '\0') {
		unlink(tprintf("%s/x.sock", direct_dir));
		unlink(tprintf("%s/worker.log", direct_dir));
		rmdir(direct_dir);
		direct_dir[0] = '\0';
	}
}

/* A temp dir the worker can use after dropping to pw (NULL: as we are). */
static const char *
direct_tmpdir(const struct passwd *pw)
{
	snprintf(direct_dir, sizeof(direct_dir), "/tmp/ma-http-direct.XXXXXX");
	cr_assert_not_null(mkdtemp(direct_dir), "mkdtemp: %s", strerror(errno));
	/* A Unix socket is unlinked by its owner at exit: the dropped
	 * master must be able to write in its directory. */
	if (pw != NULL)
		cr_assert_eq(chown(direct_dir, pw->pw_uid, pw->pw_gid), 0,
			     "chown %s: %s", direct_dir, strerror(errno));
	return direct_dir;
}

/*
 * The stack master's MONGOALCHEMY_* settings (so that a worker started
 * here uses the same database), changed by extra: "NAME=value" replaces
 * or adds, "NAME" alone removes. With PATH. A NULL-terminated environment.
 */
static char **
worker_env(const char *const *extra)
{
	const char *e, *end, *path = getenv("PATH");
	char **out = keep(bson_malloc0(64 * sizeof(char *)), bson_free);
	size_t n = 0, i, len;
	bool changed;

	for (e = stack_master_environ(&end); e < end && n < 40;
	     e += strlen(e) + 1) {
		if (strncmp(e, "MONGOALCHEMY_", 13) != 0)
			continue;
		changed = false;
		for (i = 0; extra != NULL && extra[i] != NULL; i++) {
			len = strcspn(extra[i], "=");
			changed |=
				strncmp(e, extra[i], len) == 0 && e[len] == '=';
		}
		if (!changed)
			out[n++] = (char *)tprintf("%s", e);
	}
	for (i = 0; extra != NULL && extra[i] != NULL && n < 60; i++) {
		if (strchr(extra[i], '=') != NULL)
			out[n++] = (char *)extra[i];
	}
	out[n++] = (char *)tprintf("PATH=%s",
				   path != NULL ? path : "/usr/bin:/bin");
	out[n] = NULL;
	return out;
}

static void
require_root(void)
{
	if (geteuid() != 0)
		cr_skip_test("not running as root: the privilege drop cannot "
			     "be seen from an unprivileged worker");
}

/* "Uid:" or "Gid:" of /proc/<pid>/status: the four ids all equal want. */
static void
expect_ids(pid_t pid, const char *line, long want)
{
	const char *status =
		read_file_from(tprintf("/proc/%ld/status", (long)pid), 0);
	const char *at = strstr(status, line);
	long id[4];

	cr_assert_not_null(at, "/proc/%ld/status has no %s line", (long)pid,
			   line);
	cr_assert_eq(sscanf(at + strlen(line), "%ld %ld %ld %ld", &id[0],
			    &id[1], &id[2], &id[3]),
		     4, "/proc/%ld/status: %.40s", (long)pid, at);
	cr_assert(id[0] == want && id[1] == want && id[2] == want &&
			  id[3] == want,
		  "process %ld: %s %ld %ld %ld %ld, expected %ld everywhere",
		  (long)pid, line, id[0], id[1], id[2], id[3], want);
}

/* No supplementary group of root's is left. */
static void
expect_no_root_group(pid_t pid)
{
	const char *status =
		read_file_from(tprintf("/proc/%ld/status", (long)pid), 0);
	const char *at = strstr(status, "Groups:");
	char *end;
	long g;

	cr_assert_not_null(at, "/proc/%ld/status has no Groups line",
			   (long)pid);
	for (at += 7; *at != '\n' && *at != '\0'; at = end) {
		g = strtol(at, &end, 10);
		if (end == at)
			break;
		cr_assert_neq(g, 0, "process %ld kept root's group 0",
			      (long)pid);
	}
}

Test(privileges, root_without_user_is_refused, .fini = stop_direct,
     .timeout = 30)
{
	const char *bin = stack_env("MA_STACK_WORKER_BIN"), *dir, *log;
	const char *argv[8];
	int status;

	require_root();
	dir = direct_tmpdir(NULL);
	log = tprintf("%s/worker.log", dir);
	argv[0] = bin;
	argv[1] = "--socket";
	argv[2] = tprintf("%s/x.sock", dir);
	argv[3] = "--workers";
	argv[4] = "1";
	argv[5] = NULL;
	direct_pid = spawn(argv, worker_env(NULL), log);
	cr_assert(wait_exit(direct_pid, 5000, &status),
		  "a root worker without --user still runs after 5 s:\n%s",
		  read_file_from(log, 0));
	direct_pid = 0;
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) != 0,
		  "a root worker without --user ended with status %d, "
		  "expected a non-zero exit",
		  status);
	cr_assert_not_null(strstr(read_file_from(log, 0), "--user"),
			   "the refusal does not mention --user:\n%s",
			   read_file_from(log, 0));
}

Test(privileges, workers_run_as_the_user_given, .fini = stop_direct,
     .timeout = 60)
{
	const char *bin = stack_env("MA_STACK_WORKER_BIN"), *dir, *log, *sock;
	const struct passwd *pw;
	const char *argv[10];
	long long deadline;
	pid_t child[8], master;
	size_t n = 0;
	int status;

	require_root();
	pw = getpwnam("nobody");
	cr_assert_not_null(pw, "no user nobody");
	dir = direct_tmpdir(pw);
	log = tprintf("%s/worker.log", dir);
	sock = tprintf("%s/x.sock", dir);
	argv[0] = bin;
	argv[1] = "--socket";
	argv[2] = sock;
	argv[3] = "--workers";
	argv[4] = "1";
	argv[5] = "--user";
	argv[6] = "nobody";
	argv[7] = NULL;
	direct_pid = spawn(argv, worker_env(NULL), log);
	master = direct_pid;

	deadline = now_ms() + 15000;
	while ((n = proc_children(direct_pid, child, 8)) == 0 &&
	       now_ms() < deadline && proc_alive(direct_pid))
		sleep_ms(50);
	cr_assert_eq(n, 1,
		     "worker --user nobody: %zu children after 15 s; "
		     "log:\n%s",
		     n, read_file_from(log, 0));
	expect_ids(child[0], "Uid:", (long)pw->pw_uid);
	expect_ids(child[0], "Gid:", (long)pw->pw_gid);
	/* DESIGN: never keeps root, the master included. */
	expect_ids(direct_pid, "Uid:", (long)pw->pw_uid);
	expect_no_root_group(child[0]);

	cr_assert_eq(kill(direct_pid, SIGTERM), 0);
	cr_assert(wait_exit(direct_pid, 10000, &status),
		  "still running 10 s after SIGTERM");
	direct_pid = 0;
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "SIGTERM: status %d, expected exit 0; log:\n%s", status,
		  read_file_from(log, 0));
	cr_assert_neq(access(sock, F_OK), 0, "%s is left behind", sock);
	/* The master's lines carry the example's name (ma_app_options),
	 * its runtime's lines too. */
	cr_assert(strstr(read_file_from(log, 0),
			 tprintf("library[%ld]: ", (long)master)) != NULL,
		  "no line of the master's under the name library:\n%s",
		  read_file_from(log, 0));
}

Test(logs, startup_without_a_database_never_shows_the_password,
     .fini = stop_direct, .timeout = 60)
{
	const char *bin = stack_env("MA_STACK_WORKER_BIN"), *dir, *log;
	const char *secret = tprintf("S3cret-%ld-pw", (long)getpid()), *server;
	const struct passwd *pw = NULL;
	const char *extra[8], *argv[10];
	long long deadline;
	unsigned port;
	int status = 0;
	size_t a = 0;
	pid_t child;

	if (geteuid() == 0) {
		pw = getpwnam("nobody");
		cr_assert_not_null(pw, "no user nobody");
	}
	dir = direct_tmpdir(pw);
	log = tprintf("%s/worker.log", dir);
	extra[0] = "MONGOALCHEMY_SERVER=127.0.0.1";
	port = live_closed_port();
	server = tprintf("127.0.0.1:%u", port);
	extra[1] = tprintf("MONGOALCHEMY_PORT=%u", port);
	extra[2] = "MONGOALCHEMY_USER=ma_http_probe";
	extra[3] = tprintf("MONGOALCHEMY_PASSWORD=%s", secret);
	extra[4] = "MONGOALCHEMY_OPTIONS=serverSelectionTimeoutMS=500"
		   "&connectTimeoutMS=500";
	extra[5] = "MONGOALCHEMY_CONNECTION_STRING";
	extra[6] = NULL;
	argv[a++] = bin;
	argv[a++] = "--socket";
	argv[a++] = tprintf("%s/x.sock", dir);
	argv[a++] = "--workers";
	argv[a++] = "1";
	if (pw != NULL) {
		argv[a++] = "--user";
		argv[a++] = "nobody";
	}
	argv[a] = NULL;
	direct_pid = spawn(argv, worker_env(extra), log);
	/* It cannot seed its library: it says so, and stops or goes on to
	 * fork its worker (the database may come later). Either way it has
	 * said what it had to say about the database by then. */
	deadline = now_ms() + 15000;
	while (!wait_exit(direct_pid, 0, &status)) {
		if (proc_children(direct_pid, &child, 1) > 0 ||
		    now_ms() >= deadline) {
			kill(direct_pid, SIGTERM);
			cr_assert(wait_exit(direct_pid, 10000, &status),
				  "still running 10 s after SIGTERM");
			break;
		}
		sleep_ms(20);
	}
	direct_pid = 0;
	/* Without the failed connection in the log, nothing here shows that
	 * the password stays out of what is said about it. */
	cr_assert_not_null(
		strstr(read_file_from(log, 0), server),
		"the log does not show the failed connection to %s:\n%s",
		server, read_file_from(log, 0));
	cr_assert_null(strstr(read_file_from(log, 0), secret),
		       "the password is in the log:\n%s",
		       read_file_from(log, 0));
}

/* --- answers only a front end gives or refuses ---------------------------- */

/* The front end's own 414 is a problem like the workers' errors, as the
 * API description says (Apache's was an HTML page). */
Test(frontend, request_line_too_long_is_a_414_problem)
{
	const char *long_value = "a";
	http_resp *r;
	int i;

	for (i = 0; i < 14; i++)
		long_value = tprintf("%s%s", long_value, long_value);
	r = http_get(tprintf("/books?title=%s", long_value));
	/* (The suite's problem check knows the workers' titles only.) */
	cr_assert_eq(r->status, 414, "a request line of 16 KiB: %ld",
		     r->status);
	expect_media_type(r, "application/problem+json");
	expect_jint("414", r->json, "status", 414);
	expect_jstr("414", r->json, "detail",
		    "the request line is larger than the server takes");
}
