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

#include <stdlib.h>
#include <string.h>

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

#endif
