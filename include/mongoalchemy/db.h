/*
 * The database object: Flask-MongoAlchemy's MongoAlchemy(app, config_prefix).
 *
 * It holds a configuration and, in the process that uses it, one libmongoc
 * client, created on first use and reused for every request. A client is
 * not fork-safe: a database object created before fork() opens a new client
 * in each child the first time the child uses it, and leaves the parent's
 * connections alone.
 *
 * A database object is for one thread at a time.
 */
#ifndef MONGOALCHEMY_DB_H
#define MONGOALCHEMY_DB_H

#include <stdbool.h>

#include <mongoc/mongoc.h>

#include <mongoalchemy/config.h>
#include <mongoalchemy/error.h>
#include <mongoalchemy/schema.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ma_db ma_db;

/*
 * Reads the configuration under prefix (NULL: "MONGOALCHEMY") from the
 * environment. Does not connect. Returns NULL and fills error
 * (MA_ERR_CONFIG) when the configuration is invalid.
 */
ma_db *ma_db_new(const char *prefix, ma_error *error) MA_WARN_UNUSED_RESULT;

/*
 * A database object for an existing configuration. Takes ownership of
 * config, also on error. Does not connect.
 */
ma_db *ma_db_new_with_config(ma_config *config,
			     ma_error *error) MA_WARN_UNUSED_RESULT;

/*
 * Frees db and its client (if this process created it). NULL is a no-op.
 */
void ma_db_destroy(ma_db *db);

/* The configuration. Owned by db. */
const ma_config *ma_db_config(const ma_db *db);

/*
 * Timeouts a client gets unless its URI (or <PREFIX>_OPTIONS) sets them:
 * a worker answers 503 within seconds when its server is gone, instead of
 * after the driver's defaults (10 s to connect, 5 min for a reply).
 */
#define MA_CONNECT_TIMEOUT_MS 2000   /* connectTimeoutMS */
#define MA_SELECTION_TIMEOUT_MS 2000 /* serverSelectionTimeoutMS */
#define MA_SOCKET_TIMEOUT_MS 10000   /* socketTimeoutMS */

/*
 * This process's client, created on the first call (and again after a
 * fork). The client belongs to db and stays valid until ma_db_destroy() or
 * a fork. Creating a client does not connect yet: the first operation does.
 * Returns NULL on error.
 */
mongoc_client_t *ma_db_client(ma_db *db, ma_error *error);

/*
 * A new handle on collection `name` of the configured database, with the
 * session's write concern. Free it with mongoc_collection_destroy().
 * Returns NULL on error.
 */
mongoc_collection_t *ma_db_collection(ma_db *db, const char *name,
				      ma_error *error);

/*
 * Asks the server for `ping`, authenticating first when a user is
 * configured. Fails with MA_ERR_UNAVAILABLE when no server answers within
 * the server selection timeout, MA_ERR_AUTH when the credentials are
 * refused, MA_ERR_DRIVER otherwise.
 */
bool ma_db_ping(ma_db *db, ma_error *error);

/*
 * Declares that db stores documents of type (checked with ma_type_check()).
 * The indexes of every declared type are created once per process and
 * database object, when the process first uses db for a document, not
 * before every operation; a type first used without being declared joins
 * then. Adding a type twice is harmless. Does not connect.
 */
bool ma_db_add_type(ma_db *db, const ma_type *type, ma_error *error);

/*
 * Creates the indexes of every declared type now, in this process, unless
 * that is already done. For a worker that wants a broken index declaration
 * (a conflicting index already on the server) to stop it at start rather
 * than fail its first request.
 */
bool ma_db_ensure_indexes(ma_db *db, ma_error *error);

/*
 * Frees the driver's global state (and the calling thread's compiled field
 * regexes and converted defaults). Call once, at process exit, after every
 * database object is destroyed.
 */
void ma_cleanup(void);

#ifdef __cplusplus
}
#endif

#endif
