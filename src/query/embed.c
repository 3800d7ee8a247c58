/*
 * Reference embedding: the documents a ref field points to, read with one
 * $in per field, put in place of their ids.
 */
#include <stdlib.h>
#include <string.h>

#include <mongoalchemy/embed.h>

#include "document/document-private.h"
#include "query/query-private.h"

static int
oid_cmp(const void *a, const void *b)
{
	return bson_oid_compare(a, b);
}

static int
doc_id_cmp(const void *a, const void *b)
{
	bson_oid_t ia, ib;

	ma_doc_id(*(ma_doc *const *)a, &ia);
	ma_doc_id(*(ma_doc *const *)b, &ib);
	return bson_oid_compare(&ia, &ib);
}

/* The referenced document with id among found (sorted by id), or NULL. */
static const ma_doc *
find_ref(ma_doc **found, size_t n, const bson_oid_t *id)
{
	size_t lo = 0, hi = n, mid;
	bson_oid_t at;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		ma_doc_id(found[mid], &at);
		c = bson_oid_compare(&at, id);
		if (c == 0)
			return found[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The distinct ids that key holds in the documents, sorted: bson_free()
 * (NULL when none holds one). */
static bson_oid_t *
distinct_ids(ma_doc *const *docs, size_t n, const char *key, size_t *count)
{
	bson_oid_t *ids = NULL;
	bson_iter_t it;
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (!bson_iter_init_find(&it, &docs[i]->bson, key) ||
		    !BSON_ITER_HOLDS_OID(&it))
			continue;
		if (ids == NULL)
			ids = bson_malloc(n * sizeof(*ids));
		bson_oid_copy(bson_iter_oid(&it), &ids[k++]);
	}
	if (k > 1)
		qsort(ids, k, sizeof(*ids), oid_cmp);
	for (i = 0, *count = 0; i < k; i++) {
		if (*count == 0 || !bson_oid_equal(&ids[*count - 1], &ids[i]))
			bson_oid_copy(&ids[i], &ids[(*count)++]);
	}
	return ids;
}

/*
 * doc with its reference under key replaced by ref (when shown), or kept
 * and named under MA_EMBED_KEY with why: the other fields in their
 * order, the reasons last.
 */
static void
rewrite(ma_doc *doc, const char *key, const char *name, const ma_doc *ref,
	bool shown)
{
	bson_t out = BSON_INITIALIZER, why = BSON_INITIALIZER, child;
	bson_iter_t it, old;
	const char *k;

	bson_iter_init(&it, &doc->bson);
	while (bson_iter_next(&it)) {
		k = bson_iter_key(&it);
		if (strcmp(k, MA_EMBED_KEY) == 0 &&
		    BSON_ITER_HOLDS_DOCUMENT(&it) &&
		    bson_iter_recurse(&it, &old)) {
			while (bson_iter_next(&old))
				bson_append_iter(&why, NULL, 0, &old);
		} else if (strcmp(k, key) == 0 && shown) {
			BSON_APPEND_DOCUMENT(&out, k, &ref->bson);
		} else {
			bson_append_iter(&out, NULL, 0, &it);
		}
	}
	if (!shown)
		BSON_APPEND_UTF8(&why, name,
				 ref == NULL ? MA_EMBED_MISSING
					     : MA_EMBED_FORBIDDEN);
	if (!bson_empty(&why)) {
		bson_append_document_begin(&out, MA_EMBED_KEY, -1, &child);
		bson_concat(&child, &why);
		bson_append_document_end(&out, &child);
	}
	bson_destroy(&why);
	bson_destroy(&doc->bson);
	bson_steal(&doc->bson, &out);
}

/* The documents with ids, read with one find: sorted by id. */
static bool
fetch(ma_db *db, const ma_type *type, const bson_oid_t *ids, size_t n,
      ma_doc ***found, size_t *nfound, ma_error *error)
{
	ma_query *q = ma_query_new(db, type);
	bson_t filter = BSON_INITIALIZER, opts = BSON_INITIALIZER, id, in;
	char key[16];
	const char *k;
	size_t i;
	bool ok;

	bson_append_document_begin(&filter, "_id", 3, &id);
	bson_append_array_begin(&id, "$in", 3, &in);
	for (i = 0; i < n; i++) {
		bson_uint32_to_string((uint32_t)i, &k, key, sizeof(key));
		bson_append_oid(&in, k, -1, &ids[i]);
	}
	bson_append_array_end(&id, &in);
	bson_append_document_end(&filter, &id);
	_ma_query_find_opts(q, false, false, 0, 0, &opts);
	ok = _ma_query_fetch(q, &filter, &opts, found, nfound, error);
	if (ok && *nfound > 1)
		qsort(*found, *nfound, sizeof(**found), doc_id_cmp);
	bson_destroy(&filter);
	bson_destroy(&opts);
	ma_query_destroy(q);
	return ok;
}

bool
ma_docs_embed(ma_db *db, ma_doc *const *docs, size_t n, const char *field,
	      ma_embed_visible_fn visible, void *arg, ma_error *error)
{
	const ma_type *type = n > 0 && docs[0] != NULL ? docs[0]->type : NULL;
	const ma_field *f = type != NULL && field != NULL
				    ? ma_type_field(type, field)
				    : NULL;
	ma_doc **found = NULL;
	bson_oid_t *ids = NULL;
	size_t i, nids = 0, nfound = 0;
	const ma_doc *ref;
	const char *key;
	bson_iter_t it;
	bool ok;

	if (n == 0) {
		ma_error_clear(error);
		return true;
	}
	for (i = 0; i < n && f != NULL; i++) {
		if (docs[i] == NULL || docs[i]->type != type)
			f = NULL;
	}
	if (db == NULL || f == NULL || f->kind != MA_KIND_REF) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "%s: not a reference field of the documents' "
			      "type",
			      field != NULL ? field : "(null)");
		return false;
	}
	key = ma_field_db_name(f);
	ids = distinct_ids(docs, n, key, &nids);
	ok = nids == 0 || fetch(db, f->type, ids, nids, &found, &nfound, error);
	for (i = 0; ok && nids > 0 && i < n; i++) {
		if (!bson_iter_init_find(&it, &docs[i]->bson, key) ||
		    !BSON_ITER_HOLDS_OID(&it))
			continue;
		ref = find_ref(found, nfound, bson_iter_oid(&it));
		rewrite(docs[i], key, field, ref,
			ref != NULL && (visible == NULL || visible(ref, arg)));
	}
	for (i = 0; i < nfound; i++)
		ma_doc_destroy(found[i]);
	bson_free(found);
	bson_free(ids);
	if (ok)
		ma_error_clear(error);
	return ok;
}

bool
ma_page_embed(ma_page *page, const char *field, ma_embed_visible_fn visible,
	      void *arg, ma_error *error)
{
	size_t n = 0;
	ma_doc **items = page != NULL ? _ma_page_items(page, &n) : NULL;

	if (page == NULL) {
		_ma_error_set(error, MA_ERR_INVALID, "a page is required");
		return false;
	}
	return ma_docs_embed(ma_query_db(ma_page_query(page)), items, n, field,
			     visible, arg, error);
}
