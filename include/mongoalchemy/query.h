/*
 * Queries: Flask-MongoAlchemy's BaseQuery and Pagination.
 *
 *   Author.query.filter(Author.name == 'Mark Pilgrim').first()
 *
 * becomes
 *
 *   ma_query *q = ma_query_new(db, &author_type);
 *   ma_doc *mark = NULL;
 *
 *   if (ma_query_filter(q, "name", MA_OP_EQ, MA_V_STRING("Mark Pilgrim"), &e) &&
 *       ma_query_first(q, &mark, &e) && mark != NULL) {
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

#include <mongoalchemy/config.h>
#include <mongoalchemy/db.h>
#include <mongoalchemy/document.h>
#include <mongoalchemy/error.h>
#include <mongoalchemy/schema.h>

#ifdef __cplusplus
extern "C" {
#endif

/* --- operators and values ------------------------------------------------ */

/* Filter operators. ma_op_name() gives the name the HTTP layer uses as a
 * suffix (year__gte). */
typedef enum ma_op {
	MA_OP_EQ = 0,
	MA_OP_NE,
	MA_OP_GT,
	MA_OP_GTE,
	MA_OP_LT,
	MA_OP_LTE,
	MA_OP_IN,         /* one of several values: ma_query_filter_in() */
	MA_OP_NIN,        /* none of several values: ma_query_filter_in() */
	MA_OP_EXISTS,     /* the field is present (MA_V_BOOL(true)) or not */
	MA_OP_REGEX,      /* a string field matches a regular expression */
	MA_OP_STARTSWITH, /* a string field starts with a prefix, taken
			   * literally (no character in it is special) */
	MA_OP__MAX
} ma_op;

/* "eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "exists", "regex",
 * "startswith"; NULL for an unknown op. The string is static. */
const char *ma_op_name(ma_op op);

/* The op called name (n bytes). false when there is none. */
bool ma_op_from_name(const char *name, size_t n, ma_op *op);

typedef enum ma_value_kind {
	MA_VALUE_NULL = 0,
	MA_VALUE_STRING,   /* s: UTF-8; also the JSON form of a datetime or
			    * an ObjectId field ("2004-01-01T00:00:00Z",
			    * 24 hex digits) */
	MA_VALUE_INT,      /* i */
	MA_VALUE_FLOAT,    /* f */
	MA_VALUE_BOOL,     /* b */
	MA_VALUE_DATETIME, /* i: milliseconds since 1970-01-01T00:00:00Z */
	MA_VALUE_OID,      /* oid */
	MA_VALUE_TEXT,     /* s: text parsed by the field's kind, as a URL
			    * query parameter is: "2004", "true",
			    * "2004-01-01T00:00:00Z", 24 hex digits */
	MA_VALUE_JSON,     /* s: JSON text converted and checked as the
			    * field's input is (see ma_doc_new_from_json()):
			    * a whole list, an embedded document; keys with
			    * '$' or '.' are refused */
	MA_VALUE__MAX
} ma_value_kind;

/* A value to compare a field with, or to write into one. Strings are
 * borrowed for the length of the call. */
typedef struct ma_value {
	ma_value_kind kind;
	union {
		const char *s;
		int64_t i;
		double f;
		bool b;
		const bson_oid_t *oid;
	} u;
} ma_value;

#define MA_V_NULL ((ma_value){.kind = MA_VALUE_NULL})
#define MA_V_STRING(v) ((ma_value){.kind = MA_VALUE_STRING, .u.s = (v)})
#define MA_V_INT(v) ((ma_value){.kind = MA_VALUE_INT, .u.i = (v)})
#define MA_V_FLOAT(v) ((ma_value){.kind = MA_VALUE_FLOAT, .u.f = (v)})
#define MA_V_BOOL(v) ((ma_value){.kind = MA_VALUE_BOOL, .u.b = (v)})
#define MA_V_DATETIME(ms) ((ma_value){.kind = MA_VALUE_DATETIME, .u.i = (ms)})
#define MA_V_OID(p) ((ma_value){.kind = MA_VALUE_OID, .u.oid = (p)})
#define MA_V_TEXT(v) ((ma_value){.kind = MA_VALUE_TEXT, .u.s = (v)})
#define MA_V_JSON(v) ((ma_value){.kind = MA_VALUE_JSON, .u.s = (v)})

/*
 * What each field kind takes in a filter (the kind is checked, bounds are
 * not: year < -5 is a fine question with an empty answer):
 *   string, enum   STRING or TEXT
 *   int            INT, or TEXT holding a decimal integer
 *   float          FLOAT or INT, or TEXT holding a number
 *   bool           BOOL, or TEXT "true" / "false"
 *   datetime       DATETIME, or STRING / TEXT in ISO 8601 with a zone
 *   objectid, ref  OID, or STRING / TEXT of 24 hex digits (also "_id")
 *   list           a value its item would take (it matches lists that
 *                  hold such an item), or JSON for the whole list
 *   document       JSON (a whole embedded document); filter its fields
 *                  with dotted paths instead
 *   any            STRING, INT, FLOAT, BOOL, DATETIME, OID or JSON
 * JSON is taken for every kind, and checked as input is (bounds too).
 * NULL matches a field that is null or missing, whatever its kind, with
 * MA_OP_EQ and MA_OP_NE. MA_OP_EXISTS takes BOOL (or TEXT "true"/"false").
 * MA_OP_REGEX and MA_OP_STARTSWITH take STRING or TEXT, on string, enum
 * and any fields and on lists of strings.
 */

/* --- filters ------------------------------------------------------------- */

/*
 * A filter expression on a document type, for combining with or / not. A
 * query's own filter calls are the usual way; build these only for
 * alternatives. Functions that take filters take ownership of them (also
 * on error) and accept NULL (a filter that failed to build) by failing.
 * A call given NULL fails with the reason the failed filter could not be
 * built (this thread's last such reason), so that one check covers a
 * whole expression:
 *
 *   ma_query_where(q, ma_filter_or(ma_filter_new(..., &e),
 *                                  ma_filter_new(..., &e), &e), &e)
 *
 * fails with the reason of the part that failed. The calls below fill
 * error only when they fail.
 */
typedef struct ma_filter ma_filter;

/* path op value. Fails with MA_ERR_INVALID naming the path and what it
 * expected; NULL then. */
ma_filter *ma_filter_new(const ma_type *type, const char *path, ma_op op,
			 ma_value value, ma_error *error);

/* path in / not in n values (op is MA_OP_IN or MA_OP_NIN; n may be 0:
 * "in nothing" matches nothing). */
ma_filter *ma_filter_new_in(const ma_type *type, const char *path, ma_op op,
			    const ma_value *values, size_t n, ma_error *error);

/* a or b, a and b (takes both; they must be of the same type). Nested ors
 * and ands are flattened. */
ma_filter *ma_filter_or(ma_filter *a, ma_filter *b, ma_error *error);
ma_filter *ma_filter_and(ma_filter *a, ma_filter *b, ma_error *error);

/* Matches what a does not (takes a). */
ma_filter *ma_filter_not(ma_filter *a, ma_error *error);

/* NULL is a no-op. */
void ma_filter_destroy(ma_filter *filter);

/* The MongoDB form, valid while filter lives. */
const bson_t *ma_filter_bson(const ma_filter *filter);

/* --- queries ------------------------------------------------------------- */

typedef struct ma_query ma_query;

/*
 * A query on the documents of type stored through db (Flask-MongoAlchemy's
 * Book.query): everything, unsorted, until refined. db and type must
 * outlive the query. Does not connect. Cannot fail.
 */
ma_query *ma_query_new(ma_db *db, const ma_type *type);

/* An independent copy: refining one does not change the other. */
ma_query *ma_query_copy(const ma_query *query);

/* NULL is a no-op. */
void ma_query_destroy(ma_query *query);

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
 * values. */
bool ma_query_filter_in(ma_query *query, const char *path, ma_op op,
			const ma_value *values, size_t n, ma_error *error);

/* Keeps documents that match filter (taken, also on error), which must
 * be of the query's type. */
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

/* --- query extensions ---------------------------------------------------- */

/*
 * Flask-MongoAlchemy's custom query class: a function that refines a query
 * and says whether it could.
 *
 *   static bool
 *   get_johns(ma_query *q, const char *arg, ma_error *e)
 *   {
 *           return ma_query_filter(q, "first_name", MA_OP_EQ,
 *                                  MA_V_STRING("John"), e);
 *   }
 *
 *   const ma_type person_type = {
 *           .name = "Person", .fields = person_fields,
 *           .extensions = (const ma_query_extension[]){
 *                   MA_EXTENSION("get_johns", get_johns),
 *                   MA_EXTENSIONS_END
 *           },
 *   };
 *
 * arg is the caller's (a route's parameter, say), NULL when there is none;
 * an extension that takes one parses it (MA_V_TEXT does that by the
 * field's kind).
 */
typedef bool (*ma_query_extension_fn)(ma_query *query, const char *arg,
				      ma_error *error);

struct ma_query_extension {
	const char *name;
	ma_query_extension_fn fn;
};
typedef struct ma_query_extension ma_query_extension;

#define MA_EXTENSION(n, f) {.name = (n), .fn = (f)}
#define MA_EXTENSIONS_END {.name = NULL, .fn = NULL}

/* The extension of type called name, or NULL. */
const ma_query_extension *ma_type_extension(const ma_type *type,
					    const char *name);

/* Applies type's extension name to query: Person.query.get_johns(). Fails
 * with MA_ERR_INVALID when the type has no such extension, or with the
 * extension's own error. */
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

/* get_or_404: the document, or NULL with MA_ERR_NOT_FOUND when there is
 * none, or NULL with the database's error. */
ma_doc *ma_query_get_or_404(ma_query *query, const char *id, ma_error *error);

/* The first result in the query's order (after its skip). true with *out
 * set, or NULL when nothing matches; false on a database error. */
bool ma_query_first(ma_query *query, ma_doc **out, ma_error *error);

/* first_or_404: as ma_query_get_or_404(). */
ma_doc *ma_query_first_or_404(ma_query *query, ma_error *error);

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
ma_cursor *ma_query_find(ma_query *query, ma_error *error);

/*
 * The next result into *doc (owned by the cursor, valid until the next
 * call or ma_cursor_destroy()). false at the end (error cleared to MA_OK)
 * and on error (error set): test error->code to tell them apart.
 */
bool ma_cursor_next(ma_cursor *cursor, const ma_doc **doc, ma_error *error);

/* NULL is a no-op. */
void ma_cursor_destroy(ma_cursor *cursor);

/* --- writing ------------------------------------------------------------- */

/*
 * An update: MongoDB's update operators on declared fields, each value
 * checked against the field as input is (a set of year to -5 fails when
 * year's minimum is 0). A field may be changed by one operator only. As a
 * query does, an update remembers its first refused call: every later call
 * and every write with it fail with that error.
 */
typedef struct ma_update ma_update;

/* Cannot fail. type must outlive the update. */
ma_update *ma_update_new(const ma_type *type);
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
				   ma_problems *problems, ma_error *error);

/* The MongoDB form ({"$set": {...}, ...}); valid until the update changes. */
const bson_t *ma_update_bson(const ma_update *update);

/* Flags of the write calls below. */
enum {
	MA_UPDATE_MULTI = 1 << 0,      /* every matching document, not the first */
	MA_UPDATE_UPSERT = 1 << 1,     /* none matches: insert one, seeded
					* by the filter's equalities; every
					* required field must be set by the
					* update or pinned by an equality
					* (MA_ERR_INVALID otherwise), and
					* missing defaults are filled in */
	MA_UPDATE_RETURN_NEW = 1 << 2, /* find-and-modify: the document as
					* changed, not as it was */
};

typedef struct ma_update_result {
	int64_t matched;  /* documents that matched the filter */
	int64_t modified; /* documents that changed */
	bool upserted;    /* one was inserted... */
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

/* --- pagination ---------------------------------------------------------- */

/* Flask-MongoAlchemy's default per_page. */
#define MA_PER_PAGE 20

/*
 * Pages beyond Flask-MongoAlchemy's, for big collections:
 *
 * no_total   skip the count: total and pages are unknown and has_next comes
 *            from asking for one item more than the page holds. Counting
 *            is what makes every page of a big collection slow.
 * keyset     keyset mode from the first page on: has_next comes from one
 *            item more, and the page's JSON carries the tokens that ask
 *            for its neighbours. after and before imply it.
 * after      keyset mode: the page that follows the item whose token
 *            (ma_page_after()) is given, found with a range on the sort
 *            keys instead of skipping: deep pages cost what the first one
 *            does. The page number is then only a label.
 * before     keyset mode, backwards: the page that precedes the item whose
 *            token (ma_page_before()) is given.
 *
 * A token is short text (a JSON array of the item's sort keys and id) to
 * pass back unchanged; for a query sorted by id alone a bare 24-hex-digit
 * id is one too. A token that does not fit the query's sort is
 * MA_ERR_INVALID.
 */
typedef struct ma_page_opts {
	bool no_total;
	bool keyset;
	const char *after;
	const char *before;
} ma_page_opts;

typedef struct ma_page ma_page;

/*
 * Flask-MongoAlchemy's paginate(page, per_page, error_out): the page-th
 * group of per_page results (pages count from 1), in the query's sort with
 * the id as the last key (so pages never overlap or skip an item; a query
 * without sort is in id order). The query's own skip and limit do not
 * apply. One find with limit per_page (and batchSize to match, up to
 * 1,000: one round trip); a count only when the page is full (a short page is the last)
 * or was found by keyset.
 *
 * With error_out, page < 1, and an empty page other than page 1, fail with
 * MA_ERR_NOT_FOUND (a page beyond any 64-bit offset included); without it,
 * such a page is returned empty. per_page < 1 is MA_ERR_INVALID. A
 * database error is never "not found".
 */
ma_page *ma_query_paginate(ma_query *query, int64_t page, int64_t per_page,
			   bool error_out, ma_error *error);
ma_page *ma_query_paginate_with_opts(ma_query *query, int64_t page,
				     int64_t per_page, bool error_out,
				     const ma_page_opts *opts, ma_error *error);

/* NULL is a no-op. */
void ma_page_destroy(ma_page *page);

/* The items, in order; each owned by the page. */
size_t ma_page_count(const ma_page *page);
const ma_doc *ma_page_item(const ma_page *page, size_t i);

int64_t ma_page_number(const ma_page *page);
int64_t ma_page_per_page(const ma_page *page);
/* false when unknown (no_total). */
bool ma_page_total(const ma_page *page, int64_t *total);
/* ceil(total / per_page); false when unknown. */
bool ma_page_pages(const ma_page *page, int64_t *pages);
bool ma_page_has_prev(const ma_page *page);
bool ma_page_has_next(const ma_page *page);
/* page - 1 and page + 1; false where there is no such page. */
bool ma_page_prev_num(const ma_page *page, int64_t *num);
bool ma_page_next_num(const ma_page *page, int64_t *num);

/* The query the page came from (a copy, owned by the page). */
const ma_query *ma_page_query(const ma_page *page);

/* Keyset tokens of the last and first items (NULL on an empty page);
 * valid while the page lives. */
const char *ma_page_after(const ma_page *page);
const char *ma_page_before(const ma_page *page);

/*
 * The neighbouring pages, asked the way this one was (same per_page and
 * options; in keyset mode, after this page's last item or before its
 * first). Without such a page: NULL with MA_ERR_NOT_FOUND when error_out,
 * else an empty page.
 */
ma_page *ma_page_next(const ma_page *page, bool error_out, ma_error *error);
ma_page *ma_page_prev(const ma_page *page, bool error_out, ma_error *error);

/*
 * The page object as JSON text, NUL-terminated (bson_free()):
 *   {"items": [...], "page": 2, "per_page": 20, "total": 30, "pages": 2,
 *    "has_prev": true, "has_next": false, "prev_num": 1, "next_num": null}
 * total and pages are null when unknown. A keyset page adds "after" and
 * "before": the tokens that ask for the next and previous page (null when
 * there is none). *len (when not NULL) gets the length. Cannot fail.
 */
char *ma_page_to_json(const ma_page *page, size_t *len);

#ifdef __cplusplus
}
#endif

#endif
