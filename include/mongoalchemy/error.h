/*
 * Errors: one struct for every fallible call, passed last and nullable.
 */
#ifndef MONGOALCHEMY_ERROR_H
#define MONGOALCHEMY_ERROR_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * What went wrong, in the terms a caller acts on. ma_strerror() names each
 * one; new codes are only ever added before MA_ERR__MAX.
 */
typedef enum ma_error_code {
	MA_OK = 0,
	MA_ERR_CONFIG,	     /* a configuration value is missing or invalid */
	MA_ERR_INVALID,	     /* a caller passed an invalid argument */
	MA_ERR_NOMEM,	     /* out of memory */
	MA_ERR_UNAVAILABLE,  /* the MongoDB server cannot be reached */
	MA_ERR_AUTH,	     /* the server refused the credentials */
	MA_ERR_DRIVER,	     /* any other error from the driver or the server */
	MA_ERR_JSON,	     /* input is not JSON, or not the JSON expected */
	MA_ERR_VALIDATION,   /* a document breaks its type: see ma_problems */
	MA_ERR_DUPLICATE,    /* a unique index refused a write */
	MA_ERR_NOT_FOUND,    /* no such document */
	MA_ERR_TOO_LARGE,    /* input above its size limit (HTTP 413) */
	MA_ERR_MEDIA_TYPE,   /* input in a format not taken (HTTP 415) */
	MA_ERR_TIMEOUT,	     /* the server stopped a read at its time limit */
	MA_ERR_PRECONDITION, /* the document changed since it was read */
	MA_ERR_UNDECLARED,   /* the program named what its type does not
				declare (a query extension): its own mistake,
				never the client's (HTTP 500) */
	MA_ERR__MAX
} ma_error_code;

#define MA_ERROR_MESSAGE_SIZE 512

/* On a call whose result the caller owns (a new object, a text to free):
 * ignoring it is a leak or a lost error, and the compiler says so. */
#if defined(__GNUC__)
#define MA_WARN_UNUSED_RESULT __attribute__((warn_unused_result))
#else
#define MA_WARN_UNUSED_RESULT
#endif

/*
 * An error. When it came from MongoDB, domain and driver_code are the
 * driver's bson_error_t domain and code (0 otherwise). The message never
 * contains a password.
 */
typedef struct ma_error {
	ma_error_code code;
	uint32_t domain;
	uint32_t driver_code;
	char message[MA_ERROR_MESSAGE_SIZE];
} ma_error;

/*
 * The fixed English name of a code ("configuration error", ...). Never
 * NULL: an unknown code gives "unknown error". The string is static.
 */
const char *ma_strerror(ma_error_code code);

/* Resets error to MA_OK with an empty message. NULL is a no-op. */
void ma_error_clear(ma_error *error);

#ifdef __cplusplus
}
#endif

#endif
