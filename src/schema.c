/*
 * Document types: lookups, the declaration check, the value checks shared
 * by JSON input and BSON validation, and the problem list they fill.
 */
#include <inttypes.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "ma-private.h"

/* --- problems ------------------------------------------------------------ */

typedef struct problem {
	char *field;
	char *message;
} problem;

struct ma_problems {
	problem items[MA_PROBLEMS_MAX];
	size_t count;
	bool truncated;
};

ma_problems *
ma_problems_new(void)
{
	return bson_malloc0(sizeof(ma_problems));
}

void
ma_problems_clear(ma_problems *problems)
{
	size_t i;

	if (problems == NULL)
		return;
	for (i = 0; i < problems->count; i++) {
		bson_free(problems->items[i].field);
		bson_free(problems->items[i].message);
	}
	problems->count = 0;
	problems->truncated = false;
}

void
ma_problems_destroy(ma_problems *problems)
{
	ma_problems_clear(problems);
	bson_free(problems);
}

size_t
ma_problems_count(const ma_problems *problems)
{
	return problems == NULL ? 0 : problems->count;
}

const char *
ma_problems_field(const ma_problems *problems, size_t i)
{
	return i < ma_problems_count(problems) ? problems->items[i].field : NULL;
}

const char *
ma_problems_message(const ma_problems *problems, size_t i)
{
	return i < ma_problems_count(problems) ? problems->items[i].message
					       : NULL;
}

bool
ma_problems_truncated(const ma_problems *problems)
{
	return problems != NULL && problems->truncated;
}

ma_problems *
_ma_problems_use(ma_problems *given)
{
	if (given == NULL)
		return ma_problems_new();
	ma_problems_clear(given);
	return given;
}

void
_ma_problems_done(ma_problems *used, ma_problems *given)
{
	if (used != given)
		ma_problems_destroy(used);
}

void
_ma_error_from_problems(ma_error *error, const ma_type *type,
			const ma_problems *problems)
{
	ma_buf msg;
	size_t i;

	if (error == NULL)
		return;
	_ma_buf_init(&msg, 256);
	_ma_buf_printf(&msg, "invalid %s: ", type->name);
	for (i = 0; i < problems->count; i++) {
		if (i > 0)
			_ma_buf_append(&msg, "; ", 2);
		if (problems->items[i].field[0] != '\0')
			_ma_buf_printf(&msg, "%s: ", problems->items[i].field);
		_ma_buf_printf(&msg, "%s", problems->items[i].message);
	}
	_ma_error_set(error, MA_ERR_VALIDATION, "%s", msg.data);
	_ma_buf_destroy(&msg);
}

bool
_ma_error_from_first_problem(ma_error *error, const ma_problems *problems)
{
	if (problems->count == 0)
		return false;
	_ma_error_set(error, MA_ERR_INVALID, "%s: %s", problems->items[0].field,
		      problems->items[0].message);
	return true;
}

/* --- walking ------------------------------------------------------------- */

void
_ma_walk_init(ma_walk *walk, ma_problems *problems)
{
	walk->problems = problems;
	_ma_buf_init(&walk->path, 64);
}

void
_ma_walk_destroy(ma_walk *walk)
{
	_ma_buf_destroy(&walk->path);
}

size_t
_ma_walk_push_key(ma_walk *walk, const char *key, size_t n)
{
	size_t mark = walk->path.len;

	if (mark > 0)
		_ma_buf_putc(&walk->path, '.');
	_ma_buf_append(&walk->path, key, n);
	walk->path.data[walk->path.len] = '\0';
	return mark;
}

size_t
_ma_walk_push_index(ma_walk *walk, size_t i)
{
	size_t mark = walk->path.len;
	char tmp[24], *p = tmp + sizeof(tmp);

	/* Every list item passes here: no printf. */
	*--p = ']';
	do {
		*--p = (char)('0' + i % 10);
		i /= 10;
	} while (i != 0);
	*--p = '[';
	_ma_buf_append(&walk->path, p, (size_t)(tmp + sizeof(tmp) - p));
	walk->path.data[walk->path.len] = '\0';
	return mark;
}

void
_ma_walk_pop(ma_walk *walk, size_t mark)
{
	walk->path.len = mark;
	walk->path.data[mark] = '\0';
}

void
_ma_walk_problem(ma_walk *walk, const char *fmt, ...)
{
	ma_problems *p = walk->problems;
	va_list ap;
	char msg[512];

	if (p->count == MA_PROBLEMS_MAX) {
		p->truncated = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->items[p->count].field = bson_strndup(walk->path.data, walk->path.len);
	p->items[p->count].message = bson_strdup(msg);
	p->count++;
}

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

const char *
_ma_kind_expects(ma_kind kind)
{
	switch (kind) {
	case MA_KIND_STRING:
	case MA_KIND_ENUM:
		return "a string";
	case MA_KIND_INT:
		return "an integer";
	case MA_KIND_FLOAT:
		return "a number";
	case MA_KIND_BOOL:
		return "true or false";
	case MA_KIND_DATETIME:
		return "a date and time in ISO 8601, such as 2004-07-01T12:00:00Z";
	case MA_KIND_OBJECTID:
	case MA_KIND_REF:
		return "an ObjectId of 24 hexadecimal digits";
	case MA_KIND_DOCUMENT:
		return "an object";
	case MA_KIND_LIST:
		return "a list";
	case MA_KIND_ANY:
	case MA_KIND_NONE:
	case MA_KIND__MAX:
	default:
		return "a value";
	}
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
		count_bounds(f->min_len, f->max_len, "characters", b, sizeof(b));
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
	if ((f->has_min && v < f->min) || (f->has_max && v > f->max)) {
		_ma_walk_expect(walk, f);
		return false;
	}
	return true;
}

bool
_ma_check_float(ma_walk *walk, const ma_field *f, double v)
{
	if (!isfinite(v) || (f->has_fmin && v < f->fmin) ||
	    (f->has_fmax && v > f->fmax)) {
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
	if (n < f->min_items || (f->max_items > 0 && n > f->max_items)) {
		_ma_walk_expect(walk, f);
		return false;
	}
	return true;
}

/* --- lookups ------------------------------------------------------------- */

const char *
ma_type_collection(const ma_type *type)
{
	return type->collection != NULL ? type->collection : type->name;
}

const char *
ma_field_db_name(const ma_field *field)
{
	return field->db_name != NULL ? field->db_name : field->name;
}

static bool
key_is(const char *name, const char *key, size_t n)
{
	return strncmp(name, key, n) == 0 && name[n] == '\0';
}

static const ma_field *
field_n(const ma_type *type, const char *name, size_t n)
{
	const ma_field *f;

	if (type == NULL || name == NULL)
		return NULL;
	for (f = type->fields; f != NULL && f->kind != MA_KIND_NONE; f++) {
		if (key_is(f->name, name, n))
			return f;
	}
	return NULL;
}

const ma_field *
ma_type_field(const ma_type *type, const char *name)
{
	const ma_field *f;

	/* strcmp, not field_n(): this runs for every key of every input. */
	if (type == NULL || name == NULL)
		return NULL;
	for (f = type->fields; f != NULL && f->kind != MA_KIND_NONE; f++) {
		if (strcmp(f->name, name) == 0)
			return f;
	}
	return NULL;
}

bool
_ma_type_path(const ma_type *type, const char *path, ma_buf *dbpath,
	      const ma_field **last)
{
	const ma_field *f = NULL;
	const char *seg = path, *dot;
	const char *name;
	bool known = true;
	size_t n;

	for (;;) {
		dot = strchr(seg, '.');
		n = dot != NULL ? (size_t)(dot - seg) : strlen(seg);
		f = field_n(type, seg, n);
		known = known && f != NULL;
		if (dbpath != NULL) {
			if (seg != path)
				_ma_buf_putc(dbpath, '.');
			name = f != NULL ? ma_field_db_name(f) : seg;
			_ma_buf_append(dbpath, name, f != NULL ? strlen(name) : n);
		}
		if (dot == NULL)
			break;
		/* Into an embedded document, or into the documents of a
		 * list: MongoDB's "lines.sku" matches any line's sku. */
		if (f != NULL && f->kind == MA_KIND_LIST && f->item != NULL)
			f = f->item;
		type = f != NULL && f->kind == MA_KIND_DOCUMENT ? f->type : NULL;
		known = known && type != NULL;
		seg = dot + 1;
	}
	if (dbpath != NULL)
		dbpath->data[dbpath->len] = '\0';
	if (last != NULL)
		*last = f;
	return known;
}

const ma_field *
_ma_type_field_by_db_name(const ma_type *type, const char *key, size_t n,
			  size_t *hint)
{
	const ma_field *fields, *f;

	if (type == NULL || type->fields == NULL)
		return NULL;
	fields = type->fields;
	if (hint != NULL && fields[*hint].kind != MA_KIND_NONE &&
	    key_is(ma_field_db_name(&fields[*hint]), key, n))
		return &fields[(*hint)++];
	for (f = fields; f->kind != MA_KIND_NONE; f++) {
		if (key_is(ma_field_db_name(f), key, n)) {
			if (hint != NULL)
				*hint = (size_t)(f - fields) + 1;
			return f;
		}
	}
	return NULL;
}

/* --- checking a declaration ---------------------------------------------- */

/* The types being checked, outermost first: a type that embeds itself
 * (a tree) is checked once. */
typedef struct check_stack {
	const ma_type *types[MA_JSON_MAX_DEPTH];
	size_t depth;
} check_stack;

static bool check_type(check_stack *stack, const ma_type *type,
		       ma_error *error);

static bool
bad_name(const char *name)
{
	return name == NULL || name[0] == '\0' || name[0] == '$' ||
	       strchr(name, '.') != NULL;
}

static bool
check_default(const ma_type *type, const ma_field *f, ma_error *error)
{
	ma_problems problems;
	ma_walk walk;
	bson_t out = BSON_INITIALIZER;
	bool ok;

	memset(&problems, 0, sizeof(problems));
	_ma_walk_init(&walk, &problems);
	ok = _ma_default_to_bson(&walk, f, &out, "v");
	if (!ok)
		_ma_error_set(error, MA_ERR_INVALID,
			      "%s.%s: the default is not JSON: %s", type->name,
			      f->name, f->default_json);
	else if (problems.count > 0)
		_ma_error_set(error, MA_ERR_INVALID, "%s.%s: the default %s %s",
			      type->name, f->name, f->default_json,
			      problems.items[0].message);
	ok = ok && problems.count == 0;
	_ma_walk_destroy(&walk);
	ma_problems_clear(&problems);
	bson_destroy(&out);
	return ok;
}

static bool
check_field(check_stack *stack, const ma_type *type, const ma_field *f,
	    bool item, ma_error *error)
{
	const char *name = item ? "(item)" : f->name;
	regex_t re;

	if ((unsigned)f->kind >= MA_KIND__MAX || f->kind == MA_KIND_NONE) {
		_ma_error_set(error, MA_ERR_INVALID, "%s.%s: unknown kind %d",
			      type->name, name, (int)f->kind);
		return false;
	}
	if ((f->has_min && f->has_max && f->min > f->max) ||
	    (f->has_fmin && f->has_fmax && f->fmin > f->fmax) ||
	    (f->max_len > 0 && f->min_len > f->max_len) ||
	    (f->max_items > 0 && f->min_items > f->max_items)) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "%s.%s: the minimum is above the maximum",
			      type->name, name);
		return false;
	}
	switch (f->kind) {
	case MA_KIND_DOCUMENT:
	case MA_KIND_REF:
		if (f->type == NULL) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "%s.%s: no type given", type->name, name);
			return false;
		}
		if (f->kind == MA_KIND_DOCUMENT &&
		    !check_type(stack, f->type, error))
			return false;
		break;
	case MA_KIND_LIST:
		if (f->item == NULL) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "%s.%s: a list needs an item",
				      type->name, name);
			return false;
		}
		if (!check_field(stack, type, f->item, true, error))
			return false;
		break;
	case MA_KIND_ENUM:
		if (f->values == NULL || f->values[0] == NULL) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "%s.%s: an enum needs values",
				      type->name, name);
			return false;
		}
		break;
	case MA_KIND_STRING:
		if (f->regex == NULL)
			break;
		if (regcomp(&re, f->regex, REG_EXTENDED | REG_NOSUB) != 0) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "%s.%s: the regex does not compile: %s",
				      type->name, name, f->regex);
			return false;
		}
		regfree(&re);
		break;
	default:
		break;
	}
	if (!item && f->default_json != NULL && !check_default(type, f, error))
		return false;
	return true;
}

/* An index key ("-year", "author.name", "_id") names a field. */
static bool
index_key_known(const ma_type *type, const char *key)
{
	if (key[0] == '-')
		key++;
	return strcmp(key, "_id") == 0 || _ma_type_path(type, key, NULL, NULL);
}

static bool
check_type(check_stack *stack, const ma_type *type, ma_error *error)
{
	const ma_field *f, *g;
	const ma_index *ix;
	const ma_query_extension *x, *y;
	const char *const *k;
	size_t i;
	bool ok = false;

	for (i = 0; i < stack->depth; i++) {
		if (stack->types[i] == type)
			return true;
	}
	if (stack->depth == MA_JSON_MAX_DEPTH) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "%s: embedded types nest too deep", type->name);
		return false;
	}
	stack->types[stack->depth++] = type;

	if (type->name == NULL || type->name[0] == '\0' ||
	    type->fields == NULL) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "a type needs a name and a field table");
		goto done;
	}
	for (f = type->fields; f->kind != MA_KIND_NONE; f++) {
		if (bad_name(f->name) || bad_name(ma_field_db_name(f)) ||
		    strcmp(f->name, "_id") == 0 ||
		    strcmp(ma_field_db_name(f), "_id") == 0) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "%s: field %zu has no usable name (empty, "
				      "_id, or with '$' or '.')",
				      type->name, (size_t)(f - type->fields));
			goto done;
		}
		for (g = type->fields; g != f; g++) {
			if (strcmp(g->name, f->name) == 0 ||
			    strcmp(ma_field_db_name(g), ma_field_db_name(f)) == 0) {
				_ma_error_set(error, MA_ERR_INVALID,
					      "%s.%s: the name is used twice",
					      type->name, f->name);
				goto done;
			}
		}
		if (!check_field(stack, type, f, false, error))
			goto done;
	}
	for (ix = type->indexes; ix != NULL && ix->keys != NULL; ix++) {
		if (ix->keys[0] == NULL) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "%s: an index has no keys", type->name);
			goto done;
		}
		for (k = ix->keys; *k != NULL; k++) {
			if (!index_key_known(type, *k)) {
				_ma_error_set(error, MA_ERR_INVALID,
					      "%s: index key %s is not a field",
					      type->name, *k);
				goto done;
			}
		}
	}
	for (x = type->extensions; x != NULL && x->name != NULL; x++) {
		if (x->name[0] == '\0' || x->fn == NULL) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "%s: query extension %zu needs a name and "
				      "a function",
				      type->name, (size_t)(x - type->extensions));
			goto done;
		}
		for (y = type->extensions; y != x; y++) {
			if (strcmp(x->name, y->name) == 0) {
				_ma_error_set(error, MA_ERR_INVALID,
					      "%s: query extension %s is "
					      "declared twice",
					      type->name, x->name);
				goto done;
			}
		}
	}
	ok = true;
done:
	stack->depth--;
	return ok;
}

bool
ma_type_check(const ma_type *type, ma_error *error)
{
	check_stack stack = {.depth = 0};

	if (type == NULL) {
		_ma_error_set(error, MA_ERR_INVALID, "no type given");
		return false;
	}
	if (!check_type(&stack, type, error))
		return false;
	ma_error_clear(error);
	return true;
}
