/*
 * Updates: set, unset, inc, push, pull and add_to_set built against a
 * type, applied to what a query matches (ma_query_update()), and
 * find-and-modify.
 */
#ifndef MONGOALCHEMY_UPDATE_H
#define MONGOALCHEMY_UPDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bson/bson.h>

#include <mongoalchemy/query.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * An update: MongoDB's update operators on declared fields, each value
 * checked against the field as input is (a set of year to -5 fails when
 * year's minimum is 0). A field may be changed by one operator only. As a
 * query does, an update remembers its first refused call: every later call
 * and every write with it fail with that error.
 */
typedef struct ma_update ma_update;

/* Cannot fail. type must outlive the update. */
ma_update *ma_update_new(const ma_type *type) MA_WARN_UNUSED_RESULT;
/* NULL is a no-op. */
void ma_update_destroy(ma_update *update);

/* path = value. null only where the field is nullable. */
bool ma_update_set(ma_update *update, const char *path, ma_value value,
		   ma_error *error);
/* Removes path; only an optional field may be unset. */
bool ma_update_unset(ma_update *update, const char *path, ma_error *error);
/* Adds by (INT; FLOAT too for a float field) to a number. Bounds are not
 * checked: the stored value is not known here. */
bool ma_update_inc(ma_update *update, const char *path, ma_value by,
		   ma_error *error);
/* Appends item to a list; add_to_set only when the list lacks it. The
 * item is checked as the list's item; max_items is not. */
bool ma_update_push(ma_update *update, const char *path, ma_value item,
		    ma_error *error);
bool ma_update_add_to_set(ma_update *update, const char *path, ma_value item,
			  ma_error *error);
/* Removes every item equal to item from a list. */
bool ma_update_pull(ma_update *update, const char *path, ma_value item,
		    ma_error *error);

/*
 * The update a partial JSON document asks for: $set of each field it gives
 * (JSON names), each checked as input is, every problem reported; what an
 * HTTP PATCH sends. An "_id" is accepted only when it equals id (may be
 * NULL). An empty object gives an empty update. NULL with MA_ERR_JSON,
 * MA_ERR_VALIDATION (see problems) or MA_ERR_INVALID (another id).
 */
ma_update *ma_update_new_from_json(const ma_type *type, const char *json,
				   size_t len, const bson_oid_t *id,
				   ma_problems *problems,
				   ma_error *error) MA_WARN_UNUSED_RESULT;

/* The MongoDB form ({"$set": {...}, ...}); valid until the update changes. */
const bson_t *ma_update_bson(const ma_update *update);

/* Flags of the write calls below. */
enum {
	MA_UPDATE_MULTI = 1 << 0,  /* every matching document, not the first */
	MA_UPDATE_UPSERT = 1 << 1, /* none matches: insert one, seeded
				    * by the filter's equalities; every
				    * required field must be set by the
				    * update or pinned by an equality
				    * (MA_ERR_INVALID otherwise), and
				    * missing defaults are filled in */
	MA_UPDATE_RETURN_NEW = 1 << 2, /* find-and-modify: the document as
					* changed, not as it was */
};

typedef struct ma_update_result {
	int64_t matched;	/* documents that matched the filter */
	int64_t modified;	/* documents that changed */
	bool upserted;		/* one was inserted... */
	bson_oid_t upserted_id; /* ...with this id */
} ma_update_result;

/*
 * Applies update to the first matching document (every one with
 * MA_UPDATE_MULTI), inserting one with MA_UPDATE_UPSERT when none matches.
 * Sort, skip, limit and fields do not apply. result may be NULL; with an
 * unacknowledged write concern its counts are 0. Fails with MA_ERR_INVALID
 * (an empty update, a refining error), MA_ERR_DUPLICATE, or a database
 * error.
 */
bool ma_query_update(ma_query *query, const ma_update *update, unsigned flags,
		     ma_safe safe, ma_update_result *result, ma_error *error);

/* Deletes every matching document; *deleted (may be NULL) gets how many. */
bool ma_query_remove(ma_query *query, ma_safe safe, int64_t *deleted,
		     ma_error *error);

/*
 * Find-and-modify: updates the first matching document in the query's
 * order and gives it as it was (as it became with MA_UPDATE_RETURN_NEW),
 * atomically. With MA_UPDATE_UPSERT and MA_UPDATE_RETURN_NEW an insert
 * gives the new document. true with *out NULL when nothing matched.
 */
bool ma_query_find_and_modify(ma_query *query, const ma_update *update,
			      unsigned flags, ma_doc **out, ma_error *error);

/* Find-and-modify's remove: deletes the first matching document and gives
 * it (NULL when nothing matched). */
bool ma_query_find_and_remove(ma_query *query, ma_doc **out, ma_error *error);

#ifdef __cplusplus
}
#endif

#endif
