/*
 * Document types: Flask-MongoAlchemy's `class Book(db.Document)` as a
 * static table.
 *
 *   static const ma_field author_fields[] = {
 *           MA_STRING("name", .max_len = 100),
 *           MA_FIELDS_END
 *   };
 *   const ma_type author_type = {.name = "Author", .fields = author_fields};
 *
 *   static const ma_field book_fields[] = {
 *           MA_STRING("title", .max_len = 200),
 *           MA_DOCUMENT("author", &author_type),
 *           MA_INT("year", MA_MIN(0), MA_MAX(9999)),
 *           MA_FIELDS_END
 *   };
 *
 * Declare types at file scope: the list and enum macros take the address of
 * compound literals, which is a constant only there. A type is read, never
 * written, by the library, so one type serves every database object and
 * every process.
 *
 * Every field is required unless it says `.optional = true` (as in
 * MongoAlchemy); a required field with a default is never missing. Every
 * document also has `_id`, an ObjectId the library generates on first save:
 * it is not declared in the table.
 */
#ifndef MONGOALCHEMY_SCHEMA_H
#define MONGOALCHEMY_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mongoalchemy/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What a field holds. The JSON and BSON form of each is in docs/documents.md.
 */
typedef enum ma_kind {
	MA_KIND_NONE = 0, /* ends a field table */
	MA_KIND_STRING,	  /* UTF-8 text, no NUL */
	MA_KIND_INT,	  /* 64-bit signed integer */
	MA_KIND_FLOAT,	  /* finite double; JSON integers are accepted */
	MA_KIND_BOOL,
	MA_KIND_DATETIME, /* JSON: ISO 8601 with an offset; BSON: UTC datetime
			   */
	MA_KIND_OBJECTID, /* JSON: 24 hex digits; BSON: ObjectId */
	MA_KIND_DOCUMENT, /* an embedded document of another type */
	MA_KIND_LIST,	  /* a list of items of one kind */
	MA_KIND_ANY,	  /* any JSON value (a dict, a list, a scalar) */
	MA_KIND_ENUM,	  /* one of a list of strings */
	MA_KIND_REF,	  /* the _id of a document of another type */
	MA_KIND__MAX
} ma_kind;

typedef struct ma_type ma_type;
typedef struct ma_field ma_field;

/*
 * One field. Fill it with the macros below; members that do not apply to
 * the kind are ignored.
 */
struct ma_field {
	ma_kind kind;
	const char *name;    /* the name in JSON and in the C calls */
	const char *db_name; /* the name in MongoDB; NULL: name */
	bool optional;	     /* may be missing (required is the default) */
	bool nullable;	     /* may be null */
	/* JSON text of the value used when the field is missing, for
	 * example "0", "\"draft\"" or "[]". Checked like any input. */
	const char *default_json;

	/* string: lengths in characters (code points); 0: no limit */
	size_t min_len, max_len;
	/* string: a POSIX extended regular expression the whole value must
	 * match (it is anchored for you) */
	const char *regex;

	/* int: bounds, set with MA_MIN() / MA_MAX() */
	bool has_min, has_max;
	int64_t min, max;
	/* float: bounds, set with MA_FMIN() / MA_FMAX() */
	bool has_fmin, has_fmax;
	double fmin, fmax;

	/* document: the embedded type; ref: the referenced type */
	const ma_type *type;
	/* list: the items (its name is not used) */
	const ma_field *item;
	/* list: bounds on the number of items; max 0: no limit */
	size_t min_items, max_items;
	/* enum: the allowed strings, NULL-terminated */
	const char *const *values;
};

/*
 * An index on a type's collection. keys are field names (dotted for a
 * field of an embedded document, "author.name"), a leading '-' for
 * descending: {"-year", "title", NULL}.
 */
typedef struct ma_index {
	const char *const *keys;
	bool unique;
	const char *name; /* NULL: MongoDB's default, "year_-1_title_1" */
} ma_index;

/* --- query extensions --------------------------------------------------- */

/* A query (query.h): what an extension refines. */
typedef struct ma_query ma_query;

/*
 * Flask-MongoAlchemy's custom query class: a function that refines a query
 * and says whether it could.
 *
 *   static bool
 *   get_johns(ma_query *q, const char *arg, ma_error *e)
 *   {
 *           return ma_query_filter(q, "first_name", MA_OP_EQ,
 *                                  MA_V_STRING("John"), e);
 *   }
 *
 *   const ma_type person_type = {
 *           .name = "Person", .fields = person_fields,
 *           .extensions = (const ma_query_extension[]){
 *                   MA_EXTENSION("get_johns", get_johns),
 *                   MA_EXTENSIONS_END
 *           },
 *   };
 *
 * arg is the caller's (a route's parameter, say), NULL when there is none;
 * an extension that takes one parses it (MA_V_TEXT does that by the
 * field's kind).
 */
typedef bool (*ma_query_extension_fn)(ma_query *query, const char *arg,
				      ma_error *error);

struct ma_query_extension {
	const char *name;
	ma_query_extension_fn fn;
};
typedef struct ma_query_extension ma_query_extension;

#define MA_EXTENSION(n, f)                                                     \
	{                                                                      \
		.name = (n), .fn = (f)                                         \
	}
#define MA_EXTENSIONS_END                                                      \
	{                                                                      \
		.name = NULL, .fn = NULL                                       \
	}

/* The extension of type called name, or NULL; it lives in the type's
 * static table. */
const ma_query_extension *ma_type_extension(const ma_type *type,
					    const char *name);

/* A document type. */
struct ma_type {
	const char *name;	 /* "Book" */
	const char *collection;	 /* NULL: name, as MongoAlchemy does */
	const ma_field *fields;	 /* ends with MA_FIELDS_END */
	const ma_index *indexes; /* NULL, or ends with MA_INDEXES_END */
	const struct ma_query_extension *extensions;
};

/* --- declaring fields ---------------------------------------------------- */

#define MA_FIELD_(k, ...)                                                      \
	{                                                                      \
		.kind = (k), .name = __VA_ARGS__                               \
	}

/* MA_STRING("title", .max_len = 200, .regex = "[A-Z].*") */
#define MA_STRING(...) MA_FIELD_(MA_KIND_STRING, __VA_ARGS__)
/* MA_INT("year", MA_MIN(0), MA_MAX(9999)) */
#define MA_INT(...) MA_FIELD_(MA_KIND_INT, __VA_ARGS__)
/* MA_FLOAT("price", MA_FMIN(0)) */
#define MA_FLOAT(...) MA_FIELD_(MA_KIND_FLOAT, __VA_ARGS__)
#define MA_BOOL(...) MA_FIELD_(MA_KIND_BOOL, __VA_ARGS__)
#define MA_DATETIME(...) MA_FIELD_(MA_KIND_DATETIME, __VA_ARGS__)
#define MA_OBJECTID(...) MA_FIELD_(MA_KIND_OBJECTID, __VA_ARGS__)
/* MA_ANY("extra"): a dict or any other JSON value */
#define MA_ANY(...) MA_FIELD_(MA_KIND_ANY, __VA_ARGS__)
/* MA_DOCUMENT("author", &author_type) */
#define MA_DOCUMENT(n, ...)                                                    \
	MA_FIELD_(MA_KIND_DOCUMENT, (n), .type = __VA_ARGS__)
/* MA_REF("publisher", &publisher_type) */
#define MA_REF(n, ...) MA_FIELD_(MA_KIND_REF, (n), .type = __VA_ARGS__)
/* MA_LIST("tags", MA_ITEM(MA_STRING(NULL, .max_len = 30)), .max_items = 10) */
#define MA_LIST(n, ...) MA_FIELD_(MA_KIND_LIST, (n), .item = __VA_ARGS__)
#define MA_ITEM(field) (&(const ma_field)field)
/* MA_ENUM("genre", MA_VALUES("novel", "poetry")) */
#define MA_ENUM(n, ...) MA_FIELD_(MA_KIND_ENUM, (n), .values = __VA_ARGS__)
#define MA_VALUES(...) ((const char *const[]){__VA_ARGS__, NULL})

#define MA_MIN(v) .has_min = true, .min = (v)
#define MA_MAX(v) .has_max = true, .max = (v)
#define MA_FMIN(v) .has_fmin = true, .fmin = (v)
#define MA_FMAX(v) .has_fmax = true, .fmax = (v)

#define MA_FIELDS_END                                                          \
	{                                                                      \
		.kind = MA_KIND_NONE, .name = NULL                             \
	}

/* MA_INDEX("-year", "title"), MA_UNIQUE_INDEX("isbn") */
#define MA_INDEX(...)                                                          \
	{                                                                      \
		.keys = MA_VALUES(__VA_ARGS__)                                 \
	}
#define MA_UNIQUE_INDEX(...)                                                   \
	{                                                                      \
		.keys = MA_VALUES(__VA_ARGS__), .unique = true                 \
	}
#define MA_INDEXES_END                                                         \
	{                                                                      \
		.keys = NULL                                                   \
	}

/* --- using types --------------------------------------------------------- */

/* The collection a type's documents live in: collection, or else name.
 * The strings and fields below come from the type's static tables. */
const char *ma_type_collection(const ma_type *type);

/* The field called `name` (the JSON name), or NULL. */
const ma_field *ma_type_field(const ma_type *type, const char *name);

/* The name a field has in MongoDB. */
const char *ma_field_db_name(const ma_field *field);

/*
 * Checks a declaration once, for the mistakes a compiler cannot see: no
 * name, a duplicate name (JSON or database), a field called _id, a name
 * with '$' or '.', an
 * embedded type or list item missing, min above max, an empty enum, a regex
 * that does not compile, a default that its own field refuses, an index
 * naming an unknown field, a query extension without a name or function
 * or declared twice. Fails with MA_ERR_INVALID naming the type and
 * field. Embedded types are checked too.
 */
bool ma_type_check(const ma_type *type, ma_error *error);

/* --- validation problems ------------------------------------------------- */

/*
 * What is wrong with a document: one entry per problem, each with the path
 * of the field ("author.name", "tags[2]"; "" for the document itself) and a
 * message ("required", "must be an integer between 0 and 9999"). Calls that
 * validate fill one when given, and also summarize it in their ma_error.
 */
typedef struct ma_problems ma_problems;

/* At most this many problems are kept; ma_problems_truncated() tells. */
#define MA_PROBLEMS_MAX 100

ma_problems *ma_problems_new(void) MA_WARN_UNUSED_RESULT;
/* NULL is a no-op. */
void ma_problems_destroy(ma_problems *problems);
void ma_problems_clear(ma_problems *problems);
size_t ma_problems_count(const ma_problems *problems);
/* The i-th path and message, valid until the list is cleared or destroyed. */
const char *ma_problems_field(const ma_problems *problems, size_t i);
const char *ma_problems_message(const ma_problems *problems, size_t i);
/* true when more than MA_PROBLEMS_MAX problems were found. */
bool ma_problems_truncated(const ma_problems *problems);

#ifdef __cplusplus
}
#endif

#endif
