/*
 * fuzz_config: an environment as an operator (or a hostile deployment
 * file) writes it, through ma_config_new() under the default prefix and
 * under one of an application's own (LIBRARY_), then through libmongoc's
 * URI parser.
 *
 * Input: NAME=VALUE entries separated by NUL or newline bytes; an entry
 * without '=' is skipped, and the first of two equal names is the one
 * read, as getenv() reads.
 *
 * Beyond "no crash, no leak, no undefined behaviour", each input checks:
 * - a refusal is MA_ERR_CONFIG with a UTF-8 message naming a variable of
 *   the prefix (unless the password's mask covers part of the name), that
 *   holds neither the password nor its percent-encoded form (unless
 *   another variable it quotes holds them too);
 * - a configuration built has the database variable's value as its
 *   database, and its URI parses again with mongoc_uri_new_with_error();
 *   a URI built from the variables (no connection string) gives back, once
 *   parsed, the user, password, replica set, host and port it was built
 *   from, and its redacted form parses with "***" as the password;
 * - the safe write concern is w:majority with the journal, and the
 *   session's is it exactly when SAFE_SESSION is true.
 */
#include <strings.h>
#include <sys/socket.h>

#include "fuzz.h"
#include "config/config-private.h"
#include "query/query-private.h"

#define MAX_VARS 64

typedef struct var {
	const char *name;
	const char *value;
} var;

typedef struct env {
	var vars[MAX_VARS];
	size_t n;
} env;

static const char *
lookup(const char *name, void *ctx)
{
	const env *en = ctx;
	size_t i;

	for (i = 0; i < en->n; i++) {
		if (strcmp(en->vars[i].name, name) == 0)
			return en->vars[i].value;
	}
	return NULL;
}

/* The variable prefix_key, or NULL when unset or empty: what the
 * configuration reads. */
static const char *
get(const env *en, const char *prefix, const char *key)
{
	char name[128];
	const char *v;

	snprintf(name, sizeof(name), "%s_%s", prefix, key);
	v = lookup(name, (void *)en);
	return v != NULL && v[0] != '\0' ? v : NULL;
}

static void
cleanup(void)
{
	ma_cleanup();
}

/* The driver warns about every odd option it reads; the properties, not
 * its log, are what a run checks. */
static void
quiet(mongoc_log_level_t level, const char *domain, const char *message,
      void *ctx)
{
	(void)level;
	(void)domain;
	(void)message;
	(void)ctx;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	mongoc_log_set_handler(quiet, NULL);
	atexit(cleanup);
	return 0;
}

/* Splits text (changed in place) into its NAME=VALUE entries. */
static void
parse_env(char *text, size_t size, env *en)
{
	char *p = text, *end = text + size, *line, *eq;

	en->n = 0;
	while (p < end && en->n < MAX_VARS) {
		line = p;
		while (p < end && *p != '\0' && *p != '\n')
			p++;
		*p++ = '\0';
		eq = strchr(line, '=');
		if (eq == NULL)
			continue;
		*eq = '\0';
		en->vars[en->n++] = (var){line, eq + 1};
	}
}

static bool
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	       (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Whether a variable of prefix other than the one holding the secret
 * holds text: a message may quote that value, which is not the secret's
 * leak. */
static const char *const keys[] = {
	"DATABASE",
	"SERVER",
	"PORT",
	"USER",
	"PASSWORD",
	"SERVER_AUTH",
	"REPLICA_SET",
	"OPTIONS",
	"SAFE_SESSION",
	"MAX_TIME_MS",
	"CONNECTION_STRING",
};

static bool
elsewhere(const env *en, const char *prefix, const char *holder,
	  const char *text)
{
	const char *v;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		v = get(en, prefix, keys[i]);
		if (strcmp(keys[i], holder) != 0 && v != NULL &&
		    strstr(v, text) != NULL)
			return true;
	}
	return false;
}

/* Whether a variable of prefix holds bytes that are not UTF-8: a message
 * quoting it has them mended into '?'. */
static bool
any_not_utf8(const env *en, const char *prefix)
{
	const char *v;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		v = get(en, prefix, keys[i]);
		if (v != NULL && !bson_utf8_validate(v, strlen(v), false))
			return true;
	}
	return false;
}

static void
check_no_secret(const env *en, const char *prefix, const char *holder,
		const char *msg, const char *secret)
{
	char *encoded;

	/* A password of one to three '*' is in the mask itself; one with a
	 * '?' may be spelled by the mending of bytes that are not UTF-8,
	 * which comes after the mask. */
	if (secret == NULL || secret[0] == '\0' ||
	    strstr("***", secret) != NULL)
		return;
	if (strchr(secret, '?') != NULL && any_not_utf8(en, prefix))
		return;
	CHECK(strstr(msg, secret) == NULL ||
	      elsewhere(en, prefix, holder, secret));
	encoded = _ma_pct_encode(secret);
	CHECK(strstr(msg, encoded) == NULL ||
	      elsewhere(en, prefix, holder, encoded));
	bson_free(encoded);
}

static void
check_refused(const env *en, const char *prefix, const ma_error *e)
{
	const char *cs = get(en, prefix, "CONNECTION_STRING");
	char cs_name[96];
	size_t off, len;
	char *secret;

	CHECK(e->code == MA_ERR_CONFIG);
	CHECK(fuzz_utf8(e->message));
	/* With a connection string, its password is the secret, known once
	 * the string is read: messages about the variables read before it
	 * quote only those. Without one, the variable's. */
	snprintf(cs_name, sizeof(cs_name), "%s_CONNECTION_STRING", prefix);
	if (cs == NULL)
		secret = bson_strdup(get(en, prefix, "PASSWORD"));
	else if (strncmp(e->message, cs_name, strlen(cs_name)) == 0 &&
		 _ma_uri_password_span(cs, &off, &len))
		secret = bson_strndup(cs + off, len);
	else
		secret = NULL;
	check_no_secret(en, prefix,
			cs != NULL ? "CONNECTION_STRING" : "PASSWORD",
			e->message, secret);
	/* Every occurrence of a secret is masked, in the variable's name too
	 * ("MONGOALCH***MY_PORT" for the password "E"); until a connection
	 * string is read, the secret is the PASSWORD variable, even beside
	 * one. */
	if (get(en, prefix, "PASSWORD") == NULL &&
	    (cs == NULL || !_ma_uri_password_span(cs, &off, &len)))
		CHECK(strncmp(e->message, prefix, strlen(prefix)) == 0 &&
		      e->message[strlen(prefix)] == '_');
	bson_free(secret);
}

typedef enum server_kind {
	SERVER_NAME,	  /* a host name, or an address without brackets */
	SERVER_BRACKETED, /* "[" IPv6 address "]" */
	SERVER_SOCKET,	  /* a Unix socket path */
} server_kind;

/* How an accepted SERVER reaches the driver: every kind must come out as
 * the one host configured, at the port configured. */
static server_kind
server_kind_of(const char *server)
{
	if (server[0] == '/')
		return SERVER_SOCKET;
	if (server[0] == '[')
		return SERVER_BRACKETED;
	return SERVER_NAME;
}

/* What a URI built from the variables gives back once parsed. */
static void
check_built(const env *en, const char *prefix, const mongoc_uri_t *uri,
	    const char *redacted)
{
	const char *user = get(en, prefix, "USER");
	const char *password = get(en, prefix, "PASSWORD");
	const char *server = get(en, prefix, "SERVER");
	const char *port = get(en, prefix, "PORT");
	const mongoc_host_list_t *hosts = mongoc_uri_get_hosts(uri);
	uint16_t want_port =
		port != NULL ? (uint16_t)strtoul(port, NULL, 10) : 27017;
	bson_error_t berr;
	mongoc_uri_t *shown;

	CHECK(same(mongoc_uri_get_username(uri), user));
	CHECK(same(mongoc_uri_get_password(uri),
		   user != NULL ? password : NULL));
	if (get(en, prefix, "REPLICA_SET") != NULL)
		CHECK(same(mongoc_uri_get_replica_set(uri),
			   get(en, prefix, "REPLICA_SET")));

	/* One host, the one configured, at the port configured. */
	CHECK(hosts != NULL && hosts->next == NULL);
	if (server == NULL)
		server = "localhost";
	switch (server_kind_of(server)) {
	case SERVER_SOCKET:
		CHECK(hosts->family == AF_UNIX &&
		      strcmp(hosts->host, server) == 0);
		break;
	case SERVER_BRACKETED:
		/* The driver keeps an IPv6 address without its brackets. */
		CHECK(strlen(hosts->host) == strlen(server) - 2 &&
		      strncasecmp(hosts->host, server + 1,
				  strlen(server) - 2) == 0);
		CHECK(hosts->port == want_port);
		break;
	case SERVER_NAME:
		CHECK(strcasecmp(hosts->host, server) == 0);
		CHECK(hosts->port == want_port);
		break;
	}

	shown = mongoc_uri_new_with_error(redacted, &berr);
	CHECK(shown != NULL);
	CHECK(same(mongoc_uri_get_password(shown),
		   user != NULL && password != NULL ? "***" : NULL));
	mongoc_uri_destroy(shown);
}

static void
check_config(const env *en, const char *prefix, const ma_config *c)
{
	const mongoc_write_concern_t *safe, *session;
	const char *safe_session = get(en, prefix, "SAFE_SESSION");
	bson_error_t berr;
	mongoc_uri_t *again;
	char wc[128];

	CHECK(strcmp(ma_config_prefix(c), prefix) == 0);
	CHECK(same(ma_config_database(c), get(en, prefix, "DATABASE")));

	/* What the worker connects with must be what the driver reads. */
	again = mongoc_uri_new_with_error(ma_config_uri(c), &berr);
	CHECK(again != NULL);
	if (!ma_config_uses_connection_string(c))
		check_built(en, prefix, again, ma_config_uri_redacted(c));
	else
		CHECK(strcmp(ma_config_uri(c),
			     get(en, prefix, "CONNECTION_STRING")) == 0);
	mongoc_uri_destroy(again);

	safe = ma_config_write_concern(c, MA_SAFE_ON);
	CHECK(mongoc_write_concern_get_wmajority(safe));
	CHECK(mongoc_write_concern_get_journal(safe));
	session = ma_config_write_concern(c, MA_SAFE_SESSION);
	CHECK((session == safe) == ma_config_safe_session(c));
	CHECK(ma_config_safe_session(c) ==
	      (safe_session != NULL && (strcasecmp(safe_session, "true") == 0 ||
					strcmp(safe_session, "1") == 0 ||
					strcasecmp(safe_session, "yes") == 0 ||
					strcasecmp(safe_session, "on") == 0)));
	CHECK(fuzz_utf8(ma_config_describe_write_concern(c, MA_SAFE_SESSION, wc,
							 sizeof(wc))));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const prefixes[] = {"MONGOALCHEMY", "LIBRARY"};
	char *text = fuzz_text(data, size);
	ma_config *c;
	ma_error e;
	env en;
	size_t i;

	parse_env(text, size, &en);
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		c = ma_config_new(prefixes[i], lookup, &en, &e);
		if (c != NULL) {
			CHECK(e.code == MA_OK);
			check_config(&en, prefixes[i], c);
		} else {
			check_refused(&en, prefixes[i], &e);
		}
		ma_config_destroy(c);
	}
	bson_free(text);
	return 0;
}
