/*
 * What the fuzz targets share: a check that stops the run where a
 * property breaks (libFuzzer keeps the input as a crash), the input as a
 * C string, and the tests a header value and a message must pass.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bson/bson.h>
#include <mongoalchemy.h>

/* libFuzzer's entry points, which the targets define. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline const char *
fuzz_env(const char *name, void *ctx)
{
	(void)ctx;
	return strcmp(name, "MONGOALCHEMY_DATABASE") == 0 ? "fuzz" : NULL;
}

/* A database object that nothing contacts (queries are only built);
 * stops the run when it cannot be made. */
static inline ma_db *
fuzz_db(const char *target)
{
	ma_config *config;
	ma_error e;
	ma_db *db;

	config = ma_config_new(NULL, fuzz_env, NULL, &e);
	db = config != NULL ? ma_db_new_with_config(config, &e) : NULL;
	if (db == NULL) {
		fprintf(stderr, "%s: no database object: %s\n", target,
			e.message);
		abort();
	}
	return db;
}

/* Not assert(): it must hold in every build, and the message says which
 * property broke before the trap leaves the input behind. */
#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: property broken: %s\n",        \
				__FILE__, __LINE__, #cond);                    \
			__builtin_trap();                                      \
		}                                                              \
	} while (0)

/*
 * The input as a server receives text: a NUL-terminated copy (bson_free()).
 * A NUL inside ends it there, as it would end a CGI variable.
 */
static inline char *
fuzz_text(const uint8_t *data, size_t size)
{
	char *s = bson_malloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

static inline bool
fuzz_utf8(const char *s)
{
	return bson_utf8_validate(s, strlen(s), false);
}

/* A header value as a worker writes it: visible ASCII and spaces, so that
 * nothing a client sent can end the header or start another. */
static inline bool
fuzz_header_safe(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c > 0x7e)
			return false;
	}
	return s[len] == '\0';
}

#endif
