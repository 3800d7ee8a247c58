/*
 * What a page costs at depth: the first, the 100th and the 1,000th page of
 * the example library's books, sorted newest first and by title, asked by
 * offset and by keyset, with and without the total.
 *
 *   bench_pages [load N] [loans N] [pages [-r R] [DEPTH...]] [drop]
 *
 *   load N     drops the Book collection of the configured database, fills
 *              it with N books and builds the type's indexes
 *   loans N    drops the Loan collection and fills it with N loans, loan i
 *              of book i (bench/run's authenticated get_by_id scenarios)
 *   pages      times each page R times (20) at each depth (1 100 1000)
 *   drop       drops the Book collection
 *
 * The commands run in that order, in one process and on one database
 * object.
 *
 * The database is the one MONGOALCHEMY_* configures (docs/configuration.md).
 * Every page is checked before its time counts: 20 items in the sort's
 * order, the same ids in every mode, the total when asked for. A page that
 * fails a check stops the run with exit status 1. bench/pages runs it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mongoalchemy.h>

#include "library.h"

#define BENCH_NAME "bench_pages"
#include "bench.h"

#define PER_PAGE MA_PER_PAGE
#define LOAD_BATCH 1000
#define DEFAULT_REPEATS 20
#define MAX_DEPTHS 16

/* MongoDB's NamespaceNotFound: dropping a collection that is not there. */
#define NAMESPACE_NOT_FOUND 26

/* A few authors for many books, as in a real catalogue: the embedded
 * document is there to make each item the size a page really carries. */
static const char *const authors[] = {
	"Mark Pilgrim",	     "Ursula K. Le Guin", "Italo Calvino",
	"Jorge Luis Borges", "Toni Morrison",	  "Stanisław Lem",
	"Chinua Achebe",
};

static const struct mode {
	const char *name;
	bool keyset;
	bool no_total;
} modes[] = {
	{"offset+total", false, false},
	{"offset", false, true},
	{"keyset+total", true, false},
	{"keyset", true, true},
};
#define N_MODES (sizeof(modes) / sizeof(modes[0]))

/* What a depth's page must hold, whatever the mode. */
struct depth {
	int64_t page;
	bson_oid_t ids[PER_PAGE];
	char *after; /* token of the item before the page; NULL for page 1 */
};

static _Noreturn void
usage(void)
{
	fputs("usage: bench_pages [load N] [loans N] [pages [-r REPEATS] "
	      "[DEPTH...]] [drop]\n",
	      stderr);
	exit(2);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static ma_db *
open_db(void)
{
	ma_error error;
	ma_db *db;

	db = ma_db_new(NULL, &error);
	if (db == NULL)
		fail("%s", error.message);
	if (!ma_db_add_type(db, &library_book_type, &error))
		fail("the Book type: %s", error.message);
	return db;
}

static const char *
collection_of(const ma_type *type)
{
	return type->collection != NULL ? type->collection : type->name;
}

static const char *
book_collection(void)
{
	return collection_of(&library_book_type);
}

static void
drop_collection(ma_db *db, const char *name)
{
	mongoc_collection_t *coll;
	bson_error_t berr;
	ma_error error;

	coll = ma_db_collection(db, name, &error);
	if (coll == NULL)
		fail("%s", error.message);
	/* Servers before MongoDB 7 refuse to drop what is not there: that
	 * is the state asked for. */
	if (!mongoc_collection_drop(coll, &berr) &&
	    berr.code != NAMESPACE_NOT_FOUND &&
	    strstr(berr.message, "ns not found") == NULL)
		fail("dropping %s: %s", name, berr.message);
	mongoc_collection_destroy(coll);
}

static void
drop_books(ma_db *db)
{
	drop_collection(db, book_collection());
}

/*
 * Book i of the collection, in its stored form. Ids and titles are unique
 * and in load order; years cycle through the century with a stride prime to
 * 100, so that about n / 100 books share each year and the title decides
 * between them, as the second sort key must.
 */
static void
make_book(long i, bson_t *out)
{
	char json[256];
	char id[25];
	ma_error error;
	int len;

	/* Fixed ids, "65" then i + 1 in hex: bench/run's clients pick books
	 * by number. */
	snprintf(id, sizeof(id), "65%022lx", (unsigned long)i + 1);
	len = snprintf(
		json, sizeof(json),
		"{\"_id\":\"%s\",\"title\":\"Book %05ld\","
		"\"author\":{\"name\":\"%s\"},\"year\":%ld}",
		id, i + 1,
		authors[i % (long)(sizeof(authors) / sizeof(authors[0]))],
		1900 + (i * 37) % 100);
	if (len < 0 || (size_t)len >= sizeof(json))
		fail("book %ld does not fit its buffer", i + 1);
	/* Through the library's own conversion: the stored form is the one
	 * ma_doc_save() writes, and every book is checked against the type. */
	if (!ma_json_to_bson(&library_book_type, json, (size_t)len, out, NULL,
			     &error))
		fail("book %ld: %s", i + 1, error.message);
}

/*
 * Loan i (from 1; k = i - 1), in its stored form: of book i, due on a day of
 * 2030, owned by one of 50 readers. Fixed ids, "66" then i in hex, as the
 * books': bench/run's clients and bench/validate.py pick loans by number.
 */
static void
make_loan(long k, bson_t *out)
{
	long i = k + 1;
	char json[256];
	ma_error error;
	int len;

	len = snprintf(json, sizeof(json),
		       "{\"_id\":\"66%022lx\",\"book\":\"65%022lx\","
		       "\"due\":\"2030-%02ld-%02ldT00:00:00Z\","
		       "\"owner\":\"reader-%02ld\"}",
		       (unsigned long)i, (unsigned long)i, 1 + i % 12,
		       1 + i % 28, i % 50);
	if (len < 0 || (size_t)len >= sizeof(json))
		fail("loan %ld does not fit its buffer", i);
	if (!ma_json_to_bson(&library_loan_type, json, (size_t)len, out, NULL,
			     &error))
		fail("loan %ld: %s", i, error.message);
}

/*
 * Drops the collection of TYPE and inserts N documents, document k (from
 * 0) made by MAKE, in batches of LOAD_BATCH.
 */
static void
fill_collection(ma_db *db, const ma_type *type, long n,
		void (*make)(long k, bson_t *out))
{
	bson_t docs[LOAD_BATCH];
	const bson_t *ptrs[LOAD_BATCH];
	mongoc_collection_t *coll;
	bson_error_t berr;
	ma_error error;
	long i, k, j;

	drop_collection(db, collection_of(type));
	coll = ma_db_collection(db, collection_of(type), &error);
	if (coll == NULL)
		fail("%s", error.message);

	for (i = 0; i < n; i += k) {
		k = n - i < LOAD_BATCH ? n - i : LOAD_BATCH;
		for (j = 0; j < k; j++) {
			make(i + j, &docs[j]);
			ptrs[j] = &docs[j];
		}
		if (!mongoc_collection_insert_many(coll, ptrs, (size_t)k, NULL,
						   NULL, &berr))
			fail("inserting %s %ld to %ld: %s", type->name, i + 1,
			     i + k, berr.message);
		for (j = 0; j < k; j++)
			bson_destroy(&docs[j]);
	}
	mongoc_collection_destroy(coll);
}

/* N loans, for reads by id. */
static void
load_loans(ma_db *db, long n)
{
	fill_collection(db, &library_loan_type, n, make_loan);
	printf("loaded %ld loans into %s.%s\n", n,
	       ma_config_database(ma_db_config(db)),
	       collection_of(&library_loan_type));
}

static void
load(ma_db *db, long n)
{
	ma_error error;
	ma_query *q;
	int64_t count;
	double t0;

	t0 = now_ms();
	fill_collection(db, &library_book_type, n, make_book);

	/* After the load, as a real import would: one index build instead
	 * of n index updates. */
	if (!ma_db_ensure_indexes(db, &error))
		fail("indexes: %s", error.message);

	q = ma_query_new(db, &library_book_type);
	if (!ma_query_count(q, &count, &error))
		fail("counting: %s", error.message);
	if (count != n)
		fail("loaded %ld books, the collection holds %lld", n,
		     (long long)count);
	ma_query_destroy(q);

	printf("loaded %ld books into %s.%s in %.1f s\n", n,
	       ma_config_database(ma_db_config(db)), book_collection(),
	       (now_ms() - t0) / 1e3);
}

/* Items in the sort's order: year descending, then title. */
static void
check_order(const ma_page *page, const char *what)
{
	const char *title, *prev_title = NULL;
	int64_t year, prev_year = 0;
	size_t i;

	for (i = 0; i < ma_page_count(page); i++) {
		if (!ma_doc_get_int(ma_page_item(page, i), "year", &year) ||
		    !ma_doc_get_string(ma_page_item(page, i), "title", &title))
			fail("%s: item %zu lacks its year or title", what, i);
		if (prev_title != NULL &&
		    (year > prev_year ||
		     (year == prev_year && strcmp(title, prev_title) <= 0)))
			fail("%s: item %zu (%lld, %s) is out of order after "
			     "(%lld, %s)",
			     what, i, (long long)year, title,
			     (long long)prev_year, prev_title);
		prev_year = year;
		prev_title = title;
	}
}

static void
page_ids(const ma_page *page, bson_oid_t *ids, const char *what)
{
	size_t i;

	if (ma_page_count(page) != PER_PAGE)
		fail("%s holds %zu items, not %d", what, ma_page_count(page),
		     PER_PAGE);
	for (i = 0; i < PER_PAGE; i++)
		if (!ma_doc_id(ma_page_item(page, i), &ids[i]))
			fail("%s: item %zu has no id", what, i);
}

/* A measured page: the depth's items, and the total only when asked. */
static void
check_page(const ma_page *page, const struct depth *d, const struct mode *m,
	   int64_t count)
{
	bson_oid_t ids[PER_PAGE];
	char what[64], want[25], got[25];
	int64_t total;
	size_t i;

	snprintf(what, sizeof(what), "%s page %lld", m->name,
		 (long long)d->page);
	page_ids(page, ids, what);
	for (i = 0; i < PER_PAGE; i++) {
		if (!bson_oid_equal(&ids[i], &d->ids[i])) {
			bson_oid_to_string(&d->ids[i], want);
			bson_oid_to_string(&ids[i], got);
			fail("%s: item %zu is %s, offset page %lld has %s",
			     what, i, got, (long long)d->page, want);
		}
	}
	if (m->no_total) {
		if (ma_page_total(page, &total))
			fail("%s: a total (%lld) without asking", what,
			     (long long)total);
	} else if (!ma_page_total(page, &total) || total != count) {
		fail("%s: no total, or not %lld", what, (long long)count);
	}
	if (!ma_page_has_next(page) != (d->page * PER_PAGE >= count))
		fail("%s: has_next is %s", what,
		     ma_page_has_next(page) ? "true" : "false");
}

/* The page every mode must give at this depth, and the keyset token that
 * leads to it, found outside any timing. */
static void
prepare_depth(ma_query *q, struct depth *d, int64_t count)
{
	const ma_page_opts no_total = {.no_total = true};
	ma_page *page, *prev;
	ma_error error;
	char what[64];
	int64_t total;

	snprintf(what, sizeof(what), "offset page %lld", (long long)d->page);
	page = ma_query_paginate(q, d->page, PER_PAGE, true, &error);
	if (page == NULL)
		fail("%s: %s", what, error.message);
	page_ids(page, d->ids, what);
	check_order(page, what);
	if (!ma_page_total(page, &total) || total != count)
		fail("%s: the total is not %lld", what, (long long)count);
	ma_page_destroy(page);

	d->after = NULL;
	if (d->page == 1)
		return;
	prev = ma_query_paginate_with_opts(q, d->page - 1, PER_PAGE, true,
					   &no_total, &error);
	if (prev == NULL)
		fail("offset page %lld: %s", (long long)d->page - 1,
		     error.message);
	if (ma_page_after(prev) == NULL)
		fail("offset page %lld has no after token",
		     (long long)d->page - 1);
	d->after = bson_strdup(ma_page_after(prev));
	ma_page_destroy(prev);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *v, long n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void
pages(ma_db *db, long repeats, const int64_t *depth_pages, size_t n_depths)
{
	struct depth depths[MAX_DEPTHS];
	double med[N_MODES][MAX_DEPTHS];
	double *times;
	ma_page_opts opts;
	ma_error error;
	ma_page *page;
	ma_query *q;
	int64_t count;
	double t0, t1, started;
	size_t m, d;
	long r;

	started = now_ms();
	q = ma_query_new(db, &library_book_type);
	if (!ma_query_sort(q, "-year", &error) ||
	    !ma_query_sort(q, "title", &error))
		fail("sorting: %s", error.message);
	if (!ma_query_count(q, &count, &error))
		fail("counting: %s", error.message);
	for (d = 0; d < n_depths; d++)
		if (depth_pages[d] * PER_PAGE > count)
			fail("page %lld needs %lld books, the collection holds "
			     "%lld: load more",
			     (long long)depth_pages[d],
			     (long long)depth_pages[d] * PER_PAGE,
			     (long long)count);

	for (d = 0; d < n_depths; d++) {
		depths[d].page = depth_pages[d];
		prepare_depth(q, &depths[d], count);
	}

	times = calloc((size_t)repeats * N_MODES * n_depths, sizeof(*times));
	if (times == NULL)
		fail("out of memory");

	/* Round robin, not one mode after the other: a slow patch of the
	 * machine then costs every mode alike instead of one. */
	for (r = 0; r < repeats; r++) {
		for (d = 0; d < n_depths; d++) {
			for (m = 0; m < N_MODES; m++) {
				opts = (ma_page_opts){
					.no_total = modes[m].no_total,
					.keyset = modes[m].keyset,
					.after = modes[m].keyset
							 ? depths[d].after
							 : NULL,
				};
				t0 = now_ms();
				page = ma_query_paginate_with_opts(
					q, depths[d].page, PER_PAGE, true,
					&opts, &error);
				t1 = now_ms();
				if (page == NULL)
					fail("%s page %lld: %s", modes[m].name,
					     (long long)depths[d].page,
					     error.message);
				check_page(page, &depths[d], &modes[m], count);
				ma_page_destroy(page);
				times[(m * n_depths + d) * (size_t)repeats +
				      (size_t)r] = t1 - t0;
			}
		}
	}

	for (m = 0; m < N_MODES; m++)
		for (d = 0; d < n_depths; d++)
			med[m][d] = median(
				&times[(m * n_depths + d) * (size_t)repeats],
				repeats);

	printf("%lld books in %s.%s, %d per page, sorted by -year, title; "
	       "median of %ld runs per page\n\n",
	       (long long)count, ma_config_database(ma_db_config(db)),
	       book_collection(), PER_PAGE, repeats);
	printf("%-14s %6s %11s %16s\n", "mode", "page", "median ms",
	       "ratio to page 1");
	for (m = 0; m < N_MODES; m++)
		for (d = 0; d < n_depths; d++)
			printf("%-14s %6lld %11.2f %16.2f\n", modes[m].name,
			       (long long)depths[d].page, med[m][d],
			       med[m][d] / med[m][0]);
	putchar('\n');
	for (m = 0; m < N_MODES; m++)
		for (d = 0; d < n_depths; d++)
			printf("result mode=%s page=%lld median_ms=%.3f "
			       "ratio=%.6f\n",
			       modes[m].name, (long long)depths[d].page,
			       med[m][d], med[m][d] / med[m][0]);
	printf("checked %ld pages in %.1f s\n",
	       repeats * (long)(N_MODES * n_depths),
	       (now_ms() - started) / 1e3);

	free(times);
	for (d = 0; d < n_depths; d++)
		bson_free(depths[d].after);
	ma_query_destroy(q);
}

static bool
is_command(const char *s)
{
	return strcmp(s, "load") == 0 || strcmp(s, "loans") == 0 ||
	       strcmp(s, "pages") == 0 || strcmp(s, "drop") == 0;
}

int
main(int argc, char **argv)
{
	int64_t depth_pages[MAX_DEPTHS] = {1, 100, 1000};
	size_t n_depths = 3;
	long repeats = DEFAULT_REPEATS;
	long books = 0, loans = 0;
	bool do_pages = false, do_drop = false;
	long n;
	ma_db *db;
	int i = 1;

	if (argc < 2)
		usage();

	/* load, loans, pages and drop, in that order, each at most once. */
	if (strcmp(argv[i], "load") == 0) {
		if (i + 1 >= argc || !parse_count(argv[i + 1], 1, &books))
			usage();
		i += 2;
	}
	if (i < argc && strcmp(argv[i], "loans") == 0) {
		if (i + 1 >= argc || !parse_count(argv[i + 1], 1, &loans))
			usage();
		i += 2;
	}
	if (i < argc && strcmp(argv[i], "pages") == 0) {
		do_pages = true;
		i++;
		if (i < argc && strcmp(argv[i], "-r") == 0) {
			if (i + 1 >= argc ||
			    !parse_count(argv[i + 1], 1, &repeats))
				usage();
			i += 2;
		}
		if (i < argc && !is_command(argv[i])) {
			/* The ratios are to page 1, so page 1 always comes
			 * first, whether it is given or not. */
			n_depths = 1;
			for (; i < argc && !is_command(argv[i]); i++) {
				if (!parse_count(argv[i], 1, &n))
					usage();
				if (n == 1)
					continue;
				if (n_depths == MAX_DEPTHS)
					usage();
				depth_pages[n_depths++] = n;
			}
		}
	}
	if (i < argc && strcmp(argv[i], "drop") == 0) {
		do_drop = true;
		i++;
	}
	if (i != argc || (books == 0 && loans == 0 && !do_pages && !do_drop))
		usage();

	db = open_db();
	if (books > 0)
		load(db, books);
	if (loans > 0)
		load_loans(db, loans);
	if (do_pages)
		pages(db, repeats, depth_pages, n_depths);
	if (do_drop)
		drop_books(db);
	ma_db_destroy(db);
	ma_cleanup();
	return 0;
}
