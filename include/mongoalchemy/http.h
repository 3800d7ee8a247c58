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

/* "GET" for MA_GET; NULL for anything that is not exactly one method. */
const char *ma_method_name(ma_method method);

/* MA_GET for "GET" (exact, upper case); 0 for an unknown method. */
ma_method ma_method_from_name(const char *name);

/* A handler: read req, fill res. arg is the pointer given to the route. */
typedef void (*ma_handler)(ma_request *req, ma_response *res, void *arg);

/* Defaults: DESIGN's 1 MiB body and 100 items per page. */
#define MA_BODY_LIMIT (1024 * 1024)
#define MA_MAX_PER_PAGE 100

#ifdef __cplusplus
}
#endif

#endif
