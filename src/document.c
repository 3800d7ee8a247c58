/*
 * Documents: values of a type, kept in their MongoDB form, and
 * Flask-MongoAlchemy's save() and remove().
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "ma-private.h"

struct ma_doc {
	const ma_type *type;
	bson_t bson;
};

/* --- creating ------------------------------------------------------------ */

/* A document of type holding bson, which it takes over (bson_steal()). */
/* --- BSON helpers ------------------------------------------------------- */

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

/* {_id: <doc's id>} into sel; false when doc has no id. */
static bool
id_selector(const ma_doc *doc, bson_t *sel)
{
	bson_iter_t it;

	bson_init(sel);
	if (!bson_iter_init_find(&it, &doc->bson, "_id"))
		return false;
	bson_append_iter(sel, "_id", 3, &it);
	return true;
}

/*
 * The filter that matches current exactly as it is stored: its id, every
 * field's value ($eq: a value, never an operator; null by its type, since
 * {$eq: null} would also match a field that was removed), and each
 * declared field it lacks still absent. A write with this filter changes
 * nothing once anybody changed the document in between.
 */
void
_ma_doc_unchanged_filter(const ma_doc *current, bson_t *out)
{
	const ma_field *f;
	const char *key;
	bson_iter_t it;
	bson_t cond;

	bson_init(out);
	if (bson_iter_init(&it, &current->bson)) {
		while (bson_iter_next(&it)) {
			key = bson_iter_key(&it);
			BSON_APPEND_DOCUMENT_BEGIN(out, key, &cond);
			if (BSON_ITER_HOLDS_NULL(&it))
				BSON_APPEND_INT32(&cond, "$type", BSON_TYPE_NULL);
			else
				bson_append_iter(&cond, "$eq", 3, &it);
			bson_append_document_end(out, &cond);
		}
	}
	for (f = current->type->fields; f != NULL && f->name != NULL; f++) {
		key = f->db_name != NULL ? f->db_name : f->name;
		if (bson_has_field(&current->bson, key))
			continue;
		BSON_APPEND_DOCUMENT_BEGIN(out, key, &cond);
		BSON_APPEND_BOOL(&cond, "$exists", false);
		bson_append_document_end(out, &cond);
	}
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
	has_a = id_selector(a, &ia);
	has_b = id_selector(b, &ib);
	eq = has_a && has_b && bson_equal(&ia, &ib);
	bson_destroy(&ia);
	bson_destroy(&ib);
	return eq;
}

char *
ma_doc_to_json(const ma_doc *doc, size_t *len)
{
	return ma_bson_to_json(doc->type, &doc->bson, len);
}

/*
 * Finds the value at a dotted path of JSON names; *field gets the field
 * that describes it (NULL for a field the type does not declare).
 */
static bool
find_path(const ma_doc *doc, const char *path, bson_iter_t *out,
	  const ma_field **field)
{
	ma_buf dbpath;
	bson_iter_t it;
	bool found;

	if (path == NULL || path[0] == '\0')
		return false;
	_ma_buf_init(&dbpath, 64);
	_ma_type_path(doc->type, path, &dbpath, field);
	found = bson_iter_init(&it, &doc->bson) &&
		bson_iter_find_descendant(&it, dbpath.data, out);
	_ma_buf_destroy(&dbpath);
	return found;
}

bool
ma_doc_get_string(const ma_doc *doc, const char *path, const char **out)
{
	bson_iter_t it;

	if (!find_path(doc, path, &it, NULL) || !BSON_ITER_HOLDS_UTF8(&it))
		return false;
	*out = bson_iter_utf8(&it, NULL);
	return true;
}

bool
ma_doc_get_int(const ma_doc *doc, const char *path, int64_t *out)
{
	bson_iter_t it;

	if (!find_path(doc, path, &it, NULL) ||
	    !(BSON_ITER_HOLDS_INT32(&it) || BSON_ITER_HOLDS_INT64(&it)))
		return false;
	*out = bson_iter_as_int64(&it);
	return true;
}

bool
ma_doc_get_float(const ma_doc *doc, const char *path, double *out)
{
	bson_iter_t it;

	if (!find_path(doc, path, &it, NULL) || !BSON_ITER_HOLDS_NUMBER(&it))
		return false;
	*out = bson_iter_as_double(&it);
	return true;
}

bool
ma_doc_get_bool(const ma_doc *doc, const char *path, bool *out)
{
	bson_iter_t it;

	if (!find_path(doc, path, &it, NULL) || !BSON_ITER_HOLDS_BOOL(&it))
		return false;
	*out = bson_iter_bool(&it);
	return true;
}

bool
ma_doc_get_datetime(const ma_doc *doc, const char *path, int64_t *out)
{
	bson_iter_t it;

	if (!find_path(doc, path, &it, NULL) || !BSON_ITER_HOLDS_DATE_TIME(&it))
		return false;
	*out = bson_iter_date_time(&it);
	return true;
}

bool
ma_doc_get_oid(const ma_doc *doc, const char *path, bson_oid_t *out)
{
	bson_iter_t it;

	if (!find_path(doc, path, &it, NULL) || !BSON_ITER_HOLDS_OID(&it))
		return false;
	bson_oid_copy(bson_iter_oid(&it), out);
	return true;
}

bool
ma_doc_is_null(const ma_doc *doc, const char *path)
{
	bson_iter_t it;

	return find_path(doc, path, &it, NULL) && BSON_ITER_HOLDS_NULL(&it);
}

ma_doc *
ma_doc_get_doc(const ma_doc *doc, const char *path)
{
	const ma_field *f;
	bson_iter_t it;
	bson_t sub;

	if (!find_path(doc, path, &it, &f) || f == NULL ||
	    f->kind != MA_KIND_DOCUMENT || !BSON_ITER_HOLDS_DOCUMENT(&it) ||
	    !_ma_iter_view(&it, &sub))
		return NULL;
	return ma_doc_new_from_bson(f->type, &sub);
}

/* --- changing ------------------------------------------------------------ */

/*
 * Writes the value held under "v" in holder as key, where key was (or at
 * the end); a NULL holder removes key. BSON cannot be edited in place, so
 * the document is rebuilt: fields keep their order.
 */
static void
put(ma_doc *doc, const char *key, const bson_t *holder)
{
	bson_iter_t it, value;
	bson_t out;
	bool done = false;
	bool have = holder != NULL && bson_iter_init_find(&value, holder, "v");

	bson_init(&out);
	if (bson_iter_init(&it, &doc->bson)) {
		while (bson_iter_next(&it)) {
			if (strcmp(bson_iter_key(&it), key) != 0) {
				bson_append_iter(&out, NULL, 0, &it);
				continue;
			}
			if (have && !done)
				bson_append_iter(&out, key, -1, &value);
			done = true;
		}
	}
	if (have && !done)
		bson_append_iter(&out, key, -1, &value);
	bson_destroy(&doc->bson);
	bson_steal(&doc->bson, &out);
}

static const char *const kind_names[MA_KIND__MAX] = {
	[MA_KIND_NONE] = "nothing",	 [MA_KIND_STRING] = "a string",
	[MA_KIND_INT] = "an int",	 [MA_KIND_FLOAT] = "a float",
	[MA_KIND_BOOL] = "a bool",	 [MA_KIND_DATETIME] = "a datetime",
	[MA_KIND_OBJECTID] = "an objectid", [MA_KIND_DOCUMENT] = "a document",
	[MA_KIND_LIST] = "a list",	 [MA_KIND_ANY] = "any value",
	[MA_KIND_ENUM] = "an enum",	 [MA_KIND_REF] = "a ref",
};

/* The field name of doc's type; otherwise NULL and an error. */
static const ma_field *
field_named(const ma_doc *doc, const char *name, ma_error *error)
{
	const ma_field *f = ma_type_field(doc->type, name);

	if (f == NULL)
		_ma_error_set(error, MA_ERR_INVALID, "%s has no field %s",
			      doc->type->name, name != NULL ? name : "(null)");
	return f;
}

/* The field name, if it is of kind a or b; otherwise NULL and an error. */
static const ma_field *
settable(const ma_doc *doc, const char *name, ma_kind a, ma_kind b,
	 ma_error *error)
{
	const ma_field *f = field_named(doc, name, error);

	if (f == NULL)
		return NULL;
	if (f->kind != a && f->kind != b) {
		_ma_error_set(error, MA_ERR_INVALID, "%s.%s is %s, not %s",
			      doc->type->name, name, kind_names[f->kind],
			      kind_names[a]);
		return NULL;
	}
	return f;
}

/* Ends a setter: holder's "v" goes in as field f. */
static bool
set_from(ma_doc *doc, const ma_field *f, bson_t *holder, ma_error *error)
{
	put(doc, ma_field_db_name(f), holder);
	bson_destroy(holder);
	ma_error_clear(error);
	return true;
}

bool
ma_doc_set_string(ma_doc *doc, const char *name, const char *value,
		  ma_error *error)
{
	const ma_field *f = settable(doc, name, MA_KIND_STRING, MA_KIND_ENUM, error);
	bson_t h = BSON_INITIALIZER;

	if (f == NULL)
		return false;
	if (value == NULL || !bson_utf8_validate(value, strlen(value), false)) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "%s.%s: a string must be valid UTF-8, not NULL",
			      doc->type->name, name);
		return false;
	}
	BSON_APPEND_UTF8(&h, "v", value);
	return set_from(doc, f, &h, error);
}

bool
ma_doc_set_int(ma_doc *doc, const char *name, int64_t value, ma_error *error)
{
	const ma_field *f = settable(doc, name, MA_KIND_INT, MA_KIND_INT, error);
	bson_t h = BSON_INITIALIZER;

	if (f == NULL)
		return false;
	BSON_APPEND_INT64(&h, "v", value);
	return set_from(doc, f, &h, error);
}

bool
ma_doc_set_float(ma_doc *doc, const char *name, double value, ma_error *error)
{
	const ma_field *f = settable(doc, name, MA_KIND_FLOAT, MA_KIND_FLOAT, error);
	bson_t h = BSON_INITIALIZER;

	if (f == NULL)
		return false;
	BSON_APPEND_DOUBLE(&h, "v", value);
	return set_from(doc, f, &h, error);
}

bool
ma_doc_set_bool(ma_doc *doc, const char *name, bool value, ma_error *error)
{
	const ma_field *f = settable(doc, name, MA_KIND_BOOL, MA_KIND_BOOL, error);
	bson_t h = BSON_INITIALIZER;

	if (f == NULL)
		return false;
	BSON_APPEND_BOOL(&h, "v", value);
	return set_from(doc, f, &h, error);
}

bool
ma_doc_set_datetime(ma_doc *doc, const char *name, int64_t ms, ma_error *error)
{
	const ma_field *f =
		settable(doc, name, MA_KIND_DATETIME, MA_KIND_DATETIME, error);
	bson_t h = BSON_INITIALIZER;

	if (f == NULL)
		return false;
	BSON_APPEND_DATE_TIME(&h, "v", ms);
	return set_from(doc, f, &h, error);
}

bool
ma_doc_set_oid(ma_doc *doc, const char *name, const bson_oid_t *value,
	       ma_error *error)
{
	const ma_field *f = settable(doc, name, MA_KIND_OBJECTID, MA_KIND_REF, error);
	bson_t h = BSON_INITIALIZER;

	if (f == NULL)
		return false;
	BSON_APPEND_OID(&h, "v", value);
	return set_from(doc, f, &h, error);
}

bool
ma_doc_set_doc(ma_doc *doc, const char *name, const ma_doc *value,
	       ma_error *error)
{
	const ma_field *f =
		settable(doc, name, MA_KIND_DOCUMENT, MA_KIND_DOCUMENT, error);
	bson_t h = BSON_INITIALIZER;

	if (f == NULL)
		return false;
	if (value == NULL || value->type != f->type) {
		_ma_error_set(error, MA_ERR_INVALID, "%s.%s holds a %s",
			      doc->type->name, name, f->type->name);
		return false;
	}
	BSON_APPEND_DOCUMENT(&h, "v", &value->bson);
	return set_from(doc, f, &h, error);
}

bool
ma_doc_set_json(ma_doc *doc, const char *name, const char *json,
		ma_problems *problems, ma_error *error)
{
	const ma_field *f = field_named(doc, name, error);
	ma_problems *p;
	ma_walk walk;
	ma_error perr;
	json_object *v;
	bson_t h = BSON_INITIALIZER;
	bool ok = false;

	if (f == NULL)
		return false;
	if (json == NULL) {
		_ma_error_set(error, MA_ERR_INVALID, "%s.%s: no JSON given",
			      doc->type->name, name);
		return false;
	}
	p = _ma_problems_use(problems);
	_ma_walk_init(&walk, p);
	/* Paths, duplicate keys' too, start at the field. */
	_ma_walk_push_key(&walk, f->name, strlen(f->name));
	v = _ma_json_parse(json, strlen(json), false, &walk, &perr);
	if (v == NULL && perr.code != MA_OK) {
		if (error != NULL)
			*error = perr;
		goto done;
	}
	_ma_json_value_to_bson(&walk, f, v, &h, "v");
	json_object_put(v);
	if (ma_problems_count(p) > 0) {
		_ma_error_from_problems(error, doc->type, p);
		goto done;
	}
	put(doc, ma_field_db_name(f), &h);
	ma_error_clear(error);
	ok = true;
done:
	bson_destroy(&h);
	_ma_walk_destroy(&walk);
	_ma_problems_done(p, problems);
	return ok;
}

bool
ma_doc_set_null(ma_doc *doc, const char *name, ma_error *error)
{
	const ma_field *f = field_named(doc, name, error);
	bson_t h = BSON_INITIALIZER;

	if (f == NULL)
		return false;
	BSON_APPEND_NULL(&h, "v");
	return set_from(doc, f, &h, error);
}

bool
ma_doc_unset(ma_doc *doc, const char *name, ma_error *error)
{
	const ma_field *f = field_named(doc, name, error);

	if (f == NULL)
		return false;
	put(doc, ma_field_db_name(f), NULL);
	ma_error_clear(error);
	return true;
}

/* --- validation ---------------------------------------------------------- */

/* Problems of bson as a doc->type; false and the error filled if any. */
static bool
validate(const ma_type *type, const bson_t *bson, ma_problems *problems,
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
	return validate(doc->type, &doc->bson, problems, error);
}

/* --- MongoDB ------------------------------------------------------------- */

static void fill_defaults(ma_walk *walk, const ma_type *type,
			  const bson_t *in, bson_t *out);

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
				   _ma_type_field_by_db_name(type, bson_iter_key(&it),
							     bson_iter_key_len(&it),
							     NULL),
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

static void
with_defaults(const ma_doc *doc, bson_t *out)
{
	ma_problems *p = ma_problems_new();
	ma_walk walk;

	_ma_walk_init(&walk, p);
	fill_defaults(&walk, doc->type, &doc->bson, out);
	_ma_walk_destroy(&walk);
	ma_problems_destroy(p);
}

/* out = {_id: oid, ...rest} */
static void
id_first(bson_t *out, const bson_oid_t *oid, const bson_t *rest)
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
	id_first(&with_id, id, &rest);
	bson_destroy(&rest);
	bson_destroy(&doc->bson);
	bson_steal(&doc->bson, &with_id);
}

/* How a document reaches its collection: save's upsert, or one of the two
 * halves of it that an HTTP API needs (POST inserts, PUT replaces). */
typedef enum store_mode {
	STORE_SAVE,    /* insert without an id, replace-or-insert with one */
	STORE_INSERT,  /* insert; an id that exists is a duplicate */
	STORE_REPLACE  /* replace the document with this id; none: not found */
} store_mode;

/* An acknowledged replace that matched nothing. */
static bool
replaced_nothing(const mongoc_write_concern_t *wc, const bson_t *reply)
{
	bson_iter_t it;

	return mongoc_write_concern_is_acknowledged(wc) &&
	       bson_iter_init_find(&it, reply, "matchedCount") &&
	       bson_iter_as_int64(&it) == 0;
}

/* current (STORE_REPLACE only, may be NULL): replace only while the
 * stored document is still current. */
static bool
store(ma_db *db, ma_doc *doc, store_mode mode, const ma_doc *current,
      ma_safe safe, ma_problems *problems, ma_error *error)
{
	static const char *const verbs[] = {"save", "insert", "replace"};
	const mongoc_write_concern_t *wc;
	mongoc_collection_t *coll = NULL;
	bson_t full, with_id, opts, sel, reply;
	bson_error_t berr;
	bson_oid_t oid;
	bool ok = false, is_new;

	with_defaults(doc, &full);
	bson_init(&opts);
	bson_init(&sel);
	bson_init(&reply);
	if (!validate(doc->type, &full, problems, error))
		goto done;

	is_new = !bson_has_field(&full, "_id");
	if (is_new && mode == STORE_REPLACE) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "this %s has no id: there is nothing to replace",
			      doc->type->name);
		goto done;
	}
	/* A new document gets its id here, before the write: a save that
	 * is retried after a lost reply then replaces instead of adding a
	 * second copy. */
	if (is_new) {
		bson_oid_init(&oid, NULL);
		id_first(&with_id, &oid, &full);
		bson_destroy(&full);
		bson_steal(&full, &with_id);
		ma_doc_set_id(doc, &oid);
	}

	coll = _ma_db_type_collection(db, doc->type, error);
	if (coll == NULL)
		goto done;
	wc = _ma_db_write_concern(db, safe, &opts);
	if (is_new || mode == STORE_INSERT) {
		ok = mongoc_collection_insert_one(coll, &full, &opts, &reply,
						  &berr);
	} else {
		bson_destroy(&sel);
		if (current != NULL)
			_ma_doc_unchanged_filter(current, &sel);
		else
			id_selector(doc, &sel);
		if (mode == STORE_SAVE)
			BSON_APPEND_BOOL(&opts, "upsert", true);
		ok = mongoc_collection_replace_one(coll, &sel, &full, &opts,
						   &reply, &berr);
	}
	if (!ok) {
		_ma_db_error(db, error, &berr, verbs[mode], doc->type);
		goto done;
	}
	if (mode == STORE_REPLACE && replaced_nothing(wc, &reply)) {
		if (current != NULL)
			_ma_error_set(error, MA_ERR_PRECONDITION,
				      "this %s changed since it was read",
				      doc->type->name);
		else
			_ma_error_set(error, MA_ERR_NOT_FOUND,
				      "no %s has this id", doc->type->name);
		ok = false;
		goto done;
	}
	/* The document is what was stored, defaults included. */
	bson_destroy(&doc->bson);
	bson_steal(&doc->bson, &full);
	bson_init(&full);
	ma_error_clear(error);
done:
	mongoc_collection_destroy(coll);
	bson_destroy(&full);
	bson_destroy(&opts);
	bson_destroy(&sel);
	bson_destroy(&reply);
	return ok;
}

bool
ma_doc_save(ma_db *db, ma_doc *doc, ma_safe safe, ma_problems *problems,
	    ma_error *error)
{
	return store(db, doc, STORE_SAVE, NULL, safe, problems, error);
}

bool
ma_doc_insert(ma_db *db, ma_doc *doc, ma_safe safe, ma_problems *problems,
	      ma_error *error)
{
	return store(db, doc, STORE_INSERT, NULL, safe, problems, error);
}

bool
ma_doc_replace(ma_db *db, ma_doc *doc, ma_safe safe, ma_problems *problems,
	       ma_error *error)
{
	return store(db, doc, STORE_REPLACE, NULL, safe, problems, error);
}

bool
ma_doc_replace_if(ma_db *db, ma_doc *doc, const ma_doc *current,
		  ma_safe safe, ma_problems *problems, ma_error *error)
{
	bson_oid_t id, current_id;

	if (current == NULL || current->type != doc->type ||
	    !ma_doc_id(current, &current_id) ||
	    (ma_doc_id(doc, &id) && bson_oid_compare(&id, &current_id) != 0)) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "a conditional replace needs the stored %s with "
			      "the same id",
			      doc->type->name);
		return false;
	}
	ma_doc_set_id(doc, &current_id);
	return store(db, doc, STORE_REPLACE, current, safe, problems, error);
}

bool
ma_doc_remove(ma_db *db, const ma_doc *doc, ma_safe safe, ma_error *error)
{
	const mongoc_write_concern_t *wc;
	mongoc_collection_t *coll = NULL;
	bson_t sel, opts, reply;
	bson_error_t berr;
	bson_iter_t it;
	bool ok = false;

	bson_init(&opts);
	bson_init(&reply);
	if (!id_selector(doc, &sel)) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "this %s has no id: it was never saved",
			      doc->type->name);
		goto done;
	}
	coll = _ma_db_type_collection(db, doc->type, error);
	if (coll == NULL)
		goto done;
	wc = _ma_db_write_concern(db, safe, &opts);
	if (!mongoc_collection_delete_one(coll, &sel, &opts, &reply, &berr)) {
		_ma_db_error(db, error, &berr, "remove", doc->type);
		goto done;
	}
	/* Only an acknowledged write says how many it deleted. */
	if (mongoc_write_concern_is_acknowledged(wc) &&
	    bson_iter_init_find(&it, &reply, "deletedCount") &&
	    bson_iter_as_int64(&it) == 0) {
		_ma_error_set(error, MA_ERR_NOT_FOUND, "no %s has this id",
			      doc->type->name);
		goto done;
	}
	ma_error_clear(error);
	ok = true;
done:
	mongoc_collection_destroy(coll);
	bson_destroy(&sel);
	bson_destroy(&opts);
	bson_destroy(&reply);
	return ok;
}

ma_doc *
ma_doc_deref(ma_db *db, const ma_doc *doc, const char *name, ma_error *error)
{
	const ma_field *f = ma_type_field(doc->type, name);
	ma_query *q;
	ma_doc *out = NULL;
	bson_iter_t it;

	if (f == NULL || f->kind != MA_KIND_REF) {
		_ma_error_set(error, MA_ERR_INVALID, "%s.%s is not a ref",
			      doc->type->name, name != NULL ? name : "(null)");
		return NULL;
	}
	if (!bson_iter_init_find(&it, &doc->bson, ma_field_db_name(f)) ||
	    !BSON_ITER_HOLDS_OID(&it)) {
		_ma_error_set(error, MA_ERR_NOT_FOUND, "%s.%s is not set",
			      doc->type->name, name);
		return NULL;
	}
	q = ma_query_new(db, f->type);
	if (ma_query_get_oid(q, bson_iter_oid(&it), &out, error) && out == NULL)
		_ma_error_set(error, MA_ERR_NOT_FOUND, "%s.%s points to no %s",
			      doc->type->name, name, f->type->name);
	ma_query_destroy(q);
	return out;
}
