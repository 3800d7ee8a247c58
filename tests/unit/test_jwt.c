/*
 * Bearer tokens: the JWK Set as it is loaded, and each token, honest or
 * hostile, with the answer it gets. Keys and signatures are libjose's.
 */
#include <criterion/criterion.h>

#include "auth/auth-private.h"
#include "jwt_keys.h"

static test_keys keys;
static ma_jwks *set;
static ma_jwt_rules rules = {NULL, NULL, "roles", 30};

static void
setup(void)
{
	set = test_keys_load(&keys);
}

static void
teardown(void)
{
	_ma_jwks_destroy(set);
	test_keys_free(&keys);
}

TestSuite(jwt, .init = setup, .fini = teardown);

/* The token (taken) verified now: the user on success, else NULL with
 * the refusal's message in why. */
static ma_user *
verify(char *token, ma_error *why)
{
	ma_user *user = NULL;
	bool ok = _ma_jwt_verify(set, &rules, token, strlen(token),
				 (int64_t)time(NULL), &user, why);

	free(token);
	cr_assert_eq(ok, user != NULL);
	return user;
}

/* The token (taken) is refused, with this message. */
static void
refused(char *token, const char *message)
{
	ma_error e;
	ma_user *user = verify(token, &e);

	cr_assert_null(user, "accepted, should be: %s", message);
	cr_assert_eq(e.code, MA_ERR_AUTH);
	cr_assert_str_eq(e.message, message);
}

/* --- honest tokens -------------------------------------------------------- */

Test(jwt, rs256_token_names_its_user_and_roles)
{
	ma_error e;
	char *c = claims_for("alice", "[\"editor\",\"reader\"]");
	ma_user *u = verify(mint(keys.rsa, c), &e);

	free(c);
	cr_assert_not_null(u, "%s", e.message);
	cr_assert_str_eq(ma_user_name(u), "alice");
	cr_assert(ma_user_has_role(u, "editor"));
	cr_assert(ma_user_has_role(u, "reader"));
	cr_assert_not(ma_user_has_role(u, "admin"));
	ma_user_destroy(u);
}

Test(jwt, es256_and_hs256_tokens_verify_with_their_keys)
{
	ma_error e;
	char *c = claims_for("bob", NULL);
	ma_user *u = verify(mint(keys.ec, c), &e);

	cr_assert_not_null(u, "%s", e.message);
	cr_assert_str_eq(ma_user_name(u), "bob");
	cr_assert_not(ma_user_has_role(u, "editor"));
	ma_user_destroy(u);
	u = verify(mint(keys.hs, c), &e);
	cr_assert_not_null(u, "%s", e.message);
	cr_assert_str_eq(ma_user_name(u), "bob");
	ma_user_destroy(u);
	free(c);
}

Test(jwt, roles_come_from_the_configured_claim)
{
	ma_error e;
	ma_user *u;
	long long now = (long long)time(NULL);
	char c[256];

	rules.roles_claim = "groups";
	snprintf(c, sizeof(c),
		 "{\"sub\":\"carol\",\"exp\":%lld,\"groups\":[\"admin\"],"
		 "\"roles\":\"not looked at\"}",
		 now + 60);
	u = verify(mint(keys.rsa, c), &e);
	cr_assert_not_null(u, "%s", e.message);
	cr_assert(ma_user_has_role(u, "admin"));
	ma_user_destroy(u);
}

Test(jwt, issuer_and_audience_pass_when_they_match)
{
	ma_error e;
	ma_user *u;
	long long now = (long long)time(NULL);
	char c[256];

	rules.issuer = "https://id.example.org/";
	rules.audience = "library";
	snprintf(c, sizeof(c),
		 "{\"sub\":\"dan\",\"exp\":%lld,\"iss\":\"https://id.example."
		 "org/\",\"aud\":[\"other\",\"library\"]}",
		 now + 60);
	u = verify(mint(keys.rsa, c), &e);
	cr_assert_not_null(u, "%s", e.message);
	ma_user_destroy(u);
}

Test(jwt, a_token_expired_within_the_leeway_passes)
{
	ma_error e;
	ma_user *u;
	char c[128];

	snprintf(c, sizeof(c), "{\"sub\":\"eve\",\"exp\":%lld}",
		 (long long)time(NULL) - 10);
	u = verify(mint(keys.rsa, c), &e);
	cr_assert_not_null(u, "%s", e.message);
	ma_user_destroy(u);
}

/* --- hostile tokens: the header and the signature ------------------------- */

Test(jwt, alg_none_is_refused)
{
	char *c = claims_for("mallory", "[\"admin\"]");
	char *h = b64("{\"alg\":\"none\",\"kid\":\"rsa1\"}"), *p = b64(c);

	refused(join3(h, p, ""),
		"the token is not three base64url parts joined by dots (a "
		"signed JWT)");
	free(h);
	free(c);
	h = b64("{\"alg\":\"none\",\"kid\":\"rsa1\"}");
	refused(join3(h, p, "AAAA"),
		"the token's alg is not its key's (RS256)");
	free(h);
	free(p);
}

/* The classic confusion: the RSA key's public half (what anyone can
 * read) used as an HMAC secret, the header asking for HS256. */
Test(jwt, hs256_signed_with_the_rsa_public_key_is_refused)
{
	json_t *pub = public_half(keys.rsa);
	char *text = json_dumps(pub, JSON_COMPACT | JSON_SORT_KEYS);
	json_t *forged =
		json_pack("{s:s,s:s,s:o}", "kty", "oct", "alg", "HS256", "k",
			  jose_b64_enc(text, strlen(text)));
	char *c = claims_for("mallory", "[\"admin\"]");

	refused(mint_raw(forged, "{\"alg\":\"HS256\",\"kid\":\"rsa1\"}", c),
		"the token's alg is not its key's (RS256)");
	free(c);
	free(text);
	json_decref(forged);
	json_decref(pub);
}

/* A PS256 signature by the right RSA key: the key is declared RS256. */
Test(jwt, another_rsa_algorithm_for_the_rsa_key_is_refused)
{
	json_t *any = json_deep_copy(keys.rsa);
	char *c = claims_for("mallory", NULL);

	json_object_del(any, "alg");
	refused(mint_raw(any, "{\"alg\":\"PS256\",\"kid\":\"rsa1\"}", c),
		"the token's alg is not its key's (RS256)");
	free(c);
	json_decref(any);
}

Test(jwt, an_unknown_or_missing_kid_is_refused)
{
	json_t *other = gen_key("RS256", "rsa2");
	char *c = claims_for("mallory", NULL);

	refused(mint(other, c), "no key of this service has the token's kid");
	refused(mint_raw(keys.rsa, "{\"alg\":\"RS256\"}", c),
		"the token's header has no kid (key id)");
	free(c);
	json_decref(other);
}

Test(jwt, a_signature_by_another_key_with_a_known_kid_is_refused)
{
	json_t *other = gen_key("RS256", "rsa1");
	char *c = claims_for("mallory", NULL);

	refused(mint(other, c), "the token's signature does not verify");
	free(c);
	json_decref(other);
}

Test(jwt, a_payload_changed_after_signing_is_refused)
{
	char *c = claims_for("alice", "[\"reader\"]");
	char *token = mint(keys.rsa, c);
	char *evil = claims_for("alice", "[\"admin\"]");
	char *p = b64(evil), *dot1 = strchr(token, '.');
	char *dot2 = strchr(dot1 + 1, '.');

	*dot1 = '\0';
	refused(join3(token, p, dot2 + 1),
		"the token's signature does not verify");
	free(token);
	free(p);
	free(evil);
	free(c);
}

Test(jwt, header_members_asking_for_other_behaviour_are_refused)
{
	char *c = claims_for("mallory", NULL);

	refused(mint_raw(keys.rsa,
			 "{\"alg\":\"RS256\",\"kid\":\"rsa1\",\"crit\":"
			 "[\"b64\"],\"b64\":false}",
			 c),
		"the token's header has a member other than alg, kid, typ "
		"and cty");
	refused(mint_raw(keys.rsa,
			 "{\"alg\":\"RS256\",\"kid\":\"rsa1\",\"jku\":"
			 "\"https://evil.example/jwks\"}",
			 c),
		"the token's header has a member other than alg, kid, typ "
		"and cty");
	free(c);
}

/* --- hostile tokens: the encoding ----------------------------------------- */

Test(jwt, bad_base64url_is_refused)
{
	char *c = claims_for("alice", NULL);
	char *token = mint(keys.rsa, c);

	token[3] = '*';
	refused(token, "the token's header is not base64url");
	token = mint(keys.rsa, c);
	/* Standard base64's alphabet and padding are not base64url. */
	refused(join3("eyJhbGciOiJSUzI1NiIsImtpZCI6InJzYTEifQ==", "e30", "AA"),
		"the token's header is not base64url");
	free(token);
	free(c);
}

Test(jwt, a_header_that_is_not_a_json_object_is_refused)
{
	char *h = b64("not json"), *p = b64("{}");

	refused(join3(h, p, "AAAA"), "the token's header is not a JSON object");
	free(h);
	h = b64("[\"RS256\",\"rsa1\"]");
	refused(join3(h, p, "AAAA"), "the token's header is not a JSON object");
	free(h);
	h = b64("{\"alg\":\"RS256\",\"kid\":\"rsa1\",\"kid\":\"hs1\"}");
	refused(join3(h, p, "AAAA"), "the token's header is not a JSON object");
	free(h);
	free(p);
}

Test(jwt, a_signed_payload_that_is_not_a_json_object_is_refused)
{
	refused(mint(keys.rsa, "hello"),
		"the token's payload is not a JSON object");
	refused(mint(keys.rsa, "[1,2]"),
		"the token's payload is not a JSON object");
	refused(mint(keys.hs, "\"alice\""),
		"the token's payload is not a JSON object");
}

Test(jwt, a_token_over_8_kib_is_refused_before_decoding)
{
	char *c = malloc(9000), *token;
	long long now = (long long)time(NULL);
	int n;

	n = snprintf(c, 9000, "{\"sub\":\"alice\",\"exp\":%lld,\"pad\":\"",
		     now + 60);
	memset(c + n, 'x', 7000);
	strcpy(c + n + 7000, "\"}");
	token = mint(keys.rsa, c);
	cr_assert_gt(strlen(token), 8192);
	refused(token, "the token is longer than 8192 bytes");
	free(c);
}

Test(jwt, a_token_of_two_or_four_parts_is_refused)
{
	const char *msg = "the token is not three base64url parts joined by "
			  "dots (a signed JWT)";
	char *c = claims_for("alice", NULL);
	char *token = mint(keys.rsa, c);
	char *four = malloc(strlen(token) + 8);

	sprintf(four, "%s.AAAA", token);
	refused(four, msg);
	*strrchr(token, '.') = '\0';
	refused(token, msg);
	refused(strdup(""), msg);
	free(c);
}

/* --- hostile tokens: the claims ------------------------------------------- */

/* Claims of the text before, the number when, and the text after. */
static void
refused_claims(const char *before, long long when, const char *after,
	       const char *message)
{
	char c[256];

	snprintf(c, sizeof(c), "%s%lld%s", before, when, after);
	refused(mint(keys.rsa, c), message);
}

Test(jwt, an_expired_token_is_refused)
{
	refused_claims("{\"sub\":\"alice\",\"exp\":",
		       (long long)time(NULL) - 120, "}", "the token expired");
}

Test(jwt, a_token_without_exp_or_with_a_text_exp_is_refused)
{
	refused_claims("{\"sub\":\"alice\",\"iat\":", (long long)time(NULL),
		       "}", "the token has no exp (expiry) claim");
	refused_claims("{\"sub\":\"alice\",\"exp\":\"",
		       (long long)time(NULL) + 60, "\"}",
		       "the token's exp claim is not a number");
}

Test(jwt, a_token_not_yet_valid_is_refused)
{
	long long now = (long long)time(NULL);
	char c[256];

	snprintf(c, sizeof(c), "{\"sub\":\"alice\",\"exp\":%lld,\"nbf\":%lld}",
		 now + 3600, now + 600);
	refused(mint(keys.rsa, c), "the token is not valid yet (nbf)");
	snprintf(c, sizeof(c), "{\"sub\":\"alice\",\"exp\":%lld,\"iat\":%lld}",
		 now + 3600, now + 600);
	refused(mint(keys.rsa, c), "the token was issued in the future (iat)");
	snprintf(c, sizeof(c), "{\"sub\":\"alice\",\"exp\":%lld,\"nbf\":null}",
		 now + 3600);
	refused(mint(keys.rsa, c), "the token's nbf claim is not a number");
}

Test(jwt, a_wrong_issuer_or_audience_is_refused)
{
	long long now = (long long)time(NULL);
	char c[256];

	rules.issuer = "https://id.example.org/";
	rules.audience = "library";
	snprintf(c, sizeof(c),
		 "{\"sub\":\"alice\",\"exp\":%lld,\"iss\":\"https://evil."
		 "example/\",\"aud\":\"library\"}",
		 now + 60);
	refused(mint(keys.rsa, c), "the token's issuer (iss) is not the one "
				   "this service trusts");
	snprintf(c, sizeof(c),
		 "{\"sub\":\"alice\",\"exp\":%lld,\"aud\":\"library\"}",
		 now + 60);
	refused(mint(keys.rsa, c), "the token's issuer (iss) is not the one "
				   "this service trusts");
	snprintf(c, sizeof(c),
		 "{\"sub\":\"alice\",\"exp\":%lld,\"iss\":\"https://id."
		 "example.org/\",\"aud\":[\"shop\"]}",
		 now + 60);
	refused(mint(keys.rsa, c), "the token's audience (aud) does not name "
				   "this service");
}

Test(jwt, sub_missing_or_not_a_string_is_refused)
{
	const char *not_string = "the token's sub is not a non-empty string "
				 "of at most 256 bytes";

	refused_claims("{\"exp\":", (long long)time(NULL) + 60, "}",
		       "the token has no sub (subject) claim");
	refused_claims("{\"sub\":42,\"exp\":", (long long)time(NULL) + 60, "}",
		       not_string);
	refused_claims("{\"sub\":\"\",\"exp\":", (long long)time(NULL) + 60,
		       "}", not_string);
	/* jansson refuses \u0000 in a string: a NUL never reaches a name. */
	refused_claims("{\"sub\":\"al\\u0000ice\",\"exp\":",
		       (long long)time(NULL) + 60, "}",
		       "the token's payload is not a JSON object");
}

Test(jwt, roles_not_an_array_of_strings_are_refused)
{
	refused_claims("{\"sub\":\"alice\",\"exp\":",
		       (long long)time(NULL) + 60, ",\"roles\":\"admin\"}",
		       "the token's roles claim is not an array");
	refused_claims("{\"sub\":\"alice\",\"exp\":",
		       (long long)time(NULL) + 60, ",\"roles\":[\"admin\",1]}",
		       "the token's roles claim is not an array of at most 64 "
		       "non-empty strings");
}

/* --- the key set ---------------------------------------------------------- */

/* The set made of one key (taken), loaded: its error message. */
static const char *
load_error(json_t *key)
{
	static ma_error e;
	ma_jwks *s;

	write_jwks(keys.path, json_pack("[o]", key));
	s = _ma_jwks_load(keys.path, &e);
	cr_assert_null(s);
	cr_assert_eq(e.code, MA_ERR_CONFIG);
	return e.message;
}

Test(jwt, the_set_holds_each_key_once)
{
	cr_assert_eq(_ma_jwks_count(set), 3);
}

Test(jwt, keys_without_kid_or_a_known_alg_are_refused)
{
	json_t *k = public_half(keys.rsa);

	json_object_del(k, "kid");
	cr_assert_str_eq(load_error(k), "JWK Set: key 1 has no kid");
	k = public_half(keys.rsa);
	json_object_del(k, "alg");
	cr_assert_str_eq(load_error(k),
			 "JWK Set: key 'rsa1' has no alg of RS, PS, ES or HS "
			 "256, 384 or 512");
	k = public_half(keys.rsa);
	json_object_set_new(k, "alg", json_string("none"));
	cr_assert_str_eq(load_error(k),
			 "JWK Set: key 'rsa1' has no alg of RS, PS, ES or HS "
			 "256, 384 or 512");
}

Test(jwt, a_key_of_another_type_than_its_alg_is_refused)
{
	json_t *k = public_half(keys.rsa);

	json_object_set_new(k, "alg", json_string("ES256"));
	cr_assert_str_eq(load_error(k), "JWK Set: key 'rsa1' is not a EC "
					"P-256 key, as ES256 needs");
	k = public_half(keys.ec);
	json_object_set_new(k, "alg", json_string("HS256"));
	cr_assert_str_eq(load_error(k), "JWK Set: key 'ec1' is not a oct "
					"key, as HS256 needs");
}

Test(jwt, a_short_hmac_secret_is_refused)
{
	json_t *k = json_pack("{s:s,s:s,s:s,s:o}", "kty", "oct", "kid", "hs0",
			      "alg", "HS256", "k",
			      jose_b64_enc("sixteen bytes!!!", 16));

	cr_assert_str_eq(load_error(k), "JWK Set: key 'hs0' has a secret "
					"shorter than 32 bytes, the size of "
					"HS256's hash");
}

Test(jwt, a_key_for_encryption_only_is_refused)
{
	json_t *k = public_half(keys.rsa);

	json_object_del(k, "key_ops");
	json_object_set_new(k, "use", json_string("enc"));
	cr_assert_str_eq(load_error(k),
			 "JWK Set: key 'rsa1' is not for verifying (its use or "
			 "key_ops), or incomplete");
}

Test(jwt, two_keys_with_one_kid_are_refused)
{
	ma_error e;

	write_jwks(keys.path, json_pack("[o,o]", public_half(keys.rsa),
					public_half(keys.rsa)));
	cr_assert_null(_ma_jwks_load(keys.path, &e));
	cr_assert_str_eq(e.message, "JWK Set: two keys have the kid 'rsa1'");
}

Test(jwt, a_file_that_is_not_a_key_set_is_refused)
{
	ma_error e;
	FILE *f = fopen(keys.path, "w");

	fputs("{\"keys\": []}", f);
	fclose(f);
	cr_assert_null(_ma_jwks_load(keys.path, &e));
	cr_assert(strstr(e.message, "not an object with a non-empty \"keys\" "
				    "array") != NULL,
		  "%s", e.message);
	cr_assert_null(_ma_jwks_load("/nonexistent/jwks.json", &e));
	cr_assert_eq(e.code, MA_ERR_CONFIG);
	cr_assert(strstr(e.message, "/nonexistent/jwks.json") != NULL, "%s",
		  e.message);
}

Test(jwt, a_set_holding_a_private_key_verifies_with_it)
{
	ma_error e;
	ma_jwks *s;
	ma_user *u;
	char *c = claims_for("alice", NULL), *token;

	write_jwks(keys.path, json_pack("[O]", keys.rsa));
	s = _ma_jwks_load(keys.path, &e);
	cr_assert_not_null(s, "%s", e.message);
	token = mint(keys.rsa, c);
	cr_assert(_ma_jwt_verify(s, &rules, token, strlen(token),
				 (int64_t)time(NULL), &u, &e),
		  "%s", e.message);
	ma_user_destroy(u);
	_ma_jwks_destroy(s);
	free(token);
	free(c);
}
