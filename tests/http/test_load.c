/*
 * The HTTP contract under load and under faults: many clients at once,
 * through nginx, to the example application's workers and FerretDB, all
 * started by scripts/http-stack (tests/http/test_load_nginx.sh runs this
 * program through tests/http/with-stack.sh). While the clients run, a
 * worker is killed, the database goes away and comes back, or the master
 * is told to stop.
 *
 * The tests run serially (the stack is shared) and each makes its own
 * books (or authors) under a title (or name) prefix of its own,
 * "load-<pid>-<test>-", counted through a __startswith filter. A test that
 * disrupts the stack puts it back in its .fini, which runs even when the test
 * fails.
 *
 * Client threads never assert (only the main thread may): they record
 * every answer (when it was sent, when it came, its status, whether it is
 * the answer the contract gives for that status), and the main thread
 * checks the records once the threads are joined. Every test reports its
 * figures (requests, statuses, timings, books stored), one line each
 * (report()).
 */
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>

#include "httplib.h"

/* How much worse than nominal the timings may be: the machine running
 * the suite may be loaded by other suites (make -j check). */
#define MARGIN_MS 3000
/* docs/configuration.md: a request to a stopped server fails within the
 * server selection timeout; a client tries a server it could not reach
 * again after libmongoc's 5-second cooldown. */
#define SELECTION_TIMEOUT_MS 2000
#define COOLDOWN_MS 5000
/* The list endpoint's largest page (docs/http-api.md). */
#define PER_PAGE 100

#define WHY_MAX 512

static void report(const char *fmt, ...) MA_PRINTF(1, 2);

/*
 * One line of figures, named after the test. Criterion sends a test's
 * stdout and stderr to /dev/null when its TAP report goes to stdout (as in
 * make check), so the line goes to the file that MA_LOAD_FIGURES names
 * when it is set (tests/http/test_load_nginx.sh prints that file as TAP
 * comments), and to stderr otherwise.
 */
static void
report(const char *fmt, ...)
{
	const char *file = getenv("MA_LOAD_FIGURES");
	char line[1024];
	ssize_t written;
	size_t len;
	va_list ap;
	int n, fd;

	n = snprintf(line, sizeof(line),
		     "%s::%s: ", criterion_current_test->category,
		     criterion_current_test->name);
	len = n > 0 ? (size_t)n : 0;
	va_start(ap, fmt);
	n = vsnprintf(line + len, sizeof(line) - len, fmt, ap);
	va_end(ap);
	len += n > 0 ? (size_t)n : 0;
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	line[len++] = '\n';
	fd = file != NULL && file[0] != '\0'
		     ? open(file, O_WRONLY | O_APPEND | O_CREAT, 0644)
		     : STDERR_FILENO;
	if (fd < 0)
		return;
	/* One write() a line: O_APPEND keeps lines whole. Figures are for
	 * reading: a line that cannot be written fails nothing. */
	written = write(fd, line, len);
	(void)written;
	if (fd != STDERR_FILENO)
		close(fd);
}

/* "at N ms" from t0 to t; "never" when t is 0 (it did not happen). */
static const char *
ms_after(long long t, long long t0)
{
	return t != 0 ? tprintf("at %lld ms", t - t0) : "never";
}

/* --- the documents the clients write -------------------------------------- */

/* A resource of the example application: where it is mounted, and the
 * text field its test documents are told apart by. */
typedef struct resource {
	const char *path;
	const char *key;
} resource;

static const resource books = {"/books", "title"};
static const resource authors = {"/authors", "name"};

/*
 * What client thread t posts as its n-th document of a resource: a text
 * (title, name) unique in the run; a book also gets an author and a year
 * that differ between books, so that a stored book that is not the one
 * posted shows.
 */
typedef struct doc {
	const resource *res;
	char text[96];
	char author[32];
	int year;
} doc;

static void
doc_of(doc *d, const resource *res, const char *prefix, int t, int n)
{
	d->res = res;
	snprintf(d->text, sizeof(d->text), "%s%d-%d", prefix, t, n);
	snprintf(d->author, sizeof(d->author), "Writer %d", t);
	d->year = 1000 + n % 9000;
}

static size_t
doc_json(const doc *d, char *out, size_t size)
{
	int n;

	if (d->res == &books)
		n = snprintf(out, size,
			     "{\"title\": \"%s\", \"author\": {\"name\": "
			     "\"%s\"}, \"year\": %d}",
			     d->text, d->author, d->year);
	else
		n = snprintf(out, size, "{\"name\": \"%s\"}", d->text);
	return n > 0 ? (size_t)n : 0;
}

/* A run-unique text prefix for one test. */
static const char *
test_prefix(const char *test)
{
	return tprintf("load-%ld-%s-", (long)getpid(), test);
}

/* --- answers, checked without asserting (threads call these) -------------- */

static bool failed_because(char *why, const http_resp *r, const char *fmt, ...)
	MA_PRINTF(3, 4);

/* Writes why r breaks the contract into why (WHY_MAX bytes); false. */
static bool
failed_because(char *why, const http_resp *r, const char *fmt, ...)
{
	char reason[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	snprintf(why, WHY_MAX, "%s: %ld: %s; %s%.200s", r->what, r->status,
		 reason, r->error != NULL ? r->error : "body: ", r->body);
	return false;
}

static bool
jstr_is(json_object *obj, const char *key, const char *want)
{
	json_object *v;

	return json_object_object_get_ex(obj, key, &v) &&
	       json_object_is_type(v, json_type_string) &&
	       strcmp(json_object_get_string(v), want) == 0;
}

static bool
jint_is(json_object *obj, const char *key, int64_t want)
{
	json_object *v;

	return json_object_object_get_ex(obj, key, &v) &&
	       json_object_is_type(v, json_type_int) &&
	       json_object_get_int64(v) == want;
}

/* A string member; NULL when absent or not a string. */
static const char *
jstr(json_object *obj, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* The stored document as the API shows it, equal to d: exactly _id,
 * title, author (exactly name) and year for a book, exactly _id and name
 * for an author; id NULL: any 24-hex id. */
static bool
doc_is(json_object *obj, const doc *d, const char *id)
{
	json_object *author;

	if (!json_object_is_type(obj, json_type_object) ||
	    !is_oid_hex(jstr(obj, "_id")) ||
	    (id != NULL && strcmp(jstr(obj, "_id"), id) != 0) ||
	    !jstr_is(obj, d->res->key, d->text))
		return false;
	if (d->res != &books)
		return json_object_object_length(obj) == 2;
	return json_object_object_length(obj) == 4 &&
	       json_object_object_get_ex(obj, "author", &author) &&
	       json_object_is_type(author, json_type_object) &&
	       json_object_object_length(author) == 1 &&
	       jstr_is(author, "name", d->author) &&
	       jint_is(obj, "year", d->year);
}

/* nginx's own errors: the problem bodies of nginx/mongoalchemy.conf. */
static const char *
gateway_title(long status)
{
	return status == 502 ? "Bad Gateway" : "Gateway Timeout";
}

/* An RFC 9457 problem of this status with a non-empty detail. */
static bool
problem_is(const http_resp *r, long status, const char *title, char *why)
{
	const char *detail;

	if (!http_media_type_is(http_header_get(r, "Content-Type"),
				"application/problem+json"))
		return failed_because(why, r, "not application/problem+json");
	if (r->json == NULL || !json_object_is_type(r->json, json_type_object))
		return failed_because(why, r, "problem is not a JSON object");
	detail = jstr(r->json, "detail");
	if (!jstr_is(r->json, "type", "about:blank") ||
	    !jstr_is(r->json, "title", title) ||
	    !jint_is(r->json, "status", status) || detail == NULL ||
	    detail[0] == '\0')
		return failed_because(why, r,
				      "not the problem {about:blank, %s, %ld, "
				      "a detail}",
				      title, status);
	return true;
}

/*
 * Whether r is what the contract answers with its status, for the
 * document d (id: its id; NULL before it is known): 200 the document, 201
 * the document and its Location, 503 the problem with Retry-After, 502 and 504
 * nginx's problems. Says why not into why (WHY_MAX bytes).
 */
static bool
answer_is_sound(const http_resp *r, const doc *d, const char *id, char *why)
{
	const char *location = http_header_get(r, "Location");
	const char *retry = http_header_get(r, "Retry-After");
	char want[64];

	switch (r->status) {
	case 0:
		return failed_because(why, r, "no answer");
	case 200:
	case 201:
		if (!http_media_type_is(http_header_get(r, "Content-Type"),
					"application/json"))
			return failed_because(why, r, "not application/json");
		if (!doc_is(r->json, d, id))
			return failed_because(why, r, "not the document \"%s\"",
					      d->text);
		if (r->status == 200)
			return true;
		snprintf(want, sizeof(want), "%s/%s", d->res->path,
			 jstr(r->json, "_id"));
		if (http_header_count(r, "Location") != 1 ||
		    strcmp(location, want) != 0)
			return failed_because(
				why, r, "Location %s, expected one %s",
				location != NULL ? location : "absent", want);
		return true;
	case 503:
		if (http_header_count(r, "Retry-After") != 1 ||
		    strcmp(retry, "5") != 0)
			return failed_because(why, r,
					      "Retry-After %s, expected one 5",
					      retry != NULL ? retry : "absent");
		return problem_is(r, 503, http_reason(503), why);
	case 502:
	case 504:
		return problem_is(r, r->status, gateway_title(r->status), why);
	default:
		return failed_because(why, r, "not a status for this request");
	}
}

/* --- the stack's processes ------------------------------------------------ */

/* The master's workers now, exactly MA_STACK_WORKERS of them. */
static size_t
workers_now(pid_t master, pid_t *out)
{
	size_t n = proc_children(master, out, 64);

	cr_assert_eq(n, (size_t)stack_workers(),
		     "master %ld has %zu workers, expected %d", (long)master, n,
		     stack_workers());
	return n;
}

/* kill(): 0 when the signal was sent, else its errno. */
static int
send_signal(pid_t pid, int sig)
{
	return kill(pid, sig) == 0 ? 0 : errno;
}

/* The same pids, in any order. */
static bool
same_pids(const pid_t *a, size_t na, const pid_t *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++) {
		if (!pid_in(a[i], b, nb))
			return false;
	}
	return true;
}

/*
 * Waits until victim's replacement runs: MA_STACK_WORKERS workers, victim
 * not among them, every other worker of old still there. The workers
 * into now; false at the deadline.
 */
static bool
wait_replaced(pid_t master, pid_t victim, const pid_t *old, size_t nold,
	      long ms, pid_t *now, size_t *nnow)
{
	long long deadline = now_ms() + ms;
	size_t i;
	bool done;

	for (;;) {
		*nnow = proc_children(master, now, 64);
		done = *nnow == (size_t)stack_workers() &&
		       !pid_in(victim, now, *nnow);
		for (i = 0; done && i < nold; i++)
			done = old[i] == victim || pid_in(old[i], now, *nnow);
		if (done)
			return true;
		if (now_ms() >= deadline)
			return false;
		sleep_ms(5);
	}
}

/* What a test disrupted, for its .fini to put back. */
static bool mongo_stopped, mongo_paused;
static pid_t terminated_master;

/* The stack as the next test expects it: database up, a master running,
 * every worker serving. */
static void
restore_stack(void)
{
	if (mongo_paused)
		cr_assert_eq(stack_cmd("mongo-resume"), 0,
			     "http-stack mongo-resume failed");
	mongo_paused = false;
	if (mongo_stopped)
		cr_assert_eq(stack_cmd("mongo-start"), 0,
			     "http-stack mongo-start failed: the tests after "
			     "this one have no database");
	mongo_stopped = false;
	/* A master told to stop may still drain (with the database back):
	 * its workers have up to its grace period (30 s) before it kills
	 * them. */
	if (terminated_master > 0)
		cr_assert(wait_gone(terminated_master, 45000),
			  "the master %ld still runs 45 s after SIGTERM",
			  (long)terminated_master);
	terminated_master = 0;
	if (!proc_alive(stack_master_pid()))
		cr_assert_eq(stack_cmd("workers-start"), 0,
			     "http-stack workers-start failed: the tests after "
			     "this one have no workers");
	cr_assert(wait_serving(30000), "the stack does not serve again");
}

/* --- many writers: no acknowledged write is lost ------------------------- */

#define WRITERS 8
#define WRITES_EACH 500
#define WRITES (WRITERS * WRITES_EACH)

/* One client thread posting WRITES_EACH documents, one after the other. */
typedef struct writer {
	const resource *res;
	const char *prefix;
	int thread;
	atomic_int *answered; /* every writer's POSTs answered so far */
	/* POST n's id when it got a sound 201, else "". */
	char ids[WRITES_EACH][25];
	int acked;
	/* Failures: 502, 504 (nginx's), no answer at all. */
	int failed_502, failed_504, failed_none;
	int wrong; /* answers the contract does not allow */
	char why[WHY_MAX];
	pthread_t th;
} writer;

static void *
write_docs(void *arg)
{
	writer *w = arg;
	char json[256], why[WHY_MAX];
	http_opts o = {.timeout_ms = 30000};
	http_resp *r;
	bool sound;
	size_t len;
	doc d;
	int n;

	for (n = 0; n < WRITES_EACH; n++) {
		doc_of(&d, w->res, w->prefix, w->thread, n);
		len = doc_json(&d, json, sizeof(json));
		r = http_try("POST", w->res->path, "application/json", json,
			     len, &o);
		sound = answer_is_sound(r, &d, NULL, why);
		if (sound && r->status == 201) {
			memcpy(w->ids[n], jstr(r->json, "_id"), 25);
			w->acked++;
		} else if (sound && r->status == 502) {
			w->failed_502++;
		} else if (sound && r->status == 504) {
			w->failed_504++;
		} else if (r->status == 0) {
			w->failed_none++;
		} else if (w->wrong++ == 0) {
			/* A 200 or a 503 is sound, but not for this POST. */
			if (sound)
				failed_because(why, r, "expected 201");
			memcpy(w->why, why, sizeof(w->why));
		}
		http_free(r);
		atomic_fetch_add(w->answered, 1);
	}
	return NULL;
}

/* The writers' results, summed. */
typedef struct writes {
	int acked, failed_502, failed_504, failed_none, wrong;
	const char *why; /* the first wrong answer */
	long long ms;
} writes;

static writer *
writers_start(const resource *res, const char *prefix, atomic_int *answered)
{
	writer *w = keep(bson_malloc0(WRITERS * sizeof(*w)), bson_free);
	int i;

	atomic_init(answered, 0);
	for (i = 0; i < WRITERS; i++) {
		w[i].res = res;
		w[i].prefix = prefix;
		w[i].thread = i;
		w[i].answered = answered;
		cr_assert_eq(pthread_create(&w[i].th, NULL, write_docs, &w[i]),
			     0);
	}
	return w;
}

static void
writers_join(writer *w, long long started, writes *sum)
{
	int i;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < WRITERS; i++) {
		pthread_join(w[i].th, NULL);
		sum->acked += w[i].acked;
		sum->failed_502 += w[i].failed_502;
		sum->failed_504 += w[i].failed_504;
		sum->failed_none += w[i].failed_none;
		sum->wrong += w[i].wrong;
		if (sum->why == NULL && w[i].wrong > 0)
			sum->why = w[i].why;
	}
	sum->ms = now_ms() - started;
	report("%d POSTs from %d threads in %lld ms (%.0f/s): %d x 201, "
	       "%d x 502, %d x 504, %d without an answer, %d wrong",
	       WRITES, WRITERS, sum->ms,
	       sum->ms > 0 ? WRITES * 1000.0 / (double)sum->ms : 0.0,
	       sum->acked, sum->failed_502, sum->failed_504, sum->failed_none,
	       sum->wrong);
}

/* The documents stored under a prefix, as the list endpoint pages them. */
typedef struct listing {
	int64_t total; /* X-Total-Count, the same on every page */
	size_t listed; /* documents on the pages */
	int pages;
	long long ms;
	/* [t * WRITES_EACH + n]: the id of the document stored as writer
	 * t's n-th, "" when there is none. */
	char (*ids)[25];
	int dup_titles; /* documents stored once more under a text */
	int dup_ids;	/* ids listed once more */
	const char *dup_example;
} listing;

static int
compare_ids(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* X-Total-Count as a number; the test fails when it is not one. */
static int64_t
total_count(const http_resp *r)
{
	const char *h = http_header_get(r, "X-Total-Count");
	char *end;
	long long v;

	cr_assert(h != NULL && http_header_count(r, "X-Total-Count") == 1,
		  "%s: expected one X-Total-Count header", r->what);
	errno = 0;
	v = strtoll(h, &end, 10);
	cr_assert(errno == 0 && end != h && *end == '\0' && v >= 0,
		  "%s: X-Total-Count \"%s\"", r->what, h);
	return (int64_t)v;
}

/* Threads that fetch the pages after the first, all at once: FerretDB
 * reads the whole collection for each one (docs/testing.md), and two
 * workers can have two pages read at a time. */
#define PAGERS 4

typedef struct pager {
	const char *query; /* the list's path and query, without a page */
	http_resp **pages; /* [page - 1]: its answer */
	int npages;
	atomic_int *next; /* the next page to fetch */
	pthread_t th;
} pager;

static void *
fetch_pages(void *arg)
{
	pager *p = arg;
	http_opts o = {.timeout_ms = 60000};
	char path[512];
	int page;

	while ((page = atomic_fetch_add(p->next, 1)) <= p->npages) {
		snprintf(path, sizeof(path), "%s&per_page=%d&page=%d", p->query,
			 PER_PAGE, page);
		p->pages[page - 1] = http_try("GET", path, NULL, NULL, 0, &o);
	}
	return NULL;
}

/* Checks one page of the listing and takes in its documents. */
static void
take_page(listing *l, const resource *res, const char *prefix,
	  const http_resp *r, int page, char (**all)[25], size_t *nall)
{
	size_t plen = strlen(prefix), i, nitems, want;
	json_object *items, *item;
	const char *text, *id;
	char posted[256];
	int64_t total;
	int t, n;
	doc d;

	cr_assert(r->status != 0, "%s: no answer: %s", r->what, r->error);
	jget(r->what, expect_json(r, 200), "total");
	total = total_count(r);
	expect_jint(r->what, r->json, "total", total);
	cr_assert_eq(total, l->total,
		     "%s: X-Total-Count %" PRId64 ", page 1 said %" PRId64,
		     r->what, total, l->total);
	items = jget(r->what, r->json, "items");
	nitems = json_object_is_type(items, json_type_array)
			 ? json_object_array_length(items)
			 : 0;
	want = (size_t)(total - (int64_t)(page - 1) * PER_PAGE);
	if (want > PER_PAGE)
		want = PER_PAGE;
	cr_assert_eq(nitems, want, "%s: %zu items, expected %zu", r->what,
		     nitems, want);
	*all = bson_realloc(*all, (*nall + nitems) * sizeof(**all));
	for (i = 0; i < nitems; i++) {
		item = json_object_array_get_idx(items, i);
		text = jstr(item, res->key);
		cr_assert(text != NULL && strncmp(text, prefix, plen) == 0 &&
				  sscanf(text + plen, "%d-%d", &t, &n) == 2 &&
				  t >= 0 && t < WRITERS && n >= 0 &&
				  n < WRITES_EACH,
			  "%s: listed %s, which no writer posted", r->what,
			  json_object_to_json_string(item));
		doc_of(&d, res, prefix, t, n);
		cr_assert(doc_is(item, &d, NULL),
			  "%s: listed %s, expected what was posted: %s",
			  r->what, json_object_to_json_string(item),
			  doc_json(&d, posted, sizeof(posted)) > 0 ? posted
								   : "");
		id = jstr(item, "_id");
		if (l->ids[t * WRITES_EACH + n][0] == '\0')
			memcpy(l->ids[t * WRITES_EACH + n], id, 25);
		else if (l->dup_titles++ == 0)
			l->dup_example =
				tprintf("\"%s\" as %s and %s", text,
					l->ids[t * WRITES_EACH + n], id);
		memcpy((*all)[(*nall)++], id, 25);
	}
	l->listed += nitems;
}

/*
 * Pages through every document of res under prefix, sorted by its text,
 * PER_PAGE a page: each must be one that a writer posted, exactly as
 * posted (nothing more), and every page must give the same total. Counts
 * the documents, their duplicate texts and their duplicate ids.
 */
static void
list_docs(const resource *res, const char *prefix, listing *l)
{
	const char *q = tprintf("%s?%s__startswith=%s&sort=%s", res->path,
				res->key, qenc(prefix), res->key);
	http_resp *first, **pages;
	char(*all)[25] = NULL;
	long long t0 = now_ms();
	pager p[PAGERS];
	atomic_int next;
	size_t nall = 0, i;
	int page;

	memset(l, 0, sizeof(*l));
	l->ids = keep(bson_malloc0(WRITES * sizeof(*l->ids)), bson_free);
	first = http_get(tprintf("%s&per_page=%d&page=1", q, PER_PAGE));
	l->total = total_count(first);
	l->pages = (int)((l->total + PER_PAGE - 1) / PER_PAGE);
	pages = keep(bson_malloc0((size_t)(l->pages + 1) * sizeof(*pages)),
		     bson_free);
	pages[0] = first;
	atomic_init(&next, 2);
	for (i = 0; i < PAGERS; i++) {
		p[i] = (pager){.query = q,
			       .pages = pages,
			       .npages = l->pages,
			       .next = &next};
		cr_assert_eq(pthread_create(&p[i].th, NULL, fetch_pages, &p[i]),
			     0);
	}
	for (i = 0; i < PAGERS; i++)
		pthread_join(p[i].th, NULL);
	for (page = 2; page <= l->pages; page++)
		keep(pages[page - 1], http_free_any);
	for (page = 1; page == 1 || page <= l->pages; page++)
		take_page(l, res, prefix, pages[page - 1], page, &all, &nall);

	qsort(all, nall, sizeof(*all), compare_ids);
	for (i = 1; i < nall; i++) {
		if (strcmp(all[i - 1], all[i]) == 0 && l->dup_ids++ == 0 &&
		    l->dup_example == NULL)
			l->dup_example = tprintf("id %s", all[i]);
	}
	bson_free(all);
	l->ms = now_ms() - t0;
	report("listed %zu %s under \"%s\" on %d pages in %lld ms: "
	       "X-Total-Count %" PRId64 ", %d duplicate texts, %d duplicate "
	       "ids",
	       l->listed, res->path + 1, prefix, l->pages, l->ms, l->total,
	       l->dup_titles, l->dup_ids);
}

Test(load, acknowledged_writes_are_all_stored, .timeout = 240)
{
	const char *prefix = test_prefix("acked");
	atomic_int answered;
	long long t0;
	int t, n, lost = 0;
	const char *first_lost = NULL;
	writer *w;
	writes sum;
	listing l;

	cr_assert(wait_serving(10000), "the stack does not serve");
	t0 = now_ms();
	w = writers_start(&books, prefix, &answered);
	writers_join(w, t0, &sum);
	cr_assert_eq(sum.wrong, 0, "%d answers broke the contract; first: %s",
		     sum.wrong, sum.why);
	list_docs(&books, prefix, &l);

	cr_assert_eq(sum.acked, WRITES,
		     "%d of %d POSTs got a 201 (%d x 502, %d x 504, %d "
		     "without an answer) with the stack healthy",
		     sum.acked, WRITES, sum.failed_502, sum.failed_504,
		     sum.failed_none);
	cr_assert_eq(l.total, WRITES, "X-Total-Count %" PRId64 ", expected %d",
		     l.total, WRITES);
	cr_assert_eq(l.listed, (size_t)WRITES, "%zu books listed, expected %d",
		     l.listed, WRITES);
	cr_assert_eq(l.dup_titles + l.dup_ids, 0,
		     "%d duplicate texts, %d duplicate ids; first: %s",
		     l.dup_titles, l.dup_ids, l.dup_example);
	for (t = 0; t < WRITERS; t++) {
		for (n = 0; n < WRITES_EACH; n++) {
			if (strcmp(w[t].ids[n], l.ids[t * WRITES_EACH + n]) ==
			    0)
				continue;
			if (lost++ == 0)
				first_lost = tprintf(
					"POST %d of writer %d: 201 with %s, "
					"stored as \"%s\"",
					n, t, w[t].ids[n],
					l.ids[t * WRITES_EACH + n]);
		}
	}
	cr_assert_eq(lost, 0,
		     "%d acknowledged documents are not stored as "
		     "acknowledged; first: %s",
		     lost, first_lost);
}

Test(load, acknowledged_writes_survive_a_killed_worker, .fini = restore_stack,
     .timeout = 240)
{
	const char *prefix = test_prefix("killed");
	pid_t master = stack_master_pid(), old[64], now[64], victim;
	long long t0, killed_at, replaced_ms = -1, deadline;
	int t, n, lost = 0, unacked = 0, failed, at_kill = 0;
	const char *first_lost = NULL;
	atomic_int answered;
	size_t nold, nnow = 0;
	bool replaced = false;
	int kill_err;
	writer *w;
	writes sum;
	listing l;

	cr_assert(wait_serving(10000), "the stack does not serve");
	nold = workers_now(master, old);
	victim = old[0];
	t0 = now_ms();
	w = writers_start(&authors, prefix, &answered);
	/* About a quarter of the way: writes before the kill, during it and
	 * after the replacement took over. */
	deadline = now_ms() + 60000;
	while ((at_kill = atomic_load(&answered)) < WRITES / 4 &&
	       now_ms() < deadline)
		sleep_ms(2);
	killed_at = now_ms();
	kill_err = send_signal(victim, SIGKILL);
	if (kill_err == 0) {
		replaced = wait_replaced(master, victim, old, nold, 10000, now,
					 &nnow);
		replaced_ms = now_ms() - killed_at;
	}
	writers_join(w, t0, &sum);
	list_docs(&authors, prefix, &l);

	for (t = 0; t < WRITERS; t++) {
		for (n = 0; n < WRITES_EACH; n++) {
			const char *stored = l.ids[t * WRITES_EACH + n];

			if (w[t].ids[n][0] == '\0') {
				/* The worker may die after the insert and
				 * before its answer. */
				unacked += stored[0] != '\0';
			} else if (strcmp(w[t].ids[n], stored) != 0 &&
				   lost++ == 0) {
				first_lost = tprintf(
					"POST %d of writer %d: 201 with %s, "
					"stored as \"%s\"",
					n, t, w[t].ids[n], stored);
			}
		}
	}
	failed = sum.failed_502 + sum.failed_504 + sum.failed_none;
	report("SIGKILL to worker %ld after %d POSTs answered; replaced by "
	       "%s in %lld ms",
	       (long)victim, at_kill, replaced ? pid_list(now, nnow) : "none",
	       replaced_ms);
	report("%d failed POSTs; %zu authors stored: %d acknowledged, %d "
	       "stored without a 201; %d acknowledged and not stored",
	       failed, l.listed, sum.acked, unacked, lost);

	cr_assert(at_kill >= WRITES / 4, "only %d POSTs answered in 60 s",
		  at_kill);
	cr_assert_eq(kill_err, 0, "kill -KILL %ld: %s", (long)victim,
		     strerror(kill_err));
	cr_assert(replaced,
		  "10 s after SIGKILL to worker %ld: workers %s, before %s",
		  (long)victim, pid_list(now, nnow), pid_list(old, nold));
	cr_assert(proc_alive(master) && stack_master_pid() == master,
		  "the master %ld did not survive its worker", (long)master);
	cr_assert_eq(sum.wrong, 0, "%d answers broke the contract; first: %s",
		     sum.wrong, sum.why);
	/* A worker holds one FastCGI connection at a time: its death can
	 * fail the request it held, not the ones queued on the socket. */
	cr_assert_leq(failed, 1,
		      "%d POSTs failed (%d x 502, %d x 504, %d without an "
		      "answer); the killed worker held one at most",
		      failed, sum.failed_502, sum.failed_504, sum.failed_none);
	cr_assert_eq(lost, 0,
		     "%d acknowledged documents are not stored as "
		     "acknowledged; first: %s",
		     lost, first_lost);
	cr_assert_leq(
		unacked, failed,
		"%d authors stored without a 201 but only %d POSTs failed",
		unacked, failed);
	cr_assert_eq(l.dup_titles + l.dup_ids, 0,
		     "%d duplicate texts, %d duplicate ids; first: %s",
		     l.dup_titles, l.dup_ids, l.dup_example);
	cr_assert_eq(l.total, (int64_t)(sum.acked + unacked),
		     "X-Total-Count %" PRId64 ", expected %d acknowledged + "
		     "%d unacknowledged",
		     l.total, sum.acked, unacked);
	cr_assert_eq(l.listed, (size_t)(sum.acked + unacked),
		     "%zu authors listed, expected %d acknowledged + %d "
		     "unacknowledged",
		     l.listed, sum.acked, unacked);
}

/* --- bulk creates and a killed worker ------------------------------------ */

/* Each bulk writer posts BATCHES arrays of BATCH books: few enough that
 * the tests after it, which page through the whole collection on a
 * server that scans it, do not feel them (they are deleted at the end). */
#define BULK_WRITERS 4
#define BATCH 100
#define BATCHES 3

typedef struct bulk_writer {
	const char *prefix;
	int thread;
	atomic_int *answered; /* every bulk writer's batches answered */
	char ids[BATCHES * BATCH][25]; /* item n's id when its batch got a
					* 201 */
	bool failed[BATCHES];	       /* batch b got a 502, 504 or nothing */
	int acked, nfailed, wrong;
	char why[WHY_MAX];
	pthread_t th;
} bulk_writer;

/* A 201 whose body is exactly the batch's books, in order. */
static bool
batch_is_sound(const http_resp *r, const bulk_writer *w, int b, char *why)
{
	size_t i;
	doc d;

	if (!http_media_type_is(http_header_get(r, "Content-Type"),
				"application/json"))
		return failed_because(why, r, "not application/json");
	if (!json_object_is_type(r->json, json_type_array) ||
	    json_object_array_length(r->json) != BATCH)
		return failed_because(why, r, "not an array of %d", BATCH);
	for (i = 0; i < BATCH; i++) {
		doc_of(&d, &books, w->prefix, w->thread, b * BATCH + (int)i);
		if (!doc_is(json_object_array_get_idx(r->json, i), &d, NULL))
			return failed_because(why, r, "item %zu is not \"%s\"",
					      i, d.text);
	}
	return true;
}

static void *
write_batches(void *arg)
{
	bulk_writer *w = arg;
	http_opts o = {.timeout_ms = 60000};
	char json[256], why[WHY_MAX];
	http_resp *r;
	size_t len, i;
	ma_buf body;
	doc d;
	int b;

	for (b = 0; b < BATCHES; b++) {
		_ma_buf_init(&body, BATCH * 128);
		_ma_buf_putc(&body, '[');
		for (i = 0; i < BATCH; i++) {
			doc_of(&d, &books, w->prefix, w->thread,
			       b * BATCH + (int)i);
			len = doc_json(&d, json, sizeof(json));
			if (i > 0)
				_ma_buf_putc(&body, ',');
			_ma_buf_append(&body, json, len);
		}
		_ma_buf_putc(&body, ']');
		r = http_try("POST", "/books", "application/json", body.data,
			     body.len, &o);
		if (r->status == 201 && batch_is_sound(r, w, b, why)) {
			for (i = 0; i < BATCH; i++)
				memcpy(w->ids[b * BATCH + (int)i],
				       jstr(json_object_array_get_idx(r->json,
								      i),
					    "_id"),
				       25);
			w->acked += BATCH;
		} else if (r->status == 0 ||
			   ((r->status == 502 || r->status == 504) &&
			    problem_is(r, r->status, gateway_title(r->status),
				       why))) {
			w->failed[b] = true;
			w->nfailed++;
		} else if (w->wrong++ == 0) {
			if (r->status != 201)
				failed_because(why, r, "expected 201");
			memcpy(w->why, why, sizeof(w->why));
		}
		http_free(r);
		_ma_buf_destroy(&body);
		atomic_fetch_add(w->answered, 1);
	}
	return NULL;
}

/*
 * Arrays of 100 books from four clients while a worker is killed: the
 * batch the worker held fails (a 502), and afterwards every book of every
 * acknowledged batch is stored as sent, every stored book is whole (as
 * posted, nothing more), and a book stored without a 201 belongs to the
 * batch that failed: an insert the worker started may finish without it.
 */
Test(load, bulk_creates_survive_a_worker_killed_mid_batch,
     .fini = restore_stack, .timeout = 240)
{
	const char *prefix = test_prefix("bulkkill");
	pid_t master = stack_master_pid(), old[64], now[64], victim;
	bulk_writer *w =
		keep(bson_malloc0(BULK_WRITERS * sizeof(*w)), bson_free);
	int t, n, acked = 0, nfailed = 0, wrong = 0, lost = 0, unacked = 0;
	int stray = 0, at_kill, undeleted = 0;
	const char *first_lost = NULL, *why = NULL;
	long long deadline;
	atomic_int answered;
	size_t nold, nnow = 0;
	bool replaced = false;
	int kill_err;
	listing l;

	cr_assert(wait_serving(10000), "the stack does not serve");
	nold = workers_now(master, old);
	victim = old[0];
	atomic_init(&answered, 0);
	for (t = 0; t < BULK_WRITERS; t++) {
		w[t].prefix = prefix;
		w[t].thread = t;
		w[t].answered = &answered;
		cr_assert_eq(
			pthread_create(&w[t].th, NULL, write_batches, &w[t]),
			0);
	}
	/* A quarter of the batches answered: the others in flight. */
	deadline = now_ms() + 60000;
	while ((at_kill = atomic_load(&answered)) <
		       BULK_WRITERS * BATCHES / 4 &&
	       now_ms() < deadline)
		sleep_ms(2);
	kill_err = send_signal(victim, SIGKILL);
	if (kill_err == 0)
		replaced = wait_replaced(master, victim, old, nold, 10000, now,
					 &nnow);
	for (t = 0; t < BULK_WRITERS; t++) {
		pthread_join(w[t].th, NULL);
		acked += w[t].acked;
		nfailed += w[t].nfailed;
		wrong += w[t].wrong;
		if (why == NULL && w[t].wrong > 0)
			why = w[t].why;
	}
	list_docs(&books, prefix, &l);

	for (t = 0; t < BULK_WRITERS; t++) {
		for (n = 0; n < BATCHES * BATCH; n++) {
			const char *stored = l.ids[t * WRITES_EACH + n];

			if (w[t].ids[n][0] == '\0') {
				unacked += stored[0] != '\0';
				stray += stored[0] != '\0' &&
					 !w[t].failed[n / BATCH];
			} else if (strcmp(w[t].ids[n], stored) != 0 &&
				   lost++ == 0) {
				first_lost = tprintf(
					"book %d of writer %d: 201 with %s, "
					"stored as \"%s\"",
					n, t, w[t].ids[n], stored);
			}
		}
	}
	/* The stack as it was: every book listed deleted again. */
	for (t = 0; t < BULK_WRITERS; t++) {
		for (n = 0; n < BATCHES * BATCH; n++) {
			const char *stored = l.ids[t * WRITES_EACH + n];
			http_resp *r;

			if (stored[0] == '\0')
				continue;
			r = http_try("DELETE", tprintf("/books/%s", stored),
				     NULL, NULL, 0, NULL);
			undeleted += r->status != 204;
			http_free(r);
		}
	}
	report("SIGKILL to worker %ld after %d of %d batches of %d answered; "
	       "%d batches failed; %zu books stored: %d acknowledged, %d "
	       "stored without a 201",
	       (long)victim, at_kill, BULK_WRITERS * BATCHES, BATCH, nfailed,
	       l.listed, acked, unacked);

	cr_assert_eq(kill_err, 0, "kill -KILL %ld: %s", (long)victim,
		     strerror(kill_err));
	cr_assert(replaced, "10 s after SIGKILL to worker %ld: workers %s",
		  (long)victim, pid_list(now, nnow));
	cr_assert_eq(wrong, 0, "%d answers broke the contract; first: %s",
		     wrong, why);
	cr_assert_leq(nfailed, 1,
		      "%d batches failed; the killed worker held one at most",
		      nfailed);
	cr_assert_eq(lost, 0,
		     "%d acknowledged books are not stored as acknowledged; "
		     "first: %s",
		     lost, first_lost);
	cr_assert_eq(stray, 0,
		     "%d books stored without a 201 outside the failed batch",
		     stray);
	cr_assert_eq(l.dup_titles + l.dup_ids, 0,
		     "%d duplicate texts, %d duplicate ids; first: %s",
		     l.dup_titles, l.dup_ids, l.dup_example);
	cr_assert_eq(l.listed, (size_t)(acked + unacked),
		     "%zu books listed, expected %d acknowledged + %d "
		     "unacknowledged",
		     l.listed, acked, unacked);
	cr_assert_eq(undeleted, 0, "%d books could not be deleted again",
		     undeleted);
}

/* --- client threads that record every answer ----------------------------- */

#define CREW_MAX 8

/* One request as its client saw it. */
typedef struct shot {
	long long sent, done; /* now_ms() before and after */
	long status;	      /* 0: no answer */
	bool sound;	      /* the contract's answer for its status */
} shot;

struct crew;

typedef struct member {
	struct crew *crew;
	int index;
	shot *shots;
	size_t n, cap;
	char why[WHY_MAX]; /* the first answer that was not sound */
	pthread_t th;
} member;

/*
 * Client threads in a loop, until stop: readers GET one book by id;
 * writers POST a book and GET it back. What the main thread may watch
 * while they run: answers so far, 200s in a row (all threads together),
 * requests out, when the latest answer came.
 */
typedef struct crew {
	int size;
	const char *path;   /* readers: GET this */
	doc want;	    /* which is this book */
	char want_id[25];   /* with this id */
	const char *prefix; /* writers: their titles */
	atomic_bool stop;
	atomic_int answered;
	atomic_int streak;
	atomic_int busy;
	atomic_llong last_done;
	member m[CREW_MAX];
} crew;

static void
record(member *m, long long sent, const http_resp *r, bool sound,
       const char *why)
{
	crew *c = m->crew;
	shot *s;

	if (m->n == m->cap) {
		m->cap = m->cap > 0 ? m->cap * 2 : 256;
		m->shots = bson_realloc(m->shots, m->cap * sizeof(*m->shots));
	}
	s = &m->shots[m->n++];
	s->sent = sent;
	s->done = now_ms();
	s->status = r->status;
	s->sound = sound;
	if (!sound && m->why[0] == '\0')
		memcpy(m->why, why, sizeof(m->why));
	atomic_fetch_add(&c->answered, 1);
	if (r->status == 200)
		atomic_fetch_add(&c->streak, 1);
	else
		atomic_store(&c->streak, 0);
	atomic_store(&c->last_done, s->done);
}

/* One request of a member, recorded; the answer, for the caller to free. */
static http_resp *
shoot(member *m, const char *method, const char *path, const char *body,
      size_t len, const doc *d, const char *id)
{
	char why[WHY_MAX] = "";
	long long sent;
	http_resp *r;
	bool sound;

	atomic_fetch_add(&m->crew->busy, 1);
	sent = now_ms();
	r = http_try(method, path, body != NULL ? "application/json" : NULL,
		     body, len, NULL);
	atomic_fetch_sub(&m->crew->busy, 1);
	sound = answer_is_sound(r, d, id, why);
	record(m, sent, r, sound, why);
	return r;
}

static void *
read_loop(void *arg)
{
	member *m = arg;
	crew *c = m->crew;

	while (!atomic_load(&c->stop))
		http_free(shoot(m, "GET", c->path, NULL, 0, &c->want,
				c->want_id));
	return NULL;
}

static void *
write_read_loop(void *arg)
{
	member *m = arg;
	crew *c = m->crew;
	char json[256], path[64];
	bool failed;
	http_resp *r;
	size_t len;
	doc d;
	int n;

	for (n = 0; !atomic_load(&c->stop); n++) {
		doc_of(&d, &books, c->prefix, m->index, n);
		len = doc_json(&d, json, sizeof(json));
		r = shoot(m, "POST", "/books", json, len, &d, NULL);
		failed = r->status != 201 || !m->shots[m->n - 1].sound;
		if (!failed) {
			snprintf(path, sizeof(path), "/books/%s",
				 jstr(r->json, "_id"));
			http_free(r);
			r = shoot(m, "GET", path, NULL, 0, &d, path + 7);
			failed = r->status != 200;
		}
		http_free(r);
		/* No worker, most likely: no need to hammer nginx with more
		 * requests that fail the same way. */
		if (failed)
			sleep_ms(20);
	}
	return NULL;
}

static void
crew_start(crew *c, int size, void *(*loop)(void *))
{
	int i;

	c->size = size;
	atomic_init(&c->stop, false);
	atomic_init(&c->answered, 0);
	atomic_init(&c->streak, 0);
	atomic_init(&c->busy, 0);
	atomic_init(&c->last_done, now_ms());
	for (i = 0; i < size; i++) {
		c->m[i].crew = c;
		c->m[i].index = i;
		cr_assert_eq(pthread_create(&c->m[i].th, NULL, loop, &c->m[i]),
			     0);
	}
}

static void
crew_stop(crew *c)
{
	int i;

	atomic_store(&c->stop, true);
	for (i = 0; i < c->size; i++) {
		pthread_join(c->m[i].th, NULL);
		keep(c->m[i].shots, bson_free);
	}
}

/* Readers of a book of their own, stored by the main thread. */
static void
readers_start(crew *c, int size, const char *prefix)
{
	char json[256], why[WHY_MAX];
	http_resp *r;
	size_t len;

	memset(c, 0, sizeof(*c));
	doc_of(&c->want, &books, prefix, 0, 0);
	len = doc_json(&c->want, json, sizeof(json));
	r = http("POST", "/books", "application/json", json, len);
	expect_status(r, 201);
	cr_assert(answer_is_sound(r, &c->want, NULL, why), "%s", why);
	memcpy(c->want_id, jstr(r->json, "_id"), sizeof(c->want_id));
	c->path = tprintf("/books/%s", c->want_id);
	crew_start(c, size, read_loop);
}

/* Every answer a crew recorded, as s. */
#define FOR_EACH_SHOT(c, s)                                                    \
	for (int i_ = 0; i_ < (c)->size; i_++)                                 \
		for (const shot *s = (c)->m[i_].shots;                         \
		     s < (c)->m[i_].shots + (c)->m[i_].n; s++)

/* The first answer of the crew that was not sound; NULL if none. */
static const char *
crew_why(const crew *c)
{
	int i;

	for (i = 0; i < c->size; i++) {
		if (c->m[i].why[0] != '\0')
			return c->m[i].why;
	}
	return NULL;
}

/* --- the database goes away under load, and comes back -------------------- */

Test(load, database_outage_is_503_then_200_with_the_same_workers,
     .fini = restore_stack, .timeout = 120)
{
	pid_t master = stack_master_pid(), before[64], after[64];
	long long stop_called, down, start_called, up, deadline;
	long long first_503 = -1, last_503 = -1, back = -1, slowest = 0;
	int n200 = 0, n503 = 0, other = 0, unsound = 0, healthy_not_200 = 0;
	long other_status = 0, other_at = 0;
	int during = 0, during_not_503 = 0, stop_rc, start_rc, mark;
	size_t nbefore, nafter;
	bool recovered;
	crew c;

	cr_assert(wait_serving(10000), "the stack does not serve");
	nbefore = workers_now(master, before);
	readers_start(&c, 4, test_prefix("outage"));
	wait_count(&c.answered, 50, 10000);

	stop_called = now_ms();
	stop_rc = stack_cmd("mongo-stop");
	mongo_stopped = true;
	down = now_ms();
	/* A second down at least, and 40 answers, within the time the 503s
	 * have to come in. */
	mark = atomic_load(&c.answered);
	wait_count(&c.answered, mark + 40, SELECTION_TIMEOUT_MS + MARGIN_MS);
	while (now_ms() < down + 1000)
		sleep_ms(10);
	start_called = now_ms();
	start_rc = stack_cmd("mongo-start");
	mongo_stopped = start_rc != 0;
	up = now_ms();
	/* Back: 40 200s in a row, from both workers in all likelihood. */
	deadline = up + COOLDOWN_MS + MARGIN_MS + 5000;
	while (atomic_load(&c.streak) < 40 && now_ms() < deadline)
		sleep_ms(10);
	recovered = atomic_load(&c.streak) >= 40;
	crew_stop(&c);
	nafter = proc_children(master, after, 64);

	FOR_EACH_SHOT(&c, s)
	{
		unsound += !s->sound;
		if (s->status == 200)
			n200++;
		else if (s->status == 503)
			n503++;
		else if (other++ == 0) {
			other_status = s->status;
			other_at = (long)(s->done - stop_called);
		}
		if (s->done < stop_called && s->status != 200)
			healthy_not_200++;
		if (s->sent >= down && s->sent < start_called) {
			during++;
			during_not_503 += s->status != 503;
			if (s->done - s->sent > slowest)
				slowest = s->done - s->sent;
		}
		if (s->status == 503) {
			if (first_503 < 0 || s->done < first_503)
				first_503 = s->done;
			if (s->done > last_503)
				last_503 = s->done;
		}
		if (s->status == 200 && s->sent >= up &&
		    (back < 0 || s->done < back))
			back = s->done;
	}
	report("%d GETs from %d threads: %d x 200, %d x 503, %d other; "
	       "database stopped in %lld ms, down for %lld ms, started in "
	       "%lld ms",
	       n200 + n503 + other, c.size, n200, n503, other,
	       down - stop_called, start_called - down, up - start_called);
	report("first 503 %lld ms after the stop began (%lld ms after it "
	       "ended); slowest 503 while down: %lld ms",
	       first_503 - stop_called, first_503 - down, slowest);
	report("first 200 %lld ms after the restart, last 503 %lld ms after "
	       "it; workers before %s, after %s",
	       back - up, last_503 - up, pid_list(before, nbefore),
	       pid_list(after, nafter));

	cr_assert_eq(stop_rc, 0, "http-stack mongo-stop exited with %d",
		     stop_rc);
	cr_assert_eq(start_rc, 0, "http-stack mongo-start exited with %d",
		     start_rc);
	cr_assert_eq(unsound, 0, "%d answers broke the contract; first: %s",
		     unsound, crew_why(&c));
	cr_assert_eq(other, 0,
		     "%d answers neither 200 nor 503; the first a %ld, %ld ms "
		     "after the stop began",
		     other, other_status, other_at);
	cr_assert_eq(healthy_not_200, 0,
		     "%d answers were not 200 before the database stopped",
		     healthy_not_200);
	cr_assert(during > 0, "no GET sent while the database was down came "
			      "back");
	cr_assert_eq(during_not_503, 0,
		     "%d of %d GETs sent while the database was down were not "
		     "503",
		     during_not_503, during);
	cr_assert_leq(first_503 - down, SELECTION_TIMEOUT_MS + MARGIN_MS,
		      "the first 503 came %lld ms after the database was down",
		      first_503 - down);
	cr_assert_leq(slowest, SELECTION_TIMEOUT_MS + MARGIN_MS,
		      "a 503 took %lld ms", slowest);
	cr_assert(recovered && back >= 0,
		  "no 40 200s in a row %lld ms after the database came back",
		  now_ms() - up);
	cr_assert_leq(back - up, COOLDOWN_MS + MARGIN_MS,
		      "the first 200 came %lld ms after the restart",
		      back - up);
	cr_assert_leq(last_503 - up, COOLDOWN_MS + MARGIN_MS,
		      "a 503 came %lld ms after the restart", last_503 - up);
	cr_assert(proc_alive(master) && stack_master_pid() == master,
		  "the master %ld is gone", (long)master);
	cr_assert(same_pids(before, nbefore, after, nafter),
		  "workers before the outage %s, after %s: a worker was "
		  "replaced",
		  pid_list(before, nbefore), pid_list(after, nafter));
}

/* --- a worker killed under load ------------------------------------------- */

Test(load, killed_worker_is_replaced_while_reads_go_on, .fini = restore_stack,
     .timeout = 60)
{
	pid_t master = stack_master_pid(), old[64], now[64], victim;
	long long started, killed_at, replaced_at = 0;
	int n200 = 0, n502 = 0, other = 0, unsound = 0, before = 0;
	int after_sent = 0, after = 0;
	size_t nold, nnow = 0;
	bool replaced = false;
	int kill_err;
	crew c;

	cr_assert(wait_serving(10000), "the stack does not serve");
	nold = workers_now(master, old);
	victim = old[0];
	readers_start(&c, 4, test_prefix("sigkill"));
	started = now_ms();
	sleep_ms(1000);
	killed_at = now_ms();
	kill_err = send_signal(victim, SIGKILL);
	if (kill_err == 0) {
		replaced = wait_replaced(master, victim, old, nold, 5000, now,
					 &nnow);
		replaced_at = now_ms();
	}
	/* About 3 s of reads in all, the last ones on the new worker too. */
	while (now_ms() < killed_at + 2000)
		sleep_ms(10);
	crew_stop(&c);

	FOR_EACH_SHOT(&c, s)
	{
		unsound += !s->sound;
		if (s->status == 200)
			n200++;
		else if (s->status == 502)
			n502++;
		else
			other++;
		if (s->status != 200 && s->done < killed_at)
			before++;
		if (replaced && s->sent >= replaced_at) {
			after_sent++;
			after += s->status != 200;
		}
	}
	report("%d GETs from %d threads in %lld ms: %d x 200, %d x 502, %d "
	       "other; worker %ld killed at %lld ms, replaced by %s %lld ms "
	       "later; %d GETs sent after the replacement, %d not 200",
	       n200 + n502 + other, c.size, now_ms() - started, n200, n502,
	       other, (long)victim, killed_at - started,
	       replaced ? pid_list(now, nnow) : "none", replaced_at - killed_at,
	       after_sent, after);

	cr_assert_eq(kill_err, 0, "kill -KILL %ld: %s", (long)victim,
		     strerror(kill_err));
	cr_assert(replaced,
		  "5 s after SIGKILL to worker %ld: workers %s, before %s",
		  (long)victim, pid_list(now, nnow), pid_list(old, nold));
	cr_assert(proc_alive(master) && stack_master_pid() == master,
		  "the master %ld did not survive its worker", (long)master);
	cr_assert_eq(unsound, 0, "%d answers broke the contract; first: %s",
		     unsound, crew_why(&c));
	cr_assert_eq(other, 0, "%d answers neither 200 nor 502", other);
	cr_assert_eq(before, 0, "%d GETs failed before the kill", before);
	/* A worker holds one FastCGI connection at a time: its death fails
	 * the request it held, not the ones queued on the socket. */
	cr_assert_leq(n502, 1,
		      "%d GETs got a 502; the killed worker held one "
		      "at most",
		      n502);
	cr_assert_eq(after, 0, "%d GETs sent after the replacement failed",
		     after);
	cr_assert_geq(after_sent, c.size,
		      "%d GETs sent after the replacement, expected one per "
		      "thread (%d) at least",
		      after_sent, c.size);
}

/* --- SIGTERM to the master under load ------------------------------------- */

/*
 * Why nginx gave its 502s, from its error log: "connect() to unix:...
 * failed (2: No such file or directory)" or "(111: Connection refused)"
 * (no socket, or nothing listening on it: the request reached no
 * worker), or "(104: Connection reset by peer) while reading response
 * header from upstream" (the connection was closed unread: queued on the
 * socket when its listener closed, which must not happen). Any other
 * upstream error is counted apart.
 */
typedef struct upstream_errors {
	int refused, reset, other;
	const char *first_other;
} upstream_errors;

static void
upstream_errors_since(const char *log, long offset, upstream_errors *e)
{
	const char *text = read_file_from(log, offset), *line, *end;
	char *l;

	memset(e, 0, sizeof(*e));
	for (line = text; *line != '\0'; line = *end != '\0' ? end + 1 : end) {
		end = strchr(line, '\n');
		if (end == NULL)
			end = line + strlen(line);
		l = bson_strndup(line, (size_t)(end - line));
		if (strstr(l, "upstream") == NULL) {
			/* Not about a request passed on. */
		} else if (strstr(l, "connect() to unix:") != NULL &&
			   (strstr(l, "(2: No such file or directory)") !=
				    NULL ||
			    strstr(l, "(111: Connection refused)") != NULL)) {
			e->refused++;
		} else if (strstr(l, "(104: Connection reset by peer) while "
				     "reading response header from "
				     "upstream") != NULL) {
			e->reset++;
		} else if (e->other++ == 0) {
			e->first_other = tprintf("%s", l);
		}
		bson_free(l);
	}
}

/* Waits until every thread of the crew has a request out and no answer
 * came for quiet ms; false at the deadline. */
static bool
wait_all_held(crew *c, long quiet, long ms)
{
	long long deadline = now_ms() + ms;

	for (;;) {
		if (atomic_load(&c->busy) == c->size &&
		    now_ms() - atomic_load(&c->last_done) >= quiet)
			return true;
		if (now_ms() >= deadline)
			return false;
		sleep_ms(5);
	}
}

/* What the SIGTERM test sees of the drain: when the socket file was last
 * seen (the clock read before the stat() that found it), when it was
 * first missed, when the master was first missed. */
typedef struct drain {
	long long socket_seen, socket_gone, master_gone;
} drain;

/* Watches the socket file and the master until deadline, or until both
 * are gone when until_gone. */
static void
watch_drain(const char *sock, pid_t master, long long deadline, bool until_gone,
	    drain *d)
{
	struct stat st;
	long long t;

	for (;;) {
		t = now_ms();
		if (stat(sock, &st) == 0)
			d->socket_seen = t;
		else if (d->socket_gone == 0)
			d->socket_gone = now_ms();
		if (d->master_gone == 0 && !proc_alive(master))
			d->master_gone = now_ms();
		if (until_gone && d->socket_gone != 0 && d->master_gone != 0)
			return;
		if (now_ms() >= deadline)
			return;
		sleep_ms(1);
	}
}

/*
 * SIGTERM: "finish in-flight requests, exit" (DESIGN.md). In flight here
 * means sent before the SIGTERM: held by a worker (it accepted the
 * request's FastCGI connection and has not answered yet), or queued on the
 * socket, accepted by no worker yet. To have both, and to know how many,
 * the database is paused under load until every client thread has a
 * request out and none is answered for 300 ms: then each worker holds one
 * and the others wait on the socket. The SIGTERM comes then; the database
 * resumes 300 ms later.
 *
 * Every one of them must get its normal answer (201, or 200 with the
 * book): the master removes the socket file at once, so that nothing new
 * can come, lets the workers take what is queued, and only then stops
 * them. A request sent after the SIGTERM finds no socket file: nginx's
 * 502, never an answer, and never while the file is still there. nginx's
 * error log must give "no such file" (or "refused") for each 502, and no
 * connection may be reset: none queued is dropped.
 */
Test(load, sigterm_answers_every_request_sent_before_it, .fini = restore_stack,
     .timeout = 90)
{
	const char *sock = stack_env("MA_STACK_SOCKET");
	const char *front_log =
		tprintf("%s/front-error.log", stack_env("MA_STACK_DIR"));
	long offset = file_size(front_log);
	pid_t master = stack_master_pid();
	int workers = stack_workers(), pause_rc = -1, resume_rc = -1;
	int before = 0, before_bad = 0, out = 0, out_ok = 0, out_502 = 0;
	int after = 0, after_ok = 0, after_502 = 0, wrong = 0, early = 0;
	long long term_at = 0, resumed_at = 0;
	bool loaded, held = false, draining = false;
	int term_err = -1;
	upstream_errors e;
	drain d = {0};
	crew c;

	cr_assert(wait_serving(10000), "the stack does not serve");
	memset(&c, 0, sizeof(c));
	c.prefix = test_prefix("sigterm");
	crew_start(&c, CREW_MAX, write_read_loop);
	loaded = wait_count(&c.answered, 200, 20000);
	if (loaded) {
		pause_rc = stack_cmd("mongo-pause");
		mongo_paused = pause_rc == 0;
		held = mongo_paused && wait_all_held(&c, 300, 10000);
	}
	if (held) {
		term_at = now_ms();
		term_err = send_signal(master, SIGTERM);
		terminated_master = term_err == 0 ? master : 0;
		watch_drain(sock, master, term_at + 300, false, &d);
		draining = d.master_gone == 0;
	}
	if (mongo_paused) {
		resume_rc = stack_cmd("mongo-resume");
		mongo_paused = resume_rc != 0;
		resumed_at = now_ms();
	}
	if (term_err == 0) {
		watch_drain(sock, master, resumed_at + 10000, true, &d);
		/* A few more requests, which find no socket. */
		sleep_ms(300);
	}
	crew_stop(&c);

	FOR_EACH_SHOT(&c, s)
	{
		bool normal =
			s->sound && (s->status == 200 || s->status == 201);
		bool gateway = s->sound && s->status == 502;

		wrong += !normal && !gateway;
		if (term_err != 0 || s->done < term_at) {
			before++;
			before_bad += !normal;
		} else if (s->sent < term_at) {
			out++;
			out_ok += normal;
			out_502 += gateway;
		} else {
			after++;
			after_ok += normal;
			after_502 += gateway;
		}
		/* The clock counts whole ms: an answer that came after the
		 * file went may read the same ms as the last sight of it,
		 * never an earlier one. */
		early += s->status == 502 && s->done < d.socket_seen;
	}
	upstream_errors_since(front_log, offset, &e);
	report("%d requests (POST a book, GET it) from %d threads; %d "
	       "answered before the SIGTERM, %d bad",
	       before + out + after, c.size, before, before_bad);
	report("out at the SIGTERM: %d (%d held by the workers, the rest "
	       "queued on the socket): %d answered normally, %d x 502",
	       out, workers, out_ok, out_502);
	report("sent after the SIGTERM: %d: %d answered normally, %d x 502",
	       after, after_ok, after_502);
	report("after the SIGTERM: master gone %s, socket file gone %s; the "
	       "database resumed %s; nginx: %d refused, %d reset, %d "
	       "other upstream errors",
	       ms_after(d.master_gone, term_at),
	       ms_after(d.socket_gone, term_at), ms_after(resumed_at, term_at),
	       e.refused, e.reset, e.other);

	cr_assert(loaded, "200 answers did not come in 20 s");
	cr_assert_eq(pause_rc, 0, "http-stack mongo-pause exited with %d",
		     pause_rc);
	cr_assert(held,
		  "the %d threads never all waited 300 ms with the "
		  "database paused",
		  c.size);
	cr_assert_eq(term_err, 0, "kill -TERM %ld: %s", (long)master,
		     strerror(term_err));
	cr_assert_eq(resume_rc, 0, "http-stack mongo-resume exited with %d",
		     resume_rc);
	cr_assert(draining, "the master exited within 300 ms of SIGTERM while "
			    "its workers held requests");
	/* The socket file goes at the SIGTERM: nothing sent after it
	 * reaches a worker. */
	cr_assert_eq(after_ok, 0,
		     "%d requests sent after the SIGTERM were answered: the "
		     "socket took new connections after the stop",
		     after_ok);
	cr_assert(d.master_gone != 0 && d.socket_gone != 0,
		  "10 s after the database resumed: master %s, socket %s",
		  d.master_gone != 0 ? "gone" : "running",
		  d.socket_gone != 0 ? "gone" : "still there");
	cr_assert_eq(before_bad, 0,
		     "%d answers before the SIGTERM were not normal; first: %s",
		     before_bad, crew_why(&c));
	cr_assert_eq(wrong, 0,
		     "%d answers neither normal nor nginx's 502; first: %s",
		     wrong, crew_why(&c));
	cr_assert_eq(out, c.size,
		     "%d requests out at the SIGTERM, expected "
		     "one per thread: %d",
		     out, c.size);
	cr_assert_eq(out_ok, out,
		     "%d of the %d requests out at the SIGTERM got their "
		     "answer (%d x 502): the workers held %d, the others were "
		     "queued on the socket",
		     out_ok, out, out_502, workers);
	cr_assert_eq(early, 0,
		     "%d x 502 came while the socket file was still there: "
		     "requests dropped with the listener open",
		     early);
	cr_assert_eq(e.other, 0,
		     "nginx logged %d other upstream errors; "
		     "first: %s",
		     e.other, e.first_other);
	cr_assert_eq(e.reset, 0,
		     "nginx logged %d upstream connections reset: requests "
		     "queued on the socket were dropped",
		     e.reset);
	cr_assert_eq(e.refused, after_502,
		     "nginx logged %d connections to no socket for %d x 502",
		     e.refused, after_502);
}
