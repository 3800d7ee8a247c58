/*
 * The list grammar without a server: the filter, sort and projection each
 * query string builds (byte for byte), every parameter it must refuse
 * with the message a client reads, and the Link header of a page.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "fake_env.h"
#include "http/http-private.h"
#include "library.h"
#include "path_types.h"
#include "query/query-private.h"

#define HEX "0123456789abcdef01234567"
#define I64(n) "{\"$numberLong\":\"" #n "\"}"
#define OPS "(ne, gt, gte, lt, lte, in, nin, exists, startswith, all, size)"

/* The type the next query string applies to: Book unless a test says. */
static const ma_type *on = &library_book_type;

static ma_db *db;
static ma_query *q;
static ma_error err;
static int64_t page, per_page;

static void
setup(void)
{
	ma_error e = {.code = MA_OK};

	db = fake_db("unit", &e);
	cr_assert_not_null(db, "%s", e.message);
}

static void
teardown(void)
{
	ma_query_destroy(q);
	q = NULL;
	ma_db_destroy(db);
}

TestSuite(list_params, .init = setup, .fini = teardown);

/* Parses text and applies it to a new query on Book; page and per_page
 * start at a value neither could be. */
static bool
apply_with(const char *text, int64_t max, const char *const *skip)
{
	ma_error qe;
	ma_qs qs;
	bool ok;

	cr_assert(_ma_qs_parse(text, &qs, &qe), "%s: %s", text, qe.message);
	ma_query_destroy(q);
	q = ma_query_new(db, on);
	page = per_page = -7;
	ma_error_clear(&err);
	_ma_error_set(&err, MA_ERR_DRIVER, "left over");
	ok = _ma_list_params(&qs, q, max, skip, &page, &per_page, &err);
	_ma_qs_destroy(&qs);
	return ok;
}

static bool
apply(const char *text)
{
	return apply_with(text, MA_MAX_PER_PAGE, NULL);
}

/* Byte for byte, so an int32 where an int64 is due is a failure. */
static void
expect_doc(const char *text, const char *what, const bson_t *got,
	   const bson_t *want)
{
	char *gs = bson_as_canonical_extended_json(got, NULL);
	char *ws = bson_as_canonical_extended_json(want, NULL);

	cr_expect(bson_equal(got, want), "%s: %s\ngot  %s\nwant %s", text, what,
		  gs, ws);
	bson_free(gs);
	bson_free(ws);
}

/* want is canonical extended JSON. */
static void
expect_bson(const char *text, const char *what, const bson_t *got,
	    const char *want)
{
	bson_error_t berr;
	bson_t *w = bson_new_from_json((const uint8_t *)want, -1, &berr);

	cr_assert_not_null(w, "expected JSON %s: %s", want, berr.message);
	expect_doc(text, what, got, w);
	bson_destroy(w);
}

static void
expect_filter(const char *text, const char *want)
{
	bool ok = apply(text);

	cr_expect(ok, "%s: %s", text, err.message);
	if (ok)
		expect_bson(text, "filter", ma_query_filter_bson(q), want);
}

static void
expect_sort(const char *text, const char *want)
{
	bson_t sort;
	bool ok = apply(text);

	cr_expect(ok, "%s: %s", text, err.message);
	if (!ok)
		return;
	_ma_query_sort_doc(q, false, false, &sort);
	expect_bson(text, "sort", &sort, want);
	bson_destroy(&sort);
}

static void
expect_fields(const char *text, const char *want)
{
	bool ok = apply(text);

	cr_expect(ok, "%s: %s", text, err.message);
	if (ok)
		expect_bson(text, "projection", &q->projection, want);
}

static void
expect_pages(const char *text, int64_t max, int64_t want_page,
	     int64_t want_per_page)
{
	bool ok = apply_with(text, max, NULL);

	cr_expect(ok, "%s: %s", text, err.message);
	cr_expect_eq(err.code, MA_OK, "%s: error left: %s", text, err.message);
	cr_expect_eq(page, want_page, "%s: page %" PRId64, text, page);
	cr_expect_eq(per_page, want_per_page, "%s: per_page %" PRId64, text,
		     per_page);
}

/* A refusal: its code and its whole message; page and per_page are left
 * alone. */
static void
expect_refused(const char *text, ma_error_code code, const char *says)
{
	bool ok = apply(text);

	cr_expect_not(ok, "%s accepted", text);
	cr_expect_eq(err.code, code, "%s: code %d (%s)", text, err.code,
		     err.message);
	cr_expect_str_eq(err.message, says, "%s", text);
	cr_expect(bson_utf8_validate(err.message, strlen(err.message), false),
		  "%s: message not UTF-8", text);
	cr_expect_eq(page, -7, "%s: page written", text);
	cr_expect_eq(per_page, -7, "%s: per_page written", text);
}

/* --- defaults and pages -------------------------------------------------- */

Test(list_params, nothing_gives_the_defaults_and_an_open_query)
{
	bson_t sort;

	expect_pages("", MA_MAX_PER_PAGE, 1, 20);
	expect_bson("", "filter", ma_query_filter_bson(q), "{}");
	expect_bson("", "projection", &q->projection, "{}");
	_ma_query_sort_doc(q, false, false, &sort);
	expect_bson("", "sort", &sort, "{}");
	bson_destroy(&sort);
}

Test(list_params, null_query_string_gives_the_defaults)
{
	q = ma_query_new(db, &library_book_type);
	cr_expect(_ma_list_params(NULL, q, 0, NULL, &page, &per_page, &err),
		  "%s", err.message);
	cr_expect_eq(page, 1);
	cr_expect_eq(per_page, 20);
	/* the outputs may be NULL */
	cr_expect(_ma_list_params(NULL, q, 0, NULL, NULL, NULL, &err), "%s",
		  err.message);
}

Test(list_params, page_and_per_page)
{
	expect_pages("page=2", MA_MAX_PER_PAGE, 2, 20);
	expect_pages("page=2&per_page=5", MA_MAX_PER_PAGE, 2, 5);
	expect_pages("per_page=100", MA_MAX_PER_PAGE, 1, 100);
	expect_pages("per_page=1", MA_MAX_PER_PAGE, 1, 1);
	expect_pages("page=007", MA_MAX_PER_PAGE, 7, 20);
	expect_pages("page=9223372036854775807", MA_MAX_PER_PAGE, INT64_MAX,
		     20);
	/* the maximum is the caller's; 0 or less is the default maximum */
	expect_pages("per_page=500", 500, 1, 500);
	expect_pages("per_page=100", 0, 1, 100);
	expect_pages("per_page=100", -3, 1, 100);
	/* a maximum below the default lowers the default */
	expect_pages("", 10, 1, 10);
	expect_pages("per_page=10", 10, 1, 10);
	expect_pages("", 1, 1, 1);
}

Test(list_params, per_page_above_a_small_maximum)
{
	cr_expect_not(apply_with("per_page=11", 10, NULL));
	cr_expect_eq(err.code, MA_ERR_INVALID);
	cr_expect_str_eq(err.message, "per_page: must be between 1 and 10");
}

Test(list_params, page_and_per_page_refused)
{
	static const struct {
		const char *text;
		ma_error_code code;
		const char *says;
	} cases[] = {
		/* strict decimal */
		{"page=abc", MA_ERR_INVALID, "page: must be a decimal integer"},
		{"page=", MA_ERR_INVALID, "page: must be a decimal integer"},
		{"page", MA_ERR_INVALID, "page: must be a decimal integer"},
		{"page=+1", MA_ERR_INVALID, "page: must be a decimal integer"},
		{"page=%2B1", MA_ERR_INVALID,
		 "page: must be a decimal integer"},
		{"page=+", MA_ERR_INVALID, "page: must be a decimal integer"},
		{"page=%201", MA_ERR_INVALID,
		 "page: must be a decimal integer"},
		{"page=1%20", MA_ERR_INVALID,
		 "page: must be a decimal integer"},
		{"page=1.0", MA_ERR_INVALID, "page: must be a decimal integer"},
		{"page=1e3", MA_ERR_INVALID, "page: must be a decimal integer"},
		{"page=0x10", MA_ERR_INVALID,
		 "page: must be a decimal integer"},
		{"page=-", MA_ERR_INVALID, "page: must be a decimal integer"},
		{"page=--1", MA_ERR_INVALID, "page: must be a decimal integer"},
		{"page=1-", MA_ERR_INVALID, "page: must be a decimal integer"},
		{"page=%D9%A1", MA_ERR_INVALID,
		 "page: must be a decimal integer"},
		/* 64-bit range, checked without overflowing */
		{"page=9223372036854775808", MA_ERR_INVALID,
		 "page: must be a decimal integer of 64 bits (at most "
		 "9223372036854775807)"},
		{"page=99999999999999999999", MA_ERR_INVALID,
		 "page: must be a decimal integer of 64 bits (at most "
		 "9223372036854775807)"},
		{"page=-9223372036854775809", MA_ERR_INVALID,
		 "page: must be a decimal integer of 64 bits (at most "
		 "9223372036854775807)"},
		{"page=18446744073709551617", MA_ERR_INVALID,
		 "page: must be a decimal integer of 64 bits (at most "
		 "9223372036854775807)"},
		/* below 1: a page that is not there */
		{"page=0", MA_ERR_NOT_FOUND,
		 "page 0 does not exist: pages start at 1"},
		{"page=-0", MA_ERR_NOT_FOUND,
		 "page 0 does not exist: pages start at 1"},
		{"page=-1", MA_ERR_NOT_FOUND,
		 "page -1 does not exist: pages start at 1"},
		{"page=-9223372036854775808", MA_ERR_NOT_FOUND,
		 "page -9223372036854775808 does not exist: pages start at 1"},
		/* per_page */
		{"per_page=0", MA_ERR_INVALID,
		 "per_page: must be between 1 and 100"},
		{"per_page=-1", MA_ERR_INVALID,
		 "per_page: must be between 1 and 100"},
		{"per_page=101", MA_ERR_INVALID,
		 "per_page: must be between 1 and 100"},
		{"per_page=99999999999999999999", MA_ERR_INVALID,
		 "per_page: must be between 1 and 100"},
		{"per_page=abc", MA_ERR_INVALID,
		 "per_page: must be a decimal integer"},
		{"per_page=", MA_ERR_INVALID,
		 "per_page: must be a decimal integer"},
		{"per_page=+5", MA_ERR_INVALID,
		 "per_page: must be a decimal integer"},
		/* once each */
		{"page=1&page=1", MA_ERR_INVALID, "page: given more than once"},
		{"per_page=5&year=1&per_page=5", MA_ERR_INVALID,
		 "per_page: given more than once"},
		/* a bad parameter is told, even beside a page below 1 */
		{"page=0&colour=red", MA_ERR_INVALID,
		 "colour: no such field in Book"},
		{"colour=red&page=0", MA_ERR_INVALID,
		 "colour: no such field in Book"},
		{"page=0&per_page=0", MA_ERR_INVALID,
		 "per_page: must be between 1 and 100"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_refused(cases[i].text, cases[i].code, cases[i].says);
}

/* --- filters ------------------------------------------------------------- */

Test(list_params, every_operator)
{
	static const struct {
		const char *text;
		const char *want;
	} cases[] = {
		{"year=2004", "{\"year\": " I64(2004) "}"},
		{"year=-5", "{\"year\": " I64(-5) "}"},
		{"year__ne=2004", "{\"year\": {\"$ne\": " I64(2004) "}}"},
		{"year__gt=2004", "{\"year\": {\"$gt\": " I64(2004) "}}"},
		{"year__gte=2000", "{\"year\": {\"$gte\": " I64(2000) "}}"},
		{"year__lt=2004", "{\"year\": {\"$lt\": " I64(2004) "}}"},
		{"year__lte=2004", "{\"year\": {\"$lte\": " I64(2004) "}}"},
		{"year__in=2003,2004",
		 "{\"year\": {\"$in\": [" I64(2003) ", " I64(2004) "]}}"},
		{"year__in=2003", "{\"year\": {\"$in\": [" I64(2003) "]}}"},
		{"year__nin=2003,2004,1999",
		 "{\"year\": {\"$nin\": [" I64(2003) ", " I64(2004) ", " I64(
			 1999) "]}}"},
		{"year__exists=true", "{\"year\": {\"$exists\": true}}"},
		{"year__exists=1", "{\"year\": {\"$exists\": true}}"},
		{"year__exists=false", "{\"year\": {\"$exists\": false}}"},
		{"year__exists=0", "{\"year\": {\"$exists\": false}}"},
		{"author__exists=true", "{\"author\": {\"$exists\": true}}"},
		{"title=Dive+Into+Python", "{\"title\": \"Dive Into Python\"}"},
		{"title=", "{\"title\": \"\"}"},
		{"title=%C3%A9t%C3%A9", "{\"title\": \"\xc3\xa9t\xc3\xa9\"}"},
		{"title__in=a,b", "{\"title\": {\"$in\": [\"a\", \"b\"]}}"},
		{"title__ne=a", "{\"title\": {\"$ne\": \"a\"}}"},
		/* a value that looks like an operator is only text */
		{"title=%7B%22%24gt%22%3A%22%22%7D",
		 "{\"title\": \"{\\\"$gt\\\":\\\"\\\"}\"}"},
		{"_id=" HEX, "{\"_id\": {\"$oid\": \"" HEX "\"}}"},
		{"_id__in=" HEX "," HEX,
		 "{\"_id\": {\"$in\": [{\"$oid\": \"" HEX
		 "\"}, {\"$oid\": \"" HEX "\"}]}}"},
		{"_id__exists=true", "{\"_id\": {\"$exists\": true}}"},
		/* filters on distinct fields share the document */
		{"year=2004&title=Dive",
		 "{\"year\": " I64(2004) ", \"title\": \"Dive\"}"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_filter(cases[i].text, cases[i].want);
}

/* "$regex" in extended JSON would read as a BSON regex: built here. */
static void
expect_startswith(const char *text, const char *pattern)
{
	bson_t *want =
		BCON_NEW("title", "{", "$regex", BCON_UTF8(pattern), "}");
	bool ok = apply(text);

	cr_expect(ok, "%s: %s", text, err.message);
	if (ok)
		expect_doc(text, "filter", ma_query_filter_bson(q), want);
	bson_destroy(want);
}

Test(list_params, startswith_is_a_literal_prefix)
{
	expect_startswith("title__startswith=Dive", "^Dive");
	expect_startswith("title__startswith=Dive+Into", "^Dive Into");
	/* taken literally: no character is special */
	expect_startswith("title__startswith=a.b%2A(c%5E%24",
			  "^a\\.b\\*\\(c\\^\\$");
	expect_startswith("title__startswith=", "^");
}

Test(list_params, repeated_filters_all_apply)
{
	expect_filter("year__gte=2000&year__lte=2010",
		      "{\"year\": {\"$gte\": " I64(
			      2000) "}, \"$and\": [{\"year\": "
				    "{\"$lte\": " I64(2010) "}}]}");
	expect_filter("year=2004&year=2005",
		      "{\"year\": " I64(2004) ", \"$and\": [{\"year\": " I64(
			      2005) "}]}");
	expect_filter("title=A&year__gt=1&title__ne=Ab&year__gt=2",
		      "{\"title\": \"A\", \"year\": {\"$gt\": " I64(
			      1) "}, \"$and\": [{\"title\": {\"$ne\": "
				 "\"Ab\"}}, {\"year\": "
				 "{\"$gt\": " I64(2) "}}]}");
}

Test(list_params, filters_refused)
{
	static const struct {
		const char *text;
		const char *says;
	} cases[] = {
		/* declared top-level fields only */
		{"colour=red", "colour: no such field in Book"},
		{"Year=2004", "Year: no such field in Book"},
		{"name=Mark", "name: no such field in Book"},
		{"=x", "\"\": no such field in Book"},
		{"colour__gte=1",
		 "colour__gte: no such field \"colour\" in Book"},
		{"__gte=1", "__gte: no such field \"\" in Book"},
		/* '$' anywhere in a name */
		{"%24where=1", "$where: a name cannot hold '$'"},
		{"year__%24gt=1", "year__$gt: a name cannot hold '$'"},
		{"author.%24name=x", "author.$name: a name cannot hold '$'"},
		{"author.name%24=x", "author.name$: a name cannot hold '$'"},
		/* a dotted path goes down through embedded documents only */
		{"year.x=1",
		 "year.x: cannot go through \"year\": it is an int"},
		/* the operators the grammar offers */
		{"year__near=1", "year__near: unknown operator \"near\" " OPS},
		{"year__eq=1", "year__eq: unknown operator \"eq\" " OPS},
		{"title__regex=.*",
		 "title__regex: unknown operator \"regex\" " OPS},
		{"year__=1", "year__: unknown operator \"\" " OPS},
		{"year__GTE=1", "year__GTE: unknown operator \"GTE\" " OPS},
		{"year__gte__lt=1",
		 "year__gte__lt: no such field \"year__gte\" in Book"},
		/* values by the field's kind */
		{"year=abc", "year: must be an integer, not 'abc'"},
		{"year=", "year: must be an integer, not ''"},
		{"year=20.5", "year: must be an integer, not '20.5'"},
		{"year=%2B2004", "year: must be an integer, not '+2004'"},
		{"year=+2004", "year: must be an integer, not ' 2004'"},
		{"year__gte=abc", "year__gte: must be an integer, not 'abc'"},
		{"year__ne=99999999999999999999",
		 "year__ne: must be an integer, not '99999999999999999999'"},
		{"_id=xyz",
		 "_id: must be an ObjectId of 24 hexadecimal digits, "
		 "not 'xyz'"},
		/* in and nin */
		{"year__in=", "year__in: an item of the list is empty"},
		{"year__in=2003,,2004",
		 "year__in: an item of the list is empty"},
		{"year__in=2003,", "year__in: an item of the list is empty"},
		{"year__nin=,2003", "year__nin: an item of the list is empty"},
		{"year__in=2003,x", "year__in: must be an integer, not 'x'"},
		{"_id__nin=" HEX ",1",
		 "_id__nin: must be an ObjectId of 24 hexadecimal digits, not "
		 "'1'"},
		/* exists */
		{"year__exists=yes",
		 "year__exists: must be true, false, 1 or 0"},
		{"year__exists=", "year__exists: must be true, false, 1 or 0"},
		{"year__exists=TRUE",
		 "year__exists: must be true, false, 1 or 0"},
		/* startswith on text only */
		{"year__startswith=19",
		 "year__startswith: startswith applies to text fields only"},
		/* an embedded document: only whether it is there */
		{"author=Mark",
		 "author: an embedded document can only be tested with "
		 "author__exists"},
		{"author__ne=x",
		 "author__ne: an embedded document can only be tested with "
		 "author__exists"},
		{"author__in=a,b",
		 "author__in: an embedded document can only be tested with "
		 "author__exists"},
		/* a bad filter after good ones */
		{"year=2004&title=x&colour=red",
		 "colour: no such field in Book"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_refused(cases[i].text, MA_ERR_INVALID, cases[i].says);
}

Test(list_params, long_names_and_values_are_cut_in_messages)
{
	char text[1024];
	size_t i, n = 1;

	/* a name of 'a' and 120 'é': shown shortened, between characters
	 * (64 bytes would end inside one) */
	text[0] = 'a';
	for (i = 0; i < 120; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%%C3%%A9");
	cr_assert_lt(n, sizeof(text) - 4);
	memcpy(text + n, "=1", 3);
	cr_expect_not(apply(text));
	cr_expect_eq(err.code, MA_ERR_INVALID);
	cr_expect(bson_utf8_validate(err.message, strlen(err.message), false),
		  "%s", err.message);
	cr_expect(strstr(err.message, "\xc3\xa9...: no such field in Book") !=
			  NULL,
		  "%s", err.message);
	cr_expect_lt(strlen(err.message), 120, "%s", err.message);

	/* a value cut by the query layer in the middle of a character */
	n = (size_t)snprintf(text, sizeof(text), "year=a");
	for (i = 0; i < 40; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%%C3%%A9");
	cr_expect_not(apply(text));
	cr_expect_eq(err.code, MA_ERR_INVALID);
	cr_expect(bson_utf8_validate(err.message, strlen(err.message), false),
		  "%s", err.message);
	cr_expect(strncmp(err.message,
			  "year: must be an integer, not 'a\xc3\xa9", 33) == 0,
		  "%s", err.message);
}

/* "name=" and n comma-separated values: prefix, then 1900, 1901, ...
 * (each with suffix) into a new string. */
static char *
in_list(const char *name, size_t n, const char *suffix)
{
	ma_buf b;
	size_t i;

	_ma_buf_init(&b, 64);
	_ma_buf_printf(&b, "%s=", name);
	for (i = 0; i < n; i++)
		_ma_buf_printf(&b, "%s%zu%s", i > 0 ? "," : "", 1900 + i,
			       suffix);
	return _ma_buf_steal(&b, NULL);
}

/* The items of the list under key op of the filter's field. */
static uint32_t
filter_items(const char *field, const char *op, int64_t *first, int64_t *last)
{
	bson_iter_t it, items;
	uint32_t n = 0;
	char path[64];

	snprintf(path, sizeof(path), "%s.%s", field, op);
	cr_assert(bson_iter_init(&it, ma_query_filter_bson(q)) &&
			  bson_iter_find_descendant(&it, path, &items) &&
			  BSON_ITER_HOLDS_ARRAY(&items) &&
			  bson_iter_recurse(&items, &it),
		  "no list at %s", path);
	while (bson_iter_next(&it)) {
		if (n++ == 0)
			*first = bson_iter_as_int64(&it);
		*last = bson_iter_as_int64(&it);
	}
	return n;
}

Test(list_params, in_and_nin_take_at_most_max_in_values)
{
	char *text;
	int64_t first = 0, last = 0;

	cr_assert_eq(MA_MAX_IN_VALUES, 100);

	/* exactly at the limit: every value reaches the filter */
	text = in_list("year__in", 100, "");
	cr_expect(apply(text), "%s", err.message);
	cr_expect_eq(filter_items("year", "$in", &first, &last), 100);
	cr_expect_eq(first, 1900);
	cr_expect_eq(last, 1999);
	bson_free(text);
	text = in_list("year__nin", 100, "");
	cr_expect(apply(text), "%s", err.message);
	cr_expect_eq(filter_items("year", "$nin", &first, &last), 100);
	bson_free(text);

	/* one more: refused, naming the parameter, the operator and the
	 * limit */
	text = in_list("year__in", 101, "");
	expect_refused(text, MA_ERR_INVALID,
		       "year__in: in takes at most 100 values, not 101");
	bson_free(text);
	text = in_list("title__nin", 101, "x");
	expect_refused(text, MA_ERR_INVALID,
		       "title__nin: nin takes at most 100 values, not 101");
	bson_free(text);
	text = in_list("_id__in", 250, "");
	expect_refused(text, MA_ERR_INVALID,
		       "_id__in: in takes at most 100 values, not 250");
	bson_free(text);

	/* counted before any value is read: 101 empty items are too many
	 * before they are empty */
	expect_refused("year__in=,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,"
		       ",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,",
		       MA_ERR_INVALID,
		       "year__in: in takes at most 100 values, not 101");
}

/* --- sort and fields ----------------------------------------------------- */

Test(list_params, sort_keys_in_order)
{
	expect_sort("sort=-year,title", "{\"year\": -1, \"title\": 1}");
	expect_sort("sort=title", "{\"title\": 1}");
	expect_sort("sort=-_id", "{\"_id\": -1}");
	expect_sort("sort=year,_id", "{\"year\": 1, \"_id\": 1}");
	/* and it is not a filter */
	expect_filter("sort=-year", "{}");
}

Test(list_params, fields_to_return)
{
	expect_fields("fields=title,year", "{\"title\": 1, \"year\": 1}");
	expect_fields("fields=_id", "{\"_id\": 1}");
	expect_fields("fields=author", "{\"author\": 1}");
	expect_fields("fields=title,title", "{\"title\": 1}");
	expect_filter("fields=title", "{}");
}

Test(list_params, sort_and_fields_together)
{
	bson_t sort;

	cr_assert(apply("fields=title&sort=-year&year__gte=2000&page=3"), "%s",
		  err.message);
	_ma_query_sort_doc(q, false, false, &sort);
	expect_bson("", "sort", &sort, "{\"year\": -1}");
	bson_destroy(&sort);
	expect_bson("", "projection", &q->projection, "{\"title\": 1}");
	expect_bson("", "filter", ma_query_filter_bson(q),
		    "{\"year\": {\"$gte\": " I64(2000) "}}");
	cr_expect_eq(page, 3);
	cr_expect_eq(per_page, 20);
}

Test(list_params, sort_and_fields_refused)
{
	static const struct {
		const char *text;
		const char *says;
	} cases[] = {
		{"sort=", "sort: an item is empty"},
		{"sort", "sort: an item is empty"},
		{"sort=title,", "sort: an item is empty"},
		{"sort=,title", "sort: an item is empty"},
		{"sort=title,,year", "sort: an item is empty"},
		{"sort=-", "sort: an item is empty"},
		{"sort=colour", "sort: no such field \"colour\" in Book"},
		{"sort=-colour", "sort: no such field \"colour\" in Book"},
		{"sort=--year", "sort: no such field \"-year\" in Book"},
		{"sort=%2Byear", "sort: no such field \"+year\" in Book"},
		{"sort=-%24natural",
		 "sort: \"$natural\": a name cannot hold '$'"},
		{"sort=author.%24name",
		 "sort: \"author.$name\": a name cannot hold '$'"},
		{"sort=author", "sort: author cannot be a sort key: it holds a "
				"document"},
		{"sort=year,-year", "sort: year is already a sort key"},
		{"sort=year&sort=title", "sort: given more than once"},
		{"fields=", "fields: an item is empty"},
		{"fields=title,", "fields: an item is empty"},
		{"fields=-title", "fields: no such field \"-title\" in Book"},
		{"fields=colour", "fields: no such field \"colour\" in Book"},
		{"fields=%24where",
		 "fields: \"$where\": a name cannot hold '$'"},
		{"fields=title&fields=year", "fields: given more than once"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_refused(cases[i].text, MA_ERR_INVALID, cases[i].says);
}

/* --- dotted paths -------------------------------------------------------- */

/* "$regex" in extended JSON would read as a BSON regex: built here. */
static void
expect_prefix(const char *text, const char *key, const char *pattern)
{
	bson_t *want = BCON_NEW(key, "{", "$regex", BCON_UTF8(pattern), "}");
	bool ok = apply(text);

	cr_expect(ok, "%s: %s", text, err.message);
	if (ok)
		expect_doc(text, "filter", ma_query_filter_bson(q), want);
	bson_destroy(want);
}

Test(list_params, dotted_filters_reach_embedded_fields)
{
	static const struct {
		const char *text;
		const char *want;
	} cases[] = {
		{"author.name=Mark+Pilgrim",
		 "{\"author.name\": \"Mark Pilgrim\"}"},
		{"author.name__ne=x", "{\"author.name\": {\"$ne\": \"x\"}}"},
		{"author.name__gte=M", "{\"author.name\": {\"$gte\": \"M\"}}"},
		{"author.name__lt=M", "{\"author.name\": {\"$lt\": \"M\"}}"},
		{"author.name__in=a,b",
		 "{\"author.name\": {\"$in\": [\"a\", \"b\"]}}"},
		{"author.name__nin=a",
		 "{\"author.name\": {\"$nin\": [\"a\"]}}"},
		{"author.name__exists=false",
		 "{\"author.name\": {\"$exists\": false}}"},
		{"author.name=Mark+Pilgrim&year__gte=2004",
		 "{\"author.name\": \"Mark Pilgrim\", \"year\": "
		 "{\"$gte\": " I64(2004) "}}"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_filter(cases[i].text, cases[i].want);
	expect_prefix("author.name__startswith=Mark", "author.name", "^Mark");
}

Test(list_params, dotted_paths_at_every_declared_depth)
{
	static const struct {
		const char *text;
		const char *want;
	} cases[] = {
		{"branch.city=Paris", "{\"branch.city\": \"Paris\"}"},
		/* the database's names: room is stored as r */
		{"branch.shelf.room=A", "{\"branch.shelf.r\": \"A\"}"},
		{"branch.shelf.row__gt=2",
		 "{\"branch.shelf.row\": {\"$gt\": " I64(2) "}}"},
		{"branch.shelf.row__in=1,2",
		 "{\"branch.shelf.row\": {\"$in\": [" I64(1) ", " I64(2) "]}}"},
		{"branch.shelf__exists=true",
		 "{\"branch.shelf\": {\"$exists\": true}}"},
		{"branch__exists=false", "{\"branch\": {\"$exists\": false}}"},
	};
	size_t i;

	on = &copy_type;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_filter(cases[i].text, cases[i].want);
	expect_prefix("branch.shelf.room__startswith=A.", "branch.shelf.r",
		      "^A\\.");
	expect_sort("sort=branch.shelf.row,-branch.city",
		    "{\"branch.shelf.row\": 1, \"branch.city\": -1}");
	expect_fields("fields=branch.shelf.room,tags",
		      "{\"branch.shelf.r\": 1, \"tags\": 1}");
}

Test(list_params, dotted_sort_keys_and_fields)
{
	expect_sort("sort=author.name,-year",
		    "{\"author.name\": 1, \"year\": -1}");
	expect_sort("sort=-author.name", "{\"author.name\": -1}");
	expect_fields("fields=title,author.name",
		      "{\"title\": 1, \"author.name\": 1}");
	/* the wider of two overlapping paths stays */
	expect_fields("fields=author,author.name", "{\"author\": 1}");
	expect_fields("fields=author.name,author", "{\"author\": 1}");
}

Test(list_params, dotted_paths_refused)
{
	static const struct {
		const char *text;
		const char *says;
	} cases[] = {
		/* undeclared: the part and the type it is missing from */
		{"author.nme=x", "author.nme: no such field \"nme\" in Author"},
		{"author.nme__startswith=x",
		 "author.nme__startswith: no such field \"nme\" in Author"},
		{"author.Name=x",
		 "author.Name: no such field \"Name\" in Author"},
		{"author._id=" HEX,
		 "author._id: no such field \"_id\" in Author"},
		{"colour.name=x",
		 "colour.name: no such field \"colour\" in Book"},
		/* empty parts */
		{"author..name=x", "author..name: the path has an empty part"},
		{"author.=x", "author.: the path has an empty part"},
		{".author=x", ".author: the path has an empty part"},
		{".=x", ".: the path has an empty part"},
		{"author.__exists=1",
		 "author.__exists: the path has an empty part"},
		/* through something that is not an embedded document */
		{"author.name.first=x",
		 "author.name.first: cannot go through \"name\": it is a "
		 "string"},
		{"title.x__gte=1",
		 "title.x__gte: cannot go through \"title\": it is a string"},
		{"_id.x=1",
		 "_id.x: cannot go through \"_id\": it is an objectid"},
		/* the leaf's kind decides the operators */
		{"author.name__size=1",
		 "author.name__size: size applies to list fields only, not to "
		 "a string"},
		{"author.name__regex=x",
		 "author.name__regex: unknown operator \"regex\" " OPS},
		{"author.name__x=1",
		 "author.name__x: unknown operator \"x\" " OPS},
		/* sort and fields name the item */
		{"sort=author.nme",
		 "sort: \"author.nme\": no such field \"nme\" in Author"},
		{"sort=-author..name",
		 "sort: \"author..name\": the path has an empty part"},
		{"sort=year.x",
		 "sort: \"year.x\": cannot go through \"year\": it is an int"},
		{"sort=author.name,-author.name",
		 "sort: author.name is already a sort key"},
		{"fields=author.name.x",
		 "fields: \"author.name.x\": cannot go through \"name\": it is "
		 "a string"},
		{"fields=title,author.",
		 "fields: \"author.\": the path has an empty part"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_refused(cases[i].text, MA_ERR_INVALID, cases[i].says);
}

Test(list_params, paths_do_not_go_into_lists_or_references)
{
	static const struct {
		const char *text;
		const char *says;
	} cases[] = {
		{"tags.x=1",
		 "tags.x: cannot go through \"tags\": it is a list"},
		{"moves.room=A",
		 "moves.room: cannot go through \"moves\": it is a list"},
		{"moves.room__startswith=A",
		 "moves.room__startswith: cannot go through \"moves\": it is a "
		 "list"},
		{"moves.0.room=A",
		 "moves.0.room: cannot go through \"moves\": it is a list"},
		{"tags.0=a",
		 "tags.0: cannot go through \"tags\": it is a list"},
		{"book.title=x",
		 "book.title: cannot go through \"book\": it is "
		 "a ref"},
		{"branch.shelf.nope=1",
		 "branch.shelf.nope: no such field \"nope\" in Shelf"},
		/* the JSON name, not the database's */
		{"branch.shelf.r=A",
		 "branch.shelf.r: no such field \"r\" in Shelf"},
		{"branch.shelf.room.x=A",
		 "branch.shelf.room.x: cannot go through \"room\": it is a "
		 "string"},
		/* documents: whether they are there, and how many in a list */
		{"branch.shelf=x",
		 "branch.shelf: an embedded document can only be tested with "
		 "branch.shelf__exists"},
		{"branch.shelf__size=1",
		 "branch.shelf__size: an embedded document can only be tested "
		 "with branch.shelf__exists"},
		{"moves=x", "moves: a list of embedded documents can only be "
			    "tested with moves__exists or moves__size"},
		{"moves__all=x",
		 "moves__all: a list of embedded documents can only be tested "
		 "with moves__exists or moves__size"},
		{"moves__in=x",
		 "moves__in: a list of embedded documents can only be tested "
		 "with moves__exists or moves__size"},
		{"sort=moves.row",
		 "sort: \"moves.row\": cannot go through \"moves\": it is a "
		 "list"},
		{"fields=moves.room",
		 "fields: \"moves.room\": cannot go through \"moves\": it is a "
		 "list"},
		{"sort=tags",
		 "sort: tags cannot be a sort key: it holds a list"},
	};
	size_t i;

	on = &copy_type;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_refused(cases[i].text, MA_ERR_INVALID, cases[i].says);
}

/* "a.a.a...": n parts, then "=1", in a new string. */
static char *
deep_path(const char *part, size_t n)
{
	ma_buf b;
	size_t i;

	_ma_buf_init(&b, n * (strlen(part) + 1) + 8);
	for (i = 0; i < n; i++)
		_ma_buf_printf(&b, "%s%s", i > 0 ? "." : "", part);
	_ma_buf_printf(&b, "=1");
	return _ma_buf_steal(&b, NULL);
}

Test(list_params, deep_paths_stop_at_the_first_wrong_part)
{
	char *text;

	on = &copy_type;
	/* the message repeats at most 64 bytes of the name */
	text = deep_path("branch", 2000);
	cr_expect_not(apply(text));
	cr_expect_str_eq(err.message,
			 "branch.branch.branch.branch.branch.branch.branch."
			 "branch.branch.b...: no such field \"branch\" in "
			 "Branch");
	bson_free(text);
	text = deep_path("x", 5000);
	cr_expect_not(apply(text));
	cr_expect(strstr(err.message, ": no such field \"x\" in Copy") != NULL,
		  "%s", err.message);
	cr_expect_lt(strlen(err.message), 120, "%s", err.message);
	bson_free(text);
}

/* --- lists of scalars ---------------------------------------------------- */

Test(list_params, lists_of_scalars)
{
	static const struct {
		const char *text;
		const char *want;
	} cases[] = {
		/* an item: MongoDB matches the lists that hold it */
		{"tags=python", "{\"tags\": \"python\"}"},
		/* not checked against the item's bounds: a question */
		{"tags=pythonic", "{\"tags\": \"pythonic\"}"},
		{"counts=3", "{\"counts\": " I64(3) "}"},
		{"tags__ne=a", "{\"tags\": {\"$ne\": \"a\"}}"},
		{"counts__gte=2", "{\"counts\": {\"$gte\": " I64(2) "}}"},
		{"tags__in=a,b", "{\"tags\": {\"$in\": [\"a\", \"b\"]}}"},
		{"tags__nin=a", "{\"tags\": {\"$nin\": [\"a\"]}}"},
		{"tags__all=a,b", "{\"tags\": {\"$all\": [\"a\", \"b\"]}}"},
		{"tags__all=a", "{\"tags\": {\"$all\": [\"a\"]}}"},
		{"counts__all=1,2",
		 "{\"counts\": {\"$all\": [" I64(1) ", " I64(2) "]}}"},
		{"tags__size=0", "{\"tags\": {\"$size\": 0}}"},
		{"tags__size=2", "{\"tags\": {\"$size\": 2}}"},
		{"tags__size=007", "{\"tags\": {\"$size\": 7}}"},
		{"tags__size=2147483647",
		 "{\"tags\": {\"$size\": 2147483647}}"},
		{"moves__size=1", "{\"moves\": {\"$size\": 1}}"},
		{"moves__exists=true", "{\"moves\": {\"$exists\": true}}"},
		{"tags__exists=0", "{\"tags\": {\"$exists\": false}}"},
		{"tags__all=a,b&tags__size=2",
		 "{\"tags\": {\"$all\": [\"a\", \"b\"]}, \"$and\": [{\"tags\": "
		 "{\"$size\": 2}}]}"},
	};
	size_t i;

	on = &copy_type;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_filter(cases[i].text, cases[i].want);
	expect_prefix("tags__startswith=py", "tags", "^py");
}

Test(list_params, lists_of_scalars_refused)
{
	static const struct {
		const char *text;
		const char *says;
	} cases[] = {
		{"tags__size=-1", "tags__size: size takes an integer from 0 to "
				  "2147483647, not '-1'"},
		{"tags__size=abc", "tags__size: size takes an integer from 0 "
				   "to 2147483647, not 'abc'"},
		{"tags__size=", "tags__size: size takes an integer from 0 to "
				"2147483647, not ''"},
		{"tags__size=1.0", "tags__size: size takes an integer from 0 "
				   "to 2147483647, not '1.0'"},
		{"tags__size=%2B1", "tags__size: size takes an integer from 0 "
				    "to 2147483647, not '+1'"},
		{"tags__size=2147483648",
		 "tags__size: size takes an integer from 0 to 2147483647, not "
		 "'2147483648'"},
		{"tags__size=99999999999999999999999999",
		 "tags__size: size takes an integer from 0 to 2147483647, not "
		 "'99999999999999999999999999'"},
		{"tags__size=1,2", "tags__size: size takes an integer from 0 "
				   "to 2147483647, not '1,2'"},
		{"counts__all=1,x", "counts__all: must be an integer, not 'x'"},
		{"counts=x", "counts: must be an integer, not 'x'"},
		{"tags__all=", "tags__all: an item of the list is empty"},
		{"tags__all=a,,b", "tags__all: an item of the list is empty"},
		{"title__all=a", "title__all: all applies to list fields only, "
				 "not to a string"},
		{"title__size=1",
		 "title__size: size applies to list fields only, not to a "
		 "string"},
		{"_id__size=1",
		 "_id__size: size applies to list fields only, not to an "
		 "objectid"},
		{"counts__startswith=1",
		 "counts__startswith: startswith applies to text fields only"},
	};
	size_t i;

	on = &copy_type;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_refused(cases[i].text, MA_ERR_INVALID, cases[i].says);
}

Test(list_params, all_takes_at_most_max_in_values)
{
	char *text;

	on = &copy_type;
	text = in_list("counts__all", 100, "");
	cr_expect(apply(text), "%s", err.message);
	bson_free(text);
	text = in_list("counts__all", 101, "");
	expect_refused(text, MA_ERR_INVALID,
		       "counts__all: all takes at most 100 values, not 101");
	bson_free(text);
}

/* --- skipped names and earlier errors ------------------------------------ */

Test(list_params, skipped_names_are_the_handler_s)
{
	static const char *const skip[] = {"q", "page", NULL};

	cr_expect(apply_with("q=anything&page=abc&year=2004", 100, skip), "%s",
		  err.message);
	cr_expect_eq(page, 1);
	cr_expect_eq(per_page, 20);
	expect_bson("skip", "filter", ma_query_filter_bson(q),
		    "{\"year\": " I64(2004) "}");
	/* without skip, both are refused */
	cr_expect_not(apply_with("q=anything", 100, NULL));
	cr_expect_str_eq(err.message, "q: no such field in Book");
	cr_expect_not(apply_with("page=abc", 100, NULL));
	cr_expect_str_eq(err.message, "page: must be a decimal integer");
}

Test(list_params, a_query_that_already_failed_fails_with_its_error)
{
	ma_error e;

	q = ma_query_new(db, &library_book_type);
	cr_assert_not(ma_query_sort(q, "nope", &e));
	cr_expect_not(
		_ma_list_params(NULL, q, 100, NULL, &page, &per_page, &err));
	cr_expect_eq(err.code, e.code);
	cr_expect_str_eq(err.message, e.message);
}

Test(list_params, no_query_is_refused)
{
	cr_expect_not(
		_ma_list_params(NULL, NULL, 100, NULL, &page, &per_page, &err));
	cr_expect_eq(err.code, MA_ERR_INVALID);
	cr_expect_str_eq(err.message, "a query is required");
}

/* n times "year=1", joined by '&', then tail. */
static char *
repeated_filter(size_t n, const char *tail)
{
	ma_buf b;
	size_t i;

	_ma_buf_init(&b, 8 * n + 64);
	for (i = 0; i < n; i++)
		_ma_buf_printf(&b, "%syear=1", i > 0 ? "&" : "");
	_ma_buf_printf(&b, "%s", tail);
	return _ma_buf_steal(&b, NULL);
}

Test(list_params, links_of_an_accepted_list_can_be_followed)
{
	static const char *const skip[] = {"q", NULL};
	char *text, *first, *end;
	ma_qs qs, back;
	ma_error e;
	ma_buf links;

	cr_assert_eq(MA_LIST_MAX_PARAMS, 254);

	/* At the limit, page and per_page aside: every link is a query
	 * string the parser takes, with all the filters. */
	text = repeated_filter(254, "&page=2&per_page=5");
	cr_expect(apply(text), "%s", err.message);
	cr_assert(_ma_qs_parse(text, &qs, &e), "%s", e.message);
	_ma_buf_init(&links, 4096);
	_ma_page_links(&links, "/books", &qs, 2, 5, 3, true);
	first = strchr(links.data, '?') + 1;
	end = strchr(first, '>');
	*end = '\0';
	cr_expect(_ma_qs_parse(first, &back, &e), "%s", e.message);
	cr_expect_eq(back.n, 256);
	cr_expect_str_eq(back.pairs[253].name, "year");
	cr_expect_str_eq(back.pairs[254].name, "page");
	cr_expect_str_eq(back.pairs[255].value, "5");
	_ma_qs_destroy(&back);
	_ma_qs_destroy(&qs);
	_ma_buf_destroy(&links);
	bson_free(text);

	/* One more: its links would be refused, so it is. */
	text = repeated_filter(255, "&page=2");
	expect_refused(text, MA_ERR_INVALID,
		       "too many parameters (at most 254 besides page and "
		       "per_page)");
	bson_free(text);
	text = repeated_filter(255, "");
	expect_refused(text, MA_ERR_INVALID,
		       "too many parameters (at most 254 besides page and "
		       "per_page)");
	bson_free(text);

	/* A handler's own parameters are in the links too. */
	text = repeated_filter(254, "&q=x");
	cr_expect_not(apply_with(text, MA_MAX_PER_PAGE, skip));
	cr_expect_str_eq(err.message, "too many parameters (at most 254 "
				      "besides page and per_page)");
	bson_free(text);
}

/* --- Link headers -------------------------------------------------------- */

static void
expect_links(const char *path, const char *text, int64_t pg, int64_t pp,
	     int64_t pages, bool has_next, const char *want)
{
	ma_error e;
	ma_qs qs;
	ma_buf b;

	cr_assert(_ma_qs_parse(text, &qs, &e), "%s", e.message);
	_ma_buf_init(&b, 16);
	_ma_page_links(&b, path, &qs, pg, pp, pages, has_next);
	cr_expect_str_eq(b.data, want, "%s?%s page %" PRId64, path, text, pg);
	cr_expect_eq(b.len, strlen(b.data));
	_ma_buf_destroy(&b);
	_ma_qs_destroy(&qs);
}

Test(page_links, first_prev_next_last)
{
	expect_links(
		"/books", "year__gte=2000&page=2&per_page=20", 2, 20, 3, true,
		"</books?year__gte=2000&page=1&per_page=20>; rel=\"first\", "
		"</books?year__gte=2000&page=1&per_page=20>; rel=\"prev\", "
		"</books?year__gte=2000&page=3&per_page=20>; rel=\"next\", "
		"</books?year__gte=2000&page=3&per_page=20>; rel=\"last\"");
}

Test(page_links, only_the_links_that_exist)
{
	/* the first page: no prev */
	expect_links("/books", "", 1, 20, 2, true,
		     "</books?page=1&per_page=20>; rel=\"first\", "
		     "</books?page=2&per_page=20>; rel=\"next\", "
		     "</books?page=2&per_page=20>; rel=\"last\"");
	/* the last page: no next */
	expect_links("/books", "", 2, 20, 2, false,
		     "</books?page=1&per_page=20>; rel=\"first\", "
		     "</books?page=1&per_page=20>; rel=\"prev\", "
		     "</books?page=2&per_page=20>; rel=\"last\"");
	/* the only page */
	expect_links("/books", "", 1, 20, 1, false,
		     "</books?page=1&per_page=20>; rel=\"first\", "
		     "</books?page=1&per_page=20>; rel=\"last\"");
	/* an empty list: its page 1 is first, but has no last page, as its
	 * "pages" is 0 */
	expect_links("/books", "", 1, 20, 0, false,
		     "</books?page=1&per_page=20>; rel=\"first\"");
	/* pages unknown (no total): no last */
	expect_links("/books", "", 5, 10, -1, true,
		     "</books?page=1&per_page=10>; rel=\"first\", "
		     "</books?page=4&per_page=10>; rel=\"prev\", "
		     "</books?page=6&per_page=10>; rel=\"next\"");
	/* nothing after the largest page */
	expect_links("/b", "", INT64_MAX, 1, -1, true,
		     "</b?page=1&per_page=1>; rel=\"first\", "
		     "</b?page=9223372036854775806&per_page=1>; rel=\"prev\"");
}

Test(page_links, other_parameters_are_kept_in_order_and_re_encoded)
{
	expect_links("/books",
		     "per_page=5&title__startswith=Dive+Into&page=3&sort=-year,"
		     "title&flag&%C3%A9=%26&page=9",
		     3, 5, 4, true,
		     "</books?title__startswith=Dive%20Into&sort=-year,title"
		     "&flag=&%C3%A9=%26&page=1&per_page=5>; rel=\"first\", "
		     "</books?title__startswith=Dive%20Into&sort=-year,title"
		     "&flag=&%C3%A9=%26&page=2&per_page=5>; rel=\"prev\", "
		     "</books?title__startswith=Dive%20Into&sort=-year,title"
		     "&flag=&%C3%A9=%26&page=4&per_page=5>; rel=\"next\", "
		     "</books?title__startswith=Dive%20Into&sort=-year,title"
		     "&flag=&%C3%A9=%26&page=4&per_page=5>; rel=\"last\"");
}

Test(page_links, per_page_is_always_written)
{
	/* the request did not name it: the default is written out */
	expect_links("/books", "year=2004", 1, 20, 1, false,
		     "</books?year=2004&page=1&per_page=20>; rel=\"first\", "
		     "</books?year=2004&page=1&per_page=20>; rel=\"last\"");
}

Test(page_links, the_path_cannot_break_the_header)
{
	expect_links("/a b/<x>\"/%2F/\xc3\xa9", "", 1, 20, 1, false,
		     "</a%20b/%3Cx%3E%22/%2F/%C3%A9?page=1&per_page=20>; "
		     "rel=\"first\", "
		     "</a%20b/%3Cx%3E%22/%2F/%C3%A9?page=1&per_page=20>; "
		     "rel=\"last\"");
	expect_links("/books/x", "", 1, 20, -1, false,
		     "</books/x?page=1&per_page=20>; rel=\"first\"");
}

Test(page_links, no_query_string)
{
	ma_buf b;

	_ma_buf_init(&b, 16);
	_ma_page_links(&b, "/books", NULL, 1, 20, 1, false);
	cr_expect_str_eq(b.data, "</books?page=1&per_page=20>; rel=\"first\", "
				 "</books?page=1&per_page=20>; rel=\"last\"");
	_ma_buf_destroy(&b);
}
