/*
 * CORS without a server: the policy's checks, the origins it takes, the
 * preflight's decisions and the header lines of each answer (pure); then
 * an application in-process, whose handlers never reach the database:
 * a preflight before any route and before access control, the headers on
 * every status, and the example's LIBRARY_CORS_ORIGINS.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "app/app-private.h"
#include "app_answer.h"
#include "fake_env.h"
#include "library.h"
#include "library_app.h"

#define LIST(...) ((const char *const[]){__VA_ARGS__, NULL})

/* --- origins ------------------------------------------------------------ */

static void
origin_ok(const char *origin)
{
	ma_error e;

	cr_expect(_ma_cors_origin_check(origin, &e), "%s refused: %s", origin,
		  e.message);
}

static void
origin_refused(const char *origin, const char *part)
{
	ma_error e;

	cr_expect_not(_ma_cors_origin_check(origin, &e), "%s taken", origin);
	cr_expect(strstr(e.message, part) != NULL, "%s: \"%s\" lacks \"%s\"",
		  origin, e.message, part);
}

Test(cors_origin, serialized_origins_are_taken)
{
	origin_ok("https://app.example.com");
	origin_ok("http://127.0.0.1:8081");
	origin_ok("http://localhost:3000");
	origin_ok("https://xn--bcher-kva.example");
	origin_ok("http://[::1]:8080");
	origin_ok("https://a-b.c.example:65535");
	origin_ok("app+x.y-z://host");
}

Test(cors_origin, what_a_browser_never_sends_is_refused)
{
	const char *msg = "is not an origin as a browser sends it";

	origin_refused("https://App.example.com", msg);
	origin_refused("HTTPS://app.example.com", msg);
	origin_refused("https://app.example.com/", msg);
	origin_refused("https://app.example.com/path", msg);
	origin_refused("https://app.example.com:443", msg);
	origin_refused("http://app.example.com:80", msg);
	origin_refused("http://app.example.com:0", msg);
	origin_refused("http://app.example.com:08080", msg);
	origin_refused("http://app.example.com:65536", msg);
	origin_refused("http://app.example.com:", msg);
	origin_refused("app.example.com", msg);
	origin_refused("://app.example.com", msg);
	origin_refused("1http://app.example.com", msg);
	origin_refused("http://", msg);
	origin_refused("http://a..b", msg);
	origin_refused("http://.a", msg);
	origin_refused("http://user@a.example", msg);
	origin_refused("http://a.example?x", msg);
	origin_refused("http://a.example#x", msg);
	origin_refused("http://[::1", msg);
	origin_refused("http://[::G]", msg);
	origin_refused(" http://a.example", msg);
	origin_refused("http://a.example\r\nX: y", msg);
	origin_refused("", "CORS origin is empty");
	origin_refused(NULL, "CORS origin is empty");
	origin_refused("null", "CORS origin null is refused");
}

/* --- the policy ---------------------------------------------------------- */

static void
policy_refused(const ma_cors *cors, const char *part)
{
	ma_cors_policy *p;
	ma_error e;

	p = _ma_cors_new(cors, &e);
	cr_expect_null(p, "taken, expected \"%s\"", part);
	_ma_cors_destroy(p);
	cr_expect_eq(e.code, MA_ERR_INVALID);
	cr_expect(strstr(e.message, part) != NULL, "\"%s\" lacks \"%s\"",
		  e.message, part);
}

Test(cors_policy, refusals_name_what_is_wrong)
{
	policy_refused(&(ma_cors){0}, "CORS has no allowed origin");
	policy_refused(&(ma_cors){.origins = (const char *const[]){NULL}},
		       "CORS has no allowed origin");
	policy_refused(&(ma_cors){.origins = LIST("*"), .credentials = true},
		       "CORS origin * with credentials");
	policy_refused(&(ma_cors){.origins = LIST("*", "http://a.example")},
		       "CORS origin * stands alone");
	policy_refused(&(ma_cors){.origins = LIST("http://a.example", "*")},
		       "CORS origin * stands alone");
	policy_refused(&(ma_cors){.origins = LIST("http://a.example",
						  "http://B.example")},
		       "CORS origin \"http://B.example\" is not an origin");
	policy_refused(&(ma_cors){.origins = LIST("http://a.example"),
				  .headers = LIST("X Bad")},
		       "CORS header \"X Bad\" is not a header name");
	policy_refused(&(ma_cors){.origins = LIST("http://a.example"),
				  .headers = LIST("*")},
		       "CORS header \"*\" is not a header name");
	policy_refused(&(ma_cors){.origins = LIST("http://a.example"),
				  .methods = 1u << 9},
		       "CORS methods hold a bit that is no ma_method");
}

/* cors's policy, which must be taken. */
static ma_cors_policy *
policy(const ma_cors *cors)
{
	ma_error e;
	ma_cors_policy *p = _ma_cors_new(cors, &e);

	cr_assert_not_null(p, "%s", e.message);
	return p;
}

/* The header lines of a preflight (ok: allowed) under cors. */
static char *
preflight(const ma_cors *cors, const ma_cors_preflight *pf, bool ok,
	  const char *why)
{
	ma_cors_policy *p = policy(cors);
	ma_error e;
	ma_buf b;

	_ma_buf_init(&b, 256);
	cr_expect_eq(_ma_cors_preflight(p, pf, &b, &e), ok, "%s", e.message);
	if (why != NULL)
		cr_expect_str_eq(e.message, why);
	_ma_cors_destroy(p);
	return _ma_buf_steal(&b, NULL);
}

#define VARY_PREFLIGHT                                                         \
	"Vary: Origin, Access-Control-Request-Method, "                        \
	"Access-Control-Request-Headers\r\n"

static const ma_cors one = {
	.origins = LIST("http://a.example", "http://127.0.0.1:8081")};

Test(cors_policy, preflight_allowed_lists_what_is_allowed)
{
	ma_cors_preflight pf = {"http://127.0.0.1:8081",
				1,
				"PATCH",
				1,
				"content-type,if-match,authorization",
				1,
				MA_GET | MA_HEAD | MA_PUT | MA_PATCH |
					MA_DELETE};
	char *h = preflight(&one, &pf, true, NULL);

	cr_expect_str_eq(
		h, VARY_PREFLIGHT
		"Access-Control-Allow-Origin: http://127.0.0.1:8081\r\n"
		"Access-Control-Allow-Methods: GET, HEAD, PUT, PATCH, "
		"DELETE\r\n"
		"Access-Control-Allow-Headers: Authorization, Content-Type, "
		"If-Match, If-None-Match\r\n"
		"Access-Control-Max-Age: 600\r\n");
	bson_free(h);
}

Test(cors_policy, preflight_with_the_policy_s_own_settings)
{
	ma_cors cors = {.origins = LIST("https://app.example"),
			.methods = MA_GET | MA_POST,
			.headers = LIST("X-Api-Key"),
			.max_age = 60,
			.credentials = true};
	ma_cors_preflight pf = {
		"https://app.example",	   1, "POST", 1, " X-API-KEY , ", 1,
		MA_GET | MA_HEAD | MA_POST};
	char *h = preflight(&cors, &pf, true, NULL);

	/* The path's methods within the policy's: HEAD is the path's only. */
	cr_expect_str_eq(h, VARY_PREFLIGHT
			 "Access-Control-Allow-Origin: https://app.example\r\n"
			 "Access-Control-Allow-Credentials: true\r\n"
			 "Access-Control-Allow-Methods: GET, POST\r\n"
			 "Access-Control-Allow-Headers: X-Api-Key\r\n"
			 "Access-Control-Max-Age: 60\r\n");
	bson_free(h);

	/* A negative max age is not said; no request headers are fine. */
	cors.max_age = -1;
	cors.credentials = false;
	pf.headers = NULL;
	pf.nheaders = 0;
	h = preflight(&cors, &pf, true, NULL);
	cr_expect_str_eq(h, VARY_PREFLIGHT
			 "Access-Control-Allow-Origin: https://app.example\r\n"
			 "Access-Control-Allow-Methods: GET, POST\r\n"
			 "Access-Control-Allow-Headers: X-Api-Key\r\n");
	bson_free(h);
}

Test(cors_policy, any_origin_is_a_star)
{
	ma_cors cors = {.origins = LIST("*")};
	ma_cors_preflight pf = {"null", 1, "GET", 1, NULL, 0, MA_GET | MA_HEAD};
	char *h = preflight(&cors, &pf, true, NULL);

	cr_expect(strstr(h, "Access-Control-Allow-Origin: *\r\n") != NULL, "%s",
		  h);
	bson_free(h);
}

Test(cors_policy, preflight_refusals_say_why_and_allow_nothing)
{
	ma_cors_preflight pf = {"http://b.example",	   1, "GET", 1, NULL, 0,
				MA_GET | MA_HEAD | MA_POST};
	char *h;

	h = preflight(&one, &pf, false,
		      "origin http://b.example is not allowed");
	cr_expect_str_eq(h, VARY_PREFLIGHT);
	bson_free(h);

	/* Origins compare exactly: case, slash, port. */
	pf.origin = "http://A.example";
	bson_free(preflight(&one, &pf, false,
			    "origin http://A.example is not allowed"));
	pf.origin = "http://a.example/";
	bson_free(preflight(&one, &pf, false,
			    "origin http://a.example/ is not allowed"));
	pf.origin = "http://a.example";
	pf.norigin = 2;
	bson_free(preflight(&one, &pf, false,
			    "the request has 2 Origin headers"));
	pf.norigin = 1;

	pf.method = "DELETE";
	bson_free(preflight(&one, &pf, false,
			    "method DELETE is not allowed in cross-origin "
			    "requests on this path; allowed: GET, HEAD, POST"));
	pf.method = "patch";
	pf.allowed |= MA_PATCH;
	bson_free(preflight(&one, &pf, false,
			    "method patch is not allowed in cross-origin "
			    "requests on this path; allowed: GET, HEAD, POST, "
			    "PATCH"));
	pf.method = "GET";
	pf.nmethod = 2;
	bson_free(preflight(&one, &pf, false,
			    "Access-Control-Request-Method or -Headers sent "
			    "more than once"));
	pf.nmethod = 1;

	pf.headers = "content-type,x-custom";
	pf.nheaders = 1;
	h = preflight(&one, &pf, false,
		      "header x-custom is not allowed in cross-origin "
		      "requests; allowed: Authorization, Content-Type, "
		      "If-Match, If-None-Match");
	cr_expect_str_eq(h, VARY_PREFLIGHT);
	bson_free(h);
	pf.headers = "content-type\r\nx: y";
	bson_free(preflight(&one, &pf, false,
			    "Access-Control-Request-Headers is not a list of "
			    "header names"));
	pf.headers = "a b";
	bson_free(preflight(&one, &pf, false,
			    "Access-Control-Request-Headers is not a list of "
			    "header names"));
}

/* The header lines of an answer that is not a preflight. */
static char *
actual(const ma_cors *cors, const char *origin, size_t count, ma_method method)
{
	ma_cors_policy *p = policy(cors);
	ma_buf b;

	_ma_buf_init(&b, 256);
	_ma_cors_actual(p, origin, count, method, &b);
	_ma_cors_destroy(p);
	b.data[b.len] = '\0';
	return _ma_buf_steal(&b, NULL);
}

#define EXPOSE                                                                 \
	"Access-Control-Expose-Headers: ETag, Link, Location, Retry-After, "   \
	"X-Request-Id, X-Total-Count\r\n"

Test(cors_policy, actual_answers)
{
	const ma_cors creds = {.origins = LIST("http://a.example"),
			       .credentials = true};
	const ma_cors only_get = {.origins = LIST("http://a.example"),
				  .methods = MA_GET};
	const struct {
		const char *what;
		const ma_cors *cors;
		const char *origin;
		size_t count;
		ma_method method;
		const char *want;
	} cases[] = {
		{"allowed", &one, "http://a.example", 1, MA_PATCH,
		 "Vary: Origin\r\n"
		 "Access-Control-Allow-Origin: http://a.example\r\n" EXPOSE},
		{"with credentials", &creds, "http://a.example", 1, MA_GET,
		 "Vary: Origin\r\n"
		 "Access-Control-Allow-Origin: http://a.example\r\n"
		 "Access-Control-Allow-Credentials: true\r\n" EXPOSE},
		{"no Origin: nothing at all", &one, NULL, 0, MA_GET, ""},
		{"refused: Vary alone", &one, "http://b.example", 1, MA_GET,
		 "Vary: Origin\r\n"},
		{"sent twice", &one, "http://a.example", 2, MA_GET,
		 "Vary: Origin\r\n"},
		{"empty", &one, "", 1, MA_GET, "Vary: Origin\r\n"},
		{"a method the policy lacks", &only_get, "http://a.example", 1,
		 MA_DELETE, "Vary: Origin\r\n"},
	};
	size_t i;
	char *h;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		h = actual(cases[i].cors, cases[i].origin, cases[i].count,
			   cases[i].method);
		cr_expect_str_eq(h, cases[i].want, "%s: %s", cases[i].what, h);
		bson_free(h);
	}
}

/* --- an application in-process ------------------------------------------- */

static ma_app *app;
static ma_db *db;

static void
hello(ma_request *req, ma_response *res, void *arg)
{
	(void)req;
	(void)arg;
	ma_response_json(res, MA_STATUS_OK, "{\"hello\":1}", 11);
}

static const char *const editors[] = {"editor", NULL};
static const ma_access book_access = {
	.public_ops = MA_RES_LIST | MA_RES_GET,
	.rules = {{MA_RES_CREATE | MA_RES_REPLACE | MA_RES_UPDATE |
			   MA_RES_DELETE,
		   editors}},
};

/* /hello, and /books behind access control (the front end's user): no
 * handler here reaches the database. */
static void
setup(void)
{
	ma_app_options o = {.name = "library", .cors = &one};
	ma_resource_options ro = {.access = &book_access};
	ma_error e;

	app = ma_app_new(&o, &e);
	cr_assert_not_null(app);
	cr_assert_eq(e.code, MA_OK, "%s", e.message);
	cr_assert(ma_app_auth_frontend(app, "MA_ROLES", &e), "%s", e.message);
	db = fake_db("test", &e);
	cr_assert_not_null(db, "%s", e.message);
	cr_assert(ma_app_route(app, MA_GET, "/hello", hello, NULL, NULL));
	cr_assert(
		ma_app_resource(app, "/books", db, &library_book_type, &ro, &e),
		"%s", e.message);
}

static void
teardown(void)
{
	ma_app_destroy(app);
	ma_db_destroy(db);
}

TestSuite(cors_app, .init = setup, .fini = teardown);

static char *
run(char **env)
{
	return app_answer(app, env);
}

#define ENVP(...) ((char *[]){__VA_ARGS__, NULL})
#define A_ORIGIN "HTTP_ORIGIN=http://a.example"
#define ALLOWED                                                                \
	"Vary: Origin\r\n"                                                     \
	"Access-Control-Allow-Origin: http://a.example\r\n" EXPOSE

Test(cors_app, preflight_comes_before_access_control)
{
	char *out =
		run(ENVP("REQUEST_METHOD=OPTIONS",
			 "REQUEST_URI=/books/5f0000000000000000000b01",
			 A_ORIGIN, "HTTP_ACCESS_CONTROL_REQUEST_METHOD=PATCH",
			 "HTTP_ACCESS_CONTROL_REQUEST_HEADERS=authorization,"
			 "content-type,if-match",
			 "HTTP_X_REQUEST_ID=p1"));

	cr_expect_str_eq(out,
			 "Status: 204 No Content\r\n" VARY_PREFLIGHT
			 "Access-Control-Allow-Origin: http://a.example\r\n"
			 "Access-Control-Allow-Methods: GET, HEAD, PUT, PATCH, "
			 "DELETE\r\n"
			 "Access-Control-Allow-Headers: Authorization, "
			 "Content-Type, If-Match, If-None-Match\r\n"
			 "Access-Control-Max-Age: 600\r\n"
			 "X-Request-Id: p1\r\n\r\n");
	bson_free(out);
}

Test(cors_app, refused_preflight_is_a_403_naming_it)
{
	char *out = run(ENVP("REQUEST_METHOD=OPTIONS", "REQUEST_URI=/books",
			     "HTTP_ORIGIN=http://evil.example",
			     "HTTP_ACCESS_CONTROL_REQUEST_METHOD=POST",
			     "HTTP_X_REQUEST_ID=p2"));

	cr_expect_str_eq(
		out,
		"Status: 403 Forbidden\r\n"
		"Content-Type: application/problem+json\r\n" VARY_PREFLIGHT
		"X-Request-Id: p2\r\n"
		"Content-Length: 136\r\n\r\n"
		"{\"type\":\"about:blank\",\"title\":\"Forbidden\","
		"\"status\":403,\"detail\":\"origin http://evil.example is "
		"not allowed\",\"instance\":\"urn:request:p2\"}");
	bson_free(out);
	out = run(ENVP("REQUEST_METHOD=OPTIONS", "REQUEST_URI=/hello", A_ORIGIN,
		       "HTTP_ACCESS_CONTROL_REQUEST_METHOD=POST"));
	cr_expect(strstr(out, "Status: 403 Forbidden\r\n") == out, "%s", out);
	cr_expect(strstr(out, "\"detail\":\"method POST is not allowed in "
			      "cross-origin requests on this path; allowed: "
			      "GET, HEAD\"") != NULL,
		  "%s", out);
	cr_expect(strstr(out, "Access-Control-Allow-") == NULL, "%s", out);
	bson_free(out);
}

Test(cors_app, options_without_preflight_headers_is_a_405)
{
	char *out = run(ENVP("REQUEST_METHOD=OPTIONS", "REQUEST_URI=/books",
			     "HTTP_X_REQUEST_ID=o1"));

	cr_expect(strstr(out, "Status: 405 Method Not Allowed\r\n") == out,
		  "%s", out);
	cr_expect(strstr(out, "\r\nAllow: GET, HEAD, POST\r\n") != NULL, "%s",
		  out);
	cr_expect(strstr(out, "Vary") == NULL, "%s", out);
	bson_free(out);
	/* With Origin alone it is an actual request: CORS headers. */
	out = run(
		ENVP("REQUEST_METHOD=OPTIONS", "REQUEST_URI=/books", A_ORIGIN));
	cr_expect(strstr(out, "Status: 405 Method Not Allowed\r\n") == out,
		  "%s", out);
	cr_expect(strstr(out, "\r\nAllow: GET, HEAD, POST\r\n" ALLOWED) != NULL,
		  "%s", out);
	bson_free(out);
}

Test(cors_app, preflight_on_a_path_without_routes_is_a_404)
{
	char *out =
		run(ENVP("REQUEST_METHOD=OPTIONS", "REQUEST_URI=/nothing",
			 A_ORIGIN, "HTTP_ACCESS_CONTROL_REQUEST_METHOD=GET"));

	cr_expect(strstr(out, "Status: 404 Not Found\r\n") == out, "%s", out);
	cr_expect(strstr(out, ALLOWED) != NULL, "%s", out);
	bson_free(out);
	/* The path's escapes are decoded for a handler only: the preflight
	 * allows the method, the request itself is the 400. */
	out = run(ENVP("REQUEST_METHOD=OPTIONS", "REQUEST_URI=/books/%zz",
		       A_ORIGIN, "HTTP_ACCESS_CONTROL_REQUEST_METHOD=GET"));
	cr_expect(strstr(out, "Status: 204 No Content\r\n") == out, "%s", out);
	bson_free(out);
	out = run(
		ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/books/%zz", A_ORIGIN));
	cr_expect(strstr(out, "Status: 400 Bad Request\r\n") == out, "%s", out);
	cr_expect(strstr(out, ALLOWED) != NULL, "%s", out);
	bson_free(out);
}

Test(cors_app, every_status_carries_the_headers)
{
	static const struct {
		const char *method, *uri, *status;
	} cases[] = {
		{"GET", "/hello", "200 OK"},
		{"HEAD", "/hello", "200 OK"},
		{"POST", "/books", "401 Unauthorized"},
		{"GET", "/nothing", "404 Not Found"},
		{"DELETE", "/hello", "405 Method Not Allowed"},
		{"BREW", "/hello", "501 Not Implemented"},
		{"GET", "/hello?%zz", "400 Bad Request"},
	};
	char method[32], uri[64], status[64];
	size_t i;
	char *out;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(method, sizeof(method), "REQUEST_METHOD=%s",
			 cases[i].method);
		snprintf(uri, sizeof(uri), "REQUEST_URI=%s", cases[i].uri);
		snprintf(status, sizeof(status), "Status: %s\r\n",
			 cases[i].status);
		out = run(ENVP(method, uri, A_ORIGIN));
		cr_expect(strstr(out, status) == out, "%s %s: %s",
			  cases[i].method, cases[i].uri, out);
		cr_expect(strstr(out, ALLOWED) != NULL, "%s %s: %s",
			  cases[i].method, cases[i].uri, out);
		bson_free(out);
		/* The same without Origin: not a word of CORS. */
		out = run(ENVP(method, uri));
		cr_expect(strstr(out, "Vary") == NULL &&
				  strstr(out, "Access-Control") == NULL,
			  "%s %s: %s", cases[i].method, cases[i].uri, out);
		bson_free(out);
	}
}

Test(cors_app, refused_origins_get_vary_alone)
{
	static char *const origins[] = {
		"HTTP_ORIGIN=null",
		"HTTP_ORIGIN=",
		"HTTP_ORIGIN=http://a.example.evil.example",
		"HTTP_ORIGIN=http://a.example\r\nAccess-Control-Allow-Origin: "
		"*",
	};
	size_t i;
	char *out;

	for (i = 0; i < sizeof(origins) / sizeof(origins[0]); i++) {
		out = run(ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/hello",
			       origins[i]));
		cr_expect(strstr(out, "Status: 200 OK\r\n") == out, "%s", out);
		cr_expect(strstr(out, "\r\nVary: Origin\r\n") != NULL, "%s",
			  out);
		cr_expect(strstr(out, "Access-Control") == NULL, "%s: %s",
			  origins[i], out);
		bson_free(out);
	}
	/* Two Origin headers: no browser's request. */
	out = run(ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/hello", A_ORIGIN,
		       A_ORIGIN));
	cr_expect(strstr(out, "Access-Control") == NULL, "%s", out);
	bson_free(out);
}

/* --- the example's LIBRARY_CORS_ORIGINS ---------------------------------- */

/* The first setup error of the example's app under origins (NULL: unset). */
static void
library_with(const char *origins, ma_error *e)
{
	ma_app *lib;

	if (origins != NULL)
		setenv("LIBRARY_CORS_ORIGINS", origins, 1);
	else
		unsetenv("LIBRARY_CORS_ORIGINS");
	setenv("MONGOALCHEMY_DATABASE", "test", 1);
	lib = library_app_new();
	cr_assert_not_null(lib);
	if (_ma_app_setup_ok(lib, e))
		ma_error_clear(e);
	ma_app_destroy(lib);
}

Test(cors_example, origins_from_the_environment)
{
	ma_error e;

	library_with(NULL, &e);
	cr_expect_eq(e.code, MA_OK, "%s", e.message);
	library_with("", &e);
	cr_expect_eq(e.code, MA_OK, "%s", e.message);
	library_with("http://127.0.0.1:8081, https://app.example.com", &e);
	cr_expect_eq(e.code, MA_OK, "%s", e.message);
	library_with("*", &e);
	cr_expect_eq(e.code, MA_OK, "%s", e.message);
}

Test(cors_example, malformed_origin_is_a_setup_error_naming_it)
{
	ma_error e;

	library_with("http://127.0.0.1:8081,https://app.example.com/", &e);
	cr_expect_eq(e.code, MA_ERR_INVALID);
	cr_expect_str_eq(
		e.message,
		"CORS origin \"https://app.example.com/\" is not an "
		"origin as a browser sends it: scheme://host[:port] in "
		"lower case, no path, no default port");
	library_with("http://a.example,,http://b.example", &e);
	cr_expect_str_eq(e.message, "CORS origin is empty");
}
