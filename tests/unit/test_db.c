/*
 * The database object without a server: construction, errors, the lazy
 * client and collection handles. Nothing here opens a connection.
 */
#include <criterion/criterion.h>

#include "fake_env.h"
#include "config/config-private.h"
#include "query/query-private.h"

static ma_db *
db_from(fake_var *env)
{
	ma_error e;
	ma_config *c = ma_config_new(NULL, fake_lookup, env, &e);
	ma_db *db;

	cr_assert_not_null(c, "%s", e.message);
	db = ma_db_new_with_config(c, &e);
	cr_assert_not_null(db, "%s", e.message);
	return db;
}

Test(db, new_with_bad_environment_fails_with_config_error)
{
	ma_error e;

	unsetenv("NODB_DATABASE");
	cr_assert_null(ma_db_new("NODB", &e));
	cr_assert_eq(e.code, MA_ERR_CONFIG);
	cr_assert(strstr(e.message, "NODB_DATABASE") != NULL, "%s", e.message);
}

Test(db, new_reads_the_environment)
{
	ma_error e;
	ma_db *db;

	setenv("ENVDB_DATABASE", "library", 1);
	db = ma_db_new("ENVDB", &e);
	cr_assert_not_null(db, "%s", e.message);
	cr_assert_str_eq(ma_config_database(ma_db_config(db)), "library");
	ma_db_destroy(db);
}

Test(db, null_config_is_an_invalid_argument)
{
	ma_error e;

	cr_assert_null(ma_db_new_with_config(NULL, &e));
	cr_assert_eq(e.code, MA_ERR_INVALID);
}

Test(db, client_is_created_once_and_reused)
{
	ma_db *db = db_from(ENV({"MONGOALCHEMY_DATABASE", "test"}));
	ma_error e;
	mongoc_client_t *a = ma_db_client(db, &e);

	cr_assert_not_null(a, "%s", e.message);
	cr_assert_eq(ma_db_client(db, &e), a);
	ma_db_destroy(db);
}

/* A worker must answer 503 within seconds, not after the driver's 10 s to
 * connect and 5 min to read; a URI's own values win. */
static void
expect_timeouts(fake_var *env, int32_t connect, int32_t select, int32_t sock)
{
	ma_db *db = db_from(env);
	ma_error e;
	mongoc_client_t *c = ma_db_client(db, &e);
	const mongoc_uri_t *u;

	cr_assert_not_null(c, "%s", e.message);
	u = mongoc_client_get_uri(c);
	cr_expect_eq(mongoc_uri_get_option_as_int32(
			     u, MONGOC_URI_CONNECTTIMEOUTMS, -1),
		     connect);
	cr_expect_eq(mongoc_uri_get_option_as_int32(
			     u, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, -1),
		     select);
	cr_expect_eq(mongoc_uri_get_option_as_int32(
			     u, MONGOC_URI_SOCKETTIMEOUTMS, -1),
		     sock);
	/* The configuration's URI is left as it was given. */
	cr_expect_eq(mongoc_uri_get_option_as_int32(
			     ma_config_mongoc_uri(ma_db_config(db)),
			     MONGOC_URI_SOCKETTIMEOUTMS, -1),
		     sock == MA_SOCKET_TIMEOUT_MS ? -1 : sock);
	ma_db_destroy(db);
}

Test(db, client_bounds_its_timeouts_unless_the_uri_sets_them)
{
	expect_timeouts(ENV({"MONGOALCHEMY_DATABASE", "test"}), 2000, 2000,
			10000);
	expect_timeouts(ENV({"MONGOALCHEMY_DATABASE", "test"},
			    {"MONGOALCHEMY_OPTIONS",
			     "connectTimeoutMS=500&socketTimeoutMS=60000"}),
			500, 2000, 60000);
	expect_timeouts(
		ENV({"MONGOALCHEMY_DATABASE", "test"},
		    {"MONGOALCHEMY_CONNECTION_STRING",
		     "mongodb://db.example.com/?serverSelectionTimeoutMS=100"}),
		2000, 100, 10000);
}

Test(db, collection_is_in_the_configured_database)
{
	ma_db *db = db_from(ENV({"MONGOALCHEMY_DATABASE", "library"},
				{"MONGOALCHEMY_SAFE_SESSION", "true"}));
	ma_error e;
	mongoc_collection_t *coll = ma_db_collection(db, "books", &e);
	const mongoc_write_concern_t *wc;

	cr_assert_not_null(coll, "%s", e.message);
	cr_assert_str_eq(mongoc_collection_get_name(coll), "books");
	/* The session's write concern reaches every collection handle. */
	wc = mongoc_collection_get_write_concern(coll);
	cr_assert_eq(mongoc_write_concern_get_w(wc),
		     MONGOC_WRITE_CONCERN_W_MAJORITY);
	cr_assert(mongoc_write_concern_get_journal(wc));
	mongoc_collection_destroy(coll);
	ma_db_destroy(db);
}

Test(db, empty_collection_name_is_an_invalid_argument)
{
	ma_db *db = db_from(ENV({"MONGOALCHEMY_DATABASE", "test"}));
	ma_error e;

	cr_assert_null(ma_db_collection(db, "", &e));
	cr_assert_eq(e.code, MA_ERR_INVALID);
	cr_assert_null(ma_db_collection(db, NULL, &e));
	ma_db_destroy(db);
}

Test(db, destroy_null_is_a_no_op)
{
	ma_db_destroy(NULL);
	ma_config_destroy(NULL);
}
