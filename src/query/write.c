/*
 * Writes through a query: update (one or many, upsert), remove, and
 * find-and-modify, each on the documents the query's filter matches.
 */
#include <string.h>

#include "query/query-private.h"

/* The checks every write makes before it is sent. */
static bool
writable(ma_query *query, const ma_update *u, ma_error *error)
{
	return _ma_query_usable(query, error) &&
	       _ma_update_ready(u, query->type, error);
}

static int64_t
reply_count(const bson_t *reply, const char *key)
{
	bson_iter_t it;

	if (bson_iter_init_find(&it, reply, key) && BSON_ITER_HOLDS_NUMBER(&it))
		return bson_iter_as_int64(&it);
	return 0;
}

bool
ma_query_update(ma_query *query, const ma_update *update, unsigned flags,
		ma_safe safe, ma_update_result *result, ma_error *error)
{
	mongoc_collection_t *coll = NULL;
	const bson_t *filter;
	bson_t doc = BSON_INITIALIZER, opts = BSON_INITIALIZER;
	bson_t reply = BSON_INITIALIZER;
	bson_error_t berr;
	bson_iter_t it;
	bool ok = false, upsert = (flags & MA_UPDATE_UPSERT) != 0;

	if (result != NULL)
		memset(result, 0, sizeof(*result));
	if (!writable(query, update, error))
		goto done;
	filter = _ma_query_filter(query);
	bson_destroy(&doc);
	if (!_ma_update_doc(update, query->type, upsert, filter, &doc, error))
		goto done;
	coll = _ma_query_collection(query, error);
	if (coll == NULL)
		goto done;
	_ma_db_write_concern(query->db, safe, &opts);
	if (upsert)
		BSON_APPEND_BOOL(&opts, "upsert", true);
	bson_destroy(&reply);
	if ((flags & MA_UPDATE_MULTI) != 0)
		ok = mongoc_collection_update_many(coll, filter, &doc, &opts,
						   &reply, &berr);
	else
		ok = mongoc_collection_update_one(coll, filter, &doc, &opts,
						  &reply, &berr);
	if (!ok) {
		_ma_db_error(query->db, error, &berr, "update", query->type);
		goto done;
	}
	if (result != NULL) {
		result->matched = reply_count(&reply, "matchedCount");
		result->modified = reply_count(&reply, "modifiedCount");
		if (bson_iter_init_find(&it, &reply, "upsertedId") &&
		    BSON_ITER_HOLDS_OID(&it)) {
			result->upserted = true;
			bson_oid_copy(bson_iter_oid(&it), &result->upserted_id);
		}
	}
	ma_error_clear(error);
done:
	mongoc_collection_destroy(coll);
	bson_destroy(&doc);
	bson_destroy(&opts);
	bson_destroy(&reply);
	return ok;
}

bool
ma_query_remove(ma_query *query, ma_safe safe, int64_t *deleted,
		ma_error *error)
{
	mongoc_collection_t *coll = NULL;
	bson_t opts = BSON_INITIALIZER, reply = BSON_INITIALIZER;
	bson_error_t berr;
	bool ok = false;

	if (deleted != NULL)
		*deleted = 0;
	if (!_ma_query_usable(query, error))
		goto done;
	coll = _ma_query_collection(query, error);
	if (coll == NULL)
		goto done;
	_ma_db_write_concern(query->db, safe, &opts);
	bson_destroy(&reply);
	ok = mongoc_collection_delete_many(coll, _ma_query_filter(query), &opts,
					   &reply, &berr);
	if (!ok) {
		_ma_db_error(query->db, error, &berr, "remove", query->type);
		goto done;
	}
	if (deleted != NULL)
		*deleted = reply_count(&reply, "deletedCount");
	ma_error_clear(error);
done:
	mongoc_collection_destroy(coll);
	bson_destroy(&opts);
	bson_destroy(&reply);
	return ok;
}

/* findAndModify with an update (or, update NULL, remove). */
static bool
find_and_modify(ma_query *query, const ma_update *update, unsigned flags,
		ma_doc **out, ma_error *error)
{
	mongoc_find_and_modify_opts_t *fam = NULL;
	mongoc_collection_t *coll = NULL;
	const bson_t *filter;
	bson_t doc = BSON_INITIALIZER, extra = BSON_INITIALIZER, sort, proj;
	bson_t reply = BSON_INITIALIZER;
	bson_error_t berr;
	bson_iter_t it;
	bson_t value;
	int mflags = MONGOC_FIND_AND_MODIFY_NONE;
	bool ok = false;

	*out = NULL;
	_ma_query_sort_doc(query, false, false, &sort);
	_ma_query_projection(query, &proj);
	filter = _ma_query_filter(query);
	if (update != NULL) {
		bson_destroy(&doc);
		if (!_ma_update_doc(update, query->type,
				    (flags & MA_UPDATE_UPSERT) != 0, filter,
				    &doc, error))
			goto done;
	}
	coll = _ma_query_collection(query, error);
	if (coll == NULL)
		goto done;

	fam = mongoc_find_and_modify_opts_new();
	if (!bson_empty(&sort))
		mongoc_find_and_modify_opts_set_sort(fam, &sort);
	if (!bson_empty(&proj))
		mongoc_find_and_modify_opts_set_fields(fam, &proj);
	if (update == NULL) {
		mflags = MONGOC_FIND_AND_MODIFY_REMOVE;
	} else {
		mongoc_find_and_modify_opts_set_update(fam, &doc);
		if ((flags & MA_UPDATE_UPSERT) != 0)
			mflags |= MONGOC_FIND_AND_MODIFY_UPSERT;
		if ((flags & MA_UPDATE_RETURN_NEW) != 0)
			mflags |= MONGOC_FIND_AND_MODIFY_RETURN_NEW;
	}
	mongoc_find_and_modify_opts_set_flags(fam, mflags);
	_ma_db_write_concern(query->db, MA_SAFE_SESSION, &extra);
	_ma_query_max_time(query, &extra);
	mongoc_find_and_modify_opts_append(fam, &extra);

	bson_destroy(&reply);
	if (!mongoc_collection_find_and_modify_with_opts(coll, filter, fam,
							 &reply, &berr)) {
		_ma_db_error(query->db, error, &berr,
			     update != NULL ? "update" : "remove", query->type);
		goto done;
	}
	if (bson_iter_init_find(&it, &reply, "value") &&
	    BSON_ITER_HOLDS_DOCUMENT(&it) && _ma_iter_view(&it, &value))
		*out = ma_doc_new_from_bson(query->type, &value);
	ma_error_clear(error);
	ok = true;
done:
	mongoc_find_and_modify_opts_destroy(fam);
	mongoc_collection_destroy(coll);
	bson_destroy(&doc);
	bson_destroy(&sort);
	bson_destroy(&proj);
	bson_destroy(&extra);
	bson_destroy(&reply);
	return ok;
}

bool
ma_query_find_and_modify(ma_query *query, const ma_update *update,
			 unsigned flags, ma_doc **out, ma_error *error)
{
	*out = NULL;
	if (!writable(query, update, error))
		return false;
	return find_and_modify(query, update, flags, out, error);
}

bool
ma_query_find_and_remove(ma_query *query, ma_doc **out, ma_error *error)
{
	*out = NULL;
	if (!_ma_query_usable(query, error))
		return false;
	return find_and_modify(query, NULL, 0, out, error);
}
