/*
 * Who is calling: the authenticators an application trusts, the caller
 * they name, and the 401 and 403 answers of RFC 6750 section 3.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth/auth-private.h"
#include "http/http-private.h"
#include "runtime/runtime-private.h"

struct ma_auth {
	bool jwt;
	ma_jwks *keys;
	ma_jwt_cache *cache; /* tokens verified with keys */
	char *jwks_file, *issuer, *audience, *roles_claim;
	int64_t leeway;
	bool frontend;
	char *roles_param; /* NULL: the front end gives no roles */
};

bool
_ma_auth_bearer(const ma_auth *auth)
{
	return auth != NULL && auth->jwt;
}

ma_auth *
_ma_auth_new(void)
{
	return bson_malloc0(sizeof(ma_auth));
}

void
_ma_auth_destroy(void *ptr)
{
	ma_auth *auth = ptr;

	if (auth == NULL)
		return;
	_ma_jwks_destroy(auth->keys);
	_ma_jwt_cache_destroy(auth->cache);
	bson_free(auth->jwks_file);
	bson_free(auth->issuer);
	bson_free(auth->audience);
	bson_free(auth->roles_claim);
	bson_free(auth->roles_param);
	bson_free(auth);
}

bool
_ma_auth_set_jwt(ma_auth *auth, const ma_jwt_options *opts, ma_error *error)
{
	ma_jwks *keys;

	if (opts == NULL || opts->jwks_file == NULL ||
	    opts->jwks_file[0] == '\0') {
		_ma_error_set(error, MA_ERR_CONFIG,
			      "bearer tokens need a JWK Set file");
		return false;
	}
	keys = _ma_jwks_load(opts->jwks_file, error);
	if (keys == NULL)
		return false;
	_ma_jwks_destroy(auth->keys);
	auth->keys = keys;
	auth->jwt = true;
	bson_free(auth->jwks_file);
	bson_free(auth->issuer);
	bson_free(auth->audience);
	bson_free(auth->roles_claim);
	auth->jwks_file = bson_strdup(opts->jwks_file);
	auth->issuer = bson_strdup(opts->issuer);
	auth->audience = bson_strdup(opts->audience);
	auth->roles_claim = bson_strdup(
		opts->roles_claim != NULL ? opts->roles_claim : "roles");
	auth->leeway = opts->leeway == 0  ? MA_JWT_LEEWAY
		       : opts->leeway < 0 ? 0
					  : opts->leeway;
	_ma_jwt_cache_destroy(auth->cache);
	auth->cache = _ma_jwt_cache_new(MA_JWT_CACHE_SIZE, auth->leeway);
	return true;
}

void
_ma_auth_set_frontend(ma_auth *auth, const char *roles_param)
{
	auth->frontend = true;
	bson_free(auth->roles_param);
	auth->roles_param = bson_strdup(roles_param);
}

bool
_ma_auth_enabled(const ma_auth *auth)
{
	return auth != NULL && (auth->jwt || auth->frontend);
}

void
_ma_auth_reload(ma_auth *auth)
{
	ma_jwks *keys;
	ma_error e;

	if (auth == NULL || !auth->jwt)
		return;
	/* Whatever the file says now, no token is taken on the word of the
	 * keys read before. */
	_ma_jwt_cache_flush(auth->cache);
	keys = _ma_jwks_load(auth->jwks_file, &e);
	if (keys == NULL) {
		_ma_log("keeping the previous keys: %s", e.message);
		return;
	}
	_ma_jwks_destroy(auth->keys);
	auth->keys = keys;
}

/* The user the front end authenticated, with the roles of its
 * comma-separated list (blanks around a role dropped, empty ones
 * skipped, at most MA_USER_MAX_ROLES). */
static ma_user *
frontend_user(const ma_auth *auth, const char *name, const ma_request *req)
{
	const char *list =
		auth->roles_param != NULL
			? _ma_request_env(req, auth->roles_param, NULL)
			: NULL;
	ma_user *user = bson_malloc0(sizeof(*user));
	const char *p = list, *end;
	size_t n;

	user->name = bson_strndup(name, MA_USER_MAX_NAME);
	user->roles = bson_malloc0((MA_USER_MAX_ROLES + 1) * sizeof(char *));
	while (p != NULL && *p != '\0' && user->nroles < MA_USER_MAX_ROLES) {
		p += strspn(p, " \t,");
		n = strcspn(p, ",");
		end = p + n;
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (end > p)
			user->roles[user->nroles++] =
				bson_strndup(p, (size_t)(end - p));
		p += n;
	}
	return user;
}

/*
 * The user the front end names in REMOTE_USER; NULL when it names none.
 * nginx's stock fastcgi_params already passes REMOTE_USER ($remote_user,
 * empty without auth_basic), so a site that sets it again from an
 * auth_request passes it twice: the empty values are the stock line's,
 * and the others must agree (*ambiguous when they do not).
 */
static const char *
remote_user(const ma_request *req, bool *ambiguous)
{
	static const char var[] = "REMOTE_USER=";
	const char *name = NULL, *v;
	char **e;

	*ambiguous = false;
	for (e = req->env; e != NULL && *e != NULL; e++) {
		if (strncmp(*e, var, sizeof(var) - 1) != 0)
			continue;
		v = *e + sizeof(var) - 1;
		if (v[0] == '\0')
			continue;
		if (name != NULL && strcmp(name, v) != 0)
			*ambiguous = true;
		name = v;
	}
	return name;
}

/*
 * RFC 6750 section 3's challenge: the realm (its quotes and backslashes
 * left out, so that the quoted string stays one), and the error code when
 * the request carried credentials that were refused.
 */
static void
challenge(const ma_auth *auth, ma_response *res, const char *realm,
	  const char *code)
{
	char value[256];
	size_t o, i;

	/* An app that was given no name and is not run by ma_app_run()
	 * (which names it after the program) is still one realm. */
	if (realm == NULL || realm[0] == '\0')
		realm = "api";
	o = (size_t)snprintf(value, sizeof(value), "%s realm=\"",
			     auth->jwt ? "Bearer" : "Basic");
	for (i = 0; realm[i] != '\0' && o < 128; i++) {
		if (realm[i] != '"' && realm[i] != '\\' &&
		    (unsigned char)realm[i] >= 0x20)
			value[o++] = realm[i];
	}
	value[o] = '\0';
	if (code != NULL)
		snprintf(value + o, sizeof(value) - o, "\", error=\"%s\"",
			 code);
	else
		snprintf(value + o, sizeof(value) - o, "\"");
	ma_response_header(res, "WWW-Authenticate", value);
}

/* A 401: code is NULL when the request carried no credentials,
 * "invalid_request" when it carried them malformed, "invalid_token" when
 * the token was refused. */
static void
unauthorized(const ma_auth *auth, ma_response *res, const char *realm,
	     const char *code, const char *detail)
{
	ma_response_problem(res, MA_STATUS_UNAUTHORIZED, detail);
	challenge(auth, res, realm, code);
}

/* The bearer token's caller, or NULL with the 401 answered. A token in
 * the query string (access_token, RFC 6750 section 2.3) is not read. */
static ma_user *
bearer_user(const ma_auth *auth, const char *realm, const ma_request *req,
	    ma_response *res, int64_t now)
{
	ma_jwt_rules rules = {auth->issuer, auth->audience, auth->roles_claim,
			      auth->leeway};
	size_t count;
	const char *h = _ma_request_env(req, "HTTP_AUTHORIZATION", &count);
	ma_user *user;
	ma_jwt_span span;
	ma_error e;

	if (h == NULL || h[0] == '\0') {
		unauthorized(auth, res, realm, NULL,
			     "this needs credentials: Authorization: Bearer "
			     "and a token");
		return NULL;
	}
	if (count > 1) {
		unauthorized(auth, res, realm, "invalid_request",
			     "the request has more than one Authorization "
			     "header");
		return NULL;
	}
	if (strncasecmp(h, "Bearer", 6) != 0 || (h[6] != ' ')) {
		unauthorized(auth, res, realm, "invalid_request",
			     "the Authorization header is not a Bearer token");
		return NULL;
	}
	h += 6 + strspn(h + 6, " ");
	if (strlen(h) <= MA_JWT_MAX_TOKEN) {
		user = _ma_jwt_cache_get(auth->cache, h, strlen(h), now);
		if (user != NULL)
			return user;
	}
	if (!_ma_jwt_verify_span(auth->keys, &rules, h, strlen(h), now, &user,
				 &span, &e)) {
		unauthorized(auth, res, realm, "invalid_token", e.message);
		return NULL;
	}
	_ma_jwt_cache_put(auth->cache, h, strlen(h), &span, user, now);
	return user;
}

/* "editor or admin", for a 403's detail. */
static void
role_list(const char *const *roles, char *out, size_t size)
{
	size_t o = 0, i;

	out[0] = '\0';
	for (i = 0; roles[i] != NULL && o < size; i++)
		o += (size_t)snprintf(out + o, size - o, "%s%s",
				      i == 0		     ? ""
				      : roles[i + 1] == NULL ? " or "
							     : ", ",
				      roles[i]);
}

ma_user *
_ma_auth_check(const ma_auth *auth, const char *realm, const ma_request *req,
	       ma_response *res, const char *const *roles, int64_t now)
{
	bool ambiguous = false;
	const char *remote =
		auth->frontend ? remote_user(req, &ambiguous) : NULL;
	ma_user *user;
	char detail[MA_ERROR_MESSAGE_SIZE], names[256];
	size_t i;

	if (ambiguous) {
		_ma_request_log(req, "the front end passed two different "
				     "REMOTE_USER values");
		unauthorized(auth, res, realm, "invalid_request",
			     "the front end named two different users");
		user = NULL;
	} else if (remote != NULL)
		user = frontend_user(auth, remote, req);
	else if (auth->jwt)
		user = bearer_user(auth, realm, req, res, now);
	else {
		unauthorized(auth, res, realm, NULL,
			     "this needs a user the front end authenticated");
		user = NULL;
	}
	if (user == NULL || roles == NULL)
		return user;
	for (i = 0; roles[i] != NULL; i++) {
		if (ma_user_has_role(user, roles[i]))
			return user;
	}
	role_list(roles, names, sizeof(names));
	snprintf(detail, sizeof(detail), "this needs the role %s", names);
	ma_response_problem(res, MA_STATUS_FORBIDDEN, detail);
	if (auth->jwt)
		challenge(auth, res, realm, "insufficient_scope");
	ma_user_destroy(user);
	return NULL;
}
