/*
 * Internals shared between the library's files. Nothing here is installed;
 * names start with _ma_ so that the shared library does not export them.
 */
#ifndef MA_PRIVATE_H
#define MA_PRIVATE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include <mongoc/mongoc.h>

#include <mongoalchemy.h>

#if defined(__GNUC__)
#define MA_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define MA_PRINTF(f, a)
#endif

/* Fills error (when not NULL) with code and a formatted message. */
void _ma_error_set(ma_error *error, ma_error_code code, const char *fmt, ...)
	MA_PRINTF(3, 4);

/*
 * Fills error from a driver error: the code is chosen from the driver's
 * domain and code (unreachable server, refused credentials, other), the
 * message is "<context>: <driver message>" with every occurrence of secret
 * (the password, may be NULL) replaced by "***".
 */
void _ma_error_from_bson(ma_error *error, const bson_error_t *berr,
			 const char *context, const char *secret);

/* Replaces every occurrence of secret in the string msg by "***". */
void _ma_scrub_secret(char *msg, size_t size, const char *secret);

/*
 * URI pieces, as the configuration gives them. Everything but server may be
 * NULL: no user, no password, no path, no options, no replica set.
 */
typedef struct ma_uri_parts {
	const char *server;      /* host name, IPv4, IPv6, or a socket path */
	unsigned port;
	const char *user;
	const char *password;    /* only used with user */
	const char *path;        /* the database in the path, for auth */
	const char *options;     /* "k=v&k2=v2", used as given */
	const char *replica_set; /* added as replicaSet= */
} ma_uri_parts;

/*
 * Builds "mongodb://[user[:password]@]host:port/[path][?options]". User,
 * password and replica set are percent-encoded; options are not (they are
 * already in URI form). password_override, when not NULL, is written in
 * place of the password (to build the redacted form). Returns a new string
 * to free with bson_free().
 */
char *_ma_uri_build(const ma_uri_parts *parts, const char *password_override);

/* Percent-encodes every byte outside RFC 3986's unreserved set. bson_free(). */
char *_ma_pct_encode(const char *s);

/*
 * A copy of uri with the password of its user information, if any,
 * replaced by "***". Errs on the side of hiding too much when the URI is
 * malformed. bson_free().
 */
char *_ma_uri_redact(const char *uri);

/*
 * Where the password of uri's user information is: offset and length in
 * bytes. Returns false when there is no password. Used for redaction.
 */
bool _ma_uri_password_span(const char *uri, size_t *offset, size_t *len);

/* The configured password (also one from a connection string), or NULL:
 * for scrubbing driver messages, never for printing. */
const char *_ma_config_secret(const ma_config *config);

#endif
