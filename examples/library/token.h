/*
 * Development tokens for the library (token.c, on libjose): a JWK Set
 * of new keys, and a token signed by one of them. For trying the service
 * and for its tests; a real deployment gets its tokens from its identity
 * provider and gives the worker only the public keys.
 *
 * This header includes no JSON library: token.c speaks jansson, the
 * callers may speak json-c.
 */
#ifndef LIBRARY_TOKEN_H
#define LIBRARY_TOKEN_H

#include <stdbool.h>

#include <mongoalchemy.h>

/*
 * Writes to path a new JWK Set of two keys, kid "dev-hs256" (HS256) and
 * kid "dev-rs256" (RS256), private halves included: the file is a
 * secret. false with error (MA_ERR_CONFIG) when it cannot be written.
 */
bool library_token_keys(const char *path, ma_error *error);

/*
 * Writes to out the public halves of the asymmetric keys of the set at
 * path (the HMAC key, a secret, is left out): what a worker that runs
 * as another user may read. false with error when either file fails.
 */
bool library_token_public(const char *path, const char *out, ma_error *error);

/*
 * A compact JWS of claims (a JSON object's text, taken as it is) signed
 * by the key kid of the set at path, with its alg and kid in the header.
 * NULL with error when the set or the key cannot be read. bson_free() it.
 */
char *library_token_sign(const char *path, const char *kid, const char *claims,
			 ma_error *error) MA_WARN_UNUSED_RESULT;

#endif
