/*
 * Documents: values of a type, kept in their MongoDB form: creating them,
 * reading their id, ETag and JSON, validating them, and filling in the
 * defaults of what they lack (what save() stores).
 */
#include <inttypes.h>
#include <stdio.h>

#include "document/document-private.h"

/* --- creating ------------------------------------------------------------ */

/* A document of type holding bson, which it takes over (bson_steal()). */
static ma_doc *
doc_stealing(const ma_type *type, bson_t *bson)
{
	/* A bson_t wants 128-byte alignment, more than malloc's: so does
	 * every struct that holds one (documents, queries, filters, updates,
	 * cursors). */
	ma_doc *doc = BSON_ALIGNED_ALLOC0(ma_doc);

	doc->type = type;
	bson_steal(&doc->bson, bson);
	return doc;
}

ma_doc *
ma_doc_new(const ma_type *type)
{
	bson_t empty = BSON_INITIALIZER;

	return doc_stealing(type, &empty);
}

ma_doc *
ma_doc_new_from_json(const ma_type *type, const char *json, size_t len,
		     ma_problems *problems, ma_error *error)
{
	bson_t out;

	if (!ma_json_to_bson(type, json, len, &out, problems, error)) {
		bson_destroy(&out);
		return NULL;
	}
	return doc_stealing(type, &out);
}

ma_doc *
ma_doc_new_from_bson(const ma_type *type, const bson_t *bson)
{
	bson_t copy;

	bson_copy_to(bson, &copy);
	return doc_stealing(type, &copy);
}

void
ma_doc_destroy(ma_doc *doc)
{
	if (doc == NULL)
		return;
	bson_destroy(&doc->bson);
	bson_free(doc);
}

/* --- reading ------------------------------------------------------------- */

const ma_type *
ma_doc_type(const ma_doc *doc)
{
	return doc->type;
}

const bson_t *
ma_doc_bson(const ma_doc *doc)
{
	return &doc->bson;
}

bool
ma_doc_id(const ma_doc *doc, bson_oid_t *id)
{
	bson_iter_t it;

	if (!bson_iter_init_find(&it, &doc->bson, "_id") ||
	    !BSON_ITER_HOLDS_OID(&it))
		return false;
	if (id != NULL)
		bson_oid_copy(bson_iter_oid(&it), id);
	return true;
}

bool
_ma_doc_id_selector(const ma_doc *doc, bson_t *sel)
{
	bson_iter_t it;

	bson_init(sel);
	if (!bson_iter_init_find(&it, &doc->bson, "_id"))
		return false;
	bson_append_iter(sel, "_id", 3, &it);
	return true;
}

/* A fingerprint of the stored bytes, not a MAC. */
void
ma_doc_etag(const ma_doc *doc, char etag[MA_ETAG_SIZE])
{
	snprintf(etag, MA_ETAG_SIZE, "\"%016" PRIx64 "\"",
		 _ma_fnv1a(bson_get_data(&doc->bson), doc->bson.len));
}

bool
ma_doc_equal(const ma_doc *a, const ma_doc *b)
{
	bson_t ia, ib;
	bool has_a, has_b, eq;

	if (a == NULL || b == NULL)
		return false;
	if (a == b)
		return true;
	if (a->type != b->type)
		return false;
	/* Both calls run: each initializes its selector. */
	has_a = _ma_doc_id_selector(a, &ia);
	has_b = _ma_doc_id_selector(b, &ib);
	eq = has_a && has_b && bson_equal(&ia, &ib);
	bson_destroy(&ia);
	bson_destroy(&ib);
	return eq;
}

char *
ma_doc_to_json(const ma_doc *doc, size_t *len)
{
	return ma_json_from_bson(doc->type, &doc->bson, len);
}

/* --- validation ---------------------------------------------------------- */

bool
_ma_doc_check(const ma_type *type, const bson_t *bson, ma_problems *problems,
	      ma_error *error)
{
	ma_problems *p = _ma_problems_use(problems);
	ma_walk walk;
	bool ok;

	_ma_walk_init(&walk, p);
	_ma_validate_doc(&walk, type, bson);
	ok = ma_problems_count(p) == 0;
	if (ok)
		ma_error_clear(error);
	else
		_ma_error_from_problems(error, type, p);
	_ma_walk_destroy(&walk);
	_ma_problems_done(p, problems);
	return ok;
}

bool
ma_doc_validate(const ma_doc *doc, ma_problems *problems, ma_error *error)
{
	return _ma_doc_check(doc->type, &doc->bson, problems, error);
}

/* --- defaults and the id ------------------------------------------------ */

static void fill_defaults(ma_walk *walk, const ma_type *type, const bson_t *in,
			  bson_t *out);

/* The value at it, under key, into out: embedded documents (also those in
 * lists) with their defaults filled in. */
static void
fill_value(ma_walk *walk, const ma_field *f, const bson_iter_t *it, bson_t *out)
{
	const char *key = bson_iter_key(it);
	int klen = (int)bson_iter_key_len(it);
	bson_iter_t items;
	bson_t sub, child;

	if (f != NULL && f->kind == MA_KIND_DOCUMENT &&
	    BSON_ITER_HOLDS_DOCUMENT(it)) {
		if (_ma_iter_view(it, &sub)) {
			fill_defaults(walk, f->type, &sub, &child);
			bson_append_document(out, key, klen, &child);
			bson_destroy(&child);
			return;
		}
	}
	if (f != NULL && f->kind == MA_KIND_LIST && BSON_ITER_HOLDS_ARRAY(it) &&
	    bson_iter_recurse(it, &items)) {
		bson_append_array_begin(out, key, klen, &child);
		while (bson_iter_next(&items))
			fill_value(walk, f->item, &items, &child);
		bson_append_array_end(out, &child);
		return;
	}
	bson_append_iter(out, key, klen, it);
}

/*
 * in's fields, then the defaults of the missing ones, into out (initialized
 * here), in embedded documents too: what JSON input does, for documents
 * built with the setters.
 */
static void
fill_defaults(ma_walk *walk, const ma_type *type, const bson_t *in, bson_t *out)
{
	const ma_field *f;
	bson_iter_t it;

	bson_init(out);
	if (bson_iter_init(&it, in)) {
		while (bson_iter_next(&it))
			fill_value(walk,
				   _ma_type_field_by_db_name(
					   type, bson_iter_key(&it),
					   bson_iter_key_len(&it), NULL),
				   &it, out);
	}
	for (f = type->fields; f->kind != MA_KIND_NONE; f++) {
		/* ma_type_check() vouches for defaults; a bad one adds
		 * nothing and validation then says what is wrong. */
		if (f->default_json != NULL &&
		    !bson_has_field(in, ma_field_db_name(f)))
			_ma_default_to_bson(walk, f, out, ma_field_db_name(f));
	}
}

void
_ma_doc_with_defaults(const ma_doc *doc, bson_t *out)
{
	ma_problems *p = ma_problems_new();
	ma_walk walk;

	_ma_walk_init(&walk, p);
	fill_defaults(&walk, doc->type, &doc->bson, out);
	_ma_walk_destroy(&walk);
	ma_problems_destroy(p);
}

void
_ma_doc_id_first(bson_t *out, const bson_oid_t *oid, const bson_t *rest)
{
	bson_init(out);
	BSON_APPEND_OID(out, "_id", oid);
	bson_concat(out, rest);
}

void
ma_doc_set_id(ma_doc *doc, const bson_oid_t *id)
{
	bson_t rest, with_id;

	bson_init(&rest);
	bson_copy_to_excluding_noinit(&doc->bson, &rest, "_id", NULL);
	_ma_doc_id_first(&with_id, id, &rest);
	bson_destroy(&rest);
	bson_destroy(&doc->bson);
	bson_steal(&doc->bson, &with_id);
}
