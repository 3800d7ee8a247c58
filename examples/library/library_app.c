/*
 * The library application of examples/library, as Flask-MongoAlchemy's
 * documentation wires it: its database, the Author and Book resources, the
 * since route, and the seed of empty collections (seed.c). The worker's
 * main() (app.c) serves it; tests/http/test_contract builds the same
 * application in its own process, so that what the HTTP contract tests is
 * the example users run.
 */
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

ma_app *
library_app_new(void)
{
	ma_app_options opts = {.name = "library"};
	ma_app *app = ma_app_new(&opts, NULL);
	ma_db *db;

	/* Setup errors stick to the app: ma_app_run() reports the first one
	 * (a missing MONGOALCHEMY_DATABASE, say) and exits with 2. */
	db = ma_app_add_db(app, NULL, NULL);
	ma_app_resource(app, "/authors", db, &library_author_type, NULL, NULL);
	ma_app_resource(app, "/books", db, &library_book_type, NULL, NULL);
	ma_app_route(app, MA_GET, "/books/since/{year}", books_since, db, NULL);
	ma_app_describe(app, MA_GET, "/books/since/{year}", &books_since_doc,
			NULL);
	ma_app_on_start(app, library_seed, db);
	return app;
}
