/*
 * BSON helpers of the ground floor: views of embedded documents, ObjectIds
 * from hex, and the fingerprint behind ETags and lock stripes.
 */
#include <string.h>

#include "core/core.h"

bool
_ma_iter_view(const bson_iter_t *it, bson_t *view)
{
	const uint8_t *data;
	uint32_t len;

	if (BSON_ITER_HOLDS_DOCUMENT(it))
		bson_iter_document(it, &len, &data);
	else if (BSON_ITER_HOLDS_ARRAY(it))
		bson_iter_array(it, &len, &data);
	else
		return false;
	return bson_init_static(view, data, len);
}

bool
_ma_oid_from_hex(const char *s, bson_oid_t *oid)
{
	if (s == NULL || strlen(s) != 24 || !bson_oid_is_valid(s, 24))
		return false;
	bson_oid_init_from_string(oid, s);
	return true;
}

uint64_t
_ma_fnv1a(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t h = 0xcbf29ce484222325u;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3u;
	}
	return h;
}
