/*
 * fuzz_jwt: the bearer-token path, _ma_jwt_verify(), against a JWK Set
 * of an RS256, an ES256 and an HS256 key made at start.
 *
 * Input: a first byte that picks what the rest is, then the rest:
 * - 0 mod 3: a whole token, as a client sends it;
 * - 1 mod 3: a payload, signed by the HS256 key under an honest header;
 * - 2 mod 3: a protected header, signed with a valid claims payload by
 *   the RS256 key (libjose signs what the header allows it to).
 *
 * Beyond "no crash, no leak, no undefined behaviour", each input checks:
 * - a refusal is MA_ERR_AUTH, its message UTF-8 and never a quote of the
 *   token (any 16 bytes of it);
 * - a token the fuzzer wrote whole never verifies: it holds no key;
 * - a caller let in has a non-empty name of at most MA_USER_MAX_NAME
 *   bytes and at most MA_USER_MAX_ROLES roles, each non-empty.
 */
#include <time.h>
#include <unistd.h>

#include <jose/jose.h>

#include "fuzz.h"
#include "auth/auth-private.h"

static ma_jwks *keys;
static json_t *hs, *rs;
static const ma_jwt_rules rules = {NULL, NULL, "roles", 30};

static json_t *
gen(const char *alg, const char *kid)
{
	json_t *jwk = json_pack("{s:s,s:s}", "alg", alg, "kid", kid);

	if (jwk == NULL || !jose_jwk_gen(NULL, jwk)) {
		fprintf(stderr, "fuzz_jwt: no %s key\n", alg);
		abort();
	}
	return jwk;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[] = "/tmp/fuzz-jwks.XXXXXX";
	json_t *set;
	ma_error e;
	int fd = mkstemp(path);

	(void)argc;
	(void)argv;
	hs = gen("HS256", "hs");
	rs = gen("RS256", "rs");
	set = json_pack("{s:[O,O,o]}", "keys", hs, rs, gen("ES256", "es"));
	if (fd < 0 || set == NULL || json_dump_file(set, path, 0) != 0) {
		fprintf(stderr, "fuzz_jwt: cannot write the key set\n");
		abort();
	}
	close(fd);
	json_decref(set);
	keys = _ma_jwks_load(path, &e);
	unlink(path);
	if (keys == NULL) {
		fprintf(stderr, "fuzz_jwt: %s\n", e.message);
		abort();
	}
	return 0;
}

/* "header.payload.signature" of payload signed by key under header, both
 * texts; NULL when libjose refuses to sign (a header it cannot honour). */
static char *
sign(const json_t *key, const char *header, size_t hlen, const char *payload,
     size_t plen)
{
	json_t *jws =
		json_pack("{s:o}", "payload", jose_b64_enc(payload, plen));
	json_t *sig =
		json_pack("{s:o}", "protected", jose_b64_enc(header, hlen));
	char *token = NULL;
	void *p, *s, *g;

	if (jws != NULL && sig != NULL && jose_jws_sig(NULL, jws, sig, key)) {
		p = json_object_iter_at(jws, "protected");
		s = json_object_iter_at(jws, "payload");
		g = json_object_iter_at(jws, "signature");
		if (p != NULL && s != NULL && g != NULL)
			token = bson_strdup_printf(
				"%s.%s.%s",
				json_string_value(json_object_iter_value(p)),
				json_string_value(json_object_iter_value(s)),
				json_string_value(json_object_iter_value(g)));
	}
	json_decref(jws);
	json_decref(sig);
	return token;
}

/*
 * Every refusal's message, written out again: a refusal must be one of
 * these to the letter, so no byte of a client's token ever reaches it.
 */
static const char *const refusals[] = {
	"the token is longer than 8192 bytes",
	"the token is not three base64url parts joined by dots (a signed JWT)",
	"the token's header is not base64url",
	"the token's header is not a JSON object",
	"the token's payload is not base64url",
	"the token's payload is not a JSON object",
	"the token's header has a member other than alg, kid, typ and cty",
	"the token's header has no kid (key id)",
	"no key of this service has the token's kid",
	"the token's alg is not its key's (RS256)",
	"the token's alg is not its key's (ES256)",
	"the token's alg is not its key's (HS256)",
	"the token is not base64url",
	"the token's signature does not verify",
	"the token's exp claim is not a number",
	"the token's nbf claim is not a number",
	"the token's iat claim is not a number",
	"the token has no exp (expiry) claim",
	"the token expired",
	"the token is not valid yet (nbf)",
	"the token was issued in the future (iat)",
	"the token has no sub (subject) claim",
	"the token's sub is not a non-empty string of at most 256 bytes",
	"the token's roles claim is not an array",
	("the token's roles claim is not an array of at most 64 non-empty "
	 "strings"),
};

static bool
known_refusal(const char *message)
{
	size_t i;

	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		if (strcmp(message, refusals[i]) == 0)
			return true;
	}
	return false;
}

static void
check(const char *token, size_t len, bool forged)
{
	ma_user *user = NULL;
	ma_error e;
	bool ok = _ma_jwt_verify(keys, &rules, token, len, (int64_t)time(NULL),
				 &user, &e);
	size_t i;

	CHECK(ok == (user != NULL));
	if (!ok) {
		CHECK(e.code == MA_ERR_AUTH);
		if (!known_refusal(e.message)) {
			fprintf(stderr, "fuzz_jwt: refused with: %s\n",
				e.message);
			CHECK(known_refusal(e.message));
		}
		return;
	}
	CHECK(!forged);
	CHECK(user->name[0] != '\0' && strlen(user->name) <= MA_USER_MAX_NAME);
	CHECK(user->nroles <= MA_USER_MAX_ROLES);
	for (i = 0; i < user->nroles; i++)
		CHECK(user->roles[i][0] != '\0');
	ma_user_destroy(user);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char header[] = "{\"alg\":\"HS256\",\"kid\":\"hs\"}";
	char payload[128], *token;
	const char *rest = (const char *)data + 1;
	size_t n = size > 0 ? size - 1 : 0;

	if (size == 0 || n > MA_JWT_MAX_TOKEN + 64)
		return 0;
	switch (data[0] % 3) {
	case 0:
		check(rest, n, true);
		return 0;
	case 1:
		token = sign(hs, header, strlen(header), rest, n);
		break;
	default:
		snprintf(payload, sizeof(payload),
			 "{\"sub\":\"fuzz\",\"exp\":%lld,\"roles\":[\"r\"]}",
			 (long long)time(NULL) + 60);
		token = sign(rs, rest, n, payload, strlen(payload));
		break;
	}
	if (token != NULL)
		check(token, strlen(token), false);
	bson_free(token);
	return 0;
}
