/*
 * URI text helpers: percent-encoding, building, redaction, scrubbing.
 */
#include <criterion/criterion.h>

#include "config/config-private.h"
#include "query/query-private.h"

static char *
encoded(const char *s)
{
	return _ma_pct_encode(s);
}

Test(pct_encode, unreserved_bytes_stay)
{
	char *s = encoded("AZaz09-._~");

	cr_assert_str_eq(s, "AZaz09-._~");
	bson_free(s);
}

Test(pct_encode, everything_else_is_encoded_in_upper_hex)
{
	char *s = encoded("@:/?#[]%+ \x7f\xc3\xa9");

	cr_assert_str_eq(s, "%40%3A%2F%3F%23%5B%5D%25%2B%20%7F%C3%A9");
	bson_free(s);
}

Test(pct_encode, empty_string)
{
	char *s = encoded("");

	cr_assert_str_eq(s, "");
	bson_free(s);
}

Test(uri_build, every_piece)
{
	ma_uri_parts p = {.server = "h",
			  .port = 1,
			  .user = "u",
			  .password = "p w",
			  .path = "db",
			  .options = "a=1",
			  .replica_set = "rs"};
	char *s = _ma_uri_build(&p, NULL);
	char *r = _ma_uri_build(&p, "***");

	cr_assert_str_eq(s, "mongodb://u:p%20w@h:1/db?a=1&replicaSet=rs");
	cr_assert_str_eq(r, "mongodb://u:***@h:1/db?a=1&replicaSet=rs");
	bson_free(s);
	bson_free(r);
}

Test(uri_build, empty_replica_set_is_left_out)
{
	ma_uri_parts p = {.server = "h", .port = 2, .replica_set = ""};
	char *s = _ma_uri_build(&p, NULL);

	cr_assert_str_eq(s, "mongodb://h:2/");
	bson_free(s);
}

Test(uri_build, bracketed_ipv6_is_kept)
{
	ma_uri_parts p = {.server = "[fe80::1]", .port = 3};
	char *s = _ma_uri_build(&p, NULL);

	cr_assert_str_eq(s, "mongodb://[fe80::1]:3/");
	bson_free(s);
}

static void
assert_redacted(const char *in, const char *want)
{
	char *out = _ma_uri_redact(in);

	cr_assert_str_eq(out, want, "redact(%s)", in);
	bson_free(out);
}

Test(uri_redact, forms)
{
	assert_redacted("mongodb://h:1/", "mongodb://h:1/");
	assert_redacted("mongodb://u@h:1/", "mongodb://u@h:1/");
	assert_redacted("mongodb://u:pw@h:1/d?x=1",
			"mongodb://u:***@h:1/d?x=1");
	assert_redacted("mongodb+srv://u:pw@cluster.example/",
			"mongodb+srv://u:***@cluster.example/");
	/* Unencoded '@' and '/' in the password: hide all of it. */
	assert_redacted("mongodb://u:p@s/s@h/", "mongodb://u:***@h/");
	assert_redacted("mongodb://u:@h/", "mongodb://u:@h/");
	assert_redacted("not a uri u:pw@h", "not a uri u:pw@h");
}

Test(uri_redact, password_span)
{
	size_t off, len;

	cr_assert(_ma_uri_password_span("mongodb://u:secret@h/", &off, &len));
	cr_assert_eq(off, 12);
	cr_assert_eq(len, 6);
	cr_assert_not(_ma_uri_password_span("mongodb://u@h/", &off, &len));
	cr_assert_not(_ma_uri_password_span("mongodb://h:27017/", &off, &len));
}

static void
assert_masked(const char *text, const char *secret, const char *expected)
{
	char *out = _ma_masked(text, secret);

	cr_assert_str_eq(out, expected, "\"%s\" without \"%s\"", text,
			 secret != NULL ? secret : "(null)");
	bson_free(out);
}

Test(scrub, every_occurrence_is_masked)
{
	assert_masked("pw=hunter2, again hunter2.", "hunter2",
		      "pw=***, again ***.");
	/* The text may grow: a one-byte secret becomes three. */
	assert_masked("a1b1c1d", "1", "a***b***c***d");
	assert_masked("hunter2hunter2", "hunter2", "******");
}

Test(scrub, no_secret_changes_nothing)
{
	assert_masked("nothing here", NULL, "nothing here");
	assert_masked("nothing here", "", "nothing here");
	assert_masked("nothing here", "absent", "nothing here");
}
