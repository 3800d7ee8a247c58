/*
 * A type for dotted paths and lists, shared by the list grammar's tests
 * (test_params), the queries against a server (test_queries_live) and the
 * query-string fuzz target (fuzz_qs): a Copy of a book on a Shelf of a
 * Branch, so embedded documents three deep (room is stored as "r"), lists
 * of strings, of numbers and of documents, and a reference.
 *
 * Include it once: the types are static, for this program only.
 */
#ifndef PATH_TYPES_H
#define PATH_TYPES_H

#include <mongoalchemy.h>

#include "library.h"

static const ma_field shelf_fields[] = {MA_STRING("room", .db_name = "r"),
					MA_INT("row"), MA_FIELDS_END};
static const ma_type shelf_type = {.name = "Shelf", .fields = shelf_fields};

static const ma_field branch_fields[] = {
	MA_STRING("city"), MA_DOCUMENT("shelf", &shelf_type), MA_FIELDS_END};
static const ma_type branch_type = {.name = "Branch", .fields = branch_fields};

static const ma_field copy_fields[] = {
	MA_STRING("title"),
	/* short tags: a filter may still ask for a longer one */
	MA_LIST("tags", MA_ITEM(MA_STRING(NULL, .max_len = 5)),
		.optional = true),
	MA_LIST("counts", MA_ITEM(MA_INT(NULL))),
	MA_LIST("moves", MA_ITEM(MA_DOCUMENT(NULL, &shelf_type))),
	MA_DOCUMENT("branch", &branch_type),
	MA_REF("book", &library_book_type, .optional = true), MA_FIELDS_END};
static const ma_type copy_type = {.name = "Copy", .fields = copy_fields};

#endif
