/*
 * mongoalchemy-config: shows operators what a worker will do with the
 * environment it is given, and optionally whether the server answers.
 *
 * Exit status: 0 fine, 1 the ping failed, 2 the configuration (or the
 * command line) is wrong.
 */
#include <getopt.h>
#include <stdio.h>

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
		"  -p, --prefix P       read variables under prefix P\n"
		"  -s, --show-password  print the password in the URI (hidden "
		"as ***)\n"
		"  -P, --ping           connect and ask the server for ping\n"
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
		status = 2;
		goto done;
	}
	print_settings(cfg, show_password);
	fflush(stdout);

	if (ping) {
		db = ma_db_new_with_config(cfg, &err);
		cfg = NULL; /* db owns it now */
		if (db == NULL || !ma_db_ping(db, &err)) {
			printf("ping: failed\n");
			fprintf(stderr, "mongoalchemy-config: %s (%s)\n",
				err.message, ma_strerror(err.code));
			status = 1;
			goto done;
		}
		printf("ping: ok\n");
	}

done:
	ma_db_destroy(db);
	ma_config_destroy(cfg);
	ma_cleanup();
	return status;
}
