/*
 * Pagination against a real MongoDB-protocol server: Flask-MongoAlchemy's
 * paginate() and its Pagination object, the rules DESIGN.md adds (invalid
 * per_page, absent neighbours, pages beyond any offset), and the pages
 * beyond Flask-MongoAlchemy's: without a count, and keyset pages.
 *
 * Every test keeps its books in a database of its own, so that tests run
 * in parallel and again without seeing each other's data, and drops it at
 * the end, failed or not.
 */
#include <inttypes.h>
#include <stdio.h>

#include <criterion/logging.h>
#include <json-c/json.h>

#include "library.h"
#include "live.h"

/* --- helpers ------------------------------------------------------------ */

/* Saves a Book; its id into *id when id is not NULL. */
static void
save_book(ma_db *db, const char *title, int year, bson_oid_t *id)
{
	ma_error e;
	ma_doc *book;
	char *json;

	json = bson_strdup_printf("{\"title\": \"%s\", \"author\": {\"name\": "
				  "\"Mark Pilgrim\"}, \"year\": %d}",
				  title, year);
	book = ma_doc_new_from_json(&library_book_type, json, strlen(json),
				    NULL, &e);
	cr_assert_not_null(book, "%s: %s", json, e.message);
	cr_assert(ma_doc_save(db, book, MA_SAFE_SESSION, NULL, &e),
		  "save %s: %s (%s)", title, e.message, ma_strerror(e.code));
	if (id != NULL)
		cr_assert(ma_doc_id(book, id));
	ma_doc_destroy(book);
	bson_free(json);
}

/* "Book 00" (1990) ... "Book <n-1>", saved in that order, so that their
 * ids are in that order too. */
static void
save_numbered_books(ma_db *db, int n, bson_oid_t *ids)
{
	char title[32];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(title, sizeof(title), "Book %02d", i);
		save_book(db, title, 1990 + i, ids != NULL ? &ids[i] : NULL);
	}
}

/* Books whose years and titles repeat (2000..2002 and "Title A".."Title
 * D"), so that only the id tells some of them apart. */
static void
save_repeating_books(ma_db *db, int n, bson_oid_t *ids)
{
	char title[32];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(title, sizeof(title), "Title %c", 'A' + i % 4);
		save_book(db, title, 2000 + i % 3,
			  ids != NULL ? &ids[i] : NULL);
	}
}

static ma_query *
sorted_query(ma_db *db, const char *key1, const char *key2)
{
	ma_query *q = ma_query_new(db, &library_book_type);
	ma_error e;

	if (key1 != NULL)
		cr_assert(ma_query_sort(q, key1, &e), "sort %s: %s", key1,
			  e.message);
	if (key2 != NULL)
		cr_assert(ma_query_sort(q, key2, &e), "sort %s: %s", key2,
			  e.message);
	return q;
}

static ma_page *
paginate_ok(ma_query *q, int64_t page, int64_t per_page, bool error_out,
	    const ma_page_opts *opts)
{
	ma_error e;
	ma_page *p;

	p = ma_query_paginate_with_opts(q, page, per_page, error_out, opts, &e);
	cr_assert_not_null(p, "page %" PRId64 " of %" PRId64 ": %s (%s)", page,
			   per_page, e.message, ma_strerror(e.code));
	cr_assert_eq(ma_page_number(p), page);
	cr_assert_eq(ma_page_per_page(p), per_page);
	return p;
}

/* paginate must fail with code. */
static void
paginate_fails(ma_query *q, int64_t page, int64_t per_page, bool error_out,
	       const ma_page_opts *opts, ma_error_code code)
{
	ma_error e;
	ma_page *p;

	p = ma_query_paginate_with_opts(q, page, per_page, error_out, opts, &e);
	cr_assert_null(p, "page %" PRId64 " of %" PRId64 " holds %zu items",
		       page, per_page, p != NULL ? ma_page_count(p) : 0);
	cr_assert_eq(e.code, code,
		     "page %" PRId64 " of %" PRId64 ": %s (%s), "
		     "not %s",
		     page, per_page, e.message, ma_strerror(e.code),
		     ma_strerror(code));
}

static const char *
item_title(const ma_page *p, size_t i)
{
	const char *title = NULL;

	cr_assert_lt(i, ma_page_count(p));
	cr_assert(ma_doc_get_string(ma_page_item(p, i), "title", &title),
		  "item %zu has no title", i);
	return title;
}

static int64_t
item_year(const ma_page *p, size_t i)
{
	int64_t year = -1;

	cr_assert(ma_doc_get_int(ma_page_item(p, i), "year", &year),
		  "item %zu has no year", i);
	return year;
}

static void
item_id(const ma_page *p, size_t i, bson_oid_t *id)
{
	cr_assert(ma_doc_get_oid(ma_page_item(p, i), "_id", id) ||
			  ma_doc_id(ma_page_item(p, i), id),
		  "item %zu has no id", i);
}

/* The page holds "Book <first>" ... "Book <first + n - 1>", in order. */
static void
assert_numbered(const ma_page *p, int first, size_t n)
{
	char want[32];
	size_t i;

	cr_assert_eq(ma_page_count(p), n,
		     "page %" PRId64 " holds %zu items, "
		     "not %zu",
		     ma_page_number(p), ma_page_count(p), n);
	for (i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "Book %02d", first + (int)i);
		cr_assert_str_eq(item_title(p, i), want,
				 "page %" PRId64 ", item %zu",
				 ma_page_number(p), i);
	}
}

static void
assert_total(const ma_page *p, int64_t total, int64_t pages)
{
	int64_t got = -1;

	cr_assert(ma_page_total(p, &got), "page %" PRId64 " has no total",
		  ma_page_number(p));
	cr_assert_eq(got, total, "page %" PRId64 ": total %" PRId64,
		     ma_page_number(p), got);
	got = -1;
	cr_assert(ma_page_pages(p, &got), "page %" PRId64 " has no pages",
		  ma_page_number(p));
	cr_assert_eq(got, pages, "page %" PRId64 ": pages %" PRId64,
		     ma_page_number(p), got);
}

static void
assert_no_total(const ma_page *p)
{
	int64_t v = -1;

	cr_assert_not(ma_page_total(p, &v), "page %" PRId64 ": total %" PRId64,
		      ma_page_number(p), v);
	cr_assert_not(ma_page_pages(p, &v), "page %" PRId64 ": pages %" PRId64,
		      ma_page_number(p), v);
}

/* The page holds the items at offsets first ... first + n - 1 of the
 * offset pages, whose ids are by_offset. */
static void
assert_ids(const ma_page *p, const bson_oid_t *by_offset, size_t first,
	   size_t n)
{
	bson_oid_t id;
	size_t i;

	cr_assert_eq(ma_page_count(p), n, "%zu items, not %zu from offset %zu",
		     ma_page_count(p), n, first);
	for (i = 0; i < n; i++) {
		item_id(p, i, &id);
		cr_assert_eq(bson_oid_compare(&id, &by_offset[first + i]), 0,
			     "item %zu is not the item at offset %zu", i,
			     first + i);
	}
}

/* The page after p (before it when next is false), which must exist. */
static ma_page *
neighbour_ok(const ma_page *p, bool next)
{
	ma_error e;
	ma_page *n;

	n = next ? ma_page_next(p, true, &e) : ma_page_prev(p, true, &e);
	cr_assert_not_null(n, "%s page %" PRId64 ": %s (%s)",
			   next ? "after" : "before", ma_page_number(p),
			   e.message, ma_strerror(e.code));
	cr_assert_eq(ma_page_per_page(n), ma_page_per_page(p));
	return n;
}

/* p has no page after it (before it when next is false): not found. */
static void
assert_no_neighbour(const ma_page *p, bool next)
{
	ma_error e;
	ma_page *n;

	n = next ? ma_page_next(p, true, &e) : ma_page_prev(p, true, &e);
	cr_assert_null(n, "a page %s page %" PRId64, next ? "after" : "before",
		       ma_page_number(p));
	cr_assert_eq(e.code, MA_ERR_NOT_FOUND, "%s (%s)", e.message,
		     ma_strerror(e.code));
}

/*
 * The keyset page of q from p's token (after it when forward, else before
 * it), as big as p and labelled 2 wherever it is, so that a skip by page
 * number would show: only the token says where. Destroys p.
 */
static ma_page *
keyset_step(ma_query *q, ma_page *p, bool forward)
{
	ma_page_opts opts = {0};
	ma_page *step;

	if (forward)
		opts.after = ma_page_after(p);
	else
		opts.before = ma_page_before(p);
	cr_assert(opts.after != NULL || opts.before != NULL, "no %s token",
		  forward ? "after" : "before");
	step = paginate_ok(q, 2, ma_page_per_page(p), true, &opts);
	ma_page_destroy(p);
	return step;
}

/* Appends the ids of p's items to ids (n so far, at most max). */
static size_t
append_ids(const ma_page *p, bson_oid_t *ids, size_t n, size_t max)
{
	size_t i;

	for (i = 0; i < ma_page_count(p); i++) {
		cr_assert_lt(n, max, "more items than documents");
		item_id(p, i, &ids[n++]);
	}
	return n;
}

/* The ids of every offset page of q, in order. */
static size_t
offset_ids(ma_query *q, int64_t per_page, bson_oid_t *ids, size_t max)
{
	size_t n = 0;
	int64_t page;
	ma_page *p;

	for (page = 1;; page++) {
		p = paginate_ok(q, page, per_page, true, NULL);
		n = append_ids(p, ids, n, max);
		if (!ma_page_has_next(p)) {
			ma_page_destroy(p);
			return n;
		}
		ma_page_destroy(p);
	}
}

/* --- json ---------------------------------------------------------------- */

static json_object *
page_json(const ma_page *p)
{
	json_object *obj;
	size_t len = 0;
	char *text;

	text = ma_page_to_json(p, &len);
	cr_assert_not_null(text);
	cr_assert_eq(len, strlen(text));
	obj = json_tokener_parse(text);
	cr_assert_not_null(obj, "not JSON: %s", text);
	cr_assert(json_object_is_type(obj, json_type_object), "%s", text);
	bson_free(text);
	return obj;
}

static json_object *
member(json_object *obj, const char *key)
{
	json_object *m = NULL;

	cr_assert(json_object_object_get_ex(obj, key, &m), "no \"%s\" in %s",
		  key, json_object_to_json_string(obj));
	return m;
}

static void
assert_json_int(json_object *obj, const char *key, int64_t want)
{
	json_object *m = member(obj, key);

	cr_assert(json_object_is_type(m, json_type_int), "\"%s\" is %s", key,
		  json_object_to_json_string(m));
	cr_assert_eq(json_object_get_int64(m), want, "\"%s\" is %" PRId64, key,
		     json_object_get_int64(m));
}

static void
assert_json_bool(json_object *obj, const char *key, bool want)
{
	json_object *m = member(obj, key);

	cr_assert(json_object_is_type(m, json_type_boolean), "\"%s\" is %s",
		  key, json_object_to_json_string(m));
	cr_assert_eq((bool)json_object_get_boolean(m), want, "\"%s\"", key);
}

static void
assert_json_null(json_object *obj, const char *key)
{
	/* json-c gives a member whose value is null as NULL. */
	cr_assert_null(member(obj, key), "\"%s\" is %s, not null", key,
		       json_object_to_json_string(member(obj, key)));
}

static void
assert_json_string(json_object *obj, const char *key, const char *want)
{
	json_object *m = member(obj, key);

	cr_assert(json_object_is_type(m, json_type_string), "\"%s\" is %s", key,
		  json_object_to_json_string(m));
	cr_assert_str_eq(json_object_get_string(m), want, "\"%s\"", key);
}

/* items holds books "Book <first>" ... in order, n of them. */
static void
assert_json_items(json_object *obj, int first, size_t n)
{
	json_object *items = member(obj, "items"), *title;
	char want[32];
	size_t i;

	cr_assert(json_object_is_type(items, json_type_array));
	cr_assert_eq(json_object_array_length(items), n, "%zu items",
		     json_object_array_length(items));
	for (i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "Book %02d", first + (int)i);
		title = member(json_object_array_get_idx(items, i), "title");
		cr_assert_str_eq(json_object_get_string(title), want,
				 "item %zu", i);
	}
}

/* token is the position of item i of p in an unsorted query: its id. */
static void
assert_id_token(const char *token, const ma_page *p, size_t i)
{
	char hex[25], *want;
	bson_oid_t id;

	item_id(p, i, &id);
	bson_oid_to_string(&id, hex);
	want = bson_strdup_printf("[\"%s\"]", hex);
	cr_assert_not_null(token, "no token for item %zu", i);
	cr_assert_str_eq(token, want, "item %zu", i);
	bson_free(want);
}

/* --- each test's own database ----------------------------------------- */

/*
 * The test's database and the query it pages through. The suite's .fini
 * frees whatever a test set, and Criterion runs it after a failed
 * assertion too, so that a failing test leaves no database behind.
 */
static live_own_db own;
static ma_query *q;

static void
open_own(void)
{
	own = live_own_db_open("pages");
}

/* "Book 00" (1990) ... "Book 29" (2019), and a query of them all. */
static void
thirty_books(void)
{
	open_own();
	save_numbered_books(own.db, 30, NULL);
	q = ma_query_new(own.db, &library_book_type);
}

/* Thirty books of repeating years and titles, newest first and then by
 * title: runs of equal keys for keyset pages to cross. */
static void
thirty_repeating_books(void)
{
	open_own();
	save_repeating_books(own.db, 30, NULL);
	q = sorted_query(own.db, "-year", "title");
}

static void
close_own(void)
{
	ma_query_destroy(q);
	/* The stopped server's test opens none. */
	if (own.db != NULL)
		live_own_db_close(&own);
}

TestSuite(pagination, .fini = close_own);

/* --- Flask-MongoAlchemy's own cases ------------------------------------- */

Test(pagination, thirty_books_make_two_pages_of_twenty, .init = thirty_books)
{
	ma_page *p;
	ma_error e;

	p = ma_query_paginate(q, 1, MA_PER_PAGE, true, &e);
	cr_assert_not_null(p, "%s (%s)", e.message, ma_strerror(e.code));
	cr_assert_eq(ma_page_number(p), 1);
	cr_assert_eq(ma_page_per_page(p), 20);
	assert_total(p, 30, 2);
	assert_numbered(p, 0, 20);
	cr_assert(ma_page_has_next(p));
	cr_assert_not(ma_page_has_prev(p));

	ma_page_destroy(p);
}

Test(pagination, second_page_holds_the_last_ten, .init = thirty_books)
{
	ma_page *p;

	p = paginate_ok(q, 2, MA_PER_PAGE, true, NULL);
	assert_numbered(p, 20, 10);
	assert_total(p, 30, 2);
	cr_assert(ma_page_has_prev(p));
	cr_assert_not(ma_page_has_next(p));

	ma_page_destroy(p);
}

Test(pagination, page_past_end_is_not_found, .init = thirty_books)
{
	ma_page *p;
	ma_error e;

	p = ma_query_paginate(q, 3, MA_PER_PAGE, true, &e);
	cr_assert_null(p, "page 3 holds %zu items", p ? ma_page_count(p) : 0);
	cr_assert_eq(e.code, MA_ERR_NOT_FOUND, "%s (%s)", e.message,
		     ma_strerror(e.code));
}

Test(pagination, page_zero_is_not_found, .init = thirty_books)
{
	paginate_fails(q, 0, MA_PER_PAGE, true, NULL, MA_ERR_NOT_FOUND);
	paginate_fails(q, -1, MA_PER_PAGE, true, NULL, MA_ERR_NOT_FOUND);
	paginate_fails(q, INT64_MIN, MA_PER_PAGE, true, NULL, MA_ERR_NOT_FOUND);
}

Test(pagination, only_pages_after_the_first_have_prev, .init = thirty_books)
{
	ma_page *first, *second, *back;

	first = paginate_ok(q, 1, MA_PER_PAGE, true, NULL);
	second = paginate_ok(q, 2, MA_PER_PAGE, true, NULL);
	cr_assert_not(ma_page_has_prev(first));
	cr_assert(ma_page_has_prev(second));

	back = neighbour_ok(second, false);
	cr_assert_eq(ma_page_number(back), 1);
	assert_numbered(back, 0, 20);
	assert_total(back, 30, 2);

	ma_page_destroy(back);
	ma_page_destroy(second);
	ma_page_destroy(first);
}

Test(pagination, fifty_per_page_is_one_page_without_next, .init = thirty_books)
{
	ma_page *p;
	int64_t num = -1;

	p = paginate_ok(q, 1, 50, true, NULL);
	assert_numbered(p, 0, 30);
	assert_total(p, 30, 1);
	cr_assert_not(ma_page_has_next(p));
	cr_assert_not(ma_page_has_prev(p));
	cr_assert_not(ma_page_next_num(p, &num), "next_num %" PRId64, num);
	cr_assert_not(ma_page_prev_num(p, &num), "prev_num %" PRId64, num);

	ma_page_destroy(p);
}

/* The largest per_page is one page, quickly: its batch is bounded, not
 * sized by per_page. */
Test(pagination, largest_per_page_is_one_page, .init = thirty_books)
{
	ma_page *p;

	p = paginate_ok(q, 1, INT64_MAX, true, NULL);
	assert_numbered(p, 0, 30);
	assert_total(p, 30, 1);
	cr_assert_not(ma_page_has_next(p));
	ma_page_destroy(p);
	paginate_fails(q, 2, INT64_MAX, true, NULL, MA_ERR_NOT_FOUND);
}

Test(pagination, next_num_and_prev_num_exist_only_between_pages,
     .init = thirty_books)
{
	ma_page *first, *second;
	int64_t num;

	first = paginate_ok(q, 1, MA_PER_PAGE, true, NULL);
	second = paginate_ok(q, 2, MA_PER_PAGE, true, NULL);

	num = -1;
	cr_assert(ma_page_next_num(first, &num));
	cr_assert_eq(num, 2);
	num = -1;
	cr_assert(ma_page_prev_num(second, &num));
	cr_assert_eq(num, 1);
	num = -1;
	cr_assert_not(ma_page_prev_num(first, &num),
		      "prev_num of page 1: %" PRId64, num);
	cr_assert_not(ma_page_next_num(second, &num),
		      "next_num of the last "
		      "page: %" PRId64,
		      num);

	ma_page_destroy(second);
	ma_page_destroy(first);
}

Test(pagination, one_match_has_no_second_page, .init = thirty_books)
{
	ma_page *p;
	ma_error e;

	cr_assert(ma_query_filter(q, "title", MA_OP_EQ, MA_V_STRING("Book 07"),
				  &e),
		  "%s", e.message);

	p = paginate_ok(q, 1, MA_PER_PAGE, true, NULL);
	assert_numbered(p, 7, 1);
	assert_total(p, 1, 1);
	cr_assert_not(ma_page_has_next(p));
	ma_page_destroy(p);

	paginate_fails(q, 2, MA_PER_PAGE, true, NULL, MA_ERR_NOT_FOUND);
}

Test(pagination, total_is_the_same_on_every_page, .init = thirty_books)
{
	ma_page *p;
	int64_t page;

	for (page = 1; page <= 2; page++) {
		p = paginate_ok(q, page, MA_PER_PAGE, true, NULL);
		assert_total(p, 30, 2);
		ma_page_destroy(p);
	}
	/* Short pages skip the count: the total must come out the same. */
	for (page = 1; page <= 4; page++) {
		p = paginate_ok(q, page, 8, true, NULL);
		assert_total(p, 30, 4);
		assert_numbered(p, (int)(page - 1) * 8, page < 4 ? 8 : 6);
		ma_page_destroy(p);
	}
}

/* --- DESIGN.md's rules --------------------------------------------------- */

Test(pagination, per_page_below_one_is_invalid, .init = open_own)
{
	save_numbered_books(own.db, 3, NULL);
	q = ma_query_new(own.db, &library_book_type);

	paginate_fails(q, 1, 0, true, NULL, MA_ERR_INVALID);
	paginate_fails(q, 1, -1, true, NULL, MA_ERR_INVALID);
	paginate_fails(q, 1, INT64_MIN, true, NULL, MA_ERR_INVALID);
	/* Without error_out too: an empty page would hide the mistake. */
	paginate_fails(q, 1, 0, false, NULL, MA_ERR_INVALID);
	paginate_fails(q, 2, -1, false, NULL, MA_ERR_INVALID);
}

Test(pagination, page_beyond_any_offset_is_not_found, .init = thirty_books)
{
	ma_page *p;
	int64_t total = -1;

	paginate_fails(q, INT64_MAX, 20, true, NULL, MA_ERR_NOT_FOUND);
	/* (page - 1) * per_page is just past INT64_MAX here. */
	paginate_fails(q, INT64_MAX / 20 + 2, 20, true, NULL, MA_ERR_NOT_FOUND);
	paginate_fails(q, INT64_MAX / 1000 + 2, 1000, true, NULL,
		       MA_ERR_NOT_FOUND);

	p = paginate_ok(q, INT64_MAX, 20, false, NULL);
	cr_assert_eq(ma_page_count(p), 0);
	cr_assert(ma_page_total(p, &total));
	cr_assert_eq(total, 30);
	cr_assert_not(ma_page_has_next(p));
	ma_page_destroy(p);
}

Test(pagination, without_error_out_missing_pages_are_empty,
     .init = thirty_books)
{
	ma_page *p;
	int64_t num = -1;

	p = paginate_ok(q, 3, MA_PER_PAGE, false, NULL);
	cr_assert_eq(ma_page_count(p), 0);
	assert_total(p, 30, 2);
	cr_assert_not(ma_page_has_next(p));
	cr_assert(ma_page_has_prev(p), "has_prev is page > 1");
	cr_assert_not(ma_page_next_num(p, &num), "next_num %" PRId64, num);
	cr_assert_null(ma_page_after(p));
	cr_assert_null(ma_page_before(p));
	ma_page_destroy(p);

	p = paginate_ok(q, 0, MA_PER_PAGE, false, NULL);
	cr_assert_eq(ma_page_count(p), 0);
	cr_assert_not(ma_page_has_prev(p));
	cr_assert_not(ma_page_prev_num(p, &num), "prev_num %" PRId64, num);
	ma_page_destroy(p);
}

Test(pagination, empty_collection_has_an_empty_first_page, .init = open_own)
{
	ma_page *p;

	q = ma_query_new(own.db, &library_book_type);

	p = paginate_ok(q, 1, MA_PER_PAGE, true, NULL);
	cr_assert_eq(ma_page_count(p), 0);
	assert_total(p, 0, 0);
	cr_assert_not(ma_page_has_next(p));
	cr_assert_not(ma_page_has_prev(p));
	ma_page_destroy(p);
	paginate_fails(q, 2, MA_PER_PAGE, true, NULL, MA_ERR_NOT_FOUND);
}

/*
 * Ten books share each year: only the id orders them, and without it as
 * the last key a book could show on two pages and another on none.
 */
Test(pagination, pages_in_sort_order_with_id_as_tiebreak, .init = open_own)
{
	bson_oid_t saved[30], got[31];
	ma_page *p;
	size_t n = 0, i, j;
	int64_t page, year, last_year = -1;
	char title[32];

	for (i = 0; i < 30; i++) {
		snprintf(title, sizeof(title), "Book %02zu", i);
		save_book(own.db, title, 2002 - (int)(i % 3), &saved[i]);
	}
	q = sorted_query(own.db, "year", NULL);

	for (page = 1; page <= 5; page++) {
		p = paginate_ok(q, page, 7, true, NULL);
		assert_total(p, 30, 5);
		cr_assert_eq(ma_page_count(p), page < 5 ? 7u : 2u);
		for (i = 0; i < ma_page_count(p); i++) {
			year = item_year(p, i);
			cr_assert_geq(year, last_year,
				      "page %" PRId64 " item %zu", page, i);
			item_id(p, i, &got[n]);
			if (year == last_year)
				cr_assert_gt(
					bson_oid_compare(&got[n], &got[n - 1]),
					0,
					"equal years out of id order at "
					"page %" PRId64 " item %zu",
					page, i);
			last_year = year;
			n++;
		}
		cr_assert_eq(ma_page_has_next(p), page < 5);
		ma_page_destroy(p);
	}
	cr_assert_eq(n, 30);
	for (i = 0; i < 30; i++) {
		size_t seen = 0;

		for (j = 0; j < n; j++)
			seen += bson_oid_compare(&saved[i], &got[j]) == 0;
		cr_assert_eq(seen, 1, "book %zu is on %zu pages", i, seen);
	}
}

Test(pagination, next_and_prev_give_the_neighbours, .init = thirty_books)
{
	ma_page *first, *second, *third, *back, *none;
	ma_error e;

	first = paginate_ok(q, 1, 12, true, NULL);
	second = neighbour_ok(first, true);
	cr_assert_eq(ma_page_number(second), 2);
	assert_numbered(second, 12, 12);
	third = neighbour_ok(second, true);
	cr_assert_eq(ma_page_number(third), 3);
	assert_numbered(third, 24, 6);
	assert_total(third, 30, 3);
	back = neighbour_ok(third, false);
	cr_assert_eq(ma_page_number(back), 2);
	assert_numbered(back, 12, 12);

	assert_no_neighbour(third, true);
	assert_no_neighbour(first, false);

	none = ma_page_next(third, false, &e);
	cr_assert_not_null(none, "%s (%s)", e.message, ma_strerror(e.code));
	cr_assert_eq(ma_page_number(none), 4);
	cr_assert_eq(ma_page_count(none), 0);
	ma_page_destroy(none);

	ma_page_destroy(back);
	ma_page_destroy(third);
	ma_page_destroy(second);
	ma_page_destroy(first);
}

Test(pagination, page_keeps_its_own_query, .init = open_own)
{
	ma_query *asked, *copy;
	ma_page *p, *next;
	int64_t count = -1;
	ma_error e;

	save_numbered_books(own.db, 30, NULL);
	asked = sorted_query(own.db, "-year", NULL);
	cr_assert(ma_query_filter(asked, "year", MA_OP_GTE, MA_V_INT(2000), &e),
		  "%s", e.message);
	p = paginate_ok(asked, 1, 15, true, NULL);
	ma_query_destroy(asked);

	cr_assert_not_null(ma_page_query(p));
	cr_assert_eq(ma_query_type(ma_page_query(p)), &library_book_type);
	cr_assert_eq(ma_query_db(ma_page_query(p)), own.db);
	copy = ma_query_copy(ma_page_query(p));
	cr_assert(ma_query_count(copy, &count, &e), "%s", e.message);
	cr_assert_eq(count, 20);
	ma_query_destroy(copy);

	next = neighbour_ok(p, true);
	/* Books 2019 down to 2000: the second page is the five oldest. */
	cr_assert_eq(ma_page_count(next), 5);
	cr_assert_str_eq(item_title(next, 0), "Book 14");
	cr_assert_str_eq(item_title(next, 1), "Book 13");
	cr_assert_str_eq(item_title(next, 2), "Book 12");
	cr_assert_str_eq(item_title(next, 3), "Book 11");
	cr_assert_str_eq(item_title(next, 4), "Book 10");
	assert_total(next, 20, 2);

	ma_page_destroy(next);
	ma_page_destroy(p);
}

/* --- no_total ------------------------------------------------------------ */

Test(pagination, no_total_leaves_total_and_pages_unknown, .init = thirty_books)
{
	ma_page_opts opts = {.no_total = true};
	ma_page *p;

	p = paginate_ok(q, 1, MA_PER_PAGE, true, &opts);
	assert_numbered(p, 0, 20);
	assert_no_total(p);
	ma_page_destroy(p);

	p = paginate_ok(q, 2, MA_PER_PAGE, true, &opts);
	assert_numbered(p, 20, 10);
	assert_no_total(p);
	ma_page_destroy(p);
}

Test(pagination, no_total_has_next_from_one_item_more, .init = thirty_books)
{
	ma_page_opts opts = {.no_total = true};
	ma_page *p, *next;
	int64_t num;

	/* A full page followed by more. */
	p = paginate_ok(q, 2, 10, true, &opts);
	assert_numbered(p, 10, 10);
	cr_assert(ma_page_has_next(p));
	cr_assert(ma_page_has_prev(p));
	num = -1;
	cr_assert(ma_page_next_num(p, &num));
	cr_assert_eq(num, 3);
	ma_page_destroy(p);

	/* A full last page: exactly per_page left. */
	p = paginate_ok(q, 3, 10, true, &opts);
	assert_numbered(p, 20, 10);
	cr_assert_not(ma_page_has_next(p),
		      "the last 10 of 30 have a next page");
	cr_assert_not(ma_page_next_num(p, &num), "next_num %" PRId64, num);
	assert_no_neighbour(p, true);
	ma_page_destroy(p);
	paginate_fails(q, 4, 10, true, &opts, MA_ERR_NOT_FOUND);

	/* A short page. */
	p = paginate_ok(q, 2, MA_PER_PAGE, true, &opts);
	assert_numbered(p, 20, 10);
	cr_assert_not(ma_page_has_next(p));
	ma_page_destroy(p);

	/* The neighbour keeps no_total. */
	p = paginate_ok(q, 1, 10, true, &opts);
	next = neighbour_ok(p, true);
	assert_numbered(next, 10, 10);
	assert_no_total(next);
	cr_assert(ma_page_has_next(next));
	ma_page_destroy(next);
	ma_page_destroy(p);
}

/* --- keyset pages -------------------------------------------------------- */

/*
 * 30 books, 3 years and 4 titles: pages of 7 hold 7, 7, 7, 7 and 2, and
 * the walk must cross runs of equal (year, title) at page boundaries.
 */
Test(pagination, keyset_walk_forward_matches_offset_pages,
     .init = thirty_repeating_books)
{
	bson_oid_t by_offset[30];
	ma_page_opts opts = {0};
	ma_page *p;
	int64_t page;

	cr_assert_eq(offset_ids(q, 7, by_offset, 30), 30);

	p = paginate_ok(q, 1, 7, true, NULL);
	assert_ids(p, by_offset, 0, 7);
	for (page = 2; page <= 5; page++) {
		p = keyset_step(q, p, true);
		assert_ids(p, by_offset, (size_t)(page - 1) * 7,
			   page < 5 ? 7 : 2);
		cr_assert_eq(ma_page_has_next(p), page < 5,
			     "has_next of %" PRId64, page);
	}

	/* Past the last item there is nothing. */
	opts.after = ma_page_after(p);
	cr_assert_not_null(opts.after);
	paginate_fails(q, 2, 7, true, &opts, MA_ERR_NOT_FOUND);
	assert_no_neighbour(p, true);

	ma_page_destroy(p);
}

/* Twenty books by three authors (and years in runs across them), sorted
 * by the embedded author's name: keyset pages of three, each after the
 * last page's token, give every book once, in the offset pages' order,
 * the names never going down. */
static void
twenty_books_of_three_authors(void)
{
	static const char *const names[] = {"Mark Pilgrim", "Al Sweigart",
					    "Luciano Ramalho"};
	ma_error e;
	ma_doc *book;
	char *json;
	int i;

	open_own();
	for (i = 0; i < 20; i++) {
		json = bson_strdup_printf("{\"title\": \"Book %02d\", "
					  "\"author\": {\"name\": \"%s\"}, "
					  "\"year\": %d}",
					  i, names[i % 3], 2000 + i % 2);
		book = ma_doc_new_from_json(&library_book_type, json,
					    strlen(json), NULL, &e);
		cr_assert_not_null(book, "%s: %s", json, e.message);
		cr_assert(ma_doc_save(own.db, book, MA_SAFE_SESSION, NULL, &e),
			  "%s (%s)", e.message, ma_strerror(e.code));
		ma_doc_destroy(book);
		bson_free(json);
	}
	q = sorted_query(own.db, "author.name", "-year");
}

Test(pagination, keyset_walk_by_a_dotted_key_sees_each_document_once,
     .init = twenty_books_of_three_authors)
{
	bson_oid_t by_offset[20], walked[20];
	const char *name, *last = "";
	char prev[32] = "";
	size_t n = 0, i, j;
	ma_page *p;

	cr_assert_eq(offset_ids(q, 3, by_offset, 20), 20);
	p = paginate_ok(q, 1, 3, true, NULL);
	for (;;) {
		for (i = 0; i < ma_page_count(p); i++) {
			cr_assert(ma_doc_get_string(ma_page_item(p, i),
						    "author.name", &name));
			cr_assert_geq(strcmp(name, last), 0, "%s after %s",
				      name, prev);
			snprintf(prev, sizeof(prev), "%s", name);
			last = prev;
		}
		n = append_ids(p, walked, n, 20);
		if (!ma_page_has_next(p))
			break;
		p = keyset_step(q, p, true);
	}
	ma_page_destroy(p);

	cr_assert_eq(n, 20, "%zu books walked, not 20", n);
	for (i = 0; i < n; i++) {
		cr_assert_eq(bson_oid_compare(&walked[i], &by_offset[i]), 0,
			     "item %zu is not the offset walk's", i);
		for (j = 0; j < i; j++)
			cr_assert_neq(bson_oid_compare(&walked[i], &walked[j]),
				      0, "items %zu and %zu are one book", j,
				      i);
	}
	cr_assert_str_eq(prev, "Mark Pilgrim");
}

Test(pagination, keyset_next_follows_the_last_item,
     .init = thirty_repeating_books)
{
	bson_oid_t by_offset[30];
	ma_page_opts opts = {0};
	ma_page *first, *second, *third;

	cr_assert_eq(offset_ids(q, 7, by_offset, 30), 30);

	first = paginate_ok(q, 1, 7, true, NULL);
	opts.after = ma_page_after(first);
	cr_assert_not_null(opts.after);
	/* Labelled 1, so that the next is labelled 2: a skip by page
	 * number would give the offset page 2, not the third. */
	second = paginate_ok(q, 1, 7, true, &opts);
	third = neighbour_ok(second, true);
	cr_assert_eq(ma_page_number(third), 2);
	assert_ids(third, by_offset, 14, 7);

	ma_page_destroy(third);
	ma_page_destroy(second);
	ma_page_destroy(first);
}

Test(pagination, keyset_walk_backward_matches_offset_pages,
     .init = thirty_repeating_books)
{
	bson_oid_t by_offset[30];
	ma_page *p;
	int64_t page;

	cr_assert_eq(offset_ids(q, 7, by_offset, 30), 30);

	p = paginate_ok(q, 5, 7, true, NULL);
	assert_ids(p, by_offset, 28, 2);
	for (page = 4; page >= 1; page--) {
		p = keyset_step(q, p, false);
		assert_ids(p, by_offset, (size_t)(page - 1) * 7, 7);
		cr_assert(ma_page_has_next(p), "has_next of %" PRId64, page);
	}

	/* Before the first item there is nothing. */
	assert_no_neighbour(p, false);

	ma_page_destroy(p);
}

Test(pagination, keyset_token_of_another_sort_is_invalid,
     .init = thirty_repeating_books)
{
	ma_page_opts opts = {0};
	ma_query *title_only, *swapped;
	ma_page *p;

	title_only = sorted_query(own.db, "title", NULL);
	swapped = sorted_query(own.db, "title", "-year");

	p = paginate_ok(q, 1, 7, true, NULL);
	cr_assert_not_null(ma_page_after(p));
	opts.after = ma_page_after(p);
	paginate_fails(title_only, 2, 7, true, &opts, MA_ERR_INVALID);
	paginate_fails(title_only, 2, 7, false, &opts, MA_ERR_INVALID);
	opts.after = NULL;
	opts.before = ma_page_before(p);
	paginate_fails(title_only, 1, 7, true, &opts, MA_ERR_INVALID);

	/* As many keys, but a year where a title goes. */
	opts.before = NULL;
	opts.after = ma_page_after(p);
	paginate_fails(swapped, 2, 7, true, &opts, MA_ERR_INVALID);

	ma_page_destroy(p);
	ma_query_destroy(swapped);
	ma_query_destroy(title_only);
}

Test(pagination, keyset_garbage_token_is_invalid,
     .init = thirty_repeating_books)
{
	static const char *const garbage[] = {
		"[",
		"[1,2,3,4]",
		"\"x\"",
		"507f1f77bcf86cd799439011",
	};
	ma_page_opts opts = {0};
	size_t i;

	for (i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		cr_log_info("after %s", garbage[i]);
		opts.after = garbage[i];
		opts.before = NULL;
		paginate_fails(q, 2, 7, true, &opts, MA_ERR_INVALID);
		cr_log_info("before %s", garbage[i]);
		opts.after = NULL;
		opts.before = garbage[i];
		paginate_fails(q, 1, 7, false, &opts, MA_ERR_INVALID);
	}
}

Test(pagination, bare_id_is_a_token_without_sort, .init = open_own)
{
	bson_oid_t ids[30];
	ma_page_opts opts = {0};
	ma_page *p, *second;
	char hex[25];

	save_numbered_books(own.db, 30, ids);
	q = ma_query_new(own.db, &library_book_type);

	bson_oid_to_string(&ids[9], hex);
	opts.after = hex;
	p = paginate_ok(q, 2, MA_PER_PAGE, true, &opts);
	assert_numbered(p, 10, 20);
	ma_page_destroy(p);

	bson_oid_to_string(&ids[20], hex);
	opts.after = NULL;
	opts.before = hex;
	p = paginate_ok(q, 4, 5, true, &opts);
	assert_numbered(p, 15, 5);
	ma_page_destroy(p);

	/* The token a page gives works the same. */
	p = paginate_ok(q, 1, 10, true, NULL);
	opts.before = NULL;
	opts.after = ma_page_after(p);
	cr_assert_not_null(opts.after);
	second = paginate_ok(q, 2, 10, true, &opts);
	assert_numbered(second, 10, 10);
	ma_page_destroy(second);
	ma_page_destroy(p);
}

/* --- JSON ---------------------------------------------------------------- */

Test(pagination, page_json_has_every_member, .init = thirty_books)
{
	json_object *obj;
	ma_page *p;

	p = paginate_ok(q, 1, MA_PER_PAGE, true, NULL);
	obj = page_json(p);
	assert_json_items(obj, 0, 20);
	assert_json_int(obj, "page", 1);
	assert_json_int(obj, "per_page", 20);
	assert_json_int(obj, "total", 30);
	assert_json_int(obj, "pages", 2);
	assert_json_bool(obj, "has_prev", false);
	assert_json_bool(obj, "has_next", true);
	assert_json_null(obj, "prev_num");
	assert_json_int(obj, "next_num", 2);
	cr_assert_not(json_object_object_get_ex(obj, "after", NULL),
		      "an offset page has \"after\"");
	cr_assert_not(json_object_object_get_ex(obj, "before", NULL),
		      "an offset page has \"before\"");
	json_object_put(obj);
	ma_page_destroy(p);

	p = paginate_ok(q, 2, MA_PER_PAGE, true, NULL);
	obj = page_json(p);
	assert_json_items(obj, 20, 10);
	assert_json_int(obj, "page", 2);
	assert_json_int(obj, "per_page", 20);
	assert_json_int(obj, "total", 30);
	assert_json_int(obj, "pages", 2);
	assert_json_bool(obj, "has_prev", true);
	assert_json_bool(obj, "has_next", false);
	assert_json_int(obj, "prev_num", 1);
	assert_json_null(obj, "next_num");
	json_object_put(obj);
	ma_page_destroy(p);
}

Test(pagination, page_json_items_are_the_books, .init = open_own)
{
	bson_oid_t ids[3];
	json_object *obj, *item;
	ma_page *p;
	char hex[25];
	size_t i;

	save_numbered_books(own.db, 3, ids);
	q = ma_query_new(own.db, &library_book_type);

	p = paginate_ok(q, 1, MA_PER_PAGE, true, NULL);
	obj = page_json(p);
	assert_json_items(obj, 0, 3);
	for (i = 0; i < 3; i++) {
		item = json_object_array_get_idx(member(obj, "items"), i);
		bson_oid_to_string(&ids[i], hex);
		assert_json_string(item, "_id", hex);
		assert_json_int(item, "year", 1990 + (int64_t)i);
		assert_json_string(member(item, "author"), "name",
				   "Mark Pilgrim");
	}
	json_object_put(obj);

	ma_page_destroy(p);
}

Test(pagination, page_json_without_total_has_null_total_and_pages,
     .init = thirty_books)
{
	ma_page_opts opts = {.no_total = true};
	json_object *obj;
	ma_page *p;

	p = paginate_ok(q, 1, MA_PER_PAGE, true, &opts);
	obj = page_json(p);
	assert_json_items(obj, 0, 20);
	assert_json_int(obj, "page", 1);
	assert_json_int(obj, "per_page", 20);
	assert_json_null(obj, "total");
	assert_json_null(obj, "pages");
	assert_json_bool(obj, "has_prev", false);
	assert_json_bool(obj, "has_next", true);
	assert_json_null(obj, "prev_num");
	assert_json_int(obj, "next_num", 2);
	json_object_put(obj);
	ma_page_destroy(p);
}

Test(pagination, keyset_page_json_has_after_and_before, .init = thirty_books)
{
	ma_page_opts opts = {0};
	json_object *obj;
	ma_page *first, *middle, *last, *back;

	first = paginate_ok(q, 1, 10, true, NULL);
	opts.after = ma_page_after(first);
	middle = paginate_ok(q, 2, 10, true, &opts);
	opts.after = ma_page_after(middle);
	last = paginate_ok(q, 3, 10, true, &opts);

	/* Unsorted, the position is the id alone. */
	assert_id_token(ma_page_after(middle), middle, 9);
	assert_id_token(ma_page_before(middle), middle, 0);

	obj = page_json(middle);
	assert_json_items(obj, 10, 10);
	assert_json_int(obj, "page", 2);
	assert_json_bool(obj, "has_prev", true);
	assert_json_bool(obj, "has_next", true);
	assert_json_string(obj, "after", ma_page_after(middle));
	assert_json_string(obj, "before", ma_page_before(middle));
	json_object_put(obj);

	obj = page_json(last);
	assert_json_items(obj, 20, 10);
	assert_json_int(obj, "page", 3);
	assert_json_bool(obj, "has_next", false);
	assert_json_null(obj, "after");
	assert_json_string(obj, "before", ma_page_before(last));
	json_object_put(obj);

	/* Back from the middle to the start: no page before the first. */
	opts.after = NULL;
	opts.before = ma_page_before(middle);
	back = paginate_ok(q, 1, 10, true, &opts);
	obj = page_json(back);
	assert_json_items(obj, 0, 10);
	assert_json_bool(obj, "has_prev", false);
	assert_json_bool(obj, "has_next", true);
	assert_json_null(obj, "before");
	assert_json_string(obj, "after", ma_page_after(back));
	json_object_put(obj);

	ma_page_destroy(back);
	ma_page_destroy(last);
	ma_page_destroy(middle);
	ma_page_destroy(first);
}

/* --- filters ------------------------------------------------------------- */

Test(pagination, filters_apply_to_pages_and_total, .init = thirty_books)
{
	ma_page *p;
	ma_error e;
	size_t i;

	cr_assert(ma_query_filter(q, "year", MA_OP_GTE, MA_V_INT(2000), &e),
		  "%s", e.message);

	p = paginate_ok(q, 1, 15, true, NULL);
	assert_numbered(p, 10, 15);
	assert_total(p, 20, 2);
	cr_assert(ma_page_has_next(p));
	ma_page_destroy(p);

	p = paginate_ok(q, 2, 15, true, NULL);
	assert_numbered(p, 25, 5);
	assert_total(p, 20, 2);
	for (i = 0; i < ma_page_count(p); i++)
		cr_assert_geq(item_year(p, i), 2000);
	ma_page_destroy(p);
	paginate_fails(q, 3, 15, true, NULL, MA_ERR_NOT_FOUND);
}

/* The query's own skip and limit are not the page's. */
Test(pagination, query_skip_and_limit_do_not_apply, .init = thirty_books)
{
	ma_page *p;
	ma_error e;

	cr_assert(ma_query_skip(q, 5, &e), "%s", e.message);
	cr_assert(ma_query_limit(q, 3, &e), "%s", e.message);

	p = paginate_ok(q, 2, 10, true, NULL);
	assert_numbered(p, 10, 10);
	assert_total(p, 30, 3);
	ma_page_destroy(p);
}

/* --- a server that is not there ----------------------------------------- */

Test(pagination, stopped_server_is_unavailable_not_not_found)
{
	ma_page_opts no_total = {.no_total = true};
	ma_db *db = live_stopped_db();
	ma_query *stopped = ma_query_new(db, &library_book_type);

	paginate_fails(stopped, 1, MA_PER_PAGE, true, NULL, MA_ERR_UNAVAILABLE);
	paginate_fails(stopped, 2, MA_PER_PAGE, true, NULL, MA_ERR_UNAVAILABLE);
	/* Not an empty page either. */
	paginate_fails(stopped, 2, MA_PER_PAGE, false, NULL,
		       MA_ERR_UNAVAILABLE);
	paginate_fails(stopped, 2, MA_PER_PAGE, true, &no_total,
		       MA_ERR_UNAVAILABLE);

	ma_query_destroy(stopped);
	ma_db_destroy(db);
}

/* --- page links (iter_pages) ------------------------------------------- */

/* The numbers p's links show with the defaults, as text ("1 2 0 5"). */
static void
assert_links(const ma_page *p, const char *want)
{
	int64_t got[32];
	char text[256] = "";
	size_t n, i, o = 0;

	n = ma_page_iter_pages(p, MA_ITER_LEFT_EDGE, MA_ITER_LEFT_CURRENT,
			       MA_ITER_RIGHT_CURRENT, MA_ITER_RIGHT_EDGE, got,
			       32);
	cr_assert_leq(n, 32);
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o,
				      i ? " %" PRId64 : "%" PRId64, got[i]);
	cr_expect_str_eq(text, want, "page %" PRId64 ": \"%s\", not \"%s\"",
			 ma_page_number(p), text, want);
}

Test(pagination, links_of_counted_pages, .init = thirty_books)
{
	ma_page *p;

	/* 30 books, 2 a page: 15 pages. */
	p = paginate_ok(q, 7, 2, true, NULL);
	assert_links(p, "1 2 0 5 6 7 8 9 10 11 0 14 15");
	ma_page_destroy(p);
	p = paginate_ok(q, 15, 2, true, NULL);
	assert_links(p, "1 2 0 13 14 15");
	ma_page_destroy(p);
}

Test(pagination, links_without_a_count_end_with_a_gap, .init = thirty_books)
{
	ma_page_opts opts = {.no_total = true};
	ma_page *p;

	p = paginate_ok(q, 7, 2, true, &opts);
	assert_links(p, "1 2 0 5 6 7 8 0");
	ma_page_destroy(p);
	/* The last page knows it is the last. */
	p = paginate_ok(q, 15, 2, true, &opts);
	assert_links(p, "1 2 0 13 14 15");
	ma_page_destroy(p);
}

Test(pagination, keyset_pages_have_no_links, .init = thirty_books)
{
	ma_page_opts opts = {.keyset = true};
	ma_page *p;

	p = paginate_ok(q, 1, 2, true, &opts);
	cr_expect_eq(ma_page_iter_pages(p, MA_ITER_LEFT_EDGE,
					MA_ITER_LEFT_CURRENT,
					MA_ITER_RIGHT_CURRENT,
					MA_ITER_RIGHT_EDGE, NULL, 0),
		     0);
	ma_page_destroy(p);
}
