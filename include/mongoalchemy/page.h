/*
 * Pages: Flask-MongoAlchemy's paginate() and Pagination, plus pages
 * without a count and keyset pages for big collections.
 */
#ifndef MONGOALCHEMY_PAGE_H
#define MONGOALCHEMY_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bson/bson.h>

#include <mongoalchemy/query.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Flask-MongoAlchemy's default per_page. */
#define MA_PER_PAGE 20

/*
 * Pages beyond Flask-MongoAlchemy's, for big collections:
 *
 * no_total   skip the count: total and pages are unknown and has_next comes
 *            from asking for one item more than the page holds. Counting
 *            is what makes every page of a big collection slow.
 * keyset     keyset mode from the first page on: has_next comes from one
 *            item more, and the page's JSON carries the tokens that ask
 *            for its neighbours. after and before imply it.
 * after      keyset mode: the page that follows the item whose token
 *            (ma_page_after()) is given, found with a range on the sort
 *            keys instead of skipping: deep pages cost what the first one
 *            does. The page number is then only a label.
 * before     keyset mode, backwards: the page that precedes the item whose
 *            token (ma_page_before()) is given.
 *
 * A token is short text (a JSON array of the item's sort keys and id) to
 * pass back unchanged; for a query sorted by id alone a bare 24-hex-digit
 * id is one too. A token that does not fit the query's sort is
 * MA_ERR_INVALID.
 */
typedef struct ma_page_opts {
	bool no_total;
	bool keyset;
	const char *after;
	const char *before;
} ma_page_opts;

typedef struct ma_page ma_page;

/*
 * Flask-MongoAlchemy's paginate(page, per_page, error_out): the page-th
 * group of per_page results (pages count from 1), in the query's sort with
 * the id as the last key (so pages never overlap or skip an item; a query
 * without sort is in id order). The query's own skip and limit do not
 * apply. One find with limit per_page (and batchSize to match, up to
 * 1,000: one round trip); a count only when the page is full (a short page is
 * the last) or was found by keyset.
 *
 * With error_out, page < 1, and an empty page other than page 1, fail with
 * MA_ERR_NOT_FOUND (a page beyond any 64-bit offset included); without it,
 * such a page is returned empty. per_page < 1 is MA_ERR_INVALID. A
 * database error is never "not found".
 */
ma_page *ma_query_paginate(ma_query *query, int64_t page, int64_t per_page,
			   bool error_out,
			   ma_error *error) MA_WARN_UNUSED_RESULT;
ma_page *ma_query_paginate_with_opts(ma_query *query, int64_t page,
				     int64_t per_page, bool error_out,
				     const ma_page_opts *opts,
				     ma_error *error) MA_WARN_UNUSED_RESULT;

/* NULL is a no-op. */
void ma_page_destroy(ma_page *page);

/* The items, in order; each owned by the page. */
size_t ma_page_count(const ma_page *page);
const ma_doc *ma_page_item(const ma_page *page, size_t i);

int64_t ma_page_number(const ma_page *page);
int64_t ma_page_per_page(const ma_page *page);
/* false when unknown (no_total). */
bool ma_page_total(const ma_page *page, int64_t *total);
/* ceil(total / per_page); false when unknown. */
bool ma_page_pages(const ma_page *page, int64_t *pages);
bool ma_page_has_prev(const ma_page *page);
bool ma_page_has_next(const ma_page *page);
/* page - 1 and page + 1; false where there is no such page. */
bool ma_page_prev_num(const ma_page *page, int64_t *num);
bool ma_page_next_num(const ma_page *page, int64_t *num);

/* The query the page came from (a copy, owned by the page). */
const ma_query *ma_page_query(const ma_page *page);

/* Keyset tokens of the last and first items (NULL on an empty page);
 * valid while the page lives. */
const char *ma_page_after(const ma_page *page);
const char *ma_page_before(const ma_page *page);

/*
 * The neighbouring pages, asked the way this one was (same per_page and
 * options; in keyset mode, after this page's last item or before its
 * first). Without such a page: NULL with MA_ERR_NOT_FOUND when error_out,
 * else an empty page.
 */
ma_page *ma_page_next(const ma_page *page, bool error_out,
		      ma_error *error) MA_WARN_UNUSED_RESULT;
ma_page *ma_page_prev(const ma_page *page, bool error_out,
		      ma_error *error) MA_WARN_UNUSED_RESULT;

/*
 * The page numbers a page-link widget shows, as Flask-SQLAlchemy 3.1's
 * Pagination.iter_pages(left_edge, left_current, right_current,
 * right_edge) yields them: the first left_edge pages, the current page
 * with left_current pages before it and right_current after it, and the
 * last right_edge pages, in order, with a 0 (Python's None) wherever
 * numbers are skipped, before the first shown or after the last shown
 * included. The defaults (MA_ITER_*): 20 pages, page 7 give
 * 1 2 0 5 6 7 8 9 10 11 0 19 20. A negative count is 0.
 *
 * Writes at most out_len numbers to out (may be NULL with out_len 0) and
 * returns how many there are, so that a first call with no room sizes the
 * buffer; never more than left_edge + left_current + right_current +
 * right_edge + 4. Cannot fail.
 *
 * ma_iter_pages() works on numbers alone: page of pages (0 pages: none
 * shown); more: pages is only the last page known to exist (a count was
 * not made), so right_edge does not apply and a 0 ends the list.
 * ma_page_iter_pages() takes them from a page: its number and pages, or
 * without a total (no_total) its number, one more when it has a next
 * page, and more; a keyset page's number is only a label, so none.
 */
#define MA_ITER_LEFT_EDGE 2
#define MA_ITER_LEFT_CURRENT 2
#define MA_ITER_RIGHT_CURRENT 4
#define MA_ITER_RIGHT_EDGE 2
size_t ma_iter_pages(int64_t page, int64_t pages, bool more, int left_edge,
		     int left_current, int right_current, int right_edge,
		     int64_t *out, size_t out_len);
size_t ma_page_iter_pages(const ma_page *page, int left_edge, int left_current,
			  int right_current, int right_edge, int64_t *out,
			  size_t out_len);

/*
 * The page object as JSON text, NUL-terminated (bson_free()):
 *   {"items": [...], "page": 2, "per_page": 20, "total": 30, "pages": 2,
 *    "has_prev": true, "has_next": false, "prev_num": 1, "next_num": null}
 * total and pages are null when unknown. A keyset page adds "after" and
 * "before": the tokens that ask for the next and previous page (null when
 * there is none). *len (when not NULL) gets the length. Cannot fail.
 */
char *ma_page_to_json(const ma_page *page, size_t *len) MA_WARN_UNUSED_RESULT;

#ifdef __cplusplus
}
#endif

#endif
