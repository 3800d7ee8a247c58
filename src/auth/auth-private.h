/*
 * Access control's internals: the JWK Set and the bearer-token check
 * (jwt.c, the one file that speaks libjose and its JSON library,
 * jansson), the callers an application trusts (auth.c), and the 401 and
 * 403 answers.
 *
 * This header includes neither JSON library: jwt.c includes jansson's,
 * the files above it json-c's, and the two never meet in one file.
 */
#ifndef MA_AUTH_PRIVATE_H
#define MA_AUTH_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mongoalchemy/auth.h>
#include <mongoalchemy/error.h>
#include <mongoalchemy/http.h>

/* A compact JWS above this many bytes is refused before it is decoded. */
#define MA_JWT_MAX_TOKEN 8192
/* The most roles one caller may carry, and the longest name or role. */
#define MA_USER_MAX_ROLES 64
#define MA_USER_MAX_NAME 256

/* A caller: the name (a token's sub, the front end's REMOTE_USER) and
 * the roles. Owned by whoever identified it; ma_user_destroy() frees it. */
struct ma_user {
	char *name;
	char **roles;
	size_t nroles;
};

/* --- user.c --------------------------------------------------------------- */

/* A copy of user, with copies of its name and roles. */
struct ma_user *_ma_user_copy(const struct ma_user *user);

/* --- jwt.c ---------------------------------------------------------------- */

/* A JWK Set, each key with its kid and the one algorithm it verifies. */
typedef struct ma_jwks ma_jwks;

/*
 * Reads the JWK Set at path. Refused (MA_ERR_CONFIG, naming the key): a
 * file that is not a JSON object with a non-empty "keys" array, a key
 * without a kid or with one another key has, an alg not allowed (RS*,
 * PS*, ES*, HS* of 256, 384 or 512 bits) or missing, a key of another
 * type than its alg (an EC key of another curve), an HMAC secret shorter
 * than its hash, a key whose use or key_ops exclude verifying.
 */
ma_jwks *_ma_jwks_load(const char *path, ma_error *error);
void _ma_jwks_destroy(ma_jwks *keys);
size_t _ma_jwks_count(const ma_jwks *keys);

/* What a token's claims must say besides its signature. */
typedef struct ma_jwt_rules {
	const char *issuer;	 /* NULL: iss not checked */
	const char *audience;	 /* NULL: aud not checked */
	const char *roles_claim; /* never NULL */
	int64_t leeway;		 /* seconds, for exp, nbf and iat */
} ma_jwt_rules;

/*
 * Verifies a compact JWS (RFC 7515) of len bytes at the time now
 * (seconds since the epoch) against keys and rules: the key named by the
 * header's kid, with that key's algorithm (the header's alg must be the
 * same); then exp (required), nbf, iat, iss and aud, sub (a non-empty
 * string, required) and the roles claim (absent, or an array of
 * strings). On success *user is a new caller. On failure error
 * (MA_ERR_AUTH) says what was wrong in words that never quote the token.
 */
bool _ma_jwt_verify(const ma_jwks *keys, const ma_jwt_rules *rules,
		    const char *token, size_t len, int64_t now,
		    struct ma_user **user, ma_error *error);

/* The dates of a verified token: exp, and nbf and iat (NaN when the
 * token has none). */
typedef struct ma_jwt_span {
	double exp, nbf, iat;
} ma_jwt_span;

/* _ma_jwt_verify(), and on success the token's dates in *span. */
bool _ma_jwt_verify_span(const ma_jwks *keys, const ma_jwt_rules *rules,
			 const char *token, size_t len, int64_t now,
			 struct ma_user **user, ma_jwt_span *span,
			 ma_error *error);

/* Whether the dates of span pass at now with leeway: the very rules
 * _ma_jwt_verify() applies to exp, nbf and iat. */
bool _ma_jwt_span_holds(const ma_jwt_span *span, int64_t now, int64_t leeway);

/* --- jwt_cache.c ---------------------------------------------------------- */

/* The most tokens one cache (one worker) keeps. */
#define MA_JWT_CACHE_SIZE 256

/*
 * The tokens a worker verified, so that the next request with the same
 * token skips the signature. An entry is the SHA-256 of the exact token
 * bytes (the token itself is not kept), its dates and its caller; it
 * serves only while its dates pass at the time asked (exp, nbf and iat
 * with the leeway, as a full check would), and the owner flushes the
 * cache whenever it reads the key set, so no token outlives its key.
 * Full, a new entry replaces one whose dates no longer pass, else the
 * one that expires first. Not shared between threads.
 */
typedef struct ma_jwt_cache ma_jwt_cache;

/* A cache of at most capacity tokens (0: a cache that keeps nothing)
 * for checks with leeway seconds. */
ma_jwt_cache *_ma_jwt_cache_new(size_t capacity, int64_t leeway);
void _ma_jwt_cache_destroy(ma_jwt_cache *cache);
void _ma_jwt_cache_flush(ma_jwt_cache *cache);
size_t _ma_jwt_cache_count(const ma_jwt_cache *cache);

/* The caller of the token of len bytes when the cache holds it and its
 * dates pass at now: a new ma_user, the caller's to destroy. NULL
 * otherwise; an entry whose dates no longer pass is dropped. */
struct ma_user *_ma_jwt_cache_get(ma_jwt_cache *cache, const char *token,
				  size_t len, int64_t now);

/* Keeps user (copied) for the token of len bytes, verified with dates
 * span, at now. */
void _ma_jwt_cache_put(ma_jwt_cache *cache, const char *token, size_t len,
		       const ma_jwt_span *span, const struct ma_user *user,
		       int64_t now);

/* --- auth.c --------------------------------------------------------------- */

/* The callers an application trusts: bearer tokens, the front end's
 * users, or both. */
typedef struct ma_auth ma_auth;

ma_auth *_ma_auth_new(void);
void _ma_auth_destroy(void *auth);

/* Trusts tokens of opts (ma_app_auth_jwt()); reads the key set. */
bool _ma_auth_set_jwt(ma_auth *auth, const ma_jwt_options *opts,
		      ma_error *error);
/* Trusts REMOTE_USER, roles in the parameter roles_param (may be NULL). */
void _ma_auth_set_frontend(ma_auth *auth, const char *roles_param);
/* Whether any caller can be trusted at all. */
bool _ma_auth_enabled(const ma_auth *auth);

/* Whether auth checks bearer tokens (ma_app_auth_jwt()); auth may be
 * NULL. */
bool _ma_auth_bearer(const ma_auth *auth);

/* Reads the key set again (a worker's start): on failure the keys stay
 * as they were, and the log says why. */
void _ma_auth_reload(ma_auth *auth);

/*
 * The caller of req, who must have one of roles (NULL-terminated; NULL:
 * any caller), at now (seconds since the epoch). NULL when there is none
 * or it may not: the 401 or 403 is answered in res, its challenge naming
 * realm.
 */
struct ma_user *_ma_auth_check(const ma_auth *auth, const char *realm,
			       const ma_request *req, ma_response *res,
			       const char *const *roles, int64_t now);

#endif
