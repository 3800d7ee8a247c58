/*
 * Pagination without a server: the arithmetic, and every argument that
 * must be refused (or found past the end) before the database is asked.
 * The database object points at a port nothing listens on, so a call that
 * wrongly reaches for the server fails fast with another error code.
 */
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
