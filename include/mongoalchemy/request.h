/*
 * Requests: what the front end sent, as a handler sees it: method, path
 * and its parameters, query string, headers, the body, and the list
 * grammar of a resource (ma_request_list_params()).
 */
#ifndef MONGOALCHEMY_REQUEST_H
#define MONGOALCHEMY_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mongoalchemy/document.h>
#include <mongoalchemy/http.h>
#include <mongoalchemy/query.h>
#include <mongoalchemy/schema.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Every string a getter below returns is owned by the request and valid
 * until the handler returns.
 */
ma_method ma_request_method(const ma_request *req); /* MA_GET for HEAD */
bool ma_request_is_head(const ma_request *req);

/* The path as the client sent it, without the query string. */
const char *ma_request_path(const ma_request *req);

/* A path parameter of the route, percent-decoded; NULL if none. */
const char *ma_request_param(const ma_request *req, const char *name);

/* The first value of a query-string parameter, decoded; NULL if none. */
const char *ma_request_query(const ma_request *req, const char *name);

/* All query-string parameters, in the order sent, decoded. */
size_t ma_request_query_count(const ma_request *req);
bool ma_request_query_at(const ma_request *req, size_t i, const char **name,
			 const char **value);

/* The raw query string ("" if none). */
const char *ma_request_query_string(const ma_request *req);

/* A request header by name, any case ("Content-Type"); NULL if absent. */
const char *ma_request_header(const ma_request *req, const char *name);

/*
 * The body, read up to the application's limit: MA_ERR_TOO_LARGE (413)
 * when it is larger, MA_ERR_INVALID when it ends before its
 * Content-Length. Failures go to ma_response_error() as they are.
 */
bool ma_request_body(ma_request *req, const char **body, size_t *len,
		     ma_error *error);

/*
 * The body as a document of type: MA_ERR_MEDIA_TYPE (415) when its
 * content type is not JSON, MA_ERR_TOO_LARGE (413), MA_ERR_JSON when it is
 * empty or malformed, MA_ERR_VALIDATION with each problem in problems.
 */
ma_doc *ma_request_doc(ma_request *req, const ma_type *type,
		       ma_problems *problems,
		       ma_error *error) MA_WARN_UNUSED_RESULT;

/*
 * Applies a list request's parameters to a query, as a resource does:
 * sort, fields and filters (name=value, name__op=value on the type's
 * declared fields), and reads page and per_page (default 1 and
 * MA_PER_PAGE, at most max_per_page). Other handlers use it to offer the
 * same list grammar. False with MA_ERR_INVALID naming the parameter (a
 * 400), or MA_ERR_NOT_FOUND for a page below 1 (a 404).
 */
bool ma_request_list_params(const ma_request *req, ma_query *query,
			    int64_t max_per_page, int64_t *page,
			    int64_t *per_page, ma_error *error);

#ifdef __cplusplus
}
#endif

#endif
