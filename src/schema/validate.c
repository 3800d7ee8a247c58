/*
 * A document's MongoDB form checked against its type: what save() runs
 * before anything reaches the server. The checks on values are the same
 * ones JSON input goes through (schema.c), so a document built with the
 * setters and one sent as JSON are held to one standard.
 */
#include <string.h>

#include "schema/schema-private.h"

/* The keys of an MA_ANY value, at every depth; array indexes are not
 * keys, and their paths read "extra[0]" as JSON input's do. */
static bool
check_keys(ma_walk *walk, bson_iter_t *it, bool array)
{
	bson_iter_t child;
	size_t mark, i;
	bool ok = true;

	for (i = 0; bson_iter_next(it); i++) {
		if (array) {
			mark = _ma_walk_push_index(walk, i);
		} else {
			mark = _ma_walk_push_key(walk, bson_iter_key(it),
						 bson_iter_key_len(it));
			if (!_ma_walk_check_key(walk, bson_iter_key(it))) {
				ok = false;
				_ma_walk_pop(walk, mark);
				continue;
			}
		}
		if ((BSON_ITER_HOLDS_DOCUMENT(it) ||
		     BSON_ITER_HOLDS_ARRAY(it)) &&
		    bson_iter_recurse(it, &child))
			ok = check_keys(walk, &child,
					BSON_ITER_HOLDS_ARRAY(it)) &&
			     ok;
		_ma_walk_pop(walk, mark);
	}
	return ok;
}

void
_ma_validate_value(ma_walk *walk, const ma_field *f, const bson_iter_t *iter)
{
	bson_iter_t it = *iter, child;
	bson_t sub;
	const char *s;
	uint32_t len;
	size_t n, mark;

	if (BSON_ITER_HOLDS_NULL(&it)) {
		if (!f->nullable)
			_ma_walk_problem(walk, "must not be null");
		return;
	}
	switch (f->kind) {
	case MA_KIND_STRING:
	case MA_KIND_ENUM:
		if (!BSON_ITER_HOLDS_UTF8(&it)) {
			_ma_walk_expect(walk, f);
			return;
		}
		s = bson_iter_utf8(&it, &len);
		if (f->kind == MA_KIND_STRING)
			_ma_check_string(walk, f, s, len);
		else
			_ma_check_enum(walk, f, s, len);
		return;
	case MA_KIND_INT:
		if (BSON_ITER_HOLDS_INT32(&it) || BSON_ITER_HOLDS_INT64(&it))
			_ma_check_int(walk, f, bson_iter_as_int64(&it));
		else
			_ma_walk_expect(walk, f);
		return;
	case MA_KIND_FLOAT:
		if (BSON_ITER_HOLDS_NUMBER(&it))
			_ma_check_float(walk, f, bson_iter_as_double(&it));
		else
			_ma_walk_expect(walk, f);
		return;
	case MA_KIND_BOOL:
		if (!BSON_ITER_HOLDS_BOOL(&it))
			_ma_walk_expect(walk, f);
		return;
	case MA_KIND_DATETIME:
		if (!BSON_ITER_HOLDS_DATE_TIME(&it))
			_ma_walk_expect(walk, f);
		return;
	case MA_KIND_OBJECTID:
	case MA_KIND_REF:
		if (!BSON_ITER_HOLDS_OID(&it))
			_ma_walk_expect(walk, f);
		return;
	case MA_KIND_DOCUMENT:
		if (!BSON_ITER_HOLDS_DOCUMENT(&it)) {
			_ma_walk_expect(walk, f);
			return;
		}
		if (_ma_iter_view(&it, &sub))
			_ma_validate_doc(walk, f->type, &sub);
		return;
	case MA_KIND_LIST:
		if (!BSON_ITER_HOLDS_ARRAY(&it) ||
		    !bson_iter_recurse(&it, &child)) {
			_ma_walk_expect(walk, f);
			return;
		}
		for (n = 0; bson_iter_next(&child); n++) {
			mark = _ma_walk_push_index(walk, n);
			_ma_validate_value(walk, f->item, &child);
			_ma_walk_pop(walk, mark);
		}
		_ma_check_items(walk, f, n);
		return;
	case MA_KIND_ANY:
		if ((BSON_ITER_HOLDS_DOCUMENT(&it) ||
		     BSON_ITER_HOLDS_ARRAY(&it)) &&
		    bson_iter_recurse(&it, &child))
			check_keys(walk, &child, BSON_ITER_HOLDS_ARRAY(&it));
		return;
	case MA_KIND_NONE:
	case MA_KIND__MAX:
	default:
		_ma_walk_expect(walk, f);
		return;
	}
}

void
_ma_validate_doc(ma_walk *walk, const ma_type *type, const bson_t *doc)
{
	const ma_field *f;
	bson_iter_t it;
	size_t mark;

	/* _id is not checked: an id of another kind, written by another
	 * program, still identifies the document to replace. */
	for (f = type->fields; f->kind != MA_KIND_NONE; f++) {
		mark = _ma_walk_push_key(walk, f->name, strlen(f->name));
		if (bson_iter_init_find(&it, doc, ma_field_db_name(f)))
			_ma_validate_value(walk, f, &it);
		else if (!f->optional && f->default_json == NULL)
			_ma_walk_problem(walk, "required");
		_ma_walk_pop(walk, mark);
	}
}
