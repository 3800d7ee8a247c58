/*
 * Author and Book, declared as Flask-MongoAlchemy's docs declare them, with
 * the bounds a real catalogue would want.
 */
#include "library.h"

static const ma_field author_fields[] = {
	MA_STRING("name", .min_len = 1, .max_len = 200), MA_FIELDS_END};

const ma_type library_author_type = {
	.name = "Author",
	.fields = author_fields,
	.indexes = (const ma_index[]){MA_UNIQUE_INDEX("name"), MA_INDEXES_END},
};

/*
 * Book.query.since("2000"): the books of a year and after, newest first.
 * Flask-MongoAlchemy's custom query class, as a query extension.
 */
static bool
books_since(ma_query *q, const char *year, ma_error *e)
{
	if (year == NULL)
		year = "0";
	return ma_query_filter(q, "year", MA_OP_GTE, MA_V_TEXT(year), e) &&
	       ma_query_sort(q, "-year", e) && ma_query_sort(q, "title", e);
}

static const ma_field book_fields[] = {
	MA_STRING("title", .min_len = 1, .max_len = 500),
	MA_DOCUMENT("author", &library_author_type),
	MA_INT("year", MA_MIN(0), MA_MAX(9999)), MA_FIELDS_END};

const ma_type library_book_type = {
	.name = "Book",
	.fields = book_fields,
	.indexes = (const ma_index[]){MA_INDEX("-year", "title"),
				      MA_INDEX("author.name"), MA_INDEXES_END},
	.extensions =
		(const ma_query_extension[]){MA_EXTENSION("since", books_since),
					     MA_EXTENSIONS_END},
};

static const ma_field loan_fields[] = {
	MA_REF("book", &library_book_type), MA_DATETIME("due"),
	/* Optional in the type: the resource sets it, never the client. */
	MA_STRING("owner", .optional = true, .min_len = 1, .max_len = 256),
	MA_FIELDS_END};

const ma_type library_loan_type = {
	.name = "Loan",
	.fields = loan_fields,
	.indexes = (const ma_index[]){MA_INDEX("owner", "due"), MA_INDEXES_END},
};

/* A reader's review of a book: GET /reviews?embed=book shows the book. */
static const ma_field review_fields[] = {MA_REF("book", &library_book_type),
					 MA_INT("rating", MA_MIN(1), MA_MAX(5)),
					 MA_STRING("text", .max_len = 2000),
					 MA_FIELDS_END};

const ma_type library_review_type = {
	.name = "Review",
	.fields = review_fields,
	.indexes = (const ma_index[]){MA_INDEX("book"), MA_INDEXES_END},
};
