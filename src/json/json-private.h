/*
 * JSON <-> BSON driven by a type: the strict reader (json-in.c) and the
 * writer (json-out.c).
 */
#ifndef MA_JSON_PRIVATE_H
#define MA_JSON_PRIVATE_H

#include <mongoalchemy/json.h>

#include "schema/schema-private.h"

/* Converts one JSON value for field into out under key (json-in.c). */
struct json_object;
void _ma_json_value_to_bson(ma_walk *walk, const ma_field *field,
			    struct json_object *value, bson_t *out,
			    const char *key);
/* ma_json_to_bson() for the fields given only: no defaults, nothing
 * required; what a partial update sends (json-in.c). */
bool _ma_json_to_bson_partial(const ma_type *type, const char *json, size_t len,
			      bson_t *out, ma_problems *problems,
			      ma_error *error);
/* The fields of one JSON object of type (a whole document: defaults,
 * required fields) into out; problems go to walk (json-in.c). */
void _ma_json_object_to_bson(ma_walk *walk, const ma_type *type,
			     struct json_object *obj, bson_t *out);
/* Parses JSON text with our limits into a json-c value (an object when
 * `object`); NULL with MA_ERR_JSON filled. Duplicate keys are added to walk
 * (json-in.c). A JSON null gives NULL too, with error MA_OK. */
struct json_object *_ma_json_parse(const char *json, size_t len, bool object,
				   ma_walk *walk, ma_error *error);

/*
 * Converts f's default (its JSON text, parsed as strictly as input) into
 * out under key; problems go to walk. false when the text is not JSON,
 * which ma_type_check() refuses (json-in.c).
 */
bool _ma_default_to_bson(ma_walk *walk, const ma_field *field, bson_t *out,
			 const char *key);
/* Frees this thread's converted defaults (ma_cleanup() calls it). */
void _ma_default_cache_clear(void);

/* Appends doc as JSON, names and forms from type (NULL: none) (json-out.c). */
void _ma_json_write_doc(ma_buf *buf, const ma_type *type, const bson_t *doc);

/* Appends one value as JSON in field's form (field NULL: its natural form)
 * (json-out.c). */
void _ma_json_write_value(ma_buf *buf, const ma_field *field,
			  const bson_iter_t *iter);
/* Appends s (n bytes) as a JSON string (json-out.c). */
void _ma_json_write_string(ma_buf *buf, const char *s, size_t n);

#endif
