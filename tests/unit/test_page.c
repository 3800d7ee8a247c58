/*
 * Pagination without a server: the arithmetic, and every argument that
 * must be refused (or found past the end) before the database is asked.
 * The database object points at a port nothing listens on, so a call that
 * wrongly reaches for the server fails fast with another error code.
 */
#include <inttypes.h>
#include <stdio.h>

#include <criterion/criterion.h>

#include "fake_env.h"
#include "library.h"
#include "live.h"
#include "config/config-private.h"
#include "query/query-private.h"

#define HEX "0123456789abcdef01234567"

/* --- arithmetic ---------------------------------------------------------- */

static void
expect_offset(int64_t page, int64_t per_page, bool fits, int64_t skip)
{
	int64_t got = -1;

	if (fits) {
		cr_expect(_ma_page_offset(page, per_page, &got),
			  "page %" PRId64 " of %" PRId64 " does not fit", page,
			  per_page);
		cr_expect_eq(got, skip,
			     "page %" PRId64 " of %" PRId64 ": %" PRId64, page,
			     per_page, got);
	} else {
		cr_expect_not(_ma_page_offset(page, per_page, &got),
			      "page %" PRId64 " of %" PRId64 " fits: %" PRId64,
			      page, per_page, got);
	}
}

Test(page_math, offset_of_ordinary_pages)
{
	expect_offset(1, 20, true, 0);
	expect_offset(2, 20, true, 20);
	expect_offset(3, 20, true, 40);
	expect_offset(1, 1, true, 0);
	expect_offset(1, INT64_MAX, true, 0);
}

Test(page_math, offset_beyond_64_bits_does_not_fit)
{
	/* The last page whose first item has a 64-bit offset, then one past. */
	expect_offset(INT64_MAX / 20 + 1, 20, true, (INT64_MAX / 20) * 20);
	expect_offset(INT64_MAX / 20 + 1 + 1, 20, false, 0);
	expect_offset(INT64_MAX, 20, false, 0);
	expect_offset(INT64_MAX, 1, true, INT64_MAX - 1);
	expect_offset(2, INT64_MAX, true, INT64_MAX);
	expect_offset(3, INT64_MAX, false, 0);
	expect_offset(INT64_MAX, INT64_MAX, false, 0);
}

Test(page_math, pages_is_the_ceiling)
{
	cr_expect_eq(_ma_page_pages(0, 20), 0);
	cr_expect_eq(_ma_page_pages(1, 20), 1);
	cr_expect_eq(_ma_page_pages(20, 20), 1);
	cr_expect_eq(_ma_page_pages(21, 20), 2);
	cr_expect_eq(_ma_page_pages(30, 20), 2);
	cr_expect_eq(_ma_page_pages(40, 20), 2);
	cr_expect_eq(_ma_page_pages(41, 20), 3);
	cr_expect_eq(_ma_page_pages(0, INT64_MAX), 0);
}

Test(page_math, pages_does_not_overflow)
{
	cr_expect_eq(_ma_page_pages(INT64_MAX, 1), INT64_MAX);
	cr_expect_eq(_ma_page_pages(INT64_MAX, 2), INT64_C(1) << 62);
	cr_expect_eq(_ma_page_pages(INT64_MAX - 1, 2), (INT64_C(1) << 62) - 1);
	cr_expect_eq(_ma_page_pages(INT64_MAX, 20), INT64_MAX / 20 + 1);
	cr_expect_eq(_ma_page_pages(1, INT64_MAX), 1);
	cr_expect_eq(_ma_page_pages(INT64_MAX, INT64_MAX), 1);
}

/* --- arguments refused before the server is asked ------------------------ */

/* --- page links (iter_pages) -------------------------------------------- */

#define DEFAULTS                                                               \
	MA_ITER_LEFT_EDGE, MA_ITER_LEFT_CURRENT, MA_ITER_RIGHT_CURRENT,        \
		MA_ITER_RIGHT_EDGE

/* The numbers as text ("1 2 0 5"), for messages that show the whole. */
static void
numbers_text(const int64_t *v, size_t n, char *buf, size_t len)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o,
				      i ? " %" PRId64 : "%" PRId64, v[i]);
}

static void
expect_links(int64_t page, int64_t pages, bool more, int le, int lc, int rc,
	     int re, const char *want)
{
	int64_t got[64];
	char text[512];
	size_t n, again;

	n = ma_iter_pages(page, pages, more, le, lc, rc, re, NULL, 0);
	cr_assert_leq(n, 64);
	again = ma_iter_pages(page, pages, more, le, lc, rc, re, got, n);
	cr_expect_eq(again, n, "sized %zu, wrote %zu", n, again);
	numbers_text(got, n, text, sizeof(text));
	cr_expect_str_eq(text, want,
			 "page %" PRId64 " of %" PRId64 "%s (%d, %d, %d, %d): "
			 "\"%s\", not \"%s\"",
			 page, pages, more ? " and more" : "", le, lc, rc, re,
			 text, want);
}

Test(page_links, flask_sqlalchemy_documented_example)
{
	/* Flask-SQLAlchemy 3.1's documentation: 20 pages, the 7th. */
	expect_links(7, 20, false, DEFAULTS, "1 2 0 5 6 7 8 9 10 11 0 19 20");
}

Test(page_links, first_and_last_pages)
{
	expect_links(1, 20, false, DEFAULTS, "1 2 3 4 5 0 19 20");
	expect_links(20, 20, false, DEFAULTS, "1 2 0 18 19 20");
	expect_links(2, 20, false, DEFAULTS, "1 2 3 4 5 6 0 19 20");
	expect_links(19, 20, false, DEFAULTS, "1 2 0 17 18 19 20");
}

Test(page_links, middle_runs_join_the_edges_without_a_gap)
{
	/* 5 - 2 = 3 follows the left edge's 2: no gap between them. */
	expect_links(5, 20, false, DEFAULTS, "1 2 3 4 5 6 7 8 9 0 19 20");
	/* 14 + 4 = 18 is followed by the right edge's 19. */
	expect_links(14, 20, false, DEFAULTS,
		     "1 2 0 12 13 14 15 16 17 18 19 20");
	/* One number skipped is still a gap, as in Flask-SQLAlchemy. */
	expect_links(6, 20, false, DEFAULTS, "1 2 0 4 5 6 7 8 9 10 0 19 20");
	expect_links(13, 20, false, DEFAULTS,
		     "1 2 0 11 12 13 14 15 16 17 0 19 20");
}

Test(page_links, small_totals_show_every_page)
{
	expect_links(1, 1, false, DEFAULTS, "1");
	expect_links(1, 2, false, DEFAULTS, "1 2");
	expect_links(3, 5, false, DEFAULTS, "1 2 3 4 5");
	expect_links(5, 11, false, DEFAULTS, "1 2 3 4 5 6 7 8 9 10 11");
	/* Page 3 alone is skipped: Flask-SQLAlchemy 3.1 shows the gap too. */
	expect_links(6, 11, false, DEFAULTS, "1 2 0 4 5 6 7 8 9 10 11");
}

Test(page_links, no_pages_no_numbers)
{
	expect_links(1, 0, false, DEFAULTS, "");
	expect_links(1, -3, false, DEFAULTS, "");
	cr_expect_eq(ma_iter_pages(1, 0, true, DEFAULTS, NULL, 0), 0);
}

Test(page_links, other_widths)
{
	/* No edges: the neighbourhood, with gaps on both sides. */
	expect_links(10, 20, false, 0, 1, 1, 0, "0 9 10 11 0");
	expect_links(1, 20, false, 0, 0, 0, 0, "1 0");
	expect_links(20, 20, false, 0, 0, 0, 0, "0 20");
	/* Edges wider than the whole: every page once. */
	expect_links(3, 4, false, 10, 0, 0, 10, "1 2 3 4");
	expect_links(9, 30, false, 1, 3, 1, 1, "1 0 6 7 8 9 10 0 30");
	/* Negative counts are 0. */
	expect_links(10, 20, false, -1, -5, -5, -1, "0 10 0");
}

Test(page_links, page_outside_the_range_shows_what_is_within)
{
	expect_links(40, 20, false, DEFAULTS, "1 2 0 19 20");
	/* Page 0's neighbours up to 4 are pages. */
	expect_links(0, 20, false, DEFAULTS, "1 2 3 4 0 19 20");
	expect_links(INT64_MAX, INT64_MAX, false, DEFAULTS,
		     "1 2 0 9223372036854775805 9223372036854775806 "
		     "9223372036854775807");
	expect_links(INT64_MIN, 5, false, DEFAULTS, "1 2 0 4 5");
	/* The numbers stop at INT64_MAX, without stepping past it. */
	expect_links(INT64_MAX, INT64_MAX, true, DEFAULTS,
		     "1 2 0 9223372036854775805 9223372036854775806 "
		     "9223372036854775807 0");
	expect_links(INT64_MAX - 1, INT64_MAX, false, 0, 0, 9, -9,
		     "0 9223372036854775806 9223372036854775807");
}

Test(page_links, unknown_total_ends_with_a_gap)
{
	/* Page 7 of a list without a count, which has a next page: pages up
	 * to 8 exist, what follows is unknown. */
	expect_links(7, 8, true, DEFAULTS, "1 2 0 5 6 7 8 0");
	expect_links(1, 2, true, DEFAULTS, "1 2 0");
}

Test(page_links, short_buffer_gets_the_first_numbers)
{
	int64_t got[4] = {-1, -1, -1, -1};

	cr_expect_eq(ma_iter_pages(7, 20, false, DEFAULTS, got, 3), 13);
	cr_expect_eq(got[0], 1);
	cr_expect_eq(got[1], 2);
	cr_expect_eq(got[2], 0);
	cr_expect_eq(got[3], -1, "wrote past out_len");
}

static ma_db *db;
/* A server that is not there (it fails fast and differently): any
 * call that reached for it would not fail as these must. */
static void
setup(void)
{
	db = live_stopped_db();
}

static void
teardown(void)
{
	ma_db_destroy(db);
}

TestSuite(paginate, .init = setup, .fini = teardown);

static void
expect_paginate_fails(ma_query *q, int64_t page, int64_t per_page,
		      bool error_out, const ma_page_opts *opts,
		      ma_error_code code)
{
	ma_error e;
	ma_page *p;

	ma_error_clear(&e);
	if (opts == NULL)
		p = ma_query_paginate(q, page, per_page, error_out, &e);
	else
		p = ma_query_paginate_with_opts(q, page, per_page, error_out,
						opts, &e);
	cr_expect_null(p, "page %" PRId64 " of %" PRId64 " came back", page,
		       per_page);
	cr_expect_eq(e.code, code,
		     "page %" PRId64 " of %" PRId64
		     " after %s before %s: %s (%s)",
		     page, per_page,
		     opts != NULL && opts->after != NULL ? opts->after : "-",
		     opts != NULL && opts->before != NULL ? opts->before : "-",
		     ma_strerror(e.code), e.message);
	ma_page_destroy(p);
}

Test(paginate, per_page_below_one_is_invalid)
{
	ma_query *q = ma_query_new(db, &library_book_type);

	expect_paginate_fails(q, 1, 0, true, NULL, MA_ERR_INVALID);
	expect_paginate_fails(q, 1, 0, false, NULL, MA_ERR_INVALID);
	expect_paginate_fails(q, 1, -5, true, NULL, MA_ERR_INVALID);
	expect_paginate_fails(q, 2, INT64_MIN, false, NULL, MA_ERR_INVALID);
	ma_query_destroy(q);
}

Test(paginate, page_past_any_offset_is_not_found)
{
	ma_query *q = ma_query_new(db, &library_book_type);

	expect_paginate_fails(q, INT64_MAX, 20, true, NULL, MA_ERR_NOT_FOUND);
	expect_paginate_fails(q, INT64_MAX / 20 + 2, 20, true, NULL,
			      MA_ERR_NOT_FOUND);
	expect_paginate_fails(q, 3, INT64_MAX, true, NULL, MA_ERR_NOT_FOUND);
	ma_query_destroy(q);
}

Test(paginate, page_below_one_is_not_found)
{
	ma_query *q = ma_query_new(db, &library_book_type);

	expect_paginate_fails(q, 0, 20, true, NULL, MA_ERR_NOT_FOUND);
	expect_paginate_fails(q, -1, 20, true, NULL, MA_ERR_NOT_FOUND);
	expect_paginate_fails(q, INT64_MIN, 20, true, NULL, MA_ERR_NOT_FOUND);
	ma_query_destroy(q);
}

Test(paginate, query_error_comes_first)
{
	ma_query *q = ma_query_new(db, &library_book_type);
	ma_error first, e;

	cr_assert_not(
		ma_query_filter(q, "isbn", MA_OP_EQ, MA_V_STRING("x"), &first));
	cr_expect_null(ma_query_paginate(q, 1, 20, true, &e));
	cr_expect_eq(e.code, MA_ERR_INVALID);
	cr_expect_str_eq(e.message, first.message);
	ma_query_destroy(q);
}

static void
expect_bad_token(ma_query *q, const char *token)
{
	ma_page_opts after = {.after = token};
	ma_page_opts before = {.before = token};

	expect_paginate_fails(q, 2, 20, true, &after, MA_ERR_INVALID);
	expect_paginate_fails(q, 2, 20, false, &before, MA_ERR_INVALID);
}

Test(paginate, token_that_does_not_fit_the_sort_is_invalid)
{
	ma_query *q = ma_query_new(db, &library_book_type);
	ma_error e;

	/* Sorted by year then, implicitly, by id: a token holds two keys. */
	cr_assert(ma_query_sort(q, "-year", &e), "%s", e.message);
	expect_bad_token(q, "[");
	expect_bad_token(q, "{}");
	expect_bad_token(q, "[1]");
	expect_bad_token(q, "x");
	expect_bad_token(q, "");
	expect_bad_token(q, "[2004,\"" HEX "\",3]");
	expect_bad_token(q, "[2004,\"zz\"]");
	expect_bad_token(q, "[2004,\"" HEX "\"]garbage");
	expect_bad_token(q, HEX);
	ma_query_destroy(q);
}

Test(paginate, token_of_an_id_sorted_query_must_be_an_id)
{
	ma_query *q = ma_query_new(db, &library_book_type);

	expect_bad_token(q, "x");
	expect_bad_token(q, "[1]");
	expect_bad_token(q, "[\"" HEX "\",\"" HEX "\"]");
	expect_bad_token(q, "0123456789abcdef0123456");
	expect_bad_token(q, "0123456789abcdef0123456z");
	ma_query_destroy(q);
}

Test(paginate, after_and_before_together_are_invalid)
{
	ma_query *q = ma_query_new(db, &library_book_type);
	ma_page_opts both = {.after = HEX, .before = HEX};
	ma_page_opts both_no_total = {.no_total = true,
				      .after = "[\"" HEX "\"]",
				      .before = "[\"" HEX "\"]"};

	expect_paginate_fails(q, 1, 20, true, &both, MA_ERR_INVALID);
	expect_paginate_fails(q, 1, 20, false, &both_no_total, MA_ERR_INVALID);
	ma_query_destroy(q);
}

Test(paginate, keyset_mode_checks_its_arguments_first)
{
	ma_query *q = ma_query_new(db, &library_book_type);
	ma_page_opts keyset = {.keyset = true};
	ma_page_opts quick = {.keyset = true, .no_total = true};

	expect_paginate_fails(q, 1, 0, true, &keyset, MA_ERR_INVALID);
	expect_paginate_fails(q, 0, 20, true, &keyset, MA_ERR_NOT_FOUND);
	expect_paginate_fails(q, 1, -1, false, &quick, MA_ERR_INVALID);
	expect_paginate_fails(q, -3, 20, true, &quick, MA_ERR_NOT_FOUND);
	ma_query_destroy(q);
}
