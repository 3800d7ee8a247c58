/*
 * The router: method + path -> handler, with named path parameters.
 *
 * Patterns live in a tree of segments. At each node the literal children
 * are tried before the parameter child, so "/books/new" wins over
 * "/books/{id}" whatever the order they were added in; when the literal
 * branch cannot match the rest of the path, the parameter branch is tried.
 * Each node of the tree is visited at most once per request (a node sits
 * at one depth, and the path has one segment there), so the work is
 * bounded by the size of the tree times the length of the path, and the
 * recursion by the depth of the deepest pattern, which the application
 * chooses, never the client.
 *
 * The path alone chooses the pattern; the method then chooses the handler
 * or a 405 listing the pattern's methods. Matching allocates nothing:
 * only the values of the parameters of the route found are decoded.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "http/http-private.h"

/* What a route added at a node holds. Routes of one node share the
 * pattern's shape; parameter names may differ between them. */
typedef struct route {
	unsigned methods;
	ma_handler handler;
	void *arg;
	char *names[MA_ROUTE_MAX_PARAMS];
} route;

typedef struct node {
	char *literal; /* this node's segment; NULL for a parameter */
	size_t len;
	struct node **children; /* literal children */
	size_t nchildren;
	struct node *param; /* the parameter child, if any */
	route *routes;
	size_t nroutes;
	unsigned methods; /* every method of routes */
	size_t nparams;	  /* parameters on the way here */
	size_t id;	  /* its place in the router's templates, from 1 */
} node;

struct ma_router {
	node root;
	/* The template of each node with routes (the first pattern added
	 * there), by node id - 1: bounded labels for logs and metrics. */
	char **templates;
	size_t ntemplates;
};

/* --- methods ------------------------------------------------------------- */

static const struct {
	ma_method method;
	const char *name;
} method_names[] = {
	{MA_GET, "GET"},	 {MA_HEAD, "HEAD"},   {MA_POST, "POST"},
	{MA_PUT, "PUT"},	 {MA_PATCH, "PATCH"}, {MA_DELETE, "DELETE"},
	{MA_OPTIONS, "OPTIONS"},
};

#define N_METHODS (sizeof(method_names) / sizeof(method_names[0]))
#define ALL_METHODS                                                            \
	(MA_GET | MA_HEAD | MA_POST | MA_PUT | MA_PATCH | MA_DELETE |          \
	 MA_OPTIONS)

const char *
ma_method_name(ma_method method)
{
	size_t i;

	for (i = 0; i < N_METHODS; i++) {
		if (method_names[i].method == method)
			return method_names[i].name;
	}
	return NULL;
}

ma_method
ma_method_from_name(const char *name)
{
	size_t i;

	if (name == NULL)
		return 0;
	for (i = 0; i < N_METHODS; i++) {
		if (strcmp(method_names[i].name, name) == 0)
			return method_names[i].method;
	}
	return 0;
}

void
_ma_allow_header(ma_buf *buf, unsigned allowed)
{
	bool first = true;
	size_t i;

	for (i = 0; i < N_METHODS; i++) {
		if (!(allowed & (unsigned)method_names[i].method))
			continue;
		if (!first)
			_ma_buf_append(buf, ", ", 2);
		_ma_buf_append(buf, method_names[i].name,
			       strlen(method_names[i].name));
		first = false;
	}
	_ma_buf_reserve(buf, 0);
	buf->data[buf->len] = '\0';
}

/* --- the tree ------------------------------------------------------------ */

static void
node_free(node *n)
{
	size_t i, j;

	for (i = 0; i < n->nchildren; i++) {
		node_free(n->children[i]);
		bson_free(n->children[i]);
	}
	bson_free(n->children);
	if (n->param != NULL) {
		node_free(n->param);
		bson_free(n->param);
	}
	for (i = 0; i < n->nroutes; i++) {
		for (j = 0; j < MA_ROUTE_MAX_PARAMS; j++)
			bson_free(n->routes[i].names[j]);
	}
	bson_free(n->routes);
	bson_free(n->literal);
}

ma_router *
_ma_router_new(void)
{
	return bson_malloc0(sizeof(ma_router));
}

void
_ma_router_destroy(ma_router *router)
{
	size_t i;

	if (router == NULL)
		return;
	node_free(&router->root);
	for (i = 0; i < router->ntemplates; i++)
		bson_free(router->templates[i]);
	bson_free(router->templates);
	bson_free(router);
}

static node *
literal_child(const node *n, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < n->nchildren; i++) {
		if (n->children[i]->len == len &&
		    memcmp(n->children[i]->literal, s, len) == 0)
			return n->children[i];
	}
	return NULL;
}

/* --- adding -------------------------------------------------------------- */

/* One segment of a pattern: a literal, or a parameter's name. */
typedef struct pseg {
	const char *s;
	size_t len;
	bool param;
} pseg;

static bool
name_char(char c, bool first)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
	       (!first && c >= '0' && c <= '9');
}

/* The pattern's problem, for the developer who wrote it. */
static bool refuse(ma_error *error, const char *pattern, const char *fmt, ...)
	MA_PRINTF(3, 4);

static bool
refuse(ma_error *error, const char *pattern, const char *fmt, ...)
{
	char msg[MA_ERROR_MESSAGE_SIZE];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	_ma_error_set(error, MA_ERR_INVALID, "route \"%.80s\": %s",
		      pattern != NULL ? pattern : "(null)", msg);
	return false;
}

/* "{name}", seg[0] being '{'; added to segs (nsegs so far). */
static bool
check_param(const char *pattern, const char *seg, size_t len, const pseg *segs,
	    size_t nsegs, size_t nparams, ma_error *error)
{
	size_t i;

	if (len < 3 || seg[len - 1] != '}')
		goto bad;
	for (i = 1; i < len - 1; i++) {
		if (!name_char(seg[i], i == 1))
			goto bad;
	}
	if (nparams == MA_ROUTE_MAX_PARAMS)
		return refuse(error, pattern, "more than %d parameters",
			      MA_ROUTE_MAX_PARAMS);
	for (i = 0; i < nsegs; i++) {
		if (segs[i].param && segs[i].len == len - 2 &&
		    memcmp(segs[i].s, seg + 1, len - 2) == 0)
			return refuse(error, pattern,
				      "parameter \"%.*s\" named twice",
				      (int)(len - 2), seg + 1);
	}
	return true;
bad:
	return refuse(error, pattern,
		      "\"%.*s\" is not a parameter: use {name}, name of "
		      "letters, digits and '_'",
		      (int)(len > 40 ? 40 : len), seg);
}

/*
 * A literal holds visible ASCII only: a raw path carries anything else
 * percent-encoded, and literals are compared before decoding, so such a
 * literal could never match.
 */
static bool
check_literal(const char *pattern, const char *seg, size_t len, ma_error *error)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)seg[i];

		if (c <= 0x20 || c >= 0x7f)
			return refuse(error, pattern,
				      "a literal segment cannot hold byte "
				      "0x%02X",
				      c);
		if (strchr("{}%?#", c) != NULL)
			return refuse(error, pattern,
				      "a literal segment cannot hold '%c'", c);
	}
	return true;
}

/* At most this many segments in a pattern (the tree's depth). */
#define PATTERN_MAX_SEGMENTS 64

/* Splits and checks a pattern into segs. */
static bool
parse_pattern(const char *pattern, pseg segs[PATTERN_MAX_SEGMENTS],
	      size_t *nsegs, ma_error *error)
{
	const char *p, *seg;
	size_t len, nparams = 0;

	*nsegs = 0;
	if (pattern == NULL || pattern[0] != '/')
		return refuse(error, pattern, "a pattern starts with '/'");
	if (strcmp(pattern, "/") == 0)
		return true;

	for (p = pattern; *p != '\0'; p = seg + len) {
		seg = p + 1;
		len = strcspn(seg, "/");
		if (len == 0)
			return refuse(error, pattern,
				      seg[0] == '\0' ? "a trailing '/'"
						     : "an empty segment");
		if (*nsegs == PATTERN_MAX_SEGMENTS)
			return refuse(error, pattern, "too many segments");
		if (seg[0] == '{') {
			if (!check_param(pattern, seg, len, segs, *nsegs,
					 nparams, error))
				return false;
			segs[(*nsegs)++] = (pseg){seg + 1, len - 2, true};
			nparams++;
		} else {
			if (!check_literal(pattern, seg, len, error))
				return false;
			segs[(*nsegs)++] = (pseg){seg, len, false};
		}
	}
	return true;
}

/* n's child for seg, or NULL. */
static node *
child_of(const node *n, const pseg *seg)
{
	return seg->param ? n->param : literal_child(n, seg->s, seg->len);
}

/* n's child for seg, added when it is new. */
static node *
child_for(node *n, const pseg *seg)
{
	node *child = child_of(n, seg);

	if (child != NULL)
		return child;
	child = bson_malloc0(sizeof(*child));
	child->nparams = n->nparams + (seg->param ? 1 : 0);
	if (seg->param) {
		n->param = child;
		return child;
	}
	child->literal = bson_strndup(seg->s, seg->len);
	child->len = seg->len;
	n->children = bson_realloc(n->children,
				   (n->nchildren + 1) * sizeof(*n->children));
	n->children[n->nchildren++] = child;
	return child;
}

bool
_ma_router_add(ma_router *router, unsigned methods, const char *pattern,
	       ma_handler handler, void *arg, ma_error *error)
{
	pseg segs[PATTERN_MAX_SEGMENTS];
	size_t nsegs, i, k;
	node *n;
	unsigned both;
	route *r;

	if (router == NULL || handler == NULL)
		return refuse(error, pattern,
			      "a router and a handler are required");
	if (methods == 0 || (methods & ~(unsigned)ALL_METHODS) != 0)
		return refuse(error, pattern, "methods must be ma_method bits");
	if (!parse_pattern(pattern, segs, &nsegs, error))
		return false;

	/* Checked before the tree changes, so that a refused route leaves
	 * the router as it was. */
	for (n = &router->root, i = 0; n != NULL && i < nsegs; i++)
		n = child_of(n, &segs[i]);
	both = n != NULL ? n->methods & methods : 0;
	/* Named by its lowest bit: the first in ma_method order. */
	if (both != 0)
		return refuse(error, pattern, "%s is already routed",
			      ma_method_name((ma_method)(both & (0u - both))));

	for (n = &router->root, i = 0; i < nsegs; i++)
		n = child_for(n, &segs[i]);
	if (n->id == 0) {
		router->templates = bson_realloc(
			router->templates,
			(router->ntemplates + 1) * sizeof(*router->templates));
		router->templates[router->ntemplates++] = bson_strdup(pattern);
		n->id = router->ntemplates;
	}

	n->routes =
		bson_realloc(n->routes, (n->nroutes + 1) * sizeof(*n->routes));
	r = &n->routes[n->nroutes++];
	memset(r, 0, sizeof(*r));
	r->methods = methods;
	r->handler = handler;
	r->arg = arg;
	for (i = 0, k = 0; i < nsegs; i++) {
		if (segs[i].param)
			r->names[k++] = bson_strndup(segs[i].s, segs[i].len);
	}
	n->methods |= methods;
	return true;
}

/* --- matching ------------------------------------------------------------ */

typedef struct span {
	const char *s;
	size_t len;
} span;

/*
 * The node with routes that the rest of the path, p (at a '/' or the
 * end), leads to from n; the parameters' segments into params from
 * index n->nparams on.
 */
static const node *
walk(const node *n, const char *p, span *params)
{
	const node *child, *found;
	const char *seg;
	size_t len;

	if (*p == '\0')
		return n->nroutes > 0 ? n : NULL;
	seg = p + 1;
	len = strcspn(seg, "/");

	child = literal_child(n, seg, len);
	if (child != NULL) {
		found = walk(child, seg + len, params);
		if (found != NULL)
			return found;
	}
	/* An empty segment ("//", a trailing '/') is no parameter's value. */
	if (n->param != NULL && len > 0) {
		params[n->nparams] = (span){seg, len};
		return walk(n->param, seg + len, params);
	}
	return NULL;
}

static const route *
route_for(const node *n, ma_method method)
{
	size_t i;

	for (i = 0; i < n->nroutes; i++) {
		if (n->routes[i].methods & (unsigned)method)
			return &n->routes[i];
	}
	return NULL;
}

void
_ma_route_match_clear(ma_route_match *match)
{
	size_t i;

	if (match == NULL)
		return;
	for (i = 0; i < MA_ROUTE_MAX_PARAMS; i++)
		bson_free(match->values[i]);
	memset(match, 0, sizeof(*match));
}

ma_route_result
_ma_router_match(const ma_router *router, ma_method method, const char *path,
		 ma_route_match *match, ma_error *error)
{
	span params[MA_ROUTE_MAX_PARAMS];
	const route *r = NULL;
	const node *n;
	ma_error e;
	size_t i;

	memset(match, 0, sizeof(*match));
	if (router == NULL || path == NULL || path[0] != '/')
		return MA_ROUTE_NOT_FOUND;
	/* "/" is the root itself, no segment: what "/" alone added. */
	n = walk(&router->root, path[1] == '\0' ? path + 1 : path, params);
	if (n == NULL)
		return MA_ROUTE_NOT_FOUND;

	match->allowed = n->methods | (n->methods & MA_GET ? MA_HEAD : 0);
	match->route_id = n->id;
	/* Exactly one known method; a HEAD route of its own wins over GET. */
	if (ma_method_name(method) != NULL) {
		r = route_for(n, method);
		if (r == NULL && method == MA_HEAD)
			r = route_for(n, MA_GET);
	}
	if (r == NULL)
		return MA_ROUTE_NO_METHOD;

	match->handler = r->handler;
	match->arg = r->arg;
	for (i = 0; i < n->nparams; i++) {
		match->values[i] =
			_ma_pct_decode(params[i].s, params[i].len, false, &e);
		if (match->values[i] == NULL) {
			_ma_error_set(error, MA_ERR_INVALID, "%s: %s",
				      r->names[i], e.message);
			_ma_route_match_clear(match);
			match->route_id = n->id;
			return MA_ROUTE_BAD_PATH;
		}
		match->names[i] = r->names[i];
	}
	match->nparams = n->nparams;
	return MA_ROUTE_FOUND;
}

size_t
_ma_router_count(const ma_router *router)
{
	return router != NULL ? router->ntemplates : 0;
}

const char *
_ma_router_template(const ma_router *router, size_t id)
{
	if (router == NULL || id == 0 || id > router->ntemplates)
		return NULL;
	return router->templates[id - 1];
}
