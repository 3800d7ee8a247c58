/*
 * The transport without a front end (httplib.h): the example application
 * (examples/library/library_app.c) built in the test's process, and each
 * request handed to _ma_app_handle() as a FastCGI worker hands it one: the
 * CGI variables a front end passes (REQUEST_METHOD, REQUEST_URI,
 * QUERY_STRING, CONTENT_TYPE, CONTENT_LENGTH, HTTP_*...), as nginx or as
 * Apache passes them (inproc_cgi), and a reader of the body. The answer
 * comes back as the worker writes it ("Status: 200 OK\r\n...\r\n\r\nbody")
 * and is read into an http_resp as libcurl's would be.
 *
 * One application per test process (Criterion forks one per test), so
 * not for threads: one MongoDB client serves it. opts->timeout_ms has no
 * meaning here: a request is a function call.
 */
#include <ctype.h>
#include <strings.h>

#include "app/app-private.h"
#include "httplib.h"
#include "inproc.h"
#include "library_app.h"
#include "live.h"

static ma_app *app;

void
inproc_start(void)
{
	app = library_app_new();
	/* A setup call that failed sticks to the app; ma_app_run() would
	 * refuse to start with it. */
	cr_assert_eq(app->error.code, MA_OK, "the example application: %s",
		     app->error.message);
}

void
inproc_use(ma_app *a)
{
	ma_app_destroy(app);
	app = a;
	cr_assert_eq(app->error.code, MA_OK, "the test's application: %s",
		     app->error.message);
}

void
inproc_stop(void)
{
	ma_app_destroy(app);
	app = NULL;
}

bool
inproc_seed(ma_error *error)
{
	ma_app *a = library_app_new();
	bool ok = a->error.code == MA_OK;

	/* The start hook runs as ma_app_run() runs it, before any worker. */
	if (!ok)
		*error = a->error;
	else if (a->on_start != NULL)
		ok = a->on_start(a, a->on_start_arg, error);
	ma_app_destroy(a);
	return ok;
}

/* The application is built by the test's first request, in the test's
 * body: there a missing server is a skip (or, with MA_TEST_REQUIRE_SERVER,
 * a failure) with its reason, where a suite's .init could only crash. */
void
http_ready(void)
{
	if (app != NULL)
		return;
	live_require_server();
	inproc_start();
}

/* --- the request ---------------------------------------------------------- */

typedef struct body_reader {
	const char *p;
	size_t left;
} body_reader;

static ssize_t
body_read(void *ctx, char *buf, size_t n)
{
	body_reader *b = ctx;

	if (n > b->left)
		n = b->left;
	memcpy(buf, b->p, n);
	b->p += n;
	b->left -= n;
	return (ssize_t)n;
}

/* "Name: value" as the CGI variable a front end makes of it:
 * HTTP_NAME=value, '-' as '_'. NULL when it is no header line. */
static char *
cgi_header(const char *line)
{
	const char *colon = strchr(line, ':'), *v;
	ma_buf b;
	const char *c;

	if (colon == NULL || colon == line)
		return NULL;
	_ma_buf_init(&b, strlen(line) + 8);
	_ma_buf_append(&b, "HTTP_", 5);
	for (c = line; c < colon; c++) {
		char u = *c == '-' ? '_' : (char)toupper((unsigned char)*c);

		_ma_buf_append(&b, &u, 1);
	}
	for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
		;
	_ma_buf_printf(&b, "=%s", v);
	return _ma_buf_steal(&b, NULL);
}

/* The path of a request line decoded, as both front ends pass it in
 * SCRIPT_NAME (they refuse a bad escape before; it stays as sent here). */
static char *
decoded_path(const char *path_and_query)
{
	size_t n = strcspn(path_and_query, "?"), i, o = 0;
	char *out = bson_malloc(n + 1);

	for (i = 0; i < n; i++) {
		if (path_and_query[i] == '%' && i + 2 < n &&
		    isxdigit((unsigned char)path_and_query[i + 1]) &&
		    isxdigit((unsigned char)path_and_query[i + 2])) {
			char hex[3] = {path_and_query[i + 1],
				       path_and_query[i + 2], '\0'};

			out[o++] = (char)strtol(hex, NULL, 16);
			i += 2;
		} else {
			out[o++] = path_and_query[i];
		}
	}
	out[o] = '\0';
	return out;
}

/*
 * The CGI variables of a request without its own headers, as the front
 * end of this program (inproc_cgi) passes them, into env; their count.
 * nginx passes what its fastcgi_params lists, an empty value for what the
 * request lacks (CONTENT_TYPE, CONTENT_LENGTH), and the empty HTTP_PROXY
 * of our site file; Apache's mod_proxy_fcgi leaves out what the request
 * lacks and names the script "proxy:fcgi://...". Host and Accept are the
 * headers libcurl sends on its own.
 */
static size_t
cgi_env(char **env, const char *method, const char *path_and_query,
	const char *content_type, const char *body, size_t len)
{
	const char *q = strchr(path_and_query, '?');
	char *path = decoded_path(path_and_query);
	size_t n = 0;

	env[n++] = bson_strdup_printf("REQUEST_METHOD=%s", method);
	env[n++] = bson_strdup_printf("REQUEST_URI=%s", path_and_query);
	env[n++] =
		bson_strdup_printf("QUERY_STRING=%s", q != NULL ? q + 1 : "");
	env[n++] = bson_strdup_printf("SCRIPT_NAME=%s", path);
	env[n++] = bson_strdup("SERVER_PROTOCOL=HTTP/1.1");
	env[n++] = bson_strdup("GATEWAY_INTERFACE=CGI/1.1");
	env[n++] = bson_strdup("REQUEST_SCHEME=http");
	env[n++] = bson_strdup("REMOTE_ADDR=127.0.0.1");
	env[n++] = bson_strdup("SERVER_NAME=localhost");
	env[n++] = bson_strdup("HTTP_HOST=localhost");
	env[n++] = bson_strdup("HTTP_ACCEPT=*/*");
	if (inproc_cgi == INPROC_NGINX) {
		env[n++] = bson_strdup_printf("DOCUMENT_URI=%s", path);
		env[n++] = bson_strdup("SERVER_SOFTWARE=nginx");
		env[n++] = bson_strdup("REDIRECT_STATUS=200");
		env[n++] = bson_strdup("REMOTE_USER=");
		env[n++] = bson_strdup("HTTP_PROXY=");
		env[n++] = bson_strdup_printf(
			"CONTENT_TYPE=%s",
			content_type != NULL ? content_type : "");
		env[n++] =
			body != NULL
				? bson_strdup_printf("CONTENT_LENGTH=%zu", len)
				: bson_strdup("CONTENT_LENGTH=");
	} else {
		env[n++] = bson_strdup_printf(
			"SCRIPT_FILENAME=proxy:fcgi://localhost%s", path);
		env[n++] = bson_strdup("SERVER_SOFTWARE=Apache");
		env[n++] = bson_strdup("CONTEXT_PREFIX=");
		if (content_type != NULL)
			env[n++] = bson_strdup_printf("CONTENT_TYPE=%s",
						      content_type);
		if (body != NULL)
			env[n++] =
				bson_strdup_printf("CONTENT_LENGTH=%zu", len);
	}
	bson_free(path);
	return n;
}

/* --- the answer ----------------------------------------------------------- */

/*
 * The worker's answer into r: a "Status:" line (absent: 200, as CGI
 * says), the headers in order, a blank line, the body. False when it is
 * not such an answer.
 */
static bool
parse_answer(const char *s, size_t len, http_resp *r)
{
	const char *end = s + len, *eol, *colon, *v;

	r->status = 200;
	for (;;) {
		eol = memchr(s, '\n', (size_t)(end - s));
		if (eol == NULL || eol == s || eol[-1] != '\r')
			return false;
		if (eol == s + 1)
			break; /* the blank line */
		colon = memchr(s, ':', (size_t)(eol - s));
		if (colon == NULL)
			return false;
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		if ((size_t)(colon - s) == 6 &&
		    strncasecmp(s, "Status", 6) == 0) {
			r->status = strtol(v, NULL, 10);
		} else {
			r->headers = bson_realloc(r->headers,
						  (r->nheaders + 1) *
							  sizeof(*r->headers));
			r->headers[r->nheaders].name =
				bson_strndup(s, (size_t)(colon - s));
			r->headers[r->nheaders].value =
				bson_strndup(v, (size_t)(eol - 1 - v));
			r->nheaders++;
		}
		s = eol + 1;
	}
	s = eol + 1;
	r->len = (size_t)(end - s);
	r->body = bson_malloc(r->len + 1);
	memcpy(r->body, s, r->len);
	r->body[r->len] = '\0';
	return true;
}

http_resp *
http_try(const char *method, const char *path_and_query,
	 const char *content_type, const char *body, size_t len,
	 const http_opts *opts)
{
	http_resp *r = bson_malloc0(sizeof(*r));
	body_reader reader = {body != NULL ? body : "", body != NULL ? len : 0};
	char *env[64];
	size_t n, i;
	ma_buf out;

	r->what = bson_strdup_printf("%s %s", method, path_and_query);
	if (app == NULL) {
		r->error = bson_strdup("no application: http_ready() builds "
				       "it");
		r->body = bson_strdup("");
		return r;
	}
	n = cgi_env(env, method, path_and_query, content_type, body, len);
	for (i = 0; opts != NULL && opts->headers != NULL &&
		    opts->headers[i] != NULL && n < 63;
	     i++) {
		env[n] = cgi_header(opts->headers[i]);
		n += env[n] != NULL;
	}
	env[n] = NULL;

	_ma_buf_init(&out, 1024);
	_ma_app_handle(app, env, body_read, &reader, &out);
	if (!parse_answer(out.data, out.len, r)) {
		r->error = bson_strdup_printf("not a CGI answer: %.*s",
					      HTTP_SHOWN, out.data);
		r->status = 0;
		http_headers_clear(r);
		bson_free(r->body);
		r->body = bson_strdup("");
		r->len = 0;
	}
	_ma_buf_destroy(&out);
	for (i = 0; i < n; i++)
		bson_free(env[i]);
	if (r->status != 0 && r->len > 0 &&
	    http_type_is_json(http_header_get(r, "Content-Type")))
		r->json = http_parse_json(r->body, r->len);
	return r;
}
