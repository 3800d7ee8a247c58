/*
 * A document's insides, for the parts that store it (query/store.c).
 */
#ifndef MA_DOCUMENT_PRIVATE_H
#define MA_DOCUMENT_PRIVATE_H

#include <mongoalchemy/document.h>

#include "json/json-private.h"

struct ma_doc {
	const ma_type *type;
	bson_t bson;
};

/* {_id: <doc's id>} into sel (initialized here); false when doc has no
 * id. */
bool _ma_doc_id_selector(const ma_doc *doc, bson_t *sel);

/* The problems of bson as a document of type; false and error filled
 * (MA_ERR_VALIDATION) if there are any. */
bool _ma_doc_check(const ma_type *type, const bson_t *bson,
		   ma_problems *problems, ma_error *error);

/* doc's fields, then the defaults of the missing ones, in embedded
 * documents too, into out (initialized here): what save() stores. */
void _ma_doc_with_defaults(const ma_doc *doc, bson_t *out);

/* out = {_id: oid, ...rest}, initialized here. */
void _ma_doc_id_first(bson_t *out, const bson_oid_t *oid, const bson_t *rest);

#endif
