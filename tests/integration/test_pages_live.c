/*
 * Pagination against a real MongoDB-protocol server: Flask-MongoAlchemy's
 * paginate() and its Pagination object, the rules DESIGN.md adds (invalid
 * per_page, absent neighbours, pages beyond any offset), and the pages
 * beyond Flask-MongoAlchemy's: without a count, and keyset pages.
 *
 * Every test keeps its books in a database of its own, so that tests run
 * in parallel and again without seeing each other's data, and drops it at
 * the end.
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
		save_book(db, title, 2000 + i % 3, ids != NULL ? &ids[i] : NULL);
	}
}

static ma_query *
sorted_query(ma_db *db, const char *key1, const char *key2)
{
	ma_query *q = ma_query_new(db, &library_book_type);
	ma_error e;

	if (key1 != NULL)
		cr_assert(ma_query_sort(q, key1, &e), "sort %s: %s", key1, e.message);
	if (key2 != NULL)
		cr_assert(ma_query_sort(q, key2, &e), "sort %s: %s", key2, e.message);
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
	cr_assert_eq(e.code, code, "page %" PRId64 " of %" PRId64 ": %s (%s), "
		     "not %s", page, per_page, e.message, ma_strerror(e.code),
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
		  ma_doc_id(ma_page_item(p, i), id), "item %zu has no id", i);
}

/* The page holds "Book <first>" ... "Book <first + n - 1>", in order. */
static void
assert_numbered(const ma_page *p, int first, size_t n)
{
	char want[32];
	size_t i;

	cr_assert_eq(ma_page_count(p), n, "page %" PRId64 " holds %zu items, "
		     "not %zu", ma_page_number(p), ma_page_count(p), n);
	for (i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "Book %02d", first + (int)i);
		cr_assert_str_eq(item_title(p, i), want, "page %" PRId64
				 ", item %zu", ma_page_number(p), i);
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

/* --- Flask-MongoAlchemy's own cases ------------------------------------- */

Test(pagination, thirty_books_make_two_pages_of_twenty)
{
	live_own_db lb;
	ma_query *q;
	ma_page *p;
	ma_error e;

	lb = live_own_db_open("pages");
	save_numbered_books(lb.db, 30, NULL);
	q = ma_query_new(lb.db, &library_book_type);

	p = ma_query_paginate(q, 1, MA_PER_PAGE, true, &e);
	cr_assert_not_null(p, "%s (%s)", e.message, ma_strerror(e.code));
	cr_assert_eq(ma_page_number(p), 1);
	cr_assert_eq(ma_page_per_page(p), 20);
	assert_total(p, 30, 2);
	assert_numbered(p, 0, 20);
	cr_assert(ma_page_has_next(p));
	cr_assert_not(ma_page_has_prev(p));

	ma_page_destroy(p);
	ma_query_destroy(q);
	live_own_db_close(&lb);
}

Test(pagination, second_page_holds_the_last_ten)
{
	live_own_db lb;
	ma_query *q;
	ma_page *p;

	lb = live_own_db_open("pages");
	save_numbered_books(lb.db, 30, NULL);
	q = ma_query_new(lb.db, &library_book_type);

	p = paginate_ok(q, 2, MA_PER_PAGE, true, NULL);
	assert_numbered(p, 20, 10);
	assert_total(p, 30, 2);
	cr_assert(ma_page_has_prev(p));
	cr_assert_not(ma_page_has_next(p));

	ma_page_destroy(p);
	ma_query_destroy(q);
	live_own_db_close(&lb);
}

Test(pagination, page_past_end_is_not_found)
{
	live_own_db lb;
	ma_query *q;
	ma_page *p;
	ma_error e;

	lb = live_own_db_open("pages");
	save_numbered_books(lb.db, 30, NULL);
	q = ma_query_new(lb.db, &library_book_type);

	p = ma_query_paginate(q, 3, MA_PER_PAGE, true, &e);
	cr_assert_null(p, "page 3 holds %zu items", p ? ma_page_count(p) : 0);
	cr_assert_eq(e.code, MA_ERR_NOT_FOUND, "%s (%s)", e.message,
		     ma_strerror(e.code));

	ma_query_destroy(q);
	live_own_db_close(&lb);
}

Test(pagination, page_zero_is_not_found)
{
	live_own_db lb;
	ma_query *q;

	lb = live_own_db_open("pages");
	save_numbered_books(lb.db, 30, NULL);
	q = ma_query_new(lb.db, &library_book_type);

	paginate_fails(q, 0, MA_PER_PAGE, true, NULL, MA_ERR_NOT_FOUND);
	paginate_fails(q, -1, MA_PER_PAGE, true, NULL, MA_ERR_NOT_FOUND);
	paginate_fails(q, INT64_MIN, MA_PER_PAGE, true, NULL, MA_ERR_NOT_FOUND);

	ma_query_destroy(q);
	live_own_db_close(&lb);
}

Test(pagination, only_pages_after_the_first_have_prev)
{
	live_own_db lb;
	ma_page *first, *second, *back;
	ma_query *q;
	ma_error e;

	lb = live_own_db_open("pages");
	save_numbered_books(lb.db, 30, NULL);
	q = ma_query_new(lb.db, &library_book_type);

	first = paginate_ok(q, 1, MA_PER_PAGE, true, NULL);
	second = paginate_ok(q, 2, MA_PER_PAGE, true, NULL);
	cr_assert_not(ma_page_has_prev(first));
	cr_assert(ma_page_has_prev(second));

	back = ma_page_prev(second, true, &e);
	cr_assert_not_null(back, "%s (%s)", e.message, ma_strerror(e.code));
	cr_assert_eq(ma_page_number(back), 1);
	cr_assert_eq(ma_page_per_page(back), 20);
	assert_numbered(back, 0, 20);
	assert_total(back, 30, 2);

	ma_page_destroy(back);
	ma_page_destroy(second);
	ma_page_destroy(first);
	ma_query_destroy(q);
	live_own_db_close(&lb);
}

Test(pagination, fifty_per_page_is_one_page_without_next)
{
	live_own_db lb;
	ma_query *q;
	ma_page *p;
	int64_t num = -1;

	lb = live_own_db_open("pages");
	save_numbered_books(lb.db, 30, NULL);
	q = ma_query_new(lb.db, &library_book_type);

	p = paginate_ok(q, 1, 50, true, NULL);
	assert_numbered(p, 0, 30);
	assert_total(p, 30, 1);
	cr_assert_not(ma_page_has_next(p));
	cr_assert_not(ma_page_has_prev(p));
	cr_assert_not(ma_page_next_num(p, &num), "next_num %" PRId64, num);
	cr_assert_not(ma_page_prev_num(p, &num), "prev_num %" PRId64, num);

	ma_page_destroy(p);
	ma_query_destroy(q);
	live_own_db_close(&lb);
}

/* The largest per_page is one page, quickly: its batch is bounded, not
 * sized by per_page. */
Test(pagination, largest_per_page_is_one_page)
{
	live_own_db lb;
	ma_query *q;
	ma_page *p;

	lb = live_own_db_open("pages");
	save_numbered_books(lb.db, 30, NULL);
	q = ma_query_new(lb.db, &library_book_type);

	p = paginate_ok(q, 1, INT64_MAX, true, NULL);
	assert_numbered(p, 0, 30);
	assert_total(p, 30, 1);
	cr_assert_not(ma_page_has_next(p));
	ma_page_destroy(p);
	paginate_fails(q, 2, INT64_MAX, true, NULL, MA_ERR_NOT_FOUND);

	ma_query_destroy(q);
	live_own_db_close(&lb);
}

Test(pagination, next_num_and_prev_num_exist_only_between_pages)
{
	live_own_db lb;
	ma_page *first, *second;
	ma_query *q;
	int64_t num;

	lb = live_own_db_open("pages");
	save_numbered_books(lb.db, 30, NULL);
	q = ma_query_new(lb.db, &library_book_type);
	first = paginate_ok(q, 1, MA_PER_PAGE, true, NULL);
	second = paginate_ok(q, 2, MA_PER_PAGE, true, NULL);

	num = -1;
	cr_assert(ma_page_next_num(first, &num));
	cr_assert_eq(num, 2);
	num = -1;
	cr_assert(ma_page_prev_num(second, &num));
	cr_assert_eq(num, 1);
	num = -1;
	cr_assert_not(ma_page_prev_num(first, &num), "prev_num of page 1: %"
		      PRId64, num);
	cr_assert_not(ma_page_next_num(second, &num), "next_num of the last "
		      "page: %" PRId64, num);

	ma_page_destroy(second);
	ma_page_destroy(first);
	ma_query_destroy(q);
	live_own_db_close(&lb);
}

Test(pagination, one_match_has_no_second_page)
{
	live_own_db lb;
	ma_query *q;
	ma_page *p;
	ma_error e;

	lb = live_own_db_open("pages");
	save_numbered_books(lb.db, 30, NULL);
	q = ma_query_new(lb.db, &library_book_type);
	cr_assert(ma_query_filter(q, "title", MA_OP_EQ, MA_V_STRING("Book 07"),
				  &e), "%s", e.message);

	p = paginate_ok(q, 1, MA_PER_PAGE, true, NULL);
	assert_numbered(p, 7, 1);
	assert_total(p, 1, 1);
	cr_assert_not(ma_page_has_next(p));
	ma_page_destroy(p);

	paginate_fails(q, 2, MA_PER_PAGE, true, NULL, MA_ERR_NOT_FOUND);

	ma_query_destroy(q);
	live_own_db_close(&lb);
}

Test(pagination, total_is_the_same_on_every_page)
{
	live_own_db lb;
	ma_query *q;
	ma_page *p;
	int64_t page;

	lb = live_own_db_open("pages");
	save_numbered_books(lb.db, 30, NULL);
	q = ma_query_new(lb.db, &library_book_type);

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

	ma_query_destroy(q);
	live_own_db_close(&lb);
}

/* --- DESIGN.md's rules --------------------------------------------------- */

Test(pagination, per_page_below_one_is_invalid)
{
	live_own_db lb;
	ma_query *q;

	lb = live_own_db_open("pages");
	save_numbered_books(lb.db, 3, NULL);
	q = ma_query_new(lb.db, &library_book_type);

	paginate_fails(q, 1, 0, true, NULL, MA_ERR_INVALID);
	paginate_fails(q, 1, -1, true, NULL, MA_ERR_INVALID);
	paginate_fails(q, 1, INT64_MIN, true, NULL, MA_ERR_INVALID);
	/* Without error_out too: an empty page would hide the mistake. */
	paginate_fails(q, 1, 0, false, NULL, MA_ERR_INVALID);
	paginate_fails(q, 2, -1, false, NULL, MA_ERR_INVALID);

	ma_query_destroy(q);
	live_own_db_close(&lb);
}

Test(pagination, page_beyond_any_offset_is_not_found)
{
	live_own_db lb;
	ma_query *q;
	ma_page *p;
	int64_t total = -1;

	lb = live_own_db_open("pages");
	save_numbered_books(lb.db, 30, NULL);
	q = ma_query_new(lb.db, &library_book_type);

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

	ma_query_destroy(q);
	live_own_db_close(&lb);
}

Test(pagination, without_error_out_missing_pages_are_empty)
{
	live_own_db lb;
	ma_query *q;
	ma_page *p;
	int64_t num = -1;

	lb = live_own_db_open("pages");
	save_numbered_books(lb.db, 30, NULL);
	q = ma_query_new(lb.db, &library_book_type);

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

	ma_query_destroy(q);
	live_own_db_close(&lb);
}

Test(pagination, empty_collection_has_an_empty_first_page)
{
	live_own_db lb;
	ma_query *q;
	ma_page *p;

	lb = live_own_db_open("pages");
	q = ma_query_new(lb.db, &library_book_type);

	p = paginate_ok(q, 1, MA_PER_PAGE, true, NULL);
	cr_assert_eq(ma_page_count(p), 0);
	assert_total(p, 0, 0);
	cr_assert_not(ma_page_has_next(p));
	cr_assert_not(ma_page_has_prev(p));
	ma_page_destroy(p);
	paginate_fails(q, 2, MA_PER_PAGE, true, NULL, MA_ERR_NOT_FOUND);

	ma_query_destroy(q);
	live_own_db_close(&lb);
}

/*
 * Ten books share each year: only the id orders them, and without it as
 * the last key a book could show on two pages and another on none.
 */
Test(pagination, pages_in_sort_order_with_id_as_tiebreak)
{
	bson_oid_t saved[30], got[31];
	live_own_db lb;
	ma_query *q;
	ma_page *p;
	size_t n = 0, i, j;
	int64_t page, year, last_year = -1;
	char title[32];

	lb = live_own_db_open("pages");
	for (i = 0; i < 30; i++) {
		snprintf(title, sizeof(title), "Book %02zu", i);
		save_book(lb.db, title, 2002 - (int)(i % 3), &saved[i]);
	}
	q = sorted_query(lb.db, "year", NULL);

	for (page = 1; page <= 5; page++) {
		p = paginate_ok(q, page, 7, true, NULL);
		assert_total(p, 30, 5);
		cr_assert_eq(ma_page_count(p), page < 5 ? 7u : 2u);
		for (i = 0; i < ma_page_count(p); i++) {
			year = item_year(p, i);
			cr_assert_geq(year, last_year, "page %" PRId64 " item %zu",
				      page, i);
			item_id(p, i, &got[n]);
			if (year == last_year)
				cr_assert_gt(bson_oid_compare(&got[n], &got[n - 1]),
					     0, "equal years out of id order at "
					     "page %" PRId64 " item %zu", page, i);
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

	ma_query_destroy(q);
	live_own_db_close(&lb);
}

Test(pagination, next_and_prev_give_the_neighbours)
{
	live_own_db lb;
	ma_page *first, *second, *third, *none;
	ma_query *q;
	ma_error e;

	lb = live_own_db_open("pages");
	save_numbered_books(lb.db, 30, NULL);
	q = ma_query_new(lb.db, &library_book_type);

	first = paginate_ok(q, 1, 12, true, NULL);
	second = ma_page_next(first, true, &e);
	cr_assert_not_null(second, "%s (%s)", e.message, ma_strerror(e.code));
	cr_assert_eq(ma_page_number(second), 2);
	cr_assert_eq(ma_page_per_page(second), 12);
	assert_numbered(second, 12, 12);
	third = ma_page_next(second, true, &e);
	cr_assert_not_null(third, "%s (%s)", e.message, ma_strerror(e.code));
	cr_assert_eq(ma_page_number(third), 3);
	assert_numbered(third, 24, 6);
	assert_total(third, 30, 3);

	none = ma_page_next(third, true, &e);
	cr_assert_null(none, "a page after the last");
	cr_assert_eq(e.code, MA_ERR_NOT_FOUND, "%s (%s)", e.message,
		     ma_strerror(e.code));
	none = ma_page_prev(first, true, &e);
	cr_assert_null(none, "a page before the first");
	cr_assert_eq(e.code, MA_ERR_NOT_FOUND, "%s (%s)", e.message,
		     ma_strerror(e.code));

	none = ma_page_next(third, false, &e);
	cr_assert_not_null(none, "%s (%s)", e.message, ma_strerror(e.code));
	cr_assert_eq(ma_page_number(none), 4);
	cr_assert_eq(ma_page_count(none), 0);
	ma_page_destroy(none);

	ma_page_destroy(third);
	ma_page_destroy(second);
	ma_page_destroy(first);
	ma_query_destroy(q);
	live_own_db_close(&lb);
}

Test(pagination, page_keeps_its_own_query)
{
	live_own_db lb;
	ma_query *q, *copy;
	ma_page *p, *next;
	int64_t count = -1;
	ma_error e;

	lb = live_own_db_open("pages");
	save_numbered_books(lb.db, 30, NULL);
	q = sorted_query(lb.db, "-year", NULL);
	cr_assert(ma_query_filter(q, "year", MA_OP_GTE, MA_V_INT(2000), &e),
		  "%s", e.message);
	p = paginate_ok(q, 1, 15, true, NULL);
	ma_query_destroy(q);

	cr_assert_not_null(ma_page_query(p));
	cr_assert_eq(ma_query_type(ma_page_query(p)), &library_book_type);
	cr_assert_eq(ma_query_db(ma_page_query(p)), lb.db);
	copy = ma_query_copy(ma_page_query(p));
	cr_assert(ma_query_count(copy, &count, &e), "%s", e.message);
	cr_assert_eq(count, 20);
	ma_query_destroy(copy);

	next = ma_page_next(p, true, &e);
	cr_assert_not_null(next, "%s (%s)", e.message, ma_strerror(e.code));
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
	live_own_db_close(&lb);
}

/* --- no_total ------------------------------------------------------------ */

Test(pagination, no_total_leaves_total_and_pages_unknown)
{
	live_own_db lb;
	ma_page_opts opts = {.no_total = true};
	ma_query *q;
	ma_page *p;
	int64_t v = -1;

	lb = live_own_db_open("pages");
	save_numbered_books(lb.db, 30, NULL);
	q = ma_query_new(lb.db, &library_book_type);

	p = paginate_ok(q, 1, MA_PER_PAGE, true, &opts);
	assert_numbered(p, 0, 20);
	cr_assert_not(ma_page_total(p, &v), "total %" PRId64, v);
	cr_assert_not(ma_page_pages(p, &v), "pages %" PRId64, v);
	ma_page_destroy(p);

	p = paginate_ok(q, 2, MA_PER_PAGE, true, &opts);
	assert_numbered(p, 20, 10);
	cr_assert_not(ma_page_total(p, &v), "total %" PRId64, v);
	cr_assert_not(ma_page_pages(p, &v), "pages %" PRId64, v);
	ma_page_destroy(p);

	ma_query_destroy(q);
	live_own_db_close(&lb);
}

Test(pagination, no_total_has_next_from_one_item_more)
{
	live_own_db lb;
	ma_page_opts opts = {.no_total = true};
	ma_page *p, *next;
	ma_query *q;
	ma_error e;
	int64_t num;

	lb = live_own_db_open("pages");
	save_numbered_books(lb.db, 30, NULL);
	q = ma_query_new(lb.db, &library_book_type);

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
	cr_assert_not(ma_page_has_next(p), "the last 10 of 30 have a next page");
	cr_assert_not(ma_page_next_num(p, &num), "next_num %" PRId64, num);
	next = ma_page_next(p, true, &e);
	cr_assert_null(next);
	cr_assert_eq(e.code, MA_ERR_NOT_FOUND, "%s (%s)", e.message,
		     ma_strerror(e.code));
	ma_page_destroy(p);
	paginate_fails(q, 4, 10, true, &opts, MA_ERR_NOT_FOUND);

	/* A short page. */
	p = paginate_ok(q, 2, MA_PER_PAGE, true, &opts);
	assert_numbered(p, 20, 10);
	cr_assert_not(ma_page_has_next(p));
	ma_page_destroy(p);

	/* The neighbour keeps no_total. */
	p = paginate_ok(q, 1, 10, true, &opts);
	next = ma_page_next(p, true, &e);
	cr_assert_not_null(next, "%s (%s)", e.message, ma_strerror(e.code));
	assert_numbered(next, 10, 10);
	cr_assert_not(ma_page_total(next, &num), "total %" PRId64, num);
	cr_assert(ma_page_has_next(next));
	ma_page_destroy(next);
	ma_page_destroy(p);

	ma_query_destroy(q);
	live_own_db_close(&lb);
}

/* --- keyset pages -------------------------------------------------------- */

/*
 * 30 books, 3 years and 4 titles: pages of 7 hold 7, 7, 7, 7 and 2, and
 * the walk must cross runs of equal (year, title) at page boundaries.
 */
Test(pagination, keyset_walk_forward_matches_offset_pages)
{
	bson_oid_t by_offset[30], by_keyset[30];
	live_own_db lb;
	ma_page_opts opts = {0};
	ma_page *p, *next;
	ma_query *q;
	char *after;
	size_t n;
	int64_t page;

	lb = live_own_db_open("pages");
	save_repeating_books(lb.db, 30, NULL);
	q = sorted_query(lb.db, "-year", "title");
	cr_assert_eq(offset_ids(q, 7, by_offset, 30), 30);

	p = paginate_ok(q, 1, 7, true, NULL);
	n = append_ids(p, by_keyset, 0, 30);
	for (page = 2; page <= 5; page++) {
		cr_assert_not_null(ma_page_after(p), "page %" PRId64 " has no "
				   "after", page - 1);
		after = bson_strdup(ma_page_after(p));
		ma_page_destroy(p);
		opts.after = after;
		/* The label stays 2: only the token says where the page
		 * is, so a skip by page number would repeat page 2. */
		p = paginate_ok(q, 2, 7, true, &opts);
		bson_free(after);
		cr_assert_eq(ma_page_count(p), page < 5 ? 7u : 2u,
			     "keyset page %" PRId64 " holds %zu", page,
			     ma_page_count(p));
		cr_assert_eq(ma_page_has_next(p), page < 5, "has_next of %" PRId64,
			     page);
		n = append_ids(p, by_keyset, n, 30);
	}
	cr_assert_eq(n, 30);
	for (n = 0; n < 30; n++)
		cr_assert_eq(bson_oid_compare(&by_offset[n], &by_keyset[n]), 0,
			     "item %zu differs", n);

	/* Past the last item there is nothing. */
	after = bson_strdup(ma_page_after(p));
	opts.after = after;
	paginate_fails(q, 2, 7, true, &opts, MA_ERR_NOT_FOUND);
	bson_free(after);
	next = ma_page_next(p, true, NULL);
	cr_assert_null(next, "ma_page_next of the last keyset page");

	ma_page_destroy(p);
	ma_query_destroy(q);
	live_own_db_close(&lb);
}

Test(pagination, keyset_next_follows_the_last_item)
{
	bson_oid_t by_offset[30], id;
	live_own_db lb;
	ma_page_opts opts = {0};
	ma_page *first, *second, *third;
	ma_query *q;
	ma_error e;
	size_t i;

	lb = live_own_db_open("pages");
	save_repeating_books(lb.db, 30, NULL);
	q = sorted_query(lb.db, "-year", "title");
	cr_assert_eq(offset_ids(q, 7, by_offset, 30), 30);

	first = paginate_ok(q, 1, 7, true, NULL);
	opts.after = ma_page_after(first);
	cr_assert_not_null(opts.after);
	/* Labelled 1, so that the next is labelled 2: a skip by page
	 * number would give the offset page 2, not the third. */
	second = paginate_ok(q, 1, 7, true, &opts);
	third = ma_page_next(second, true, &e);
	cr_assert_not_null(third, "%s (%s)", e.message, ma_strerror(e.code));
	cr_assert_eq(ma_page_count(third), 7);
	for (i = 0; i < 7; i++) {
		item_id(third, i, &id);
		cr_assert_eq(bson_oid_compare(&id, &by_offset[14 + i]), 0,
			     "item %zu of the third page", i);
	}

	ma_page_destroy(third);
	ma_page_destroy(second);
	ma_page_destroy(first);
	ma_query_destroy(q);
	live_own_db_close(&lb);
}

Test(pagination, keyset_walk_backward_matches_offset_pages)
{
	bson_oid_t by_offset[30], id;
	live_own_db lb;
	ma_page_opts opts = {0};
	ma_page *p, *prev;
	ma_query *q;
	char *before;
	int64_t page;
	size_t i;

	lb = live_own_db_open("pages");
	save_repeating_books(lb.db, 30, NULL);
	q = sorted_query(lb.db, "-year", "title");
	cr_assert_eq(offset_ids(q, 7, by_offset, 30), 30);

	p = paginate_ok(q, 5, 7, true, NULL);
	cr_assert_eq(ma_page_count(p), 2);
	for (page = 4; page >= 1; page--) {
		cr_assert_not_null(ma_page_before(p), "page %" PRId64 " has no "
				   "before", page + 1);
		before = bson_strdup(ma_page_before(p));
		ma_page_destroy(p);
		opts.before = before;
		/* Only the token says where the page is. */
		p = paginate_ok(q, 2, 7, true, &opts);
		bson_free(before);
		cr_assert_eq(ma_page_count(p), 7, "keyset page %" PRId64
			     " holds %zu", page, ma_page_count(p));
		for (i = 0; i < 7; i++) {
			item_id(p, i, &id);
			cr_assert_eq(bson_oid_compare(&id,
						      &by_offset[(page - 1) * 7 + i]),
				     0, "page %" PRId64 " item %zu", page, i);
		}
		cr_assert(ma_page_has_next(p), "has_next of %" PRId64, page);
	}

	/* Before the first item there is nothing. */
	prev = ma_page_prev(p, true, NULL);
	cr_assert_null(prev, "ma_page_prev of the first keyset page");

	ma_page_destroy(p);
	ma_query_destroy(q);
	live_own_db_close(&lb);
}

Test(pagination, keyset_token_of_another_sort_is_invalid)
{
	live_own_db lb;
	ma_page_opts opts = {0};
	ma_query *q, *title_only, *swapped;
	ma_page *p;

	lb = live_own_db_open("pages");
	save_repeating_books(lb.db, 30, NULL);
	q = sorted_query(lb.db, "-year", "title");
	title_only = sorted_query(lb.db, "title", NULL);
	swapped = sorted_query(lb.db, "title", "-year");

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
	ma_query_destroy(q);
	live_own_db_close(&lb);
}

Test(pagination, keyset_garbage_token_is_invalid)
{
	static const char *const garbage[] = {
		"[", "[1,2,3,4]", "\"x\"", "507f1f77bcf86cd799439011",
	};
	live_own_db lb;
	ma_page_opts opts = {0};
	ma_query *q;
	size_t i;

	lb = live_own_db_open("pages");
	save_repeating_books(lb.db, 30, NULL);
	q = sorted_query(lb.db, "-year", "title");

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

	ma_query_destroy(q);
	live_own_db_close(&lb);
}

Test(pagination, bare_id_is_a_token_without_sort)
{
	bson_oid_t ids[30];
	live_own_db lb;
	ma_page_opts opts = {0};
	ma_page *p, *second;
	ma_query *q;
	char hex[25];

	lb = live_own_db_open("pages");
	save_numbered_books(lb.db, 30, ids);
	q = ma_query_new(lb.db, &library_book_type);

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

	ma_query_destroy(q);
	live_own_db_close(&lb);
}

/* --- JSON ---------------------------------------------------------------- */

Test(pagination, page_json_has_every_member)
{
	live_own_db lb;
	json_object *obj;
	ma_query *q;
	ma_page *p;

	lb = live_own_db_open("pages");
	save_numbered_books(lb.db, 30, NULL);
	q = ma_query_new(lb.db, &library_book_type);

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

	ma_query_destroy(q);
	live_own_db_close(&lb);
}

Test(pagination, page_json_items_are_the_books)
{
	bson_oid_t ids[3];
	live_own_db lb;
	json_object *obj, *item;
	ma_query *q;
	ma_page *p;
	char hex[25];
	size_t i;

	lb = live_own_db_open("pages");
	save_numbered_books(lb.db, 3, ids);
	q = ma_query_new(lb.db, &library_book_type);

	p = paginate_ok(q, 1, MA_PER_PAGE, true, NULL);
	obj = page_json(p);
	assert_json_items(obj, 0, 3);
	for (i = 0; i < 3; i++) {
		item = json_object_array_get_idx(member(obj, "items"), i);
		bson_oid_to_string(&ids[i], hex);
		assert_json_string(item, "_id", hex);
		assert_json_int(item, "year", 1990 + (int64_t)i);
		assert_json_string(member(item, "author"), "name", "Mark Pilgrim");
	}
	json_object_put(obj);

	ma_page_destroy(p);
	ma_query_destroy(q);
	live_own_db_close(&lb);
}

Test(pagination, page_json_without_total_has_null_total_and_pages)
{
	live_own_db lb;
	ma_page_opts opts = {.no_total = true};
	json_object *obj;
	ma_query *q;
	ma_page *p;

	lb = live_own_db_open("pages");
	save_numbered_books(lb.db, 30, NULL);
	q = ma_query_new(lb.db, &library_book_type);

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

	ma_query_destroy(q);
	live_own_db_close(&lb);
}

Test(pagination, keyset_page_json_has_after_and_before)
{
	live_own_db lb;
	ma_page_opts opts = {0};
	json_object *obj;
	ma_page *first, *middle, *last, *back;
	ma_query *q;
	bson_oid_t id;
	char hex[25], *token;

	lb = live_own_db_open("pages");
	save_numbered_books(lb.db, 30, NULL);
	q = ma_query_new(lb.db, &library_book_type);

	first = paginate_ok(q, 1, 10, true, NULL);
	opts.after = ma_page_after(first);
	middle = paginate_ok(q, 2, 10, true, &opts);
	opts.after = ma_page_after(middle);
	last = paginate_ok(q, 3, 10, true, &opts);

	/* Unsorted, the position is the id alone. */
	item_id(middle, 9, &id);
	bson_oid_to_string(&id, hex);
	token = bson_strdup_printf("[\"%s\"]", hex);
	cr_assert_str_eq(ma_page_after(middle), token);
	bson_free(token);
	item_id(middle, 0, &id);
	bson_oid_to_string(&id, hex);
	token = bson_strdup_printf("[\"%s\"]", hex);
	cr_assert_str_eq(ma_page_before(middle), token);
	bson_free(token);

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
	ma_query_destroy(q);
	live_own_db_close(&lb);
}

/* --- filters ------------------------------------------------------------- */

Test(pagination, filters_apply_to_pages_and_total)
{
	live_own_db lb;
	ma_query *q;
	ma_page *p;
	ma_error e;
	size_t i;

	lb = live_own_db_open("pages");
	save_numbered_books(lb.db, 30, NULL);
	q = ma_query_new(lb.db, &library_book_type);
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

	ma_query_destroy(q);
	live_own_db_close(&lb);
}

/* The query's own skip and limit are not the page's. */
Test(pagination, query_skip_and_limit_do_not_apply)
{
	live_own_db lb;
	ma_query *q;
	ma_page *p;
	ma_error e;

	lb = live_own_db_open("pages");
	save_numbered_books(lb.db, 30, NULL);
	q = ma_query_new(lb.db, &library_book_type);
	cr_assert(ma_query_skip(q, 5, &e), "%s", e.message);
	cr_assert(ma_query_limit(q, 3, &e), "%s", e.message);

	p = paginate_ok(q, 2, 10, true, NULL);
	assert_numbered(p, 10, 10);
	assert_total(p, 30, 3);
	ma_page_destroy(p);

	ma_query_destroy(q);
	live_own_db_close(&lb);
}

/* --- a server that is not there ----------------------------------------- */

Test(pagination, stopped_server_is_unavailable_not_not_found)
{
	ma_page_opts no_total = {.no_total = true};
	ma_query *q;
	ma_db *db;

	db = live_stopped_db();
	q = ma_query_new(db, &library_book_type);

	paginate_fails(q, 1, MA_PER_PAGE, true, NULL, MA_ERR_UNAVAILABLE);
	paginate_fails(q, 2, MA_PER_PAGE, true, NULL, MA_ERR_UNAVAILABLE);
	/* Not an empty page either. */
	paginate_fails(q, 2, MA_PER_PAGE, false, NULL, MA_ERR_UNAVAILABLE);
	paginate_fails(q, 2, MA_PER_PAGE, true, &no_total, MA_ERR_UNAVAILABLE);

	ma_query_destroy(q);
	ma_db_destroy(db);
}
