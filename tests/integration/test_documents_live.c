/*
 * Documents against a real MongoDB-protocol server: Flask-MongoAlchemy's
 * save() and remove(), ids and equality, unique indexes and when they are
 * created, documents written by someone else, JSON through the server,
 * refs, and a server that is not there.
 *
 * Every test keeps its documents in collections of its own (a copy of the
 * type with a unique collection name), so that tests run in parallel and
 * again without seeing each other's data, and drops them at the end.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "library.h"
#include "live.h"
#include "config/config-private.h"
#include "query/query-private.h"

/* --- test-local types ------------------------------------------------- */

/*
 * The collection of each of these is NULL: a test gives its copy one of
 * its own (live_type_new).
 */

/* A catalogue entry whose ISBN no two documents may share. */
static const ma_field isbn_book_fields[] = {MA_STRING("title", .min_len = 1),
					    MA_STRING("isbn", .min_len = 1),
					    MA_FIELDS_END};

static const ma_type isbn_book_type = {
	.name = "IsbnBook",
	.fields = isbn_book_fields,
	.indexes = (const ma_index[]){MA_UNIQUE_INDEX("isbn"), MA_INDEXES_END},
};

/* MongoAlchemy's RefField: an edition points to its publisher. */
static const ma_field publisher_fields[] = {MA_STRING("name", .min_len = 1),
					    MA_FIELDS_END};

static const ma_type publisher_type = {
	.name = "Publisher",
	.fields = publisher_fields,
};

static const ma_field edition_fields[] = {MA_STRING("title", .min_len = 1),
					  MA_REF("publisher", &publisher_type),
					  MA_FIELDS_END};

static const ma_type edition_type = {
	.name = "Edition",
	.fields = edition_fields,
};

/* An order line has a default quantity; a cart holds lines. */
static const ma_field line_fields[] = {
	MA_STRING("sku"), MA_INT("qty", MA_MIN(1), .default_json = "1"),
	MA_FIELDS_END};

static const ma_type line_type = {.name = "Line", .fields = line_fields};

static const ma_field cart_fields[] = {
	MA_DOCUMENT("first", &line_type),
	MA_LIST("lines", MA_ITEM(MA_DOCUMENT(NULL, &line_type))),
	MA_STRING("state", .default_json = "\"open\""), MA_FIELDS_END};

static const ma_type cart_type = {.name = "Cart", .fields = cart_fields};

/* --- helpers ------------------------------------------------------------ */

/*
 * A copy of a static type that lives in a collection of this test alone,
 * declared to db. A type's collection is part of its static declaration,
 * so sharing library_book_type would make parallel tests (and runs) see
 * each other's documents.
 */
typedef struct live_type {
	ma_type type;
	char *collection;
	ma_field *fields; /* a copy of base's table, or NULL */
} live_type;

/*
 * field, when not NULL, names a document or ref field of base that should
 * point at target (another live type) instead: documents embedded or
 * referenced by this test's types then stay among this test's types.
 */
static live_type *
live_type_new(ma_db *db, const ma_type *base, const char *field,
	      const ma_type *target)
{
	live_type *lt = bson_malloc0(sizeof(*lt));
	size_t n = 0, i;
	bool found = false;
	ma_error e;

	lt->type = *base;
	lt->collection = live_unique_name(base->name);
	lt->type.collection = lt->collection;
	if (field != NULL) {
		while (base->fields[n].kind != MA_KIND_NONE)
			n++;
		lt->fields = bson_malloc((n + 1) * sizeof(*lt->fields));
		memcpy(lt->fields, base->fields, (n + 1) * sizeof(*lt->fields));
		for (i = 0; i < n; i++) {
			if (strcmp(lt->fields[i].name, field) == 0) {
				lt->fields[i].type = target;
				found = true;
			}
		}
		cr_assert(found, "%s has no field %s", base->name, field);
		lt->type.fields = lt->fields;
	}
	cr_assert(ma_db_add_type(db, &lt->type, &e), "declaring %s: %s",
		  base->name, e.message);
	return lt;
}

/* Frees lt without touching the server (a forked child, no server). */
static void
live_type_free(live_type *lt)
{
	bson_free(lt->fields);
	bson_free(lt->collection);
	bson_free(lt);
}

static mongoc_collection_t *
live_coll(ma_db *db, const live_type *lt)
{
	mongoc_collection_t *coll;
	ma_error e;

	coll = ma_db_collection(db, lt->collection, &e);
	cr_assert_not_null(coll, "%s: %s", lt->collection, e.message);
	return coll;
}

/* Drops lt's collection and frees lt. */
static void
live_type_drop(ma_db *db, live_type *lt)
{
	mongoc_collection_t *coll = live_coll(db, lt);

	/* The error is ignored: a test may never have created it. */
	mongoc_collection_drop(coll, NULL);
	mongoc_collection_destroy(coll);
	live_type_free(lt);
}

/* How many documents lt's collection holds, counted by the server. */
static int64_t
count_docs(ma_db *db, const live_type *lt)
{
	mongoc_collection_t *coll = live_coll(db, lt);
	bson_t filter = BSON_INITIALIZER;
	bson_error_t berr;
	int64_t n;

	n = mongoc_collection_count_documents(coll, &filter, NULL, NULL, NULL,
					      &berr);
	cr_assert_geq(n, 0, "count in %s: %s", lt->collection, berr.message);
	bson_destroy(&filter);
	mongoc_collection_destroy(coll);
	return n;
}

/*
 * The stored document with id, read with the driver, not the library:
 * into out (always initialized). false when there is none.
 */
static bool
find_raw(ma_db *db, const live_type *lt, const bson_oid_t *id, bson_t *out)
{
	mongoc_collection_t *coll = live_coll(db, lt);
	mongoc_cursor_t *cur;
	const bson_t *found;
	bson_error_t berr;
	bson_t *filter;
	int n = 0;

	bson_init(out);
	filter = BCON_NEW("_id", BCON_OID(id));
	cur = mongoc_collection_find_with_opts(coll, filter, NULL, NULL);
	while (mongoc_cursor_next(cur, &found)) {
		n++;
		bson_destroy(out);
		bson_copy_to(found, out);
	}
	cr_assert_not(mongoc_cursor_error(cur, &berr), "find in %s: %s",
		      lt->collection, berr.message);
	cr_assert_leq(n, 1, "%d documents with one _id", n);
	mongoc_cursor_destroy(cur);
	bson_destroy(filter);
	mongoc_collection_destroy(coll);
	return n == 1;
}

/*
 * Whether lt's collection has the index called name, as listIndexes
 * says; *unique gets its unique flag.
 */
static bool
index_exists(ma_db *db, const live_type *lt, const char *name, bool *unique)
{
	mongoc_collection_t *coll = live_coll(db, lt);
	mongoc_cursor_t *cur;
	const bson_t *spec;
	bson_error_t berr;
	bson_iter_t it;
	bool found = false;

	*unique = false;
	cur = mongoc_collection_find_indexes_with_opts(coll, NULL);
	while (mongoc_cursor_next(cur, &spec)) {
		if (!bson_iter_init_find(&it, spec, "name") ||
		    !BSON_ITER_HOLDS_UTF8(&it) ||
		    strcmp(bson_iter_utf8(&it, NULL), name) != 0)
			continue;
		found = true;
		*unique = bson_iter_init_find(&it, spec, "unique") &&
			  bson_iter_as_bool(&it);
	}
	cr_assert_not(mongoc_cursor_error(cur, &berr), "listIndexes on %s: %s",
		      lt->collection, berr.message);
	mongoc_cursor_destroy(cur);
	mongoc_collection_destroy(coll);
	return found;
}

/* A Book of type books, built with the setters as an application would. */
static ma_doc *
book_new(const live_type *books, const char *title, const char *author,
	 int64_t year)
{
	const ma_field *af = ma_type_field(&books->type, "author");
	ma_doc *book, *writer;
	ma_error e;

	cr_assert_not_null(af);
	book = ma_doc_new(&books->type);
	writer = ma_doc_new(af->type);
	cr_assert(ma_doc_set_string(writer, "name", author, &e), "%s",
		  e.message);
	cr_assert(ma_doc_set_string(book, "title", title, &e), "%s", e.message);
	cr_assert(ma_doc_set_doc(book, "author", writer, &e), "%s", e.message);
	cr_assert(ma_doc_set_int(book, "year", year, &e), "%s", e.message);
	ma_doc_destroy(writer);
	return book;
}

/* An IsbnBook, without assertions: also used in a forked child. */
static ma_doc *
isbn_book_new(const live_type *lt, const char *title, const char *isbn)
{
	ma_doc *doc = ma_doc_new(&lt->type);

	if (!ma_doc_set_string(doc, "title", title, NULL) ||
	    !ma_doc_set_string(doc, "isbn", isbn, NULL)) {
		ma_doc_destroy(doc);
		return NULL;
	}
	return doc;
}

static void
save_ok(ma_db *db, ma_doc *doc, ma_safe safe)
{
	ma_problems *problems = ma_problems_new();
	ma_error e;

	cr_assert(ma_doc_save(db, doc, safe, problems, &e), "save %s: %s (%s)",
		  ma_doc_type(doc)->name, e.message, ma_strerror(e.code));
	cr_assert_eq(e.code, MA_OK);
	cr_assert_eq(ma_problems_count(problems), 0);
	ma_problems_destroy(problems);
}

/* The index of the problem at field, or -1. */
static long
problem_at(const ma_problems *problems, const char *field)
{
	size_t i;

	for (i = 0; i < ma_problems_count(problems); i++) {
		if (strcmp(ma_problems_field(problems, i), field) == 0)
			return (long)i;
	}
	return -1;
}

/* --- Flask-MongoAlchemy's own example ---------------------------------- */

/*
 * The session of Flask-MongoAlchemy's documentation: Mark Pilgrim writes
 * Dive Into Python, both are saved, Mark is renamed and saved again (an
 * update, not a second author), and the book is removed.
 */
Test(documents_live, documented_save_update_and_remove)
{
	ma_db *db = live_db();
	live_type *authors =
		live_type_new(db, &library_author_type, NULL, NULL);
	/* Book's author field embeds this test's Author, so that mark
	 * himself can be set on the book, as in the documentation. */
	live_type *books =
		live_type_new(db, &library_book_type, "author", &authors->type);
	ma_doc *mark, *dive;
	bson_oid_t mark_id, dive_id, id_again;
	bson_t stored;
	bson_iter_t it;
	const char *name;
	ma_error e;

	mark = ma_doc_new(&authors->type);
	cr_assert(ma_doc_set_string(mark, "name", "Mark Pilgrim", &e), "%s",
		  e.message);
	dive = ma_doc_new(&books->type);
	cr_assert(ma_doc_set_string(dive, "title", "Dive Into Python", &e),
		  "%s", e.message);
	cr_assert(ma_doc_set_doc(dive, "author", mark, &e), "%s", e.message);
	cr_assert(ma_doc_set_int(dive, "year", 2004, &e), "%s", e.message);

	save_ok(db, mark, MA_SAFE_SESSION);
	save_ok(db, dive, MA_SAFE_SESSION);
	cr_assert(ma_doc_id(mark, &mark_id));
	cr_assert(ma_doc_id(dive, &dive_id));
	cr_assert_eq(count_docs(db, authors), 1);
	cr_assert_eq(count_docs(db, books), 1);

	cr_assert(ma_doc_set_string(mark, "name", "Mark Stalone", &e), "%s",
		  e.message);
	save_ok(db, mark, MA_SAFE_SESSION);
	cr_assert(ma_doc_id(mark, &id_again));
	cr_assert_eq(bson_oid_compare(&mark_id, &id_again), 0,
		     "a second save keeps the id");
	cr_assert_eq(count_docs(db, authors), 1,
		     "the second save added an author");
	cr_assert(find_raw(db, authors, &mark_id, &stored), "Mark is gone");
	cr_assert(bson_iter_init_find(&it, &stored, "name") &&
		  BSON_ITER_HOLDS_UTF8(&it));
	cr_assert_str_eq(bson_iter_utf8(&it, NULL), "Mark Stalone");
	bson_destroy(&stored);

	/* The book embeds a copy of Mark as he was: no reference, no update. */
	cr_assert(find_raw(db, books, &dive_id, &stored), "the book is gone");
	cr_assert(bson_iter_init(&it, &stored) &&
		  bson_iter_find_descendant(&it, "author.name", &it) &&
		  BSON_ITER_HOLDS_UTF8(&it));
	cr_assert_str_eq(bson_iter_utf8(&it, NULL), "Mark Pilgrim");
	bson_destroy(&stored);
	cr_assert(ma_doc_get_string(dive, "author.name", &name));
	cr_assert_str_eq(name, "Mark Pilgrim");

	cr_assert(ma_doc_remove(db, dive, MA_SAFE_SESSION, &e), "remove: %s",
		  e.message);
	cr_assert_eq(e.code, MA_OK);
	cr_assert_eq(count_docs(db, books), 0);
	cr_assert_eq(count_docs(db, authors), 1,
		     "removing the book removed its author");

	cr_assert_not(ma_doc_remove(db, dive, MA_SAFE_SESSION, &e),
		      "a second remove found the book");
	cr_assert_eq(e.code, MA_ERR_NOT_FOUND, "%s (%s)", e.message,
		     ma_strerror(e.code));

	ma_doc_destroy(dive);
	ma_doc_destroy(mark);
	live_type_drop(db, books);
	live_type_drop(db, authors);
	ma_db_destroy(db);
}

/* --- ids and equality --------------------------------------------------- */

Test(documents_live, first_save_generates_an_objectid_stored_as_first_key)
{
	ma_db *db = live_db();
	live_type *books = live_type_new(db, &library_book_type, NULL, NULL);
	ma_doc *dive =
		book_new(books, "Dive Into Python", "Mark Pilgrim", 2004);
	bson_oid_t id, id_again;
	bson_t stored;
	bson_iter_t it;

	cr_assert_not(ma_doc_id(dive, &id), "an unsaved document has an id");
	save_ok(db, dive, MA_SAFE_SESSION);
	cr_assert(ma_doc_id(dive, &id),
		  "save set no ObjectId _id on the document");

	cr_assert(find_raw(db, books, &id, &stored),
		  "no stored document has the new id");
	cr_assert(bson_iter_init(&it, &stored) && bson_iter_next(&it));
	cr_assert_str_eq(bson_iter_key(&it), "_id", "the first stored key");
	cr_assert(BSON_ITER_HOLDS_OID(&it),
		  "the stored _id is not an ObjectId");
	cr_assert_eq(bson_oid_compare(bson_iter_oid(&it), &id), 0);
	cr_assert(bson_iter_init_find(&it, &stored, "title") &&
		  BSON_ITER_HOLDS_UTF8(&it));
	cr_assert_str_eq(bson_iter_utf8(&it, NULL), "Dive Into Python");
	bson_destroy(&stored);

	/* Saving again replaces: same id, still one document. */
	save_ok(db, dive, MA_SAFE_SESSION);
	cr_assert(ma_doc_id(dive, &id_again));
	cr_assert_eq(bson_oid_compare(&id, &id_again), 0);
	cr_assert_eq(count_docs(db, books), 1);

	ma_doc_destroy(dive);
	live_type_drop(db, books);
	ma_db_destroy(db);
}

Test(documents_live, documents_are_equal_by_type_and_id)
{
	ma_db *db = live_db();
	live_type *books = live_type_new(db, &library_book_type, NULL, NULL);
	ma_doc *dive =
		book_new(books, "Dive Into Python", "Mark Pilgrim", 2004);
	ma_doc *other =
		book_new(books, "Dive Into Python 3", "Mark Pilgrim", 2009);
	ma_doc *twin =
		book_new(books, "Dive Into Python", "Mark Pilgrim", 2004);
	ma_doc *fresh =
		book_new(books, "Dive Into Python", "Mark Pilgrim", 2004);
	ma_doc *read1, *read2, *read_other, *as_author;
	bson_oid_t id, other_id;
	bson_t stored, stored_other;

	/* Unsaved documents have no id: equal content does not make them
	 * equal, but a document is always itself. */
	cr_assert_not(ma_doc_equal(twin, fresh));
	cr_assert(ma_doc_equal(twin, twin));

	save_ok(db, dive, MA_SAFE_SESSION);
	save_ok(db, other, MA_SAFE_SESSION);
	cr_assert(ma_doc_id(dive, &id));
	cr_assert(ma_doc_id(other, &other_id));
	cr_assert(find_raw(db, books, &id, &stored));
	cr_assert(find_raw(db, books, &other_id, &stored_other));

	read1 = ma_doc_new_from_bson(&books->type, &stored);
	read2 = ma_doc_new_from_bson(&books->type, &stored);
	read_other = ma_doc_new_from_bson(&books->type, &stored_other);
	cr_assert(ma_doc_equal(read1, read2),
		  "two reads of one stored document differ");
	cr_assert(ma_doc_equal(read1, dive),
		  "the read-back differs from the saved one");
	cr_assert(ma_doc_equal(read1, read1));
	cr_assert_not(ma_doc_equal(read1, read_other),
		      "different documents are equal");
	cr_assert_not(ma_doc_equal(read1, twin),
		      "a saved and an unsaved document are equal");

	/* The same id under another type is another document. */
	as_author = ma_doc_new_from_bson(&library_author_type, &stored);
	cr_assert_not(ma_doc_equal(read1, as_author));

	ma_doc_destroy(as_author);
	ma_doc_destroy(read_other);
	ma_doc_destroy(read2);
	ma_doc_destroy(read1);
	bson_destroy(&stored_other);
	bson_destroy(&stored);
	ma_doc_destroy(fresh);
	ma_doc_destroy(twin);
	ma_doc_destroy(other);
	ma_doc_destroy(dive);
	live_type_drop(db, books);
	ma_db_destroy(db);
}

/* --- unique indexes ----------------------------------------------------- */

Test(documents_live, unique_index_violation_is_duplicate_11000)
{
	ma_db *db = live_db();
	live_type *lt = live_type_new(db, &isbn_book_type, NULL, NULL);
	ma_doc *first =
		isbn_book_new(lt, "Dive Into Python", "978-1-59059-356-1");
	ma_doc *second = isbn_book_new(lt, "Dive Into Python, again",
				       "978-1-59059-356-1");
	bson_oid_t first_id, second_id;
	bson_t stored;
	bool unique;
	ma_error e;

	cr_assert_not_null(first);
	cr_assert_not_null(second);

	save_ok(db, first, MA_SAFE_SESSION);
	/* The first use of the database in this process created it. */
	cr_assert(index_exists(db, lt, "isbn_1", &unique),
		  "no index isbn_1 on %s after the first save", lt->collection);
	cr_assert(unique, "isbn_1 is not unique");

	cr_assert_not(ma_doc_save(db, second, MA_SAFE_SESSION, NULL, &e),
		      "a second document with the same isbn was saved");
	cr_assert_eq(e.code, MA_ERR_DUPLICATE, "%s (%s)", e.message,
		     ma_strerror(e.code));
	cr_assert_eq(e.driver_code, 11000, "driver_code %u: %s", e.driver_code,
		     e.message);
	cr_assert_eq(count_docs(db, lt), 1);

	/* What was stored is the first one, untouched. */
	cr_assert(ma_doc_id(first, &first_id));
	cr_assert(find_raw(db, lt, &first_id, &stored));
	bson_destroy(&stored);
	if (ma_doc_id(second, &second_id)) {
		cr_assert_not(find_raw(db, lt, &second_id, &stored));
		bson_destroy(&stored);
	}

	ma_doc_destroy(second);
	ma_doc_destroy(first);
	live_type_drop(db, lt);
	ma_db_destroy(db);
}

/*
 * Every write that can break a unique index says so as a duplicate, not
 * only an insert: a replace (plain and conditional), an update and a
 * find-and-modify, whatever form the server gives it in (MongoDB's
 * 11000; FerretDB's storage error for all but an insert). The stored
 * documents stay as they were.
 */
Test(documents_live, every_write_that_breaks_a_unique_index_is_duplicate)
{
	ma_db *db = live_db();
	live_type *lt = live_type_new(db, &isbn_book_type, NULL, NULL);
	ma_doc *first = isbn_book_new(lt, "Dive Into Python", "978-1");
	ma_doc *second = isbn_book_new(lt, "Think Python", "978-2");
	ma_doc *twin, *out = NULL;
	ma_update *u = ma_update_new(&lt->type);
	bson_oid_t id;
	const char *isbn;
	ma_query *q;
	ma_error e;

	save_ok(db, first, MA_SAFE_SESSION);
	save_ok(db, second, MA_SAFE_SESSION);
	cr_assert(ma_doc_id(second, &id));

	twin = isbn_book_new(lt, "Think Python", "978-1");
	ma_doc_set_id(twin, &id);
	cr_assert_not(ma_doc_replace(db, twin, MA_SAFE_SESSION, NULL, &e));
	cr_assert_eq(e.code, MA_ERR_DUPLICATE, "replace: %s (%s)", e.message,
		     ma_strerror(e.code));
	cr_assert_not(
		ma_doc_replace_if(db, twin, second, MA_SAFE_SESSION, NULL, &e));
	cr_assert_eq(e.code, MA_ERR_DUPLICATE, "replace_if: %s (%s)", e.message,
		     ma_strerror(e.code));
	cr_assert_not(ma_doc_save(db, twin, MA_SAFE_SESSION, NULL, &e));
	cr_assert_eq(e.code, MA_ERR_DUPLICATE, "save: %s (%s)", e.message,
		     ma_strerror(e.code));

	cr_assert(ma_update_set(u, "isbn", MA_V_STRING("978-1"), &e), "%s",
		  e.message);
	q = ma_query_new(db, &lt->type);
	cr_assert(ma_query_filter(q, "_id", MA_OP_EQ, MA_V_OID(&id), &e));
	cr_assert_not(ma_query_update(q, u, 0, MA_SAFE_SESSION, NULL, &e));
	cr_assert_eq(e.code, MA_ERR_DUPLICATE, "update: %s (%s)", e.message,
		     ma_strerror(e.code));
	cr_assert_not(
		ma_query_find_and_modify(q, u, MA_UPDATE_RETURN_NEW, &out, &e));
	cr_assert_eq(e.code, MA_ERR_DUPLICATE, "find_and_modify: %s (%s)",
		     e.message, ma_strerror(e.code));
	cr_assert_null(out);
	ma_query_destroy(q);

	/* Nothing changed. */
	q = ma_query_new(db, &lt->type);
	cr_assert(ma_query_get_oid(q, &id, &out, &e), "%s", e.message);
	cr_assert_not_null(out);
	cr_assert(ma_doc_get_string(out, "isbn", &isbn));
	cr_assert_str_eq(isbn, "978-2");
	cr_assert_eq(count_docs(db, lt), 2);

	ma_query_destroy(q);
	ma_doc_destroy(out);
	ma_update_destroy(u);
	ma_doc_destroy(twin);
	ma_doc_destroy(second);
	ma_doc_destroy(first);
	live_type_drop(db, lt);
	ma_db_destroy(db);
}

/*
 * Indexes are created on the first use of the database in a process, and
 * not checked again: an index dropped behind the process's back stays
 * dropped through later saves and ma_db_ensure_indexes(). Only a new
 * process (a forked worker) creates it again.
 */
Test(documents_live,
     dropped_index_is_recreated_by_a_new_process_not_by_later_saves_or_ensure_indexes)
{
	ma_db *db = live_db();
	live_type *lt = live_type_new(db, &isbn_book_type, NULL, NULL);
	ma_doc *first =
		isbn_book_new(lt, "Dive Into Python", "978-1-59059-356-1");
	ma_doc *second =
		isbn_book_new(lt, "Dive Into Python 3", "978-1-4302-2415-0");
	mongoc_collection_t *coll;
	bson_error_t berr;
	bool unique;
	ma_error e;
	pid_t pid;
	int status;

	cr_assert_not_null(first);
	cr_assert_not_null(second);

	save_ok(db, first, MA_SAFE_SESSION);
	cr_assert(index_exists(db, lt, "isbn_1", &unique),
		  "not created by the first save");
	cr_assert(unique);

	coll = live_coll(db, lt);
	cr_assert(mongoc_collection_drop_index(coll, "isbn_1", &berr),
		  "dropIndex isbn_1: %s", berr.message);
	mongoc_collection_destroy(coll);
	cr_assert_not(index_exists(db, lt, "isbn_1", &unique));

	save_ok(db, second, MA_SAFE_SESSION);
	cr_assert_not(
		index_exists(db, lt, "isbn_1", &unique),
		"a later save in the same process created the index again");
	cr_assert(ma_db_ensure_indexes(db, &e), "%s", e.message);
	cr_assert_not(index_exists(db, lt, "isbn_1", &unique),
		      "ma_db_ensure_indexes created the index again in the "
		      "same process");

	pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		/* A worker: no assertions here, the exit status says it. */
		ma_doc *third = isbn_book_new(lt, "Mark Pilgrim's Book",
					      "978-0-00-000000-2");
		bool ok = third != NULL &&
			  ma_doc_save(db, third, MA_SAFE_SESSION, NULL, &e);

		if (!ok)
			fprintf(stderr, "child save: %s\n", e.message);
		ma_doc_destroy(third);
		ma_doc_destroy(second);
		ma_doc_destroy(first);
		ma_db_destroy(db);
		live_type_free(lt);
		_exit(ok ? 0 : 1);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "the child could not save");

	cr_assert(index_exists(db, lt, "isbn_1", &unique),
		  "the child's first save did not create the index");
	cr_assert(unique);
	cr_assert_eq(count_docs(db, lt), 3);

	ma_doc_destroy(second);
	ma_doc_destroy(first);
	live_type_drop(db, lt);
	ma_db_destroy(db);
}

/* Counts the createIndexes commands a client sends. */
static void
count_create_indexes(const mongoc_apm_command_started_t *event)
{
	int *n = mongoc_apm_command_started_get_context(event);

	if (strcmp(mongoc_apm_command_started_get_command_name(event),
		   "createIndexes") == 0)
		(*n)++;
}

/*
 * A forked worker: declares Book, creates its indexes and saves a book,
 * with no assertions (the exit status says it): how many createIndexes it
 * sent, or 100 when it failed.
 */
static int
book_worker(ma_db *db)
{
	static const char json[] =
		"{\"title\": \"Dive Into Python\", \"author\": "
		"{\"name\": \"Mark Pilgrim\"}, \"year\": 2004}";
	mongoc_apm_callbacks_t *apm = mongoc_apm_callbacks_new();
	mongoc_client_t *client;
	ma_doc *dive = NULL;
	ma_error e;
	int sent = 0;
	bool ok;

	mongoc_apm_set_command_started_cb(apm, count_create_indexes);
	client = ma_db_client(db, &e);
	ok = client != NULL &&
	     mongoc_client_set_apm_callbacks(client, apm, &sent);
	ok = ok && ma_db_ensure_indexes(db, &e);
	dive = ok ? ma_doc_new_from_json(&library_book_type, json,
					 sizeof(json) - 1, NULL, &e)
		  : NULL;
	ok = dive != NULL && ma_doc_save(db, dive, MA_SAFE_SESSION, NULL, &e);
	if (!ok)
		fprintf(stderr, "worker: %s\n", e.message);
	ma_doc_destroy(dive);
	ma_db_destroy(db);
	mongoc_apm_callbacks_destroy(apm);
	return ok ? sent : 100;
}

/* What the worker of a fork says: its exit status. */
static int
run_worker(ma_db *db)
{
	pid_t pid = fork();
	int status;

	cr_assert_neq(pid, -1);
	if (pid == 0)
		_exit(book_worker(db));
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status), "the worker died");
	return WEXITSTATUS(status);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the indexes of Book, sorted, "," between them (servers
 * list them in orders of their own). bson_free(). */
static char *
book_indexes(ma_db *db)
{
	mongoc_collection_t *coll;
	mongoc_cursor_t *cur;
	const bson_t *spec;
	bson_error_t berr;
	bson_iter_t it;
	char *names[16];
	size_t n = 0, i;
	ma_buf all;
	ma_error e;

	coll = ma_db_collection(db, "Book", &e);
	cr_assert_not_null(coll, "%s", e.message);
	cur = mongoc_collection_find_indexes_with_opts(coll, NULL);
	while (n < 16 && mongoc_cursor_next(cur, &spec)) {
		if (bson_iter_init_find(&it, spec, "name") &&
		    BSON_ITER_HOLDS_UTF8(&it))
			names[n++] = bson_strdup(bson_iter_utf8(&it, NULL));
	}
	cr_assert_not(mongoc_cursor_error(cur, &berr), "listIndexes: %s",
		      berr.message);
	mongoc_cursor_destroy(cur);
	mongoc_collection_destroy(coll);
	qsort(names, n, sizeof(*names), cmp_names);
	_ma_buf_init(&all, 64);
	for (i = 0; i < n; i++) {
		_ma_buf_printf(&all, "%s%s", i > 0 ? "," : "", names[i]);
		bson_free(names[i]);
	}
	return _ma_buf_steal(&all, NULL);
}

/*
 * Every worker after the first finds the indexes in place: it asks the
 * server which exist and sends no createIndexes, and one that finds an
 * index missing creates it. (MongoDB would answer a createIndexes of
 * existing indexes with "all indexes already exist"; FerretDB, the test
 * server, drops the connection. Neither may stop a worker.)
 */
Test(documents_live, a_second_process_finds_its_indexes_in_place)
{
	live_own_db t = live_own_db_open("ix");
	mongoc_collection_t *coll;
	bson_error_t berr;
	ma_query *q;
	ma_error e;
	char *names;
	int64_t n = -1;

	cr_assert(ma_db_add_type(t.db, &library_book_type, &e), "%s",
		  e.message);
	cr_assert_eq(run_worker(t.db), 1,
		     "the first worker creates the indexes");
	names = book_indexes(t.db);
	cr_assert_str_eq(names, "_id_,author.name_1,year_-1_title_1");
	bson_free(names);

	cr_assert_eq(run_worker(t.db), 0, "a later worker sent createIndexes");

	coll = ma_db_collection(t.db, "Book", &e);
	cr_assert_not_null(coll, "%s", e.message);
	cr_assert(mongoc_collection_drop_index(coll, "author.name_1", &berr),
		  "%s", berr.message);
	mongoc_collection_destroy(coll);
	cr_assert_eq(run_worker(t.db), 1,
		     "a missing index is not created again");
	names = book_indexes(t.db);
	cr_assert_str_eq(names, "_id_,author.name_1,year_-1_title_1");
	bson_free(names);

	q = ma_query_new(t.db, &library_book_type);
	cr_assert(ma_query_count(q, &n, &e), "%s", e.message);
	cr_assert_eq(n, 3);
	ma_query_destroy(q);
	live_own_db_close(&t);
}

/* --- documents written by someone else --------------------------------- */

Test(documents_live,
     document_written_behind_the_schema_reads_and_keeps_extra_fields)
{
	ma_db *db = live_db();
	live_type *books = live_type_new(db, &library_book_type, NULL, NULL);
	ma_problems *problems = ma_problems_new();
	mongoc_collection_t *coll;
	bson_error_t berr;
	bson_oid_t id, saved_id;
	bson_t *raw, stored;
	bson_iter_t it;
	char hex[25], *json, *expected;
	ma_doc *doc;
	ma_error e;
	long i;

	/* Another program's idea of a book: an ISBN, no year, a numeric
	 * title. */
	bson_oid_init(&id, NULL);
	bson_oid_to_string(&id, hex);
	raw = BCON_NEW("_id", BCON_OID(&id), "title", BCON_INT32(42), "author",
		       "{", "name", BCON_UTF8("Mark Pilgrim"), "}", "isbn",
		       BCON_UTF8("978-1-59059-356-1"));
	coll = live_coll(db, books);
	cr_assert(mongoc_collection_insert_one(coll, raw, NULL, NULL, &berr),
		  "insert: %s", berr.message);
	mongoc_collection_destroy(coll);

	cr_assert(find_raw(db, books, &id, &stored));
	doc = ma_doc_new_from_bson(&books->type, &stored);
	bson_destroy(&stored);

	json = ma_doc_to_json(doc, NULL);
	expected = bson_strdup_printf("{\"_id\":\"%s\",\"title\":42,"
				      "\"author\":{\"name\":\"Mark Pilgrim\"},"
				      "\"isbn\":\"978-1-59059-356-1\"}",
				      hex);
	cr_assert_str_eq(json, expected);
	bson_free(expected);
	bson_free(json);

	cr_assert_not(ma_doc_validate(doc, problems, &e));
	cr_assert_eq(e.code, MA_ERR_VALIDATION, "%s (%s)", e.message,
		     ma_strerror(e.code));
	cr_assert_eq(ma_problems_count(problems), 2, "%s", e.message);
	i = problem_at(problems, "year");
	cr_assert_geq(i, 0, "no problem with year: %s", e.message);
	cr_assert_str_eq(ma_problems_message(problems, (size_t)i), "required");
	i = problem_at(problems, "title");
	cr_assert_geq(i, 0, "no problem with title: %s", e.message);
	cr_assert(strncmp(ma_problems_message(problems, (size_t)i),
			  "must be a string", strlen("must be a string")) == 0,
		  "%s", ma_problems_message(problems, (size_t)i));
	cr_assert(strstr(e.message, "year") != NULL &&
			  strstr(e.message, "title") != NULL,
		  "%s", e.message);

	/* Fixed the way an application would, it saves over the stored one
	 * without losing what the type does not declare. */
	cr_assert(ma_doc_set_string(doc, "title", "Dive Into Python", &e), "%s",
		  e.message);
	cr_assert(ma_doc_set_int(doc, "year", 2004, &e), "%s", e.message);
	save_ok(db, doc, MA_SAFE_SESSION);
	cr_assert(ma_doc_id(doc, &saved_id));
	cr_assert_eq(bson_oid_compare(&id, &saved_id), 0,
		     "save gave it a new id");
	cr_assert_eq(count_docs(db, books), 1);

	cr_assert(find_raw(db, books, &id, &stored));
	cr_assert(bson_iter_init_find(&it, &stored, "isbn") &&
			  BSON_ITER_HOLDS_UTF8(&it),
		  "the field isbn was lost");
	cr_assert_str_eq(bson_iter_utf8(&it, NULL), "978-1-59059-356-1");
	cr_assert(bson_iter_init_find(&it, &stored, "title") &&
		  BSON_ITER_HOLDS_UTF8(&it));
	cr_assert_str_eq(bson_iter_utf8(&it, NULL), "Dive Into Python");
	cr_assert(bson_iter_init_find(&it, &stored, "year") &&
		  (BSON_ITER_HOLDS_INT32(&it) || BSON_ITER_HOLDS_INT64(&it)));
	cr_assert_eq(bson_iter_as_int64(&it), 2004);
	bson_destroy(&stored);

	ma_doc_destroy(doc);
	bson_destroy(raw);
	ma_problems_destroy(problems);
	live_type_drop(db, books);
	ma_db_destroy(db);
}

/* --- validation before the server --------------------------------------- */

Test(documents_live, invalid_document_is_refused_before_reaching_the_server)
{
	ma_db *db = live_db();
	live_type *books = live_type_new(db, &library_book_type, NULL, NULL);
	ma_doc *doc =
		book_new(books, "Dive Into Python", "Mark Pilgrim", 10000);
	ma_problems *problems = ma_problems_new();
	mongoc_database_t *database;
	bson_error_t berr;
	ma_error e;
	bool has;

	cr_assert_not(ma_doc_save(db, doc, MA_SAFE_SESSION, problems, &e),
		      "a year of 10000 was saved");
	cr_assert_eq(e.code, MA_ERR_VALIDATION, "%s (%s)", e.message,
		     ma_strerror(e.code));
	cr_assert_eq(ma_problems_count(problems), 1, "%s", e.message);
	cr_assert_str_eq(ma_problems_field(problems, 0), "year");
	cr_assert_str_eq(ma_problems_message(problems, 0),
			 "must be an integer between 0 and 9999");

	cr_assert_eq(count_docs(db, books), 0);
	/* Nothing was sent: not even the indexes, which would have made the
	 * collection exist. */
	database = mongoc_client_get_database(ma_db_client(db, NULL),
					      getenv("MONGOALCHEMY_DATABASE"));
	memset(&berr, 0, sizeof(berr));
	has = mongoc_database_has_collection(database, books->collection,
					     &berr);
	cr_assert_eq(berr.code, 0, "listCollections: %s", berr.message);
	cr_assert_not(has, "%s exists after a refused save", books->collection);
	mongoc_database_destroy(database);

	ma_problems_destroy(problems);
	ma_doc_destroy(doc);
	live_type_drop(db, books);
	ma_db_destroy(db);
}

/* --- write safety ------------------------------------------------------- */

Test(documents_live, safe_on_and_safe_off_both_save_and_remove)
{
	ma_db *db = live_db();
	live_type *books = live_type_new(db, &library_book_type, NULL, NULL);
	ma_doc *safe =
		book_new(books, "Dive Into Python", "Mark Pilgrim", 2004);
	ma_doc *unsafe =
		book_new(books, "Dive Into Python 3", "Mark Pilgrim", 2009);
	const mongoc_write_concern_t *wc;
	bson_oid_t id;
	bson_t stored;
	char desc[64];
	ma_error e;

	/* What MA_SAFE_ON asks of the server. */
	wc = ma_config_write_concern(ma_db_config(db), MA_SAFE_ON);
	cr_assert(mongoc_write_concern_get_wmajority(wc));
	cr_assert_str_eq(ma_config_describe_write_concern(ma_db_config(db),
							  MA_SAFE_ON, desc,
							  sizeof(desc)),
			 "w:majority, j:true");

	save_ok(db, safe, MA_SAFE_ON);
	save_ok(db, unsafe, MA_SAFE_OFF);
	cr_assert_eq(count_docs(db, books), 2);
	cr_assert(ma_doc_id(safe, &id));
	cr_assert(find_raw(db, books, &id, &stored));
	bson_destroy(&stored);
	cr_assert(ma_doc_id(unsafe, &id));
	cr_assert(find_raw(db, books, &id, &stored));
	bson_destroy(&stored);

	/* An update with each. */
	cr_assert(ma_doc_set_int(safe, "year", 2009, &e), "%s", e.message);
	save_ok(db, safe, MA_SAFE_ON);
	cr_assert(ma_doc_set_int(unsafe, "year", 2010, &e), "%s", e.message);
	save_ok(db, unsafe, MA_SAFE_OFF);
	cr_assert_eq(count_docs(db, books), 2);

	cr_assert(ma_doc_remove(db, safe, MA_SAFE_ON, &e), "%s", e.message);
	cr_assert(ma_doc_remove(db, unsafe, MA_SAFE_OFF, &e), "%s", e.message);
	cr_assert_eq(count_docs(db, books), 0);

	/* SAFE_OFF is the URI's write concern, acknowledged by default: it
	 * still learns that nothing was deleted. */
	cr_assert_not(ma_doc_remove(db, unsafe, MA_SAFE_OFF, &e));
	cr_assert_eq(e.code, MA_ERR_NOT_FOUND, "%s (%s)", e.message,
		     ma_strerror(e.code));
	cr_assert_not(ma_doc_remove(db, safe, MA_SAFE_ON, &e));
	cr_assert_eq(e.code, MA_ERR_NOT_FOUND, "%s (%s)", e.message,
		     ma_strerror(e.code));

	ma_doc_destroy(unsafe);
	ma_doc_destroy(safe);
	live_type_drop(db, books);
	ma_db_destroy(db);
}

/* --- JSON through the server ------------------------------------------- */

Test(documents_live, json_in_json_out_through_the_server)
{
	static const char json[] = "{\"title\":\"Dive Into Python\","
				   "\"author\":{\"name\":\"Mark Pilgrim\"},"
				   "\"year\":2004}";
	ma_db *db = live_db();
	live_type *books = live_type_new(db, &library_book_type, NULL, NULL);
	ma_problems *problems = ma_problems_new();
	bson_oid_t id;
	bson_t stored;
	char hex[25], *out, *expected;
	size_t len, i;
	ma_doc *doc;
	ma_error e;

	doc = ma_doc_new_from_json(&books->type, json, strlen(json), problems,
				   &e);
	cr_assert_not_null(doc, "%s", e.message);
	save_ok(db, doc, MA_SAFE_SESSION);
	cr_assert(ma_doc_id(doc, &id));
	bson_oid_to_string(&id, hex);

	cr_assert(find_raw(db, books, &id, &stored));
	out = ma_json_from_bson(&books->type, &stored, &len);
	cr_assert_eq(len, strlen(out));
	cr_assert(strncmp(out, "{\"_id\":\"", 8) == 0, "%s", out);
	for (i = 8; i < 8 + 24; i++)
		cr_assert(strchr("0123456789abcdef", out[i]) != NULL &&
				  out[i] != '\0',
			  "_id is not 24 lowercase hex digits: %s", out);
	cr_assert_eq(out[8 + 24], '"', "%s", out);
	expected = bson_strdup_printf("{\"_id\":\"%s\",%s", hex, json + 1);
	cr_assert_str_eq(out, expected);

	bson_free(expected);
	bson_free(out);
	bson_destroy(&stored);
	ma_doc_destroy(doc);
	ma_problems_destroy(problems);
	live_type_drop(db, books);
	ma_db_destroy(db);
}

/* --- refs --------------------------------------------------------------- */

Test(documents_live, save_fills_defaults_in_embedded_documents_and_lists)
{
	ma_db *db = live_db();
	live_type *carts = live_type_new(db, &cart_type, NULL, NULL);
	bson_t *raw, stored;
	bson_oid_t id;
	char hex[25], *out, *expected;
	ma_doc *cart;
	ma_error e;

	/* As read from a database written before qty and state existed. */
	raw = BCON_NEW("first", "{", "sku", "a", "}", "lines", "[", "{", "sku",
		       "b", "}", "{", "sku", "c", "qty", BCON_INT64(5), "}",
		       "]");
	cart = ma_doc_new_from_bson(&carts->type, raw);
	cr_assert(ma_doc_save(db, cart, MA_SAFE_SESSION, NULL, &e), "%s",
		  e.message);
	cr_assert(ma_doc_id(cart, &id));
	bson_oid_to_string(&id, hex);

	cr_assert(find_raw(db, carts, &id, &stored));
	out = ma_json_from_bson(&carts->type, &stored, NULL);
	expected = bson_strdup_printf(
		"{\"_id\":\"%s\",\"first\":{\"sku\":\"a\",\"qty\":1},"
		"\"lines\":[{\"sku\":\"b\",\"qty\":1},{\"sku\":\"c\",\"qty\":5}"
		"],"
		"\"state\":\"open\"}",
		hex);
	cr_assert_str_eq(out, expected);
	bson_free(out);
	/* The document holds what was stored. */
	out = ma_doc_to_json(cart, NULL);
	cr_assert_str_eq(out, expected);

	bson_free(out);
	bson_free(expected);
	bson_destroy(&stored);
	bson_destroy(raw);
	ma_doc_destroy(cart);
	live_type_drop(db, carts);
	ma_db_destroy(db);
}

Test(documents_live, deref_reads_the_referenced_document)
{
	ma_db *db = live_db();
	live_type *publishers = live_type_new(db, &publisher_type, NULL, NULL);
	live_type *editions = live_type_new(db, &edition_type, "publisher",
					    &publishers->type);
	ma_doc *apress, *edition, *stored_edition, *got;
	bson_oid_t apress_id, edition_id, ref, nobody;
	bson_t stored;
	const char *name;
	ma_error e;

	apress = ma_doc_new(&publishers->type);
	cr_assert(ma_doc_set_string(apress, "name", "Apress", &e), "%s",
		  e.message);
	save_ok(db, apress, MA_SAFE_SESSION);
	cr_assert(ma_doc_id(apress, &apress_id));

	edition = ma_doc_new(&editions->type);
	cr_assert(ma_doc_set_string(edition, "title", "Dive Into Python", &e),
		  "%s", e.message);
	cr_assert(ma_doc_set_oid(edition, "publisher", &apress_id, &e), "%s",
		  e.message);
	save_ok(db, edition, MA_SAFE_SESSION);
	cr_assert(ma_doc_id(edition, &edition_id));

	/* The ref is stored as the publisher's ObjectId, and a document
	 * read back from the server dereferences like the one saved. */
	cr_assert(find_raw(db, editions, &edition_id, &stored));
	stored_edition = ma_doc_new_from_bson(&editions->type, &stored);
	bson_destroy(&stored);
	cr_assert(ma_doc_get_oid(stored_edition, "publisher", &ref));
	cr_assert_eq(bson_oid_compare(&ref, &apress_id), 0);

	got = ma_doc_deref(db, stored_edition, "publisher", &e);
	cr_assert_not_null(got, "deref: %s (%s)", e.message,
			   ma_strerror(e.code));
	cr_assert_eq(ma_doc_type(got), &publishers->type);
	cr_assert(ma_doc_get_string(got, "name", &name));
	cr_assert_str_eq(name, "Apress");
	cr_assert(ma_doc_equal(got, apress));
	ma_doc_destroy(got);

	/* A ref to no document. */
	bson_oid_init(&nobody, NULL);
	cr_assert(ma_doc_set_oid(edition, "publisher", &nobody, &e), "%s",
		  e.message);
	got = ma_doc_deref(db, edition, "publisher", &e);
	cr_assert_null(got);
	cr_assert_eq(e.code, MA_ERR_NOT_FOUND, "%s (%s)", e.message,
		     ma_strerror(e.code));

	/* A field that is not a ref. */
	got = ma_doc_deref(db, edition, "title", &e);
	cr_assert_null(got);
	cr_assert_eq(e.code, MA_ERR_INVALID, "%s (%s)", e.message,
		     ma_strerror(e.code));

	ma_doc_destroy(stored_edition);
	ma_doc_destroy(edition);
	ma_doc_destroy(apress);
	live_type_drop(db, editions);
	live_type_drop(db, publishers);
	ma_db_destroy(db);
}

/* --- no server ---------------------------------------------------------- */

static double
seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

Test(documents_live, unreachable_server_fails_save_quickly_and_keeps_the_id)
{
	struct timespec t0;
	live_type *books;
	ma_doc *dive;
	ma_db *db;
	ma_error e;
	bson_oid_t id, id_again;
	const char *title;
	double secs;

	db = live_stopped_db();
	books = live_type_new(db, &library_book_type, NULL, NULL);
	dive = book_new(books, "Dive Into Python", "Mark Pilgrim", 2004);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	cr_assert_not(ma_doc_save(db, dive, MA_SAFE_SESSION, NULL, &e),
		      "saved with no server");
	secs = seconds_since(&t0);
	cr_assert_eq(e.code, MA_ERR_UNAVAILABLE, "%s (%s)", e.message,
		     ma_strerror(e.code));
	cr_assert_lt(secs, 5.0, "took %.1f s", secs);

	/* The id was generated before the write and stays: a retry after
	 * the server is back replaces instead of adding a second copy. */
	cr_assert(ma_doc_id(dive, &id), "the failed save left no id");
	cr_assert(ma_doc_get_string(dive, "title", &title));
	cr_assert_str_eq(title, "Dive Into Python");

	cr_assert_not(ma_doc_save(db, dive, MA_SAFE_SESSION, NULL, &e));
	cr_assert_eq(e.code, MA_ERR_UNAVAILABLE, "%s (%s)", e.message,
		     ma_strerror(e.code));
	cr_assert(ma_doc_id(dive, &id_again));
	cr_assert_eq(bson_oid_compare(&id, &id_again), 0,
		     "the retry changed the id");

	ma_doc_destroy(dive);
	live_type_free(books);
	ma_db_destroy(db);
}

/*
 * The halves of save that an HTTP API needs: insert never overwrites a
 * stored document, replace never creates one.
 */
Test(documents_live, insert_never_replaces_and_replace_never_creates)
{
	ma_db *db = live_db();
	live_type *lt = live_type_new(db, &isbn_book_type, NULL, NULL);
	ma_doc *dive =
		isbn_book_new(lt, "Dive Into Python", "978-1-59059-356-1");
	ma_doc *copy, *ghost;
	bson_oid_t id, other;
	const char *title;
	ma_query *q;
	ma_error e;

	cr_assert(ma_doc_insert(db, dive, MA_SAFE_SESSION, NULL, &e), "%s",
		  e.message);
	cr_assert(ma_doc_id(dive, &id), "insert gave the document no id");

	/* The same id again: a duplicate, and the stored one is untouched. */
	copy = isbn_book_new(lt, "Dive Into Python, again",
			     "978-0-00-000000-0");
	ma_doc_set_id(copy, &id);
	cr_assert_not(ma_doc_insert(db, copy, MA_SAFE_SESSION, NULL, &e));
	cr_assert_eq(e.code, MA_ERR_DUPLICATE, "%s", e.message);
	cr_assert_eq(count_docs(db, lt), 1);

	/* Replace with a stored id changes it in place... */
	cr_assert(ma_doc_replace(db, copy, MA_SAFE_SESSION, NULL, &e), "%s",
		  e.message);
	ma_doc_destroy(dive);
	dive = NULL;
	q = ma_query_new(db, &lt->type);
	cr_assert(ma_query_get_oid(q, &id, &dive, &e), "%s", e.message);
	ma_query_destroy(q);
	cr_assert_not_null(dive);
	cr_assert(ma_doc_get_string(dive, "title", &title));
	cr_assert_str_eq(title, "Dive Into Python, again");
	cr_assert_eq(count_docs(db, lt), 1);

	/* ...and with an id nobody has, it is not found and stores nothing. */
	ghost = isbn_book_new(lt, "Ghost", "978-1-11111-111-1");
	bson_oid_init(&other, NULL);
	ma_doc_set_id(ghost, &other);
	cr_assert_not(ma_doc_replace(db, ghost, MA_SAFE_SESSION, NULL, &e));
	cr_assert_eq(e.code, MA_ERR_NOT_FOUND, "%s", e.message);
	cr_assert_eq(count_docs(db, lt), 1);

	/* Without an id there is nothing to replace. */
	ma_doc_destroy(ghost);
	ghost = isbn_book_new(lt, "Ghost", "978-1-11111-111-1");
	cr_assert_not(ma_doc_replace(db, ghost, MA_SAFE_SESSION, NULL, &e));
	cr_assert_eq(e.code, MA_ERR_INVALID, "%s", e.message);

	ma_doc_destroy(ghost);
	ma_doc_destroy(copy);
	ma_doc_destroy(dive);
	live_type_drop(db, lt);
	ma_db_destroy(db);
}

/* --- optimistic locking ----------------------------------------------------
 */

/* The stored form of doc's id, read back as a document. */
static ma_doc *
read_back(ma_db *db, const live_type *lt, const ma_doc *doc)
{
	bson_t stored;
	bson_oid_t id;
	ma_doc *d;

	cr_assert(ma_doc_id(doc, &id));
	cr_assert(find_raw(db, lt, &id, &stored), "the document is not stored");
	d = ma_doc_new_from_bson(&lt->type, &stored);
	bson_destroy(&stored);
	return d;
}

static int64_t
year_of(const ma_doc *doc)
{
	int64_t year = -1;

	cr_assert(ma_doc_get_int(doc, "year", &year));
	return year;
}

/* Changes the stored document behind the library's back. */
static void
raw_update(ma_db *db, const live_type *lt, const ma_doc *doc, const char *json)
{
	mongoc_collection_t *coll = live_coll(db, lt);
	bson_t sel = BSON_INITIALIZER, *update;
	bson_error_t berr;
	bson_oid_t id;

	cr_assert(ma_doc_id(doc, &id));
	BSON_APPEND_OID(&sel, "_id", &id);
	update = bson_new_from_json((const uint8_t *)json, -1, &berr);
	cr_assert_not_null(update, "%s", berr.message);
	cr_assert(mongoc_collection_update_one(coll, &sel, update, NULL, NULL,
					       &berr),
		  "%s", berr.message);
	bson_destroy(update);
	bson_destroy(&sel);
	mongoc_collection_destroy(coll);
}

/* How many documents an update (u) or, u NULL, a remove through
 * ma_query_filter_unchanged(current) matched. */
static int64_t
matched_if_unchanged(ma_db *db, const live_type *lt, const ma_doc *current,
		     const ma_update *u)
{
	ma_query *q = ma_query_new(db, &lt->type);
	ma_update_result result = {0};
	ma_error e;

	cr_assert(ma_query_filter_unchanged(q, current, &e), "%s", e.message);
	if (u != NULL)
		cr_assert(
			ma_query_update(q, u, 0, MA_SAFE_SESSION, &result, &e),
			"%s", e.message);
	else
		cr_assert(ma_query_remove(q, MA_SAFE_SESSION, &result.matched,
					  &e),
			  "%s", e.message);
	ma_query_destroy(q);
	return result.matched;
}

Test(documents_live, conditional_writes_change_only_the_document_as_read)
{
	ma_db *db = live_db();
	live_type *books = live_type_new(db, &library_book_type, NULL, NULL);
	ma_doc *dive =
		book_new(books, "Dive Into Python", "Mark Pilgrim", 2004);
	ma_doc *current, *stale, *next, *again;
	char saved_tag[MA_ETAG_SIZE], read_tag[MA_ETAG_SIZE];
	ma_problems *problems = ma_problems_new();
	ma_update *u;
	ma_query *q;
	ma_error e;

	save_ok(db, dive, MA_SAFE_SESSION);
	current = read_back(db, books, dive);
	/* The tag of what was written is the tag of what is read. */
	ma_doc_etag(dive, saved_tag);
	ma_doc_etag(current, read_tag);
	cr_assert_str_eq(saved_tag, read_tag);

	/* Replacing the document as read: done. */
	next = book_new(books, "Dive Into Python", "Mark Pilgrim", 2005);
	cr_assert(ma_doc_replace_if(db, next, current, MA_SAFE_SESSION,
				    problems, &e),
		  "%s", e.message);
	stale = current;
	current = read_back(db, books, dive);
	cr_assert_eq(year_of(current), 2005);

	/* Replacing it as it was before: refused, nothing changes. */
	again = book_new(books, "Dive Into Python", "Mark Pilgrim", 1999);
	cr_assert_not(ma_doc_replace_if(db, again, stale, MA_SAFE_SESSION,
					problems, &e));
	cr_assert_eq(e.code, MA_ERR_PRECONDITION, "%s", e.message);
	cr_assert_str_eq(e.message, "this Book changed since it was read");
	ma_doc_destroy(again);
	again = read_back(db, books, dive);
	cr_assert_eq(year_of(again), 2005);
	ma_doc_destroy(again);

	/* Updates and removes through ma_query_filter_unchanged. */
	u = ma_update_new(&books->type);
	cr_assert(ma_update_set(u, "year", MA_V_INT(1990), &e), "%s",
		  e.message);
	cr_assert_eq(matched_if_unchanged(db, books, stale, u), 0);
	cr_assert_eq(matched_if_unchanged(db, books, stale, NULL), 0);

	/* A change made by someone else after the read: also refused. */
	raw_update(db, books, dive, "{\"$set\": {\"title\": \"Renamed\"}}");
	cr_assert_eq(matched_if_unchanged(db, books, current, u), 0);

	/* The document as it is now: matched. */
	ma_doc_destroy(current);
	current = read_back(db, books, dive);
	cr_assert_eq(matched_if_unchanged(db, books, current, u), 1);
	again = read_back(db, books, dive);
	cr_assert_eq(year_of(again), 1990);
	ma_doc_destroy(again);

	/* A field null as read, removed since: the null does not match an
	 * absent field. A declared field absent as read, set since: no
	 * match either. */
	raw_update(db, books, dive, "{\"$set\": {\"author\": null}}");
	ma_doc_destroy(current);
	current = read_back(db, books, dive);
	raw_update(db, books, dive, "{\"$unset\": {\"author\": \"\"}}");
	cr_assert_eq(matched_if_unchanged(db, books, current, NULL), 0,
		     "a removed null field still matched");
	ma_doc_destroy(current);
	current = read_back(db, books, dive);
	raw_update(db, books, dive,
		   "{\"$set\": {\"author\": {\"name\": \"Back\"}}}");
	cr_assert_eq(matched_if_unchanged(db, books, current, NULL), 0,
		     "a field set since still matched");
	cr_assert_eq(count_docs(db, books), 1);

	/* Misuse: a document never stored has nothing to match. */
	again = book_new(books, "Unsaved", "Nobody", 2000);
	q = ma_query_new(db, &books->type);
	cr_assert_not(ma_query_filter_unchanged(q, again, &e));
	cr_assert_eq(e.code, MA_ERR_INVALID);
	cr_assert_str_eq(e.message,
			 "ma_query_filter_unchanged needs a stored Book");
	ma_query_destroy(q);
	ma_doc_destroy(again);

	ma_update_destroy(u);
	ma_doc_destroy(current);
	ma_doc_destroy(stale);
	ma_doc_destroy(next);
	ma_doc_destroy(dive);
	ma_problems_destroy(problems);
	live_type_drop(db, books);
	ma_db_destroy(db);
}
