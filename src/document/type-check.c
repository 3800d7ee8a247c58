/*
 * ma_type_check(): a type's declaration checked whole, defaults included
 * (read as strictly as input, hence above the JSON reader).
 */
#include <regex.h>
#include <string.h>

#include "json/json-private.h"

/* --- checking a declaration ---------------------------------------------- */

/* The types being checked, outermost first: a type that embeds itself
 * (a tree) is checked once. */
typedef struct check_stack {
	const ma_type *types[MA_JSON_MAX_DEPTH];
	size_t depth;
} check_stack;

static bool check_type(check_stack *stack, const ma_type *type,
		       ma_error *error);

static bool
bad_name(const char *name)
{
	return name == NULL || name[0] == '\0' || name[0] == '$' ||
	       strchr(name, '.') != NULL;
}

static bool
check_default(const ma_type *type, const ma_field *f, ma_error *error)
{
	ma_problems *problems = ma_problems_new();
	ma_walk walk;
	bson_t out = BSON_INITIALIZER;
	bool ok;

	_ma_walk_init(&walk, problems);
	ok = _ma_default_to_bson(&walk, f, &out, "v");
	if (!ok)
		_ma_error_set(error, MA_ERR_INVALID,
			      "%s.%s: the default is not JSON: %s", type->name,
			      f->name, f->default_json);
	else if (ma_problems_count(problems) > 0)
		_ma_error_set(error, MA_ERR_INVALID, "%s.%s: the default %s %s",
			      type->name, f->name, f->default_json,
			      ma_problems_message(problems, 0));
	ok = ok && ma_problems_count(problems) == 0;
	_ma_walk_destroy(&walk);
	ma_problems_destroy(problems);
	bson_destroy(&out);
	return ok;
}

static bool
check_field(check_stack *stack, const ma_type *type, const ma_field *f,
	    bool item, ma_error *error)
{
	const char *name = item ? "(item)" : f->name;
	regex_t re;

	if ((unsigned)f->kind >= MA_KIND__MAX || f->kind == MA_KIND_NONE) {
		_ma_error_set(error, MA_ERR_INVALID, "%s.%s: unknown kind %d",
			      type->name, name, (int)f->kind);
		return false;
	}
	if ((f->has_min && f->has_max && f->min > f->max) ||
	    (f->has_fmin && f->has_fmax && f->fmin > f->fmax) ||
	    (f->max_len > 0 && f->min_len > f->max_len) ||
	    (f->max_items > 0 && f->min_items > f->max_items)) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "%s.%s: the minimum is above the maximum",
			      type->name, name);
		return false;
	}
	switch (f->kind) {
	case MA_KIND_DOCUMENT:
	case MA_KIND_REF:
		if (f->type == NULL) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "%s.%s: no type given", type->name, name);
			return false;
		}
		if (f->kind == MA_KIND_DOCUMENT &&
		    !check_type(stack, f->type, error))
			return false;
		break;
	case MA_KIND_LIST:
		if (f->item == NULL) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "%s.%s: a list needs an item", type->name,
				      name);
			return false;
		}
		if (!check_field(stack, type, f->item, true, error))
			return false;
		break;
	case MA_KIND_ENUM:
		if (f->values == NULL || f->values[0] == NULL) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "%s.%s: an enum needs values", type->name,
				      name);
			return false;
		}
		break;
	case MA_KIND_STRING:
		if (f->regex == NULL)
			break;
		if (regcomp(&re, f->regex, REG_EXTENDED | REG_NOSUB) != 0) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "%s.%s: the regex does not compile: %s",
				      type->name, name, f->regex);
			return false;
		}
		regfree(&re);
		break;
	default:
		break;
	}
	if (!item && f->default_json != NULL && !check_default(type, f, error))
		return false;
	return true;
}

/* An index key ("-year", "author.name", "_id") names a field. */
static bool
index_key_known(const ma_type *type, const char *key)
{
	if (key[0] == '-')
		key++;
	return strcmp(key, "_id") == 0 || _ma_type_path(type, key, NULL, NULL);
}

static bool
check_type(check_stack *stack, const ma_type *type, ma_error *error)
{
	const ma_field *f, *g;
	const ma_index *ix;
	const ma_query_extension *x, *y;
	const char *const *k;
	size_t i;
	bool ok = false;

	for (i = 0; i < stack->depth; i++) {
		if (stack->types[i] == type)
			return true;
	}
	if (stack->depth == MA_JSON_MAX_DEPTH) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "%s: embedded types nest too deep", type->name);
		return false;
	}
	stack->types[stack->depth++] = type;

	if (type->name == NULL || type->name[0] == '\0' ||
	    type->fields == NULL) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "a type needs a name and a field table");
		goto done;
	}
	for (f = type->fields; f->kind != MA_KIND_NONE; f++) {
		if (bad_name(f->name) || bad_name(ma_field_db_name(f)) ||
		    strcmp(f->name, "_id") == 0 ||
		    strcmp(ma_field_db_name(f), "_id") == 0) {
			_ma_error_set(
				error, MA_ERR_INVALID,
				"%s: field %zu has no usable name (empty, "
				"_id, or with '$' or '.')",
				type->name, (size_t)(f - type->fields));
			goto done;
		}
		for (g = type->fields; g != f; g++) {
			if (strcmp(g->name, f->name) == 0 ||
			    strcmp(ma_field_db_name(g), ma_field_db_name(f)) ==
				    0) {
				_ma_error_set(error, MA_ERR_INVALID,
					      "%s.%s: the name is used twice",
					      type->name, f->name);
				goto done;
			}
		}
		if (!check_field(stack, type, f, false, error))
			goto done;
	}
	for (ix = type->indexes; ix != NULL && ix->keys != NULL; ix++) {
		if (ix->keys[0] == NULL) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "%s: an index has no keys", type->name);
			goto done;
		}
		for (k = ix->keys; *k != NULL; k++) {
			if (!index_key_known(type, *k)) {
				_ma_error_set(error, MA_ERR_INVALID,
					      "%s: index key %s is not a field",
					      type->name, *k);
				goto done;
			}
		}
	}
	for (x = type->extensions; x != NULL && x->name != NULL; x++) {
		if (x->name[0] == '\0' || x->fn == NULL) {
			_ma_error_set(
				error, MA_ERR_INVALID,
				"%s: query extension %zu needs a name and "
				"a function",
				type->name, (size_t)(x - type->extensions));
			goto done;
		}
		for (y = type->extensions; y != x; y++) {
			if (strcmp(x->name, y->name) == 0) {
				_ma_error_set(error, MA_ERR_INVALID,
					      "%s: query extension %s is "
					      "declared twice",
					      type->name, x->name);
				goto done;
			}
		}
	}
	ok = true;
done:
	stack->depth--;
	return ok;
}

bool
ma_type_check(const ma_type *type, ma_error *error)
{
	check_stack stack = {.depth = 0};

	if (type == NULL) {
		_ma_error_set(error, MA_ERR_INVALID, "no type given");
		return false;
	}
	if (!check_type(&stack, type, error))
		return false;
	ma_error_clear(error);
	return true;
}
