/*
 * The library application of examples/library, as Flask-MongoAlchemy's
 * documentation wires it: its database, the Author and Book resources, the
 * since route, and the seed of empty collections (seed.c); with a JWK Set
 * (LIBRARY_JWKS_FILE), access control and the Loan resource; with
 * LIBRARY_CORS_ORIGINS, CORS for pages of those origins. The worker's
 * main() (app.c) serves it; tests/http/test_contract builds the same
 * application in its own process, so that what the HTTP contract tests is
 * the example users run.
 */
#include <stdlib.h>
#include <string.h>

#include <mongoalchemy-fcgi.h>

#include "library.h"
#include "library_app.h"

/* Book.query.since(year), paginated like any list. */
static void
books_since(ma_request *req, ma_response *res, void *arg)
{
	ma_query *q = ma_query_new(arg, &library_book_type);
	ma_error e;

	if (ma_query_extend(q, "since", ma_request_param(req, "year"), &e))
		ma_resource_list(req, res, q, MA_MAX_PER_PAGE, NULL);
	else
		ma_response_error(res, &e, NULL);
	ma_query_destroy(q);
}

/* What the since route says of itself in /openapi.json. */
static const ma_route_doc books_since_doc = {
	.summary = "Books of a year and after, newest first",
	.type = &library_book_type,
	.answer = MA_ANSWER_PAGE,
	.params = (const ma_field[]){MA_INT("year"), MA_FIELDS_END},
};

/* The catalogue: anyone reads it, editors write it, admins delete. */
static const char *const editors[] = {"editor", "admin", NULL};
static const char *const admins[] = {"admin", NULL};
static const ma_access catalogue_access = {
	.public_ops = MA_RES_LIST | MA_RES_GET,
	.rules = {{MA_RES_CREATE | MA_RES_REPLACE | MA_RES_UPDATE, editors},
		  {MA_RES_DELETE, admins}},
};
/* Reviews and loans show their book with embed=book. */
static const char *const embed_book[] = {"book", NULL};
/* Loans: every caller their own, the admin all. */
static const ma_access loan_access = {.owner_field = "owner",
				      .all_owners = admins};

/* An environment variable, NULL when unset or empty. */
static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

/*
 * LIBRARY_CORS_ORIGINS, split at its commas (spaces around each origin
 * dropped): the origins whose pages may call the API from a browser.
 * NULL when unset or empty: no CORS. An empty item stays, for the app to
 * refuse by name. bson_strfreev() it.
 */
static char **
cors_origins(void)
{
	const char *v = env("LIBRARY_CORS_ORIGINS"), *s, *end;
	size_t n = 1, i = 0, len;
	char **list;

	if (v == NULL)
		return NULL;
	for (s = v; *s != '\0'; s++)
		n += *s == ',';
	list = bson_malloc0((n + 1) * sizeof(*list));
	for (s = v; i < n; s = end + 1) {
		s += strspn(s, " \t");
		end = s + strcspn(s, ",");
		len = (size_t)(end - s);
		while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		list[i++] = bson_strndup(s, len);
	}
	return list;
}

bool
library_access_enabled(void)
{
	return env("LIBRARY_JWKS_FILE") != NULL ||
	       env("LIBRARY_FRONTEND_ROLES") != NULL;
}

ma_app *
library_app_new(void)
{
	char **origins = cors_origins();
	ma_cors cors = {.origins = (const char *const *)origins};
	ma_app_options opts = {.name = "library",
			       .cors = origins != NULL ? &cors : NULL};
	ma_app *app = ma_app_new(&opts, NULL);
	ma_resource_options catalogue = {.access = &catalogue_access};
	ma_resource_options loans = {.access = &loan_access,
				     .embeddable = embed_book};
	ma_resource_options reviews = {.access = &catalogue_access,
				       .embeddable = embed_book};
	ma_jwt_options jwt = {
		.jwks_file = env("LIBRARY_JWKS_FILE"),
		.issuer = env("LIBRARY_JWT_ISSUER"),
		.audience = env("LIBRARY_JWT_AUDIENCE"),
		.roles_claim = env("LIBRARY_JWT_ROLES_CLAIM"),
	};
	bool guarded = library_access_enabled();
	ma_db *db;

	/* The app keeps its own copy; a refused origin is its setup error. */
	bson_strfreev(origins);
	/* Setup errors stick to the app: ma_app_run() reports the first one
	 * (a missing MONGOALCHEMY_DATABASE, a JWK Set it cannot read) and
	 * exits with 2. */
	db = ma_app_add_db(app, NULL, NULL);
	if (jwt.jwks_file != NULL)
		ma_app_auth_jwt(app, &jwt, NULL);
	/* The front end's user (auth_basic, auth_request), with the roles
	 * in the FastCGI parameter this names. */
	if (env("LIBRARY_FRONTEND_ROLES") != NULL)
		ma_app_auth_frontend(app, env("LIBRARY_FRONTEND_ROLES"), NULL);
	ma_app_resource(app, "/authors", db, &library_author_type,
			guarded ? &catalogue : NULL, NULL);
	ma_app_resource(app, "/books", db, &library_book_type,
			guarded ? &catalogue : NULL, NULL);
	if (!guarded)
		reviews.access = NULL;
	ma_app_resource(app, "/reviews", db, &library_review_type, &reviews,
			NULL);
	if (guarded)
		ma_app_resource(app, "/loans", db, &library_loan_type, &loans,
				NULL);
	ma_app_route(app, MA_GET, "/books/since/{year}", books_since, db, NULL);
	ma_app_describe(app, MA_GET, "/books/since/{year}", &books_since_doc,
			NULL);
	ma_app_on_start(app, library_seed, db);
	return app;
}
