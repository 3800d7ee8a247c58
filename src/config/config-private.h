/*
 * The configuration's insides: URI building and redaction (uri.c), the
 * checks of single values (check.c) and the secret that error messages
 * scrub (config.c).
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
	const char *server; /* host name, IPv4, IPv6, or a socket path */
	unsigned port;
	const char *user;
	const char *password;	 /* only used with user */
	const char *path;	 /* the database in the path, for auth */
	const char *options;	 /* "k=v&k2=v2", used as given */
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

/* Percent-encodes every byte outside RFC 3986's unreserved set, as
 * _ma_buf_pct_encode() does with nothing kept. bson_free(). */
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

/* --- single values (check.c) --------------------------------------------- */

/* Long enough for any sensible prefix; keeps variable names bounded. */
#define MA_CONFIG_PREFIX_MAX 64
/* MAX_TIME_MS: at most a day; 0 lifts the limit. */
#define MA_CONFIG_MAX_TIME_MS_MAX 86400000

/* Whether prefix keeps the variable names it starts valid names. */
bool _ma_config_prefix_ok(const char *prefix);

/* A port, 1 to 65535, in at most 5 digits; *out untouched when not. */
bool _ma_config_parse_port(const char *s, unsigned *out);

/* MAX_TIME_MS, 0 to MA_CONFIG_MAX_TIME_MS_MAX, in at most 8 digits. */
bool _ma_config_parse_ms(const char *s, int64_t *out);

/* What is wrong with a value, worded to follow "<PREFIX>_<KEY> <value>",
 * or NULL when nothing is: a database name, a SERVER, an OPTIONS string. */
const char *_ma_config_database_problem(const char *name);
const char *_ma_config_server_problem(const char *server);
const char *_ma_config_options_problem(const char *options);

/* Whether options ("k=v&k2=v2", already checked) set key, in any case. */
bool _ma_config_options_has(const char *options, const char *key);

/* --- the configuration (config.c) ---------------------------------------- */

/* The configured password (also one from a connection string), or NULL:
 * for scrubbing driver messages, never for printing. */
const char *_ma_config_secret(const ma_config *config);

#endif
