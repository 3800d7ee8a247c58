/*
 * Responses: what a handler answers: JSON documents, page objects, and
 * RFC 9457 problems for errors.
 */
#ifndef MONGOALCHEMY_RESPONSE_H
#define MONGOALCHEMY_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mongoalchemy/document.h>
#include <mongoalchemy/http.h>
#include <mongoalchemy/page.h>
#include <mongoalchemy/schema.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The status, for a response without a body (204) or before one. */
void ma_response_status(ma_response *res, ma_status status);

/* Adds a header; false for a name or value with CR, LF or NUL. */
bool ma_response_header(ma_response *res, const char *name, const char *value);

/* Any body with its content type (NULL: none). Each body call replaces
 * the body and content type before it. */
void ma_response_body(ma_response *res, ma_status status,
		      const char *content_type, const char *body, size_t len);

/* A JSON text (application/json), copied. */
void ma_response_json(ma_response *res, ma_status status, const char *json,
		      size_t len);

/*
 * The same, taking ownership of json: it must come from bson_malloc()
 * (as every *_to_json() of the library does) and hold a NUL after its len
 * bytes. The response frees it; the caller must not use it again.
 */
void ma_response_json_take(ma_response *res, ma_status status, char *json,
			   size_t len);

/* A document as JSON (rendered once, not copied). */
void ma_response_doc(ma_response *res, ma_status status, const ma_doc *doc);

/*
 * A page object (docs/http-api.md) with its Link (first, prev,
 * next, last) and X-Total-Count headers; the links are the URL of the
 * request the response answers, its other query parameters kept.
 */
void ma_response_page(ma_response *res, const ma_page *page);

/* An RFC 9457 problem: application/problem+json, title from the status. */
void ma_response_problem(ma_response *res, ma_status status,
			 const char *detail);

/*
 * A problem for a library error, status from ma_status_from_error(). A
 * validation error lists problems (may be NULL) under "errors"; a 503
 * carries Retry-After. Errors that are the server's fault are logged
 * with the request's method and path, and the client sees a generic
 * detail.
 */
void ma_response_error(ma_response *res, const ma_error *error,
		       const ma_problems *problems);

#ifdef __cplusplus
}
#endif

#endif
