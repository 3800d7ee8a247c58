/*
 * Author and Book, declared as Flask-MongoAlchemy's docs declare them, with
 * the bounds a real catalogue would want.
 */
#include "library.h"

static const ma_field author_fields[] = {
	MA_STRING("name", .min_len = 1, .max_len = 200),
	MA_FIELDS_END
};

const ma_type library_author_type = {
	.name = "Author",
	.fields = author_fields,
	.indexes = (const ma_index[]){
		MA_INDEX("name"),
		MA_INDEXES_END
	},
};

static const ma_field book_fields[] = {
	MA_STRING("title", .min_len = 1, .max_len = 500),
	MA_DOCUMENT("author", &library_author_type),
	MA_INT("year", MA_MIN(0), MA_MAX(9999)),
	MA_FIELDS_END
};

const ma_type library_book_type = {
	.name = "Book",
	.fields = book_fields,
	.indexes = (const ma_index[]){
		MA_INDEX("-year", "title"),
		MA_INDEX("author.name"),
		MA_INDEXES_END
	},
};
