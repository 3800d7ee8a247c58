/*
 * fuzz_router: a method and a raw path as a client sends them, through
 * the router of an application shaped like the library example (its CRUD
 * routes, /books/since/{year}, and literal and parameter segments mixed),
 * then what the handler of /books/since/{year} does with its parameter,
 * and the Link header built from the path.
 *
 * Input: the first byte chooses the method (one of the seven, none, or
 * two bits at once); the rest is the path, up to a NUL.
 *
 * Every answer is checked against a matcher written here, segment by
 * segment: of the patterns the path fits, the one chosen has a literal at
 * the first place where they differ (a literal beats a parameter); then
 * the method decides between the route, 405 (with the Allow the pattern's
 * methods give) and 400 (a parameter that does not decode). A match's
 * parameters are the path's segments at their places, decoded by a
 * decoder of its own, so they lie within the path, non-empty, UTF-8
 * without NUL; the Link header is the path encoded independently, and
 * header-safe.
 */
#include <ctype.h>

#include "fuzz.h"
#include "http/http-private.h"
#include "library.h"
#include "query/query-private.h"

#define MAX_SEGMENTS 16

typedef struct route_def {
	const char *pattern;
	unsigned methods;
} route_def;

/* The example's routes and mixes around them: the same shape under other
 * parameter names, a literal beside a parameter, the most parameters a
 * pattern may have, the root. */
static const route_def routes[] = {
	{"/authors", MA_GET | MA_POST},
	{"/authors/{id}", MA_GET | MA_PUT | MA_PATCH},
	{"/authors/{name}", MA_DELETE},
	{"/authors/{id}/books", MA_GET},
	{"/books", MA_GET | MA_POST},
	{"/books/{id}", MA_GET | MA_PUT | MA_PATCH | MA_DELETE},
	{"/books/since/{year}", MA_GET},
	{"/books/new", MA_GET | MA_OPTIONS},
	{"/books/{id}/reviews/{n}", MA_GET | MA_DELETE},
	{"/shelves/{shelf}/books/{id}", MA_GET},
	{"/shelves/top/books/latest", MA_HEAD},
	{"/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}", MA_GET},
	{"/a/b/c/d/e/f/g/h", MA_POST},
	{"/", MA_GET},
};

#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

static const unsigned methods[] = {
	MA_GET,	   MA_HEAD,    MA_POST, MA_PUT,		  MA_PATCH,
	MA_DELETE, MA_OPTIONS, 0,	MA_GET | MA_POST,
};

#define N_METHODS (sizeof(methods) / sizeof(methods[0]))

static ma_router *router;
static ma_db *db;

/* A handler's address is all the router needs. */
static void
handler(ma_request *req, ma_response *res, void *arg)
{
	(void)req;
	(void)res;
	(void)arg;
}

static void
cleanup(void)
{
	_ma_router_destroy(router);
	ma_db_destroy(db);
	ma_cleanup();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	ma_error e;
	size_t i;

	(void)argc;
	(void)argv;
	router = _ma_router_new();
	for (i = 0; i < N_ROUTES; i++) {
		if (!_ma_router_add(router, routes[i].methods,
				    routes[i].pattern, handler,
				    (void *)&routes[i], &e)) {
			fprintf(stderr, "fuzz_router: %s\n", e.message);
			abort();
		}
	}
	db = fuzz_db("fuzz_router");
	atexit(cleanup);
	return 0;
}

/* --- the reference matcher ------------------------------------------------ */

typedef struct span {
	const char *s;
	size_t len;
} span;

/* s split at '/' after its leading one; false past MAX_SEGMENTS. "/" is
 * no segment at all. */
static bool
split(const char *s, span *segs, size_t *n)
{
	const char *p = s + 1;

	*n = 0;
	if (strcmp(s, "/") == 0)
		return true;
	for (;;) {
		if (*n == MAX_SEGMENTS)
			return false;
		segs[*n].s = p;
		segs[*n].len = strcspn(p, "/");
		p += segs[(*n)++].len;
		if (*p == '\0')
			return true;
		p++;
	}
}

static bool
is_param(const span *seg)
{
	return seg->s[0] == '{';
}

/* Whether route r's pattern fits the path's segments. */
static bool
fits(const route_def *r, const span *path, size_t n)
{
	span pat[MAX_SEGMENTS];
	size_t np, i;

	CHECK(split(r->pattern, pat, &np));
	if (np != n)
		return false;
	for (i = 0; i < n; i++) {
		if (is_param(&pat[i])
			    ? path[i].len == 0
			    : (pat[i].len != path[i].len ||
			       memcmp(pat[i].s, path[i].s, path[i].len) != 0))
			return false;
	}
	return true;
}

/* Negative when a comes first: at the first place the two differ in
 * kind, the literal. Patterns of one shape compare equal. */
static int
precedence(const route_def *a, const route_def *b)
{
	span sa[MAX_SEGMENTS], sb[MAX_SEGMENTS];
	size_t na, nb, i;

	CHECK(split(a->pattern, sa, &na));
	CHECK(split(b->pattern, sb, &nb));
	CHECK(na == nb);
	for (i = 0; i < na; i++) {
		if (is_param(&sa[i]) != is_param(&sb[i]))
			return is_param(&sa[i]) ? 1 : -1;
	}
	return 0;
}

/* An independent percent-decoder: %XX is a byte (not %00), the rest as it
 * is, and the whole must be UTF-8. NULL when it is not. */
static char *
decode(const span *seg)
{
	char *out = bson_malloc(seg->len + 1), hex[3] = {0};
	size_t i, o = 0;
	unsigned long v;

	for (i = 0; i < seg->len; i++) {
		if (seg->s[i] != '%') {
			out[o++] = seg->s[i];
			continue;
		}
		if (i + 2 >= seg->len)
			goto bad;
		hex[0] = seg->s[i + 1];
		hex[1] = seg->s[i + 2];
		if (!isxdigit((unsigned char)hex[0]) ||
		    !isxdigit((unsigned char)hex[1]))
			goto bad;
		v = strtoul(hex, NULL, 16);
		if (v == 0)
			goto bad;
		out[o++] = (char)v;
		i += 2;
	}
	out[o] = '\0';
	if (bson_utf8_validate(out, o, false))
		return out;
bad:
	bson_free(out);
	return NULL;
}

/* Among the routes the path fits, the first in precedence: the pattern
 * the path chooses. NULL when none fits. */
static const route_def *
chosen(const span *path, size_t n)
{
	const route_def *best = NULL;
	size_t i;

	for (i = 0; i < N_ROUTES; i++) {
		if (fits(&routes[i], path, n) &&
		    (best == NULL || precedence(&routes[i], best) < 0))
			best = &routes[i];
	}
	return best;
}

/* The first route (in the order added) of the chosen pattern's shape with
 * one of the methods bits; NULL when there is none. */
static const route_def *
route_with(const route_def *shape, const span *path, size_t n, unsigned bits)
{
	size_t i;

	for (i = 0; i < N_ROUTES; i++) {
		if (fits(&routes[i], path, n) &&
		    precedence(&routes[i], shape) == 0 &&
		    (routes[i].methods & bits) != 0)
			return &routes[i];
	}
	return NULL;
}

/* --- the checks ----------------------------------------------------------- */

/* The route /books/since/{year} serves: Book.query.since(year). */
static void
check_since(const char *year)
{
	ma_query *q = ma_query_new(db, &library_book_type);
	bson_iter_t it, gte;
	ma_error e;

	if (ma_query_extend(q, "since", year, &e)) {
		CHECK(bson_iter_init(&it, ma_query_filter_bson(q)));
		CHECK(bson_iter_find_descendant(&it, "year.$gte", &gte));
		/* A year as an integer; a filter is not held to the
		 * field's bounds. */
		CHECK(BSON_ITER_HOLDS_INT64(&gte));
	} else {
		CHECK(e.code == MA_ERR_INVALID && fuzz_utf8(e.message));
	}
	ma_query_destroy(q);
}

static void
check_found(const ma_route_match *m, const route_def *r, const span *path)
{
	span pat[MAX_SEGMENTS];
	size_t np, i, k = 0;
	char *want;

	CHECK(m->handler == handler && m->arg == r);
	CHECK(split(r->pattern, pat, &np));
	for (i = 0; i < np; i++) {
		if (!is_param(&pat[i]))
			continue;
		CHECK(k < m->nparams);
		CHECK(strlen(m->names[k]) == pat[i].len - 2 &&
		      memcmp(m->names[k], pat[i].s + 1, pat[i].len - 2) == 0);
		/* The value is this segment of the path, decoded. */
		want = decode(&path[i]);
		CHECK(want != NULL);
		CHECK(m->values[k] != NULL && m->values[k][0] != '\0');
		CHECK(strcmp(m->values[k], want) == 0);
		CHECK(fuzz_utf8(m->values[k]));
		bson_free(want);
		if (strcmp(r->pattern, "/books/since/{year}") == 0)
			check_since(m->values[k]);
		k++;
	}
	CHECK(k == m->nparams);
	for (; k < MA_ROUTE_MAX_PARAMS; k++)
		CHECK(m->values[k] == NULL && m->names[k] == NULL);
}

/* A pattern fits, not with this method: Allow lists its methods. */
static void
check_not_allowed(const ma_route_match *m, unsigned want)
{
	ma_buf allow, expected;
	size_t i;

	CHECK(m->allowed == want);
	CHECK(m->handler == NULL && m->nparams == 0);
	_ma_buf_init(&allow, 64);
	_ma_buf_init(&expected, 64);
	_ma_allow_header(&allow, m->allowed);
	/* The first seven of methods[] are one bit each, in ma_method
	 * order. */
	for (i = 0; i < 7; i++) {
		if ((want & methods[i]) != 0)
			_ma_buf_printf(&expected, "%s%s",
				       expected.len > 0 ? ", " : "",
				       ma_method_name((ma_method)methods[i]));
	}
	_ma_buf_reserve(&expected, 0);
	expected.data[expected.len] = '\0';
	CHECK(allow.len == expected.len &&
	      strcmp(allow.data, expected.data) == 0);
	_ma_buf_destroy(&expected);
	_ma_buf_destroy(&allow);
}

/* The Link header of a list at this path: the path as a URI reference,
 * encoded here independently, inside the <>. */
static void
check_link(const char *path)
{
	static const char kept[] = "-._~!$&'()*+,;=:@/%";
	const unsigned char *p;
	ma_buf links, ref, want;

	_ma_buf_init(&ref, 64);
	for (p = (const unsigned char *)path; *p != '\0'; p++) {
		if (isalnum(*p) || strchr(kept, *p) != NULL)
			_ma_buf_putc(&ref, (char)*p);
		else
			_ma_buf_printf(&ref, "%%%02X", *p);
	}
	_ma_buf_reserve(&ref, 0);
	ref.data[ref.len] = '\0';
	_ma_buf_init(&want, 64);
	_ma_buf_printf(&want,
		       "<%s?page=1&per_page=20>; rel=\"first\", "
		       "<%s?page=1&per_page=20>; rel=\"last\"",
		       ref.data, ref.data);

	_ma_buf_init(&links, 256);
	_ma_page_links(&links, path, NULL, 1, 20, 1, false);
	CHECK(fuzz_header_safe(links.data, links.len));
	CHECK(links.len == want.len && strcmp(links.data, want.data) == 0);
	_ma_buf_destroy(&links);
	_ma_buf_destroy(&want);
	_ma_buf_destroy(&ref);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned method = size > 0 ? methods[data[0] % N_METHODS] : MA_GET;
	char *path = fuzz_text(data + (size > 0), size - (size > 0));
	span segs[MAX_SEGMENTS], pat[MAX_SEGMENTS];
	const route_def *shape = NULL, *r = NULL;
	unsigned allowed = 0;
	ma_route_result result;
	ma_route_match m;
	ma_error e;
	size_t n = 0, np, i;
	bool bad = false;
	char *v;

	result = _ma_router_match(router, (ma_method)method, path, &m, &e);
	check_link(path);

	/* Deeper than any pattern, or not a path: nothing fits. */
	if (path[0] == '/' && split(path, segs, &n))
		shape = chosen(segs, n);
	if (shape == NULL) {
		CHECK(result == MA_ROUTE_NOT_FOUND);
		goto done;
	}
	for (i = 0; i < N_ROUTES; i++) {
		if (fits(&routes[i], segs, n) &&
		    precedence(&routes[i], shape) == 0)
			allowed |= routes[i].methods;
	}
	if (allowed & MA_GET)
		allowed |= MA_HEAD;

	/* Exactly one method: its route, a HEAD route of its own or GET's. */
	if (ma_method_name((ma_method)method) != NULL) {
		r = route_with(shape, segs, n, method);
		if (r == NULL && method == MA_HEAD)
			r = route_with(shape, segs, n, MA_GET);
	}
	if (r == NULL) {
		CHECK(result == MA_ROUTE_NO_METHOD);
		check_not_allowed(&m, allowed);
		goto done;
	}

	/* A parameter that does not decode is the client's error: 400. */
	CHECK(split(r->pattern, pat, &np) && np == n);
	for (i = 0; i < n; i++) {
		if (!is_param(&pat[i]))
			continue;
		v = decode(&segs[i]);
		bad = bad || v == NULL;
		bson_free(v);
	}
	if (bad) {
		CHECK(result == MA_ROUTE_BAD_PATH);
		CHECK(e.code == MA_ERR_INVALID && fuzz_utf8(e.message));
		CHECK(m.handler == NULL && m.nparams == 0);
		goto done;
	}
	CHECK(result == MA_ROUTE_FOUND);
	CHECK(m.allowed == allowed);
	check_found(&m, r, segs);
done:
	_ma_route_match_clear(&m);
	bson_free(path);
	return 0;
}
