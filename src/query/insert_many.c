/*
 * Many new documents in one ordered insert, and an exact account of which
 * were stored when it fails part way.
 */
#include <string.h>

#include "document/document-private.h"
#include "query/query-private.h"

/* Each document's defaults and id (generated when it has none, set on the
 * document) into full[i]; false, error filled, when one breaks its type:
 * nothing may be sent then. */
static bool
prepare(ma_doc *const *docs, size_t n, bson_t *full, ma_problems *problems,
	ma_error *error)
{
	ma_problems *p = _ma_problems_use(problems);
	bson_t with_id;
	bson_oid_t oid;
	ma_walk walk;
	size_t i, mark;
	bool ok;

	_ma_walk_init(&walk, p);
	for (i = 0; i < n; i++) {
		_ma_doc_with_defaults(docs[i], &full[i]);
		mark = _ma_walk_push_index(&walk, i);
		_ma_validate_doc(&walk, docs[i]->type, &full[i]);
		_ma_walk_pop(&walk, mark);
	}
	ok = ma_problems_count(p) == 0;
	if (!ok)
		_ma_error_from_problems(error, docs[0]->type, p);
	for (i = 0; ok && i < n; i++) {
		if (bson_has_field(&full[i], "_id"))
			continue;
		bson_oid_init(&oid, NULL);
		_ma_doc_id_first(&with_id, &oid, &full[i]);
		bson_destroy(&full[i]);
		bson_steal(&full[i], &with_id);
		ma_doc_set_id(docs[i], &oid);
	}
	_ma_walk_destroy(&walk);
	_ma_problems_done(p, problems);
	return ok;
}

static int64_t
reply_int(const bson_t *reply, const char *path, int64_t dflt)
{
	bson_iter_t it, v;

	if (bson_iter_init(&it, reply) &&
	    bson_iter_find_descendant(&it, path, &v) &&
	    BSON_ITER_HOLDS_NUMBER(&v))
		return bson_iter_as_int64(&v);
	return dflt;
}

/*
 * After a write whose answer was lost: the documents from `from` on
 * looked for by id with one read. Found ones are stored, the others not;
 * all unknown when the read fails too.
 */
static void
look_for(mongoc_collection_t *coll, ma_doc *const *docs, size_t n, size_t from,
	 ma_insert_state *states)
{
	bson_t filter = BSON_INITIALIZER, opts = BSON_INITIALIZER;
	bson_t id, in, proj;
	mongoc_cursor_t *cursor;
	const bson_t *found;
	bson_error_t berr;
	bson_iter_t it;
	bson_oid_t oid;
	char key[24];
	size_t i;

	BSON_APPEND_DOCUMENT_BEGIN(&filter, "_id", &id);
	BSON_APPEND_ARRAY_BEGIN(&id, "$in", &in);
	for (i = from; i < n; i++) {
		bson_snprintf(key, sizeof(key), "%zu", i - from);
		if (ma_doc_id(docs[i], &oid))
			BSON_APPEND_OID(&in, key, &oid);
		states[i] = MA_INSERT_NOT_STORED;
	}
	bson_append_array_end(&id, &in);
	bson_append_document_end(&filter, &id);
	BSON_APPEND_DOCUMENT_BEGIN(&opts, "projection", &proj);
	BSON_APPEND_INT32(&proj, "_id", 1);
	bson_append_document_end(&opts, &proj);

	cursor = mongoc_collection_find_with_opts(coll, &filter, &opts, NULL);
	while (mongoc_cursor_next(cursor, &found)) {
		if (!bson_iter_init_find(&it, found, "_id") ||
		    !BSON_ITER_HOLDS_OID(&it))
			continue;
		for (i = from; i < n; i++) {
			if (ma_doc_id(docs[i], &oid) &&
			    bson_oid_equal(&oid, bson_iter_oid(&it)))
				states[i] = MA_INSERT_STORED;
		}
	}
	if (mongoc_cursor_error(cursor, &berr)) {
		for (i = from; i < n; i++)
			states[i] = MA_INSERT_UNKNOWN;
	}
	mongoc_cursor_destroy(cursor);
	bson_destroy(&filter);
	bson_destroy(&opts);
}

/* states after a failed insert whose reply is reply. */
static void
account(mongoc_collection_t *coll, ma_doc *const *docs, size_t n,
	const bson_t *reply, const bson_error_t *berr, ma_insert_state *states)
{
	/* The CRUD reply's count; a bulk operation's, where a driver gives
	 * that one. */
	int64_t inserted = reply_int(reply, "insertedCount",
				     reply_int(reply, "nInserted", 0));
	int64_t refused = reply_int(reply, "writeErrors.0.index", -1);
	size_t i, acked;

	acked = inserted < 0 ? 0 : (size_t)inserted > n ? n : (size_t)inserted;
	for (i = 0; i < n; i++)
		states[i] = i < acked ? MA_INSERT_STORED : MA_INSERT_NOT_SENT;
	if (refused >= 0 && (size_t)refused < n) {
		/* Ordered: the server stopped at the one it refused. */
		states[refused] = MA_INSERT_REFUSED;
	} else if (berr->domain != MONGOC_ERROR_SERVER_SELECTION && acked < n) {
		/* Not a refusal, and not a failure to reach a server before
		 * sending (nothing was sent then): the command may have run. */
		look_for(coll, docs, n, acked, states);
	}
}

bool
ma_doc_insert_many(ma_db *db, ma_doc *const *docs, size_t n, ma_safe safe,
		   ma_insert_state *states, ma_problems *problems,
		   ma_error *error)
{
	mongoc_collection_t *coll = NULL;
	const bson_t **ptrs = NULL;
	bson_t *full = NULL, opts = BSON_INITIALIZER, reply = BSON_INITIALIZER;
	bson_error_t berr;
	size_t i;
	bool ok = false;

	for (i = 0; i < n; i++) {
		states[i] = MA_INSERT_NOT_SENT;
		if (docs[i] == NULL || docs[i]->type != docs[0]->type) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "an insert of many documents needs "
				      "documents of one type");
			return false;
		}
	}
	if (n == 0) {
		ma_error_clear(error);
		return true;
	}
	/* A bson_t wants its own alignment, more than malloc's. */
	full = bson_aligned_alloc0(BSON_ALIGNOF(bson_t), n * sizeof(*full));
	ptrs = bson_malloc0(n * sizeof(*ptrs));
	for (i = 0; i < n; i++)
		bson_init(&full[i]);
	if (!prepare(docs, n, full, problems, error))
		goto done;
	coll = _ma_db_type_collection(db, docs[0]->type, error);
	if (coll == NULL)
		goto done;
	for (i = 0; i < n; i++)
		ptrs[i] = &full[i];
	_ma_db_write_concern(db, safe, &opts);
	BSON_APPEND_BOOL(&opts, "ordered", true);
	bson_destroy(&reply);
	ok = mongoc_collection_insert_many(coll, ptrs, n, &opts, &reply, &berr);
	if (!ok) {
		_ma_db_error(db, error, &berr, "insert", docs[0]->type);
		account(coll, docs, n, &reply, &berr, states);
	}
	/* The stored documents are what was stored, defaults included. */
	for (i = 0; i < n; i++) {
		if (ok || states[i] == MA_INSERT_STORED) {
			states[i] = MA_INSERT_STORED;
			bson_destroy(&docs[i]->bson);
			bson_steal(&docs[i]->bson, &full[i]);
			bson_init(&full[i]);
		}
	}
	if (ok)
		ma_error_clear(error);
done:
	for (i = 0; i < n; i++)
		bson_destroy(&full[i]);
	bson_free(full);
	bson_free(ptrs);
	mongoc_collection_destroy(coll);
	bson_destroy(&opts);
	bson_destroy(&reply);
	return ok;
}
