/*
 * Type declarations: the macros, lookups, the declaration check, and the
 * problem list.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "library.h"
#include "config/config-private.h"
#include "query/query-private.h"

static const ma_field note_fields[] = {
	MA_STRING("text", .db_name = "t", .max_len = 10),
	MA_INT("stars", MA_MIN(1), MA_MAX(5), .optional = true),
	MA_LIST("tags", MA_ITEM(MA_STRING(NULL, .max_len = 8)), .max_items = 3,
		.default_json = "[]"),
	MA_ENUM("state", MA_VALUES("draft", "published"),
		.default_json = "\"draft\""),
	MA_FIELDS_END};

static const ma_type note_type = {.name = "Note", .fields = note_fields};

Test(schema, macros_read_like_the_declaration)
{
	const ma_field *f = ma_type_field(&library_book_type, "year");

	cr_assert_not_null(f);
	cr_assert_eq(f->kind, MA_KIND_INT);
	cr_assert(f->has_min && f->has_max);
	cr_assert_eq(f->min, 0);
	cr_assert_eq(f->max, 9999);
	cr_assert_not(f->optional, "fields are required by default");
	f = ma_type_field(&library_book_type, "author");
	cr_assert_eq(f->kind, MA_KIND_DOCUMENT);
	cr_assert_eq(f->type, &library_author_type);
	f = ma_type_field(&note_type, "tags");
	cr_assert_eq(f->kind, MA_KIND_LIST);
	cr_assert_eq(f->item->kind, MA_KIND_STRING);
	cr_assert_eq(f->item->max_len, 8);
	cr_assert_eq(f->max_items, 3);
	f = ma_type_field(&note_type, "state");
	cr_assert_str_eq(f->values[1], "published");
	cr_assert_null(f->values[2]);
}

Test(schema, collection_defaults_to_the_type_name)
{
	ma_type named = {
		.name = "Book", .collection = "books", .fields = note_fields};

	cr_assert_str_eq(ma_type_collection(&library_book_type), "Book");
	cr_assert_str_eq(ma_type_collection(&named), "books");
}

Test(schema, lookups_by_json_and_database_name)
{
	const ma_field *f = ma_type_field(&note_type, "text");
	size_t hint = 0;

	cr_assert_str_eq(ma_field_db_name(f), "t");
	cr_assert_null(ma_type_field(&note_type, "t"));
	cr_assert_null(ma_type_field(&note_type, "nope"));
	cr_assert_eq(_ma_type_field_by_db_name(&note_type, "t", 1, &hint), f);
	cr_assert_eq(hint, 1);
	cr_assert_null(_ma_type_field_by_db_name(&note_type, "text", 4, NULL));
	/* The hint is only a guess: any order is found. */
	cr_assert_eq(_ma_type_field_by_db_name(&note_type, "state", 5, &hint),
		     ma_type_field(&note_type, "state"));
	cr_assert_eq(_ma_type_field_by_db_name(&note_type, "t", 1, &hint), f);
	/* A prefix of a name is not the name. */
	cr_assert_null(_ma_type_field_by_db_name(&note_type, "stat", 4, NULL));
}

Test(schema, good_declarations_pass_the_check)
{
	ma_error e;

	cr_assert(ma_type_check(&library_book_type, &e), "%s", e.message);
	cr_assert(ma_type_check(&library_author_type, &e), "%s", e.message);
	cr_assert(ma_type_check(&note_type, &e), "%s", e.message);
	cr_assert_eq(e.code, MA_OK);
}

/* A type that embeds itself: a tree of comments. */
extern const ma_type comment_type;
static const ma_field comment_fields[] = {
	MA_STRING("text"),
	MA_LIST("replies", MA_ITEM(MA_DOCUMENT(NULL, &comment_type)),
		.optional = true),
	MA_FIELDS_END};
const ma_type comment_type = {.name = "Comment", .fields = comment_fields};

Test(schema, a_type_may_embed_itself)
{
	ma_error e;

	cr_assert(ma_type_check(&comment_type, &e), "%s", e.message);
}

static void
check_refused(const ma_field *fields, const char *expected)
{
	ma_type t = {.name = "T", .fields = fields};
	ma_error e;

	cr_assert_not(ma_type_check(&t, &e), "accepted, expected: %s",
		      expected);
	cr_assert_eq(e.code, MA_ERR_INVALID);
	cr_assert_str_eq(e.message, expected);
}

Test(schema, mistakes_in_declarations_are_named)
{
	check_refused((const ma_field[]){MA_INT("a", MA_MIN(5), MA_MAX(1)),
					 MA_FIELDS_END},
		      "T.a: the minimum is above the maximum");
	check_refused(
		(const ma_field[]){MA_STRING("a", .min_len = 5, .max_len = 1),
				   MA_FIELDS_END},
		"T.a: the minimum is above the maximum");
	check_refused(
		(const ma_field[]){MA_STRING("a"), MA_INT("a"), MA_FIELDS_END},
		"T.a: the name is used twice");
	check_refused((const ma_field[]){MA_STRING("a"),
					 MA_INT("b", .db_name = "a"),
					 MA_FIELDS_END},
		      "T.b: the name is used twice");
	check_refused((const ma_field[]){MA_STRING("$a"), MA_FIELDS_END},
		      "T: field 0 has no usable name (empty, _id, or with '$' "
		      "or '.')");
	check_refused((const ma_field[]){MA_STRING("a", .db_name = "x.y"),
					 MA_FIELDS_END},
		      "T: field 0 has no usable name (empty, _id, or with '$' "
		      "or '.')");
	check_refused((const ma_field[]){MA_STRING("_id"), MA_FIELDS_END},
		      "T: field 0 has no usable name (empty, _id, or with '$' "
		      "or '.')");
	check_refused((const ma_field[]){MA_DOCUMENT("a", NULL), MA_FIELDS_END},
		      "T.a: no type given");
	check_refused((const ma_field[]){MA_LIST("a", NULL), MA_FIELDS_END},
		      "T.a: a list needs an item");
	check_refused((const ma_field[]){MA_ENUM("a", MA_VALUES(NULL)),
					 MA_FIELDS_END},
		      "T.a: an enum needs values");
	check_refused((const ma_field[]){MA_STRING("a", .regex = "(unclosed"),
					 MA_FIELDS_END},
		      "T.a: the regex does not compile: (unclosed");
	check_refused(
		(const ma_field[]){MA_INT("a", MA_MAX(9), .default_json = "10"),
				   MA_FIELDS_END},
		"T.a: the default 10 must be an integer of at most 9");
	check_refused((const ma_field[]){MA_INT("a", .default_json = "ten"),
					 MA_FIELDS_END},
		      "T.a: the default is not JSON: ten");
	/* Defaults are read as strictly as input: json-c alone takes NaN. */
	check_refused((const ma_field[]){MA_FLOAT("a", .default_json = "NaN"),
					 MA_FIELDS_END},
		      "T.a: the default is not JSON: NaN");
}

Test(schema, index_keys_must_be_fields)
{
	ma_type t = {.name = "T",
		     .fields = note_fields,
		     .indexes = (const ma_index[]){MA_INDEX("-text", "nope"),
						   MA_INDEXES_END}};
	ma_type ok = {.name = "T",
		      .fields = library_book_type.fields,
		      .indexes = (const ma_index[]){
			      MA_UNIQUE_INDEX("author.name"), MA_INDEX("-_id"),
			      MA_INDEXES_END}};
	ma_error e;

	cr_assert_not(ma_type_check(&t, &e));
	cr_assert_str_eq(e.message, "T: index key nope is not a field");
	cr_assert(ma_type_check(&ok, &e), "%s", e.message);
	t.indexes = (const ma_index[]){MA_INDEX("text.deeper"), MA_INDEXES_END};
	cr_assert_not(ma_type_check(&t, &e));
	cr_assert_str_eq(e.message, "T: index key text.deeper is not a field");
}

Test(schema, embedded_types_are_checked_too)
{
	static const ma_field bad_inner[] = {MA_INT("n", MA_MIN(2), MA_MAX(1)),
					     MA_FIELDS_END};
	static const ma_type inner = {.name = "Inner", .fields = bad_inner};
	ma_type outer = {.name = "Outer",
			 .fields = (const ma_field[]){MA_DOCUMENT("in", &inner),
						      MA_FIELDS_END}};
	ma_error e;

	cr_assert_not(ma_type_check(&outer, &e));
	cr_assert_str_eq(e.message,
			 "Inner.n: the minimum is above the maximum");
}

Test(problems, keep_path_and_message_in_order)
{
	ma_problems *p = ma_problems_new();
	ma_walk w;
	size_t mark, inner;

	_ma_walk_init(&w, p);
	mark = _ma_walk_push_key(&w, "author", 6);
	inner = _ma_walk_push_key(&w, "name", 4);
	_ma_walk_problem(&w, "required");
	_ma_walk_pop(&w, inner);
	_ma_walk_pop(&w, mark);
	mark = _ma_walk_push_key(&w, "tags", 4);
	inner = _ma_walk_push_index(&w, 2);
	_ma_walk_expect(&w, ma_type_field(&note_type, "tags")->item);
	_ma_walk_pop(&w, inner);
	_ma_walk_pop(&w, mark);
	_ma_walk_problem(&w, "duplicate key \"%s\"", "x");

	cr_assert_eq(ma_problems_count(p), 3);
	cr_assert_str_eq(ma_problems_field(p, 0), "author.name");
	cr_assert_str_eq(ma_problems_message(p, 0), "required");
	cr_assert_str_eq(ma_problems_field(p, 1), "tags[2]");
	cr_assert_str_eq(ma_problems_message(p, 1),
			 "must be a string of at most 8 characters");
	cr_assert_str_eq(ma_problems_field(p, 2), "");
	cr_assert_null(ma_problems_field(p, 3));
	cr_assert_not(ma_problems_truncated(p));
	_ma_walk_destroy(&w);
	ma_problems_destroy(p);
}

Test(problems, are_bounded)
{
	ma_problems *p = ma_problems_new();
	ma_walk w;
	int i;

	_ma_walk_init(&w, p);
	for (i = 0; i < MA_PROBLEMS_MAX + 50; i++)
		_ma_walk_problem(&w, "problem %d", i);
	cr_assert_eq(ma_problems_count(p), MA_PROBLEMS_MAX);
	cr_assert(ma_problems_truncated(p));
	cr_assert_str_eq(ma_problems_message(p, MA_PROBLEMS_MAX - 1),
			 "problem 99");
	ma_problems_clear(p);
	cr_assert_eq(ma_problems_count(p), 0);
	cr_assert_not(ma_problems_truncated(p));
	_ma_walk_destroy(&w);
	ma_problems_destroy(p);
	ma_problems_destroy(NULL);
}

Test(problems, summary_names_the_type_and_every_problem)
{
	ma_problems *p = ma_problems_new();
	ma_walk w;
	ma_error e;
	size_t mark;

	_ma_walk_init(&w, p);
	_ma_walk_problem(&w, "duplicate key \"a\"");
	mark = _ma_walk_push_key(&w, "year", 4);
	_ma_walk_expect(&w, ma_type_field(&library_book_type, "year"));
	_ma_walk_pop(&w, mark);
	_ma_error_from_problems(&e, &library_book_type, p);
	cr_assert_eq(e.code, MA_ERR_VALIDATION);
	cr_assert_str_eq(e.message,
			 "invalid Book: duplicate key \"a\"; year: must "
			 "be an integer between 0 and 9999");
	_ma_walk_destroy(&w);
	ma_problems_destroy(p);
}

/* At file scope: MA_ITEM() takes the address of a compound literal. */
static const struct {
	ma_field field;
	const char *message;
} expect_cases[] = {
	{MA_STRING("s"), "must be a string"},
	{MA_STRING("s", .min_len = 1),
	 "must be a string of at least 1 characters"},
	{MA_INT("i"), "must be an integer"},
	{MA_INT("i", MA_MIN(-5)), "must be an integer of at least -5"},
	{MA_INT("i", MA_MAX(INT64_MAX)),
	 "must be an integer of at most 9223372036854775807"},
	{MA_FLOAT("f"), "must be a number"},
	{MA_FLOAT("f", MA_FMIN(0), MA_FMAX(1.5)),
	 "must be a number between 0 and 1.5"},
	{MA_BOOL("b"), "must be true or false"},
	{MA_DATETIME("d"), "must be a date and time in ISO 8601, such as "
			   "2004-07-01T12:00:00Z"},
	{MA_OBJECTID("o"), "must be an ObjectId of 24 hexadecimal digits"},
	{MA_REF("r", &library_author_type),
	 "must be an ObjectId of 24 hexadecimal digits"},
	{MA_DOCUMENT("a", &library_author_type), "must be an object"},
	{MA_LIST("l", MA_ITEM(MA_INT(NULL)), .min_items = 1, .max_items = 10),
	 "must be a list of 1 to 10 items"},
	{MA_ENUM("e", MA_VALUES("novel", "poetry", "essay")),
	 "must be one of: novel, poetry, essay"},
};

Test(problems, expectations_of_every_kind)
{
	ma_problems *p = ma_problems_new();
	ma_walk w;
	size_t i;

	_ma_walk_init(&w, p);
	for (i = 0; i < sizeof(expect_cases) / sizeof(expect_cases[0]); i++)
		_ma_walk_expect(&w, &expect_cases[i].field);
	for (i = 0; i < sizeof(expect_cases) / sizeof(expect_cases[0]); i++)
		cr_expect_str_eq(ma_problems_message(p, i),
				 expect_cases[i].message);
	_ma_walk_destroy(&w);
	ma_problems_destroy(p);
}

static const ma_field shelf_fields[] = {
	MA_DOCUMENT("book", &library_book_type, .db_name = "b"),
	MA_INT("row", .db_name = "r"), MA_FIELDS_END};

static const ma_type shelf_type = {.name = "Shelf", .fields = shelf_fields};

Test(schema, paths_map_json_names_to_database_names)
{
	const ma_field *last = NULL;
	ma_buf db;

	_ma_buf_init(&db, 4);
	cr_assert(_ma_type_path(&shelf_type, "book.author.name", &db, &last));
	cr_assert_str_eq(db.data, "b.author.name");
	cr_assert_eq(last, ma_type_field(&library_author_type, "name"));

	/* Unknown parts pass through as given, and the path is not known. */
	db.len = 0;
	cr_assert_not(_ma_type_path(&shelf_type, "book.isbn", &db, &last));
	cr_assert_str_eq(db.data, "b.isbn");
	cr_assert_null(last);
	db.len = 0;
	cr_assert_not(_ma_type_path(&shelf_type, "row.x", &db, &last));
	cr_assert_str_eq(db.data, "r.x", "a part under a non-document");
	cr_assert_null(last);
	db.len = 0;
	cr_assert(_ma_type_path(&shelf_type, "row", &db, NULL));
	cr_assert_str_eq(db.data, "r");
	cr_assert_not(_ma_type_path(&shelf_type, "ro", NULL, NULL),
		      "a prefix of a name is not the name");
	_ma_buf_destroy(&db);
}

/* A cart holds lines, each a document: "lines.sku" is any line's sku. */
static const ma_field cart_line_fields[] = {MA_STRING("sku", .db_name = "s"),
					    MA_FIELDS_END};
static const ma_type cart_line_type = {.name = "Line",
				       .fields = cart_line_fields};
static const ma_field cart_fields[] = {
	MA_LIST("lines", MA_ITEM(MA_DOCUMENT(NULL, &cart_line_type)),
		.db_name = "l"),
	MA_LIST("tags", MA_ITEM(MA_STRING(NULL))), MA_FIELDS_END};
static const ma_type cart_type = {.name = "Cart", .fields = cart_fields};

Test(schema, paths_reach_into_lists_of_documents)
{
	const ma_field *last = NULL;
	ma_buf db;

	_ma_buf_init(&db, 4);
	cr_assert(_ma_type_path(&cart_type, "lines.sku", &db, &last));
	cr_assert_str_eq(db.data, "l.s");
	cr_assert_eq(last, &cart_line_fields[0]);
	db.len = 0;
	cr_assert_not(_ma_type_path(&cart_type, "tags.x", &db, &last),
		      "the items of a list of strings have no fields");
	_ma_buf_destroy(&db);
}

static bool
no_op(ma_query *q, const char *arg, ma_error *e)
{
	(void)arg;
	return ma_query_ok(q, e);
}

Test(schema, query_extensions_are_checked)
{
	ma_type t = {.name = "T", .fields = note_fields};
	ma_error e;

	t.extensions = (const ma_query_extension[]){MA_EXTENSION("a", no_op),
						    MA_EXTENSION("a", no_op),
						    MA_EXTENSIONS_END};
	cr_assert_not(ma_type_check(&t, &e));
	cr_assert_str_eq(e.message, "T: query extension a is declared twice");

	t.extensions = (const ma_query_extension[]){MA_EXTENSION("b", NULL),
						    MA_EXTENSIONS_END};
	cr_assert_not(ma_type_check(&t, &e));
	cr_assert_str_eq(e.message,
			 "T: query extension 0 needs a name and a function");

	t.extensions = (const ma_query_extension[]){MA_EXTENSION("", no_op),
						    MA_EXTENSIONS_END};
	cr_assert_not(ma_type_check(&t, &e));
	cr_assert_str_eq(e.message,
			 "T: query extension 0 needs a name and a function");

	cr_assert(ma_type_check(&library_book_type, &e), "%s", e.message);
	cr_assert_not_null(ma_type_extension(&library_book_type, "since"));
}
