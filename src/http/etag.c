/*
 * Entity-tag lists of If-Match and If-None-Match (RFC 9110 8.8.3, 13.1):
 * "*" or a comma-separated list of tags, each "opaque" or W/"opaque".
 */
#include <stdbool.h>
#include <string.h>

#include "http/http-private.h"

static const char *
skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* etagc: what may stand between the quotes (no quote, no control). */
static bool
etagc(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c != 0x7f);
}

bool
_ma_etag_match(const char *header, const char *etag, bool weak)
{
	const char *p, *start;
	size_t want, len;
	bool is_weak, matched = false;

	if (header == NULL || etag == NULL || etag[0] != '"')
		return false;
	/* Our tags are strong: the opaque part is between the quotes. */
	want = strlen(etag) - 2;
	p = skip_space(header);
	if (*p == '*')
		return *skip_space(p + 1) == '\0';
	for (;;) {
		p = skip_space(p);
		if (*p == ',') { /* empty list elements are allowed */
			p++;
			continue;
		}
		if (*p == '\0')
			return matched;
		is_weak = strncmp(p, "W/", 2) == 0;
		if (is_weak)
			p += 2;
		if (*p != '"')
			return false; /* malformed: matches nothing */
		start = ++p;
		while (etagc((unsigned char)*p))
			p++;
		if (*p != '"')
			return false;
		len = (size_t)(p - start);
		p = skip_space(p + 1);
		if (*p != ',' && *p != '\0')
			return false;
		/* A weak tag never matches strongly. */
		if ((weak || !is_weak) && len == want &&
		    memcmp(start, etag + 1, len) == 0)
			matched = true;
	}
}
