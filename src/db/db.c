/*
 * The database object: a configuration and this process's client.
 */
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "config/config-private.h"
#include "db/db-private.h"
#include "schema/schema-private.h"

/* The name servers log for our connections, unless the URI sets one. */
#define MA_APPNAME "mongoalchemy"

/* A declared type, and whether this process's client created its indexes. */
typedef struct db_type {
	const ma_type *type;
	bool indexed;
} db_type;

struct ma_db {
	ma_config *config;
	mongoc_client_t *client;
	pid_t client_pid; /* the process that created client */
	db_type *types;
	size_t ntypes;
};

ma_db *
ma_db_new(const char *prefix, ma_error *error)
{
	ma_config *config = ma_config_new_from_env(prefix, error);

	if (config == NULL)
		return NULL;
	return ma_db_new_with_config(config, error);
}

ma_db *
ma_db_new_with_config(ma_config *config, ma_error *error)
{
	ma_db *db;

	if (config == NULL) {
		_ma_error_set(error, MA_ERR_INVALID, "no configuration given");
		return NULL;
	}
	db = bson_malloc0(sizeof(*db));
	db->config = config;
	ma_error_clear(error);
	return db;
}

/*
 * A client inherited through fork() shares its sockets with the parent.
 * mongoc_client_reset() makes destroying it close nothing the parent uses
 * and send nothing (no endSessions) on the parent's connections.
 */
static void
drop_inherited_client(ma_db *db)
{
	if (db->client == NULL || db->client_pid == getpid())
		return;
	mongoc_client_reset(db->client);
	mongoc_client_destroy(db->client);
	db->client = NULL;
}

void
ma_db_destroy(ma_db *db)
{
	if (db == NULL)
		return;
	_ma_db_release(db);
	ma_config_destroy(db->config);
	bson_free(db->types);
	bson_free(db);
}

void
_ma_db_release(ma_db *db)
{
	drop_inherited_client(db);
	mongoc_client_destroy(db->client);
	db->client = NULL;
}

const ma_config *
ma_db_config(const ma_db *db)
{
	return db->config;
}

/*
 * The driver waits 10 s to connect and 5 min for a reply by default: a
 * web worker would hold its client that long while its server is gone, and
 * nginx would give up first. These bound it; the URI (or _OPTIONS) may set
 * its own.
 */
static const struct {
	const char *option;
	int32_t ms;
} timeout_defaults[] = {
	{MONGOC_URI_CONNECTTIMEOUTMS, MA_CONNECT_TIMEOUT_MS},
	{MONGOC_URI_SERVERSELECTIONTIMEOUTMS, MA_SELECTION_TIMEOUT_MS},
	{MONGOC_URI_SOCKETTIMEOUTMS, MA_SOCKET_TIMEOUT_MS},
};

static mongoc_uri_t *
uri_with_timeouts(const mongoc_uri_t *given)
{
	mongoc_uri_t *uri = mongoc_uri_copy(given);
	size_t i;

	for (i = 0; i < sizeof(timeout_defaults) / sizeof(timeout_defaults[0]);
	     i++) {
		if (!mongoc_uri_has_option(uri, timeout_defaults[i].option))
			mongoc_uri_set_option_as_int32(
				uri, timeout_defaults[i].option,
				timeout_defaults[i].ms);
	}
	return uri;
}

mongoc_client_t *
ma_db_client(ma_db *db, ma_error *error)
{
	mongoc_uri_t *uri;
	bson_error_t berr;
	size_t i;

	drop_inherited_client(db);
	if (db->client != NULL)
		return db->client;

	uri = uri_with_timeouts(ma_config_mongoc_uri(db->config));
	db->client = mongoc_client_new_from_uri_with_error(uri, &berr);
	if (db->client == NULL) {
		mongoc_uri_destroy(uri);
		_ma_error_from_bson(error, &berr,
				    "cannot create a MongoDB client",
				    _ma_config_secret(db->config));
		return NULL;
	}
	db->client_pid = getpid();

	/* A new client means a new process: its indexes are to be made. */
	for (i = 0; i < db->ntypes; i++)
		db->types[i].indexed = false;

	/* Version 2 reports server errors in the server's own domain. */
	mongoc_client_set_error_api(db->client, MONGOC_ERROR_API_VERSION_2);
	if (mongoc_uri_get_appname(uri) == NULL)
		mongoc_client_set_appname(db->client, MA_APPNAME);
	mongoc_uri_destroy(uri);
	return db->client;
}

mongoc_collection_t *
ma_db_collection(ma_db *db, const char *name, ma_error *error)
{
	mongoc_client_t *client;

	if (name == NULL || name[0] == '\0') {
		_ma_error_set(error, MA_ERR_INVALID,
			      "collection name is empty");
		return NULL;
	}
	client = ma_db_client(db, error);
	if (client == NULL)
		return NULL;
	return mongoc_client_get_collection(
		client, ma_config_database(db->config), name);
}

bool
ma_db_ping(ma_db *db, ma_error *error)
{
	mongoc_client_t *client = ma_db_client(db, error);
	bson_error_t berr;
	bson_t cmd = BSON_INITIALIZER;
	bool ok;

	if (client == NULL)
		return false;

	BSON_APPEND_INT32(&cmd, "ping", 1);
	ok = mongoc_client_command_simple(client,
					  ma_config_database(db->config), &cmd,
					  NULL, NULL, &berr);
	bson_destroy(&cmd);
	if (!ok) {
		_ma_error_from_bson(error, &berr, "ping failed",
				    _ma_config_secret(db->config));
		return false;
	}
	ma_error_clear(error);
	return true;
}

/* --- types and their indexes --------------------------------------------- */

static db_type *
find_type(ma_db *db, const ma_type *type)
{
	size_t i;

	for (i = 0; i < db->ntypes; i++) {
		if (db->types[i].type == type)
			return &db->types[i];
	}
	return NULL;
}

bool
ma_db_add_type(ma_db *db, const ma_type *type, ma_error *error)
{
	if (!ma_type_check(type, error))
		return false;
	if (find_type(db, type) == NULL) {
		db->types = bson_realloc(db->types,
					 (db->ntypes + 1) * sizeof(*db->types));
		db->types[db->ntypes++] = (db_type){type, false};
	}
	ma_error_clear(error);
	return true;
}

/* {key: {...}, name: ..., unique: ...} for one declared index. */
static void
append_index(bson_t *indexes, const char *ikey, const ma_type *type,
	     const ma_index *ix)
{
	bson_t spec, keys;
	ma_buf name, path;
	const char *const *k;
	bool desc;

	_ma_buf_init(&name, 64);
	_ma_buf_init(&path, 64);
	BSON_APPEND_DOCUMENT_BEGIN(indexes, ikey, &spec);
	BSON_APPEND_DOCUMENT_BEGIN(&spec, "key", &keys);
	for (k = ix->keys; *k != NULL; k++) {
		/* Keys are declared the way users write fields: JSON names. */
		desc = (*k)[0] == '-';
		path.len = 0;
		_ma_type_path(type, *k + desc, &path, NULL);
		BSON_APPEND_INT32(&keys, path.data, desc ? -1 : 1);
		/* MongoDB's own default name: "year_-1_title_1". */
		_ma_buf_printf(&name, "%s%s_%d", k == ix->keys ? "" : "_",
			       path.data, desc ? -1 : 1);
	}
	bson_append_document_end(&spec, &keys);
	BSON_APPEND_UTF8(&spec, "name",
			 ix->name != NULL ? ix->name : name.data);
	if (ix->unique)
		BSON_APPEND_BOOL(&spec, "unique", true);
	bson_append_document_end(indexes, &spec);
	_ma_buf_destroy(&path);
	_ma_buf_destroy(&name);
}

/* Whether two key documents name the same fields in the same order and
 * directions (a server may give 1 back as a double). */
static bool
same_keys(const bson_t *a, const bson_t *b)
{
	bson_iter_t x, y;
	bool more_x, more_y;

	if (!bson_iter_init(&x, a) || !bson_iter_init(&y, b))
		return false;
	for (;;) {
		more_x = bson_iter_next(&x);
		more_y = bson_iter_next(&y);
		if (!more_x || !more_y)
			return more_x == more_y;
		if (strcmp(bson_iter_key(&x), bson_iter_key(&y)) != 0 ||
		    !BSON_ITER_HOLDS_NUMBER(&x) ||
		    !BSON_ITER_HOLDS_NUMBER(&y) ||
		    bson_iter_as_double(&x) != bson_iter_as_double(&y))
			return false;
	}
}

/* A sub-document of doc, or an empty one. */
static void
sub_doc(const bson_t *doc, const char *key, bson_t *out)
{
	bson_iter_t it;

	if (!bson_iter_init_find(&it, doc, key) || !_ma_iter_view(&it, out))
		bson_init(out);
}

/* Whether the server already has spec (in existing, an array of what
 * listIndexes gave), as declared: same name, keys and uniqueness. One that
 * differs is sent again, and the server's refusal reports the declaration
 * that no longer matches. */
static bool
exists_as_declared(const bson_t *existing, const bson_t *spec)
{
	bson_t want_keys, have_keys, have;
	bson_iter_t it, e;
	const char *name = NULL;
	bool unique, same = false;

	if (bson_iter_init_find(&it, spec, "name"))
		name = bson_iter_utf8(&it, NULL);
	unique = bson_iter_init_find(&it, spec, "unique") &&
		 bson_iter_as_bool(&it);
	sub_doc(spec, "key", &want_keys);
	bson_iter_init(&e, existing);
	while (!same && name != NULL && bson_iter_next(&e)) {
		if (!_ma_iter_view(&e, &have) ||
		    !bson_iter_init_find(&it, &have, "name") ||
		    !BSON_ITER_HOLDS_UTF8(&it) ||
		    strcmp(bson_iter_utf8(&it, NULL), name) != 0)
			continue;
		sub_doc(&have, "key", &have_keys);
		same = same_keys(&want_keys, &have_keys) &&
		       unique == (bson_iter_init_find(&it, &have, "unique") &&
				  bson_iter_as_bool(&it));
		bson_destroy(&have_keys);
	}
	bson_destroy(&want_keys);
	return same;
}

/* The collection's indexes as an array into out. A collection that does
 * not exist yet has none: the driver gives an empty cursor. */
static bool
list_indexes(mongoc_collection_t *coll, bson_t *out, bson_error_t *berr)
{
	mongoc_cursor_t *cursor =
		mongoc_collection_find_indexes_with_opts(coll, NULL);
	const bson_t *ix;
	char ibuf[16];
	const char *ikey;
	uint32_t n = 0;
	bool ok;

	while (mongoc_cursor_next(cursor, &ix)) {
		bson_uint32_to_string(n++, &ikey, ibuf, sizeof(ibuf));
		BSON_APPEND_DOCUMENT(out, ikey, ix);
	}
	ok = !mongoc_cursor_error(cursor, berr);
	mongoc_cursor_destroy(cursor);
	return ok;
}

/*
 * Creates the declared indexes the collection lacks. Asking first costs a
 * round trip, once per process, and keeps every worker after the first
 * from sending createIndexes at all: MongoDB would answer "all indexes
 * already exist", but not every server that speaks its protocol does
 * (FerretDB 1.24 drops the connection when asked for several that exist).
 */
static bool
create_indexes(ma_db *db, mongoc_client_t *client, const ma_type *type,
	       ma_error *error)
{
	mongoc_collection_t *coll;
	mongoc_database_t *database = NULL;
	const ma_index *ix;
	bson_t cmd = BSON_INITIALIZER, indexes, all = BSON_INITIALIZER,
	       existing = BSON_INITIALIZER, reply = BSON_INITIALIZER, spec;
	bson_error_t berr;
	bson_iter_t it;
	char ibuf[16], context[128];
	const char *ikey;
	uint32_t i = 0, n = 0;
	bool ok = true;

	if (type->indexes == NULL || type->indexes[0].keys == NULL)
		goto done;
	for (ix = type->indexes; ix->keys != NULL; ix++) {
		bson_uint32_to_string(i++, &ikey, ibuf, sizeof(ibuf));
		append_index(&all, ikey, type, ix);
	}

	coll = mongoc_client_get_collection(client,
					    ma_config_database(db->config),
					    ma_type_collection(type));
	ok = list_indexes(coll, &existing, &berr);
	mongoc_collection_destroy(coll);
	BSON_APPEND_UTF8(&cmd, "createIndexes", ma_type_collection(type));
	BSON_APPEND_ARRAY_BEGIN(&cmd, "indexes", &indexes);
	bson_iter_init(&it, &all);
	while (ok && bson_iter_next(&it)) {
		if (_ma_iter_view(&it, &spec) &&
		    !exists_as_declared(&existing, &spec)) {
			bson_uint32_to_string(n++, &ikey, ibuf, sizeof(ibuf));
			BSON_APPEND_DOCUMENT(&indexes, ikey, &spec);
		}
	}
	bson_append_array_end(&cmd, &indexes);

	/* createIndexes fails when an index of the same name differs: a
	 * declaration that no longer matches the server is reported, not
	 * papered over. */
	if (ok && n > 0) {
		database = mongoc_client_get_database(
			client, ma_config_database(db->config));
		bson_destroy(&reply);
		ok = mongoc_database_write_command_with_opts(
			database, &cmd, NULL, &reply, &berr);
	}
	if (!ok) {
		snprintf(context, sizeof(context),
			 "cannot create the indexes of %s", type->name);
		_ma_error_from_bson(error, &berr, context,
				    _ma_config_secret(db->config));
	}
done:
	mongoc_database_destroy(database);
	bson_destroy(&reply);
	bson_destroy(&cmd);
	bson_destroy(&all);
	bson_destroy(&existing);
	return ok;
}

/* Creates the indexes of the declared types this client has not made. */
static bool
ensure_indexes(ma_db *db, mongoc_client_t *client, ma_error *error)
{
	size_t i;

	for (i = 0; i < db->ntypes; i++) {
		if (db->types[i].indexed)
			continue;
		if (!create_indexes(db, client, db->types[i].type, error))
			return false;
		db->types[i].indexed = true;
	}
	return true;
}

bool
ma_db_ensure_indexes(ma_db *db, ma_error *error)
{
	mongoc_client_t *client = ma_db_client(db, error);

	if (client == NULL || !ensure_indexes(db, client, error))
		return false;
	ma_error_clear(error);
	return true;
}

const mongoc_write_concern_t *
_ma_db_write_concern(ma_db *db, ma_safe safe, bson_t *opts)
{
	const mongoc_write_concern_t *wc =
		ma_config_write_concern(db->config, safe);

	mongoc_write_concern_append((mongoc_write_concern_t *)wc, opts);
	return wc;
}

void
_ma_db_error(ma_db *db, ma_error *error, const bson_error_t *berr,
	     const char *verb, const ma_type *type)
{
	char context[128];

	snprintf(context, sizeof(context), "cannot %s %s", verb, type->name);
	_ma_error_from_bson(error, berr, context,
			    _ma_config_secret(db->config));
}

/*
 * On every operation's path: one getpid() (in ma_db_client()), a scan of
 * the declared types, and no server round trip once the indexes exist.
 */
mongoc_collection_t *
_ma_db_type_collection(ma_db *db, const ma_type *type, ma_error *error)
{
	mongoc_client_t *client;

	if (find_type(db, type) == NULL && !ma_db_add_type(db, type, error))
		return NULL;
	client = ma_db_client(db, error);
	if (client == NULL || !ensure_indexes(db, client, error))
		return NULL;
	return mongoc_client_get_collection(client,
					    ma_config_database(db->config),
					    ma_type_collection(type));
}
