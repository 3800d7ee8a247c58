/*
 * Pagination: Flask-MongoAlchemy's paginate() and Pagination, plus pages
 * without a count and keyset pages for big collections.
 *
 * A page is one find: limit per_page (one more when the next page's
 * existence must come from the data), batchSize to match, so one round
 * trip. The id is always the last sort key, so that the order is total and
 * pages neither overlap nor skip.
 */
#include <inttypes.h>
#include <string.h>

#include "query/query-private.h"

/* Pages larger than this take more than one round trip. */
#define PAGE_BATCH_MAX 1000

struct ma_page {
	ma_query *query; /* a copy */
	int64_t number, per_page;
	bool no_total, keyset;
	bool has_total;
	int64_t total;
	bool has_prev, has_next;
	ma_doc **items;
	size_t n;
	char *after, *before;
};

/* --- arithmetic ---------------------------------------------------------- */

bool
_ma_page_offset(int64_t page, int64_t per_page, int64_t *skip)
{
	if (page < 1 || per_page < 1)
		return false;
	if (page - 1 > INT64_MAX / per_page)
		return false;
	*skip = (page - 1) * per_page;
	return true;
}

int64_t
_ma_page_pages(int64_t total, int64_t per_page)
{
	if (total <= 0 || per_page < 1)
		return 0;
	return total / per_page + (total % per_page != 0);
}

/* --- fetching ------------------------------------------------------------ */

static ma_page *
page_new(const ma_query *query, int64_t number, int64_t per_page,
	 const ma_page_opts *opts)
{
	ma_page *p = bson_malloc0(sizeof(*p));

	p->query = ma_query_copy(query);
	p->number = number;
	p->per_page = per_page;
	p->no_total = opts->no_total;
	p->keyset = opts->keyset || opts->after != NULL || opts->before != NULL;
	return p;
}

void
ma_page_destroy(ma_page *page)
{
	size_t i;

	if (page == NULL)
		return;
	for (i = 0; i < page->n; i++)
		ma_doc_destroy(page->items[i]);
	bson_free(page->items);
	bson_free(page->after);
	bson_free(page->before);
	ma_query_destroy(page->query);
	bson_free(page);
}

static bool
count_total(ma_page *p, ma_error *error)
{
	if (p->no_total)
		return true;
	if (!ma_query_count(p->query, &p->total, error))
		return false;
	p->has_total = true;
	return true;
}

/* A page with no items past the end (or before the start). */
static ma_page *
empty_page(const ma_query *query, int64_t number, int64_t per_page,
	   const ma_page_opts *opts, ma_error *error)
{
	ma_page *p = page_new(query, number, per_page, opts);

	if (!count_total(p, error)) {
		ma_page_destroy(p);
		return NULL;
	}
	p->has_prev = number > 1 && !p->keyset;
	ma_error_clear(error);
	return p;
}

static void
reverse(ma_doc **docs, size_t n)
{
	ma_doc *t;
	size_t i;

	for (i = 0; i < n / 2; i++) {
		t = docs[i];
		docs[i] = docs[n - 1 - i];
		docs[n - 1 - i] = t;
	}
}

/* A page that does not exist: not found with error_out, else empty. */
static ma_page *
missing(const ma_query *query, int64_t number, int64_t per_page, bool error_out,
	const ma_page_opts *opts, ma_error *error)
{
	if (!error_out)
		return empty_page(query, number, per_page, opts, error);
	_ma_error_set(error, MA_ERR_NOT_FOUND,
		      "page %" PRId64 " does not exist", number);
	return NULL;
}

ma_page *
ma_query_paginate_with_opts(ma_query *query, int64_t number, int64_t per_page,
			    bool error_out, const ma_page_opts *opts,
			    ma_error *error)
{
	static const ma_page_opts none;
	const bson_t *filter = _ma_query_filter(query);
	ma_page *p = NULL;
	ma_keyset ks = {0};
	bson_t fopts = BSON_INITIALIZER, keyed;
	const char *token;
	bool forward, more;
	int64_t skip = 0, want;

	if (opts == NULL)
		opts = &none;
	if (!_ma_query_usable(query, error))
		goto done;
	if (per_page < 1) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "per_page must be 1 or more, not %" PRId64,
			      per_page);
		goto done;
	}
	if (opts->after != NULL && opts->before != NULL) {
		_ma_error_set(
			error, MA_ERR_INVALID,
			"a page is after an item or before one, not both");
		goto done;
	}
	token = opts->after != NULL ? opts->after : opts->before;
	forward = opts->before == NULL;

	/* Page numbers count from 1; a keyset page's number is a label. */
	if (number < 1 ||
	    (token == NULL && !_ma_page_offset(number, per_page, &skip))) {
		p = missing(query, number, per_page, error_out, opts, error);
		goto done;
	}

	_ma_keyset_init(&ks, query);
	if (token != NULL) {
		if (!_ma_keyset_filter(&ks, query, token, forward, &keyed,
				       error))
			goto done;
		filter = &keyed;
	}

	p = page_new(query, number, per_page, opts);
	/* One more item tells whether a next page exists, where no count
	 * (or no position) says so. */
	want = per_page;
	if ((p->no_total || p->keyset) && want < INT64_MAX)
		want++;
	_ma_query_find_opts(query, true, !forward, skip, want, &fopts);
	/* The whole page in the first batch, up to a bound: a server may
	 * size its buffers by batchSize before it knows how many match. */
	BSON_APPEND_INT32(&fopts, "batchSize",
			  want < PAGE_BATCH_MAX ? (int32_t)want
						: PAGE_BATCH_MAX);
	if (!_ma_query_fetch(query, filter, &fopts, &p->items, &p->n, error))
		goto fail;
	more = (int64_t)p->n > per_page;
	if (more)
		ma_doc_destroy(p->items[--p->n]);

	if (p->n == 0 && (number > 1 || token != NULL)) {
		ma_page_destroy(p);
		p = missing(query, number, per_page, error_out, opts, error);
		goto done;
	}
	if (!forward)
		reverse(p->items, p->n);

	/* A short offset page is the last: its total needs no count. */
	if (!p->no_total) {
		if (token == NULL && (int64_t)p->n < per_page) {
			p->total = skip + (int64_t)p->n;
			p->has_total = true;
		} else if (!count_total(p, error)) {
			goto fail;
		}
	}
	if (token == NULL) {
		p->has_prev = number > 1;
		p->has_next =
			p->has_total && !p->keyset
				? number < _ma_page_pages(p->total, per_page)
				: more;
	} else if (forward) {
		p->has_prev = true;
		p->has_next = more;
	} else {
		p->has_prev = more;
		p->has_next = true;
	}
	if (p->n > 0) {
		p->after = _ma_keyset_token(&ks, p->items[p->n - 1]);
		p->before = _ma_keyset_token(&ks, p->items[0]);
	}
	ma_error_clear(error);
	goto done;
fail:
	ma_page_destroy(p);
	p = NULL;
done:
	_ma_keyset_destroy(&ks);
	if (filter == &keyed)
		bson_destroy(&keyed);
	bson_destroy(&fopts);
	return p;
}

ma_page *
ma_query_paginate(ma_query *query, int64_t page, int64_t per_page,
		  bool error_out, ma_error *error)
{
	return ma_query_paginate_with_opts(query, page, per_page, error_out,
					   NULL, error);
}

/* --- reading a page ------------------------------------------------------ */

size_t
ma_page_count(const ma_page *page)
{
	return page->n;
}

const ma_doc *
ma_page_item(const ma_page *page, size_t i)
{
	return i < page->n ? page->items[i] : NULL;
}

ma_doc **
_ma_page_items(ma_page *page, size_t *n)
{
	*n = page->n;
	return page->items;
}

int64_t
ma_page_number(const ma_page *page)
{
	return page->number;
}

int64_t
ma_page_per_page(const ma_page *page)
{
	return page->per_page;
}

bool
ma_page_total(const ma_page *page, int64_t *total)
{
	if (!page->has_total)
		return false;
	*total = page->total;
	return true;
}

bool
ma_page_pages(const ma_page *page, int64_t *pages)
{
	if (!page->has_total)
		return false;
	*pages = _ma_page_pages(page->total, page->per_page);
	return true;
}

bool
ma_page_has_prev(const ma_page *page)
{
	return page->has_prev;
}

bool
ma_page_has_next(const ma_page *page)
{
	return page->has_next;
}

bool
ma_page_prev_num(const ma_page *page, int64_t *num)
{
	if (!page->has_prev || page->number <= 1)
		return false;
	*num = page->number - 1;
	return true;
}

bool
ma_page_next_num(const ma_page *page, int64_t *num)
{
	if (!page->has_next || page->number == INT64_MAX)
		return false;
	*num = page->number + 1;
	return true;
}

const ma_query *
ma_page_query(const ma_page *page)
{
	return page->query;
}

const char *
ma_page_after(const ma_page *page)
{
	return page->after;
}

const char *
ma_page_before(const ma_page *page)
{
	return page->before;
}

static ma_page *
neighbour(const ma_page *page, bool next, bool error_out, ma_error *error)
{
	ma_page_opts opts = {.no_total = page->no_total,
			     .keyset = page->keyset};
	int64_t number = next ? page->number + (page->number < INT64_MAX)
			      : page->number - 1;
	bool nowhere;

	if (page->keyset) {
		/* From this page's last (or first) item; an empty page has
		 * no position to go on from. */
		opts.after = next ? page->after : NULL;
		opts.before = next ? NULL : page->before;
		nowhere = opts.after == NULL && opts.before == NULL;
		if (number < 1)
			number = 1;
	} else {
		/* Past INT64_MAX, asking again would give the same page. */
		nowhere = next && page->number == INT64_MAX;
	}
	if (nowhere)
		return missing(page->query, number, page->per_page, error_out,
			       &opts, error);
	return ma_query_paginate_with_opts(page->query, number, page->per_page,
					   error_out, &opts, error);
}

ma_page *
ma_page_next(const ma_page *page, bool error_out, ma_error *error)
{
	return neighbour(page, true, error_out, error);
}

ma_page *
ma_page_prev(const ma_page *page, bool error_out, ma_error *error)
{
	return neighbour(page, false, error_out, error);
}

/* --- page links ---------------------------------------------------------- */

/* a + b without leaving int64_t (b >= 0). */
static int64_t
add_sat(int64_t a, int64_t b)
{
	return a > INT64_MAX - b ? INT64_MAX : a + b;
}

static int64_t
sub_sat(int64_t a, int64_t b)
{
	return a < INT64_MIN + b ? INT64_MIN : a - b;
}

typedef struct run {
	int64_t from, to; /* empty when from > to */
} run;

static void
put(int64_t *out, size_t out_len, size_t *n, int64_t v)
{
	if (*n < out_len)
		out[*n] = v;
	(*n)++;
}

/*
 * The three runs (edges and the current page's neighbourhood) within
 * 1..pages, in order of their starts, merged where they touch; a 0
 * wherever a number between 1 and pages (or past pages when more) is
 * not shown. For a page within 1..pages it is Flask-SQLAlchemy 3.1's
 * iter_pages() exactly; for a page outside, the numbers of its runs
 * that are pages.
 */
size_t
ma_iter_pages(int64_t page, int64_t pages, bool more, int left_edge,
	      int left_current, int right_current, int right_edge, int64_t *out,
	      size_t out_len)
{
	run runs[3], t;
	int64_t last = 0;
	size_t n = 0, i, j;

	if (pages <= 0)
		return 0;
	runs[0].from = 1;
	runs[0].to =
		left_edge > 0 ? (left_edge < pages ? left_edge : pages) : 0;
	runs[1].from = sub_sat(page, left_current > 0 ? left_current : 0);
	runs[1].to = add_sat(page, right_current > 0 ? right_current : 0);
	if (runs[1].from < 1)
		runs[1].from = 1;
	if (runs[1].to > pages)
		runs[1].to = pages;
	/* No right edge: an empty run (from > to). */
	runs[2].to = more || right_edge <= 0 ? 0 : pages;
	runs[2].from = right_edge <= 0 || right_edge >= pages
			       ? 1
			       : pages - right_edge + 1;
	/* Three items: a straight insertion sort by start. */
	for (i = 1; i < 3; i++) {
		for (j = i; j > 0 && runs[j].from < runs[j - 1].from; j--) {
			t = runs[j];
			runs[j] = runs[j - 1];
			runs[j - 1] = t;
		}
	}
	/* Counted so that no number steps past INT64_MAX. */
	for (i = 0; i < 3 && last < INT64_MAX; i++) {
		int64_t v = runs[i].from > last ? runs[i].from : last + 1;

		if (v > runs[i].to)
			continue;
		if (v > last + 1)
			put(out, out_len, &n, 0);
		for (;;) {
			put(out, out_len, &n, v);
			if (v == runs[i].to)
				break;
			v++;
		}
		last = runs[i].to;
	}
	if (last > 0 && (last < pages || more))
		put(out, out_len, &n, 0);
	return n;
}

size_t
ma_page_iter_pages(const ma_page *page, int left_edge, int left_current,
		   int right_current, int right_edge, int64_t *out,
		   size_t out_len)
{
	int64_t pages;

	if (page->keyset)
		return 0;
	if (ma_page_pages(page, &pages))
		return ma_iter_pages(page->number, pages, false, left_edge,
				     left_current, right_current, right_edge,
				     out, out_len);
	/* No count: the pages up to the next one, if any, are known. */
	return ma_iter_pages(page->number,
			     add_sat(page->number, page->has_next ? 1 : 0),
			     page->has_next, left_edge, left_current,
			     right_current, right_edge, out, out_len);
}

/* --- JSON ---------------------------------------------------------------- */

static void
write_num(ma_buf *b, const char *name, bool known, int64_t v)
{
	if (known)
		_ma_buf_printf(b, ",\"%s\":%" PRId64, name, v);
	else
		_ma_buf_printf(b, ",\"%s\":null", name);
}

static void
write_token(ma_buf *b, const char *name, bool exists, const char *token)
{
	_ma_buf_printf(b, ",\"%s\":", name);
	if (exists && token != NULL)
		_ma_json_write_string(b, token, strlen(token));
	else
		_ma_buf_append(b, "null", 4);
}

char *
ma_page_to_json(const ma_page *page, size_t *len)
{
	const ma_type *type = page->query->type;
	ma_buf b;
	int64_t num = 0, pages = 0;
	bool known;
	size_t i;

	_ma_buf_init(&b, 256 + page->n * 256);
	_ma_buf_append(&b, "{\"items\":[", 10);
	for (i = 0; i < page->n; i++) {
		if (i > 0)
			_ma_buf_putc(&b, ',');
		_ma_json_write_doc(&b, type, ma_doc_bson(page->items[i]));
	}
	_ma_buf_printf(&b, "],\"page\":%" PRId64 ",\"per_page\":%" PRId64,
		       page->number, page->per_page);
	write_num(&b, "total", page->has_total, page->total);
	known = ma_page_pages(page, &pages);
	write_num(&b, "pages", known, pages);
	_ma_buf_printf(&b, ",\"has_prev\":%s,\"has_next\":%s",
		       page->has_prev ? "true" : "false",
		       page->has_next ? "true" : "false");
	known = ma_page_prev_num(page, &num);
	write_num(&b, "prev_num", known, num);
	known = ma_page_next_num(page, &num);
	write_num(&b, "next_num", known, num);
	if (page->keyset) {
		write_token(&b, "after", page->has_next, page->after);
		write_token(&b, "before", page->has_prev, page->before);
	}
	_ma_buf_putc(&b, '}');
	return _ma_buf_steal(&b, len);
}
