/*
 * The library of Flask-MongoAlchemy's documentation as a FastCGI worker:
 *
 *   GET|POST /authors, GET|PUT|PATCH|DELETE /authors/{id}
 *   GET|POST /books,   GET|PUT|PATCH|DELETE /books/{id}
 *   GET /books/since/{year}   Book.query.since(year): newest first
 *   GET|POST /loans,   GET|PUT|PATCH|DELETE /loans/{id}  (with a JWK Set)
 *
 * With LIBRARY_JWKS_FILE (a JWK Set), bearer tokens are checked: reads
 * of the catalogue stay public, writes need the role editor or admin,
 * deletes admin, and each caller sees only their own loans.
 *
 * Run it behind nginx (see nginx/ and scripts/run):
 *
 *   MONGOALCHEMY_DATABASE=library ./library --socket /run/library.sock
 *
 * On its first start it fills empty collections with a small library.
 * The application is built in library_app.c, which the in-process HTTP
 * tests build too; this file only runs it.
 */
#include <stdio.h>

#include <mongoalchemy-fcgi.h>

#include "library_app.h"

int
main(int argc, char **argv)
{
	ma_app *app = library_app_new();
	int status;

	if (!library_access_enabled())
		fprintf(stderr,
			"library: neither LIBRARY_JWKS_FILE nor "
			"LIBRARY_FRONTEND_ROLES is set: anyone may write, and "
			"/loans is not served\n");
	status = ma_app_run(app, argc, argv);
	ma_app_destroy(app);
	ma_cleanup();
	return status;
}
