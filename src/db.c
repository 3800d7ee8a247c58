/*
 * The database object: a configuration and this process's client.
 */
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "ma-private.h"

/* The name servers log for our connections, unless the URI sets one. */
#define MA_APPNAME "mongoalchemy"

struct ma_db {
	ma_config *config;
	mongoc_client_t *client;
	pid_t client_pid; /* the process that created client */
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
	drop_inherited_client(db);
	mongoc_client_destroy(db->client);
	ma_config_destroy(db->config);
	bson_free(db);
}

const ma_config *
ma_db_config(const ma_db *db)
{
	return db->config;
}

mongoc_client_t *
ma_db_client(ma_db *db, ma_error *error)
{
	const mongoc_uri_t *uri;
	bson_error_t berr;

	drop_inherited_client(db);
	if (db->client != NULL)
		return db->client;

	uri = ma_config_mongoc_uri(db->config);
	db->client = mongoc_client_new_from_uri_with_error(uri, &berr);
	if (db->client == NULL) {
		_ma_error_from_bson(error, &berr, "cannot create a MongoDB client",
				    _ma_config_secret(db->config));
		return NULL;
	}
	db->client_pid = getpid();

	/* Version 2 reports server errors in the server's own domain. */
	mongoc_client_set_error_api(db->client, MONGOC_ERROR_API_VERSION_2);
	if (mongoc_uri_get_appname(uri) == NULL)
		mongoc_client_set_appname(db->client, MA_APPNAME);
	return db->client;
}

mongoc_collection_t *
ma_db_collection(ma_db *db, const char *name, ma_error *error)
{
	mongoc_client_t *client;

	if (name == NULL || name[0] == '\0') {
		_ma_error_set(error, MA_ERR_INVALID, "collection name is empty");
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
	ok = mongoc_client_command_simple(client, ma_config_database(db->config),
					  &cmd, NULL, NULL, &berr);
	bson_destroy(&cmd);
	if (!ok) {
		_ma_error_from_bson(error, &berr, "ping failed",
				    _ma_config_secret(db->config));
		return false;
	}
	ma_error_clear(error);
	return true;
}

void
ma_cleanup(void)
{
	mongoc_cleanup();
}
