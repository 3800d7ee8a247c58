/*
 * fuzz_bulk: a bulk create's body (a POST of a JSON array) through
 * ma_docs_new_from_json() with the library's Book and Author, at the
 * default maximum of items.
 *
 * Beyond "no crash, no leak, no undefined behaviour", each input checks:
 * - a refusal gives no documents and is MA_ERR_JSON, MA_ERR_INVALID (an
 *   empty array) or MA_ERR_TOO_LARGE (no problems), or MA_ERR_VALIDATION
 *   with at least one problem, each named "[i]..." with i an index of the
 *   array, below the maximum; its message is UTF-8;
 * - what is accepted is 1 to the maximum documents, each valid and free
 *   of '$' and '.' keys at any depth, and each is exactly what the same
 *   item sent alone gives (ma_json_to_bson() of its JSON written back).
 */
#include "fuzz.h"
#include "library.h"

#define MAX_ITEMS 100

static const ma_type *const types[] = {&library_book_type,
				       &library_author_type};

#define N_TYPES (sizeof(types) / sizeof(types[0]))

#define SAFE_KEYS                                                              \
	(BSON_VALIDATE_UTF8 | BSON_VALIDATE_UTF8_ALLOW_NULL |                  \
	 BSON_VALIDATE_DOLLAR_KEYS | BSON_VALIDATE_DOT_KEYS)

static void
cleanup(void)
{
	ma_cleanup();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	atexit(cleanup);
	return 0;
}

/* "[i]" at the start of a problem's field, i below max. */
static bool
indexed(const char *field, size_t max)
{
	char *end;
	unsigned long i;

	if (field[0] != '[' || field[1] < '0' || field[1] > '9')
		return false;
	i = strtoul(field + 1, &end, 10);
	return *end == ']' && i < max;
}

static void
check_refusal(const ma_error *e, const ma_problems *problems)
{
	size_t i, n = ma_problems_count(problems);

	CHECK(e->message[0] != '\0' && fuzz_utf8(e->message));
	if (e->code != MA_ERR_VALIDATION) {
		CHECK(e->code == MA_ERR_JSON || e->code == MA_ERR_INVALID ||
		      e->code == MA_ERR_TOO_LARGE);
		CHECK(n == 0);
		return;
	}
	CHECK(n > 0);
	for (i = 0; i < n; i++)
		CHECK(indexed(ma_problems_field(problems, i), MAX_ITEMS));
}

/* doc is what its JSON, sent alone, converts to. */
static void
check_alone(const ma_type *type, const ma_doc *doc)
{
	size_t len;
	char *json = ma_doc_to_json(doc, &len);
	bson_t again;
	ma_error e;

	CHECK(ma_json_to_bson(type, json, len, &again, NULL, &e));
	CHECK(bson_equal(&again, ma_doc_bson(doc)));
	bson_destroy(&again);
	bson_free(json);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ma_problems *problems = ma_problems_new();
	ma_doc **docs;
	size_t t, i, n;
	ma_error e;

	for (t = 0; t < N_TYPES; t++) {
		docs = ma_docs_new_from_json(types[t], (const char *)data, size,
					     MAX_ITEMS, &n, problems, &e);
		if (docs == NULL) {
			CHECK(n == 0);
			check_refusal(&e, problems);
			continue;
		}
		CHECK(n >= 1 && n <= MAX_ITEMS);
		CHECK(e.code == MA_OK && ma_problems_count(problems) == 0);
		for (i = 0; i < n; i++) {
			CHECK(ma_doc_type(docs[i]) == types[t]);
			CHECK(bson_validate(ma_doc_bson(docs[i]), SAFE_KEYS,
					    NULL));
			CHECK(ma_doc_validate(docs[i], NULL, &e));
			check_alone(types[t], docs[i]);
		}
		ma_docs_destroy(docs, n);
	}
	ma_problems_destroy(problems);
	return 0;
}
