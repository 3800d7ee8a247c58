/*
 * Access control in the application, without FastCGI or a server: the
 * 401 and 403 answers of RFC 6750, a handler's one-call check, a
 * resource's policy, the front end's user. No refused request reaches a
 * handler: the resource's database object is never used, so a write
 * that ran would answer 503, not 401 or 403.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "app/app-private.h"
#include "app_answer.h"
#include "fake_env.h"
#include "jwt_keys.h"
#include "library.h"

static test_keys keys;
static ma_app *app;
static ma_db *db;

/* The caller and roles a custom route saw. */
static void
whoami(ma_request *req, ma_response *res, void *arg)
{
	static const char *const readers[] = {"reader", "admin", NULL};
	ma_user *user = ma_app_authorize(arg, req, res, readers);
	char out[300];

	if (user == NULL)
		return;
	snprintf(out, sizeof(out), "{\"user\":\"%s\",\"admin\":%s}",
		 ma_user_name(user),
		 ma_user_has_role(user, "admin") ? "true" : "false");
	ma_response_json(res, MA_STATUS_OK, out, strlen(out));
	ma_user_destroy(user);
}

static const char *const editors[] = {"editor", "admin", NULL};
static const char *const admins[] = {"admin", NULL};
static const ma_access book_access = {
	.public_ops = MA_RES_LIST | MA_RES_GET,
	.rules = {{MA_RES_CREATE | MA_RES_REPLACE | MA_RES_UPDATE, editors},
		  {MA_RES_DELETE, admins}},
};

/* An app named "library" trusting the test keys (roles_claim NULL: the
 * default), with /me and /books behind book_access. */
static void
setup(void)
{
	ma_app_options o = {.name = "library"};
	ma_jwt_options jwt = {0};
	ma_resource_options ro = {.access = &book_access};
	ma_error e;

	test_keys_make(&keys);
	jwt.jwks_file = keys.path;
	app = ma_app_new(&o, NULL);
	cr_assert(ma_app_auth_jwt(app, &jwt, &e), "%s", e.message);
	db = fake_db("test", &e);
	cr_assert_not_null(db, "%s", e.message);
	cr_assert(ma_app_route(app, MA_GET, "/me", whoami, app, NULL));
	cr_assert(
		ma_app_resource(app, "/books", db, &library_book_type, &ro, &e),
		"%s", e.message);
}

static void
teardown(void)
{
	ma_app_destroy(app);
	ma_db_destroy(db);
	test_keys_free(&keys);
}

TestSuite(access, .init = setup, .fini = teardown);

/* One request through the app: its serialized answer (bson_free()). */
static char *
run(char **env)
{
	return app_answer(app, env);
}

#define ENVP(...) ((char *[]){__VA_ARGS__, NULL})

/* "HTTP_AUTHORIZATION=Bearer <token>" for a token of the key with sub
 * and roles (JSON text or NULL); the caller frees it. */
static char *
bearer(const json_t *key, const char *sub, const char *roles)
{
	char *c = claims_for(sub, roles), *t = mint(key, c);
	size_t n = strlen(t) + 64;
	char *h = malloc(n);

	snprintf(h, n, "HTTP_AUTHORIZATION=Bearer %s", t);
	free(t);
	free(c);
	return h;
}

static void
assert_answer(const char *out, const char *status, const char *challenge,
	      const char *detail)
{
	char line[256];

	cr_assert(strncmp(out, status, strlen(status)) == 0, "%s", out);
	cr_assert(strstr(out, "Content-Type: application/problem+json\r\n"),
		  "%s", out);
	if (challenge != NULL) {
		snprintf(line, sizeof(line), "\r\nWWW-Authenticate: %s\r\n",
			 challenge);
		cr_assert(strstr(out, line), "no %s in %s", line, out);
	} else {
		cr_assert_null(strstr(out, "WWW-Authenticate"), "%s", out);
	}
	/* the whole detail: the next member (instance) follows it */
	snprintf(line, sizeof(line), "\"detail\":\"%s\",", detail);
	cr_assert(strstr(out, line), "no %s in %s", line, out);
}

Test(access, no_credentials_is_a_401_with_the_bearer_challenge)
{
	char *out = run(ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/me"));

	assert_answer(out, "Status: 401 Unauthorized\r\n",
		      "Bearer realm=\"library\"",
		      "this needs credentials: Authorization: Bearer and a "
		      "token");
	bson_free(out);
}

Test(access, a_refused_token_is_a_401_invalid_token_that_never_quotes_it)
{
	char *h = bearer(keys.rsa, "alice", "[\"reader\"]");
	char *out;

	h[strlen(h) - 3] ^= 1; /* one bit of the signature */
	out = run(ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/me", h));
	assert_answer(out, "Status: 401 Unauthorized\r\n",
		      "Bearer realm=\"library\", error=\"invalid_token\"",
		      "the token's signature does not verify");
	cr_assert_null(
		strstr(out, h + strlen("HTTP_AUTHORIZATION=Bearer ") + 20),
		"%s", out);
	bson_free(out);
	free(h);
}

Test(access, a_token_in_the_query_string_is_not_read)
{
	char *h = bearer(keys.rsa, "alice", "[\"reader\"]");
	char uri[9100], qs[9000];
	char *out;

	snprintf(qs, sizeof(qs), "QUERY_STRING=access_token=%s",
		 h + strlen("HTTP_AUTHORIZATION=Bearer "));
	snprintf(uri, sizeof(uri), "REQUEST_URI=/me?%s", qs + 13);
	out = run(ENVP("REQUEST_METHOD=GET", uri, qs));
	assert_answer(out, "Status: 401 Unauthorized\r\n",
		      "Bearer realm=\"library\"",
		      "this needs credentials: Authorization: Bearer and a "
		      "token");
	bson_free(out);
	free(h);
}

Test(access, two_authorization_headers_or_another_scheme_are_401s)
{
	char *h = bearer(keys.rsa, "alice", "[\"reader\"]");
	char *out = run(ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/me", h, h));

	assert_answer(out, "Status: 401 Unauthorized\r\n",
		      "Bearer realm=\"library\", error=\"invalid_request\"",
		      "the request has more than one Authorization header");
	bson_free(out);
	out = run(ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/me",
		       "HTTP_AUTHORIZATION=Basic YWxpY2U6c2VjcmV0"));
	assert_answer(out, "Status: 401 Unauthorized\r\n",
		      "Bearer realm=\"library\", error=\"invalid_request\"",
		      "the Authorization header is not a Bearer token");
	bson_free(out);
	free(h);
}

Test(access, a_good_token_reaches_the_handler_with_its_caller)
{
	char *h = bearer(keys.ec, "alice", "[\"reader\"]");
	char *out = run(ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/me", h));

	cr_assert(strstr(out, "Status: 200 OK\r\n") == out, "%s", out);
	cr_assert(strstr(out, "\r\n\r\n{\"user\":\"alice\",\"admin\":false}"),
		  "%s", out);
	bson_free(out);
	free(h);
}

/* The second request with a token is served from the worker's cache of
 * verified tokens; reading the key set again empties it, so a token of
 * a key taken out of the set is refused at once. */
Test(access, a_token_is_refused_once_its_key_left_the_set)
{
	char *rsa = bearer(keys.rsa, "alice", "[\"reader\"]");
	char *ec = bearer(keys.ec, "bob", "[\"reader\"]");
	char *out;
	int i;

	for (i = 0; i < 2; i++) {
		out = run(ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/me", rsa));
		cr_assert(strstr(out, "Status: 200 OK\r\n") == out, "%s", out);
		bson_free(out);
	}
	write_jwks(keys.path,
		   json_pack("[o,O]", public_half(keys.ec), keys.hs));
	_ma_app_access_worker_start(app);
	out = run(ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/me", rsa));
	assert_answer(out, "Status: 401 Unauthorized\r\n",
		      "Bearer realm=\"library\", error=\"invalid_token\"",
		      "no key of this service has the token's kid");
	bson_free(out);
	out = run(ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/me", ec));
	cr_assert(strstr(out, "Status: 200 OK\r\n") == out, "%s", out);
	bson_free(out);
	free(rsa);
	free(ec);
}

Test(access, a_caller_without_the_role_is_a_403_insufficient_scope)
{
	char *h = bearer(keys.hs, "bob", "[\"guest\"]");
	char *out = run(ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/me", h));

	assert_answer(out, "Status: 403 Forbidden\r\n",
		      "Bearer realm=\"library\", error=\"insufficient_scope\"",
		      "this needs the role reader or admin");
	bson_free(out);
	free(h);
}

/* --- a resource's policy -------------------------------------------------- */

Test(access, a_write_without_a_token_is_a_401_before_the_handler)
{
	char *out =
		run(ENVP("REQUEST_METHOD=POST", "REQUEST_URI=/books",
			 "CONTENT_TYPE=application/json", "CONTENT_LENGTH=0"));

	assert_answer(out, "Status: 401 Unauthorized\r\n",
		      "Bearer realm=\"library\"",
		      "this needs credentials: Authorization: Bearer and a "
		      "token");
	bson_free(out);
}

Test(access, each_operation_needs_its_rule_s_roles)
{
	char *reader = bearer(keys.rsa, "rita", "[\"reader\"]");
	char *editor = bearer(keys.rsa, "ed", "[\"editor\"]");
	char *out;

	out = run(ENVP("REQUEST_METHOD=PUT",
		       "REQUEST_URI=/books/5f1d7a3e2b8c9d0e1f2a3b4c", reader));
	assert_answer(out, "Status: 403 Forbidden\r\n",
		      "Bearer realm=\"library\", error=\"insufficient_scope\"",
		      "this needs the role editor or admin");
	bson_free(out);
	out = run(ENVP("REQUEST_METHOD=PATCH",
		       "REQUEST_URI=/books/5f1d7a3e2b8c9d0e1f2a3b4c", reader));
	assert_answer(out, "Status: 403 Forbidden\r\n",
		      "Bearer realm=\"library\", error=\"insufficient_scope\"",
		      "this needs the role editor or admin");
	bson_free(out);
	out = run(ENVP("REQUEST_METHOD=DELETE",
		       "REQUEST_URI=/books/5f1d7a3e2b8c9d0e1f2a3b4c", editor));
	assert_answer(out, "Status: 403 Forbidden\r\n",
		      "Bearer realm=\"library\", error=\"insufficient_scope\"",
		      "this needs the role admin");
	bson_free(out);
	free(reader);
	free(editor);
}

/* A refused method of a path that exists is still refused as such: the
 * policy does not change 405s into 401s. */
Test(access, the_policy_leaves_405_as_it_was)
{
	char *out = run(ENVP("REQUEST_METHOD=POST",
			     "REQUEST_URI=/books/5f1d7a3e2b8c9d0e1f2a3b4c"));

	cr_assert(strstr(out, "Status: 405 Method Not Allowed\r\n") == out,
		  "%s", out);
	bson_free(out);
}

Test(access, a_policy_without_an_authenticator_stops_the_program)
{
	ma_app *bare = ma_app_new(NULL, NULL);
	ma_resource_options ro = {.access = &book_access};
	ma_error e;

	cr_assert(ma_app_resource(bare, "/books", db, &library_book_type, &ro,
				  &e));
	cr_assert_not(_ma_app_access_ready(bare, &e));
	cr_assert_eq(e.code, MA_ERR_CONFIG);
	cr_assert_str_eq(e.message,
			 "a resource has an access policy, but the application "
			 "trusts no authenticator (ma_app_auth_jwt(), "
			 "ma_app_auth_frontend())");
	cr_assert(_ma_app_access_ready(app, &e));
	ma_app_destroy(bare);
}

/* A handler of its own that asks for a caller where the application
 * trusts no one refuses everyone. */
Test(access, authorize_without_an_authenticator_fails_closed)
{
	ma_app *bare = ma_app_new(NULL, NULL);
	char *text;

	cr_assert(ma_app_route(bare, MA_GET, "/me", whoami, bare, NULL));
	text = app_answer(bare, ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/me",
				     "REMOTE_USER=alice", "MA_ROLES=admin"));
	cr_assert(strstr(text, "Status: 500 Internal Server Error\r\n") == text,
		  "%s", text);
	bson_free(text);
	ma_app_destroy(bare);
}

Test(access, a_broken_key_set_is_a_setup_error)
{
	ma_app *other = ma_app_new(NULL, NULL);
	ma_jwt_options jwt = {.jwks_file = "/nonexistent/jwks.json"};
	ma_error e;

	cr_assert_not(ma_app_auth_jwt(other, &jwt, &e));
	cr_assert_eq(e.code, MA_ERR_CONFIG);
	cr_assert_not(ma_app_route(other, MA_GET, "/me", whoami, other, &e));
	cr_assert(strstr(e.message, "/nonexistent/jwks.json"), "%s", e.message);
	ma_app_destroy(other);
}

/* --- the front end's user ------------------------------------------------- */

Test(access, remote_user_is_ignored_unless_the_app_trusts_it)
{
	char *out = run(ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/me",
			     "REMOTE_USER=alice", "MA_ROLES=admin"));

	cr_assert(strstr(out, "Status: 401 Unauthorized\r\n") == out, "%s",
		  out);
	bson_free(out);
}

Test(access, remote_user_with_roles_from_the_front_end)
{
	char *out;

	cr_assert(ma_app_auth_frontend(app, "MA_ROLES", NULL));
	out = run(ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/me",
		       "REMOTE_USER=alice", "MA_ROLES= guest , admin,,"));
	cr_assert(strstr(out, "Status: 200 OK\r\n") == out, "%s", out);
	cr_assert(strstr(out, "{\"user\":\"alice\",\"admin\":true}"), "%s",
		  out);
	bson_free(out);
	out = run(ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/me",
		       "REMOTE_USER=bob", "MA_ROLES=guest"));
	cr_assert(strstr(out, "Status: 403 Forbidden\r\n") == out, "%s", out);
	bson_free(out);
}

/* nginx's stock fastcgi_params passes REMOTE_USER empty, and a site's
 * auth_request line passes it again. */
Test(access, remote_user_passed_twice_must_name_one_user)
{
	char *out;

	cr_assert(ma_app_auth_frontend(app, "MA_ROLES", NULL));
	out = run(ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/me",
		       "REMOTE_USER=", "REMOTE_USER=alice", "MA_ROLES=reader"));
	cr_assert(strstr(out, "{\"user\":\"alice\",\"admin\":false}"), "%s",
		  out);
	bson_free(out);
	out = run(ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/me",
		       "REMOTE_USER=alice", "REMOTE_USER=bob",
		       "MA_ROLES=reader"));
	assert_answer(out, "Status: 401 Unauthorized\r\n",
		      "Bearer realm=\"library\", error=\"invalid_request\"",
		      "the front end named two different users");
	bson_free(out);
}

Test(access, with_the_front_end_trusted_a_token_still_works)
{
	char *h = bearer(keys.rsa, "carol", "[\"admin\"]");
	char *out;

	cr_assert(ma_app_auth_frontend(app, NULL, NULL));
	out = run(ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/me", h));
	cr_assert(strstr(out, "{\"user\":\"carol\",\"admin\":true}"), "%s",
		  out);
	bson_free(out);
	free(h);
}

/* An app without a name, answering in-process (ma_app_run() would name it
 * after the program): its 401s still carry a realm, with either kind of
 * authenticator. */
Test(access, an_app_without_a_name_challenges_in_the_realm_api)
{
	ma_jwt_options jwt = {.jwks_file = keys.path};
	ma_app *anon = ma_app_new(NULL, NULL);
	ma_error e;
	char *out;

	cr_assert_not_null(anon);
	cr_assert(ma_app_auth_frontend(anon, "MA_ROLES", NULL));
	cr_assert(ma_app_route(anon, MA_GET, "/me", whoami, anon, NULL));
	out = app_answer(anon, ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/me"));
	cr_assert(strstr(out, "Status: 401 Unauthorized\r\n") == out, "%s",
		  out);
	cr_assert(strstr(out, "\r\nWWW-Authenticate: Basic realm=\"api\"\r\n"),
		  "%s", out);
	bson_free(out);
	ma_app_destroy(anon);

	anon = ma_app_new(NULL, NULL);
	cr_assert(ma_app_auth_jwt(anon, &jwt, &e), "%s", e.message);
	cr_assert(ma_app_route(anon, MA_GET, "/me", whoami, anon, NULL));
	out = app_answer(anon, ENVP("REQUEST_METHOD=GET", "REQUEST_URI=/me"));
	assert_answer(out, "Status: 401 Unauthorized\r\n",
		      "Bearer realm=\"api\"",
		      "this needs credentials: Authorization: Bearer and a "
		      "token");
	bson_free(out);
	ma_app_destroy(anon);
}
