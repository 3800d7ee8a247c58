/*
 * The application's internals, shared by app.c (setup and dispatch),
 * worker.c (the FastCGI loop), resource.c and locks.c.
 *
 * A request flows one way: the front end's CGI variables and body become a
 * ma_request (request.c), the router picks a handler (app.c), the handler
 * fills a ma_response (response.c, resource.c), app.c serializes it and
 * worker.c sends it.
 */
#ifndef MA_APP_PRIVATE_H
#define MA_APP_PRIVATE_H

#include <signal.h>
#include <sys/types.h>

#include "http/http-private.h"
#include "app/metrics-private.h"

/* What an application owns besides its routes: freed with it. */
typedef struct ma_owned {
	void *ptr;
	void (*destroy)(void *ptr);
} ma_owned;

/*
 * Per-document locks shared by an app's worker processes (locks.c): a
 * conditional write holds its document's from the read to the write.
 * NULL (no shared memory) locks nothing.
 */
typedef struct ma_locks ma_locks;
ma_locks *_ma_locks_new(void);
void _ma_locks_destroy(ma_locks *locks);
void _ma_locks_acquire(ma_locks *locks, const bson_oid_t *id);
void _ma_locks_release(ma_locks *locks, const bson_oid_t *id);

/* A route as added, for the API description (openapi.c). */
typedef struct ma_app_route_entry {
	unsigned methods;
	char *pattern;
	const ma_route_doc *doc; /* NULL: not described */
} ma_app_route_entry;

struct ma_app {
	ma_router *router;
	ma_app_route_entry *routes; /* in the order added */
	size_t nroutes;
	char *openapi; /* the API description, built once per process */
	size_t openapi_len;
	ma_locks *locks; /* mapped before the fork: shared by the workers */
	ma_db **dbs;
	size_t ndbs;
	ma_owned *owned;
	size_t nowned;
	size_t body_limit;
	char *name; /* ma_app_options.name; NULL: none given */
	bool access_log;
	bool log_json;	     /* the request log as JSON lines */
	ma_metrics *metrics; /* mapped before the fork: the pool's */
	ma_error error; /* the first setup call that failed; MA_OK if none */
	ma_app_hook on_start, on_worker_start;
	void *on_start_arg, *on_worker_start_arg;
	struct ma_auth *auth; /* access.c's; NULL: no authenticator */
	bool needs_auth;      /* a route has an access policy */
	ma_cors_policy *cors; /* cors.c's; NULL: no CORS */
};

/* --- setup.c -------------------------------------------------------------- */

/*
 * Setup calls: false when an earlier one failed (error gets its error),
 * else keeps e (when it is a failure) as the app's first error and
 * returns whether it is MA_OK.
 */
bool _ma_app_setup_ok(ma_app *app, ma_error *error);
bool _ma_app_setup_result(ma_app *app, bool ok, const ma_error *e,
			  ma_error *error);

/* Hands ptr to the app, to be freed with destroy in ma_app_destroy(). */
void _ma_app_own(ma_app *app, void *ptr, void (*destroy)(void *ptr));

/* --- app.c ---------------------------------------------------------------- */

/*
 * One request through the application: CGI variables and a body in, the
 * answer out through write (the FastCGI loop's stream: head, then the body
 * as the handler left it), an access-log line when asked for.
 */
void _ma_app_answer(ma_app *app, char **env, ma_body_reader read,
		    void *read_ctx, ma_writer write, void *write_ctx);

/* The same, the whole answer appended to out: the in-process tests. */
void _ma_app_handle(ma_app *app, char **env, ma_body_reader read,
		    void *read_ctx, ma_buf *out);

/* --- openapi.c ----------------------------------------------------------- */

/* Serves the application's API description (arg: the app). */
void _ma_app_openapi_handler(ma_request *req, ma_response *res, void *arg);

/* What the API description route says of itself. */
extern const ma_route_doc _ma_openapi_route_doc;

/* --- ops.c ---------------------------------------------------------------- */

/* Adds the health, readiness and metrics routes opts asks for (NULL
 * options: all three at their default paths). */
bool _ma_ops_routes(ma_app *app, const ma_app_options *opts);

/* In each worker after the fork: its metrics slot, and its database
 * clients' commands counted. */
void _ma_ops_worker_start(ma_app *app);

/* Whether req went to a route that logs no line (health, readiness). */
bool _ma_ops_quiet(const ma_request *req);

/* The request log's line for req answered with res in us microseconds. */
void _ma_ops_log(const ma_app *app, const ma_request *req,
		 const ma_response *res, uint64_t us);
/* --- access.c ------------------------------------------------------------ */

/*
 * ma_app_route(), behind access: the caller is checked (op's rule) before
 * handler runs. access NULL: the plain route.
 */
bool _ma_app_route_guarded(ma_app *app, unsigned methods, const char *pattern,
			   ma_handler handler, void *arg,
			   const ma_access *access, unsigned op,
			   ma_error *error);

/* false (MA_ERR_CONFIG) when a route has a policy and no authenticator
 * could satisfy it: checked before the program starts. */
bool _ma_app_access_ready(const ma_app *app, ma_error *error);

/* A worker's start: the key set read again (rotation on SIGHUP). */
void _ma_app_access_worker_start(ma_app *app);

/* A resource's policy against its type: its owner field an optional
 * string field, and no public operation beside it (MA_ERR_INVALID). */
bool _ma_access_check(const ma_access *access, const ma_type *type,
		      ma_error *error);

/* The name the request's documents must have in the owner field; NULL
 * when the policy has none or the caller sees every owner's. */
const char *_ma_access_owner(const ma_access *access, const ma_request *req);

/*
 * A resource's owner field, for its routes (each a no-op, true, when the
 * policy has none). narrow: q kept to the caller's documents. set: the
 * field of a document the client sent (create, replace) made the
 * caller's; for a caller who sees every owner's, the name given, else
 * the stored document's (stored; NULL on create), else the caller's.
 * stored: the document of oid when the caller may see it (*stored NULL
 * when not). update_ok: a PATCH that neither removes the field nor, for
 * a caller kept to their own, changes it. set and update_ok answer the
 * 403 when they return false.
 */
bool _ma_owner_narrow(const ma_access *access, const ma_request *req,
		      ma_query *q, ma_error *error);
bool _ma_owner_set(const ma_access *access, const ma_request *req,
		   ma_response *res, ma_doc *doc, const ma_doc *stored);
bool _ma_owner_stored(const ma_access *access, const ma_request *req, ma_db *db,
		      const ma_type *type, const bson_oid_t *oid,
		      ma_doc **stored, ma_error *error);
bool _ma_owner_update_ok(const ma_access *access, const ma_type *type,
			 const ma_request *req, ma_response *res,
			 const ma_update *u);

/* A resource's GET by its policy, for one caller (NULL: none) and one
 * document: the roles of the operation, then the owner field. */
bool _ma_access_may_read(const ma_access *access, const ma_user *caller,
			 const ma_doc *doc);

/* --- embed.c -------------------------------------------------------------- */

/* The most fields one resource may declare embeddable. */
#define MA_EMBED_MAX 16

/* The reference fields a request's embed= asks for, in its order. */
typedef struct ma_embed_req {
	const ma_field *fields[MA_EMBED_MAX];
	size_t n;
} ma_embed_req;

/* A resource's embeddable names against its type (MA_ERR_INVALID): each
 * a reference field, none twice, at most MA_EMBED_MAX. */
bool _ma_embed_check(const ma_type *type, const char *const *embeddable,
		     ma_error *error);

/* Whether embed= is a resource's parameter: unless its type has a field
 * of that name, whose filter it then is. */
bool _ma_embed_param(const ma_type *type);

/*
 * Reads embed= ("book,author") into out: refused with MA_ERR_INVALID
 * naming the item: given twice (the parameter or a name), an empty item,
 * a name with '.' or '$', no field of type, not a reference, not in
 * embeddable (NULL: none is).
 */
bool _ma_embed_read(const ma_qs *qs, const ma_type *type,
		    const char *const *embeddable, ma_embed_req *out,
		    ma_error *error);

/*
 * Embeds em's fields in the page's items (page not NULL) or in the n
 * docs: one read per field (ma_docs_embed()), each document shown only
 * where every resource of app serving its type from db would let req's
 * caller GET it.
 */
bool _ma_embed_docs(ma_app *app, const ma_request *req, ma_db *db,
		    const ma_embed_req *em, ma_doc *const *docs, size_t n,
		    ma_page *page, ma_error *error);

/* --- resource-own.c ------------------------------------------------------- */

/* The policy of each resource of app serving type from db, in turn, from
 * *i = 0 (NULL: none); false past the last. */
bool _ma_resource_policy_next(ma_app *app, const ma_db *db, const ma_type *type,
			      size_t *i, const ma_access **access);

/* --- bulk.c -------------------------------------------------------------- */

/* Whether req's body is a JSON array (a bulk create); false for any
 * other body, which the single create answers. */
bool _ma_bulk_body(ma_request *req);

/* POST of a JSON array to a resource (its db, type and options): every
 * item checked, then one ordered insert (docs/http-api.md, Bulk create). */
void _ma_resource_create_many(ma_request *req, ma_response *res, ma_db *db,
			      const ma_type *type,
			      const ma_resource_options *opts);
/* --- cors.c --------------------------------------------------------------- */

/* The app's CORS policy from cors (NULL: none, true); a refused one is
 * the app's setup error. */
bool _ma_app_cors(ma_app *app, const ma_cors *cors, ma_error *error);

/* When req is a CORS preflight on a path with routes and the app has a
 * policy: answers it into res (204, or a 403 naming what is refused) and
 * returns true. */
bool _ma_app_preflight(ma_app *app, ma_request *req, ma_response *res);

/* The CORS headers of any other answer (none without a policy). */
void _ma_app_cors_headers(const ma_app *app, const ma_request *req,
			  ma_response *res);

/* --- worker.c ------------------------------------------------------------- */

/* A worker's life for the runtime (runtime-private.h): FastCGI requests
 * on listen_fd until *stop. */
int _ma_app_worker(void *ctx, int listen_fd, volatile sig_atomic_t *stop);

#endif
