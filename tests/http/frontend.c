/*
 * The tests of what a front end answers itself or passes on, compiled into
 * both test_http (through nginx and through Apache) and test_contract (in
 * process, with each front end's CGI variables): each must hold both ways,
 * so it is written once. Conditional GETs, escapes in the query and the
 * path, the body limit, HEAD, a Link header too long to pass.
 */
#include "httplib.h"
#include "resources.h"
#include "seed.h"

/* The front end must pass a worker's 304 on without a body, and Apache's
 * reading of a worker's headers may answer a conditional GET itself. */
Test(etags, get_carries_an_etag_and_if_none_match_is_304)
{
	const char *title = tprintf("%sTagged", prefix());
	const char *id = create_book(title, "Mark Pilgrim", 2004);
	const char *path = tprintf("/books/%s", id);
	const char *tag = etag_of(http_get(path));
	http_resp *r;

	cr_assert_str_eq(etag_of(http_get(path)), tag,
			 "two GETs of an unchanged book differ");
	r = http_with("GET", path, NULL, tprintf("If-None-Match: %s", tag));
	expect_status(r, 304);
	cr_assert_eq(r->len, 0, "%s: 304 with a body: %s", r->what, r->body);
	cr_assert_str_eq(etag_of(r), tag);
	/* Weak comparison: a weak form of the tag, among others, matches. */
	r = http_with("GET", path, NULL,
		      tprintf("If-None-Match: \"0\", W/%s", tag));
	expect_status(r, 304);
	r = http_with("HEAD", path, NULL, tprintf("If-None-Match: %s", tag));
	expect_status(r, 304);
	r = http_with("GET", path, NULL, "If-None-Match: \"0123456789abcdef\"");
	expect_book(r->what, expect_json(r, 200), id, title, "Mark Pilgrim",
		    2004);
	cr_assert_str_eq(etag_of(r), tag);
}

/* The query string reaches the worker through the front end, which must
 * pass '+' and %2B as sent. Space as %20 and as '+', regex characters
 * taken literally. */
Test(filters, startswith_is_literal_and_decoded)
{
	const char *p = prefix(), *q;

	create_book(tprintf("%sC++ (one)", p), "Mark Pilgrim", 2001);
	create_book(tprintf("%sC++ two", p), "Mark Pilgrim", 2001);
	create_book(tprintf("%sCxx (three)", p), "Mark Pilgrim", 2001);
	create_book(tprintf("%sa.c", p), "Mark Pilgrim", 2001);
	create_book(tprintf("%sabc", p), "Mark Pilgrim", 2001);

	q = qenc(tprintf("%sC++ (", p));
	expect_listed(tprintf("/books?title__startswith=%s&sort=title", q),
		      "title", prefixed(p, "C++ (one)"));
	/* The prefix's trailing space and the one in "C++ (" as '+', the
	 * pluses of the title as %2B, the parenthesis as it is. */
	q = tprintf("/books?title__startswith=%s+C%%2B%%2B+(&sort=title",
		    qenc(tprintf("%.*s", (int)strlen(p) - 1, p)));
	expect_listed(q, "title", prefixed(p, "C++ (one)"));
	expect_listed(tprintf("/books?title__startswith=%s&sort=title",
			      qenc(tprintf("%sa.", p))),
		      "title", prefixed(p, "a.c"));
}

/* nginx and Apache refuse a bad escape in the path themselves, with their
 * own problem+json pages; the worker refuses it in the query string. */
Test(errors, invalid_percent_escape_is_400)
{
	expect_problem(http_get("/books?title=%zz"), 400, "%zz");
	expect_problem(http_get("/books/%zz"), 400, NULL);
}

/* A trailing '/' is not the path without it: a 404 that says so, for
 * every method, whether the front end or the worker routes it; a path
 * that has no route either way is the plain 404. */
Test(errors, trailing_slash_is_a_404_that_says_so)
{
	static const char say[] = "one matches it without the trailing '/'";
	const char *item = tprintf("/books/%s/", seed_books[0].id);
	http_resp *r;

	expect_problem(http_get("/books/"), 404, say);
	expect_problem(http_get("/authors/"), 404, say);
	expect_problem(http_get(item), 404, say);
	expect_problem(http_get("/books/since/2010/"), 404, say);
	expect_problem(http_json("POST", "/books/", "{}"), 404, say);
	expect_problem(http("DELETE", item, NULL, NULL, 0), 404, say);
	r = http_get("/no-such-thing/");
	expect_problem(r, 404, "no route matches this path");
	cr_assert_null(find_nocase(json_object_get_string(
					   jget(r->what, r->json, "detail")),
				   "trailing"),
		       "%s: the path has no route with or without the '/'",
		       r->what);
	/* The book is still there. */
	expect_status(http_get(tprintf("/books/%s", seed_books[0].id)), 200);
}

/* nginx refuses a body over its client_max_body_size itself, and Apache
 * passes it on to a worker that reads and drops it before it answers. */
Test(errors, body_over_the_limit_is_413)
{
	size_t n = 2 * 1024 * 1024, i;
	char *big = bson_malloc(n + 1);
	const char *head = "{\"title\": \"";
	http_resp *r;

	memcpy(big, head, strlen(head));
	for (i = strlen(head); i < n - 2; i++)
		big[i] = 'x';
	memcpy(big + n - 2, "\"}", 3);
	keep(big, bson_free);
	r = http("POST", "/books", "application/json", big, n);
	expect_problem(r, 413, NULL);
}

/* The front end handles HEAD too: it must pass the headers of the GET and
 * send no body. */
Test(head, list_answers_as_get_without_body)
{
	check_head("/books", true);
	check_head("/books?per_page=3&page=2&sort=title", true);
}

Test(head, document_answers_as_get_without_body)
{
	check_head(tprintf("/books/%s", seed_books[1].id), false);
	check_head(tprintf("/authors/%s", seed_authors[1].id), false);
}

/*
 * Found by Schemathesis through nginx: a list filtered by a long in-list
 * got a Link header of four times its query string, and nginx refused
 * that answer head ("upstream sent too big header": a 502). A Link
 * header over MA_LINK_MAX (8000 bytes) is left out; the page object and
 * X-Total-Count still say where the page is. In-process and through each
 * front end, which passes the page on.
 */
Test(filters, long_query_answers_without_a_link_header_too_long_to_pass)
{
	const char *p = prefix();
	const char *ids = "5f0000000000000000000b01", *id = ids;
	http_resp *r;
	int i;

	create_book(tprintf("%sOnly", p), "Mark Pilgrim", 2000);
	for (i = 1; i < 100; i++)
		ids = tprintf("%s,%s", ids, id);
	/* Twice: the first and last links of the one page then pass 8000
	 * bytes. */
	r = http_get(
		tprintf("/books?title__startswith=%s&_id__nin=%s&_id__nin=%s",
			qenc(p), ids, ids));
	expect_page(r, 1, 20, 1, 1, -1, -1, 1);
	cr_assert_eq(http_header_count(r, "Link"), 0,
		     "%s: a Link header of %zu bytes", r->what,
		     strlen(http_header_get(r, "Link")));
	expect_header(r, "X-Total-Count", "1");

	/* Ten ids: the links fit, and are there. */
	ids = id;
	for (i = 1; i < 10; i++)
		ids = tprintf("%s,%s", ids, id);
	r = http_get(tprintf("/books?title__startswith=%s&_id__nin=%s", qenc(p),
			     ids));
	cr_assert_eq(http_header_count(r, "Link"), 1, "%s: no Link header",
		     r->what);
}
