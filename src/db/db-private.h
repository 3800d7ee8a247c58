/*
 * The database object's insides, for the parts that read and write
 * documents (db.c).
 */
#ifndef MA_DB_PRIVATE_H
#define MA_DB_PRIVATE_H

#include <mongoalchemy/db.h>

#include "core/core.h"

/* --- the database object and types (db.c) -------------------------------- */

/* Closes this process's client, if it has one: the master of a worker
 * pool after its start hook, so that no connection it opened lingers
 * beside the workers' own (db.c). */
void _ma_db_release(ma_db *db);

/* Appends the write concern for safe to opts; returns it (db.c). */
const mongoc_write_concern_t *_ma_db_write_concern(ma_db *db, ma_safe safe,
						   bson_t *opts);

/* A driver error while doing verb ("save", "read"...) to documents of
 * type: "cannot read Book: ...", without the password (db.c). */
void _ma_db_error(ma_db *db, ma_error *error, const bson_error_t *berr,
		  const char *verb, const ma_type *type);

/*
 * The collection of type, after making sure (once per process) that the
 * indexes of every type the database object knows exist. Registers type
 * when it is new. mongoc_collection_destroy() it.
 */
mongoc_collection_t *_ma_db_type_collection(ma_db *db, const ma_type *type,
					    ma_error *error);

#endif
