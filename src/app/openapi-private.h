/*
 * What the API description's two files share (openapi.c builds the
 * document, openapi-schema.c the JSON Schemas of types and the list
 * parameters): the forms of a type's documents and a few json-c
 * shorthands.
 */
#ifndef MA_OPENAPI_PRIVATE_H
#define MA_OPENAPI_PRIVATE_H

#include <json-c/json.h>

#include "app/app-private.h"

/* The forms of a type's documents in the HTTP contract. */
typedef enum ma_schema_form {
	MA_FORM_STORED, /* an answer: _id and every required field */
	MA_FORM_ITEM,	/* an item of a list (fields= may drop any) */
	MA_FORM_INPUT,	/* a create or replace body: _id optional */
	MA_FORM_PATCH	/* an update body: any of the fields */
} ma_schema_form;

/* A type's JSON Schema in form. */
json_object *_ma_openapi_type_schema(const ma_type *type, ma_schema_form form);

/* A field's schema, as a path parameter's. */
json_object *_ma_openapi_field_schema(const ma_field *f);
/* One value of f, in a body's form: its nullability and default aside. */
json_object *_ma_openapi_value_schema(const ma_field *f);
/* Appends s to b with the ECMA-262 syntax characters escaped. */
void _ma_openapi_regex_quote(ma_buf *b, const char *s);
/* An optional query parameter (openapi-params.c); takes schema. */
json_object *_ma_openapi_query_param(const char *name, const char *description,
				     json_object *schema);

/* The list parameters of a type, appended to params (an array). */
/* The schema of an RFC 9457 problem, as the workers write them. */
json_object *_ma_openapi_problem_schema(void);
/* A bulk create's lists of items (index, _id, reason), in a problem. */
json_object *_ma_openapi_bulk_items_schema(void);
/* one, or an array of them (max > 0: of 1 to max); takes one. */
json_object *_ma_openapi_one_or_many(json_object *one, size_t max);

/* The page object of a list whose items are item (a schema; taken). */
json_object *_ma_openapi_page_schema(json_object *item);

void _ma_openapi_list_params(json_object *params, const ma_type *type,
			     int64_t max_per_page);
/* The embed parameter of a resource declaring embeddable (its names),
 * appended to params, and in schemas the type's answers (<Type>,
 * <Type>Item) with each of those fields an id or the referenced type's
 * document, and MA_EMBED_KEY. */
void _ma_openapi_embed(json_object *params, json_object *schemas,
		       const ma_type *type, const char *const *embeddable);

/* o[key] = v; o takes v. */
static inline void
_ma_json_put(json_object *o, const char *key, json_object *v)
{
	json_object_object_add(o, key, v);
}

static inline void
_ma_json_put_str(json_object *o, const char *key, const char *s)
{
	_ma_json_put(o, key, json_object_new_string(s));
}

/* {"type": type} */
static inline json_object *
_ma_json_typed(const char *type)
{
	json_object *o = json_object_new_object();

	_ma_json_put_str(o, "type", type);
	return o;
}

#endif
