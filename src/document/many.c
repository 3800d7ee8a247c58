/*
 * Many documents from one JSON array: a bulk create's body, every item
 * converted and checked before any is used.
 */
#include <json-c/json.h>

#include "document/document-private.h"

void
ma_docs_destroy(ma_doc **docs, size_t n)
{
	size_t i;

	if (docs == NULL)
		return;
	for (i = 0; i < n; i++)
		ma_doc_destroy(docs[i]);
	bson_free(docs);
}

/* The array's items converted into docs (each slot filled, NULL for an
 * item that failed); problems go to walk under each item's index. */
static void
convert_items(ma_walk *walk, const ma_type *type, json_object *root,
	      ma_doc **docs, size_t n)
{
	json_object *item;
	bson_t out;
	size_t i, mark, before;

	for (i = 0; i < n; i++) {
		item = json_object_array_get_idx(root, i);
		mark = _ma_walk_push_index(walk, i);
		if (!json_object_is_type(item, json_type_object)) {
			_ma_walk_problem(walk, "must be an object");
		} else {
			before = ma_problems_count(walk->problems);
			bson_init(&out);
			_ma_json_object_to_bson(walk, type, item, &out);
			if (ma_problems_count(walk->problems) == before)
				docs[i] = ma_doc_new_from_bson(type, &out);
			bson_destroy(&out);
		}
		_ma_walk_pop(walk, mark);
	}
}

ma_doc **
ma_docs_new_from_json(const ma_type *type, const char *json, size_t len,
		      size_t max, size_t *n, ma_problems *problems,
		      ma_error *error)
{
	ma_problems *p = _ma_problems_use(problems);
	json_object *root = NULL;
	ma_doc **docs = NULL;
	size_t count = 0;
	ma_walk walk;

	*n = 0;
	_ma_walk_init(&walk, p);
	if (type == NULL || (json == NULL && len > 0)) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "no type or no JSON given");
		goto done;
	}
	root = _ma_json_parse(json != NULL ? json : "", len, false, &walk,
			      error);
	if (!json_object_is_type(root, json_type_array)) {
		if (root != NULL || error == NULL || error->code == MA_OK)
			_ma_error_set(error, MA_ERR_JSON,
				      "expected a JSON array of objects");
		goto refused;
	}
	count = json_object_array_length(root);
	if (count == 0) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "the array is empty: give at least one %s",
			      type->name);
		goto refused;
	}
	if (max > 0 && count > max) {
		_ma_error_set(error, MA_ERR_TOO_LARGE,
			      "at most %zu documents in one request, not %zu",
			      max, count);
		goto refused;
	}
	docs = bson_malloc0(count * sizeof(*docs));
	convert_items(&walk, type, root, docs, count);
	if (ma_problems_count(p) > 0) {
		_ma_error_from_problems(error, type, p);
		ma_docs_destroy(docs, count);
		docs = NULL;
		goto done;
	}
	*n = count;
	ma_error_clear(error);
	goto done;
refused:
	/* Duplicate keys the parse found are not what refused it. */
	ma_problems_clear(p);
done:
	json_object_put(root);
	_ma_walk_destroy(&walk);
	_ma_problems_done(p, problems);
	return docs;
}
