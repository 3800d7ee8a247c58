/*
 * CORS, the Fetch standard's protocol for cross-origin requests: the
 * policy an application is given (checked once, at setup), and the
 * headers of its answers. Pure: the application (app/cors.c) hands in
 * what the request carried and the methods of its path, and appends the
 * header lines written here.
 *
 * Origins compare exactly, byte for byte, as the standard asks: a browser
 * sends the serialized origin (lower-case scheme and host, no default
 * port, no path), so a policy written any other way would never match and
 * is refused at setup instead.
 */
#include <string.h>
#include <strings.h>

#include "http/http-private.h"

struct ma_cors_policy {
	char **origins; /* NULL-terminated; empty when any_origin */
	bool any_origin;
	unsigned methods;    /* 0: the path's */
	char **headers;	     /* NULL-terminated */
	char *allow_headers; /* the same, ", "-joined; NULL: none */
	int max_age;	     /* < 0: not said */
	bool credentials;
};

/* RFC 9110's tchar: what a header name (a token) is made of. */
static const char TCHARS[] =
	"!#$%&'*+-.^_`|~0123456789"
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static bool
is_token(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\0' || strchr(TCHARS, s[i]) == NULL)
			return false;
	}
	return n > 0;
}

/* --- the policy ----------------------------------------------------------- */

/* The port after ':', whole: 1 to 65535 without a leading zero, and not
 * the scheme's default, which a serialized origin leaves out. */
static bool
port_ok(const char *scheme, size_t scheme_len, const char *port)
{
	static const struct {
		const char *scheme;
		int64_t port;
	} defaults[] = {{"http", 80}, {"https", 443}, {"ws", 80}, {"wss", 443}};
	int64_t n;
	size_t i;

	if (port[0] == '0' ||
	    _ma_parse_int(port, 10, 1, 65535, &n) != MA_INT_OK)
		return false;
	for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
		if (strlen(defaults[i].scheme) == scheme_len &&
		    strncmp(defaults[i].scheme, scheme, scheme_len) == 0 &&
		    defaults[i].port == n)
			return false;
	}
	return true;
}

/* A host as a browser serializes it: lower-case labels of letters,
 * digits and '-' (IDNs in their xn-- form) or an IPv4 address, none
 * empty; or an IPv6 address in brackets, in lower-case hex. */
static bool
host_ok(const char *h, size_t n)
{
	size_t i;

	if (n > 2 && h[0] == '[' && h[n - 1] == ']')
		return strspn(h + 1, "0123456789abcdef:.") == n - 2;
	if (n == 0 || n > 253 || h[0] == '.' || h[n - 1] == '.')
		return false;
	for (i = 0; i < n; i++) {
		if (strchr("abcdefghijklmnopqrstuvwxyz0123456789-.", h[i]) ==
			    NULL ||
		    h[i] == '\0' || (h[i] == '.' && h[i + 1] == '.'))
			return false;
	}
	return true;
}

bool
_ma_cors_origin_check(const char *origin, ma_error *error)
{
	const char *sep, *host, *port;
	size_t scheme_len, host_len;

	if (origin == NULL || origin[0] == '\0') {
		_ma_error_set(error, MA_ERR_INVALID, "CORS origin is empty");
		return false;
	}
	if (strcmp(origin, "null") == 0) {
		_ma_error_set(
			error, MA_ERR_INVALID,
			"CORS origin null is refused: sandboxed documents "
			"and local files send it, so any page can be it");
		return false;
	}
	sep = strstr(origin, "://");
	scheme_len = sep != NULL ? (size_t)(sep - origin) : 0;
	if (sep == NULL || scheme_len == 0 ||
	    strspn(origin, "abcdefghijklmnopqrstuvwxyz") == 0 ||
	    strspn(origin, "abcdefghijklmnopqrstuvwxyz0123456789+-.") !=
		    scheme_len)
		goto malformed;
	host = sep + 3;
	/* After an IPv6 address's bracket, or the first ':', the port. */
	port = host[0] == '[' ? strchr(host, ']') : host;
	if (port == NULL)
		goto malformed;
	port = strchr(port, ':');
	host_len = port != NULL ? (size_t)(port - host) : strlen(host);
	if (!host_ok(host, host_len) ||
	    (port != NULL && !port_ok(origin, scheme_len, port + 1)))
		goto malformed;
	ma_error_clear(error);
	return true;
malformed:
	_ma_error_set(error, MA_ERR_INVALID,
		      "CORS origin \"%.200s\" is not an origin as a browser "
		      "sends it: scheme://host[:port] in lower case, no path, "
		      "no default port",
		      origin);
	return false;
}

void
_ma_cors_destroy(ma_cors_policy *p)
{
	if (p == NULL)
		return;
	bson_strfreev(p->origins);
	bson_strfreev(p->headers);
	bson_free(p->allow_headers);
	bson_free(p);
}

/* A NULL-terminated copy of list (NULL: an empty one). */
static char **
copy_list(const char *const *list)
{
	size_t n = 0, i;
	char **copy;

	while (list != NULL && list[n] != NULL)
		n++;
	copy = bson_malloc0((n + 1) * sizeof(*copy));
	for (i = 0; i < n; i++)
		copy[i] = bson_strdup(list[i]);
	return copy;
}

static bool
check_origins(const ma_cors *cors, ma_error *error)
{
	const char *const *o;

	if (cors->origins == NULL || cors->origins[0] == NULL) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "CORS has no allowed origin");
		return false;
	}
	for (o = cors->origins; *o != NULL; o++) {
		if (strcmp(*o, "*") == 0) {
			if (cors->credentials) {
				_ma_error_set(
					error, MA_ERR_INVALID,
					"CORS origin * with credentials: "
					"browsers refuse it; list the origins");
				return false;
			}
			if (o != cors->origins || o[1] != NULL) {
				_ma_error_set(error, MA_ERR_INVALID,
					      "CORS origin * stands alone: it "
					      "is any origin");
				return false;
			}
		} else if (!_ma_cors_origin_check(*o, error)) {
			return false;
		}
	}
	return true;
}

/* The default header list, split once. */
static const char *const default_headers[] = {
	"Authorization", "Content-Type", "If-Match", "If-None-Match", NULL};

ma_cors_policy *
_ma_cors_new(const ma_cors *cors, ma_error *error)
{
	const char *const *headers;
	ma_cors_policy *p;
	ma_buf joined;
	size_t i;

	if (!check_origins(cors, error))
		return NULL;
	if ((cors->methods & ~(unsigned)(MA_GET | MA_HEAD | MA_POST | MA_PUT |
					 MA_PATCH | MA_DELETE | MA_OPTIONS)) !=
	    0) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "CORS methods hold a bit that is no ma_method");
		return NULL;
	}
	headers = cors->headers != NULL ? cors->headers : default_headers;
	for (i = 0; headers[i] != NULL; i++) {
		if (!is_token(headers[i], strlen(headers[i])) ||
		    strcmp(headers[i], "*") == 0) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "CORS header \"%.100s\" is not a header "
				      "name (\"*\" included: name each one)",
				      headers[i]);
			return NULL;
		}
	}

	p = bson_malloc0(sizeof(*p));
	p->any_origin = strcmp(cors->origins[0], "*") == 0;
	p->origins = copy_list(p->any_origin ? NULL : cors->origins);
	p->methods = cors->methods;
	p->headers = copy_list(headers);
	if (headers[0] != NULL) {
		_ma_buf_init(&joined, 128);
		for (i = 0; headers[i] != NULL; i++)
			_ma_buf_printf(&joined, "%s%s", i > 0 ? ", " : "",
				       headers[i]);
		p->allow_headers = _ma_buf_steal(&joined, NULL);
	}
	p->max_age = cors->max_age == 0 ? MA_CORS_MAX_AGE : cors->max_age;
	p->credentials = cors->credentials;
	ma_error_clear(error);
	return p;
}

/* --- answers -------------------------------------------------------------- */

/* The configured origin that origin is (its copy, to echo: never the
 * request's bytes), "*", or NULL. One Origin header only: a request with
 * two is no browser's. */
static const char *
allowed_origin(const ma_cors_policy *p, const char *origin, size_t count)
{
	size_t i;

	if (origin == NULL || count != 1)
		return NULL;
	if (p->any_origin)
		return "*";
	for (i = 0; p->origins[i] != NULL; i++) {
		if (strcmp(p->origins[i], origin) == 0)
			return p->origins[i];
	}
	return NULL;
}

static void
allow_origin(const ma_cors_policy *p, const char *allowed, ma_buf *headers)
{
	_ma_buf_printf(headers, "Access-Control-Allow-Origin: %s\r\n", allowed);
	if (p->credentials)
		_ma_buf_printf(headers,
			       "Access-Control-Allow-Credentials: true\r\n");
}

void
_ma_cors_actual(const ma_cors_policy *p, const char *origin, size_t count,
		ma_method method, ma_buf *headers)
{
	const char *allowed;

	if (count == 0)
		return;
	/* The answer differs by Origin: a cache must keep them apart. */
	_ma_buf_printf(headers, "Vary: Origin\r\n");
	allowed = allowed_origin(p, origin, count);
	if (allowed == NULL ||
	    (p->methods != 0 && (p->methods & (unsigned)method) == 0))
		return;
	allow_origin(p, allowed, headers);
	_ma_buf_printf(headers, "Access-Control-Expose-Headers: %s\r\n",
		       MA_CORS_EXPOSE);
}

static bool
header_allowed(const ma_cors_policy *p, const char *name, size_t n)
{
	size_t i;

	for (i = 0; p->headers[i] != NULL; i++) {
		if (strlen(p->headers[i]) == n &&
		    strncasecmp(p->headers[i], name, n) == 0)
			return true;
	}
	return false;
}

/* Every name of Access-Control-Request-Headers (a comma-separated list
 * of tokens, any case, empty items and spaces between them ignored) is
 * allowed; why names the first that is not. */
static bool
headers_allowed(const ma_cors_policy *p, const char *list, ma_error *why)
{
	const char *s = list, *end;
	size_t n;

	while (s != NULL && *s != '\0') {
		s += strspn(s, " \t,");
		end = s + strcspn(s, ",");
		n = (size_t)(end - s);
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (n > 0 && !is_token(s, n)) {
			_ma_error_set(why, MA_ERR_INVALID,
				      "Access-Control-Request-Headers is not "
				      "a list of header names");
			return false;
		}
		if (n > 0 && !header_allowed(p, s, n)) {
			_ma_error_set(why, MA_ERR_INVALID,
				      "header %.*s is not allowed in "
				      "cross-origin requests; allowed: %s",
				      (int)(n < 100 ? n : 100), s,
				      p->allow_headers != NULL
					      ? p->allow_headers
					      : "none");
			return false;
		}
		s = end;
	}
	return true;
}

bool
_ma_cors_preflight(const ma_cors_policy *p, const ma_cors_preflight *pf,
		   ma_buf *headers, ma_error *why)
{
	unsigned methods =
		p->methods != 0 ? pf->allowed & p->methods : pf->allowed;
	ma_method method = ma_method_from_name(pf->method);
	const char *allowed = allowed_origin(p, pf->origin, pf->norigin);
	ma_buf list;

	/* A cache must keep the answers to other preflights apart. */
	_ma_buf_printf(headers, "Vary: Origin, Access-Control-Request-Method, "
				"Access-Control-Request-Headers\r\n");
	if (allowed == NULL) {
		if (pf->norigin > 1)
			_ma_error_set(why, MA_ERR_INVALID,
				      "the request has %zu Origin headers",
				      pf->norigin);
		else
			_ma_error_set(why, MA_ERR_INVALID,
				      "origin %.200s is not allowed",
				      pf->origin);
		return false;
	}
	if (pf->nmethod != 1 || pf->nheaders > 1) {
		_ma_error_set(why, MA_ERR_INVALID,
			      "Access-Control-Request-Method or -Headers "
			      "sent more than once");
		return false;
	}
	/* Method names are case-sensitive: "patch" is not PATCH. */
	if (method == 0 || (methods & (unsigned)method) == 0) {
		_ma_buf_init(&list, 64);
		_ma_allow_header(&list, methods);
		_ma_error_set(why, MA_ERR_INVALID,
			      "method %.32s is not allowed in cross-origin "
			      "requests on this path; allowed: %s",
			      pf->method, list.len > 0 ? list.data : "none");
		_ma_buf_destroy(&list);
		return false;
	}
	if (!headers_allowed(p, pf->headers, why))
		return false;

	allow_origin(p, allowed, headers);
	_ma_buf_append(headers, "Access-Control-Allow-Methods: ", 30);
	_ma_allow_header(headers, methods);
	_ma_buf_append(headers, "\r\n", 2);
	if (p->allow_headers != NULL)
		_ma_buf_printf(headers, "Access-Control-Allow-Headers: %s\r\n",
			       p->allow_headers);
	if (p->max_age >= 0)
		_ma_buf_printf(headers, "Access-Control-Max-Age: %d\r\n",
			       p->max_age);
	ma_error_clear(why);
	return true;
}
