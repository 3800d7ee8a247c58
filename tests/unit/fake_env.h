/*
 * A fixed environment for configuration tests: a NULL-terminated table of
 * name/value pairs handed to ma_config_new() instead of getenv().
 */
#ifndef FAKE_ENV_H
#define FAKE_ENV_H

#include <string.h>

#include <mongoalchemy.h>

typedef struct fake_var {
	const char *name;
	const char *value;
} fake_var;

static inline const char *
fake_lookup(const char *name, void *ctx)
{
	const fake_var *v;

	for (v = ctx; v->name != NULL; v++) {
		if (strcmp(v->name, name) == 0)
			return v->value;
	}
	return NULL;
}

/* ENV({"MONGOALCHEMY_DATABASE", "test"}, ...): a table on the stack. */
#define ENV(...) ((fake_var[]){__VA_ARGS__, {NULL, NULL}})

/* A configuration under prefix from the table, or NULL with err filled. */
#define CONFIG_FROM(prefix, err, ...)                                          \
	ma_config_new((prefix), fake_lookup, ENV(__VA_ARGS__), (err))

/*
 * A database object for database on the default server, which nothing
 * contacts until a query runs: what tests that only build queries need.
 * NULL with err filled when the configuration is refused.
 */
static inline ma_db *
fake_db(const char *database, ma_error *err)
{
	ma_config *c = CONFIG_FROM("MONGOALCHEMY", err,
				   {"MONGOALCHEMY_DATABASE", database});

	return c != NULL ? ma_db_new_with_config(c, err) : NULL;
}

#endif
