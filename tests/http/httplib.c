/*
 * The HTTP suites' answers and expectations (httplib.h), whatever the
 * transport that brought the answer.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <time.h>

#include "httplib.h"

/* --- memory that lives as long as the test -------------------------------- */

typedef struct kept {
	void *p;
	void (*release)(void *);
	struct kept *next;
} kept;

static kept *kept_list;

static void
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
void *
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

const char *
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
const char *
qenc(const char *s)
{
	ma_buf b;

	_ma_buf_init(&b, strlen(s) * 3 + 1);
	_ma_qs_encode(&b, s);
	return keep(_ma_buf_steal(&b, NULL), bson_free);
}

/* --- time ----------------------------------------------------------------- */

long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000,
			      .tv_nsec = (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Waits until the counter reaches n (threads count there); false after
 * ms. */
bool
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

/* --- answers -------------------------------------------------------------- */

/* Forgets the headers kept so far (the array stays for reuse). */
void
http_headers_clear(http_resp *r)
{
	size_t i;

	for (i = 0; i < r->nheaders; i++) {
		bson_free(r->headers[i].name);
		bson_free(r->headers[i].value);
	}
	r->nheaders = 0;
}

void
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

void
http_free_any(void *p)
{
	http_free(p);
}

/* The first value of a header, any case; NULL when it is absent. */
const char *
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
size_t
http_header_count(const http_resp *r, const char *name)
{
	size_t i, n = 0;

	for (i = 0; i < r->nheaders; i++)
		n += strcasecmp(r->headers[i].name, name) == 0;
	return n;
}

/* Whether a Content-Type is JSON: application/json or any +json type. */
bool
http_type_is_json(const char *type)
{
	size_t n;

	if (type == NULL)
		return false;
	n = strcspn(type, "; \t");
	return (n == 16 && strncasecmp(type, "application/json", 16) == 0) ||
	       (n > 5 && strncasecmp(type + n - 5, "+json", 5) == 0);
}

json_object *
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

/* --- requests ------------------------------------------------------------- */

/*
 * One request, as http_try(), for the test's main thread: fails the test
 * when no answer comes at all. The answer lives until the test ends.
 */
http_resp *
http(const char *method, const char *path_and_query, const char *content_type,
     const char *body, size_t len)
{
	http_resp *r;

	http_ready();
	r = http_try(method, path_and_query, content_type, body, len, NULL);
	keep(r, http_free_any);
	cr_assert(r->status != 0, "%s: no answer: %s", r->what, r->error);
	return r;
}

http_resp *
http_get(const char *path_and_query)
{
	return http("GET", path_and_query, NULL, NULL, 0);
}

/* A JSON body with its content type. */
http_resp *
http_json(const char *method, const char *path, const char *json)
{
	return http(method, path, "application/json", json, strlen(json));
}

/* --- expectations on answers ---------------------------------------------- */

void
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
bool
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

void
expect_media_type(const http_resp *r, const char *type)
{
	const char *ct = http_header_get(r, "Content-Type");

	cr_assert(http_media_type_is(ct, type),
		  "%s: Content-Type \"%s\", expected %s (charset=utf-8 the "
		  "only parameter)",
		  r->what, ct != NULL ? ct : "(none)", type);
}

/* A header is there exactly once, with this value. */
void
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
json_object *
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
json_object *
jget(const char *what, json_object *obj, const char *key)
{
	json_object *v = NULL;

	cr_assert(obj != NULL && json_object_is_type(obj, json_type_object) &&
			  json_object_object_get_ex(obj, key, &v),
		  "%s: no \"%s\" in %s", what, key,
		  obj != NULL ? json_object_to_json_string(obj) : "(nothing)");
	return v;
}

void
expect_jstr(const char *what, json_object *obj, const char *key,
	    const char *want)
{
	json_object *v = jget(what, obj, key);

	cr_assert(json_object_is_type(v, json_type_string) &&
			  strcmp(json_object_get_string(v), want) == 0,
		  "%s: \"%s\" is %s, expected \"%s\"", what, key,
		  json_object_to_json_string(v), want);
}

void
expect_jint(const char *what, json_object *obj, const char *key, int64_t want)
{
	json_object *v = jget(what, obj, key);

	cr_assert(json_object_is_type(v, json_type_int) &&
			  json_object_get_int64(v) == want,
		  "%s: \"%s\" is %s, expected %lld", what, key,
		  json_object_to_json_string(v), (long long)want);
}

void
expect_jbool(const char *what, json_object *obj, const char *key, bool want)
{
	json_object *v = jget(what, obj, key);

	cr_assert(json_object_is_type(v, json_type_boolean) &&
			  (json_object_get_boolean(v) != 0) == want,
		  "%s: \"%s\" is %s, expected %s", what, key,
		  json_object_to_json_string(v), want ? "true" : "false");
}

void
expect_jnull(const char *what, json_object *obj, const char *key)
{
	json_object *v = jget(what, obj, key);

	cr_assert(v == NULL, "%s: \"%s\" is %s, expected null", what, key,
		  json_object_to_json_string(v));
}

/* obj has exactly these keys ("a,b,c"), in any order. */
void
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
bool
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
const char *
http_reason(long status)
{
	switch (status) {
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
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
const char *
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
json_object *
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
void
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

/* The links of a Link header, in order; at most max. */
size_t
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
const char *
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
void
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

/* --- files and process ids ------------------------------------------------ */

/* A whole file (or its part from offset) as a string; "" if absent. */
const char *
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

long
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

/* The pids, space-separated, for messages; lives until the test ends. */
const char *
pid_list(const pid_t *pids, size_t n)
{
	ma_buf b;
	size_t i;

	_ma_buf_init(&b, 64);
	for (i = 0; i < n; i++)
		_ma_buf_printf(&b, "%s%ld", i ? " " : "", (long)pids[i]);
	return keep(_ma_buf_steal(&b, NULL), bson_free);
}
