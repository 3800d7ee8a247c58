/*
 * Reference embedding in the HTTP contract, in-process (test_contract's
 * database and seed): GET /reviews?embed=book and /reviews/{id}?embed=book
 * on the example's seeded reviews, a dangling reference, the ETag of the
 * embedded form, and every embed= a client may get wrong.
 */
#include "live.h"
#include "inproc.h"
#include "resources.h"
#include "seed.h"

TestSuite(embed, .fini = inproc_stop);

#define FLUENT SEED_ID("b03")

static const resource reviews = {"/reviews", "text", "_id,book,rating,text"};

/* A review's book as embedded: the seeded Fluent Python, whole. */
static void
expect_fluent(const char *what, json_object *review)
{
	json_object *book = jget(what, review, "book");

	cr_assert(json_object_is_type(book, json_type_object), "%s: %s", what,
		  json_object_to_json_string(review));
	expect_keys(what, book, "_id,title,author,year");
	expect_jstr(what, book, "_id", FLUENT);
	expect_jstr(what, book, "title", "Fluent Python");
	expect_jstr(what, jget(what, book, "author"), "name",
		    "Luciano Ramalho");
	expect_jint(what, book, "year", 2015);
	cr_assert_null(json_object_object_get(review, "_unresolved"));
}

Test(embed, a_list_shows_each_review_with_its_book)
{
	http_resp *r = http_get("/reviews?book=" FLUENT "&embed=book");
	json_object *items = expect_page(r, 1, 20, 2, 1, -1, -1, 2);

	cr_assert_str_eq(texts(r->what, items, "_id"),
			 SEED_ID("c02") "|" SEED_ID("c03"));
	expect_fluent(r->what, json_object_array_get_idx(items, 0));
	expect_fluent(r->what, json_object_array_get_idx(items, 1));
	/* The Link keeps embed=. */
	expect_links(r,
		     "/reviews?book=" FLUENT "&embed=book&page=1&per_page=20",
		     NULL, NULL,
		     "/reviews?book=" FLUENT "&embed=book&page=1&per_page=20");

	/* Without embed=, the id. */
	r = http_get("/reviews?book=" FLUENT);
	items = expect_page(r, 1, 20, 2, 1, -1, -1, 2);
	cr_assert_str_eq(texts(r->what, items, "book"), FLUENT "|" FLUENT);
}

Test(embed, fields_keeps_the_embedded_book_whole)
{
	http_resp *r = http_get("/reviews/" SEED_ID("c02"));
	json_object *items;

	expect_keys(r->what, expect_json(r, 200), "_id,book,rating,text");
	r = http_get("/reviews?book=" FLUENT "&fields=book&embed=book");
	items = expect_page(r, 1, 20, 2, 1, -1, -1, 2);
	expect_keys(r->what, json_object_array_get_idx(items, 0), "_id,book");
	expect_fluent(r->what, json_object_array_get_idx(items, 0));

	/* A field left out is not there to embed. */
	r = http_get("/reviews?book=" FLUENT "&fields=rating&embed=book");
	items = expect_page(r, 1, 20, 2, 1, -1, -1, 2);
	expect_keys(r->what, json_object_array_get_idx(items, 0), "_id,rating");
}

Test(embed, one_review_embeds_with_an_etag_of_its_own)
{
	const char *path = "/reviews/" SEED_ID("c02");
	http_resp *r = http_get(tprintf("%s?embed=book", path));
	const char *plain, *embedded;

	expect_fluent(r->what, expect_json(r, 200));
	embedded = etag_of(r);
	plain = etag_of(http_get(path));
	cr_assert_str_neq(plain, embedded);
	cr_assert_str_eq(etag_of(http_get(tprintf("%s?embed=book", path))),
			 embedded);

	/* If-None-Match compares the tag of the form asked for. */
	r = http_with("GET", tprintf("%s?embed=book", path), NULL,
		      tprintf("If-None-Match: %s", embedded));
	expect_status(r, 304);
	expect_header(r, "ETag", embedded);
	r = http_with("GET", tprintf("%s?embed=book", path), NULL,
		      tprintf("If-None-Match: %s", plain));
	expect_fluent(r->what, expect_json(r, 200));
	expect_status(http_with("GET", path, NULL,
				tprintf("If-None-Match: %s", plain)),
		      304);
}

Test(embed, a_dangling_reference_stays_the_id_named_missing)
{
	const char *gone = absent_id();
	json_object *made = create(
		&reviews,
		tprintf("{\"book\": \"%s\", \"rating\": 2, \"text\": \"%s\"}",
			gone, prefix()));
	const char *id = id_of("POST /reviews", made);
	const char *path = tprintf("/reviews/%s", id);
	http_resp *r = http_get(tprintf("%s?embed=book", path));
	json_object *doc = expect_json(r, 200);

	expect_keys(r->what, doc, "_id,book,rating,text,_unresolved");
	expect_jstr(r->what, doc, "book", gone);
	expect_keys(r->what, jget(r->what, doc, "_unresolved"), "book");
	expect_jstr(r->what, jget(r->what, doc, "_unresolved"), "book",
		    "missing");

	r = http_get(tprintf("/reviews?book=%s&embed=book", gone));
	doc = json_object_array_get_idx(expect_page(r, 1, 20, 1, 1, -1, -1, 1),
					0);
	expect_jstr(r->what, jget(r->what, doc, "_unresolved"), "book",
		    "missing");
	expect_status(http("DELETE", path, NULL, NULL, 0), 204);
}

/* Each embed= a client may get wrong: a 400 whose detail names it. */
Test(embed, a_wrong_embed_is_a_400_naming_it)
{
	static const struct {
		const char *query, *detail;
	} cases[] = {
		{"embed=title", "embed: no such field \"title\" in Review"},
		{"embed=rating", "embed: \"rating\" is not a reference field"},
		{"embed=book.title",
		 "embed: \"book.title\" must be a top-level field name (no "
		 "'.' or '$'): only depth 1 is embedded"},
		{"embed=%24where", "embed: \"$where\" must be a top-level"},
		{"embed=book,book", "embed: \"book\" is given twice"},
		{"embed=book&embed=book", "embed: given more than once"},
		{"embed=", "embed: an item is empty"},
		{"embed=book,", "embed: an item is empty"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		expect_problem(http_get(tprintf("/reviews?%s", cases[i].query)),
			       400, cases[i].detail);
		expect_problem(
			http_get(tprintf("/reviews/%s?%s", SEED_ID("c01"),
					 cases[i].query)),
			400, cases[i].detail);
	}
	/* Books hold no reference. */
	expect_problem(http_get("/books?embed=author"), 400,
		       "embed: \"author\" is not a reference field");
	expect_problem(http_get("/books/" FLUENT "?embed=title"), 400,
		       "embed: \"title\" is not a reference field");
}

/* The operation's parameter called name as JSON text; "" when absent. */
static const char *
param_text(json_object *op, const char *name)
{
	json_object *params = jget("operation", op, "parameters"), *p;
	size_t i;

	for (i = 0; i < json_object_array_length(params); i++) {
		p = json_object_array_get_idx(params, i);
		if (strcmp(json_object_get_string(jget("param", p, "name")),
			   name) == 0)
			return json_object_to_json_string_ext(
				p, JSON_C_TO_STRING_PLAIN |
					   JSON_C_TO_STRING_NOSLASHESCAPE);
	}
	return "";
}

Test(embed, the_api_description_offers_embed_where_declared)
{
	http_resp *r = http_get("/openapi.json");
	json_object *d = expect_json(r, 200);
	json_object *paths = jget(r->what, d, "paths");
	json_object *schemas =
		jget(r->what, jget(r->what, d, "components"), "schemas");
	const char *embed =
		"{\"name\":\"embed\",\"in\":\"query\",\"required\":false,"
		"\"description\":\"reference fields to show as the documents "
		"they name, comma-separated\",\"schema\":{\"type\":\"array\","
		"\"items\":{\"type\":\"string\",\"enum\":[\"book\"]},"
		"\"minItems\":1,\"uniqueItems\":true},\"style\":\"form\","
		"\"explode\":false}";
	const char *book =
		"{\"oneOf\":[{\"type\":\"string\",\"pattern\":\"^[0-9a-fA-F]{"
		"24}$"
		"\","
		"\"description\":\"the _id of a document\"},{\"$ref\":"
		"\"#/components/schemas/Book\"}]}";
	const char *form[] = {"Review", "ReviewItem"};
	json_object *props;
	size_t i;

	cr_assert_str_eq(
		param_text(jget("", jget("", paths, "/reviews"), "get"),
			   "embed"),
		embed);
	cr_assert_str_eq(
		param_text(jget("", jget("", paths, "/reviews/{id}"), "get"),
			   "embed"),
		embed);
	cr_assert_str_eq(
		param_text(jget("", jget("", paths, "/books"), "get"), "embed"),
		"");
	for (i = 0; i < 2; i++) {
		props = jget(form[i], jget("", schemas, form[i]), "properties");
		cr_assert_str_eq(
			json_object_to_json_string_ext(
				jget(form[i], props, "book"),
				JSON_C_TO_STRING_PLAIN |
					JSON_C_TO_STRING_NOSLASHESCAPE),
			book);
		cr_assert_str_eq(
			json_object_to_json_string_ext(
				jget(form[i], props, "_unresolved"),
				JSON_C_TO_STRING_PLAIN |
					JSON_C_TO_STRING_NOSLASHESCAPE),
			"{\"type\":\"object\",\"description\":\"the references "
			"embed= left as ids, and why\",\"additionalProperties\""
			":{\"enum\":[\"missing\",\"forbidden\"]}}");
	}
	/* Book's own answers are untouched. */
	cr_assert_null(json_object_object_get(
		jget("Book", jget("", schemas, "Book"), "properties"),
		"_unresolved"));
}
