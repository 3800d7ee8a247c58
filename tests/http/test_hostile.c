/*
 * Hostile requests, end to end: real HTTP through nginx (the site file
 * nginx/mongoalchemy.conf) to the example application's workers and
 * FerretDB, all started by scripts/http-stack (tests/http/
 * test_hostile_nginx.sh runs this program through with-stack.sh, on a
 * stack of its own: it counts every document of the database).
 *
 * Malformed and malicious JSON, operators where values belong, page
 * numbers at and past every limit, path tricks, methods, ids and media
 * types the contract does not take, oversized and mis-framed requests.
 * Each request has the one status the HTTP contract gives it
 * (docs/http-api.md: 400 for malformed input and bad parameters, 404 for
 * unknown routes, documents and pages, 405 with Allow, 413 above the body
 * limit, 415 for bodies that are not JSON, 501 for methods no route can
 * have; nginx's own answer, as problem+json, for what it refuses to pass
 * on) and, where it says something, a part of its problem's detail.
 *
 * Most groups are tables, run whole: a failure lists every request that
 * answered otherwise, not only the first. After each group the stack must
 * be unharmed (expect_unharmed()): the same worker processes as before the
 * first request, nothing in the worker log, no 5xx in nginx's access log
 * but the 501s and 505s asked for, a seed book answered whole, every seed
 * book and author
 * exactly as seeded, and no document whose title or name starts with
 * MARK, which every write a test sends carries: a refused write that was
 * stored anyway shows there.
 *
 * With MA_HOSTILE_TABLE=FILE every request and its answer is appended to
 * FILE as a row of a Markdown table (docs/security.md sums it up).
 */
#include <inttypes.h>
#include <poll.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include "httplib.h"
#include "seed.h"

/* Every title and name a test sends starts with it. */
#define MARK "HOSTILE"

/* How long any one answer may take: far more than any of them needs,
 * valgrind included; a request past it hangs, which is a failure. */
#define ANSWER_MS 10000

/* The site's and the workers' body limit (docs/http-api.md). */
#define BODY_LIMIT 1048576

#define JSON "application/json"

/* --- the example application's seed --------------------------------------- */

#define B01 "/books/" SEED_ID("b01")
#define A01 "/authors/" SEED_ID("a01")
#define B01_JSON                                                               \
	"{\"_id\":\"5f0000000000000000000b01\","                               \
	"\"title\":\"Dive Into Python\","                                      \
	"\"author\":{\"name\":\"Mark Pilgrim\"},\"year\":2004}"

/* A seed document as the API writes it, byte for byte. */
static const char *
seed_book_json(const seed_book *s)
{
	return tprintf("{\"_id\":\"%s\",\"title\":\"%s\",\"author\":{\"name\":"
		       "\"%s\"},\"year\":%d}",
		       s->id, s->title, s->author, s->year);
}

static const char *
seed_author_json(const seed_author *s)
{
	return tprintf("{\"_id\":\"%s\",\"name\":\"%s\"}", s->id, s->name);
}

/* --- answers, checked without asserting ----------------------------------- */

/* The reason phrases, titles of the problems; http_reason() has the
 * workers' own, nginx adds these. */
static const char *
reason(long status)
{
	switch (status) {
	case 414:
		return "URI Too Long";
	case 501:
		return "Not Implemented";
	case 505:
		return "HTTP Version Not Supported";
	default:
		return http_reason(status);
	}
}

/* A string member of a JSON object; NULL when absent or not a string. */
static const char *
jstr(json_object *obj, const char *key)
{
	json_object *v;

	if (obj == NULL || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/*
 * Why the RFC 9457 problem body (of len bytes, Content-Type ct) is not a
 * problem of status whose detail names mentions (any case; NULL: any
 * non-empty detail); NULL when it is.
 */
static const char *
problem_mismatch(const char *ct, const char *body, size_t len, long status,
		 const char *mentions)
{
	json_object *p;
	json_object *st;
	const char *why = NULL, *detail;

	if (!http_media_type_is(ct, "application/problem+json"))
		return tprintf("Content-Type \"%s\", expected "
			       "application/problem+json",
			       ct != NULL ? ct : "(none)");
	p = http_parse_json(body, len);
	if (p == NULL || !json_object_is_type(p, json_type_object)) {
		why = tprintf("the problem is not a JSON object: %.*s",
			      HTTP_SHOWN, body);
		goto done;
	}
	detail = jstr(p, "detail");
	if (jstr(p, "type") == NULL ||
	    strcmp(jstr(p, "type"), "about:blank") != 0)
		why = "type is not \"about:blank\"";
	else if (jstr(p, "title") == NULL ||
		 strcmp(jstr(p, "title"), reason(status)) != 0)
		why = tprintf("title is not \"%s\"", reason(status));
	else if (!json_object_object_get_ex(p, "status", &st) ||
		 !json_object_is_type(st, json_type_int) ||
		 json_object_get_int64(st) != status)
		why = tprintf("\"status\" is not %ld", status);
	else if (detail == NULL || detail[0] == '\0')
		why = "no detail";
	else if (mentions != NULL && find_nocase(detail, mentions) == NULL)
		why = tprintf("detail \"%s\" does not name \"%s\"", detail,
			      mentions);
done:
	json_object_put(p);
	return why;
}

/* --- the table of requests ------------------------------------------------ */

/*
 * One request and the answer it must get. The first three members are
 * given in order; the rest by name, where a case needs them.
 */
typedef struct row {
	const char *what;   /* the case, in a few words */
	const char *method; /* sent as it is */
	const char *target; /* the path and query, sent as they are */
	const char *type;   /* Content-Type; NULL: none at all */
	const char *body;   /* NULL: no body */
	size_t len;	    /* of body; 0: strlen(body) */
	const char *header; /* one more request header; NULL: none */
	long status;
	const char *detail; /* a part of the problem's detail; NULL: any */
	const char *allow;  /* with a 405: Allow, exactly */
	const char *total;  /* with a list: X-Total-Count, exactly */
	const char *exact;  /* with a 2xx: the whole body */
} row;

static size_t
row_len(const row *w)
{
	return w->body == NULL ? 0 : w->len > 0 ? w->len : strlen(w->body);
}

/* Printable ASCII as it is, CR, LF and tab as \r, \n and \t, any other
 * byte as \xNN, '|' escaped, at most max bytes shown: a request or an
 * answer in a message or a Markdown cell. */
static const char *
visible(const char *s, size_t len, size_t max)
{
	ma_buf b;
	size_t i;

	_ma_buf_init(&b, 64);
	for (i = 0; i < len && i < max; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '|')
			_ma_buf_append(&b, "\\|", 2);
		else if (c == '\r')
			_ma_buf_append(&b, "\\r", 2);
		else if (c == '\n')
			_ma_buf_append(&b, "\\n", 2);
		else if (c == '\t')
			_ma_buf_append(&b, "\\t", 2);
		else if (c >= 0x20 && c < 0x7f)
			_ma_buf_putc(&b, (char)c);
		else
			_ma_buf_printf(&b, "\\x%02X", c);
	}
	if (i < len)
		_ma_buf_printf(&b, "... (%zu bytes)", len);
	return keep(_ma_buf_steal(&b, NULL), bson_free);
}

/* Appends the request and its answer to $MA_HOSTILE_TABLE, if set, under
 * the table's head when the file is new. */
static void
table_add(const char *group, const char *what, const char *request, long status,
	  const char *answer)
{
	const char *file = getenv("MA_HOSTILE_TABLE");
	FILE *f;

	if (file == NULL || file[0] == '\0')
		return;
	f = fopen(file, "a");
	if (f == NULL)
		return;
	if (ftell(f) == 0)
		fputs("| group | case | request | status | answer |\n"
		      "|---|---|---|---|---|\n",
		      f);
	fprintf(f, "| %s | %s | `%s` | %ld | %s |\n", group, what, request,
		status, answer);
	fclose(f);
}

/* The detail of a problem, or the start of any other body, for the
 * table. */
static const char *
answer_text(const http_resp *r)
{
	const char *detail = jstr(r->json, "detail");

	if (detail != NULL)
		return visible(detail, strlen(detail), 160);
	if (r->len == 0)
		return "(no body)";
	return visible(r->body, r->len, 80);
}

static http_resp *
send_row(const row *w)
{
	const char *headers[2] = {w->header, NULL};
	http_opts opts = {.timeout_ms = ANSWER_MS, .headers = headers};
	http_resp *r = http_try(w->method, w->target, w->type, w->body,
				row_len(w), &opts);

	return keep(r, http_free_any);
}

/* Why r is not the answer w must get; NULL when it is. */
static const char *
row_mismatch(const row *w, const http_resp *r)
{
	const char *ct = http_header_get(r, "Content-Type");
	const char *got;

	if (r->status == 0)
		return tprintf("no answer: %s", r->error);
	if (r->status != w->status)
		return tprintf("status %ld, expected %ld; body: %s", r->status,
			       w->status, visible(r->body, r->len, 300));
	if (strcmp(w->method, "HEAD") == 0) {
		if (r->len != 0)
			return tprintf("%zu bytes of body to a HEAD", r->len);
		if (!http_media_type_is(ct, w->status >= 400
						    ? "application/problem+json"
						    : "application/json"))
			return tprintf("Content-Type \"%s\"",
				       ct != NULL ? ct : "(none)");
	} else if (w->status >= 400) {
		got = problem_mismatch(ct, r->body, r->len, w->status,
				       w->detail);
		if (got != NULL)
			return got;
	} else if (w->status != 204) {
		if (!http_media_type_is(ct, "application/json") ||
		    r->json == NULL)
			return tprintf("not a JSON answer (%s): %s",
				       ct != NULL ? ct : "no Content-Type",
				       visible(r->body, r->len, 300));
		if (w->exact != NULL &&
		    (r->len != strlen(w->exact) ||
		     memcmp(r->body, w->exact, r->len) != 0))
			return tprintf("body %s, expected %s",
				       visible(r->body, r->len, 300), w->exact);
	}
	if (w->allow != NULL) {
		got = http_header_get(r, "Allow");
		if (got == NULL || http_header_count(r, "Allow") != 1 ||
		    strcmp(got, w->allow) != 0)
			return tprintf("Allow \"%s\", expected \"%s\"",
				       got != NULL ? got : "(none)", w->allow);
	}
	if (w->total != NULL) {
		got = http_header_get(r, "X-Total-Count");
		if (got == NULL || strcmp(got, w->total) != 0)
			return tprintf("X-Total-Count %s, expected %s",
				       got != NULL ? got : "(none)", w->total);
	}
	return NULL;
}

/* Sends every row; then fails, listing each row that got another answer. */
static void
run_rows(const char *group, const row *rows, size_t n)
{
	size_t i, failed = 0;
	const char *list;
	ma_buf why;

	_ma_buf_init(&why, 1024);
	for (i = 0; i < n; i++) {
		const row *w = &rows[i];
		http_resp *r = send_row(w);
		const char *bad = row_mismatch(w, r);

		table_add(group, w->what,
			  tprintf("%s %s%s%s%s%s%s%s", w->method,
				  visible(w->target, strlen(w->target), 100),
				  w->type != NULL ? " [" : "",
				  w->type != NULL ? w->type : "",
				  w->type != NULL ? "]" : "",
				  w->header != NULL ? " +header " : "",
				  w->header != NULL
					  ? visible(w->header,
						    strlen(w->header), 40)
					  : "",
				  w->body != NULL
					  ? tprintf(" %s",
						    visible(w->body, row_len(w),
							    60))
					  : ""),
			  r->status, answer_text(r));
		if (bad == NULL)
			continue;
		failed++;
		_ma_buf_printf(&why, "\n  %s: %s %s: %s", w->what, w->method,
			       visible(w->target, strlen(w->target), 100), bad);
	}
	list = keep(_ma_buf_steal(&why, NULL), bson_free);
	cr_assert(failed == 0, "%s: %zu of %zu requests answered otherwise:%s",
		  group, failed, n, list);
}

/* A body sent to every write route, with the detail of its 400. */
typedef struct body_case {
	const char *what;
	const char *body;
	size_t len; /* 0: strlen(body) */
	const char *detail;
} body_case;

/* The write routes a body goes to: a refused PUT or PATCH of a seed book
 * would change it, which expect_unharmed() sees. */
static const struct {
	const char *method;
	const char *target;
} writes[] = {
	{"POST", "/books"},
	{"PUT", B01},
	{"PATCH", B01},
};

#define NWRITES (sizeof(writes) / sizeof(writes[0]))

/* Each body to each write route, as JSON: a 400 naming detail. */
static void
run_bodies(const char *group, const body_case *cases, size_t n)
{
	row *rows = keep(bson_malloc0(n * NWRITES * sizeof(*rows)), bson_free);
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < NWRITES; j++) {
			rows[i * NWRITES + j] = (row){
				.what = cases[i].what,
				.method = writes[j].method,
				.target = writes[j].target,
				.type = JSON,
				.body = cases[i].body,
				.len = cases[i].len,
				.status = 400,
				.detail = cases[i].detail,
			};
		}
	}
	run_rows(group, rows, n * NWRITES);
}

/* --- the stack, unharmed -------------------------------------------------- */

/*
 * The stack before the suite's first request: its worker processes and
 * how far the worker log and nginx's access log had come. Each test runs
 * in a process of its own, so the first one writes it into the stack's
 * folder and the others read it.
 */
typedef struct baseline {
	pid_t workers[16];
	size_t nworkers;
	long worker_log;
	long access_log;
} baseline;

static const char *
access_log_path(void)
{
	return tprintf("%s/front-access.log", stack_env("MA_STACK_DIR"));
}

static void
baseline_get(baseline *b)
{
	const char *path =
		tprintf("%s/hostile.baseline", stack_env("MA_STACK_DIR"));
	FILE *f = fopen(path, "r");
	long pid;
	size_t i;

	memset(b, 0, sizeof(*b));
	if (f != NULL) {
		cr_assert(fscanf(f, "%ld %ld %zu", &b->worker_log,
				 &b->access_log, &b->nworkers) == 3 &&
				  b->nworkers <= 16,
			  "%s is not a baseline", path);
		for (i = 0; i < b->nworkers; i++) {
			cr_assert(fscanf(f, "%ld", &pid) == 1, "%s: no pid %zu",
				  path, i);
			b->workers[i] = (pid_t)pid;
		}
		fclose(f);
		return;
	}
	b->nworkers = proc_children(stack_master_pid(), b->workers, 16);
	cr_assert_eq(b->nworkers, (size_t)stack_workers(),
		     "%zu workers before the first request, expected %d",
		     b->nworkers, stack_workers());
	b->worker_log = file_size(stack_env("MA_STACK_WORKER_LOG"));
	b->access_log = file_size(access_log_path());
	f = fopen(path, "w");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	fprintf(f, "%ld %ld %zu", b->worker_log, b->access_log, b->nworkers);
	for (i = 0; i < b->nworkers; i++)
		fprintf(f, " %ld", (long)b->workers[i]);
	fputc('\n', f);
	fclose(f);
}

/* The status of a line of nginx's access log (the "combined" format: it
 * follows the quoted request line, in which nginx escapes quotes); 0 when
 * there is none. */
static long
access_status(const char *line)
{
	const char *q = strchr(line, '"');
	long status = 0;

	if (q != NULL)
		q = strchr(q + 1, '"');
	if (q == NULL || sscanf(q + 1, " %ld", &status) != 1)
		return 0;
	return status;
}

/* The requests of the access log since the baseline that were answered
 * with a 5xx other than the 501s and 505s the tests ask for; "" when
 * there is none. */
static const char *
server_errors_since(long offset)
{
	const char *log = read_file_from(access_log_path(), offset), *end;
	long status;
	ma_buf b;

	_ma_buf_init(&b, 256);
	for (; *log != '\0'; log = *end != '\0' ? end + 1 : end) {
		end = strchr(log, '\n');
		if (end == NULL)
			end = log + strlen(log);
		status = access_status(tprintf("%.*s", (int)(end - log), log));
		if (status >= 500 && status != 501 && status != 505)
			_ma_buf_printf(&b, "\n  %.*s", (int)(end - log), log);
	}
	return keep(_ma_buf_steal(&b, NULL), bson_free);
}

/* A list's page (at most 100 items) at target: its items. */
static json_object *
list_items(const char *target, const char *total)
{
	http_resp *r = http_get(target);
	json_object *items = jget(r->what, expect_json(r, 200), "items");

	expect_header(r, "X-Total-Count", total);
	cr_assert(json_object_is_type(items, json_type_array),
		  "%s: items is not a list", r->what);
	return items;
}

static const char *
item_json(json_object *item)
{
	return json_object_to_json_string_ext(
		item, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

/*
 * The stack after a group of hostile requests: the workers of the
 * baseline still run (none died and was replaced), the worker log holds
 * nothing new (a worker logs its 5xx answers and its deaths), nginx
 * answered no 5xx but 501 and 505, a seed book answers whole, the seed
 * library is exactly as seeded and nothing else, and no document carries
 * MARK.
 */
static void
expect_unharmed(void)
{
	const char *wlog = stack_env("MA_STACK_WORKER_LOG");
	pid_t now[16];
	json_object *items;
	const char *news, *errors;
	baseline b;
	http_resp *r;
	size_t i, n;

	baseline_get(&b);
	n = proc_children(stack_master_pid(), now, 16);
	cr_assert_eq(n, b.nworkers, "%zu workers, there were %zu", n,
		     b.nworkers);
	for (i = 0; i < n; i++)
		cr_assert(pid_in(now[i], b.workers, b.nworkers),
			  "worker %ld is new: one died and was replaced",
			  (long)now[i]);
	news = read_file_from(wlog, b.worker_log);
	cr_assert(news[0] == '\0', "the worker log says:\n%s", news);
	errors = server_errors_since(b.access_log);
	cr_assert(errors[0] == '\0', "nginx answered with a 5xx:%s", errors);

	r = http_get(B01);
	expect_json(r, 200);
	cr_assert_str_eq(r->body, B01_JSON, "%s: %s", r->what, r->body);

	items = list_items("/books?per_page=100", tprintf("%zu", NSEED_BOOKS));
	cr_assert_eq(json_object_array_length(items), NSEED_BOOKS);
	for (i = 0; i < NSEED_BOOKS; i++)
		cr_assert_str_eq(item_json(json_object_array_get_idx(items, i)),
				 seed_book_json(&seed_books[i]),
				 "seed book %zu changed", i + 1);
	items = list_items("/authors?per_page=100",
			   tprintf("%zu", NSEED_AUTHORS));
	cr_assert_eq(json_object_array_length(items), NSEED_AUTHORS);
	for (i = 0; i < NSEED_AUTHORS; i++)
		cr_assert_str_eq(item_json(json_object_array_get_idx(items, i)),
				 seed_author_json(&seed_authors[i]),
				 "seed author %zu changed", i + 1);

	list_items("/books?title__startswith=" MARK, "0");
	list_items("/authors?name__startswith=" MARK, "0");
}

/* A stack left as it was found, whatever a test did to it: the seed
 * documents put back and the documents under MARK removed, so that one
 * refused write that got through fails its own test and not every test
 * after it. */
static void
restore_seed(void)
{
	static const char *const lists[] = {
		"/books?title__startswith=" MARK "&per_page=100",
		"/authors?name__startswith=" MARK "&per_page=100",
	};
	const char *body;
	http_resp *r;
	json_object *items;
	size_t i, j;

	for (i = 0; i < NSEED_BOOKS; i++) {
		const seed_book *s = &seed_books[i];

		r = http_get(tprintf("/books/%s", s->id));
		if (r->status == 200 && strcmp(r->body, seed_book_json(s)) == 0)
			continue;
		body = seed_book_json(s);
		http(r->status == 404 ? "POST" : "PUT",
		     r->status == 404 ? "/books" : tprintf("/books/%s", s->id),
		     JSON, body, strlen(body));
	}
	for (i = 0; i < NSEED_AUTHORS; i++) {
		const seed_author *s = &seed_authors[i];

		r = http_get(tprintf("/authors/%s", s->id));
		if (r->status == 200 &&
		    strcmp(r->body, seed_author_json(s)) == 0)
			continue;
		body = seed_author_json(s);
		http(r->status == 404 ? "POST" : "PUT",
		     r->status == 404 ? "/authors"
				      : tprintf("/authors/%s", s->id),
		     JSON, body, strlen(body));
	}
	for (i = 0; i < 2; i++) {
		r = http_get(lists[i]);
		if (r->status != 200 || r->json == NULL ||
		    !json_object_object_get_ex(r->json, "items", &items))
			continue;
		for (j = 0; j < json_object_array_length(items); j++)
			http("DELETE",
			     tprintf("%.*s/%s", (int)strcspn(lists[i], "?"),
				     lists[i],
				     jstr(json_object_array_get_idx(items, j),
					  "_id")),
			     NULL, NULL, 0);
	}
}

/* The first test to run records the baseline before its first request. */
static void
take_baseline(void)
{
	baseline b;

	baseline_get(&b);
}

TestSuite(hostile, .init = take_baseline, .fini = restore_seed);

/* --- JSON bodies ---------------------------------------------------------- */

/* A book that would be stored, but for what a case puts in its place. */
#define BOOK(title, name, year)                                                \
	"{\"title\":" title ",\"author\":{\"name\":" name "},\"year\":" year "}"
#define TITLE "\"" MARK " book\""
#define NAME "\"" MARK " author\""
#define GOOD_BOOK BOOK(TITLE, NAME, "2000")
/* A title holding s. */
#define TITLE_WITH(s) "\"" MARK " " s "\""

static const body_case malformed[] = {
	{"truncated in a string", "{\"title\":\"" MARK, 0, "malformed JSON"},
	{"truncated after a key", "{\"title\"", 0, "malformed JSON"},
	{"truncated after a comma", "{\"title\":" TITLE ",", 0,
	 "malformed JSON"},
	{"an object never closed",
	 "{\"title\":" TITLE ",\"author\":{\"name\":" NAME "}", 0,
	 "malformed JSON"},
	{"garbage after the object", GOOD_BOOK "x", 0, "malformed JSON"},
	{"a second object", GOOD_BOOK "{}", 0, "malformed JSON"},
	{"a trailing comma", "{\"title\":" TITLE ",}", 0, "malformed JSON"},
	{"a bare number", "2000", 0, "expected a JSON object, got a number"},
	{"a bare string", TITLE, 0, "expected a JSON object, got a string"},
	{"a bare null", "null", 0, "expected a JSON object, got null"},
	{"a bare true", "true", 0, "expected a JSON object, got a boolean"},
	{"single quotes", "{'title':'" MARK "'}", 0, "malformed JSON"},
	{"an unquoted key", "{title:" TITLE "}", 0, "malformed JSON"},
	{"a block comment", "{\"title\":" TITLE " /* c */}", 0,
	 "malformed JSON"},
	{"a line comment", GOOD_BOOK " // c", 0, "malformed JSON"},
	{"NaN", BOOK(TITLE, NAME, "NaN"), 0, "NaN and Infinity are not JSON"},
	{"Infinity", BOOK(TITLE, NAME, "Infinity"), 0,
	 "NaN and Infinity are not JSON"},
	{"-Infinity", BOOK(TITLE, NAME, "-Infinity"), 0,
	 "NaN and Infinity are not JSON"},
	{"a key given twice",
	 "{\"title\":" TITLE ",\"title\":" TITLE ",\"author\":{\"name\":" NAME
	 "},\"year\":2000}",
	 0, "duplicate key \"title\""},
	{"a key given twice, once escaped",
	 "{\"title\":" TITLE ",\"\\u0074itle\":" TITLE
	 ",\"author\":{\"name\":" NAME "},\"year\":2000}",
	 0, "duplicate key \"title\""},
	{"a key of the author given twice",
	 BOOK(TITLE, NAME ",\"name\":" NAME, "2000"), 0,
	 "duplicate key \"name\""},
	{"a number with a leading zero", BOOK(TITLE, NAME, "02000"), 0,
	 "malformed JSON"},
	{"a number with a plus sign", BOOK(TITLE, NAME, "+2000"), 0,
	 "malformed JSON"},
	{"a hexadecimal number", BOOK(TITLE, NAME, "0x7d0"), 0,
	 "malformed JSON"},
	{"a fraction without an integer part", BOOK(TITLE, NAME, ".5"), 0,
	 "malformed JSON"},
	{"a byte-order mark", "\xef\xbb\xbf" GOOD_BOOK, 0, "malformed JSON"},
	{"an empty body", "", 0, "the request body is empty"},
	{"whitespace only", " \t\r\n ", 0, "malformed JSON"},
	{"a NUL byte after the object", GOOD_BOOK "\0",
	 sizeof(GOOD_BOOK "\0") - 1, "NUL byte"},
};

Test(hostile, malformed_json_is_400_on_post_put_and_patch)
{
	run_bodies("malformed JSON", malformed,
		   sizeof(malformed) / sizeof(malformed[0]));
	expect_unharmed();
}

static const body_case bad_strings[] = {
	{"\\u0000 in the title", BOOK(TITLE_WITH("a\\u0000b"), NAME, "2000"), 0,
	 "title: must not contain a NUL character"},
	{"\\u0000 in the author's name", BOOK(TITLE, "\"a\\u0000b\"", "2000"),
	 0, "author.name: must not contain a NUL character"},
	{"\\u0000 in a key", "{\"title\\u0000x\":" TITLE "}", 0,
	 "field names must not contain a NUL character"},
	{"byte FF in the title", BOOK(TITLE_WITH("\xff"), NAME, "2000"), 0,
	 "UTF-8"},
	{"overlong NUL C0 80 in the title",
	 BOOK(TITLE_WITH("\xc0\x80"), NAME, "2000"), 0, "UTF-8"},
	{"overlong '/' C0 AF in the title",
	 BOOK(TITLE_WITH("\xc0\xaf"), NAME, "2000"), 0, "UTF-8"},
	{"overlong C1 BF in the title",
	 BOOK(TITLE_WITH("\xc1\xbf"), NAME, "2000"), 0, "UTF-8"},
	{"overlong E0 80 80 in the title",
	 BOOK(TITLE_WITH("\xe0\x80\x80"), NAME, "2000"), 0, "UTF-8"},
	{"surrogate ED A0 80 in the title",
	 BOOK(TITLE_WITH("\xed\xa0\x80"), NAME, "2000"), 0, "UTF-8"},
	{"past U+10FFFF: F4 90 80 80 in the title",
	 BOOK(TITLE_WITH("\xf4\x90\x80\x80"), NAME, "2000"), 0, "UTF-8"},
	{"a lone continuation byte 80 in the title",
	 BOOK(TITLE_WITH("\x80"), NAME, "2000"), 0, "UTF-8"},
	{"a sequence cut short: C3 in the title",
	 BOOK(TITLE_WITH("\xc3"), NAME, "2000"), 0, "UTF-8"},
	{"byte FF in the author's name", BOOK(TITLE, "\"\xff\"", "2000"), 0,
	 "UTF-8"},
	{"byte FF in a key", "{\"title\xff\":" TITLE "}", 0, "UTF-8"},
};

Test(hostile, strings_with_nul_or_invalid_utf8_are_400)
{
	run_bodies("strings", bad_strings,
		   sizeof(bad_strings) / sizeof(bad_strings[0]));
	expect_unharmed();
}

/*
 * What JSON's grammar forbids inside a string (RFC 8259, section 7): a
 * control character not escaped, and a \u escape of half a surrogate
 * pair, which is no character at all (RFC 7493, section 2.1: "MUST NOT").
 * Stored, they would be bytes no other JSON parser reads back the same.
 */
static const body_case not_json_strings[] = {
	{"a raw tab in the title", BOOK(TITLE_WITH("a\tb"), NAME, "2000"), 0,
	 "control character"},
	{"a raw line feed in the title", BOOK(TITLE_WITH("a\nb"), NAME, "2000"),
	 0, "control character"},
	{"a raw byte 01 in the title", BOOK(TITLE_WITH("\x01"), NAME, "2000"),
	 0, "control character"},
	{"a raw byte 1F in the author's name", BOOK(TITLE, "\"a\x1f\"", "2000"),
	 0, "control character"},
	{"a lone high surrogate \\ud800",
	 BOOK(TITLE_WITH("\\ud800"), NAME, "2000"), 0, "surrogate pair"},
	{"a lone low surrogate \\udc00",
	 BOOK(TITLE_WITH("\\udc00"), NAME, "2000"), 0, "surrogate pair"},
	{"a high surrogate before a letter \\ud800\\u0041",
	 BOOK(TITLE_WITH("\\ud800\\u0041"), NAME, "2000"), 0, "surrogate pair"},
	{"two high surrogates \\ud800\\ud800",
	 BOOK(TITLE_WITH("\\ud800\\ud800"), NAME, "2000"), 0, "surrogate pair"},
};

Test(hostile, strings_json_forbids_are_400)
{
	run_bodies("strings JSON forbids", not_json_strings,
		   sizeof(not_json_strings) / sizeof(not_json_strings[0]));
	expect_unharmed();
}

static const body_case bad_numbers[] = {
	{"year 2^63", BOOK(TITLE, NAME, "9223372036854775808"), 0,
	 "beyond the 64-bit integer range"},
	{"year -2^63-1", BOOK(TITLE, NAME, "-9223372036854775809"), 0,
	 "beyond the 64-bit integer range"},
	{"year of 30 digits",
	 BOOK(TITLE, NAME, "123456789012345678901234567890"), 0,
	 "beyond the 64-bit integer range"},
	{"year 1e400", BOOK(TITLE, NAME, "1e400"), 0,
	 "beyond the range of a double"},
	{"year -1e400", BOOK(TITLE, NAME, "-1e400"), 0,
	 "beyond the range of a double"},
	{"year 1.5", BOOK(TITLE, NAME, "1.5"), 0,
	 "year: must be an integer between 0 and 9999"},
	{"year 2000.0", BOOK(TITLE, NAME, "2000.0"), 0,
	 "year: must be an integer between 0 and 9999"},
	{"year 2e3", BOOK(TITLE, NAME, "2e3"), 0,
	 "year: must be an integer between 0 and 9999"},
	{"year 2^63-1", BOOK(TITLE, NAME, "9223372036854775807"), 0,
	 "year: must be an integer between 0 and 9999"},
	{"year -2^63", BOOK(TITLE, NAME, "-9223372036854775808"), 0,
	 "year: must be an integer between 0 and 9999"},
	{"year -1", BOOK(TITLE, NAME, "-1"), 0,
	 "year: must be an integer between 0 and 9999"},
	{"year 10000", BOOK(TITLE, NAME, "10000"), 0,
	 "year: must be an integer between 0 and 9999"},
	{"year as a string", BOOK(TITLE, NAME, "\"2000\""), 0,
	 "year: must be an integer between 0 and 9999"},
	{"year true", BOOK(TITLE, NAME, "true"), 0,
	 "year: must be an integer between 0 and 9999"},
	{"year null", BOOK(TITLE, NAME, "null"), 0, "year: must not be null"},
};

Test(hostile, numbers_out_of_range_or_of_the_wrong_kind_are_400)
{
	run_bodies("numbers", bad_numbers,
		   sizeof(bad_numbers) / sizeof(bad_numbers[0]));
	expect_unharmed();
}

/* Operators and paths where field names go, at every depth: MongoDB would
 * read them as commands ($set, $where) or as a path into a document. */
static const body_case operator_keys[] = {
	{"{\"$set\": ...}", "{\"$set\":{\"title\":" TITLE "}}", 0,
	 "$set: field names must not start with '$'"},
	{"{\"$where\": ...}", "{\"$where\":\"1\"}", 0,
	 "$where: field names must not start with '$'"},
	{"$unset beside the fields",
	 "{\"title\":" TITLE ",\"author\":{\"name\":" NAME
	 "},\"year\":2000,\"$unset\":{\"title\":\"\"}}",
	 0, "$unset: field names must not start with '$'"},
	{"$where in the author", BOOK(TITLE, NAME ",\"$where\":\"1\"", "2000"),
	 0, "author.$where: field names must not start with '$'"},
	{"the author is {\"$where\": ...}",
	 "{\"title\":" TITLE ",\"author\":{\"$where\":\"1\"},\"year\":2000}", 0,
	 "author.$where: field names must not start with '$'"},
	{"{\"author.name\": ...}", "{\"author.name\":" NAME "}", 0,
	 "author.name: field names must not contain '.'"},
	{"a dotted key in the author", BOOK(TITLE, NAME ",\"a.b\":1", "2000"),
	 0, "author.a.b: field names must not contain '.'"},
	{"title {\"$ne\": null}", BOOK("{\"$ne\":null}", NAME, "2000"), 0,
	 "title: must be a string"},
	{"title {\"$regex\": \".*\"}",
	 BOOK("{\"$regex\":\".*\"}", NAME, "2000"), 0,
	 "title: must be a string"},
	{"author's name {\"$ne\": null}", BOOK(TITLE, "{\"$ne\":null}", "2000"),
	 0, "author.name: must be a string"},
	{"year {\"$gt\": 0}", BOOK(TITLE, NAME, "{\"$gt\":0}"), 0,
	 "year: must be an integer"},
	{"the author a list of an operator",
	 "{\"title\":" TITLE ",\"author\":[{\"$where\":\"1\"}],\"year\":2000}",
	 0, "author: must be an object"},
	{"_id {\"$oid\": ...}",
	 "{\"_id\":{\"$oid\":\"5f0000000000000000000b01\"},\"title\":" TITLE
	 ",\"author\":{\"name\":" NAME "},\"year\":2000}",
	 0, "_id: must be an ObjectId of 24 hexadecimal digits"},
	{"_id {\"$gt\": \"\"}",
	 "{\"_id\":{\"$gt\":\"\"},\"title\":" TITLE
	 ",\"author\":{\"name\":" NAME "},\"year\":2000}",
	 0, "_id: must be an ObjectId of 24 hexadecimal digits"},
	{"an empty key",
	 "{\"\":1,\"title\":" TITLE ",\"author\":{\"name\":" NAME
	 "},\"year\":2000}",
	 0, "unknown field"},
	{"an unknown field",
	 "{\"title\":" TITLE ",\"author\":{\"name\":" NAME
	 "},\"year\":2000,\"admin\":true}",
	 0, "admin: unknown field"},
};

Test(hostile, operator_and_dotted_keys_are_400_and_store_nothing)
{
	static const row authors[] = {
		{"{\"$where\": ...}", "POST", "/authors", .type = JSON,
		 .body = "{\"$where\":\"1\"}", .status = 400,
		 .detail = "$where: field names must not start with '$'"},
		{"name {\"$gt\": \"\"}", "POST", "/authors", .type = JSON,
		 .body = "{\"name\":{\"$gt\":\"\"}}", .status = 400,
		 .detail = "name: must be a string"},
		{"{\"name.first\": ...}", "POST", "/authors", .type = JSON,
		 .body = "{\"name.first\":" NAME "}", .status = 400,
		 .detail = "name.first: field names must not contain '.'"},
		{"{\"$set\": ...}", "PUT", A01, .type = JSON,
		 .body = "{\"$set\":{\"name\":" NAME "}}", .status = 400,
		 .detail = "$set: field names must not start with '$'"},
		{"{\"$set\": ...}", "PATCH", A01, .type = JSON,
		 .body = "{\"$set\":{\"name\":" NAME "}}", .status = 400,
		 .detail = "$set: field names must not start with '$'"},
		{"name {\"$ne\": null}", "PATCH", A01, .type = JSON,
		 .body = "{\"name\":{\"$ne\":null}}", .status = 400,
		 .detail = "name: must be a string"},
		{"{\"$rename\": ...}", "PATCH", A01, .type = JSON,
		 .body = "{\"$rename\":{\"name\":\"x\"}}", .status = 400,
		 .detail = "$rename: field names must not start with '$'"},
	};

	run_bodies("operator keys", operator_keys,
		   sizeof(operator_keys) / sizeof(operator_keys[0]));
	run_rows("operator keys", authors,
		 sizeof(authors) / sizeof(authors[0]));
	expect_unharmed();
}

/* --- nesting -------------------------------------------------------------- */

/* n times open, then close (NULL: never closed), around inner. */
static const char *
nested(size_t n, const char *open, const char *inner, const char *close)
{
	size_t lo = strlen(open), lc = close != NULL ? strlen(close) : 0, i;
	ma_buf b;

	_ma_buf_init(&b, n * (lo + lc) + strlen(inner) + 1);
	for (i = 0; i < n; i++)
		_ma_buf_append(&b, open, lo);
	_ma_buf_append(&b, inner, strlen(inner));
	for (i = 0; close != NULL && i < n; i++)
		_ma_buf_append(&b, close, lc);
	return keep(_ma_buf_steal(&b, NULL), bson_free);
}

/* 100,000 levels: json-c stops at the depth limit (MA_JSON_MAX_DEPTH), so
 * the answer is a quick 400, whatever the depth; a recursive parser would
 * overflow its stack long before. */
#define DEEP 100000

Test(hostile, json_nested_100000_deep_is_a_quick_400)
{
	const body_case deep[] = {
		{"arrays 100,000 deep", nested(DEEP, "[", "", "]"), 0,
		 "nesting too deep"},
		{"objects 100,000 deep", nested(DEEP, "{\"a\":", "1", "}"), 0,
		 "nesting too deep"},
		{"arrays 100,000 deep as the year",
		 tprintf("{\"title\":" TITLE ",\"author\":{\"name\":" NAME
			 "},\"year\":%s}",
			 nested(DEEP, "[", "2000", "]")),
		 0, "nesting too deep"},
		{"100,000 arrays opened, none closed",
		 nested(DEEP, "[", "", NULL), 0, "nesting too deep"},
		{"objects 100,000 deep as the author",
		 tprintf("{\"title\":" TITLE ",\"author\":%s,\"year\":2000}",
			 nested(DEEP, "{\"name\":", NAME, "}")),
		 0, "nesting too deep"},
	};
	long long start = now_ms(), took;

	run_bodies("nesting", deep, sizeof(deep) / sizeof(deep[0]));
	took = now_ms() - start;
	/* Fifteen requests of about 200 to 600 kB each. */
	cr_assert(took < 15000, "15 deep bodies took %lld ms", took);
	expect_unharmed();
}

/* --- bulk create: arrays ------------------------------------------------ */

/* "[" then n copies of item, comma-separated, then "]". */
static const char *
array_of(size_t n, const char *item)
{
	size_t len = strlen(item), i;
	ma_buf b;

	_ma_buf_init(&b, n * (len + 1) + 2);
	_ma_buf_putc(&b, '[');
	for (i = 0; i < n; i++) {
		if (i > 0)
			_ma_buf_putc(&b, ',');
		_ma_buf_append(&b, item, len);
	}
	_ma_buf_putc(&b, ']');
	return keep(_ma_buf_steal(&b, NULL), bson_free);
}

/*
 * A POST of an array creates many (docs/http-api.md, Bulk create); every
 * item is checked first, so none of these stores anything. PUT and PATCH
 * take one document only.
 */
Test(hostile, bulk_arrays_refused_whole_store_nothing)
{
	const char *late = BOOK(TITLE, NAME, "10000");
	const char *over =
		array_of(BODY_LIMIT / sizeof(GOOD_BOOK) + 1, GOOD_BOOK);
	const row rows[] = {
		{"an array to PUT", "PUT", B01, .type = JSON,
		 .body = "[" GOOD_BOOK "]", .status = 400,
		 .detail = "expected a JSON object, got an array"},
		{"an array to PATCH", "PATCH", B01, .type = JSON,
		 .body = "[{\"year\":1}]", .status = 400,
		 .detail = "expected a JSON object, got an array"},
		{"an empty array", "POST", "/books", .type = JSON, .body = "[]",
		 .status = 400, .detail = "the array is empty"},
		{"nested arrays", "POST", "/books", .type = JSON,
		 .body = "[[" GOOD_BOOK "]]", .status = 400,
		 .detail = "[0]: must be an object"},
		{"items that are not objects", "POST", "/books", .type = JSON,
		 .body = "[" GOOD_BOOK ",1,\"x\",null,true]", .status = 400,
		 .detail = "[1]: must be an object; [2]: must be an object; "
			   "[3]: must be an object; [4]: must be an object"},
		{"an item with a '$' key", "POST", "/books", .type = JSON,
		 .body = "[" GOOD_BOOK ",{\"$where\":\"1\"}]", .status = 400,
		 .detail = "[1].$where: field names must not start with '$'"},
		{"an operator as a value", "POST", "/authors", .type = JSON,
		 .body = "[{\"name\":" NAME "},{\"name\":{\"$gt\":\"\"}}]",
		 .status = 400, .detail = "[1].name: must be a string"},
		{"one bad item among good ones", "POST", "/books", .type = JSON,
		 .body = tprintf("[%s,%s,%s]", GOOD_BOOK, late, GOOD_BOOK),
		 .status = 400,
		 .detail = "[1].year: must be an integer between 0 and 9999"},
		{"a key twice in an item", "POST", "/books", .type = JSON,
		 .body = "[" GOOD_BOOK ",{\"title\":" TITLE ",\"title\":" TITLE
			 "}]",
		 .status = 400, .detail = "[1]: duplicate key \"title\""},
		{"101 items, one over the maximum", "POST", "/books",
		 .type = JSON, .body = array_of(101, GOOD_BOOK), .status = 413,
		 .detail = "at most 100 documents in one request, not 101"},
		{"10,000 items", "POST", "/books", .type = JSON,
		 .body = array_of(10000, GOOD_BOOK), .status = 413,
		 .detail = "at most 100 documents in one request, not 10000"},
		{"10,000 empty objects", "POST", "/books", .type = JSON,
		 .body = array_of(10000, "{}"), .status = 413,
		 .detail = "not 10000"},
		{"an array over the body limit", "POST", "/books", .type = JSON,
		 .body = over, .status = 413},
	};

	run_rows("bulk arrays", rows, sizeof(rows) / sizeof(rows[0]));
	expect_unharmed();
}

/* The same id twice in one array: the first is stored, the second is the
 * duplicate, and the answer says so; the first is deleted again. */
Test(hostile, bulk_duplicate_ids_in_one_array_are_a_409_naming_both)
{
	const char *id = "5f00000000000000000c0ff1";
	const char *one = tprintf("{\"_id\":\"%s\",\"title\":" TITLE
				  ",\"author\":{\"name\":" NAME "},\"year\":1}",
				  id);
	http_resp *r =
		http_json("POST", "/books", tprintf("[%s,%s]", one, one));
	json_object *problem = expect_problem(r, 409, "1 of 2 items stored");
	json_object *stored = jget(r->what, problem, "stored");
	json_object *refused = jget(r->what, problem, "not_stored");

	cr_assert_eq(json_object_array_length(stored), 1, "%s", r->body);
	cr_assert_eq(json_object_array_length(refused), 1, "%s", r->body);
	expect_jstr(r->what, json_object_array_get_idx(stored, 0), "_id", id);
	expect_jint(r->what, json_object_array_get_idx(refused, 0), "index", 1);
	expect_status(http("DELETE", tprintf("/books/%s", id), NULL, NULL, 0),
		      204);
	expect_unharmed();
}

/* --- the query string ----------------------------------------------------- */

Test(hostile, operators_in_the_query_string_are_400_and_values_are_literal)
{
	static const row rows[] = {
		{"bracketed operator name[$ne]", "GET", "/books?name[$ne]=x",
		 .status = 400, .detail = "a name cannot hold '$'"},
		{"bracketed operator title[$regex]", "GET",
		 "/books?title[$regex]=.*", .status = 400,
		 .detail = "title[$regex]: a name cannot hold '$'"},
		{"bracketed operator, encoded", "GET",
		 "/books?title%5B%24regex%5D=.*", .status = 400,
		 .detail = "title[$regex]: a name cannot hold '$'"},
		{"bracketed operator on authors", "GET", "/authors?name[$ne]=x",
		 .status = 400, .detail = "name[$ne]: a name cannot hold '$'"},
		{"$where=1", "GET", "/books?$where=1", .status = 400,
		 .detail = "$where: a name cannot hold '$'"},
		{"$where=1, encoded", "GET", "/books?%24where=1", .status = 400,
		 .detail = "$where: a name cannot hold '$'"},
		{"year__where=1", "GET", "/books?year__where=1", .status = 400,
		 .detail = "year__where: unknown operator \"where\""},
		{"title__regex=.* (not offered)", "GET",
		 "/books?title__regex=.*", .status = 400,
		 .detail = "unknown operator \"regex\""},
		{"year__$gt=1", "GET", "/books?year__$gt=1", .status = 400,
		 .detail = "year__$gt: a name cannot hold '$'"},
		{"sort=$natural", "GET", "/books?sort=$natural", .status = 400,
		 .detail = "sort: \"$natural\": a name cannot hold '$'"},
		{"sort=-$natural", "GET", "/books?sort=-$natural",
		 .status = 400,
		 .detail = "sort: \"$natural\": a name cannot hold '$'"},
		{"sort=--year", "GET", "/books?sort=--year", .status = 400,
		 .detail = "sort: no such field \"-year\" in Book"},
		{"sort=-", "GET", "/books?sort=-", .status = 400,
		 .detail = "sort: an item is empty"},
		{"sort=", "GET", "/books?sort=", .status = 400,
		 .detail = "sort: an item is empty"},
		{"fields=$*", "GET", "/books?fields=$*", .status = 400,
		 .detail = "fields: \"$*\": a name cannot hold '$'"},
		{"fields=_id.$", "GET", "/books?fields=_id.$", .status = 400,
		 .detail = "fields: \"_id.$\": a name cannot hold '$'"},
		{"fields=title,$where", "GET", "/books?fields=title,$where",
		 .status = 400,
		 .detail = "fields: \"$where\": a name cannot hold '$'"},
		{"fields=", "GET", "/books?fields=", .status = 400,
		 .detail = "fields: an item is empty"},
		{"a filter on an unknown field", "GET", "/books?colour=red",
		 .status = 400, .detail = "colour: no such field in Book"},
		{"an unknown operator", "GET", "/books?year__foo=1",
		 .status = 400,
		 .detail = "year__foo: unknown operator \"foo\" (ne, gt, gte, "
			   "lt, lte, in, nin, exists, startswith, all, "
			   "size)"},
		{"an empty operator", "GET", "/books?year__=1", .status = 400,
		 .detail = "year__: unknown operator \"\""},
		{"four underscores", "GET", "/books?year____gt=1",
		 .status = 400,
		 .detail = "year____gt: no such field \"year__\" in Book"},
		{"an operator and no field", "GET", "/books?__gt=1",
		 .status = 400, .detail = "__gt: no such field \"\" in Book"},
		{"two operators", "GET", "/books?year__gt__lt=1", .status = 400,
		 .detail = "year__gt__lt: no such field \"year__gt\" in Book"},
		{"startswith then another operator", "GET",
		 "/books?title__startswith__ne=x", .status = 400,
		 .detail = "no such field \"title__startswith\" in Book"},
		{"an embedded document compared", "GET", "/books?author=x",
		 .status = 400,
		 .detail = "author: an embedded document can only be tested "
			   "with author__exists"},
		{"an id that is not hexadecimal", "GET", "/books?_id=zz",
		 .status = 400,
		 .detail = "_id: must be an ObjectId of 24 hexadecimal digits"},
		{"an operator among the in values", "GET",
		 "/books?year__in=2004,$where", .status = 400,
		 .detail = "year__in: must be an integer"},
		{"an empty in value", "GET", "/books?year__in=2004,",
		 .status = 400,
		 .detail = "year__in: an item of the list is empty"},
		{"exists neither true nor false", "GET",
		 "/books?year__exists=maybe", .status = 400,
		 .detail = "year__exists: must be true, false, 1 or 0"},
		{"year beyond 64 bits", "GET",
		 "/books?year=9223372036854775808", .status = 400,
		 .detail = "year: must be an integer"},
		{"year 1.5", "GET", "/books?year=1.5", .status = 400,
		 .detail = "year: must be an integer, not '1.5'"},
		{"%00 in a value", "GET", "/books?title=a%00b", .status = 400,
		 .detail = "escape \"%00\" (NUL)"},
		{"%00 in a name", "GET", "/books?ti%00tle=a", .status = 400,
		 .detail = "escape \"%00\" (NUL)"},
		{"%FF in a value", "GET", "/books?title=%FF", .status = 400,
		 .detail = "not valid UTF-8 once decoded"},
		{"overlong %C0%80 in a value", "GET", "/books?title=%C0%80",
		 .status = 400, .detail = "not valid UTF-8 once decoded"},
		{"a bad escape", "GET", "/books?title=%zz", .status = 400,
		 .detail = "invalid escape \"%zz\""},
		{"a truncated escape", "GET", "/books?title=%4", .status = 400,
		 .detail = "truncated escape"},
		{"$where on the since route", "GET",
		 "/books/since/2013?$where=1", .status = 400,
		 .detail = "$where: a name cannot hold '$'"},
		{"an operator as the since year", "GET",
		 "/books/since/%24where", .status = 400,
		 .detail = "year: must be an integer"},
		/* What is a value stays one: these find nothing, or what the
		 * text says. */
		{"a value starting with $", "GET", "/books?title=$where",
		 .status = 200, .total = "0"},
		{"an operator document as a value", "GET",
		 "/books?title=%7B%22%24ne%22%3Anull%7D", .status = 200,
		 .total = "0"},
		{"ne of an operator as a value", "GET",
		 "/books?title__ne=$where", .status = 200, .total = "8"},
		{"startswith .*", "GET", "/books?title__startswith=.*",
		 .status = 200, .total = "0"},
		{"startswith ^", "GET", "/books?title__startswith=%5E",
		 .status = 200, .total = "0"},
		{"authors' name startswith .*", "GET",
		 "/authors?name__startswith=.*", .status = 200, .total = "0"},
		{"in of an operator", "GET", "/books?title__in=$ne,$where",
		 .status = 200, .total = "0"},
		{"exists true on the author", "GET",
		 "/books?author__exists=true", .status = 200, .total = "8"},
		{"the same filter twice: both hold", "GET",
		 "/books?year=2004&year=2004", .status = 200, .total = "1"},
		{"two filters that cannot both hold", "GET",
		 "/books?year=2004&year=2009", .status = 200, .total = "0"},
		{"a title with CR LF and a header in it", "GET",
		 "/books?title=a%0D%0ASet-Cookie:%20x%3D1", .status = 200,
		 .total = "0"},
	};
	http_resp *r;

	run_rows("query string", rows, sizeof(rows) / sizeof(rows[0]));

	/* A value with CR LF comes back in the Link header encoded: no header
	 * of the client's making. (The list is empty: a first link, no
	 * last.) */
	r = http_get("/books?title__startswith=a%0D%0ASet-Cookie:%20x%3D1"
		     "&per_page=1");
	expect_json(r, 200);
	cr_assert_null(http_header_get(r, "Set-Cookie"),
		       "%s: a Set-Cookie header came back", r->what);
	expect_header(r, "Link",
		      "</books?title__startswith=a%0D%0ASet-Cookie%3A%20x%3D1"
		      "&page=1&per_page=1>; rel=\"first\"");
	expect_unharmed();
}

/* Dotted paths and the list operators: only declared paths down through
 * embedded documents, '$' nowhere, and each refusal naming the part that
 * is wrong; what is a value stays one. */
Test(hostile, dotted_paths_and_list_operators)
{
	const row rows[] = {
		{"'$' as a part", "GET", "/books?author.$name=x", .status = 400,
		 .detail = "author.$name: a name cannot hold '$'"},
		{"'$' as an operator after a path", "GET",
		 "/books?author.name.$gt=x", .status = 400,
		 .detail = "author.name.$gt: a name cannot hold '$'"},
		{"'$' as an operator, encoded", "GET",
		 "/books?author.name.%24ne=x", .status = 400,
		 .detail = "author.name.$ne: a name cannot hold '$'"},
		{"$-operator after __", "GET", "/books?author.name__$regex=x",
		 .status = 400,
		 .detail = "author.name__$regex: a name cannot hold '$'"},
		{"bracketed part", "GET", "/books?author[name]=x",
		 .status = 400,
		 .detail = "author[name]: no such field in Book"},
		{"..", "GET", "/books?author..name=x", .status = 400,
		 .detail = "author..name: the path has an empty part"},
		{"a trailing .", "GET", "/books?author.=x", .status = 400,
		 .detail = "author.: the path has an empty part"},
		{"a trailing . after the leaf", "GET", "/books?author.name.=x",
		 .status = 400,
		 .detail = "author.name.: the path has an empty part"},
		{"a leading .", "GET", "/books?.author=x", .status = 400,
		 .detail = ".author: the path has an empty part"},
		{"dots only", "GET", "/books?...=x", .status = 400,
		 .detail = "...: the path has an empty part"},
		{"an undeclared part", "GET", "/books?author.nme=x",
		 .status = 400,
		 .detail = "author.nme: no such field \"nme\" in Author"},
		{"an undeclared part with an operator", "GET",
		 "/books?author.nme__startswith=x", .status = 400,
		 .detail = "author.nme__startswith: no such field \"nme\" in "
			   "Author"},
		{"through a string", "GET", "/books?author.name.first=x",
		 .status = 400,
		 .detail = "author.name.first: cannot go through \"name\": it "
			   "is a string"},
		{"through an int", "GET", "/books?year.x__gt=1", .status = 400,
		 .detail = "year.x__gt: cannot go through \"year\": it is an "
			   "int"},
		{"through the id", "GET", "/books?_id.x=1", .status = 400,
		 .detail = "_id.x: cannot go through \"_id\": it is an "
			   "objectid"},
		{"an id inside the author", "GET",
		 "/books?author._id=5f0000000000000000000a01", .status = 400,
		 .detail = "author._id: no such field \"_id\" in Author"},
		{"a path 1,000 parts deep", "GET",
		 tprintf("/books?author.%s=x",
			 nested(1000, "name.", "x", NULL)),
		 .status = 400,
		 .detail = ": cannot go through \"name\": it is a string"},
		{"1,000 undeclared parts", "GET",
		 tprintf("/books?%s=x", nested(1000, "a.", "a", NULL)),
		 .status = 400, .detail = ": no such field \"a\" in Book"},
		{"1,000 empty parts", "GET",
		 tprintf("/books?author%s=x", nested(1000, ".", "", NULL)),
		 .status = 400, .detail = ": the path has an empty part"},
		{"a document compared", "GET", "/books?author__ne=x",
		 .status = 400,
		 .detail = "author__ne: an embedded document can only be "
			   "tested with author__exists"},
		{"size of a document", "GET", "/books?author__size=1",
		 .status = 400,
		 .detail = "author__size: an embedded document can only be "
			   "tested with author__exists"},
		{"a huge size of a string", "GET",
		 "/books?author.name__size=99999999999999999999999",
		 .status = 400,
		 .detail = "author.name__size: size applies to list fields "
			   "only, not to a string"},
		{"size of an int", "GET", "/books?year__size=-1", .status = 400,
		 .detail = "year__size: size applies to list fields only, not "
			   "to an int"},
		{"all of an int", "GET", "/books?year__all=2004,2009",
		 .status = 400,
		 .detail = "year__all: all applies to list fields only, not to "
			   "an int"},
		{"101 in values on a path", "GET",
		 tprintf("/books?author.name__in=%s",
			 nested(100, "a,", "a", NULL)),
		 .status = 400,
		 .detail = "author.name__in: in takes at most 100 values, not "
			   "101"},
		{"sort with '$' in a path", "GET", "/books?sort=author.$name",
		 .status = 400,
		 .detail = "sort: \"author.$name\": a name cannot hold '$'"},
		{"sort through a string", "GET", "/books?sort=-author.name.x",
		 .status = 400,
		 .detail = "sort: \"author.name.x\": cannot go through "
			   "\"name\": it is a string"},
		{"sort on ..", "GET", "/books?sort=author..name", .status = 400,
		 .detail =
			 "sort: \"author..name\": the path has an empty part"},
		{"sort twice on a path", "GET",
		 "/books?sort=author.name,-author.name", .status = 400,
		 .detail = "sort: author.name is already a sort key"},
		{"fields with '$' in a path", "GET", "/books?fields=author.$",
		 .status = 400,
		 .detail = "fields: \"author.$\": a name cannot hold '$'"},
		{"fields on an undeclared part", "GET",
		 "/books?fields=title,author.x", .status = 400,
		 .detail = "fields: \"author.x\": no such field \"x\" in "
			   "Author"},
		/* Values on a path are values. */
		{"a path's value starting with $", "GET",
		 "/books?author.name=$where", .status = 200, .total = "0"},
		{"an operator document as a path's value", "GET",
		 "/books?author.name=%7B%22%24ne%22%3Anull%7D", .status = 200,
		 .total = "0"},
		{"startswith .* on a path", "GET",
		 "/books?author.name__startswith=.*", .status = 200,
		 .total = "0"},
		{"in of operators on a path", "GET",
		 "/books?author.name__in=$ne,$exists", .status = 200,
		 .total = "0"},
		{"ne of an operator on a path", "GET",
		 "/books?author.name__ne=$where", .status = 200, .total = "8"},
		{"a path's equality", "GET",
		 "/books?author.name=Mark%20Pilgrim", .status = 200,
		 .total = "2"},
		{"a path absent nowhere", "GET",
		 "/books?author.name__exists=false", .status = 200,
		 .total = "0"},
		{"sort and fields on a path", "GET",
		 "/books?sort=author.name,-year&fields=author.name",
		 .status = 200, .total = "8"},
	};

	run_rows("dotted paths", rows, sizeof(rows) / sizeof(rows[0]));
	expect_unharmed();
}

/* The ids of the books the literal startswith test makes, for its .fini
 * to remove whatever happens. */
static const char *literal_ids[4];

static void
remove_literal_books(void)
{
	size_t i;

	for (i = 0; i < sizeof(literal_ids) / sizeof(literal_ids[0]); i++) {
		if (literal_ids[i] != NULL)
			http("DELETE", tprintf("/books/%s", literal_ids[i]),
			     NULL, NULL, 0);
	}
	restore_seed();
}

Test(hostile, startswith_takes_regex_metacharacters_literally,
     .fini = remove_literal_books)
{
	/* Titles holding every character a regular expression gives a
	 * meaning to, as JSON writes them; each one's text in its comment. */
	static const char *const titles[] = {
		/* HOSTILE-lit.* ^ $ ( [ \ | ) ] { } + ? end */
		MARK "-lit.* ^ $ ( [ \\\\ | ) ] { } + ? end",
		/* HOSTILE-litx: what "HOSTILE-lit." would find as a regex */
		MARK "-litx",
		/* HOSTILE-lit\E.* : the end of a \Q...\E quote */
		MARK "-lit\\\\E.*",
		/* HOSTILE-lit(a|b) */
		MARK "-lit(a|b)",
	};
	static const struct {
		const char *prefix; /* percent-encoded */
		const char *found;  /* indexes into titles, in title order */
	} queries[] = {
		{MARK "-lit", "3,0,2,1"},
		{MARK "-lit.", "0"},
		{MARK "-lit.*", "0"},
		{MARK "-lit.%2A%20%5E%20%24%20%28%20%5B%20%5C%20%7C%20%29%20%5D"
		      "%20%7B%20%7D%20%2B%20%3F%20end",
		 "0"},
		{MARK "-lit.%2A%20%5E%20%24%20%28%20%5B", "0"},
		{MARK "-lit%24", ""},
		{MARK "-lit%5C", "2"},
		{MARK "-lit%5CE.", "2"},
		{MARK "-lit%28", "3"},
		{MARK "-lit%28a%7Cb%29", "3"},
		{MARK "-lit%28a", "3"},
		{MARK "-lit%5B", ""},
		{MARK "-lit%7C", ""},
		{MARK "-litx%7C", ""},
		{MARK "-lit.%2A%20%5E%20%24", "0"},
		{"%5E" MARK "-lit", ""},
		{MARK "-li.", ""},
		{MARK "-lit%3F", ""},
		{MARK "-lit%2B", ""},
	};
	char titles_text[4][64];
	const char *found;
	json_object *doc, *items;
	http_resp *r;
	size_t i, j;

	for (i = 0; i < sizeof(titles) / sizeof(titles[0]); i++) {
		r = http_json("POST", "/books",
			      tprintf("{\"title\":\"%s\",\"author\":{\"name\":"
				      "\"x\"},\"year\":2000}",
				      titles[i]));
		doc = expect_json(r, 201);
		literal_ids[i] = tprintf("%s", jstr(doc, "_id"));
		snprintf(titles_text[i], sizeof(titles_text[i]), "%s",
			 jstr(doc, "title"));
	}
	for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		const char *want = queries[i].found;
		ma_buf got;

		r = http_get(tprintf("/books?title__startswith=%s&sort=title",
				     queries[i].prefix));
		items = jget(r->what, expect_json(r, 200), "items");
		_ma_buf_init(&got, 64);
		for (j = 0; j < json_object_array_length(items); j++) {
			const char *t = jstr(
				json_object_array_get_idx(items, j), "title");
			size_t k;

			for (k = 0; k < 4; k++) {
				if (strcmp(t, titles_text[k]) == 0)
					break;
			}
			_ma_buf_printf(&got, "%s%zu", j > 0 ? "," : "", k);
		}
		found = keep(_ma_buf_steal(&got, NULL), bson_free);
		table_add("query string",
			  tprintf("startswith finds titles \"%s\"", want),
			  r->what, r->status, tprintf("titles \"%s\"", found));
		cr_assert_str_eq(found, want,
				 "%s: found titles \"%s\", expected \"%s\" "
				 "(indexes into the titles made)",
				 r->what, found, want);
	}
	for (i = 0; i < sizeof(titles) / sizeof(titles[0]); i++) {
		expect_status(http("DELETE",
				   tprintf("/books/%s", literal_ids[i]), NULL,
				   NULL, 0),
			      204);
		literal_ids[i] = NULL;
	}
	expect_unharmed();
}

Test(hostile, page_and_per_page_out_of_their_grammar)
{
	static const row rows[] = {
		{"page 0", "GET", "/books?page=0", .status = 404,
		 .detail = "page 0 does not exist: pages start at 1"},
		{"page -1", "GET", "/books?page=-1", .status = 404,
		 .detail = "page -1 does not exist: pages start at 1"},
		{"page -2^63", "GET", "/books?page=-9223372036854775808",
		 .status = 404,
		 .detail = "page -9223372036854775808 does not exist: pages "
			   "start at 1"},
		{"page 2 of 1", "GET", "/books?page=2", .status = 404,
		 .detail = "page 2 does not exist"},
		{"page 2^63-1", "GET", "/books?page=9223372036854775807",
		 .status = 404,
		 .detail = "page 9223372036854775807 does not exist"},
		{"page 2^63", "GET", "/books?page=9223372036854775808",
		 .status = 400,
		 .detail = "page: must be a decimal integer of 64 bits"},
		{"page -2^63-1", "GET", "/books?page=-9223372036854775809",
		 .status = 400,
		 .detail = "page: must be a decimal integer of 64 bits"},
		{"page of 30 digits", "GET",
		 "/books?page=123456789012345678901234567890", .status = 400,
		 .detail = "page: must be a decimal integer of 64 bits"},
		{"page abc", "GET", "/books?page=abc", .status = 400,
		 .detail = "page: must be a decimal integer"},
		{"page empty", "GET", "/books?page=", .status = 400,
		 .detail = "page: must be a decimal integer"},
		{"page without =", "GET", "/books?page", .status = 400,
		 .detail = "page: must be a decimal integer"},
		{"page +1", "GET", "/books?page=%2B1", .status = 400,
		 .detail = "page: must be a decimal integer"},
		{"page + (a space)", "GET", "/books?page=+1", .status = 400,
		 .detail = "page: must be a decimal integer"},
		{"page 1e3", "GET", "/books?page=1e3", .status = 400,
		 .detail = "page: must be a decimal integer"},
		{"page 0x10", "GET", "/books?page=0x10", .status = 400,
		 .detail = "page: must be a decimal integer"},
		{"page 1.0", "GET", "/books?page=1.0", .status = 400,
		 .detail = "page: must be a decimal integer"},
		{"page -0x1", "GET", "/books?page=-0x1", .status = 400,
		 .detail = "page: must be a decimal integer"},
		{"page - alone", "GET", "/books?page=-", .status = 400,
		 .detail = "page: must be a decimal integer"},
		{"page a full-width 1", "GET", "/books?page=%EF%BC%91",
		 .status = 400, .detail = "page: must be a decimal integer"},
		{"page 01: decimal", "GET", "/books?page=01", .status = 200,
		 .total = "8"},
		{"page 1 given twice", "GET", "/books?page=1&page=1",
		 .status = 400, .detail = "page: given more than once"},
		{"page 1 then 2", "GET", "/books?page=1&page=2", .status = 400,
		 .detail = "page: given more than once"},
		{"per_page 0", "GET", "/books?per_page=0", .status = 400,
		 .detail = "per_page: must be between 1 and 100"},
		{"per_page -1", "GET", "/books?per_page=-1", .status = 400,
		 .detail = "per_page: must be between 1 and 100"},
		{"per_page 101", "GET", "/books?per_page=101", .status = 400,
		 .detail = "per_page: must be between 1 and 100"},
		{"per_page 2^63-1", "GET",
		 "/books?per_page=9223372036854775807", .status = 400,
		 .detail = "per_page: must be between 1 and 100"},
		{"per_page 2^63", "GET", "/books?per_page=9223372036854775808",
		 .status = 400,
		 .detail = "per_page: must be between 1 and 100"},
		{"per_page of 30 digits", "GET",
		 "/books?per_page=123456789012345678901234567890",
		 .status = 400,
		 .detail = "per_page: must be between 1 and 100"},
		{"per_page abc", "GET", "/books?per_page=abc", .status = 400,
		 .detail = "per_page: must be a decimal integer"},
		{"per_page empty", "GET", "/books?per_page=", .status = 400,
		 .detail = "per_page: must be a decimal integer"},
		{"per_page +1", "GET", "/books?per_page=%2B1", .status = 400,
		 .detail = "per_page: must be a decimal integer"},
		{"per_page 1e3", "GET", "/books?per_page=1e3", .status = 400,
		 .detail = "per_page: must be a decimal integer"},
		{"per_page 0x10", "GET", "/books?per_page=0x10", .status = 400,
		 .detail = "per_page: must be a decimal integer"},
		{"per_page 100, the most", "GET", "/books?per_page=100",
		 .status = 200, .total = "8"},
		{"per_page given twice", "GET", "/books?per_page=1&per_page=2",
		 .status = 400, .detail = "per_page: given more than once"},
		{"sort given twice", "GET", "/books?sort=title&sort=year",
		 .status = 400, .detail = "sort: given more than once"},
		{"fields given twice", "GET", "/books?fields=title&fields=year",
		 .status = 400, .detail = "fields: given more than once"},
		{"page 0 and a bad filter: the 400 first", "GET",
		 "/books?page=0&colour=red", .status = 400,
		 .detail = "colour: no such field in Book"},
		{"page 2 of the five authors", "GET",
		 "/authors?page=2&per_page=5", .status = 404,
		 .detail = "page 2 does not exist"},
		{"page 0 on the since route", "GET", "/books/since/2013?page=0",
		 .status = 404,
		 .detail = "page 0 does not exist: pages start at 1"},
		{"per_page 0 on the since route", "GET",
		 "/books/since/2013?per_page=0", .status = 400,
		 .detail = "per_page: must be between 1 and 100"},
		{"page 2^63-1 on the since route", "GET",
		 "/books/since/2013?page=9223372036854775807", .status = 404,
		 .detail = "page 9223372036854775807 does not exist"},
	};

	run_rows("pages", rows, sizeof(rows) / sizeof(rows[0]));
	expect_unharmed();
}

/* --- paths, methods, ids, media types ------------------------------------- */

#define NGINX_400 "the request could not be parsed"

Test(hostile, path_tricks)
{
	static const row rows[] = {
		{"dot-dot between routes", "GET", "/authors/../books",
		 .status = 404, .detail = "no route matches this path"},
		{"encoded dot-dot", "GET", "/books/%2e%2e/authors",
		 .status = 404, .detail = "no route matches this path"},
		{"encoded dot-dot as the id", "GET", "/books/%2E%2E",
		 .status = 404, .detail = "no Book has the id '..'"},
		{"a dot segment", "GET", "/books/./" SEED_ID("b01"),
		 .status = 404, .detail = "no route matches this path"},
		{"%00 as the id", "GET", "/books/%00", .status = 400,
		 .detail = NGINX_400},
		{"%00 after the id", "GET", B01 "%00", .status = 400,
		 .detail = NGINX_400},
		{"%00 in the route", "GET", "/books%00", .status = 400,
		 .detail = NGINX_400},
		{"%2F inside the id", "GET",
		 "/books/5f00000000000000%2F00000b01", .status = 404,
		 .detail = "no Book has the id '5f00000000000000/00000b01'"},
		{"%2F as the id", "GET", "/books/%2F", .status = 404,
		 .detail = "no Book has the id '/'"},
		{"a bad escape in the path", "GET", "/books/%zz", .status = 400,
		 .detail = NGINX_400},
		{"%FF as the id", "GET", "/books/%FF", .status = 400,
		 .detail = "id: not valid UTF-8 once decoded"},
		{"%0D%0A in the id", "GET", "/books/a%0D%0ASet-Cookie:x",
		 .status = 404,
		 .detail = "no Book has the id 'a\r\nSet-Cookie"},
		{"//books", "GET", "//books", .status = 404,
		 .detail = "no route matches this path"},
		{"/books//", "GET", "/books//", .status = 404,
		 .detail = "no route matches this path"},
		{"/books/", "GET", "/books/", .status = 404,
		 .detail = "no route matches this path; one matches it without "
			   "the trailing '/'"},
		{"a trailing dot on the route", "GET", "/books.", .status = 404,
		 .detail = "no route matches this path"},
		{"a trailing dot on the id", "GET", B01 ".", .status = 404,
		 .detail = "no Book has the id '" SEED_ID("b01") ".'"},
		{"a trailing slash on the id", "GET", B01 "/", .status = 404,
		 .detail = "no route matches this path; one matches it without "
			   "the trailing '/'"},
		{"a segment after the id", "GET", B01 "/title", .status = 404,
		 .detail = "no route matches this path"},
		{"the route in capitals", "GET", "/BOOKS", .status = 404,
		 .detail = "no route matches this path"},
		{"the since route without a year: an id", "GET", "/books/since",
		 .status = 404, .detail = "no Book has the id 'since'"},
		{"the since route with an empty year", "GET", "/books/since/",
		 .status = 404, .detail = "no route matches this path"},
		{"the since route, one segment more", "GET",
		 "/books/since/2013/x", .status = 404,
		 .detail = "no route matches this path"},
		{"a fragment", "GET", B01 "#x", .status = 200,
		 .exact = B01_JSON},
		{"an empty query", "GET", B01 "?", .status = 200,
		 .exact = B01_JSON},
		{"a bad page on an item: not a list", "GET", B01 "?page=abc",
		 .status = 200, .exact = B01_JSON},
	};

	run_rows("paths", rows, sizeof(rows) / sizeof(rows[0]));
	expect_unharmed();
}

Test(hostile, methods_the_routes_do_not_take)
{
	const row rows[] = {
		{"PROPFIND", "PROPFIND", "/books", .status = 501,
		 .detail = "method PROPFIND is not implemented"},
		{"FOO", "FOO", B01, .status = 501,
		 .detail = "method FOO is not implemented"},
		{"M-SEARCH", "M-SEARCH", "/books", .status = 501,
		 .detail = "method M-SEARCH is not implemented"},
		{"a method of 100 letters", nested(100, "A", "", NULL),
		 "/books", .status = 501, .detail = "is not implemented"},
		{"TRACE (nginx)", "TRACE", "/books", .status = 501,
		 .detail = "does not implement this method (TRACE, CONNECT)"},
		{"TRACE of an item (nginx)", "TRACE", B01, .status = 501,
		 .detail = "does not implement this method (TRACE, CONNECT)"},
		{"CONNECT (nginx)", "CONNECT", "/books", .status = 501,
		 .detail = "does not implement this method (TRACE, CONNECT)"},
		{"a method in lower case (nginx)", "get", B01, .status = 400,
		 .detail = NGINX_400},
		{"OPTIONS of the list", "OPTIONS", "/books", .status = 405,
		 .detail = "this path does not take this method",
		 .allow = "GET, HEAD, POST"},
		{"OPTIONS of an item", "OPTIONS", B01, .status = 405,
		 .allow = "GET, HEAD, PUT, PATCH, DELETE"},
		{"OPTIONS of the since route", "OPTIONS", "/books/since/2013",
		 .status = 405, .allow = "GET, HEAD"},
		{"OPTIONS of no route", "OPTIONS", "/nothing", .status = 404,
		 .detail = "no route matches this path"},
		{"DELETE of the list", "DELETE", "/books", .status = 405,
		 .allow = "GET, HEAD, POST"},
		{"PUT of the list", "PUT", "/books", .type = JSON,
		 .body = GOOD_BOOK, .status = 405, .allow = "GET, HEAD, POST"},
		{"PATCH of the list", "PATCH", "/authors", .type = JSON,
		 .body = "{\"name\":" NAME "}", .status = 405,
		 .allow = "GET, HEAD, POST"},
		{"POST to an item", "POST", B01, .type = JSON,
		 .body = GOOD_BOOK, .status = 405,
		 .allow = "GET, HEAD, PUT, PATCH, DELETE"},
		{"POST to the since route", "POST", "/books/since/2013",
		 .type = JSON, .body = GOOD_BOOK, .status = 405,
		 .allow = "GET, HEAD"},
		{"HEAD of an item", "HEAD", B01, .status = 200},
		{"HEAD of the list", "HEAD", "/books", .status = 200,
		 .total = "8"},
		{"HEAD of a list page", "HEAD", "/books?per_page=3&page=3",
		 .status = 200, .total = "8"},
		{"HEAD of an absent item", "HEAD", "/books/" SEED_ID("b99"),
		 .status = 404},
		{"HEAD of a page past the end", "HEAD", "/books?page=2",
		 .status = 404},
		{"HEAD with a bad parameter", "HEAD", "/books?page=abc",
		 .status = 400},
		{"HEAD of no route", "HEAD", "/nothing", .status = 404},
	};

	run_rows("methods", rows, sizeof(rows) / sizeof(rows[0]));
	expect_unharmed();
}

/*
 * CORS (the stack allows https://app.example.com): hostile Origin and
 * preflight headers get no Access-Control-Allow-* header, a preflight a
 * 403 naming what it refused; the two allowed cases show that the check
 * can see one.
 */
#define CORS_ALLOWED "https://app.example.com"

typedef struct cors_case {
	const char *what;
	const char *method, *target;
	const char *headers[4]; /* "Name: value", NULL-terminated */
	long status;
	const char *detail; /* with a 4xx: a part of it */
	bool allowed;	    /* Access-Control-Allow-Origin: CORS_ALLOWED */
} cors_case;

/* Why r is not the answer c must get; NULL when it is. */
static const char *
cors_mismatch(const cors_case *c, const http_resp *r)
{
	const char *acao = http_header_get(r, "Access-Control-Allow-Origin");
	const char *got;

	if (r->status != c->status)
		return tprintf("status %ld, expected %ld; body: %s", r->status,
			       c->status, visible(r->body, r->len, 300));
	if (c->status >= 400) {
		got = problem_mismatch(http_header_get(r, "Content-Type"),
				       r->body, r->len, c->status, c->detail);
		if (got != NULL)
			return got;
	}
	if (c->allowed &&
	    (acao == NULL || strcmp(acao, CORS_ALLOWED) != 0 ||
	     http_header_count(r, "Access-Control-Allow-Origin") != 1))
		return tprintf("Access-Control-Allow-Origin \"%s\"",
			       acao != NULL ? acao : "(none)");
	if (!c->allowed &&
	    (acao != NULL || http_header_get(r, "Access-Control-Allow-"
						"Methods") != NULL))
		return tprintf("Access-Control-Allow-Origin \"%s\" to a "
			       "refused request",
			       acao != NULL ? acao : "(none)");
	if (http_header_get(r, "Vary") == NULL)
		return "no Vary";
	return NULL;
}

Test(hostile, cors_origins_and_preflights)
{
	const char *big = tprintf("Origin: https://%s.example",
				  nested(6000, "a", "", NULL));
	const char *big_method = tprintf("Access-Control-Request-Method: %s",
					 nested(5000, "A", "", NULL));
	const char *many =
		tprintf("Access-Control-Request-Headers: %s",
			nested(300, "authorization,", "content-type", NULL));
	const char *o = "Origin: " CORS_ALLOWED;
	const char *get = "Access-Control-Request-Method: GET";
	const cors_case cases[] = {
		{"allowed origin", "GET", B01, .headers = {o}, .status = 200,
		 .allowed = true},
		{"allowed preflight", "OPTIONS", B01,
		 .headers = {o, "Access-Control-Request-Method: PATCH",
			     "Access-Control-Request-Headers: "
			     "if-match,content-type"},
		 .status = 204, .allowed = true},
		{"300 allowed names", "OPTIONS", B01, .headers = {o, get, many},
		 .status = 204, .allowed = true},
		{"a 6 KB origin", "GET", B01, .headers = {big}, .status = 200},
		{"a 6 KB origin's preflight", "OPTIONS", B01,
		 .headers = {big, get}, .status = 403,
		 .detail = "is not allowed"},
		{"origin null", "GET", "/books", .headers = {"Origin: null"},
		 .status = 200},
		{"origin null's preflight", "OPTIONS", "/books",
		 .headers = {"Origin: null", get}, .status = 403,
		 .detail = "origin null is not allowed"},
		{"an empty origin", "GET", "/books", .headers = {"Origin;"},
		 .status = 200},
		{"origin in upper case", "GET", "/books",
		 .headers = {"Origin: HTTPS://APP.EXAMPLE.COM"}, .status = 200},
		{"origin with a path", "GET", "/books",
		 .headers = {"Origin: " CORS_ALLOWED "/"}, .status = 200},
		{"origin as a suffix", "GET", "/books",
		 .headers = {"Origin: https://app.example.com.evil.example"},
		 .status = 200},
		{"origin sent twice", "GET", "/books", .headers = {o, o},
		 .status = 200},
		{"preflight with two origins", "OPTIONS", "/books",
		 .headers = {o, o, get}, .status = 403,
		 .detail = "2 Origin headers"},
		{"CRLF in the origin", "GET", "/books",
		 .headers = {"Origin: "
			     "https://"
			     "evil.example\r\nAccess-Control-Allow-Origin: "
			     "*"},
		 .status = 200},
		{"a method in lower case", "OPTIONS", B01,
		 .headers = {o, "Access-Control-Request-Method: patch"},
		 .status = 403, .detail = "method patch is not allowed"},
		{"a 5 KB method", "OPTIONS", B01, .headers = {o, big_method},
		 .status = 403,
		 .detail = "is not allowed in cross-origin requests"},
		{"a method the path lacks", "OPTIONS", "/books",
		 .headers = {o, "Access-Control-Request-Method: DELETE"},
		 .status = 403, .detail = "allowed: GET, HEAD, POST"},
		{"two methods asked", "OPTIONS", B01, .headers = {o, get, get},
		 .status = 403, .detail = "sent more than once"},
		{"junk header names", "OPTIONS", B01,
		 .headers = {o, get,
			     "Access-Control-Request-Headers: a b, \"c\", {d}"},
		 .status = 403, .detail = "is not a list of header names"},
		{"a header not allowed", "OPTIONS", B01,
		 .headers = {o, get, "Access-Control-Request-Headers: cookie"},
		 .status = 403, .detail = "header cookie is not allowed"},
		{"preflight of no route", "OPTIONS", "/nothing",
		 .headers = {o, get}, .status = 404,
		 .detail = "no route matches this path", .allowed = true},
	};
	size_t i, failed = 0;
	const char *bad;
	char *list;
	ma_buf why;

	_ma_buf_init(&why, 1024);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const cors_case *c = &cases[i];
		http_opts opts = {.timeout_ms = ANSWER_MS,
				  .headers = c->headers};
		http_resp *r = keep(
			http_try(c->method, c->target, NULL, NULL, 0, &opts),
			http_free_any);

		bad = r->status == 0 ? tprintf("no answer: %s", r->error)
				     : cors_mismatch(c, r);
		table_add("cors", c->what,
			  tprintf("%s %s +%s", c->method, c->target,
				  visible(c->headers[0], strlen(c->headers[0]),
					  60)),
			  r->status, answer_text(r));
		if (bad == NULL)
			continue;
		failed++;
		_ma_buf_printf(&why, "\n  %s: %s", c->what, bad);
	}
	/* Taken before the assertion, whose message is built only when it
	 * fails. */
	list = keep(_ma_buf_steal(&why, NULL), bson_free);
	cr_assert(failed == 0, "cors: %zu requests answered otherwise:%s",
		  failed, list);
	expect_unharmed();
}

Test(hostile, ids_of_the_wrong_shape_are_404)
{
	const row rows[] = {
		{"23 hex digits", "GET", "/books/5f000000000000000000b01",
		 .status = 404,
		 .detail = "no Book has the id '5f000000000000000000b01'"},
		{"25 hex digits", "GET", "/books/5f0000000000000000000b011",
		 .status = 404,
		 .detail = "no Book has the id '5f0000000000000000000b011'"},
		{"a g", "GET", "/books/5f000000000000000000000g", .status = 404,
		 .detail = "no Book has the id '5f000000000000000000000g'"},
		{"a Z", "GET", "/books/5f000000000000000000000Z", .status = 404,
		 .detail = "no Book has the id '5f000000000000000000000Z'"},
		{"a non-ASCII letter", "GET",
		 "/books/5f00000000000000000000%C3%A9", .status = 404,
		 .detail =
			 "no Book has the id '5f00000000000000000000\xc3\xa9'"},
		{"a space", "GET", "/books/5f00000000000000000%20b01",
		 .status = 404},
		{"an id of 7 KiB", "GET",
		 tprintf("/books/%s", nested(7 * 1024, "a", "", NULL)),
		 .status = 404, .detail = "no Book has the id 'aaaa"},
		{"upper-case hex: the same id", "GET",
		 "/books/5F0000000000000000000B01", .status = 200,
		 .exact = B01_JSON},
		{"valid and absent", "GET", "/books/" SEED_ID("b99"),
		 .status = 404,
		 .detail = "no Book has the id '" SEED_ID("b99") "'"},
		{"all zeros", "GET", "/books/000000000000000000000000",
		 .status = 404},
		{"an author's id under /books", "GET", "/books/" SEED_ID("a01"),
		 .status = 404},
		{"a book's id under /authors", "GET",
		 "/authors/" SEED_ID("b01"), .status = 404,
		 .detail = "no Author has the id '" SEED_ID("b01") "'"},
		{"PUT of 23 digits", "PUT", "/books/5f000000000000000000b01",
		 .type = JSON, .body = GOOD_BOOK, .status = 404},
		{"PUT of an absent id: never a create", "PUT",
		 "/books/" SEED_ID("b99"), .type = JSON, .body = GOOD_BOOK,
		 .status = 404, .detail = "no Book has the id"},
		{"PATCH of a g", "PATCH", "/books/5f000000000000000000000g",
		 .type = JSON, .body = "{\"year\":2000}", .status = 404},
		{"PATCH of an absent id", "PATCH", "/books/" SEED_ID("b99"),
		 .type = JSON, .body = "{\"title\":" TITLE "}", .status = 404},
		{"DELETE of 25 digits", "DELETE",
		 "/books/5f0000000000000000000b011", .status = 404},
		{"DELETE of an absent id", "DELETE", "/books/" SEED_ID("b99"),
		 .status = 404},
		{"DELETE of a non-ASCII id", "DELETE", "/authors/%C3%A9",
		 .status = 404},
		{"PUT with another id in the body", "PUT", B01, .type = JSON,
		 .body = "{\"_id\":\"5f0000000000000000000b02\","
			 "\"title\":" TITLE ",\"author\":{\"name\":" NAME
			 "},\"year\":2000}",
		 .status = 400,
		 .detail = "_id: does not match the id in the path"},
		{"POST of a stored id in upper case", "POST", "/books",
		 .type = JSON,
		 .body = "{\"_id\":\"5F0000000000000000000B01\","
			 "\"title\":" TITLE ",\"author\":{\"name\":" NAME
			 "},\"year\":2000}",
		 .status = 409,
		 .detail = "a stored document already has this id"},
		{"POST of an id of 23 digits", "POST", "/books", .type = JSON,
		 .body = "{\"_id\":\"5f000000000000000000b01\",\"title\":" TITLE
			 ",\"author\":{\"name\":" NAME "},\"year\":2000}",
		 .status = 400,
		 .detail = "_id: must be an ObjectId of 24 hexadecimal digits"},
	};

	run_rows("ids", rows, sizeof(rows) / sizeof(rows[0]));
	expect_unharmed();
}

Test(hostile, bodies_that_are_not_json_are_415)
{
	/* A book that breaks the type (an empty title): a 400 that names the
	 * title shows the body was taken as JSON, and nothing is stored
	 * whatever the answer. */
#define EMPTY_TITLE BOOK("\"\"", NAME, "2000")
#define TITLE_400 "title: must be a string of 1 to 500 characters"
	static const row rows[] = {
		{"no Content-Type", "POST", "/books", .body = GOOD_BOOK,
		 .status = 415,
		 .detail = "must be application/json (no Content-Type given)"},
		{"text/plain", "POST", "/books", .type = "text/plain",
		 .body = GOOD_BOOK, .status = 415,
		 .detail = "must be application/json, not text/plain"},
		{"a form", "POST", "/books",
		 .type = "application/x-www-form-urlencoded",
		 .body = "title=" MARK, .status = 415,
		 .detail = "not application/x-www-form-urlencoded"},
		{"multipart", "POST", "/books",
		 .type = "multipart/form-data; boundary=x", .body = GOOD_BOOK,
		 .status = 415, .detail = "not multipart/form-data"},
		{"text/json", "POST", "/books", .type = "text/json",
		 .body = GOOD_BOOK, .status = 415, .detail = "not text/json"},
		{"application/jsonx", "POST", "/books",
		 .type = "application/jsonx", .body = GOOD_BOOK, .status = 415,
		 .detail = "not application/jsonx"},
		{"application/+json", "POST", "/books",
		 .type = "application/+json", .body = GOOD_BOOK, .status = 415,
		 .detail = "not application/+json"},
		{"charset=latin1", "POST", "/books",
		 .type = "application/json; charset=latin1", .body = GOOD_BOOK,
		 .status = 415,
		 .detail = "not application/json; charset=latin1"},
		{"charset=utf-16", "POST", "/books",
		 .type = "application/json; charset=utf-16", .body = GOOD_BOOK,
		 .status = 415, .detail = "charset=utf-16"},
		{"charset=utf-8x", "POST", "/books",
		 .type = "application/json; charset=utf-8x", .body = GOOD_BOOK,
		 .status = 415, .detail = "charset=utf-8x"},
		{"text/plain to PUT", "PUT", B01, .type = "text/plain",
		 .body = GOOD_BOOK, .status = 415, .detail = "not text/plain"},
		{"text/plain to PATCH", "PATCH", B01, .type = "text/plain",
		 .body = "{\"title\":" TITLE "}", .status = 415,
		 .detail = "not text/plain"},
		{"no Content-Type to PATCH", "PATCH", B01,
		 .body = "{\"title\":" TITLE "}", .status = 415,
		 .detail = "no Content-Type given"},
		{"text/plain without a body", "POST", "/authors",
		 .type = "text/plain", .status = 415,
		 .detail = "not text/plain"},
		{"charset=utf-8", "POST", "/books",
		 .type = "application/json; charset=utf-8", .body = EMPTY_TITLE,
		 .status = 400, .detail = TITLE_400},
		{"charset=UTF-8, no space", "POST", "/books",
		 .type = "application/json;charset=UTF-8", .body = EMPTY_TITLE,
		 .status = 400, .detail = TITLE_400},
		{"charset=\"utf-8\"", "POST", "/books",
		 .type = "application/json; charset=\"utf-8\"",
		 .body = EMPTY_TITLE, .status = 400, .detail = TITLE_400},
		{"APPLICATION/JSON", "POST", "/books",
		 .type = "APPLICATION/JSON", .body = EMPTY_TITLE, .status = 400,
		 .detail = TITLE_400},
		{"merge-patch+json to PATCH: any +json", "PATCH", B01,
		 .type = "application/merge-patch+json",
		 .body = "{\"title\":\"\"}", .status = 400,
		 .detail = TITLE_400},
		{"merge-patch+json, an empty patch", "PATCH", B01,
		 .type = "application/merge-patch+json", .body = "{}",
		 .status = 200, .exact = B01_JSON},
		{"merge-patch+json: null is a value, not a removal", "PATCH",
		 B01, .type = "application/merge-patch+json",
		 .body = "{\"year\":null}", .status = 400,
		 .detail = "year: must not be null"},
	};
#undef EMPTY_TITLE
#undef TITLE_400

	run_rows("media types", rows, sizeof(rows) / sizeof(rows[0]));
	expect_unharmed();
}

/* --- sizes ---------------------------------------------------------------- */

/* A book whose title fills a body of exactly n bytes. */
static const char *
book_of_size(size_t n)
{
	static const char head[] = "{\"title\":\"" MARK " ";
	static const char tail[] =
		"\",\"author\":{\"name\":" NAME "},\"year\":2000}";
	size_t fill = n - (sizeof(head) - 1) - (sizeof(tail) - 1);
	char *b = bson_malloc(n + 1);

	memcpy(b, head, sizeof(head) - 1);
	memset(b + sizeof(head) - 1, 'x', fill);
	memcpy(b + n - (sizeof(tail) - 1), tail, sizeof(tail));
	return keep(b, bson_free);
}

Test(hostile, lines_headers_and_bodies_past_the_limits)
{
	const row rows[] = {
		{"a path of 64 KiB", "GET",
		 tprintf("/books/%s", nested(65536, "a", "", NULL)),
		 .status = 414,
		 .detail = "the request line is larger than the server takes"},
		{"a query string of 64 KiB", "GET",
		 tprintf("/books?title=%s", nested(65536, "a", "", NULL)),
		 .status = 414,
		 .detail = "the request line is larger than the server takes"},
		{"a header value of 8 KiB", "GET", B01,
		 .header = tprintf("X-Big: %s", nested(8192, "x", "", NULL)),
		 .status = 400,
		 .detail = "a request header line is larger than the server "
			   "takes"},
		{"a header value of 4 KiB", "GET", B01,
		 .header = tprintf("X-Big: %s", nested(4096, "x", "", NULL)),
		 .status = 200, .exact = B01_JSON},
		{"a body of exactly 1 MiB reaches the worker", "POST", "/books",
		 .type = JSON, .body = book_of_size(BODY_LIMIT), .status = 400,
		 .detail = "title: must be a string of 1 to 500 characters"},
		{"a body of 1 MiB and a byte", "POST", "/books", .type = JSON,
		 .body = book_of_size(BODY_LIMIT + 1), .status = 413,
		 .detail = "the request body is larger than 1048576 bytes"},
		{"a body of 1 MiB and a byte to PATCH", "PATCH", B01,
		 .type = JSON, .body = book_of_size(BODY_LIMIT + 1),
		 .status = 413,
		 .detail = "the request body is larger than 1048576 bytes"},
		{"a text/plain body of 1 MiB", "POST", "/books",
		 .type = "text/plain", .body = book_of_size(BODY_LIMIT),
		 .status = 415, .detail = "not text/plain"},
	};

	run_rows("sizes", rows, sizeof(rows) / sizeof(rows[0]));
	expect_unharmed();
}

/* A body made as curl asks for it: 'x's after a JSON start, so that it is
 * never held whole, by either side. */
typedef struct stream {
	curl_off_t left;
	curl_off_t sent;
} stream;

static size_t
stream_read(char *buf, size_t size, size_t n, void *ctx)
{
	static const char head[] = "{\"title\":\"" MARK " ";
	stream *s = ctx;
	size_t len = size * n;
	size_t i;

	if ((curl_off_t)len > s->left)
		len = (size_t)s->left;
	memset(buf, 'x', len);
	if (s->sent < (curl_off_t)sizeof(head) - 1) {
		i = sizeof(head) - 1 - (size_t)s->sent;
		memcpy(buf, head + s->sent, i < len ? i : len);
	}
	s->left -= (curl_off_t)len;
	s->sent += (curl_off_t)len;
	return len;
}

/*
 * POSTs a body of n bytes made on the fly: with its Content-Length (or
 * chunked when chunked), and with curl's "Expect: 100-continue" or
 * without it. The answer; *sent, the bytes curl sent.
 */
static http_resp *
post_stream(curl_off_t n, bool chunked, bool expect, curl_off_t *sent)
{
	struct curl_slist *hdrs = NULL;
	http_resp *r = keep(bson_malloc0(sizeof(*r)), http_free_any);
	stream s = {.left = n};
	char errbuf[CURL_ERROR_SIZE] = "";
	ma_buf out;
	CURLcode rc;
	CURL *curl;

	r->what = bson_strdup_printf("POST /books (%" CURL_FORMAT_CURL_OFF_T
				     " bytes%s%s)",
				     n, chunked ? ", chunked" : "",
				     expect ? ", Expect: 100-continue" : "");
	_ma_buf_init(&out, 1024);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	curl = curl_easy_init();
	curl_easy_setopt(curl, CURLOPT_URL,
			 tprintf("%s/books", stack_env("MA_STACK_URL")));
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 60000L);
	curl_easy_setopt(curl, CURLOPT_POST, 1L);
	curl_easy_setopt(curl, CURLOPT_READFUNCTION, stream_read);
	curl_easy_setopt(curl, CURLOPT_READDATA, &s);
	if (!chunked)
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, n);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, http_on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, http_on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, r);
	hdrs = curl_slist_append(hdrs, "Content-Type: " JSON);
	hdrs = curl_slist_append(hdrs,
				 expect ? "Expect: 100-continue" : "Expect:");
	if (chunked)
		hdrs = curl_slist_append(hdrs, "Transfer-Encoding: chunked");
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);

	rc = curl_easy_perform(curl);
	if (rc == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
	else
		r->error = bson_strdup_printf("%s: %s", curl_easy_strerror(rc),
					      errbuf);
	r->body = _ma_buf_steal(&out, &r->len);
	if (r->status != 0 &&
	    http_type_is_json(http_header_get(r, "Content-Type")))
		r->json = http_parse_json(r->body, r->len);
	*sent = s.sent;
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(curl);
	return r;
}

Test(hostile, a_body_of_100_mib_is_413_from_nginx)
{
	static const struct {
		bool chunked, expect;
	} ways[] = {{false, true}, {false, false}, {true, false}};
	curl_off_t n = (curl_off_t)100 * 1024 * 1024, sent;
	long long start, took;
	http_resp *r;
	size_t i;

	for (i = 0; i < sizeof(ways) / sizeof(ways[0]); i++) {
		start = now_ms();
		r = post_stream(n, ways[i].chunked, ways[i].expect, &sent);
		took = now_ms() - start;
		table_add("sizes", "a body of 100 MiB, streamed", r->what,
			  r->status, answer_text(r));
		cr_assert(r->status != 0, "%s: no answer: %s", r->what,
			  r->error);
		expect_problem(r, 413,
			       "the request body is larger than 1048576 bytes");
		cr_assert(took < 15000, "%s: answered after %lld ms", r->what,
			  took);
		fprintf(stderr,
			"# hostile: %s: 413 after %lld ms, "
			"%" CURL_FORMAT_CURL_OFF_T " bytes sent\n",
			r->what, took, sent);
	}
	expect_unharmed();
}

/* --- raw requests --------------------------------------------------------- */

static int
raw_connect(void)
{
	const char *url = stack_env("MA_STACK_URL"), *colon;
	struct sockaddr_in sa = {.sin_family = AF_INET};
	struct timeval tv = {.tv_sec = ANSWER_MS / 1000};
	int fd;

	colon = strrchr(url, ':');
	cr_assert(strncmp(url, "http://127.0.0.1:", 17) == 0 && colon != NULL,
		  "MA_STACK_URL \"%s\" is not http://127.0.0.1:PORT", url);
	sa.sin_port = htons((uint16_t)atoi(colon + 1));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert(fd >= 0, "socket: %s", strerror(errno));
	cr_assert(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0,
		  "connect to %s: %s", url, strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

static void
raw_send(int fd, const char *data, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = send(fd, data, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		cr_assert(n > 0, "send: %s", strerror(errno));
		data += n;
		len -= (size_t)n;
	}
}

/* One answer of a raw exchange. */
typedef struct raw_answer {
	long status;
	const char *content_type;
	const char *body;
	size_t len;
} raw_answer;

/*
 * The complete answers at the start of data (NUL-terminated), one after
 * the other, each framed by its Content-Length; an answer without one
 * ends where the connection closed, if it did. At most max, into out
 * unless it is NULL.
 */
static size_t
raw_answers(const char *data, size_t len, bool closed, raw_answer *out,
	    size_t max)
{
	const char *p = data, *end = data + len, *head_end, *h, *ct;
	size_t n = 0;
	long status, body;

	while (n < max && sscanf(p, "HTTP/1.%*d %ld", &status) == 1 &&
	       (head_end = strstr(p, "\r\n\r\n")) != NULL) {
		ct = NULL;
		body = -1;
		for (h = strstr(p, "\r\n"); h < head_end;
		     h = strstr(h + 2, "\r\n")) {
			if (strncasecmp(h + 2, "Content-Type:", 13) == 0)
				ct = h + 15 + strspn(h + 15, " ");
			else if (strncasecmp(h + 2, "Content-Length:", 15) == 0)
				body = atol(h + 17);
		}
		p = head_end + 4;
		if (body < 0 && closed)
			body = end - p;
		if (body < 0 || body > end - p)
			break;
		if (out != NULL) {
			out[n].status = status;
			out[n].content_type =
				ct != NULL ? tprintf("%.*s",
						     (int)strcspn(ct, "\r"), ct)
					   : NULL;
			out[n].body = tprintf("%.*s", (int)body, p);
			out[n].len = (size_t)body;
		}
		p += body;
		n++;
	}
	return n;
}

/*
 * What comes until want complete answers are in (0: any number), the
 * peer closes, or nothing more comes for quiet_ms; *closed says whether
 * the peer closed.
 */
static const char *
raw_read(int fd, size_t want, long quiet_ms, size_t *len, bool *closed)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char chunk[16384];
	ssize_t n;
	ma_buf b;

	_ma_buf_init(&b, 4096);
	*closed = false;
	for (;;) {
		n = poll(&p, 1, (int)quiet_ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		n = recv(fd, chunk, sizeof(chunk), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*closed = true;
			break;
		}
		_ma_buf_append(&b, chunk, (size_t)n);
		b.data[b.len] = '\0';
		if (want > 0 &&
		    raw_answers(b.data, b.len, false, NULL, want) == want)
			break;
	}
	return keep(_ma_buf_steal(&b, len), bson_free);
}

/* Why a raw answer is not a problem of status naming detail; NULL. */
static const char *
raw_mismatch(const raw_answer *a, long status, const char *detail)
{
	if (a->status != status)
		return tprintf("status %ld, expected %ld: %s", a->status,
			       status, visible(a->body, a->len, 300));
	if (status < 400)
		return NULL;
	return problem_mismatch(a->content_type, a->body, a->len, status,
				detail);
}

/* The detail of a raw answer, for the table. */
static const char *
raw_detail(const raw_answer *a)
{
	json_object *p = http_parse_json(a->body, a->len);
	const char *d = jstr(p, "detail");
	const char *shown = d != NULL ? visible(d, strlen(d), 160)
				      : visible(a->body, a->len, 80);

	json_object_put(p);
	return shown;
}

typedef struct raw_case {
	const char *what;
	const char *request;
	long status;
	const char *detail;
	size_t len; /* of request; 0: strlen(request) */
} raw_case;

#define RAW_POST(extra, body)                                                  \
	"POST /books HTTP/1.1\r\nHost: x\r\nContent-Type: "                    \
	"application/json\r\n"                                                 \
	"Connection: close\r\n" extra "\r\n" body
#define NUL_HEADER                                                             \
	"GET " B01 " HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\nConnection: "         \
	"close\r\n\r\n"

Test(hostile, framing_and_headers_nginx_refuses)
{
	static const raw_case cases[] = {
		{"Content-Length and Transfer-Encoding together",
		 RAW_POST("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
			  "0\r\n\r\n"),
		 .status = 400, .detail = NGINX_400},
		{"two Content-Lengths",
		 RAW_POST("Content-Length: 2\r\nContent-Length: 3\r\n", "{}x"),
		 .status = 400, .detail = NGINX_400},
		{"a negative Content-Length",
		 RAW_POST("Content-Length: -1\r\n", "{}"), .status = 400,
		 .detail = NGINX_400},
		{"Content-Length +2", RAW_POST("Content-Length: +2\r\n", "{}"),
		 .status = 400, .detail = NGINX_400},
		{"Content-Length 1e3",
		 RAW_POST("Content-Length: 1e3\r\n", "{}"), .status = 400,
		 .detail = NGINX_400},
		{"an empty Content-Length",
		 RAW_POST("Content-Length: \r\n", "{}"), .status = 400,
		 .detail = NGINX_400},
		{"Content-Length 2^63",
		 RAW_POST("Content-Length: 9223372036854775808\r\n", "{}"),
		 .status = 400, .detail = NGINX_400},
		{"Content-Length 2^63-1",
		 RAW_POST("Content-Length: 9223372036854775807\r\n", "{}"),
		 .status = 413,
		 .detail = "the request body is larger than 1048576 bytes"},
		{"a chunk size that is not hexadecimal",
		 RAW_POST("Transfer-Encoding: chunked\r\n",
			  "zz\r\n{}\r\n0\r\n\r\n"),
		 .status = 400, .detail = NGINX_400},
		{"a chunk size beyond 64 bits",
		 RAW_POST("Transfer-Encoding: chunked\r\n",
			  "ffffffffffffffffff\r\n{}\r\n0\r\n\r\n"),
		 .status = 400, .detail = NGINX_400},
		{"Transfer-Encoding: gzip, chunked",
		 RAW_POST("Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n"),
		 .status = 501,
		 .detail = "does not implement this method (TRACE, CONNECT) or "
			   "transfer coding"},
		{"a header folded over two lines",
		 RAW_POST("X-A: a\r\n b\r\nContent-Length: 2\r\n", "{}"),
		 .status = 400, .detail = NGINX_400},
		{"a NUL in a header value", NUL_HEADER, .status = 400,
		 .detail = NGINX_400, .len = sizeof(NUL_HEADER) - 1},
		{"a control byte in a header value",
		 "GET " B01 " HTTP/1.1\r\nHost: x\r\nX-A: a\x01"
		 "b\r\nConnection: close\r\n\r\n",
		 .status = 200, .detail = NULL},
		{"a space before a header's colon",
		 "GET " B01 " HTTP/1.1\r\nHost: x\r\nX-A : 1\r\n"
		 "Connection: close\r\n\r\n",
		 .status = 400, .detail = NGINX_400},
		{"HTTP/1.1 without Host",
		 "GET " B01 " HTTP/1.1\r\nConnection: close\r\n\r\n",
		 .status = 400, .detail = NGINX_400},
		{"the HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
		 .status = 400, .detail = NGINX_400},
		{"HTTP/2.0 in a request line",
		 "GET " B01 " HTTP/2.0\r\nHost: x\r\nConnection: close\r\n\r\n",
		 .status = 505,
		 .detail = "the server speaks HTTP/1.0 and HTTP/1.1"},
		{"a control byte in the path",
		 "GET /books/\x01 HTTP/1.1\r\nHost: x\r\nConnection: "
		 "close\r\n\r\n",
		 .status = 400, .detail = NGINX_400},
		{"a raw byte FF in the path",
		 "GET /books/\xff HTTP/1.1\r\nHost: x\r\nConnection: "
		 "close\r\n\r\n",
		 .status = 400, .detail = "id: not valid UTF-8 once decoded"},
		{"CONNECT to a host",
		 "CONNECT example.com:443 HTTP/1.1\r\nHost: "
		 "example.com:443\r\n\r\n",
		 .status = 400, .detail = NGINX_400},
		{"an absolute URI naming another host",
		 "GET http://elsewhere.example" B01 " HTTP/1.1\r\nHost: x\r\n"
		 "Connection: close\r\n\r\n",
		 .status = 200, .detail = NULL},
	};
	raw_answer a[1];
	const char *data, *list;
	size_t i, len, n, failed = 0;
	bool closed;
	ma_buf why;
	int fd;

	_ma_buf_init(&why, 512);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t rlen = cases[i].len > 0 ? cases[i].len
					       : strlen(cases[i].request);
		const char *bad;

		fd = raw_connect();
		raw_send(fd, cases[i].request, rlen);
		data = raw_read(fd, 1, ANSWER_MS, &len, &closed);
		close(fd);
		n = raw_answers(data, len, closed, a, 1);
		bad = n == 0 ? tprintf("no answer: %s", visible(data, len, 200))
			     : raw_mismatch(&a[0], cases[i].status,
					    cases[i].detail);
		table_add("framing", cases[i].what,
			  visible(cases[i].request, rlen, 100),
			  n > 0 ? a[0].status : 0,
			  n > 0 ? raw_detail(&a[0]) : "(no answer)");
		if (bad == NULL && cases[i].status == 200 &&
		    (a[0].len != strlen(B01_JSON) ||
		     memcmp(a[0].body, B01_JSON, a[0].len) != 0))
			bad = tprintf("body %s",
				      visible(a[0].body, a[0].len, 200));
		if (bad != NULL) {
			failed++;
			_ma_buf_printf(&why, "\n  %s: %s", cases[i].what, bad);
		}
	}
	list = keep(_ma_buf_steal(&why, NULL), bson_free);
	cr_assert(failed == 0, "%zu raw requests answered otherwise:%s", failed,
		  list);
	expect_unharmed();
}

/*
 * curl stops sending a body once the answer has come (it came at once:
 * nginx checks the Content-Length first). A client that sends all
 * 100 MiB anyway gets the same 413, and nginx reads the rest and drops
 * it, 64 KiB at a time, as the client sends it.
 */
Test(hostile, a_body_of_100_mib_sent_whole_is_413_from_nginx)
{
	static const char head[] = "POST /books HTTP/1.1\r\nHost: x\r\n"
				   "Content-Type: application/json\r\n"
				   "Content-Length: 104857600\r\n\r\n";
	static char chunk[65536];
	size_t total = (size_t)100 * 1024 * 1024, sent = 0, len, n;
	long long start = now_ms(), took;
	const char *data, *bad;
	raw_answer a[1];
	bool closed;
	ssize_t k;
	int fd;

	memset(chunk, 'x', sizeof(chunk));
	fd = raw_connect();
	raw_send(fd, head, strlen(head));
	while (sent < total) {
		k = send(fd, chunk,
			 total - sent < sizeof(chunk) ? total - sent
						      : sizeof(chunk),
			 MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		sent += (size_t)k;
	}
	data = raw_read(fd, 1, ANSWER_MS, &len, &closed);
	close(fd);
	took = now_ms() - start;
	n = raw_answers(data, len, closed, a, 1);
	table_add(
		"sizes", "a body of 100 MiB, sent whole",
		"POST /books, Content-Length: 104857600, no Expect",
		n > 0 ? a[0].status : 0,
		n > 0 ? tprintf("%s (%zu bytes sent)", raw_detail(&a[0]), sent)
		      : "(no answer)");
	cr_assert_eq(n, 1, "no answer after %zu bytes: %s", sent,
		     visible(data, len, 300));
	bad = raw_mismatch(&a[0], 413,
			   "the request body is larger than 1048576 bytes");
	cr_assert_null(bad, "%s", bad);
	cr_assert(took < 15000, "answered after %lld ms", took);
	fprintf(stderr, "# hostile: 100 MiB sent whole: %zu bytes in %lld ms\n",
		sent, took);
	expect_unharmed();
}

/*
 * A body longer than its Content-Length: the bytes past it are the next
 * request on the connection, as HTTP frames it. Garbage there is nginx's
 * own 400 (and the connection closes); it never reaches a worker. A real
 * request there is answered as the second of a pipeline.
 */
Test(hostile, bytes_past_the_content_length_are_the_next_request)
{
	/* 10 bytes of body, then 90 of garbage. */
	static const char garbage[] =
		"POST /books HTTP/1.1\r\nHost: x\r\nContent-Type: "
		"application/json\r\nContent-Length: 10\r\n\r\n"
		"{\"title\":\"" MARK " past the Content-Length\",\"author\":"
		"{\"name\":\"" MARK "\"},\"year\":2000}xxxxxxxxxxxxxxxxx";
	/* 10 bytes of body, then a request of its own. */
	static const char pipelined[] =
		"POST /books HTTP/1.1\r\nHost: x\r\nContent-Type: "
		"application/json\r\nContent-Length: 10\r\n\r\n"
		"{\"title\":\"GET " B01 " HTTP/1.1\r\nHost: x\r\n"
		"Connection: close\r\n\r\n";
	const char *body_start = strstr(garbage, "\r\n\r\n") + 4;
	raw_answer a[3];
	const char *data;
	size_t len, n;
	bool closed;
	int fd;

	cr_assert_eq(strlen(body_start), 100, "the body is %zu bytes",
		     strlen(body_start));

	fd = raw_connect();
	raw_send(fd, garbage, strlen(garbage));
	data = raw_read(fd, 0, ANSWER_MS, &len, &closed);
	close(fd);
	n = raw_answers(data, len, closed, a, 3);
	table_add("framing", "Content-Length 10, then 100 bytes",
		  visible(garbage, strlen(garbage), 100),
		  n > 0 ? a[0].status : 0,
		  n > 1 ? tprintf("%s; then %ld: %s", raw_detail(&a[0]),
				  a[1].status, raw_detail(&a[1]))
			: "(fewer than two answers)");
	cr_assert_eq(n, 2,
		     "%zu answers, expected the worker's 400 and "
		     "nginx's: %s",
		     n, visible(data, len, 600));
	cr_assert_null(raw_mismatch(&a[0], 400,
				    "malformed JSON at byte 10: unexpected end "
				    "of data"),
		       "the first answer: %s",
		       raw_mismatch(&a[0], 400, "malformed JSON at byte 10"));
	cr_assert_null(raw_mismatch(&a[1], 400, NGINX_400),
		       "the second answer: %s",
		       raw_mismatch(&a[1], 400, NGINX_400));
	cr_assert(closed, "nginx kept the connection open after its 400");

	fd = raw_connect();
	raw_send(fd, pipelined, strlen(pipelined));
	data = raw_read(fd, 0, ANSWER_MS, &len, &closed);
	close(fd);
	n = raw_answers(data, len, closed, a, 3);
	table_add(
		"framing", "Content-Length 10, then a request",
		visible(pipelined, strlen(pipelined), 100),
		n > 0 ? a[0].status : 0,
		n > 1 ? tprintf("%s; then %ld", raw_detail(&a[0]), a[1].status)
		      : "(fewer than two answers)");
	cr_assert_eq(n, 2, "%zu answers, expected two: %s", n,
		     visible(data, len, 600));
	cr_assert_null(raw_mismatch(&a[0], 400, "malformed JSON at byte 10"),
		       "the first answer: %s",
		       raw_mismatch(&a[0], 400, "malformed JSON at byte 10"));
	cr_assert_eq(a[1].status, 200, "the pipelined GET: %ld", a[1].status);
	cr_assert(a[1].len == strlen(B01_JSON) &&
			  memcmp(a[1].body, B01_JSON, a[1].len) == 0,
		  "the pipelined GET: %s", visible(a[1].body, a[1].len, 300));
	expect_unharmed();
}

/*
 * A body shorter than its Content-Length: nginx waits for the rest (its
 * client_body_timeout, 60 s by default) and reads the body whole before
 * it asks a worker (fastcgi_request_buffering), so however many such
 * clients wait, the workers go on answering everyone else at once.
 */
Test(hostile, a_body_shorter_than_its_content_length_holds_no_worker)
{
	static const char request[] =
		"POST /books HTTP/1.1\r\nHost: x\r\nContent-Type: "
		"application/json\r\nContent-Length: 100\r\n\r\n"
		"{\"title\":\"";
	/* Twice as many as the workers, and more. */
	int fds[8];
	size_t nfds = (size_t)stack_workers() * 2 + 1, i;
	const char *data;
	long long start, took;
	http_opts opts = {.timeout_ms = 5000};
	http_resp *r;
	size_t len;
	bool closed;

	if (nfds > sizeof(fds) / sizeof(fds[0]))
		nfds = sizeof(fds) / sizeof(fds[0]);
	for (i = 0; i < nfds; i++) {
		fds[i] = raw_connect();
		raw_send(fds[i], request, strlen(request));
	}
	start = now_ms();
	for (i = 0; i < 2 * nfds; i++) {
		r = keep(http_try("GET", B01, NULL, NULL, 0, &opts),
			 http_free_any);
		cr_assert_eq(r->status, 200,
			     "GET %s while %zu bodies wait: %ld (%s)", B01,
			     nfds, r->status,
			     r->error != NULL ? r->error : r->body);
		cr_assert_str_eq(r->body, B01_JSON);
	}
	took = now_ms() - start;
	cr_assert(took < 5000, "%zu GETs took %lld ms while bodies waited",
		  2 * nfds, took);
	/* Still waiting for the rest of their bodies: no answer yet. */
	for (i = 0; i < nfds; i++) {
		data = raw_read(fds[i], 0, i == 0 ? 1000 : 50, &len, &closed);
		cr_assert(len == 0 && !closed,
			  "a body still coming was answered: %s",
			  closed ? "(connection closed)"
				 : visible(data, len, 300));
		close(fds[i]);
	}
	table_add(
		"framing",
		"Content-Length 100, then 10 bytes, the client waits",
		visible(request, strlen(request), 100), 0,
		tprintf("no answer while the body is due; %zu GETs meanwhile: "
			"200 in %lld ms",
			2 * nfds, took));
	expect_unharmed();
}

/* embed= (docs/http-api.md, embedding references): every name a client
 * may send is checked before anything is read; a long list stops at its
 * first bad item. */
Test(hostile, embed_junk_is_400_and_names_it)
{
	const char *many_books = "book", *long_name = "x";
	int i;

	for (i = 0; i < 1500; i++)
		many_books = tprintf("%s,book", many_books);
	for (i = 0; i < 12; i++)
		long_name = tprintf("%s%s", long_name, long_name);
	{
		const row rows[] = {
			{"embed=$where", "GET", "/reviews?embed=$where",
			 .status = 400,
			 .detail = "embed: \"$where\" must be a top-level "
				   "field name"},
			{"embed=%24where on one review", "GET",
			 "/reviews/" SEED_ID("c01") "?embed=%24where",
			 .status = 400,
			 .detail = "embed: \"$where\" must be a top-level"},
			{"embed of an operator document", "GET",
			 "/reviews?embed=%7B%22%24ne%22%3A1%7D", .status = 400,
			 .detail = "must be a top-level field name"},
			{"embed of a path", "GET", "/reviews?embed=book._id",
			 .status = 400,
			 .detail = "embed: \"book._id\" must be a top-level"},
			{"embed[$ne]=book", "GET", "/reviews?embed[$ne]=book",
			 .status = 400,
			 .detail = "embed[$ne]: a name cannot hold '$'"},
			{"embed of the id", "GET", "/reviews?embed=_id",
			 .status = 400,
			 .detail = "embed: no such field \"_id\" in Review"},
			{"embed of a string field", "GET",
			 "/reviews?embed=text", .status = 400,
			 .detail = "embed: \"text\" is not a reference field"},
			{"embed on a resource without references", "GET",
			 "/books?embed=author", .status = 400,
			 .detail = "embed: \"author\" is not a reference"},
			{"embed twice", "GET", "/reviews?embed=book&embed=book",
			 .status = 400,
			 .detail = "embed: given more than once"},
			{"a name twice", "GET", "/reviews?embed=book,book",
			 .status = 400,
			 .detail = "embed: \"book\" is given twice"},
			{"1501 names", "GET",
			 tprintf("/reviews?embed=%s", many_books),
			 .status = 400,
			 .detail = "embed: \"book\" is given twice"},
			{"a name of 4096 bytes", "GET",
			 tprintf("/reviews?embed=%s", long_name), .status = 400,
			 .detail = "embed: no such field \"xxxxxxxx"},
			{"an empty embed", "GET", "/reviews?embed=",
			 .status = 400, .detail = "embed: an item is empty"},
			{"a comma alone", "GET", "/reviews?embed=,",
			 .status = 400, .detail = "embed: an item is empty"},
			{"%00 in embed", "GET", "/reviews?embed=bo%00ok",
			 .status = 400, .detail = "escape \"%00\" (NUL)"},
			{"embed with a filter", "GET",
			 "/reviews?embed=book&book=" SEED_ID("b03"),
			 .status = 200, .total = "2"},
			{"embed of a dangling filter value", "GET",
			 "/reviews?embed=book&book=5f0000000000000000000bff",
			 .status = 200, .total = "0"},
		};

		run_rows("embed", rows, sizeof(rows) / sizeof(rows[0]));
	}
	expect_unharmed();
}
