/*
 * embed= without a server: what a resource may declare embeddable, each
 * embed= a client may send (the fields it names, or the 400's words),
 * and whether a resource's policy lets a caller read a referenced
 * document.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "app/app-private.h"
#include "auth/auth-private.h"
#include "library.h"

static const char *const embed_book[] = {"book", NULL};

/* embed= read from text for Review, book declared: the names, '|'-joined,
 * or the error's message. */
static const char *
read_embed(const char *text, const ma_type *type, const char *const *embeddable)
{
	static char out[MA_ERROR_MESSAGE_SIZE];
	ma_embed_req em;
	ma_error e;
	ma_qs qs;
	size_t i, len = 0;

	cr_assert(_ma_qs_parse(text, &qs, &e), "%s: %s", text, e.message);
	if (!_ma_embed_read(&qs, type, embeddable, &em, &e)) {
		cr_assert_eq(e.code, MA_ERR_INVALID);
		snprintf(out, sizeof(out), "%s", e.message);
	} else {
		out[0] = '\0';
		for (i = 0; i < em.n; i++)
			len += (size_t)snprintf(out + len, sizeof(out) - len,
						"%s%s", i > 0 ? "|" : "",
						em.fields[i]->name);
	}
	_ma_qs_destroy(&qs);
	return out;
}

#define REVIEW(text) read_embed(text, &library_review_type, embed_book)

Test(embed_params, names_the_declared_reference_fields)
{
	cr_assert_str_eq(REVIEW("embed=book"), "book");
	cr_assert_str_eq(REVIEW("rating=5&embed=book&page=2"), "book");
	cr_assert_str_eq(REVIEW(""), "");
	cr_assert_str_eq(REVIEW("rating=5"), "");
	cr_assert_str_eq(
		read_embed("embed=book", &library_loan_type, embed_book),
		"book");
}

Test(embed_params, every_wrong_item_is_refused_by_name)
{
	static const struct {
		const char *text, *message;
	} cases[] = {
		{"embed=", "embed: an item is empty"},
		{"embed=,book", "embed: an item is empty"},
		{"embed=book,", "embed: an item is empty"},
		{"embed=book,book", "embed: \"book\" is given twice"},
		{"embed=book&embed=book", "embed: given more than once"},
		{"embed=book&embed=", "embed: given more than once"},
		{"embed=text", "embed: \"text\" is not a reference field"},
		{"embed=nope", "embed: no such field \"nope\" in Review"},
		{"embed=_id", "embed: no such field \"_id\" in Review"},
		{"embed=Book", "embed: no such field \"Book\" in Review"},
		{"embed=book.title",
		 "embed: \"book.title\" must be a top-level field name (no '.' "
		 "or '$'): only depth 1 is embedded"},
		{"embed=%24where",
		 "embed: \"$where\" must be a top-level field name (no '.' or "
		 "'$'): only depth 1 is embedded"},
		{"embed=%7B%22%24ne%22%3A1%7D",
		 "embed: \"{\"$ne\":1}\" must be a top-level field name (no "
		 "'.' or '$'): only depth 1 is embedded"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_assert_str_eq(REVIEW(cases[i].text), cases[i].message, "%s",
				 cases[i].text);
}

Test(embed_params, a_long_name_is_cut_in_the_message)
{
	char text[700] = "embed=";

	memset(text + 6, 'x', 600);
	text[606] = '\0';
	cr_assert_str_eq(REVIEW(text),
			 "embed: no such field \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...\" in Review");
}

Test(embed_params, a_field_not_declared_is_refused_with_the_list)
{
	cr_assert_str_eq(read_embed("embed=book", &library_review_type, NULL),
			 "embed: \"book\" cannot be embedded here (none is)");
	cr_assert_str_eq(read_embed("embed=book", &library_book_type, NULL),
			 "embed: no such field \"book\" in Book");
}

Test(embed_params, a_resource_declares_only_reference_fields_once)
{
	ma_error e;

	cr_assert(_ma_embed_check(&library_review_type, embed_book, &e));
	cr_assert(_ma_embed_check(&library_book_type, NULL, &e));
	cr_assert_not(_ma_embed_check(&library_review_type,
				      (const char *const[]){"text", NULL}, &e));
	cr_assert_str_eq(e.message,
			 "Review: the embeddable field 'text' must be a "
			 "reference (MA_REF) of the type");
	cr_assert_not(_ma_embed_check(
		&library_review_type,
		(const char *const[]){"book", "book", NULL}, &e));
	cr_assert_str_eq(e.message, "Review: the embeddable fields are at most "
				    "16 distinct names ('book')");
	cr_assert_not(_ma_embed_check(&library_review_type,
				      (const char *const[]){"nope", NULL}, &e));
}

/* --- what a policy lets a caller read --------------------------------------
 */

static const char *const editors[] = {"editor", NULL};
static const char *const admins[] = {"admin", NULL};

static ma_doc *
loan_of(const char *owner)
{
	char *json = bson_strdup_printf(
		"{\"book\":\"5f0000000000000000000b01\",\"due\":"
		"\"2030-01-15T00:00:00Z\",\"owner\":\"%s\"}",
		owner);
	ma_error e;
	ma_doc *d = ma_doc_new_from_json(&library_loan_type, json, strlen(json),
					 NULL, &e);

	cr_assert_not_null(d, "%s", e.message);
	bson_free(json);
	return d;
}

Test(embed_access, a_policy_decides_as_its_get_would)
{
	static const ma_access open = {.public_ops = MA_RES_LIST | MA_RES_GET};
	static const ma_access editors_read = {
		.rules = {{MA_RES_LIST | MA_RES_GET, editors}}};
	static const ma_access callers = {.public_ops = MA_RES_LIST};
	static const ma_access owned = {.owner_field = "owner",
					.all_owners = admins};
	char *no_roles[] = {NULL}, *admin_role[] = {"admin"},
	     *editor_role[] = {"editor"};
	ma_user ann = {"ann", no_roles, 0}, bob = {"bob", no_roles, 0};
	ma_user root = {"root", admin_role, 1}, ed = {"ed", editor_role, 1};
	ma_doc *annes = loan_of("ann");

	cr_assert(_ma_access_may_read(NULL, NULL, annes));
	cr_assert(_ma_access_may_read(&open, NULL, annes));
	cr_assert_not(_ma_access_may_read(&callers, NULL, annes));
	cr_assert(_ma_access_may_read(&callers, &bob, annes));
	cr_assert_not(_ma_access_may_read(&editors_read, &ann, annes));
	cr_assert(_ma_access_may_read(&editors_read, &ed, annes));
	cr_assert(_ma_access_may_read(&owned, &ann, annes));
	cr_assert_not(_ma_access_may_read(&owned, &bob, annes));
	cr_assert_not(_ma_access_may_read(&owned, NULL, annes));
	cr_assert(_ma_access_may_read(&owned, &root, annes));
	ma_doc_destroy(annes);
}
