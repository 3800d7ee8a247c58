/*
 * Typed values and filter operators: what a query compares fields with.
 * Values are typed, never raw JSON from a client.
 */
#ifndef MONGOALCHEMY_VALUE_H
#define MONGOALCHEMY_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bson/bson.h>

#include <mongoalchemy/schema.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Filter operators. ma_op_name() gives the name the HTTP layer uses as a
 * suffix (year__gte). */
typedef enum ma_op {
	MA_OP_EQ = 0,
	MA_OP_NE,
	MA_OP_GT,
	MA_OP_GTE,
	MA_OP_LT,
	MA_OP_LTE,
	MA_OP_IN,	  /* one of several values: ma_query_filter_in() */
	MA_OP_NIN,	  /* none of several values: ma_query_filter_in() */
	MA_OP_EXISTS,	  /* the field is present (MA_V_BOOL(true)) or not */
	MA_OP_REGEX,	  /* a string field matches a regular expression */
	MA_OP_STARTSWITH, /* a string field starts with a prefix, taken
			   * literally (no character in it is special) */
	MA_OP_ALL,	  /* a list holds every one of several values:
			   * ma_query_filter_in() */
	MA_OP_SIZE,	  /* a list holds exactly n items (an integer from 0
			   * to INT32_MAX) */
	MA_OP__MAX
} ma_op;

/* "eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "exists", "regex",
 * "startswith", "all", "size"; NULL for an unknown op. The string is
 * static. */
const char *ma_op_name(ma_op op);

/* The op called name (n bytes). false when there is none. */
bool ma_op_from_name(const char *name, size_t n, ma_op *op);

typedef enum ma_value_kind {
	MA_VALUE_NULL = 0,
	MA_VALUE_STRING,   /* s: UTF-8; also the JSON form of a datetime or
			    * an ObjectId field ("2004-01-01T00:00:00Z",
			    * 24 hex digits) */
	MA_VALUE_INT,	   /* i */
	MA_VALUE_FLOAT,	   /* f */
	MA_VALUE_BOOL,	   /* b */
	MA_VALUE_DATETIME, /* i: milliseconds since 1970-01-01T00:00:00Z */
	MA_VALUE_OID,	   /* oid */
	MA_VALUE_TEXT,	   /* s: text parsed by the field's kind, as a URL
			    * query parameter is: "2004", "true",
			    * "2004-01-01T00:00:00Z", 24 hex digits */
	MA_VALUE_JSON,	   /* s: JSON text converted and checked as the
			    * field's input is (see ma_doc_new_from_json()):
			    * a whole list, an embedded document; keys with
			    * '$' or '.' are refused */
	MA_VALUE__MAX
} ma_value_kind;

/* A value to compare a field with, or to write into one. Strings are
 * borrowed for the length of the call. */
typedef struct ma_value {
	ma_value_kind kind;
	union {
		const char *s;
		int64_t i;
		double f;
		bool b;
		const bson_oid_t *oid;
	} u;
} ma_value;

#define MA_V_NULL ((ma_value){.kind = MA_VALUE_NULL})
#define MA_V_STRING(v) ((ma_value){.kind = MA_VALUE_STRING, .u.s = (v)})
#define MA_V_INT(v) ((ma_value){.kind = MA_VALUE_INT, .u.i = (v)})
#define MA_V_FLOAT(v) ((ma_value){.kind = MA_VALUE_FLOAT, .u.f = (v)})
#define MA_V_BOOL(v) ((ma_value){.kind = MA_VALUE_BOOL, .u.b = (v)})
#define MA_V_DATETIME(ms) ((ma_value){.kind = MA_VALUE_DATETIME, .u.i = (ms)})
#define MA_V_OID(p) ((ma_value){.kind = MA_VALUE_OID, .u.oid = (p)})
#define MA_V_TEXT(v) ((ma_value){.kind = MA_VALUE_TEXT, .u.s = (v)})
#define MA_V_JSON(v) ((ma_value){.kind = MA_VALUE_JSON, .u.s = (v)})

/*
 * What each field kind takes in a filter (the kind is checked, bounds are
 * not: year < -5 is a fine question with an empty answer):
 *   string, enum   STRING or TEXT
 *   int            INT, or TEXT holding a decimal integer
 *   float          FLOAT or INT, or TEXT holding a number
 *   bool           BOOL, or TEXT "true" / "false"
 *   datetime       DATETIME, or STRING / TEXT in ISO 8601 with a zone
 *   objectid, ref  OID, or STRING / TEXT of 24 hex digits (also "_id")
 *   list           a value its item would take (it matches lists that
 *                  hold such an item), or JSON for the whole list
 *   document       JSON (a whole embedded document); filter its fields
 *                  with dotted paths instead
 *   any            STRING, INT, FLOAT, BOOL, DATETIME, OID or JSON
 * JSON is taken for every kind, and checked as input is (bounds too).
 * NULL matches a field that is null or missing, whatever its kind, with
 * MA_OP_EQ and MA_OP_NE. MA_OP_EXISTS takes BOOL (or TEXT "true"/"false").
 * MA_OP_REGEX and MA_OP_STARTSWITH take STRING or TEXT, on string, enum
 * and any fields and on lists of strings.
 * MA_OP_ALL and MA_OP_SIZE apply to list fields only. MA_OP_ALL takes
 * items, as in and nin do (an empty list matches nothing). MA_OP_SIZE
 * takes INT, or TEXT holding a decimal integer, from 0 to INT32_MAX.
 * MA_OP_IN and MA_OP_NIN on a list field compare each item, as MongoDB
 * does: in matches a list holding any of the values, nin one holding none.
 */

#ifdef __cplusplus
}
#endif

#endif
