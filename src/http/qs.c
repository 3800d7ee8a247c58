/*
 * Query strings and percent-decoding: what a client sends after '?', and
 * the parameters inside a path, turned into NUL-terminated UTF-8 text.
 *
 * Everything is checked here, once: an escape that is not two hex digits,
 * a NUL (which would cut the text short everywhere after this), invalid
 * UTF-8 (which JSON and MongoDB refuse). Code that reads a decoded value
 * can treat it as a C string.
 */
#include <string.h>

#include "http/http-private.h"

/* How much of the offending text an error message shows. */
#define SHOW_MAX 40

static int
hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Writes up to SHOW_MAX bytes of s[0..n) into dst for a message: printable
 * ASCII as it is, any other byte (and the quote) as %XX. The message stays
 * ASCII and one line, whatever the client sent, so it is safe in a log
 * line and in JSON.
 */
static void
show(char *dst, size_t size, const char *s, size_t n)
{
	/* Printable ASCII but the quote and the backslash; the unreserved
	 * characters are kept anyway. */
	static const char keep[] = "!#$%&'()*+,/:;<=>?@[]^`{|}";
	size_t i, o = 0;
	ma_buf b;

	_ma_buf_init(&b, 4);
	for (i = 0; i < n && i < SHOW_MAX && o + 4 < size; i++) {
		b.len = 0;
		_ma_buf_pct_encode(&b, s + i, 1, keep);
		memcpy(dst + o, b.data, b.len);
		o += b.len;
	}
	_ma_buf_destroy(&b);
	if (i < n && o + 4 <= size) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
}

/*
 * Decodes s[0..n); ctx[0..ctxn) is the text a message names (the whole
 * "name=value" of a query string, the segment of a path).
 */
static char *
decode(const char *s, size_t n, bool plus_is_space, const char *ctx,
       size_t ctxn, ma_error *error)
{
	char where[SHOW_MAX * 3 + 4], esc[16];
	char *out = bson_malloc(n + 1);
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '+' && plus_is_space) {
			out[o++] = ' ';
			continue;
		}
		if (c == '\0') {
			show(where, sizeof(where), ctx, ctxn);
			_ma_error_set(error, MA_ERR_INVALID,
				      "NUL byte in \"%s\"", where);
			goto fail;
		}
		if (c != '%') {
			out[o++] = (char)c;
			continue;
		}

		hi = i + 1 < n ? hex_value((unsigned char)s[i + 1]) : -2;
		lo = i + 2 < n ? hex_value((unsigned char)s[i + 2]) : -2;
		if (hi == -1 || lo == -1) {
			show(esc, sizeof(esc), s + i, n - i < 3 ? n - i : 3);
			show(where, sizeof(where), ctx, ctxn);
			_ma_error_set(error, MA_ERR_INVALID,
				      "invalid escape \"%s\" in \"%s\"", esc,
				      where);
			goto fail;
		}
		if (hi < 0 || lo < 0) {
			show(esc, sizeof(esc), s + i, n - i);
			show(where, sizeof(where), ctx, ctxn);
			_ma_error_set(error, MA_ERR_INVALID,
				      "truncated escape \"%s\" in \"%s\"", esc,
				      where);
			goto fail;
		}
		/* A NUL would silently end the text for every C reader. */
		if (hi == 0 && lo == 0) {
			show(where, sizeof(where), ctx, ctxn);
			_ma_error_set(error, MA_ERR_INVALID,
				      "escape \"%%00\" (NUL) in \"%s\"", where);
			goto fail;
		}
		out[o++] = (char)(hi << 4 | lo);
		i += 2;
	}
	out[o] = '\0';

	if (!bson_utf8_validate(out, o, false)) {
		show(where, sizeof(where), ctx, ctxn);
		_ma_error_set(error, MA_ERR_INVALID,
			      "not valid UTF-8 once decoded: \"%s\"", where);
		goto fail;
	}
	return out;
fail:
	bson_free(out);
	return NULL;
}

char *
_ma_pct_decode(const char *s, size_t n, bool plus_is_space, ma_error *error)
{
	if (s == NULL) {
		_ma_error_set(error, MA_ERR_INVALID, "no text to decode");
		return NULL;
	}
	return decode(s, n, plus_is_space, s, n, error);
}

void
_ma_qs_destroy(ma_qs *qs)
{
	size_t i;

	if (qs == NULL)
		return;
	for (i = 0; i < qs->n; i++) {
		bson_free(qs->pairs[i].name);
		bson_free(qs->pairs[i].value);
	}
	bson_free(qs->pairs);
	qs->pairs = NULL;
	qs->n = 0;
}

/* One non-empty "name=value" segment of len bytes into p. */
static bool
parse_pair(const char *seg, size_t len, ma_qs_pair *p, ma_error *error)
{
	const char *eq = memchr(seg, '=', len);
	size_t nlen = eq != NULL ? (size_t)(eq - seg) : len;

	p->name = decode(seg, nlen, true, seg, len, error);
	if (p->name == NULL)
		return false;
	/* "a" alone is a flag: a = "". */
	if (eq == NULL)
		p->value = bson_strdup("");
	else
		p->value =
			decode(eq + 1, len - nlen - 1, true, seg, len, error);
	return p->value != NULL;
}

/*
 * The next non-empty '&'-separated segment of the text at *p: its start
 * and length; *p moves past it and its '&'. false at the end.
 */
static bool
next_segment(const char **p, const char **seg, size_t *len)
{
	while (**p != '\0') {
		*seg = *p;
		*len = strcspn(*p, "&");
		*p += *len + ((*p)[*len] == '&' ? 1 : 0);
		if (*len > 0)
			return true;
	}
	return false;
}

bool
_ma_qs_parse(const char *s, ma_qs *out, ma_error *error)
{
	const char *p, *seg;
	size_t count = 0, len;

	out->pairs = NULL;
	out->n = 0;
	if (s == NULL)
		return true;

	/* Counted before anything is allocated: a hostile query string
	 * costs one pass, not MA_QS_MAX_PAIRS decodings and then a 400. */
	for (p = s; next_segment(&p, &seg, &len);) {
		if (++count > MA_QS_MAX_PAIRS) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "too many parameters (at most %d)",
				      MA_QS_MAX_PAIRS);
			return false;
		}
	}
	if (count == 0)
		return true;

	out->pairs = bson_malloc0(count * sizeof(*out->pairs));
	for (p = s; next_segment(&p, &seg, &len);) {
		if (!parse_pair(seg, len, &out->pairs[out->n++], error))
			goto fail;
	}
	return true;
fail:
	_ma_qs_destroy(out);
	return false;
}

const char *
_ma_qs_get(const ma_qs *qs, const char *name)
{
	size_t i;

	if (qs == NULL || name == NULL)
		return NULL;
	for (i = 0; i < qs->n; i++) {
		if (strcmp(qs->pairs[i].name, name) == 0)
			return qs->pairs[i].value;
	}
	return NULL;
}

size_t
_ma_qs_count(const ma_qs *qs, const char *name)
{
	size_t i, n = 0;

	if (qs == NULL || name == NULL)
		return 0;
	for (i = 0; i < qs->n; i++) {
		if (strcmp(qs->pairs[i].name, name) == 0)
			n++;
	}
	return n;
}

void
_ma_qs_encode(ma_buf *buf, const char *s)
{
	/* ',' stays: it separates the values of a list parameter. */
	if (s != NULL)
		_ma_buf_pct_encode(buf, s, strlen(s), ",");
}
