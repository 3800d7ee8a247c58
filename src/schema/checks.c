/*
 * The checks of one value against its field, shared by JSON input and
 * BSON validation: bounds, lengths, patterns, enums, item counts, and the
 * one table of the words for each kind: what a field of it is and what it
 * expects.
 */
#include <inttypes.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "schema/schema-private.h"

/* "between 0 and 9999", "of at least 0", or "" */
static void
int_bounds(const ma_field *f, char *out, size_t size)
{
	if (f->has_min && f->has_max)
		snprintf(out, size, " between %" PRId64 " and %" PRId64, f->min,
			 f->max);
	else if (f->has_min)
		snprintf(out, size, " of at least %" PRId64, f->min);
	else if (f->has_max)
		snprintf(out, size, " of at most %" PRId64, f->max);
	else
		out[0] = '\0';
}

static void
float_bounds(const ma_field *f, char *out, size_t size)
{
	if (f->has_fmin && f->has_fmax)
		snprintf(out, size, " between %g and %g", f->fmin, f->fmax);
	else if (f->has_fmin)
		snprintf(out, size, " of at least %g", f->fmin);
	else if (f->has_fmax)
		snprintf(out, size, " of at most %g", f->fmax);
	else
		out[0] = '\0';
}

/* " of 1 to 200 <unit>", " of at most 200 <unit>", or "" */
static void
count_bounds(size_t min, size_t max, const char *unit, char *out, size_t size)
{
	if (min > 0 && max > 0)
		snprintf(out, size, " of %zu to %zu %s", min, max, unit);
	else if (max > 0)
		snprintf(out, size, " of at most %zu %s", max, unit);
	else if (min > 0)
		snprintf(out, size, " of at least %zu %s", min, unit);
	else
		out[0] = '\0';
}

/*
 * The words for each kind, in one place so that every message agrees:
 * what a field of the kind is ("Book.year is an int"), what its JSON or
 * stored value must be ("must be an integer"), and what a typed value
 * given for it must be where that differs: a filter on a list compares
 * with an item, and a whole list or document comes as JSON.
 */
static const struct kind_words {
	const char *name;
	const char *expects;
	const char *expects_value; /* NULL: as expects */
} kind_words[MA_KIND__MAX] = {
	[MA_KIND_NONE] = {"nothing", "a value", NULL},
	[MA_KIND_STRING] = {"a string", "a string", NULL},
	[MA_KIND_INT] = {"an int", "an integer", NULL},
	[MA_KIND_FLOAT] = {"a float", "a number", NULL},
	[MA_KIND_BOOL] = {"a bool", "true or false", NULL},
	[MA_KIND_DATETIME] = {"a datetime",
			      "a date and time in ISO 8601, such as "
			      "2004-07-01T12:00:00Z",
			      NULL},
	[MA_KIND_OBJECTID] = {"an objectid",
			      "an ObjectId of 24 hexadecimal digits", NULL},
	[MA_KIND_DOCUMENT] = {"a document", "an object", "an object (as JSON)"},
	[MA_KIND_LIST] = {"a list", "a list",
			  "an item of the list, or a list (as JSON)"},
	[MA_KIND_ANY] = {"a value of any kind", "a value", NULL},
	[MA_KIND_ENUM] = {"an enum", "a string", NULL},
	[MA_KIND_REF] = {"a ref", "an ObjectId of 24 hexadecimal digits", NULL},
};

static const struct kind_words *
words(ma_kind kind)
{
	return &kind_words[(unsigned)kind < MA_KIND__MAX ? kind : MA_KIND_NONE];
}

const char *
_ma_kind_name(ma_kind kind)
{
	return words(kind)->name;
}

const char *
_ma_kind_expects(ma_kind kind)
{
	return words(kind)->expects;
}

const char *
_ma_kind_expects_value(ma_kind kind)
{
	const struct kind_words *w = words(kind);

	return w->expects_value != NULL ? w->expects_value : w->expects;
}

void
_ma_walk_expect(ma_walk *walk, const ma_field *f)
{
	char b[128];
	ma_buf values;
	const char *const *v;

	b[0] = '\0';
	switch (f->kind) {
	case MA_KIND_STRING:
		count_bounds(f->min_len, f->max_len, "characters", b,
			     sizeof(b));
		break;
	case MA_KIND_INT:
		int_bounds(f, b, sizeof(b));
		break;
	case MA_KIND_FLOAT:
		float_bounds(f, b, sizeof(b));
		break;
	case MA_KIND_LIST:
		count_bounds(f->min_items, f->max_items, "items", b, sizeof(b));
		break;
	case MA_KIND_ENUM:
		_ma_buf_init(&values, 64);
		for (v = f->values; v != NULL && *v != NULL; v++) {
			if (v != f->values)
				_ma_buf_append(&values, ", ", 2);
			_ma_buf_append(&values, *v, strlen(*v));
		}
		values.data[values.len] = '\0';
		_ma_walk_problem(walk, "must be one of: %s", values.data);
		_ma_buf_destroy(&values);
		return;
	case MA_KIND_ANY:
	case MA_KIND_NONE:
	case MA_KIND__MAX:
		_ma_walk_problem(walk, "is not valid");
		return;
	case MA_KIND_BOOL:
	case MA_KIND_DATETIME:
	case MA_KIND_OBJECTID:
	case MA_KIND_REF:
	case MA_KIND_DOCUMENT:
	default:
		break;
	}
	/* A filter's value is held to no bound: naming one would mislead. */
	if (walk->compare)
		b[0] = '\0';
	_ma_walk_problem(walk, "must be %s%s", _ma_kind_expects(f->kind), b);
}

bool
_ma_walk_check_key(ma_walk *walk, const char *key)
{
	/* Either would reach MongoDB as an operator or a path: never let a
	 * client choose one. */
	if (key[0] == '$') {
		_ma_walk_problem(walk, "field names must not start with '$'");
		return false;
	}
	if (strchr(key, '.') != NULL) {
		_ma_walk_problem(walk, "field names must not contain '.'");
		return false;
	}
	return true;
}

/* --- value checks -------------------------------------------------------- */

/* Code points in valid UTF-8: every byte that does not continue one. */
static size_t
utf8_length(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

/*
 * Compiled regexes, per thread (types are shared, read-only tables, so the
 * cache cannot live in them), keyed by the pattern's address: compiling
 * costs more than matching, many times over. The key is sound because a
 * type's strings live as long as the type, which is static.
 */
#define REGEX_CACHE_SIZE 16

typedef struct cached_regex {
	const char *pattern;
	regex_t re;
	bool ok;
} cached_regex;

static _Thread_local cached_regex regex_cache[REGEX_CACHE_SIZE];
static _Thread_local size_t regex_cached, regex_next;

static cached_regex *
compiled(const char *pattern)
{
	cached_regex *c;
	char *anchored;
	size_t i;

	for (i = 0; i < regex_cached; i++) {
		if (regex_cache[i].pattern == pattern)
			return &regex_cache[i];
	}
	/* Full: replace the oldest entry. */
	if (regex_cached < REGEX_CACHE_SIZE) {
		c = &regex_cache[regex_cached++];
	} else {
		c = &regex_cache[regex_next];
		regex_next = (regex_next + 1) % REGEX_CACHE_SIZE;
		if (c->ok)
			regfree(&c->re);
	}
	anchored = bson_strdup_printf("^(%s)$", pattern);
	c->pattern = pattern;
	c->ok = regcomp(&c->re, anchored, REG_EXTENDED | REG_NOSUB) == 0;
	bson_free(anchored);
	return c;
}

void
_ma_regex_cache_clear(void)
{
	size_t i;

	for (i = 0; i < regex_cached; i++) {
		if (regex_cache[i].ok)
			regfree(&regex_cache[i].re);
	}
	regex_cached = regex_next = 0;
}

static bool
regex_matches(const char *pattern, const char *s)
{
	cached_regex *c = compiled(pattern);

	return c->ok && regexec(&c->re, s, 0, NULL, 0) == 0;
}

/* s is valid UTF-8: json-c checks JSON input, the setter checks its
 * argument, and stored documents passed the driver's check on insert. */
bool
_ma_check_string(ma_walk *walk, const ma_field *f, const char *s, size_t len)
{
	size_t n;

	if (memchr(s, '\0', len) != NULL) {
		_ma_walk_problem(walk, "must not contain a NUL character");
		return false;
	}
	if (walk->compare)
		return true;
	n = utf8_length(s, len);
	if (n < f->min_len || (f->max_len > 0 && n > f->max_len)) {
		_ma_walk_expect(walk, f);
		return false;
	}
	if (f->regex != NULL && !regex_matches(f->regex, s)) {
		_ma_walk_problem(walk, "must match the pattern %s", f->regex);
		return false;
	}
	return true;
}

bool
_ma_check_int(ma_walk *walk, const ma_field *f, int64_t v)
{
	if (walk->compare)
		return true;
	if ((f->has_min && v < f->min) || (f->has_max && v > f->max)) {
		_ma_walk_expect(walk, f);
		return false;
	}
	return true;
}

bool
_ma_check_float(ma_walk *walk, const ma_field *f, double v)
{
	if (!isfinite(v) ||
	    (!walk->compare &&
	     ((f->has_fmin && v < f->fmin) || (f->has_fmax && v > f->fmax)))) {
		_ma_walk_expect(walk, f);
		return false;
	}
	return true;
}

bool
_ma_check_enum(ma_walk *walk, const ma_field *f, const char *s, size_t len)
{
	const char *const *v;

	for (v = f->values; v != NULL && *v != NULL; v++) {
		if (strlen(*v) == len && memcmp(*v, s, len) == 0)
			return true;
	}
	_ma_walk_expect(walk, f);
	return false;
}

bool
_ma_check_items(ma_walk *walk, const ma_field *f, size_t n)
{
	if (walk->compare)
		return true;
	if (n < f->min_items || (f->max_items > 0 && n > f->max_items)) {
		_ma_walk_expect(walk, f);
		return false;
	}
	return true;
}
