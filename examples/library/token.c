/*
 * Development tokens: keys and signatures are libjose's.
 */
#include <string.h>

#include <jose/jose.h>

#include "token.h"

/* A member's string. Not json_object_get(): json-c, linked in the same
 * programs, has a function of that name (see src/auth/jwt.c). */
static const char *
str_of(const json_t *obj, const char *name)
{
	void *it = json_object_iter_at((json_t *)obj, name);

	return it != NULL ? json_string_value(json_object_iter_value(it))
			  : NULL;
}

static void
set_error(ma_error *error, const char *message, const char *what)
{
	if (error == NULL)
		return;
	error->code = MA_ERR_CONFIG;
	error->domain = error->driver_code = 0;
	bson_snprintf(error->message, sizeof(error->message), "%s: %s", message,
		      what);
}

static json_t *
new_key(const char *alg, const char *kid)
{
	json_t *jwk = json_pack("{s:s,s:s}", "alg", alg, "kid", kid);

	if (jwk != NULL && !jose_jwk_gen(NULL, jwk)) {
		json_decref(jwk);
		return NULL;
	}
	return jwk;
}

bool
library_token_keys(const char *path, ma_error *error)
{
	json_t *hs = new_key("HS256", "dev-hs256");
	json_t *rs = new_key("RS256", "dev-rs256");
	json_t *set = hs && rs ? json_pack("{s:[O,O]}", "keys", hs, rs) : NULL;
	bool ok = set != NULL && json_dump_file(set, path, JSON_INDENT(2)) == 0;

	if (!ok)
		set_error(error, "cannot write a JWK Set to", path);
	json_decref(set);
	json_decref(hs);
	json_decref(rs);
	return ok;
}

bool
library_token_public(const char *path, const char *out, ma_error *error)
{
	json_t *set = json_load_file(path, 0, NULL), *keys, *pub, *jwk;
	json_t *list = json_array();
	bool ok = false;
	size_t i;

	keys = set != NULL ? json_object_iter_value(
				     json_object_iter_at(set, "keys"))
			   : NULL;
	for (i = 0; i < json_array_size(keys); i++) {
		jwk = json_array_get(keys, i);
		if (str_of(jwk, "kty") == NULL ||
		    strcmp(str_of(jwk, "kty"), "oct") == 0)
			continue;
		jwk = json_deep_copy(jwk);
		if (jwk == NULL || !jose_jwk_pub(NULL, jwk)) {
			json_decref(jwk);
			goto done;
		}
		json_array_append_new(list, jwk);
	}
	pub = json_pack("{s:O}", "keys", list);
	ok = pub != NULL && json_array_size(list) > 0 &&
	     json_dump_file(pub, out, JSON_INDENT(2)) == 0;
	json_decref(pub);
done:
	if (!ok)
		set_error(error, "cannot write the public keys of", path);
	json_decref(list);
	json_decref(set);
	return ok;
}

char *
library_token_sign(const char *path, const char *kid, const char *claims,
		   ma_error *error)
{
	json_t *set = json_load_file(path, 0, NULL), *keys, *key = NULL;
	json_t *jws = NULL, *sig = NULL;
	char *token = NULL;
	size_t i;

	keys = set != NULL ? json_object_iter_value(
				     json_object_iter_at(set, "keys"))
			   : NULL;
	for (i = 0; i < json_array_size(keys) && key == NULL; i++) {
		const char *k = str_of(json_array_get(keys, i), "kid");

		if (k != NULL && strcmp(k, kid) == 0)
			key = json_array_get(keys, i);
	}
	if (key == NULL) {
		set_error(error, "no key of that kid in", path);
		goto done;
	}
	jws = json_pack("{s:o}", "payload",
			jose_b64_enc(claims, strlen(claims)));
	sig = json_pack("{s:{s:s,s:s}}", "protected", "alg", str_of(key, "alg"),
			"kid", kid);
	if (jws == NULL || sig == NULL || !jose_jws_sig(NULL, jws, sig, key)) {
		set_error(error, "cannot sign with the key of", path);
		goto done;
	}
	token = bson_strdup_printf("%s.%s.%s", str_of(jws, "protected"),
				   str_of(jws, "payload"),
				   str_of(jws, "signature"));
done:
	json_decref(sig);
	json_decref(jws);
	json_decref(set);
	return token;
}
