/*
 * The API description of the example (GET /openapi.json), read back in the
 * contract suite: what it says must be what the types and routes declare.
 * openapi-spec-validator and Schemathesis check the document and the
 * answers against it through nginx (tests/http/test_openapi_nginx.sh).
 */
#include <string.h>

#include "httplib.h"
#include "inproc.h"
#include "resources.h"

TestSuite(openapi, .fini = inproc_stop);

/* The document, parsed. */
static json_object *
description(void)
{
	http_resp *r = http_get("/openapi.json");

	expect_media_type(r, "application/json");
	return expect_json(r, 200);
}

/* d's member at a path of keys, each of which must be there. */
static json_object *
at(json_object *d, const char *const *keys)
{
	const char *what = "/openapi.json";

	for (; *keys != NULL; keys++) {
		d = jget(what, d, *keys);
		what = tprintf("%s.%s", what, *keys);
	}
	return d;
}

#define AT(d, ...) at((d), (const char *const[]){__VA_ARGS__, NULL})

/* The names in an array of strings, joined with '|'. */
static const char *
joined(json_object *a)
{
	const char *s = "";
	size_t i;

	for (i = 0; i < json_object_array_length(a); i++)
		s = tprintf("%s%s%s", s, i > 0 ? "|" : "",
			    json_object_get_string(
				    json_object_array_get_idx(a, i)));
	return s;
}

/* The query parameter called name of an operation; NULL when absent. */
static json_object *
param(json_object *op, const char *name)
{
	json_object *params = jget("operation", op, "parameters");
	json_object *p, *n;
	size_t i;

	for (i = 0; i < json_object_array_length(params); i++) {
		p = json_object_array_get_idx(params, i);
		if (json_object_object_get_ex(p, "name", &n) &&
		    strcmp(json_object_get_string(n), name) == 0)
			return p;
	}
	return NULL;
}

Test(openapi, is_openapi_3_1_and_the_same_bytes_each_time)
{
	http_resp *a = http_get("/openapi.json");
	http_resp *b = http_get("/openapi.json");

	expect_jstr(a->what, expect_json(a, 200), "openapi", "3.1.0");
	expect_jstr(a->what, AT(a->json, "info"), "title", "library");
	cr_assert_eq(a->len, b->len);
	cr_assert(memcmp(a->body, b->body, a->len) == 0,
		  "two GETs of /openapi.json differ");
	check_head("/openapi.json", false);
}

Test(openapi, lists_every_route_with_its_methods_and_operation_ids)
{
	json_object *paths = AT(description(), "paths");

	expect_keys("paths", paths,
		    "/openapi.json,/healthz,/readyz,/metrics,/authors,"
		    "/authors/{id},/books,/books/{id},/reviews,/reviews/{id},"
		    "/books/since/{year}");
	expect_keys("/books", AT(paths, "/books"), "get,post");
	expect_keys("/books/{id}", AT(paths, "/books/{id}"),
		    "get,put,patch,delete");
	expect_keys("/books/since/{year}", AT(paths, "/books/since/{year}"),
		    "get");
	expect_jstr("GET /books/{id}", AT(paths, "/books/{id}", "get"),
		    "operationId", "getBooksById");
	expect_jstr("GET /books/since/{year}",
		    AT(paths, "/books/since/{year}", "get"), "summary",
		    "Books of a year and after, newest first");
}

Test(openapi, book_schema_is_the_type_in_json_schema)
{
	json_object *schemas = AT(description(), "components", "schemas");
	json_object *book = AT(schemas, "Book");
	json_object *props = AT(book, "properties");

	expect_keys("Book.properties", props, "_id,title,author,year");
	cr_assert_str_eq(joined(AT(book, "required")), "_id|title|author|year");
	expect_jbool("Book", book, "additionalProperties", false);
	expect_jstr("_id", AT(props, "_id"), "pattern", "^[0-9a-fA-F]{24}$");
	expect_jint("year", AT(props, "year"), "minimum", 0);
	expect_jint("year", AT(props, "year"), "maximum", 9999);
	expect_jstr("year", AT(props, "year"), "type", "integer");
	expect_jint("title", AT(props, "title"), "minLength", 1);
	expect_jint("title", AT(props, "title"), "maxLength", 500);
	/* The embedded Author: its own fields, no _id. */
	expect_keys("author", AT(props, "author", "properties"), "name");
	expect_jint("author.name", AT(props, "author", "properties", "name"),
		    "maxLength", 200);

	/* Create and replace: _id may be given; an update: nothing
	 * required. */
	cr_assert_str_eq(joined(AT(schemas, "BookInput", "required")),
			 "title|author|year");
	cr_assert(!json_object_object_get_ex(AT(schemas, "BookPatch"),
					     "required", NULL));
	expect_keys("BookPage", AT(schemas, "BookPage", "properties"),
		    "items,page,per_page,total,pages,has_prev,has_next,"
		    "prev_num,next_num");
}

Test(openapi, list_parameters_come_from_the_type_and_the_limits)
{
	json_object *op = AT(description(), "paths", "/books", "get");
	json_object *p;

	p = param(op, "per_page");
	cr_assert_not_null(p);
	expect_jint("per_page", AT(p, "schema"), "maximum", MA_MAX_PER_PAGE);
	expect_jint("per_page", AT(p, "schema"), "default", MA_PER_PAGE);
	/* Sort takes the sortable fields only: not the embedded author,
	 * but its name by its dotted path; fields take both. */
	expect_jstr("sort", AT(param(op, "sort"), "schema"), "pattern",
		    "^-?(?:_id|title|author\\.name|year)(?:,-?(?:_id|title|"
		    "author\\.name|year))*$");
	expect_jstr("fields", AT(param(op, "fields"), "schema"), "pattern",
		    "^(?:_id|title|author|author\\.name|year)(?:,(?:_id|title|"
		    "author|author\\.name|year))*$");
	/* the author's name filtered by its dotted path */
	cr_assert_not_null(param(op, "author.name__startswith"));
	expect_jstr("author.name__ne",
		    AT(param(op, "author.name__ne"), "schema"), "type",
		    "string");
	expect_jstr("year__gte", AT(param(op, "year__gte"), "schema"), "type",
		    "integer");
	expect_jint("year__in", AT(param(op, "year__in"), "schema"), "maxItems",
		    100);
	cr_assert_not_null(param(op, "title__startswith"));
	cr_assert_null(param(op, "year__startswith"),
		       "startswith is offered on an int field");
	/* A document: only its presence. */
	cr_assert_not_null(param(op, "author__exists"));
	cr_assert_null(param(op, "author"));
	cr_assert_null(param(op, "author__in"));
	/* The since route's own parameter, from its description. */
	expect_jstr("year",
		    AT(param(AT(description(), "paths", "/books/since/{year}",
				"get"),
			     "year"),
		       "schema"),
		    "type", "integer");
}

Test(openapi, statuses_headers_and_links_of_the_contract)
{
	json_object *paths = AT(description(), "paths");
	json_object *get = AT(paths, "/books/{id}", "get", "responses");
	json_object *list = AT(paths, "/books", "get", "responses");
	json_object *post = AT(paths, "/books", "post", "responses");
	json_object *del = AT(paths, "/books/{id}", "delete", "responses");

	expect_keys("GET /books/{id}", get, "200,304,400,404,412,503,504");
	expect_keys("GET /books", list, "200,400,404,414,503,504");
	expect_keys("POST /books", post, "201,400,409,413,415,503,504");
	expect_keys("DELETE /books/{id}", del, "204,400,404,412,503,504");
	expect_jstr("404", AT(get, "404"), "$ref",
		    "#/components/responses/NotFound");
	expect_jstr("NotFound",
		    AT(description(), "components", "responses", "NotFound",
		       "content", "application/problem+json", "schema"),
		    "$ref", "#/components/schemas/Problem");
	expect_keys("GET /books 200 headers", AT(list, "200", "headers"),
		    "Link,X-Total-Count");
	expect_keys("POST /books 201 headers", AT(post, "201", "headers"),
		    "ETag,Location");
	/* Create, then the created id's routes: Schemathesis's stateful
	 * sequences follow these. */
	expect_keys("POST /books links", AT(post, "201", "links"),
		    "getBooksById,putBooksById,patchBooksById,"
		    "deleteBooksById");
	expect_jstr("link",
		    AT(post, "201", "links", "getBooksById", "parameters"),
		    "id", "$response.body#/_id");
}
