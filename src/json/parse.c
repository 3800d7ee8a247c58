/*
 * Reading JSON text strictly: _ma_json_parse().
 *
 * json-c does the parsing, with its depth limit and UTF-8 check. It is
 * lenient where a server facing the internet must not be: it keeps the
 * last of two equal keys, saturates integers beyond 64 bits, takes NaN,
 * and cuts keys at a NUL. So a second pass over the text, which json-c has
 * already found well formed, counts the keys of every object and reads
 * every number token; the counts are compared with json-c's objects to
 * find duplicates.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "json/json-private.h"

/* --- the strictness pass ------------------------------------------------- */

typedef struct scan_key {
	size_t object; /* index of its object, in document order */
	size_t off;    /* the raw key, quotes included */
	size_t len;
} scan_key;

typedef struct scan {
	const char *text;
	size_t len;
	uint32_t *counts; /* keys per object, objects in document order */
	size_t nobjects, capobjects;
	scan_key *keys;
	size_t nkeys, capkeys;
} scan;

static void
scan_destroy(scan *sc)
{
	bson_free(sc->counts);
	bson_free(sc->keys);
}

static size_t
new_object(scan *sc)
{
	if (sc->nobjects == sc->capobjects) {
		sc->capobjects = sc->capobjects ? sc->capobjects * 2 : 16;
		sc->counts = bson_realloc(sc->counts,
					  sc->capobjects * sizeof(*sc->counts));
	}
	sc->counts[sc->nobjects] = 0;
	return sc->nobjects++;
}

static void
new_key(scan *sc, size_t object, size_t off, size_t len)
{
	if (sc->nkeys == sc->capkeys) {
		sc->capkeys = sc->capkeys ? sc->capkeys * 2 : 32;
		sc->keys =
			bson_realloc(sc->keys, sc->capkeys * sizeof(*sc->keys));
	}
	sc->keys[sc->nkeys++] = (scan_key){object, off, len};
	sc->counts[object]++;
}

static unsigned
hex4(const char *t)
{
	unsigned v = 0;
	int k;

	for (k = 0; k < 4; k++) {
		char c = t[k];

		v = v * 16 + (unsigned)(c <= '9'   ? c - '0'
					: c <= 'F' ? c - 'A' + 10
						   : c - 'a' + 10);
	}
	return v;
}

/*
 * The end of the string starting at the quote at i (one past its closing
 * quote), or 0 when it holds what RFC 8259 forbids and json-c takes: a raw
 * control character (below U+0020), or a \u escape of half a UTF-16
 * surrogate pair, which json-c would store as U+FFFD. *nul is set when it
 * holds an escaped NUL. json-c has already checked that every \u has its
 * four hex digits.
 */
static size_t
string_end(const char *t, size_t len, size_t i, bool *nul, ma_error *error)
{
	unsigned u;

	*nul = false;
	for (i++; i < len && t[i] != '"'; i++) {
		if ((unsigned char)t[i] < 0x20) {
			_ma_error_set(
				error, MA_ERR_JSON,
				"malformed JSON at byte %zu: control "
				"character 0x%02X in a string (escape it)",
				i, (unsigned)t[i]);
			return 0;
		}
		if (t[i] != '\\')
			continue;
		i++;
		if (i >= len || t[i] != 'u' || len - i < 5)
			continue;
		u = hex4(t + i + 1);
		if (u == 0)
			*nul = true;
		if (u >= 0xD800 && u <= 0xDBFF && len - i >= 11 &&
		    t[i + 5] == '\\' && t[i + 6] == 'u' &&
		    hex4(t + i + 7) >= 0xDC00 && hex4(t + i + 7) <= 0xDFFF) {
			i += 10; /* a pair: one code point past U+FFFF */
		} else if (u >= 0xD800 && u <= 0xDFFF) {
			_ma_error_set(error, MA_ERR_JSON,
				      "malformed JSON at byte %zu: \\u%.4s is "
				      "half a UTF-16 surrogate pair",
				      i - 1, t + i + 1);
			return 0;
		} else {
			i += 4;
		}
	}
	return i + 1;
}

static bool
is_number_char(char c)
{
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' ||
	       c == 'e' || c == 'E';
}

/* Checks the number token t[0..n): an integer must fit 64 bits, any other
 * number a double. */
static bool
check_number(const char *t, size_t n, size_t at, ma_error *error)
{
	static const char max_pos[] = "9223372036854775807";
	static const char max_neg[] = "9223372036854775808";
	bool neg = t[0] == '-';
	const char *digits = t + neg;
	size_t nd = n - neg;
	char small[64], *copy;
	double v;
	int saved;

	if (memchr(t, '.', n) == NULL && memchr(t, 'e', n) == NULL &&
	    memchr(t, 'E', n) == NULL) {
		if (nd > 19 ||
		    (nd == 19 &&
		     memcmp(digits, neg ? max_neg : max_pos, 19) > 0)) {
			_ma_error_set(error, MA_ERR_JSON,
				      "JSON number at byte %zu is beyond the "
				      "64-bit integer range",
				      at);
			return false;
		}
		return true;
	}
	copy = n < sizeof(small) ? small : bson_malloc(n + 1);
	memcpy(copy, t, n);
	copy[n] = '\0';
	errno = 0;
	v = strtod(copy, NULL);
	saved = errno;
	if (copy != small)
		bson_free(copy);
	/* Underflow rounds to zero or a subnormal, as every parser does;
	 * overflow would silently become infinity. */
	if (saved == ERANGE && isinf(v)) {
		_ma_error_set(
			error, MA_ERR_JSON,
			"JSON number at byte %zu is beyond the range of a "
			"double",
			at);
		return false;
	}
	return true;
}

/* The offset of the first byte of t[0..len) that does not begin a
 * well-formed UTF-8 character, or len when there is none. */
static size_t
utf8_invalid_at(const char *t, size_t len)
{
	size_t i = 0, n;

	while (i < len) {
		if ((unsigned char)t[i] < 0x80) {
			i++;
			continue;
		}
		if ((n = _ma_utf8_char_len(t + i, len - i)) == 0)
			return i;
		i += n;
	}
	return len;
}

static bool
starts(const char *t, size_t len, size_t i, const char *word)
{
	size_t n = strlen(word);

	return len - i >= n && memcmp(t + i, word, n) == 0;
}

static bool
scan_text(scan *sc, ma_error *error)
{
	const char *t = sc->text;
	size_t len = sc->len, i = 0, j, depth = 0;
	/* Per level: the object's index, or SIZE_MAX for an array. */
	size_t stack[MA_JSON_MAX_DEPTH + 1];
	bool expect_key = false, nul;

	while (i < len) {
		switch (t[i]) {
		case '{':
			stack[depth++] = new_object(sc);
			expect_key = true;
			i++;
			break;
		case '[':
			stack[depth++] = SIZE_MAX;
			expect_key = false;
			i++;
			break;
		case '}':
		case ']':
			depth--;
			expect_key = false;
			i++;
			break;
		case ',':
			expect_key = depth > 0 && stack[depth - 1] != SIZE_MAX;
			i++;
			break;
		case '"':
			j = string_end(t, len, i, &nul, error);
			if (j == 0)
				return false;
			if (expect_key) {
				if (nul) {
					_ma_error_set(
						error, MA_ERR_JSON,
						"field names must not contain "
						"a NUL character (byte %zu)",
						i);
					return false;
				}
				new_key(sc, stack[depth - 1], i, j - i);
				expect_key = false;
			}
			i = j;
			break;
		case 't':
		case 'f':
		case 'n':
			if (starts(t, len, i, "true") ||
			    starts(t, len, i, "null")) {
				i += 4;
				break;
			}
			if (starts(t, len, i, "false")) {
				i += 5;
				break;
			}
			goto not_json;
		default:
			if (t[i] == '-' || (t[i] >= '0' && t[i] <= '9')) {
				for (j = i + 1; j < len && is_number_char(t[j]);
				     j++)
					;
				if (j < len && (t[j] == 'I' || t[j] == 'i'))
					goto not_json; /* -Infinity */
				if (!check_number(t + i, j - i, i, error))
					return false;
				i = j;
				break;
			}
			if ((t[i] >= 'A' && t[i] <= 'Z') ||
			    (t[i] >= 'a' && t[i] <= 'z'))
				goto not_json;
			i++; /* whitespace and ':' */
			break;
		}
	}
	return true;

not_json:
	_ma_error_set(error, MA_ERR_JSON,
		      "NaN and Infinity are not JSON (byte %zu)", i);
	return false;
}

/* --- duplicate keys ------------------------------------------------------ */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reports the key that object (by index) has twice. Only runs when json-c
 * has fewer keys than the text: decodes the raw keys and sorts them. */
static void
report_duplicate(ma_walk *walk, const scan *sc, size_t object)
{
	char **names = bson_malloc0(sc->counts[object] * sizeof(char *));
	const char *dup = NULL;
	json_object *s;
	char *raw;
	size_t i, n = 0;

	for (i = 0; i < sc->nkeys; i++) {
		if (sc->keys[i].object != object)
			continue;
		raw = bson_strndup(sc->text + sc->keys[i].off, sc->keys[i].len);
		s = json_tokener_parse(raw);
		bson_free(raw);
		names[n++] =
			bson_strdup(s != NULL ? json_object_get_string(s) : "");
		json_object_put(s);
	}
	qsort(names, n, sizeof(char *), cmp_str);
	for (i = 1; i < n && dup == NULL; i++) {
		if (strcmp(names[i - 1], names[i]) == 0)
			dup = names[i];
	}
	_ma_walk_problem(walk, "duplicate key \"%s\"", dup != NULL ? dup : "?");
	for (i = 0; i < n; i++)
		bson_free(names[i]);
	bson_free(names);
}

/*
 * Walks json-c's tree in document order, objects numbered as the scan
 * numbered them. The first object with fewer keys than its text holds the
 * duplicate; numbering after it no longer lines up, so the walk stops
 * there (one duplicate is reported).
 */
static bool
find_duplicates(ma_walk *walk, const scan *sc, json_object *v, size_t *next)
{
	size_t object, mark, i, n;
	bool ok = true;

	switch (json_object_get_type(v)) {
	case json_type_object:
		object = (*next)++;
		if ((size_t)json_object_object_length(v) !=
		    sc->counts[object]) {
			report_duplicate(walk, sc, object);
			return false;
		}
		json_object_object_foreach(v, key, child)
		{
			mark = _ma_walk_push_key(walk, key, strlen(key));
			ok = find_duplicates(walk, sc, child, next);
			_ma_walk_pop(walk, mark);
			if (!ok)
				return false;
		}
		return true;
	case json_type_array:
		n = json_object_array_length(v);
		for (i = 0; i < n && ok; i++) {
			mark = _ma_walk_push_index(walk, i);
			ok = find_duplicates(walk, sc,
					     json_object_array_get_idx(v, i),
					     next);
			_ma_walk_pop(walk, mark);
		}
		return ok;
	default:
		return true;
	}
}

/* --- parsing ------------------------------------------------------------- */

static const char *
json_kind_name(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	case json_type_int:
	case json_type_double:
		return "a number";
	case json_type_boolean:
		return "a boolean";
	case json_type_null:
		return "null";
	case json_type_object:
	default:
		return "an object";
	}
}

static bool
only_space(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return false;
	}
	return true;
}

json_object *
_ma_json_parse(const char *json, size_t len, bool object, ma_walk *walk,
	       ma_error *error)
{
	json_tokener *tok;
	json_object *root = NULL;
	enum json_tokener_error jerr;
	scan sc = {.text = json};
	size_t end, bad, next = 0;

	if (len > INT_MAX) {
		_ma_error_set(error, MA_ERR_JSON,
			      "JSON input of %zu bytes is too "
			      "large",
			      len);
		return NULL;
	}
	tok = json_tokener_new_ex(MA_JSON_MAX_DEPTH);
	if (tok == NULL) {
		_ma_error_set(error, MA_ERR_NOMEM,
			      "cannot allocate a JSON parser");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
					    JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, json, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (jerr == json_tokener_continue) {
		/* A NUL tells json-c the text is over: a bare number is only
		 * complete then. */
		root = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
		if (jerr == json_tokener_continue)
			jerr = json_tokener_error_parse_eof;
		else if (jerr == json_tokener_success)
			end = len;
	}
	if (jerr != json_tokener_success) {
		_ma_error_set(error, MA_ERR_JSON,
			      "malformed JSON at byte %zu: %s",
			      jerr == json_tokener_error_parse_eof ? len : end,
			      json_tokener_error_desc(jerr));
		goto fail;
	}
	if (end < len && !only_space(json + end, len - end)) {
		_ma_error_set(error, MA_ERR_JSON,
			      "malformed JSON at byte %zu: %s", end,
			      json[end] == '\0' ? "unexpected NUL byte"
						: "unexpected character");
		goto fail;
	}
	/* json-c's UTF-8 check takes overlong forms, UTF-16 surrogates and
	 * code points past U+10FFFF, which libbson's check refuses and our
	 * JSON writer turns into U+FFFD: what was stored would not be what
	 * comes back. The raw bytes are checked again, strictly, and refused
	 * in json-c's words; escapes are checked by the scan below. */
	bad = utf8_invalid_at(json, end);
	if (bad < end) {
		_ma_error_set(error, MA_ERR_JSON,
			      "malformed JSON at byte %zu: %s", bad,
			      "invalid utf-8 string");
		goto fail;
	}

	sc.len = end;
	if (!scan_text(&sc, error))
		goto fail;
	if (object && !json_object_is_type(root, json_type_object)) {
		_ma_error_set(error, MA_ERR_JSON,
			      "expected a JSON object, got %s",
			      json_kind_name(root));
		goto fail;
	}
	find_duplicates(walk, &sc, root, &next);
	scan_destroy(&sc);
	json_tokener_free(tok);
	ma_error_clear(error);
	return root;

fail:
	scan_destroy(&sc);
	json_object_put(root);
	json_tokener_free(tok);
	return NULL;
}
