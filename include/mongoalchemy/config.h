/*
 * Configuration: the MongoDB settings of one database object, read from
 * environment variables under a prefix (MONGOALCHEMY_DATABASE, ...), the
 * equivalent of Flask-MongoAlchemy's config values and config_prefix.
 *
 * A config is immutable once built: every getter returns memory owned by
 * the config, valid until ma_config_destroy().
 */
#ifndef MONGOALCHEMY_CONFIG_H
#define MONGOALCHEMY_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include <mongoc/mongoc.h>

#include <mongoalchemy/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The prefix used when none is given. */
#define MA_CONFIG_DEFAULT_PREFIX "MONGOALCHEMY"

typedef struct ma_config ma_config;

/*
 * Where values come from: returns the value of the variable `name`
 * ("MONGOALCHEMY_PORT") or NULL when it is unset. The returned string must
 * stay valid until the call that received the function returns.
 */
typedef const char *(*ma_config_lookup_fn)(const char *name, void *ctx);

/*
 * Reads <prefix>_DATABASE, <prefix>_SERVER, ... from the process environment
 * and builds the MongoDB URI. prefix NULL means MA_CONFIG_DEFAULT_PREFIX; it
 * must be a non-empty run of letters, digits and underscores.
 *
 * An empty variable counts as unset. Every problem (missing DATABASE,
 * PORT=abc, SAFE_SESSION=maybe, options the driver refuses, a malformed
 * connection string...) fails with MA_ERR_CONFIG and a message that names
 * the variable; the message never contains the password.
 *
 * Returns a new config to free with ma_config_destroy(), or NULL on error.
 */
ma_config *ma_config_new_from_env(const char *prefix,
				  ma_error *error) MA_WARN_UNUSED_RESULT;

/*
 * The same, with the values supplied by lookup(name, ctx) instead of the
 * environment (tests, or settings kept somewhere else).
 */
ma_config *ma_config_new(const char *prefix, ma_config_lookup_fn lookup,
			 void *ctx, ma_error *error) MA_WARN_UNUSED_RESULT;

/* Frees config. NULL is a no-op. */
void ma_config_destroy(ma_config *config);

/* The prefix the values were read under, without the trailing '_'.
 * Every string a getter below returns is owned by config and valid while
 * it lives. */
const char *ma_config_prefix(const ma_config *config);

/* <prefix>_DATABASE: the database every operation uses. Never NULL. */
const char *ma_config_database(const ma_config *config);

/*
 * The URI the driver connects with: <prefix>_CONNECTION_STRING unchanged,
 * or the one built from the other variables. It contains the password when
 * there is one: never log it, log ma_config_uri_redacted().
 */
const char *ma_config_uri(const ma_config *config);

/* ma_config_uri() with the password, if any, replaced by "***". */
const char *ma_config_uri_redacted(const ma_config *config);

/* The user name, or NULL when the connection does not authenticate. */
const char *ma_config_user(const ma_config *config);

/*
 * The database the credentials are checked against ("admin" for server
 * authentication, the database itself for database authentication), or
 * NULL when there is no user.
 */
const char *ma_config_auth_source(const ma_config *config);

/* The replica set name, or NULL for none. */
const char *ma_config_replica_set(const ma_config *config);

/* true when <prefix>_CONNECTION_STRING supplied the URI. */
bool ma_config_uses_connection_string(const ma_config *config);

/* The variables that are set but ignored because the connection string
 * replaces them, as "MONGOALCHEMY_SERVER, MONGOALCHEMY_PORT" (never a
 * value); NULL when there are none. Valid as long as config. */
const char *ma_config_ignored(const ma_config *config);

/* <prefix>_SAFE_SESSION. */
bool ma_config_safe_session(const ma_config *config);

/*
 * <prefix>_MAX_TIME_MS: the time the server may spend on each read (find,
 * count, find-and-modify, every page) before it stops it (maxTimeMS); a
 * read stopped so fails with MA_ERR_TIMEOUT. Default MA_MAX_TIME_MS; 0
 * sends no limit. distinct goes without (some compatible servers refuse
 * the field there): the socket timeout bounds it.
 */
#define MA_MAX_TIME_MS 5000
int64_t ma_config_max_time_ms(const ma_config *config);

/*
 * The parsed URI, with the session's write concern applied: w:majority and
 * j:true when SAFE_SESSION is true, otherwise what the URI says (the driver's
 * acknowledged default, w:1, unless the options ask for another).
 */
const mongoc_uri_t *ma_config_mongoc_uri(const ma_config *config);

/*
 * Per-call write safety, Flask-MongoAlchemy's `safe` argument:
 * MA_SAFE_SESSION follows <prefix>_SAFE_SESSION, MA_SAFE_ON waits for a
 * majority and the journal, MA_SAFE_OFF uses the URI's own write concern
 * (acknowledged by default; never fire-and-forget unless the URI asks).
 */
typedef enum ma_safe { MA_SAFE_SESSION = 0, MA_SAFE_ON, MA_SAFE_OFF } ma_safe;

/* The write concern for `safe`. Owned by config. Never NULL. */
const mongoc_write_concern_t *ma_config_write_concern(const ma_config *config,
						      ma_safe safe);

/*
 * Writes a short description of the write concern for `safe` ("w:1",
 * "w:majority, j:true", "w:0 (unacknowledged)") into buf, truncated to
 * size. Returns buf.
 */
char *ma_config_describe_write_concern(const ma_config *config, ma_safe safe,
				       char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif
