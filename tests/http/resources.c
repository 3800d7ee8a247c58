/*
 * The example application's two resources as the HTTP suites see them
 * (test_contract in-process, test_http through nginx and Apache): the
 * documents a test makes, the answers it expects. Whatever the
 * transport: every request goes through http() (httplib.h).
 *
 * The suites share their database with other tests: a test never counts
 * documents it did not make. It creates its own under a title prefix no
 * other test uses and lists them through a title__startswith filter; only
 * the seed documents (seed.h) are common ground.
 */
#include <ctype.h>
#include <inttypes.h>

#include "resources.h"
#include "seed.h"

/* --- the example application's seed (seed.h) ------------------------------ */

bool
is_seed_book(const char *id)
{
	return strncmp(id, SEED_ID("b"), strlen(SEED_ID("b"))) == 0;
}

/* --- the two resources ---------------------------------------------------- */

const resource books = {"/books", "title", "_id,title,author,year"};
const resource authors = {"/authors", "name", "_id,name"};

/* A title prefix no other test (or run) uses: "HT-<pid>-<n> ". */
const char *
prefix(void)
{
	static unsigned n;

	return tprintf("HT-%ld-%u ", (long)getpid(), n++);
}

const char *
book_json(const char *title, const char *author, int year)
{
	return tprintf("{\"title\": \"%s\", \"author\": {\"name\": \"%s\"}, "
		       "\"year\": %d}",
		       title, author, year);
}

/* A new document of res whose text field is text (a book by Mark
 * Pilgrim, 2004). */
const char *
doc_json(const resource *res, const char *text)
{
	if (res == &books)
		return book_json(text, "Mark Pilgrim", 2004);
	return tprintf("{\"name\": \"%s\"}", text);
}

/* A book as the API must show it: exactly these fields; id NULL: any
 * 24-hex id. */
void
expect_book(const char *what, json_object *doc, const char *id,
	    const char *title, const char *author, int year)
{
	json_object *a;

	expect_keys(what, doc, books.keys);
	if (id != NULL)
		expect_jstr(what, doc, "_id", id);
	else
		cr_assert(is_oid_hex(json_object_get_string(
				  jget(what, doc, "_id"))),
			  "%s: _id %s is not 24 hex digits", what,
			  json_object_to_json_string(jget(what, doc, "_id")));
	expect_jstr(what, doc, "title", title);
	a = jget(what, doc, "author");
	expect_keys(what, a, "name");
	expect_jstr(what, a, "name", author);
	expect_jint(what, doc, "year", year);
}

/* An author as the API must show it: exactly _id and name. */
void
expect_author(const char *what, json_object *doc, const char *id,
	      const char *name)
{
	expect_keys(what, doc, authors.keys);
	expect_jstr(what, doc, "_id", id);
	expect_jstr(what, doc, "name", name);
}

/* A stored document's id. */
const char *
id_of(const char *what, json_object *doc)
{
	return json_object_get_string(jget(what, doc, "_id"));
}

/* POSTs a document and returns what came back (201, Location). */
json_object *
create(const resource *res, const char *json)
{
	http_resp *r = http_json("POST", res->path, json);
	json_object *doc = expect_json(r, 201);
	const char *id = id_of(r->what, doc);

	cr_assert(is_oid_hex(id), "%s: _id \"%s\" is not 24 hex digits",
		  r->what, id);
	expect_header(r, "Location", tprintf("%s/%s", res->path, id));
	return doc;
}

/* Creates a book; its id. */
const char *
create_book(const char *title, const char *author, int year)
{
	return id_of("created book",
		     create(&books, book_json(title, author, year)));
}

/* Creates an author; its id. */
const char *
create_author(const char *name)
{
	return id_of("created author",
		     create(&authors, doc_json(&authors, name)));
}

/* An id nothing has: generated here, never stored. */
const char *
absent_id(void)
{
	char hex[25];
	bson_oid_t oid;

	bson_oid_init(&oid, NULL);
	bson_oid_to_string(&oid, hex);
	return tprintf("%s", hex);
}

/* The items' field key, joined with '|': "a|b|c". */
const char *
texts(const char *what, json_object *items, const char *key)
{
	size_t i, n = json_object_array_length(items);
	ma_buf b;

	_ma_buf_init(&b, 128);
	for (i = 0; i < n; i++) {
		json_object *v =
			jget(what, json_object_array_get_idx(items, i), key);

		_ma_buf_printf(&b, "%s%s", i > 0 ? "|" : "",
			       json_object_get_string(v));
	}
	return keep(_ma_buf_steal(&b, NULL), bson_free);
}

/* "a|b" under prefix p: "<p>a|<p>b"; "" stays "". */
const char *
prefixed(const char *p, const char *list)
{
	const char *s = list;
	size_t n;
	ma_buf b;

	_ma_buf_init(&b, 128);
	while (*s != '\0') {
		n = strcspn(s, "|");
		_ma_buf_printf(&b, "%s%s%.*s", s == list ? "" : "|", p, (int)n,
			       s);
		s += n + (s[n] == '|');
	}
	return keep(_ma_buf_steal(&b, NULL), bson_free);
}

/* The nine keys of a page object and their values; prev_num / next_num
 * -1 for null. Also X-Total-Count. Returns the items. */
json_object *
expect_page(const http_resp *r, int64_t page, int64_t per_page, int64_t total,
	    int64_t pages, int64_t prev_num, int64_t next_num, size_t nitems)
{
	json_object *obj = expect_json(r, 200), *items;

	expect_keys(r->what, obj,
		    "items,page,per_page,total,pages,has_prev,"
		    "has_next,prev_num,next_num");
	expect_jint(r->what, obj, "page", page);
	expect_jint(r->what, obj, "per_page", per_page);
	expect_jint(r->what, obj, "total", total);
	expect_jint(r->what, obj, "pages", pages);
	expect_jbool(r->what, obj, "has_prev", prev_num >= 0);
	expect_jbool(r->what, obj, "has_next", next_num >= 0);
	if (prev_num >= 0)
		expect_jint(r->what, obj, "prev_num", prev_num);
	else
		expect_jnull(r->what, obj, "prev_num");
	if (next_num >= 0)
		expect_jint(r->what, obj, "next_num", next_num);
	else
		expect_jnull(r->what, obj, "next_num");
	items = jget(r->what, obj, "items");
	cr_assert(json_object_is_type(items, json_type_array) &&
			  json_object_array_length(items) == nitems,
		  "%s: %zu items, expected %zu: %s", r->what,
		  json_object_is_type(items, json_type_array)
			  ? json_object_array_length(items)
			  : 0,
		  nitems, json_object_to_json_string(items));
	expect_header(r, "X-Total-Count", tprintf("%" PRId64, total));
	return items;
}

/* GET path?query: a page whose items, by field key, are exactly want. */
http_resp *
expect_listed(const char *path_and_query, const char *key, const char *want)
{
	http_resp *r = http_get(path_and_query);
	json_object *items = jget(r->what, expect_json(r, 200), "items");

	cr_assert_str_eq(texts(r->what, items, key), want,
			 "%s: %s listed \"%s\", expected \"%s\"", r->what, key,
			 texts(r->what, items, key), want);
	return r;
}

/* --- entity tags ---------------------------------------------------------- */

/* One request with one more header ("If-Match: ..."); NULL json: no body. */
http_resp *
http_with(const char *method, const char *path, const char *json,
	  const char *header)
{
	const char *headers[] = {header, NULL};
	http_opts o = {.headers = headers};
	http_resp *r;

	http_ready();
	r = http_try(method, path, json != NULL ? "application/json" : NULL,
		     json, json != NULL ? strlen(json) : 0, &o);
	keep(r, http_free_any);
	cr_assert(r->status != 0, "%s: no answer: %s", r->what, r->error);
	return r;
}

/* The answer's ETag: a quoted strong tag of 16 hex digits. */
const char *
etag_of(const http_resp *r)
{
	const char *e = http_header_get(r, "ETag");
	size_t i;

	cr_assert_not_null(e, "%s: no ETag", r->what);
	cr_assert_eq(strlen(e), 18, "%s: ETag %s is not \"<16 hex>\"", r->what,
		     e);
	cr_assert(e[0] == '"' && e[17] == '"', "%s: ETag %s is not quoted",
		  r->what, e);
	for (i = 1; i < 17; i++)
		cr_assert(isxdigit((unsigned char)e[i]),
			  "%s: ETag %s is not hex", r->what, e);
	return e;
}

/* --- HEAD ----------------------------------------------------------------- */

/* HEAD answers as GET does (a JSON 200), without the body; a list's HEAD
 * also carries the GET's Link and X-Total-Count. */
void
check_head(const char *path, bool list)
{
	http_resp *g = http_get(path), *h = http("HEAD", path, NULL, NULL, 0);
	static const char *const same[] = {"Content-Type", "Link",
					   "X-Total-Count", "Allow"};
	json_object *body = expect_json(g, 200);
	const char *gl, *hl;
	size_t i;

	expect_status(h, 200);
	expect_media_type(h, "application/json");
	cr_assert_eq(h->len, 0, "%s: %zu bytes of body", h->what, h->len);
	if (list) {
		expect_header(h, "X-Total-Count",
			      tprintf("%" PRId64,
				      json_object_get_int64(
					      jget(g->what, body, "total"))));
		cr_assert_not_null(http_header_get(h, "Link"),
				   "%s: no Link header", h->what);
	}
	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		gl = http_header_get(g, same[i]);
		hl = http_header_get(h, same[i]);
		cr_assert((gl == NULL) == (hl == NULL) &&
				  (gl == NULL || strcmp(gl, hl) == 0),
			  "%s: %s \"%s\", GET had \"%s\"", h->what, same[i],
			  hl != NULL ? hl : "(none)",
			  gl != NULL ? gl : "(none)");
	}
	hl = http_header_get(h, "Content-Length");
	if (hl != NULL)
		cr_assert_str_eq(hl, tprintf("%zu", g->len),
				 "%s: Content-Length %s, the GET body is %zu "
				 "bytes",
				 h->what, hl, g->len);
}
