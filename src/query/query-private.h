/*
 * The query layer's insides. Its files, each using only those before it:
 * value.c (typed values for a field), filter.c (paths and filters),
 * query.c (building a query), read.c (running one), update.c (building an
 * update), write.c (applying one), keyset.c (positions in an order),
 * page.c (pages) and store.c (saving and removing one document).
 */
#ifndef MA_QUERY_PRIVATE_H
#define MA_QUERY_PRIVATE_H

#include <mongoalchemy.h>

#include "db/db-private.h"
#include "json/json-private.h"

/* A sort key: its JSON path (for tokens), database path and field (NULL
 * for the id), and direction (1 or -1). */
typedef struct ma_sort_key {
	char *path;
	char *dbpath;
	const ma_field *field;
	int dir;
} ma_sort_key;

struct ma_query {
	ma_db *db;
	const ma_type *type;

	/* The filter: clauses on distinct top-level keys merged into one
	 * document, the rest in an $and list; with an $and list, built is
	 * the two as one filter. */
	bson_t merged;
	bson_t and_list;
	uint32_t n_and;
	bson_t built;

	ma_sort_key *sort;
	size_t n_sort;
	bson_t projection;
	int64_t skip, limit;

	/* The first refining error; MA_OK while there is none. */
	ma_error error;
};

/* --- typed values (value.c) --------------------------------------------- */

/*
 * Converts value for field into out under key, checking the kind only
 * (bounds are for writes): what a filter compares with. field NULL is the
 * document's "_id". false with MA_ERR_INVALID naming path.
 */
bool _ma_value_to_bson(const ma_field *field, const char *path,
		       const ma_value *value, bson_t *out, const char *key,
		       ma_error *error);

/*
 * Checks that value, given for an enum field or a list of enums, is one of
 * the field's values: what eq, ne, in, nin and all compare with. Any other
 * field or value passes. false with MA_ERR_INVALID naming path and the
 * values, in the words of a body's check.
 */
bool _ma_value_in_enum(const ma_field *field, const char *path,
		       const ma_value *value, ma_error *error);

/* The kind of a value given, for messages: "an integer", "text". */
const char *_ma_value_kind_name(ma_value_kind kind);

/* Appends s under key when it is UTF-8; otherwise false with an
 * MA_ERR_INVALID naming path. */
bool _ma_value_append_utf8(const char *path, const char *s, bson_t *out,
			   const char *key, ma_error *error);

/* --- filters (filter.c) -------------------------------------------------- */

/*
 * Resolves a path of JSON names for a query: "_id", or declared fields
 * (dotted through embedded documents and lists of them). dbpath gets the
 * database form; *field the last field (NULL for "_id"). false with
 * MA_ERR_INVALID ("Book has no field 'x'").
 */
bool _ma_query_path(const ma_type *type, const char *path, ma_buf *dbpath,
		    const ma_field **field, ma_error *error);

/* Whether dotted path a is b or a field inside b */
bool _ma_path_within(const char *a, const char *b);

/* "^" and prefix with every regex metacharacter escaped: a literal prefix
 * match. bson_free() */
char *_ma_regex_prefix(const char *prefix);

/* Why this thread's last filter could not be built, into error: what a
 * call given a NULL filter reports. */
void _ma_filter_failure(ma_error *error);

/* The type a filter was built for. */
const ma_type *_ma_filter_type(const ma_filter *filter);

/* The filter that matches current only while it is stored unchanged: its
 * id, each of its fields' values, each declared field it lacks absent. */
void _ma_doc_unchanged_filter(const ma_doc *current, bson_t *out);

/* --- building a query (query.c) ----------------------------------------- */

/* Adds a clause (copied) to the filter. */
void _ma_query_add_clause(ma_query *query, const bson_t *clause);

/* The whole filter; valid until the query changes. */
const bson_t *_ma_query_filter(const ma_query *query);

/* Whether a query can sort on field f (NULL: the id): scalars only
 * (query.c). */
bool _ma_field_sortable(const ma_field *f);

/* Whether f holds text that startswith and regex can match: a string, an
 * enum, any value, or a list of those (filter.c). */
bool _ma_field_matches_text(const ma_field *f);

/* Copies the query's sticky error into error; false when there is one. */
bool _ma_query_usable(const ma_query *query, ma_error *error);

/* --- running a query (read.c) ------------------------------------------- */

/* The sort document: the query's keys, then the id when it is not one of
 * them (with_id), every direction reversed when reverse. */
void _ma_query_sort_doc(const ma_query *query, bool with_id, bool reverse,
			bson_t *out);

/* The projection (NULL when every field is wanted), with the sort keys
 * added so that tokens can be built. */
void _ma_query_projection(const ma_query *query, bson_t *out);

/* The options of a find: sort (with the id last when with_id, reversed
 * when reverse), projection, skip and limit (when above 0) and the
 * maxTimeMS, into opts. */
void _ma_query_find_opts(const ma_query *query, bool with_id, bool reverse,
			 int64_t skip, int64_t limit, bson_t *opts);

/* Appends the configured maxTimeMS to the options (or command) of a read. */
void _ma_query_max_time(const ma_query *query, bson_t *opts);

/* Runs find with filter and opts, reading at most `want` documents into
 * docs (grown here; *n counts them). false with error on a database
 * error. */
bool _ma_query_fetch(ma_query *query, const bson_t *filter, const bson_t *opts,
		     ma_doc ***docs, size_t *n, ma_error *error);

/* The collection of the query's type, or NULL with error. */
mongoc_collection_t *_ma_query_collection(ma_query *query, ma_error *error);

/* --- updates (update.c) -------------------------------------------------- */

/*
 * The update document a write of u through a query on type sends into out
 * (initialised here): with upsert, the required fields an insert would
 * lack are an error, and missing defaults go in $setOnInsert. filter is
 * the query's, whose {field: value} pairs seed the insert.
 */
bool _ma_update_doc(const ma_update *u, const ma_type *type, bool upsert,
		    const bson_t *filter, bson_t *out, ma_error *error);

/* Whether u may be applied to a query on type: no refused call, something
 * to change, the same type; false with error otherwise. */
bool _ma_update_ready(const ma_update *u, const ma_type *type, ma_error *error);

/* --- keyset positions (keyset.c) ----------------------------------------- */

/* The sort keys a page uses: the query's, then the id when it is not one
 * of them. The keys are the query's own: valid while it is unchanged. */
typedef struct ma_keyset {
	ma_sort_key *k;
	size_t n;
} ma_keyset;

void _ma_keyset_init(ma_keyset *ks, const ma_query *query);
/* Also for a zeroed ma_keyset that was never initialised. */
void _ma_keyset_destroy(ma_keyset *ks);

/* The token of doc: a JSON array of its sort key values. bson_free(). */
char *_ma_keyset_token(const ma_keyset *ks, const ma_doc *doc);

/*
 * The query's filter narrowed to the documents after (forward) or before
 * the position token, into out (initialised only on success). false with
 * MA_ERR_INVALID when token is no position in this order.
 */
bool _ma_keyset_filter(const ma_keyset *ks, const ma_query *query,
		       const char *token, bool forward, bson_t *out,
		       ma_error *error);

/*
 * Pagination arithmetic (page.c). The offset of page (>= 1) of per_page
 * (>= 1) items: false when it does not fit in 64 bits (a page past any
 * collection's end).
 */
bool _ma_page_offset(int64_t page, int64_t per_page, int64_t *skip);
/* ceil(total / per_page) for total >= 0, per_page >= 1, without overflow. */
int64_t _ma_page_pages(int64_t total, int64_t per_page);
/* The page's items, to change in place (embed.c); *n gets their number. */
ma_doc **_ma_page_items(ma_page *page, size_t *n);

#endif
