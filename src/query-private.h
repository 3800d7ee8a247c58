/*
 * The query's insides, shared by query.c, update.c and page.c.
 */
#ifndef MA_QUERY_PRIVATE_H
#define MA_QUERY_PRIVATE_H

#include "ma-private.h"

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

/* Adds a clause (copied) to the filter. */
void _ma_query_add_clause(ma_query *query, const bson_t *clause);

/* The whole filter; valid until the query changes. */
const bson_t *_ma_query_filter(const ma_query *query);

/* Copies the query's sticky error into error; false when there is one. */
bool _ma_query_usable(const ma_query *query, ma_error *error);

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

#endif
