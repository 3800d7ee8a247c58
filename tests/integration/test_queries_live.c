/*
 * Queries against a real MongoDB-protocol server: Flask-MongoAlchemy's
 * get and first, every filter operator, ordering and projection, counts
 * and distinct values, updates, find-and-modify, query extensions, and a
 * server that is not there.
 *
 * Every test works in a database of its own (a unique name handed to the
 * configuration in place of MONGOALCHEMY_DATABASE), so that tests run in
 * parallel and again with the library's types as they are, and drops it
 * at the end, failed or not.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mongoalchemy-fcgi.h>

#include "library.h"
#include "path_types.h"
#include "live.h"

/* --- test-local types ------------------------------------------------- */

/* One field of each kind the Book lacks, to filter them all. */
static const ma_field item_fields[] = {
	MA_STRING("title", .min_len = 1),
	MA_LIST("tags", MA_ITEM(MA_STRING(NULL, .min_len = 1))),
	MA_BOOL("in_stock"),
	MA_FLOAT("price", MA_FMIN(0)),
	MA_DATETIME("released"),
	MA_STRING("subtitle", .optional = true),
	MA_STRING("note", .optional = true, .nullable = true),
	MA_ENUM("genre", MA_VALUES("novel", "poetry", "essay")),
	MA_FIELDS_END};

static const ma_type item_type = {.name = "Item", .fields = item_fields};

/* 2019-03-01, 2020-01-01 and 2021-06-15, midnight UTC */
#define MS_2019_03_01 INT64_C(1551398400000)
#define MS_2020_01_01 INT64_C(1577836800000)
#define MS_2021_06_15 INT64_C(1623715200000)

/* Flask-MongoAlchemy's custom query class, and one that takes an argument. */
static bool
get_johns(ma_query *q, const char *arg, ma_error *e)
{
	(void)arg;
	return ma_query_filter(q, "first_name", MA_OP_EQ, MA_V_STRING("John"),
			       e);
}

static bool
since_year(ma_query *q, const char *arg, ma_error *e)
{
	/* The argument is a route's text: the field's kind parses it. */
	return ma_query_filter(q, "born", MA_OP_GTE, MA_V_TEXT(arg), e) &&
	       ma_query_sort(q, "-born", e);
}

static const ma_field person_fields[] = {
	MA_STRING("name", .min_len = 1), MA_STRING("first_name", .min_len = 1),
	MA_INT("born", MA_MIN(0)), MA_FIELDS_END};

static const ma_type person_type = {
	.name = "Person",
	.fields = person_fields,
	.extensions =
		(const ma_query_extension[]){
			MA_EXTENSION("get_johns", get_johns),
			MA_EXTENSION("since", since_year), MA_EXTENSIONS_END},
};

/* --- each test's own database ----------------------------------------- */

/*
 * Opened by the suites' .init; their .fini, which Criterion runs after a
 * failed assertion too, drops it, so that a failing test leaves no
 * database behind.
 */
static live_own_db own;

static void
open_own(void)
{
	own = live_own_db_open("q");
}

static void
close_own(void)
{
	live_own_db_close(&own);
}

TestSuite(queries_live, .init = open_own, .fini = close_own);
TestSuite(filters_live, .init = open_own, .fini = close_own);
TestSuite(updates_live, .init = open_own, .fini = close_own);
TestSuite(find_and_modify_live, .init = open_own, .fini = close_own);
TestSuite(extensions_live, .init = open_own, .fini = close_own);

/* --- seeding and reading back ------------------------------------------- */

/* A saved document of type from JSON; the caller destroys it. */
static ma_doc *
save_json(const ma_type *type, const char *json)
{
	ma_doc *doc;
	ma_error e;

	doc = ma_doc_new_from_json(type, json, strlen(json), NULL, &e);
	cr_assert_not_null(doc, "%s: %s", json, e.message);
	cr_assert(ma_doc_save(own.db, doc, MA_SAFE_SESSION, NULL, &e),
		  "save %s: %s (%s)", json, e.message, ma_strerror(e.code));
	return doc;
}

/* Saves and forgets, keeping only the id (when id is not NULL). */
static void
seed(const ma_type *type, const char *json, bson_oid_t *id)
{
	ma_doc *doc = save_json(type, json);

	if (id != NULL)
		cr_assert(ma_doc_id(doc, id));
	ma_doc_destroy(doc);
}

/* Five books: two years shared, one author shared, one title full of
 * regular expression syntax. */
static void
seed_books(bson_oid_t ids[5])
{
	static const char *const books[] = {
		"{\"title\": \"Dive Into Python\", \"author\": {\"name\": "
		"\"Mark Pilgrim\"}, \"year\": 2004}",
		"{\"title\": \"Dive Into Python 3\", \"author\": {\"name\": "
		"\"Mark Pilgrim\"}, \"year\": 2009}",
		"{\"title\": \"The C Programming Language\", \"author\": "
		"{\"name\": \"Brian Kernighan\"}, \"year\": 1978}",
		"{\"title\": \"C++ (2nd ed.)\", \"author\": {\"name\": "
		"\"Bjarne Stroustrup\"}, \"year\": 1991}",
		"{\"title\": \"Programming Perl\", \"author\": {\"name\": "
		"\"Larry Wall\"}, \"year\": 1991}",
	};
	size_t i;

	for (i = 0; i < 5; i++)
		seed(&library_book_type, books[i],
		     ids != NULL ? &ids[i] : NULL);
}

static void
seed_items(void)
{
	seed(&item_type,
	     "{\"title\": \"Alpha\", \"tags\": [\"red\", \"blue\"], "
	     "\"in_stock\": true,"
	     " \"price\": 9.5, \"released\": \"2020-01-01T00:00:00Z\","
	     " \"subtitle\": \"first\", \"note\": \"n\", \"genre\": \"novel\"}",
	     NULL);
	seed(&item_type,
	     "{\"title\": \"Beta\", \"tags\": [\"blue\"], \"in_stock\": false,"
	     " \"price\": 20.0, \"released\": \"2021-06-15T00:00:00Z\","
	     " \"note\": null, \"genre\": \"poetry\"}",
	     NULL);
	seed(&item_type,
	     "{\"title\": \"Gamma\", \"tags\": [], \"in_stock\": true,"
	     " \"price\": 5, \"released\": \"2019-03-01T00:00:00Z\","
	     " \"subtitle\": \"third\", \"genre\": \"essay\"}",
	     NULL);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The string field `field` of every result of q, joined by '|': in the
 * query's order, or sorted (for filters, whose order is not theirs to
 * say). A missing field shows as "?". bson_free() it.
 */
static char *
results(ma_query *q, const char *field, bool sorted)
{
	char *vals[64];
	size_t n = 0, i, len = 1;
	const ma_doc *doc;
	ma_cursor *cur;
	const char *s;
	char *out;
	ma_error e;

	cur = ma_query_find(q, &e);
	cr_assert_not_null(cur, "find: %s (%s)", e.message,
			   ma_strerror(e.code));
	while (ma_cursor_next(cur, &doc, &e)) {
		cr_assert_lt(n, 64, "too many results");
		vals[n++] = bson_strdup(
			ma_doc_get_string(doc, field, &s) ? s : "?");
	}
	cr_assert_eq(e.code, MA_OK, "cursor: %s (%s)", e.message,
		     ma_strerror(e.code));
	ma_cursor_destroy(cur);

	if (sorted)
		qsort(vals, n, sizeof(*vals), cmp_str);
	for (i = 0; i < n; i++)
		len += strlen(vals[i]) + 1;
	out = bson_malloc0(len);
	for (i = 0; i < n; i++) {
		if (i > 0)
			strcat(out, "|");
		strcat(out, vals[i]);
		bson_free(vals[i]);
	}
	return out;
}

#define assert_results(q, field, sorted, want)                                 \
	do {                                                                   \
		char *got_ = results((q), (field), (sorted));                  \
		cr_assert_str_eq(got_, (want), "got \"%s\", want \"%s\"",      \
				 got_, (want));                                \
		bson_free(got_);                                               \
	} while (0)

/* The titles of the documents of type where path op v, sorted. */
static char *
titles_where(const ma_type *type, const char *path, ma_op op, ma_value v)
{
	ma_query *q = ma_query_new(own.db, type);
	char *got;
	ma_error e;

	cr_assert(ma_query_filter(q, path, op, v, &e), "%s %s: %s", path,
		  ma_op_name(op), e.message);
	got = results(q, "title", true);
	ma_query_destroy(q);
	return got;
}

static char *
titles_where_in(const ma_type *type, const char *path, ma_op op,
		const ma_value *vs, size_t n)
{
	ma_query *q = ma_query_new(own.db, type);
	char *got;
	ma_error e;

	cr_assert(ma_query_filter_in(q, path, op, vs, n, &e), "%s %s: %s", path,
		  ma_op_name(op), e.message);
	got = results(q, "title", true);
	ma_query_destroy(q);
	return got;
}

#define expect_where(type, path, op, v, want)                                  \
	do {                                                                   \
		char *got_ = titles_where((type), (path), (op), (v));          \
		cr_assert_str_eq(got_, (want),                                 \
				 "%s %s: got \"%s\", want \"%s\"", (path),     \
				 ma_op_name(op), got_, (want));                \
		bson_free(got_);                                               \
	} while (0)

#define expect_where_in(type, path, op, vs, n, want)                           \
	do {                                                                   \
		char *got_ = titles_where_in((type), (path), (op), (vs), (n)); \
		cr_assert_str_eq(got_, (want),                                 \
				 "%s %s: got \"%s\", want \"%s\"", (path),     \
				 ma_op_name(op), got_, (want));                \
		bson_free(got_);                                               \
	} while (0)

/* Matching documents, counted by the library. */
static int64_t
count_where(const ma_type *type, const char *path, ma_value v)
{
	ma_query *q = ma_query_new(own.db, type);
	int64_t n = -1;
	ma_error e;

	if (path != NULL)
		cr_assert(ma_query_filter(q, path, MA_OP_EQ, v, &e), "%s",
			  e.message);
	cr_assert(ma_query_count(q, &n, &e), "count: %s (%s)", e.message,
		  ma_strerror(e.code));
	ma_query_destroy(q);
	return n;
}

static int64_t
count_all(const ma_type *type)
{
	return count_where(type, NULL, MA_V_NULL);
}

/* The stored document with id, read back through a fresh query. */
static ma_doc *
reread(const ma_type *type, const bson_oid_t *id)
{
	ma_query *q = ma_query_new(own.db, type);
	ma_doc *doc = NULL;
	ma_error e;

	cr_assert(ma_query_get_oid(q, id, &doc, &e), "get: %s (%s)", e.message,
		  ma_strerror(e.code));
	cr_assert_not_null(doc, "the document is gone");
	ma_query_destroy(q);
	return doc;
}

static int64_t
reread_int(const ma_type *type, const bson_oid_t *id, const char *path)
{
	ma_doc *doc = reread(type, id);
	int64_t v = -1;

	cr_assert(ma_doc_get_int(doc, path, &v), "%s is not an int", path);
	ma_doc_destroy(doc);
	return v;
}

/* The strings of the list at path, joined by ','. bson_free() it. */
static char *
list_of(const ma_doc *doc, const char *path)
{
	bson_iter_t it, child;
	char *out = bson_strdup(""), *next;

	cr_assert(bson_iter_init_find(&it, ma_doc_bson(doc), path) &&
			  BSON_ITER_HOLDS_ARRAY(&it),
		  "%s is not a list", path);
	cr_assert(bson_iter_recurse(&it, &child));
	while (bson_iter_next(&child)) {
		cr_assert(BSON_ITER_HOLDS_UTF8(&child));
		next = bson_strdup_printf("%s%s%s", out, out[0] ? "," : "",
					  bson_iter_utf8(&child, NULL));
		bson_free(out);
		out = next;
	}
	return out;
}

#define assert_list(doc, path, want)                                           \
	do {                                                                   \
		char *got_ = list_of((doc), (path));                           \
		cr_assert_str_eq(got_, (want), "%s: got [%s], want [%s]",      \
				 (path), got_, (want));                        \
		bson_free(got_);                                               \
	} while (0)

/* The first item titled title, with its id into *id. */
static ma_doc *
item_titled(const char *title, bson_oid_t *id)
{
	ma_query *q = ma_query_new(own.db, &item_type);
	ma_doc *doc = NULL;
	ma_error e;

	cr_assert(
		ma_query_filter(q, "title", MA_OP_EQ, MA_V_STRING(title), &e) &&
			ma_query_first(q, &doc, &e),
		"%s", e.message);
	cr_assert_not_null(doc, "no item %s", title);
	if (id != NULL)
		cr_assert(ma_doc_id(doc, id));
	ma_query_destroy(q);
	return doc;
}

static void
assert_string(const ma_doc *doc, const char *path, const char *want)
{
	const char *got;

	cr_assert_not_null(doc);
	cr_assert(ma_doc_get_string(doc, path, &got), "no string %s", path);
	cr_assert_str_eq(got, want, "%s", path);
}

static void
assert_title(const ma_doc *doc, const char *want)
{
	assert_string(doc, "title", want);
}

static void
assert_int(const ma_doc *doc, const char *path, int64_t want)
{
	int64_t got = -1;

	cr_assert_not_null(doc);
	cr_assert(ma_doc_get_int(doc, path, &got), "%s is not an int", path);
	cr_assert_eq(got, want, "%s is %" PRId64 ", not %" PRId64, path, got,
		     want);
}

static void
assert_id(const ma_doc *doc, const bson_oid_t *want)
{
	bson_oid_t id;

	cr_assert_not_null(doc);
	cr_assert(ma_doc_id(doc, &id), "no id");
	cr_assert_eq(bson_oid_compare(&id, want), 0, "another id");
}

/* --- get and first ------------------------------------------------------- */

Test(queries_live, get_of_a_saved_id_returns_it)
{
	ma_doc *dive =
		save_json(&library_book_type,
			  "{\"title\": \"Dive Into Python\", \"author\": "
			  "{\"name\": \"Mark Pilgrim\"}, \"year\": 2004}");
	ma_query *q = ma_query_new(own.db, &library_book_type);
	ma_doc *got = NULL, *got_oid = NULL;
	bson_oid_t id;
	char hex[25];
	ma_error e;

	cr_assert(ma_doc_id(dive, &id));
	bson_oid_to_string(&id, hex);
	cr_assert(ma_query_get(q, hex, &got, &e), "%s", e.message);
	assert_title(got, "Dive Into Python");
	cr_assert(ma_doc_equal(got, dive),
		  "the document read is not the one saved");

	cr_assert(ma_query_get_oid(q, &id, &got_oid, &e), "%s", e.message);
	assert_title(got_oid, "Dive Into Python");

	ma_doc_destroy(got_oid);
	ma_doc_destroy(got);
	ma_doc_destroy(dive);
	ma_query_destroy(q);
}

Test(queries_live, get_of_a_missing_id_is_true_with_no_document)
{
	ma_query *q = ma_query_new(own.db, &library_book_type);
	ma_doc *got = (ma_doc *)&got;
	ma_error e;

	seed_books(NULL);
	cr_assert(ma_query_get(q, "5f0c0ffee0ddba11c0ffee00", &got, &e),
		  "%s (%s)", e.message, ma_strerror(e.code));
	cr_assert_null(got);
	cr_assert_eq(e.code, MA_OK);

	ma_query_destroy(q);
}

Test(queries_live, get_of_blasphemy_is_true_with_no_document_not_an_error)
{
	ma_query *q = ma_query_new(own.db, &library_book_type);
	ma_doc *got = (ma_doc *)&got;
	ma_error e;

	seed_books(NULL);
	cr_assert(ma_query_get(q, "blasphemy", &got, &e), "%s (%s)", e.message,
		  ma_strerror(e.code));
	cr_assert_null(got);
	cr_assert_eq(e.code, MA_OK);

	cr_assert_null(ma_query_get_or_404(q, "blasphemy", &e));
	cr_assert_eq(e.code, MA_ERR_NOT_FOUND, "%s (%s)", e.message,
		     ma_strerror(e.code));

	ma_query_destroy(q);
}

Test(queries_live, get_or_404_of_a_missing_id_is_not_found)
{
	ma_query *q = ma_query_new(own.db, &library_book_type);
	bson_oid_t ids[5];
	char hex[25];
	ma_doc *got;
	ma_error e;

	seed_books(ids);
	cr_assert_null(ma_query_get_or_404(q, "5f0c0ffee0ddba11c0ffee00", &e));
	cr_assert_eq(e.code, MA_ERR_NOT_FOUND, "%s (%s)", e.message,
		     ma_strerror(e.code));

	bson_oid_to_string(&ids[2], hex);
	got = ma_query_get_or_404(q, hex, &e);
	assert_title(got, "The C Programming Language");
	cr_assert_eq(e.code, MA_OK);

	ma_doc_destroy(got);
	ma_query_destroy(q);
}

Test(queries_live, first_or_404_on_an_empty_collection_is_not_found)
{
	ma_query *q = ma_query_new(own.db, &library_book_type);
	ma_doc *got = (ma_doc *)&got;
	ma_error e;

	cr_assert_null(ma_query_first_or_404(q, &e));
	cr_assert_eq(e.code, MA_ERR_NOT_FOUND, "%s (%s)", e.message,
		     ma_strerror(e.code));

	/* first() itself says "none" without an error. */
	cr_assert(ma_query_first(q, &got, &e), "%s", e.message);
	cr_assert_null(got);

	ma_query_destroy(q);
}

Test(queries_live, first_or_404_returns_the_first_inserted)
{
	ma_query *q = ma_query_new(own.db, &library_book_type);
	ma_doc *got;
	ma_error e;

	seed(&library_book_type,
	     "{\"title\": \"Zebra First\", \"author\": {\"name\": \"A\"}, "
	     "\"year\": 2000}",
	     NULL);
	seed(&library_book_type,
	     "{\"title\": \"Aardvark Second\", \"author\": {\"name\": \"B\"}, "
	     "\"year\": 1000}",
	     NULL);
	got = ma_query_first_or_404(q, &e);
	cr_assert_not_null(got, "%s (%s)", e.message, ma_strerror(e.code));
	assert_title(got, "Zebra First");

	ma_doc_destroy(got);
	ma_query_destroy(q);
}

Test(queries_live, get_respects_the_query_filters)
{
	ma_query *q = ma_query_new(own.db, &library_book_type);
	ma_doc *got = (ma_doc *)&got;
	bson_oid_t ids[5];
	char hex[25];
	ma_error e;

	seed_books(ids);
	cr_assert(ma_query_filter(q, "year", MA_OP_EQ, MA_V_INT(1991), &e),
		  "%s", e.message);
	bson_oid_to_string(&ids[0], hex);
	cr_assert(ma_query_get(q, hex, &got, &e), "%s", e.message);
	cr_assert_null(got, "get ignored year == 1991");
	cr_assert_null(ma_query_get_or_404(q, hex, &e));
	cr_assert_eq(e.code, MA_ERR_NOT_FOUND);

	bson_oid_to_string(&ids[4], hex);
	cr_assert(ma_query_get(q, hex, &got, &e), "%s", e.message);
	assert_title(got, "Programming Perl");

	ma_doc_destroy(got);
	ma_query_destroy(q);
}

/* Flask-MongoAlchemy's documentation:
 *   mark = Author.query.filter(Author.name == 'Mark Pilgrim').first()
 *   mark.name = 'Mark Stalone'
 *   mark.save() */
Test(queries_live, documented_filter_first_rename_and_save)
{
	ma_doc *mark = NULL, *again = NULL;
	ma_query *q;
	ma_error e;

	seed(&library_author_type, "{\"name\": \"Mark Pilgrim\"}", NULL);
	seed(&library_author_type, "{\"name\": \"Larry Wall\"}", NULL);

	q = ma_query_new(own.db, &library_author_type);
	cr_assert(ma_query_filter(q, "name", MA_OP_EQ,
				  MA_V_STRING("Mark Pilgrim"), &e) &&
			  ma_query_first(q, &mark, &e),
		  "%s", e.message);
	assert_string(mark, "name", "Mark Pilgrim");
	ma_query_destroy(q);

	cr_assert(ma_doc_set_string(mark, "name", "Mark Stalone", &e), "%s",
		  e.message);
	cr_assert(ma_doc_save(own.db, mark, MA_SAFE_SESSION, NULL, &e), "%s",
		  e.message);

	cr_assert_eq(count_where(&library_author_type, "name",
				 MA_V_STRING("Mark Stalone")),
		     1);
	cr_assert_eq(count_where(&library_author_type, "name",
				 MA_V_STRING("Mark Pilgrim")),
		     0);
	cr_assert_eq(count_all(&library_author_type), 2,
		     "the save added an author instead of updating Mark");

	q = ma_query_new(own.db, &library_author_type);
	cr_assert(ma_query_filter(q, "name", MA_OP_EQ,
				  MA_V_STRING("Mark Stalone"), &e) &&
			  ma_query_first(q, &again, &e),
		  "%s", e.message);
	assert_string(again, "name", "Mark Stalone");
	cr_assert(ma_doc_equal(mark, again),
		  "the renamed author has another id");

	ma_doc_destroy(again);
	ma_doc_destroy(mark);
	ma_query_destroy(q);
}

/* --- filters on Book ---------------------------------------------------- */

#define DIVE "Dive Into Python"
#define DIVE3 "Dive Into Python 3"
#define KR "The C Programming Language"
#define CPP "C++ (2nd ed.)"
#define PERL "Programming Perl"

Test(filters_live, comparisons_on_an_int)
{
	const ma_type *b = &library_book_type;

	seed_books(NULL);
	expect_where(b, "year", MA_OP_EQ, MA_V_INT(1991), CPP "|" PERL);
	expect_where(b, "year", MA_OP_NE, MA_V_INT(1991),
		     DIVE "|" DIVE3 "|" KR);
	expect_where(b, "year", MA_OP_GT, MA_V_INT(1991), DIVE "|" DIVE3);
	expect_where(b, "year", MA_OP_GTE, MA_V_INT(1991),
		     CPP "|" DIVE "|" DIVE3 "|" PERL);
	expect_where(b, "year", MA_OP_LT, MA_V_INT(1991), KR);
	expect_where(b, "year", MA_OP_LTE, MA_V_INT(1991), CPP "|" PERL "|" KR);
	/* Bounds are the documents', not the question's. */
	expect_where(b, "year", MA_OP_LT, MA_V_INT(-5), "");
}

Test(filters_live, text_values_are_parsed_by_the_field_kind)
{
	const ma_type *b = &library_book_type;

	seed_books(NULL);
	expect_where(b, "year", MA_OP_EQ, MA_V_TEXT("2004"), DIVE);
	expect_where(b, "year", MA_OP_GTE, MA_V_TEXT("2004"), DIVE "|" DIVE3);
	expect_where(b, "title", MA_OP_EQ, MA_V_TEXT(PERL), PERL);
}

Test(filters_live, equality_on_a_string_and_a_dotted_path)
{
	const ma_type *b = &library_book_type;

	seed_books(NULL);
	expect_where(b, "title", MA_OP_EQ, MA_V_STRING(DIVE), DIVE);
	expect_where(b, "title", MA_OP_NE, MA_V_STRING(DIVE),
		     CPP "|" DIVE3 "|" PERL "|" KR);
	expect_where(b, "author.name", MA_OP_EQ, MA_V_STRING("Mark Pilgrim"),
		     DIVE "|" DIVE3);
	expect_where(b, "author.name", MA_OP_GT, MA_V_STRING("L"),
		     DIVE "|" DIVE3 "|" PERL);
	expect_where(b, "author.name", MA_OP_EQ, MA_V_STRING("mark pilgrim"),
		     "");
}

Test(filters_live, in_and_nin_including_empty_lists)
{
	const ma_type *b = &library_book_type;
	const ma_value years[] = {MA_V_INT(1978), MA_V_INT(2009)};
	const ma_value names[] = {MA_V_STRING("Larry Wall"),
				  MA_V_STRING("Nobody")};
	const ma_value text_years[] = {MA_V_TEXT("2004"), MA_V_TEXT("1991")};

	seed_books(NULL);
	expect_where_in(b, "year", MA_OP_IN, years, 2, DIVE3 "|" KR);
	expect_where_in(b, "year", MA_OP_NIN, years, 2, CPP "|" DIVE "|" PERL);
	expect_where_in(b, "year", MA_OP_IN, text_years, 2,
			CPP "|" DIVE "|" PERL);
	expect_where_in(b, "author.name", MA_OP_IN, names, 2, PERL);
	expect_where_in(b, "year", MA_OP_IN, years, 0, "");
	expect_where_in(b, "year", MA_OP_NIN, years, 0,
			CPP "|" DIVE "|" DIVE3 "|" PERL "|" KR);
}

Test(filters_live, exists_true_and_false)
{
	const ma_type *b = &library_book_type;

	seed_books(NULL);
	expect_where(b, "year", MA_OP_EXISTS, MA_V_BOOL(true),
		     CPP "|" DIVE "|" DIVE3 "|" PERL "|" KR);
	expect_where(b, "year", MA_OP_EXISTS, MA_V_BOOL(false), "");
	expect_where(b, "author.name", MA_OP_EXISTS, MA_V_TEXT("true"),
		     CPP "|" DIVE "|" DIVE3 "|" PERL "|" KR);
}

Test(filters_live, regex_on_a_string)
{
	const ma_type *b = &library_book_type;

	seed_books(NULL);
	expect_where(b, "title", MA_OP_REGEX, MA_V_STRING("^Dive.*3$"), DIVE3);
	expect_where(b, "title", MA_OP_REGEX, MA_V_STRING("Python"),
		     DIVE "|" DIVE3);
	expect_where(b, "title", MA_OP_REGEX, MA_V_STRING("^C\\+\\+"), CPP);
	expect_where(b, "author.name", MA_OP_REGEX, MA_V_STRING("^B"),
		     CPP "|" KR);
}

Test(filters_live, startswith_takes_the_prefix_literally)
{
	const ma_type *b = &library_book_type;

	seed_books(NULL);
	/* Look-alikes that a prefix read as a regular expression could
	 * match, or that differ in one character only. */
	seed(b,
	     "{\"title\": \"CC (2nd ed.)\", \"author\": {\"name\": \"X\"}, "
	     "\"year\": 1}",
	     NULL);
	seed(b,
	     "{\"title\": \"C++ 2nd ed.\", \"author\": {\"name\": \"X\"}, "
	     "\"year\": 1}",
	     NULL);
	seed(b,
	     "{\"title\": \"c++ (2nd ed.)\", \"author\": {\"name\": \"X\"}, "
	     "\"year\": 1}",
	     NULL);
	seed(b,
	     "{\"title\": \"Learn C++ (2nd ed.)\", \"author\": {\"name\": "
	     "\"X\"}, \"year\": 1}",
	     NULL);
	seed(b,
	     "{\"title\": \"A.B tricks\", \"author\": {\"name\": \"X\"}, "
	     "\"year\": 1}",
	     NULL);
	seed(b,
	     "{\"title\": \"AxB tricks\", \"author\": {\"name\": \"X\"}, "
	     "\"year\": 1}",
	     NULL);
	seed(b,
	     "{\"title\": \"Is $5 [a lot]?\", \"author\": {\"name\": \"X\"}, "
	     "\"year\": 1}",
	     NULL);
	seed(b,
	     "{\"title\": \"Is 5 a lot\", \"author\": {\"name\": \"X\"}, "
	     "\"year\": 1}",
	     NULL);

	expect_where(b, "title", MA_OP_STARTSWITH, MA_V_STRING("C++ (2nd"),
		     CPP);
	expect_where(b, "title", MA_OP_STARTSWITH, MA_V_STRING("A.B"),
		     "A.B tricks");
	expect_where(b, "title", MA_OP_STARTSWITH, MA_V_TEXT("Is $5 [a"),
		     "Is $5 [a lot]?");
	expect_where(b, "title", MA_OP_STARTSWITH, MA_V_STRING("Dive"),
		     DIVE "|" DIVE3);
	expect_where(b, "title", MA_OP_STARTSWITH, MA_V_STRING(".*"), "");
	expect_where(b, "title", MA_OP_STARTSWITH, MA_V_STRING("^Dive"), "");
}

Test(filters_live, or_not_and_several_filters)
{
	const ma_type *b = &library_book_type;
	ma_query *q;
	ma_filter *f;
	ma_error e;

	seed_books(NULL);

	q = ma_query_new(own.db, b);
	f = ma_filter_or(ma_filter_new(b, "year", MA_OP_EQ, MA_V_INT(1978), &e),
			 ma_filter_new(b, "author.name", MA_OP_EQ,
				       MA_V_STRING("Larry Wall"), &e),
			 &e);
	cr_assert_not_null(f, "%s", e.message);
	cr_assert(ma_query_where(q, f, &e), "%s", e.message);
	assert_results(q, "title", true, PERL "|" KR);
	ma_query_destroy(q);

	q = ma_query_new(own.db, b);
	f = ma_filter_not(
		ma_filter_new(b, "year", MA_OP_GTE, MA_V_INT(2000), &e), &e);
	cr_assert_not_null(f, "%s", e.message);
	cr_assert(ma_query_where(q, f, &e), "%s", e.message);
	assert_results(q, "title", true, CPP "|" PERL "|" KR);
	ma_query_destroy(q);

	/* not (a or b), and-ed with a plain filter */
	q = ma_query_new(own.db, b);
	f = ma_filter_not(
		ma_filter_or(
			ma_filter_new(b, "year", MA_OP_EQ, MA_V_INT(2004), &e),
			ma_filter_new(b, "year", MA_OP_EQ, MA_V_INT(1978), &e),
			&e),
		&e);
	cr_assert_not_null(f, "%s", e.message);
	cr_assert(ma_query_where(q, f, &e), "%s", e.message);
	cr_assert(ma_query_filter(q, "title", MA_OP_NE, MA_V_STRING(PERL), &e),
		  "%s", e.message);
	assert_results(q, "title", true, CPP "|" DIVE3);
	ma_query_destroy(q);

	q = ma_query_new(own.db, b);
	cr_assert(ma_query_filter(q, "author.name", MA_OP_EQ,
				  MA_V_STRING("Mark Pilgrim"), &e) &&
			  ma_query_filter(q, "year", MA_OP_GT, MA_V_INT(2005),
					  &e),
		  "%s", e.message);
	assert_results(q, "title", true, DIVE3);
	ma_query_destroy(q);

	/* Two bounds on one field are both kept, not the last alone. */
	q = ma_query_new(own.db, b);
	cr_assert(ma_query_filter(q, "year", MA_OP_GT, MA_V_INT(1980), &e) &&
			  ma_query_filter(q, "year", MA_OP_LT, MA_V_INT(2005),
					  &e),
		  "%s", e.message);
	assert_results(q, "title", true, CPP "|" DIVE "|" PERL);
	ma_query_destroy(q);

	q = ma_query_new(own.db, b);
	cr_assert(ma_query_filter(q, "year", MA_OP_EQ, MA_V_INT(1991), &e) &&
			  ma_query_filter(q, "year", MA_OP_EQ, MA_V_INT(2004),
					  &e),
		  "%s", e.message);
	assert_results(q, "title", true, "");
	ma_query_destroy(q);
}

Test(filters_live, id_eq_and_in)
{
	const ma_type *b = &library_book_type;
	bson_oid_t ids[5];
	char hex[25];
	ma_value vs[2];

	seed_books(ids);
	bson_oid_to_string(&ids[1], hex);
	expect_where(b, "_id", MA_OP_EQ, MA_V_STRING(hex), DIVE3);
	expect_where(b, "_id", MA_OP_EQ, MA_V_TEXT(hex), DIVE3);
	expect_where(b, "_id", MA_OP_EQ, MA_V_OID(&ids[3]), CPP);
	expect_where(b, "_id", MA_OP_NE, MA_V_OID(&ids[3]),
		     DIVE "|" DIVE3 "|" PERL "|" KR);

	vs[0] = MA_V_OID(&ids[0]);
	vs[1] = MA_V_STRING(hex);
	expect_where_in(b, "_id", MA_OP_IN, vs, 2, DIVE "|" DIVE3);
	expect_where_in(b, "_id", MA_OP_NIN, vs, 2, CPP "|" PERL "|" KR);
}

/* --- filters on every other kind ---------------------------------------- */

Test(filters_live, list_of_strings)
{
	const ma_type *it = &item_type;
	const ma_value some[] = {MA_V_STRING("red"), MA_V_STRING("green")};
	const ma_value blue[] = {MA_V_STRING("blue")};

	seed_items();
	expect_where(it, "tags", MA_OP_EQ, MA_V_STRING("blue"), "Alpha|Beta");
	expect_where(it, "tags", MA_OP_EQ, MA_V_STRING("red"), "Alpha");
	expect_where(it, "tags", MA_OP_NE, MA_V_STRING("blue"), "Gamma");
	expect_where_in(it, "tags", MA_OP_IN, some, 2, "Alpha");
	expect_where_in(it, "tags", MA_OP_NIN, blue, 1, "Gamma");
	expect_where(it, "tags", MA_OP_REGEX, MA_V_STRING("^re"), "Alpha");
	expect_where(it, "tags", MA_OP_STARTSWITH, MA_V_STRING("bl"),
		     "Alpha|Beta");
	/* A whole list is compared as a whole, order included. */
	expect_where(it, "tags", MA_OP_EQ, MA_V_JSON("[\"blue\"]"), "Beta");
	expect_where(it, "tags", MA_OP_EQ, MA_V_JSON("[\"red\", \"blue\"]"),
		     "Alpha");
	expect_where(it, "tags", MA_OP_EQ, MA_V_JSON("[\"blue\", \"red\"]"),
		     "");
	expect_where(it, "tags", MA_OP_EQ, MA_V_JSON("[]"), "Gamma");
}

Test(filters_live, all_and_size_of_a_list)
{
	const ma_type *it = &item_type;
	const ma_value blue[] = {MA_V_STRING("blue")};
	const ma_value red_blue[] = {MA_V_STRING("red"), MA_V_TEXT("blue")};
	const ma_value blue_red[] = {MA_V_STRING("blue"), MA_V_STRING("red")};
	const ma_value red_green[] = {MA_V_STRING("red"), MA_V_STRING("green")};

	seed_items();
	/* every value, in any order, among the items */
	expect_where_in(it, "tags", MA_OP_ALL, blue, 1, "Alpha|Beta");
	expect_where_in(it, "tags", MA_OP_ALL, red_blue, 2, "Alpha");
	expect_where_in(it, "tags", MA_OP_ALL, blue_red, 2, "Alpha");
	expect_where_in(it, "tags", MA_OP_ALL, red_green, 2, "");
	expect_where_in(it, "tags", MA_OP_ALL, blue, 0, "");
	/* in: any of them; nin: none of them */
	expect_where_in(it, "tags", MA_OP_IN, red_green, 2, "Alpha");
	expect_where_in(it, "tags", MA_OP_NIN, red_green, 2, "Beta|Gamma");
	/* the number of items */
	expect_where(it, "tags", MA_OP_SIZE, MA_V_INT(0), "Gamma");
	expect_where(it, "tags", MA_OP_SIZE, MA_V_INT(1), "Beta");
	expect_where(it, "tags", MA_OP_SIZE, MA_V_TEXT("2"), "Alpha");
	expect_where(it, "tags", MA_OP_SIZE, MA_V_INT(3), "");
	expect_where(it, "tags", MA_OP_SIZE, MA_V_INT(INT32_MAX), "");
}

static void
seed_copies(void)
{
	seed(&copy_type,
	     "{\"title\": \"One\", \"branch\": {\"city\": \"Paris\", "
	     "\"shelf\": {\"room\": \"A\", \"row\": 1}}, \"counts\": [1, 2, "
	     "3], \"moves\": [{\"room\": \"B\", \"row\": 4}]}",
	     NULL);
	seed(&copy_type,
	     "{\"title\": \"Two\", \"branch\": {\"city\": \"Lyon\", "
	     "\"shelf\": {\"room\": \"A.1\", \"row\": 2}}, \"counts\": [2], "
	     "\"moves\": []}",
	     NULL);
	seed(&copy_type,
	     "{\"title\": \"Three\", \"branch\": {\"city\": \"Paris\", "
	     "\"shelf\": {\"room\": \"B\", \"row\": 3}}, \"counts\": [], "
	     "\"moves\": [{\"room\": \"A\", \"row\": 1}, {\"room\": \"C\", "
	     "\"row\": 9}]}",
	     NULL);
}

Test(filters_live, dotted_paths_three_deep_and_lists_of_numbers)
{
	const ma_type *c = &copy_type;
	const ma_value twos[] = {MA_V_INT(2), MA_V_TEXT("3")};
	ma_query *q;
	ma_error e;

	seed_copies();
	expect_where(c, "branch.city", MA_OP_EQ, MA_V_TEXT("Paris"),
		     "One|Three");
	/* room is stored as r: the path is the JSON names */
	expect_where(c, "branch.shelf.room", MA_OP_EQ, MA_V_TEXT("A"), "One");
	expect_where(c, "branch.shelf.room", MA_OP_STARTSWITH, MA_V_TEXT("A."),
		     "Two");
	expect_where(c, "branch.shelf.row", MA_OP_GTE, MA_V_TEXT("2"),
		     "Three|Two");
	expect_where(c, "branch.shelf", MA_OP_EXISTS, MA_V_BOOL(true),
		     "One|Three|Two");
	/* a list of numbers: an item, any, all, and the length */
	expect_where(c, "counts", MA_OP_EQ, MA_V_TEXT("2"), "One|Two");
	expect_where(c, "counts", MA_OP_GT, MA_V_INT(2), "One");
	expect_where_in(c, "counts", MA_OP_ALL, twos, 2, "One");
	expect_where_in(c, "counts", MA_OP_IN, twos, 2, "One|Two");
	expect_where(c, "counts", MA_OP_SIZE, MA_V_INT(0), "Three");
	/* a list of documents: its length */
	expect_where(c, "moves", MA_OP_SIZE, MA_V_INT(2), "Three");
	expect_where(c, "moves", MA_OP_SIZE, MA_V_INT(0), "Two");

	/* sorted three deep, and only that part kept */
	q = ma_query_new(own.db, c);
	cr_assert(ma_query_sort(q, "-branch.shelf.row", &e) &&
			  ma_query_fields(q, "branch.shelf.room", &e),
		  "%s", e.message);
	assert_results(q, "branch.shelf.room", false, "B|A.1|A");
	assert_results(q, "title", false, "?|?|?");
	ma_query_destroy(q);
}

Test(filters_live, bool_float_and_datetime)
{
	const ma_type *it = &item_type;

	seed_items();
	expect_where(it, "in_stock", MA_OP_EQ, MA_V_BOOL(true), "Alpha|Gamma");
	expect_where(it, "in_stock", MA_OP_EQ, MA_V_TEXT("false"), "Beta");
	expect_where(it, "in_stock", MA_OP_NE, MA_V_BOOL(true), "Beta");

	expect_where(it, "price", MA_OP_GT, MA_V_FLOAT(6.0), "Alpha|Beta");
	expect_where(it, "price", MA_OP_LTE, MA_V_INT(5), "Gamma");
	expect_where(it, "price", MA_OP_EQ, MA_V_TEXT("9.5"), "Alpha");
	expect_where(it, "price", MA_OP_GTE, MA_V_TEXT("20"), "Beta");

	expect_where(it, "released", MA_OP_GTE, MA_V_DATETIME(MS_2020_01_01),
		     "Alpha|Beta");
	expect_where(it, "released", MA_OP_EQ, MA_V_DATETIME(MS_2021_06_15),
		     "Beta");
	expect_where(it, "released", MA_OP_LT,
		     MA_V_STRING("2020-01-01T00:00:00Z"), "Gamma");
	expect_where(it, "released", MA_OP_LTE,
		     MA_V_TEXT("2020-01-01T01:00:00+01:00"), "Alpha|Gamma");
	expect_where(it, "released", MA_OP_GT, MA_V_DATETIME(MS_2019_03_01),
		     "Alpha|Beta");
}

Test(filters_live, optional_nullable_and_enum)
{
	const ma_type *it = &item_type;
	const ma_value genres[] = {MA_V_STRING("novel"), MA_V_TEXT("essay")};

	seed_items();
	expect_where(it, "subtitle", MA_OP_EXISTS, MA_V_BOOL(true),
		     "Alpha|Gamma");
	expect_where(it, "subtitle", MA_OP_EXISTS, MA_V_BOOL(false), "Beta");
	/* Beta's note is null, Gamma has none: NULL matches both. */
	expect_where(it, "note", MA_OP_EQ, MA_V_NULL, "Beta|Gamma");
	expect_where(it, "note", MA_OP_NE, MA_V_NULL, "Alpha");
	expect_where(it, "note", MA_OP_EXISTS, MA_V_BOOL(true), "Alpha|Beta");
	expect_where(it, "subtitle", MA_OP_EQ, MA_V_NULL, "Beta");

	expect_where(it, "genre", MA_OP_EQ, MA_V_STRING("poetry"), "Beta");
	expect_where(it, "genre", MA_OP_NE, MA_V_STRING("novel"), "Beta|Gamma");
	expect_where_in(it, "genre", MA_OP_IN, genres, 2, "Alpha|Gamma");
	expect_where(it, "genre", MA_OP_STARTSWITH, MA_V_STRING("po"), "Beta");
}

/* --- order, projection, count, distinct --------------------------------- */

/* The books' titles in the order of key1, then key2. */
static void
expect_sorted(const char *key1, const char *key2, const char *want)
{
	ma_query *q = ma_query_new(own.db, &library_book_type);
	ma_error e;

	cr_assert(ma_query_sort(q, key1, &e) && ma_query_sort(q, key2, &e),
		  "sort %s, %s: %s", key1, key2, e.message);
	assert_results(q, "title", false, want);
	ma_query_destroy(q);
}

Test(queries_live, sort_ascending_descending_and_several_keys)
{
	seed_books(NULL);
	expect_sorted("year", "title", KR "|" CPP "|" PERL "|" DIVE "|" DIVE3);
	expect_sorted("-year", "-title",
		      DIVE3 "|" DIVE "|" PERL "|" CPP "|" KR);
	expect_sorted("-year", "title", DIVE3 "|" DIVE "|" CPP "|" PERL "|" KR);
	expect_sorted("author.name", "-year",
		      CPP "|" KR "|" PERL "|" DIVE3 "|" DIVE);
}

Test(queries_live, skip_and_limit)
{
	ma_query *q;
	ma_doc *got = NULL;
	ma_error e;

	seed_books(NULL);

	q = ma_query_new(own.db, &library_book_type);
	cr_assert(ma_query_sort(q, "year", &e) &&
			  ma_query_sort(q, "title", &e) &&
			  ma_query_skip(q, 1, &e) && ma_query_limit(q, 2, &e),
		  "%s", e.message);
	assert_results(q, "title", false, CPP "|" PERL);
	/* first() starts after the skip. */
	cr_assert(ma_query_first(q, &got, &e), "%s", e.message);
	assert_title(got, CPP);
	ma_doc_destroy(got);
	ma_query_destroy(q);

	q = ma_query_new(own.db, &library_book_type);
	cr_assert(ma_query_sort(q, "-year", &e) && ma_query_skip(q, 4, &e),
		  "%s", e.message);
	assert_results(q, "title", false, KR);
	ma_query_destroy(q);

	q = ma_query_new(own.db, &library_book_type);
	cr_assert(ma_query_skip(q, 5, &e), "%s", e.message);
	assert_results(q, "title", false, "");
	ma_query_destroy(q);

	/* limit 0 is no limit, as in MongoDB */
	q = ma_query_new(own.db, &library_book_type);
	cr_assert(ma_query_limit(q, 0, &e), "%s", e.message);
	assert_results(q, "title", true,
		       CPP "|" DIVE "|" DIVE3 "|" PERL "|" KR);
	ma_query_destroy(q);
}

Test(queries_live, fields_returns_only_what_was_asked_and_the_id)
{
	ma_query *q = ma_query_new(own.db, &library_book_type);
	bson_oid_t ids[5];
	const ma_doc *doc;
	ma_cursor *cur;
	const char *s;
	int64_t year;
	bson_iter_t it;
	int n = 0;
	ma_error e;

	seed_books(ids);
	cr_assert(ma_query_fields(q, "title", &e) &&
			  ma_query_filter(q, "year", MA_OP_EQ, MA_V_INT(1978),
					  &e),
		  "%s", e.message);
	cur = ma_query_find(q, &e);
	cr_assert_not_null(cur, "%s", e.message);
	while (ma_cursor_next(cur, &doc, &e)) {
		n++;
		assert_title(doc, KR);
		/* The id comes without being asked for. */
		assert_id(doc, &ids[2]);
		cr_assert_not(ma_doc_get_int(doc, "year", &year),
			      "year was not asked for");
		cr_assert_not(
			bson_iter_init_find(&it, ma_doc_bson(doc), "year"));
		cr_assert_not(
			bson_iter_init_find(&it, ma_doc_bson(doc), "author"));
	}
	cr_assert_eq(e.code, MA_OK, "%s", e.message);
	cr_assert_eq(n, 1);
	ma_cursor_destroy(cur);
	ma_query_destroy(q);

	/* A dotted path keeps that part of the embedded document. */
	q = ma_query_new(own.db, &library_book_type);
	cr_assert(ma_query_fields(q, "author.name", &e) &&
			  ma_query_fields(q, "year", &e) &&
			  ma_query_filter(q, "_id", MA_OP_EQ, MA_V_OID(&ids[4]),
					  &e),
		  "%s", e.message);
	cur = ma_query_find(q, &e);
	cr_assert_not_null(cur, "%s", e.message);
	cr_assert(ma_cursor_next(cur, &doc, &e), "%s", e.message);
	assert_string(doc, "author.name", "Larry Wall");
	assert_int(doc, "year", 1991);
	cr_assert_not(ma_doc_get_string(doc, "title", &s),
		      "title was not asked for");
	assert_id(doc, &ids[4]);
	cr_assert_not(ma_cursor_next(cur, &doc, &e));
	cr_assert_eq(e.code, MA_OK, "%s", e.message);
	/* The end is not an error, also asked without an error to fill. */
	cr_assert_not(ma_cursor_next(cur, &doc, NULL));
	cr_assert_not(ma_cursor_error(cur, &e), "the end read as an error");
	ma_cursor_destroy(cur);
	ma_query_destroy(q);
}

Test(queries_live, count_with_filters_ignores_skip_and_limit)
{
	ma_query *q = ma_query_new(own.db, &library_book_type);
	int64_t n = -1;
	ma_error e;

	seed_books(NULL);
	cr_assert(ma_query_count(q, &n, &e), "%s", e.message);
	cr_assert_eq(n, 5);

	cr_assert(ma_query_filter(q, "year", MA_OP_GTE, MA_V_INT(1991), &e) &&
			  ma_query_skip(q, 1, &e) && ma_query_limit(q, 2, &e) &&
			  ma_query_sort(q, "-year", &e) &&
			  ma_query_sort(q, "title", &e),
		  "%s", e.message);
	cr_assert(ma_query_count(q, &n, &e), "%s", e.message);
	cr_assert_eq(n, 4, "count %" PRId64 " follows skip or limit", n);
	assert_results(q, "title", false, DIVE "|" CPP);

	cr_assert(ma_query_filter(q, "author.name", MA_OP_EQ,
				  MA_V_STRING("Nobody"), &e),
		  "%s", e.message);
	cr_assert(ma_query_count(q, &n, &e), "%s", e.message);
	cr_assert_eq(n, 0);

	ma_query_destroy(q);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

Test(queries_live, distinct_of_year_and_of_author_name)
{
	ma_query *q = ma_query_new(own.db, &library_book_type);
	const char *names[8];
	int64_t years[8];
	bson_t values;
	bson_iter_t it;
	size_t n = 0;
	ma_error e;

	seed_books(NULL);
	cr_assert(ma_query_distinct(q, "year", &values, &e), "%s", e.message);
	cr_assert(bson_iter_init(&it, &values));
	while (bson_iter_next(&it)) {
		cr_assert_lt(n, 8);
		cr_assert(BSON_ITER_HOLDS_INT(&it),
			  "a year that is not an integer");
		years[n++] = bson_iter_as_int64(&it);
	}
	bson_destroy(&values);
	qsort(years, n, sizeof(*years), cmp_i64);
	cr_assert_eq(n, 4, "%zu distinct years", n);
	cr_assert_eq(years[0], 1978);
	cr_assert_eq(years[1], 1991);
	cr_assert_eq(years[2], 2004);
	cr_assert_eq(years[3], 2009);

	/* with a filter */
	cr_assert(ma_query_filter(q, "year", MA_OP_LT, MA_V_INT(2000), &e),
		  "%s", e.message);
	cr_assert(ma_query_distinct(q, "author.name", &values, &e), "%s",
		  e.message);
	n = 0;
	cr_assert(bson_iter_init(&it, &values));
	while (bson_iter_next(&it)) {
		cr_assert_lt(n, 8);
		cr_assert(BSON_ITER_HOLDS_UTF8(&it));
		names[n++] = bson_iter_utf8(&it, NULL);
	}
	qsort(names, n, sizeof(*names), cmp_str);
	cr_assert_eq(n, 3, "%zu distinct names", n);
	cr_assert_str_eq(names[0], "Bjarne Stroustrup");
	cr_assert_str_eq(names[1], "Brian Kernighan");
	cr_assert_str_eq(names[2], "Larry Wall");
	bson_destroy(&values);

	ma_query_destroy(q);
}

/* --- errors made while building ----------------------------------------- */

Test(queries_live, a_wrong_value_kind_is_remembered_not_an_empty_result)
{
	ma_query *q = ma_query_new(own.db, &library_book_type);
	ma_doc *got = NULL;
	ma_cursor *cur;
	int64_t n = -1;
	ma_error first, e;

	seed_books(NULL);
	cr_assert_not(
		ma_query_filter(q, "year", MA_OP_EQ, MA_V_STRING("x"), &first));
	cr_assert_eq(first.code, MA_ERR_INVALID, "%s (%s)", first.message,
		     ma_strerror(first.code));
	cr_assert_neq(first.message[0], '\0', "the error says nothing");

	/* Refining further keeps the first error. */
	cr_assert_not(ma_query_sort(q, "title", &e));
	cr_assert_eq(e.code, MA_ERR_INVALID);
	cr_assert_str_eq(e.message, first.message);

	cr_assert_not(ma_query_ok(q, &e));
	cr_assert_eq(e.code, MA_ERR_INVALID);
	cr_assert_str_eq(e.message, first.message);

	cr_assert_not(ma_query_first(q, &got, &e), "first ran a broken query");
	cr_assert_null(got);
	cr_assert_eq(e.code, MA_ERR_INVALID, "%s (%s)", e.message,
		     ma_strerror(e.code));
	cr_assert_str_eq(e.message, first.message);

	cr_assert_not(ma_query_count(q, &n, &e), "count ran a broken query");
	cr_assert_eq(e.code, MA_ERR_INVALID);
	cur = ma_query_find(q, &e);
	cr_assert_null(cur, "find ran a broken query");
	cr_assert_eq(e.code, MA_ERR_INVALID);
	cr_assert_null(ma_query_first_or_404(q, &e));
	cr_assert_eq(e.code, MA_ERR_INVALID,
		     "a broken query is not \"not found\"");

	ma_query_destroy(q);
}

Test(queries_live, unknown_fields_and_unsortable_keys_are_invalid)
{
	ma_query *q;
	ma_error e;

	q = ma_query_new(own.db, &library_book_type);
	cr_assert_not(ma_query_filter(q, "publisher", MA_OP_EQ,
				      MA_V_STRING("O'Reilly"), &e));
	cr_assert_eq(e.code, MA_ERR_INVALID);
	ma_query_destroy(q);

	q = ma_query_new(own.db, &library_book_type);
	cr_assert_not(ma_query_sort(q, "author", &e), "sorted by a document");
	cr_assert_eq(e.code, MA_ERR_INVALID);
	ma_query_destroy(q);

	q = ma_query_new(own.db, &library_book_type);
	cr_assert_not(ma_query_filter(q, "year", MA_OP_REGEX,
				      MA_V_STRING("19.*"), &e),
		      "a regex on an int");
	cr_assert_eq(e.code, MA_ERR_INVALID);
	ma_query_destroy(q);
}

/* --- updates ------------------------------------------------------------- */

/* Runs update on the documents of type where path == v. */
static ma_update_result
update_where(const ma_type *type, const char *path, ma_value v,
	     const ma_update *u, unsigned flags)
{
	ma_query *q = ma_query_new(own.db, type);
	ma_update_result r;
	ma_error e;

	memset(&r, 0xff, sizeof(r));
	cr_assert(ma_query_filter(q, path, MA_OP_EQ, v, &e), "%s", e.message);
	cr_assert(ma_query_update(q, u, flags, MA_SAFE_SESSION, &r, &e),
		  "update: %s (%s)", e.message, ma_strerror(e.code));
	ma_query_destroy(q);
	return r;
}

Test(updates_live, set_and_inc)
{
	ma_update *u = ma_update_new(&library_book_type);
	ma_update_result r;
	bson_oid_t ids[5];
	ma_doc *doc;
	ma_error e;

	seed_books(ids);
	cr_assert(ma_update_set(u, "year", MA_V_INT(2005), &e) &&
			  ma_update_set(u, "author.name",
					MA_V_STRING("M. Pilgrim"), &e),
		  "%s", e.message);
	r = update_where(&library_book_type, "title", MA_V_STRING(DIVE), u, 0);
	cr_assert_eq(r.matched, 1);
	cr_assert_eq(r.modified, 1);
	cr_assert_not(r.upserted);
	doc = reread(&library_book_type, &ids[0]);
	assert_string(doc, "author.name", "M. Pilgrim");
	assert_title(doc, DIVE);
	ma_doc_destroy(doc);
	cr_assert_eq(reread_int(&library_book_type, &ids[0], "year"), 2005);
	cr_assert_eq(reread_int(&library_book_type, &ids[1], "year"), 2009,
		     "another book changed");
	ma_update_destroy(u);

	u = ma_update_new(&library_book_type);
	cr_assert(ma_update_inc(u, "year", MA_V_INT(-3), &e), "%s", e.message);
	update_where(&library_book_type, "title", MA_V_STRING(DIVE), u, 0);
	cr_assert_eq(reread_int(&library_book_type, &ids[0], "year"), 2002);
	ma_update_destroy(u);
}

/* One list operation with item on the tags of Alpha (whose id is alpha),
 * which modifies Alpha (or not) and leaves the tags want. */
static void
expect_tags(const bson_oid_t *alpha,
	    bool (*op)(ma_update *, const char *, ma_value, ma_error *),
	    const char *item, int64_t modified, const char *want)
{
	ma_update *u = ma_update_new(&item_type);
	ma_update_result r;
	ma_doc *doc;
	ma_error e;

	cr_assert(op(u, "tags", MA_V_STRING(item), &e), "%s", e.message);
	r = update_where(&item_type, "title", MA_V_STRING("Alpha"), u, 0);
	cr_assert_eq(r.matched, 1);
	cr_assert_eq(r.modified, modified, "%s: modified %" PRId64, item,
		     r.modified);
	ma_update_destroy(u);
	doc = reread(&item_type, alpha);
	assert_list(doc, "tags", want);
	ma_doc_destroy(doc);
}

Test(updates_live, unset_inc_float_push_pull_and_add_to_set)
{
	ma_update *u;
	bson_oid_t alpha_id;
	ma_doc *doc;
	const char *s;
	double price;
	ma_error e;

	seed_items();
	doc = item_titled("Alpha", &alpha_id);
	ma_doc_destroy(doc);

	u = ma_update_new(&item_type);
	cr_assert(ma_update_unset(u, "subtitle", &e) &&
			  ma_update_inc(u, "price", MA_V_FLOAT(0.25), &e) &&
			  ma_update_push(u, "tags", MA_V_STRING("green"), &e),
		  "%s", e.message);
	update_where(&item_type, "title", MA_V_STRING("Alpha"), u, 0);
	ma_update_destroy(u);
	doc = reread(&item_type, &alpha_id);
	cr_assert_not(ma_doc_get_string(doc, "subtitle", &s),
		      "subtitle is still there");
	cr_assert_not(ma_doc_is_null(doc, "subtitle"), "unset left a null");
	cr_assert(ma_doc_get_float(doc, "price", &price));
	cr_assert_float_eq(price, 9.75, 1e-9);
	assert_list(doc, "tags", "red,blue,green");
	ma_doc_destroy(doc);

	expect_tags(&alpha_id, ma_update_pull, "blue", 1, "red,green");
	/* Twice the same item: stored once, and the second changes nothing. */
	expect_tags(&alpha_id, ma_update_add_to_set, "yellow", 1,
		    "red,green,yellow");
	expect_tags(&alpha_id, ma_update_add_to_set, "yellow", 0,
		    "red,green,yellow");
	/* push, unlike add_to_set, repeats */
	expect_tags(&alpha_id, ma_update_push, "red", 1,
		    "red,green,yellow,red");
	/* pull removes every copy */
	expect_tags(&alpha_id, ma_update_pull, "red", 1, "green,yellow");
}

Test(updates_live, set_null_and_datetime_and_unset_of_a_required_field)
{
	ma_update *u = ma_update_new(&item_type), *bad;
	bson_oid_t id;
	ma_doc *doc;
	int64_t ms;
	ma_error e;

	seed_items();
	ma_doc_destroy(item_titled("Alpha", &id));

	/* Refused calls, each on an update of its own: an update remembers
	 * its first refusal. */
	bad = ma_update_new(&item_type);
	cr_assert_not(ma_update_unset(bad, "title", &e),
		      "unset a required field");
	cr_assert_eq(e.code, MA_ERR_INVALID);
	cr_assert_str_eq(e.message, "title: is required; it cannot be unset");
	ma_update_destroy(bad);
	bad = ma_update_new(&item_type);
	cr_assert_not(ma_update_set(bad, "subtitle", MA_V_NULL, &e),
		      "set null where the field is not nullable");
	cr_assert_eq(e.code, MA_ERR_INVALID);
	cr_assert_str_eq(e.message, "subtitle: must not be null");
	cr_assert_not(ma_update_set(bad, "note", MA_V_NULL, &e),
		      "a refused update refuses every later call");
	cr_assert_str_eq(e.message, "subtitle: must not be null");
	ma_update_destroy(bad);

	cr_assert(ma_update_set(u, "note", MA_V_NULL, &e) &&
			  ma_update_set(u, "released",
					MA_V_DATETIME(MS_2021_06_15), &e) &&
			  ma_update_set(u, "genre", MA_V_STRING("essay"), &e),
		  "%s", e.message);
	update_where(&item_type, "title", MA_V_STRING("Alpha"), u, 0);
	ma_update_destroy(u);

	doc = reread(&item_type, &id);
	cr_assert(ma_doc_is_null(doc, "note"));
	cr_assert(ma_doc_get_datetime(doc, "released", &ms));
	cr_assert_eq(ms, MS_2021_06_15);
	ma_doc_destroy(doc);
	expect_where(&item_type, "genre", MA_OP_EQ, MA_V_STRING("essay"),
		     "Alpha|Gamma");
}

Test(updates_live, out_of_bounds_set_is_refused_before_anything_is_sent)
{
	ma_update *u = ma_update_new(&library_book_type);
	ma_update *titled = ma_update_new(&library_book_type);
	ma_query *q = ma_query_new(own.db, &library_book_type);
	ma_update_result r;
	bson_oid_t ids[5];
	bson_iter_t it;
	ma_error e;

	seed_books(ids);
	cr_assert_not(ma_update_set(u, "year", MA_V_INT(-5), &e),
		      "year -5 accepted");
	cr_assert_eq(e.code, MA_ERR_INVALID, "%s (%s)", e.message,
		     ma_strerror(e.code));
	cr_assert_str_eq(e.message,
			 "year: must be an integer between 0 and 9999");
	cr_assert_not(bson_iter_init_find(&it, ma_update_bson(u), "$set"),
		      "the refused value is in the update");
	/* On an update of its own: u refuses everything after its first
	 * refusal. */
	cr_assert_not(ma_update_set(titled, "title", MA_V_STRING(""), &e),
		      "an empty title accepted");
	cr_assert_eq(e.code, MA_ERR_INVALID);
	cr_assert(strstr(e.message, "title: ") == e.message, "%s", e.message);

	/* The write fails with the refusal, and nothing is sent. */
	cr_assert(ma_query_filter(q, "title", MA_OP_EQ, MA_V_STRING(DIVE), &e),
		  "%s", e.message);
	cr_assert_not(ma_query_update(q, u, 0, MA_SAFE_SESSION, &r, &e));
	cr_assert_eq(e.code, MA_ERR_INVALID, "%s (%s)", e.message,
		     ma_strerror(e.code));
	cr_assert_str_eq(e.message,
			 "year: must be an integer between 0 and 9999");
	cr_assert_eq(reread_int(&library_book_type, &ids[0], "year"), 2004);

	ma_query_destroy(q);
	ma_update_destroy(titled);
	ma_update_destroy(u);
}

Test(updates_live, multi_updates_every_match_and_without_it_only_one)
{
	ma_update *u = ma_update_new(&library_book_type);
	ma_update_result r;
	ma_error e;

	seed_books(NULL);
	cr_assert(ma_update_set(u, "year", MA_V_INT(2010), &e), "%s",
		  e.message);

	r = update_where(&library_book_type, "author.name",
			 MA_V_STRING("Mark Pilgrim"), u, 0);
	cr_assert_eq(r.matched, 1, "matched %" PRId64, r.matched);
	cr_assert_eq(r.modified, 1);
	cr_assert_eq(count_where(&library_book_type, "year", MA_V_INT(2010)),
		     1);

	r = update_where(&library_book_type, "author.name",
			 MA_V_STRING("Mark Pilgrim"), u, MA_UPDATE_MULTI);
	cr_assert_eq(r.matched, 2, "matched %" PRId64, r.matched);
	cr_assert_eq(r.modified, 1,
		     "modified %" PRId64 ": one already had 2010", r.modified);
	cr_assert_not(r.upserted);
	expect_where(&library_book_type, "year", MA_OP_EQ, MA_V_INT(2010),
		     DIVE "|" DIVE3);

	r = update_where(&library_book_type, "year", MA_V_INT(1991), u,
			 MA_UPDATE_MULTI);
	cr_assert_eq(r.matched, 2);
	cr_assert_eq(r.modified, 2);
	cr_assert_eq(count_where(&library_book_type, "year", MA_V_INT(2010)),
		     4);

	r = update_where(&library_book_type, "year", MA_V_INT(1234), u,
			 MA_UPDATE_MULTI);
	cr_assert_eq(r.matched, 0);
	cr_assert_eq(r.modified, 0);
	cr_assert_not(r.upserted);

	ma_update_destroy(u);
}

Test(updates_live, upsert_inserts_one_seeded_by_the_filter)
{
	ma_update *u = ma_update_new(&library_book_type);
	ma_update_result r;
	ma_doc *doc;
	ma_error e;

	seed_books(NULL);
	cr_assert(ma_update_set(u, "year", MA_V_INT(2020), &e) &&
			  ma_update_set(u, "author",
					MA_V_JSON("{\"name\": \"K. N. King\"}"),
					&e),
		  "%s", e.message);
	r = update_where(&library_book_type, "title", MA_V_STRING("Learning C"),
			 u, MA_UPDATE_UPSERT);
	cr_assert(r.upserted, "nothing was inserted");
	cr_assert_eq(r.matched, 0);
	cr_assert_eq(count_all(&library_book_type), 6);

	doc = reread(&library_book_type, &r.upserted_id);
	assert_title(doc, "Learning C");
	assert_int(doc, "year", 2020);
	assert_string(doc, "author.name", "K. N. King");
	assert_id(doc, &r.upserted_id);
	ma_doc_destroy(doc);

	/* Again: now it matches, nothing is inserted. */
	r = update_where(&library_book_type, "title", MA_V_STRING("Learning C"),
			 u, MA_UPDATE_UPSERT);
	cr_assert_not(r.upserted);
	cr_assert_eq(r.matched, 1);
	cr_assert_eq(count_all(&library_book_type), 6);

	ma_update_destroy(u);
}

/* The filter's equalities on a dotted path seed the embedded document. */
Test(updates_live, upsert_seeds_every_equality_of_the_filter)
{
	ma_update *u = ma_update_new(&library_book_type);
	ma_query *q = ma_query_new(own.db, &library_book_type);
	ma_update_result r;
	ma_doc *doc;
	ma_error e;

	cr_assert(ma_update_set(u, "year", MA_V_INT(2008), &e), "%s",
		  e.message);
	cr_assert(ma_query_filter(q, "title", MA_OP_EQ,
				  MA_V_STRING("C Programming"), &e) &&
			  ma_query_filter(q, "author.name", MA_OP_EQ,
					  MA_V_STRING("K. N. King"), &e),
		  "%s", e.message);
	cr_assert(ma_query_update(q, u, MA_UPDATE_UPSERT, MA_SAFE_SESSION, &r,
				  &e),
		  "%s (%s)", e.message, ma_strerror(e.code));
	cr_assert(r.upserted);
	ma_query_destroy(q);

	doc = reread(&library_book_type, &r.upserted_id);
	assert_title(doc, "C Programming");
	assert_string(doc, "author.name", "K. N. King");
	assert_int(doc, "year", 2008);
	ma_doc_destroy(doc);

	ma_update_destroy(u);
}

/* An insert that would break the type (no author) is refused, not sent. */
Test(updates_live, upsert_that_would_insert_an_incomplete_document_is_invalid)
{
	ma_update *u = ma_update_new(&library_book_type);
	ma_query *q = ma_query_new(own.db, &library_book_type);
	ma_update_result r;
	ma_error e;

	seed_books(NULL);
	cr_assert(ma_update_set(u, "year", MA_V_INT(2020), &e), "%s",
		  e.message);
	cr_assert(ma_query_filter(q, "title", MA_OP_EQ,
				  MA_V_STRING("Learning C"), &e),
		  "%s", e.message);
	cr_assert_not(ma_query_update(q, u, MA_UPDATE_UPSERT, MA_SAFE_SESSION,
				      &r, &e),
		      "upserted a Book without author");
	cr_assert_eq(e.code, MA_ERR_INVALID, "%s (%s)", e.message,
		     ma_strerror(e.code));
	cr_assert_eq(count_all(&library_book_type), 5);
	ma_query_destroy(q);

	ma_update_destroy(u);
}

Test(updates_live, remove_deletes_matching_and_counts)
{
	ma_query *q = ma_query_new(own.db, &library_book_type);
	int64_t deleted = -1;
	ma_error e;

	seed_books(NULL);
	cr_assert(ma_query_filter(q, "year", MA_OP_EQ, MA_V_INT(1991), &e),
		  "%s", e.message);
	cr_assert(ma_query_remove(q, MA_SAFE_SESSION, &deleted, &e), "%s",
		  e.message);
	cr_assert_eq(deleted, 2);
	cr_assert(ma_query_remove(q, MA_SAFE_SESSION, &deleted, &e), "%s",
		  e.message);
	cr_assert_eq(deleted, 0);
	ma_query_destroy(q);

	q = ma_query_new(own.db, &library_book_type);
	assert_results(q, "title", true, DIVE "|" DIVE3 "|" KR);
	ma_query_destroy(q);
}

/* --- find-and-modify ----------------------------------------------------- */

static ma_doc *
modify_where(const char *title, const ma_update *u, unsigned flags)
{
	ma_query *q = ma_query_new(own.db, &library_book_type);
	ma_doc *out = (ma_doc *)&out;
	ma_error e;

	cr_assert(ma_query_filter(q, "title", MA_OP_EQ, MA_V_STRING(title), &e),
		  "%s", e.message);
	cr_assert(ma_query_find_and_modify(q, u, flags, &out, &e),
		  "find-and-modify: %s (%s)", e.message, ma_strerror(e.code));
	ma_query_destroy(q);
	return out;
}

Test(find_and_modify_live, returns_the_old_document_or_with_return_new_the_new)
{
	ma_update *u = ma_update_new(&library_book_type);
	bson_oid_t ids[5];
	ma_doc *out;
	ma_error e;

	seed_books(ids);
	cr_assert(ma_update_inc(u, "year", MA_V_INT(1), &e), "%s", e.message);

	/* The document as it was, */
	out = modify_where(DIVE, u, 0);
	assert_title(out, DIVE);
	assert_int(out, "year", 2004);
	assert_id(out, &ids[0]);
	ma_doc_destroy(out);
	cr_assert_eq(reread_int(&library_book_type, &ids[0], "year"), 2005);

	/* and as it became. */
	out = modify_where(DIVE, u, MA_UPDATE_RETURN_NEW);
	assert_title(out, DIVE);
	assert_int(out, "year", 2006);
	assert_id(out, &ids[0]);
	ma_doc_destroy(out);
	cr_assert_eq(reread_int(&library_book_type, &ids[0], "year"), 2006);

	ma_update_destroy(u);
}

Test(find_and_modify_live, modifies_the_first_in_sort_order)
{
	ma_update *u = ma_update_new(&library_book_type);
	bson_oid_t ids[5];
	ma_query *q;
	ma_doc *out = NULL;
	ma_error e;

	seed_books(ids);
	cr_assert(ma_update_set(u, "year", MA_V_INT(1999), &e), "%s",
		  e.message);

	/* ids[3] is C++, ids[4] Programming Perl: both 1991. */
	q = ma_query_new(own.db, &library_book_type);
	cr_assert(ma_query_filter(q, "year", MA_OP_EQ, MA_V_INT(1991), &e) &&
			  ma_query_sort(q, "-title", &e),
		  "%s", e.message);
	cr_assert(ma_query_find_and_modify(q, u, 0, &out, &e), "%s", e.message);
	assert_title(out, PERL);
	ma_doc_destroy(out);
	ma_query_destroy(q);
	cr_assert_eq(reread_int(&library_book_type, &ids[4], "year"), 1999);
	cr_assert_eq(reread_int(&library_book_type, &ids[3], "year"), 1991);

	q = ma_query_new(own.db, &library_book_type);
	cr_assert(ma_query_sort(q, "year", &e), "%s", e.message);
	cr_assert(
		ma_query_find_and_modify(q, u, MA_UPDATE_RETURN_NEW, &out, &e),
		"%s", e.message);
	assert_title(out, KR);
	ma_doc_destroy(out);
	ma_query_destroy(q);
	cr_assert_eq(reread_int(&library_book_type, &ids[2], "year"), 1999);
	cr_assert_eq(reread_int(&library_book_type, &ids[3], "year"), 1991);

	ma_update_destroy(u);
}

Test(find_and_modify_live, upsert_with_return_new_gives_the_inserted_document)
{
	ma_update *u = ma_update_new(&library_book_type);
	ma_doc *out, *stored;
	bson_oid_t id;
	ma_error e;

	seed_books(NULL);
	cr_assert(ma_update_set(u, "year", MA_V_INT(2020), &e) &&
			  ma_update_set(u, "author",
					MA_V_JSON("{\"name\": \"K. N. King\"}"),
					&e),
		  "%s", e.message);
	out = modify_where("Learning C", u,
			   MA_UPDATE_UPSERT | MA_UPDATE_RETURN_NEW);
	assert_title(out, "Learning C");
	assert_int(out, "year", 2020);
	cr_assert(ma_doc_id(out, &id), "the inserted document has no id");
	cr_assert_eq(count_all(&library_book_type), 6);
	stored = reread(&library_book_type, &id);
	assert_title(stored, "Learning C");
	ma_doc_destroy(stored);
	ma_doc_destroy(out);

	ma_update_destroy(u);
}

Test(find_and_modify_live, nothing_matched_is_true_with_no_document)
{
	ma_update *u = ma_update_new(&library_book_type);
	ma_query *q;
	ma_doc *out;
	ma_error e;

	seed_books(NULL);
	cr_assert(ma_update_set(u, "year", MA_V_INT(2020), &e), "%s",
		  e.message);
	out = modify_where("Learning C", u, 0);
	cr_assert_null(out);
	out = modify_where("Learning C", u, MA_UPDATE_RETURN_NEW);
	cr_assert_null(out);
	cr_assert_eq(count_all(&library_book_type), 5);

	q = ma_query_new(own.db, &library_book_type);
	out = (ma_doc *)&out;
	cr_assert(ma_query_filter(q, "title", MA_OP_EQ,
				  MA_V_STRING("Learning C"), &e) &&
			  ma_query_find_and_remove(q, &out, &e),
		  "%s", e.message);
	cr_assert_null(out);
	ma_query_destroy(q);

	ma_update_destroy(u);
}

Test(find_and_modify_live, find_and_remove_returns_the_removed_document)
{
	ma_query *q = ma_query_new(own.db, &library_book_type);
	ma_doc *out = NULL, *again = (ma_doc *)&again;
	bson_oid_t ids[5];
	ma_error e;

	seed_books(ids);
	cr_assert(ma_query_filter(q, "year", MA_OP_EQ, MA_V_INT(1991), &e) &&
			  ma_query_sort(q, "title", &e),
		  "%s", e.message);
	cr_assert(ma_query_find_and_remove(q, &out, &e), "%s", e.message);
	assert_title(out, CPP);
	assert_int(out, "year", 1991);
	assert_id(out, &ids[3]);
	ma_doc_destroy(out);
	ma_query_destroy(q);

	q = ma_query_new(own.db, &library_book_type);
	cr_assert(ma_query_get_oid(q, &ids[3], &again, &e), "%s", e.message);
	cr_assert_null(again, "the removed document is still there");
	ma_query_destroy(q);
	cr_assert_eq(count_all(&library_book_type), 4);
}

/* --- query extensions ---------------------------------------------------- */

static void
seed_people(void)
{
	seed(&person_type,
	     "{\"name\": \"John Smith\", \"first_name\": \"John\", \"born\": "
	     "1950}",
	     NULL);
	seed(&person_type,
	     "{\"name\": \"Jane Doe\", \"first_name\": \"Jane\", \"born\": "
	     "1980}",
	     NULL);
	seed(&person_type,
	     "{\"name\": \"John Doe\", \"first_name\": \"John\", \"born\": "
	     "1990}",
	     NULL);
	seed(&person_type,
	     "{\"name\": \"Mary Major\", \"first_name\": \"Mary\", \"born\": "
	     "2000}",
	     NULL);
}

Test(extensions_live, documented_get_johns)
{
	ma_query *q = ma_query_new(own.db, &person_type);
	ma_doc *john = NULL;
	ma_error e;

	cr_assert_not_null(ma_type_extension(&person_type, "get_johns"));
	cr_assert_eq(ma_type_extension(&person_type, "get_johns")->fn,
		     get_johns);
	cr_assert_null(ma_type_extension(&person_type, "get_janes"));

	seed_people();
	cr_assert(ma_query_extend(q, "get_johns", NULL, &e), "%s", e.message);
	assert_results(q, "name", true, "John Doe|John Smith");

	/* johns = Person.query.get_johns().first() */
	cr_assert(ma_query_first(q, &john, &e), "%s", e.message);
	assert_string(john, "first_name", "John");
	ma_doc_destroy(john);

	ma_query_destroy(q);
}

Test(extensions_live, an_argument_is_parsed_and_extensions_combine)
{
	ma_query *q;
	ma_error e;

	seed_people();

	q = ma_query_new(own.db, &person_type);
	cr_assert(ma_query_extend(q, "since", "1980", &e), "%s", e.message);
	assert_results(q, "name", false, "Mary Major|John Doe|Jane Doe");
	ma_query_destroy(q);

	q = ma_query_new(own.db, &person_type);
	cr_assert(ma_query_extend(q, "get_johns", NULL, &e) &&
			  ma_query_extend(q, "since", "1900", &e),
		  "%s", e.message);
	assert_results(q, "name", false, "John Doe|John Smith");
	ma_query_destroy(q);
}

Test(extensions_live, unknown_extension_and_extension_errors)
{
	ma_query *q;
	ma_doc *got = NULL;
	ma_error e, first;

	seed_people();

	q = ma_query_new(own.db, &person_type);
	cr_assert_not(ma_query_extend(q, "get_janes", NULL, &e),
		      "an unknown extension ran");
	cr_assert_eq(e.code, MA_ERR_UNDECLARED, "%s (%s)", e.message,
		     ma_strerror(e.code));
	ma_query_destroy(q);

	/* A type without extensions at all */
	q = ma_query_new(own.db, &library_author_type);
	cr_assert_not(ma_query_extend(q, "get_johns", NULL, &e));
	cr_assert_eq(e.code, MA_ERR_UNDECLARED);
	ma_query_destroy(q);

	/* "abc" is no year: the filter's own error comes back, and stays. */
	q = ma_query_new(own.db, &person_type);
	cr_assert_not(ma_query_extend(q, "since", "abc", &first),
		      "since abc ran");
	cr_assert_eq(first.code, MA_ERR_INVALID, "%s (%s)", first.message,
		     ma_strerror(first.code));
	cr_assert_not(ma_query_first(q, &got, &e), "a broken query ran");
	cr_assert_null(got);
	cr_assert_eq(e.code, MA_ERR_INVALID);
	cr_assert_str_eq(e.message, first.message);
	ma_query_destroy(q);
}

/* --- no server ------------------------------------------------------------ */

#define assert_unavailable(e, what)                                            \
	do {                                                                   \
		cr_assert_neq((e).code, MA_OK, "%s: no error", (what));        \
		cr_assert_neq((e).code, MA_ERR_NOT_FOUND,                      \
			      "%s: a dead server is not \"not found\"",        \
			      (what));                                         \
		cr_assert_eq((e).code, MA_ERR_UNAVAILABLE, "%s: %s (%s)",      \
			     (what), (e).message, ma_strerror((e).code));      \
	} while (0)

Test(unavailable_live, a_stopped_server_is_an_error_never_nothing_found)
{
	ma_db *db = live_stopped_db();
	ma_update *u = ma_update_new(&library_book_type);
	ma_query *q = ma_query_new(db, &library_book_type);
	ma_doc *out = NULL;
	int64_t n = -1;
	bson_t values;
	ma_error e;

	cr_assert(ma_query_filter(q, "year", MA_OP_GTE, MA_V_INT(1991), &e),
		  "%s", e.message);
	cr_assert(ma_update_set(u, "year", MA_V_INT(2000), &e), "%s",
		  e.message);

	cr_assert_not(ma_query_get(q, "5f0c0ffee0ddba11c0ffee00", &out, &e),
		      "get");
	cr_assert_null(out);
	assert_unavailable(e, "get");
	cr_assert_null(ma_query_get_or_404(q, "5f0c0ffee0ddba11c0ffee00", &e));
	assert_unavailable(e, "get_or_404");

	cr_assert_not(ma_query_first(q, &out, &e), "first");
	cr_assert_null(out);
	assert_unavailable(e, "first");
	cr_assert_null(ma_query_first_or_404(q, &e));
	assert_unavailable(e, "first_or_404");

	cr_assert_not(ma_query_count(q, &n, &e), "count");
	assert_unavailable(e, "count");

	cr_assert_not(ma_query_distinct(q, "year", &values, &e), "distinct");
	bson_destroy(&values);
	assert_unavailable(e, "distinct");

	cr_assert_not(ma_query_update(q, u, 0, MA_SAFE_SESSION, NULL, &e),
		      "update");
	assert_unavailable(e, "update");

	cr_assert_not(ma_query_find_and_modify(q, u, 0, &out, &e),
		      "find_and_modify");
	cr_assert_null(out);
	assert_unavailable(e, "find_and_modify");

	cr_assert_not(ma_query_find_and_remove(q, &out, &e), "find_and_remove");
	cr_assert_null(out);
	assert_unavailable(e, "find_and_remove");

	cr_assert_not(ma_query_remove(q, MA_SAFE_SESSION, &n, &e), "remove");
	assert_unavailable(e, "remove");

	ma_update_destroy(u);
	ma_query_destroy(q);
	ma_db_destroy(db);
}

/* The header promises a cursor from find, the server first asked at
 * the first next: a loop over results then has one place to see errors. */
Test(unavailable_live, a_stopped_server_fails_the_cursor_not_an_empty_loop)
{
	ma_db *db = live_stopped_db();
	ma_query *q = ma_query_new(db, &library_book_type);
	const ma_doc *doc = NULL;
	ma_cursor *cur;
	ma_error e;

	cur = ma_query_find(q, &e);
	cr_assert_not_null(cur, "find asked the server: %s (%s)", e.message,
			   ma_strerror(e.code));
	cr_assert_not(ma_cursor_next(cur, &doc, &e), "a result from no server");
	assert_unavailable(e, "cursor");
	/* Still an error, not the end, when asked again. */
	cr_assert_not(ma_cursor_next(cur, &doc, &e));
	cr_assert_neq(e.code, MA_OK, "a failed cursor ended normally");
	/* Told apart from the end without an error to fill, too. */
	cr_assert_not(ma_cursor_next(cur, &doc, NULL));
	memset(&e, 0, sizeof(e));
	cr_assert(ma_cursor_error(cur, &e), "a failed cursor read as its end");
	assert_unavailable(e, "ma_cursor_error");
	ma_cursor_destroy(cur);

	ma_query_destroy(q);
	ma_db_destroy(db);
}

/* --- the time limit of reads --------------------------------------------- */

typedef struct limit_db {
	const char *database;
	const char *max_time_ms;
} limit_db;

static const char *
limit_lookup(const char *name, void *ctx)
{
	const limit_db *l = ctx;

	if (strcmp(name, "MONGOALCHEMY_DATABASE") == 0)
		return l->database;
	if (strcmp(name, "MONGOALCHEMY_MAX_TIME_MS") == 0)
		return l->max_time_ms;
	return getenv(name);
}

/* A database of the test's own whose reads have max_time_ms. */
static ma_db *
limited_db(limit_db *l, const char *max_time_ms)
{
	ma_config *cfg;
	ma_error e;
	ma_db *db;

	live_require_server();
	l->database = live_unique_name("t");
	l->max_time_ms = max_time_ms;
	cfg = ma_config_new("MONGOALCHEMY", limit_lookup, l, &e);
	cr_assert_not_null(cfg, "configuration: %s", e.message);
	db = ma_db_new_with_config(cfg, &e);
	cr_assert_not_null(db, "%s", e.message);
	return db;
}

static void
limited_db_drop(ma_db *db, limit_db *l)
{
	mongoc_client_t *client = ma_db_client(db, NULL);
	mongoc_database_t *mdb;

	cr_assert_not_null(client);
	mdb = mongoc_client_get_database(client, l->database);
	mongoc_database_drop(mdb, NULL);
	mongoc_database_destroy(mdb);
	ma_db_destroy(db);
	bson_free((char *)l->database);
}

/* The reads the library sent, and the maxTimeMS each carried (-1: none). */
typedef struct sent_reads {
	char names[16][32];
	int64_t max_time[16];
	size_t n;
} sent_reads;

static void
on_command(const mongoc_apm_command_started_t *ev)
{
	static const char *const reads[] = {"find", "aggregate", "distinct",
					    "findAndModify"};
	sent_reads *s = mongoc_apm_command_started_get_context(ev);
	const char *name = mongoc_apm_command_started_get_command_name(ev);
	const bson_t *cmd = mongoc_apm_command_started_get_command(ev);
	bson_iter_t it;
	size_t i;

	for (i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
		if (strcmp(name, reads[i]) != 0 || s->n == 16)
			continue;
		bson_strncpy(s->names[s->n], name, sizeof(s->names[0]));
		s->max_time[s->n] = bson_iter_init_find(&it, cmd, "maxTimeMS")
					    ? bson_iter_as_int64(&it)
					    : -1;
		s->n++;
	}
}

Test(time_limits_live, every_read_carries_the_configured_max_time)
{
	limit_db l;
	ma_db *db = limited_db(&l, "4321");
	mongoc_apm_callbacks_t *cbs = mongoc_apm_callbacks_new();
	mongoc_client_t *client;
	sent_reads sent = {.n = 0};
	ma_update *u = ma_update_new(&library_book_type);
	ma_doc *doc = NULL, *book;
	ma_page *page;
	bson_t values;
	int64_t n;
	ma_query *q;
	ma_error e;
	size_t i;

	static const char json[] = "{\"title\": \"T\", \"author\": {\"name\": "
				   "\"A\"}, \"year\": 1}";

	book = ma_doc_new_from_json(&library_book_type, json, strlen(json),
				    NULL, &e);
	cr_assert_not_null(book, "%s", e.message);
	cr_assert(ma_doc_save(db, book, MA_SAFE_SESSION, NULL, &e), "%s",
		  e.message);
	client = ma_db_client(db, &e);
	cr_assert_not_null(client, "%s", e.message);
	mongoc_apm_set_command_started_cb(cbs, on_command);
	cr_assert(mongoc_client_set_apm_callbacks(client, cbs, &sent));

	q = ma_query_new(db, &library_book_type);
	cr_assert(ma_query_first(q, &doc, &e), "%s", e.message);
	ma_doc_destroy(doc);
	cr_assert(ma_query_count(q, &n, &e), "%s", e.message);
	cr_assert(ma_query_distinct(q, "year", &values, &e), "%s", e.message);
	bson_destroy(&values);
	cr_assert(ma_update_set(u, "year", MA_V_INT(2), &e), "%s", e.message);
	cr_assert(
		ma_query_find_and_modify(q, u, MA_UPDATE_RETURN_NEW, &doc, &e),
		"%s", e.message);
	ma_doc_destroy(doc);
	page = ma_query_paginate(q, 1, 20, true, &e);
	cr_assert_not_null(page, "%s", e.message);
	ma_page_destroy(page);
	ma_query_destroy(q);

	/* first, count, distinct, findAndModify; the page's find (its
	 * count is skipped: one short page is the last). distinct alone
	 * goes without (see ma_config_max_time_ms()). */
	cr_assert_eq(sent.n, 5, "%zu reads seen", sent.n);
	for (i = 0; i < sent.n; i++)
		cr_expect_eq(sent.max_time[i],
			     strcmp(sent.names[i], "distinct") == 0 ? -1 : 4321,
			     "%s carried maxTimeMS %" PRId64, sent.names[i],
			     sent.max_time[i]);
	cr_assert(mongoc_client_set_apm_callbacks(client, NULL, NULL));
	mongoc_apm_callbacks_destroy(cbs);
	ma_update_destroy(u);
	ma_doc_destroy(book);
	limited_db_drop(db, &l);
}

/* A read that runs past the limit is stopped by the server and fails
 * with MA_ERR_TIMEOUT. 3,000 documents and a limit of 1 ms: counting
 * them all takes any server longer than that. */
Test(time_limits_live, a_read_past_the_limit_is_a_timeout, .timeout = 60)
{
	limit_db l;
	ma_db *db = limited_db(&l, "1");
	mongoc_collection_t *coll;
	bson_t *docs[500];
	bson_error_t berr;
	ma_query *q;
	ma_error e;
	int64_t n;
	int i, j;

	coll = ma_db_collection(db, ma_type_collection(&library_book_type), &e);
	cr_assert_not_null(coll, "%s", e.message);
	for (j = 0; j < 6; j++) {
		for (i = 0; i < 500; i++)
			docs[i] = BCON_NEW("title", BCON_UTF8("Bulk"), "year",
					   BCON_INT32(j * 500 + i));
		cr_assert(mongoc_collection_insert_many(coll,
							(const bson_t **)docs,
							500, NULL, NULL, &berr),
			  "%s", berr.message);
		for (i = 0; i < 500; i++)
			bson_destroy(docs[i]);
	}
	mongoc_collection_destroy(coll);

	q = ma_query_new(db, &library_book_type);
	cr_assert(ma_query_filter(q, "title", MA_OP_NE, MA_V_STRING("x"), &e));
	cr_assert_not(ma_query_count(q, &n, &e), "counted %" PRId64, n);
	cr_assert_eq(e.code, MA_ERR_TIMEOUT, "%s (%s)", e.message,
		     ma_strerror(e.code));
	cr_assert_eq(ma_status_from_error(e.code), 504);
	ma_query_destroy(q);
	limited_db_drop(db, &l);
}
