/*
 * The list grammar of the HTTP contract (page, per_page, sort, fields,
 * name=value and name__op=value filters) read and applied to a query. The
 * Link header of the page it leads to is the response's (links.c).
 *
 * Every name a client sends is matched against the type's declared
 * fields before anything is built (a dotted path part by part, down
 * through embedded documents only), and every value goes through the
 * query layer as text parsed by the field's kind: what reaches MongoDB is
 * never a key or a document the client wrote.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "http/http-private.h"

/* The operators a client may name: ma_op_from_name() also knows eq (the
 * plain name=value) and regex, which is not offered because a client's
 * regular expression can cost the server without bound. */
static const struct {
	const char *name;
	ma_op op;
} list_ops[] = {
	{"ne", MA_OP_NE},
	{"gt", MA_OP_GT},
	{"gte", MA_OP_GTE},
	{"lt", MA_OP_LT},
	{"lte", MA_OP_LTE},
	{"in", MA_OP_IN},
	{"nin", MA_OP_NIN},
	{"exists", MA_OP_EXISTS},
	{"startswith", MA_OP_STARTSWITH},
	{"all", MA_OP_ALL},
	{"size", MA_OP_SIZE},
};

#define LIST_OPS_TEXT                                                          \
	"ne, gt, gte, lt, lte, in, nin, exists, startswith, all, size"
#define N_LIST_OPS (sizeof(list_ops) / sizeof(list_ops[0]))

/* --- messages ------------------------------------------------------------ */

/*
 * A client's text (valid UTF-8, decoded) for a message: at most MA_NAME_SHOW
 * bytes, cut between characters.
 */
const char *
_ma_shown(char *dst, size_t size, const char *s)
{
	size_t n = strlen(s);

	if (n <= MA_NAME_SHOW && n < size)
		return s;
	n = MA_NAME_SHOW < size - 4 ? MA_NAME_SHOW : size - 4;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	memcpy(dst, s, n);
	memcpy(dst + n, "...", 4);
	return dst;
}

/* The parameter a message starts with; "" shown as such, so that an
 * empty name ("=x") is still visible. */
static const char *
param_shown(char *dst, size_t size, const char *param)
{
	return param[0] != '\0' ? _ma_shown(dst, size, param) : "\"\"";
}

/* error = "param: <e's message>", without the "field: " that the query
 * layer puts first (field may be NULL: nothing to take off). */
static bool
relabel(ma_error *error, const char *param, const char *field,
	const ma_error *e)
{
	char name[MA_NAME_SHOW + 4];
	const char *msg = e->message;
	size_t n = field != NULL ? strlen(field) : 0;

	if (field != NULL && strncmp(msg, field, n) == 0 && msg[n] == ':' &&
	    msg[n + 1] == ' ')
		msg += n + 2;
	_ma_error_set(error, e->code == MA_OK ? MA_ERR_INVALID : e->code,
		      "%s: %s", param_shown(name, sizeof(name), param), msg);
	return false;
}

/* error = "param: <fmt...>"; client text in the arguments goes through
 * _ma_shown(). */
static bool refuse(ma_error *error, const char *param, const char *fmt, ...)
	MA_PRINTF(3, 4);

static bool
refuse(ma_error *error, const char *param, const char *fmt, ...)
{
	char name[MA_NAME_SHOW + 4];
	char msg[MA_ERROR_MESSAGE_SIZE];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	_ma_error_set(error, MA_ERR_INVALID, "%s: %s",
		      param_shown(name, sizeof(name), param), msg);
	return false;
}

/* --- names ------------------------------------------------------------- */

/* What a path names, or why it names nothing a client may use. */
typedef struct path_leaf {
	const ma_field *field; /* NULL: the id */
	char why[MA_ERROR_MESSAGE_SIZE];
} path_leaf;

/*
 * Walks path (a field, or a dotted path) through type, part by part:
 * every part a declared field, every part but the last an embedded
 * document. The C API also walks into the documents of a list (MongoDB's
 * "lines.sku" matches any line's); a client may not, so that what a path
 * names is one value, whose kind the grammar knows. The id is a top-level
 * name only. false with leaf->why saying what is wrong.
 */
static bool
walk_path(const ma_type *type, const char *path, path_leaf *leaf)
{
	char seg[MA_NAME_SHOW + 4];
	const char *p = path, *dot;
	const ma_field *f = NULL;
	char *part;
	size_t n;

	leaf->field = NULL;
	leaf->why[0] = '\0';
	if (strchr(path, '.') != NULL) {
		for (p = path;; p = dot + 1) {
			dot = strchr(p, '.');
			if ((dot != NULL ? dot : p + strlen(p)) == p) {
				snprintf(leaf->why, sizeof(leaf->why),
					 "the path has an empty part");
				return false;
			}
			if (dot == NULL)
				break;
		}
	}
	for (p = path;; p = dot + 1) {
		dot = strchr(p, '.');
		n = dot != NULL ? (size_t)(dot - p) : strlen(p);
		part = bson_strndup(p, n);
		if (p == path && strcmp(part, "_id") == 0) {
			f = NULL;
		} else if ((f = ma_type_field(type, part)) == NULL) {
			snprintf(leaf->why, sizeof(leaf->why),
				 "no such field \"%s\" in %s",
				 _ma_shown(seg, sizeof(seg), part), type->name);
			bson_free(part);
			return false;
		}
		if (dot != NULL && (f == NULL || f->kind != MA_KIND_DOCUMENT ||
				    f->type == NULL)) {
			snprintf(leaf->why, sizeof(leaf->why),
				 "cannot go through \"%s\": it is %s",
				 _ma_shown(seg, sizeof(seg), part),
				 f != NULL ? _ma_kind_name(f->kind)
					   : "an objectid");
			bson_free(part);
			return false;
		}
		bson_free(part);
		if (dot == NULL)
			break;
		type = f->type;
	}
	leaf->field = f;
	return true;
}

/* --- page and per_page --------------------------------------------------- */

static bool
read_page(const char *value, int64_t *page, ma_error *error)
{
	switch (_ma_parse_int(value, 10, INT64_MIN, INT64_MAX, page)) {
	case MA_INT_OK:
		return true;
	case MA_INT_RANGE:
		_ma_error_set(error, MA_ERR_INVALID,
			      "page: must be a decimal integer of 64 bits "
			      "(at most %" PRId64 ")",
			      INT64_MAX);
		return false;
	case MA_INT_SYNTAX:
	default:
		_ma_error_set(error, MA_ERR_INVALID,
			      "page: must be a decimal integer");
		return false;
	}
}

static bool
read_per_page(const char *value, int64_t max, int64_t *per_page,
	      ma_error *error)
{
	switch (_ma_parse_int(value, 10, INT64_MIN, INT64_MAX, per_page)) {
	case MA_INT_OK:
		if (*per_page >= 1 && *per_page <= max)
			return true;
		break;
	case MA_INT_RANGE:
		break;
	case MA_INT_SYNTAX:
	default:
		_ma_error_set(error, MA_ERR_INVALID,
			      "per_page: must be a decimal integer");
		return false;
	}
	_ma_error_set(error, MA_ERR_INVALID,
		      "per_page: must be between 1 and %" PRId64, max);
	return false;
}

/* --- sort and fields ----------------------------------------------------- */

/*
 * Applies each comma-separated item of value: a sort key ("-year") or a
 * field to return.
 */
static bool
apply_list(ma_query *q, const char *param, const char *value, bool sort,
	   ma_error *error)
{
	const ma_type *type = ma_query_type(q);
	char *copy = bson_strdup(value);
	char arg[MA_NAME_SHOW + 4];
	char *item, *next, *name;
	path_leaf leaf;
	ma_error e;
	bool ok = false;

	for (item = copy; item != NULL; item = next) {
		next = strchr(item, ',');
		if (next != NULL)
			*next++ = '\0';
		name = sort && item[0] == '-' ? item + 1 : item;
		if (name[0] == '\0') {
			refuse(error, param, "an item is empty");
			goto done;
		}
		if (strchr(name, '$') != NULL) {
			refuse(error, param, "\"%s\": a name cannot hold '$'",
			       _ma_shown(arg, sizeof(arg), name));
			goto done;
		}
		/* The top-level name is in the message already. */
		if (!walk_path(type, name, &leaf)) {
			if (strchr(name, '.') == NULL)
				refuse(error, param, "%s", leaf.why);
			else
				refuse(error, param, "\"%s\": %s",
				       _ma_shown(arg, sizeof(arg), name),
				       leaf.why);
			goto done;
		}
		if (sort ? !ma_query_sort(q, item, &e)
			 : !ma_query_fields(q, item, &e)) {
			relabel(error, param, NULL, &e);
			goto done;
		}
	}
	ok = true;
done:
	bson_free(copy);
	return ok;
}

/* --- filters ------------------------------------------------------------- */

static bool
filter_in(ma_query *q, const char *param, const char *field, ma_op op,
	  const char *value, ma_error *error)
{
	char *copy = bson_strdup(value);
	ma_value *values = NULL;
	size_t n = 1, i;
	char *p;
	ma_error e;
	bool ok = false;

	/* A string holding ',' cannot be asked for with in/nin; an
	 * escape for it would be a grammar of its own. */
	for (p = copy; *p != '\0'; p++)
		n += *p == ',';
	/* Counted before anything is parsed: a list too long is refused
	 * whole, at the cost of one pass. */
	if (n > MA_MAX_IN_VALUES) {
		refuse(error, param, "%s takes at most %d values, not %zu",
		       ma_op_name(op), MA_MAX_IN_VALUES, n);
		goto done;
	}
	values = bson_malloc(n * sizeof(*values));
	for (p = copy, i = 0; i < n; i++) {
		char *comma = strchr(p, ',');

		if (comma != NULL)
			*comma = '\0';
		if (p[0] == '\0') {
			refuse(error, param, "an item of the list is empty");
			goto done;
		}
		values[i] = MA_V_TEXT(p);
		p = comma != NULL ? comma + 1 : p + strlen(p);
	}
	ok = ma_query_filter_in(q, field, op, values, n, &e);
	if (!ok)
		relabel(error, param, field, &e);
done:
	bson_free(values);
	bson_free(copy);
	return ok;
}

/* The last "__" in name, where the operator starts; NULL if none. */
static const char *
op_separator(const char *name)
{
	const char *p, *last = NULL;

	for (p = strstr(name, "__"); p != NULL; p = strstr(p + 1, "__"))
		last = p;
	return last;
}

static bool
apply_filter(ma_query *q, const char *param, const char *value, ma_error *error)
{
	const ma_type *type = ma_query_type(q);
	char arg[MA_NAME_SHOW + 4];
	const char *sep, *opname, *fshown;
	const ma_field *f;
	path_leaf leaf;
	char *field = NULL;
	ma_op op = MA_OP_EQ;
	ma_error e;
	bool ok = false, b;
	size_t i;

	if (strchr(param, '$') != NULL)
		return refuse(error, param, "a name cannot hold '$'");
	sep = op_separator(param);
	if (walk_path(type, param, &leaf)) {
		field = bson_strdup(param);
	} else if (sep == NULL) {
		if (strchr(param, '.') == NULL)
			return refuse(error, param, "no such field in %s",
				      type->name);
		return refuse(error, param, "%s", leaf.why);
	} else {
		field = bson_strndup(param, (size_t)(sep - param));
		opname = sep + 2;
		if (!walk_path(type, field, &leaf)) {
			refuse(error, param, "%s", leaf.why);
			goto done;
		}
		for (i = 0; i < N_LIST_OPS; i++) {
			if (strcmp(list_ops[i].name, opname) == 0)
				break;
		}
		if (i == N_LIST_OPS) {
			refuse(error, param,
			       "unknown operator \"%s\" (" LIST_OPS_TEXT ")",
			       _ma_shown(arg, sizeof(arg), opname));
			goto done;
		}
		op = list_ops[i].op;
	}
	/* A document is compared whole, as JSON, which the grammar does not
	 * take from a client: only its presence can be asked for, and a
	 * list of them also by its length. */
	f = leaf.field;
	fshown = _ma_shown(arg, sizeof(arg), field);
	if (f != NULL && f->kind == MA_KIND_DOCUMENT && op != MA_OP_EXISTS) {
		refuse(error, param,
		       "an embedded document can only be tested with "
		       "%s__exists",
		       fshown);
		goto done;
	}
	if (f != NULL && f->kind == MA_KIND_LIST && f->item != NULL &&
	    f->item->kind == MA_KIND_DOCUMENT && op != MA_OP_EXISTS &&
	    op != MA_OP_SIZE) {
		refuse(error, param,
		       "a list of embedded documents can only be tested "
		       "with %s__exists or %s__size",
		       fshown, fshown);
		goto done;
	}

	switch (op) {
	case MA_OP_IN:
	case MA_OP_NIN:
	case MA_OP_ALL:
		ok = filter_in(q, param, field, op, value, error);
		goto done;
	case MA_OP_EXISTS:
		if (!_ma_parse_bool(value, MA_BOOL_FLAG, &b)) {
			refuse(error, param, "must be true, false, 1 or 0");
			goto done;
		}
		ok = ma_query_filter(q, field, op, MA_V_BOOL(b), &e);
		break;
	case MA_OP_EQ:
	case MA_OP_NE:
	case MA_OP_GT:
	case MA_OP_GTE:
	case MA_OP_LT:
	case MA_OP_LTE:
	case MA_OP_STARTSWITH:
	case MA_OP_REGEX:
	case MA_OP_SIZE:
	case MA_OP__MAX:
	default:
		ok = ma_query_filter(q, field, op, MA_V_TEXT(value), &e);
		break;
	}
	if (!ok)
		relabel(error, param, field, &e);
done:
	bson_free(field);
	return ok;
}

/* --- the grammar --------------------------------------------------------- */

static bool
skipped(const char *const *skip, const char *name)
{
	for (; skip != NULL && *skip != NULL; skip++) {
		if (strcmp(*skip, name) == 0)
			return true;
	}
	return false;
}

bool
_ma_list_params(const ma_qs *qs, ma_query *query, int64_t max_per_page,
		const char *const *skip, int64_t *page, int64_t *per_page,
		ma_error *error)
{
	bool seen_page = false, seen_per_page = false;
	bool seen_sort = false, seen_fields = false;
	int64_t pg = 1, pp;
	const ma_qs_pair *pair;
	size_t i, others;

	if (query == NULL) {
		_ma_error_set(error, MA_ERR_INVALID, "a query is required");
		return false;
	}
	if (!ma_query_ok(query, error))
		return false;
	if (max_per_page < 1)
		max_per_page = MA_MAX_PER_PAGE;
	pp = MA_PER_PAGE < max_per_page ? MA_PER_PAGE : max_per_page;

	/* Each Link of the page repeats the other parameters and adds page
	 * and per_page: a list that the query-string parser takes whole
	 * would get links that it then refuses. */
	for (i = 0, others = 0; qs != NULL && i < qs->n; i++) {
		others += strcmp(qs->pairs[i].name, "page") != 0 &&
			  strcmp(qs->pairs[i].name, "per_page") != 0;
	}
	if (others > MA_LIST_MAX_PARAMS) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "too many parameters (at most %d besides page "
			      "and per_page)",
			      MA_LIST_MAX_PARAMS);
		return false;
	}

	for (i = 0; qs != NULL && i < qs->n; i++) {
		pair = &qs->pairs[i];
		if (skipped(skip, pair->name))
			continue;
		if (strcmp(pair->name, "page") == 0) {
			if (seen_page)
				return refuse(error, "page",
					      "given more than once");
			seen_page = true;
			if (!read_page(pair->value, &pg, error))
				return false;
		} else if (strcmp(pair->name, "per_page") == 0) {
			if (seen_per_page)
				return refuse(error, "per_page",
					      "given more than once");
			seen_per_page = true;
			if (!read_per_page(pair->value, max_per_page, &pp,
					   error))
				return false;
		} else if (strcmp(pair->name, "sort") == 0 ||
			   strcmp(pair->name, "fields") == 0) {
			bool sort = pair->name[0] == 's';
			bool *seen = sort ? &seen_sort : &seen_fields;

			if (*seen)
				return refuse(error, pair->name,
					      "given more than once");
			*seen = true;
			if (!apply_list(query, pair->name, pair->value, sort,
					error))
				return false;
		} else if (!apply_filter(query, pair->name, pair->value,
					 error)) {
			return false;
		}
	}

	/* Only once every parameter is known good: a request that is
	 * wrong and also asks for page 0 is told what is wrong (400). */
	if (pg < 1) {
		_ma_error_set(error, MA_ERR_NOT_FOUND,
			      "page %" PRId64
			      " does not exist: pages start at 1",
			      pg);
		return false;
	}
	if (page != NULL)
		*page = pg;
	if (per_page != NULL)
		*per_page = pp;
	ma_error_clear(error);
	return true;
}
