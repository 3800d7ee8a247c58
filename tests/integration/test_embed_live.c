/*
 * Reference embedding against a real MongoDB-protocol server: the
 * referenced documents of a page read with one find per field, whatever
 * the number of items (each command the driver starts is counted with
 * libmongoc's APM callbacks), dangling and refused references kept as
 * ids and named, depth 1, and the ETag of the embedded form.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "library.h"
#include "live.h"

/* --- commands counted ------------------------------------------------------
 */

typedef struct counts {
	int finds, others;
	char collections[512]; /* the finds' collections, '|'-separated */
} counts;

static void
started(const mongoc_apm_command_started_t *event)
{
	counts *c = mongoc_apm_command_started_get_context(event);
	const char *name = mongoc_apm_command_started_get_command_name(event);
	const bson_t *cmd = mongoc_apm_command_started_get_command(event);
	bson_iter_t it;
	size_t len = strlen(c->collections);

	if (strcmp(name, "find") != 0) {
		c->others++;
		return;
	}
	c->finds++;
	if (bson_iter_init_find(&it, cmd, "find") && BSON_ITER_HOLDS_UTF8(&it))
		snprintf(c->collections + len, sizeof(c->collections) - len,
			 "%s%s", len > 0 ? "|" : "", bson_iter_utf8(&it, NULL));
}

static void
count_commands(ma_db *db, counts *c)
{
	mongoc_apm_callbacks_t *cb = mongoc_apm_callbacks_new();
	ma_error e;
	mongoc_client_t *client = ma_db_client(db, &e);

	cr_assert_not_null(client, "%s", e.message);
	memset(c, 0, sizeof(*c));
	mongoc_apm_set_command_started_cb(cb, started);
	cr_assert(mongoc_client_set_apm_callbacks(client, cb, c));
	mongoc_apm_callbacks_destroy(cb);
}

static void
stop_counting(ma_db *db)
{
	mongoc_client_set_apm_callbacks(ma_db_client(db, NULL), NULL, NULL);
}

/* --- data ------------------------------------------------------------------
 */

static ma_doc *
doc_from(const ma_type *type, const char *json)
{
	ma_error e;
	ma_doc *d = ma_doc_new_from_json(type, json, strlen(json), NULL, &e);

	cr_assert_not_null(d, "%s: %s", json, e.message);
	return d;
}

static void
save(ma_db *db, const ma_type *type, const char *json)
{
	ma_doc *d = doc_from(type, json);
	ma_error e;

	cr_assert(ma_doc_save(db, d, MA_SAFE_SESSION, NULL, &e), "%s: %s", json,
		  e.message);
	ma_doc_destroy(d);
}

#define BOOK_ID(n) "5f00000000000000000000b" #n
#define REVIEW(id, book, rating)                                               \
	"{\"_id\":\"5f00000000000000000000c" #id "\",\"book\":\"" book         \
	"\",\"rating\":" #rating ",\"text\":\"t\"}"

/* Three books (b1..b3), and reviews: six of b1, b2 and b3 in turn, one
 * of a book that is not stored (the dangling c7). */
static void
seed(ma_db *db)
{
	int i;
	char json[160];

	for (i = 1; i <= 3; i++) {
		snprintf(json, sizeof(json),
			 "{\"_id\":\"5f00000000000000000000b%d\",\"title\":"
			 "\"Book %d\",\"author\":{\"name\":\"A %d\"},\"year\":"
			 "200%d}",
			 i, i, i, i);
		save(db, &library_book_type, json);
	}
	for (i = 1; i <= 6; i++) {
		snprintf(json, sizeof(json),
			 "{\"_id\":\"5f00000000000000000000c%d\",\"book\":"
			 "\"5f00000000000000000000b%d\",\"rating\":%d,"
			 "\"text\":\"t\"}",
			 i, (i - 1) % 3 + 1, i % 5 + 1);
		save(db, &library_review_type, json);
	}
	save(db, &library_review_type, REVIEW(7, BOOK_ID(9), 1));
}

/* The page's items as JSON, parsed. */
static json_object *
page_items(const ma_page *page)
{
	char *text = ma_page_to_json(page, NULL);
	json_object *all = json_tokener_parse(text);
	json_object *items;

	cr_assert_not_null(all, "%s", text);
	bson_free(text);
	cr_assert(json_object_object_get_ex(all, "items", &items));
	json_object_get(items);
	json_object_put(all);
	return items;
}

static const char *
jstr(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v)
						     : NULL;
}

static ma_page *
reviews_page(ma_db *db, int64_t per_page)
{
	ma_query *q = ma_query_new(db, &library_review_type);
	ma_error e;
	ma_page *p = ma_query_paginate(q, 1, per_page, true, &e);

	cr_assert_not_null(p, "%s", e.message);
	ma_query_destroy(q);
	return p;
}

TestSuite(embed_live);

Test(embed_live, a_page_costs_one_find_per_field_whatever_its_size)
{
	live_own_db t = live_own_db_open("ma_embed");
	json_object *items, *book;
	ma_page *p;
	counts c;
	ma_error e;
	int i;

	seed(t.db);
	p = reviews_page(t.db, 20);
	cr_assert_eq(ma_page_count(p), 7);

	count_commands(t.db, &c);
	cr_assert(ma_page_embed(p, "book", NULL, NULL, &e), "%s", e.message);
	stop_counting(t.db);
	cr_assert_eq(c.finds, 1, "%d finds for 7 items", c.finds);
	cr_assert_eq(c.others, 0, "%d other commands", c.others);
	cr_assert_str_eq(c.collections, "Book");

	items = page_items(p);
	for (i = 0; i < 6; i++) {
		json_object *it = json_object_array_get_idx(items, (size_t)i);
		char title[16];

		cr_assert(json_object_object_get_ex(it, "book", &book));
		cr_assert(json_object_is_type(book, json_type_object),
			  "item %d: %s", i, json_object_to_json_string(it));
		snprintf(title, sizeof(title), "Book %d", i % 3 + 1);
		cr_assert_str_eq(jstr(book, "title"), title);
		cr_assert_null(jstr(it, "_unresolved"));
	}
	/* The dangling reference: the id, and why. */
	cr_assert_str_eq(json_object_to_json_string_ext(
				 json_object_array_get_idx(items, 6),
				 JSON_C_TO_STRING_PLAIN),
			 "{\"_id\":\"5f00000000000000000000c7\",\"book\":"
			 "\"5f00000000000000000000b9\",\"rating\":1,"
			 "\"text\":\"t\",\"_unresolved\":{\"book\":"
			 "\"missing\"}}");
	json_object_put(items);
	ma_page_destroy(p);

	/* A page of two items costs the same one find. */
	p = reviews_page(t.db, 2);
	count_commands(t.db, &c);
	cr_assert(ma_page_embed(p, "book", NULL, NULL, &e), "%s", e.message);
	stop_counting(t.db);
	cr_assert_eq(c.finds, 1);
	ma_page_destroy(p);
	live_own_db_close(&t);
}

/* Refuses Book 2 only. */
static bool
not_book_2(const ma_doc *ref, void *arg)
{
	const char *title = NULL;

	(*(int *)arg)++;
	return !(ma_doc_get_string(ref, "title", &title) &&
		 strcmp(title, "Book 2") == 0);
}

Test(embed_live, a_refused_document_stays_an_id_named_forbidden)
{
	live_own_db t = live_own_db_open("ma_embed");
	json_object *items;
	ma_page *p;
	ma_error e;
	int asked = 0;

	seed(t.db);
	p = reviews_page(t.db, 3);
	cr_assert(ma_page_embed(p, "book", not_book_2, &asked, &e), "%s",
		  e.message);
	cr_assert_eq(asked, 3);
	items = page_items(p);
	cr_assert_str_eq(json_object_to_json_string_ext(
				 json_object_array_get_idx(items, 1),
				 JSON_C_TO_STRING_PLAIN),
			 "{\"_id\":\"5f00000000000000000000c2\",\"book\":"
			 "\"5f00000000000000000000b2\",\"rating\":3,"
			 "\"text\":\"t\",\"_unresolved\":{\"book\":"
			 "\"forbidden\"}}");
	cr_assert_str_eq(
		jstr(json_object_object_get(json_object_array_get_idx(items, 2),
					    "book"),
		     "title"),
		"Book 3");
	json_object_put(items);
	ma_page_destroy(p);
	live_own_db_close(&t);
}

Test(embed_live, one_document_embeds_with_its_own_etag_and_depth_one)
{
	live_own_db t = live_own_db_open("ma_embed");
	ma_query *q = ma_query_new(t.db, &library_loan_type);
	char plain[MA_ETAG_SIZE], embedded[MA_ETAG_SIZE];
	ma_doc *loan, *again;
	char *json;
	ma_error e;

	seed(t.db);
	save(t.db, &library_loan_type,
	     "{\"_id\":\"5f00000000000000000000d1\",\"book\":\"" BOOK_ID(
		     3) "\",\"due\":\"2030-01-02T03:04:05Z\",\"owner\":"
			"\"ann\"}");
	loan = ma_query_get_or_404(q, "5f00000000000000000000d1", &e);
	cr_assert_not_null(loan, "%s", e.message);
	ma_doc_etag(loan, plain);
	cr_assert(ma_docs_embed(t.db, &loan, 1, "book", NULL, NULL, &e), "%s",
		  e.message);
	ma_doc_etag(loan, embedded);
	cr_assert_str_neq(plain, embedded);
	json = ma_doc_to_json(loan, NULL);
	cr_assert_str_eq(json,
			 "{\"_id\":\"5f00000000000000000000d1\","
			 "\"book\":{\"_id\":\"5f00000000000000000000b3\","
			 "\"title\":\"Book 3\",\"author\":{\"name\":"
			 "\"A 3\"},\"year\":2003},\"due\":"
			 "\"2030-01-02T03:04:05.000Z\",\"owner\":\"ann\"}");
	bson_free(json);

	/* The same document read again embeds to the same tag. */
	again = ma_query_get_or_404(q, "5f00000000000000000000d1", &e);
	cr_assert(ma_docs_embed(t.db, &again, 1, "book", NULL, NULL, &e));
	ma_doc_etag(again, plain);
	cr_assert_str_eq(plain, embedded);

	/* Not a reference: refused, nothing read. */
	cr_assert_not(ma_docs_embed(t.db, &again, 1, "due", NULL, NULL, &e));
	cr_assert_eq(e.code, MA_ERR_INVALID);
	cr_assert_str_eq(e.message,
			 "due: not a reference field of the documents' type");
	ma_doc_destroy(again);
	ma_doc_destroy(loan);
	ma_query_destroy(q);
	live_own_db_close(&t);
}

Test(embed_live, an_outage_changes_no_document)
{
	ma_db *db = live_stopped_db();
	ma_doc *r = doc_from(&library_review_type, REVIEW(1, BOOK_ID(1), 5));
	char before[MA_ETAG_SIZE], after[MA_ETAG_SIZE];
	ma_error e;

	ma_doc_etag(r, before);
	cr_assert_not(ma_docs_embed(db, &r, 1, "book", NULL, NULL, &e));
	cr_assert_eq(e.code, MA_ERR_UNAVAILABLE, "%s", e.message);
	ma_doc_etag(r, after);
	cr_assert_str_eq(before, after);
	ma_doc_destroy(r);
	ma_db_destroy(db);
}
