/*
 * The shared metrics and their Prometheus text: bucket arithmetic, the
 * exposition's exact lines, and counts added by several processes.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "app/app-private.h"

static void
ok_handler(ma_request *req, ma_response *res, void *arg)
{
	(void)req;
	(void)arg;
	ma_response_status(res, MA_STATUS_NO_CONTENT);
}

/* A router with two templates: /books is 1, /books/{id} is 2. */
static ma_router *
two_routes(void)
{
	ma_router *r = _ma_router_new();
	ma_error e;

	cr_assert(_ma_router_add(r, MA_GET | MA_POST, "/books", ok_handler,
				 NULL, &e),
		  "%s", e.message);
	cr_assert(
		_ma_router_add(r, MA_GET, "/books/{id}", ok_handler, NULL, &e),
		"%s", e.message);
	/* Another method on the same shape keeps the first template. */
	cr_assert(_ma_router_add(r, MA_DELETE, "/books/{other}", ok_handler,
				 NULL, &e),
		  "%s", e.message);
	return r;
}

static char *
expose(const ma_metrics *m, const ma_router *r)
{
	ma_buf out;

	_ma_buf_init(&out, 4096);
	_ma_metrics_expose(m, r, &out);
	return _ma_buf_steal(&out, NULL);
}

static void
expect_line(const char *text, const char *line)
{
	const char *at = strstr(text, line);

	cr_expect(at != NULL && (at == text || at[-1] == '\n') &&
			  at[strlen(line)] == '\n',
		  "no line \"%s\" in:\n%s", line, text);
}

Test(metrics, buckets_are_upper_bounds_inclusive)
{
	cr_expect_eq(_ma_metrics_bucket(0), 0);
	cr_expect_eq(_ma_metrics_bucket(100), 0);
	cr_expect_eq(_ma_metrics_bucket(101), 1);
	cr_expect_eq(_ma_metrics_bucket(1000), 3);
	cr_expect_eq(_ma_metrics_bucket(1001), 4);
	cr_expect_eq(_ma_metrics_bucket(100000), 9);
	cr_expect_eq(_ma_metrics_bucket(2500000), 13);
	cr_expect_eq(_ma_metrics_bucket(2500001), MA_METRICS_BUCKETS);
	cr_expect_eq(_ma_metrics_bucket(UINT64_MAX), MA_METRICS_BUCKETS);
}

Test(metrics, the_router_numbers_its_templates)
{
	ma_router *r = two_routes();
	ma_route_match match;
	ma_error e;

	cr_expect_eq(_ma_router_count(r), 2);
	cr_expect_str_eq(_ma_router_template(r, 1), "/books");
	cr_expect_str_eq(_ma_router_template(r, 2), "/books/{id}");
	cr_expect_null(_ma_router_template(r, 0));
	cr_expect_null(_ma_router_template(r, 3));
	cr_assert_eq(_ma_router_match(r, MA_DELETE, "/books/42", &match, &e),
		     MA_ROUTE_FOUND);
	cr_expect_eq(match.route_id, 2);
	_ma_route_match_clear(&match);
	/* A 405 still knows its template; a 404 has none. */
	cr_assert_eq(_ma_router_match(r, MA_PUT, "/books", &match, &e),
		     MA_ROUTE_NO_METHOD);
	cr_expect_eq(match.route_id, 1);
	cr_assert_eq(_ma_router_match(r, MA_GET, "/authors", &match, &e),
		     MA_ROUTE_NOT_FOUND);
	cr_expect_eq(match.route_id, 0);
	_ma_router_destroy(r);
}

Test(metrics, requests_are_counted_by_template_method_and_status)
{
	ma_metrics *m = _ma_metrics_new();
	ma_router *r = two_routes();
	char *text;
	int i;

	cr_assert_not_null(m);
	for (i = 0; i < 3; i++)
		_ma_metrics_request(m, 2, MA_GET, 200, 400);
	_ma_metrics_request(m, 2, MA_GET, 404, 90);
	_ma_metrics_request(m, 1, MA_POST, 201, 3000000);
	_ma_metrics_request(m, 0, MA_GET, 404, 50);
	_ma_metrics_request(m, 1, 0, 501, 10);
	text = expose(m, r);

	/* Sorted by template, method, status: the same text every time. */
	cr_expect_not_null(
		strstr(text,
		       "# HELP http_requests_total Requests answered, by route "
		       "template, method and status.\n"
		       "# TYPE http_requests_total counter\n"
		       "http_requests_total{route=\"unmatched\",method=\"GET\","
		       "status=\"404\"} 1\n"
		       "http_requests_total{route=\"/books\",method=\"other\","
		       "status=\"501\"} 1\n"
		       "http_requests_total{route=\"/books\",method=\"POST\","
		       "status=\"201\"} 1\n"
		       "http_requests_total{route=\"/books/{id}\",method="
		       "\"GET\",status=\"200\"} 3\n"
		       "http_requests_total{route=\"/books/{id}\",method="
		       "\"GET\",status=\"404\"} 1\n# HELP"),
		"%s", text);
	bson_free(text);
	_ma_router_destroy(r);
	_ma_metrics_destroy(m);
}

Test(metrics, the_histogram_is_cumulative_with_an_exact_sum)
{
	ma_metrics *m = _ma_metrics_new();
	ma_router *r = two_routes();
	char *text;

	/* 90 us, 400 us x3, 2 ms, 3 s: buckets 0.0001, 0.0005, 0.0025, +Inf */
	_ma_metrics_request(m, 2, MA_GET, 200, 90);
	_ma_metrics_request(m, 2, MA_GET, 200, 400);
	_ma_metrics_request(m, 2, MA_GET, 200, 400);
	_ma_metrics_request(m, 2, MA_GET, 200, 400);
	_ma_metrics_request(m, 2, MA_GET, 200, 2000);
	_ma_metrics_request(m, 2, MA_GET, 200, 3000000);
	text = expose(m, r);

	expect_line(text, "# TYPE http_request_duration_seconds histogram");
#define B(le, n)                                                               \
	"http_request_duration_seconds_bucket{route=\"/books/{id}\",le=\"" le  \
	"\"} " #n
	expect_line(text, B("0.0001", 1));
	expect_line(text, B("0.00025", 1));
	expect_line(text, B("0.0005", 4));
	expect_line(text, B("0.001", 4));
	expect_line(text, B("0.0025", 5));
	expect_line(text, B("2.5", 5));
	expect_line(text, B("+Inf", 6));
#undef B
	expect_line(text, "http_request_duration_seconds_sum{route="
			  "\"/books/{id}\"} 3.003290");
	expect_line(text, "http_request_duration_seconds_count{route="
			  "\"/books/{id}\"} 6");
	/* A route without requests has no histogram. */
	cr_expect_null(strstr(text, "_bucket{route=\"/books\","), "%s", text);
	bson_free(text);
	_ma_router_destroy(r);
	_ma_metrics_destroy(m);
}

Test(metrics, driver_commands_by_kind_and_outcome)
{
	ma_metrics *m = _ma_metrics_new();
	char *text;

	_ma_metrics_db_command(m, "find", true, 1500);
	_ma_metrics_db_command(m, "find", true, 500);
	_ma_metrics_db_command(m, "insert", false, 7);
	_ma_metrics_db_command(m, "killCursors", true, 3);
	_ma_metrics_db_unavailable(m);
	_ma_metrics_db_unavailable(m);
	text = expose(m, NULL);

	expect_line(text, "mongoalchemy_db_operations_total{kind=\"find\","
			  "outcome=\"ok\"} 2");
	expect_line(text, "mongoalchemy_db_operations_total{kind=\"find\","
			  "outcome=\"error\"} 0");
	expect_line(text, "mongoalchemy_db_operations_total{kind=\"insert\","
			  "outcome=\"error\"} 1");
	expect_line(text, "mongoalchemy_db_operations_total{kind=\"other\","
			  "outcome=\"ok\"} 1");
	expect_line(text, "mongoalchemy_db_operation_seconds_total{kind="
			  "\"find\"} 0.002000");
	expect_line(text, "mongoalchemy_db_unavailable_total 2");
	bson_free(text);
	_ma_metrics_destroy(m);
}

Test(metrics, build_info_names_the_versions)
{
	ma_metrics *m = _ma_metrics_new();
	char *text = expose(m, NULL), *want;

	want = bson_strdup_printf("mongoalchemy_build_info{version=\"%s\","
				  "libmongoc=\"%s\",libbson=\"%s\",",
				  PACKAGE_VERSION, mongoc_get_version(),
				  bson_get_version());
	cr_expect_not_null(strstr(text, want), "%s", text);
	cr_expect_not_null(strstr(text, "\nprocess_start_time_seconds 1"), "%s",
			   text);
	bson_free(want);
	bson_free(text);
	_ma_metrics_destroy(m);
}

/* Four processes forked after the mapping add to the same counters; one
 * dies with a request in flight, which then counts no more. */
Test(metrics, processes_share_the_counts_and_a_dead_one_leaves_its_own)
{
	ma_metrics *m = _ma_metrics_new();
	ma_router *r;
	pid_t pid[4];
	int i, k, status;
	char *text;

	_ma_metrics_set_workers(m, 3);
	for (i = 0; i < 4; i++) {
		pid[i] = fork();
		cr_assert_geq(pid[i], 0);
		if (pid[i] == 0) {
			_ma_metrics_worker_started(m);
			for (k = 0; k < 1000; k++) {
				_ma_metrics_in_flight(m, 1);
				_ma_metrics_request(m, 1, MA_GET, 200, 150);
				_ma_metrics_in_flight(m, -1);
			}
			/* The last one dies as if killed mid-request. */
			if (i == 3) {
				_ma_metrics_in_flight(m, 1);
				pause();
			}
			_exit(0);
		}
	}
	for (i = 0; i < 3; i++)
		cr_assert_eq(waitpid(pid[i], &status, 0), pid[i]);
	/* Made after the forks: the children exit without freeing it. */
	r = two_routes();
	/* Wait for the fourth's request to be in flight. */
	for (k = 0; k < 500; k++) {
		text = expose(m, r);
		if (strstr(text, "\nhttp_requests_in_flight 1\n") != NULL)
			break;
		bson_free(text);
		text = NULL;
		nanosleep(&(struct timespec){0, 10 * 1000000}, NULL);
	}
	cr_assert_not_null(text, "the fourth process's request never counted");
	expect_line(text, "mongoalchemy_workers_alive 1");
	bson_free(text);
	kill(pid[3], SIGKILL);
	cr_assert_eq(waitpid(pid[3], &status, 0), pid[3]);

	text = expose(m, r);
	expect_line(text, "http_requests_total{route=\"/books\",method=\"GET\","
			  "status=\"200\"} 4000");
	expect_line(text, "http_request_duration_seconds_count{route="
			  "\"/books\"} 4000");
	expect_line(text, "http_request_duration_seconds_sum{route="
			  "\"/books\"} 0.600000");
	expect_line(text, "http_requests_in_flight 0");
	expect_line(text, "mongoalchemy_workers 3");
	expect_line(text, "mongoalchemy_workers_alive 0");
	expect_line(text, "mongoalchemy_worker_restarts_total 1");
	bson_free(text);

	/* In this process now: it takes the dead one's slot. */
	_ma_metrics_in_flight(m, 1);
	text = expose(m, r);
	expect_line(text, "http_requests_in_flight 1");
	expect_line(text, "mongoalchemy_workers_alive 1");
	bson_free(text);
	_ma_router_destroy(r);
	_ma_metrics_destroy(m);
}

Test(metrics, a_null_table_counts_nothing_and_shows_nothing)
{
	char *text;

	_ma_metrics_request(NULL, 1, MA_GET, 200, 1);
	_ma_metrics_in_flight(NULL, 1);
	_ma_metrics_db_command(NULL, "find", true, 1);
	text = expose(NULL, NULL);
	cr_expect_str_eq(text, "");
	bson_free(text);
}
