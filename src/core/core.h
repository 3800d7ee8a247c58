/*
 * The ground floor, shared by every part of both libraries: errors and their
 * messages, the output buffer, UTF-8, BSON helpers and dates. Nothing here
 * is installed; names start with _ma_ so that the shared libraries do not
 * export them.
 */
#ifndef MA_CORE_H
#define MA_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mongoc/mongoc.h>

#include <mongoalchemy/error.h>

#if defined(__GNUC__)
#define MA_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define MA_PRINTF(f, a)
#endif

/* Fills error (when not NULL) with code and a formatted message, cut to
 * size (a character cut short is dropped) and made UTF-8. */
void _ma_error_set(ma_error *error, ma_error_code code, const char *fmt, ...)
	MA_PRINTF(3, 4);

/* The same, with every occurrence of secret (the password; may be NULL)
 * in the whole text replaced by "***" before it is cut or mended. */
void _ma_error_set_masked(ma_error *error, ma_error_code code,
			  const char *secret, const char *fmt, ...)
	MA_PRINTF(4, 5);

/*
 * Fills error from a driver error: the code is chosen from the driver's
 * domain and code (unreachable server, refused credentials, other), the
 * message is "<context>: <driver message>" with every occurrence of secret
 * (the password, may be NULL) replaced by "***".
 */
void _ma_error_from_bson(ma_error *error, const bson_error_t *berr,
			 const char *context, const char *secret);

/* FNV-1a, 64 bits, of len bytes: ETags, lock stripes. A fingerprint that
 * detects changes, not a MAC. */
uint64_t _ma_fnv1a(const void *data, size_t len);

/* text with every occurrence of secret (may be NULL) replaced by "***";
 * bson_free() it. */
char *_ma_masked(const char *text, const char *secret);

/* --- output buffer (buf.c) ----------------------------------------------- */

/* A growable byte buffer; JSON output is written into one of these. */
typedef struct ma_buf {
	char *data;
	size_t len;
	size_t cap;
} ma_buf;

void _ma_buf_init(ma_buf *buf, size_t cap);
void _ma_buf_destroy(ma_buf *buf);
/* Makes room for n more bytes (and a NUL). Aborts on out of memory, as
 * libbson does. */
void _ma_buf_reserve(ma_buf *buf, size_t n);
void _ma_buf_append(ma_buf *buf, const char *s, size_t n);
void _ma_buf_printf(ma_buf *buf, const char *fmt, ...) MA_PRINTF(2, 3);
/* The contents, NUL-terminated, handed to the caller (bson_free()); the
 * buffer is left empty. */
char *_ma_buf_steal(ma_buf *buf, size_t *len);

static inline void
_ma_buf_putc(ma_buf *buf, char c)
{
	if (buf->len + 1 >= buf->cap)
		_ma_buf_reserve(buf, 1);
	buf->data[buf->len++] = c;
}

/* --- the rules of text (text.c) ------------------------------------------ */

typedef enum ma_int_status {
	MA_INT_OK,
	MA_INT_SYNTAX, /* not an integer written as the rule says */
	MA_INT_RANGE   /* an integer, outside [min, max] */
} ma_int_status;

/*
 * s, whole, as an integer in base (8 or 10) within [min, max]: an optional
 * '-' (only where min < 0), then digits only. No '+', spaces, "0x" or
 * fraction, which strtoll() would take or stop at; leading zeros are
 * digits. The range is checked digit by digit, before anything can
 * overflow. *out is set only with MA_INT_OK.
 */
ma_int_status _ma_parse_int(const char *s, unsigned base, int64_t min,
			    int64_t max, int64_t *out);

/*
 * The one boolean vocabulary, in three widening sets of words, each a
 * context's (docs/configuration.md, docs/http-api.md):
 *   MA_BOOL_JSON     true, false: a typed value in a filter (year=...)
 *   MA_BOOL_FLAG     also 1, 0: a query-string flag (name__exists=1)
 *   MA_BOOL_SETTING  also yes, no, on, off, and any case: settings
 * Anything else is false (*out untouched): an error for the caller, never
 * a silent default.
 */
typedef enum ma_bool_words {
	MA_BOOL_JSON,
	MA_BOOL_FLAG,
	MA_BOOL_SETTING
} ma_bool_words;

bool _ma_parse_bool(const char *s, ma_bool_words words, bool *out);

/*
 * Appends n bytes of s percent-encoded: every byte outside RFC 3986's
 * unreserved set and the caller's keep set (NULL: none) as %XX, upper
 * case. URI user info keeps nothing; query-string values keep ","; a
 * path keeps its own delimiters and its escapes.
 */
void _ma_buf_pct_encode(ma_buf *buf, const char *s, size_t n, const char *keep);

/*
 * The length of the well-formed UTF-8 character at s (1 for ASCII), within
 * avail bytes; 0 when none starts there. libbson's check decides: no
 * overlong form, no UTF-16 surrogate, nothing past U+10FFFF.
 */
size_t _ma_utf8_char_len(const char *s, size_t avail);

/* --- BSON helpers (bson.c) ----------------------------------------------- */

/* A read-only view of the document or array it points at, valid while
 * its parent is. false when it holds something else. */
bool _ma_iter_view(const bson_iter_t *it, bson_t *view);

/* The ObjectId written as exactly 24 hex digits in s (NUL-terminated). */
bool _ma_oid_from_hex(const char *s, bson_oid_t *oid);

/* --- dates (datetime.c) -------------------------------------------------- */

/*
 * Parses an ISO 8601 date and time with a zone (Z or +hh:mm), years 0000 to
 * 9999, fraction truncated to milliseconds, into milliseconds since the
 * epoch. The whole of s[0..len) must be the date.
 */
bool _ma_datetime_parse(const char *s, size_t len, int64_t *ms);

/* Room for "YYYY-MM-DDTHH:MM:SS.mmmZ" and its NUL. */
#define MA_DATETIME_SIZE 25

/*
 * Writes ms as "YYYY-MM-DDTHH:MM:SS.mmmZ" into out. Returns false (out
 * untouched) when the date is outside the years 0 to 9999.
 */
bool _ma_datetime_format(int64_t ms, char out[MA_DATETIME_SIZE]);

#endif
