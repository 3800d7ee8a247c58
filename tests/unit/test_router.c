/*
 * The router: which handler a method and a raw path reach, with what
 * parameters; 404 against 405; the patterns it refuses; and paths a
 * hostile client would send.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "http/http-private.h"

/* Handlers are told apart by the arg of their route; the functions only
 * need distinct addresses. */
static void
h_one(ma_request *req, ma_response *res, void *arg)
{
	(void)req;
	(void)res;
	(void)arg;
}

static void
h_two(ma_request *req, ma_response *res, void *arg)
{
	(void)req;
	(void)res;
	(void)arg;
}

static ma_router *router;

static void
setup(void)
{
	router = _ma_router_new();
	cr_assert_not_null(router);
}

static void
teardown(void)
{
	_ma_router_destroy(router);
}

TestSuite(router, .init = setup, .fini = teardown);
TestSuite(patterns, .init = setup, .fini = teardown);
TestSuite(methods);

static void
add(unsigned methods, const char *pattern, const char *tag)
{
	ma_error e;

	ma_error_clear(&e);
	cr_assert(_ma_router_add(router, methods, pattern, h_one, (void *)tag,
				 &e),
		  "%s refused: %s", pattern, e.message);
}

/*
 * Expects method path to reach the route tagged tag with params, given as
 * "name=value" lines joined by '\n' ("" for none).
 */
static void
expect_found(ma_method method, const char *path, const char *tag,
	     const char *params)
{
	ma_route_match m;
	ma_route_result r;
	ma_error e;
	ma_buf got;
	size_t i;

	ma_error_clear(&e);
	r = _ma_router_match(router, method, path, &m, &e);
	cr_expect_eq(r, MA_ROUTE_FOUND, "%s %s: result %d (%s)",
		     ma_method_name(method), path, r, e.message);
	if (r != MA_ROUTE_FOUND) {
		_ma_route_match_clear(&m);
		return;
	}
	cr_expect_eq(m.handler, h_one, "%s %s: handler", ma_method_name(method),
		     path);
	cr_expect_str_eq((const char *)m.arg, tag, "%s %s reached %s",
			 ma_method_name(method), path, (const char *)m.arg);
	_ma_buf_init(&got, 32);
	for (i = 0; i < m.nparams; i++)
		_ma_buf_printf(&got, "%s%s=%s", i > 0 ? "\n" : "", m.names[i],
			       m.values[i]);
	cr_expect_str_eq(got.data, params, "%s %s: params\n%s\nwant\n%s",
			 ma_method_name(method), path, got.data, params);
	_ma_buf_destroy(&got);
	_ma_route_match_clear(&m);
	cr_expect_eq(m.nparams, 0);
	cr_expect_null(m.values[0]);
}

static void
expect_not_found(ma_method method, const char *path)
{
	ma_route_match m;
	ma_route_result r;
	ma_error e;

	r = _ma_router_match(router, method, path, &m, &e);
	cr_expect_eq(r, MA_ROUTE_NOT_FOUND, "%s %s: result %d",
		     ma_method_name(method), path != NULL ? path : "(null)", r);
	cr_expect_eq(m.nparams, 0);
	cr_expect_null(m.handler);
	cr_expect_eq(m.allowed, 0);
	_ma_route_match_clear(&m);
}

static void
expect_no_method(ma_method method, const char *path, unsigned allowed)
{
	ma_route_match m;
	ma_route_result r;
	ma_error e;

	r = _ma_router_match(router, method, path, &m, &e);
	cr_expect_eq(r, MA_ROUTE_NO_METHOD, "%s %s: result %d",
		     ma_method_name(method), path, r);
	cr_expect_eq(m.allowed, allowed, "%s %s: allowed %#x, want %#x",
		     ma_method_name(method), path, m.allowed, allowed);
	cr_expect_null(m.handler);
	cr_expect_eq(m.nparams, 0);
	_ma_route_match_clear(&m);
}

static void
expect_bad_path(ma_method method, const char *path, const char *says)
{
	ma_route_match m;
	ma_route_result r;
	ma_error e;

	ma_error_clear(&e);
	r = _ma_router_match(router, method, path, &m, &e);
	cr_expect_eq(r, MA_ROUTE_BAD_PATH, "%s %s: result %d",
		     ma_method_name(method), path, r);
	cr_expect_eq(e.code, MA_ERR_INVALID, "%s: %s", path, e.message);
	cr_expect_str_eq(e.message, says, "%s", path);
	/* Nothing is left to free or to use. */
	cr_expect_null(m.handler);
	cr_expect_eq(m.nparams, 0);
	for (size_t i = 0; i < MA_ROUTE_MAX_PARAMS; i++)
		cr_expect_null(m.values[i]);
	_ma_route_match_clear(&m);
}

/* --- choosing the route -------------------------------------------------- */

Test(router, literal_and_parameter_segments)
{
	add(MA_GET, "/books", "list");
	add(MA_GET, "/books/{id}", "get");
	add(MA_GET, "/authors/{author}/books/{book}", "nested");

	expect_found(MA_GET, "/books", "list", "");
	expect_found(MA_GET, "/books/42", "get", "id=42");
	expect_found(MA_GET, "/authors/mark/books/7", "nested",
		     "author=mark\nbook=7");
	expect_not_found(MA_GET, "/book");
	expect_not_found(MA_GET, "/booksx");
	expect_not_found(MA_GET, "/books/42/x");
	expect_not_found(MA_GET, "/authors/mark");
	expect_not_found(MA_GET, "/authors/mark/books");
	expect_not_found(MA_GET, "/authors/mark/book/7");
	/* literals are case-sensitive, as paths are */
	expect_not_found(MA_GET, "/Books");
}

static void
literal_wins(bool literal_first)
{
	if (literal_first) {
		add(MA_GET, "/books/new", "new");
		add(MA_GET, "/books/{id}", "get");
	} else {
		add(MA_GET, "/books/{id}", "get");
		add(MA_GET, "/books/new", "new");
	}
	expect_found(MA_GET, "/books/new", "new", "");
	expect_found(MA_GET, "/books/news", "get", "id=news");
	expect_found(MA_GET, "/books/ne", "get", "id=ne");
	/* compared before decoding: an escaped literal is a parameter */
	expect_found(MA_GET, "/books/%6Eew", "get", "id=new");
}

Test(router, literal_beats_parameter_added_first)
{
	literal_wins(true);
}

Test(router, literal_beats_parameter_added_after)
{
	literal_wins(false);
}

Test(router, parameter_branch_is_tried_when_the_literal_leads_nowhere)
{
	add(MA_GET, "/books/new", "new");
	add(MA_POST, "/books/{id}/like", "like");
	add(MA_GET, "/{kind}/new/{x}", "deep");

	expect_found(MA_POST, "/books/new/like", "like", "id=new");
	expect_found(MA_GET, "/books/new/1", "deep", "kind=books\nx=1");
	expect_found(MA_GET, "/books/new", "new", "");
	expect_not_found(MA_GET, "/books/new/like/x");
}

Test(router, root)
{
	add(MA_GET, "/", "root");
	add(MA_GET, "/{page}", "page");

	expect_found(MA_GET, "/", "root", "");
	expect_found(MA_GET, "/about", "page", "page=about");
	expect_not_found(MA_GET, "//");
	expect_not_found(MA_GET, "/about/");
	expect_not_found(MA_GET, "");
	expect_not_found(MA_GET, "about");
	expect_not_found(MA_GET, NULL);
	expect_not_found(MA_GET, "*");
}

Test(router, root_is_not_routed_unless_added)
{
	add(MA_GET, "/books", "list");
	expect_not_found(MA_GET, "/");
}

Test(router, trailing_slash_and_empty_segments_match_nothing)
{
	add(MA_GET, "/books", "list");
	add(MA_GET, "/books/{id}", "get");
	add(MA_GET, "/books/{id}/reviews", "reviews");

	expect_not_found(MA_GET, "/books/");
	expect_not_found(MA_GET, "/books//");
	expect_not_found(MA_GET, "//books");
	expect_not_found(MA_GET, "/books//reviews");
	expect_not_found(MA_GET, "/books/1/");
	expect_not_found(MA_GET, "/books/1//reviews");
	expect_not_found(MA_GET, "/books/1/reviews/");
	expect_found(MA_GET, "/books/1/reviews", "reviews", "id=1");
}

Test(router, no_route_at_all)
{
	expect_not_found(MA_GET, "/");
	expect_not_found(MA_GET, "/books");
}

Test(router, intermediate_segments_are_not_routes)
{
	add(MA_GET, "/a/b/c", "abc");
	expect_not_found(MA_GET, "/a");
	expect_not_found(MA_GET, "/a/b");
	expect_found(MA_GET, "/a/b/c", "abc", "");
}

/* --- parameters ---------------------------------------------------------- */

Test(router, parameters_are_percent_decoded_within_their_segment)
{
	add(MA_GET, "/books/{id}", "get");
	add(MA_GET, "/books/{id}/x", "x");

	expect_found(MA_GET, "/books/a%2Fb", "get", "id=a/b");
	expect_found(MA_GET, "/books/a%2fb/x", "x", "id=a/b");
	expect_found(MA_GET, "/books/%C3%A9t%C3%A9", "get",
		     "id=\xc3\xa9t\xc3\xa9");
	expect_found(MA_GET, "/books/a%20b", "get", "id=a b");
	/* '+' is a plus in a path */
	expect_found(MA_GET, "/books/a+b", "get", "id=a+b");
	expect_found(MA_GET, "/books/%25", "get", "id=%");
	expect_found(MA_GET, "/books/%3F%23", "get", "id=?#");
}

Test(router, bad_escape_in_a_parameter_is_a_bad_path)
{
	add(MA_GET, "/books/{id}", "get");
	add(MA_GET, "/a/{x}/{y}", "two");

	expect_bad_path(MA_GET, "/books/%zz",
			"id: invalid escape \"%zz\" in \"%zz\"");
	expect_bad_path(MA_GET, "/books/ab%4",
			"id: truncated escape \"%4\" in \"ab%4\"");
	expect_bad_path(MA_GET, "/books/ab%",
			"id: truncated escape \"%\" in \"ab%\"");
	expect_bad_path(MA_GET, "/books/%00",
			"id: escape \"%00\" (NUL) in \"%00\"");
	expect_bad_path(MA_GET, "/books/%FF",
			"id: not valid UTF-8 once decoded: \"%FF\"");
	/* the first parameter decoded, the second refused: nothing leaks */
	expect_bad_path(MA_GET, "/a/ok/%C3",
			"y: not valid UTF-8 once decoded: \"%C3\"");
}

Test(router, bad_escape_in_a_literal_position_is_not_found)
{
	add(MA_GET, "/books", "list");
	expect_not_found(MA_GET, "/%zz");
	expect_not_found(MA_GET, "/books/%zz");
}

Test(router, eight_parameters)
{
	add(MA_GET, "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}", "eight");
	expect_found(MA_GET, "/1/2/3/4/5/6/7/8", "eight",
		     "a=1\nb=2\nc=3\nd=4\ne=5\nf=6\ng=7\nh=8");
	expect_not_found(MA_GET, "/1/2/3/4/5/6/7");
	expect_not_found(MA_GET, "/1/2/3/4/5/6/7/8/9");
}

Test(router, parameter_names_are_those_of_the_method_route)
{
	ma_error e;

	add(MA_GET, "/books/{id}", "get");
	cr_assert(_ma_router_add(router, MA_PUT, "/books/{key}", h_two,
				 (void *)"put", &e),
		  "%s", e.message);
	expect_found(MA_GET, "/books/1", "get", "id=1");

	ma_route_match m;

	cr_assert_eq(_ma_router_match(router, MA_PUT, "/books/2", &m, &e),
		     MA_ROUTE_FOUND);
	cr_expect_eq(m.handler, h_two);
	cr_expect_str_eq((const char *)m.arg, "put");
	cr_expect_eq(m.nparams, 1);
	cr_expect_str_eq(m.names[0], "key");
	cr_expect_str_eq(m.values[0], "2");
	cr_expect_eq(m.allowed, MA_GET | MA_HEAD | MA_PUT);
	_ma_route_match_clear(&m);
}

/* --- methods ------------------------------------------------------------- */

Test(router, not_found_against_method_not_allowed)
{
	add(MA_GET | MA_POST, "/books", "books");
	add(MA_GET | MA_PUT | MA_DELETE, "/books/{id}", "book");
	add(MA_DELETE, "/trash", "trash");

	expect_found(MA_POST, "/books", "books", "");
	expect_no_method(MA_DELETE, "/books", MA_GET | MA_HEAD | MA_POST);
	expect_no_method(MA_PATCH, "/books/1",
			 MA_GET | MA_HEAD | MA_PUT | MA_DELETE);
	expect_no_method(MA_OPTIONS, "/books/1",
			 MA_GET | MA_HEAD | MA_PUT | MA_DELETE);
	/* no GET: no HEAD */
	expect_no_method(MA_GET, "/trash", MA_DELETE);
	expect_no_method(MA_HEAD, "/trash", MA_DELETE);
	expect_not_found(MA_DELETE, "/nothing");
}

Test(router, the_path_chooses_the_pattern_then_the_method)
{
	add(MA_GET, "/books/count", "count");
	add(MA_GET | MA_DELETE, "/books/{id}", "book");

	/* /books/count is the count resource: it has no DELETE */
	expect_no_method(MA_DELETE, "/books/count", MA_GET | MA_HEAD);
	expect_found(MA_DELETE, "/books/1", "book", "id=1");
}

Test(router, head_is_answered_by_get)
{
	add(MA_GET, "/books", "get");
	add(MA_GET, "/own", "get");
	add(MA_HEAD, "/own", "head");
	add(MA_HEAD, "/only-head", "head");

	expect_found(MA_HEAD, "/books", "get", "");
	/* a HEAD route of its own wins, in either order */
	expect_found(MA_HEAD, "/own", "head", "");
	expect_found(MA_GET, "/own", "get", "");
	expect_no_method(MA_GET, "/only-head", MA_HEAD);
}

Test(router, a_method_that_is_not_one_bit_is_not_allowed)
{
	add(MA_GET | MA_POST, "/books", "books");

	expect_no_method((ma_method)(MA_GET | MA_POST), "/books",
			 MA_GET | MA_HEAD | MA_POST);
	expect_no_method((ma_method)0, "/books", MA_GET | MA_HEAD | MA_POST);
	expect_no_method((ma_method)(1 << 9), "/books",
			 MA_GET | MA_HEAD | MA_POST);
}

/* --- patterns ------------------------------------------------------------ */

static void
expect_refused(unsigned methods, const char *pattern, ma_handler handler,
	       const char *says)
{
	ma_error e;

	ma_error_clear(&e);
	cr_expect_not(_ma_router_add(router, methods, pattern, handler,
				     (void *)"refused", &e),
		      "%s accepted", pattern != NULL ? pattern : "(null)");
	cr_expect_eq(e.code, MA_ERR_INVALID, "%s: %s", pattern, e.message);
	cr_expect_str_eq(e.message, says, "%s", pattern);
}

Test(patterns, malformed_patterns_are_refused_each_rule)
{
	static const struct {
		const char *pattern;
		const char *says;
	} cases[] = {
		{NULL, "route \"(null)\": a pattern starts with '/'"},
		{"", "route \"\": a pattern starts with '/'"},
		{"books", "route \"books\": a pattern starts with '/'"},
		{"/books/", "route \"/books/\": a trailing '/'"},
		{"//", "route \"//\": an empty segment"},
		{"//books", "route \"//books\": an empty segment"},
		{"/a//b", "route \"/a//b\": an empty segment"},
		{"/{", "route \"/{\": \"{\" is not a parameter: use {name}, "
		       "name of letters, digits and '_'"},
		{"/{}", "route \"/{}\": \"{}\" is not a parameter: use {name}, "
			"name of letters, digits and '_'"},
		{"/{id", "route \"/{id\": \"{id\" is not a parameter: use "
			 "{name}, name of letters, digits and '_'"},
		{"/{1a}", "route \"/{1a}\": \"{1a}\" is not a parameter: use "
			  "{name}, name of letters, digits and '_'"},
		{"/{a-b}", "route \"/{a-b}\": \"{a-b}\" is not a parameter: "
			   "use {name}, name of letters, digits and '_'"},
		{"/{a}b", "route \"/{a}b\": \"{a}b\" is not a parameter: use "
			  "{name}, name of letters, digits and '_'"},
		{"/{{a}}", "route \"/{{a}}\": \"{{a}}\" is not a parameter: "
			   "use {name}, name of letters, digits and '_'"},
		{"/a{id}",
		 "route \"/a{id}\": a literal segment cannot hold '{'"},
		{"/a}", "route \"/a}\": a literal segment cannot hold '}'"},
		{"/a%20b",
		 "route \"/a%20b\": a literal segment cannot hold '%'"},
		{"/a?b", "route \"/a?b\": a literal segment cannot hold '?'"},
		{"/a#b", "route \"/a#b\": a literal segment cannot hold '#'"},
		{"/a b",
		 "route \"/a b\": a literal segment cannot hold byte 0x20"},
		{"/\xc3\xa9", "route \"/\xc3\xa9\": a literal segment cannot "
			      "hold byte 0xC3"},
		{"/a\tb", "route \"/a\tb\": a literal segment cannot hold "
			  "byte 0x09"},
		{"/{a}/x/{a}", "route \"/{a}/x/{a}\": parameter \"a\" named "
			       "twice"},
		{"/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}",
		 "route \"/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}\": more than 8 "
		 "parameters"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_refused(MA_GET, cases[i].pattern, h_one, cases[i].says);
	/* nothing of them was added */
	expect_not_found(MA_GET, "/books");
	expect_not_found(MA_GET, "/a/b");
	expect_not_found(MA_GET, "/x");
}

Test(patterns, sixty_four_segments_at_most)
{
	char pattern[64 * 2 + 3], want[200];
	size_t i;

	for (i = 0; i < 64; i++)
		memcpy(pattern + 2 * i, "/s", 2);
	pattern[128] = '\0';
	add(MA_GET, pattern, "deep");
	/* the pattern is its own path */
	expect_found(MA_GET, pattern, "deep", "");

	memcpy(pattern + 128, "/s", 3);
	snprintf(want, sizeof(want), "route \"%.80s\": too many segments",
		 pattern);
	expect_refused(MA_POST, pattern, h_one, want);
}

Test(patterns, methods_and_handler_are_checked)
{
	expect_refused(0, "/books", h_one,
		       "route \"/books\": methods must be ma_method bits");
	expect_refused(1u << 7, "/books", h_one,
		       "route \"/books\": methods must be ma_method bits");
	expect_refused(MA_GET | (1u << 12), "/books", h_one,
		       "route \"/books\": methods must be ma_method bits");
	expect_refused(MA_GET, "/books", NULL,
		       "route \"/books\": a router and a handler are required");
	expect_not_found(MA_GET, "/books");
}

Test(patterns, a_method_the_pattern_has_is_refused)
{
	add(MA_GET | MA_POST, "/books", "books");
	add(MA_GET, "/books/{id}", "get");

	expect_refused(MA_GET, "/books", h_two,
		       "route \"/books\": GET is already routed");
	/* parameter names aside, it is the same pattern */
	expect_refused(MA_GET, "/books/{key}", h_two,
		       "route \"/books/{key}\": GET is already routed");
	/* one method already there refuses the whole call */
	expect_refused(MA_PUT | MA_POST, "/books", h_two,
		       "route \"/books\": POST is already routed");
	expect_no_method(MA_PUT, "/books", MA_GET | MA_HEAD | MA_POST);
	expect_found(MA_GET, "/books", "books", "");
	/* a new method on the same pattern is fine */
	add(MA_DELETE, "/books/{key}", "delete");
	expect_found(MA_DELETE, "/books/1", "delete", "key=1");
	expect_found(MA_GET, "/books/1", "get", "id=1");
}

Test(patterns, explicit_head_beside_get_is_not_a_duplicate)
{
	add(MA_GET, "/books", "get");
	add(MA_HEAD, "/books", "head");
	expect_refused(MA_HEAD, "/books", h_one,
		       "route \"/books\": HEAD is already routed");
}

Test(patterns, literals_with_every_visible_character_but_the_reserved)
{
	add(MA_GET, "/a-b_c.d~e!$&'()*+,;=:@", "odd");
	expect_found(MA_GET, "/a-b_c.d~e!$&'()*+,;=:@", "odd", "");
}

Test(patterns, root)
{
	add(MA_GET, "/", "root");
	expect_refused(MA_GET, "/", h_one,
		       "route \"/\": GET is already routed");
	expect_found(MA_GET, "/", "root", "");
}

/* --- hostile paths ------------------------------------------------------- */

Test(router, very_long_paths_are_cheap_and_safe)
{
	size_t n = 4 * 1024 * 1024;
	char *path = bson_malloc(n + 1);
	size_t i;

	add(MA_GET, "/{a}/{b}", "two");
	add(MA_GET, "/{a}", "one");

	/* one huge segment: a parameter's value */
	path[0] = '/';
	memset(path + 1, 'x', n - 1);
	path[n] = '\0';
	ma_route_match m;
	ma_error e;
	cr_assert_eq(_ma_router_match(router, MA_GET, path, &m, &e),
		     MA_ROUTE_FOUND);
	cr_expect_str_eq((const char *)m.arg, "one");
	cr_expect_eq(strlen(m.values[0]), n - 1);
	_ma_route_match_clear(&m);

	/* millions of segments: no pattern is that deep */
	for (i = 0; i < n; i += 2) {
		path[i] = '/';
		path[i + 1] = 'a';
	}
	expect_not_found(MA_GET, path);

	/* only slashes */
	memset(path, '/', n);
	expect_not_found(MA_GET, path);

	/* every byte value, '/' among them: thousands of segments */
	for (i = 0; i < n; i++)
		path[i] = (char)(i % 255 + 1);
	path[0] = '/';
	expect_not_found(MA_GET, path);
	bson_free(path);
}

Test(router, raw_bytes_in_a_parameter_must_be_utf8)
{
	add(MA_GET, "/{a}", "one");
	expect_found(MA_GET, "/\xc3\xa9", "one", "a=\xc3\xa9");
	expect_bad_path(MA_GET, "/\xff",
			"a: not valid UTF-8 once decoded: \"%FF\"");
}

Test(router, deep_pattern_trees_do_not_blow_up)
{
	/* Many patterns sharing literal prefixes with a parameter at every
	 * level: each node is tried at most once per request. */
	char pattern[256];
	int i;

	for (i = 0; i < 40; i++) {
		snprintf(pattern, sizeof(pattern), "/{p}/l%d", i);
		add(MA_GET, pattern, "lit");
	}
	add(MA_GET, "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}", "params");
	add(MA_GET, "/x/x/x/x/x/x/x/never", "literal");
	expect_found(MA_GET, "/x/x/x/x/x/x/x/x", "params",
		     "a=x\nb=x\nc=x\nd=x\ne=x\nf=x\ng=x\nh=x");
	expect_found(MA_GET, "/x/x/x/x/x/x/x/never", "literal", "");
	expect_found(MA_GET, "/q/l39", "lit", "p=q");
}

/* --- Allow and method names ---------------------------------------------- */

static void
expect_allow(unsigned allowed, const char *want)
{
	ma_buf b;

	_ma_buf_init(&b, 8);
	_ma_allow_header(&b, allowed);
	cr_expect_str_eq(b.data, want, "%#x", allowed);
	cr_expect_eq(b.len, strlen(want));
	_ma_buf_destroy(&b);
}

Test(methods, allow_header_lists_bits_in_method_order)
{
	expect_allow(0, "");
	expect_allow(MA_GET, "GET");
	expect_allow(MA_POST | MA_HEAD | MA_GET, "GET, HEAD, POST");
	expect_allow(MA_DELETE | MA_PUT | MA_PATCH, "PUT, PATCH, DELETE");
	expect_allow(MA_GET | MA_HEAD | MA_POST | MA_PUT | MA_PATCH |
			     MA_DELETE | MA_OPTIONS,
		     "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
	/* unknown bits are not methods */
	expect_allow(MA_OPTIONS | (1u << 10), "OPTIONS");
}

Test(methods, names_both_ways)
{
	static const struct {
		ma_method m;
		const char *name;
	} all[] = {
		{MA_GET, "GET"},	 {MA_HEAD, "HEAD"},
		{MA_POST, "POST"},	 {MA_PUT, "PUT"},
		{MA_PATCH, "PATCH"},	 {MA_DELETE, "DELETE"},
		{MA_OPTIONS, "OPTIONS"},
	};
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		cr_expect_str_eq(ma_method_name(all[i].m), all[i].name);
		cr_expect_eq(ma_method_from_name(all[i].name), all[i].m, "%s",
			     all[i].name);
	}
}

Test(methods, unknown_names_and_bits)
{
	cr_expect_null(ma_method_name((ma_method)0));
	cr_expect_null(ma_method_name((ma_method)(MA_GET | MA_POST)));
	cr_expect_null(ma_method_name((ma_method)(1 << 7)));
	cr_expect_eq(ma_method_from_name("get"), 0);
	cr_expect_eq(ma_method_from_name("Get"), 0);
	cr_expect_eq(ma_method_from_name("GET "), 0);
	cr_expect_eq(ma_method_from_name("GETX"), 0);
	cr_expect_eq(ma_method_from_name("TRACE"), 0);
	cr_expect_eq(ma_method_from_name("CONNECT"), 0);
	cr_expect_eq(ma_method_from_name(""), 0);
	cr_expect_eq(ma_method_from_name(NULL), 0);
}
