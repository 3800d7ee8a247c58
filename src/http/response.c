/*
 * Responses: JSON documents, page objects, and RFC 9457 problems.
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

const char *
_ma_status_title(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 412: return "Precondition Failed";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 428: return "Precondition Required";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "Unknown";
	}
}

/* The one table from library errors to HTTP statuses. */
int
ma_status_for_error(ma_error_code code)
{
	switch (code) {
	case MA_ERR_INVALID:
	case MA_ERR_JSON:
	case MA_ERR_VALIDATION:
		return 400;
	case MA_ERR_NOT_FOUND:
		return 404;
	case MA_ERR_DUPLICATE:
		return 409;
	case MA_ERR_TOO_LARGE:
		return 413;
	case MA_ERR_MEDIA_TYPE:
		return 415;
	case MA_ERR_UNAVAILABLE:
		return 503;
	case MA_ERR_PRECONDITION:
		return 412;
	case MA_ERR_TIMEOUT:
		return 504;
	case MA_OK:
	case MA_ERR_CONFIG:
	case MA_ERR_NOMEM:
	case MA_ERR_AUTH:
	case MA_ERR_DRIVER:
	case MA_ERR__MAX:
		break;
	}
	return 500;
}

void
ma_response_status(ma_response *res, int status)
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
ma_response_body(ma_response *res, int status, const char *content_type,
		 const char *body, size_t len)
{
	res->status = status;
	set_body(res, header_safe(content_type) ? content_type : NULL, body,
		 len);
}

void
ma_response_json(ma_response *res, int status, const char *json, size_t len)
{
	ma_response_body(res, status, "application/json", json, len);
}

void
ma_response_doc(ma_response *res, int status, const ma_doc *doc)
{
	size_t len;
	char *json = ma_doc_to_json(doc, &len);

	ma_response_json(res, status, json, len);
	bson_free(json);
}

void
ma_response_list(ma_response *res, const ma_request *req, ma_query *query,
		 int64_t max_per_page, const ma_page_opts *opts)
{
	int64_t page, per_page;
	ma_page *p = NULL;
	ma_error e;

	if (ma_request_list_params(req, query, max_per_page, &page, &per_page,
				   &e))
		p = ma_query_paginate_with_opts(query, page, per_page, true,
						opts, &e);
	if (p != NULL)
		ma_response_page(res, req, p);
	else
		ma_response_error(res, &e, NULL);
	ma_page_destroy(p);
}

void
ma_response_page(ma_response *res, const ma_request *req, const ma_page *page)
{
	int64_t total, pages;
	ma_buf links;
	char count[24];
	size_t len;
	char *json = ma_page_to_json(page, &len);

	ma_response_json(res, 200, json, len);
	bson_free(json);

	if (!ma_page_pages(page, &pages))
		pages = -1;
	_ma_buf_init(&links, 256);
	_ma_page_links(&links, req->path, &req->qs, ma_page_number(page),
		       ma_page_per_page(page), pages, ma_page_has_next(page));
	links.data[links.len] = '\0';
	if (links.len > 0)
		ma_response_header(res, "Link", links.data);
	_ma_buf_destroy(&links);
	if (ma_page_total(page, &total)) {
		snprintf(count, sizeof(count), "%lld", (long long)total);
		ma_response_header(res, "X-Total-Count", count);
	}
}

static void
problem(ma_response *res, int status, const char *detail,
	const ma_problems *problems)
{
	const char *title = _ma_status_title(status);
	ma_buf *b = &res->body;
	size_t i, n;

	res->status = status;
	set_body(res, "application/problem+json", "", 0);
	_ma_buf_append(b, "{\"type\":\"about:blank\",\"title\":", 30);
	_ma_json_write_string(b, title, strlen(title));
	_ma_buf_printf(b, ",\"status\":%d", status);
	if (detail != NULL) {
		_ma_buf_append(b, ",\"detail\":", 10);
		_ma_json_write_string(b, detail, strlen(detail));
	}
	n = problems != NULL ? ma_problems_count(problems) : 0;
	if (n > 0) {
		_ma_buf_append(b, ",\"errors\":[", 11);
		for (i = 0; i < n; i++) {
			const char *f = ma_problems_field(problems, i);
			const char *m = ma_problems_message(problems, i);

			_ma_buf_append(b, i > 0 ? ",{\"field\":" : "{\"field\":",
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
	if (status == 503)
		ma_response_header(res, "Retry-After", MA_RETRY_AFTER);
}

void
ma_response_problem(ma_response *res, int status, const char *detail)
{
	problem(res, status, detail, NULL);
}

void
ma_response_error(ma_response *res, const ma_error *error,
		  const ma_problems *problems)
{
	int status = ma_status_for_error(error->code);

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
		status == 503 ? "the database is unavailable; try again later"
		: status == 504
			? "the database did not answer within its time limit"
			: "the server could not answer this request",
		NULL);
}

void
_ma_response_serialize(const ma_response *res, bool head, ma_buf *out)
{
	int status = res->status != 0 ? res->status : 500;
	bool bodiless = status == 204 || status == 304 || status < 200;

	_ma_buf_printf(out, "Status: %d %s\r\n", status,
		       _ma_status_title(status));
	if (!bodiless && res->has_body && res->content_type != NULL)
		_ma_buf_printf(out, "Content-Type: %s\r\n", res->content_type);
	_ma_buf_append(out, res->headers.data, res->headers.len);
	if (!bodiless)
		_ma_buf_printf(out, "Content-Length: %zu\r\n",
			       res->has_body ? res->body.len : 0);
	_ma_buf_append(out, "\r\n", 2);
	if (!bodiless && !head && res->has_body)
		_ma_buf_append(out, res->body.data, res->body.len);
}
