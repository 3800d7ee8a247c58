/*
 * Updates: MongoDB's update operators on declared fields, each value
 * checked against its field as input is, and the update document a write
 * sends (write.c applies it).
 */
#include <string.h>

#include "query/query-private.h"

enum { OP_SET, OP_UNSET, OP_INC, OP_PUSH, OP_ADD_TO_SET, OP_PULL, OP__MAX };

static const char *const op_keys[OP__MAX] = {
	"$set", "$unset", "$inc", "$push", "$addToSet", "$pull",
};

struct ma_update {
	const ma_type *type;
	/* Each operator's fields: {"year": 2004} under $set... */
	bson_t ops[OP__MAX];
	bson_t built;
	/* The first refused call; MA_OK while there is none. */
	ma_error error;
};

ma_update *
ma_update_new(const ma_type *type)
{
	ma_update *u = BSON_ALIGNED_ALLOC0(ma_update);
	int i;

	u->type = type;
	for (i = 0; i < OP__MAX; i++)
		bson_init(&u->ops[i]);
	bson_init(&u->built);
	ma_error_clear(&u->error);
	return u;
}

void
ma_update_destroy(ma_update *update)
{
	size_t i;

	if (update == NULL)
		return;
	for (i = 0; i < OP__MAX; i++)
		bson_destroy(&update->ops[i]);
	bson_destroy(&update->built);
	bson_free(update);
}

const bson_t *
ma_update_bson(const ma_update *update)
{
	return &update->built;
}

static void
rebuild(ma_update *u)
{
	int i;

	bson_reinit(&u->built);
	for (i = 0; i < OP__MAX; i++) {
		if (!bson_empty(&u->ops[i]))
			BSON_APPEND_DOCUMENT(&u->built, op_keys[i], &u->ops[i]);
	}
}

/*
 * Whether the update changes a field that is db or inside it, or (also
 * when around) one that db is inside.
 */
static bool
changes(const ma_update *u, const char *db, bool around)
{
	bson_iter_t it;
	int i;

	for (i = 0; i < OP__MAX; i++) {
		bson_iter_init(&it, &u->ops[i]);
		while (bson_iter_next(&it)) {
			if (_ma_path_within(bson_iter_key(&it), db) ||
			    (around && _ma_path_within(db, bson_iter_key(&it))))
				return true;
		}
	}
	return false;
}

/* Whether some part of path before its last is a list: MongoDB cannot
 * set "lines.sku" for every line. */
static bool
through_list(const ma_type *type, const char *path)
{
	const char *dot;
	const ma_field *f;
	char *prefix;
	bool list;

	for (dot = strchr(path, '.'); dot != NULL; dot = strchr(dot + 1, '.')) {
		prefix = bson_strndup(path, (size_t)(dot - path));
		list = _ma_type_path(type, prefix, NULL, &f) && f != NULL &&
		       f->kind == MA_KIND_LIST;
		bson_free(prefix);
		if (list)
			return true;
	}
	return false;
}

/*
 * The field of path, checked for an update: declared, not the id, not
 * inside a list, not changed already. dbpath gets its database form.
 */
static bool
update_path(ma_update *u, const char *path, ma_buf *dbpath, const ma_field **f,
	    ma_error *error)
{
	if (u->type == NULL) {
		_ma_error_set(error, MA_ERR_INVALID, "an update needs a type");
		return false;
	}
	if (!_ma_query_path(u->type, path, dbpath, f, error))
		return false;
	if (*f == NULL) {
		_ma_error_set(error, MA_ERR_INVALID, "_id cannot be changed");
		return false;
	}
	if (through_list(u->type, path)) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "%s: the fields of a list's items cannot be "
			      "updated one by one",
			      path);
		return false;
	}
	if (changes(u, dbpath->data, true)) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "%s: this update already changes it", path);
		return false;
	}
	return true;
}

/* Adds the converted value (the only key of one) under operator op. */
static void
add_op(ma_update *u, int op, const char *dbpath, const bson_t *one)
{
	bson_iter_t it;

	if (bson_iter_init(&it, one) && bson_iter_next(&it))
		bson_append_iter(&u->ops[op], dbpath, -1, &it);
	rebuild(u);
}

/* Checks the first value of one against f as a write: bounds, lengths,
 * patterns, nested documents. */
static bool
valid_write(const ma_field *f, const char *path, const bson_t *one,
	    ma_error *error)
{
	ma_problems *problems = ma_problems_new();
	bson_iter_t it;
	ma_walk walk;
	bool ok;

	_ma_walk_init(&walk, problems);
	_ma_walk_push_key(&walk, path, strlen(path));
	if (bson_iter_init(&it, one) && bson_iter_next(&it))
		_ma_validate_value(&walk, f, &it);
	ok = !_ma_error_from_first_problem(error, problems);
	_ma_walk_destroy(&walk);
	ma_problems_destroy(problems);
	return ok;
}

/* What operator op does with value on field f, checked, as the only key
 * of one. */
static bool
op_value(int op, const ma_field *f, const char *path, const ma_value *v,
	 bson_t *one, ma_error *error)
{
	switch (op) {
	case OP_UNSET:
		if (!f->optional) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "%s: is required; it cannot be unset",
				      path);
			return false;
		}
		BSON_APPEND_UTF8(one, "v", "");
		return true;
	case OP_SET:
		if (v->kind == MA_VALUE_NULL && !f->nullable) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "%s: must not be null", path);
			return false;
		}
		/* A list is replaced whole: an item alone would be a
		 * filter's meaning. */
		if (f->kind == MA_KIND_LIST && v->kind != MA_VALUE_JSON &&
		    v->kind != MA_VALUE_NULL) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "%s: must be %s (as JSON); push adds an "
				      "item",
				      path, _ma_kind_expects(MA_KIND_LIST));
			return false;
		}
		return _ma_value_to_bson(f, path, v, one, "v", error) &&
		       valid_write(f, path, one, error);
	case OP_INC:
		if (f->kind != MA_KIND_INT && f->kind != MA_KIND_FLOAT) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "%s: inc applies to int and float fields",
				      path);
			return false;
		}
		if (v->kind == MA_VALUE_NULL) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "%s: cannot add null", path);
			return false;
		}
		return _ma_value_to_bson(f, path, v, one, "v", error);
	case OP_PUSH:
	case OP_ADD_TO_SET:
	case OP_PULL:
	default:
		if (f->kind != MA_KIND_LIST || f->item == NULL) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "%s: %s applies to lists", path,
				      op_keys[op] + 1);
			return false;
		}
		if (v->kind == MA_VALUE_NULL && op != OP_PULL &&
		    !f->item->nullable) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "%s: its items must not be null", path);
			return false;
		}
		/* What is pulled is compared, not stored: its kind is
		 * enough. */
		return _ma_value_to_bson(f->item, path, v, one, "v", error) &&
		       (op == OP_PULL ||
			valid_write(f->item, path, one, error));
	}
}

/*
 * Adds path op value. A refused call is remembered, and the update then
 * refuses every later call and every write, as a query does.
 */
static bool
add_call(ma_update *u, int op, const char *path, const ma_value *v,
	 ma_error *error)
{
	static const ma_value none = {.kind = MA_VALUE_NULL};
	const ma_field *f;
	bson_t one = BSON_INITIALIZER;
	ma_buf db;
	ma_error e;
	bool ok;

	if (u->error.code != MA_OK) {
		if (error != NULL)
			*error = u->error;
		return false;
	}
	_ma_buf_init(&db, 32);
	ok = update_path(u, path, &db, &f, &e) &&
	     op_value(op, f, path, v != NULL ? v : &none, &one, &e);
	if (ok) {
		add_op(u, op, db.data, &one);
		ma_error_clear(&e);
	} else if (u->error.code == MA_OK) {
		u->error = e;
	}
	bson_destroy(&one);
	_ma_buf_destroy(&db);
	if (error != NULL)
		*error = e;
	return ok;
}

bool
ma_update_set(ma_update *update, const char *path, ma_value value,
	      ma_error *error)
{
	return add_call(update, OP_SET, path, &value, error);
}

bool
ma_update_unset(ma_update *update, const char *path, ma_error *error)
{
	return add_call(update, OP_UNSET, path, NULL, error);
}

bool
ma_update_inc(ma_update *update, const char *path, ma_value by, ma_error *error)
{
	return add_call(update, OP_INC, path, &by, error);
}

bool
ma_update_push(ma_update *update, const char *path, ma_value item,
	       ma_error *error)
{
	return add_call(update, OP_PUSH, path, &item, error);
}

bool
ma_update_add_to_set(ma_update *update, const char *path, ma_value item,
		     ma_error *error)
{
	return add_call(update, OP_ADD_TO_SET, path, &item, error);
}

bool
ma_update_pull(ma_update *update, const char *path, ma_value item,
	       ma_error *error)
{
	return add_call(update, OP_PULL, path, &item, error);
}

/* --- what a write sends --------------------------------------------------- */

/* Whether the filter pins field db, or a field inside it, to a value, as
 * an upsert's seed: {db: value} or {"db.x": value}, not {db: {$gt: ...}}. */
static bool
seeds(const bson_t *filter, const char *db)
{
	bson_iter_t it, child;

	if (!bson_iter_init(&it, filter))
		return false;
	while (bson_iter_next(&it)) {
		if (!_ma_path_within(bson_iter_key(&it), db))
			continue;
		if (!BSON_ITER_HOLDS_DOCUMENT(&it) ||
		    !bson_iter_recurse(&it, &child))
			return true;
		if (!(bson_iter_next(&child) &&
		      bson_iter_key(&child)[0] == '$'))
			return true;
	}
	return false;
}

/* With upsert, the document an insert would create must hold the type's
 * required fields: set by the update or pinned by the filter; missing
 * defaults are added with $setOnInsert. */
bool
_ma_update_doc(const ma_update *u, const ma_type *type, bool upsert,
	       const bson_t *filter, bson_t *out, ma_error *error)
{
	const ma_field *f;
	bson_t on_insert = BSON_INITIALIZER;
	const char *db;
	ma_problems *problems;
	ma_walk walk;
	bool ok = true;

	bson_copy_to(&u->built, out);
	if (!upsert || type->fields == NULL)
		goto done;
	problems = ma_problems_new();
	_ma_walk_init(&walk, problems);
	for (f = type->fields; f->kind != MA_KIND_NONE && ok; f++) {
		db = ma_field_db_name(f);
		if (seeds(filter, db) || changes(u, db, false))
			continue;
		if (f->default_json != NULL) {
			_ma_default_to_bson(&walk, f, &on_insert, db);
		} else if (!f->optional) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "an upsert could insert a %s without %s: "
				      "set it, or filter on it with eq",
				      type->name, f->name);
			ok = false;
		}
	}
	_ma_walk_destroy(&walk);
	ma_problems_destroy(problems);
	if (ok && !bson_empty(&on_insert))
		BSON_APPEND_DOCUMENT(out, "$setOnInsert", &on_insert);
done:
	bson_destroy(&on_insert);
	return ok;
}

bool
_ma_update_ready(const ma_update *u, const ma_type *type, ma_error *error)
{
	if (u != NULL && u->error.code != MA_OK) {
		if (error != NULL)
			*error = u->error;
		return false;
	}
	if (u == NULL || bson_empty(&u->built)) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "the update changes nothing");
		return false;
	}
	if (u->type != type) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "an update of %s cannot apply to a query on %s",
			      u->type != NULL ? u->type->name : "nothing",
			      type->name);
		return false;
	}
	return true;
}

/* --- from a partial JSON document ---------------------------------------- */

ma_update *
ma_update_new_from_json(const ma_type *type, const char *json, size_t len,
			const bson_oid_t *id, ma_problems *problems,
			ma_error *error)
{
	bson_t given;
	bson_iter_t it;
	ma_update *u;

	if (!_ma_json_to_bson_partial(type, json, len, &given, problems,
				      error)) {
		bson_destroy(&given);
		return NULL;
	}
	/* A client may send the id back with the fields; it may not move
	 * the document to another one. */
	if (bson_iter_init_find(&it, &given, "_id") &&
	    (id == NULL || bson_oid_compare(bson_iter_oid(&it), id) != 0)) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "_id: an update cannot change the id");
		bson_destroy(&given);
		return NULL;
	}
	u = ma_update_new(type);
	bson_copy_to_excluding_noinit(&given, &u->ops[OP_SET], "_id", NULL);
	rebuild(u);
	bson_destroy(&given);
	ma_error_clear(error);
	return u;
}
