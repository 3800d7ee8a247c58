/*
 * Entity tags: the If-Match / If-None-Match list grammar and comparisons
 * (RFC 9110 8.8.3, 13.1.1, 13.1.2), and the tag of a document.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "http/http-private.h"
#include "library.h"

#define TAG "\"0123456789abcdef\""

typedef struct match_case {
	const char *header;
	bool strong; /* If-Match's comparison */
	bool weak;   /* If-None-Match's */
} match_case;

Test(etag, lists_match_as_rfc_9110_says)
{
	static const match_case cases[] = {
		{TAG, true, true},
		{"*", true, true},
		{"  *  ", true, true},
		{"W/" TAG, false, true},
		{"\"x\", " TAG, true, true},
		{"\"x\",W/" TAG ",\"y\"", false, true},
		{" , ," TAG ", ", true, true},
		{"\"x\", \"y\"", false, false},
		{"\"0123456789ABCDEF\"", false, false}, /* case counts */
		{"\"0123456789abcde\"", false, false},
		{"\"0123456789abcdef0\"", false, false},
		{"\"\"", false, false},
		{"", false, false},
		/* Malformed lists match nothing. */
		{"0123456789abcdef", false, false},
		{"\"0123456789abcdef", false, false},
		{TAG " x", false, false},
		{"w/" TAG, false, false},
		{"*, " TAG, false, false},
		{"\"a\"b\"", false, false},
		{"\"a\tb\", " TAG, false, false},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_expect_eq(_ma_etag_match(cases[i].header, TAG, false),
			     cases[i].strong, "If-Match: %s", cases[i].header);
		cr_expect_eq(_ma_etag_match(cases[i].header, TAG, true),
			     cases[i].weak, "If-None-Match: %s",
			     cases[i].header);
	}
}

Test(etag, no_header_or_no_tag_matches_nothing)
{
	cr_assert_not(_ma_etag_match(NULL, TAG, true));
	cr_assert_not(_ma_etag_match("*", NULL, true));
	cr_assert_not(_ma_etag_match("*", "unquoted", true));
}

static ma_doc *
book(const char *json)
{
	ma_doc *d = ma_doc_new_from_json(&library_book_type, json, strlen(json),
					 NULL, NULL);

	cr_assert_not_null(d, "%s", json);
	return d;
}

Test(etag, a_document_tag_follows_its_stored_bytes)
{
	ma_doc *a = book("{\"_id\":\"5f0000000000000000000b01\","
			 "\"title\":\"Dive Into "
			 "Python\",\"author\":{\"name\":\"M\"},\"year\":2004}");
	ma_doc *same =
		book("{\"_id\":\"5f0000000000000000000b01\","
		     "\"title\":\"Dive Into "
		     "Python\",\"author\":{\"name\":\"M\"},\"year\":2004}");
	ma_doc *other =
		book("{\"_id\":\"5f0000000000000000000b01\","
		     "\"title\":\"Dive Into "
		     "Python\",\"author\":{\"name\":\"M\"},\"year\":2005}");
	char ta[MA_ETAG_SIZE], ts[MA_ETAG_SIZE], to[MA_ETAG_SIZE];
	size_t i;

	ma_doc_etag(a, ta);
	ma_doc_etag(same, ts);
	ma_doc_etag(other, to);
	cr_assert_eq(strlen(ta), MA_ETAG_SIZE - 1);
	cr_assert(ta[0] == '"' && ta[MA_ETAG_SIZE - 2] == '"', "%s", ta);
	for (i = 1; i < MA_ETAG_SIZE - 2; i++)
		cr_assert(strchr("0123456789abcdef", ta[i]) != NULL, "%s", ta);
	cr_assert_str_eq(ta, ts);
	cr_assert_str_neq(ta, to);
	/* Its own tag matches it, as If-Match and as If-None-Match. */
	cr_assert(_ma_etag_match(ta, ta, false));
	cr_assert(_ma_etag_match(ta, ta, true));
	ma_doc_destroy(a);
	ma_doc_destroy(same);
	ma_doc_destroy(other);
}

/* FNV-1a of the BSON bytes: fixed, so tags survive restarts and
 * upgrades. The empty document's bytes are 05 00 00 00 00. */
Test(etag, the_fingerprint_is_fnv_1a_of_the_bson)
{
	ma_doc *d = ma_doc_new(&library_author_type);
	char tag[MA_ETAG_SIZE];

	ma_doc_etag(d, tag);
	cr_assert_str_eq(tag, "\"a551e004b29ed560\"");
	ma_doc_destroy(d);
}
