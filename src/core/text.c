/*
 * The small rules of text that every part reads by: whole-string integers
 * with bounds, the boolean vocabulary, and percent-encoding. One of each,
 * so that a port, a page number and a worker count are read alike.
 */
#include <string.h>
#include <strings.h>

#include "core/core.h"

ma_int_status
_ma_parse_int(const char *s, unsigned base, int64_t min, int64_t max,
	      int64_t *out)
{
	bool neg = s != NULL && s[0] == '-';
	const char *p;
	uint64_t limit, v = 0, d;
	int64_t n;

	if (s == NULL || (neg && min >= 0))
		return MA_INT_SYNTAX;
	p = s + (neg ? 1 : 0);
	if (*p == '\0')
		return MA_INT_SYNTAX;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p >= (char)('0' + base))
			return MA_INT_SYNTAX;
	}
	/* The magnitude may reach |min| or max, whichever the sign allows:
	 * checked digit by digit, before anything can overflow. */
	limit = neg ? (uint64_t)(-(min + 1)) + 1
		    : (uint64_t)(max < 0 ? 0 : max);
	for (p = s + (neg ? 1 : 0); *p != '\0'; p++) {
		d = (uint64_t)(*p - '0');
		if (d > limit || v > (limit - d) / base)
			return MA_INT_RANGE;
		v = v * base + d;
	}
	/* -(v - 1) - 1: INT64_MIN's magnitude has no positive int64_t. */
	n = neg ? (v == 0 ? 0 : -(int64_t)(v - 1) - 1) : (int64_t)v;
	if (n < min || n > max)
		return MA_INT_RANGE;
	*out = n;
	return MA_INT_OK;
}

/* The one vocabulary of booleans: each word, and the first (narrowest)
 * set of words that takes it. */
static const struct {
	const char *word;
	bool value;
	ma_bool_words from;
} bool_words[] = {
	{"true", true, MA_BOOL_JSON},	{"false", false, MA_BOOL_JSON},
	{"1", true, MA_BOOL_FLAG},	{"0", false, MA_BOOL_FLAG},
	{"yes", true, MA_BOOL_SETTING}, {"no", false, MA_BOOL_SETTING},
	{"on", true, MA_BOOL_SETTING},	{"off", false, MA_BOOL_SETTING},
};

bool
_ma_parse_bool(const char *s, ma_bool_words words, bool *out)
{
	size_t i;

	for (i = 0; s != NULL && i < sizeof(bool_words) / sizeof(bool_words[0]);
	     i++) {
		if (bool_words[i].from > words)
			continue;
		/* Only settings, which people type into shell files, take any
		 * case: a query string is written by programs. */
		if (words == MA_BOOL_SETTING
			    ? strcasecmp(s, bool_words[i].word) == 0
			    : strcmp(s, bool_words[i].word) == 0) {
			*out = bool_words[i].value;
			return true;
		}
	}
	return false;
}

void
_ma_buf_pct_encode(ma_buf *buf, const char *s, size_t n, const char *keep)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s;
	size_t i;
	char *o;

	/* The worst case at once: every byte as %XX. */
	_ma_buf_reserve(buf, n * 3);
	o = buf->data + buf->len;
	for (i = 0; i < n; i++) {
		unsigned char c = p[i];

		/* RFC 3986 section 2.3's unreserved set, and the caller's. */
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~' ||
		    (c != '\0' && keep != NULL && strchr(keep, c) != NULL)) {
			*o++ = (char)c;
			continue;
		}
		*o++ = '%';
		*o++ = hex[c >> 4];
		*o++ = hex[c & 0x0f];
	}
	buf->len = (size_t)(o - buf->data);
	buf->data[buf->len] = '\0';
}

size_t
_ma_utf8_char_len(const char *s, size_t avail)
{
	unsigned char c = (unsigned char)s[0];
	size_t n = c < 0x80		? 1
		   : (c & 0xe0) == 0xc0 ? 2
		   : (c & 0xf0) == 0xe0 ? 3
		   : (c & 0xf8) == 0xf0 ? 4
					: 0;

	if (n == 0 || n > avail)
		return 0;
	return n == 1 || bson_utf8_validate(s, n, false) ? n : 0;
}
