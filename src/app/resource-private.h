/*
 * A resource's routes (resource.c mounts them and answers the reads,
 * resource-write.c the writes): the resource each handler is given, and
 * the helpers both files use.
 */
#ifndef MA_APP_RESOURCE_PRIVATE_H
#define MA_APP_RESOURCE_PRIVATE_H

#include "app/app-private.h"

typedef struct resource {
	char *path; /* "/books" */
	ma_app *app;
	ma_db *db;
	const ma_type *type;
	ma_resource_options opts;
	ma_route_doc docs[6]; /* what each route says of itself (openapi.h) */
	char *summaries[6];   /* theirs, with the type's name */
} resource;

/* Frees a resource (resource-own.c); the app's ownership of a resource
 * is known by it. */
void _ma_res_destroy(void *ptr);

/* The 404 of an item route: the path's id names no document (a malformed
 * one included), in the words of ma_query_get_or_404(). */
void _ma_res_not_found(const resource *r, const ma_request *req,
		       ma_response *res);

/* A query for the document with the path's id, narrowed to the caller's
 * own where the policy says so; NULL, 404 answered, for a malformed id. */
ma_query *_ma_res_by_path_id(const resource *r, const ma_request *req,
			     ma_response *res, bson_oid_t *oid);

/* A document with its entity tag. */
void _ma_res_respond_doc(ma_response *res, ma_status status, const ma_doc *doc);

/* true when the request makes a write conditional (or must make it). */
bool _ma_res_conditional(const resource *r, const ma_request *req);

/* RFC 9110 13.2.2 against the stored document (NULL: none): false, with
 * the 304 (a read) or 412 answered, when a precondition fails. */
bool _ma_res_preconditions(const ma_request *req, ma_response *res,
			   const ma_doc *current, bool read);

/* POST, PUT, PATCH and DELETE (resource-write.c). */
void _ma_res_create(ma_request *req, ma_response *res, void *arg);
void _ma_res_replace(ma_request *req, ma_response *res, void *arg);
void _ma_res_update(ma_request *req, ma_response *res, void *arg);
void _ma_res_delete(ma_request *req, ma_response *res, void *arg);

#endif
