/*
 * JSON <-> BSON driven by a type, without a document: what documents use
 * for their JSON forms, for programs that hold plain BSON.
 */
#ifndef MONGOALCHEMY_JSON_H
#define MONGOALCHEMY_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <bson/bson.h>

#include <mongoalchemy/error.h>
#include <mongoalchemy/schema.h>

#ifdef __cplusplus
extern "C" {
#endif

/* How deep JSON input may nest, counting the document itself. */
#define MA_JSON_MAX_DEPTH 32

/*
 * JSON text to the MongoDB form of type, checked: what
 * ma_doc_new_from_json() does, into *out (initialized here; bson_destroy()
 * it, also on failure).
 */
bool ma_json_to_bson(const ma_type *type, const char *json, size_t len,
		     bson_t *out, ma_problems *problems, ma_error *error);

/*
 * A stored document of type as JSON text: database names become JSON
 * names, ObjectIds 24 hex digits, dates ISO 8601 UTC with milliseconds.
 * Same contract as ma_doc_to_json().
 */
char *ma_json_from_bson(const ma_type *type, const bson_t *bson,
			size_t *len) MA_WARN_UNUSED_RESULT;

#ifdef __cplusplus
}
#endif

#endif
