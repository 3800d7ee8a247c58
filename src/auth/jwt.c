/*
 * Bearer tokens: the JWK Set and the check of one compact JWS, through
 * libjose (signatures, base64url, keys: nothing of it is written here).
 *
 * The algorithm always comes from the key. Each key of the set names its
 * own alg, a token's kid picks one key, and a token whose alg is not that
 * key's is refused before libjose sees it; libjose refuses it as well
 * (JOSE_CFG_ERR_JWK_MISMATCH), and knows no "none". See docs/security.md
 * for why libjose and not libjwt.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <jose/jose.h>

#include "auth/auth-private.h"
#include "core/core.h"

struct ma_jwks {
	json_t *keys; /* array of JWKs, each with its kid and alg */
	jose_cfg_t *cfg;
};

/*
 * The algorithms a key may name: RFC 7518's signatures, each with the
 * key type it needs, the curve of an EC key, and the shortest HMAC
 * secret (the hash's size, RFC 7518 section 3.2).
 */
static const struct {
	const char *alg;
	const char *kty;
	const char *crv;
	size_t min_secret;
} algs[] = {
	{"RS256", "RSA", NULL, 0},   {"RS384", "RSA", NULL, 0},
	{"RS512", "RSA", NULL, 0},   {"PS256", "RSA", NULL, 0},
	{"PS384", "RSA", NULL, 0},   {"PS512", "RSA", NULL, 0},
	{"ES256", "EC", "P-256", 0}, {"ES384", "EC", "P-384", 0},
	{"ES512", "EC", "P-521", 0}, {"HS256", "oct", NULL, 32},
	{"HS384", "oct", NULL, 48},  {"HS512", "oct", NULL, 64},
};

/* The header members a token may carry. Anything else (crit, b64, a
 * key of its own in jwk or jku) asks for a behaviour not offered. */
static const char *const header_members[] = {"alg", "kid", "typ", "cty"};

/* libjose reports its errors through the configuration; the answer
 * says what was wrong, so its lines would only repeat it on stderr. */
static void
quiet(void *misc, const char *file, int line, uint64_t err, const char *fmt,
      va_list ap)
{
	(void)misc;
	(void)file;
	(void)line;
	(void)err;
	(void)fmt;
	(void)ap;
}

/*
 * A member of an object; NULL if none (or obj is no object). jansson's
 * member() and json_object_iter_next() have the names of two
 * json-c functions, and this program links both libraries: a call
 * without a version binds to whichever the linker meets first, json-c's
 * here. Members are read through names that only jansson has.
 */
static json_t *
member(const json_t *obj, const char *name)
{
	void *it = json_object_iter_at((json_t *)obj, name);

	return it != NULL ? json_object_iter_value(it) : NULL;
}

static const char *
str_member(const json_t *obj, const char *name)
{
	return json_string_value(member(obj, name));
}

/* The length of an HMAC key's secret; 0 when it has none or it does
 * not decode. */
static size_t
secret_len(const json_t *jwk)
{
	size_t n = jose_b64_dec(member(jwk, "k"), NULL, 0);

	return n == SIZE_MAX ? 0 : n;
}

/* One key of the set, checked; a public copy of an asymmetric key (the
 * private half, if the file has it, is not kept). NULL with error. */
static json_t *
check_key(jose_cfg_t *cfg, const json_t *jwk, size_t i, ma_error *error)
{
	const char *kid = str_member(jwk, "kid"), *alg = str_member(jwk, "alg");
	const char *kty = str_member(jwk, "kty"), *crv = str_member(jwk, "crv");
	json_t *copy;
	size_t a;

	if (!json_is_object(jwk) || kid == NULL || kid[0] == '\0') {
		_ma_error_set(error, MA_ERR_CONFIG,
			      "JWK Set: key %zu has no kid", i + 1);
		return NULL;
	}
	for (a = 0; alg != NULL && a < sizeof(algs) / sizeof(algs[0]); a++) {
		if (strcmp(alg, algs[a].alg) == 0)
			break;
	}
	if (alg == NULL || a == sizeof(algs) / sizeof(algs[0])) {
		_ma_error_set(
			error, MA_ERR_CONFIG,
			"JWK Set: key '%.64s' has no alg of RS, PS, ES or "
			"HS 256, 384 or 512",
			kid);
		return NULL;
	}
	if (kty == NULL || strcmp(kty, algs[a].kty) != 0 ||
	    (algs[a].crv != NULL &&
	     (crv == NULL || strcmp(crv, algs[a].crv) != 0))) {
		_ma_error_set(error, MA_ERR_CONFIG,
			      "JWK Set: key '%.64s' is not a %s%s%s key, as "
			      "%s needs",
			      kid, algs[a].kty, algs[a].crv ? " " : "",
			      algs[a].crv ? algs[a].crv : "", alg);
		return NULL;
	}
	if (secret_len(jwk) < algs[a].min_secret) {
		_ma_error_set(error, MA_ERR_CONFIG,
			      "JWK Set: key '%.64s' has a secret shorter than "
			      "%zu bytes, the size of %s's hash",
			      kid, algs[a].min_secret, alg);
		return NULL;
	}
	if (!jose_jwk_prm(cfg, jwk, false, "verify")) {
		_ma_error_set(error, MA_ERR_CONFIG,
			      "JWK Set: key '%.64s' is not for verifying (its "
			      "use or key_ops), or incomplete",
			      kid);
		return NULL;
	}
	copy = json_deep_copy(jwk);
	if (copy != NULL && algs[a].min_secret == 0 &&
	    !jose_jwk_pub(cfg, copy)) {
		json_decref(copy);
		copy = NULL;
	}
	if (copy == NULL)
		_ma_error_set(error, MA_ERR_CONFIG,
			      "JWK Set: key '%.64s' could not be read", kid);
	return copy;
}

static const json_t *
find_key(const ma_jwks *keys, const char *kid)
{
	size_t i;
	json_t *jwk;

	for (i = 0; i < json_array_size(keys->keys); i++) {
		jwk = json_array_get(keys->keys, i);
		if (strcmp(str_member(jwk, "kid"), kid) == 0)
			return jwk;
	}
	return NULL;
}

ma_jwks *
_ma_jwks_load(const char *path, ma_error *error)
{
	ma_jwks *keys = bson_malloc0(sizeof(*keys));
	json_error_t je;
	json_t *doc, *list, *jwk, *key;
	size_t i;

	keys->cfg = jose_cfg();
	keys->keys = json_array();
	if (keys->cfg == NULL || keys->keys == NULL) {
		_ma_error_set(error, MA_ERR_NOMEM, "JWK Set: out of memory");
		_ma_jwks_destroy(keys);
		return NULL;
	}
	jose_cfg_set_err_func(keys->cfg, quiet, NULL);
	doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	list = member(doc, "keys");
	if (doc == NULL) {
		_ma_error_set(error, MA_ERR_CONFIG, "JWK Set %s: %s (line %d)",
			      path, je.text, je.line);
		goto fail;
	}
	if (!json_is_array(list) || json_array_size(list) == 0) {
		_ma_error_set(error, MA_ERR_CONFIG,
			      "JWK Set %s: not an object with a non-empty "
			      "\"keys\" array",
			      path);
		goto fail;
	}
	for (i = 0; i < json_array_size(list); i++) {
		jwk = json_array_get(list, i);
		key = check_key(keys->cfg, jwk, i, error);
		if (key == NULL)
			goto fail;
		if (find_key(keys, str_member(key, "kid")) != NULL) {
			_ma_error_set(error, MA_ERR_CONFIG,
				      "JWK Set: two keys have the kid '%.64s'",
				      str_member(key, "kid"));
			json_decref(key);
			goto fail;
		}
		json_array_append_new(keys->keys, key);
	}
	json_decref(doc);
	return keys;

fail:
	json_decref(doc);
	_ma_jwks_destroy(keys);
	return NULL;
}

void
_ma_jwks_destroy(ma_jwks *keys)
{
	if (keys == NULL)
		return;
	json_decref(keys->keys);
	jose_cfg_decref(keys->cfg);
	bson_free(keys);
}

size_t
_ma_jwks_count(const ma_jwks *keys)
{
	return keys != NULL ? json_array_size(keys->keys) : 0;
}

/* --- one token ------------------------------------------------------------ */

/*
 * The JSON object in a base64url part of the token (what names the part
 * in a message); NULL with error when the part does not decode, is not
 * JSON, or is JSON but not an object. Duplicate names are refused: two
 * readers of one token must not see two different claims.
 */
static json_t *
decode_part(const char *part, size_t len, const char *what, ma_error *error)
{
	char buf[MA_JWT_MAX_TOKEN];
	size_t n = jose_b64_dec_buf(part, len, buf, sizeof(buf));
	json_t *obj;

	if (n == SIZE_MAX) {
		_ma_error_set(error, MA_ERR_AUTH,
			      "the token's %s is not base64url", what);
		return NULL;
	}
	obj = json_loadb(buf, n, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(obj)) {
		_ma_error_set(error, MA_ERR_AUTH,
			      "the token's %s is not a JSON object", what);
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* The key that must have signed the token, from its header. */
static const json_t *
header_key(const ma_jwks *keys, const json_t *header, ma_error *error)
{
	const char *kid = str_member(header, "kid");
	const char *alg = str_member(header, "alg");
	const json_t *key;
	size_t i, known = 0;

	for (i = 0; i < sizeof(header_members) / sizeof(header_members[0]); i++)
		known += member(header, header_members[i]) != NULL;
	if (known != json_object_size(header)) {
		_ma_error_set(error, MA_ERR_AUTH,
			      "the token's header has a member other than "
			      "alg, kid, typ and cty");
		return NULL;
	}
	if (kid == NULL) {
		_ma_error_set(error, MA_ERR_AUTH,
			      "the token's header has no kid (key id)");
		return NULL;
	}
	key = find_key(keys, kid);
	if (key == NULL) {
		_ma_error_set(error, MA_ERR_AUTH,
			      "no key of this service has the token's kid");
		return NULL;
	}
	if (alg == NULL || strcmp(alg, str_member(key, "alg")) != 0) {
		_ma_error_set(error, MA_ERR_AUTH,
			      "the token's alg is not its key's (%s)",
			      str_member(key, "alg"));
		return NULL;
	}
	return key;
}

/* A NumericDate claim (RFC 7519 section 2): absent (false, *present
 * false), a finite number (true), or anything else (false, error). */
static bool
date_claim(const json_t *claims, const char *name, double *when, bool *present,
	   ma_error *error)
{
	const json_t *v = member(claims, name);

	*present = v != NULL;
	if (v == NULL)
		return false;
	if (!json_is_number(v) || !isfinite(json_number_value(v))) {
		_ma_error_set(error, MA_ERR_AUTH,
			      "the token's %s claim is not a number", name);
		return false;
	}
	*when = json_number_value(v);
	return true;
}

/* The two rules of time, the same for a token checked whole and for a
 * cached one (_ma_jwt_span_holds()). A NaN date (absent) never fails. */
static bool
expired(double exp, int64_t now, int64_t leeway)
{
	return (double)now > exp + (double)leeway;
}

static bool
early(double when, int64_t now, int64_t leeway)
{
	return (double)now + (double)leeway < when;
}

bool
_ma_jwt_span_holds(const ma_jwt_span *span, int64_t now, int64_t leeway)
{
	return !expired(span->exp, now, leeway) &&
	       !early(span->nbf, now, leeway) && !early(span->iat, now, leeway);
}

static bool
check_dates(const json_t *claims, int64_t now, int64_t leeway,
	    ma_jwt_span *span, ma_error *error)
{
	bool present;

	span->nbf = span->iat = NAN;
	if (!date_claim(claims, "exp", &span->exp, &present, error)) {
		if (!present)
			_ma_error_set(error, MA_ERR_AUTH,
				      "the token has no exp (expiry) claim");
		return false;
	}
	if (expired(span->exp, now, leeway)) {
		_ma_error_set(error, MA_ERR_AUTH, "the token expired");
		return false;
	}
	if (!date_claim(claims, "nbf", &span->nbf, &present, error) && present)
		return false;
	if (early(span->nbf, now, leeway)) {
		_ma_error_set(error, MA_ERR_AUTH,
			      "the token is not valid yet (nbf)");
		return false;
	}
	if (!date_claim(claims, "iat", &span->iat, &present, error) && present)
		return false;
	if (early(span->iat, now, leeway)) {
		_ma_error_set(error, MA_ERR_AUTH,
			      "the token was issued in the future (iat)");
		return false;
	}
	return true;
}

/* aud: one string, or an array of strings (RFC 7519 section 4.1.3). */
static bool
has_audience(const json_t *aud, const char *audience)
{
	const json_t *v;
	size_t i;

	if (json_is_string(aud))
		return strcmp(json_string_value(aud), audience) == 0;
	for (i = 0; i < json_array_size(aud); i++) {
		v = json_array_get(aud, i);
		if (json_is_string(v) &&
		    strcmp(json_string_value(v), audience) == 0)
			return true;
	}
	return false;
}

/* A claim that must be a plain string: no NUL inside, at most
 * MA_USER_MAX_NAME bytes, not empty. */
static bool
plain_string(const json_t *v)
{
	return json_is_string(v) && json_string_length(v) > 0 &&
	       json_string_length(v) <= MA_USER_MAX_NAME &&
	       strlen(json_string_value(v)) == json_string_length(v);
}

/* The caller named by verified claims; NULL with error. */
static struct ma_user *
claims_user(const json_t *claims, const ma_jwt_rules *rules, ma_error *error)
{
	const json_t *sub = member(claims, "sub");
	const json_t *roles = member(claims, rules->roles_claim);
	const json_t *v;
	struct ma_user *user;
	size_t i;

	if (sub == NULL) {
		_ma_error_set(error, MA_ERR_AUTH,
			      "the token has no sub (subject) claim");
		return NULL;
	}
	if (!plain_string(sub)) {
		_ma_error_set(error, MA_ERR_AUTH,
			      "the token's sub is not a non-empty string of "
			      "at most %d bytes",
			      MA_USER_MAX_NAME);
		return NULL;
	}
	if (roles != NULL && !json_is_array(roles)) {
		_ma_error_set(error, MA_ERR_AUTH,
			      "the token's %.64s claim is not an array",
			      rules->roles_claim);
		return NULL;
	}
	for (i = 0; i < json_array_size(roles); i++) {
		v = json_array_get(roles, i);
		if (!plain_string(v) || i >= MA_USER_MAX_ROLES) {
			_ma_error_set(error, MA_ERR_AUTH,
				      "the token's %.64s claim is not an array "
				      "of at most %d non-empty strings",
				      rules->roles_claim, MA_USER_MAX_ROLES);
			return NULL;
		}
	}
	user = bson_malloc0(sizeof(*user));
	user->name = bson_strdup(json_string_value(sub));
	user->nroles = json_array_size(roles);
	user->roles = bson_malloc0((user->nroles + 1) * sizeof(char *));
	for (i = 0; i < user->nroles; i++)
		user->roles[i] = bson_strdup(
			json_string_value(json_array_get(roles, i)));
	return user;
}

static bool
check_claims(const json_t *claims, const ma_jwt_rules *rules, int64_t now,
	     ma_jwt_span *span, ma_error *error)
{
	const char *iss = str_member(claims, "iss");

	if (!check_dates(claims, now, rules->leeway, span, error))
		return false;
	if (rules->issuer != NULL &&
	    (iss == NULL || strcmp(iss, rules->issuer) != 0)) {
		_ma_error_set(error, MA_ERR_AUTH,
			      "the token's issuer (iss) is not the one this "
			      "service trusts");
		return false;
	}
	if (rules->audience != NULL &&
	    !has_audience(member(claims, "aud"), rules->audience)) {
		_ma_error_set(error, MA_ERR_AUTH,
			      "the token's audience (aud) does not name this "
			      "service");
		return false;
	}
	return true;
}

bool
_ma_jwt_verify(const ma_jwks *keys, const ma_jwt_rules *rules,
	       const char *token, size_t len, int64_t now,
	       struct ma_user **user, ma_error *error)
{
	ma_jwt_span span;

	return _ma_jwt_verify_span(keys, rules, token, len, now, user, &span,
				   error);
}

bool
_ma_jwt_verify_span(const ma_jwks *keys, const ma_jwt_rules *rules,
		    const char *token, size_t len, int64_t now,
		    struct ma_user **user, ma_jwt_span *span, ma_error *error)
{
	const char *dot1, *dot2, *end = token + len;
	json_t *header = NULL, *claims = NULL, *jws = NULL;
	const json_t *key;

	*user = NULL;
	ma_error_clear(error);
	if (len > MA_JWT_MAX_TOKEN) {
		_ma_error_set(error, MA_ERR_AUTH,
			      "the token is longer than %d bytes",
			      MA_JWT_MAX_TOKEN);
		return false;
	}
	dot1 = memchr(token, '.', len);
	dot2 = dot1 != NULL ? memchr(dot1 + 1, '.', end - dot1 - 1) : NULL;
	if (dot2 == NULL || memchr(dot2 + 1, '.', end - dot2 - 1) != NULL ||
	    dot2 + 1 == end) {
		_ma_error_set(error, MA_ERR_AUTH,
			      "the token is not three base64url parts joined "
			      "by dots (a signed JWT)");
		return false;
	}

	/* The header picks the key; nothing else of the token is read
	 * before the signature is verified with it. */
	header = decode_part(token, dot1 - token, "header", error);
	key = header != NULL ? header_key(keys, header, error) : NULL;
	if (key == NULL)
		goto done;
	jws = json_pack("{s:s%,s:s%,s:s%}", "protected", token,
			(size_t)(dot1 - token), "payload", dot1 + 1,
			(size_t)(dot2 - dot1 - 1), "signature", dot2 + 1,
			(size_t)(end - dot2 - 1));
	if (jws == NULL) {
		_ma_error_set(error, MA_ERR_AUTH, "the token is not base64url");
		goto done;
	}
	if (!jose_jws_ver(keys->cfg, jws, NULL, key, false)) {
		_ma_error_set(error, MA_ERR_AUTH,
			      "the token's signature does not verify");
		goto done;
	}
	claims = decode_part(dot1 + 1, dot2 - dot1 - 1, "payload", error);
	if (claims != NULL && check_claims(claims, rules, now, span, error))
		*user = claims_user(claims, rules, error);

done:
	json_decref(header);
	json_decref(claims);
	json_decref(jws);
	return *user != NULL;
}
