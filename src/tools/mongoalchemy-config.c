/*
 * mongoalchemy-config: shows operators what a worker will do with the
 * environment it is given, and optionally whether the server answers.
 *
 * Exit status: 0 fine, 1 the ping failed, 2 the configuration (or the
 * command line) is wrong.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <mongoalchemy.h>

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: mongoalchemy-config [--prefix P] [--show-password] "
		"[--ping]\n"
		"\n"
		"Reads P_DATABASE, P_SERVER, P_PORT, ... (P defaults to %s)\n"
		"and prints the URI and settings a worker would use.\n"
		"\n"
		"  -p, --prefix P       read variables under prefix P "
		"(P_DATABASE:\n"
		"                       the underscore is added)\n"
		"  -s, --show-password  show the password in the URI (without\n"
		"                       this option it shows as ***)\n"
		"  -P, --ping           connect, ping the server, and read "
		"the\n"
		"                       database's collection names, as a "
		"worker\n"
		"                       would need to\n"
		"  -h, --help           this text\n",
		MA_CONFIG_DEFAULT_PREFIX);
}

/*
 * The driver logs its connection chatter (DEBUG, INFO) to stderr by
 * default; an operator wants its warnings and errors only.
 */
static void
log_warnings(mongoc_log_level_t level, const char *domain, const char *message,
	     void *ctx)
{
	(void)ctx;
	if (level <= MONGOC_LOG_LEVEL_WARNING) {
		fprintf(stderr, "mongoalchemy-config: driver %s: %s: %s\n",
			mongoc_log_level_str(level), domain, message);
	}
}

/* The driver's goodbye to a server without endSessions (FerretDB) is a
 * warning on every run that says nothing about the configuration. */
static void
log_nothing(mongoc_log_level_t level, const char *domain, const char *message,
	    void *ctx)
{
	(void)level;
	(void)domain;
	(void)message;
	(void)ctx;
}

/* A failure: our message, then the kind of error unless the message
 * already says it ("Authentication failed." is not followed by
 * "(authentication failed)"). */
static void
print_error(const ma_error *err)
{
	const char *kind = ma_strerror(err->code);
	size_t i, n = strlen(kind);
	bool said = false;

	for (i = 0; !said && err->message[i] != '\0'; i++)
		said = strncasecmp(err->message + i, kind, n) == 0;
	fprintf(stderr, "mongoalchemy-config: %s", err->message);
	if (!said)
		fprintf(stderr, " (%s)", kind);
	fputc('\n', stderr);
}

/* MongoDB's Unauthorized: the command needs a login, or another user. */
#define SERVER_UNAUTHORIZED 13

/*
 * A server that requires authentication still answers ping without it
 * (MongoDB and FerretDB alike), so a worker without credentials would
 * pass the ping and fail every request. listCollections on the database
 * is the least a worker needs and needs a login where one is required.
 */
static bool
check_access(ma_db *db, const ma_config *cfg)
{
	bson_t *cmd = BCON_NEW("listCollections", BCON_INT32(1), "nameOnly",
			       BCON_BOOL(true), "authorizedCollections",
			       BCON_BOOL(true));
	mongoc_database_t *mdb = NULL;
	mongoc_client_t *client;
	bson_error_t berr;
	bool ok = false;
	ma_error err;
	bson_t reply;

	bson_init(&reply);
	client = ma_db_client(db, &err);
	if (client == NULL) {
		print_error(&err);
		goto done;
	}
	mdb = mongoc_client_get_database(client, ma_config_database(cfg));
	ok = mongoc_database_command_simple(mdb, cmd, NULL, &reply, &berr);
	if (ok)
		goto done;
	if (berr.code == SERVER_UNAUTHORIZED && ma_config_user(cfg) == NULL)
		fprintf(stderr,
			"mongoalchemy-config: the server requires "
			"authentication: set %s_USER and %s_PASSWORD\n",
			ma_config_prefix(cfg), ma_config_prefix(cfg));
	else if (berr.code == SERVER_UNAUTHORIZED)
		fprintf(stderr,
			"mongoalchemy-config: user %s may not read database "
			"%s: %s\n",
			ma_config_user(cfg), ma_config_database(cfg),
			berr.message);
	else
		fprintf(stderr,
			"mongoalchemy-config: cannot read database %s: %s\n",
			ma_config_database(cfg), berr.message);
done:
	bson_destroy(&reply);
	bson_destroy(cmd);
	mongoc_database_destroy(mdb);
	return ok;
}

static const char *
or_none(const char *s)
{
	return s != NULL ? s : "(none)";
}

static void
print_settings(const ma_config *cfg, int show_password)
{
	char wc[128];

	printf("uri: %s\n", show_password ? ma_config_uri(cfg)
					  : ma_config_uri_redacted(cfg));
	printf("source: %s\n",
	       ma_config_uses_connection_string(cfg)
		       ? "connection string (_CONNECTION_STRING)"
		       : "settings (_SERVER, _PORT, _USER, ...)");
	printf("prefix: %s\n", ma_config_prefix(cfg));
	printf("database: %s\n", ma_config_database(cfg));
	printf("user: %s\n", or_none(ma_config_user(cfg)));
	printf("auth_source: %s\n", or_none(ma_config_auth_source(cfg)));
	printf("replica_set: %s\n", or_none(ma_config_replica_set(cfg)));
	printf("write_concern: %s\n",
	       ma_config_describe_write_concern(cfg, MA_SAFE_SESSION, wc,
						sizeof(wc)));
	printf("safe_write_concern: %s\n",
	       ma_config_describe_write_concern(cfg, MA_SAFE_ON, wc,
						sizeof(wc)));
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"prefix", required_argument, NULL, 'p'},
		{"show-password", no_argument, NULL, 's'},
		{"ping", no_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *prefix = NULL;
	int show_password = 0, ping = 0, c, status = 0;
	ma_config *cfg = NULL;
	ma_db *db = NULL;
	ma_error err;

	while ((c = getopt_long(argc, argv, "p:sPh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			prefix = optarg;
			break;
		case 's':
			show_password = 1;
			break;
		case 'P':
			ping = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr,
			"mongoalchemy-config: unexpected argument \"%s\"\n",
			argv[optind]);
		usage(stderr);
		return 2;
	}

	mongoc_log_set_handler(log_warnings, NULL);
	cfg = ma_config_new_from_env(prefix, &err);
	if (cfg == NULL) {
		fprintf(stderr, "mongoalchemy-config: %s\n", err.message);
		if (prefix != NULL && prefix[0] != '\0' &&
		    prefix[strlen(prefix) - 1] == '_')
			fprintf(stderr,
				"mongoalchemy-config: note: the underscore "
				"after the prefix is added: --prefix %.*s "
				"reads %.*s_DATABASE\n",
				(int)strlen(prefix) - 1, prefix,
				(int)strlen(prefix) - 1, prefix);
		status = 2;
		goto done;
	}
	print_settings(cfg, show_password);
	fflush(stdout);
	if (ma_config_ignored(cfg) != NULL)
		fprintf(stderr,
			"mongoalchemy-config: ignored: %s "
			"(%s_CONNECTION_STRING "
			"gives the whole URI)\n",
			ma_config_ignored(cfg), ma_config_prefix(cfg));

	if (ping) {
		db = ma_db_new_with_config(cfg, &err);
		cfg = NULL; /* db owns it now */
		if (db == NULL || !ma_db_ping(db, &err)) {
			printf("ping: failed\n");
			print_error(&err);
			status = 1;
			goto done;
		}
		printf("ping: ok\n");
		fflush(stdout);
		if (!check_access(db, ma_db_config(db))) {
			printf("access: refused\n");
			status = 1;
			goto done;
		}
		printf("access: ok\n");
	}

done:
	fflush(stdout);
	mongoc_log_set_handler(log_nothing, NULL);
	ma_db_destroy(db);
	ma_config_destroy(cfg);
	ma_cleanup();
	return status;
}
