/*
 * The example application's seed (examples/library/app.c), as the HTTP
 * suites expect to find it: fixed ids, so that every worker seeds the
 * same documents and a test can name them.
 */
#ifndef SEED_H
#define SEED_H

#define SEED_ID(n) "5f0000000000000000000" n

typedef struct seed_author {
	const char *id;
	const char *name;
} seed_author;

typedef struct seed_book {
	const char *id;
	const char *title;
	const char *author;
	int year;
} seed_book;

static const seed_author seed_authors[] = {
	{SEED_ID("a01"), "Mark Pilgrim"},  {SEED_ID("a02"), "Luciano Ramalho"},
	{SEED_ID("a03"), "Brett Slatkin"}, {SEED_ID("a04"), "Allen B. Downey"},
	{SEED_ID("a05"), "Al Sweigart"},
};

static const seed_book seed_books[] = {
	{SEED_ID("b01"), "Dive Into Python", "Mark Pilgrim", 2004},
	{SEED_ID("b02"), "Dive Into Python 3", "Mark Pilgrim", 2009},
	{SEED_ID("b03"), "Fluent Python", "Luciano Ramalho", 2015},
	{SEED_ID("b04"), "Effective Python", "Brett Slatkin", 2015},
	{SEED_ID("b05"), "Think Python", "Allen B. Downey", 2012},
	{SEED_ID("b06"), "Think Bayes", "Allen B. Downey", 2013},
	{SEED_ID("b07"), "Automate the Boring Stuff with Python", "Al Sweigart",
	 2015},
	{SEED_ID("b08"), "Invent Your Own Computer Games with Python",
	 "Al Sweigart", 2008},
};

#define NSEED_BOOKS (sizeof(seed_books) / sizeof(seed_books[0]))
#define NSEED_AUTHORS (sizeof(seed_authors) / sizeof(seed_authors[0]))

#endif
