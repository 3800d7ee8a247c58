/*
 * Documents without a server: setters and getters, validation, equality,
 * and the JSON written for every BSON value a stored document may hold.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "library.h"
#include "config/config-private.h"
#include "query/query-private.h"

static const ma_field item_fields[] = {
	MA_STRING("label", .db_name = "l"),
	MA_FLOAT("price", MA_FMIN(0), .optional = true),
	MA_BOOL("active", .default_json = "true"),
	MA_DATETIME("added", .optional = true, .nullable = true),
	MA_OBJECTID("owner", .optional = true),
	MA_LIST("tags", MA_ITEM(MA_STRING(NULL)), .optional = true,
		.max_items = 2),
	MA_ANY("extra", .optional = true),
	MA_ENUM("state", MA_VALUES("new", "old"), .optional = true),
	MA_FIELDS_END};

static const ma_type item_type = {.name = "Item", .fields = item_fields};

static char *
json_of(const ma_doc *doc)
{
	return ma_doc_to_json(doc, NULL);
}

static void
assert_json(const ma_doc *doc, const char *expected)
{
	char *json = json_of(doc);

	cr_assert_str_eq(json, expected);
	bson_free(json);
}

Test(document, flask_example_built_with_setters)
{
	ma_doc *mark = ma_doc_new(&library_author_type);
	ma_doc *dive = ma_doc_new(&library_book_type);
	ma_error e;
	const char *s;
	int64_t year;

	cr_assert(ma_doc_set_string(mark, "name", "Mark Pilgrim", &e), "%s",
		  e.message);
	cr_assert(ma_doc_set_string(dive, "title", "Dive Into Python", &e));
	cr_assert(ma_doc_set_doc(dive, "author", mark, &e), "%s", e.message);
	cr_assert(ma_doc_set_int(dive, "year", 2004, &e));
	assert_json(dive,
		    "{\"title\":\"Dive Into Python\",\"author\":{\"name\":"
		    "\"Mark Pilgrim\"},\"year\":2004}");
	cr_assert(ma_doc_get_string(dive, "author.name", &s));
	cr_assert_str_eq(s, "Mark Pilgrim");
	cr_assert(ma_doc_get_int(dive, "year", &year));
	cr_assert_eq(year, 2004);
	cr_assert(ma_doc_validate(dive, NULL, &e), "%s", e.message);

	/* Changing a field keeps its place. */
	cr_assert(ma_doc_set_string(dive, "title", "Dive Into Python 3", &e));
	assert_json(dive,
		    "{\"title\":\"Dive Into Python 3\",\"author\":{\"name\":"
		    "\"Mark Pilgrim\"},\"year\":2004}");
	ma_doc_destroy(mark);
	ma_doc_destroy(dive);
}

Test(document, setters_refuse_unknown_fields_and_other_kinds)
{
	ma_doc *book = ma_doc_new(&library_book_type);
	ma_doc *other = ma_doc_new(&library_book_type);
	ma_error e;

	cr_assert_not(ma_doc_set_int(book, "pages", 1, &e));
	cr_assert_eq(e.code, MA_ERR_INVALID);
	cr_assert_str_eq(e.message, "Book has no field pages");
	cr_assert_not(ma_doc_set_string(book, "year", "2004", &e));
	cr_assert_str_eq(e.message, "Book.year is an int, not a string");
	cr_assert_not(ma_doc_set_doc(book, "author", other, &e));
	cr_assert_str_eq(e.message, "Book.author holds a Author");
	cr_assert_not(ma_doc_set_string(book, "title", "\xff", &e));
	cr_assert_eq(e.code, MA_ERR_INVALID);
	assert_json(book, "{}");
	ma_doc_destroy(book);
	ma_doc_destroy(other);
}

Test(document, validate_reports_every_problem_in_field_order)
{
	ma_doc *book = ma_doc_new(&library_book_type);
	ma_doc *author = ma_doc_new(&library_author_type);
	ma_problems *p = ma_problems_new();
	ma_error e;

	ma_doc_set_int(book, "year", 10000, NULL);
	ma_doc_set_doc(book, "author", author, NULL);
	cr_assert_not(ma_doc_validate(book, p, &e));
	cr_assert_eq(e.code, MA_ERR_VALIDATION);
	cr_assert_eq(ma_problems_count(p), 3);
	cr_assert_str_eq(ma_problems_field(p, 0), "title");
	cr_assert_str_eq(ma_problems_message(p, 0), "required");
	cr_assert_str_eq(ma_problems_field(p, 1), "author.name");
	cr_assert_str_eq(ma_problems_message(p, 1), "required");
	cr_assert_str_eq(ma_problems_field(p, 2), "year");
	cr_assert_str_eq(ma_problems_message(p, 2),
			 "must be an integer between 0 and 9999");
	cr_assert_str_eq(e.message,
			 "invalid Book: title: required; author.name: "
			 "required; year: must be an integer between 0 "
			 "and 9999");
	ma_problems_destroy(p);
	ma_doc_destroy(book);
	ma_doc_destroy(author);
}

Test(document, validate_leaves_fields_it_does_not_know_alone)
{
	bson_t *raw = BCON_NEW("name", "Mark", "born", BCON_INT32(1966));
	ma_doc *doc = ma_doc_new_from_bson(&library_author_type, raw);
	ma_error e;

	cr_assert(ma_doc_validate(doc, NULL, &e), "%s", e.message);
	assert_json(doc, "{\"name\":\"Mark\",\"born\":1966}");
	bson_destroy(raw);
	ma_doc_destroy(doc);
}

Test(document, database_names_are_used_in_bson_and_json_names_in_json)
{
	ma_doc *item = ma_doc_new(&item_type);
	bson_iter_t it;
	const char *s;

	cr_assert(ma_doc_set_string(item, "label", "pen", NULL));
	cr_assert(bson_iter_init_find(&it, ma_doc_bson(item), "l"));
	cr_assert_not(bson_has_field(ma_doc_bson(item), "label"));
	cr_assert(ma_doc_get_string(item, "label", &s));
	cr_assert_str_eq(s, "pen");
	assert_json(item, "{\"label\":\"pen\"}");
	ma_doc_destroy(item);
}

Test(document, getters_say_no_for_missing_null_and_other_kinds)
{
	ma_doc *item = ma_doc_new(&item_type);
	int64_t i = 7, ms;
	double d;
	bool b;
	const char *s = "untouched";
	ma_doc *sub;

	ma_doc_set_null(item, "added", NULL);
	ma_doc_set_float(item, "price", 2.5, NULL);
	cr_assert_not(ma_doc_get_int(item, "price", &i));
	cr_assert_eq(i, 7);
	cr_assert_not(ma_doc_get_string(item, "label", &s));
	cr_assert_str_eq(s, "untouched");
	cr_assert_not(ma_doc_get_datetime(item, "added", &ms));
	cr_assert(ma_doc_is_null(item, "added"));
	cr_assert_not(ma_doc_is_null(item, "price"));
	cr_assert(ma_doc_get_float(item, "price", &d));
	cr_assert_float_eq(d, 2.5, 1e-12);
	cr_assert_not(ma_doc_get_bool(item, "active", &b));
	cr_assert_not(ma_doc_get_string(item, "", &s));
	sub = ma_doc_get_doc(item, "price");
	cr_assert_null(sub);
	ma_doc_destroy(item);
}

Test(document, set_json_converts_lists_and_enums)
{
	ma_doc *item = ma_doc_new(&item_type);
	ma_problems *p = ma_problems_new();
	ma_error e;

	cr_assert(ma_doc_set_json(item, "tags", "[\"a\",\"b\"]", p, &e), "%s",
		  e.message);
	cr_assert(ma_doc_set_json(item, "state", "\"old\"", p, &e));
	cr_assert(
		ma_doc_set_json(item, "extra", "{\"k\":[1,2.5,null]}", p, &e));
	assert_json(item, "{\"tags\":[\"a\",\"b\"],\"state\":\"old\",\"extra\":"
			  "{\"k\":[1,2.5,null]}}");

	cr_assert_not(
		ma_doc_set_json(item, "tags", "[\"a\",\"b\",\"c\"]", p, &e));
	cr_assert_eq(e.code, MA_ERR_VALIDATION);
	cr_assert_str_eq(ma_problems_field(p, 0), "tags");
	cr_assert_str_eq(ma_problems_message(p, 0),
			 "must be a list of at most 2 items");
	cr_assert_not(ma_doc_set_json(item, "state", "\"gone\"", p, &e));
	cr_assert_str_eq(ma_problems_message(p, 0), "must be one of: new, old");
	cr_assert_not(ma_doc_set_json(item, "extra", "{\"$where\":1}", p, &e));
	cr_assert_str_eq(ma_problems_field(p, 0), "extra.$where");
	cr_assert_not(ma_doc_set_json(item, "extra", "{", p, &e));
	cr_assert_eq(e.code, MA_ERR_JSON);
	/* Nothing changed by the refusals. */
	assert_json(item, "{\"tags\":[\"a\",\"b\"],\"state\":\"old\",\"extra\":"
			  "{\"k\":[1,2.5,null]}}");
	cr_assert_not(ma_doc_set_json(item, "extra", "null", p, &e));
	cr_assert_str_eq(ma_problems_message(p, 0), "must not be null");
	cr_assert(ma_doc_set_json(item, "added", "null", p, &e), "%s",
		  e.message);
	cr_assert(ma_doc_unset(item, "tags", &e));
	cr_assert(ma_doc_unset(item, "tags", &e), "unsetting twice is fine");
	assert_json(item, "{\"state\":\"old\",\"extra\":{\"k\":[1,2.5,null]},"
			  "\"added\":null}");
	ma_problems_destroy(p);
	ma_doc_destroy(item);
}

Test(document, json_input_fills_defaults)
{
	const char *in = "{\"label\":\"pen\"}";
	ma_doc *item =
		ma_doc_new_from_json(&item_type, in, strlen(in), NULL, NULL);
	bool active = false;

	cr_assert_not_null(item);
	cr_assert(ma_doc_get_bool(item, "active", &active));
	cr_assert(active);
	assert_json(item, "{\"label\":\"pen\",\"active\":true}");
	ma_doc_destroy(item);
}

Test(document, equality_is_by_id)
{
	bson_oid_t oid;
	bson_t *raw;
	ma_doc *a, *b, *c, *fresh1, *fresh2;

	bson_oid_init_from_string(&oid, "5f1d7a3b9c0e4a2b8c6d4e1f");
	raw = BCON_NEW("_id", BCON_OID(&oid), "name", "Mark");
	a = ma_doc_new_from_bson(&library_author_type, raw);
	bson_destroy(raw);
	raw = BCON_NEW("_id", BCON_OID(&oid), "name", "Mark Stalone");
	b = ma_doc_new_from_bson(&library_author_type, raw);
	c = ma_doc_new_from_bson(&library_book_type, raw);
	bson_destroy(raw);
	fresh1 = ma_doc_new(&library_author_type);
	fresh2 = ma_doc_new(&library_author_type);

	cr_assert(ma_doc_equal(a, b), "same id, other contents");
	cr_assert_not(ma_doc_equal(a, c), "same id, other type");
	cr_assert_not(ma_doc_equal(fresh1, fresh2));
	cr_assert(ma_doc_equal(fresh1, fresh1));
	cr_assert_not(ma_doc_equal(a, fresh1));
	cr_assert_not(ma_doc_equal(a, NULL));
	cr_assert(ma_doc_id(a, &oid));
	cr_assert_not(ma_doc_id(fresh1, &oid));
	ma_doc_destroy(a);
	ma_doc_destroy(b);
	ma_doc_destroy(c);
	ma_doc_destroy(fresh1);
	ma_doc_destroy(fresh2);
}

Test(json_out, every_bson_type_has_a_json_form)
{
	bson_t *raw;
	bson_decimal128_t dec;
	char *json;

	bson_decimal128_from_string("1.10", &dec);
	raw = BCON_NEW(
		"i32", BCON_INT32(-5), "i64", BCON_INT64(INT64_MIN), "d",
		BCON_DOUBLE(2.0), "third", BCON_DOUBLE(0.1), "big",
		BCON_DOUBLE(1e20), "t", BCON_BOOL(true), "n", BCON_NULL, "dec",
		BCON_DECIMAL128(&dec), "bin",
		BCON_BIN(BSON_SUBTYPE_BINARY, (const uint8_t *)"hi!?", 4), "re",
		BCON_REGEX("^a", "i"), "ts", BCON_TIMESTAMP(7, 3), "code",
		BCON_CODE("x()"), "min", BCON_MINKEY, "date",
		BCON_DATE_TIME(-1), "far",
		BCON_DATE_TIME(INT64_C(253402300800000)), "arr", "[",
		BCON_INT32(1), "{", "a", BCON_INT32(2), "}", "]");
	json = ma_json_from_bson(NULL, raw, NULL);
	cr_assert_str_eq(
		json, "{\"i32\":-5,\"i64\":-9223372036854775808,\"d\":2.0,"
		      "\"third\":0.1,\"big\":1e+20,\"t\":true,\"n\":null,"
		      "\"dec\":\"1.10\",\"bin\":\"aGkhPw==\",\"re\":\"/^a/i\","
		      "\"ts\":{\"t\":7,\"i\":3},\"code\":\"x()\",\"min\":null,"
		      "\"date\":\"1969-12-31T23:59:59.999Z\","
		      "\"far\":253402300800000,\"arr\":[1,{\"a\":2}]}");
	bson_free(json);
	bson_destroy(raw);
}

Test(json_out, doubles_read_back_exactly)
{
	static const double values[] = {0.1,   1.0 / 3, 123456789.125,
					-0.0,  5e-324,	1.7976931348623157e308,
					2.5e-7};
	bson_t raw;
	char *json, *p;
	size_t i;

	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		bson_init(&raw);
		BSON_APPEND_DOUBLE(&raw, "v", values[i]);
		json = ma_json_from_bson(NULL, &raw, NULL);
		p = strchr(json, ':') + 1;
		cr_assert_eq(strtod(p, NULL), values[i], "%s", json);
		bson_free(json);
		bson_destroy(&raw);
	}
}

Test(json_out, non_finite_doubles_are_null)
{
	bson_t *raw = BCON_NEW("inf", BCON_DOUBLE(1.0 / 0.0), "nan",
			       BCON_DOUBLE(0.0 / 0.0));
	char *json = ma_json_from_bson(NULL, raw, NULL);

	cr_assert_str_eq(json, "{\"inf\":null,\"nan\":null}");
	bson_free(json);
	bson_destroy(raw);
}

Test(json_out, strings_are_escaped_and_invalid_utf8_replaced)
{
	bson_t raw = BSON_INITIALIZER;
	char *json;
	size_t len;

	/* bson_append_utf8 does not validate: a server may hand us this. */
	bson_append_utf8(&raw, "s", 1, "q\"b\\s/\n\t\x01\xc3\xa9\xff\xe2\x82",
			 14);
	bson_append_utf8(&raw, "nul", 3, "a\0b", 3);
	json = ma_json_from_bson(NULL, &raw, &len);
	cr_assert_str_eq(json, "{\"s\":\"q\\\"b\\\\s/\\n\\t\\u0001\xc3\xa9"
			       "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\","
			       "\"nul\":\"a\\u0000b\"}");
	cr_assert_eq(len, strlen(json));
	bson_free(json);
	bson_destroy(&raw);
}

Test(json_out, keys_are_escaped_too)
{
	bson_t raw = BSON_INITIALIZER;
	char *json;

	BSON_APPEND_INT32(&raw, "we\"ird", 1);
	json = ma_json_from_bson(&library_book_type, &raw, NULL);
	cr_assert_str_eq(json, "{\"we\\\"ird\":1}");
	bson_free(json);
	bson_destroy(&raw);
}

Test(json_out, large_documents_grow_the_buffer)
{
	bson_t raw = BSON_INITIALIZER;
	char key[16], *json, *expected;
	ma_buf want;
	int i;

	_ma_buf_init(&want, 16);
	_ma_buf_putc(&want, '{');
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		BSON_APPEND_UTF8(&raw, key, "\x01\x02\x03");
		_ma_buf_printf(&want, "%s\"k%d\":\"\\u0001\\u0002\\u0003\"",
			       i > 0 ? "," : "", i);
	}
	_ma_buf_putc(&want, '}');
	expected = _ma_buf_steal(&want, NULL);
	json = ma_json_from_bson(NULL, &raw, NULL);
	cr_assert_str_eq(json, expected);
	bson_free(json);
	bson_free(expected);
	bson_destroy(&raw);
}

Test(document, paths_inside_any_values_read_the_same_from_json_and_bson)
{
	bson_t *raw = BCON_NEW("l", "pen", "extra", "[", "{", "$x",
			       BCON_INT32(1), "}", "]");
	ma_doc *item = ma_doc_new_from_bson(&item_type, raw);
	ma_problems *p = ma_problems_new();
	ma_error e;

	cr_assert_not(ma_doc_validate(item, p, &e));
	cr_assert_eq(ma_problems_count(p), 1);
	cr_assert_str_eq(ma_problems_field(p, 0), "extra[0].$x");
	cr_assert_str_eq(ma_problems_message(p, 0),
			 "field names must not start with '$'");

	cr_assert_not(ma_doc_set_json(item, "extra", "[{\"$x\":1}]", p, &e));
	cr_assert_str_eq(ma_problems_field(p, 0), "extra[0].$x");
	cr_assert_not(ma_doc_set_json(item, "extra",
				      "{\"b\":{\"a\":1,\"a\":2}}", p, &e));
	cr_assert_str_eq(ma_problems_field(p, 0), "extra.b");
	cr_assert_str_eq(ma_problems_message(p, 0), "duplicate key \"a\"");
	ma_problems_destroy(p);
	ma_doc_destroy(item);
	bson_destroy(raw);
}

static const ma_field counter_fields[] = {
	MA_INT("n", .default_json = "7"),
	MA_LIST("seen", MA_ITEM(MA_INT(NULL)), .default_json = "[1,2]"),
	MA_FIELDS_END};

static const ma_type counter_type = {.name = "Counter",
				     .fields = counter_fields};

/* Converted defaults are kept per field: they must never mix or go stale. */
Test(document, defaults_are_the_same_at_every_use)
{
	static const char item_in[] = "{\"label\":\"pen\"}";
	static const char counter_in[] = "{\"seen\":[]}";
	ma_doc *doc;
	int i;

	for (i = 0; i < 6; i++) {
		if (i == 3)
			_ma_default_cache_clear();
		doc = ma_doc_new_from_json(&item_type, item_in, strlen(item_in),
					   NULL, NULL);
		assert_json(doc, "{\"label\":\"pen\",\"active\":true}");
		ma_doc_destroy(doc);
		doc = ma_doc_new_from_json(&counter_type, counter_in,
					   strlen(counter_in), NULL, NULL);
		assert_json(doc, "{\"n\":7,\"seen\":[]}");
		ma_doc_destroy(doc);
		doc = ma_doc_new_from_json(&counter_type, "{}", 2, NULL, NULL);
		assert_json(doc, "{\"n\":7,\"seen\":[1,2]}");
		ma_doc_destroy(doc);
	}
}

/* --- UTF-8 of the input --------------------------------------------------- */

/* JSON that must be refused, and the message it must be refused with. */
typedef struct json_refusal {
	const char *json;
	const char *says;
} json_refusal;

static void
expect_json_refused(const ma_type *type, const json_refusal *cases, size_t n)
{
	ma_error e;
	bson_t out;
	size_t i;

	for (i = 0; i < n; i++) {
		cr_expect_not(ma_json_to_bson(type, cases[i].json,
					      strlen(cases[i].json), &out, NULL,
					      &e),
			      "case %zu accepted", i);
		cr_expect_eq(e.code, MA_ERR_JSON, "case %zu: %s", i, e.message);
		cr_expect_str_eq(e.message, cases[i].says, "case %zu", i);
		bson_destroy(&out);
	}
}

Test(json_in, text_that_only_json_c_takes_for_utf8_is_refused)
{
	/* Each passes json-c's own check; none is UTF-8. Byte 11 is where
	 * the value's text starts, byte 2 the key's. */
	static const json_refusal refused[] = {
		{"{\"title\": \"\xc1\xa9\", \"author\": {\"name\": \"M\"}, "
		 "\"year\": 1}",
		 "malformed JSON at byte 11: invalid utf-8 string"},
		{"{\"title\": \"ab\xc0\x80\"}",
		 "malformed JSON at byte 13: invalid utf-8 string"},
		{"{\"title\": \"\xe0\x80\xaf\"}",
		 "malformed JSON at byte 11: invalid utf-8 string"},
		{"{\"title\": \"\xed\xa0\x80\"}",
		 "malformed JSON at byte 11: invalid utf-8 string"},
		{"{\"title\": \"\xf4\x90\x80\x80\"}",
		 "malformed JSON at byte 11: invalid utf-8 string"},
		{"{\"title\": \"\xf5\x80\x80\x80\"}",
		 "malformed JSON at byte 11: invalid utf-8 string"},
		{"{\"\xf0\x80\x80\xa9\": 1}",
		 "malformed JSON at byte 2: invalid utf-8 string"},
	};
	/* The boundaries on the good side of each rule pass. */
	static const char *const accepted[] = {
		"{\"title\": \"\xc2\x80\", \"author\": {\"name\": \"M\"}, "
		"\"year\": 1}",
		"{\"title\": \"\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\", "
		"\"author\": "
		"{\"name\": \"M\"}, \"year\": 1}",
		"{\"title\": \"\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\", \"author\": "
		"{\"name\": \"M\"}, \"year\": 1}",
	};
	ma_error e;
	bson_t out;
	size_t i;

	expect_json_refused(&library_book_type, refused,
			    sizeof(refused) / sizeof(refused[0]));
	for (i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
		cr_expect(ma_json_to_bson(&library_book_type, accepted[i],
					  strlen(accepted[i]), &out, NULL, &e),
			  "case %zu: %s", i, e.message);
		bson_destroy(&out);
	}
}

Test(json_in, raw_control_characters_and_lone_surrogates_are_refused)
{
	/* RFC 8259 section 7: json-c takes each of these; byte 11 is where
	 * the label's text starts. */
	static const json_refusal refused[] = {
		{"{\"label\": \"a\tb\"}", "malformed JSON at byte 12: control "
					  "character 0x09 in a string "
					  "(escape it)"},
		{"{\"label\": \"\n\"}", "malformed JSON at byte 11: control "
					"character 0x0A in a string "
					"(escape it)"},
		{"{\"label\": \"x\x01\"}", "malformed JSON at byte 12: control "
					   "character 0x01 in a string "
					   "(escape it)"},
		{"{\"ti\x1ftle\": \"x\"}",
		 "malformed JSON at byte 4: control character 0x1F in a string "
		 "(escape it)"},
		{"{\"label\": \"\\ud800\"}",
		 "malformed JSON at byte 11: \\ud800 is half a UTF-16 "
		 "surrogate "
		 "pair"},
		{"{\"label\": \"ab\\uDBFFx\"}",
		 "malformed JSON at byte 13: \\uDBFF is half a UTF-16 "
		 "surrogate "
		 "pair"},
		{"{\"label\": \"\\udc00\\ud800\"}",
		 "malformed JSON at byte 11: \\udc00 is half a UTF-16 "
		 "surrogate "
		 "pair"},
		{"{\"label\": \"\\ud800\\u0041\"}",
		 "malformed JSON at byte 11: \\ud800 is half a UTF-16 "
		 "surrogate "
		 "pair"},
		{"{\"label\": \"\\\\\\ud83d\"}",
		 "malformed JSON at byte 13: \\ud83d is half a UTF-16 "
		 "surrogate "
		 "pair"},
	};
	/* Escaped control characters, a whole pair, the neighbours of the
	 * surrogate range, DEL and an escaped backslash before a 'u' pass. */
	static const struct {
		const char *json;
		const char *label;
	} accepted[] = {
		{"{\"label\": \"a\\tb\\n\\u0001\\u001f\"}", "a\tb\n\x01\x1f"},
		{"{\"label\": \"\\ud83d\\ude00\"}", "\xf0\x9f\x98\x80"},
		{"{\"label\": \"\\uD7FF\\uE000\x7f\"}",
		 "\xed\x9f\xbf\xee\x80\x80\x7f"},
		{"{\"label\": \"\\\\ud800\"}", "\\ud800"},
	};
	ma_error e;
	bson_t out;
	bson_iter_t it;
	size_t i;

	expect_json_refused(&item_type, refused,
			    sizeof(refused) / sizeof(refused[0]));
	for (i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
		cr_assert(ma_json_to_bson(&item_type, accepted[i].json,
					  strlen(accepted[i].json), &out, NULL,
					  &e),
			  "case %zu: %s", i, e.message);
		cr_assert(bson_iter_init_find(&it, &out, "l"), "case %zu", i);
		cr_expect_str_eq(bson_iter_utf8(&it, NULL), accepted[i].label,
				 "case %zu", i);
		bson_destroy(&out);
	}
}
