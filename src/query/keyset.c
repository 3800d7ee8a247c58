/*
 * Keyset pages: a position in a query's order is a token, the JSON array
 * of one document's sort key values (the id last), and the page after
 * (or before) it is a filter on those keys instead of a skip, so that a
 * deep page does not make the server walk past every page before it.
 */
#include <string.h>

#include <json-c/json.h>

#include "query/query-private.h"

void
_ma_keyset_init(ma_keyset *ks, const ma_query *q)
{
	size_t i;

	ks->k = bson_malloc((q->n_sort + 1) * sizeof(*ks->k));
	ks->n = 0;
	for (i = 0; i < q->n_sort; i++)
		ks->k[ks->n++] = q->sort[i];
	for (i = 0; i < q->n_sort; i++) {
		if (strcmp(q->sort[i].dbpath, "_id") == 0)
			return;
	}
	ks->k[ks->n++] =
		(ma_sort_key){.path = "_id", .dbpath = "_id", .dir = 1};
}

char *
_ma_keyset_token(const ma_keyset *ks, const ma_doc *doc)
{
	ma_buf b;
	bson_iter_t it;
	size_t i;

	_ma_buf_init(&b, 64);
	_ma_buf_putc(&b, '[');
	for (i = 0; i < ks->n; i++) {
		if (i > 0)
			_ma_buf_putc(&b, ',');
		if (bson_iter_init(&it, ma_doc_bson(doc)) &&
		    bson_iter_find_descendant(&it, ks->k[i].dbpath, &it))
			_ma_json_write_value(&b, ks->k[i].field, &it);
		else
			_ma_buf_append(&b, "null", 4);
	}
	_ma_buf_putc(&b, ']');
	return _ma_buf_steal(&b, NULL);
}

/* One JSON element of a token as a value for a sort key's field. */
static bool
token_value(json_object *v, ma_value *out)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		*out = MA_V_NULL;
		return true;
	case json_type_boolean:
		*out = MA_V_BOOL(json_object_get_boolean(v));
		return true;
	case json_type_int:
		*out = MA_V_INT(json_object_get_int64(v));
		return true;
	case json_type_double:
		*out = MA_V_FLOAT(json_object_get_double(v));
		return true;
	case json_type_string:
		*out = MA_V_TEXT(json_object_get_string(v));
		return true;
	case json_type_object:
	case json_type_array:
	default:
		return false;
	}
}

/*
 * Reads a token into vals (an array of the key values in MongoDB's form).
 * A bare id is the token of a query sorted by id alone.
 */
static bool
token_read(const ma_keyset *ks, const char *token, bson_t *vals,
	   ma_error *error)
{
	json_object *root = NULL, *el;
	ma_problems *problems = ma_problems_new();
	const char *key;
	char buf[16], *wrapped = NULL;
	bson_oid_t oid;
	ma_value v;
	ma_walk walk;
	ma_error e;
	size_t i;
	bool ok = false;

	if (ks->n == 1 && ks->k[0].field == NULL &&
	    _ma_oid_from_hex(token, &oid)) {
		wrapped = bson_strdup_printf("[\"%s\"]", token);
		token = wrapped;
	}
	_ma_walk_init(&walk, problems);
	root = _ma_json_parse(token, strlen(token), false, &walk, &e);
	if (root == NULL || !json_object_is_type(root, json_type_array) ||
	    json_object_array_length(root) != ks->n ||
	    ma_problems_count(problems) > 0)
		goto done;
	for (i = 0; i < ks->n; i++) {
		el = json_object_array_get_idx(root, i);
		bson_uint32_to_string((uint32_t)i, &key, buf, sizeof(buf));
		if (!token_value(el, &v) ||
		    !_ma_value_to_bson(ks->k[i].field, ks->k[i].path, &v, vals,
				       key, &e))
			goto done;
	}
	/* The id is never null: every stored document has one. */
	ok = !json_object_is_type(json_object_array_get_idx(root, ks->n - 1),
				  json_type_null);
done:
	if (!ok)
		_ma_error_set(error, MA_ERR_INVALID,
			      "'%.40s' is not a position in this query's order",
			      wrapped != NULL ? wrapped + 2 : token);
	json_object_put(root);
	_ma_walk_destroy(&walk);
	ma_problems_destroy(problems);
	bson_free(wrapped);
	return ok;
}

/*
 * The keyset clause: the documents after (forward) or before the position
 * vals in the order of ks.
 *   {$or: [{k1: {$gt: v1}}, {k1: v1, k2: {$gt: v2}}, ...]}
 * Null sorts before every other value, so "after null" is "not null" and
 * nothing comes before null.
 */
static void
keyset_clause(const ma_keyset *ks, const bson_t *vals, bool forward,
	      bson_t *out)
{
	bson_t list, branch, cond;
	bson_iter_t it, v;
	const char *key;
	char buf[16];
	uint32_t n = 0;
	size_t i, j;
	bool up, is_null;

	bson_init(out);
	bson_append_array_begin(out, "$or", -1, &list);
	for (i = 0; i < ks->n; i++) {
		up = (ks->k[i].dir > 0) == forward;
		bson_iter_init(&it, vals);
		for (j = 0; j <= i; j++)
			bson_iter_next(&it);
		is_null = BSON_ITER_HOLDS_NULL(&it);
		if (is_null && !up)
			continue;
		bson_uint32_to_string(n++, &key, buf, sizeof(buf));
		bson_append_document_begin(&list, key, -1, &branch);
		bson_iter_init(&v, vals);
		for (j = 0; j < i && bson_iter_next(&v); j++)
			bson_append_iter(&branch, ks->k[j].dbpath, -1, &v);
		bson_append_document_begin(&branch, ks->k[i].dbpath, -1, &cond);
		if (is_null)
			BSON_APPEND_NULL(&cond, "$ne");
		else
			bson_append_iter(&cond, up ? "$gt" : "$lt", -1, &it);
		bson_append_document_end(&branch, &cond);
		bson_append_document_end(&list, &branch);
	}
	bson_append_array_end(out, &list);
}

void
_ma_keyset_destroy(ma_keyset *ks)
{
	bson_free(ks->k);
	ks->k = NULL;
	ks->n = 0;
}

bool
_ma_keyset_filter(const ma_keyset *ks, const ma_query *query, const char *token,
		  bool forward, bson_t *out, ma_error *error)
{
	bson_t vals = BSON_INITIALIZER, clause, both;

	if (!token_read(ks, token, &vals, error)) {
		bson_destroy(&vals);
		return false;
	}
	keyset_clause(ks, &vals, forward, &clause);
	if (bson_empty(_ma_query_filter(query))) {
		bson_copy_to(&clause, out);
	} else {
		bson_init(out);
		BSON_APPEND_ARRAY_BEGIN(out, "$and", &both);
		BSON_APPEND_DOCUMENT(&both, "0", _ma_query_filter(query));
		BSON_APPEND_DOCUMENT(&both, "1", &clause);
		bson_append_array_end(out, &both);
	}
	bson_destroy(&clause);
	bson_destroy(&vals);
	return true;
}
