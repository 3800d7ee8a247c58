/*
 * Errors: the code names, and the one place that turns a driver error into
 * one of our codes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"

static const char *const error_names[MA_ERR__MAX] = {
	[MA_OK] = "no error",
	[MA_ERR_CONFIG] = "configuration error",
	[MA_ERR_INVALID] = "invalid argument",
	[MA_ERR_NOMEM] = "out of memory",
	[MA_ERR_UNAVAILABLE] = "database unavailable",
	[MA_ERR_AUTH] = "authentication failed",
	[MA_ERR_DRIVER] = "database error",
	[MA_ERR_JSON] = "malformed JSON",
	[MA_ERR_VALIDATION] = "invalid document",
	[MA_ERR_DUPLICATE] = "duplicate key",
	[MA_ERR_NOT_FOUND] = "not found",
	[MA_ERR_TOO_LARGE] = "too large",
	[MA_ERR_MEDIA_TYPE] = "unsupported media type",
	[MA_ERR_TIMEOUT] = "timed out",
	[MA_ERR_PRECONDITION] = "precondition failed",
	[MA_ERR_UNDECLARED] = "not declared by the type",
};

const char *
ma_strerror(ma_error_code code)
{
	/* Casting first: an out-of-range value from a caller is not UB here. */
	if ((unsigned)code >= MA_ERR__MAX || error_names[code] == NULL)
		return "unknown error";
	return error_names[code];
}

void
ma_error_clear(ma_error *error)
{
	if (error == NULL)
		return;
	memset(error, 0, sizeof(*error));
}

/*
 * Replaces each byte that does not start a complete UTF-8 sequence by
 * '?'. Messages repeat a client's values cut to a length ("not '%.40s'"),
 * and the message itself is cut to its buffer, either of which can split
 * a character; a message goes into JSON and logs and must stay valid
 * UTF-8. Mended here, once, for every message.
 */
static void
utf8_mend(char *s)
{
	size_t len = strlen(s), i = 0, n;

	while (i < len) {
		n = _ma_utf8_char_len(s + i, len - i);
		if (n == 0)
			s[i++] = '?';
		else
			i += n;
	}
}

/* Ends s before a character that its end cuts short. */
static void
drop_cut_character(char *s)
{
	size_t n = strlen(s), i = n, need;
	unsigned char lead;

	while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--;
	if (i == 0)
		return;
	lead = (unsigned char)s[i - 1];
	need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
	if (n - (i - 1) < need)
		s[i - 1] = '\0';
}

/*
 * The message from fmt, with every occurrence of secret (may be NULL)
 * masked in the whole text, then cut to size, then made UTF-8: masked
 * first, so that neither the cut nor the mending can leave a part of the
 * secret that no longer matches it.
 */
static void
error_vset(ma_error *error, ma_error_code code, const char *secret,
	   const char *fmt, va_list ap)
{
	char *text, *masked;

	memset(error, 0, sizeof(*error));
	error->code = code;
	if (secret == NULL || secret[0] == '\0') {
		if (vsnprintf(error->message, sizeof(error->message), fmt,
			      ap) >= (int)sizeof(error->message))
			drop_cut_character(error->message);
	} else {
		text = bson_strdupv_printf(fmt, ap);
		masked = _ma_masked(text, secret);
		bson_strncpy(error->message, masked, sizeof(error->message));
		if (strlen(masked) >= sizeof(error->message))
			drop_cut_character(error->message);
		bson_free(masked);
		bson_free(text);
	}
	utf8_mend(error->message);
}

void
_ma_error_set(ma_error *error, ma_error_code code, const char *fmt, ...)
{
	va_list ap;

	if (error == NULL)
		return;
	va_start(ap, fmt);
	error_vset(error, code, NULL, fmt, ap);
	va_end(ap);
}

void
_ma_error_set_masked(ma_error *error, ma_error_code code, const char *secret,
		     const char *fmt, ...)
{
	va_list ap;

	if (error == NULL)
		return;
	va_start(ap, fmt);
	error_vset(error, code, secret, fmt, ap);
	va_end(ap);
}

/* Server error codes that mean "these credentials are refused". */
#define SERVER_AUTHENTICATION_FAILED 18
/* MaxTimeMSExpired: a read ran past its maxTimeMS and the server stopped
 * it. */
#define SERVER_MAX_TIME_MS_EXPIRED 50

/*
 * What a server says while it shuts down, steps down or loses its
 * connection to the rest of the set: the database is unavailable for
 * now, as when it cannot be reached (the codes libmongoc's retryable reads
 * and the server-discovery spec's "state change" errors list).
 */
static bool
is_unavailable(uint32_t code)
{
	switch (code) {
	case 6:	    /* HostUnreachable */
	case 7:	    /* HostNotFound */
	case 89:    /* NetworkTimeout */
	case 91:    /* ShutdownInProgress */
	case 189:   /* PrimarySteppedDown */
	case 9001:  /* SocketException */
	case 10107: /* NotWritablePrimary */
	case 11600: /* InterruptedAtShutdown */
	case 11602: /* InterruptedDueToReplStateChange */
	case 13435: /* NotPrimaryNoSecondaryOk */
	case 13436: /* NotPrimaryOrSecondary */
		return true;
	default:
		return false;
	}
}

/* InternalError: a server's "anything else". */
#define SERVER_INTERNAL_ERROR 1

/*
 * Duplicate key: 11000 today; 11001 and 12582 from servers before 3.0,
 * which some compatible servers still send. FerretDB on SQLite answers
 * 11000 to an insert only: a replace, an update or a findAndModify that
 * breaks a unique index fails as an InternalError carrying SQLite's own
 * words ("UNIQUE constraint failed: index '...' (2067)"). MongoDB never
 * sends a duplicate as an InternalError, so the codes decide there and
 * the words are only read under that code.
 */
static bool
is_duplicate_key(const bson_error_t *berr)
{
	return berr->code == 11000 || berr->code == 11001 ||
	       berr->code == 12582 ||
	       (berr->code == SERVER_INTERNAL_ERROR &&
		strstr(berr->message, "UNIQUE constraint failed") != NULL);
}

static ma_error_code
code_from_bson(const bson_error_t *berr)
{
	switch (berr->domain) {
	case MONGOC_ERROR_SERVER_SELECTION:
	case MONGOC_ERROR_STREAM:
		return MA_ERR_UNAVAILABLE;
	case MONGOC_ERROR_CLIENT:
		if (berr->code == MONGOC_ERROR_CLIENT_AUTHENTICATE)
			return MA_ERR_AUTH;
		return MA_ERR_DRIVER;
	case MONGOC_ERROR_SERVER:
	case MONGOC_ERROR_QUERY:
		if (berr->code == SERVER_AUTHENTICATION_FAILED)
			return MA_ERR_AUTH;
		if (is_duplicate_key(berr))
			return MA_ERR_DUPLICATE;
		if (berr->code == SERVER_MAX_TIME_MS_EXPIRED)
			return MA_ERR_TIMEOUT;
		if (is_unavailable(berr->code))
			return MA_ERR_UNAVAILABLE;
		return MA_ERR_DRIVER;
	default:
		return MA_ERR_DRIVER;
	}
}

void
_ma_error_from_bson(ma_error *error, const bson_error_t *berr,
		    const char *context, const char *secret)
{
	if (error == NULL)
		return;
	_ma_error_set_masked(error, code_from_bson(berr), secret, "%s: %s",
			     context, berr->message);
	error->domain = berr->domain;
	error->driver_code = berr->code;
}

char *
_ma_masked(const char *text, const char *secret)
{
	const char *p, *hit;
	size_t slen;
	ma_buf out;

	if (secret == NULL || secret[0] == '\0')
		return bson_strdup(text);
	slen = strlen(secret);
	_ma_buf_init(&out, strlen(text) + 1);
	for (p = text; (hit = strstr(p, secret)) != NULL; p = hit + slen) {
		_ma_buf_append(&out, p, (size_t)(hit - p));
		_ma_buf_append(&out, "***", 3);
	}
	_ma_buf_append(&out, p, strlen(p));
	return _ma_buf_steal(&out, NULL);
}
