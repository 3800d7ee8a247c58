/*
 * DESIGN.md's HTTP contract in-process, as kcgi's regression programs
 * drive theirs: the example application (examples/library/library_app.c)
 * built in the test's process, each request a CGI environment and a body
 * handed to _ma_app_handle() (inproc.c), against the real test database
 * server that scripts/test starts for the integration tests (live.h).
 * No front end: statuses, JSON bodies, problem details, Link and
 * X-Total-Count, entity tags and conditional writes, list parameters,
 * filters, 404, 405, 409, 413, 415. What only a front end shows (real
 * sockets, its own limits and errors, HEAD through it, workers that die
 * or reload, outages) stays in test_http, through nginx and Apache.
 *
 * Built twice, as test_contract_nginx and test_contract_apache: the same
 * tests, each request carrying the CGI variables that front end passes
 * (inproc.c), as test_http runs through each of them.
 *
 * The run gets a database of its own, named and seeded once before the
 * first test (as the worker's master seeds before its workers), dropped
 * after the last. Tests run one at a time on it, as test_http's do through
 * a front end: a test never counts documents it did not make
 * (resources.h), but a list's HEAD and GET must see the same collection.
 */
#include <inttypes.h>

#include "live.h"
#include "inproc.h"
#include "resources.h"
#include "seed.h"

/* --- the run's database and each test's application ----------------------- */

#define CORS_ORIGIN "https://app.example.com"

static char *database;

/* Runs in the runner, before any test process starts: they inherit the
 * database's name through the environment. Without a server (no
 * MONGOALCHEMY_DATABASE) each test says so itself (live_require_server). */
ReportHook(PRE_ALL)(struct criterion_test_set *tests)
{
	const char *given = getenv("MONGOALCHEMY_DATABASE");
	ma_error e;

	(void)tests;
	if (given == NULL || given[0] == '\0')
		return;
	database = live_unique_name("ma_contract");
	setenv("MONGOALCHEMY_DATABASE", database, 1);
	/* The cors suite's allowed origin; requests without Origin are
	 * answered as without it. */
	setenv("LIBRARY_CORS_ORIGINS", CORS_ORIGIN, 1);
	/* The example says why it did not seed; the tests of the seed fail. */
	if (!inproc_seed(&e))
		fprintf(stderr, "test_contract: not seeded: %s\n", e.message);
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
	(void)stats;
	if (database != NULL) {
		live_drop_database(database);
		bson_free(database);
		database = NULL;
	}
	ma_cleanup();
}

/* Each test's first request builds its application (inproc.c); the
 * suite's .fini destroys it. */
TestSuite(books, .fini = inproc_stop);
TestSuite(authors, .fini = inproc_stop);
TestSuite(etags, .fini = inproc_stop);
TestSuite(params, .fini = inproc_stop);
TestSuite(filters, .fini = inproc_stop);
TestSuite(errors, .fini = inproc_stop);
TestSuite(head, .fini = inproc_stop);
TestSuite(since, .fini = inproc_stop);
TestSuite(paths, .fini = inproc_stop);
TestSuite(cors, .fini = inproc_stop);

/* --- CRUD, row by row, for both resources --------------------------------- */

/* Five documents, two per page: the first, a middle and the last page,
 * their page objects and their links. */
static void
check_list_pages(const resource *res)
{
	const char *p = prefix(), *q, *base;
	http_resp *r;
	int i;

	for (i = 1; i <= 5; i++)
		create(res, doc_json(res, tprintf("%s%d", p, i)));
	q = tprintf("%s__startswith=%s&sort=%s", res->key, qenc(p), res->key);
	base = tprintf("%s?%s", res->path, q);

	r = http_get(tprintf("%s&per_page=2", base));
	expect_page(r, 1, 2, 5, 3, -1, 2, 2);
	cr_assert_str_eq(
		texts(r->what, jget(r->what, r->json, "items"), res->key),
		prefixed(p, "1|2"));
	expect_links(r, tprintf("%s&page=1&per_page=2", base), NULL,
		     tprintf("%s&page=2&per_page=2", base),
		     tprintf("%s&page=3&per_page=2", base));

	r = http_get(tprintf("%s&page=2&per_page=2", base));
	expect_page(r, 2, 2, 5, 3, 1, 3, 2);
	cr_assert_str_eq(
		texts(r->what, jget(r->what, r->json, "items"), res->key),
		prefixed(p, "3|4"));
	expect_links(r, tprintf("%s&page=1&per_page=2", base),
		     tprintf("%s&page=1&per_page=2", base),
		     tprintf("%s&page=3&per_page=2", base),
		     tprintf("%s&page=3&per_page=2", base));

	r = http_get(tprintf("%s&page=3&per_page=2", base));
	expect_page(r, 3, 2, 5, 3, 2, -1, 1);
	cr_assert_str_eq(
		texts(r->what, jget(r->what, r->json, "items"), res->key),
		prefixed(p, "5"));
	expect_links(r, tprintf("%s&page=1&per_page=2", base),
		     tprintf("%s&page=2&per_page=2", base), NULL,
		     tprintf("%s&page=3&per_page=2", base));
}

Test(books, list_pages_carry_page_object_links_and_total)
{
	check_list_pages(&books);
}

Test(authors, list_pages_carry_page_object_links_and_total)
{
	check_list_pages(&authors);
}

Test(books, get_returns_each_seed_book_field_for_field)
{
	size_t i;

	for (i = 0; i < NSEED_BOOKS; i++) {
		const seed_book *s = &seed_books[i];
		http_resp *r = http_get(tprintf("/books/%s", s->id));

		expect_book(r->what, expect_json(r, 200), s->id, s->title,
			    s->author, s->year);
	}
}

Test(authors, get_returns_each_seed_author_field_for_field)
{
	size_t i;

	for (i = 0; i < NSEED_AUTHORS; i++) {
		const seed_author *s = &seed_authors[i];
		http_resp *r = http_get(tprintf("/authors/%s", s->id));

		expect_author(r->what, expect_json(r, 200), s->id, s->name);
	}
}

Test(books, create_is_201_with_stored_book_and_location)
{
	const char *title = tprintf("%sCreated", prefix());
	json_object *doc =
		create(&books, book_json(title, "Luciano Ramalho", 2015));
	const char *id = id_of("created", doc);
	http_resp *r;

	expect_book("POST /books", doc, id, title, "Luciano Ramalho", 2015);
	r = http_get(tprintf("/books/%s", id));
	expect_book(r->what, expect_json(r, 200), id, title, "Luciano Ramalho",
		    2015);
}

Test(authors, create_is_201_with_stored_author_and_location)
{
	const char *name = tprintf("%sCreated", prefix());
	json_object *doc = create(&authors, doc_json(&authors, name));
	const char *id = id_of("created", doc);
	http_resp *r;

	expect_author("POST /authors", doc, id, name);
	r = http_get(tprintf("/authors/%s", id));
	expect_author(r->what, expect_json(r, 200), id, name);
}

Test(books, replace_is_200_with_the_new_book_and_404_when_absent)
{
	const char *p = prefix();
	const char *id = create_book(tprintf("%sOld", p), "Mark Pilgrim", 2004);
	const char *title = tprintf("%sNew", p);
	http_resp *r;

	r = http_json("PUT", tprintf("/books/%s", id),
		      book_json(title, "Al Sweigart", 2019));
	expect_book(r->what, expect_json(r, 200), id, title, "Al Sweigart",
		    2019);
	r = http_get(tprintf("/books/%s", id));
	expect_book(r->what, expect_json(r, 200), id, title, "Al Sweigart",
		    2019);

	r = http_json("PUT", tprintf("/books/%s", absent_id()),
		      book_json(title, "Al Sweigart", 2019));
	expect_problem(r, 404, NULL);
}

Test(authors, replace_is_200_with_the_new_author_and_404_when_absent)
{
	const char *p = prefix();
	const char *id = create_author(tprintf("%sOld", p));
	const char *name = tprintf("%sNew", p);
	http_resp *r;

	r = http_json("PUT", tprintf("/authors/%s", id),
		      doc_json(&authors, name));
	expect_author(r->what, expect_json(r, 200), id, name);
	r = http_get(tprintf("/authors/%s", id));
	expect_author(r->what, expect_json(r, 200), id, name);

	r = http_json("PUT", tprintf("/authors/%s", absent_id()),
		      doc_json(&authors, name));
	expect_problem(r, 404, NULL);
}

Test(books, patch_changes_only_the_fields_sent)
{
	const char *p = prefix();
	const char *id =
		create_book(tprintf("%sBefore", p), "Brett Slatkin", 2015);
	const char *title = tprintf("%sAfter", p);
	http_resp *r;

	r = http_json("PATCH", tprintf("/books/%s", id),
		      tprintf("{\"title\": \"%s\"}", title));
	expect_book(r->what, expect_json(r, 200), id, title, "Brett Slatkin",
		    2015);
	r = http_get(tprintf("/books/%s", id));
	expect_book(r->what, expect_json(r, 200), id, title, "Brett Slatkin",
		    2015);
}

Test(books, patch_is_validated_and_changes_nothing_when_refused)
{
	const char *title = tprintf("%sKept", prefix());
	const char *id = create_book(title, "Brett Slatkin", 2015);
	http_resp *r;

	r = http_json("PATCH", tprintf("/books/%s", id), "{\"year\": \"x\"}");
	expect_problem(r, 400, NULL);
	expect_error_for(r, "year");
	r = http_get(tprintf("/books/%s", id));
	expect_book(r->what, expect_json(r, 200), id, title, "Brett Slatkin",
		    2015);
}

Test(books, patch_of_an_absent_book_is_404)
{
	http_resp *r = http_json("PATCH", tprintf("/books/%s", absent_id()),
				 "{\"year\": 2000}");

	expect_problem(r, 404, NULL);
}

Test(authors, patch_is_partial_validated_and_404_when_absent)
{
	const char *p = prefix();
	const char *id = create_author(tprintf("%sA", p));
	const char *name = tprintf("%sB", p);
	http_resp *r;

	r = http_json("PATCH", tprintf("/authors/%s", id),
		      tprintf("{\"name\": \"%s\"}", name));
	expect_author(r->what, expect_json(r, 200), id, name);

	r = http_json("PATCH", tprintf("/authors/%s", id), "{\"name\": 5}");
	expect_problem(r, 400, NULL);
	expect_error_for(r, "name");
	r = http_get(tprintf("/authors/%s", id));
	expect_author(r->what, expect_json(r, 200), id, name);

	r = http_json("PATCH", tprintf("/authors/%s", absent_id()),
		      "{\"name\": \"x\"}");
	expect_problem(r, 404, NULL);
}

static void
check_delete(const resource *res)
{
	json_object *doc =
		create(res, doc_json(res, tprintf("%sGone", prefix())));
	const char *path = tprintf("%s/%s", res->path, id_of("created", doc));
	http_resp *r;

	r = http("DELETE", path, NULL, NULL, 0);
	expect_status(r, 204);
	cr_assert_eq(r->len, 0, "%s: 204 with a body of %zu bytes: %s", r->what,
		     r->len, r->body);
	expect_problem(http_get(path), 404, NULL);
	expect_problem(http("DELETE", path, NULL, NULL, 0), 404, NULL);
}

Test(books, delete_is_204_then_the_book_is_gone)
{
	check_delete(&books);
}

Test(authors, delete_is_204_then_the_author_is_gone)
{
	check_delete(&authors);
}

/* --- entity tags and conditional writes ----------------------------------- */

Test(etags, every_write_answers_the_tag_a_get_then_gives)
{
	const char *title = tprintf("%sW", prefix());
	json_object *doc =
		create(&books, book_json(title, "Al Sweigart", 2010));
	const char *path = tprintf("/books/%s", id_of("created", doc));
	const char *created, *patched, *replaced;
	http_resp *r;

	r = http_get(path);
	created = etag_of(r);
	r = http_json("PATCH", path, "{\"year\": 2011}");
	expect_status(r, 200);
	patched = etag_of(r);
	cr_assert_str_neq(patched, created, "a PATCH kept the ETag");
	cr_assert_str_eq(etag_of(http_get(path)), patched);
	r = http_json("PUT", path, book_json(title, "Al Sweigart", 2010));
	expect_status(r, 200);
	replaced = etag_of(r);
	cr_assert_str_eq(etag_of(http_get(path)), replaced);
	/* The tag is the content's: the same content, the same tag. */
	cr_assert_str_eq(replaced, created,
			 "the book is as created again, its tag is not");
}

/* A stale tag: nothing changes, whatever the method. */
Test(etags, stale_if_match_is_412_and_changes_nothing)
{
	const char *title = tprintf("%sGuarded", prefix());
	const char *id = create_book(title, "Brett Slatkin", 2015);
	const char *path = tprintf("/books/%s", id);
	const char *old = etag_of(http_get(path));
	const char *stale = tprintf("If-Match: %s", old);
	const char *now;
	http_resp *r;

	expect_status(http_json("PATCH", path, "{\"year\": 2016}"), 200);
	now = etag_of(http_get(path));

	r = http_with("PATCH", path, "{\"year\": 1999}", stale);
	expect_problem(r, 412, "changed");
	r = http_with("PUT", path, book_json(title, "Brett Slatkin", 1999),
		      stale);
	expect_problem(r, 412, "changed");
	r = http_with("DELETE", path, NULL, stale);
	expect_problem(r, 412, "changed");
	/* A weak tag never matches If-Match, even the current one. */
	r = http_with("DELETE", path, NULL, tprintf("If-Match: W/%s", now));
	expect_problem(r, 412, NULL);
	r = http_get(path);
	expect_book(r->what, expect_json(r, 200), id, title, "Brett Slatkin",
		    2016);
	cr_assert_str_eq(etag_of(r), now);

	/* "*": any stored document; none is stored under an absent id. */
	r = http_with("PATCH", tprintf("/books/%s", absent_id()),
		      "{\"year\": 1}", "If-Match: *");
	expect_problem(r, 412, "no such document");

	/* The current tag (in a list) lets each write through. */
	r = http_with("PATCH", path, "{\"year\": 2017}",
		      tprintf("If-Match: \"0\", %s", now));
	expect_book(r->what, expect_json(r, 200), id, title, "Brett Slatkin",
		    2017);
	r = http_with("PUT", path, book_json(title, "Brett Slatkin", 2018),
		      tprintf("If-Match: %s", etag_of(r)));
	expect_book(r->what, expect_json(r, 200), id, title, "Brett Slatkin",
		    2018);
	r = http_with("DELETE", path, NULL,
		      tprintf("If-Match: %s", etag_of(r)));
	expect_status(r, 204);
	expect_problem(http_get(path), 404, NULL);
}

/* --- list parameters ------------------------------------------------------ */

Test(params, per_page_defaults_to_20)
{
	const char *p = prefix();
	http_resp *r;
	int i;

	for (i = 0; i < 21; i++)
		create_book(tprintf("%s%02d", p, i), "Mark Pilgrim", 2000);
	r = http_get(tprintf("/books?title__startswith=%s", qenc(p)));
	expect_page(r, 1, 20, 21, 2, -1, 2, 20);
}

Test(params, per_page_100_is_the_most_a_client_gets)
{
	const char *p = prefix();
	http_resp *r;

	create_book(tprintf("%sOnly", p), "Mark Pilgrim", 2000);
	r = http_get(
		tprintf("/books?title__startswith=%s&per_page=100", qenc(p)));
	expect_page(r, 1, 100, 1, 1, -1, -1, 1);
	expect_problem(http_get("/books?per_page=101"), 400, "per_page");
}

Test(params, sort_by_several_keys_and_directions)
{
	const char *p = prefix(), *q = tprintf("title__startswith=%s", qenc(p));

	create_book(tprintf("%sb", p), "Mark Pilgrim", 2001);
	create_book(tprintf("%sa", p), "Mark Pilgrim", 2001);
	create_book(tprintf("%sc", p), "Mark Pilgrim", 2003);
	create_book(tprintf("%sd", p), "Mark Pilgrim", 1999);
	expect_listed(tprintf("/books?%s&sort=-year,title", q), "title",
		      prefixed(p, "c|a|b|d"));
	expect_listed(tprintf("/books?%s&sort=year,-title", q), "title",
		      prefixed(p, "d|b|a|c"));
	expect_listed(tprintf("/books?%s&sort=title", q), "title",
		      prefixed(p, "a|b|c|d"));
}

Test(params, sort_on_an_unknown_field_is_400)
{
	expect_problem(http_get("/books?sort=color"), 400, "color");
}

Test(params, fields_keep_only_those_keys_and_the_id)
{
	const char *p = prefix();
	json_object *items;
	http_resp *r;
	size_t i;

	create_book(tprintf("%s1", p), "Mark Pilgrim", 2001);
	create_book(tprintf("%s2", p), "Mark Pilgrim", 2002);
	r = http_get(tprintf("/books?title__startswith=%s&sort=title"
			     "&fields=title,year",
			     qenc(p)));
	items = expect_page(r, 1, 20, 2, 1, -1, -1, 2);
	for (i = 0; i < 2; i++) {
		json_object *it = json_object_array_get_idx(items, i);

		expect_keys(r->what, it, "_id,title,year");
		expect_jstr(r->what, it, "title", tprintf("%s%zu", p, i + 1));
		expect_jint(r->what, it, "year", 2001 + (int64_t)i);
	}
}

/* Three books under a fresh prefix, titled a (2003), b (2004), c (2005);
 * the list filtered by filter (and the prefix, sorted by title) must hold
 * exactly want. */
static void
check_filter(const char *filter, const char *want)
{
	const char *p = prefix();

	create_book(tprintf("%sa", p), "Mark Pilgrim", 2003);
	create_book(tprintf("%sb", p), "Luciano Ramalho", 2004);
	create_book(tprintf("%sc", p), "Al Sweigart", 2005);
	expect_listed(tprintf("/books?title__startswith=%s&%s&sort=title",
			      qenc(p), filter),
		      "title", prefixed(p, want));
}

Test(filters, eq)
{
	check_filter("year=2004", "b");
}

Test(filters, ne)
{
	check_filter("year__ne=2004", "a|c");
}

Test(filters, gt)
{
	check_filter("year__gt=2004", "c");
}

Test(filters, gte)
{
	check_filter("year__gte=2004", "b|c");
}

Test(filters, lt)
{
	check_filter("year__lt=2004", "a");
}

Test(filters, lte)
{
	check_filter("year__lte=2004", "a|b");
}

Test(filters, in)
{
	check_filter("year__in=2003,2004", "a|b");
}

Test(filters, in_with_an_encoded_comma)
{
	check_filter("year__in=2003%2C2005", "a|c");
}

Test(filters, nin)
{
	check_filter("year__nin=2003,2004", "c");
}

Test(filters, exists)
{
	check_filter("year__exists=true", "a|b|c");
	check_filter("year__exists=false", "");
}

Test(filters, repeated_filters_all_apply)
{
	check_filter("year__ne=2003&year__ne=2005", "b");
	check_filter("year__gte=2004&year__lte=2004", "b");
}

Test(filters, eq_on_a_seed_title)
{
	http_resp *r = http_get("/books?title=Dive%20Into%20Python");
	json_object *items = expect_page(r, 1, 20, 1, 1, -1, -1, 1);
	const seed_book *s = &seed_books[0];

	expect_book(r->what, json_object_array_get_idx(items, 0), s->id,
		    s->title, s->author, s->year);
}

/* --- errors --------------------------------------------------------------- */

Test(errors, malformed_json_body_is_400)
{
	expect_problem(http_json("POST", "/books", "{\"title\": "), 400,
		       "JSON");
}

Test(errors, unknown_field_in_a_body_is_400_naming_it)
{
	http_resp *r = http_json("POST", "/books",
				 "{\"title\": \"x\", \"author\": {\"name\": "
				 "\"y\"}, \"year\": 2000, \"color\": \"red\"}");

	expect_problem(r, 400, NULL);
	expect_error_for(r, "color");
}

Test(errors, wrong_kind_in_a_body_is_400_naming_the_field)
{
	http_resp *r = http_json("POST", "/books",
				 "{\"title\": 5, \"author\": {\"name\": "
				 "\"y\"}, \"year\": 2000}");

	expect_problem(r, 400, NULL);
	expect_error_for(r, "title");
}

Test(errors, bad_page_numbers_are_400)
{
	expect_problem(http_get("/books?page=abc"), 400, "page");
	expect_problem(http_get("/books?page=1.5"), 400, "page");
	expect_problem(http_get("/books?page=99999999999999999999"), 400,
		       "page");
}

Test(errors, bad_per_page_is_400)
{
	expect_problem(http_get("/books?per_page=0"), 400, "per_page");
	expect_problem(http_get("/books?per_page=101"), 400, "per_page");
}

Test(errors, unknown_filter_field_or_operator_is_400)
{
	expect_problem(http_get("/books?color=red"), 400, "color");
	expect_problem(http_get("/books?year__like=2004"), 400, "like");
}

Test(errors, operator_and_dotted_keys_are_refused)
{
	expect_problem(http_get("/books?$where=1"), 400, "$where");
	expect_problem(http_get("/books?%24where=1"), 400, "$where");
	expect_problem(http_get("/books?author.name.x=x"), 400,
		       "author.name.x: cannot go through \"name\"");
}

Test(errors, filter_value_of_the_wrong_kind_is_400)
{
	expect_problem(http_get("/books?year=abc"), 400, "year");
}

Test(errors, unknown_route_is_404)
{
	expect_problem(http_get("/no-such-thing"), 404, NULL);
	expect_problem(http_get("/books/since"), 404, NULL);
}

Test(errors, unknown_or_malformed_id_is_404)
{
	expect_problem(http_get(tprintf("/books/%s", absent_id())), 404, NULL);
	expect_problem(http_get("/books/blasphemy"), 404, NULL);
	expect_problem(http_get("/authors/blasphemy"), 404, NULL);
}

/* An empty list is its page 1, with "pages": 0: a first link and no
 * last one, which would name a page 1 that "pages" says is not there. */
Test(params, empty_list_has_a_first_link_and_no_last)
{
	const char *q = tprintf("/books?title__startswith=%s", qenc(prefix()));
	http_resp *r = http_get(q);

	expect_page(r, 1, 20, 0, 0, -1, -1, 0);
	expect_links(r, tprintf("%s&page=1&per_page=20", q), NULL, NULL, NULL);
}

Test(errors, pages_that_do_not_exist_are_404)
{
	const char *p = prefix();

	create_book(tprintf("%sOne", p), "Mark Pilgrim", 2000);
	/* A page below 1 reads as the 404 it is, like a page past the end. */
	expect_problem(http_get("/books?page=0"), 404,
		       "page 0 does not exist: pages start at 1");
	expect_problem(http_get("/books?page=-1"), 404,
		       "page -1 does not exist: pages start at 1");
	expect_problem(http_get(tprintf("/books?title__startswith=%s&page=3",
					qenc(p))),
		       404, "page 3 does not exist");
	expect_problem(http_get(tprintf("/books?title__startswith=%s&page=2",
					qenc(p))),
		       404, NULL);
	expect_problem(http_get("/books?page=9223372036854775807"), 404, NULL);
}

Test(params, empty_first_page_is_200)
{
	http_resp *r = http_get(
		tprintf("/books?title__startswith=%s", qenc(prefix())));

	expect_page(r, 1, 20, 0, 0, -1, -1, 0);
}

Test(errors, wrong_method_is_405_with_allow)
{
	http_resp *r;

	r = http_json("PATCH", "/books", "{}");
	expect_problem(r, 405, NULL);
	expect_header(r, "Allow", "GET, HEAD, POST");
	r = http("DELETE", "/books", NULL, NULL, 0);
	expect_problem(r, 405, NULL);
	expect_header(r, "Allow", "GET, HEAD, POST");
	r = http_json("POST", tprintf("/books/%s", seed_books[0].id), "{}");
	expect_problem(r, 405, NULL);
	expect_header(r, "Allow", "GET, HEAD, PUT, PATCH, DELETE");
	r = http("DELETE", "/books/since/2010", NULL, NULL, 0);
	expect_problem(r, 405, NULL);
	expect_header(r, "Allow", "GET, HEAD");
}

Test(errors, duplicate_id_is_409_and_keeps_the_stored_book)
{
	const seed_book *s = &seed_books[0];
	http_resp *r;

	r = http_json("POST", "/books",
		      tprintf("{\"_id\": \"%s\", \"title\": \"%sDuplicate\", "
			      "\"author\": {\"name\": \"x\"}, \"year\": 1}",
			      s->id, prefix()));
	expect_problem(r, 409, NULL);
	r = http_get(tprintf("/books/%s", s->id));
	expect_book(r->what, expect_json(r, 200), s->id, s->title, s->author,
		    s->year);
}

/*
 * An author's name is unique (the example's index): a write that would
 * repeat a stored one is a 409, whether it creates (POST), replaces (PUT,
 * plain or with If-Match) or changes (PATCH), and both authors stay as
 * they were.
 */
Test(errors, unique_name_is_409_for_post_put_and_patch_and_keeps_both)
{
	const char *p = prefix();
	const char *taken = tprintf("%sTaken", p), *own = tprintf("%sOwn", p);
	const char *first = create_author(taken), *second = create_author(own);
	const char *path = tprintf("/authors/%s", second), *etag;
	const char *same = "the same value for a unique index";
	http_resp *r;

	r = http_json("POST", "/authors", doc_json(&authors, taken));
	expect_problem(r, 409, same);
	r = http_json("PUT", path, doc_json(&authors, taken));
	expect_problem(r, 409, same);
	r = http_json("PATCH", path, tprintf("{\"name\": \"%s\"}", taken));
	expect_problem(r, 409, same);

	r = http_get(path);
	expect_author(r->what, expect_json(r, 200), second, own);
	etag = tprintf("If-Match: %s", etag_of(r));
	r = http_with("PUT", path, doc_json(&authors, taken), etag);
	expect_problem(r, 409, same);
	r = http_with("PATCH", path, tprintf("{\"name\": \"%s\"}", taken),
		      etag);
	expect_problem(r, 409, same);

	r = http_get(tprintf("/authors/%s", first));
	expect_author(r->what, expect_json(r, 200), first, taken);
	r = http_get(path);
	expect_author(r->what, expect_json(r, 200), second, own);
	r = http_get(tprintf("/authors?name__startswith=%s", qenc(p)));
	expect_jint(r->what, expect_json(r, 200), "total", 2);
}

/* The worker's own limit (MA_BODY_LIMIT); nginx's is in test_http. */

Test(errors, body_that_is_not_json_is_415)
{
	const char *json = book_json(tprintf("%sPlain", prefix()), "x", 2000);

	expect_problem(http("POST", "/books", "text/plain", json, strlen(json)),
		       415, NULL);
	expect_problem(http("POST", "/books", NULL, json, strlen(json)), 415,
		       NULL);
}

/* What a front end answers itself or passes on (conditional GETs, escapes,
 * the body limit, HEAD) is in frontend.c, compiled into this program and
 * into test_http. */

/* --- the since route ------------------------------------------------------ */

Test(since, lists_books_of_the_year_and_after_newest_first)
{
	const char *p = prefix(), *base;
	http_resp *r;

	create_book(tprintf("%sx", p), "Mark Pilgrim", 2009);
	create_book(tprintf("%sb", p), "Mark Pilgrim", 2010);
	create_book(tprintf("%sb", p), "Mark Pilgrim", 2015);
	create_book(tprintf("%sa", p), "Mark Pilgrim", 2015);
	create_book(tprintf("%sc", p), "Mark Pilgrim", 2020);
	base = tprintf("/books/since/2010?title__startswith=%s", qenc(p));

	r = http_get(base);
	cr_assert_str_eq(
		texts(r->what, expect_page(r, 1, 20, 4, 1, -1, -1, 4), "title"),
		prefixed(p, "c|a|b|b"));
	cr_assert_str_eq(
		texts(r->what, jget(r->what, r->json, "items"), "year"),
		"2020|2015|2015|2010");

	r = http_get(tprintf("%s&page=2&per_page=3", base));
	cr_assert_str_eq(
		texts(r->what, expect_page(r, 2, 3, 4, 2, 1, -1, 1), "year"),
		"2010");
}

/* The seed books of 2012 and after, newest first, ties by title. */
static const char seed_since_2012[] =
	"5f0000000000000000000b07|5f0000000000000000000b04|"
	"5f0000000000000000000b03|5f0000000000000000000b06|"
	"5f0000000000000000000b05";

Test(since, seed_books_come_newest_first_with_ties_by_title)
{
	int64_t page = 1, last_year = INT64_MAX;
	const char *last_title = "";
	json_object *items, *next;
	ma_buf seen;
	char *got;

	_ma_buf_init(&seen, 256);
	for (;;) {
		http_resp *r = http_get(tprintf("/books/since/2012?per_page=100"
						"&page=%" PRId64,
						page));
		size_t i, n;

		items = jget(r->what, expect_json(r, 200), "items");
		expect_jint(r->what, r->json, "page", page);
		n = json_object_array_length(items);
		for (i = 0; i < n; i++) {
			json_object *it = json_object_array_get_idx(items, i);
			const char *id, *title;
			int64_t year;

			id = json_object_get_string(jget(r->what, it, "_id"));
			title = json_object_get_string(
				jget(r->what, it, "title"));
			year = json_object_get_int64(jget(r->what, it, "year"));
			cr_assert_geq(year, 2012, "%s: %s of %" PRId64, r->what,
				      title, year);
			cr_assert(year < last_year ||
					  (year == last_year &&
					   strcmp(title, last_title) >= 0),
				  "%s: \"%s\" (%" PRId64 ") after \"%s\" "
				  "(%" PRId64 ")",
				  r->what, title, year, last_title, last_year);
			last_year = year;
			last_title = title;
			if (is_seed_book(id))
				_ma_buf_printf(&seen, "%s%s",
					       seen.len > 0 ? "|" : "", id);
		}
		next = jget(r->what, r->json, "next_num");
		if (next == NULL)
			break;
		/* Anything but the next page would loop or skip items. */
		cr_assert(json_object_is_type(next, json_type_int) &&
				  json_object_get_int64(next) == page + 1,
			  "%s: next_num %s, expected %" PRId64, r->what,
			  json_object_to_json_string(next), page + 1);
		page++;
	}
	got = keep(_ma_buf_steal(&seen, NULL), bson_free);
	cr_assert_str_eq(got, seed_since_2012,
			 "seed books since 2012: %s, expected %s", got,
			 seed_since_2012);
}

Test(since, year_that_is_not_an_integer_is_400)
{
	expect_problem(http_get("/books/since/abc"), 400, NULL);
	expect_problem(http_get("/books/since/20x0"), 400, NULL);
}

/* --- CORS (LIBRARY_CORS_ORIGINS) -------------------------------------------
 */

#define EXPOSED "ETag, Link, Location, Retry-After, X-Request-Id, X-Total-Count"

/* method path with the headers given (NULL-terminated, at most 4). */
static http_resp *
http_headers(const char *method, const char *path, const char *json,
	     const char *h1, const char *h2, const char *h3)
{
	const char *headers[4] = {h1, h2, h3, NULL};
	http_opts opts = {.headers = headers};
	http_resp *r;

	http_ready();
	r = http_try(method, path, json ? "application/json" : NULL, json,
		     json ? strlen(json) : 0, &opts);

	cr_assert(r->status != 0, "%s %s: %s", method, path, r->error);
	return keep(r, http_free_any);
}

/* r answers the allowed origin: its CORS headers, once each. */
static void
expect_allowed(const http_resp *r)
{
	expect_header(r, "Access-Control-Allow-Origin", CORS_ORIGIN);
	expect_header(r, "Access-Control-Expose-Headers", EXPOSED);
	expect_header(r, "Vary", "Origin");
	cr_expect_null(http_header_get(r, "Access-Control-Allow-Credentials"),
		       "%s", r->what);
}

Test(cors, writes_and_reads_of_the_allowed_origin_carry_the_headers)
{
	const char *o = "Origin: " CORS_ORIGIN;
	const char *title = tprintf("%sCors", prefix());
	const char *id, *path, *tag;
	http_resp *r;

	r = http_headers("POST", "/books",
			 book_json(title, "Luciano Ramalho", 2015), o, NULL,
			 NULL);
	id = id_of(r->what, expect_json(r, 201));
	path = tprintf("/books/%s", id);
	expect_header(r, "Location", path);
	expect_allowed(r);

	r = http_headers("GET", tprintf("/books?title=%s", qenc(title)), NULL,
			 o, NULL, NULL);
	expect_page(r, 1, 20, 1, 1, -1, -1, 1);
	expect_header(r, "X-Total-Count", "1");
	cr_assert_not_null(http_header_get(r, "Link"));
	expect_allowed(r);

	tag = etag_of(http_get(path));
	r = http_headers("GET", path, NULL, o,
			 tprintf("If-None-Match: %s", tag), NULL);
	expect_status(r, 304);
	expect_allowed(r);
	r = http_headers("PATCH", path, "{\"year\": 2022}", o,
			 "If-Match: \"0000000000000000\"", NULL);
	expect_problem(r, 412, "changed");
	expect_allowed(r);
	r = http_headers("PATCH", path, "{\"year\": 2022}", o,
			 tprintf("If-Match: %s", tag), NULL);
	expect_book(r->what, expect_json(r, 200), id, title, "Luciano Ramalho",
		    2022);
	expect_allowed(r);
	r = http_headers("DELETE", path, NULL, o, NULL, NULL);
	expect_status(r, 204);
	expect_allowed(r);
	r = http_headers("GET", "/healthz", NULL, o, NULL, NULL);
	expect_status(r, 200);
	expect_allowed(r);
}

Test(cors, preflights_list_each_path_s_methods)
{
	const char *o = "Origin: " CORS_ORIGIN;
	const char *get = "Access-Control-Request-Method: GET";
	static const struct {
		const char *path, *methods;
	} paths[] = {
		{"/books", "GET, HEAD, POST"},
		{"/books/" SEED_ID("b01"), "GET, HEAD, PUT, PATCH, DELETE"},
		{"/books/since/2013", "GET, HEAD"},
		{"/authors", "GET, HEAD, POST"},
		{"/healthz", "GET, HEAD"},
		{"/openapi.json", "GET, HEAD"},
	};
	http_resp *r;
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		r = http_headers("OPTIONS", paths[i].path, NULL, o, get, NULL);
		expect_status(r, 204);
		expect_header(r, "Access-Control-Allow-Origin", CORS_ORIGIN);
		expect_header(r, "Access-Control-Allow-Methods",
			      paths[i].methods);
		expect_header(r, "Access-Control-Max-Age", "600");
		cr_expect_eq(r->len, 0, "%s", r->what);
	}
}

Test(cors, a_refused_origin_s_simple_post_stores_nothing)
{
	const char *title = tprintf("%sSimple", prefix());
	http_resp *r;

	/* The browser sends a form's POST without a preflight: text/plain
	 * is a 415, and the answer tells the page nothing. */
	http_ready();
	r = http_try(
		"POST", "/books", "text/plain",
		book_json(title, "Mallory", 2000),
		strlen(book_json(title, "Mallory", 2000)),
		&(http_opts){.headers = (const char *const[]){
				     "Origin: https://evil.example", NULL}});
	keep(r, http_free_any);
	expect_problem(r, 415, NULL);
	cr_expect_null(http_header_get(r, "Access-Control-Allow-Origin"));
	expect_header(r, "Vary", "Origin");
	expect_listed(tprintf("/books?title=%s", qenc(title)), "title", "");
}

/* Criterion's main, with one test at a time unless CRITERION_JOBS says
 * otherwise. */
/* --- dotted paths and lists ---------------------------------------------- */

/* Four books under a fresh prefix, titled a to d, by three authors. */
static const char *
four_books(void)
{
	const char *p = prefix();

	create_book(tprintf("%sa", p), "Mark Pilgrim", 2003);
	create_book(tprintf("%sb", p), "Luciano Ramalho", 2004);
	create_book(tprintf("%sc", p), "Al Sweigart", 2005);
	create_book(tprintf("%sd", p), "Mark Pilgrim", 2010);
	return p;
}

Test(paths, filters_on_the_author_s_name)
{
	const char *p = four_books();
	const char *base = tprintf("/books?title__startswith=%s", qenc(p));

	expect_listed(
		tprintf("%s&author.name=Mark%%20Pilgrim&sort=title", base),
		"title", prefixed(p, "a|d"));
	expect_listed(tprintf("%s&author.name__startswith=L&sort=title", base),
		      "title", prefixed(p, "b"));
	expect_listed(
		tprintf("%s&author.name__ne=Mark+Pilgrim&sort=title", base),
		"title", prefixed(p, "b|c"));
	expect_listed(tprintf("%s&author.name__gte=M&sort=title", base),
		      "title", prefixed(p, "a|d"));
	expect_listed(tprintf("%s&author.name__in=Al+Sweigart,Luciano+"
			      "Ramalho&sort=title",
			      base),
		      "title", prefixed(p, "b|c"));
	expect_listed(
		tprintf("%s&author.name__nin=Al+Sweigart&sort=title", base),
		"title", prefixed(p, "a|b|d"));
	expect_listed(tprintf("%s&author.name__exists=false", base), "title",
		      "");
	expect_listed(
		tprintf("%s&author.name=Mark+Pilgrim&year__gt=2005", base),
		"title", prefixed(p, "d"));
	/* two conditions on one path: both hold */
	expect_listed(tprintf("%s&author.name__gte=L&author.name__lt=M&sort="
			      "title",
			      base),
		      "title", prefixed(p, "b"));
}

Test(paths, seed_books_of_mark_pilgrim_newest_first)
{
	/* Among seed books only: other tests make books of his too. */
	const char *q = "/books?author.name=Mark%20Pilgrim&sort=-year&_id__"
			"in=" SEED_ID("b01") "," SEED_ID("b02") "," SEED_ID(
				"b03") "," SEED_ID("b07");
	http_resp *r = http_get(q);
	json_object *items = expect_page(r, 1, 20, 2, 1, -1, -1, 2);

	expect_book(r->what, json_object_array_get_idx(items, 0),
		    seed_books[1].id, seed_books[1].title, "Mark Pilgrim",
		    2009);
	expect_book(r->what, json_object_array_get_idx(items, 1),
		    seed_books[0].id, seed_books[0].title, "Mark Pilgrim",
		    2004);
	expect_links(r, tprintf("%s&page=1&per_page=20", q), NULL, NULL,
		     tprintf("%s&page=1&per_page=20", q));
}

Test(paths, sort_by_the_author_s_name_then_year)
{
	const char *p = four_books();
	const char *base = tprintf("/books?title__startswith=%s", qenc(p));

	expect_listed(tprintf("%s&sort=author.name,-year", base), "title",
		      prefixed(p, "c|b|d|a"));
	expect_listed(tprintf("%s&sort=-author.name,year", base), "title",
		      prefixed(p, "a|d|b|c"));
}

/* One book a page, sorted by the author's name with ties (the id breaks
 * them): each next link leads to the page after, and the walk sees every
 * book once. */
Test(paths, links_of_a_dotted_sort_walk_every_page)
{
	const char *p = four_books();
	const char *url = tprintf("/books?title__startswith=%s&sort=-author."
				  "name&per_page=1",
				  qenc(p));
	const char *seen = "";
	link_ref links[4];
	json_object *items;
	http_resp *r;
	size_t n, i;
	int page;

	for (page = 1; page <= 4; page++) {
		r = http_get(url);
		items = jget(r->what, expect_json(r, 200), "items");
		cr_assert_eq(json_object_array_length(items), 1, "%s", r->what);
		seen = tprintf("%s%s%s", seen, page > 1 ? "|" : "",
			       texts(r->what, items, "title"));
		n = links_parse(http_header_get(r, "Link"), links, 4);
		url = NULL;
		for (i = 0; i < n; i++) {
			if (strcmp(links[i].rel, "next") == 0)
				url = links[i].url;
		}
		if (page < 4)
			cr_assert_not_null(url, "%s: no next link", r->what);
	}
	cr_assert_null(url, "a link after the last page");
	/* Mark Pilgrim's two first (by id: a, then d), then the others */
	cr_assert_str_eq(seen, prefixed(p, "a|d|b|c"));
}

Test(paths, fields_keep_a_part_of_the_author)
{
	const char *p = prefix();
	json_object *items, *it;
	http_resp *r;

	create_book(tprintf("%sa", p), "Mark Pilgrim", 2003);
	r = http_get(tprintf("/books?title__startswith=%s&fields=title,author."
			     "name",
			     qenc(p)));
	items = expect_page(r, 1, 20, 1, 1, -1, -1, 1);
	it = json_object_array_get_idx(items, 0);
	expect_keys(r->what, it, "_id,title,author");
	expect_keys(r->what, jget(r->what, it, "author"), "name");
	expect_jstr(r->what, jget(r->what, it, "author"), "name",
		    "Mark Pilgrim");
}

Test(paths, paths_that_are_not_declared_documents_are_400_naming_the_part)
{
	expect_problem(http_get("/books?author.nme=x"), 400,
		       "author.nme: no such field \"nme\" in Author");
	expect_problem(http_get("/books?author.name.first__startswith=x"), 400,
		       "author.name.first__startswith: cannot go through "
		       "\"name\": it is a string");
	expect_problem(http_get("/books?author..name=x"), 400,
		       "author..name: the path has an empty part");
	expect_problem(http_get("/books?author.%24ne=x"), 400,
		       "author.$ne: a name cannot hold '$'");
	expect_problem(http_get("/books?sort=author.nme"), 400,
		       "sort: \"author.nme\": no such field \"nme\" in Author");
	expect_problem(http_get("/books?fields=author.name.x"), 400,
		       "fields: \"author.name.x\": cannot go through \"name\"");
	expect_problem(http_get("/books?author.name__size=1"), 400,
		       "author.name__size: size applies to list fields only");
	expect_problem(http_get("/books?author__size=1"), 400,
		       "author__size: an embedded document can only be tested "
		       "with author__exists");
}

/* A resource of the test's own, for what the example's types lack: lists
 * of strings and numbers, and a list of documents. */
static const ma_field move_fields[] = {MA_STRING("room"), MA_FIELDS_END};
static const ma_type move_type = {.name = "Move", .fields = move_fields};
static const ma_field tagged_fields[] = {
	MA_STRING("title"),
	MA_LIST("tags", MA_ITEM(MA_STRING(NULL, .max_len = 12))),
	MA_LIST("counts", MA_ITEM(MA_INT(NULL))),
	MA_LIST("moves", MA_ITEM(MA_DOCUMENT(NULL, &move_type))),
	/* filter values checked as a body's: enums, a date */
	MA_ENUM("genre", MA_VALUES("novel", "poetry", "essay"),
		.optional = true),
	MA_LIST("moods", MA_ITEM(MA_ENUM(NULL, MA_VALUES("calm", "dark"))),
		.optional = true),
	MA_DATETIME("at", .optional = true), MA_FIELDS_END};
static const ma_type tagged_type = {
	.name = "Tagged", .collection = "tagged", .fields = tagged_fields};
static const resource tagged = {.path = "/tagged", .key = "title"};

/* The test's application: /tagged only, on the run's database. */
static void
serve_tagged(void)
{
	ma_app *a;
	ma_db *db;

	live_require_server();
	a = ma_app_new(NULL, NULL);
	db = ma_app_add_db(a, NULL, NULL);
	ma_app_resource(a, "/tagged", db, &tagged_type, NULL, NULL);
	inproc_use(a);
}

Test(paths, lists_of_scalars_over_http)
{
	const char *p, *base;

	serve_tagged();
	p = prefix();
	base = tprintf("/tagged?title__startswith=%s&sort=title", qenc(p));
	create(&tagged, tprintf("{\"title\": \"%sa\", \"tags\": [\"python\", "
				"\"web\"], \"counts\": [1, 2], \"moves\": "
				"[{\"room\": \"A\"}]}",
				p));
	create(&tagged, tprintf("{\"title\": \"%sb\", \"tags\": [\"python\"], "
				"\"counts\": [3], \"moves\": []}",
				p));
	create(&tagged,
	       tprintf("{\"title\": \"%sc\", \"tags\": [], \"counts\": "
		       "[], \"moves\": [{\"room\": \"A\"}, {\"room\": "
		       "\"B\"}]}",
		       p));

	/* an item: the lists that hold it */
	expect_listed(tprintf("%s&tags=python", base), "title",
		      prefixed(p, "a|b"));
	expect_listed(tprintf("%s&tags=web", base), "title", prefixed(p, "a"));
	expect_listed(tprintf("%s&tags__ne=web", base), "title",
		      prefixed(p, "b|c"));
	expect_listed(tprintf("%s&tags__in=web,rust", base), "title",
		      prefixed(p, "a"));
	expect_listed(tprintf("%s&tags__nin=web", base), "title",
		      prefixed(p, "b|c"));
	expect_listed(tprintf("%s&tags__startswith=py", base), "title",
		      prefixed(p, "a|b"));
	/* longer than a tag may be: a question all the same */
	expect_listed(tprintf("%s&tags=a-very-long-tag-indeed", base), "title",
		      "");
	/* all of them, in any order */
	expect_listed(tprintf("%s&tags__all=web,python", base), "title",
		      prefixed(p, "a"));
	expect_listed(tprintf("%s&tags__all=python", base), "title",
		      prefixed(p, "a|b"));
	expect_listed(tprintf("%s&tags__all=python,rust", base), "title", "");
	/* how many */
	expect_listed(tprintf("%s&tags__size=0", base), "title",
		      prefixed(p, "c"));
	expect_listed(tprintf("%s&tags__size=2", base), "title",
		      prefixed(p, "a"));
	expect_listed(tprintf("%s&moves__size=2", base), "title",
		      prefixed(p, "c"));
	expect_listed(tprintf("%s&tags__size=2147483647", base), "title", "");
	/* numbers */
	expect_listed(tprintf("%s&counts=2", base), "title", prefixed(p, "a"));
	expect_listed(tprintf("%s&counts__gte=2", base), "title",
		      prefixed(p, "a|b"));
	expect_listed(tprintf("%s&counts__all=2,1", base), "title",
		      prefixed(p, "a"));

	expect_problem(http_get("/tagged?tags.x=1"), 400,
		       "tags.x: cannot go through \"tags\": it is a list");
	expect_problem(http_get("/tagged?moves.room=A"), 400,
		       "moves.room: cannot go through \"moves\": it is a list");
	expect_problem(http_get("/tagged?moves=A"), 400,
		       "moves: a list of embedded documents can only be tested "
		       "with moves__exists or moves__size");
	expect_problem(http_get("/tagged?tags__size=-1"), 400,
		       "tags__size: size takes an integer from 0 to "
		       "2147483647, not '-1'");
	expect_problem(http_get("/tagged?tags__size=99999999999999999999"), 400,
		       "tags__size: size takes an integer");
	expect_problem(http_get("/tagged?counts__all=1,x"), 400,
		       "counts__all: must be an integer, not 'x'");
	expect_problem(http_get("/tagged?sort=tags"), 400,
		       "sort: tags cannot be a sort key: it holds a list");
}

/* Serves /tagged and creates two documents under a fresh prefix, titled a
 * and b, with empty lists and the members a and b (JSON) more; the
 * prefix. */
static const char *
two_tagged(const char *a, const char *b)
{
	static const char form[] = "{\"title\": \"%s%s\", \"tags\": [], "
				   "\"counts\": [], \"moves\": [], %s}";
	const char *p;

	serve_tagged();
	p = prefix();
	create(&tagged, tprintf(form, p, "a", a));
	create(&tagged, tprintf(form, p, "b", b));
	return p;
}

/* An enum's filter value must be one of its values, in the words of a
 * body's check; an order is a question about text all the same. */
Test(paths, enum_filters_take_the_field_s_values_only)
{
	static const char genres[] = "must be one of: novel, poetry, essay";
	const char *p = two_tagged(
		"\"genre\": \"novel\", \"moods\": [\"calm\"]",
		"\"genre\": \"poetry\", \"moods\": [\"calm\", \"dark\"]");
	const char *base =
		tprintf("/tagged?title__startswith=%s&sort=title", qenc(p));
	http_resp *r;

	expect_listed(tprintf("%s&genre=novel", base), "title",
		      prefixed(p, "a"));
	expect_listed(tprintf("%s&genre__ne=novel", base), "title",
		      prefixed(p, "b"));
	expect_listed(tprintf("%s&genre__in=essay,poetry", base), "title",
		      prefixed(p, "b"));
	expect_listed(tprintf("%s&genre__nin=essay", base), "title",
		      prefixed(p, "a|b"));
	expect_listed(tprintf("%s&genre__gt=o", base), "title",
		      prefixed(p, "b"));
	expect_listed(tprintf("%s&moods=calm", base), "title",
		      prefixed(p, "a|b"));
	expect_listed(tprintf("%s&moods__all=dark,calm", base), "title",
		      prefixed(p, "b"));

	expect_problem(http_get("/tagged?genre=western"), 400,
		       tprintf("genre: %s", genres));
	expect_problem(http_get("/tagged?genre__ne=Novel"), 400,
		       tprintf("genre__ne: %s", genres));
	expect_problem(http_get("/tagged?genre__in=novel,western"), 400,
		       tprintf("genre__in: %s", genres));
	expect_problem(http_get("/tagged?genre__nin=western"), 400,
		       tprintf("genre__nin: %s", genres));
	expect_problem(http_get("/tagged?moods=sunny"), 400,
		       "moods: must be one of: calm, dark");
	expect_problem(http_get("/tagged?moods__all=calm,sunny"), 400,
		       "moods__all: must be one of: calm, dark");
	/* a body says the same */
	r = http_json("POST", "/tagged",
		      "{\"title\": \"x\", \"tags\": [], \"counts\": [], "
		      "\"moves\": [], \"genre\": \"western\"}");
	expect_problem(r, 400, NULL);
	expect_error_for(r, "genre");
	cr_assert_str_eq(json_object_get_string(jget(
				 r->what,
				 json_object_array_get_idx(
					 jget(r->what, r->json, "errors"), 0),
				 "message")),
			 genres);
}

/* A filter may ask for anything the field could hold: the bounds and
 * lengths of a body are not applied to it. */
Test(filters, bounds_and_lengths_are_for_bodies_only)
{
	const char *p = prefix();
	char long_title[600];
	http_resp *r;

	create_book(tprintf("%sa", p), "Mark Pilgrim", 9999);
	memset(long_title, 'x', sizeof(long_title) - 1);
	long_title[sizeof(long_title) - 1] = '\0';

	expect_listed(
		tprintf("/books?title__startswith=%s&year=20000", qenc(p)),
		"title", "");
	expect_listed(
		tprintf("/books?title__startswith=%s&year__lt=20000", qenc(p)),
		"title", prefixed(p, "a"));
	expect_listed(
		tprintf("/books?title__startswith=%s&year__gt=-1", qenc(p)),
		"title", prefixed(p, "a"));
	expect_listed(tprintf("/books?title=%s", long_title), "title", "");
	expect_listed(
		tprintf("/books?title__startswith=%s&author.name=", qenc(p)),
		"title", "");

	/* where a body of the same values is refused */
	r = http_json("POST", "/books", book_json("x", "y", 20000));
	expect_problem(r, 400, NULL);
	expect_error_for(r, "year");
}

/* Dates in a filter are RFC 3339, in every form it allows. */
Test(paths, date_filters_are_rfc_3339)
{
	const char *p = two_tagged("\"at\": \"2004-07-01T12:00:00Z\"",
				   "\"at\": \"2004-07-01T12:00:00.250Z\"");
	const char *base =
		tprintf("/tagged?title__startswith=%s&sort=title", qenc(p));

	expect_listed(tprintf("%s&at=2004-07-01T12:00:00Z", base), "title",
		      prefixed(p, "a"));
	expect_listed(tprintf("%s&at=2004-07-01t12:00:00z", base), "title",
		      prefixed(p, "a"));
	expect_listed(tprintf("%s&at=2004-07-01T14:00:00%%2B02:00", base),
		      "title", prefixed(p, "a"));
	expect_listed(tprintf("%s&at=2004-07-01T11:00:00-01:00", base), "title",
		      prefixed(p, "a"));
	expect_listed(tprintf("%s&at=2004-07-01T12:00:00.2501234567Z", base),
		      "title", prefixed(p, "b"));
	expect_listed(tprintf("%s&at__gt=2004-07-01T12:00:00.1Z", base),
		      "title", prefixed(p, "b"));
	expect_listed(tprintf("%s&at__in=2004-07-01T11:59:60Z,2004-07-01T12:"
			      "00:00.25Z",
			      base),
		      "title", prefixed(p, "a|b"));

	expect_problem(http_get("/tagged?at=2004-07-01"), 400, "at: must be");
	expect_problem(http_get("/tagged?at=2004-07-01T12:00:00"), 400,
		       "at: must be");
	expect_problem(http_get("/tagged?at=2004-07-01T12:00:00+02:00"), 400,
		       "at: must be");
}

int
main(int argc, char *argv[])
{
	struct criterion_test_set *tests = criterion_initialize();
	int status = 0;

	criterion_options.jobs = 1;
	if (criterion_handle_args(argc, argv, true))
		status = !criterion_run_all_tests(tests);
	criterion_finalize(tests);
	return status;
}
