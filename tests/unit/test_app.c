/*
 * The application without FastCGI: CGI variables and a body in, the
 * serialized response out. No network: the database object is never used
 * by these handlers.
 */
#include <criterion/criterion.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app-private.h"
#include "fake_env.h"

/* A body served from memory, a few bytes at a time like a socket. */
typedef struct mem_body {
	const char *data;
	size_t len, pos;
	size_t chunk;
} mem_body;

static ssize_t
mem_read(void *ctx, char *buf, size_t n)
{
	mem_body *b = ctx;
	size_t left = b->len - b->pos;

	if (n > left)
		n = left;
	if (b->chunk > 0 && n > b->chunk)
		n = b->chunk;
	memcpy(buf, b->data + b->pos, n);
	b->pos += n;
	return (ssize_t)n;
}

/* What a handler saw, for the tests to check. */
static char seen[512];

static void
echo(ma_request *req, ma_response *res, void *arg)
{
	const char *id = ma_request_param(req, "id");
	const char *q = ma_request_query(req, "q");
	const char *ua = ma_request_header(req, "User-Agent");

	(void)arg;
	snprintf(seen, sizeof(seen), "%s|%s|%s|%zu", id ? id : "-", q ? q : "-",
		 ua ? ua : "-", ma_request_query_count(req));
	ma_response_json(res, 200, "{\"ok\":true}", 11);
}

static void
body_size(ma_request *req, ma_response *res, void *arg)
{
	const char *body;
	size_t len;
	ma_error e;
	char out[64];

	(void)arg;
	if (!_ma_request_json_body(req, &body, &len, &e)) {
		ma_response_error(res, &e, NULL);
		return;
	}
	snprintf(out, sizeof(out), "{\"len\":%zu}", len);
	ma_response_json(res, 200, out, strlen(out));
}

static void
fails(ma_request *req, ma_response *res, void *arg)
{
	ma_error e;

	(void)req;
	_ma_error_set(&e, (ma_error_code)(intptr_t)arg, "secret detail");
	ma_response_error(res, &e, NULL);
}

/* Answers, then changes its mind. */
static void
twice(ma_request *req, ma_response *res, void *arg)
{
	(void)req;
	(void)arg;
	ma_response_json(res, 200, "{\"ok\":true}", 11);
	ma_response_problem(res, 409, "changed its mind");
}

static void
silent(ma_request *req, ma_response *res, void *arg)
{
	(void)req;
	(void)res;
	(void)arg;
}

static ma_app *
make_app(size_t limit)
{
	ma_app_options o = {.body_limit = limit};
	ma_app *app = ma_app_new(&o, NULL);

	cr_assert(ma_app_route(app, MA_GET | MA_PUT, "/things/{id}", echo, NULL,
			       NULL));
	cr_assert(ma_app_route(app, MA_POST, "/things", body_size, NULL, NULL));
	cr_assert(ma_app_route(app, MA_GET, "/gone", fails,
			       (void *)(intptr_t)MA_ERR_UNAVAILABLE, NULL));
	cr_assert(ma_app_route(app, MA_GET, "/broken", fails,
			       (void *)(intptr_t)MA_ERR_DRIVER, NULL));
	cr_assert(ma_app_route(app, MA_GET, "/dup", fails,
			       (void *)(intptr_t)MA_ERR_DUPLICATE, NULL));
	cr_assert(ma_app_route(app, MA_GET, "/silent", silent, NULL, NULL));
	cr_assert(ma_app_route(app, MA_GET, "/twice", twice, NULL, NULL));
	return app;
}

/* Runs one request through the app; returns the serialized response. */
static char *
run(ma_app *app, char **env, const char *body, size_t chunk)
{
	mem_body b = {body, body ? strlen(body) : 0, 0, chunk};
	ma_buf out;

	_ma_buf_init(&out, 256);
	_ma_app_handle(app, env, mem_read, &b, &out);
	return _ma_buf_steal(&out, NULL);
}

#define ENVP(...) ((char *[]){__VA_ARGS__, NULL})

Test(app, routes_a_request_with_its_parameters)
{
	ma_app *app = make_app(0);
	char *out = run(app,
			ENVP("REQUEST_METHOD=GET",
			     "REQUEST_URI=/things/a%20b?q=x+y&q=2&z=%C3%A9",
			     "QUERY_STRING=q=x+y&q=2&z=%C3%A9",
			     "HTTP_USER_AGENT=curl/8",
			     "HTTP_X_REQUEST_ID=4f1c-a.b_9"),
			NULL, 0);

	cr_assert_str_eq(out, "Status: 200 OK\r\n"
			      "Content-Type: application/json\r\n"
			      "X-Request-Id: 4f1c-a.b_9\r\n"
			      "Content-Length: 11\r\n\r\n{\"ok\":true}");
	cr_assert_str_eq(seen, "a b|x y|curl/8|3");
	bson_free(out);
	ma_app_destroy(app);
}

Test(app, unknown_route_is_a_404_problem)
{
	ma_app *app = make_app(0);
	char *out = run(app,
			ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/nothing",
			     "HTTP_X_REQUEST_ID=0123456789abcdef"),
			NULL, 0);

	cr_assert(strstr(out, "Status: 404 Not Found\r\n") == out, "%s", out);
	cr_assert(strstr(out, "Content-Type: application/problem+json\r\n"));
	cr_assert(strstr(out, "\r\n\r\n{\"type\":\"about:blank\",\"title\":"
			      "\"Not Found\",\"status\":404,\"detail\":"
			      "\"no route matches this path\",\"instance\":"
			      "\"urn:request:0123456789abcdef\"}"),
		  "%s", out);
	bson_free(out);
	ma_app_destroy(app);
}

Test(app, wrong_method_is_a_405_with_allow)
{
	ma_app *app = make_app(0);
	char *out =
		run(app, ENVP("REQUEST_METHOD=DELETE", "REQUEST_URI=/things/1"),
		    NULL, 0);

	cr_assert(strstr(out, "Status: 405 Method Not Allowed\r\n") == out);
	cr_assert(strstr(out, "\r\nAllow: GET, HEAD, PUT\r\n"), "%s", out);
	bson_free(out);
	ma_app_destroy(app);
}

Test(app, head_answers_a_get_route_without_the_body)
{
	ma_app *app = make_app(0);
	char *out = run(app,
			ENVP("REQUEST_METHOD=HEAD", "REQUEST_URI=/things/7",
			     "HTTP_X_REQUEST_ID=h1"),
			NULL, 0);

	cr_assert_str_eq(out, "Status: 200 OK\r\n"
			      "Content-Type: application/json\r\n"
			      "X-Request-Id: h1\r\n"
			      "Content-Length: 11\r\n\r\n");
	bson_free(out);
	ma_app_destroy(app);
}

Test(app, unknown_method_is_501)
{
	ma_app *app = make_app(0);
	char *out =
		run(app, ENVP("REQUEST_METHOD=BREW", "REQUEST_URI=/things/7"),
		    NULL, 0);

	cr_assert(strstr(out, "Status: 501 Not Implemented\r\n") == out, "%s",
		  out);
	cr_assert(strstr(out, "method BREW is not implemented"));
	bson_free(out);
	ma_app_destroy(app);
}

Test(app, bad_query_string_is_a_400_naming_it)
{
	ma_app *app = make_app(0);
	char *out =
		run(app,
		    ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/things/7?q=%zz",
			 "QUERY_STRING=q=%zz"),
		    NULL, 0);

	cr_assert(strstr(out, "Status: 400 Bad Request\r\n") == out, "%s", out);
	cr_assert(strstr(out, "%zz"), "%s", out);
	bson_free(out);
	ma_app_destroy(app);
}

Test(app, body_within_the_limit_is_read_whole)
{
	ma_app *app = make_app(16);
	char *out = run(app,
			ENVP("REQUEST_METHOD=POST", "REQUEST_URI=/things",
			     "CONTENT_TYPE=application/json; charset=UTF-8",
			     "CONTENT_LENGTH=16"),
			"{\"a\":1234567890}", 3);

	cr_assert(strstr(out, "\r\n\r\n{\"len\":16}"), "%s", out);
	bson_free(out);
	ma_app_destroy(app);
}

Test(app, body_above_the_limit_is_413_declared_or_not)
{
	ma_app *app = make_app(16);
	char *declared =
		run(app,
		    ENVP("REQUEST_METHOD=POST", "REQUEST_URI=/things",
			 "CONTENT_TYPE=application/json", "CONTENT_LENGTH=17"),
		    "{\"a\":12345678901}", 0);
	char *undeclared =
		run(app,
		    ENVP("REQUEST_METHOD=POST", "REQUEST_URI=/things",
			 "CONTENT_TYPE=application/json"),
		    "{\"a\":12345678901}", 5);

	cr_assert(strstr(declared, "Status: 413 Content Too Large\r\n") ==
			  declared,
		  "%s", declared);
	cr_assert(strstr(declared, "larger than 16 bytes"));
	cr_assert(strstr(undeclared, "Status: 413 Content Too Large\r\n") ==
			  undeclared,
		  "%s", undeclared);
	bson_free(declared);
	bson_free(undeclared);
	ma_app_destroy(app);
}

Test(app, empty_content_type_and_length_count_as_absent)
{
	/* nginx passes both, empty, when the request has neither; RFC 3875
	 * (4.1) reads an empty meta-variable as unset. */
	ma_app *app = make_app(16);
	char *no_type = run(app,
			    ENVP("REQUEST_METHOD=POST", "REQUEST_URI=/things",
				 "CONTENT_TYPE=", "CONTENT_LENGTH=2"),
			    "{}", 0);
	char *no_length =
		run(app,
		    ENVP("REQUEST_METHOD=POST", "REQUEST_URI=/things",
			 "CONTENT_TYPE=application/json", "CONTENT_LENGTH="),
		    "{\"a\":1234567890}", 3);

	cr_assert(strstr(no_type, "Status: 415 Unsupported Media Type\r\n") ==
			  no_type,
		  "%s", no_type);
	cr_assert(strstr(no_type, "(no Content-Type given)"), "%s", no_type);
	cr_assert(strstr(no_length, "\r\n\r\n{\"len\":16}"), "%s", no_length);
	bson_free(no_type);
	bson_free(no_length);
	ma_app_destroy(app);
}

Test(app, body_shorter_than_its_length_is_400)
{
	ma_app *app = make_app(0);
	char *out =
		run(app,
		    ENVP("REQUEST_METHOD=POST", "REQUEST_URI=/things",
			 "CONTENT_TYPE=application/json", "CONTENT_LENGTH=10"),
		    "{}", 0);

	cr_assert(strstr(out, "Status: 400 Bad Request\r\n") == out, "%s", out);
	cr_assert(strstr(out, "before its Content-Length"), "%s", out);
	bson_free(out);
	ma_app_destroy(app);
}

Test(app, a_body_that_is_not_json_is_415)
{
	static const char *const refused[] = {
		"CONTENT_TYPE=text/plain",
		"CONTENT_TYPE=application/jsonx",
		"CONTENT_TYPE=application/json; charset=latin1",
		"CONTENT_TYPE=application/xml",
		"X_NONE=1", /* no Content-Type at all */
	};
	static const char *const taken[] = {
		"CONTENT_TYPE=application/json",
		"CONTENT_TYPE=Application/JSON",
		"CONTENT_TYPE=application/merge-patch+json",
		"CONTENT_TYPE=application/json;charset=\"utf-8\"",
	};
	ma_app *app = make_app(0);
	size_t i;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		char *out = run(app,
				ENVP("REQUEST_METHOD=POST",
				     "REQUEST_URI=/things", (char *)refused[i]),
				"{}", 0);

		cr_assert(
			strstr(out, "Status: 415 Unsupported Media Type\r\n") ==
				out,
			"%s: %s", refused[i], out);
		bson_free(out);
	}
	for (i = 0; i < sizeof(taken) / sizeof(taken[0]); i++) {
		char *out = run(app,
				ENVP("REQUEST_METHOD=POST",
				     "REQUEST_URI=/things", (char *)taken[i]),
				"{}", 0);

		cr_assert(strstr(out, "\r\n\r\n{\"len\":2}"), "%s: %s",
			  taken[i], out);
		bson_free(out);
	}
	ma_app_destroy(app);
}

Test(app, empty_json_body_is_400)
{
	ma_app *app = make_app(0);
	char *out =
		run(app,
		    ENVP("REQUEST_METHOD=POST", "REQUEST_URI=/things",
			 "CONTENT_TYPE=application/json", "CONTENT_LENGTH=0"),
		    "", 0);

	cr_assert(strstr(out, "Status: 400 Bad Request\r\n") == out, "%s", out);
	cr_assert(strstr(out, "the request body is empty"));
	bson_free(out);
	ma_app_destroy(app);
}

Test(app, unavailable_is_503_with_retry_after_and_no_detail_leak)
{
	ma_app *app = make_app(0);
	char *out = run(app, ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/gone"),
			NULL, 0);

	cr_assert(strstr(out, "Status: 503 Service Unavailable\r\n") == out,
		  "%s", out);
	cr_assert(strstr(out, "\r\nRetry-After: 5\r\n"), "%s", out);
	cr_assert(strstr(out, "try again later"), "%s", out);
	cr_assert_null(strstr(out, "secret detail"));
	bson_free(out);
	ma_app_destroy(app);
}

Test(app, driver_failure_is_500_without_its_message)
{
	ma_app *app = make_app(0);
	char *out = run(app, ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/broken"),
			NULL, 0);

	cr_assert(strstr(out, "Status: 500 Internal Server Error\r\n") == out,
		  "%s", out);
	cr_assert_null(strstr(out, "secret detail"));
	cr_assert_null(strstr(out, "Retry-After"));
	bson_free(out);
	ma_app_destroy(app);
}

Test(app, duplicate_is_409_without_the_servers_words)
{
	ma_app *app = make_app(0);
	char *out = run(app, ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/dup"),
			NULL, 0);

	cr_assert(strstr(out, "Status: 409 Conflict\r\n") == out, "%s", out);
	cr_assert(strstr(out, "\"detail\":\"a stored document already has "
			      "this id or the same value for a unique index\""),
		  "%s", out);
	cr_assert_null(strstr(out, "secret detail"));
	bson_free(out);
	ma_app_destroy(app);
}

Test(app, a_handler_that_answers_nothing_is_500)
{
	ma_app *app = make_app(0);
	char *out = run(app, ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/silent"),
			NULL, 0);

	cr_assert(strstr(out, "Status: 500 Internal Server Error\r\n") == out,
		  "%s", out);
	bson_free(out);
	ma_app_destroy(app);
}

Test(app, a_second_body_replaces_the_first_with_its_type)
{
	ma_app *app = make_app(0);
	char *out = run(app,
			ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/twice",
			     "HTTP_X_REQUEST_ID=t2"),
			NULL, 0);

	cr_assert_str_eq(out,
			 "Status: 409 Conflict\r\n"
			 "Content-Type: application/problem+json\r\n"
			 "X-Request-Id: t2\r\n"
			 "Content-Length: 110\r\n\r\n"
			 "{\"type\":\"about:blank\",\"title\":\"Conflict\","
			 "\"status\":409,\"detail\":\"changed its mind\","
			 "\"instance\":\"urn:request:t2\"}");
	bson_free(out);
	ma_app_destroy(app);
}

Test(app, path_from_script_name_and_path_info_without_request_uri)
{
	ma_app *app = make_app(0);
	char *out = run(app,
			ENVP("REQUEST_METHOD=GET", "SCRIPT_NAME=/things",
			     "PATH_INFO=/42"),
			NULL, 0);

	cr_assert(strstr(out, "Status: 200 OK\r\n") == out, "%s", out);
	cr_assert_str_eq(seen, "42|-|-|0");
	bson_free(out);
	ma_app_destroy(app);
}

Test(status, one_table_maps_library_errors)
{
	cr_assert_eq(ma_status_from_error(MA_ERR_INVALID), 400);
	cr_assert_eq(ma_status_from_error(MA_ERR_JSON), 400);
	cr_assert_eq(ma_status_from_error(MA_ERR_VALIDATION), 400);
	cr_assert_eq(ma_status_from_error(MA_ERR_NOT_FOUND), 404);
	cr_assert_eq(ma_status_from_error(MA_ERR_DUPLICATE), 409);
	cr_assert_eq(ma_status_from_error(MA_ERR_TOO_LARGE), 413);
	cr_assert_eq(ma_status_from_error(MA_ERR_MEDIA_TYPE), 415);
	cr_assert_eq(ma_status_from_error(MA_ERR_UNAVAILABLE), 503);
	cr_assert_eq(ma_status_from_error(MA_ERR_PRECONDITION), 412);
	cr_assert_eq(ma_status_from_error(MA_ERR_TIMEOUT), 504);
	cr_assert_eq(ma_status_from_error(MA_ERR_AUTH), 500);
	cr_assert_eq(ma_status_from_error(MA_ERR_DRIVER), 500);
	cr_assert_eq(ma_status_from_error(MA_ERR_CONFIG), 500);
	cr_assert_eq(ma_status_from_error(MA_ERR_NOMEM), 500);
	cr_assert_eq(ma_status_from_error(MA_ERR_UNDECLARED), 500);
}

Test(response, problem_lists_validation_errors)
{
	ma_problems *p = ma_problems_new();
	ma_response res;
	ma_error e;
	ma_doc *doc = ma_doc_new_from_json(
		&(ma_type){.name = "T",
			   .fields =
				   (const ma_field[]){MA_INT("year", MA_MIN(0),
							     MA_MAX(9999)),
						      MA_STRING("title"),
						      MA_FIELDS_END}},
		"{\"year\":\"x\",\"colour\":1}", 23, p, &e);

	cr_assert_null(doc);
	_ma_response_init(&res, NULL);
	ma_response_error(&res, &e, p);
	res.body.data[res.body.len] = '\0';
	cr_assert_eq(res.status, 400);
	cr_assert(strstr(res.body.data,
			 "\"errors\":[{\"field\":\"year\",\"message\":"),
		  "%s", res.body.data);
	cr_assert(strstr(res.body.data, "{\"field\":\"title\",\"message\":"
					"\"required\"}"),
		  "%s", res.body.data);
	cr_assert(strstr(res.body.data, "{\"field\":\"colour\",\"message\":"
					"\"unknown field\"}"),
		  "%s", res.body.data);
	_ma_response_destroy(&res);
	ma_problems_destroy(p);
}

Test(response, header_injection_is_refused)
{
	ma_response res;

	_ma_response_init(&res, NULL);
	cr_assert_not(ma_response_header(&res, "X-A", "1\r\nSet-Cookie: x"));
	cr_assert_not(ma_response_header(&res, "X-A\nB", "1"));
	cr_assert_not(ma_response_header(&res, "X-A: B", "1"));
	cr_assert_not(ma_response_header(&res, "", "1"));
	cr_assert(ma_response_header(&res, "X-A", "1"));
	cr_assert_eq(res.headers.len, strlen("X-A: 1\r\n"));
	_ma_response_destroy(&res);
}

Test(response, no_content_has_no_length_and_no_body)
{
	ma_response res;
	ma_buf out;

	_ma_response_init(&res, NULL);
	ma_response_status(&res, 204);
	_ma_buf_init(&out, 64);
	_ma_response_serialize(&res, false, &out);
	out.data[out.len] = '\0';
	cr_assert_str_eq(out.data, "Status: 204 No Content\r\n\r\n");
	_ma_buf_destroy(&out);
	_ma_response_destroy(&res);
}

Test(setup, the_first_error_sticks_and_run_reports_it)
{
	ma_app *app = ma_app_new(NULL, NULL);
	ma_error e;
	char *argv[] = {"app", "--socket", "/nonexistent/dir/x.sock", NULL};

	cr_assert_not(ma_app_route(app, MA_GET, "no-slash", echo, NULL, &e));
	cr_assert_eq(e.code, MA_ERR_INVALID);
	/* A later, valid call fails with the first error. */
	cr_assert_not(ma_app_route(app, MA_GET, "/fine", echo, NULL, &e));
	cr_assert_eq(e.code, MA_ERR_INVALID);
	cr_assert_eq(ma_app_run(app, 3, argv), 2);
	ma_app_destroy(app);
}

Test(setup, a_route_needs_a_handler)
{
	ma_app *app = ma_app_new(NULL, NULL);
	ma_error e;

	cr_assert_not(ma_app_route(app, MA_GET, "/x", NULL, NULL, &e));
	cr_assert_str_eq(e.message, "route /x has no handler");
	ma_app_destroy(app);
}

static const ma_field readonly_fields[] = {MA_STRING("s"), MA_FIELDS_END};
static const ma_type readonly_type = {.name = "R", .fields = readonly_fields};

/* A route that calls an extension its type does not declare: the
 * program's mistake. */
static void
undeclared_extension(ma_request *req, ma_response *res, void *arg)
{
	ma_query *q = ma_query_new(arg, &readonly_type);
	ma_error e;

	if (ma_query_extend(q, "since", ma_request_param(req, "year"), &e))
		ma_response_json(res, 200, "{}", 2);
	else
		ma_response_error(res, &e, NULL);
	ma_query_destroy(q);
}

/* stderr (the log) caught in a file, from capture_begin() to
 * capture_end(), which gives its text. */
typedef struct capture {
	FILE *f;
	int saved;
} capture;

static void
capture_begin(capture *c)
{
	fflush(stderr);
	c->f = tmpfile();
	c->saved = dup(STDERR_FILENO);
	cr_assert(c->f != NULL && c->saved >= 0);
	cr_assert(dup2(fileno(c->f), STDERR_FILENO) >= 0);
}

static char *
capture_end(capture *c)
{
	char buf[4096];
	size_t n;

	fflush(stderr);
	dup2(c->saved, STDERR_FILENO);
	close(c->saved);
	rewind(c->f);
	n = fread(buf, 1, sizeof(buf) - 1, c->f);
	buf[n] = '\0';
	fclose(c->f);
	return bson_strdup(buf);
}

/* Runs one request; the response, and in *log what it logged. */
static char *
run_logged(ma_app *app, char **env, char **log)
{
	capture c;
	char *out;

	capture_begin(&c);
	out = run(app, env, NULL, 0);
	*log = capture_end(&c);
	return out;
}

Test(app, an_undeclared_query_extension_is_500_and_logged)
{
	ma_app *app = ma_app_new(NULL, NULL);
	ma_error e;
	ma_db *db = fake_db("unit", &e);
	char *out, *log;

	cr_assert_not_null(db, "%s", e.message);
	cr_assert(ma_app_route(app, MA_GET, "/r/since/{year}",
			       undeclared_extension, db, &e),
		  "%s", e.message);
	out = run_logged(
		app, ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/r/since/2000"),
		&log);
	cr_assert(strstr(out, "Status: 500 Internal Server Error\r\n") == out,
		  "%s", out);
	cr_assert(strstr(out, "\"detail\":\"the server could not answer "
			      "this request\""),
		  "%s", out);
	cr_assert(strstr(log, "GET /r/since/2000: 500: R has no query "
			      "extension 'since' (not declared by the type)\n"),
		  "log: %s", log);
	bson_free(log);
	bson_free(out);
	ma_app_destroy(app);
	ma_db_destroy(db);
}

/* ma_app_run()'s lines for argv: what it wrote on stderr. */
static char *
run_main(ma_app *app, int argc, char **argv, int want)
{
	capture c;
	int status;

	capture_begin(&c);
	status = ma_app_run(app, argc, argv);
	cr_assert_eq(status, want, "exit status %d, expected %d", status, want);
	return capture_end(&c);
}

/* ma_app_options.name names every line: a setup error, a wrong option
 * (whose hint still shows the command to run), a request's log line. */
Test(setup, every_line_carries_the_applications_name)
{
	ma_app_options o = {.name = "shelf"};
	char *argv[] = {"/opt/shelf/bin/shelf-worker", "--workers", "0", NULL};
	ma_app *app = ma_app_new(&o, NULL);
	char *err, *out, *log;

	err = run_main(app, 3, argv, 2);
	cr_assert(strncmp(err, "shelf: --workers", 16) == 0, "%s", err);
	cr_assert(strstr(err, "\ntry '/opt/shelf/bin/shelf-worker --help'\n"),
		  "%s", err);
	bson_free(err);

	out = run_logged(app, ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/x"),
			 &log);
	bson_free(out);
	bson_free(log);
	cr_assert(ma_app_route(app, MA_GET, "/broken", fails,
			       (void *)(intptr_t)MA_ERR_DRIVER, NULL));
	out = run_logged(app, ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/broken"),
			 &log);
	cr_assert(strncmp(log, "shelf[", 6) == 0, "%s", log);
	cr_assert(strstr(log, "]: GET /broken: 500: secret detail"), "%s", log);
	bson_free(out);
	bson_free(log);

	cr_assert_not(ma_app_route(app, MA_GET, "no-slash", echo, NULL, NULL));
	err = run_main(app, 1, argv, 2);
	cr_assert(strncmp(err, "shelf: ", 7) == 0 &&
			  strchr(err, '\n') == err + strlen(err) - 1,
		  "%s", err);
	bson_free(err);
	ma_app_destroy(app);
}

/* The master says which variables a connection string makes ignored
 * (before it binds: here the socket's folder does not exist). */
Test(setup, variables_a_connection_string_ignores_are_logged)
{
	ma_app_options o = {.name = "shelf"};
	char *argv[] = {"shelf", "--socket", "/nonexistent/dir/x.sock", NULL};
	ma_app *app;
	char *err;

	static const char *const others[] = {
		"MONGOALCHEMY_PORT",	    "MONGOALCHEMY_USER",
		"MONGOALCHEMY_PASSWORD",    "MONGOALCHEMY_SERVER_AUTH",
		"MONGOALCHEMY_REPLICA_SET", "MONGOALCHEMY_OPTIONS"};
	size_t i;

	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		unsetenv(others[i]);
	setenv("MONGOALCHEMY_DATABASE", "unit", 1);
	setenv("MONGOALCHEMY_SERVER", "db.example", 1);
	setenv("MONGOALCHEMY_CONNECTION_STRING", "mongodb://127.0.0.1:1/", 1);
	app = ma_app_new(&o, NULL);
	cr_assert_not_null(ma_app_add_db(app, NULL, NULL));
	err = run_main(app, 3, argv, 1);
	cr_assert(strncmp(err, "shelf[", 6) == 0, "%s", err);
	cr_assert(strstr(err, "]: ignored: MONGOALCHEMY_SERVER "
			      "(MONGOALCHEMY_CONNECTION_STRING gives the whole "
			      "URI)\n"),
		  "%s", err);
	/* The runtime's own lines carry the name too. */
	cr_assert(strstr(err, "\nshelf[") != NULL &&
			  strstr(err, "]: cannot bind /nonexistent/dir/x.sock"),
		  "%s", err);
	bson_free(err);
	ma_app_destroy(app);
}

/* Without a name, the base name the program was started under, for
 * every line alike: never the path. */
Test(setup, without_a_name_lines_carry_the_programs_base_name)
{
	char *argv[] = {"/opt/shelf/bin/shelf-worker", NULL};
	char *bad[] = {"/opt/shelf/bin/shelf-worker", "--nope", NULL};
	ma_app *app = ma_app_new(NULL, NULL);
	char *err;

	err = run_main(app, 2, bad, 2);
	cr_assert(strncmp(err, "shelf-worker: --nope", 20) == 0, "%s", err);
	bson_free(err);
	cr_assert_not(ma_app_route(app, MA_GET, "no-slash", echo, NULL, NULL));
	err = run_main(app, 1, argv, 2);
	cr_assert(strncmp(err, "shelf-worker: ", 14) == 0, "%s", err);
	bson_free(err);
	ma_app_destroy(app);
}

/* A resource mounts only the methods it is given; the rest are 405s. */
Test(resource, switched_off_methods_are_405_with_allow)
{
	ma_resource_options ro = {.ops = MA_RES_LIST | MA_RES_GET};
	ma_app *app = ma_app_new(NULL, NULL);
	ma_error e;
	ma_db *db = fake_db("unit", &e);
	char *out;

	cr_assert_not_null(db, "%s", e.message);
	cr_assert(
		ma_app_resource(app, "/readonly", db, &readonly_type, &ro, &e),
		"%s", e.message);

	out = run(app, ENVP("REQUEST_METHOD=POST", "REQUEST_URI=/readonly"),
		  NULL, 0);
	cr_assert(strstr(out, "Status: 405 Method Not Allowed\r\n") == out,
		  "%s", out);
	cr_assert(strstr(out, "\r\nAllow: GET, HEAD\r\n"), "%s", out);
	bson_free(out);
	out = run(app,
		  ENVP("REQUEST_METHOD=DELETE",
		       "REQUEST_URI=/readonly/5f0000000000000000000b01"),
		  NULL, 0);
	cr_assert(strstr(out, "\r\nAllow: GET, HEAD\r\n"), "%s", out);
	bson_free(out);
	/* A malformed id is answered without asking the server. */
	out = run(app, ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/readonly/x"),
		  NULL, 0);
	cr_assert(strstr(out, "Status: 404 Not Found\r\n") == out, "%s", out);
	cr_assert(strstr(out, "\"detail\":\"no R has the id 'x'\""), "%s", out);
	bson_free(out);
	ma_app_destroy(app);
	ma_db_destroy(db);
}

/* A resource that demands If-Match refuses an unconditional write before
 * it asks the server anything; reads need none. */
Test(resource, required_if_match_is_428_without_it)
{
	ma_resource_options ro = {.require_if_match = true};
	static const char *const writes[] = {"PUT", "PATCH", "DELETE"};
	ma_app *app = ma_app_new(NULL, NULL);
	ma_error e;
	ma_db *db = fake_db("unit", &e);
	char method[32], *out;
	size_t i;

	cr_assert_not_null(db, "%s", e.message);
	cr_assert(ma_app_resource(app, "/guarded", db, &readonly_type, &ro, &e),
		  "%s", e.message);
	for (i = 0; i < sizeof(writes) / sizeof(writes[0]); i++) {
		snprintf(method, sizeof(method), "REQUEST_METHOD=%s",
			 writes[i]);
		out = run(app,
			  ENVP(method,
			       "REQUEST_URI=/guarded/5f0000000000000000000b01",
			       "CONTENT_TYPE=application/json"),
			  "{\"s\":\"x\"}", 9);
		cr_assert(
			strstr(out, "Status: 428 Precondition Required\r\n") ==
				out,
			"%s: %s", writes[i], out);
		cr_assert(strstr(out,
				 "\"detail\":\"this write needs If-Match "
				 "with the document's ETag (from a GET)\""),
			  "%s: %s", writes[i], out);
		bson_free(out);
	}
	ma_app_destroy(app);
	ma_db_destroy(db);
}

/* --- operations: ids, the request log, the operations routes -------------- */

/* The header's value in a serialized answer, as its own string. */
static char *
header_of(const char *out, const char *name)
{
	char *want = bson_strdup_printf("\r\n%s: ", name), *v = NULL;
	const char *at = strstr(out, want);

	if (at != NULL) {
		at += strlen(want);
		v = bson_strndup(at, strcspn(at, "\r"));
	}
	bson_free(want);
	return v;
}

static bool
is_hex24(const char *s)
{
	return s != NULL && strlen(s) == 24 &&
	       strspn(s, "0123456789abcdef") == 24;
}

Test(ops, a_missing_or_unfit_request_id_is_replaced_by_a_new_one)
{
	static const char *const unfit[] = {
		"HTTP_X_REQUEST_ID=",
		"HTTP_X_REQUEST_ID=has space",
		"HTTP_X_REQUEST_ID=quote\"d",
		"HTTP_X_REQUEST_ID=ctl\x01",
		"HTTP_X_REQUEST_ID=0123456789012345678901234567890123456789"
		"01234567890123456789012345",
		"HTTP_USER_AGENT=none"};
	ma_app *app = make_app(0);
	char *out, *id, *first = NULL;
	size_t i;

	for (i = 0; i < sizeof(unfit) / sizeof(unfit[0]); i++) {
		out = run(app,
			  ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/nothing",
			       (char *)unfit[i]),
			  NULL, 0);
		id = header_of(out, "X-Request-Id");
		cr_expect(is_hex24(id), "%s: X-Request-Id %s", unfit[i],
			  id != NULL ? id : "(none)");
		cr_expect(first == NULL || strcmp(first, id) != 0,
			  "two requests got id %s", id);
		if (first == NULL)
			first = bson_strdup(id);
		bson_free(id);
		bson_free(out);
	}
	bson_free(first);
	ma_app_destroy(app);
}

/* What the app writes on stderr while it answers one request. */
static char *
logged(ma_app *app, char **env)
{
	FILE *f = tmpfile();
	int saved = dup(STDERR_FILENO);
	char buf[4096];
	size_t n;
	char *out;

	cr_assert(f != NULL && saved >= 0);
	fflush(stderr);
	dup2(fileno(f), STDERR_FILENO);
	out = run(app, env, NULL, 0);
	dup2(saved, STDERR_FILENO);
	close(saved);
	bson_free(out);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return bson_strdup(buf);
}

Test(ops, the_json_request_log_line_has_every_field_and_no_query)
{
	ma_app *app = make_app(0);
	json_object *j, *v;
	char *line;

	app->access_log = true;
	app->log_json = true;
	line = logged(app, ENVP("REQUEST_METHOD=GET",
				"REQUEST_URI=/things/secret-path?token=abc",
				"QUERY_STRING=token=abc",
				"HTTP_AUTHORIZATION=Bearer abc",
				"HTTP_X_REQUEST_ID=r-42"));
	cr_assert(strlen(line) > 0 && line[strlen(line) - 1] == '\n', "[%s]",
		  line);
	j = json_tokener_parse(line);
	cr_assert_not_null(j, "not JSON: %s", line);
	cr_expect_str_eq(
		json_object_get_string(json_object_object_get(j, "request_id")),
		"r-42");
	cr_expect_str_eq(
		json_object_get_string(json_object_object_get(j, "method")),
		"GET");
	cr_expect_str_eq(
		json_object_get_string(json_object_object_get(j, "route")),
		"/things/{id}");
	cr_expect_eq(json_object_get_int(json_object_object_get(j, "status")),
		     200);
	cr_expect_eq(json_object_get_int(json_object_object_get(j, "bytes")),
		     11);
	cr_expect_eq(json_object_get_int64(json_object_object_get(j, "pid")),
		     (int64_t)getpid());
	v = json_object_object_get(j, "duration_ms");
	cr_expect(json_object_is_type(v, json_type_double) &&
			  json_object_get_double(v) >= 0,
		  "%s", line);
	v = json_object_object_get(j, "time");
	cr_expect(v != NULL && json_object_get_string_len(v) == 24 &&
			  json_object_get_string(v)[23] == 'Z',
		  "%s", line);
	cr_expect_eq(json_object_object_length(j), 8, "%s", line);
	cr_expect_null(strstr(line, "abc"), "%s", line);
	cr_expect_null(strstr(line, "secret-path"), "%s", line);
	json_object_put(j);
	bson_free(line);

	/* The health routes log nothing. */
	line = logged(app, ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/healthz"));
	cr_expect_str_eq(line, "");
	bson_free(line);
	ma_app_destroy(app);
}

Test(ops, paths_move_or_go_and_a_bad_one_is_refused)
{
	ma_app_options o = {
		.health_path = "/live", .ready_path = "", .metrics_path = ""};
	ma_app *app = ma_app_new(&o, NULL);
	ma_error e;
	char *out;

	cr_assert_not_null(app);
	out = run(app, ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/live"), NULL,
		  0);
	cr_expect(strstr(out, "Status: 200 OK\r\n") == out, "%s", out);
	cr_expect_not_null(strstr(out, "{\"status\":\"ok\"}"), "%s", out);
	bson_free(out);
	out = run(app, ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/metrics"), NULL,
		  0);
	cr_expect(strstr(out, "Status: 404 ") == out, "%s", out);
	bson_free(out);
	out = run(app, ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/readyz"), NULL,
		  0);
	cr_expect(strstr(out, "Status: 404 ") == out, "%s", out);
	bson_free(out);
	ma_app_destroy(app);

	o = (ma_app_options){.metrics_path = "metrics"};
	cr_expect_null(ma_app_new(&o, &e));
	cr_expect_eq(e.code, MA_ERR_INVALID);
	cr_expect_not_null(strstr(e.message, "metrics"), "%s", e.message);
}

Test(ops, metrics_count_the_routes_by_template)
{
	ma_app *app = make_app(0);
	char *out;
	int i;

	for (i = 0; i < 3; i++)
		bson_free(
			run(app,
			    ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/things/x"),
			    NULL, 0));
	bson_free(run(app, ENVP("REQUEST_METHOD=HEAD", "REQUEST_URI=/things/y"),
		      NULL, 0));
	out = run(app, ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/metrics"), NULL,
		  0);
	cr_expect(strstr(out, "Status: 200 OK\r\nContent-Type: text/plain; "
			      "version=0.0.4; charset=utf-8\r\n") == out,
		  "%s", out);
	cr_expect_not_null(strstr(out, "\nhttp_requests_total{route=\"/things/"
				       "{id}\",method=\"GET\",status=\"200\"} "
				       "3\n"),
			   "%s", out);
	cr_expect_not_null(strstr(out, "\nhttp_requests_total{route=\"/things/"
				       "{id}\",method=\"HEAD\",status=\"200\"} "
				       "1\n"),
			   "%s", out);
	/* The scrape itself is the one request in flight. */
	cr_expect_not_null(strstr(out, "\nhttp_requests_in_flight 1\n"), "%s",
			   out);
	bson_free(out);
	ma_app_destroy(app);
}
