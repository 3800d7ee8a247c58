/*
 * The document types of the conversion cases in tests/cases/documents/.
 * Each case folder names one of them in its file `type`. Together they use
 * every field kind and every field option:
 *
 *   Author    one bounded string (embedded and listed by the others)
 *   Book      the library's Book: a required string, document and int
 *   Kinds     one optional field of every kind, without bounds
 *   Bounds    strings, ints, floats and lists with every kind of bound
 *   Options   required, optional, nullable, defaults and db_name
 *   Nullable  nullable fields, required and optional
 *   Inner     an embedded type with a renamed field
 *   Nested    documents, lists of documents and lists, dicts, refs
 *
 * Include it once: the types are static, for this test program only.
 */
#ifndef CASE_TYPES_H
#define CASE_TYPES_H

#include <string.h>

#include <mongoalchemy.h>

static const ma_field case_author_fields[] = {
	MA_STRING("name", .min_len = 1, .max_len = 200), MA_FIELDS_END};

static const ma_type case_author_type = {
	.name = "Author",
	.fields = case_author_fields,
};

static const ma_field case_book_fields[] = {
	MA_STRING("title", .min_len = 1, .max_len = 200),
	MA_DOCUMENT("author", &case_author_type),
	MA_INT("year", MA_MIN(0), MA_MAX(9999)), MA_FIELDS_END};

static const ma_type case_book_type = {
	.name = "Book",
	.fields = case_book_fields,
};

static const ma_field case_kinds_fields[] = {
	MA_STRING("s", .optional = true),
	MA_INT("i", .optional = true),
	MA_FLOAT("f", .optional = true),
	MA_BOOL("b", .optional = true),
	MA_DATETIME("d", .optional = true),
	MA_OBJECTID("o", .optional = true),
	MA_DOCUMENT("doc", &case_author_type, .optional = true),
	MA_LIST("list", MA_ITEM(MA_INT(NULL)), .optional = true),
	MA_ANY("any", .optional = true),
	MA_ENUM("genre", MA_VALUES("novel", "poetry", "essay"),
		.optional = true),
	MA_REF("ref", &case_book_type, .optional = true),
	MA_FIELDS_END};

static const ma_type case_kinds_type = {
	.name = "Kinds",
	.fields = case_kinds_fields,
};

static const ma_field case_bounds_fields[] = {
	MA_STRING("name", .min_len = 2, .max_len = 5, .optional = true),
	MA_STRING("nick", .max_len = 3, .optional = true),
	MA_STRING("note", .min_len = 1, .optional = true),
	MA_STRING("code", .regex = "[A-Z]{3}[0-9]*", .optional = true),
	MA_INT("year", MA_MIN(0), MA_MAX(9999), .optional = true),
	MA_INT("floor", MA_MIN(-5), .optional = true),
	MA_INT("ceiling", MA_MAX(10), .optional = true),
	MA_FLOAT("ratio", MA_FMIN(0), MA_FMAX(1.5), .optional = true),
	MA_FLOAT("weight", MA_FMIN(0), .optional = true),
	MA_FLOAT("share", MA_FMAX(1.5), .optional = true),
	MA_LIST("tags", MA_ITEM(MA_STRING(NULL, .max_len = 3)), .min_items = 1,
		.max_items = 3, .optional = true),
	MA_LIST("few", MA_ITEM(MA_BOOL(NULL)), .max_items = 2,
		.optional = true),
	MA_LIST("some", MA_ITEM(MA_FLOAT(NULL)), .min_items = 1,
		.optional = true),
	MA_FIELDS_END};

static const ma_type case_bounds_type = {
	.name = "Bounds",
	.fields = case_bounds_fields,
};

static const ma_field case_options_fields[] = {
	MA_STRING("req"),
	MA_STRING("opt", .optional = true),
	MA_STRING("maybe", .optional = true, .nullable = true),
	MA_INT("count", .default_json = "7"),
	MA_ENUM("status", MA_VALUES("draft", "published"),
		.default_json = "\"draft\""),
	MA_LIST("labels", MA_ITEM(MA_STRING(NULL)), .default_json = "[]"),
	MA_STRING("renamed", .db_name = "rn", .optional = true),
	MA_DATETIME("since", .db_name = "s",
		    .default_json = "\"2000-01-01T00:00:00Z\""),
	MA_FIELDS_END};

static const ma_type case_options_type = {
	.name = "Options",
	.fields = case_options_fields,
};

static const ma_field case_nullable_fields[] = {
	MA_INT("n", .nullable = true),
	MA_DATETIME("when", .optional = true, .nullable = true),
	MA_DOCUMENT("who", &case_author_type, .optional = true,
		    .nullable = true),
	MA_LIST("tags", MA_ITEM(MA_STRING(NULL)), .optional = true,
		.nullable = true),
	MA_OBJECTID("oid", .optional = true, .nullable = true),
	MA_ANY("extra", .optional = true, .nullable = true),
	MA_FIELDS_END};

static const ma_type case_nullable_type = {
	.name = "Nullable",
	.fields = case_nullable_fields,
};

static const ma_field case_inner_fields[] = {
	MA_STRING("label", .db_name = "lbl"),
	MA_INT("rank", MA_MIN(1), .optional = true), MA_FIELDS_END};

static const ma_type case_inner_type = {
	.name = "Inner",
	.fields = case_inner_fields,
};

static const ma_field case_nested_fields[] = {
	MA_DOCUMENT("author", &case_author_type, .optional = true),
	MA_LIST("authors", MA_ITEM(MA_DOCUMENT(NULL, &case_author_type)),
		.optional = true),
	MA_LIST("matrix",
		MA_ITEM(MA_LIST(NULL, MA_ITEM(MA_INT(NULL)), .max_items = 2)),
		.optional = true),
	MA_DOCUMENT("inner", &case_inner_type, .db_name = "in",
		    .optional = true),
	MA_ANY("extra", .optional = true),
	MA_LIST("refs", MA_ITEM(MA_REF(NULL, &case_book_type)),
		.optional = true),
	MA_LIST("dates", MA_ITEM(MA_DATETIME(NULL)), .optional = true),
	MA_FIELDS_END};

static const ma_type case_nested_type = {
	.name = "Nested",
	.fields = case_nested_fields,
};

/* The type called name, or NULL. */
static inline const ma_type *
case_type(const char *name)
{
	static const ma_type *const types[] = {
		&case_author_type, &case_book_type,    &case_kinds_type,
		&case_bounds_type, &case_options_type, &case_nullable_type,
		&case_inner_type,  &case_nested_type,
	};
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcmp(types[i]->name, name) == 0)
			return types[i];
	}
	return NULL;
}

#endif
