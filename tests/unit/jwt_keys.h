/*
 * Keys and tokens for the access-control tests, made with libjose: an
 * RSA (RS256), an EC (ES256) and an HMAC (HS256) key, their JWK Set in a
 * temporary file, honest tokens signed by them and hostile ones built
 * part by part.
 */
#ifndef JWT_KEYS_H
#define JWT_KEYS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jose/jose.h>

typedef struct test_keys {
	json_t *rsa, *ec, *hs; /* private JWKs, kid rsa1, ec1, hs1 */
	char path[64];	       /* the JWK Set (public halves and hs1) */
} test_keys;

/* A member's string. Not json_object_get(): json-c, linked too, has a
 * function of that name (see src/auth/jwt.c). */
static inline const char *
str_of(const json_t *obj, const char *name)
{
	void *it = json_object_iter_at((json_t *)obj, name);

	return it != NULL ? json_string_value(json_object_iter_value(it))
			  : NULL;
}

/* A key of alg with kid, generated. */
static inline json_t *
gen_key(const char *alg, const char *kid)
{
	json_t *jwk = json_pack("{s:s,s:s}", "alg", alg, "kid", kid);

	if (!jose_jwk_gen(NULL, jwk)) {
		fprintf(stderr, "jose_jwk_gen(%s) failed\n", alg);
		abort();
	}
	/* jose_jwk_gen() adds key_ops [sign, verify]; a verifier's copy
	 * keeps verify. */
	return jwk;
}

/* The public half, for the set. */
static inline json_t *
public_half(const json_t *jwk)
{
	json_t *pub = json_deep_copy(jwk);

	jose_jwk_pub(NULL, pub);
	json_object_set_new(pub, "key_ops", json_pack("[s]", "verify"));
	return pub;
}

/* Writes keys (a JSON array, taken) as a JWK Set to path. */
static inline void
write_jwks(const char *path, json_t *keys)
{
	json_t *set = json_pack("{s:o}", "keys", keys);

	if (json_dump_file(set, path, JSON_COMPACT) != 0)
		abort();
	json_decref(set);
}

static inline void
test_keys_make(test_keys *k)
{
	int fd;

	k->rsa = gen_key("RS256", "rsa1");
	k->ec = gen_key("ES256", "ec1");
	k->hs = gen_key("HS256", "hs1");
	snprintf(k->path, sizeof(k->path), "/tmp/ma-jwks.XXXXXX");
	fd = mkstemp(k->path);
	if (fd < 0)
		abort();
	close(fd);
	write_jwks(k->path, json_pack("[o,o,O]", public_half(k->rsa),
				      public_half(k->ec), k->hs));
}

static inline void
test_keys_free(test_keys *k)
{
	unlink(k->path);
	json_decref(k->rsa);
	json_decref(k->ec);
	json_decref(k->hs);
}

#ifdef MA_AUTH_PRIVATE_H
/* Makes k's keys and loads their set as the worker would (with
 * criterion.h and auth-private.h included first). */
static inline ma_jwks *
test_keys_load(test_keys *k)
{
	ma_jwks *set;
	ma_error e;

	test_keys_make(k);
	set = _ma_jwks_load(k->path, &e);
	cr_assert_not_null(set, "%s", e.message);
	return set;
}
#endif

/* base64url of a string. The result is the caller's (free()). */
static inline char *
b64(const char *s)
{
	json_t *j = jose_b64_enc(s, strlen(s));
	char *out = strdup(json_string_value(j));

	json_decref(j);
	return out;
}

/* "a.b.c" from three strings; the result is the caller's. */
static inline char *
join3(const char *a, const char *b, const char *c)
{
	size_t n = strlen(a) + strlen(b) + strlen(c) + 3;
	char *out = malloc(n);

	snprintf(out, n, "%s.%s.%s", a, b, c);
	return out;
}

/*
 * A compact JWS of payload (any text) with the protected header header
 * (a JSON object's text), signed by key. The header is signed as given:
 * its alg need not be the key's (libjose signs with the key's type).
 */
static inline char *
mint_raw(const json_t *key, const char *header, const char *payload)
{
	char *h = b64(header), *p = b64(payload), *out;
	json_t *jws = json_pack("{s:s}", "payload", p);
	json_t *sig = json_pack("{s:s}", "protected", h);

	if (!jose_jws_sig(NULL, jws, sig, key)) {
		fprintf(stderr, "jose_jws_sig failed for %s\n", header);
		abort();
	}
	out = join3(h, p, str_of(jws, "signature"));
	json_decref(jws);
	json_decref(sig);
	free(h);
	free(p);
	return out;
}

/* A token signed by key (its own alg and kid) with the claims given as
 * JSON text. */
static inline char *
mint(const json_t *key, const char *claims)
{
	char header[128];

	snprintf(header, sizeof(header), "{\"alg\":\"%s\",\"kid\":\"%s\"}",
		 str_of(key, "alg"), str_of(key, "kid"));
	return mint_raw(key, header, claims);
}

/* Claims for sub, valid for an hour, with the roles given as JSON text
 * (NULL: none). */
static inline char *
claims_for(const char *sub, const char *roles)
{
	char *out = malloc(512);
	long long now = (long long)time(NULL);

	if (roles != NULL)
		snprintf(out, 512,
			 "{\"sub\":\"%s\",\"iat\":%lld,\"exp\":%lld,"
			 "\"roles\":%s}",
			 sub, now, now + 3600, roles);
	else
		snprintf(out, 512, "{\"sub\":\"%s\",\"iat\":%lld,\"exp\":%lld}",
			 sub, now, now + 3600);
	return out;
}

#endif
