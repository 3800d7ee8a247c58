/*
 * What the web side's parts share: HTTP methods, the handler type, and
 * the default limits.
 */
#ifndef MONGOALCHEMY_HTTP_H
#define MONGOALCHEMY_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mongoalchemy/error.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ma_request ma_request;
typedef struct ma_response ma_response;

/* HTTP methods, as bits so that a route can take several. */
typedef enum ma_method {
	MA_GET = 1 << 0,
	MA_HEAD = 1 << 1,
	MA_POST = 1 << 2,
	MA_PUT = 1 << 3,
	MA_PATCH = 1 << 4,
	MA_DELETE = 1 << 5,
	MA_OPTIONS = 1 << 6
} ma_method;

/* "GET" for MA_GET; NULL for anything that is not exactly one method.
 * The string is static. */
const char *ma_method_name(ma_method method);

/* MA_GET for "GET" (exact, upper case); 0 for an unknown method. */
ma_method ma_method_from_name(const char *name);

/*
 * The HTTP statuses this library answers with, by their RFC 9110 names;
 * ma_status_title() gives each its reason phrase. A handler may still
 * answer any other status as a plain number.
 */
typedef enum ma_status {
	MA_STATUS_OK = 200,
	MA_STATUS_CREATED = 201,
	MA_STATUS_NO_CONTENT = 204,
	MA_STATUS_NOT_MODIFIED = 304,
	MA_STATUS_BAD_REQUEST = 400,
	MA_STATUS_UNAUTHORIZED = 401,
	MA_STATUS_FORBIDDEN = 403,
	MA_STATUS_NOT_FOUND = 404,
	MA_STATUS_METHOD_NOT_ALLOWED = 405,
	MA_STATUS_NOT_ACCEPTABLE = 406,
	MA_STATUS_CONFLICT = 409,
	MA_STATUS_LENGTH_REQUIRED = 411,
	MA_STATUS_PRECONDITION_FAILED = 412,
	MA_STATUS_CONTENT_TOO_LARGE = 413,
	MA_STATUS_URI_TOO_LONG = 414,
	MA_STATUS_UNSUPPORTED_MEDIA_TYPE = 415,
	MA_STATUS_UNPROCESSABLE_CONTENT = 422,
	MA_STATUS_PRECONDITION_REQUIRED = 428,
	MA_STATUS_INTERNAL_SERVER_ERROR = 500,
	MA_STATUS_NOT_IMPLEMENTED = 501,
	MA_STATUS_BAD_GATEWAY = 502,
	MA_STATUS_SERVICE_UNAVAILABLE = 503,
	MA_STATUS_GATEWAY_TIMEOUT = 504
} ma_status;

/* The reason phrase of status ("Not Found"); "Unknown" for a status not
 * in ma_status. The string is static. */
const char *ma_status_title(ma_status status);

/*
 * The status for a library error, from the one table: 400 for invalid
 * input (MA_ERR_INVALID, MA_ERR_JSON, MA_ERR_VALIDATION), 404, 409, 412,
 * 413, 415, 503 (MA_ERR_UNAVAILABLE), 504 (MA_ERR_TIMEOUT), and 500 for
 * the server's own faults. Nowhere else decides a status from an error.
 */
ma_status ma_status_from_error(ma_error_code code);

/* A handler: read req, fill res. arg is the pointer given to the route. */
typedef void (*ma_handler)(ma_request *req, ma_response *res, void *arg);

/* Defaults: a 1 MiB body and 100 items per page. */
#define MA_BODY_LIMIT (1024 * 1024)
#define MA_MAX_PER_PAGE 100

#ifdef __cplusplus
}
#endif

#endif
