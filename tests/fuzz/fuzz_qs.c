/*
 * fuzz_qs: a query string as a client sends it, through everything a list
 * request does with it before MongoDB is asked: _ma_qs_parse(), the list
 * grammar (_ma_list_params(): page, per_page, sort, fields, filters) on
 * the library's Book and on a Copy with lists and embedded documents
 * three deep, the filter, sort, projection and find options built from
 * it, and the Link header of the page.
 *
 * Beyond "no crash, no leak, no undefined behaviour", each input checks:
 * - decoded names and values are UTF-8 without NUL, and encoding them
 *   with _ma_qs_encode() and parsing again gives the same pairs;
 * - a refusal is a 400 (or the 404 of a page below 1) with a UTF-8
 *   message; an acceptance gives 1 <= page and 1 <= per_page <= 100;
 * - the filter holds only the type's field names (a dotted path: down
 *   through embedded documents only, never into a list), $and, and the
 *   operators of the grammar, each with a value of the field's kind (of
 *   an item, for a list); a startswith is a literal prefix (every
 *   regular-expression character escaped); an in, nin or all list holds
 *   at most MA_MAX_IN_VALUES values; all and size are on lists only, a
 *   size an int32 of 0 or more;
 * - the sort and the projection name the type's fields only;
 * - the Link header is header-safe, and its first link, parsed back,
 *   carries the request's parameters in order, then page and per_page;
 * - embed= read for the example's Review (_ma_embed_read()) names its
 *   one declared reference at most once, or is a 400 about embed.
 */
#include "fuzz.h"
#include "app/app-private.h"
#include "http/http-private.h"
#include "library.h"
#include "path_types.h"
#include "query/query-private.h"

static ma_db *db;

static void
cleanup(void)
{
	ma_db_destroy(db);
	ma_cleanup();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	db = fuzz_db("fuzz_qs");
	atexit(cleanup);
	return 0;
}

/* --- the parsed query string --------------------------------------------- */

static void
check_pairs(const ma_qs *qs)
{
	ma_qs again;
	ma_error e;
	ma_buf b;
	size_t i;

	CHECK(qs->n <= MA_QS_MAX_PAIRS);
	CHECK((qs->n == 0) == (qs->pairs == NULL));
	_ma_buf_init(&b, 64);
	for (i = 0; i < qs->n; i++) {
		CHECK(qs->pairs[i].name != NULL && qs->pairs[i].value != NULL);
		CHECK(fuzz_utf8(qs->pairs[i].name));
		CHECK(fuzz_utf8(qs->pairs[i].value));
		if (i > 0)
			_ma_buf_putc(&b, '&');
		_ma_qs_encode(&b, qs->pairs[i].name);
		_ma_buf_putc(&b, '=');
		_ma_qs_encode(&b, qs->pairs[i].value);
	}
	_ma_buf_reserve(&b, 0);
	b.data[b.len] = '\0';

	/* What the Link header does with them must give them back. */
	CHECK(_ma_qs_parse(b.data, &again, &e));
	CHECK(again.n == qs->n);
	for (i = 0; i < qs->n; i++) {
		CHECK(strcmp(again.pairs[i].name, qs->pairs[i].name) == 0);
		CHECK(strcmp(again.pairs[i].value, qs->pairs[i].value) == 0);
	}
	_ma_qs_destroy(&again);
	_ma_buf_destroy(&b);
}

/* --- the filter ----------------------------------------------------------- */

/* The field of type at this database path: database names, each part
 * but the last an embedded document; NULL for the id. */
static bool
type_field(const ma_type *type, const char *key, const ma_field **field)
{
	const char *dot;
	const ma_field *f;
	size_t n;

	*field = NULL;
	if (strcmp(key, "_id") == 0)
		return true;
	for (;;) {
		dot = strchr(key, '.');
		n = dot != NULL ? (size_t)(dot - key) : strlen(key);
		for (f = type->fields; f->kind != MA_KIND_NONE; f++) {
			if (strlen(ma_field_db_name(f)) == n &&
			    strncmp(ma_field_db_name(f), key, n) == 0)
				break;
		}
		if (f->kind == MA_KIND_NONE)
			return false;
		if (dot == NULL)
			break;
		/* A client's path never goes into a list. */
		if (f->kind != MA_KIND_DOCUMENT)
			return false;
		type = f->type;
		key = dot + 1;
	}
	*field = f;
	return true;
}

/* A value compared with field (NULL: the id) has the field's kind; with a
 * list, its item's. */
static void
check_value(const ma_field *field, const bson_iter_t *it)
{
	if (field != NULL && field->kind == MA_KIND_LIST)
		field = field->item;
	if (field == NULL || field->kind == MA_KIND_REF) {
		CHECK(BSON_ITER_HOLDS_OID(it));
		return;
	}
	switch (field->kind) {
	case MA_KIND_STRING:
		CHECK(BSON_ITER_HOLDS_UTF8(it));
		break;
	case MA_KIND_INT:
		/* Of the kind, not within the bounds: "year__lte=20100" is a
		 * fair question about years that are all below it. */
		CHECK(BSON_ITER_HOLDS_INT64(it));
		break;
	default:
		/* An embedded document, or a list of them, is never
		 * compared (only exists and size). */
		CHECK(false);
	}
}

/* "^" then the prefix, every character a regular expression gives a
 * meaning to escaped, nothing else escaped. */
static void
check_literal_prefix(const char *re)
{
	static const char special[] = "\\^$.|?*+()[]{}";
	const char *p;

	CHECK(re[0] == '^');
	for (p = re + 1; *p != '\0'; p++) {
		if (*p == '\\') {
			p++;
			CHECK(*p != '\0' && strchr(special, *p) != NULL);
			continue;
		}
		CHECK(strchr(special, *p) == NULL);
	}
}

static void
check_condition(const ma_field *field, bson_iter_t *cond)
{
	bson_iter_t items;
	const char *op;
	uint32_t n;

	while (bson_iter_next(cond)) {
		op = bson_iter_key(cond);
		if (strcmp(op, "$exists") == 0) {
			CHECK(BSON_ITER_HOLDS_BOOL(cond));
			continue;
		}
		/* Past exists, an embedded document has nothing. */
		CHECK(field == NULL || field->kind != MA_KIND_DOCUMENT);
		if (strcmp(op, "$size") == 0) {
			CHECK(field != NULL && field->kind == MA_KIND_LIST);
			CHECK(BSON_ITER_HOLDS_INT32(cond));
			CHECK(bson_iter_int32(cond) >= 0);
			continue;
		}
		if (strcmp(op, "$regex") == 0) {
			CHECK(field != NULL &&
			      (field->kind == MA_KIND_STRING ||
			       (field->kind == MA_KIND_LIST &&
				field->item->kind == MA_KIND_STRING)));
			CHECK(BSON_ITER_HOLDS_UTF8(cond));
			check_literal_prefix(bson_iter_utf8(cond, NULL));
		} else if (strcmp(op, "$in") == 0 || strcmp(op, "$nin") == 0 ||
			   strcmp(op, "$all") == 0) {
			CHECK(op[1] != 'a' ||
			      (field != NULL && field->kind == MA_KIND_LIST));
			CHECK(BSON_ITER_HOLDS_ARRAY(cond));
			CHECK(bson_iter_recurse(cond, &items));
			for (n = 0; bson_iter_next(&items); n++)
				check_value(field, &items);
			CHECK(n >= 1 && n <= MA_MAX_IN_VALUES);
		} else {
			CHECK(strcmp(op, "$ne") == 0 ||
			      strcmp(op, "$gt") == 0 ||
			      strcmp(op, "$gte") == 0 ||
			      strcmp(op, "$lt") == 0 ||
			      strcmp(op, "$lte") == 0);
			check_value(field, cond);
		}
	}
}

static void
check_clauses(const ma_type *type, const bson_t *doc, bool top)
{
	bson_iter_t it, child;
	const ma_field *field;
	const uint8_t *data;
	uint32_t len;
	bson_t clause;

	CHECK(bson_iter_init(&it, doc));
	while (bson_iter_next(&it)) {
		const char *key = bson_iter_key(&it);

		if (strcmp(key, "$and") == 0) {
			/* The list of clauses on a name seen before, once. */
			CHECK(top && BSON_ITER_HOLDS_ARRAY(&it));
			CHECK(bson_iter_recurse(&it, &child));
			while (bson_iter_next(&child)) {
				CHECK(BSON_ITER_HOLDS_DOCUMENT(&child));
				bson_iter_document(&child, &len, &data);
				CHECK(bson_init_static(&clause, data, len));
				check_clauses(type, &clause, false);
			}
			continue;
		}
		CHECK(type_field(type, key, &field));
		if (BSON_ITER_HOLDS_DOCUMENT(&it)) {
			CHECK(bson_iter_recurse(&it, &child));
			check_condition(field, &child);
		} else {
			check_value(field, &it);
		}
	}
}

/* Sort and projection: the type's names only, 1 or -1. */
static void
check_keys(const ma_type *type, const bson_t *doc, bool sort)
{
	const ma_field *field;
	bson_iter_t it;

	CHECK(bson_iter_init(&it, doc));
	while (bson_iter_next(&it)) {
		CHECK(type_field(type, bson_iter_key(&it), &field));
		CHECK(BSON_ITER_HOLDS_INT32(&it));
		CHECK(bson_iter_int32(&it) == 1 ||
		      (sort && bson_iter_int32(&it) == -1));
		/* A document or a list is no sort key. */
		CHECK(!sort || field == NULL ||
		      (field->kind != MA_KIND_DOCUMENT &&
		       field->kind != MA_KIND_LIST));
	}
}

/* --- the Link header ------------------------------------------------------ */

/*
 * The first link, "</books?...&page=1&per_page=N>; rel=\"first\"", parsed
 * back: the request's pairs but page and per_page, in order, then those.
 */
static void
check_first_link(const char *links, const ma_qs *qs, int64_t per_page)
{
	const char *start = links + strlen("</books?");
	const char *end = strchr(start, '>');
	char want_pp[32];
	char *query;
	ma_qs back;
	ma_error e;
	size_t i, j = 0;

	CHECK(strncmp(links, "</books?", 8) == 0 && end != NULL);
	CHECK(strncmp(end, ">; rel=\"first\"", 14) == 0);
	/* Nothing in a link can close it early or quote. */
	CHECK(memchr(start, '<', (size_t)(end - start)) == NULL);
	CHECK(memchr(start, ' ', (size_t)(end - start)) == NULL);
	CHECK(memchr(start, '"', (size_t)(end - start)) == NULL);

	query = bson_strndup(start, (size_t)(end - start));
	CHECK(_ma_qs_parse(query, &back, &e));
	for (i = 0; i < qs->n; i++) {
		if (strcmp(qs->pairs[i].name, "page") == 0 ||
		    strcmp(qs->pairs[i].name, "per_page") == 0)
			continue;
		CHECK(j < back.n);
		CHECK(strcmp(back.pairs[j].name, qs->pairs[i].name) == 0);
		CHECK(strcmp(back.pairs[j].value, qs->pairs[i].value) == 0);
		j++;
	}
	snprintf(want_pp, sizeof(want_pp), "%" PRId64, per_page);
	CHECK(back.n == j + 2);
	CHECK(strcmp(back.pairs[j].name, "page") == 0);
	CHECK(strcmp(back.pairs[j].value, "1") == 0);
	CHECK(strcmp(back.pairs[j + 1].name, "per_page") == 0);
	CHECK(strcmp(back.pairs[j + 1].value, want_pp) == 0);
	_ma_qs_destroy(&back);
	bson_free(query);
}

static void
check_links(const ma_qs *qs, int64_t page, int64_t per_page)
{
	ma_buf links;

	_ma_buf_init(&links, 256);
	/* The widest header: every rel, the last page as far as page. */
	_ma_page_links(&links, "/books", qs, page, per_page, page, true);
	CHECK(fuzz_header_safe(links.data, links.len));
	check_first_link(links.data, qs, per_page);
	_ma_buf_destroy(&links);
}

/* --- the target ----------------------------------------------------------- */

static void
check_accepted(ma_query *q, const ma_qs *qs, int64_t page, int64_t per_page)
{
	bson_t sort, proj, opts;
	int64_t skip = 0;

	CHECK(page >= 1);
	CHECK(per_page >= 1 && per_page <= MA_MAX_PER_PAGE);
	check_clauses(ma_query_type(q), ma_query_filter_bson(q), true);

	_ma_query_sort_doc(q, true, false, &sort);
	check_keys(ma_query_type(q), &sort, true);
	bson_destroy(&sort);
	_ma_query_projection(q, &proj);
	check_keys(ma_query_type(q), &proj, false);
	bson_destroy(&proj);

	/* A page too far for 64 bits is a 404 before anything is sent. */
	if (_ma_page_offset(page, per_page, &skip)) {
		CHECK(skip >= 0 && skip / per_page == page - 1);
		bson_init(&opts);
		_ma_query_find_opts(q, true, false, skip, per_page + 1, &opts);
		CHECK(bson_validate(&opts, BSON_VALIDATE_UTF8, NULL));
		bson_destroy(&opts);
	}
	check_links(qs, page, per_page);
}

static void
check_refused(const ma_error *e)
{
	CHECK(e->code == MA_ERR_INVALID || e->code == MA_ERR_NOT_FOUND);
	CHECK(e->message[0] != '\0');
	CHECK(fuzz_utf8(e->message));
	if (e->code == MA_ERR_NOT_FOUND)
		CHECK(strncmp(e->message, "page ", 5) == 0 &&
		      strstr(e->message, " does not exist: pages start at 1") !=
			      NULL);
}

/* embed= on the example's Review (book declared embeddable): what is
 * taken names declared reference fields, each once; a refusal is a 400
 * about embed, in UTF-8. */
static void
check_embed(const ma_qs *qs)
{
	static const char *const embeddable[] = {"book", NULL};
	ma_embed_req em;
	ma_error e;
	size_t i, j;

	if (!_ma_embed_read(qs, &library_review_type, embeddable, &em, &e)) {
		CHECK(e.code == MA_ERR_INVALID && fuzz_utf8(e.message));
		CHECK(strncmp(e.message, "embed: ", 7) == 0);
		return;
	}
	CHECK(e.code == MA_OK && em.n <= 1);
	CHECK(em.n == 0 || _ma_qs_count(qs, "embed") == 1);
	for (i = 0; i < em.n; i++) {
		CHECK(em.fields[i]->kind == MA_KIND_REF);
		CHECK(strcmp(em.fields[i]->name, "book") == 0);
		for (j = 0; j < i; j++)
			CHECK(em.fields[j] != em.fields[i]);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const ma_type *const types[] = {&library_book_type, &copy_type};
	char *text = fuzz_text(data, size);
	int64_t page, per_page;
	ma_query *q;
	ma_error e;
	ma_qs qs;
	size_t i;

	if (!_ma_qs_parse(text, &qs, &e)) {
		CHECK(e.code == MA_ERR_INVALID && fuzz_utf8(e.message));
		CHECK(qs.n == 0 && qs.pairs == NULL);
		bson_free(text);
		return 0;
	}
	check_pairs(&qs);
	check_embed(&qs);

	for (i = 0; i < 2; i++) {
		q = ma_query_new(db, types[i]);
		page = per_page = -7;
		if (_ma_list_params(&qs, q, MA_MAX_PER_PAGE, NULL, &page,
				    &per_page, &e)) {
			CHECK(e.code == MA_OK);
			check_accepted(q, &qs, page, per_page);
		} else {
			check_refused(&e);
			CHECK(page == -7 && per_page == -7);
		}
		ma_query_destroy(q);
	}
	_ma_qs_destroy(&qs);
	bson_free(text);
	return 0;
}
