/*
 * The database object against a real MongoDB-protocol server: ping, a raw
 * document written and read back, one client per process across fork(),
 * an unreachable server, and both authentication modes.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "live.h"
#include "config/config-private.h"
#include "query/query-private.h"

Test(live, ping_answers)
{
	ma_db *db = live_db();
	ma_error e;

	cr_assert(ma_db_ping(db, &e), "ping: %s", e.message);
	cr_assert_eq(e.code, MA_OK);
	ma_db_destroy(db);
}

Test(live, raw_document_is_written_and_read_back)
{
	ma_db *db = live_db();
	char *name = live_unique_name("raw");
	mongoc_collection_t *coll;
	mongoc_database_t *database;
	bson_t *doc, *filter;
	const bson_t *found;
	mongoc_cursor_t *cur;
	bson_error_t berr;
	bson_oid_t oid;
	bson_iter_t it;
	ma_error e;
	int n = 0;

	coll = ma_db_collection(db, name, &e);
	cr_assert_not_null(coll, "%s", e.message);

	bson_oid_init(&oid, NULL);
	doc = BCON_NEW("_id", BCON_OID(&oid), "title",
		       BCON_UTF8("Dive Into Python"), "year", BCON_INT32(2004));
	cr_assert(mongoc_collection_insert_one(coll, doc, NULL, NULL, &berr),
		  "insert: %s", berr.message);

	filter = BCON_NEW("_id", BCON_OID(&oid));
	cur = mongoc_collection_find_with_opts(coll, filter, NULL, NULL);
	while (mongoc_cursor_next(cur, &found)) {
		n++;
		cr_assert(bson_iter_init_find(&it, found, "title"));
		cr_assert_str_eq(bson_iter_utf8(&it, NULL), "Dive Into Python");
		cr_assert(bson_iter_init_find(&it, found, "year"));
		cr_assert_eq(bson_iter_as_int64(&it), 2004);
		cr_assert(bson_iter_init_find(&it, found, "_id"));
		cr_assert_eq(bson_oid_compare(bson_iter_oid(&it), &oid), 0);
	}
	cr_assert_not(mongoc_cursor_error(cur, &berr), "find: %s",
		      berr.message);
	cr_assert_eq(n, 1);

	/* It went to MONGOALCHEMY_DATABASE. */
	database = mongoc_client_get_database(ma_db_client(db, NULL),
					      getenv("MONGOALCHEMY_DATABASE"));
	cr_assert(mongoc_database_has_collection(database, name, &berr),
		  "%s not in %s: %s", name, getenv("MONGOALCHEMY_DATABASE"),
		  berr.message);
	mongoc_database_destroy(database);

	mongoc_collection_drop(coll, NULL);
	mongoc_cursor_destroy(cur);
	bson_destroy(filter);
	bson_destroy(doc);
	mongoc_collection_destroy(coll);
	bson_free(name);
	ma_db_destroy(db);
}

Test(live, safe_session_writes_are_acknowledged)
{
	ma_db *db;
	ma_config *cfg;
	mongoc_collection_t *coll;
	char *name;
	bson_t *doc;
	bson_t reply;
	bson_error_t berr;
	bson_iter_t it;
	const mongoc_write_concern_t *wc;
	ma_error e;

	live_require_server();
	setenv("MONGOALCHEMY_SAFE_SESSION", "true", 1);
	cfg = ma_config_new_from_env(NULL, &e);
	cr_assert_not_null(cfg, "%s", e.message);
	db = ma_db_new_with_config(cfg, &e);
	name = live_unique_name("safe");
	coll = ma_db_collection(db, name, &e);
	cr_assert_not_null(coll, "%s", e.message);
	wc = mongoc_collection_get_write_concern(coll);
	cr_assert_eq(mongoc_write_concern_get_w(wc),
		     MONGOC_WRITE_CONCERN_W_MAJORITY);
	cr_assert(mongoc_write_concern_journal_is_set(wc) &&
		  mongoc_write_concern_get_journal(wc));

	doc = BCON_NEW("n", BCON_INT32(1));
	cr_assert(mongoc_collection_insert_one(coll, doc, NULL, &reply, &berr),
		  "insert with w:majority, j:true: %s", berr.message);
	cr_assert(bson_iter_init_find(&it, &reply, "insertedCount"));
	cr_assert_eq(bson_iter_as_int64(&it), 1);

	mongoc_collection_drop(coll, NULL);
	bson_destroy(&reply);
	bson_destroy(doc);
	mongoc_collection_destroy(coll);
	bson_free(name);
	ma_db_destroy(db);
}

Test(live, client_is_reused_across_operations)
{
	ma_db *db = live_db();
	ma_error e;
	mongoc_client_t *first;

	cr_assert(ma_db_ping(db, &e), "%s", e.message);
	first = ma_db_client(db, &e);
	cr_assert(ma_db_ping(db, &e), "%s", e.message);
	cr_assert_eq(ma_db_client(db, &e), first);
	ma_db_destroy(db);
}

/*
 * A worker's life: the database object is made before fork(), the parent
 * has already connected, the child uses it, exits, and the parent's
 * connection still works.
 */
Test(live, forked_child_gets_its_own_client_and_parent_keeps_its_own)
{
	ma_db *db = live_db();
	ma_error e;
	pid_t pid;
	int status;

	cr_assert(ma_db_ping(db, &e), "parent before fork: %s", e.message);

	pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		bool ok = ma_db_ping(db, &e) && ma_db_ping(db, &e);

		if (!ok)
			fprintf(stderr, "child ping: %s\n", e.message);
		ma_db_destroy(db);
		_exit(ok ? 0 : 1);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "the child could not use the database");
	cr_assert(ma_db_ping(db, &e), "parent after the child exited: %s",
		  e.message);
	ma_db_destroy(db);
}

Test(live, unreachable_server_is_unavailable_within_the_timeout)
{
	char port[16];
	struct timespec t0, t1;
	ma_config *cfg;
	ma_db *db;
	ma_error e;
	double secs;

	snprintf(port, sizeof(port), "%u", live_closed_port());
	cfg = CONFIG_FROM(
		NULL, &e, {"MONGOALCHEMY_DATABASE", "test"},
		{"MONGOALCHEMY_SERVER", "127.0.0.1"},
		{"MONGOALCHEMY_PORT", port},
		{"MONGOALCHEMY_OPTIONS", "serverSelectionTimeoutMS=500"});
	cr_assert_not_null(cfg, "%s", e.message);
	db = ma_db_new_with_config(cfg, &e);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	cr_assert_not(ma_db_ping(db, &e));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

	cr_assert_eq(e.code, MA_ERR_UNAVAILABLE, "%s (%s)", e.message,
		     ma_strerror(e.code));
	cr_assert_eq(e.domain, MONGOC_ERROR_SERVER_SELECTION);
	cr_assert(strstr(e.message, "ping failed") != NULL, "%s", e.message);
	cr_assert_lt(secs, 5.0, "took %.1f s", secs);
	ma_db_destroy(db);
}

/* --- authentication --------------------------------------------------- */

/* A database object on the authentication server with the given user. */
static ma_db *
auth_db(const char *database, const char *user, const char *password,
	const char *server_auth, ma_error *e)
{
	ma_config *cfg;

	live_require_auth_server();
	cfg = CONFIG_FROM(
		NULL, e, {"MONGOALCHEMY_DATABASE", database},
		{"MONGOALCHEMY_SERVER", getenv("MA_TEST_AUTH_SERVER")},
		{"MONGOALCHEMY_PORT", getenv("MA_TEST_AUTH_PORT")},
		{"MONGOALCHEMY_USER", user},
		{"MONGOALCHEMY_PASSWORD", password},
		{"MONGOALCHEMY_SERVER_AUTH", server_auth},
		{"MONGOALCHEMY_OPTIONS", "serverSelectionTimeoutMS=3000"});
	cr_assert_not_null(cfg, "%s", e->message);
	return ma_db_new_with_config(cfg, e);
}

static ma_db *
root_db(const char *database)
{
	ma_error e;
	ma_db *db;

	live_require_auth_server();
	db = auth_db(database, getenv("MA_TEST_AUTH_ROOT_USER"),
		     getenv("MA_TEST_AUTH_ROOT_PASSWORD"), "true", &e);
	cr_assert_not_null(db, "%s", e.message);
	return db;
}

/* Creates user/password in database, as the root user. */
static void
create_user(const char *database, const char *user, const char *password)
{
	ma_db *root = root_db(database);
	bson_error_t berr;
	bson_t *cmd;
	ma_error e;
	mongoc_client_t *client = ma_db_client(root, &e);

	cr_assert_not_null(client, "%s", e.message);
	cmd = BCON_NEW("createUser", BCON_UTF8(user), "pwd",
		       BCON_UTF8(password), "roles", "[", "]");
	cr_assert(mongoc_client_command_simple(client, database, cmd, NULL,
					       NULL, &berr),
		  "createUser %s in %s: %s", user, database, berr.message);
	bson_destroy(cmd);
	ma_db_destroy(root);
}

Test(auth, server_user_connects_with_server_auth)
{
	ma_db *db = root_db("library");
	ma_error e;

	cr_assert_str_eq(ma_config_auth_source(ma_db_config(db)), "admin");
	cr_assert(ma_db_ping(db, &e), "%s", e.message);
	ma_db_destroy(db);
}

Test(auth, database_user_connects_with_database_auth)
{
	char *database = live_unique_name("authdb");
	char *user = live_unique_name("reader");
	ma_db *db;
	ma_error e;

	create_user(database, user, "p@ss:w/rd");

	/* Its credentials live in the database: SERVER_AUTH=false finds them.
	 */
	db = auth_db(database, user, "p@ss:w/rd", "false", &e);
	cr_assert_not_null(db, "%s", e.message);
	cr_assert_str_eq(ma_config_auth_source(ma_db_config(db)), database);
	cr_assert(ma_db_ping(db, &e), "%s", e.message);
	ma_db_destroy(db);

	/* Looked for in admin, the same user does not exist. */
	db = auth_db(database, user, "p@ss:w/rd", "true", &e);
	cr_assert_not_null(db, "%s", e.message);
	cr_assert_not(ma_db_ping(db, &e));
	cr_assert_eq(e.code, MA_ERR_AUTH, "%s (%s)", e.message,
		     ma_strerror(e.code));
	ma_db_destroy(db);

	bson_free(user);
	bson_free(database);
}

Test(auth, wrong_password_fails_without_showing_it)
{
	ma_db *db;
	ma_error e;

	db = auth_db("library", getenv("MA_TEST_AUTH_ROOT_USER"),
		     "wrong-Passw0rd-XYZ", "true", &e);
	cr_assert_not_null(db, "%s", e.message);
	cr_assert_not(ma_db_ping(db, &e));
	cr_assert_eq(e.code, MA_ERR_AUTH, "%s (%s)", e.message,
		     ma_strerror(e.code));
	cr_assert(strstr(e.message, "uthentication failed") != NULL, "%s",
		  e.message);
	cr_assert(strstr(e.message, "wrong-Passw0rd-XYZ") == NULL, "%s",
		  e.message);
	ma_db_destroy(db);
}
