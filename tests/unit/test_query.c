/*
 * Queries, filters and updates without a server: the MongoDB documents the
 * builders produce, and every argument they must refuse before anything
 * reaches the database.
 */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "fake_env.h"
#include "library.h"
#include "config/config-private.h"
#include "query/query-private.h"
#include "query/query-private.h"

static const ma_field part_fields[] = {
	MA_STRING("name"), MA_INT("size", .optional = true), MA_FIELDS_END};

static const ma_type part_type = {.name = "Part", .fields = part_fields};

static bool
at_least(ma_query *q, const char *arg, ma_error *e)
{
	return ma_query_filter(q, "i", MA_OP_GTE,
			       MA_V_TEXT(arg != NULL ? arg : "0"), e);
}

static bool
refuses(ma_query *q, const char *arg, ma_error *e)
{
	(void)q;
	(void)arg;
	_ma_error_set(e, MA_ERR_INVALID, "no thanks");
	return false;
}

/* One field of every kind, so that conversions can be checked kind by kind. */
static const ma_field sample_fields[] = {
	MA_STRING("s", .optional = true),
	MA_INT("i", MA_MIN(0), MA_MAX(10), .optional = true),
	MA_FLOAT("f", .optional = true),
	MA_BOOL("b", .optional = true),
	MA_DATETIME("d", .optional = true, .nullable = true),
	MA_OBJECTID("o", .optional = true),
	MA_ENUM("e", MA_VALUES("new", "old"), .optional = true),
	MA_LIST("tags", MA_ITEM(MA_STRING(NULL, .max_len = 5)),
		.optional = true),
	MA_LIST("nums", MA_ITEM(MA_INT(NULL)), .optional = true),
	MA_LIST("kinds", MA_ITEM(MA_ENUM(NULL, MA_VALUES("new", "old"))),
		.optional = true),
	MA_ANY("x", .optional = true),
	MA_DOCUMENT("part", &part_type, .optional = true),
	MA_REF("owner", &part_type, .optional = true),
	MA_STRING("label", .db_name = "l", .optional = true),
	MA_FIELDS_END};

static const ma_type sample_type = {
	.name = "Sample",
	.fields = sample_fields,
	.extensions =
		(const ma_query_extension[]){MA_EXTENSION("at_least", at_least),
					     MA_EXTENSION("refuses", refuses),
					     MA_EXTENSIONS_END},
};

#define HEX "0123456789abcdef01234567"
#define OID_JSON "{\"$oid\":\"" HEX "\"}"
#define I64(n) "{\"$numberLong\":\"" #n "\"}"
/* 2004-01-01T00:00:00Z */
#define MS_2004 INT64_C(1072915200000)

static ma_db *db;

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
	ma_db_destroy(db);
}

TestSuite(filter, .init = setup, .fini = teardown);
TestSuite(query, .init = setup, .fini = teardown);

/* Compares byte for byte, so an int32 where an int64 is due is a failure;
 * expected is canonical extended JSON. Expects rather than asserts so that
 * the test still frees what it built. */
static void
expect_bson(const bson_t *got, const char *expected)
{
	bson_error_t berr;
	bson_t *want = bson_new_from_json((const uint8_t *)expected, -1, &berr);
	char *g, *w;

	cr_assert_not_null(want, "expected JSON %s: %s", expected,
			   berr.message);
	cr_assert_not_null(got);
	g = bson_as_canonical_extended_json(got, NULL);
	w = bson_as_canonical_extended_json(want, NULL);
	cr_expect(bson_equal(got, want), "got %s\nwant %s", g, w);
	bson_free(g);
	bson_free(w);
	bson_destroy(want);
}

static void
expect_filter(const char *path, ma_op op, ma_value v, const char *expected)
{
	ma_query *q = ma_query_new(db, &library_book_type);
	ma_error e = {.code = MA_OK};
	bool ok;

	ma_error_clear(&e);
	ok = ma_query_filter(q, path, op, v, &e);
	cr_expect(ok, "%s %s: %s", path, ma_op_name(op), e.message);
	if (ok)
		expect_bson(ma_query_filter_bson(q), expected);
	ma_query_destroy(q);
}

/* The message must name what was wrong, so that a 400 says which
 * parameter to fix. */
static void
expect_filter_refused(const ma_type *type, const char *path, ma_op op,
		      ma_value v, const char *named)
{
	ma_query *q = ma_query_new(db, type);
	ma_error e = {.code = MA_OK};

	cr_expect_not(ma_query_filter(q, path, op, v, &e), "%s %s accepted",
		      path != NULL ? path : "(null)", ma_op_name(op));
	cr_expect_eq(e.code, MA_ERR_INVALID, "%s: %s",
		     path != NULL ? path : "(null)", e.message);
	if (named != NULL)
		cr_expect(strstr(e.message, named) != NULL,
			  "\"%s\" does not name %s", e.message, named);
	ma_query_destroy(q);
}

/* A regex condition may be a BSON regex or {"$regex": ...}: MongoDB takes
 * both, so the test does too. */
static const char *
regex_of(const bson_t *filter, const char *dbpath)
{
	bson_iter_t it, sub;

	if (!bson_iter_init_find(&it, filter, dbpath))
		return NULL;
	if (BSON_ITER_HOLDS_REGEX(&it))
		return bson_iter_regex(&it, NULL);
	if (BSON_ITER_HOLDS_DOCUMENT(&it) && bson_iter_recurse(&it, &sub) &&
	    bson_iter_find(&sub, "$regex")) {
		if (BSON_ITER_HOLDS_UTF8(&sub))
			return bson_iter_utf8(&sub, NULL);
		if (BSON_ITER_HOLDS_REGEX(&sub))
			return bson_iter_regex(&sub, NULL);
	}
	return NULL;
}

#define MAX_CLAUSES 16

typedef struct clauses {
	char *json[MAX_CLAUSES];
	size_t n;
} clauses;

/* The conditions a filter ANDs, one-field documents as canonical JSON:
 * {"a": 1, "$and": [{"b": 2}]} and {"$and": [{"a": 1}, {"b": 2}]} say the
 * same thing and are both fine. */
static void
collect(const bson_t *filter, clauses *c)
{
	bson_iter_t it, arr;
	const uint8_t *data;
	uint32_t len;
	bson_t sub, one;

	cr_assert(bson_iter_init(&it, filter));
	while (bson_iter_next(&it)) {
		if (strcmp(bson_iter_key(&it), "$and") == 0) {
			cr_assert(BSON_ITER_HOLDS_ARRAY(&it));
			cr_assert(bson_iter_recurse(&it, &arr));
			while (bson_iter_next(&arr)) {
				cr_assert(BSON_ITER_HOLDS_DOCUMENT(&arr));
				bson_iter_document(&arr, &len, &data);
				cr_assert(bson_init_static(&sub, data, len));
				collect(&sub, c);
			}
			continue;
		}
		cr_assert_lt(c->n, MAX_CLAUSES);
		bson_init(&one);
		bson_append_iter(&one, NULL, 0, &it);
		c->json[c->n++] = bson_as_canonical_extended_json(&one, NULL);
		bson_destroy(&one);
	}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
clauses_free(clauses *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		bson_free(c->json[i]);
	c->n = 0;
}

/* expected: a NULL-terminated list of one-field documents. */
static void
expect_clauses(const bson_t *filter, const char *const *expected)
{
	clauses got = {.n = 0}, want = {.n = 0};
	char *all = bson_as_canonical_extended_json(filter, NULL);
	bson_t *b;
	size_t i;

	collect(filter, &got);
	for (i = 0; expected[i] != NULL; i++) {
		b = bson_new_from_json((const uint8_t *)expected[i], -1, NULL);
		cr_assert_not_null(b, "%s", expected[i]);
		collect(b, &want);
		bson_destroy(b);
	}
	qsort(got.json, got.n, sizeof(char *), cmp_str);
	qsort(want.json, want.n, sizeof(char *), cmp_str);
	cr_expect_eq(got.n, want.n, "%s: %zu conditions, not %zu", all, got.n,
		     want.n);
	for (i = 0; i < got.n && i < want.n; i++)
		cr_expect_str_eq(got.json[i], want.json[i], "in %s", all);
	clauses_free(&got);
	clauses_free(&want);
	bson_free(all);
}

/* --- operator names ------------------------------------------------------ */

static const char *const op_names[MA_OP__MAX] = {
	[MA_OP_EQ] = "eq",
	[MA_OP_NE] = "ne",
	[MA_OP_GT] = "gt",
	[MA_OP_GTE] = "gte",
	[MA_OP_LT] = "lt",
	[MA_OP_LTE] = "lte",
	[MA_OP_IN] = "in",
	[MA_OP_NIN] = "nin",
	[MA_OP_EXISTS] = "exists",
	[MA_OP_REGEX] = "regex",
	[MA_OP_STARTSWITH] = "startswith",
	[MA_OP_ALL] = "all",
	[MA_OP_SIZE] = "size",
};

Test(op, every_op_has_its_name_and_back)
{
	ma_op op, back;

	for (op = MA_OP_EQ; op < MA_OP__MAX; op++) {
		cr_assert_not_null(ma_op_name(op), "op %d", (int)op);
		cr_expect_str_eq(ma_op_name(op), op_names[op]);
		back = MA_OP__MAX;
		cr_expect(ma_op_from_name(op_names[op], strlen(op_names[op]),
					  &back),
			  "%s", op_names[op]);
		cr_expect_eq(back, op, "%s", op_names[op]);
	}
	cr_expect_null(ma_op_name(MA_OP__MAX));
	cr_expect_null(ma_op_name((ma_op)99));
}

Test(op, unknown_names_are_refused)
{
	static const char *const bad[] = {"",	"eqq",	"GTE",
					  "Eq", "gte ", "startswit",
					  "or", "not",	"$eq"};
	ma_op op;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_not(ma_op_from_name(bad[i], strlen(bad[i]), &op),
			      "\"%s\" accepted", bad[i]);
	/* The length decides, not a NUL: "eq" cut to "e" is no op, and
	 * "gte" cut to two bytes is "gt". */
	cr_expect_not(ma_op_from_name("eq", 1, &op));
	cr_expect_not(ma_op_from_name("eq", 0, &op));
	cr_expect(ma_op_from_name("gte", 2, &op));
	cr_expect_eq(op, MA_OP_GT);
	cr_expect(ma_op_from_name("year__ne", 8, &op) == false);
	cr_expect(ma_op_from_name("nex", 2, &op));
	cr_expect_eq(op, MA_OP_NE);
}

/* --- filters: the documents they produce --------------------------------- */

Test(filter, eq_is_the_bare_value_as_int64)
{
	expect_filter("year", MA_OP_EQ, MA_V_INT(2004),
		      "{\"year\":" I64(2004) "}");
	expect_filter("title", MA_OP_EQ, MA_V_STRING("Dive Into Python"),
		      "{\"title\":\"Dive Into Python\"}");
}

Test(filter, comparisons_use_their_operators)
{
	expect_filter("year", MA_OP_NE, MA_V_INT(2004),
		      "{\"year\":{\"$ne\":" I64(2004) "}}");
	expect_filter("year", MA_OP_GT, MA_V_INT(2000),
		      "{\"year\":{\"$gt\":" I64(2000) "}}");
	expect_filter("year", MA_OP_GTE, MA_V_INT(2000),
		      "{\"year\":{\"$gte\":" I64(2000) "}}");
	expect_filter("year", MA_OP_LT, MA_V_INT(2010),
		      "{\"year\":{\"$lt\":" I64(2010) "}}");
	expect_filter("year", MA_OP_LTE, MA_V_INT(2010),
		      "{\"year\":{\"$lte\":" I64(2010) "}}");
}

Test(filter, bounds_are_not_checked_in_a_question)
{
	expect_filter("year", MA_OP_LT, MA_V_INT(-5),
		      "{\"year\":{\"$lt\":" I64(-5) "}}");
	expect_filter("year", MA_OP_EQ, MA_V_TEXT("-5"),
		      "{\"year\":" I64(-5) "}");
	expect_filter("title", MA_OP_EQ, MA_V_STRING(""), "{\"title\":\"\"}");
}

Test(filter, null_matches_null_or_missing_with_eq_and_ne_only)
{
	expect_filter("year", MA_OP_EQ, MA_V_NULL, "{\"year\":null}");
	expect_filter("year", MA_OP_NE, MA_V_NULL, "{\"year\":{\"$ne\":null}}");
	expect_filter_refused(&library_book_type, "year", MA_OP_GT, MA_V_NULL,
			      "year");
}

Test(filter, in_and_nin_take_lists)
{
	ma_value years[] = {MA_V_INT(2003), MA_V_TEXT("2004")};
	ma_query *q = ma_query_new(db, &library_book_type);
	ma_query *r = ma_query_new(db, &library_book_type);
	ma_query *none = ma_query_new(db, &library_book_type);
	ma_error e = {.code = MA_OK};

	cr_assert(ma_query_filter_in(q, "year", MA_OP_IN, years, 2, &e), "%s",
		  e.message);
	expect_bson(ma_query_filter_bson(q),
		    "{\"year\":{\"$in\":[" I64(2003) "," I64(2004) "]}}");
	cr_assert(ma_query_filter_in(r, "year", MA_OP_NIN, years, 2, &e), "%s",
		  e.message);
	expect_bson(ma_query_filter_bson(r),
		    "{\"year\":{\"$nin\":[" I64(2003) "," I64(2004) "]}}");
	/* "in nothing" is a valid question that matches nothing. */
	cr_assert(ma_query_filter_in(none, "year", MA_OP_IN, NULL, 0, &e), "%s",
		  e.message);
	expect_bson(ma_query_filter_bson(none), "{\"year\":{\"$in\":[]}}");
	ma_query_destroy(q);
	ma_query_destroy(r);
	ma_query_destroy(none);
}

Test(filter, in_refuses_a_wrong_value_and_other_operators)
{
	ma_value mixed[] = {MA_V_INT(2003), MA_V_STRING("2004")};
	ma_value one[] = {MA_V_INT(2003)};
	ma_query *q = ma_query_new(db, &library_book_type);
	ma_query *r = ma_query_new(db, &library_book_type);
	ma_error e = {.code = MA_OK};

	cr_expect_not(ma_query_filter_in(q, "year", MA_OP_IN, mixed, 2, &e));
	cr_expect_eq(e.code, MA_ERR_INVALID);
	cr_expect(strstr(e.message, "year") != NULL, "%s", e.message);
	cr_expect_not(ma_query_filter_in(r, "year", MA_OP_EQ, one, 1, &e));
	cr_expect_eq(e.code, MA_ERR_INVALID);
	ma_query_destroy(q);
	ma_query_destroy(r);
}

/* path op values[0..n) on type (n == SIZE_MAX: the one value of
 * ma_query_filter), built as expected (JSON) or, with expected NULL,
 * refused with exactly the message says. */
static void
expect_list_op(const ma_type *type, const char *path, ma_op op,
	       const ma_value *values, size_t n, const char *expected,
	       const char *says)
{
	ma_query *q = ma_query_new(db, type);
	ma_error e = {.code = MA_OK};
	bool ok = n == SIZE_MAX
			  ? ma_query_filter(q, path, op, values[0], &e)
			  : ma_query_filter_in(q, path, op, values, n, &e);

	if (expected != NULL) {
		cr_expect(ok, "%s %s: %s", path, ma_op_name(op), e.message);
		if (ok)
			expect_bson(ma_query_filter_bson(q), expected);
	} else {
		cr_expect_not(ok, "%s %s accepted", path, ma_op_name(op));
		cr_expect_eq(e.code, MA_ERR_INVALID);
		cr_expect_str_eq(e.message, says);
	}
	ma_query_destroy(q);
}

Test(filter, all_takes_items_of_a_list_field)
{
	ma_value tags[] = {MA_V_STRING("a"), MA_V_TEXT("b")};
	ma_value nums[] = {MA_V_INT(1), MA_V_TEXT("2")};
	ma_value bad[] = {MA_V_INT(1), MA_V_TEXT("x")};

	expect_list_op(&sample_type, "tags", MA_OP_ALL, tags, 2,
		       "{\"tags\":{\"$all\":[\"a\",\"b\"]}}", NULL);
	expect_list_op(&sample_type, "nums", MA_OP_ALL, nums, 2,
		       "{\"nums\":{\"$all\":[" I64(1) "," I64(2) "]}}", NULL);
	/* "all of nothing" matches nothing, as MongoDB's $all: [] */
	expect_list_op(&sample_type, "tags", MA_OP_ALL, NULL, 0,
		       "{\"tags\":{\"$all\":[]}}", NULL);
	/* in and nin on a list compare its items */
	expect_list_op(&sample_type, "nums", MA_OP_IN, nums, 2,
		       "{\"nums\":{\"$in\":[" I64(1) "," I64(2) "]}}", NULL);
	expect_list_op(&sample_type, "tags", MA_OP_NIN, tags, 1,
		       "{\"tags\":{\"$nin\":[\"a\"]}}", NULL);
	/* each item is checked by the item's kind, bounds aside: "abcdef"
	 * is longer than a tag may be, and still a fine question */
	expect_list_op(&sample_type, "nums", MA_OP_ALL, bad, 2, NULL,
		       "nums: must be an integer, not 'x'");
	tags[1] = MA_V_STRING("abcdef");
	expect_list_op(&sample_type, "tags", MA_OP_ALL, tags, 2,
		       "{\"tags\":{\"$all\":[\"a\",\"abcdef\"]}}", NULL);
}

/* The words of a body's enum check (checks.c), for each operator that
 * compares for equality, and for the items of a list of enums. */
Test(filter, enum_values_must_be_the_field_s_values)
{
	static const char says_e[] = "e: must be one of: new, old";
	static const char says_kinds[] = "kinds: must be one of: new, old";
	ma_value good[] = {MA_V_TEXT("new"), MA_V_STRING("old")};
	ma_value bad[] = {MA_V_TEXT("new"), MA_V_TEXT("western")};
	ma_value v[] = {MA_V_TEXT("western")};

	expect_list_op(&sample_type, "e", MA_OP_EQ, good, SIZE_MAX,
		       "{\"e\":\"new\"}", NULL);
	expect_list_op(&sample_type, "e", MA_OP_IN, good, 2,
		       "{\"e\":{\"$in\":[\"new\",\"old\"]}}", NULL);
	expect_list_op(&sample_type, "kinds", MA_OP_ALL, good, 2,
		       "{\"kinds\":{\"$all\":[\"new\",\"old\"]}}", NULL);
	expect_list_op(&sample_type, "e", MA_OP_EQ, v, SIZE_MAX, NULL, says_e);
	expect_list_op(&sample_type, "e", MA_OP_NE, v, SIZE_MAX, NULL, says_e);
	expect_list_op(&sample_type, "e", MA_OP_IN, bad, 2, NULL, says_e);
	expect_list_op(&sample_type, "e", MA_OP_NIN, bad, 2, NULL, says_e);
	expect_list_op(&sample_type, "kinds", MA_OP_EQ, v, SIZE_MAX, NULL,
		       says_kinds);
	expect_list_op(&sample_type, "kinds", MA_OP_ALL, bad, 2, NULL,
		       says_kinds);
	expect_list_op(&sample_type, "kinds", MA_OP_NIN, bad, 2, NULL,
		       says_kinds);
	/* case matters, as it does in a body */
	v[0] = MA_V_STRING("New");
	expect_list_op(&sample_type, "e", MA_OP_EQ, v, SIZE_MAX, NULL, says_e);
	/* JSON is read as a body's value is */
	v[0] = MA_V_JSON("\"western\"");
	expect_list_op(&sample_type, "e", MA_OP_EQ, v, SIZE_MAX, NULL, says_e);
	v[0] = MA_V_JSON("[\"new\", \"western\"]");
	expect_list_op(&sample_type, "kinds", MA_OP_EQ, v, SIZE_MAX, NULL,
		       "kinds[1]: must be one of: new, old");
	/* an order is a question about text, not a value */
	v[0] = MA_V_TEXT("m");
	expect_list_op(&sample_type, "e", MA_OP_GT, v, SIZE_MAX,
		       "{\"e\":{\"$gt\":\"m\"}}", NULL);
	/* null asks for a missing value */
	v[0] = MA_V_NULL;
	expect_list_op(&sample_type, "e", MA_OP_EQ, v, SIZE_MAX, "{\"e\":null}",
		       NULL);
}

/* Lengths, bounds and item counts are for writes: JSON values of a filter
 * are read as a body's are, without them, while a set still checks them. */
Test(filter, json_values_are_not_held_to_bounds)
{
	ma_value v[1];
	ma_update *u;
	ma_error e = {.code = MA_OK};

	v[0] = MA_V_JSON("20000");
	expect_list_op(&sample_type, "i", MA_OP_EQ, v, SIZE_MAX,
		       "{\"i\":" I64(20000) "}", NULL);
	v[0] = MA_V_JSON("[\"abcdefgh\"]");
	expect_list_op(&sample_type, "tags", MA_OP_EQ, v, SIZE_MAX,
		       "{\"tags\":[\"abcdefgh\"]}", NULL);
	v[0] = MA_V_JSON("\"\"");
	expect_list_op(&library_book_type, "title", MA_OP_EQ, v, SIZE_MAX,
		       "{\"title\":\"\"}", NULL);
	/* the kind still counts, and the message names no bound */
	v[0] = MA_V_JSON("\"x\"");
	expect_list_op(&sample_type, "i", MA_OP_EQ, v, SIZE_MAX, NULL,
		       "i: must be an integer");

	u = ma_update_new(&sample_type);
	cr_expect_not(ma_update_set(u, "i", MA_V_JSON("20000"), &e));
	cr_expect_str_eq(e.message, "i: must be an integer between 0 and 10");
	ma_update_destroy(u);
}

Test(filter, size_takes_an_integer_from_0_to_int32_max)
{
	ma_value v[1];
	static const struct {
		ma_value v;
		const char *says;
	} bad[] = {
		{MA_V_INT(-1), "tags: size takes an integer from 0 to "
			       "2147483647, not -1"},
		{MA_V_INT(INT64_C(2147483648)),
		 "tags: size takes an integer from 0 to 2147483647, not "
		 "2147483648"},
		{MA_V_TEXT("2147483648"),
		 "tags: size takes an integer from 0 to 2147483647, not "
		 "'2147483648'"},
		{MA_V_TEXT("99999999999999999999999"),
		 "tags: size takes an integer from 0 to 2147483647, not "
		 "'99999999999999999999999'"},
		{MA_V_TEXT("-1"), "tags: size takes an integer from 0 to "
				  "2147483647, not '-1'"},
		{MA_V_TEXT("1.0"), "tags: size takes an integer from 0 to "
				   "2147483647, not '1.0'"},
		{MA_V_TEXT("+1"), "tags: size takes an integer from 0 to "
				  "2147483647, not '+1'"},
		{MA_V_TEXT(""), "tags: size takes an integer from 0 to "
				"2147483647, not ''"},
		{MA_V_BOOL(true), "tags: size takes an integer from 0 to "
				  "2147483647, not a bool"},
		{MA_V_FLOAT(2.0), "tags: size takes an integer from 0 to "
				  "2147483647, not a float"},
		{MA_V_NULL, "tags: size takes an integer from 0 to "
			    "2147483647, not null"},
		{MA_V_JSON("2"), "tags: size takes an integer from 0 to "
				 "2147483647, not JSON"},
	};
	size_t i;

	/* an int32, as MongoDB reads $size */
	v[0] = MA_V_INT(0);
	expect_list_op(&sample_type, "tags", MA_OP_SIZE, v, SIZE_MAX,
		       "{\"tags\":{\"$size\":{\"$numberInt\":\"0\"}}}", NULL);
	v[0] = MA_V_TEXT("3");
	expect_list_op(&sample_type, "nums", MA_OP_SIZE, v, SIZE_MAX,
		       "{\"nums\":{\"$size\":{\"$numberInt\":\"3\"}}}", NULL);
	v[0] = MA_V_TEXT("2147483647");
	expect_list_op(&sample_type, "tags", MA_OP_SIZE, v, SIZE_MAX,
		       "{\"tags\":{\"$size\":{\"$numberInt\":"
		       "\"2147483647\"}}}",
		       NULL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_list_op(&sample_type, "tags", MA_OP_SIZE, &bad[i].v,
			       SIZE_MAX, NULL, bad[i].says);
}

Test(filter, all_and_size_apply_to_list_fields_only)
{
	ma_value one[] = {MA_V_TEXT("1")};

	expect_list_op(&library_book_type, "year", MA_OP_ALL, one, 1, NULL,
		       "year: all applies to list fields only, not to an int");
	expect_list_op(&library_book_type, "_id", MA_OP_ALL, one, 1, NULL,
		       "_id: all applies to list fields only, not to an "
		       "objectid");
	expect_list_op(&library_book_type, "author", MA_OP_SIZE, one, SIZE_MAX,
		       NULL,
		       "author: size applies to list fields only, not to a "
		       "document");
	expect_list_op(&library_book_type, "author.name", MA_OP_SIZE, one,
		       SIZE_MAX, NULL,
		       "author.name: size applies to list fields only, not "
		       "to a string");
	expect_list_op(&sample_type, "x", MA_OP_SIZE, one, SIZE_MAX, NULL,
		       "x: size applies to list fields only, not to a value "
		       "of any kind");
	/* all takes a list of values, size one value */
	expect_list_op(&sample_type, "tags", MA_OP_ALL, one, SIZE_MAX, NULL,
		       "tags: all takes a list of values (ma_query_filter_in)");
	expect_list_op(&sample_type, "tags", MA_OP_SIZE, one, 1, NULL,
		       "tags: only in, nin and all take a list of values");
}

Test(filter, exists_takes_a_bool_or_its_text)
{
	expect_filter("year", MA_OP_EXISTS, MA_V_BOOL(true),
		      "{\"year\":{\"$exists\":true}}");
	expect_filter("year", MA_OP_EXISTS, MA_V_TEXT("false"),
		      "{\"year\":{\"$exists\":false}}");
	expect_filter_refused(&library_book_type, "year", MA_OP_EXISTS,
			      MA_V_INT(1), "year");
	expect_filter_refused(&library_book_type, "year", MA_OP_EXISTS,
			      MA_V_TEXT("yes"), "year");
	expect_filter_refused(&library_book_type, "year", MA_OP_EXISTS,
			      MA_V_NULL, "year");
}

Test(filter, regex_passes_the_pattern_through)
{
	ma_query *q = ma_query_new(db, &library_book_type);
	const char *pattern;
	ma_error e = {.code = MA_OK};

	cr_assert(ma_query_filter(q, "title", MA_OP_REGEX,
				  MA_V_STRING("^Dive.*n$"), &e),
		  "%s", e.message);
	pattern = regex_of(ma_query_filter_bson(q), "title");
	cr_assert_not_null(pattern);
	cr_expect_str_eq(pattern, "^Dive.*n$");
	ma_query_destroy(q);
}

Test(filter, startswith_is_an_anchored_literal_prefix)
{
	ma_query *q = ma_query_new(db, &library_book_type);
	const char *pattern;
	ma_error e = {.code = MA_OK};

	cr_assert(ma_query_filter(q, "title", MA_OP_STARTSWITH,
				  MA_V_TEXT("Dive (2nd) *"), &e),
		  "%s", e.message);
	pattern = regex_of(ma_query_filter_bson(q), "title");
	cr_assert_not_null(pattern);
	cr_expect_str_eq(pattern, "^Dive \\(2nd\\) \\*");
	ma_query_destroy(q);
}

Test(filter, regex_prefix_escapes_every_metacharacter)
{
	static const char prefix[] = "a.b*c+(d)[e]{f}?^$|\\";
	char *p = _ma_regex_prefix(prefix);
	regex_t re;

	cr_assert_not_null(p);
	cr_expect_str_eq(p,
			 "^a\\.b\\*c\\+\\(d\\)\\[e\\]\\{f\\}\\?\\^\\$\\|\\\\");

	/* Whatever the spelling, the pattern must match the prefix itself and
	 * not a string where '.' is any character. */
	cr_assert_eq(regcomp(&re, p, REG_EXTENDED | REG_NOSUB), 0, "%s", p);
	cr_expect_eq(regexec(&re, "a.b*c+(d)[e]{f}?^$|\\ and more", 0, NULL, 0),
		     0);
	cr_expect_neq(regexec(&re, "aXb*c+(d)[e]{f}?^$|\\", 0, NULL, 0), 0);
	cr_expect_neq(regexec(&re, "x a.b*c+(d)[e]{f}?^$|\\", 0, NULL, 0), 0);
	regfree(&re);
	bson_free(p);

	p = _ma_regex_prefix("");
	cr_assert_not_null(p);
	cr_expect_str_eq(p, "^");
	bson_free(p);
	p = _ma_regex_prefix("Dive");
	cr_assert_not_null(p);
	cr_expect_str_eq(p, "^Dive");
	bson_free(p);
}

Test(filter, dotted_paths_reach_embedded_fields)
{
	expect_filter("author.name", MA_OP_EQ, MA_V_STRING("Mark Pilgrim"),
		      "{\"author.name\":\"Mark Pilgrim\"}");
	expect_filter_refused(&library_book_type, "author.born", MA_OP_EQ,
			      MA_V_INT(1966), "author.born");
	expect_filter_refused(&library_book_type, "title.x", MA_OP_EQ,
			      MA_V_STRING("x"), "title.x");
}

Test(filter, database_names_are_used)
{
	ma_query *q = ma_query_new(db, &sample_type);
	ma_error e = {.code = MA_OK};

	cr_assert(ma_query_filter(q, "label", MA_OP_EQ, MA_V_STRING("pen"), &e),
		  "%s", e.message);
	expect_bson(ma_query_filter_bson(q), "{\"l\":\"pen\"}");
	ma_query_destroy(q);
}

Test(filter, id_takes_an_objectid_in_every_form)
{
	bson_oid_t oid;

	bson_oid_init_from_string(&oid, HEX);
	expect_filter("_id", MA_OP_EQ, MA_V_STRING(HEX),
		      "{\"_id\":" OID_JSON "}");
	expect_filter("_id", MA_OP_EQ, MA_V_TEXT(HEX),
		      "{\"_id\":" OID_JSON "}");
	expect_filter("_id", MA_OP_EQ, MA_V_OID(&oid),
		      "{\"_id\":" OID_JSON "}");
	expect_filter("_id", MA_OP_NE, MA_V_OID(&oid),
		      "{\"_id\":{\"$ne\":" OID_JSON "}}");
	expect_filter_refused(&library_book_type, "_id", MA_OP_EQ,
			      MA_V_STRING("blasphemy"), "_id");
	expect_filter_refused(&library_book_type, "_id", MA_OP_EQ, MA_V_INT(1),
			      "_id");
}

Test(filter, distinct_fields_merge_into_one_document)
{
	ma_query *q = ma_query_new(db, &library_book_type);
	ma_error e = {.code = MA_OK};

	cr_assert(
		ma_query_filter(q, "title", MA_OP_EQ, MA_V_STRING("Dive"), &e));
	cr_assert(ma_query_filter(q, "year", MA_OP_GTE, MA_V_INT(2000), &e));
	cr_assert(ma_query_filter(q, "author.name", MA_OP_EQ,
				  MA_V_STRING("Mark"), &e));
	expect_bson(ma_query_filter_bson(q),
		    "{\"title\":\"Dive\",\"year\":{\"$gte\":" I64(
			    2000) "},"
				  "\"author.name\":\"Mark\"}");
	ma_query_destroy(q);
}

Test(filter, same_field_twice_goes_through_and)
{
	ma_query *q = ma_query_new(db, &library_book_type);
	ma_error e = {.code = MA_OK};

	cr_assert(ma_query_filter(q, "year", MA_OP_GTE, MA_V_INT(2000), &e));
	cr_assert(
		ma_query_filter(q, "title", MA_OP_EQ, MA_V_STRING("Dive"), &e));
	cr_assert(ma_query_filter(q, "year", MA_OP_LT, MA_V_INT(2010), &e));
	/* A second "year" key would make MongoDB keep only one of them. */
	cr_expect(bson_has_field(ma_query_filter_bson(q), "$and"));
	expect_clauses(ma_query_filter_bson(q),
		       (const char *const[]){
			       "{\"year\":{\"$gte\":" I64(2000) "}}",
			       "{\"title\":\"Dive\"}",
			       "{\"year\":{\"$lt\":" I64(2010) "}}", NULL});
	ma_query_destroy(q);
}

/* A dotted path is one key too: two conditions on it never share a
 * document (FerretDB drops the connection on a duplicated key). */
Test(filter, same_dotted_path_twice_goes_through_and)
{
	ma_query *q = ma_query_new(db, &library_book_type);
	ma_error e = {.code = MA_OK};
	bson_iter_t it;
	size_t n = 0;

	cr_assert(ma_query_filter(q, "author.name", MA_OP_EQ, MA_V_TEXT("M"),
				  &e));
	cr_assert(ma_query_filter(q, "author.name", MA_OP_NE, MA_V_TEXT("L"),
				  &e));
	cr_assert(bson_iter_init(&it, ma_query_filter_bson(q)));
	while (bson_iter_next(&it))
		n += strcmp(bson_iter_key(&it), "author.name") == 0;
	cr_expect_eq(n, 1, "author.name is a key %zu times", n);
	expect_clauses(ma_query_filter_bson(q),
		       (const char *const[]){
			       "{\"author.name\":\"M\"}",
			       "{\"author.name\":{\"$ne\":\"L\"}}", NULL});
	ma_query_destroy(q);
}

Test(filter, empty_query_matches_everything)
{
	ma_query *q = ma_query_new(db, &library_book_type);

	expect_bson(ma_query_filter_bson(q), "{}");
	cr_expect_eq(ma_query_db(q), db);
	cr_expect_eq(ma_query_type(q), &library_book_type);
	ma_query_destroy(q);
}

static ma_filter *
year_is(int64_t y)
{
	ma_error e = {.code = MA_OK};
	ma_filter *f = ma_filter_new(&library_book_type, "year", MA_OP_EQ,
				     MA_V_INT(y), &e);

	cr_assert_not_null(f, "%s", e.message);
	return f;
}

Test(filter, or_flattens_nested_ors)
{
	ma_error e = {.code = MA_OK};
	ma_filter *left =
		ma_filter_or(ma_filter_or(year_is(2001), year_is(2002), &e),
			     year_is(2003), &e);
	ma_filter *right;

	cr_assert_not_null(left, "%s", e.message);
	expect_bson(ma_filter_bson(left),
		    "{\"$or\":[{\"year\":" I64(2001) "},{\"year\":" I64(
			    2002) "},{\"year\":" I64(2003) "}]}");
	right = ma_filter_or(year_is(2000), left, &e);
	cr_assert_not_null(right, "%s", e.message);
	expect_bson(
		ma_filter_bson(right),
		"{\"$or\":[{\"year\":" I64(2000) "},{\"year\":" I64(
			2001) "},{\"year\":" I64(2002) "},{\"year\":" I64(2003) "}]}");
	cr_expect_eq(_ma_filter_type(right), &library_book_type);
	ma_filter_destroy(right);
}

Test(filter, and_of_filters_keeps_every_condition)
{
	ma_error e = {.code = MA_OK};
	ma_filter *title = ma_filter_new(&library_book_type, "title", MA_OP_EQ,
					 MA_V_STRING("Dive"), &e);
	ma_filter *f = ma_filter_and(ma_filter_and(year_is(2001), title, &e),
				     year_is(2002), &e);

	cr_assert_not_null(f, "%s", e.message);
	expect_clauses(ma_filter_bson(f),
		       (const char *const[]){"{\"year\":" I64(2001) "}",
					     "{\"title\":\"Dive\"}",
					     "{\"year\":" I64(2002) "}", NULL});
	ma_filter_destroy(f);
}

Test(filter, not_is_nor)
{
	ma_error e = {.code = MA_OK};
	ma_filter *f = ma_filter_not(year_is(2004), &e);

	cr_assert_not_null(f, "%s", e.message);
	expect_bson(ma_filter_bson(f), "{\"$nor\":[{\"year\":" I64(2004) "}]}");
	ma_filter_destroy(f);
}

Test(filter, where_adds_a_filter_to_the_query)
{
	ma_query *q = ma_query_new(db, &library_book_type);
	ma_error e = {.code = MA_OK};
	ma_filter *f = ma_filter_or(year_is(2003), year_is(2004), &e);

	cr_assert(
		ma_query_filter(q, "title", MA_OP_EQ, MA_V_STRING("Dive"), &e));
	cr_assert(ma_query_where(q, f, &e), "%s", e.message);
	expect_clauses(ma_query_filter_bson(q),
		       (const char *const[]){
			       "{\"title\":\"Dive\"}",
			       "{\"$or\":[{\"year\":" I64(
				       2003) "},{\"year\":" I64(2004) "}]}",
			       NULL});
	ma_query_destroy(q);
}

Test(filter, filters_of_two_types_do_not_combine)
{
	ma_error e = {.code = MA_OK};
	ma_filter *name = ma_filter_new(&library_author_type, "name", MA_OP_EQ,
					MA_V_STRING("Mark"), &e);
	ma_query *q = ma_query_new(db, &library_book_type);

	cr_assert_not_null(name, "%s", e.message);
	cr_expect_null(ma_filter_or(year_is(2004), name, &e));
	cr_expect_eq(e.code, MA_ERR_INVALID);

	name = ma_filter_new(&library_author_type, "name", MA_OP_EQ,
			     MA_V_STRING("Mark"), &e);
	cr_expect_null(ma_filter_and(name, year_is(2004), &e));
	cr_expect_eq(e.code, MA_ERR_INVALID);

	name = ma_filter_new(&library_author_type, "name", MA_OP_EQ,
			     MA_V_STRING("Mark"), &e);
	cr_expect_not(ma_query_where(q, name, &e));
	cr_expect_eq(e.code, MA_ERR_INVALID);
	ma_query_destroy(q);
}

Test(filter, null_filters_fail_and_the_others_are_freed)
{
	ma_query *q = ma_query_new(db, &library_book_type);
	ma_error e = {.code = MA_OK};

	/* The NULL is a filter whose own error was already reported; the
	 * other argument is still taken (valgrind checks that). */
	ma_error_clear(&e);
	cr_expect_null(ma_filter_or(NULL, year_is(2004), &e));
	cr_expect_neq(e.code, MA_OK);
	cr_expect_null(ma_filter_or(year_is(2004), NULL, &e));
	cr_expect_neq(e.code, MA_OK);
	cr_expect_null(ma_filter_or(NULL, NULL, &e));
	cr_expect_neq(e.code, MA_OK);
	cr_expect_null(ma_filter_and(NULL, year_is(2004), &e));
	cr_expect_neq(e.code, MA_OK);
	cr_expect_null(ma_filter_not(NULL, &e));
	cr_expect_neq(e.code, MA_OK);
	cr_expect_not(ma_query_where(q, NULL, &e));
	cr_expect_neq(e.code, MA_OK);
	ma_filter_destroy(NULL);
	ma_query_destroy(q);
}

/* The error is the caller's output: a struct fresh off the stack, never
 * written before, must come back holding a real code. */
static void
stack_garbage(ma_error *e)
{
	memset(e, 0xff, sizeof(*e));
	e->message[sizeof(e->message) - 1] = '\0';
}

Test(filter, null_filter_error_does_not_depend_on_what_the_struct_held)
{
	ma_query *q = ma_query_new(db, &library_book_type);
	ma_error e = {.code = MA_OK};

	stack_garbage(&e);
	cr_expect_null(ma_filter_or(NULL, year_is(2004), &e));
	cr_expect_eq(e.code, MA_ERR_INVALID, "code %u", (unsigned)e.code);
	stack_garbage(&e);
	cr_expect_null(ma_filter_not(NULL, &e));
	cr_expect_eq(e.code, MA_ERR_INVALID, "code %u", (unsigned)e.code);
	stack_garbage(&e);
	cr_expect_not(ma_query_where(q, NULL, &e));
	cr_expect_eq(e.code, MA_ERR_INVALID, "code %u", (unsigned)e.code);
	ma_error_clear(&e);
	cr_expect_not(ma_query_ok(q, &e));
	cr_expect_eq(e.code, MA_ERR_INVALID, "code %u", (unsigned)e.code);
	ma_query_destroy(q);
}

Test(filter, filter_new_checks_like_a_query)
{
	ma_error e = {.code = MA_OK};
	ma_value years[] = {MA_V_INT(1), MA_V_INT(2)};
	ma_filter *f;

	cr_expect_null(ma_filter_new(&library_book_type, "isbn", MA_OP_EQ,
				     MA_V_STRING("x"), &e));
	cr_expect_eq(e.code, MA_ERR_INVALID);
	cr_expect(strstr(e.message, "isbn") != NULL, "%s", e.message);
	f = ma_filter_new_in(&library_book_type, "year", MA_OP_NIN, years, 2,
			     &e);
	cr_assert_not_null(f, "%s", e.message);
	expect_bson(ma_filter_bson(f),
		    "{\"year\":{\"$nin\":[" I64(1) "," I64(2) "]}}");
	ma_filter_destroy(f);
}

/* --- filters: kinds ------------------------------------------------------ */

Test(filter, int_field_takes_int_or_decimal_text_only)
{
	expect_filter_refused(&library_book_type, "year", MA_OP_EQ,
			      MA_V_STRING("2004"), "year");
	expect_filter("year", MA_OP_EQ, MA_V_TEXT("2004"),
		      "{\"year\":" I64(2004) "}");
	expect_filter_refused(&library_book_type, "year", MA_OP_EQ,
			      MA_V_TEXT("20x4"), "year");
	expect_filter_refused(&library_book_type, "year", MA_OP_EQ,
			      MA_V_TEXT("99999999999999999999"), "year");
	expect_filter_refused(&library_book_type, "year", MA_OP_EQ,
			      MA_V_TEXT(""), "year");
	expect_filter_refused(&library_book_type, "year", MA_OP_EQ,
			      MA_V_TEXT("2004.5"), "year");
	expect_filter_refused(&library_book_type, "year", MA_OP_EQ,
			      MA_V_FLOAT(2004.0), "year");
}

Test(filter, string_field_refuses_an_int)
{
	expect_filter_refused(&library_book_type, "title", MA_OP_EQ,
			      MA_V_INT(1), "title");
}

Test(filter, unknown_field_is_refused_by_name)
{
	expect_filter_refused(&library_book_type, "isbn", MA_OP_EQ,
			      MA_V_STRING("0-13-110362-8"), "isbn");
}

Test(filter, document_field_takes_json_only)
{
	expect_filter_refused(&library_book_type, "author", MA_OP_EQ,
			      MA_V_STRING("Mark"), "author");
	expect_filter("author", MA_OP_EQ, MA_V_JSON("{\"name\":\"Mark\"}"),
		      "{\"author\":{\"name\":\"Mark\"}}");
	expect_filter_refused(&library_book_type, "author", MA_OP_EQ,
			      MA_V_JSON("{\"$where\":\"1\"}"), NULL);
}

Test(filter, regex_and_startswith_need_a_string_field)
{
	expect_filter_refused(&library_book_type, "year", MA_OP_REGEX,
			      MA_V_STRING("^2"), "year");
	expect_filter_refused(&library_book_type, "year", MA_OP_STARTSWITH,
			      MA_V_TEXT("2"), "year");
	expect_filter_refused(&library_book_type, "title", MA_OP_REGEX,
			      MA_V_INT(2), "title");
}

Test(filter, dollar_and_null_paths_are_refused)
{
	expect_filter_refused(&library_book_type, "$where", MA_OP_EQ,
			      MA_V_STRING("1"), NULL);
	expect_filter_refused(&library_book_type, "year$", MA_OP_EQ,
			      MA_V_INT(1), NULL);
	expect_filter_refused(&library_book_type, "author.$name", MA_OP_EQ,
			      MA_V_STRING("x"), NULL);
	expect_filter_refused(&library_book_type, "$or", MA_OP_EQ,
			      MA_V_JSON("[]"), NULL);
	expect_filter_refused(&library_book_type, "", MA_OP_EQ, MA_V_INT(1),
			      NULL);
	expect_filter_refused(&library_book_type, "author.", MA_OP_EQ,
			      MA_V_STRING("x"), NULL);
	expect_filter_refused(&library_book_type, NULL, MA_OP_EQ, MA_V_INT(1),
			      NULL);
}

Test(filter, unknown_operator_is_refused)
{
	expect_filter_refused(&library_book_type, "year", MA_OP__MAX,
			      MA_V_INT(1), NULL);
}

/* --- queries: the sticky error, sort, skip, limit, fields, copy ---------- */

Test(query, first_error_sticks_to_the_query)
{
	ma_query *q = ma_query_new(db, &library_book_type);
	ma_error first, e;

	cr_assert(ma_query_ok(q, &e));
	cr_expect_eq(e.code, MA_OK);
	cr_assert_not(
		ma_query_filter(q, "isbn", MA_OP_EQ, MA_V_STRING("x"), &first));
	cr_assert_eq(first.code, MA_ERR_INVALID);

	cr_expect_not(ma_query_ok(q, &e));
	cr_expect_eq(e.code, first.code);
	cr_expect_str_eq(e.message, first.message);

	ma_error_clear(&e);
	cr_expect_not(ma_query_filter(q, "year", MA_OP_EQ, MA_V_INT(2004), &e));
	cr_expect_eq(e.code, first.code);
	cr_expect_str_eq(e.message, first.message);

	ma_error_clear(&e);
	cr_expect_not(ma_query_sort(q, "title", &e));
	cr_expect_str_eq(e.message, first.message);
	ma_error_clear(&e);
	cr_expect_not(ma_query_limit(q, 5, &e));
	cr_expect_str_eq(e.message, first.message);
	ma_error_clear(&e);
	cr_expect_not(ma_query_ok(q, &e));
	cr_expect_str_eq(e.message, first.message);
	ma_query_destroy(q);
}

Test(query, a_later_error_does_not_replace_the_first)
{
	ma_query *q = ma_query_new(db, &library_book_type);
	ma_error first, e;

	cr_assert_not(ma_query_sort(q, "isbn", &first));
	cr_expect_not(ma_query_skip(q, -1, &e));
	cr_expect_not(ma_query_ok(q, &e));
	cr_expect_str_eq(e.message, first.message);
	ma_query_destroy(q);
}

static void
expect_sort(const ma_type *type, const char *key, bool ok)
{
	ma_query *q = ma_query_new(db, type);
	ma_error e = {.code = MA_OK};

	ma_error_clear(&e);
	if (ok) {
		cr_expect(ma_query_sort(q, key, &e), "sort %s: %s", key,
			  e.message);
	} else {
		cr_expect_not(ma_query_sort(q, key, &e), "sort %s accepted",
			      key != NULL ? key : "(null)");
		cr_expect_eq(e.code, MA_ERR_INVALID, "sort %s",
			     key != NULL ? key : "(null)");
	}
	ma_query_destroy(q);
}

Test(query, sort_takes_fields_and_descending_fields)
{
	ma_query *q = ma_query_new(db, &library_book_type);
	ma_error e = {.code = MA_OK};

	bson_t sort;

	cr_expect(ma_query_sort(q, "-year", &e), "%s", e.message);
	cr_expect(ma_query_sort(q, "title", &e), "%s", e.message);
	cr_expect(ma_query_sort(q, "-author.name", &e), "%s", e.message);
	cr_expect(ma_query_ok(q, &e));
	_ma_query_sort_doc(q, false, false, &sort);
	expect_bson(&sort, "{\"year\": {\"$numberInt\": \"-1\"}, "
			   "\"title\": {\"$numberInt\": \"1\"}, "
			   "\"author.name\": {\"$numberInt\": \"-1\"}}");
	bson_destroy(&sort);
	/* A page's order: the id last; backwards, every key reversed. */
	_ma_query_sort_doc(q, true, true, &sort);
	expect_bson(&sort, "{\"year\": {\"$numberInt\": \"1\"}, "
			   "\"title\": {\"$numberInt\": \"-1\"}, "
			   "\"author.name\": {\"$numberInt\": \"1\"}, "
			   "\"_id\": {\"$numberInt\": \"-1\"}}");
	bson_destroy(&sort);
	ma_query_destroy(q);
	expect_sort(&library_book_type, "author.name", true);
	expect_sort(&library_book_type, "-author.name", true);
	expect_sort(&library_book_type, "_id", true);
	expect_sort(&sample_type, "-d", true);
}

Test(query, sort_refuses_what_cannot_be_ordered)
{
	expect_sort(&sample_type, "tags", false);
	expect_sort(&sample_type, "-nums", false);
	expect_sort(&sample_type, "x", false);
	expect_sort(&sample_type, "part", false);
	expect_sort(&library_book_type, "author", false);
	expect_sort(&library_book_type, "isbn", false);
	expect_sort(&library_book_type, "", false);
	expect_sort(&library_book_type, "-", false);
	expect_sort(&library_book_type, "--year", false);
	expect_sort(&library_book_type, "+year", false);
	expect_sort(&library_book_type, "$natural", false);
	expect_sort(&library_book_type, NULL, false);
}

Test(query, skip_and_limit_refuse_negatives)
{
	ma_query *q = ma_query_new(db, &library_book_type);
	ma_query *r = ma_query_new(db, &library_book_type);
	ma_query *s = ma_query_new(db, &library_book_type);
	ma_error e = {.code = MA_OK};

	cr_expect(ma_query_skip(q, 0, &e));
	cr_expect(ma_query_skip(q, 40, &e));
	cr_expect(ma_query_limit(q, 0, &e));
	cr_expect(ma_query_limit(q, 20, &e));
	cr_expect(ma_query_ok(q, &e));
	cr_expect_not(ma_query_skip(r, -1, &e));
	cr_expect_eq(e.code, MA_ERR_INVALID);
	cr_expect_not(ma_query_limit(s, INT64_MIN, &e));
	cr_expect_eq(e.code, MA_ERR_INVALID);
	ma_query_destroy(q);
	ma_query_destroy(r);
	ma_query_destroy(s);
}

Test(query, fields_must_be_declared)
{
	ma_query *q = ma_query_new(db, &library_book_type);
	ma_query *r = ma_query_new(db, &library_book_type);
	ma_query *s = ma_query_new(db, &library_book_type);
	ma_error e = {.code = MA_OK};

	cr_expect(ma_query_fields(q, "title", &e), "%s", e.message);
	cr_expect(ma_query_fields(q, "author.name", &e), "%s", e.message);
	cr_expect_not(ma_query_fields(r, "isbn", &e));
	cr_expect_eq(e.code, MA_ERR_INVALID);
	cr_expect(strstr(e.message, "isbn") != NULL, "%s", e.message);
	cr_expect_not(ma_query_fields(s, "$where", &e));
	cr_expect_eq(e.code, MA_ERR_INVALID);
	ma_query_destroy(q);
	ma_query_destroy(r);
	ma_query_destroy(s);
}

/* MongoDB refuses "author" and "author.name" in one projection: the wider
 * path stays, and a sort key it covers is not added again. */
Test(query, fields_keep_the_wider_path_and_add_sort_keys)
{
	ma_query *q = ma_query_new(db, &library_book_type);
	bson_t proj;
	ma_error e = {.code = MA_OK};

	cr_assert(ma_query_fields(q, "author.name", &e), "%s", e.message);
	cr_assert(ma_query_fields(q, "title", &e), "%s", e.message);
	cr_assert(ma_query_fields(q, "author", &e), "%s", e.message);
	cr_assert(ma_query_fields(q, "author.name", &e), "%s", e.message);
	cr_assert(ma_query_sort(q, "author.name", &e), "%s", e.message);
	cr_assert(ma_query_sort(q, "-year", &e), "%s", e.message);
	_ma_query_projection(q, &proj);
	expect_bson(&proj, "{\"title\": {\"$numberInt\": \"1\"}, "
			   "\"author\": {\"$numberInt\": \"1\"}, "
			   "\"year\": {\"$numberInt\": \"1\"}}");
	bson_destroy(&proj);
	ma_query_destroy(q);
}

/* The id is not declared, but JSON for it is read as an ObjectId. */
Test(filter, id_from_json_is_an_objectid)
{
	expect_filter("_id", MA_OP_EQ, MA_V_JSON("\"" HEX "\""),
		      "{\"_id\": " OID_JSON "}");
	expect_filter_refused(&library_book_type, "_id", MA_OP_EQ,
			      MA_V_JSON("\"blasphemy\""), "_id");
}

Test(query, copy_is_independent)
{
	ma_query *q = ma_query_new(db, &library_book_type);
	ma_query *c;
	ma_error e = {.code = MA_OK};

	bson_t opts;

	cr_assert(ma_query_filter(q, "year", MA_OP_EQ, MA_V_INT(2004), &e));
	cr_assert(ma_query_sort(q, "-year", &e));
	cr_assert(ma_query_skip(q, 3, &e));
	cr_assert(ma_query_limit(q, 7, &e));
	cr_assert(ma_query_fields(q, "title", &e));
	c = ma_query_copy(q);
	cr_assert_not_null(c);
	cr_expect_eq(ma_query_db(c), db);
	cr_expect_eq(ma_query_type(c), &library_book_type);
	/* Sort, fields, skip and limit come along (with the configured
	 * maxTimeMS of every read); the sort key joins the
	 * fields, so that a page's position can be read. */
	bson_init(&opts);
	_ma_query_find_opts(c, false, false, c->skip, c->limit, &opts);
	expect_bson(&opts,
		    "{\"sort\": {\"year\": {\"$numberInt\": \"-1\"}}, "
		    "\"projection\": {\"title\": {\"$numberInt\": \"1\"}, "
		    "\"year\": {\"$numberInt\": \"1\"}}, "
		    "\"skip\": " I64(3) ", \"limit\": " I64(
			    7) ","
			       " \"maxTimeMS\": " I64(5000) "}");
	bson_destroy(&opts);
	cr_assert(
		ma_query_filter(c, "title", MA_OP_EQ, MA_V_STRING("Dive"), &e));
	expect_bson(ma_query_filter_bson(q), "{\"year\":" I64(2004) "}");
	expect_bson(ma_query_filter_bson(c),
		    "{\"year\":" I64(2004) ",\"title\":\"Dive\"}");

	/* And the other way round: the original's error is not the copy's. */
	cr_expect_not(ma_query_filter(q, "isbn", MA_OP_EQ, MA_V_INT(1), &e));
	cr_expect(ma_query_ok(c, &e), "%s", e.message);
	ma_query_destroy(q);
	expect_bson(ma_query_filter_bson(c),
		    "{\"year\":" I64(2004) ",\"title\":\"Dive\"}");
	ma_query_destroy(c);
}

Test(query, copy_keeps_the_error)
{
	ma_query *q = ma_query_new(db, &library_book_type);
	ma_query *c;
	ma_error first, e;

	cr_assert_not(
		ma_query_filter(q, "isbn", MA_OP_EQ, MA_V_INT(1), &first));
	c = ma_query_copy(q);
	cr_expect_not(ma_query_ok(c, &e));
	cr_expect_str_eq(e.message, first.message);
	ma_query_destroy(q);
	ma_query_destroy(c);
}

/* --- query extensions ---------------------------------------------------- */

Test(extension, lookup_by_name)
{
	const ma_query_extension *x =
		ma_type_extension(&sample_type, "at_least");

	cr_assert_not_null(x);
	cr_expect_str_eq(x->name, "at_least");
	cr_expect(x->fn == at_least);
	x = ma_type_extension(&sample_type, "refuses");
	cr_assert_not_null(x);
	cr_expect(x->fn == refuses);
	cr_expect_null(ma_type_extension(&sample_type, "at_most"));
	cr_expect_null(ma_type_extension(&sample_type, ""));
	cr_expect_null(ma_type_extension(&sample_type, "at_least_"));
	cr_expect_null(ma_type_extension(&library_book_type, "at_least"));
}

Test(extension, applied_to_a_query, .init = setup, .fini = teardown)
{
	ma_query *q = ma_query_new(db, &sample_type);
	ma_query *r = ma_query_new(db, &sample_type);
	ma_query *s = ma_query_new(db, &library_book_type);
	ma_error e = {.code = MA_OK};

	cr_assert(ma_query_extend(q, "at_least", "3", &e), "%s", e.message);
	expect_bson(ma_query_filter_bson(q), "{\"i\":{\"$gte\":" I64(3) "}}");

	cr_expect_not(ma_query_extend(r, "refuses", NULL, &e));
	cr_expect_eq(e.code, MA_ERR_INVALID);
	cr_expect_str_eq(e.message, "no thanks");
	cr_expect_not(ma_query_ok(r, &e));

	cr_expect_not(ma_query_extend(s, "at_least", NULL, &e));
	cr_expect_eq(e.code, MA_ERR_UNDECLARED);
	cr_expect(strstr(e.message, "at_least") != NULL, "%s", e.message);
	ma_query_destroy(q);
	ma_query_destroy(r);
	ma_query_destroy(s);
}

/* --- updates ------------------------------------------------------------- */

static void
expect_named(const char *message, const char *call, const char **names)
{
	for (; *names != NULL; names++)
		cr_expect(strstr(message, *names) != NULL,
			  "%s: \"%s\" does not name \"%s\"", call, message,
			  *names);
}

/* call, made on the update u, fails with an error naming each of the
 * strings that follow. */
#define REFUSED_ON(u, call, e, ...)                                            \
	do {                                                                   \
		ma_error_clear(&(e));                                          \
		cr_expect_not((call), #call " accepted");                      \
		cr_expect_neq((e).code, MA_OK, #call);                         \
		expect_named((e).message, #call,                               \
			     (const char *[]){__VA_ARGS__, NULL});             \
		(void)(u);                                                     \
	} while (0)

/* call, made on `fresh`, a new update of type (an update keeps its first
 * error, so each refusal needs its own), fails naming what follows; the
 * refused call leaves the update empty. */
#define REFUSED(type, call, ...)                                               \
	do {                                                                   \
		ma_update *fresh = ma_update_new(type);                        \
		ma_error err;                                                  \
                                                                               \
		REFUSED_ON(fresh, call, err, __VA_ARGS__);                     \
		expect_bson(ma_update_bson(fresh), "{}");                      \
		ma_update_destroy(fresh);                                      \
	} while (0)

static const ma_type *const book = &library_book_type;
static const ma_type *const sample = &sample_type;

Test(update, set_writes_checked_values)
{
	ma_update *u = ma_update_new(book);
	ma_error e = {.code = MA_OK};

	expect_bson(ma_update_bson(u), "{}");
	cr_assert(ma_update_set(u, "year", MA_V_INT(2004), &e), "%s",
		  e.message);
	expect_bson(ma_update_bson(u), "{\"$set\":{\"year\":" I64(2004) "}}");
	cr_assert(ma_update_set(u, "title", MA_V_STRING("Dive"), &e), "%s",
		  e.message);
	expect_bson(ma_update_bson(u),
		    "{\"$set\":{\"year\":" I64(2004) ",\"title\":\"Dive\"}}");
	ma_update_destroy(u);
}

Test(update, set_reaches_embedded_fields)
{
	ma_update *u = ma_update_new(book);
	ma_error e = {.code = MA_OK};

	cr_assert(ma_update_set(u, "author.name", MA_V_STRING("Mark"), &e),
		  "%s", e.message);
	expect_bson(ma_update_bson(u), "{\"$set\":{\"author.name\":\"Mark\"}}");
	ma_update_destroy(u);
}

Test(update, set_converts_a_whole_embedded_document)
{
	ma_update *u = ma_update_new(book);
	ma_error e = {.code = MA_OK};

	cr_assert(ma_update_set(u, "author", MA_V_JSON("{\"name\":\"Mark\"}"),
				&e),
		  "%s", e.message);
	expect_bson(ma_update_bson(u),
		    "{\"$set\":{\"author\":{\"name\":\"Mark\"}}}");
	ma_update_destroy(u);

	REFUSED(book,
		ma_update_set(fresh, "author",
			      MA_V_JSON("{\"name\":\"Mark\",\"born\":1966}"),
			      &err),
		"born");
	REFUSED(book,
		ma_update_set(fresh, "author",
			      MA_V_JSON("{\"name\":\"Mark\",\"$where\":\"1\"}"),
			      &err),
		"$where");
	REFUSED(book,
		ma_update_set(fresh, "author",
			      MA_V_JSON("{\"$name\":\"Mark\"}"), &err),
		"author");
	REFUSED(book,
		ma_update_set(fresh, "author", MA_V_JSON("{\"name\":\"\"}"),
			      &err),
		"name");
	REFUSED(book, ma_update_set(fresh, "author", MA_V_JSON("{}"), &err),
		"name");
	REFUSED(book,
		ma_update_set(fresh, "author", MA_V_JSON("{\"name\":"), &err),
		"author");
}

Test(update, set_checks_bounds_naming_field_and_bound)
{
	REFUSED(book, ma_update_set(fresh, "year", MA_V_INT(-5), &err), "year",
		"between 0 and 9999");
	REFUSED(book, ma_update_set(fresh, "year", MA_V_TEXT("10000"), &err),
		"year", "9999");
	REFUSED(book, ma_update_set(fresh, "title", MA_V_STRING(""), &err),
		"title", "1 to 500");
	REFUSED(book,
		ma_update_set(fresh, "author.name", MA_V_STRING(""), &err),
		"author.name", "1 to 200");
}

Test(update, set_null_only_where_nullable)
{
	ma_update *v = ma_update_new(sample);
	ma_error e = {.code = MA_OK};

	REFUSED(book, ma_update_set(fresh, "year", MA_V_NULL, &err), "year");
	REFUSED(book, ma_update_set(fresh, "author", MA_V_NULL, &err),
		"author");
	cr_expect(ma_update_set(v, "d", MA_V_NULL, &e), "%s", e.message);
	expect_bson(ma_update_bson(v), "{\"$set\":{\"d\":null}}");
	ma_update_destroy(v);
}

Test(update, set_refuses_unknown_and_dollar_paths)
{
	REFUSED(book, ma_update_set(fresh, "isbn", MA_V_STRING("x"), &err),
		"isbn");
	REFUSED(book, ma_update_set(fresh, "$where", MA_V_STRING("x"), &err),
		"$where");
	REFUSED(book,
		ma_update_set(fresh, "author.$name", MA_V_STRING("x"), &err),
		"$name");
	REFUSED(book, ma_update_set(fresh, "_id", MA_V_STRING(HEX), &err),
		"_id");
	REFUSED(book, ma_update_set(fresh, NULL, MA_V_INT(1), &err), "");
}

Test(update, first_refusal_sticks_to_the_update)
{
	ma_update *u = ma_update_new(book);
	ma_error first, e;

	cr_assert(ma_update_set(u, "title", MA_V_STRING("Dive"), &e), "%s",
		  e.message);
	cr_assert_not(ma_update_set(u, "year", MA_V_INT(-5), &first));
	ma_error_clear(&e);
	cr_expect_not(ma_update_set(u, "year", MA_V_INT(2004), &e));
	cr_expect_eq(e.code, first.code);
	cr_expect_str_eq(e.message, first.message);
	ma_error_clear(&e);
	cr_expect_not(ma_update_unset(u, "isbn", &e));
	cr_expect_str_eq(e.message, first.message);
	expect_bson(ma_update_bson(u), "{\"$set\":{\"title\":\"Dive\"}}");
	ma_update_destroy(u);
}

Test(update, unset_only_optional_fields)
{
	ma_update *v = ma_update_new(sample);
	ma_error e = {.code = MA_OK};

	REFUSED(book, ma_update_unset(fresh, "year", &err), "year");
	REFUSED(book, ma_update_unset(fresh, "author.name", &err),
		"author.name");
	REFUSED(book, ma_update_unset(fresh, "isbn", &err), "isbn");
	cr_assert(ma_update_unset(v, "s", &e), "%s", e.message);
	cr_assert(ma_update_unset(v, "part.size", &e), "%s", e.message);
	expect_bson(ma_update_bson(v),
		    "{\"$unset\": {\"s\": \"\", \"part.size\": \"\"}}");
	ma_update_destroy(v);
}

Test(update, inc_takes_numbers_of_the_field_kind)
{
	ma_update *u = ma_update_new(book);
	ma_update *v = ma_update_new(sample);
	ma_error e = {.code = MA_OK};

	REFUSED(book, ma_update_inc(fresh, "title", MA_V_INT(1), &err),
		"title");
	REFUSED(book, ma_update_inc(fresh, "year", MA_V_FLOAT(1.5), &err),
		"year");
	REFUSED(book, ma_update_inc(fresh, "year", MA_V_STRING("1"), &err),
		"year");
	REFUSED(book, ma_update_inc(fresh, "author", MA_V_INT(1), &err),
		"author");
	cr_assert(ma_update_inc(u, "year", MA_V_INT(-3), &e), "%s", e.message);
	expect_bson(ma_update_bson(u), "{\"$inc\":{\"year\":" I64(-3) "}}");
	cr_assert(ma_update_inc(v, "f", MA_V_FLOAT(0.5), &e), "%s", e.message);
	expect_bson(ma_update_bson(v),
		    "{\"$inc\":{\"f\":{\"$numberDouble\":\"0.5\"}}}");
	ma_update_destroy(u);
	ma_update_destroy(v);
}

Test(update, list_operators_need_a_list)
{
	REFUSED(book, ma_update_push(fresh, "title", MA_V_STRING("x"), &err),
		"title");
	REFUSED(book, ma_update_pull(fresh, "year", MA_V_INT(1), &err), "year");
	REFUSED(book,
		ma_update_add_to_set(fresh, "author",
				     MA_V_JSON("{\"name\":\"M\"}"), &err),
		"author");
}

Test(update, list_operators_check_the_item)
{
	ma_update *u = ma_update_new(sample);
	ma_error e = {.code = MA_OK};

	cr_assert(ma_update_push(u, "tags", MA_V_STRING("new"), &e), "%s",
		  e.message);
	cr_assert(ma_update_add_to_set(u, "nums", MA_V_INT(7), &e), "%s",
		  e.message);
	expect_bson(ma_update_bson(u), "{\"$push\":{\"tags\":\"new\"},"
				       "\"$addToSet\":{\"nums\":" I64(7) "}}");
	ma_update_destroy(u);

	u = ma_update_new(sample);
	cr_assert(ma_update_pull(u, "nums", MA_V_INT(3), &e), "%s", e.message);
	expect_bson(ma_update_bson(u), "{\"$pull\":{\"nums\":" I64(3) "}}");
	ma_update_destroy(u);
	REFUSED(sample,
		ma_update_push(fresh, "tags", MA_V_STRING("toolong"), &err),
		"tags");
	REFUSED(sample, ma_update_push(fresh, "tags", MA_V_INT(1), &err),
		"tags");
	REFUSED(sample, ma_update_add_to_set(fresh, "tags", MA_V_NULL, &err),
		"tags");
}

Test(update, a_field_is_changed_by_one_operator_only)
{
	ma_update *u = ma_update_new(book);
	ma_update *v = ma_update_new(sample);
	ma_update *w = ma_update_new(sample);
	ma_error e = {.code = MA_OK};

	cr_assert(ma_update_set(u, "year", MA_V_INT(2004), &e), "%s",
		  e.message);
	REFUSED_ON(u, ma_update_inc(u, "year", MA_V_INT(1), &e), e, "year");
	expect_bson(ma_update_bson(u), "{\"$set\":{\"year\":" I64(2004) "}}");

	/* A document and a field inside it are the same field to MongoDB,
	 * which refuses such an update as a conflict. */
	cr_assert(ma_update_unset(v, "part", &e), "%s", e.message);
	REFUSED_ON(v, ma_update_set(v, "part.name", MA_V_STRING("bolt"), &e), e,
		   "part");
	cr_assert(ma_update_inc(w, "part.size", MA_V_INT(1), &e), "%s",
		  e.message);
	REFUSED_ON(
		w,
		ma_update_set(w, "part", MA_V_JSON("{\"name\":\"bolt\"}"), &e),
		e, "part");
	ma_update_destroy(u);
	ma_update_destroy(v);
	ma_update_destroy(w);
}

Test(update, author_and_author_name_conflict)
{
	ma_update *u = ma_update_new(book);
	ma_update *v = ma_update_new(book);
	ma_error e = {.code = MA_OK};

	cr_assert(ma_update_set(u, "author.name", MA_V_STRING("Mark"), &e),
		  "%s", e.message);
	REFUSED_ON(
		u,
		ma_update_push(u, "author", MA_V_JSON("{\"name\":\"M\"}"), &e),
		e, "author");
	expect_bson(ma_update_bson(u), "{\"$set\":{\"author.name\":\"Mark\"}}");
	cr_assert(ma_update_set(v, "author", MA_V_JSON("{\"name\":\"Mark\"}"),
				&e),
		  "%s", e.message);
	REFUSED_ON(v, ma_update_set(v, "author.name", MA_V_STRING("M"), &e), e,
		   "author");
	ma_update_destroy(u);
	ma_update_destroy(v);
}

/* --- values, kind by kind ------------------------------------------------ */

static void
expect_value(const char *name, ma_value v, const char *expected)
{
	const ma_field *f = NULL;
	bson_t out = BSON_INITIALIZER;
	ma_error e = {.code = MA_OK};
	bool ok;

	if (strcmp(name, "_id") != 0) {
		f = ma_type_field(&sample_type, name);
		cr_assert_not_null(f, "%s", name);
	}
	ma_error_clear(&e);
	ok = _ma_value_to_bson(f, name, &v, &out, "v", &e);
	cr_expect(ok, "%s (kind %d): %s", name, (int)v.kind, e.message);
	if (ok)
		expect_bson(&out, expected);
	bson_destroy(&out);
}

static void
expect_value_refused(const char *name, ma_value v)
{
	const ma_field *f = NULL;
	bson_t out = BSON_INITIALIZER;
	ma_error e = {.code = MA_OK};

	if (strcmp(name, "_id") != 0) {
		f = ma_type_field(&sample_type, name);
		cr_assert_not_null(f, "%s", name);
	}
	ma_error_clear(&e);
	cr_expect_not(_ma_value_to_bson(f, name, &v, &out, "v", &e),
		      "%s took kind %d", name, (int)v.kind);
	cr_expect_eq(e.code, MA_ERR_INVALID, "%s kind %d", name, (int)v.kind);
	cr_expect(strstr(e.message, name) != NULL, "\"%s\" does not name %s",
		  e.message, name);
	bson_destroy(&out);
}

#define DATE_JSON(ms) "{\"$date\":{\"$numberLong\":\"" #ms "\"}}"

Test(value, string_and_enum)
{
	expect_value("s", MA_V_STRING("pen"), "{\"v\":\"pen\"}");
	expect_value("s", MA_V_TEXT("2004"), "{\"v\":\"2004\"}");
	expect_value("e", MA_V_STRING("new"), "{\"v\":\"new\"}");
	expect_value("e", MA_V_TEXT("old"), "{\"v\":\"old\"}");
	expect_value("s", MA_V_NULL, "{\"v\":null}");
	expect_value_refused("s", MA_V_INT(1));
	expect_value_refused("s", MA_V_BOOL(true));
	expect_value_refused("e", MA_V_INT(1));
	expect_value_refused("s", MA_V_STRING("\xff"));
}

Test(value, int_is_int64)
{
	expect_value("i", MA_V_INT(7), "{\"v\":" I64(7) "}");
	expect_value("i", MA_V_INT(INT64_MAX),
		     "{\"v\":" I64(9223372036854775807) "}");
	expect_value("i", MA_V_TEXT("-12"), "{\"v\":" I64(-12) "}");
	expect_value("i", MA_V_TEXT("9223372036854775807"),
		     "{\"v\":" I64(9223372036854775807) "}");
	expect_value_refused("i", MA_V_TEXT("9223372036854775808"));
	expect_value_refused("i", MA_V_TEXT("0x10"));
	expect_value_refused("i", MA_V_TEXT(" 1"));
	expect_value_refused("i", MA_V_FLOAT(1.0));
	expect_value_refused("i", MA_V_BOOL(false));
}

Test(value, float_is_double_even_from_an_int)
{
	expect_value("f", MA_V_FLOAT(2.5),
		     "{\"v\":{\"$numberDouble\":\"2.5\"}}");
	expect_value("f", MA_V_INT(3), "{\"v\":{\"$numberDouble\":\"3.0\"}}");
	expect_value("f", MA_V_TEXT("2.5"),
		     "{\"v\":{\"$numberDouble\":\"2.5\"}}");
	expect_value("f", MA_V_TEXT("3"),
		     "{\"v\":{\"$numberDouble\":\"3.0\"}}");
	expect_value_refused("f", MA_V_TEXT("abc"));
	expect_value_refused("f", MA_V_TEXT("2.5x"));
	expect_value_refused("f", MA_V_STRING("2.5"));
}

Test(value, bool_from_bool_or_text)
{
	expect_value("b", MA_V_BOOL(true), "{\"v\":true}");
	expect_value("b", MA_V_TEXT("false"), "{\"v\":false}");
	expect_value_refused("b", MA_V_TEXT("yes"));
	expect_value_refused("b", MA_V_INT(1));
}

Test(value, datetime_from_ms_and_iso_text)
{
	expect_value("d", MA_V_DATETIME(MS_2004),
		     "{\"v\":" DATE_JSON(1072915200000) "}");
	expect_value("d", MA_V_STRING("2004-01-01T00:00:00Z"),
		     "{\"v\":" DATE_JSON(1072915200000) "}");
	expect_value("d", MA_V_TEXT("2004-01-01T01:00:00.123+01:00"),
		     "{\"v\":" DATE_JSON(1072915200123) "}");
	expect_value_refused("d", MA_V_TEXT("2004-01-01"));
	expect_value_refused("d", MA_V_STRING("2004-01-01T00:00:00"));
	expect_value_refused("d", MA_V_INT(MS_2004));
}

Test(value, objectid_and_ref_from_oid_or_hex)
{
	bson_oid_t oid;

	bson_oid_init_from_string(&oid, HEX);
	expect_value("o", MA_V_OID(&oid), "{\"v\":" OID_JSON "}");
	expect_value("o", MA_V_STRING(HEX), "{\"v\":" OID_JSON "}");
	expect_value("o", MA_V_TEXT(HEX), "{\"v\":" OID_JSON "}");
	expect_value("owner", MA_V_TEXT(HEX), "{\"v\":" OID_JSON "}");
	expect_value("_id", MA_V_STRING(HEX), "{\"v\":" OID_JSON "}");
	expect_value("_id", MA_V_OID(&oid), "{\"v\":" OID_JSON "}");
	expect_value_refused("o", MA_V_TEXT("0123456789abcdef0123456"));
	expect_value_refused("o", MA_V_TEXT("0123456789abcdef012345678"));
	expect_value_refused("o", MA_V_STRING("0123456789abcdef0123456g"));
	expect_value_refused("owner", MA_V_INT(1));
	expect_value_refused("_id", MA_V_TEXT("blasphemy"));
}

Test(value, list_takes_an_item_or_the_whole_list)
{
	expect_value("tags", MA_V_STRING("red"), "{\"v\":\"red\"}");
	expect_value("nums", MA_V_INT(3), "{\"v\":" I64(3) "}");
	expect_value("nums", MA_V_TEXT("3"), "{\"v\":" I64(3) "}");
	expect_value("nums", MA_V_JSON("[1,2]"),
		     "{\"v\":[" I64(1) "," I64(2) "]}");
	expect_value_refused("nums", MA_V_STRING("3"));
	expect_value_refused("tags", MA_V_INT(3));
	expect_value_refused("nums", MA_V_JSON("[\"a\"]"));
}

Test(value, document_takes_json_only)
{
	expect_value("part", MA_V_JSON("{\"name\":\"bolt\",\"size\":3}"),
		     "{\"v\":{\"name\":\"bolt\",\"size\":" I64(3) "}}");
	expect_value_refused("part", MA_V_STRING("bolt"));
	expect_value_refused("part",
			     MA_V_JSON("{\"name\":\"bolt\",\"$gt\":1}"));
	expect_value_refused("part", MA_V_JSON("{\"a.b\":1}"));
}

Test(value, any_takes_every_typed_value)
{
	bson_oid_t oid;

	bson_oid_init_from_string(&oid, HEX);
	expect_value("x", MA_V_STRING("pen"), "{\"v\":\"pen\"}");
	expect_value("x", MA_V_INT(5), "{\"v\":" I64(5) "}");
	expect_value("x", MA_V_FLOAT(0.25),
		     "{\"v\":{\"$numberDouble\":\"0.25\"}}");
	expect_value("x", MA_V_BOOL(false), "{\"v\":false}");
	expect_value("x", MA_V_DATETIME(MS_2004),
		     "{\"v\":" DATE_JSON(1072915200000) "}");
	expect_value("x", MA_V_OID(&oid), "{\"v\":" OID_JSON "}");
	expect_value("x", MA_V_JSON("{\"a\":[1,\"b\"]}"),
		     "{\"v\":{\"a\":[" I64(1) ",\"b\"]}}");
	expect_value("x", MA_V_NULL, "{\"v\":null}");
	/* Raw JSON never smuggles an operator in, even into "any". */
	expect_value_refused("x", MA_V_JSON("{\"$where\":\"1\"}"));
	expect_value_refused("x", MA_V_JSON("{\"a\":{\"$ne\":1}}"));
}

Test(value, unknown_value_kind_is_refused)
{
	expect_value_refused("s", (ma_value){.kind = MA_VALUE__MAX});
}

/* --- updates from a partial JSON document (what PATCH sends) ------------- */

static ma_update *
from_json(const ma_type *type, const char *json, const bson_oid_t *id,
	  ma_problems *p, ma_error *e)
{
	return ma_update_new_from_json(type, json, strlen(json), id, p, e);
}

Test(update_json, sets_the_fields_given_under_their_database_names)
{
	ma_error e = {.code = MA_OK};
	ma_update *u =
		from_json(sample, "{\"label\":\"x\",\"i\":3}", NULL, NULL, &e);

	cr_assert_not_null(u, "%s", e.message);
	expect_bson(ma_update_bson(u),
		    "{\"$set\":{\"i\":" I64(3) ",\"l\":\"x\"}}");
	ma_update_destroy(u);

	/* null where the field allows it. */
	u = from_json(sample, "{\"d\":null}", NULL, NULL, &e);
	cr_assert_not_null(u, "%s", e.message);
	expect_bson(ma_update_bson(u), "{\"$set\":{\"d\":null}}");
	ma_update_destroy(u);

	/* A whole embedded document, converted as input. */
	u = from_json(book, "{\"author\":{\"name\":\"Mark\"}}", NULL, NULL, &e);
	cr_assert_not_null(u, "%s", e.message);
	expect_bson(ma_update_bson(u),
		    "{\"$set\":{\"author\":{\"name\":\"Mark\"}}}");
	ma_update_destroy(u);
}

Test(update_json, nothing_required_and_no_defaults_for_missing_fields)
{
	ma_error e = {.code = MA_OK};
	ma_update *u = from_json(book, "{}", NULL, NULL, &e);

	/* title, author and year are required in a whole Book, not here. */
	cr_assert_not_null(u, "%s", e.message);
	expect_bson(ma_update_bson(u), "{}");
	ma_update_destroy(u);
}

Test(update_json, reports_every_problem)
{
	ma_problems *p = ma_problems_new();
	ma_error e = {.code = MA_OK};

	cr_assert_null(from_json(book,
				 "{\"year\":\"x\",\"title\":\"\",\"colour\":1}",
				 NULL, p, &e));
	cr_assert_eq(e.code, MA_ERR_VALIDATION, "%s", e.message);
	cr_assert_eq(ma_problems_count(p), 3);
	cr_assert_str_eq(ma_problems_field(p, 0), "title");
	cr_assert_str_eq(ma_problems_field(p, 1), "year");
	cr_assert_str_eq(ma_problems_message(p, 1),
			 "must be an integer between 0 and 9999");
	cr_assert_str_eq(ma_problems_field(p, 2), "colour");
	cr_assert_str_eq(ma_problems_message(p, 2), "unknown field");

	/* null is a value, refused where the field is not nullable. */
	ma_problems_clear(p);
	cr_assert_null(from_json(book, "{\"year\":null}", NULL, p, &e));
	cr_assert_eq(ma_problems_count(p), 1);
	cr_assert_str_eq(ma_problems_message(p, 0), "must not be null");

	ma_problems_clear(p);
	cr_assert_null(from_json(book, "{\"year\":", NULL, p, &e));
	cr_assert_eq(e.code, MA_ERR_JSON, "%s", e.message);
	cr_assert_null(from_json(book, "[1]", NULL, p, &e));
	cr_assert_eq(e.code, MA_ERR_JSON, "%s", e.message);
	ma_problems_destroy(p);
}

Test(update_json, an_id_is_taken_only_when_it_is_the_documents_own)
{
	ma_error e = {.code = MA_OK};
	bson_oid_t id, other;
	ma_update *u;

	bson_oid_init_from_string(&id, HEX);
	bson_oid_init_from_string(&other, "ffffffffffffffffffffffff");
	u = from_json(book, "{\"_id\":\"" HEX "\",\"year\":2004}", &id, NULL,
		      &e);
	cr_assert_not_null(u, "%s", e.message);
	expect_bson(ma_update_bson(u), "{\"$set\":{\"year\":" I64(2004) "}}");
	ma_update_destroy(u);

	cr_assert_null(
		from_json(book, "{\"_id\":\"" HEX "\"}", &other, NULL, &e));
	cr_assert_eq(e.code, MA_ERR_INVALID);
	cr_assert_str_eq(e.message, "_id: an update cannot change the id");
	cr_assert_null(
		from_json(book, "{\"_id\":\"" HEX "\"}", NULL, NULL, &e));
	cr_assert_eq(e.code, MA_ERR_INVALID);
}
