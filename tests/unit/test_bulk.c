/*
 * A bulk create's body without a server: a JSON array read into
 * documents, every item checked, each problem named with its item's index.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "library.h"

#define BOOK(title, year)                                                      \
	"{\"title\":\"" title "\",\"author\":{\"name\":\"A\"},\"year\":" #year \
	"}"

/* The documents of json, or NULL; *e and problems say why. */
static ma_doc **
read_docs(const char *json, size_t max, size_t *n, ma_problems *problems,
	  ma_error *e)
{
	return ma_docs_new_from_json(&library_book_type, json, strlen(json),
				     max, n, problems, e);
}

/* The problems as "field: message" lines joined by "; ". */
static char *
problems_text(const ma_problems *p)
{
	char *out = bson_strdup(""), *next;
	size_t i;

	for (i = 0; i < ma_problems_count(p); i++) {
		next = bson_strdup_printf("%s%s%s: %s", out, i > 0 ? "; " : "",
					  ma_problems_field(p, i),
					  ma_problems_message(p, i));
		bson_free(out);
		out = next;
	}
	return out;
}

static void
expect_problems(const char *json, size_t max, const char *want)
{
	ma_problems *p = ma_problems_new();
	size_t n = 7;
	ma_error e;
	ma_doc **docs = read_docs(json, max, &n, p, &e);
	char *text = problems_text(p);

	cr_assert_null(docs, "%s: converted", json);
	cr_assert_eq(n, 0);
	cr_assert_eq(e.code, MA_ERR_VALIDATION, "%s: %s", json, e.message);
	cr_assert_str_eq(text, want, "%s: %s", json, text);
	bson_free(text);
	ma_problems_destroy(p);
}

static void
expect_error(const char *json, size_t max, ma_error_code code,
	     const char *mentions)
{
	size_t n = 7;
	ma_error e;
	ma_doc **docs = read_docs(json, max, &n, NULL, &e);

	cr_assert_null(docs, "%s: converted", json);
	cr_assert_eq(n, 0);
	cr_assert_eq(e.code, code, "%s: %s", json, e.message);
	cr_assert_not_null(strstr(e.message, mentions), "%s: %s", json,
			   e.message);
}

Test(bulk, array_of_books_gives_each_in_order)
{
	size_t n = 0;
	ma_error e;
	ma_doc **docs =
		read_docs("[" BOOK("One", 2001) ", " BOOK("Two", 2002) "]", 2,
			  &n, NULL, &e);
	const char *title;
	int64_t year;

	cr_assert_not_null(docs, "%s", e.message);
	cr_assert_eq(n, 2);
	cr_assert(ma_doc_get_string(docs[0], "title", &title));
	cr_assert_str_eq(title, "One");
	cr_assert(ma_doc_get_int(docs[1], "year", &year));
	cr_assert_eq(year, 2002);
	cr_assert_eq(e.code, MA_OK);
	ma_docs_destroy(docs, n);
}

Test(bulk, every_problem_is_named_with_its_item_index)
{
	expect_problems("[" BOOK("Fine", 2000) "," BOOK("Late", 10000) ",{}]",
			0,
			"[1].year: must be an integer between 0 and 9999; "
			"[2].title: required; "
			"[2].author: required; [2].year: required");
}

Test(bulk, items_that_are_not_objects_are_problems)
{
	expect_problems("[1, \"x\", null, [" BOOK("In", 2000) "]]", 0,
			"[0]: must be an object; [1]: must be an object; "
			"[2]: must be an object; [3]: must be an object");
}

Test(bulk, dollar_and_dotted_keys_inside_an_item_are_refused)
{
	expect_problems("[" BOOK("Fine", 2000) ",{\"title\":\"x\",\"author\":"
					       "{\"$where\":\"1\"},\"year\":1,"
					       "\"a.b\":1}]",
			0,
			"[1].author.name: required; [1].author.$where: field "
			"names must not start with '$'; [1].a.b: field names "
			"must not contain '.'");
}

Test(bulk, duplicate_key_in_an_item_is_named)
{
	expect_problems("[" BOOK("Fine", 2000) ",{\"title\":\"a\",\"title\":"
					       "\"b\"}]",
			0,
			"[1]: duplicate key \"title\"; [1].author: required; "
			"[1].year: required");
}

Test(bulk, more_items_than_the_maximum_is_too_large)
{
	expect_error("[" BOOK("1", 1) "," BOOK("2", 2) "," BOOK("3", 3) "]", 2,
		     MA_ERR_TOO_LARGE,
		     "at most 2 documents in one request, not 3");
}

Test(bulk, empty_array_is_invalid)
{
	expect_error(" [ ] ", 0, MA_ERR_INVALID, "the array is empty");
}

Test(bulk, a_body_that_is_not_an_array_is_a_json_error)
{
	expect_error(BOOK("One", 2001), 0, MA_ERR_JSON, "array");
	expect_error("null", 0, MA_ERR_JSON, "array");
	expect_error("[" BOOK("One", 2001), 0, MA_ERR_JSON, "malformed JSON");
}

Test(bulk, ten_thousand_items_over_the_maximum_convert_nothing)
{
	char *json = bson_malloc(10000 * 3 + 2), *p = json;
	size_t i;

	*p++ = '[';
	for (i = 0; i < 10000; i++) {
		memcpy(p, i > 0 ? ",{}" : "{}", i > 0 ? 3 : 2);
		p += i > 0 ? 3 : 2;
	}
	*p++ = ']';
	*p = '\0';
	expect_error(json, 100, MA_ERR_TOO_LARGE,
		     "at most 100 documents in one request, not 10000");
	bson_free(json);
}

Test(bulk, destroying_null_is_a_no_op)
{
	ma_docs_destroy(NULL, 3);
}
