/*
 * The library of Flask-MongoAlchemy's documentation:
 *
 *   class Author(db.Document):
 *       name = db.StringField()
 *
 *   class Book(db.Document):
 *       title = db.StringField()
 *       author = db.DocumentField(Author)
 *       year = db.IntField()
 */
#ifndef LIBRARY_H
#define LIBRARY_H

#include <mongoalchemy.h>

extern const ma_type library_author_type;
extern const ma_type library_book_type;

/*
 * A loan of a book to a reader, served only with access control: each
 * reader sees their own (owner, set from the caller), the admin all.
 */
extern const ma_type library_loan_type;

/* A review of a book (book: a reference to a Book, rating 1 to 5, text),
 * served at /reviews, whose book can be embedded. */
extern const ma_type library_review_type;

#endif
