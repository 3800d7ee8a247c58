/*
 * The sample library the example seeds into empty collections: five
 * authors, eight books and four reviews, with fixed ids.
 */
#include <stdio.h>
#include <string.h>

#include <mongoalchemy-fcgi.h>

#include "library.h"
#include "library_app.h"

/* The sample library. Fixed ids: workers that seed at once store the same
 * documents, never two copies. */
static const char *const sample_authors[] = {
	"{\"_id\":\"5f0000000000000000000a01\",\"name\":\"Mark Pilgrim\"}",
	"{\"_id\":\"5f0000000000000000000a02\",\"name\":\"Luciano Ramalho\"}",
	"{\"_id\":\"5f0000000000000000000a03\",\"name\":\"Brett Slatkin\"}",
	"{\"_id\":\"5f0000000000000000000a04\",\"name\":\"Allen B. Downey\"}",
	"{\"_id\":\"5f0000000000000000000a05\",\"name\":\"Al Sweigart\"}",
};

#define BOOK(id, title, author, year)                                          \
	"{\"_id\":\"5f0000000000000000000" id "\",\"title\":\"" title          \
	"\",\"author\":{\"name\":\"" author "\"},\"year\":" #year "}"

static const char *const sample_books[] = {
	BOOK("b01", "Dive Into Python", "Mark Pilgrim", 2004),
	BOOK("b02", "Dive Into Python 3", "Mark Pilgrim", 2009),
	BOOK("b03", "Fluent Python", "Luciano Ramalho", 2015),
	BOOK("b04", "Effective Python", "Brett Slatkin", 2015),
	BOOK("b05", "Think Python", "Allen B. Downey", 2012),
	BOOK("b06", "Think Bayes", "Allen B. Downey", 2013),
	BOOK("b07", "Automate the Boring Stuff with Python", "Al Sweigart",
	     2015),
	BOOK("b08", "Invent Your Own Computer Games with Python", "Al Sweigart",
	     2008),
};

#define REVIEW(id, book, rating, text)                                         \
	"{\"_id\":\"5f0000000000000000000" id                                  \
	"\",\"book\":\"5f0000000000000000000" book "\",\"rating\":" #rating    \
	",\"text\":\"" text "\"}"

/* Reviews of the books above. */
static const char *const sample_reviews[] = {
	REVIEW("c01", "b01", 5, "The book that taught me Python."),
	REVIEW("c02", "b03", 5, "Deep and clear."),
	REVIEW("c03", "b03", 4, "Long, worth it."),
	REVIEW("c04", "b06", 3, "Good, if you like statistics."),
};

static bool
seed_type(ma_db *db, const ma_type *type, const char *const *docs, size_t n,
	  size_t *added, ma_error *e)
{
	ma_query *q = ma_query_new(db, type);
	int64_t count = 0;
	bool ok = ma_query_count(q, &count, e);
	size_t i;

	ma_query_destroy(q);
	for (i = 0; ok && count == 0 && i < n; i++) {
		ma_doc *doc = ma_doc_new_from_json(type, docs[i],
						   strlen(docs[i]), NULL, e);

		/* save, not insert: a second worker seeding at the same
		 * moment replaces the same document. */
		ok = doc != NULL &&
		     ma_doc_save(db, doc, MA_SAFE_SESSION, NULL, e);
		ma_doc_destroy(doc);
		*added += ok;
	}
	return ok;
}

bool
library_seed(ma_app *app, void *arg, ma_error *error)
{
	ma_db *db = arg;
	size_t added = 0;
	ma_error e;

	(void)app;
	if (!ma_db_ensure_indexes(db, &e) ||
	    !seed_type(db, &library_author_type, sample_authors,
		       sizeof(sample_authors) / sizeof(sample_authors[0]),
		       &added, &e) ||
	    !seed_type(db, &library_book_type, sample_books,
		       sizeof(sample_books) / sizeof(sample_books[0]), &added,
		       &e) ||
	    !seed_type(db, &library_review_type, sample_reviews,
		       sizeof(sample_reviews) / sizeof(sample_reviews[0]),
		       &added, &e)) {
		fprintf(stderr, "library: not seeded: %s\n", e.message);
		ma_error_clear(error);
		return true;
	}
	if (added > 0)
		fprintf(stderr, "library: seeded %zu sample documents\n",
			added);
	ma_error_clear(error);
	return true;
}
