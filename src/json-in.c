/*
 * JSON text -> BSON in a type's database form, checked on the way.
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

#include "ma-private.h"

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
		sc->keys = bson_realloc(sc->keys, sc->capkeys * sizeof(*sc->keys));
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
			_ma_error_set(error, MA_ERR_JSON,
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
		if (nd > 19 || (nd == 19 && memcmp(digits, neg ? max_neg : max_pos,
						   19) > 0)) {
			_ma_error_set(error, MA_ERR_JSON,
				      "JSON number at byte %zu is beyond the "
				      "64-bit integer range", at);
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
		_ma_error_set(error, MA_ERR_JSON,
			      "JSON number at byte %zu is beyond the range of a "
			      "double", at);
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
					_ma_error_set(error, MA_ERR_JSON,
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
			if (starts(t, len, i, "true") || starts(t, len, i, "null")) {
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
				for (j = i + 1; j < len && is_number_char(t[j]); j++)
					;
				if (j < len && (t[j] == 'I' || t[j] == 'i'))
					goto not_json; /* -Infinity */
				if (!check_number(t + i, j - i, i, error))
					return false;
				i = j;
				break;
			}
			if ((t[i] >= 'A' && t[i] <= 'Z') || (t[i] >= 'a' && t[i] <= 'z'))
				goto not_json;
			i++; /* whitespace and ':' */
			break;
		}
	}
	return true;

not_json:
	_ma_error_set(error, MA_ERR_JSON, "NaN and Infinity are not JSON (byte %zu)",
		      i);
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
		names[n++] = bson_strdup(s != NULL ? json_object_get_string(s) : "");
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
		if ((size_t)json_object_object_length(v) != sc->counts[object]) {
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
					     json_object_array_get_idx(v, i), next);
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
		_ma_error_set(error, MA_ERR_JSON, "JSON input of %zu bytes is too "
						  "large", len);
		return NULL;
	}
	tok = json_tokener_new_ex(MA_JSON_MAX_DEPTH);
	if (tok == NULL) {
		_ma_error_set(error, MA_ERR_NOMEM, "cannot allocate a JSON parser");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
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
		_ma_error_set(error, MA_ERR_JSON, "malformed JSON at byte %zu: %s",
			      jerr == json_tokener_error_parse_eof ? len : end,
			      json_tokener_error_desc(jerr));
		goto fail;
	}
	if (end < len && !only_space(json + end, len - end)) {
		_ma_error_set(error, MA_ERR_JSON, "malformed JSON at byte %zu: %s",
			      end, json[end] == '\0' ? "unexpected NUL byte"
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
		_ma_error_set(error, MA_ERR_JSON, "malformed JSON at byte %zu: %s",
			      bad, "invalid utf-8 string");
		goto fail;
	}

	sc.len = end;
	if (!scan_text(&sc, error))
		goto fail;
	if (object && !json_object_is_type(root, json_type_object)) {
		_ma_error_set(error, MA_ERR_JSON, "expected a JSON object, got %s",
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

/* --- conversion ---------------------------------------------------------- */

static void convert_fields(ma_walk *walk, const ma_type *type, json_object *obj,
			   bool partial,
			   bson_t *out);

static void
convert_any(ma_walk *walk, json_object *v, bson_t *out, const char *key)
{
	bson_t child;
	size_t i, n, mark;
	char ibuf[16];
	const char *ikey;

	switch (json_object_get_type(v)) {
	case json_type_null:
		BSON_APPEND_NULL(out, key);
		break;
	case json_type_boolean:
		BSON_APPEND_BOOL(out, key, json_object_get_boolean(v));
		break;
	case json_type_int:
		BSON_APPEND_INT64(out, key, json_object_get_int64(v));
		break;
	case json_type_double:
		BSON_APPEND_DOUBLE(out, key, json_object_get_double(v));
		break;
	case json_type_string:
		bson_append_utf8(out, key, -1, json_object_get_string(v),
				 json_object_get_string_len(v));
		break;
	case json_type_object:
		BSON_APPEND_DOCUMENT_BEGIN(out, key, &child);
		json_object_object_foreach(v, k, value)
		{
			mark = _ma_walk_push_key(walk, k, strlen(k));
			if (_ma_walk_check_key(walk, k))
				convert_any(walk, value, &child, k);
			_ma_walk_pop(walk, mark);
		}
		bson_append_document_end(out, &child);
		break;
	case json_type_array:
		BSON_APPEND_ARRAY_BEGIN(out, key, &child);
		n = json_object_array_length(v);
		for (i = 0; i < n; i++) {
			bson_uint32_to_string((uint32_t)i, &ikey, ibuf, sizeof(ibuf));
			mark = _ma_walk_push_index(walk, i);
			convert_any(walk, json_object_array_get_idx(v, i), &child,
				    ikey);
			_ma_walk_pop(walk, mark);
		}
		bson_append_array_end(out, &child);
		break;
	default:
		break;
	}
}

static bool
string_oid(json_object *v, bson_oid_t *oid)
{
	return json_object_is_type(v, json_type_string) &&
	       json_object_get_string_len(v) == 24 &&
	       _ma_oid_from_hex(json_object_get_string(v), oid);
}

void
_ma_json_value_to_bson(ma_walk *walk, const ma_field *f, json_object *v,
		       bson_t *out, const char *key)
{
	enum json_type t = json_object_get_type(v);
	bson_t child;
	bson_oid_t oid;
	const char *s, *ikey;
	char ibuf[16];
	size_t len, i, n, mark;
	int64_t ms;

	if (t == json_type_null) {
		if (f->nullable)
			BSON_APPEND_NULL(out, key);
		else
			_ma_walk_problem(walk, "must not be null");
		return;
	}
	switch (f->kind) {
	case MA_KIND_STRING:
	case MA_KIND_ENUM:
		if (t != json_type_string) {
			_ma_walk_expect(walk, f);
			return;
		}
		s = json_object_get_string(v);
		len = (size_t)json_object_get_string_len(v);
		if (f->kind == MA_KIND_STRING ? _ma_check_string(walk, f, s, len)
					      : _ma_check_enum(walk, f, s, len))
			bson_append_utf8(out, key, -1, s, (int)len);
		return;
	case MA_KIND_INT:
		/* Only an integer token: 3.0 is a float in JSON's eyes and
		 * in every client's. */
		if (t != json_type_int) {
			_ma_walk_expect(walk, f);
			return;
		}
		if (_ma_check_int(walk, f, json_object_get_int64(v)))
			BSON_APPEND_INT64(out, key, json_object_get_int64(v));
		return;
	case MA_KIND_FLOAT:
		if (t != json_type_int && t != json_type_double) {
			_ma_walk_expect(walk, f);
			return;
		}
		if (_ma_check_float(walk, f, json_object_get_double(v)))
			BSON_APPEND_DOUBLE(out, key, json_object_get_double(v));
		return;
	case MA_KIND_BOOL:
		if (t != json_type_boolean)
			_ma_walk_expect(walk, f);
		else
			BSON_APPEND_BOOL(out, key, json_object_get_boolean(v));
		return;
	case MA_KIND_DATETIME:
		if (t != json_type_string ||
		    !_ma_datetime_parse(json_object_get_string(v),
					(size_t)json_object_get_string_len(v), &ms))
			_ma_walk_expect(walk, f);
		else
			BSON_APPEND_DATE_TIME(out, key, ms);
		return;
	case MA_KIND_OBJECTID:
	case MA_KIND_REF:
		if (!string_oid(v, &oid))
			_ma_walk_expect(walk, f);
		else
			BSON_APPEND_OID(out, key, &oid);
		return;
	case MA_KIND_DOCUMENT:
		if (t != json_type_object) {
			_ma_walk_expect(walk, f);
			return;
		}
		BSON_APPEND_DOCUMENT_BEGIN(out, key, &child);
		convert_fields(walk, f->type, v, false, &child);
		bson_append_document_end(out, &child);
		return;
	case MA_KIND_LIST:
		if (t != json_type_array) {
			_ma_walk_expect(walk, f);
			return;
		}
		n = json_object_array_length(v);
		_ma_check_items(walk, f, n);
		BSON_APPEND_ARRAY_BEGIN(out, key, &child);
		for (i = 0; i < n; i++) {
			bson_uint32_to_string((uint32_t)i, &ikey, ibuf, sizeof(ibuf));
			mark = _ma_walk_push_index(walk, i);
			_ma_json_value_to_bson(walk, f->item,
					       json_object_array_get_idx(v, i),
					       &child, ikey);
			_ma_walk_pop(walk, mark);
		}
		bson_append_array_end(out, &child);
		return;
	case MA_KIND_ANY:
		convert_any(walk, v, out, key);
		return;
	case MA_KIND_NONE:
	case MA_KIND__MAX:
	default:
		_ma_walk_expect(walk, f);
		return;
	}
}

/* f's default converted, parsing and checking on the way. */
static bool
convert_default(ma_walk *walk, const ma_field *f, bson_t *out, const char *key)
{
	ma_error error;
	json_object *v;

	v = _ma_json_parse(f->default_json, strlen(f->default_json), false,
			   walk, &error);
	if (v == NULL && error.code != MA_OK)
		return false;
	_ma_json_value_to_bson(walk, f, v, out, key);
	json_object_put(v);
	return true;
}

/*
 * Defaults already converted, per thread (a static const field has no room
 * for it), keyed by the field and its text: a document missing a defaulted
 * field then costs a copy, not a parse. Types are static, so the keys stay
 * valid. Only defaults that convert cleanly are kept; a bad one is
 * converted (and reported) at each use.
 */
#define DEFAULT_CACHE_SIZE 32

typedef struct cached_default {
	const ma_field *field;
	const char *text;
	bson_t value; /* {"v": <the default>} */
} cached_default;

static _Thread_local cached_default default_cache[DEFAULT_CACHE_SIZE];
static _Thread_local size_t defaults_cached, default_next;

static const cached_default *
cached(const ma_field *f)
{
	cached_default *c;
	ma_problems *problems;
	ma_walk walk;
	bson_t value = BSON_INITIALIZER;
	bool ok;
	size_t i;

	for (i = 0; i < defaults_cached; i++) {
		if (default_cache[i].field == f &&
		    default_cache[i].text == f->default_json)
			return &default_cache[i];
	}
	problems = ma_problems_new();
	_ma_walk_init(&walk, problems);
	ok = convert_default(&walk, f, &value, "v") &&
	     ma_problems_count(problems) == 0;
	_ma_walk_destroy(&walk);
	ma_problems_destroy(problems);
	if (!ok) {
		bson_destroy(&value);
		return NULL;
	}
	/* Full: replace the oldest entry. */
	if (defaults_cached < DEFAULT_CACHE_SIZE) {
		c = &default_cache[defaults_cached++];
	} else {
		c = &default_cache[default_next];
		default_next = (default_next + 1) % DEFAULT_CACHE_SIZE;
		bson_destroy(&c->value);
	}
	c->field = f;
	c->text = f->default_json;
	bson_steal(&c->value, &value);
	return c;
}

void
_ma_default_cache_clear(void)
{
	size_t i;

	for (i = 0; i < defaults_cached; i++)
		bson_destroy(&default_cache[i].value);
	defaults_cached = default_next = 0;
}

bool
_ma_default_to_bson(ma_walk *walk, const ma_field *f, bson_t *out,
		    const char *key)
{
	const cached_default *c = cached(f);
	bson_iter_t it;

	if (c == NULL)
		return convert_default(walk, f, out, key);
	if (bson_iter_init_find(&it, &c->value, "v"))
		bson_append_iter(out, key, -1, &it);
	return true;
}

/* partial: only the fields given, as a PATCH sends them (no defaults, no
 * "required"); embedded documents are always whole. */
static void
convert_fields(ma_walk *walk, const ma_type *type, json_object *obj,
	       bool partial, bson_t *out)
{
	const ma_field *f;
	json_object *v;
	bson_oid_t oid;
	size_t mark;

	/* The id first, where MongoDB puts it. */
	if (json_object_object_get_ex(obj, "_id", &v)) {
		mark = _ma_walk_push_key(walk, "_id", 3);
		if (string_oid(v, &oid))
			BSON_APPEND_OID(out, "_id", &oid);
		else
			_ma_walk_problem(walk, "must be an ObjectId of 24 "
					       "hexadecimal digits");
		_ma_walk_pop(walk, mark);
	}

	for (f = type->fields; f->kind != MA_KIND_NONE; f++) {
		mark = _ma_walk_push_key(walk, f->name, strlen(f->name));
		if (json_object_object_get_ex(obj, f->name, &v))
			_ma_json_value_to_bson(walk, f, v, out,
					       ma_field_db_name(f));
		else if (!partial && f->default_json != NULL)
			_ma_default_to_bson(walk, f, out, ma_field_db_name(f));
		else if (!partial && !f->optional)
			_ma_walk_problem(walk, "required");
		_ma_walk_pop(walk, mark);
	}

	json_object_object_foreach(obj, key, value)
	{
		(void)value;
		if (strcmp(key, "_id") == 0 || ma_type_field(type, key) != NULL)
			continue;
		mark = _ma_walk_push_key(walk, key, strlen(key));
		if (_ma_walk_check_key(walk, key))
			_ma_walk_problem(walk, "unknown field");
		_ma_walk_pop(walk, mark);
	}
}

static bool
to_bson(const ma_type *type, const char *json, size_t len, bool partial,
	bson_t *out, ma_problems *problems, ma_error *error)
{
	ma_problems *p = _ma_problems_use(problems);
	ma_walk walk;
	json_object *root;
	bool ok = false;

	bson_init(out);
	_ma_walk_init(&walk, p);
	if (type == NULL || (json == NULL && len > 0)) {
		_ma_error_set(error, MA_ERR_INVALID, "no type or no JSON given");
		goto done;
	}
	root = _ma_json_parse(json != NULL ? json : "", len, true, &walk, error);
	if (root == NULL)
		goto done;
	convert_fields(&walk, type, root, partial, out);
	json_object_put(root);
	if (ma_problems_count(p) > 0) {
		_ma_error_from_problems(error, type, p);
		goto done;
	}
	ma_error_clear(error);
	ok = true;
done:
	_ma_walk_destroy(&walk);
	_ma_problems_done(p, problems);
	return ok;
}

bool
ma_json_to_bson(const ma_type *type, const char *json, size_t len, bson_t *out,
		ma_problems *problems, ma_error *error)
{
	return to_bson(type, json, len, false, out, problems, error);
}

bool
_ma_json_to_bson_partial(const ma_type *type, const char *json, size_t len,
			 bson_t *out, ma_problems *problems, ma_error *error)
{
	return to_bson(type, json, len, true, out, problems, error);
}
