/*
 * Development tokens for the library service:
 *
 *   library-token keys FILE              a new JWK Set (a secret) in FILE
 *   library-token public FILE OUT        its public keys, for the workers
 *   library-token sign FILE SUB [ROLE]...  a token for SUB, an hour long
 *
 * The token is signed by the set's RS256 key (LIBRARY_TOKEN_KID names
 * another, dev-hs256), with iss and aud from LIBRARY_JWT_ISSUER and
 * LIBRARY_JWT_AUDIENCE when they are set, and the roles under
 * LIBRARY_JWT_ROLES_CLAIM (default roles): what the worker checks.
 * scripts/run uses it to show how to try a write.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "token.h"

/* A claim's text, JSON-quoted; the names and roles of a development
 * token are plain words, anything else is refused. */
static bool
plain(const char *s)
{
	return s[0] != '\0' &&
	       strcspn(s, "\"\\\x01\x02\x03\x04\x05\x06\x07"
			  "\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"
			  "\x10\x11\x12\x13\x14\x15\x16\x17"
			  "\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f") == strlen(s);
}

static char *
claims(const char *sub, char **roles, int nroles)
{
	const char *iss = getenv("LIBRARY_JWT_ISSUER");
	const char *aud = getenv("LIBRARY_JWT_AUDIENCE");
	const char *claim = getenv("LIBRARY_JWT_ROLES_CLAIM");
	char *out, *next;
	int i;

	out = bson_strdup_printf("{\"sub\":\"%s\",\"iat\":%lld,\"exp\":%lld",
				 sub, (long long)time(NULL),
				 (long long)time(NULL) + 3600);
#define APPEND(...)                                                            \
	do {                                                                   \
		next = bson_strdup_printf(__VA_ARGS__);                        \
		bson_free(out);                                                \
		out = next;                                                    \
	} while (0)
	if (iss != NULL && iss[0] != '\0' && plain(iss))
		APPEND("%s,\"iss\":\"%s\"", out, iss);
	if (aud != NULL && aud[0] != '\0' && plain(aud))
		APPEND("%s,\"aud\":\"%s\"", out, aud);
	APPEND("%s,\"%s\":[", out,
	       claim != NULL && claim[0] != '\0' && plain(claim) ? claim
								 : "roles");
	for (i = 0; i < nroles; i++)
		APPEND("%s%s\"%s\"", out, i > 0 ? "," : "", roles[i]);
	APPEND("%s]}", out);
#undef APPEND
	return out;
}

int
main(int argc, char **argv)
{
	const char *kid = getenv("LIBRARY_TOKEN_KID");
	char *c, *token;
	ma_error e;
	int i;

	if (argc == 3 && strcmp(argv[1], "keys") == 0) {
		umask(077); /* the set holds the secrets */
		if (!library_token_keys(argv[2], &e)) {
			fprintf(stderr, "library-token: %s\n", e.message);
			return 1;
		}
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "public") == 0) {
		if (!library_token_public(argv[2], argv[3], &e)) {
			fprintf(stderr, "library-token: %s\n", e.message);
			return 1;
		}
		return 0;
	}
	if (argc < 4 || strcmp(argv[1], "sign") != 0) {
		fprintf(stderr,
			"usage: library-token keys FILE\n"
			"       library-token public FILE OUT\n"
			"       library-token sign FILE SUB [ROLE]...\n");
		return 2;
	}
	for (i = 3; i < argc; i++) {
		if (!plain(argv[i])) {
			fprintf(stderr,
				"library-token: '%s': quotes, "
				"backslashes and control characters "
				"are not taken\n",
				argv[i]);
			return 2;
		}
	}
	c = claims(argv[3], argv + 4, argc - 4);
	token = library_token_sign(argv[2], kid ? kid : "dev-rs256", c, &e);
	bson_free(c);
	if (token == NULL) {
		fprintf(stderr, "library-token: %s\n", e.message);
		return 1;
	}
	printf("%s\n", token);
	bson_free(token);
	return 0;
}
