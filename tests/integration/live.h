/*
 * Integration tests need real servers; scripts/test starts them and says
 * where through the environment:
 *
 *   MONGOALCHEMY_*            the server every test uses (FerretDB, or the
 *                             user's own MongoDB)
 *   MA_TEST_AUTH_SERVER, MA_TEST_AUTH_PORT, MA_TEST_AUTH_ROOT_USER,
 *   MA_TEST_AUTH_ROOT_PASSWORD
 *                             a server with SCRAM authentication and a
 *                             root user in admin
 *
 * Without them a test is skipped, unless MA_TEST_REQUIRE_SERVER=1 (as in
 * scripts/test and CI), where a missing server is a failure.
 */
#ifndef LIVE_H
#define LIVE_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "fake_env.h"

static inline void
live_require(const char *var, const char *what)
{
	const char *req;

	if (getenv(var) != NULL && getenv(var)[0] != '\0')
		return;
	req = getenv("MA_TEST_REQUIRE_SERVER");
	if (req != NULL && strcmp(req, "1") == 0)
		cr_assert_fail("%s is not set: %s is required here", var, what);
	cr_skip_test("%s is not set: no %s to test against", var, what);
}

static inline void
live_require_server(void)
{
	live_require("MONGOALCHEMY_DATABASE", "MongoDB server");
}

static inline void
live_require_auth_server(void)
{
	live_require("MA_TEST_AUTH_PORT", "server with authentication");
}

/* The database object of the environment's server. */
static inline ma_db *
live_db(void)
{
	ma_error e;
	ma_db *db;

	live_require_server();
	db = ma_db_new(NULL, &e);
	cr_assert_not_null(db, "configuration from the environment: %s",
			   e.message);
	return db;
}

/* A collection (or user, or database) name no other run or parallel test
 * uses. bson_free() it. */
static inline char *
live_unique_name(const char *base)
{
	static unsigned counter;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return bson_strdup_printf("%s_%ld_%ld_%ld_%u", base, (long)getpid(),
				  (long)ts.tv_sec, (long)ts.tv_nsec, counter++);
}

/* A port nothing listens on: bind one, note it, close it. */
static inline unsigned
live_closed_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	unsigned port;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert(fd >= 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

/* A database of one test's own on the environment's server, so that tests
 * run in parallel and again without seeing each other's data. */
typedef struct live_own_db {
	ma_db *db;
	char *name;
} live_own_db;

static inline const char *
live_own_db_lookup(const char *name, void *ctx)
{
	if (strcmp(name, "MONGOALCHEMY_DATABASE") == 0)
		return ctx;
	return getenv(name);
}

static inline live_own_db
live_own_db_open(const char *base)
{
	live_own_db t;
	ma_config *cfg;
	ma_error e;

	live_require_server();
	t.name = live_unique_name(base);
	cfg = ma_config_new("MONGOALCHEMY", live_own_db_lookup, t.name, &e);
	cr_assert_not_null(cfg, "configuration: %s", e.message);
	t.db = ma_db_new_with_config(cfg, &e);
	cr_assert_not_null(t.db, "database object: %s", e.message);
	return t;
}

/* Drops the database and frees the object. */
static inline void
live_own_db_close(live_own_db *t)
{
	mongoc_database_t *mdb;
	mongoc_client_t *client;
	ma_error e;

	client = ma_db_client(t->db, &e);
	cr_assert_not_null(client, "%s", e.message);
	mdb = mongoc_client_get_database(client, t->name);
	/* The error is ignored: a test may never have created it. */
	mongoc_database_drop(mdb, NULL);
	mongoc_database_destroy(mdb);
	ma_db_destroy(t->db);
	bson_free(t->name);
}

/* Drops the database name on the environment's server, for a run's last
 * report hook: nothing to assert there, and nothing to do about a
 * database left over. */
static inline void
live_drop_database(const char *name)
{
	mongoc_database_t *mdb;
	mongoc_client_t *client;
	ma_error e;
	ma_db *db = ma_db_new(NULL, &e);

	client = db != NULL ? ma_db_client(db, &e) : NULL;
	if (client != NULL) {
		mdb = mongoc_client_get_database(client, name);
		mongoc_database_drop(mdb, NULL);
		mongoc_database_destroy(mdb);
	}
	ma_db_destroy(db);
}

/* A database object on a port nothing listens on, giving up quickly: a
 * MongoDB outage. */
static inline ma_db *
live_stopped_db(void)
{
	char port[16];
	ma_config *cfg;
	ma_db *db;
	ma_error e;

	snprintf(port, sizeof(port), "%u", live_closed_port());
	cfg = CONFIG_FROM(
		NULL, &e, {"MONGOALCHEMY_DATABASE", "test"},
		{"MONGOALCHEMY_SERVER", "127.0.0.1"},
		{"MONGOALCHEMY_PORT", port},
		{"MONGOALCHEMY_OPTIONS",
		 "serverSelectionTimeoutMS=300&connectTimeoutMS=300"});
	cr_assert_not_null(cfg, "%s", e.message);
	db = ma_db_new_with_config(cfg, &e);
	cr_assert_not_null(db, "%s", e.message);
	return db;
}

#endif
