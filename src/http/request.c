/*
 * Requests: what the front end sent, as the handlers see it.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/http-private.h"
#include "runtime/runtime-private.h"

const char *
_ma_request_env(const ma_request *req, const char *name, size_t *count)
{
	size_t n = strlen(name);
	const char *first = NULL;
	char **e;

	if (count != NULL)
		*count = 0;
	if (req->env == NULL)
		return NULL;
	for (e = req->env; *e != NULL; e++) {
		if (strncmp(*e, name, n) != 0 || (*e)[n] != '=')
			continue;
		if (first == NULL)
			first = *e + n + 1;
		if (count == NULL)
			break;
		(*count)++;
	}
	return first;
}

/* A CGI variable, or NULL. */
static const char *
env_get(const ma_request *req, const char *name)
{
	return _ma_request_env(req, name, NULL);
}

/*
 * The request's id: the front end's X-Request-Id (nginx's $request_id or
 * Apache's UNIQUE_ID, passed by the site files) when it is 1 to 64
 * letters, digits, '-', '_', '.' or '@', so that it can go as it is into
 * a header, a log line, JSON and a URN; else a new one, an ObjectId's 24 hex
 * digits (unique per process and time, no system call).
 */
static void
request_id(ma_request *req, const char *given)
{
	bson_oid_t oid;
	size_t n;

	if (given != NULL) {
		n = strspn(given, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqr"
				  "stuvwxyz0123456789-_.@");
		if (n > 0 && n < sizeof(req->request_id) && given[n] == '\0') {
			memcpy(req->request_id, given, n + 1);
			return;
		}
	}
	bson_oid_init(&oid, NULL);
	bson_oid_to_string(&oid, req->request_id);
}

bool
_ma_request_init(ma_request *req, size_t body_limit, char **env,
		 ma_body_reader read, void *read_ctx, ma_status *status,
		 ma_error *error)
{
	const char *uri, *q;

	memset(req, 0, sizeof(*req));
	req->body_limit = body_limit;
	req->env = env;
	req->read = read;
	req->read_ctx = read_ctx;
	req->query_string = "";
	request_id(req, env_get(req, "HTTP_X_REQUEST_ID"));

	req->method_name = env_get(req, "REQUEST_METHOD");
	if (req->method_name == NULL)
		req->method_name = "GET";
	req->method = ma_method_from_name(req->method_name);
	if (req->method == MA_HEAD) {
		req->head = true;
		req->method = MA_GET;
	}

	/* The path as the client sent it: REQUEST_URI (nginx and Apache
	 * both pass it), else what CGI splits it into. */
	uri = env_get(req, "REQUEST_URI");
	if (uri != NULL && uri[0] != '\0') {
		q = strchr(uri, '?');
		req->path = q != NULL ? bson_strndup(uri, (size_t)(q - uri))
				      : bson_strdup(uri);
		if (q != NULL)
			req->query_string = q + 1;
	} else {
		const char *script = env_get(req, "SCRIPT_NAME");
		const char *info = env_get(req, "PATH_INFO");

		req->path = bson_strdup_printf("%s%s", script ? script : "",
					       info ? info : "");
	}
	if (req->path[0] == '\0') {
		bson_free(req->path);
		req->path = bson_strdup("/");
	}
	q = env_get(req, "QUERY_STRING");
	if (q != NULL)
		req->query_string = q;

	if (req->method == 0) {
		*status = MA_STATUS_NOT_IMPLEMENTED;
		_ma_error_set(error, MA_ERR_INVALID,
			      "method %.32s is not implemented",
			      req->method_name);
		return false;
	}
	if (!_ma_qs_parse(req->query_string, &req->qs, error)) {
		*status = MA_STATUS_BAD_REQUEST;
		return false;
	}
	return true;
}

void
_ma_request_destroy(ma_request *req)
{
	if (req == NULL)
		return;
	bson_free(req->path);
	_ma_qs_destroy(&req->qs);
	_ma_route_match_clear(&req->match);
	bson_free(req->body);
	memset(req, 0, sizeof(*req));
}

void
_ma_request_log(const ma_request *req, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* The path only: a query string can carry what a client typed. */
	_ma_log("%.16s %.256s: %s", req->method_name, req->path, msg);
}

/* --- the public face ------------------------------------------------------ */

ma_method
ma_request_method(const ma_request *req)
{
	return req->method;
}

bool
ma_request_is_head(const ma_request *req)
{
	return req->head;
}

const char *
ma_request_path(const ma_request *req)
{
	return req->path;
}

const char *
ma_request_param(const ma_request *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->match.nparams; i++) {
		if (strcmp(req->match.names[i], name) == 0)
			return req->match.values[i];
	}
	return NULL;
}

const char *
ma_request_query(const ma_request *req, const char *name)
{
	return _ma_qs_get(&req->qs, name);
}

size_t
ma_request_query_count(const ma_request *req)
{
	return req->qs.n;
}

bool
ma_request_query_at(const ma_request *req, size_t i, const char **name,
		    const char **value)
{
	if (i >= req->qs.n)
		return false;
	*name = req->qs.pairs[i].name;
	*value = req->qs.pairs[i].value;
	return true;
}

const char *
ma_request_query_string(const ma_request *req)
{
	return req->query_string;
}

static const char *
non_empty(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : NULL;
}

const char *
ma_request_header(const ma_request *req, const char *name)
{
	char var[128];
	size_t i, o = 0;

	/* CGI keeps these two without the HTTP_ prefix. nginx passes them
	 * empty when the request has none, and RFC 3875 (4.1) counts an
	 * empty meta-variable as unset. */
	if (strcasecmp(name, "Content-Type") == 0)
		return non_empty(env_get(req, "CONTENT_TYPE"));
	if (strcasecmp(name, "Content-Length") == 0)
		return non_empty(env_get(req, "CONTENT_LENGTH"));
	memcpy(var, "HTTP_", 5);
	o = 5;
	for (i = 0; name[i] != '\0'; i++) {
		if (o + 1 >= sizeof(var))
			return NULL;
		var[o++] = name[i] == '-'
				   ? '_'
				   : (char)toupper((unsigned char)name[i]);
	}
	var[o] = '\0';
	return env_get(req, var);
}

/* --- the body ------------------------------------------------------------- */

/* Reads and drops the rest of the body, so that the front end, still
 * sending it, sees an answer instead of a broken connection. */
static void
drain(ma_request *req)
{
	char sink[16384];

	while (req->read(req->read_ctx, sink, sizeof(sink)) > 0)
		;
}

/* CONTENT_LENGTH as a number; -1 when absent, -2 when not a number. */
static long long
content_length(const ma_request *req)
{
	const char *s = env_get(req, "CONTENT_LENGTH");
	int64_t n;

	if (s == NULL || s[0] == '\0')
		return -1;
	if (_ma_parse_int(s, 10, 0, INT64_MAX, &n) != MA_INT_OK)
		return -2;
	return n;
}

/*
 * Reads the body once; the outcome (the body, or why there is none) stays
 * with the request for every later call. A body above the limit, declared
 * or found, is read and dropped.
 */
static void
read_body(ma_request *req)
{
	size_t limit = req->body_limit;
	long long declared = content_length(req);
	ma_error *e = &req->body_error;
	bool too_large;
	ma_buf buf;
	ssize_t n = 0;

	req->body_read = true;
	if (declared == -2) {
		_ma_error_set(e, MA_ERR_INVALID,
			      "Content-Length is not a number");
		return;
	}
	too_large = declared >= 0 && (unsigned long long)declared > limit;
	/* One byte more than the limit tells a body that is too large. */
	_ma_buf_init(&buf,
		     declared > 0 && !too_large ? (size_t)declared + 1 : 1024);
	while (!too_large) {
		_ma_buf_reserve(&buf, 4096);
		n = req->read(req->read_ctx, buf.data + buf.len,
			      buf.cap - buf.len - 1);
		if (n <= 0)
			break;
		buf.len += (size_t)n;
		too_large = buf.len > limit;
	}
	if (too_large) {
		drain(req);
		_ma_error_set(e, MA_ERR_TOO_LARGE,
			      "the request body is larger than %zu bytes",
			      limit);
	} else if (n < 0 || (declared >= 0 && buf.len != (size_t)declared)) {
		_ma_error_set(
			e, MA_ERR_INVALID,
			"the request body ended before its Content-Length");
	} else {
		req->body = _ma_buf_steal(&buf, &req->body_len);
		ma_error_clear(e);
	}
	_ma_buf_destroy(&buf);
}

bool
ma_request_body(ma_request *req, const char **body, size_t *len,
		ma_error *error)
{
	if (!req->body_read)
		read_body(req);
	*body = req->body;
	*len = req->body_len;
	if (error != NULL)
		*error = req->body_error;
	return req->body_error.code == MA_OK;
}

/*
 * application/json or application/<anything>+json, parameters allowed,
 * a charset other than UTF-8 refused (RFC 8259: JSON is UTF-8).
 */
static bool
is_json_type(const char *ct)
{
	const char *semi, *p;
	size_t n;

	if (ct == NULL)
		return false;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	semi = strchr(ct, ';');
	n = semi != NULL ? (size_t)(semi - ct) : strlen(ct);
	while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	if (n == 16 && strncasecmp(ct, "application/json", 16) == 0)
		;
	else if (n > 17 && strncasecmp(ct, "application/", 12) == 0 &&
		 strncasecmp(ct + n - 5, "+json", 5) == 0)
		;
	else
		return false;
	for (p = semi; p != NULL; p = strchr(p + 1, ';')) {
		const char *v = p + 1;

		while (*v == ' ' || *v == '\t')
			v++;
		if (strncasecmp(v, "charset=", 8) == 0) {
			v += 8;
			if (*v == '"')
				v++;
			if (strncasecmp(v, "utf-8", 5) != 0 ||
			    isalnum((unsigned char)v[5]) || v[5] == '-')
				return false;
		}
	}
	return true;
}

bool
_ma_request_json_body(ma_request *req, const char **body, size_t *len,
		      ma_error *error)
{
	const char *ct = ma_request_header(req, "Content-Type");

	if (!is_json_type(ct)) {
		/* Read it anyway: the front end may still be sending it. */
		if (!req->body_read)
			drain(req);
		req->body_read = true;
		_ma_error_set(
			&req->body_error, MA_ERR_MEDIA_TYPE,
			"the request body must be application/json%s%.64s",
			ct != NULL ? ", not " : " (no Content-Type given)",
			ct != NULL ? ct : "");
		if (error != NULL)
			*error = req->body_error;
		*body = NULL;
		*len = 0;
		return false;
	}
	if (!ma_request_body(req, body, len, error))
		return false;
	if (*len == 0) {
		_ma_error_set(error, MA_ERR_JSON, "the request body is empty");
		return false;
	}
	return true;
}

ma_doc *
ma_request_doc(ma_request *req, const ma_type *type, ma_problems *problems,
	       ma_error *error)
{
	const char *body;
	size_t len;

	if (!_ma_request_json_body(req, &body, &len, error))
		return NULL;
	return ma_doc_new_from_json(type, body, len, problems, error);
}

bool
ma_request_list_params(const ma_request *req, ma_query *query,
		       int64_t max_per_page, int64_t *page, int64_t *per_page,
		       ma_error *error)
{
	return _ma_list_params(&req->qs, query, max_per_page, NULL, page,
			       per_page, error);
}
