/*
 * Documents: a value of a document type, its JSON and BSON forms, and
 * Flask-MongoAlchemy's save() and remove().
 *
 * A document holds its fields in their MongoDB form (a BSON document with
 * the fields' database names). It is created empty, from JSON sent by a
 * client (checked against the type, every problem reported), or from BSON
 * read from MongoDB (taken as it is: a document written behind the type's
 * back still reads, extra fields and all).
 *
 * A document is for one thread at a time.
 */
#ifndef MONGOALCHEMY_DOCUMENT_H
#define MONGOALCHEMY_DOCUMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bson/bson.h>

#include <mongoalchemy/config.h>
#include <mongoalchemy/db.h>
#include <mongoalchemy/error.h>
#include <mongoalchemy/json.h>
#include <mongoalchemy/schema.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ma_doc ma_doc;

/* --- creating ------------------------------------------------------------ */

/* An empty document of type, without an id. Cannot fail. */
ma_doc *ma_doc_new(const ma_type *type) MA_WARN_UNUSED_RESULT;

/*
 * A document from JSON text (len bytes; json need not end in NUL), checked
 * against type: fields missing with a default get it, `_id` (optional)
 * must be 24 hex digits. Fails with:
 *   MA_ERR_JSON        not JSON, or JSON nested deeper than
 *                      MA_JSON_MAX_DEPTH, a number beyond 64-bit or double
 *                      range, NaN or Infinity, a key with a NUL, not an
 *                      object;
 *   MA_ERR_VALIDATION  an object that breaks the type: unknown fields, keys
 *                      with '$' or '.', duplicate keys, values of the wrong
 *                      kind or out of bounds. problems (when not NULL)
 *                      gets every one; the error's message lists them.
 */
ma_doc *ma_doc_new_from_json(const ma_type *type, const char *json, size_t len,
			     ma_problems *problems,
			     ma_error *error) MA_WARN_UNUSED_RESULT;

/*
 * A document from its MongoDB form. bson is copied and not checked: fields
 * the type does not know are kept and shown, missing ones stay missing.
 */
ma_doc *ma_doc_new_from_bson(const ma_type *type,
			     const bson_t *bson) MA_WARN_UNUSED_RESULT;

/* NULL is a no-op. */
void ma_doc_destroy(ma_doc *doc);

/*
 * Documents from a JSON array of objects (a bulk create's body), each
 * converted and checked as ma_doc_new_from_json() does one. max is the
 * most items taken (0: no limit). Returns a new array of *n documents,
 * in the array's order, to free with ma_docs_destroy(). Fails (NULL,
 * *n 0, nothing kept) with:
 *   MA_ERR_JSON        not JSON (as ma_doc_new_from_json()), or not an
 *                      array;
 *   MA_ERR_INVALID     an empty array;
 *   MA_ERR_TOO_LARGE   more than max items (counted before any is
 *                      converted);
 *   MA_ERR_VALIDATION  an item that is not an object or breaks the type:
 *                      problems (when not NULL) gets every problem of
 *                      every item, its path prefixed with the item's
 *                      index ("[3].year").
 */
ma_doc **ma_docs_new_from_json(const ma_type *type, const char *json,
			       size_t len, size_t max, size_t *n,
			       ma_problems *problems,
			       ma_error *error) MA_WARN_UNUSED_RESULT;

/* Destroys the n documents and the array. NULL is a no-op. */
void ma_docs_destroy(ma_doc **docs, size_t n);

/* --- reading ------------------------------------------------------------- */

/* The document's type: the caller's static table it was created with. */
const ma_type *ma_doc_type(const ma_doc *doc);

/* The MongoDB form. Valid until the document is changed or destroyed. */
const bson_t *ma_doc_bson(const ma_doc *doc);

/* true and *id set when the document has an ObjectId `_id`. */
bool ma_doc_id(const ma_doc *doc, bson_oid_t *id);

/* Gives doc the id (first, where MongoDB keeps it), replacing its own. */
void ma_doc_set_id(ma_doc *doc, const bson_oid_t *id);

/*
 * The entity tag of the document's MongoDB form, for HTTP's ETag: a quoted
 * fingerprint ("\"" 16 hex digits "\"") of its bytes, so any change to a
 * stored document changes it, and two reads of the same stored document
 * give the same tag in any process. A fingerprint, not a signature: it
 * detects changes, it does not resist forgery.
 */
#define MA_ETAG_SIZE 19 /* with the quotes and the NUL */
void ma_doc_etag(const ma_doc *doc, char etag[MA_ETAG_SIZE]);

/*
 * Flask-MongoAlchemy's ==: true when both have the same type and the same
 * id, or are the same document. Two documents without ids differ.
 */
bool ma_doc_equal(const ma_doc *a, const ma_doc *b);

/*
 * The JSON form, NUL-terminated, in a new buffer to free with bson_free();
 * *len (when not NULL) gets its length. Cannot fail: values the type does
 * not describe get their natural JSON form.
 */
char *ma_doc_to_json(const ma_doc *doc, size_t *len) MA_WARN_UNUSED_RESULT;

/*
 * Typed getters. path is a field name, or a dotted path into embedded
 * documents ("author.name"). Each returns false (and leaves *out alone)
 * when the field is missing, null, or holds another kind of value; the
 * float getter also reads an integer, the int getter a 32-bit one.
 * A string stays valid until the document is changed or destroyed.
 */
bool ma_doc_get_string(const ma_doc *doc, const char *path, const char **out);
bool ma_doc_get_int(const ma_doc *doc, const char *path, int64_t *out);
bool ma_doc_get_float(const ma_doc *doc, const char *path, double *out);
bool ma_doc_get_bool(const ma_doc *doc, const char *path, bool *out);
/* milliseconds since 1970-01-01T00:00:00Z */
bool ma_doc_get_datetime(const ma_doc *doc, const char *path, int64_t *out);
bool ma_doc_get_oid(const ma_doc *doc, const char *path, bson_oid_t *out);
/* true when the field is present and null. */
bool ma_doc_is_null(const ma_doc *doc, const char *path);
/* The embedded document at path as a new document of the field's type. */
ma_doc *ma_doc_get_doc(const ma_doc *doc,
		       const char *path) MA_WARN_UNUSED_RESULT;

/* --- changing ------------------------------------------------------------ */

/*
 * Typed setters on the field `name` (not a path). They fail with
 * MA_ERR_INVALID when the type has no such field or the field holds another
 * kind of value; bounds are checked by ma_doc_validate() and save, so that
 * every problem is reported at once, as a form would want.
 */
bool ma_doc_set_string(ma_doc *doc, const char *name, const char *value,
		       ma_error *error);
bool ma_doc_set_int(ma_doc *doc, const char *name, int64_t value,
		    ma_error *error);
bool ma_doc_set_float(ma_doc *doc, const char *name, double value,
		      ma_error *error);
bool ma_doc_set_bool(ma_doc *doc, const char *name, bool value,
		     ma_error *error);
bool ma_doc_set_datetime(ma_doc *doc, const char *name, int64_t ms,
			 ma_error *error);
/* objectid and ref fields */
bool ma_doc_set_oid(ma_doc *doc, const char *name, const bson_oid_t *value,
		    ma_error *error);
/* document fields: value (of the field's type) is copied. */
bool ma_doc_set_doc(ma_doc *doc, const char *name, const ma_doc *value,
		    ma_error *error);
/* Any field, from JSON text, converted and checked as ma_doc_new_from_json()
 * would: the way to set lists, enums and dicts. */
bool ma_doc_set_json(ma_doc *doc, const char *name, const char *json,
		     ma_problems *problems, ma_error *error);
bool ma_doc_set_null(ma_doc *doc, const char *name, ma_error *error);
/* Removes the field. Not having it is not an error. */
bool ma_doc_unset(ma_doc *doc, const char *name, ma_error *error);

/*
 * Checks the declared fields against the type: missing required fields
 * (those with a default are filled in by save), kinds, bounds, regexes,
 * enums, nested documents and lists. Fields the type does not know (read
 * from MongoDB) are left alone. Fails with MA_ERR_VALIDATION.
 */
bool ma_doc_validate(const ma_doc *doc, ma_problems *problems, ma_error *error);

/* --- MongoDB ------------------------------------------------------------- */

/*
 * Flask-MongoAlchemy's save(safe): fills in missing defaults, validates,
 * then inserts the document when it has no id (the id is generated here,
 * and set on doc) or replaces the stored one with the same id (inserting it
 * when it is gone). Fails with MA_ERR_VALIDATION (nothing is sent),
 * MA_ERR_DUPLICATE (a unique index refused it), MA_ERR_UNAVAILABLE,
 * MA_ERR_AUTH or MA_ERR_DRIVER (the server's code in driver_code). On
 * failure the document is as before, except for a generated id.
 */
bool ma_doc_save(ma_db *db, ma_doc *doc, ma_safe safe, ma_problems *problems,
		 ma_error *error);

/*
 * The two halves of save, for callers that must not do the other one (an
 * HTTP POST must not overwrite, a PUT must not create). Both fill in
 * defaults and validate as save does.
 *
 * ma_doc_insert() inserts doc (generating its id when it has none): an id
 * that is already stored is MA_ERR_DUPLICATE. ma_doc_replace() replaces
 * the stored document with doc's id: MA_ERR_INVALID when doc has no id,
 * MA_ERR_NOT_FOUND when none is stored (with an acknowledged write
 * concern).
 */
bool ma_doc_insert(ma_db *db, ma_doc *doc, ma_safe safe, ma_problems *problems,
		   ma_error *error);
bool ma_doc_replace(ma_db *db, ma_doc *doc, ma_safe safe, ma_problems *problems,
		    ma_error *error);

/* What became of one document of ma_doc_insert_many(). */
typedef enum ma_insert_state {
	MA_INSERT_STORED,     /* the server acknowledged it */
	MA_INSERT_REFUSED,    /* the server refused it: the error says why */
	MA_INSERT_NOT_SENT,   /* not written: it came after a failure */
	MA_INSERT_NOT_STORED, /* the answer was lost, and a read afterwards
			       * did not find it */
	MA_INSERT_UNKNOWN     /* the answer was lost and the server could
			       * not be asked: it may or may not be stored */
} ma_insert_state;

/*
 * Inserts n documents of one type in one ordered insert (MongoDB's
 * insertMany): first every document gets its defaults and is validated
 * (problems named "[i].field"), and nothing is sent if one fails
 * (MA_ERR_VALIDATION); then each without an id gets one, set on it before
 * the write, so that every document can be named whatever happens. The
 * server stores them in order and stops at the first it refuses.
 *
 * states (n of them, the caller's) gets what became of each: all
 * MA_INSERT_STORED on success. On failure the error is the first one
 * (MA_ERR_DUPLICATE, MA_ERR_UNAVAILABLE, ...) and states tell exactly
 * which documents are stored: those the server acknowledged; the one it
 * refused and those after it are not; when its answer was lost (the
 * connection broke mid-write), the documents not acknowledged are looked
 * for with one read, and are MA_INSERT_UNKNOWN if that read fails too.
 * Stored documents are as stored, defaults included.
 */
bool ma_doc_insert_many(ma_db *db, ma_doc *const *docs, size_t n, ma_safe safe,
			ma_insert_state *states, ma_problems *problems,
			ma_error *error);

/*
 * Optimistic locking: replaces the stored document `current` (as read
 * before) with doc, only if it is still stored exactly as current was
 * read. The write's filter is current's id and every field of it, in one
 * atomic operation, so a change made in between, by anyone, makes it fail
 * with MA_ERR_PRECONDITION, changing nothing (with an acknowledged write
 * concern). doc gets current's id; MA_ERR_INVALID when current has none
 * or doc has another.
 */
bool ma_doc_replace_if(ma_db *db, ma_doc *doc, const ma_doc *current,
		       ma_safe safe, ma_problems *problems, ma_error *error);

/*
 * Flask-MongoAlchemy's remove(safe): deletes the stored document with doc's
 * id. Fails with MA_ERR_INVALID when doc has no id, MA_ERR_NOT_FOUND when
 * no document had it (with an acknowledged write concern), or a database
 * error.
 */
bool ma_doc_remove(ma_db *db, const ma_doc *doc, ma_safe safe, ma_error *error);

/*
 * The document that the ref field `name` of doc points to, read from its
 * type's collection. NULL with MA_ERR_NOT_FOUND when the field is missing,
 * null, or points to no document; MA_ERR_INVALID when name is not a ref.
 */
ma_doc *ma_doc_deref(ma_db *db, const ma_doc *doc, const char *name,
		     ma_error *error) MA_WARN_UNUSED_RESULT;

#ifdef __cplusplus
}
#endif

#endif
