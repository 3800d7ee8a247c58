/*
 * Flask-MongoAlchemy's save() and remove(), the insert and replace halves
 * of save that an HTTP API needs, conditional replaces, and following a
 * reference.
 */

#include "document/document-private.h"
#include "query/query-private.h"

/* How a document reaches its collection: save's upsert, or one of the two
 * halves of it that an HTTP API needs (POST inserts, PUT replaces). */
typedef enum store_mode {
	STORE_SAVE,   /* insert without an id, replace-or-insert with one */
	STORE_INSERT, /* insert; an id that exists is a duplicate */
	STORE_REPLACE /* replace the document with this id; none: not found */
} store_mode;

/* An acknowledged replace that matched nothing. */
static bool
replaced_nothing(const mongoc_write_concern_t *wc, const bson_t *reply)
{
	bson_iter_t it;

	return mongoc_write_concern_is_acknowledged(wc) &&
	       bson_iter_init_find(&it, reply, "matchedCount") &&
	       bson_iter_as_int64(&it) == 0;
}

/* current (STORE_REPLACE only, may be NULL): replace only while the
 * stored document is still current. */
static bool
store(ma_db *db, ma_doc *doc, store_mode mode, const ma_doc *current,
      ma_safe safe, ma_problems *problems, ma_error *error)
{
	static const char *const verbs[] = {"save", "insert", "replace"};
	const mongoc_write_concern_t *wc;
	mongoc_collection_t *coll = NULL;
	bson_t full, with_id, opts, sel, reply;
	bson_error_t berr;
	bson_oid_t oid;
	bool ok = false, is_new;

	_ma_doc_with_defaults(doc, &full);
	bson_init(&opts);
	bson_init(&sel);
	bson_init(&reply);
	if (!_ma_doc_check(doc->type, &full, problems, error))
		goto done;

	is_new = !bson_has_field(&full, "_id");
	if (is_new && mode == STORE_REPLACE) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "this %s has no id: there is nothing to replace",
			      doc->type->name);
		goto done;
	}
	/* A new document gets its id here, before the write: a save that
	 * is retried after a lost reply then replaces instead of adding a
	 * second copy. */
	if (is_new) {
		bson_oid_init(&oid, NULL);
		_ma_doc_id_first(&with_id, &oid, &full);
		bson_destroy(&full);
		bson_steal(&full, &with_id);
		ma_doc_set_id(doc, &oid);
	}

	coll = _ma_db_type_collection(db, doc->type, error);
	if (coll == NULL)
		goto done;
	wc = _ma_db_write_concern(db, safe, &opts);
	if (is_new || mode == STORE_INSERT) {
		ok = mongoc_collection_insert_one(coll, &full, &opts, &reply,
						  &berr);
	} else {
		bson_destroy(&sel);
		if (current != NULL)
			_ma_doc_unchanged_filter(current, &sel);
		else
			_ma_doc_id_selector(doc, &sel);
		if (mode == STORE_SAVE)
			BSON_APPEND_BOOL(&opts, "upsert", true);
		ok = mongoc_collection_replace_one(coll, &sel, &full, &opts,
						   &reply, &berr);
	}
	if (!ok) {
		_ma_db_error(db, error, &berr, verbs[mode], doc->type);
		goto done;
	}
	if (mode == STORE_REPLACE && replaced_nothing(wc, &reply)) {
		if (current != NULL)
			_ma_error_set(error, MA_ERR_PRECONDITION,
				      "this %s changed since it was read",
				      doc->type->name);
		else
			_ma_error_set(error, MA_ERR_NOT_FOUND,
				      "no %s has this id", doc->type->name);
		ok = false;
		goto done;
	}
	/* The document is what was stored, defaults included. */
	bson_destroy(&doc->bson);
	bson_steal(&doc->bson, &full);
	bson_init(&full);
	ma_error_clear(error);
done:
	mongoc_collection_destroy(coll);
	bson_destroy(&full);
	bson_destroy(&opts);
	bson_destroy(&sel);
	bson_destroy(&reply);
	return ok;
}

bool
ma_doc_save(ma_db *db, ma_doc *doc, ma_safe safe, ma_problems *problems,
	    ma_error *error)
{
	return store(db, doc, STORE_SAVE, NULL, safe, problems, error);
}

bool
ma_doc_insert(ma_db *db, ma_doc *doc, ma_safe safe, ma_problems *problems,
	      ma_error *error)
{
	return store(db, doc, STORE_INSERT, NULL, safe, problems, error);
}

bool
ma_doc_replace(ma_db *db, ma_doc *doc, ma_safe safe, ma_problems *problems,
	       ma_error *error)
{
	return store(db, doc, STORE_REPLACE, NULL, safe, problems, error);
}

bool
ma_doc_replace_if(ma_db *db, ma_doc *doc, const ma_doc *current, ma_safe safe,
		  ma_problems *problems, ma_error *error)
{
	bson_oid_t id, current_id;

	if (current == NULL || current->type != doc->type ||
	    !ma_doc_id(current, &current_id) ||
	    (ma_doc_id(doc, &id) && bson_oid_compare(&id, &current_id) != 0)) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "a conditional replace needs the stored %s with "
			      "the same id",
			      doc->type->name);
		return false;
	}
	ma_doc_set_id(doc, &current_id);
	return store(db, doc, STORE_REPLACE, current, safe, problems, error);
}

bool
ma_doc_remove(ma_db *db, const ma_doc *doc, ma_safe safe, ma_error *error)
{
	const mongoc_write_concern_t *wc;
	mongoc_collection_t *coll = NULL;
	bson_t sel, opts, reply;
	bson_error_t berr;
	bson_iter_t it;
	bool ok = false;

	bson_init(&opts);
	bson_init(&reply);
	if (!_ma_doc_id_selector(doc, &sel)) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "this %s has no id: it was never saved",
			      doc->type->name);
		goto done;
	}
	coll = _ma_db_type_collection(db, doc->type, error);
	if (coll == NULL)
		goto done;
	wc = _ma_db_write_concern(db, safe, &opts);
	if (!mongoc_collection_delete_one(coll, &sel, &opts, &reply, &berr)) {
		_ma_db_error(db, error, &berr, "remove", doc->type);
		goto done;
	}
	/* Only an acknowledged write says how many it deleted. */
	if (mongoc_write_concern_is_acknowledged(wc) &&
	    bson_iter_init_find(&it, &reply, "deletedCount") &&
	    bson_iter_as_int64(&it) == 0) {
		_ma_error_set(error, MA_ERR_NOT_FOUND, "no %s has this id",
			      doc->type->name);
		goto done;
	}
	ma_error_clear(error);
	ok = true;
done:
	mongoc_collection_destroy(coll);
	bson_destroy(&sel);
	bson_destroy(&opts);
	bson_destroy(&reply);
	return ok;
}

ma_doc *
ma_doc_deref(ma_db *db, const ma_doc *doc, const char *name, ma_error *error)
{
	const ma_field *f = ma_type_field(doc->type, name);
	ma_query *q;
	ma_doc *out = NULL;
	bson_iter_t it;

	if (f == NULL || f->kind != MA_KIND_REF) {
		_ma_error_set(error, MA_ERR_INVALID, "%s.%s is not a ref",
			      doc->type->name, name != NULL ? name : "(null)");
		return NULL;
	}
	if (!bson_iter_init_find(&it, &doc->bson, ma_field_db_name(f)) ||
	    !BSON_ITER_HOLDS_OID(&it)) {
		_ma_error_set(error, MA_ERR_NOT_FOUND, "%s.%s is not set",
			      doc->type->name, name);
		return NULL;
	}
	q = ma_query_new(db, f->type);
	if (ma_query_get_oid(q, bson_iter_oid(&it), &out, error) && out == NULL)
		_ma_error_set(error, MA_ERR_NOT_FOUND, "%s.%s points to no %s",
			      doc->type->name, name, f->type->name);
	ma_query_destroy(q);
	return out;
}
