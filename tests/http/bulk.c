/*
 * Bulk create in-process (compiled into test_contract_*): a POST of a
 * JSON array to the example's resources, against the test server. Each
 * test's documents carry its own prefix, and every count is of those.
 */
#include "live.h"
#include "inproc.h"
#include "resources.h"

TestSuite(bulk, .fini = inproc_stop);

/* "[a,b,...]" of n books titled "<p>0", "<p>1"... */
static const char *
books_array(const char *p, size_t n)
{
	ma_buf b;
	size_t i;

	_ma_buf_init(&b, 96 * n + 2);
	_ma_buf_putc(&b, '[');
	for (i = 0; i < n; i++)
		_ma_buf_printf(&b, "%s%s", i > 0 ? "," : "",
			       book_json(tprintf("%s%zu", p, i), "Bulk",
					 2000 + (int)i));
	_ma_buf_putc(&b, ']');
	return keep(_ma_buf_steal(&b, NULL), bson_free);
}

/* How many books have titles starting with p. */
static int64_t
books_under(const char *p)
{
	http_resp *r = http_get(
		tprintf("/books?title__startswith=%s&per_page=1", qenc(p)));
	json_object *page = expect_json(r, 200);

	return json_object_get_int64(jget(r->what, page, "total"));
}

/* The entries of a partial failure's list: "index:id" or
 * "index:id:reason", joined with '|'. */
static const char *
entries(const http_resp *r, json_object *problem, const char *name)
{
	json_object *list = jget(r->what, problem, name), *e, *why;
	ma_buf b;
	size_t i;

	cr_assert(json_object_is_type(list, json_type_array), "%s: %s", r->what,
		  name);
	_ma_buf_init(&b, 128);
	for (i = 0; i < json_object_array_length(list); i++) {
		e = json_object_array_get_idx(list, i);
		_ma_buf_printf(&b, "%s%d:%s", i > 0 ? "|" : "",
			       json_object_get_int(jget(r->what, e, "index")),
			       json_object_get_string(jget(r->what, e, "_id")));
		if (json_object_object_get_ex(e, "reason", &why))
			_ma_buf_printf(&b, ":%s", json_object_get_string(why));
	}
	_ma_buf_putc(&b, '\0');
	return keep(_ma_buf_steal(&b, NULL), bson_free);
}

Test(bulk, array_of_books_is_201_listing_each_stored_book_in_order)
{
	const char *p = prefix();
	http_resp *r = http_json("POST", "/books", books_array(p, 3));
	json_object *list, *doc;
	const char *id;
	size_t i;

	expect_status(r, 201);
	expect_media_type(r, "application/json");
	cr_assert_null(http_header_get(r, "Location"), "%s", r->what);
	list = r->json;
	cr_assert(json_object_is_type(list, json_type_array), "%s", r->body);
	cr_assert_eq(json_object_array_length(list), 3);
	for (i = 0; i < 3; i++) {
		doc = json_object_array_get_idx(list, i);
		id = id_of(r->what, doc);
		expect_book(r->what, doc, id, tprintf("%s%zu", p, i), "Bulk",
			    2000 + (int)i);
		r = http_get(tprintf("/books/%s", id));
		expect_book(r->what, expect_json(r, 200), id,
			    tprintf("%s%zu", p, i), "Bulk", 2000 + (int)i);
	}
	cr_assert_eq(books_under(p), 3);
}

Test(bulk, object_body_still_creates_one_with_location)
{
	const char *p = prefix();
	http_resp *r = http_json("POST", "/books",
				 tprintf(" \n%s", book_json(p, "One", 2001)));
	const char *id = id_of(r->what, expect_json(r, 201));

	expect_header(r, "Location", tprintf("/books/%s", id));
	cr_assert_not_null(http_header_get(r, "ETag"));
}

Test(bulk, an_invalid_item_stores_nothing_and_is_named_by_index)
{
	const char *p = prefix();
	http_resp *r = http_json(
		"POST", "/books",
		tprintf("[%s, %s, %s]", book_json(tprintf("%sa", p), "A", 2000),
			book_json(tprintf("%sb", p), "B", 10000),
			"{\"title\": \"\"}"));

	expect_problem(r, 400, "invalid Book");
	expect_error_for(r, "[1].year");
	expect_error_for(r, "[2].title");
	expect_error_for(r, "[2].author");
	cr_assert_eq(books_under(p), 0);
}

Test(bulk, items_that_are_not_objects_are_400_by_index)
{
	http_resp *r = http_json("POST", "/books", "[[], 3, \"x\", null]");

	expect_problem(r, 400, NULL);
	expect_error_for(r, "[0]");
	expect_error_for(r, "[3]");
}

Test(bulk, empty_array_is_400)
{
	expect_problem(http_json("POST", "/books", "[]"), 400,
		       "the array is empty");
}

Test(bulk, one_item_over_the_maximum_is_413_naming_it_and_stores_nothing)
{
	const char *p = prefix();

	expect_problem(http_json("POST", "/books", books_array(p, 101)), 413,
		       "at most 100 documents in one request, not 101");
	cr_assert_eq(books_under(p), 0);
	expect_status(http_json("POST", "/books", books_array(p, 100)), 201);
	cr_assert_eq(books_under(p), 100);
}

/*
 * Authors have a unique name: the second of three repeats a stored one.
 * The first is stored, the second refused, the third never sent; the
 * answer names each with its id.
 */
Test(bulk, duplicate_in_the_middle_is_409_naming_what_is_stored)
{
	const char *p = prefix();
	const char *taken = create_author(tprintf("%staken", p));
	http_resp *r = http_json(
		"POST", "/authors",
		tprintf("[{\"name\": \"%sfirst\"}, {\"name\": \"%staken\"}, "
			"{\"name\": \"%sthird\"}]",
			p, p, p));
	json_object *problem = expect_problem(r, 409, "1 of 3 items stored");
	const char *stored = entries(r, problem, "stored");
	const char *not_stored = entries(r, problem, "not_stored");
	char first[25], second[25], third[25];

	cr_assert_str_eq(entries(r, problem, "unknown"), "");
	cr_assert_eq(sscanf(stored, "0:%24[0-9a-f]", first), 1, "%s", stored);
	cr_assert_eq(sscanf(not_stored, "1:%24[0-9a-f]:%*[^|]|2:%24[0-9a-f]",
			    second, third),
		     2, "%s", not_stored);
	cr_assert_str_eq(
		not_stored,
		tprintf("1:%s:a stored document already has this id or the "
			"same value for a unique index|2:%s:not sent: an item "
			"before it failed",
			second, third));
	cr_assert_str_neq(second, taken);

	r = http_get(tprintf("/authors/%s", first));
	expect_author(r->what, expect_json(r, 200), first,
		      tprintf("%sfirst", p));
	expect_status(http_get(tprintf("/authors/%s", second)), 404);
	expect_status(http_get(tprintf("/authors/%s", third)), 404);
	expect_listed(
		tprintf("/authors?name__startswith=%s&sort=name", qenc(p)),
		"name", prefixed(p, "first|taken"));
}

/* The same id twice in one batch: the second is the duplicate. */
Test(bulk, duplicate_ids_inside_one_batch_store_the_first_only)
{
	const char *p = prefix(), *id = absent_id();
	const char *one = tprintf("{\"_id\": \"%s\", \"title\": \"%s1\", "
				  "\"author\": {\"name\": \"D\"}, \"year\": 1}",
				  id, p);
	const char *two = tprintf("{\"_id\": \"%s\", \"title\": \"%s2\", "
				  "\"author\": {\"name\": \"D\"}, \"year\": 2}",
				  id, p);
	http_resp *r =
		http_json("POST", "/books", tprintf("[%s,%s]", one, two));
	json_object *problem = expect_problem(r, 409, "1 of 2 items stored");

	cr_assert_str_eq(entries(r, problem, "stored"), tprintf("0:%s", id));
	cr_assert_str_eq(entries(r, problem, "not_stored"),
			 tprintf("1:%s:a stored document already has this id "
				 "or the same value for a unique index",
				 id));
	r = http_get(tprintf("/books/%s", id));
	expect_book(r->what, expect_json(r, 200), id, tprintf("%s1", p), "D",
		    1);
}

Test(bulk, dollar_keys_in_items_never_reach_the_database)
{
	const char *p = prefix();
	http_resp *r =
		http_json("POST", "/books",
			  tprintf("[%s, {\"$set\": {\"year\": 1}}]",
				  book_json(tprintf("%sok", p), "A", 2000)));

	expect_problem(r, 400, NULL);
	expect_error_for(r, "[1].$set");
	cr_assert_eq(books_under(p), 0);
}

/* The API description: the create's body is a document or an array of
 * 1 to 100, its 201 a document or an array, and a problem may list the
 * items of a bulk create. */
Test(bulk, openapi_describes_the_array_body_and_answer)
{
	http_resp *r = http_get("/openapi.json");
	json_object *api = expect_json(r, 200), *post, *alts, *many, *o;

	post = jget(r->what,
		    jget(r->what, jget(r->what, api, "paths"), "/books"),
		    "post");
	o = jget(r->what, jget(r->what, post, "requestBody"), "content");
	o = jget(r->what, jget(r->what, o, "application/json"), "schema");
	alts = jget(r->what, o, "oneOf");
	cr_assert_eq(json_object_array_length(alts), 2);
	expect_jstr(r->what, json_object_array_get_idx(alts, 0), "$ref",
		    "#/components/schemas/BookInput");
	many = json_object_array_get_idx(alts, 1);
	expect_jstr(r->what, many, "type", "array");
	expect_jint(r->what, many, "minItems", 1);
	expect_jint(r->what, many, "maxItems", 100);
	expect_jstr(r->what, jget(r->what, many, "items"), "$ref",
		    "#/components/schemas/BookInput");

	o = jget(r->what, jget(r->what, post, "responses"), "201");
	o = jget(r->what, jget(r->what, o, "content"), "application/json");
	alts = jget(r->what, jget(r->what, o, "schema"), "oneOf");
	expect_jstr(r->what, json_object_array_get_idx(alts, 0), "$ref",
		    "#/components/schemas/Book");
	expect_jstr(r->what,
		    jget(r->what, json_object_array_get_idx(alts, 1), "items"),
		    "$ref", "#/components/schemas/Book");

	o = jget(r->what, jget(r->what, api, "components"), "schemas");
	o = jget(r->what, jget(r->what, o, "Problem"), "properties");
	expect_jstr(r->what, jget(r->what, o, "stored"), "$ref",
		    "#/components/schemas/BulkItems");
	expect_jstr(r->what, jget(r->what, o, "unknown"), "$ref",
		    "#/components/schemas/BulkItems");
}
