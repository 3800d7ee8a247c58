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
	cr_assert_not_null(db, "configuration from the environment: %s", e.message);
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

#endif
