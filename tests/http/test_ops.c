/*
 * What operators see, through nginx or Apache (the site files of nginx/)
 * to the example's workers (examples/library) and FerretDB, on a stack of
 * its own (tests/http/test_ops_nginx.sh, test_ops_apache.sh): liveness and
 * readiness, the front end's request id (nginx's $request_id, Apache's
 * UNIQUE_ID) in the answer, the problem and the log line, the request
 * log's content, the metrics of the whole pool (checked by promtool,
 * counted against the answers clients got while a worker is killed,
 * scraped by a real Prometheus server) and the front end's allow/deny on
 * the metrics path.
 *
 * One test at a time (CRITERION_JOBS=1): some stop the database or kill a
 * worker, and the counts compare a series before and after.
 */
#include <ctype.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "httplib.h"
#include "live.h"
#include "seed.h"

/* --- helpers -------------------------------------------------------------- */

/* The front end's id of a request: nginx's $request_id is 32 lower-case
 * hex digits; Apache's UNIQUE_ID (mod_unique_id) 20 or more of
 * [A-Za-z0-9@_-] (a modified base64: '@' in older releases, '_' now). */
static bool
is_front_id(const char *s)
{
	size_t n;

	if (s == NULL)
		return false;
	if (strcmp(stack_env("MA_STACK_FRONT"), "nginx") == 0)
		return strlen(s) == 32 &&
		       strspn(s, "0123456789abcdef") == strlen(s);
	n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		      "0123456789@_-");
	return n >= 20 && s[n] == '\0';
}

static const char *
expect_request_id(const http_resp *r)
{
	const char *id = http_header_get(r, "X-Request-Id");

	cr_assert(is_front_id(id), "%s: X-Request-Id %s, expected %s's id",
		  r->what, id != NULL ? id : "(none)",
		  stack_env("MA_STACK_FRONT"));
	return id;
}

/* The value of one series line ("name{labels} value") of a scrape; -1
 * when the series is absent. */
static double
series_value(const char *scrape, const char *series)
{
	size_t n = strlen(series);
	const char *p;

	for (p = scrape; p != NULL && *p != '\0';) {
		if (strncmp(p, series, n) == 0 && p[n] == ' ')
			return strtod(p + n + 1, NULL);
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return -1;
}

static const char *
scrape(void)
{
	http_resp *r = http_get("/metrics");

	expect_status(r, 200);
	cr_assert_str_eq(http_header_get(r, "Content-Type"),
			 "text/plain; version=0.0.4; charset=utf-8");
	return r->body;
}

/* A series' value now, 0 when it does not exist yet. */
static double
counter_now(const char *series)
{
	double v = series_value(scrape(), series);

	return v < 0 ? 0 : v;
}

/* The worker log's new text since offset, once it holds needle (the file
 * may lag a little behind the answer); what there is after ms. */
static const char *
log_with(long offset, const char *needle, long ms)
{
	const char *logf = stack_env("MA_STACK_WORKER_LOG"), *log = "";
	long long deadline = now_ms() + ms;

	while (now_ms() < deadline) {
		log = read_file_from(logf, offset);
		if (strstr(log, needle) != NULL)
			break;
		sleep_ms(50);
	}
	return log;
}

static size_t
count_of(const char *hay, const char *needle)
{
	size_t n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay++)
		n++;
	return n;
}

/* The line of log that holds needle, as its own string; NULL if none. */
static const char *
line_with(const char *log, const char *needle)
{
	const char *at = strstr(log, needle), *start, *end;

	if (at == NULL)
		return NULL;
	for (start = at; start > log && start[-1] != '\n'; start--)
		;
	end = strchr(at, '\n');
	if (end == NULL)
		end = at + strlen(at);
	return tprintf("%.*s", (int)(end - start), start);
}

/* --- health and readiness ------------------------------------------------- */

Test(health, liveness_answers_get_and_head_without_a_log_line)
{
	long offset = file_size(stack_env("MA_STACK_WORKER_LOG"));
	http_resp *r = http_get("/healthz");
	const char *id;
	json_object *j;

	j = expect_json(r, 200);
	expect_jstr(r->what, j, "status", "ok");
	id = expect_request_id(r);
	r = http("HEAD", "/healthz", NULL, NULL, 0);
	expect_status(r, 200);
	cr_expect_eq(r->len, 0, "HEAD /healthz has a body");
	r = http_get("/readyz");
	expect_jstr(r->what, expect_json(r, 200), "status", "ready");

	/* A request that logs, to know the log has caught up. */
	r = http_get("/books/" SEED_ID("b02"));
	expect_status(r, 200);
	log_with(offset, expect_request_id(r), 3000);
	cr_expect_null(
		strstr(read_file_from(stack_env("MA_STACK_WORKER_LOG"), offset),
		       id),
		"the liveness probe has a log line");
}

static bool mongo_stopped;

static void
restore_mongo(void)
{
	if (mongo_stopped)
		cr_assert_eq(stack_cmd("mongo-start"), 0,
			     "http-stack mongo-start failed");
	mongo_stopped = false;
	/* Past the driver's 5 s cooldown in every worker (test_http.c). */
	sleep_ms(5500);
	cr_assert(wait_serving(30000), "the workers do not serve again");
}

Test(health, readiness_is_503_with_retry_after_while_the_database_is_away,
     .fini = restore_mongo, .timeout = 90)
{
	long offset = file_size(stack_env("MA_STACK_WORKER_LOG"));
	const char *retry, *log;
	json_object *p;
	http_resp *r;
	int i;

	stack_do("mongo-stop");
	mongo_stopped = true;
	r = poll_status("/readyz", 503, 10000);
	p = expect_problem(r, 503, "MONGOALCHEMY");
	cr_expect_not_null(
		strstr(json_object_get_string(jget(r->what, p, "detail")),
		       "does not answer"),
		"%s: %s", r->what, r->body);
	retry = http_header_get(r, "Retry-After");
	cr_assert(retry != NULL && atol(retry) > 0,
		  "%s: Retry-After %s, expected a positive number of seconds",
		  r->what, retry != NULL ? retry : "(none)");
	cr_expect_str_eq(json_object_get_string(jget(r->what, p, "instance")),
			 tprintf("urn:request:%s", expect_request_id(r)));
	/* Alive all the same: the worker answers. */
	expect_status(http_get("/healthz"), 200);
	/* Asked again and again, each worker says it once. */
	for (i = 0; i < 10; i++)
		expect_status(http_get("/readyz"), 503);
	log = log_with(offset, "not ready", 3000);
	cr_expect_not_null(strstr(log, "not ready: database MONGOALCHEMY"),
			   "no line about readiness:\n%s", log);
	cr_expect(count_of(log, "not ready") >= 1 &&
			  count_of(log, "not ready") <= (size_t)stack_workers(),
		  "%zu not-ready lines for %d workers:\n%s",
		  count_of(log, "not ready"), stack_workers(), log);

	stack_do("mongo-start");
	mongo_stopped = false;
	r = poll_status("/readyz", 200, 30000);
	expect_status(r, 200);
}

/* --- request ids and the request log -------------------------------------- */

Test(request_log, the_front_ends_id_is_answered_in_the_problem_and_logged)
{
	long offset = file_size(stack_env("MA_STACK_WORKER_LOG"));
	const char *const headers[] = {"X-Request-Id: client-chosen", NULL};
	http_opts o = {.headers = headers};
	http_resp *r = keep(http_try("GET", "/books/5f00000000000000000000ff",
				     NULL, NULL, 0, &o),
			    http_free_any);
	const char *id, *line;
	json_object *p;

	/* The front end's own id, not the one the client made up. */
	p = expect_problem(r, 404, NULL);
	id = expect_request_id(r);
	cr_expect_str_eq(json_object_get_string(jget(r->what, p, "instance")),
			 tprintf("urn:request:%s", id));
	line = line_with(log_with(offset, id, 3000), id);
	cr_assert_not_null(line, "no log line with %s", id);
	cr_expect_not_null(
		strstr(line, tprintf(" %s GET /books/{id} 404 ", id)),
		"log line: %s", line);
	cr_expect_not_null(strstr(line, " ms"), "log line: %s", line);
	cr_expect_null(strstr(line, "client-chosen"), "log line: %s", line);
}

Test(request_log, never_shows_bodies_tokens_passwords_or_the_query)
{
	long offset = file_size(stack_env("MA_STACK_WORKER_LOG"));
	const char *secret = tprintf("s3cret-%ld", (long)getpid());
	const char *const headers[] = {
		tprintf("Authorization: Bearer tok-%s", secret),
		tprintf("Cookie: session=%s", secret), NULL};
	http_opts o = {.headers = headers};
	const char *body = tprintf("{\"title\": \"OPS %s\", \"year\": 2001, "
				   "\"author\": {\"name\": \"x\"}, "
				   "\"password\": \"%s\"}",
				   secret, secret);
	http_resp *r =
		keep(http_try("POST", tprintf("/books?password=%s", secret),
			      "application/json", body, strlen(body), &o),
		     http_free_any);
	const char *id, *log, *line;
	pid_t workers[8];
	size_t n;

	expect_problem(r, 400, NULL);
	id = expect_request_id(r);
	log = log_with(offset, id, 3000);
	line = line_with(log, id);
	cr_assert_not_null(line, "no log line with %s:\n%s", id, log);
	/* time, id, method, template, status, bytes, duration, pid */
	cr_expect_not_null(strstr(line, tprintf(" %s POST /books 400 ", id)),
			   "log line: %s", line);
	n = proc_children(stack_master_pid(), workers, 8);
	cr_expect(
		n > 0 && strchr(line, '[') != NULL &&
			pid_in((pid_t)atol(strchr(line, '[') + 1), workers, n),
		"log line without a worker's pid: %s", line);
	cr_expect_not_null(strstr(line, "Z "), "no UTC time: %s", line);
	cr_expect_null(strstr(log, secret),
		       "the log shows what the client sent:\n%s", log);
	cr_expect_null(find_nocase(log, "authorization"), "%s", log);
}

/* --- metrics -------------------------------------------------------------- */

Test(metrics, a_scrape_passes_promtool)
{
	const char *path = tprintf("/tmp/ma-ops-scrape.%ld", (long)getpid());
	const char *out = tprintf("%s.out", path);
	const char *text;
	FILE *f;
	int status;

	/* Some of everything first: a 200, a 404, a 405, a 503-free list. */
	expect_status(http_get("/books"), 200);
	expect_status(http_get("/nowhere"), 404);
	expect_status(http("DELETE", "/books", NULL, NULL, 0), 405);
	text = scrape();
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	status = system(
		tprintf("promtool check metrics <%s >%s 2>&1", path, out));
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "promtool check metrics failed (status %d):\n%s\nscrape:\n%s",
		  status, read_file_from(out, 0), text);
	unlink(path);
	unlink(out);
	cr_expect_gt(series_value(text, "http_requests_total{route="
					"\"unmatched\",method=\"GET\","
					"status=\"404\"}"),
		     0, "%s", text);
	cr_expect_gt(series_value(text, "http_requests_total{route=\"/books\","
					"method=\"DELETE\",status=\"405\"}"),
		     0, "%s", text);
	cr_expect_gt(series_value(text, "mongoalchemy_db_operations_total{"
					"kind=\"find\",outcome=\"ok\"}"),
		     0, "%s", text);
	cr_expect_eq(series_value(text, "mongoalchemy_workers"),
		     stack_workers(), "%s", text);
	cr_expect_eq(series_value(text, "mongoalchemy_workers_alive"),
		     stack_workers(), "%s", text);
}

Test(metrics, the_metrics_path_is_denied_to_other_addresses)
{
	http_opts other = {.source = "127.0.0.2"};
	http_resp *r;

	r = keep(http_try("GET", "/metrics", NULL, NULL, 0, &other),
		 http_free_any);
	expect_status(r, 403);
	expect_media_type(r, "application/problem+json");
	expect_jstr(r->what, r->json, "title", "Forbidden");
	expect_jint(r->what, r->json, "status", 403);
	cr_expect_null(strstr(r->body, "http_requests_total"));
	/* The probes stay open to every address. */
	r = keep(http_try("GET", "/healthz", NULL, NULL, 0, &other),
		 http_free_any);
	expect_status(r, 200);
	expect_status(http_get("/metrics"), 200);
}

/* Clients of the count test: GETs of one seed author until told. */
#define CLIENTS 4
static atomic_int ok_answers, other_answers, stop_clients;

static void *
client_run(void *arg)
{
	http_resp *r;

	(void)arg;
	while (!atomic_load(&stop_clients)) {
		r = http_try("GET", "/authors/" SEED_ID("a03"), NULL, NULL, 0,
			     NULL);
		if (r->status == 200)
			atomic_fetch_add(&ok_answers, 1);
		else
			atomic_fetch_add(&other_answers, 1);
		http_free(r);
	}
	return NULL;
}

/*
 * Every 200 a client got is counted once, whichever worker answered it,
 * a worker killed mid-run included: its counts stay in the shared memory,
 * and its replacement adds to them.
 */
Test(metrics, counts_match_the_answers_across_workers_one_killed, .timeout = 90)
{
	const char *series = "http_requests_total{route=\"/authors/{id}\","
			     "method=\"GET\",status=\"200\"}";
	long offset = file_size(stack_env("MA_STACK_WORKER_LOG"));
	double before = counter_now(series), after, restarts;
	pthread_t t[CLIENTS];
	pid_t old[8], now[8];
	size_t n, m, i, logged = 0;
	const char *text, *log;
	long long deadline;

	restarts = counter_now("mongoalchemy_worker_restarts_total");
	for (i = 0; i < CLIENTS; i++)
		pthread_create(&t[i], NULL, client_run, NULL);
	cr_assert(wait_count(&ok_answers, 1000, 30000), "no answers");
	n = proc_children(stack_master_pid(), old, 8);
	cr_assert_geq(n, 2, "%zu workers", n);
	cr_assert_eq(kill(old[0], SIGKILL), 0);
	deadline = now_ms() + 15000;
	do {
		sleep_ms(50);
		m = proc_children(stack_master_pid(), now, 8);
	} while (now_ms() < deadline && (pid_in(old[0], now, m) || m < n));
	cr_assert(!pid_in(old[0], now, m) && m == n,
		  "worker %ld not replaced: workers %s", (long)old[0],
		  pid_list(now, m));
	cr_assert(
		wait_count(&ok_answers, atomic_load(&ok_answers) + 300, 30000),
		"no answers after the kill");
	atomic_store(&stop_clients, 1);
	for (i = 0; i < CLIENTS; i++)
		pthread_join(t[i], NULL);

	text = scrape();
	after = series_value(text, series);
	cr_expect_eq((long)(after - before), (long)atomic_load(&ok_answers),
		     "the counter grew by %ld, clients got %d answers 200 (and "
		     "%d others)",
		     (long)(after - before), atomic_load(&ok_answers),
		     atomic_load(&other_answers));
	cr_expect_eq(series_value(text, "mongoalchemy_worker_restarts_total"),
		     restarts + 1, "%s", text);
	cr_expect_eq(series_value(text, "mongoalchemy_workers_alive"),
		     stack_workers(), "%s", text);
	cr_expect_eq(series_value(text, "http_requests_in_flight"), 1,
		     "only the scrape itself is in flight:\n%s", text);

	/* The answers came from several workers, the killed one and its
	 * replacement among them: their log lines say so. */
	log = read_file_from(stack_env("MA_STACK_WORKER_LOG"), offset);
	for (i = 0; i < n; i++)
		logged += strstr(log, tprintf("[%ld]: ", (long)old[i])) != NULL;
	for (i = 0; i < m; i++)
		logged += !pid_in(now[i], old, n) &&
			  strstr(log, tprintf("[%ld]: ", (long)now[i])) != NULL;
	cr_expect_geq(logged, 3,
		      "fewer than three workers (%s, then %s) logged requests",
		      pid_list(old, n), pid_list(now, m));
}

/* --- a real Prometheus server --------------------------------------------- */

static pid_t prom_pid;
static char prom_dir[64];

static void
stop_prometheus(void)
{
	int status;

	if (prom_pid > 0) {
		kill(prom_pid, SIGTERM);
		if (!wait_exit(prom_pid, 10000, &status)) {
			kill(prom_pid, SIGKILL);
			wait_exit(prom_pid, 5000, &status);
		}
	}
	prom_pid = 0;
	if (prom_dir[0] != '\0')
		cr_expect_eq(system(tprintf("rm -rf -- '%s'", prom_dir)), 0);
	prom_dir[0] = '\0';
}

/* The program name on PATH, or name as it is (its exec then fails and
 * says so). */
static const char *
in_path(const char *name)
{
	const char *path = getenv("PATH"), *end, *full;

	for (; path != NULL && *path != '\0'; path = *end ? end + 1 : end) {
		end = strchr(path, ':');
		if (end == NULL)
			end = path + strlen(path);
		full = tprintf("%.*s/%s", (int)(end - path), path, name);
		if (access(full, X_OK) == 0)
			return full;
	}
	return name;
}

static void
json_free(void *j)
{
	json_object_put(j);
}

/* The value of a Prometheus instant query's first sample; -1 when it has
 * none (yet). */
static double
prom_query(unsigned port, const char *query)
{
	const char *cmd = tprintf(
		"curl -s -G --max-time 5 http://127.0.0.1:%u/api/v1/query "
		"--data-urlencode 'query=%s' >%s/answer 2>/dev/null",
		port, query, prom_dir);
	json_object *j, *result, *value;
	const char *text;

	if (system(cmd) != 0)
		return -1;
	text = read_file_from(tprintf("%s/answer", prom_dir), 0);
	j = http_parse_json(text, strlen(text));
	if (j != NULL)
		keep(j, json_free);
	if (j == NULL || !json_object_object_get_ex(j, "data", &result) ||
	    !json_object_object_get_ex(result, "result", &result) ||
	    json_object_array_length(result) == 0 ||
	    !json_object_object_get_ex(json_object_array_get_idx(result, 0),
				       "value", &value))
		return -1;
	return strtod(
		json_object_get_string(json_object_array_get_idx(value, 1)),
		NULL);
}

Test(prometheus, scrapes_the_workers_through_the_front_end,
     .fini = stop_prometheus, .timeout = 120)
{
	const char *url = stack_env("MA_STACK_URL"), *series, *cfg;
	unsigned port = live_closed_port();
	double want, got = -1;
	long long deadline;
	const char *argv[8];
	FILE *f;
	int i;

	snprintf(prom_dir, sizeof(prom_dir), "/tmp/ma-ops-prom.XXXXXX");
	cr_assert_not_null(mkdtemp(prom_dir));
	cfg = tprintf("%s/prometheus.yml", prom_dir);
	f = fopen(cfg, "w");
	cr_assert_not_null(f);
	/* The target is the stack's front end, "http://127.0.0.1:PORT". */
	fprintf(f,
		"global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
		"scrape_configs:\n  - job_name: library\n"
		"    metrics_path: /metrics\n"
		"    static_configs:\n      - targets: ['%s']\n",
		strstr(url, "://") + 3);
	fclose(f);
	for (i = 0; i < 7; i++)
		expect_status(http_get("/books/since/2010"), 200);
	series = "http_requests_total{route=\"/books/since/{year}\","
		 "method=\"GET\",status=\"200\"}";
	want = series_value(scrape(), series);
	cr_assert_geq(want, 7);

	argv[0] = in_path("prometheus");
	argv[1] = tprintf("--config.file=%s", cfg);
	argv[2] = tprintf("--storage.tsdb.path=%s/data", prom_dir);
	argv[3] = tprintf("--web.listen-address=127.0.0.1:%u", port);
	argv[4] = NULL;
	prom_pid = spawn(argv, NULL, tprintf("%s/log", prom_dir));

	deadline = now_ms() + 60000;
	while (now_ms() < deadline && prom_query(port, "up") != 1)
		sleep_ms(500);
	cr_assert_eq(prom_query(port, "up"), 1,
		     "Prometheus has no up == 1 after 60 s; its log:\n%s",
		     read_file_from(tprintf("%s/log", prom_dir), 0));
	while (now_ms() < deadline && (got = prom_query(port, series)) != want)
		sleep_ms(500);
	cr_expect_eq(got, want, "Prometheus read %s = %g, the scrape %g",
		     series, got, want);
}
