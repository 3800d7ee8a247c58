/*
 * The HTTP suite's tools: a client over libcurl's easy interface, the
 * assertions every answer goes through, and the handles on the stack that
 * scripts/http-stack started (its master, its workers, its commands).
 *
 * The stack says where it is through the environment (see
 * scripts/http-stack): MA_STACK_URL, MA_STACK_DIR, MA_STACK_WORKERS,
 * MA_STACK_MASTER_PID_FILE, MA_STACK_WORKER_LOG, MA_STACK_DATABASE,
 * MA_STACK_WORKER_BIN. Without them nothing here can work, and a test says
 * so instead of skipping: run the suite through tests/http/with-stack.sh.
 *
 * Memory: what http() and tprintf() return lives until the test process
 * exits, so that a test reads as a list of requests and expectations.
 * http_try() is for threads: the caller frees its answer.
 */
#ifndef HTTP_H
#define HTTP_H

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <json-c/json.h>

#include "http/http-private.h"

/* --- memory that lives as long as the test -------------------------------- */

typedef struct kept {
	void *p;
	void (*release)(void *);
	struct kept *next;
} kept;

static kept *kept_list;

static inline void
kept_release_all(void)
{
	kept *k;

	while ((k = kept_list) != NULL) {
		kept_list = k->next;
		k->release(k->p);
		bson_free(k);
	}
}

/* Frees p with release when the test process exits. Main thread only. */
static inline void *
keep(void *p, void (*release)(void *))
{
	static bool registered;
	kept *k = bson_malloc(sizeof(*k));

	if (!registered) {
		atexit(kept_release_all);
		registered = true;
	}
	k->p = p;
	k->release = release;
	k->next = kept_list;
	kept_list = k;
	return p;
}

/* A formatted string that lives until the test ends. */
static inline const char *tprintf(const char *fmt, ...) MA_PRINTF(1, 2);

static inline const char *
tprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = bson_strdupv_printf(fmt, ap);
	va_end(ap);
	return keep(s, bson_free);
}

/* s percent-encoded for a query string, as the server encodes its Link
 * parameters (_ma_qs_encode). */
static inline const char *
qenc(const char *s)
{
	ma_buf b;

	_ma_buf_init(&b, strlen(s) * 3 + 1);
	_ma_qs_encode(&b, s);
	return keep(_ma_buf_steal(&b, NULL), bson_free);
}

/* --- time ----------------------------------------------------------------- */

static inline long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void
sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000,
			      .tv_nsec = (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* --- the stack's environment ---------------------------------------------- */

/* An MA_STACK_* variable; the test fails when it is missing. */
static inline const char *
stack_env(const char *name)
{
	const char *v = getenv(name);

	cr_assert(v != NULL && v[0] != '\0',
		  "%s is not set: these tests need the stack of "
		  "scripts/http-stack; run tests/http/test_http_nginx.sh "
		  "(or scripts/http-stack exec -- tests/http/test_http)",
		  name);
	return v;
}

/* --- requests ------------------------------------------------------------- */

typedef struct http_header {
	char *name;
	char *value;
} http_header;

typedef struct http_resp {
	/* 0 when no answer came; error then says why. */
	long status;
	char *error;
	/* "GET /books?page=2", for messages. */
	char *what;
	/* The final answer's headers, in order, repeats kept. */
	http_header *headers;
	size_t nheaders;
	/* NUL-terminated; "" when there is none. */
	char *body;
	size_t len;
	/* The body parsed, when its type says JSON and it is. */
	json_object *json;
} http_resp;

/* Per-request options beyond the common ones. */
typedef struct http_opts {
	long timeout_ms; /* 0: 20 s */
	/* More request headers, "Name: value", ending with NULL. */
	const char *const *headers;
} http_opts;

/* Forgets the headers kept so far (the array stays for reuse). */
static inline void
http_headers_clear(http_resp *r)
{
	size_t i;

	for (i = 0; i < r->nheaders; i++) {
		bson_free(r->headers[i].name);
		bson_free(r->headers[i].value);
	}
	r->nheaders = 0;
}

static inline void
http_free(http_resp *r)
{
	if (r == NULL)
		return;
	http_headers_clear(r);
	bson_free(r->headers);
	bson_free(r->what);
	bson_free(r->error);
	bson_free(r->body);
	json_object_put(r->json);
	bson_free(r);
}

static inline void
http_free_any(void *p)
{
	http_free(p);
}

/* The first value of a header, any case; NULL when it is absent. */
static inline const char *
http_header_get(const http_resp *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nheaders; i++) {
		if (strcasecmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	}
	return NULL;
}

/* How many times a header came. */
static inline size_t
http_header_count(const http_resp *r, const char *name)
{
	size_t i, n = 0;

	for (i = 0; i < r->nheaders; i++)
		n += strcasecmp(r->headers[i].name, name) == 0;
	return n;
}

static inline size_t
http_on_body(char *data, size_t size, size_t n, void *ctx)
{
	_ma_buf_append(ctx, data, size * n);
	return size * n;
}

static inline size_t
http_on_header(char *data, size_t size, size_t n, void *ctx)
{
	http_resp *r = ctx;
	size_t len = size * n;
	const char *colon;

	/* An interim answer (100 Continue) starts over: only the final
	 * answer's headers count. */
	if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		http_headers_clear(r);
		return len;
	}
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	colon = memchr(data, ':', len);
	if (colon == NULL)
		return size * n;
	r->headers = bson_realloc(r->headers,
				  (r->nheaders + 1) * sizeof(*r->headers));
	r->headers[r->nheaders].name =
		bson_strndup(data, (size_t)(colon - data));
	colon++;
	while (colon < data + len && (*colon == ' ' || *colon == '\t'))
		colon++;
	r->headers[r->nheaders].value =
		bson_strndup(colon, (size_t)(data + len - colon));
	r->nheaders++;
	return size * n;
}

/* Whether a Content-Type is JSON: application/json or any +json type. */
static inline bool
http_type_is_json(const char *type)
{
	size_t n;

	if (type == NULL)
		return false;
	n = strcspn(type, "; \t");
	return (n == 16 && strncasecmp(type, "application/json", 16) == 0) ||
	       (n > 5 && strncasecmp(type + n - 5, "+json", 5) == 0);
}

static inline json_object *
http_parse_json(const char *s, size_t len)
{
	json_tokener *tok = json_tokener_new();
	json_object *obj;

	obj = json_tokener_parse_ex(tok, s, (int)len);
	if (obj != NULL &&
	    (json_tokener_get_error(tok) != json_tokener_success ||
	     json_tokener_get_parse_end(tok) != len)) {
		json_object_put(obj);
		obj = NULL;
	}
	json_tokener_free(tok);
	return obj;
}

/*
 * One request to MA_STACK_URL + path_and_query (sent as is: bad escapes
 * and all). content_type NULL sends no Content-Type at all; body may be
 * NULL. Never asserts, so threads may call it: a transport failure gives
 * status 0 and error. The caller frees the answer with http_free().
 */
static inline http_resp *
http_try(const char *method, const char *path_and_query,
	 const char *content_type, const char *body, size_t len,
	 const http_opts *opts)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdrs = NULL;
	const char *base = getenv("MA_STACK_URL");
	http_resp *r = bson_malloc0(sizeof(*r));
	char *url, *ctype;
	ma_buf out;
	CURLcode rc;
	CURL *curl;

	r->what = bson_strdup_printf("%s %s", method, path_and_query);
	_ma_buf_init(&out, 1024);
	if (base == NULL || base[0] == '\0') {
		r->error = bson_strdup("MA_STACK_URL is not set");
		r->body = _ma_buf_steal(&out, NULL);
		return r;
	}
	/* Thread-safe since curl 7.84; a no-op after the first call. */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	curl = curl_easy_init();
	url = bson_strdup_printf("%s%s", base, path_and_query);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
			 opts != NULL && opts->timeout_ms > 0 ? opts->timeout_ms
							      : 20000L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, http_on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, http_on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, r);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET") != 0)
		curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	if (body != NULL) {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)len);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	}
	/* "Content-Type:" with nothing after it makes curl send none. */
	ctype = bson_strdup_printf("Content-Type:%s%s",
				   content_type != NULL ? " " : "",
				   content_type != NULL ? content_type : "");
	hdrs = curl_slist_append(hdrs, ctype);
	for (size_t i = 0;
	     opts != NULL && opts->headers != NULL && opts->headers[i] != NULL;
	     i++)
		hdrs = curl_slist_append(hdrs, opts->headers[i]);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);

	rc = curl_easy_perform(curl);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
	} else {
		r->error = bson_strdup_printf("%s: %s", curl_easy_strerror(rc),
					      errbuf);
		r->status = 0;
	}
	r->body = _ma_buf_steal(&out, &r->len);
	if (r->status != 0 && r->len > 0 &&
	    http_type_is_json(http_header_get(r, "Content-Type")))
		r->json = http_parse_json(r->body, r->len);

	curl_slist_free_all(hdrs);
	curl_easy_cleanup(curl);
	bson_free(ctype);
	bson_free(url);
	return r;
}

/*
 * One request, as http_try(), for the test's main thread: fails the test
 * when no answer comes at all. The answer lives until the test ends.
 */
static inline http_resp *
http(const char *method, const char *path_and_query, const char *content_type,
     const char *body, size_t len)
{
	http_resp *r;

	stack_env("MA_STACK_URL");
	r = http_try(method, path_and_query, content_type, body, len, NULL);
	keep(r, http_free_any);
	cr_assert(r->status != 0, "%s: no answer: %s", r->what, r->error);
	return r;
}

static inline http_resp *
http_get(const char *path_and_query)
{
	return http("GET", path_and_query, NULL, NULL, 0);
}

/* A JSON body with its content type. */
static inline http_resp *
http_json(const char *method, const char *path, const char *json)
{
	return http(method, path, "application/json", json, strlen(json));
}

/* --- expectations on answers ---------------------------------------------- */

/* At most this much of a body goes into a failure message. */
#define HTTP_SHOWN 600

static inline void
expect_status(const http_resp *r, long status)
{
	cr_assert_eq(r->status, status,
		     "%s: status %ld, expected %ld; body: %.*s", r->what,
		     r->status, status, HTTP_SHOWN, r->body);
}

/*
 * Whether a Content-Type's media type is exactly type, with no parameter
 * but charset=utf-8 (JSON is UTF-8 everywhere).
 */
static inline bool
http_media_type_is(const char *ct, const char *type)
{
	size_t n;

	if (ct == NULL)
		return false;
	n = strcspn(ct, "; \t");
	if (n != strlen(type) || strncasecmp(ct, type, n) != 0)
		return false;
	for (ct += n; *ct == ' ' || *ct == '\t' || *ct == ';'; ct++)
		;
	return *ct == '\0' || strcasecmp(ct, "charset=utf-8") == 0;
}

static inline void
expect_media_type(const http_resp *r, const char *type)
{
	const char *ct = http_header_get(r, "Content-Type");

	cr_assert(http_media_type_is(ct, type),
		  "%s: Content-Type \"%s\", expected %s (charset=utf-8 the "
		  "only parameter)",
		  r->what, ct != NULL ? ct : "(none)", type);
}

/* A header is there exactly once, with this value. */
static inline void
expect_header(const http_resp *r, const char *name, const char *value)
{
	const char *got = http_header_get(r, name);

	cr_assert_not_null(got, "%s: no %s header, expected \"%s\"", r->what,
			   name, value);
	cr_assert_eq(http_header_count(r, name), 1,
		     "%s: %zu %s headers, expected one", r->what,
		     http_header_count(r, name), name);
	cr_assert_str_eq(got, value, "%s: %s \"%s\", expected \"%s\"", r->what,
			 name, got, value);
}

/* A 200/201 answer whose body is a JSON object. */
static inline json_object *
expect_json(const http_resp *r, long status)
{
	expect_status(r, status);
	expect_media_type(r, "application/json");
	cr_assert(r->json != NULL &&
			  json_object_is_type(r->json, json_type_object),
		  "%s: body is not a JSON object: %.*s", r->what, HTTP_SHOWN,
		  r->body);
	return r->json;
}

/* A member of an object that must be there. */
static inline json_object *
jget(const char *what, json_object *obj, const char *key)
{
	json_object *v = NULL;

	cr_assert(obj != NULL && json_object_is_type(obj, json_type_object) &&
			  json_object_object_get_ex(obj, key, &v),
		  "%s: no \"%s\" in %s", what, key,
		  obj != NULL ? json_object_to_json_string(obj) : "(nothing)");
	return v;
}

static inline void
expect_jstr(const char *what, json_object *obj, const char *key,
	    const char *want)
{
	json_object *v = jget(what, obj, key);

	cr_assert(json_object_is_type(v, json_type_string) &&
			  strcmp(json_object_get_string(v), want) == 0,
		  "%s: \"%s\" is %s, expected \"%s\"", what, key,
		  json_object_to_json_string(v), want);
}

static inline void
expect_jint(const char *what, json_object *obj, const char *key, int64_t want)
{
	json_object *v = jget(what, obj, key);

	cr_assert(json_object_is_type(v, json_type_int) &&
			  json_object_get_int64(v) == want,
		  "%s: \"%s\" is %s, expected %lld", what, key,
		  json_object_to_json_string(v), (long long)want);
}

static inline void
expect_jbool(const char *what, json_object *obj, const char *key, bool want)
{
	json_object *v = jget(what, obj, key);

	cr_assert(json_object_is_type(v, json_type_boolean) &&
			  (json_object_get_boolean(v) != 0) == want,
		  "%s: \"%s\" is %s, expected %s", what, key,
		  json_object_to_json_string(v), want ? "true" : "false");
}

static inline void
expect_jnull(const char *what, json_object *obj, const char *key)
{
	json_object *v = jget(what, obj, key);

	cr_assert(v == NULL, "%s: \"%s\" is %s, expected null", what, key,
		  json_object_to_json_string(v));
}

/* obj has exactly these keys ("a,b,c"), in any order. */
static inline void
expect_keys(const char *what, json_object *obj, const char *keys)
{
	char *list = bson_strdup(keys), *save = NULL, *k;
	int n = 0;

	for (k = strtok_r(list, ",", &save); k != NULL;
	     k = strtok_r(NULL, ",", &save), n++)
		jget(what, obj, k);
	bson_free(list);
	cr_assert_eq(json_object_object_length(obj), n,
		     "%s: keys of %s, expected exactly %s", what,
		     json_object_to_json_string(obj), keys);
}

/* A string that is a 24-digit lower-case hexadecimal ObjectId. */
static inline bool
is_oid_hex(const char *s)
{
	size_t i;

	if (s == NULL)
		return false;
	for (i = 0; i < 24; i++) {
		if (!isdigit((unsigned char)s[i]) &&
		    !(s[i] >= 'a' && s[i] <= 'f'))
			return false;
	}
	return s[24] == '\0';
}

/* The reason phrases of RFC 9110, the problem titles. */
static inline const char *
http_reason(long status)
{
	switch (status) {
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 409:
		return "Conflict";
	case 412:
		return "Precondition Failed";
	case 413:
		return "Content Too Large";
	case 415:
		return "Unsupported Media Type";
	case 500:
		return "Internal Server Error";
	case 428:
		return "Precondition Required";
	case 503:
		return "Service Unavailable";
	case 504:
		return "Gateway Timeout";
	default:
		return "?";
	}
}

/* Case-insensitive strstr. */
static inline const char *
find_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay != '\0'; hay++) {
		if (strncasecmp(hay, needle, n) == 0)
			return hay;
	}
	return n == 0 ? hay : NULL;
}

/*
 * An RFC 9457 problem: status, application/problem+json, type
 * about:blank, the status's title, the same status in the body, and a
 * detail that names mentions (any case; NULL: any non-empty detail).
 * Returns the body for more checks.
 */
static inline json_object *
expect_problem(const http_resp *r, long status, const char *mentions)
{
	json_object *p = r->json, *detail;

	expect_status(r, status);
	expect_media_type(r, "application/problem+json");
	cr_assert(p != NULL && json_object_is_type(p, json_type_object),
		  "%s: problem body is not a JSON object: %.*s", r->what,
		  HTTP_SHOWN, r->body);
	expect_jstr(r->what, p, "type", "about:blank");
	expect_jstr(r->what, p, "title", http_reason(status));
	expect_jint(r->what, p, "status", status);
	detail = jget(r->what, p, "detail");
	cr_assert(json_object_is_type(detail, json_type_string) &&
			  json_object_get_string_len(detail) > 0,
		  "%s: detail %s, expected a non-empty string", r->what,
		  json_object_to_json_string(detail));
	if (mentions != NULL)
		cr_assert_not_null(
			find_nocase(json_object_get_string(detail), mentions),
			"%s: detail \"%s\" does not name \"%s\"", r->what,
			json_object_get_string(detail), mentions);
	return p;
}

/* The problem's errors list names field (and gives it a message). */
static inline void
expect_error_for(const http_resp *r, const char *field)
{
	json_object *errors = jget(r->what, r->json, "errors"), *e, *f, *m;
	size_t i, n;

	cr_assert(json_object_is_type(errors, json_type_array),
		  "%s: errors is %s, expected a list", r->what,
		  json_object_to_json_string(errors));
	n = json_object_array_length(errors);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(errors, i);
		if (!json_object_object_get_ex(e, "field", &f) ||
		    !json_object_is_type(f, json_type_string) ||
		    strcmp(json_object_get_string(f), field) != 0)
			continue;
		cr_assert(json_object_object_get_ex(e, "message", &m) &&
				  json_object_is_type(m, json_type_string) &&
				  json_object_get_string_len(m) > 0,
			  "%s: the error for %s has no message: %s", r->what,
			  field, json_object_to_json_string(e));
		return;
	}
	cr_assert_fail("%s: errors %s do not name the field \"%s\"", r->what,
		       json_object_to_json_string(errors), field);
}

/* --- Link headers --------------------------------------------------------- */

typedef struct link_ref {
	char rel[16];
	char *url;
} link_ref;

/* The links of a Link header, in order; at most max. */
static inline size_t
links_parse(const char *header, link_ref *out, size_t max)
{
	const char *p = header, *lt, *gt, *rel, *next;
	size_t n = 0, rl;

	while (n < max && (lt = strchr(p, '<')) != NULL) {
		gt = strchr(lt, '>');
		if (gt == NULL)
			break;
		next = strchr(gt, '<');
		rel = strstr(gt, "rel=\"");
		out[n].rel[0] = '\0';
		if (rel != NULL && (next == NULL || rel < next)) {
			rel += 5;
			rl = strcspn(rel, "\"");
			if (rl >= sizeof(out[n].rel))
				rl = sizeof(out[n].rel) - 1;
			memcpy(out[n].rel, rel, rl);
			out[n].rel[rl] = '\0';
		}
		out[n].url = keep(bson_strndup(lt + 1, (size_t)(gt - lt - 1)),
				  bson_free);
		n++;
		p = gt + 1;
	}
	return n;
}

/*
 * A link's URL as "path|name=value|name=value..." with every component
 * decoded (by the server's own query-string parser), page and per_page
 * moved to the end in that order: a form that compares the link's meaning
 * (path, the other parameters in their order, the page it points at)
 * whatever the escapes' letter case.
 */
static inline const char *
link_canon(const char *url)
{
	const char *q = strchr(url, '?'), *page = NULL, *per_page = NULL;
	ma_qs qs;
	ma_buf b;
	size_t i;

	_ma_buf_init(&b, 128);
	_ma_buf_append(&b, url, q != NULL ? (size_t)(q - url) : strlen(url));
	if (!_ma_qs_parse(q != NULL ? q + 1 : NULL, &qs, NULL)) {
		_ma_buf_printf(&b, "|BAD-QUERY:%s", q + 1);
		return keep(_ma_buf_steal(&b, NULL), bson_free);
	}
	for (i = 0; i < qs.n; i++) {
		const ma_qs_pair *pr = &qs.pairs[i];

		if (strcmp(pr->name, "page") == 0 && page == NULL)
			page = pr->value;
		else if (strcmp(pr->name, "per_page") == 0 && per_page == NULL)
			per_page = pr->value;
		else
			_ma_buf_printf(&b, "|%s=%s", pr->name, pr->value);
	}
	if (page != NULL)
		_ma_buf_printf(&b, "|page=%s", page);
	if (per_page != NULL)
		_ma_buf_printf(&b, "|per_page=%s", per_page);
	_ma_qs_destroy(&qs);
	return keep(_ma_buf_steal(&b, NULL), bson_free);
}

/*
 * The Link header holds exactly the links first, prev, next, last that are
 * not NULL, in that order, each pointing at the given URL (compared through
 * link_canon()).
 */
static inline void
expect_links(const http_resp *r, const char *first, const char *prev,
	     const char *next, const char *last)
{
	const char *want[4] = {first, prev, next, last};
	static const char *const rels[4] = {"first", "prev", "next", "last"};
	const char *h = http_header_get(r, "Link");
	link_ref got[8];
	size_t n, i, j = 0;

	cr_assert_not_null(h, "%s: no Link header", r->what);
	n = links_parse(h, got, 8);
	for (i = 0; i < 4; i++) {
		if (want[i] == NULL)
			continue;
		cr_assert(j < n && strcmp(got[j].rel, rels[i]) == 0,
			  "%s: Link \"%s\": link %zu should be rel=\"%s\"",
			  r->what, h, j + 1, rels[i]);
		cr_assert_str_eq(link_canon(got[j].url), link_canon(want[i]),
				 "%s: Link rel=\"%s\" is <%s>, expected <%s>",
				 r->what, rels[i], got[j].url, want[i]);
		j++;
	}
	cr_assert_eq(n, j, "%s: Link \"%s\": %zu links, expected %zu", r->what,
		     h, n, j);
}

/* --- the stack's processes and commands ----------------------------------- */

/* The state letter and parent of the process /proc/<pid> names; false
 * when it is gone. */
static inline bool
proc_stat(const char *pid, char *state, long *ppid)
{
	char path[288], buf[512], *rp;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	f = fopen(path, "r");
	if (f == NULL)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The state follows the command name, which may hold spaces and
	 * parentheses: look after the last ')'. */
	rp = strrchr(buf, ')');
	return rp != NULL && sscanf(rp + 1, " %c %ld", state, ppid) == 2;
}

/* Alive and not a zombie waiting for its parent. */
static inline bool
proc_alive(pid_t pid)
{
	char id[24], state;
	long ppid;

	if (pid <= 0 || kill(pid, 0) != 0)
		return false;
	snprintf(id, sizeof(id), "%ld", (long)pid);
	return proc_stat(id, &state, &ppid) && state != 'Z' && state != 'X';
}

/* The live (not zombie) children of parent, at most max; their count. */
static inline size_t
proc_children(pid_t parent, pid_t *out, size_t max)
{
	struct dirent *de;
	size_t n = 0;
	long ppid;
	char state;
	DIR *d;

	d = opendir("/proc");
	cr_assert_not_null(d, "/proc: %s", strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)de->d_name[0]) ||
		    !proc_stat(de->d_name, &state, &ppid))
			continue;
		if (ppid != (long)parent || state == 'Z' || state == 'X')
			continue;
		if (n < max)
			out[n] = (pid_t)atol(de->d_name);
		n++;
	}
	closedir(d);
	return n;
}

static inline bool
pid_in(pid_t pid, const pid_t *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (list[i] == pid)
			return true;
	}
	return false;
}

/* The current master's pid, from MA_STACK_MASTER_PID_FILE. */
static inline pid_t
stack_master_pid(void)
{
	const char *file = stack_env("MA_STACK_MASTER_PID_FILE");
	long pid = 0;
	FILE *f = fopen(file, "r");

	cr_assert_not_null(f, "%s: %s", file, strerror(errno));
	cr_assert(fscanf(f, "%ld", &pid) == 1 && pid > 1, "%s holds no pid",
		  file);
	fclose(f);
	return (pid_t)pid;
}

/* The current master's environment: NAME=value entries, each ended by a
 * NUL, up to *end. Overwritten by the next call. */
static inline const char *
stack_master_environ(const char **end)
{
	static char env[65536];
	const char *file =
		tprintf("/proc/%ld/environ", (long)stack_master_pid());
	FILE *f = fopen(file, "r");
	size_t len;

	cr_assert_not_null(f, "%s: %s", file, strerror(errno));
	len = fread(env, 1, sizeof(env) - 1, f);
	fclose(f);
	env[len] = '\0';
	*end = env + len;
	return env;
}

/* A variable of the current master's environment; NULL when unset. */
static inline const char *
stack_master_getenv(const char *name)
{
	const char *e, *end;
	size_t n = strlen(name);

	for (e = stack_master_environ(&end); e < end; e += strlen(e) + 1) {
		if (strncmp(e, name, n) == 0 && e[n] == '=')
			return tprintf("%s", e + n + 1);
	}
	return NULL;
}

static inline int
stack_workers(void)
{
	int n = atoi(stack_env("MA_STACK_WORKERS"));

	cr_assert(n >= 1, "MA_STACK_WORKERS is \"%s\"",
		  getenv("MA_STACK_WORKERS"));
	return n;
}

/* The top of the source tree: $abs_top_srcdir (set by make check), or two
 * levels above this program (tests/http/test_http). */
static inline const char *
top_srcdir(void)
{
	const char *env = getenv("abs_top_srcdir");
	char exe[4096], *slash;
	ssize_t n;
	int up;

	if (env != NULL && env[0] != '\0')
		return env;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	cr_assert(n > 0, "/proc/self/exe: %s", strerror(errno));
	exe[n] = '\0';
	/* libtool may keep the real program one level deeper, in .libs. */
	up = strstr(exe, "/.libs/") != NULL ? 4 : 3;
	while (up-- > 0 && (slash = strrchr(exe, '/')) != NULL)
		*slash = '\0';
	return tprintf("%s", exe);
}

/*
 * Starts a program with stdin from /dev/null and stdout and stderr into
 * log (NULL: stderr for both, so that nothing reaches the TAP stream on
 * stdout). envp NULL: this process's environment.
 */
static inline pid_t
spawn(const char *const argv[], char *const envp[], const char *log)
{
	pid_t pid;
	int fd;

	fflush(NULL);
	pid = fork();
	cr_assert(pid >= 0, "fork: %s", strerror(errno));
	if (pid > 0)
		return pid;
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0)
		dup2(fd, 0);
	if (log != NULL) {
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd < 0)
			_exit(126);
		dup2(fd, 2);
	}
	dup2(2, 1);
	if (envp != NULL)
		execve(argv[0], (char *const *)argv, envp);
	else
		execv(argv[0], (char *const *)argv);
	fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Waits up to ms for a child to end; true and *status when it did. */
static inline bool
wait_exit(pid_t pid, long ms, int *status)
{
	long long deadline = now_ms() + ms;
	pid_t got;

	for (;;) {
		got = waitpid(pid, status, WNOHANG);
		if (got == pid)
			return true;
		if (got < 0 && errno != EINTR)
			return false;
		if (now_ms() >= deadline)
			return false;
		sleep_ms(20);
	}
}

/* Polls until pid is gone (not ours to wait for); true if it went. */
static inline bool
wait_gone(pid_t pid, long ms)
{
	long long deadline = now_ms() + ms;

	while (proc_alive(pid)) {
		if (now_ms() >= deadline)
			return false;
		sleep_ms(20);
	}
	return true;
}

/*
 * Runs `scripts/http-stack CMD $MA_STACK_DIR` and returns its exit
 * status (-1 when it did not exit normally). Its output goes to stderr.
 */
static inline int
stack_cmd(const char *cmd)
{
	const char *script = tprintf("%s/scripts/http-stack", top_srcdir());
	const char *argv[] = {script, cmd, stack_env("MA_STACK_DIR"), NULL};
	int status = 0;
	pid_t pid;

	pid = spawn(argv, NULL, NULL);
	cr_assert(wait_exit(pid, 120000, &status),
		  "%s %s: still running after 120 s", script, cmd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* stack_cmd() that must succeed. */
static inline void
stack_do(const char *cmd)
{
	int rc = stack_cmd(cmd);

	cr_assert_eq(rc, 0, "scripts/http-stack %s exited with %d", cmd, rc);
}

/* A whole file (or its part from offset) as a string; "" if absent. */
static inline const char *
read_file_from(const char *path, long offset)
{
	FILE *f = fopen(path, "r");
	char chunk[4096];
	ma_buf b;
	size_t n;

	_ma_buf_init(&b, 4096);
	if (f != NULL) {
		if (offset > 0)
			fseek(f, offset, SEEK_SET);
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			_ma_buf_append(&b, chunk, n);
		fclose(f);
	}
	return keep(_ma_buf_steal(&b, NULL), bson_free);
}

static inline long
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

/* The pids, space-separated, for messages; lives until the test ends. */
static inline const char *
pid_list(const pid_t *pids, size_t n)
{
	ma_buf b;
	size_t i;

	_ma_buf_init(&b, 64);
	for (i = 0; i < n; i++)
		_ma_buf_printf(&b, "%s%ld", i ? " " : "", (long)pids[i]);
	return keep(_ma_buf_steal(&b, NULL), bson_free);
}

/* Waits until the counter reaches n (threads count there); false after
 * ms. */
static inline bool
wait_count(atomic_int *counter, int n, long ms)
{
	long long deadline = now_ms() + ms;

	while (atomic_load(counter) < n) {
		if (now_ms() >= deadline)
			return false;
		sleep_ms(10);
	}
	return true;
}

/*
 * The stack answers again, every worker of it: 20 GETs of the example's
 * first seed book in a row answer 200 (one worker's 200 says nothing of
 * the others, which may still wait out their driver's reconnect delay).
 * For up to ms.
 */
static inline bool
wait_serving(long ms)
{
	long long deadline = now_ms() + ms;
	int in_a_row = 0;
	http_resp *r;
	long status;

	while (in_a_row < 20) {
		r = http_try("GET", "/books/5f0000000000000000000b01", NULL,
			     NULL, 0, NULL);
		status = r->status;
		http_free(r);
		if (status == 200) {
			in_a_row++;
			continue;
		}
		in_a_row = 0;
		if (now_ms() >= deadline)
			return false;
		sleep_ms(100);
	}
	return true;
}

#endif
