/*
 * The library application (library_app.c, seed.c), built by the
 * worker's main() and by the in-process HTTP tests.
 */
#ifndef LIBRARY_APP_H
#define LIBRARY_APP_H

#include <mongoalchemy-fcgi.h>

/*
 * A new application: MONGOALCHEMY_* from the environment, /authors and
 * /books mounted, GET /books/since/{year}, and a start hook that seeds
 * empty collections; CORS for the comma-separated origins of
 * LIBRARY_CORS_ORIGINS (unset or empty: none). Nothing connects here. A
 * setup call that failed (a missing MONGOALCHEMY_DATABASE, an origin that
 * is not one, say) sticks to the app: ma_app_run()
 * reports it and exits with 2. Never NULL; ma_app_destroy() it.
 */
ma_app *library_app_new(void);

/*
 * Whether LIBRARY_JWKS_FILE names a JWK Set (then library_app_new()
 * trusts its tokens: LIBRARY_JWT_ISSUER, LIBRARY_JWT_AUDIENCE,
 * LIBRARY_JWT_ROLES_CLAIM) or LIBRARY_FRONTEND_ROLES names the FastCGI
 * parameter of the roles of the front end's REMOTE_USER (then it trusts
 * that user): either way it lets anyone read /authors and /books,
 * editors and admins write them, admins delete, and mounts /loans, each
 * caller's own. Otherwise writes are open and /loans is not mounted.
 */
bool library_access_enabled(void);

/*
 * The start hook that seeds empty collections (seed.c), once, in the
 * master before the workers start; arg is the ma_db. A database that
 * cannot be reached does not stop the service: the workers answer 503
 * until it is back, and the next start seeds. Always true.
 */
bool library_seed(ma_app *app, void *arg, ma_error *error);

#endif
