/*
 * The Link header of a page (RFC 8288): first, prev, next and last, each
 * the request's own URL with its page replaced.
 */
#include <inttypes.h>
#include <string.h>

#include "http/http-private.h"

/* The path as a URI reference: bytes a path holds raw are kept (escapes
 * stay escapes), anything else, '<' and '>' included, is encoded. */
static void
append_path(ma_buf *buf, const char *path)
{
	_ma_buf_pct_encode(buf, path, strlen(path), "!$&'()*+,;=:@/%");
}

static void
append_link(ma_buf *buf, bool first, const char *path, const ma_qs *qs,
	    int64_t page, int64_t per_page, const char *rel)
{
	const ma_qs_pair *pair;
	size_t i;

	if (!first)
		_ma_buf_append(buf, ", ", 2);
	_ma_buf_putc(buf, '<');
	append_path(buf, path != NULL ? path : "");
	_ma_buf_putc(buf, '?');
	for (i = 0; qs != NULL && i < qs->n; i++) {
		pair = &qs->pairs[i];
		if (strcmp(pair->name, "page") == 0 ||
		    strcmp(pair->name, "per_page") == 0)
			continue;
		_ma_qs_encode(buf, pair->name);
		_ma_buf_putc(buf, '=');
		_ma_qs_encode(buf, pair->value);
		_ma_buf_putc(buf, '&');
	}
	_ma_buf_printf(buf,
		       "page=%" PRId64 "&per_page=%" PRId64 ">; rel=\"%s\"",
		       page, per_page, rel);
}

void
_ma_page_links(ma_buf *buf, const char *path, const ma_qs *qs, int64_t page,
	       int64_t per_page, int64_t pages, bool has_next)
{
	/* Each link ends with a printf, which leaves the text terminated. */
	append_link(buf, true, path, qs, 1, per_page, "first");
	if (page > 1)
		append_link(buf, false, path, qs, page - 1, per_page, "prev");
	if (has_next && page < INT64_MAX)
		append_link(buf, false, path, qs, page + 1, per_page, "next");
	/* An empty list has its page 1 (first) but no last page: its
	 * "pages" is 0, and the link agrees. */
	if (pages > 0)
		append_link(buf, false, path, qs, pages, per_page, "last");
}
