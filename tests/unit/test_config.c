/*
 * Configuration: every key, defaults, Flask-MongoAlchemy's URI cases,
 * prefixes, percent-encoding, redaction and every bad value.
 */
#include <stdlib.h>

#include <criterion/criterion.h>

#include "fake_env.h"
#include "config/config-private.h"
#include "query/query-private.h"

/* A config that must build; fails the test with the message otherwise. */
#define MUST_CONFIG(...)                                                       \
	({                                                                     \
		ma_error e_;                                                   \
		ma_config *c_ = CONFIG_FROM(NULL, &e_, __VA_ARGS__);           \
		cr_assert_not_null(c_, "config failed: %s", e_.message);       \
		c_;                                                            \
	})

/* A config that must fail with MA_ERR_CONFIG; returns the message. */
static ma_error last_error;
#define MUST_FAIL(...)                                                         \
	({                                                                     \
		ma_config *c_ = CONFIG_FROM(NULL, &last_error, __VA_ARGS__);   \
		cr_assert_null(c_, "config unexpectedly built");               \
		cr_assert_eq(last_error.code, MA_ERR_CONFIG, "code %d: %s",    \
			     last_error.code, last_error.message);             \
		last_error.message;                                            \
	})

#define DB_TEST                                                                \
	{                                                                      \
		"MONGOALCHEMY_DATABASE", "test"                                \
	}

/* --- Flask-MongoAlchemy's own cases (database "test") ------------------- */

Test(flask_uri, defaults)
{
	ma_config *c = MUST_CONFIG(DB_TEST);

	cr_assert_str_eq(ma_config_uri(c), "mongodb://localhost:27017/");
	cr_assert_str_eq(ma_config_database(c), "test");
	cr_assert_str_eq(ma_config_prefix(c), "MONGOALCHEMY");
	cr_assert_null(ma_config_user(c));
	cr_assert_null(ma_config_auth_source(c));
	cr_assert_null(ma_config_replica_set(c));
	cr_assert_not(ma_config_safe_session(c));
	cr_assert_not(ma_config_uses_connection_string(c));
	ma_config_destroy(c);
}

Test(flask_uri, user_without_password)
{
	ma_config *c = MUST_CONFIG(DB_TEST, {"MONGOALCHEMY_USER", "luke"});

	cr_assert_str_eq(ma_config_uri(c), "mongodb://luke@localhost:27017/");
	cr_assert_str_eq(ma_config_user(c), "luke");
	cr_assert_str_eq(ma_config_auth_source(c), "admin");
	ma_config_destroy(c);
}

Test(flask_uri, database_authentication)
{
	ma_config *c = MUST_CONFIG(DB_TEST, {"MONGOALCHEMY_USER", "luke"},
				   {"MONGOALCHEMY_PASSWORD", "father"},
				   {"MONGOALCHEMY_SERVER_AUTH", "false"});

	cr_assert_str_eq(ma_config_uri(c),
			 "mongodb://luke:father@localhost:27017/test");
	cr_assert_str_eq(ma_config_auth_source(c), "test");
	cr_assert_str_eq(ma_config_uri_redacted(c),
			 "mongodb://luke:***@localhost:27017/test");
	ma_config_destroy(c);
}

Test(flask_uri, server_authentication_is_the_default)
{
	ma_config *c = MUST_CONFIG(DB_TEST, {"MONGOALCHEMY_USER", "luke"},
				   {"MONGOALCHEMY_PASSWORD", "father"});

	cr_assert_str_eq(ma_config_uri(c),
			 "mongodb://luke:father@localhost:27017/");
	cr_assert_str_eq(ma_config_auth_source(c), "admin");
	ma_config_destroy(c);
}

Test(flask_uri, server_auth_false_without_user_keeps_empty_path)
{
	ma_config *c = MUST_CONFIG(DB_TEST, {"MONGOALCHEMY_SERVER_AUTH", "no"});

	cr_assert_str_eq(ma_config_uri(c), "mongodb://localhost:27017/");
	ma_config_destroy(c);
}

Test(flask_uri, server_and_port)
{
	ma_config *c = MUST_CONFIG(
		DB_TEST, {"MONGOALCHEMY_SERVER", "database.lukehome.com"},
		{"MONGOALCHEMY_PORT", "42"});

	cr_assert_str_eq(ma_config_uri(c),
			 "mongodb://database.lukehome.com:42/");
	ma_config_destroy(c);
}

Test(flask_uri, options)
{
	ma_config *c =
		MUST_CONFIG(DB_TEST, {"MONGOALCHEMY_OPTIONS", "safe=true"});

	cr_assert_str_eq(ma_config_uri(c),
			 "mongodb://localhost:27017/?safe=true");
	ma_config_destroy(c);
}

Test(flask_uri, connection_string_is_used_unchanged)
{
	const char *cs = "mongodb://luke:father@db1.example:1234,db2.example/"
			 "other?authSource=admin&w=2";
	ma_config *c =
		MUST_CONFIG(DB_TEST, {"MONGOALCHEMY_CONNECTION_STRING", cs},
			    {"MONGOALCHEMY_SERVER", "ignored.example"},
			    {"MONGOALCHEMY_PORT", "not-a-port"},
			    {"MONGOALCHEMY_USER", "ignored"},
			    {"MONGOALCHEMY_OPTIONS", "ignored"});
	char wc[64];

	cr_assert_str_eq(ma_config_uri(c), cs);
	cr_assert(ma_config_uses_connection_string(c));
	/* The database variable wins over the path of the string. */
	cr_assert_str_eq(ma_config_database(c), "test");
	cr_assert_str_eq(ma_config_user(c), "luke");
	cr_assert_str_eq(ma_config_auth_source(c), "admin");
	cr_assert_str_eq(ma_config_uri_redacted(c),
			 "mongodb://luke:***@db1.example:1234,db2.example/"
			 "other?authSource=admin&w=2");
	cr_assert_str_eq(ma_config_describe_write_concern(c, MA_SAFE_SESSION,
							  wc, sizeof(wc)),
			 "w:2");
	ma_config_destroy(c);
}

/* --- the other keys ------------------------------------------------------ */

Test(keys, replica_set_becomes_an_option)
{
	ma_config *c =
		MUST_CONFIG(DB_TEST, {"MONGOALCHEMY_REPLICA_SET", "rs0"});

	cr_assert_str_eq(ma_config_uri(c),
			 "mongodb://localhost:27017/?replicaSet=rs0");
	cr_assert_str_eq(ma_config_replica_set(c), "rs0");
	ma_config_destroy(c);
}

Test(keys, replica_set_follows_options)
{
	ma_config *c =
		MUST_CONFIG(DB_TEST, {"MONGOALCHEMY_REPLICA_SET", "rs 0"},
			    {"MONGOALCHEMY_OPTIONS", "appname=shop"});

	cr_assert_str_eq(
		ma_config_uri(c),
		"mongodb://localhost:27017/?appname=shop&replicaSet=rs%200");
	cr_assert_str_eq(ma_config_replica_set(c), "rs 0");
	ma_config_destroy(c);
}

Test(keys, empty_variable_is_unset)
{
	ma_config *c = MUST_CONFIG(DB_TEST, {"MONGOALCHEMY_PORT", ""},
				   {"MONGOALCHEMY_REPLICA_SET", ""},
				   {"MONGOALCHEMY_USER", ""});

	cr_assert_str_eq(ma_config_uri(c), "mongodb://localhost:27017/");
	cr_assert_null(ma_config_replica_set(c));
	ma_config_destroy(c);
}

/* Flask-MongoAlchemy drops it silently, and the worker would connect
 * without credentials: an error naming both, never the password. */
Test(keys, password_without_user_is_an_error_naming_both)
{
	const char *msg =
		MUST_FAIL(DB_TEST, {"MONGOALCHEMY_PASSWORD", "father"});

	cr_assert_str_eq(msg, "MONGOALCHEMY_PASSWORD is set but "
			      "MONGOALCHEMY_USER is not: a password is only "
			      "used with a user");
}

/* Beside a connection string it is ignored like the other parts of a
 * built URI, and each of them is named as ignored. */
Test(keys, connection_string_names_the_variables_it_makes_ignored)
{
	ma_config *c = MUST_CONFIG(
		DB_TEST, {"MONGOALCHEMY_SERVER", "db.example"},
		{"MONGOALCHEMY_PORT", "42"},
		{"MONGOALCHEMY_PASSWORD", "father"},
		{"MONGOALCHEMY_OPTIONS", "w=2"},
		{"MONGOALCHEMY_SAFE_SESSION", "no"},
		{"MONGOALCHEMY_CONNECTION_STRING", "mongodb://cs.example/"});

	cr_assert_str_eq(ma_config_uri(c), "mongodb://cs.example/");
	cr_assert_str_eq(ma_config_ignored(c),
			 "MONGOALCHEMY_SERVER, MONGOALCHEMY_PORT, "
			 "MONGOALCHEMY_PASSWORD, MONGOALCHEMY_OPTIONS");
	ma_config_destroy(c);
	c = MUST_CONFIG(DB_TEST, {"MONGOALCHEMY_CONNECTION_STRING",
				  "mongodb://cs.example/"});
	cr_assert_null(ma_config_ignored(c));
	ma_config_destroy(c);
	c = MUST_CONFIG(DB_TEST, {"MONGOALCHEMY_SERVER", "db.example"});
	cr_assert_null(ma_config_ignored(c));
	ma_config_destroy(c);
}

Test(keys, ipv6_server_is_bracketed)
{
	ma_config *c = MUST_CONFIG(DB_TEST, {"MONGOALCHEMY_SERVER", "::1"},
				   {"MONGOALCHEMY_PORT", "27018"});

	cr_assert_str_eq(ma_config_uri(c), "mongodb://[::1]:27018/");
	ma_config_destroy(c);
}

Test(keys, socket_path_server_is_encoded_without_port)
{
	ma_config *c = MUST_CONFIG(
		DB_TEST, {"MONGOALCHEMY_SERVER", "/run/mongodb/mongod.sock"});

	cr_assert_str_eq(ma_config_uri(c),
			 "mongodb://%2Frun%2Fmongodb%2Fmongod.sock/");
	ma_config_destroy(c);
}

Test(keys, servers_reach_the_driver_as_written)
{
	/* Each SERVER, the URI built, and the host and port libmongoc reads
	 * from it: the one configured, at _PORT. */
	static const struct {
		const char *server, *uri, *host;
		unsigned port;
	} cases[] = {
		{"[::1]", "mongodb://[::1]:27018/", "::1", 27018},
		{"::ffff:10.0.0.1", "mongodb://[::ffff:10.0.0.1]:27018/",
		 "::ffff:10.0.0.1", 27018},
		{"fe80::1%eth0", "mongodb://[fe80::1%25eth0]:27018/",
		 "fe80::1%eth0", 27018},
		{"[fe80::1%eth0]", "mongodb://[fe80::1%25eth0]:27018/",
		 "fe80::1%eth0", 27018},
		{"10.0.0.1", "mongodb://10.0.0.1:27018/", "10.0.0.1", 27018},
		{"/tmp/a b.sock", "mongodb://%2Ftmp%2Fa%20b.sock/",
		 "/tmp/a b.sock", 0},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ma_config *c = MUST_CONFIG(
			DB_TEST, {"MONGOALCHEMY_SERVER", cases[i].server},
			{"MONGOALCHEMY_PORT", "27018"});
		const mongoc_host_list_t *h =
			mongoc_uri_get_hosts(ma_config_mongoc_uri(c));

		cr_expect_str_eq(ma_config_uri(c), cases[i].uri, "%s",
				 cases[i].server);
		cr_assert_not_null(h, "%s", cases[i].server);
		cr_expect_str_eq(h->host, cases[i].host, "%s", cases[i].server);
		if (cases[i].port != 0)
			cr_expect_eq(h->port, cases[i].port, "%s: port %u",
				     cases[i].server, (unsigned)h->port);
		else
			cr_expect_eq(h->family, AF_UNIX, "%s", cases[i].server);
		cr_expect_null(h->next, "%s: more than one host",
			       cases[i].server);
		ma_config_destroy(c);
	}
}

Test(keys, booleans_accept_every_spelling_in_any_case)
{
	static const char *const yes[] = {"true", "TRUE", "1", "yes",
					  "Yes",  "on",	  "ON"};
	static const char *const no[] = {"false", "False", "0",	 "no",
					 "NO",	  "off",   "Off"};
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		ma_config *c = MUST_CONFIG(
			DB_TEST, {"MONGOALCHEMY_SAFE_SESSION", yes[i]});
		cr_assert(ma_config_safe_session(c), "%s should be true",
			  yes[i]);
		ma_config_destroy(c);
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		ma_config *c = MUST_CONFIG(DB_TEST,
					   {"MONGOALCHEMY_SAFE_SESSION", no[i]},
					   {"MONGOALCHEMY_SERVER_AUTH", no[i]},
					   {"MONGOALCHEMY_USER", "u"});
		cr_assert_not(ma_config_safe_session(c), "%s should be false",
			      no[i]);
		cr_assert_str_eq(ma_config_auth_source(c), "test");
		ma_config_destroy(c);
	}
}

/* --- prefixes ------------------------------------------------------------ */

Test(prefix, custom_prefix_reads_only_its_variables)
{
	ma_error e;
	ma_config *c = CONFIG_FROM("OTHER_DATABASE", &e,
				   {"MONGOALCHEMY_DATABASE", "library"},
				   {"OTHER_DATABASE_DATABASE", "other"},
				   {"OTHER_DATABASE_PORT", "27018"});

	cr_assert_not_null(c, "%s", e.message);
	cr_assert_str_eq(ma_config_prefix(c), "OTHER_DATABASE");
	cr_assert_str_eq(ma_config_database(c), "other");
	cr_assert_str_eq(ma_config_uri(c), "mongodb://localhost:27018/");
	ma_config_destroy(c);
}

Test(prefix, two_prefixes_side_by_side)
{
	fake_var *env = ENV({"MONGOALCHEMY_DATABASE", "library"},
			    {"MONGOALCHEMY_SERVER", "books.example"},
			    {"OTHER_DATABASE", "other"}, {"OTHER_USER", "han"},
			    {"OTHER_PASSWORD", "solo"});
	ma_error e1, e2;
	ma_config *a = ma_config_new(NULL, fake_lookup, env, &e1);
	ma_config *b = ma_config_new("OTHER", fake_lookup, env, &e2);

	cr_assert_not_null(a, "%s", e1.message);
	cr_assert_not_null(b, "%s", e2.message);
	cr_assert_str_eq(ma_config_database(a), "library");
	cr_assert_str_eq(ma_config_uri(a), "mongodb://books.example:27017/");
	cr_assert_str_eq(ma_config_database(b), "other");
	cr_assert_str_eq(ma_config_uri(b),
			 "mongodb://han:solo@localhost:27017/");
	ma_config_destroy(a);
	ma_config_destroy(b);
}

Test(prefix, error_names_the_prefixed_variable)
{
	ma_error e;
	ma_config *c = CONFIG_FROM("OTHER", &e, {"MONGOALCHEMY_DATABASE", "x"});

	cr_assert_null(c);
	cr_assert_eq(e.code, MA_ERR_CONFIG);
	cr_assert(strstr(e.message, "OTHER_DATABASE is not set") != NULL, "%s",
		  e.message);
}

Test(prefix, unusable_prefixes_are_refused)
{
	static const char *const bad[] = {"",
					  "1ST",
					  "MY-APP",
					  "A B",
					  "A$",
					  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
					  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAA"};
	size_t i;
	ma_error e;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_null(CONFIG_FROM(bad[i], &e, DB_TEST),
			       "prefix \"%s\"", bad[i]);
		cr_assert_eq(e.code, MA_ERR_CONFIG);
		cr_assert(strstr(e.message, "prefix") != NULL, "%s", e.message);
	}
}

Test(prefix, reads_the_process_environment)
{
	ma_error e;
	ma_config *c;

	setenv("ENVTEST_DATABASE", "fromenv", 1);
	setenv("ENVTEST_SERVER", "env.example", 1);
	setenv("ENVTEST_PORT", "1234", 1);
	c = ma_config_new_from_env("ENVTEST", &e);
	cr_assert_not_null(c, "%s", e.message);
	cr_assert_str_eq(ma_config_database(c), "fromenv");
	cr_assert_str_eq(ma_config_uri(c), "mongodb://env.example:1234/");
	ma_config_destroy(c);
}

Test(prefix, no_lookup_function_is_an_invalid_argument)
{
	ma_error e;

	cr_assert_null(ma_config_new(NULL, NULL, NULL, &e));
	cr_assert_eq(e.code, MA_ERR_INVALID);
}

/* --- percent-encoding and redaction ------------------------------------- */

Test(secrets, user_and_password_are_percent_encoded)
{
	ma_config *c =
		MUST_CONFIG(DB_TEST, {"MONGOALCHEMY_USER", "dark@side:x"},
			    {"MONGOALCHEMY_PASSWORD", "p@ss:w/rd%?#"});

	cr_assert_str_eq(
		ma_config_uri(c),
		"mongodb://"
		"dark%40side%3Ax:p%40ss%3Aw%2Frd%25%3F%23@localhost:27017/");
	/* The driver decodes them back to what was configured. */
	cr_assert_str_eq(ma_config_user(c), "dark@side:x");
	cr_assert_str_eq(mongoc_uri_get_password(ma_config_mongoc_uri(c)),
			 "p@ss:w/rd%?#");
	cr_assert_str_eq(ma_config_uri_redacted(c),
			 "mongodb://dark%40side%3Ax:***@localhost:27017/");
	ma_config_destroy(c);
}

Test(secrets, password_is_not_in_a_driver_message)
{
	/* The driver quotes bad option values; this one is the password. */
	const char *msg =
		MUST_FAIL(DB_TEST, {"MONGOALCHEMY_USER", "luke"},
			  {"MONGOALCHEMY_PASSWORD", "hunter2"},
			  {"MONGOALCHEMY_OPTIONS", "connectTimeoutMS=hunter2"});

	cr_assert(strstr(msg, "MONGOALCHEMY_OPTIONS") != NULL, "%s", msg);
	cr_assert(strstr(msg, "hunter2") == NULL, "%s", msg);
}

Test(secrets, password_is_not_in_a_connection_string_error)
{
	const char *msg = MUST_FAIL(DB_TEST, {"MONGOALCHEMY_CONNECTION_STRING",
					      "mongodb://luke:hunter2@"});

	cr_assert(strstr(msg, "MONGOALCHEMY_CONNECTION_STRING") != NULL, "%s",
		  msg);
	cr_assert(strstr(msg, "hunter2") == NULL, "%s", msg);
}

Test(secrets, connection_string_redaction_hides_the_password)
{
	ma_config *c =
		MUST_CONFIG(DB_TEST, {"MONGOALCHEMY_CONNECTION_STRING",
				      "mongodb://luke:hunter2@localhost/"});

	cr_assert_str_eq(ma_config_uri_redacted(c),
			 "mongodb://luke:***@localhost/");
	cr_assert_str_eq(_ma_config_secret(c), "hunter2");
	ma_config_destroy(c);
}

Test(secrets, connection_string_password_replaces_an_ignored_variable)
{
	ma_config *c = MUST_CONFIG(DB_TEST, {"MONGOALCHEMY_PASSWORD", "unused"},
				   {"MONGOALCHEMY_CONNECTION_STRING",
				    "mongodb://luke:hunter2@localhost/"});

	cr_assert_str_eq(_ma_config_secret(c), "hunter2");
	ma_config_destroy(c);
	c = MUST_CONFIG(
		DB_TEST, {"MONGOALCHEMY_PASSWORD", "unused"},
		{"MONGOALCHEMY_CONNECTION_STRING", "mongodb://localhost/"});
	cr_assert_null(_ma_config_secret(c));
	ma_config_destroy(c);
}

Test(secrets, masking_the_password_keeps_the_message_utf8)
{
	char value[512], want[512];
	const char *msg;
	size_t i, n;

	/* A password that is the second byte of the 'é' of a value: the
	 * mask leaves a first byte alone, which becomes '?'. */
	msg = MUST_FAIL({"MONGOALCHEMY_DATABASE", "caf\xc3\xa9.db"},
			{"MONGOALCHEMY_PASSWORD", "\xa9"});
	cr_assert_str_eq(msg, "MONGOALCHEMY_DATABASE \"caf?***.db\" contains a "
			      "character MongoDB does not allow in database "
			      "names (one of / \\ . space \" $ * < > : | ?)");

	/* Every 'x' grows into "***": the message outgrows its buffer, whose
	 * end falls inside an 'é', which is dropped whole. */
	n = (size_t)snprintf(value, sizeof(value), "abcd");
	for (i = 0; i < 120; i++)
		n += (size_t)snprintf(value + n, sizeof(value) - n,
				      "x\xc3\xa9");
	msg = MUST_FAIL({"MONGOALCHEMY_DATABASE", value},
			{"MONGOALCHEMY_PASSWORD", "x"});
	n = (size_t)snprintf(want, sizeof(want),
			     "MONGOALCHEMY_DATABASE \"abcd");
	for (i = 0; i < 96; i++)
		n += (size_t)snprintf(want + n, sizeof(want) - n,
				      "***\xc3\xa9");
	snprintf(want + n, sizeof(want) - n, "***");
	cr_assert_str_eq(msg, want);
	cr_assert_eq(strlen(msg), MA_ERROR_MESSAGE_SIZE - 2);
	cr_assert(bson_utf8_validate(msg, strlen(msg), false));
}

/* --- write safety -------------------------------------------------------- */

static const char *
describe(const ma_config *c, ma_safe safe)
{
	static char buf[128];

	return ma_config_describe_write_concern(c, safe, buf, sizeof(buf));
}

Test(write_concern, unsafe_session_is_still_acknowledged)
{
	ma_config *c = MUST_CONFIG(DB_TEST);
	const mongoc_write_concern_t *wc =
		ma_config_write_concern(c, MA_SAFE_SESSION);

	cr_assert(mongoc_write_concern_is_acknowledged(wc));
	cr_assert_str_eq(describe(c, MA_SAFE_SESSION),
			 "w:1 (acknowledged, the driver's default)");
	cr_assert_str_eq(describe(c, MA_SAFE_OFF),
			 "w:1 (acknowledged, the driver's default)");
	cr_assert_str_eq(describe(c, MA_SAFE_ON), "w:majority, j:true");
	ma_config_destroy(c);
}

Test(write_concern, safe_session_waits_for_majority_and_journal)
{
	ma_config *c =
		MUST_CONFIG(DB_TEST, {"MONGOALCHEMY_SAFE_SESSION", "true"});
	const mongoc_write_concern_t *uri_wc =
		mongoc_uri_get_write_concern(ma_config_mongoc_uri(c));

	cr_assert_str_eq(describe(c, MA_SAFE_SESSION), "w:majority, j:true");
	/* The client is made from the URI: it must carry the same. */
	cr_assert_eq(mongoc_write_concern_get_w(uri_wc),
		     MONGOC_WRITE_CONCERN_W_MAJORITY);
	cr_assert(mongoc_write_concern_get_journal(uri_wc));
	/* A call can still ask for the plain acknowledged concern. */
	cr_assert_str_eq(describe(c, MA_SAFE_OFF),
			 "w:1 (acknowledged, the driver's default)");
	ma_config_destroy(c);
}

Test(write_concern, fire_and_forget_only_when_options_ask)
{
	ma_config *c = MUST_CONFIG(DB_TEST, {"MONGOALCHEMY_OPTIONS", "w=0"});

	cr_assert_str_eq(
		describe(c, MA_SAFE_SESSION),
		"w:0 (unacknowledged: writes can be lost without an error)");
	cr_assert_str_eq(describe(c, MA_SAFE_ON), "w:majority, j:true");
	ma_config_destroy(c);
}

Test(write_concern, safe_session_contradicting_options_is_an_error)
{
	const char *msg =
		MUST_FAIL(DB_TEST, {"MONGOALCHEMY_SAFE_SESSION", "on"},
			  {"MONGOALCHEMY_OPTIONS", "w=0"});

	cr_assert(strstr(msg, "MONGOALCHEMY_SAFE_SESSION") != NULL, "%s", msg);
}

Test(write_concern, safe_session_agrees_with_flask_safe_option)
{
	ma_config *c =
		MUST_CONFIG(DB_TEST, {"MONGOALCHEMY_SAFE_SESSION", "true"},
			    {"MONGOALCHEMY_OPTIONS", "safe=true"});

	cr_assert_str_eq(describe(c, MA_SAFE_SESSION), "w:majority, j:true");
	ma_config_destroy(c);
}

/* --- bad values ---------------------------------------------------------- */

#define ASSERT_MSG_HAS(msg, needle)                                            \
	cr_assert(strstr((msg), (needle)) != NULL, "\"%s\" lacks \"%s\"",      \
		  (msg), (needle))

Test(bad_values, missing_database)
{
	const char *msg = MUST_FAIL({"MONGOALCHEMY_SERVER", "x"});

	ASSERT_MSG_HAS(msg, "MONGOALCHEMY_DATABASE is not set");
}

Test(bad_values, empty_database_is_missing)
{
	ASSERT_MSG_HAS(MUST_FAIL({"MONGOALCHEMY_DATABASE", ""}),
		       "MONGOALCHEMY_DATABASE is not set");
}

Test(bad_values, database_names_mongodb_refuses)
{
	static const char *const bad[] = {"my.db",
					  "a/b",
					  "a b",
					  "a$b",
					  "a\"b",
					  "c:d",
					  "012345678901234567890123456789012345"
					  "6789012345678901234567890123"};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *msg = MUST_FAIL({"MONGOALCHEMY_DATABASE", bad[i]});
		ASSERT_MSG_HAS(msg, "MONGOALCHEMY_DATABASE");
	}
}

Test(bad_values, ports)
{
	static const char *const bad[] = {"abc",
					  "70000",
					  "65536",
					  "0",
					  "+80",
					  " 80",
					  "80 ",
					  "-1",
					  "8o",
					  "0x50",
					  "99999999999999999999"};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *msg =
			MUST_FAIL(DB_TEST, {"MONGOALCHEMY_PORT", bad[i]});
		ASSERT_MSG_HAS(msg, "MONGOALCHEMY_PORT");
		ASSERT_MSG_HAS(msg, bad[i]);
	}
}

Test(bad_values, port_bounds_are_accepted)
{
	ma_config *c = MUST_CONFIG(DB_TEST, {"MONGOALCHEMY_PORT", "65535"});

	cr_assert_str_eq(ma_config_uri(c), "mongodb://localhost:65535/");
	ma_config_destroy(c);
	c = MUST_CONFIG(DB_TEST, {"MONGOALCHEMY_PORT", "1"});
	cr_assert_str_eq(ma_config_uri(c), "mongodb://localhost:1/");
	ma_config_destroy(c);
}

Test(bad_values, booleans)
{
	static const char *const bad[] = {"maybe", "ture", "2",
					  "y",	   "t",	   "enabled"};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *msg = MUST_FAIL(
			DB_TEST, {"MONGOALCHEMY_SAFE_SESSION", bad[i]});
		ASSERT_MSG_HAS(msg, "MONGOALCHEMY_SAFE_SESSION");
		ASSERT_MSG_HAS(msg, bad[i]);
		msg = MUST_FAIL(DB_TEST, {"MONGOALCHEMY_SERVER_AUTH", bad[i]});
		ASSERT_MSG_HAS(msg, "MONGOALCHEMY_SERVER_AUTH");
	}
}

Test(bad_values, servers_that_would_change_the_uri)
{
	static const char *const bad[] = {"user@host", "a,b",	"host/db",
					  "host?x=1",  "ho st", "host#x",
					  "host\n"};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *msg =
			MUST_FAIL(DB_TEST, {"MONGOALCHEMY_SERVER", bad[i]});
		ASSERT_MSG_HAS(msg, "MONGOALCHEMY_SERVER");
	}
}

Test(bad_values, servers_a_driver_would_read_as_another_host_or_port)
{
	static const struct {
		const char *server, *says;
	} bad[] = {
		{"/tmp/mongo", "ends in .sock"},
		{"/tmp/a.sockx", "ends in .sock"},
		{"/tmp/a.sock:1", "start of a port"},
		{"db%2Eexample", "has a '%'"},
		{"[::1]:5", "without its ']' at the end"},
		{"[a:1b", "without its ']' at the end"},
		{"a:]:1", "out of place"},
		{"a]", "out of place"},
		{"[localhost]", "not an IPv6 address"},
		{"host:27017", "not an IPv6 address"},
		{"fe80::1%", "not an IPv6 address"},
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *msg = MUST_FAIL(
			DB_TEST, {"MONGOALCHEMY_SERVER", bad[i].server});

		ASSERT_MSG_HAS(msg, "MONGOALCHEMY_SERVER");
		ASSERT_MSG_HAS(msg, bad[i].says);
	}
}

Test(bad_values, options_syntax)
{
	static const char *const bad[] = {"foo",  "a=1&&b=2", "=x",
					  "a=1&", "&a=1",     "appname=a\\"};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *msg =
			MUST_FAIL(DB_TEST, {"MONGOALCHEMY_OPTIONS", bad[i]});
		ASSERT_MSG_HAS(msg, "MONGOALCHEMY_OPTIONS");
	}
}

Test(bad_values, options_the_driver_rejects)
{
	static const char *const bad[] = {"connectTimeoutMS=abc", "tls=maybe",
					  "journal=true&w=0", "replicaSet="};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *msg =
			MUST_FAIL(DB_TEST, {"MONGOALCHEMY_OPTIONS", bad[i]});
		ASSERT_MSG_HAS(msg,
			       "MONGOALCHEMY_OPTIONS is refused by the driver");
	}
}

Test(bad_values, replica_set_in_two_places)
{
	const char *msg =
		MUST_FAIL(DB_TEST, {"MONGOALCHEMY_REPLICA_SET", "rs0"},
			  {"MONGOALCHEMY_OPTIONS", "w=1&REPLICASET=rs1"});

	ASSERT_MSG_HAS(msg, "MONGOALCHEMY_OPTIONS");
	ASSERT_MSG_HAS(msg, "MONGOALCHEMY_REPLICA_SET");
}

Test(bad_values, malformed_connection_strings)
{
	static const char *const bad[] = {
		"http://localhost/", "localhost:27017", "mongodb://",
		"mongodb://host:99999/", "mongodb://host/?connectTimeoutMS=x"};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *msg = MUST_FAIL(
			DB_TEST, {"MONGOALCHEMY_CONNECTION_STRING", bad[i]});
		ASSERT_MSG_HAS(msg, "MONGOALCHEMY_CONNECTION_STRING is not a "
				    "valid MongoDB URI");
	}
}

Test(bad_values, connection_string_still_needs_the_database)
{
	const char *msg =
		MUST_FAIL({"MONGOALCHEMY_CONNECTION_STRING", "mongodb://h/db"});

	ASSERT_MSG_HAS(msg, "MONGOALCHEMY_DATABASE is not set");
}

/* --- the time limit of reads ---------------------------------------------- */

Test(max_time, defaults_to_five_seconds_and_takes_milliseconds)
{
	static const struct {
		const char *value;
		int64_t ms;
	} good[] = {{"0", 0}, {"1", 1}, {"250", 250}, {"86400000", 86400000}};
	ma_config *c = MUST_CONFIG(DB_TEST);
	size_t i;

	cr_assert_eq(ma_config_max_time_ms(c), MA_MAX_TIME_MS);
	cr_assert_eq(MA_MAX_TIME_MS, 5000);
	ma_config_destroy(c);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		c = MUST_CONFIG(DB_TEST,
				{"MONGOALCHEMY_MAX_TIME_MS", good[i].value});
		cr_assert_eq(ma_config_max_time_ms(c), good[i].ms, "%s",
			     good[i].value);
		ma_config_destroy(c);
	}
	/* It bounds reads with a connection string too. */
	c = MUST_CONFIG(DB_TEST,
			{"MONGOALCHEMY_CONNECTION_STRING", "mongodb://h/"},
			{"MONGOALCHEMY_MAX_TIME_MS", "75"});
	cr_assert_eq(ma_config_max_time_ms(c), 75);
	ma_config_destroy(c);
}

Test(max_time, anything_but_milliseconds_up_to_a_day_is_refused)
{
	static const char *const bad[] = {
		"-1",  "1.5",	   "5s",	" 5",	"5 ",
		"abc", "86400001", "999999999", "0x10", "+5"};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *msg = MUST_FAIL(
			DB_TEST, {"MONGOALCHEMY_MAX_TIME_MS", bad[i]});
		ASSERT_MSG_HAS(msg, "MONGOALCHEMY_MAX_TIME_MS");
		ASSERT_MSG_HAS(msg, bad[i]);
		ASSERT_MSG_HAS(msg,
			       "not a number of milliseconds (0 to 86400000)");
	}
}

Test(secrets, user_password_and_replica_set_must_be_utf8)
{
	const char *msg;

	msg = MUST_FAIL(DB_TEST, {"MONGOALCHEMY_USER", "hunt\xffr2"},
			{"MONGOALCHEMY_PASSWORD", "pw"});
	cr_assert_str_eq(msg, "MONGOALCHEMY_USER is not UTF-8 text");
	msg = MUST_FAIL(DB_TEST, {"MONGOALCHEMY_USER", "luke"},
			{"MONGOALCHEMY_PASSWORD", "hunt\xffr2"});
	cr_assert_str_eq(msg, "MONGOALCHEMY_PASSWORD is not UTF-8 text");
	msg = MUST_FAIL(DB_TEST, {"MONGOALCHEMY_REPLICA_SET", "hunt\xffr2"});
	cr_assert_str_eq(msg, "MONGOALCHEMY_REPLICA_SET is not UTF-8 text");
}

Test(secrets, a_password_cut_by_the_message_size_shows_no_part)
{
	/* Padding before the password in OPTIONS moves it across the end of
	 * the message buffer: the mask must apply before the text is cut. */
	char options[MA_ERROR_MESSAGE_SIZE + 64];
	const char *msg;
	size_t pad, n;

	for (pad = MA_ERROR_MESSAGE_SIZE - 120; pad < MA_ERROR_MESSAGE_SIZE;
	     pad++) {
		n = (size_t)snprintf(options, sizeof(options),
				     "connectTimeoutMS=");
		memset(options + n, 'x', pad);
		snprintf(options + n + pad, sizeof(options) - n - pad,
			 "sesame-open");
		msg = MUST_FAIL(DB_TEST, {"MONGOALCHEMY_USER", "luke"},
				{"MONGOALCHEMY_PASSWORD", "sesame-open"},
				{"MONGOALCHEMY_OPTIONS", options});
		cr_assert(strstr(msg, "MONGOALCHEMY_OPTIONS") != NULL, "%s",
			  msg);
		cr_assert(strstr(msg, "sesa") == NULL, "padding %zu: %s", pad,
			  msg);
	}
}
