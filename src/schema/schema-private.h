/*
 * Types and their checks: walking a document against its type, the value
 * checks shared by JSON input and BSON validation, field and path lookup
 * (schema.c), BSON validation (validate.c).
 */
#ifndef MA_SCHEMA_PRIVATE_H
#define MA_SCHEMA_PRIVATE_H

#include <mongoalchemy/schema.h>

#include "core/core.h"

/* --- walking a document against its type (schema.c) ---------------------- */

/*
 * The state of a walk over a document: where we are (the path of the
 * field, "author.name" or "tags[2]") and the problems found so far.
 * compare (false after init) walks a value a filter compares with: kinds
 * and enum values are checked, while lengths, bounds, patterns and item
 * counts, which are for writes, are not.
 */
typedef struct ma_walk {
	ma_problems *problems;
	ma_buf path;
	bool compare;
} ma_walk;

void _ma_walk_init(ma_walk *walk, ma_problems *problems);
void _ma_walk_destroy(ma_walk *walk);
/* Descends into key (n bytes) or list index i; returns what to pass to
 * _ma_walk_pop() to come back. */
size_t _ma_walk_push_key(ma_walk *walk, const char *key, size_t n);
size_t _ma_walk_push_index(ma_walk *walk, size_t i);
void _ma_walk_pop(ma_walk *walk, size_t mark);
/* A problem at the current path. */
void _ma_walk_problem(ma_walk *walk, const char *fmt, ...) MA_PRINTF(2, 3);
/*
 * The words for a kind, from one table (checks.c): what a field of it is
 * ("an int"), what its JSON or stored value must be ("an integer"), and
 * what a typed value given for it must be ("an item of the list, or a list
 * (as JSON)"). Static strings.
 */
const char *_ma_kind_name(ma_kind kind);
const char *_ma_kind_expects(ma_kind kind);
const char *_ma_kind_expects_value(ma_kind kind);
/* A problem at the current path saying what field expects: "must be ...". */
void _ma_walk_expect(ma_walk *walk, const ma_field *field);
/* Checks a key of an object being read from a client: '$', '.'. */
bool _ma_walk_check_key(ma_walk *walk, const char *key);

/* Value checks shared by JSON input and BSON validation; each adds the
 * problem itself and returns false. */
bool _ma_check_string(ma_walk *walk, const ma_field *field, const char *s,
		      size_t len);
bool _ma_check_int(ma_walk *walk, const ma_field *field, int64_t v);
bool _ma_check_float(ma_walk *walk, const ma_field *field, double v);
bool _ma_check_enum(ma_walk *walk, const ma_field *field, const char *s,
		    size_t len);
bool _ma_check_items(ma_walk *walk, const ma_field *field, size_t n);
/* Frees this thread's compiled regexes (ma_cleanup() calls it). */
void _ma_regex_cache_clear(void);

/*
 * Follows a dotted path of JSON names ("author.name") through type and its
 * embedded types. dbpath (when not NULL) gets the path's database form,
 * parts the type does not declare kept as given; *last (when not NULL) the
 * field of the last part, or NULL. Returns true when every part is a
 * declared field and each but the last an embedded document or a list of
 * them.
 */
bool _ma_type_path(const ma_type *type, const char *path, ma_buf *dbpath,
		   const ma_field **last);

/* The field whose database name is key (n bytes), or NULL. hint, when
 * not NULL, is where to look first and is moved past a match: documents
 * are usually stored in the order of their type's table. */
const ma_field *_ma_type_field_by_db_name(const ma_type *type, const char *key,
					  size_t n, size_t *hint);

/* Turns a problem list into an MA_ERR_VALIDATION error
 * "invalid Book: year: ...; title: ...". */
void _ma_error_from_problems(ma_error *error, const ma_type *type,
			     const ma_problems *problems);

/* The first problem as an MA_ERR_INVALID "path: message", for one
 * value checked alone; false (error untouched) when there is none. */
bool _ma_error_from_first_problem(ma_error *error, const ma_problems *problems);

/* The list to fill: given (emptied), or a new one when the caller passed
 * none. _ma_problems_done() frees the new one. */
ma_problems *_ma_problems_use(ma_problems *given);
void _ma_problems_done(ma_problems *used, ma_problems *given);

/* Checks the declared fields of doc against type (validate.c). */
void _ma_validate_doc(ma_walk *walk, const ma_type *type, const bson_t *doc);
void _ma_validate_value(ma_walk *walk, const ma_field *field,
			const bson_iter_t *iter);

#endif
