/*
 * One document type served over HTTP: a program to copy and grow. Rename
 * Movie and its fields, add types, routes and query extensions
 * (docs/quickstart.md, docs/documents.md, docs/http-api.md).
 *
 *   GET|POST /movies, GET|PUT|PATCH|DELETE /movies/{id}
 *
 * Build it with its Makefile (pkg-config finds the installed libraries),
 * then serve it behind nginx with a local database, from a checkout of
 * mongoalchemy-fcgi:
 *
 *   make
 *   scripts/run --worker path/to/skeleton
 */
#include <mongoalchemy-fcgi.h>

static const ma_field movie_fields[] = {
	MA_STRING("title", .min_len = 1, .max_len = 200),
	MA_INT("year", MA_MIN(1888), MA_MAX(9999)), MA_FIELDS_END};

static const ma_type movie_type = {
	.name = "Movie",
	.fields = movie_fields,
	.indexes = (const ma_index[]){MA_INDEX("-year"), MA_INDEXES_END},
};

int
main(int argc, char **argv)
{
	ma_app_options opts = {.name = "skeleton"};
	ma_app *app = ma_app_new(&opts, NULL);
	ma_db *db;
	int status;

	/* A setup error sticks to the app: ma_app_run() reports the first
	 * one (a missing MONGOALCHEMY_DATABASE, say) and exits with 2. */
	db = ma_app_add_db(app, NULL, NULL); /* MONGOALCHEMY_* */
	ma_app_resource(app, "/movies", db, &movie_type, NULL, NULL);
	status = ma_app_run(app, argc, argv);
	ma_app_destroy(app);
	ma_cleanup();
	return status;
}
