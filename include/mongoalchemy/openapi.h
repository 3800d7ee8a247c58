/*
 * The API description: an OpenAPI 3.1 document the application builds
 * from what it already knows, served at /openapi.json (ma_app_options'
 * openapi_path).
 *
 * Every route added with ma_app_route() is in it. A resource describes its
 * six routes itself (the type's JSON Schema, the list parameters, bodies,
 * the page object, ETag and the problems each can answer); any other
 * route says what it is with ma_app_describe() and a few fields:
 *
 *   static const ma_route_doc since_doc = {
 *           .summary = "Books of a year and after, newest first",
 *           .type = &book_type,
 *           .answer = MA_ANSWER_PAGE,
 *           .params = (const ma_field[]){MA_INT("year", MA_MIN(0),
 *                                               MA_MAX(9999)),
 *                                        MA_FIELDS_END},
 *   };
 *   ma_app_route(app, MA_GET, "/books/since/{year}", since, db, &err);
 *   ma_app_describe(app, MA_GET, "/books/since/{year}", &since_doc, &err);
 *
 * A route that is not described is still listed: a JSON answer of any
 * shape, its path parameters as strings, and the 400 every route can give.
 */
#ifndef MONGOALCHEMY_OPENAPI_H
#define MONGOALCHEMY_OPENAPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mongoalchemy/app.h>
#include <mongoalchemy/http.h>
#include <mongoalchemy/schema.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What the success answer of a route holds. */
typedef enum ma_route_answer {
	MA_ANSWER_JSON = 0, /* a JSON value of any shape */
	MA_ANSWER_DOC,	    /* one document of .type, with its ETag */
	MA_ANSWER_PAGE,	    /* a page of .type's documents: the list
			     * parameters, Link and X-Total-Count */
	MA_ANSWER_NONE,	    /* no body (a 204, say) */
	MA_ANSWER_TEXT	    /* text of .content_type */
} ma_route_answer;

/* What the body of a request holds. */
typedef enum ma_route_body {
	MA_BODY_NONE = 0,
	MA_BODY_DOC,	/* a whole document of .type (create, replace) */
	MA_BODY_PARTIAL /* some fields of .type (update) */
} ma_route_body;

/*
 * How a route describes itself. Every member may be left zero. The
 * strings and tables must live as long as the application (static
 * tables, as types are).
 */
typedef struct ma_route_doc {
	const char *summary;	  /* one line; NULL: "GET /path" */
	const char *description;  /* longer text, CommonMark; NULL: none */
	const char *operation_id; /* NULL: from the method and the path */
	const ma_type *type;	  /* the documents it answers or takes; a
				   * route with a type can answer 503 and 504
				   * (the database away or too slow) */
	ma_route_answer answer;
	ma_status status;	  /* of a success; 0: 200 */
	const char *content_type; /* MA_ANSWER_TEXT's; NULL: text/plain */
	ma_route_body body;	  /* with a body: 400, 413 and 415 too */
	int64_t max_per_page;	  /* MA_ANSWER_PAGE; 0: MA_MAX_PER_PAGE */
	size_t max_items;      /* MA_BODY_DOC: also a JSON array of at most this
				* many, answered with an array (a bulk create);
				* 0: one document only */
	bool etag;	       /* If-Match and If-None-Match: 304 (a
				* read), 412; with the answer's ETag */
	bool require_if_match; /* 428 without If-Match */
	const ma_field *params;	   /* the path parameters' kinds and
				    * bounds, ends with MA_FIELDS_END; one
				    * not listed is a string */
	const ma_status *statuses; /* more problems it answers, 0 ends */
	bool auth; /* needs a caller (an access policy, ma_app_authorize()):
		    * 401 and 403, under the app's security scheme */
	/* reference fields of .type that embed= may name (a resource's
	 * ma_resource_options.embeddable), NULL-terminated; NULL: none */
	const char *const *embeddable;
} ma_route_doc;

/*
 * Describes the routes of pattern (exactly as given to ma_app_route())
 * that have one of methods. Refused (MA_ERR_INVALID), as a setup call
 * (ma_app_new()): no such route. A second description replaces the
 * first. doc is not copied: it must live as long as app.
 */
bool ma_app_describe(ma_app *app, unsigned methods, const char *pattern,
		     const ma_route_doc *doc, ma_error *error);

/*
 * The application's OpenAPI 3.1 document, as JSON: built on the first
 * call in each process, then the same string. NULL (error set) after a
 * setup call failed. The string lives as long as app.
 */
const char *ma_app_openapi(ma_app *app, size_t *len, ma_error *error);

#ifdef __cplusplus
}
#endif

#endif
