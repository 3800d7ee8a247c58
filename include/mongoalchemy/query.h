/*
 * Queries: Flask-MongoAlchemy's BaseQuery.
 *
 *   Author.query.filter(Author.name == 'Mark Pilgrim').first()
 *
 * becomes
 *
 *   ma_query *q = ma_query_new(db, &author_type);
 *   ma_doc *mark = NULL;
 *
 *   if (ma_query_filter(q, "name", MA_OP_EQ, MA_V_STRING("Mark Pilgrim"), &e)
 * && ma_query_first(q, &mark, &e) && mark != NULL) {
 *           ...
 *   }
 *   ma_doc_destroy(mark);
 *   ma_query_destroy(q);
 *
 * A query names fields by their JSON names (dotted into embedded documents:
 * "author.name"; "_id" is the id) and is checked against its type as it is
 * built: an unknown field, an operator the field's kind does not support,
 * or a value of the wrong kind is an error then, never an empty result
 * later. Values are typed (ma_value), never raw JSON from a client: what
 * reaches MongoDB is built here, field by field.
 *
 * Two outcomes are kept apart everywhere: "nothing matched" is a success
 * with no document (or MA_ERR_NOT_FOUND from the _or_404 calls, which the
 * HTTP layer turns into 404), and "the database failed" is an error
 * (MA_ERR_UNAVAILABLE, MA_ERR_AUTH, MA_ERR_DRIVER). A cursor error is never
 * an empty result.
 *
 * A query, a filter, an update and a page are for one thread at a time.
 */
#ifndef MONGOALCHEMY_QUERY_H
#define MONGOALCHEMY_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bson/bson.h>

#include <mongoalchemy/db.h>
#include <mongoalchemy/document.h>
#include <mongoalchemy/error.h>
#include <mongoalchemy/filter.h>
#include <mongoalchemy/schema.h>
#include <mongoalchemy/value.h>

#ifdef __cplusplus
extern "C" {
#endif

/* --- queries ------------------------------------------------------------- */

typedef struct ma_query ma_query;

/*
 * A query on the documents of type stored through db (Flask-MongoAlchemy's
 * Book.query): everything, unsorted, until refined. db and type must
 * outlive the query. Does not connect. Cannot fail.
 */
ma_query *ma_query_new(ma_db *db, const ma_type *type) MA_WARN_UNUSED_RESULT;

/* An independent copy: refining one does not change the other. */
ma_query *ma_query_copy(const ma_query *query) MA_WARN_UNUSED_RESULT;

/* NULL is a no-op. */
void ma_query_destroy(ma_query *query);

/* The database object and the type the query was created with: the
 * caller's, valid while they are. */
ma_db *ma_query_db(const ma_query *query);
const ma_type *ma_query_type(const ma_query *query);

/*
 * Refining. Each call narrows or orders the query and returns false, with
 * error, when its arguments do not fit the type. A query remembers its
 * first such error, and every later call on it (refining or running) fails
 * with that error: a chain of calls may be checked once, at the end.
 */

/* Keeps documents where path op value. Several filters combine with AND. */
bool ma_query_filter(ma_query *query, const char *path, ma_op op,
		     ma_value value, ma_error *error);

/* Keeps documents where path is (MA_OP_IN) or is not (MA_OP_NIN) one of n
 * values, or, on a list field, where the list holds all n of them
 * (MA_OP_ALL). */
bool ma_query_filter_in(ma_query *query, const char *path, ma_op op,
			const ma_value *values, size_t n, ma_error *error);

/* Takes ownership of filter (also on error): keeps the documents that
 * match it. It must be of the query's type. */
bool ma_query_where(ma_query *query, ma_filter *filter, ma_error *error);

/*
 * Optimistic locking: keeps only the document `current` (as read before)
 * while it is stored exactly as it was read: its id and every field of it.
 * An update, find-and-modify or remove through the query then matches
 * nothing, and changes nothing, once anybody changed or removed the
 * document in between. MA_ERR_INVALID when current is not a stored
 * document of the query's type.
 */
bool ma_query_filter_unchanged(ma_query *query, const ma_doc *current,
			       ma_error *error);

/* Adds a sort key: a field ("title") or, descending, "-year". Keys apply in
 * the order added. Lists, documents and any fields cannot be sort keys. */
bool ma_query_sort(ma_query *query, const char *key, ma_error *error);

/* Skips the first n results (n >= 0). */
bool ma_query_skip(ma_query *query, int64_t n, ma_error *error);

/* Returns at most n results (n >= 0; 0: no limit, as in MongoDB). */
bool ma_query_limit(ma_query *query, int64_t n, ma_error *error);

/* Returns only the fields added this way (and the id). Documents read so
 * lack the others: read them, do not save them. */
bool ma_query_fields(ma_query *query, const char *path, ma_error *error);

/* The first refining error (code MA_OK when none), copied into error. */
bool ma_query_ok(const ma_query *query, ma_error *error);

/* The MongoDB filter built so far; valid until the query changes. */
const bson_t *ma_query_filter_bson(const ma_query *query);

/* --- query extensions (declared with the type: see schema.h) ------------ */

/* Applies type's extension name to query: Person.query.get_johns(). Fails
 * with MA_ERR_UNDECLARED when the type has no such extension (the
 * program's mistake: an HTTP 500, logged), or with the extension's own
 * error. */
bool ma_query_extend(ma_query *query, const char *name, const char *arg,
		     ma_error *error);

/* --- reading ------------------------------------------------------------- */

/*
 * Flask-MongoAlchemy's get(mongo_id): the document with this id (24 hex
 * digits) that also matches the query's filters. true with *out set, or
 * with *out NULL when there is none; an id that is not 24 hex digits
 * ("blasphemy") names no document. false on a database error. *out is the
 * caller's (ma_doc_destroy()).
 */
bool ma_query_get(ma_query *query, const char *id, ma_doc **out,
		  ma_error *error);
bool ma_query_get_oid(ma_query *query, const bson_oid_t *id, ma_doc **out,
		      ma_error *error);

/*
 * Flask's get_or_404(), in C terms: a new document (the caller's, to
 * ma_doc_destroy()), or NULL with error filled: MA_ERR_NOT_FOUND when no
 * document has the id (a malformed id included), which the HTTP side
 * answers with a 404, or the database's error.
 */
ma_doc *ma_query_get_or_404(ma_query *query, const char *id,
			    ma_error *error) MA_WARN_UNUSED_RESULT;

/* The first result in the query's order (after its skip). true with *out
 * set, or NULL when nothing matches; false on a database error. */
bool ma_query_first(ma_query *query, ma_doc **out, ma_error *error);

/* Flask's first_or_404(), in C terms: a new document (the caller's), or
 * NULL with MA_ERR_NOT_FOUND when nothing matches, or NULL with the
 * database's error. */
ma_doc *ma_query_first_or_404(ma_query *query,
			      ma_error *error) MA_WARN_UNUSED_RESULT;

/* How many documents match the filters (skip and limit do not count). */
bool ma_query_count(ma_query *query, int64_t *count, ma_error *error);

/*
 * The distinct values of path among the matching documents, into *values
 * as a BSON array ("0", "1", ...) in MongoDB's form (initialized here;
 * bson_destroy() it, also on error).
 */
bool ma_query_distinct(ma_query *query, const char *path, bson_t *values,
		       ma_error *error);

/* Every result, in order. */
typedef struct ma_cursor ma_cursor;

/* Runs the query: NULL only on an error the query already had. The
 * server is first asked at the first ma_cursor_next(), which reports every
 * database error. */
ma_cursor *ma_query_find(ma_query *query,
			 ma_error *error) MA_WARN_UNUSED_RESULT;

/*
 * The next result into *doc (owned by the cursor, valid until the next
 * call or ma_cursor_destroy()). false at the end (error cleared to MA_OK)
 * and on error (error set): ma_cursor_error() tells them apart, as
 * mongoc_cursor_error() does, also when error was NULL.
 *
 *   while (ma_cursor_next(c, &doc, NULL))
 *           ...;
 *   if (ma_cursor_error(c, &err))
 *           ...;   // the database failed: never an empty result
 */
bool ma_cursor_next(ma_cursor *cursor, const ma_doc **doc, ma_error *error);

/* true when the cursor stopped on an error, copied into error (may be
 * NULL); false while it has none, at its end included. */
bool ma_cursor_error(const ma_cursor *cursor, ma_error *error);

/* NULL is a no-op. */
void ma_cursor_destroy(ma_cursor *cursor);

#ifdef __cplusplus
}
#endif

#endif
