/*
 * The HTTP side's internals: query strings, the router, the list grammar,
 * Link headers. All pure (no FastCGI, no network), unit-tested in
 * tests/unit/test_qs.c, test_router.c and test_params.c.
 */
#ifndef MA_HTTP_PRIVATE_H
#define MA_HTTP_PRIVATE_H

#include <sys/types.h>

#include <mongoalchemy-fcgi.h>

#include "query/query-private.h"

/* --- query strings and percent-decoding (qs.c) ---------------------------- */

/* One decoded name=value pair. */
typedef struct ma_qs_pair {
	char *name;
	char *value;
} ma_qs_pair;

/* A decoded query string: pairs in the order sent, repeated names kept. */
typedef struct ma_qs {
	ma_qs_pair *pairs;
	size_t n;
} ma_qs;

/* At most this many pairs; more is MA_ERR_INVALID ("too many parameters"). */
#define MA_QS_MAX_PAIRS 256

/*
 * Decodes s ("a=1&b=x+y&c=%C3%A9"; NULL or "" give no pairs): splits on
 * '&', then at the first '='; '+' is a space; %XX is a byte. Empty
 * segments ("a=1&&b=2") are skipped; "a" alone is a = "". Refused with
 * MA_ERR_INVALID and a message naming the offending text: an invalid or
 * truncated escape ("%zz", "%4"), a decoded NUL, invalid UTF-8 after
 * decoding, more than MA_QS_MAX_PAIRS pairs. On failure *out is empty.
 */
bool _ma_qs_parse(const char *s, ma_qs *out, ma_error *error);
void _ma_qs_destroy(ma_qs *qs);

/* The first value for name, or NULL. */
const char *_ma_qs_get(const ma_qs *qs, const char *name);

/* How many pairs have this name. */
size_t _ma_qs_count(const ma_qs *qs, const char *name);

/*
 * Percent-decodes n bytes of s into a new NUL-terminated string
 * (bson_free()); plus_is_space for query strings, not for paths. NULL with
 * MA_ERR_INVALID on a bad escape, a decoded NUL or invalid UTF-8.
 */
char *_ma_pct_decode(const char *s, size_t n, bool plus_is_space,
		     ma_error *error);

/*
 * Appends s percent-encoded for a query-string component: unreserved
 * characters (A-Z a-z 0-9 - . _ ~) and ',' (a sub-delimiter, legal in a
 * query, and what sort, fields and in lists are made of) as they are,
 * everything else %XX.
 */
void _ma_qs_encode(ma_buf *buf, const char *s);

/* --- router (router.c) -----------------------------------------------------
 */

typedef struct ma_router ma_router;

#define MA_ROUTE_MAX_PARAMS 8

typedef struct ma_route_match {
	ma_handler handler;
	void *arg;
	size_t nparams;
	const char *names[MA_ROUTE_MAX_PARAMS]; /* owned by the router */
	char *values[MA_ROUTE_MAX_PARAMS];	/* decoded; owned by match */
	unsigned allowed; /* the path's methods, HEAD added when GET is there */
	size_t route_id;  /* the matched template (_ma_router_template());
			   * 0 when no pattern matches the path */
} ma_route_match;

typedef enum ma_route_result {
	MA_ROUTE_FOUND,	    /* handler, arg, params filled */
	MA_ROUTE_NOT_FOUND, /* no pattern matches the path: 404 */
	MA_ROUTE_NO_METHOD, /* a pattern matches, not the method: 405,
			     * allowed filled */
	MA_ROUTE_BAD_PATH   /* a parameter's escape is invalid: 400,
			     * error filled */
} ma_route_result;

ma_router *_ma_router_new(void);
void _ma_router_destroy(ma_router *router);

/*
 * Adds a route (see ma_app_route()). A pattern starts with '/'; its
 * segments are literals (no '{', '}', '%', '?', '#') or one whole
 * "{name}" with name [A-Za-z_][A-Za-z0-9_]*; "/" alone is the root; no
 * empty segment, no trailing '/' except the root; at most
 * MA_ROUTE_MAX_PARAMS parameters and 64 segments; literals are visible
 * ASCII (a raw path never holds anything else). The same pattern (parameter
 * names aside) with a method it already has is refused.
 */
bool _ma_router_add(ma_router *router, unsigned methods, const char *pattern,
		    ma_handler handler, void *arg, ma_error *error);

/*
 * Matches method (one ma_method bit; MA_HEAD matches GET routes) and path
 * (raw, as sent, without the query string). Segments compare before
 * decoding; a literal beats a parameter at the same place, whatever the
 * order of adding; parameter values are percent-decoded (not '+'), so
 * "%2F" stays inside its segment. An empty segment ("/books//x") or a
 * trailing '/' never matches a parameter.
 */
ma_route_result _ma_router_match(const ma_router *router, ma_method method,
				 const char *path, ma_route_match *match,
				 ma_error *error);
void _ma_route_match_clear(ma_route_match *match);

/*
 * The route templates: one for each distinct pattern shape, numbered from
 * 1 in the order they were first added. _ma_router_template() gives the
 * first pattern added for id ("/books/{id}"), valid as long as the router;
 * NULL for an id out of range (0: no route matched).
 */
size_t _ma_router_count(const ma_router *router);
const char *_ma_router_template(const ma_router *router, size_t id);

/* Writes "GET, HEAD, POST" for the allowed bits, in ma_method order. */
void _ma_allow_header(ma_buf *buf, unsigned allowed);

/* --- the list grammar (params.c) ------------------------------------------ */

/*
 * At most this many values in one in/nin list. Each value is parsed,
 * checked and sent as an item of the server's $in: without a bound, one
 * long query string ("1,1,1,...") would cost the worker and the server
 * thousands of them. More is MA_ERR_INVALID ("year__in: in takes at most
 * 100 values, not 101").
 */
#define MA_MAX_IN_VALUES 100

/*
 * At most this many parameters besides page and per_page in a list
 * request: its Link header repeats them with page and per_page added, and
 * each link must still be a query string _ma_qs_parse() takes. More is
 * MA_ERR_INVALID.
 */
#define MA_LIST_MAX_PARAMS (MA_QS_MAX_PAIRS - 2)

/*
 * Applies list parameters to query, as ma_request_list_params():
 *   page, per_page  decimal integers in int64 range ("+1", " 1", "1.0",
 *                   "0x10", "" are 400); page < 1 is MA_ERR_NOT_FOUND;
 *                   per_page < 1 or above max_per_page is MA_ERR_INVALID;
 *   sort            "-year,author.name": keys through ma_query_sort();
 *   fields          "title,author.name": through ma_query_fields();
 *   name=value      eq on a declared field (or _id), value parsed by the
 *                   field's kind (MA_V_TEXT); name is a top-level field
 *                   or a dotted path down through embedded documents
 *                   ("author.name"), never into a list;
 *   name__op=value  op one of ne gt gte lt lte in nin exists startswith
 *                   all size; in/nin/all take comma-separated values, at
 *                   most MA_MAX_IN_VALUES of them; all and size apply to
 *                   lists; an embedded document takes exists only, a
 *                   list of them exists and size;
 * Refused with MA_ERR_INVALID: more than MA_LIST_MAX_PARAMS parameters
 * besides page and per_page; and with a message naming the parameter:
 * unknown field or operator, a name with '$', a path with an empty part
 * or through anything but an embedded document, a repeated page,
 * per_page, sort or fields, an empty sort or fields item, a value of the
 * wrong kind. Repeated filters all apply (AND). Names in skip (a
 * NULL-terminated list, may be NULL) are ignored: a handler's own
 * parameters.
 */
bool _ma_list_params(const ma_qs *qs, ma_query *query, int64_t max_per_page,
		     const char *const *skip, int64_t *page, int64_t *per_page,
		     ma_error *error);

/*
 * The longest Link header a page answer carries; a longer one (a long
 * query string, repeated in each link) is left out, and the page object's
 * prev_num and next_num still name the neighbours. Front ends refuse
 * longer answer header lines: Apache's mod_proxy_fcgi takes 8 KiB a line,
 * and nginx's fastcgi_buffer_size bounds the whole head.
 */
#define MA_LINK_MAX 8000

/*
 * Writes a Link header value for a page of the list at path with the
 * request's parameters qs: rel first, prev (if page > 1), next (if
 * has_next) and last (if pages > 0; 0: an empty list, whose page 1 is
 * only first; pages < 0: unknown). Each link is
 * path?<qs with page replaced by its number, per_page kept>, the other
 * parameters kept in order and re-encoded with _ma_qs_encode().
 * Example: </books?year__gte=2000&page=1&per_page=20>; rel="first", ...
 */
void _ma_page_links(ma_buf *buf, const char *path, const ma_qs *qs,
		    int64_t page, int64_t per_page, int64_t pages,
		    bool has_next);

/*
 * True when the If-Match or If-None-Match value header lists etag (ours:
 * strong, quoted) or is "*". weak picks the comparison: If-None-Match
 * compares weakly (W/"x" matches "x"), If-Match strongly (a weak tag
 * matches nothing). A malformed list matches nothing.
 */
bool _ma_etag_match(const char *header, const char *etag, bool weak);

/* Reads up to n bytes of the body; 0 at its end, -1 on an error. */
typedef ssize_t (*ma_body_reader)(void *ctx, char *buf, size_t n);

struct ma_request {
	size_t body_limit; /* bytes; a larger body is a 413 */
	ma_method method;  /* MA_GET for HEAD */
	bool head;
	const char *method_name; /* as sent */
	char *path;		 /* raw, without the query string */
	const char *query_string;
	ma_qs qs;
	ma_route_match match;
	char **env; /* CGI variables: NAME=value, NULL-terminated */
	ma_body_reader read;
	void *read_ctx;
	bool body_read;	     /* read (or refused) once, for every call */
	ma_error body_error; /* MA_OK, or why there is no body */
	char *body;
	size_t body_len;
	char request_id[65]; /* X-Request-Id as sent, or made here */
	/* The caller access control let in (auth.h), for the handler it
	 * runs; NULL where none was asked for. */
	const struct ma_user *user;
};

struct ma_response {
	const ma_request *req; /* for Link headers and log lines */
	ma_status status;
	char *content_type; /* of the body; NULL: none */
	ma_buf headers;	    /* other headers, "Name: value\r\n" lines */
	ma_buf body;
	bool has_body;
};

/* Appends members (JSON text starting with ',', len bytes) to the
 * problem the response holds: extension members (response.c). */
void _ma_response_problem_members(ma_response *res, const char *members,
				  size_t len);

/* --- request.c ------------------------------------------------------------ */

/*
 * Fills req from CGI variables (REQUEST_METHOD, REQUEST_URI or
 * SCRIPT_NAME + PATH_INFO, QUERY_STRING, CONTENT_TYPE, CONTENT_LENGTH,
 * HTTP_*) and a body reader. false with *status (400, 405...) and error
 * when the request cannot be routed at all: an unknown method, a query
 * string that does not decode.
 */
bool _ma_request_init(ma_request *req, size_t body_limit, char **env,
		      ma_body_reader read, void *read_ctx, ma_status *status,
		      ma_error *error);
void _ma_request_destroy(ma_request *req);

/*
 * The first CGI variable name (as the front end passed it, "REMOTE_USER",
 * "HTTP_AUTHORIZATION"), or NULL; with count, how many times it was
 * passed: a header sent twice reaches the worker twice.
 */
const char *_ma_request_env(const ma_request *req, const char *name,
			    size_t *count);

/*
 * The body of a request that must carry JSON: MA_ERR_MEDIA_TYPE for
 * another content type (the body is read and dropped), MA_ERR_TOO_LARGE
 * above the limit, MA_ERR_JSON when empty.
 */
bool _ma_request_json_body(ma_request *req, const char **body, size_t *len,
			   ma_error *error);

/* --- response.c ----------------------------------------------------------- */

void _ma_response_init(ma_response *res, const ma_request *req);
void _ma_response_destroy(ma_response *res);

/* Receives the bytes of an answer, in order. */
typedef void (*ma_writer)(void *ctx, const char *data, size_t n);

/*
 * Writes res as a CGI/FastCGI answer: the Status line, Content-Type, the
 * headers, Content-Length and a blank line, then the body (none for HEAD,
 * 204 and 304), in two writes: the body is not copied on the way.
 */
void _ma_response_write(const ma_response *res, bool head, ma_writer write,
			void *ctx);

/* The same, appended to out (tests, and answers kept whole). */
void _ma_response_serialize(const ma_response *res, bool head, ma_buf *out);

/* The ma_writer that appends to an ma_buf (buf). */
void _ma_buf_writer(void *buf, const char *data, size_t n);

/* Logs "METHOD /path: detail" for a request (no query, no body). */
void _ma_request_log(const ma_request *req, const char *fmt, ...)
	MA_PRINTF(2, 3);

/* --- CORS (cors.c) -------------------------------------------------------- */

/* An application's ma_cors, checked and copied. */
typedef struct ma_cors_policy ma_cors_policy;

/* The checks of ma_cors (app.h): NULL with MA_ERR_INVALID naming what
 * is refused. */
ma_cors_policy *_ma_cors_new(const ma_cors *cors, ma_error *error);
void _ma_cors_destroy(ma_cors_policy *p);

/* Whether origin is an origin as a browser serializes it: scheme://host
 * with an optional port, lower case, no path, no default port; not
 * "null". MA_ERR_INVALID naming it otherwise. */
bool _ma_cors_origin_check(const char *origin, ma_error *error);

/*
 * The CORS header lines ("Name: value\r\n") of an answer that is not a
 * preflight, appended to headers: none without Origin (count 0); else
 * Vary: Origin, and for an allowed origin sent once, with a method the
 * policy allows, Access-Control-Allow-Origin (the policy's copy of the
 * origin, or "*"), -Allow-Credentials when on, -Expose-Headers.
 */
void _ma_cors_actual(const ma_cors_policy *p, const char *origin, size_t count,
		     ma_method method, ma_buf *headers);

/* What a preflight carried: each header's first value (NULL: absent) and
 * how many times it came; and the methods of the path's routes. */
typedef struct ma_cors_preflight {
	const char *origin;
	size_t norigin;
	const char *method; /* Access-Control-Request-Method */
	size_t nmethod;
	const char *headers; /* Access-Control-Request-Headers */
	size_t nheaders;
	unsigned allowed;
} ma_cors_preflight;

/*
 * A preflight's header lines, appended to headers: Vary always; when the
 * origin, the method and every requested header are allowed (true),
 * Access-Control-Allow-Origin, -Allow-Credentials when on, -Allow-Methods
 * (the path's, within the policy's), -Allow-Headers (the policy's),
 * -Max-Age. false with why naming the first thing refused.
 */
bool _ma_cors_preflight(const ma_cors_policy *p, const ma_cors_preflight *pf,
			ma_buf *headers, ma_error *why);

/* How much of a client's name a message repeats. */
#define MA_NAME_SHOW 64

/* A client's text (valid UTF-8, decoded) for a message: s itself, or at
 * most MA_NAME_SHOW bytes of it, cut between characters, and "..." in dst
 * (MA_NAME_SHOW + 4 bytes). params.c. */
const char *_ma_shown(char *dst, size_t size, const char *s);

#endif
