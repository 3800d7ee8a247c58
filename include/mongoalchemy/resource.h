/*
 * Resources: the CRUD routes of the HTTP contract for one type, mounted
 * with one call.
 */
#ifndef MONGOALCHEMY_RESOURCE_H
#define MONGOALCHEMY_RESOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mongoalchemy/app.h>
#include <mongoalchemy/auth.h>
#include <mongoalchemy/page.h>
#include <mongoalchemy/request.h>
#include <mongoalchemy/response.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The methods a resource mounts: all by default. */
typedef enum ma_resource_ops {
	MA_RES_LIST = 1 << 0,	 /* GET    /books        */
	MA_RES_GET = 1 << 1,	 /* GET    /books/{id}   */
	MA_RES_CREATE = 1 << 2,	 /* POST   /books        */
	MA_RES_REPLACE = 1 << 3, /* PUT   /books/{id}   */
	MA_RES_UPDATE = 1 << 4,	 /* PATCH  /books/{id}   */
	MA_RES_DELETE = 1 << 5,	 /* DELETE /books/{id}   */
	MA_RES_ALL = (1 << 6) - 1
} ma_resource_ops;

typedef struct ma_resource_options {
	unsigned ops;	      /* ma_resource_ops bits; 0: MA_RES_ALL */
	int64_t max_per_page; /* 0: MA_MAX_PER_PAGE */
	bool no_total;	      /* lists without total, pages, last link */
	ma_safe safe;	      /* write safety of create/replace/update/delete */
	bool require_if_match;	 /* PUT, PATCH, DELETE without If-Match: 428 */
	const ma_access *access; /* who may call what; NULL: anyone */
	size_t max_bulk;	 /* items in one bulk create; 0: MA_MAX_BULK */
	/* reference fields (MA_REF) that list and get embed on request
	 * (embed=book), NULL-terminated; NULL: none */
	const char *const *embeddable;
} ma_resource_options;

/* The most items a bulk create (a POST of a JSON array) takes by
 * default; more is a 413. */
#define MA_MAX_BULK 100

/*
 * Mounts the CRUD routes of the HTTP contract for type at path ("/books"):
 * list with page, per_page, sort, fields and filters; get; create (201,
 * Location; a JSON array creates up to max_bulk documents in one ordered
 * insert, ma_doc_insert_many()); replace; update (partial, validated); delete
 * (204). opts may be NULL. db must be one of the app's.
 *
 * Every document answered carries an ETag (ma_doc_etag()). A GET with
 * If-None-Match listing it answers 304. PUT, PATCH and DELETE with
 * If-Match change the document only if it is still stored with that ETag,
 * checked in the write itself (ma_doc_replace_if(),
 * ma_query_filter_unchanged()): a stale one, or a change made in between,
 * is a 412 and changes nothing.
 *
 * With opts->embeddable, list and get take embed=book: each reference
 * named is answered as the document it points to (ma_page_embed(), one
 * read per field), shown only where the app's resources for its type
 * would let the caller read it (docs/http-api.md). A name that is not
 * a reference field of type is a setup error (MA_ERR_INVALID).
 */
bool ma_app_resource(ma_app *app, const char *path, ma_db *db,
		     const ma_type *type, const ma_resource_options *opts,
		     ma_error *error);

/*
 * A list answered in full, as a resource's GET does, for handlers of
 * their own (a route over a query extension, say): the request's list
 * parameters applied to query (ma_request_list_params()), the page asked
 * for (404 past the end; opts may be NULL), and ma_response_page() or the
 * problem. query stays the caller's.
 */
void ma_resource_list(const ma_request *req, ma_response *res, ma_query *query,
		      int64_t max_per_page, const ma_page_opts *opts);

#ifdef __cplusplus
}
#endif

#endif
