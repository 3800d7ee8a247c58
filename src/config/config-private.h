/*
 * The configuration's insides: URI building and redaction (uri.c) and the
 * secret that error messages scrub (config.c).
 */
#ifndef MA_CONFIG_PRIVATE_H
#define MA_CONFIG_PRIVATE_H

#include <mongoalchemy/config.h>

#include "core/core.h"

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
