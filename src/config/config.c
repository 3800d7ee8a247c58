/*
 * Configuration from <prefix>_* variables: read, validate, build the URI,
 * let libmongoc parse it, and fix the write concerns.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config/config-private.h"

/* The keys, in the order the documentation lists them. */
enum key {
	KEY_DATABASE,
	KEY_SERVER,
	KEY_PORT,
	KEY_USER,
	KEY_PASSWORD,
	KEY_SERVER_AUTH,
	KEY_REPLICA_SET,
	KEY_OPTIONS,
	KEY_SAFE_SESSION,
	KEY_MAX_TIME_MS,
	KEY_CONNECTION_STRING,
	KEY__MAX
};

static const char *const key_names[KEY__MAX] = {
	[KEY_DATABASE] = "DATABASE",
	[KEY_SERVER] = "SERVER",
	[KEY_PORT] = "PORT",
	[KEY_USER] = "USER",
	[KEY_PASSWORD] = "PASSWORD",
	[KEY_SERVER_AUTH] = "SERVER_AUTH",
	[KEY_REPLICA_SET] = "REPLICA_SET",
	[KEY_OPTIONS] = "OPTIONS",
	[KEY_SAFE_SESSION] = "SAFE_SESSION",
	[KEY_MAX_TIME_MS] = "MAX_TIME_MS",
	[KEY_CONNECTION_STRING] = "CONNECTION_STRING",
};

#define DEFAULT_SERVER "localhost"
#define DEFAULT_PORT 27017u

struct ma_config {
	char *prefix;
	char *values[KEY__MAX]; /* as read; NULL when unset or empty */

	char *database;
	unsigned port;
	bool server_auth;
	bool safe_session;
	int64_t max_time_ms;

	char *ignored; /* "P_SERVER, P_PORT": set beside a connection string */

	char *uri;
	char *uri_redacted;
	mongoc_uri_t *muri;
	mongoc_write_concern_t *wc_plain; /* the URI's own */
	mongoc_write_concern_t *wc_safe;  /* w:majority, j:true */
};

/* --- reading ------------------------------------------------------------- */

static char *
var_name(const char *prefix, enum key k)
{
	return bson_strdup_printf("%s_%s", prefix, key_names[k]);
}

static void
read_values(ma_config *cfg, ma_config_lookup_fn lookup, void *ctx)
{
	const char *v;
	char *name;
	int k;

	for (k = 0; k < KEY__MAX; k++) {
		name = var_name(cfg->prefix, (enum key)k);
		v = lookup(name, ctx);
		bson_free(name);
		/* An empty variable is an unset one: `export X=` in a shell. */
		if (v != NULL && v[0] != '\0')
			cfg->values[k] = bson_strdup(v);
	}
}

/* Error about one variable: "<PREFIX>_<KEY> <what>". */
static void key_error(ma_error *error, const ma_config *cfg, enum key k,
		      const char *fmt, ...) MA_PRINTF(4, 5);

static void
key_error(ma_error *error, const ma_config *cfg, enum key k, const char *fmt,
	  ...)
{
	char *detail;
	va_list ap;

	va_start(ap, fmt);
	detail = bson_strdupv_printf(fmt, ap);
	va_end(ap);
	_ma_error_set_masked(error, MA_ERR_CONFIG, cfg->values[KEY_PASSWORD],
			     "%s_%s %s", cfg->prefix, key_names[k], detail);
	bson_free(detail);
}

static bool
read_bool(const ma_config *cfg, enum key k, bool dflt, bool *out,
	  ma_error *error)
{
	const char *v = cfg->values[k];

	*out = dflt;
	if (v == NULL || _ma_parse_bool(v, MA_BOOL_SETTING, out))
		return true;
	key_error(error, cfg, k,
		  "\"%s\" is not a boolean (true/false, 1/0, yes/no, on/off)",
		  v);
	return false;
}

static bool
check_values(ma_config *cfg, ma_error *error)
{
	static const enum key text_keys[] = {KEY_USER, KEY_PASSWORD,
					     KEY_REPLICA_SET};
	const char *v, *problem;
	size_t k;

	v = cfg->values[KEY_DATABASE];
	if (v == NULL) {
		key_error(error, cfg, KEY_DATABASE,
			  "is not set: it names the database to use");
		return false;
	}
	if ((problem = _ma_config_database_problem(v)) != NULL) {
		key_error(error, cfg, KEY_DATABASE, "\"%s\" %s", v, problem);
		return false;
	}
	cfg->database = bson_strdup(v);

	if (!read_bool(cfg, KEY_SAFE_SESSION, false, &cfg->safe_session, error))
		return false;
	cfg->max_time_ms = MA_MAX_TIME_MS;
	v = cfg->values[KEY_MAX_TIME_MS];
	if (v != NULL && !_ma_config_parse_ms(v, &cfg->max_time_ms)) {
		key_error(error, cfg, KEY_MAX_TIME_MS,
			  "\"%s\" is not a number of milliseconds (0 to %d)", v,
			  MA_CONFIG_MAX_TIME_MS_MAX);
		return false;
	}

	/* The rest only shapes a URI that a connection string replaces. */
	if (cfg->values[KEY_CONNECTION_STRING] != NULL)
		return true;

	/* Flask-MongoAlchemy drops it without a word, and the worker would
	 * connect without credentials. */
	if (cfg->values[KEY_PASSWORD] != NULL &&
	    cfg->values[KEY_USER] == NULL) {
		key_error(error, cfg, KEY_PASSWORD,
			  "is set but %s_USER is not: a password is only used "
			  "with a user",
			  cfg->prefix);
		return false;
	}

	cfg->port = DEFAULT_PORT;
	v = cfg->values[KEY_PORT];
	if (v != NULL && !_ma_config_parse_port(v, &cfg->port)) {
		key_error(error, cfg, KEY_PORT,
			  "\"%s\" is not a port number (1 to 65535)", v);
		return false;
	}

	if (!read_bool(cfg, KEY_SERVER_AUTH, true, &cfg->server_auth, error))
		return false;

	/* Drivers refuse text that is not UTF-8 in a URI, and would blame
	 * the whole URI; the value is not quoted, as it may be a password. */
	for (k = 0; k < sizeof(text_keys) / sizeof(text_keys[0]); k++) {
		v = cfg->values[text_keys[k]];
		if (v != NULL && !bson_utf8_validate(v, strlen(v), false)) {
			key_error(error, cfg, text_keys[k],
				  "is not UTF-8 text");
			return false;
		}
	}

	v = cfg->values[KEY_SERVER];
	if (v != NULL && (problem = _ma_config_server_problem(v)) != NULL) {
		key_error(error, cfg, KEY_SERVER, "\"%s\" %s", v, problem);
		return false;
	}

	v = cfg->values[KEY_OPTIONS];
	if (v != NULL && (problem = _ma_config_options_problem(v)) != NULL) {
		key_error(error, cfg, KEY_OPTIONS, "\"%s\" %s", v, problem);
		return false;
	}
	if (v != NULL && cfg->values[KEY_REPLICA_SET] != NULL &&
	    _ma_config_options_has(v, "replicaSet")) {
		key_error(error, cfg, KEY_OPTIONS,
			  "sets replicaSet and so does %s_REPLICA_SET: set it "
			  "in one place",
			  cfg->prefix);
		return false;
	}
	return true;
}

/* The variables set that a connection string makes the worker ignore:
 * those from _SERVER to _OPTIONS, which only shape a built URI. */
static void
list_ignored(ma_config *cfg)
{
	ma_buf b;
	int k;

	_ma_buf_init(&b, 64);
	for (k = KEY_SERVER; k <= KEY_OPTIONS; k++) {
		if (cfg->values[k] != NULL)
			_ma_buf_printf(&b, "%s%s_%s", b.len > 0 ? ", " : "",
				       cfg->prefix, key_names[k]);
	}
	cfg->ignored = b.len > 0 ? _ma_buf_steal(&b, NULL) : NULL;
	_ma_buf_destroy(&b);
}

/* --- the URI ------------------------------------------------------------- */

static void
uri_parts(const ma_config *cfg, ma_uri_parts *parts, bool with_options)
{
	memset(parts, 0, sizeof(*parts));
	parts->server = cfg->values[KEY_SERVER] ? cfg->values[KEY_SERVER]
						: DEFAULT_SERVER;
	parts->port = cfg->port;
	parts->user = cfg->values[KEY_USER];
	parts->password = cfg->values[KEY_PASSWORD];
	/* Flask-MongoAlchemy: the database goes in the path only for
	 * database authentication, so that the driver authenticates there. */
	if (parts->user != NULL && !cfg->server_auth)
		parts->path = cfg->database;
	parts->options = with_options ? cfg->values[KEY_OPTIONS] : NULL;
	parts->replica_set = cfg->values[KEY_REPLICA_SET];
}

/*
 * Builds the URI from the variables and has the driver parse it. When the
 * driver refuses it, the blame goes to OPTIONS if the URI parses without
 * them, to SERVER otherwise: our own checks already passed everything else.
 */
static bool
build_uri(ma_config *cfg, ma_error *error)
{
	ma_uri_parts parts;
	bson_error_t berr, berr2;
	mongoc_uri_t *probe;
	char *bare;
	enum key culprit;

	uri_parts(cfg, &parts, true);
	cfg->uri = _ma_uri_build(&parts, NULL);
	cfg->uri_redacted = _ma_uri_build(&parts, "***");
	cfg->muri = mongoc_uri_new_with_error(cfg->uri, &berr);
	if (cfg->muri != NULL)
		return true;

	culprit = KEY_SERVER;
	if (cfg->values[KEY_OPTIONS] != NULL) {
		uri_parts(cfg, &parts, false);
		bare = _ma_uri_build(&parts, NULL);
		probe = mongoc_uri_new_with_error(bare, &berr2);
		if (probe != NULL)
			culprit = KEY_OPTIONS;
		mongoc_uri_destroy(probe);
		bson_free(bare);
	}
	key_error(error, cfg, culprit, "is refused by the driver: %s",
		  berr.message);
	return false;
}

/* Replaces the password kept for scrubbing messages; takes ownership. */
static void
set_secret(ma_config *cfg, char *secret)
{
	char *old = cfg->values[KEY_PASSWORD];

	if (old != NULL)
		bson_zero_free(old, strlen(old));
	cfg->values[KEY_PASSWORD] = secret;
}

/*
 * The string's password is the secret to keep out of messages; a _PASSWORD
 * variable beside it is ignored like the rest. Until the driver has parsed
 * the string, the secret is what stands between ':' and '@' (the driver
 * does not quote the URI in its errors today; a later version might).
 */
static bool
parse_connection_string(ma_config *cfg, ma_error *error)
{
	const char *cs = cfg->values[KEY_CONNECTION_STRING];
	bson_error_t berr;
	size_t off, len;
	const char *pw;

	set_secret(cfg, _ma_uri_password_span(cs, &off, &len)
				? bson_strndup(cs + off, len)
				: NULL);
	cfg->uri = bson_strdup(cs);
	cfg->uri_redacted = _ma_uri_redact(cs);
	cfg->muri = mongoc_uri_new_with_error(cs, &berr);
	if (cfg->muri == NULL) {
		key_error(error, cfg, KEY_CONNECTION_STRING,
			  "is not a valid MongoDB URI: %s", berr.message);
		return false;
	}

	pw = mongoc_uri_get_password(cfg->muri);
	set_secret(cfg, pw ? bson_strdup(pw) : NULL);
	return true;
}

/*
 * The write concerns: the URI's own, and the safe one. SAFE_SESSION=true
 * makes the safe one the session's; a URI that also asks for a w or a
 * journal setting contradicts it, and contradictions are errors.
 */
static bool
setup_write_concerns(ma_config *cfg, ma_error *error)
{
	const bson_t *opts = mongoc_uri_get_options(cfg->muri);
	const mongoc_write_concern_t *uri_wc;
	bson_iter_t it;
	bool explicit_wc;

	uri_wc = mongoc_uri_get_write_concern(cfg->muri);
	cfg->wc_plain = mongoc_write_concern_copy(uri_wc);

	cfg->wc_safe = mongoc_write_concern_new();
	mongoc_write_concern_set_w(cfg->wc_safe,
				   MONGOC_WRITE_CONCERN_W_MAJORITY);
	mongoc_write_concern_set_journal(cfg->wc_safe, true);
	if (mongoc_write_concern_get_wtimeout_int64(uri_wc) > 0) {
		mongoc_write_concern_set_wtimeout_int64(
			cfg->wc_safe,
			mongoc_write_concern_get_wtimeout_int64(uri_wc));
	}

	if (!cfg->safe_session)
		return true;

	explicit_wc = opts != NULL &&
		      (bson_iter_init_find_case(&it, opts, "w") ||
		       bson_iter_init_find_case(&it, opts, "journal"));
	if (explicit_wc) {
		key_error(error, cfg, KEY_SAFE_SESSION,
			  "is true but the %s sets its own write concern (w or "
			  "journal): set one of them",
			  cfg->values[KEY_CONNECTION_STRING]
				  ? "connection string"
				  : "URI options");
		return false;
	}
	mongoc_uri_set_write_concern(cfg->muri, cfg->wc_safe);
	return true;
}

/* --- public -------------------------------------------------------------- */

static const char *
env_lookup(const char *name, void *ctx)
{
	(void)ctx;
	return getenv(name);
}

ma_config *
ma_config_new_from_env(const char *prefix, ma_error *error)
{
	return ma_config_new(prefix, env_lookup, NULL, error);
}

ma_config *
ma_config_new(const char *prefix, ma_config_lookup_fn lookup, void *ctx,
	      ma_error *error)
{
	ma_config *cfg = NULL;

	if (prefix == NULL)
		prefix = MA_CONFIG_DEFAULT_PREFIX;
	if (lookup == NULL) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "no lookup function given");
		return NULL;
	}
	if (!_ma_config_prefix_ok(prefix)) {
		_ma_error_set(error, MA_ERR_CONFIG,
			      "configuration prefix \"%s\" is not usable: use "
			      "letters, digits and '_', not starting with a "
			      "digit, at most %d characters",
			      prefix, MA_CONFIG_PREFIX_MAX);
		return NULL;
	}

	/* The URI parser needs the driver initialised; this is idempotent. */
	mongoc_init();

	cfg = bson_malloc0(sizeof(*cfg));
	cfg->prefix = bson_strdup(prefix);
	read_values(cfg, lookup, ctx);
	if (!check_values(cfg, error))
		goto fail;

	if (cfg->values[KEY_CONNECTION_STRING] != NULL) {
		list_ignored(cfg);
		if (!parse_connection_string(cfg, error))
			goto fail;
	} else if (!build_uri(cfg, error)) {
		goto fail;
	}

	if (!setup_write_concerns(cfg, error))
		goto fail;

	ma_error_clear(error);
	return cfg;

fail:
	ma_config_destroy(cfg);
	return NULL;
}

void
ma_config_destroy(ma_config *cfg)
{
	int k;

	if (cfg == NULL)
		return;
	for (k = 0; k < KEY__MAX; k++) {
		/* The password is wiped, not just freed. */
		if (k == KEY_PASSWORD && cfg->values[k] != NULL)
			bson_zero_free(cfg->values[k], strlen(cfg->values[k]));
		else
			bson_free(cfg->values[k]);
	}
	if (cfg->uri != NULL)
		bson_zero_free(cfg->uri, strlen(cfg->uri));
	bson_free(cfg->uri_redacted);
	bson_free(cfg->ignored);
	bson_free(cfg->database);
	bson_free(cfg->prefix);
	mongoc_uri_destroy(cfg->muri);
	mongoc_write_concern_destroy(cfg->wc_plain);
	mongoc_write_concern_destroy(cfg->wc_safe);
	bson_free(cfg);
}

const char *
ma_config_prefix(const ma_config *cfg)
{
	return cfg->prefix;
}

const char *
ma_config_database(const ma_config *cfg)
{
	return cfg->database;
}

const char *
ma_config_uri(const ma_config *cfg)
{
	return cfg->uri;
}

const char *
ma_config_uri_redacted(const ma_config *cfg)
{
	return cfg->uri_redacted;
}

const char *
ma_config_user(const ma_config *cfg)
{
	return mongoc_uri_get_username(cfg->muri);
}

const char *
ma_config_auth_source(const ma_config *cfg)
{
	if (mongoc_uri_get_username(cfg->muri) == NULL)
		return NULL;
	return mongoc_uri_get_auth_source(cfg->muri);
}

const char *
ma_config_replica_set(const ma_config *cfg)
{
	return mongoc_uri_get_replica_set(cfg->muri);
}

bool
ma_config_uses_connection_string(const ma_config *cfg)
{
	return cfg->values[KEY_CONNECTION_STRING] != NULL;
}

const char *
ma_config_ignored(const ma_config *cfg)
{
	return cfg->ignored;
}

int64_t
ma_config_max_time_ms(const ma_config *cfg)
{
	return cfg->max_time_ms;
}

bool
ma_config_safe_session(const ma_config *cfg)
{
	return cfg->safe_session;
}

const mongoc_uri_t *
ma_config_mongoc_uri(const ma_config *cfg)
{
	return cfg->muri;
}

const mongoc_write_concern_t *
ma_config_write_concern(const ma_config *cfg, ma_safe safe)
{
	switch (safe) {
	case MA_SAFE_ON:
		return cfg->wc_safe;
	case MA_SAFE_OFF:
		return cfg->wc_plain;
	case MA_SAFE_SESSION:
	default:
		return cfg->safe_session ? cfg->wc_safe : cfg->wc_plain;
	}
}

const char *
_ma_config_secret(const ma_config *cfg)
{
	return cfg->values[KEY_PASSWORD];
}

char *
ma_config_describe_write_concern(const ma_config *config, ma_safe safe,
				 char *buf, size_t size)
{
	const mongoc_write_concern_t *wc =
		ma_config_write_concern(config, safe);
	int32_t w = mongoc_write_concern_get_w(wc);
	int64_t wtimeout = mongoc_write_concern_get_wtimeout_int64(wc);
	ma_buf b;
	char *s;

	_ma_buf_init(&b, 64);
	switch (w) {
	case MONGOC_WRITE_CONCERN_W_DEFAULT:
		_ma_buf_printf(&b, "w:1 (acknowledged, the driver's default)");
		break;
	case MONGOC_WRITE_CONCERN_W_MAJORITY:
		_ma_buf_printf(&b, "w:majority");
		break;
	case MONGOC_WRITE_CONCERN_W_TAG:
		_ma_buf_printf(&b, "w:%s", mongoc_write_concern_get_wtag(wc));
		break;
	case MONGOC_WRITE_CONCERN_W_UNACKNOWLEDGED:
		_ma_buf_printf(&b, "w:0 (unacknowledged: writes can be lost "
				   "without an error)");
		break;
	default:
		_ma_buf_printf(&b, "w:%d", (int)w);
		break;
	}
	if (mongoc_write_concern_journal_is_set(wc)) {
		_ma_buf_printf(&b, ", j:%s",
			       mongoc_write_concern_get_journal(wc) ? "true"
								    : "false");
	}
	if (wtimeout > 0)
		_ma_buf_printf(&b, ", wtimeout:%" PRId64 "ms", wtimeout);

	s = _ma_buf_steal(&b, NULL);
	bson_strncpy(buf, s, size);
	bson_free(s);
	return buf;
}
