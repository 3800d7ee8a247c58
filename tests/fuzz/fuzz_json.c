/*
 * fuzz_json: a request body as a client sends it, through what POST, PUT
 * and PATCH do with it: ma_json_to_bson() and ma_update_new_from_json()
 * with the library's Book and Author, and with the types of the
 * conversion cases (tests/unit/case_types.h), which use every field kind
 * and option between them.
 *
 * Beyond "no crash, no leak, no undefined behaviour", each input checks,
 * for every type:
 * - a refusal is MA_ERR_JSON (no problems) or MA_ERR_VALIDATION (at least
 *   one problem), with a UTF-8 message;
 * - what is accepted holds no key with '$' or '.' at any depth, is valid
 *   UTF-8, passes ma_doc_validate() (the checks of documents read back),
 *   and goes round: ma_json_from_bson() succeeds, its JSON converts to the
 *   same BSON, and that BSON gives the same JSON;
 * - an update is a $set of declared fields only, never of _id, and the
 *   body of an accepted document is also an accepted update.
 */
#include "case_types.h"
#include "fuzz.h"
#include "library.h"
#include "config/config-private.h"
#include "query/query-private.h"

/* The id of the document a PATCH goes to: a body may repeat it. */
#define PATCHED_ID "5f0000000000000000000b01"

static const ma_type *const types[] = {
	&library_book_type, &library_author_type, &case_kinds_type,
	&case_bounds_type,  &case_options_type,	  &case_nullable_type,
	&case_nested_type,
};

#define N_TYPES (sizeof(types) / sizeof(types[0]))

/* Keys a client could use to reach MongoDB's operators or paths. */
#define SAFE_KEYS                                                              \
	(BSON_VALIDATE_UTF8 | BSON_VALIDATE_UTF8_ALLOW_NULL |                  \
	 BSON_VALIDATE_DOLLAR_KEYS | BSON_VALIDATE_DOT_KEYS)

static bson_oid_t patched_id;

static void
cleanup(void)
{
	ma_cleanup();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	ma_error e;
	size_t i;

	(void)argc;
	(void)argv;
	bson_oid_init_from_string(&patched_id, PATCHED_ID);
	/* A type the library refuses would make every input a refusal. */
	for (i = 0; i < N_TYPES; i++) {
		if (!ma_type_check(types[i], &e)) {
			fprintf(stderr, "fuzz_json: %s: %s\n", types[i]->name,
				e.message);
			abort();
		}
	}
	atexit(cleanup);
	return 0;
}

static void
check_refusal(const ma_error *e, const ma_problems *problems, bool update)
{
	CHECK(e->message[0] != '\0' && fuzz_utf8(e->message));
	if (e->code == MA_ERR_JSON) {
		CHECK(ma_problems_count(problems) == 0);
		return;
	}
	/* Only an update can name another document. */
	if (update && e->code == MA_ERR_INVALID) {
		CHECK(strcmp(e->message,
			     "_id: an update cannot change the id") == 0);
		return;
	}
	CHECK(e->code == MA_ERR_VALIDATION);
	CHECK(ma_problems_count(problems) > 0);
}

/* BSON -> JSON -> BSON gives the same BSON, and the same JSON again. */
static void
check_round_trip(const ma_type *type, const bson_t *bson)
{
	ma_problems *problems = ma_problems_new();
	char *json, *json2;
	size_t len, len2;
	bson_t again;
	ma_error e;
	ma_doc *doc;

	json = ma_json_from_bson(type, bson, &len);
	CHECK(json != NULL);
	CHECK(strlen(json) == len && fuzz_utf8(json));
	CHECK(ma_json_to_bson(type, json, len, &again, problems, &e));
	CHECK(bson_equal(bson, &again));
	json2 = ma_json_from_bson(type, &again, &len2);
	CHECK(json2 != NULL && len2 == len && memcmp(json, json2, len) == 0);

	/* What input accepts, the checks of a stored document accept. */
	doc = ma_doc_new_from_bson(type, bson);
	CHECK(ma_doc_validate(doc, problems, &e));

	ma_doc_destroy(doc);
	bson_free(json2);
	bson_free(json);
	bson_destroy(&again);
	ma_problems_destroy(problems);
}

/* {"$set": {declared fields' database names...}}, or nothing at all. */
static void
check_update(const ma_type *type, const bson_t *update)
{
	bson_iter_t it, set;
	const ma_field *f;
	bool declared;

	CHECK(bson_iter_init(&it, update));
	while (bson_iter_next(&it)) {
		CHECK(strcmp(bson_iter_key(&it), "$set") == 0);
		CHECK(BSON_ITER_HOLDS_DOCUMENT(&it));
		CHECK(bson_iter_recurse(&it, &set));
		while (bson_iter_next(&set)) {
			declared = false;
			for (f = type->fields; f->kind != MA_KIND_NONE; f++)
				declared = declared ||
					   strcmp(ma_field_db_name(f),
						  bson_iter_key(&set)) == 0;
			CHECK(declared);
			/* A value with keys of its own: the same rule. */
			if (BSON_ITER_HOLDS_DOCUMENT(&set) ||
			    BSON_ITER_HOLDS_ARRAY(&set)) {
				const uint8_t *data;
				uint32_t len;
				bson_t inner;

				if (BSON_ITER_HOLDS_DOCUMENT(&set))
					bson_iter_document(&set, &len, &data);
				else
					bson_iter_array(&set, &len, &data);
				CHECK(bson_init_static(&inner, data, len));
				CHECK(bson_validate(&inner, SAFE_KEYS, NULL));
			}
		}
	}
}

static void
fuzz_type(const ma_type *type, const char *json, size_t len)
{
	ma_problems *problems = ma_problems_new();
	bool accepted, has_other_id;
	ma_update *update;
	bson_iter_t it;
	ma_error e;
	bson_t bson;

	accepted = ma_json_to_bson(type, json, len, &bson, problems, &e);
	if (accepted) {
		CHECK(e.code == MA_OK);
		CHECK(bson_validate(&bson, SAFE_KEYS, NULL));
		check_round_trip(type, &bson);
	} else {
		check_refusal(&e, problems, false);
	}
	has_other_id = accepted && bson_iter_init_find(&it, &bson, "_id") &&
		       bson_oid_compare(bson_iter_oid(&it), &patched_id) != 0;
	bson_destroy(&bson);

	/* PATCH: the fields given, checked as they are. */
	update = ma_update_new_from_json(type, json, len, &patched_id, problems,
					 &e);
	if (update != NULL) {
		CHECK(e.code == MA_OK);
		check_update(type, ma_update_bson(update));
		ma_update_destroy(update);
	} else {
		check_refusal(&e, problems, true);
		/* A whole document is a good set of its fields. */
		CHECK(!accepted || has_other_id);
	}
	ma_problems_destroy(problems);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t i;

	/* The body as received: length-delimited, no NUL added, so that a
	 * read past its end is ASan's to see. */
	for (i = 0; i < N_TYPES; i++)
		fuzz_type(types[i], (const char *)data, size);
	return 0;
}
