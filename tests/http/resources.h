/*
 * The example application's resources as the HTTP suites see them
 * (resources.c): documents to make, answers to expect. What these return
 * lives until the test ends, as http()'s answers do.
 */
#ifndef RESOURCES_H
#define RESOURCES_H

#include "httplib.h"

/* A resource of the example app, as the CRUD tests see it: where it is
 * mounted, the text field its test documents are told apart by, and a
 * stored document's keys. */
typedef struct resource {
	const char *path;
	const char *key;
	const char *keys;
} resource;

extern const resource books;
extern const resource authors;

/* Whether id is one of the seed's books (seed.h). */
bool is_seed_book(const char *id);

/* A title prefix no other test (or run) uses: "HT-<pid>-<n> ". */
const char *prefix(void);
const char *book_json(const char *title, const char *author, int year);
/* A new document of res whose text field is text (a book by Mark
 * Pilgrim, 2004). */
const char *doc_json(const resource *res, const char *text);

/* A book as the API must show it: exactly these fields; id NULL: any
 * 24-hex id. */
void expect_book(const char *what, json_object *doc, const char *id,
		 const char *title, const char *author, int year);
/* An author as the API must show it: exactly _id and name. */
void expect_author(const char *what, json_object *doc, const char *id,
		   const char *name);
/* A stored document's id. */
const char *id_of(const char *what, json_object *doc);

/* POSTs a document and returns what came back (201, Location). */
json_object *create(const resource *res, const char *json);
/* Creates a book, an author; its id. */
const char *create_book(const char *title, const char *author, int year);
const char *create_author(const char *name);
/* An id nothing has: generated here, never stored. */
const char *absent_id(void);

/* The items' field key, joined with '|': "a|b|c". */
const char *texts(const char *what, json_object *items, const char *key);
/* "a|b" under prefix p: "<p>a|<p>b"; "" stays "". */
const char *prefixed(const char *p, const char *list);
/* The nine keys of a page object and their values; prev_num / next_num
 * -1 for null. Also X-Total-Count. Returns the items. */
json_object *expect_page(const http_resp *r, int64_t page, int64_t per_page,
			 int64_t total, int64_t pages, int64_t prev_num,
			 int64_t next_num, size_t nitems);
/* GET path?query: a page whose items, by field key, are exactly want. */
http_resp *expect_listed(const char *path_and_query, const char *key,
			 const char *want);

/* One request with one more header ("If-Match: ..."); NULL json: no
 * body. */
http_resp *http_with(const char *method, const char *path, const char *json,
		     const char *header);
/* The answer's ETag: a quoted strong tag of 16 hex digits. */
const char *etag_of(const http_resp *r);

/* HEAD answers as GET does (a JSON 200), without the body; a list's HEAD
 * also carries the GET's Link and X-Total-Count. */
void check_head(const char *path, bool list);

#endif
