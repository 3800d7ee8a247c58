/*
 * Responses: JSON documents, page objects, and RFC 9457 problems. A
 * response only writes what its handler hands it: the status, headers, the
 * Link of a page, and a body that it takes over rather than copies.
 */
#include <stdio.h>
#include <string.h>

#include "http/http-private.h"
#include "runtime/runtime-private.h"

/* Seconds a client should wait before retrying a 503: the driver checks a
 * server it could not reach again after a 5 s cooldown. */
#define MA_RETRY_AFTER "5"

void
_ma_response_init(ma_response *res, const ma_request *req)
{
	memset(res, 0, sizeof(*res));
	res->req = req;
	_ma_buf_init(&res->headers, 256);
	_ma_buf_init(&res->body, 0);
}

void
_ma_response_destroy(ma_response *res)
{
	if (res == NULL)
		return;
	bson_free(res->content_type);
	_ma_buf_destroy(&res->headers);
	_ma_buf_destroy(&res->body);
}

/* A body replaces the one before it, content type included: a handler
 * that answers, then fails, sends the failure alone. */
static void
set_body(ma_response *res, const char *content_type, const char *body,
	 size_t len)
{
	bson_free(res->content_type);
	res->content_type = bson_strdup(content_type);
	res->body.len = 0;
	_ma_buf_append(&res->body, body, len);
	res->body.data[res->body.len] = '\0';
	res->has_body = true;
}

/* The same, taking over body (bson_malloc()ed, NUL after len bytes): the
 * JSON the library renders becomes the answer without a copy. */
static void
take_body(ma_response *res, const char *content_type, char *body, size_t len)
{
	bson_free(res->content_type);
	res->content_type = bson_strdup(content_type);
	_ma_buf_destroy(&res->body);
	res->body.data = body;
	res->body.len = len;
	res->body.cap = len + 1;
	res->has_body = true;
}

void
ma_response_status(ma_response *res, ma_status status)
{
	res->status = status;
}

static bool
header_safe(const char *s)
{
	return s != NULL && strpbrk(s, "\r\n") == NULL;
}

bool
ma_response_header(ma_response *res, const char *name, const char *value)
{
	if (!header_safe(name) || !header_safe(value) || name[0] == '\0' ||
	    strchr(name, ':') != NULL)
		return false;
	_ma_buf_printf(&res->headers, "%s: %s\r\n", name, value);
	return true;
}

void
ma_response_body(ma_response *res, ma_status status, const char *content_type,
		 const char *body, size_t len)
{
	res->status = status;
	set_body(res, header_safe(content_type) ? content_type : NULL, body,
		 len);
}

void
ma_response_json(ma_response *res, ma_status status, const char *json,
		 size_t len)
{
	ma_response_body(res, status, "application/json", json, len);
}

void
ma_response_json_take(ma_response *res, ma_status status, char *json,
		      size_t len)
{
	res->status = status;
	take_body(res, "application/json", json, len);
}

void
ma_response_doc(ma_response *res, ma_status status, const ma_doc *doc)
{
	size_t len;
	char *json = ma_doc_to_json(doc, &len);

	ma_response_json_take(res, status, json, len);
}

void
ma_response_page(ma_response *res, const ma_page *page)
{
	const ma_request *req = res->req;
	int64_t total, pages;
	ma_buf links;
	char count[24];
	size_t len;
	char *json = ma_page_to_json(page, &len);

	ma_response_json_take(res, MA_STATUS_OK, json, len);

	if (!ma_page_pages(page, &pages))
		pages = -1;
	/* The links repeat the URL of the request the response answers. */
	if (req != NULL) {
		_ma_buf_init(&links, 256);
		_ma_page_links(&links, req->path, &req->qs,
			       ma_page_number(page), ma_page_per_page(page),
			       pages, ma_page_has_next(page));
		links.data[links.len] = '\0';
		if (links.len > 0 && links.len <= MA_LINK_MAX)
			ma_response_header(res, "Link", links.data);
		_ma_buf_destroy(&links);
	}
	if (ma_page_total(page, &total)) {
		snprintf(count, sizeof(count), "%lld", (long long)total);
		ma_response_header(res, "X-Total-Count", count);
	}
}

static void
problem(ma_response *res, ma_status status, const char *detail,
	const ma_problems *problems)
{
	const char *title = ma_status_title(status);
	ma_buf *b = &res->body;
	size_t i, n;

	res->status = status;
	set_body(res, "application/problem+json", "", 0);
	_ma_buf_append(b, "{\"type\":\"about:blank\",\"title\":", 30);
	_ma_json_write_string(b, title, strlen(title));
	_ma_buf_printf(b, ",\"status\":%d", (int)status);
	if (detail != NULL) {
		_ma_buf_append(b, ",\"detail\":", 10);
		_ma_json_write_string(b, detail, strlen(detail));
	}
	/* The occurrence: the id of the request's log line and answer. */
	if (res->req != NULL && res->req->request_id[0] != '\0')
		_ma_buf_printf(b, ",\"instance\":\"urn:request:%s\"",
			       res->req->request_id);
	n = problems != NULL ? ma_problems_count(problems) : 0;
	if (n > 0) {
		_ma_buf_append(b, ",\"errors\":[", 11);
		for (i = 0; i < n; i++) {
			const char *f = ma_problems_field(problems, i);
			const char *m = ma_problems_message(problems, i);

			_ma_buf_append(b,
				       i > 0 ? ",{\"field\":" : "{\"field\":",
				       i > 0 ? 10 : 9);
			_ma_json_write_string(b, f, strlen(f));
			_ma_buf_append(b, ",\"message\":", 11);
			_ma_json_write_string(b, m, strlen(m));
			_ma_buf_putc(b, '}');
		}
		_ma_buf_putc(b, ']');
	}
	_ma_buf_putc(b, '}');
	b->data[b->len] = '\0';
	if (status == MA_STATUS_SERVICE_UNAVAILABLE)
		ma_response_header(res, "Retry-After", MA_RETRY_AFTER);
}

void
ma_response_problem(ma_response *res, ma_status status, const char *detail)
{
	problem(res, status, detail, NULL);
}

void
_ma_response_problem_members(ma_response *res, const char *members, size_t len)
{
	ma_buf *b = &res->body;

	/* Before the problem's closing brace. */
	if (b->len == 0 || b->data[b->len - 1] != '}')
		return;
	b->len--;
	_ma_buf_append(b, members, len);
	_ma_buf_putc(b, '}');
	b->data[b->len] = '\0';
}

void
ma_response_error(ma_response *res, const ma_error *error,
		  const ma_problems *problems)
{
	ma_status status = ma_status_from_error(error->code);

	/* The server's words name its database and collection. */
	if (error->code == MA_ERR_DUPLICATE) {
		problem(res, status,
			"a stored document already has this id or the same "
			"value for a unique index",
			NULL);
		return;
	}
	if (status < 500) {
		problem(res, status, error->message, problems);
		return;
	}
	/* The server's fault: the client learns what kind, the log what
	 * exactly (messages never hold a password: see error.c). */
	if (res->req != NULL)
		_ma_request_log(res->req, "%d: %s (%s)", status, error->message,
				ma_strerror(error->code));
	problem(res, status,
		status == MA_STATUS_SERVICE_UNAVAILABLE
			? "the database is unavailable; try again later"
		: status == MA_STATUS_GATEWAY_TIMEOUT
			? "the database did not answer within its time limit"
			: "the server could not answer this request",
		NULL);
}

void
_ma_response_write(const ma_response *res, bool head, ma_writer write,
		   void *ctx)
{
	ma_status status = res->status != 0 ? res->status
					    : MA_STATUS_INTERNAL_SERVER_ERROR;
	bool bodiless = status == MA_STATUS_NO_CONTENT ||
			status == MA_STATUS_NOT_MODIFIED || status < 200;
	ma_buf top;

	_ma_buf_init(&top, 128 + res->headers.len);
	_ma_buf_printf(&top, "Status: %d %s\r\n", (int)status,
		       ma_status_title(status));
	if (!bodiless && res->has_body && res->content_type != NULL)
		_ma_buf_printf(&top, "Content-Type: %s\r\n", res->content_type);
	_ma_buf_append(&top, res->headers.data, res->headers.len);
	if (!bodiless)
		_ma_buf_printf(&top, "Content-Length: %zu\r\n",
			       res->has_body ? res->body.len : 0);
	_ma_buf_append(&top, "\r\n", 2);
	write(ctx, top.data, top.len);
	_ma_buf_destroy(&top);
	/* The body goes out as the handler left it, not copied again. */
	if (!bodiless && !head && res->has_body && res->body.len > 0)
		write(ctx, res->body.data, res->body.len);
}

void
_ma_buf_writer(void *buf, const char *data, size_t n)
{
	_ma_buf_append(buf, data, n);
}

void
_ma_response_serialize(const ma_response *res, bool head, ma_buf *out)
{
	_ma_response_write(res, head, _ma_buf_writer, out);
}
