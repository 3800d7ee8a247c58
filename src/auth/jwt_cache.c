/*
 * The tokens a worker has verified. Checking a signature costs more than
 * the rest of a read (an RS256 check is about as much CPU as a whole
 * get by id, most of it libjose turning the JWK into an OpenSSL key),
 * and a client sends the same token with every request until it
 * expires: the second time, the token's digest finds its caller.
 *
 * What keeps it as strict as a full check: the key is the SHA-256 of the
 * exact bytes (one byte changed is another token, and the token itself
 * is not kept in memory); a hit re-checks exp, nbf and iat against the
 * clock with the rules of jwt.c (_ma_jwt_span_holds()); the issuer,
 * audience and roles claim are the owner's, fixed for the cache's life;
 * and the owner flushes it whenever the key set is read, so a token is
 * never taken after its key left the set. Digests and SHA-256 are
 * OpenSSL's, as under libjose.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "auth/auth-private.h"
#include "core/core.h"

#define DIGEST_LEN 32 /* SHA-256 */

typedef struct entry {
	unsigned char digest[DIGEST_LEN];
	ma_jwt_span span;
	struct ma_user *user;
} entry;

struct ma_jwt_cache {
	entry *entries;
	size_t count, capacity;
	int64_t leeway;
};

ma_jwt_cache *
_ma_jwt_cache_new(size_t capacity, int64_t leeway)
{
	ma_jwt_cache *cache = bson_malloc0(sizeof(*cache));

	cache->capacity = capacity;
	cache->leeway = leeway;
	cache->entries =
		capacity > 0 ? bson_malloc0(capacity * sizeof(entry)) : NULL;
	return cache;
}

void
_ma_jwt_cache_flush(ma_jwt_cache *cache)
{
	size_t i;

	if (cache == NULL)
		return;
	for (i = 0; i < cache->count; i++)
		ma_user_destroy(cache->entries[i].user);
	cache->count = 0;
}

void
_ma_jwt_cache_destroy(ma_jwt_cache *cache)
{
	if (cache == NULL)
		return;
	_ma_jwt_cache_flush(cache);
	bson_free(cache->entries);
	bson_free(cache);
}

size_t
_ma_jwt_cache_count(const ma_jwt_cache *cache)
{
	return cache != NULL ? cache->count : 0;
}

static bool
digest_of(const char *token, size_t len, unsigned char *out)
{
	unsigned int n = 0;

	return EVP_Digest(token, len, out, &n, EVP_sha256(), NULL) == 1 &&
	       n == DIGEST_LEN;
}

/* The entry of digest; NULL when none. The first bytes are compared
 * plainly to pass over the others quickly: they belong to a digest, and
 * learning how far the digest of a token one sends matches a kept one
 * tells nothing of the kept token. The whole digest is then compared in
 * constant time. */
static entry *
find(ma_jwt_cache *cache, const unsigned char *digest)
{
	entry *e;
	size_t i;

	for (i = 0; i < cache->count; i++) {
		e = &cache->entries[i];
		if (memcmp(e->digest, digest, 8) == 0 &&
		    CRYPTO_memcmp(e->digest, digest, DIGEST_LEN) == 0)
			return e;
	}
	return NULL;
}

static void
drop(ma_jwt_cache *cache, entry *e)
{
	ma_user_destroy(e->user);
	*e = cache->entries[--cache->count];
}

struct ma_user *
_ma_jwt_cache_get(ma_jwt_cache *cache, const char *token, size_t len,
		  int64_t now)
{
	unsigned char digest[DIGEST_LEN];
	entry *e;

	if (cache == NULL || cache->count == 0 ||
	    !digest_of(token, len, digest))
		return NULL;
	e = find(cache, digest);
	if (e == NULL)
		return NULL;
	if (!_ma_jwt_span_holds(&e->span, now, cache->leeway)) {
		/* The full check says why, in its own words. */
		drop(cache, e);
		return NULL;
	}
	return _ma_user_copy(e->user);
}

/* The entry a new token takes when the cache is full: one whose dates
 * no longer pass, else the one that expires first. */
static entry *
victim(ma_jwt_cache *cache, int64_t now)
{
	entry *e, *first = &cache->entries[0];
	size_t i;

	for (i = 0; i < cache->count; i++) {
		e = &cache->entries[i];
		if (!_ma_jwt_span_holds(&e->span, now, cache->leeway))
			return e;
		if (e->span.exp < first->span.exp)
			first = e;
	}
	return first;
}

void
_ma_jwt_cache_put(ma_jwt_cache *cache, const char *token, size_t len,
		  const ma_jwt_span *span, const struct ma_user *user,
		  int64_t now)
{
	unsigned char digest[DIGEST_LEN];
	entry *e;

	if (cache == NULL || cache->capacity == 0 ||
	    !digest_of(token, len, digest))
		return;
	e = find(cache, digest);
	if (e != NULL)
		ma_user_destroy(e->user);
	else if (cache->count < cache->capacity)
		e = &cache->entries[cache->count++];
	else {
		e = victim(cache, now);
		ma_user_destroy(e->user);
	}
	memcpy(e->digest, digest, DIGEST_LEN);
	e->span = *span;
	e->user = _ma_user_copy(user);
}
