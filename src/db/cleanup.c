/*
 * ma_cleanup(): what a process frees once it is done with the library:
 * the per-thread caches of the layers below and the driver's globals.
 */
#include "db/db-private.h"
#include "json/json-private.h"

void
ma_cleanup(void)
{
	_ma_regex_cache_clear();
	_ma_default_cache_clear();
	mongoc_cleanup();
}
