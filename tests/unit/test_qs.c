/*
 * Query strings and percent-decoding: what every decoded parameter is, and
 * every text that must be refused before a handler sees it.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "http/http-private.h"

/* --- decoding pairs ------------------------------------------------------ */

/* A query string and the pairs it decodes to, as "name=value" lines
 * joined by '\n' ("" for no pairs). */
typedef struct qs_case {
	const char *in;
	const char *want;
} qs_case;

static void
expect_pairs(const char *in, const char *want)
{
	ma_error e;
	ma_buf got;
	ma_qs qs;
	size_t i;

	ma_error_clear(&e);
	cr_assert(_ma_qs_parse(in, &qs, &e), "\"%s\" refused: %s",
		  in != NULL ? in : "(null)", e.message);
	_ma_buf_init(&got, 64);
	for (i = 0; i < qs.n; i++) {
		_ma_buf_printf(&got, "%s%s=%s", i > 0 ? "\n" : "",
			       qs.pairs[i].name, qs.pairs[i].value);
	}
	cr_expect_str_eq(got.data, want, "\"%s\" gave\n%s\nwant\n%s",
			 in != NULL ? in : "(null)", got.data, want);
	cr_expect_eq(qs.n == 0, qs.pairs == NULL, "\"%s\": %zu pairs at %p",
		     in != NULL ? in : "(null)", qs.n, (void *)qs.pairs);
	_ma_buf_destroy(&got);
	_ma_qs_destroy(&qs);
	cr_expect_null(qs.pairs);
	cr_expect_eq(qs.n, 0);
}

Test(qs, decodes_every_form)
{
	static const qs_case cases[] = {
		{"", ""},
		{"a=1", "a=1"},
		{"a=1&b=x+y&c=%C3%A9", "a=1\nb=x y\nc=\xc3\xa9"},
		/* escapes, either case of hex digit */
		{"%41=%42", "A=B"},
		{"x=%c3%a9", "x=\xc3\xa9"},
		{"x=%C3%a9", "x=\xc3\xa9"},
		{"x=%2B%2b", "x=++"},
		{"x=%25", "x=%"},
		{"x=%26%3D", "x=&="},
		{"x=%20+", "x=  "},
		{"a+b=c+d", "a b=c d"},
		/* four-byte UTF-8 */
		{"x=%F0%9F%98%80", "x=\xf0\x9f\x98\x80"},
		/* raw UTF-8 is taken as it is */
		{"x=\xc3\xa9", "x=\xc3\xa9"},
		/* repeated names are kept, in order */
		{"a=1&a=2&b=3&a=4", "a=1\na=2\nb=3\na=4"},
		/* empty segments are skipped */
		{"&", ""},
		{"&&&", ""},
		{"a=1&&b=2", "a=1\nb=2"},
		{"&a=1&", "a=1"},
		/* a name alone is a flag with an empty value */
		{"a", "a="},
		{"a=", "a="},
		{"a&b=2", "a=\nb=2"},
		/* an empty name is kept: the list grammar refuses it */
		{"=x", "=x"},
		{"=", "="},
		/* the first '=' splits */
		{"a=b=c", "a=b=c"},
		{"a==", "a=="},
		{"year__gte=2000&sort=-year,title",
		 "year__gte=2000\nsort=-year,title"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_pairs(cases[i].in, cases[i].want);
}

Test(qs, null_is_no_pairs)
{
	expect_pairs(NULL, "");
}

/* --- refused ------------------------------------------------------------- */

/* A query string that must be refused, and what its message must name. */
typedef struct refused_case {
	const char *in;
	const char *named;
	const char *says;
} refused_case;

static void
expect_refused(const char *in, const char *named, const char *says)
{
	ma_error e;
	ma_qs qs = {.pairs = (ma_qs_pair *)&qs, .n = 99};

	ma_error_clear(&e);
	cr_expect_not(_ma_qs_parse(in, &qs, &e), "\"%s\" accepted", in);
	cr_expect_eq(e.code, MA_ERR_INVALID, "\"%s\": %d %s", in, e.code,
		     e.message);
	cr_expect_null(qs.pairs, "\"%s\": pairs left", in);
	cr_expect_eq(qs.n, 0, "\"%s\": %zu pairs left", in, qs.n);
	cr_expect(strstr(e.message, named) != NULL,
		  "\"%s\": \"%s\" does not name %s", in, e.message, named);
	cr_expect(strstr(e.message, says) != NULL,
		  "\"%s\": \"%s\" does not say %s", in, e.message, says);
	/* Always safe to print and to put in JSON, whatever was sent. */
	cr_expect(bson_utf8_validate(e.message, strlen(e.message), false));
	for (const char *p = e.message; *p != '\0'; p++)
		cr_expect((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f,
			  "\"%s\": byte %#x in the message", in,
			  (unsigned char)*p);
	_ma_qs_destroy(&qs);
}

Test(qs, refuses_bad_text_naming_it)
{
	static const refused_case cases[] = {
		{"a=%zz", "\"%zz\" in \"a=%zz\"", "invalid escape"},
		{"a=%4", "\"%4\" in \"a=%4\"", "truncated escape"},
		{"a=%", "\"%\" in \"a=%\"", "truncated escape"},
		{"a=%4g", "\"%4g\"", "invalid escape"},
		{"a=%g4", "\"%g4\"", "invalid escape"},
		{"a=%z", "\"%z\"", "invalid escape"},
		{"%zz=1", "\"%zz=1\"", "invalid escape"},
		/* the name ends at '=' */
		{"a%4=1", "\"a%4=1\"", "truncated escape"},
		/* later pairs are checked too, and earlier ones freed */
		{"ok=1&b=2&c=%x1", "\"c=%x1\"", "invalid escape"},
		/* a NUL would cut every later reading short */
		{"a=%00", "\"a=%00\"", "NUL"},
		{"a%00b=1", "\"a%00b=1\"", "NUL"},
		/* not UTF-8 once decoded */
		{"a=%FF", "\"a=%FF\"", "UTF-8"},
		{"a=%C3", "\"a=%C3\"", "UTF-8"},
		{"a=%C3%28", "\"a=%C3%28\"", "UTF-8"},
		{"a=%C0%80", "\"a=%C0%80\"", "UTF-8"},
		{"a=%ED%A0%80", "\"a=%ED%A0%80\"", "UTF-8"},
		{"a=%F4%90%80%80", "UTF-8", "UTF-8"},
		{"%FF=1", "\"%FF=1\"", "UTF-8"},
		/* raw bytes are shown escaped: the message stays ASCII */
		{"a=\xff", "\"a=%FF\"", "UTF-8"},
		{"a=\"\x01%zz", "\"a=%22%01%zz\"", "invalid escape"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_refused(cases[i].in, cases[i].named, cases[i].says);
}

Test(qs, long_offending_text_is_shortened)
{
	static const char head[] = "invalid escape \"%zz\" in \"a=xxxxxxxx";
	char in[300];
	ma_error e;
	ma_qs qs;

	memset(in, 'x', sizeof(in));
	memcpy(in, "a=", 2);
	memcpy(in + sizeof(in) - 4, "%zz", 4);
	cr_expect_not(_ma_qs_parse(in, &qs, &e));
	cr_expect_eq(e.code, MA_ERR_INVALID);
	cr_expect(strncmp(e.message, head, strlen(head)) == 0, "%s", e.message);
	cr_expect(strstr(e.message, "...\"") != NULL, "%s", e.message);
	cr_expect_lt(strlen(e.message), 200, "%s", e.message);
}

/* --- the pair limit ------------------------------------------------------ */

static char *
pairs_text(size_t n, const char *sep)
{
	ma_buf b;
	size_t i;

	_ma_buf_init(&b, n * 8);
	for (i = 0; i < n; i++)
		_ma_buf_printf(&b, "%sp%zu=%zu", i > 0 ? sep : "", i, i);
	return _ma_buf_steal(&b, NULL);
}

Test(qs, takes_up_to_the_pair_limit)
{
	char *s = pairs_text(MA_QS_MAX_PAIRS, "&");
	ma_error e;
	ma_qs qs;

	cr_assert(_ma_qs_parse(s, &qs, &e), "%s", e.message);
	cr_expect_eq(qs.n, MA_QS_MAX_PAIRS);
	cr_expect_str_eq(qs.pairs[0].name, "p0");
	cr_expect_str_eq(qs.pairs[MA_QS_MAX_PAIRS - 1].value, "255");
	_ma_qs_destroy(&qs);
	bson_free(s);
}

Test(qs, empty_segments_do_not_count_towards_the_limit)
{
	char *s = pairs_text(MA_QS_MAX_PAIRS, "&&&");
	ma_error e;
	ma_qs qs;

	cr_assert(_ma_qs_parse(s, &qs, &e), "%s", e.message);
	cr_expect_eq(qs.n, MA_QS_MAX_PAIRS);
	_ma_qs_destroy(&qs);
	bson_free(s);
}

Test(qs, refuses_one_pair_more_than_the_limit)
{
	char *s = pairs_text(MA_QS_MAX_PAIRS + 1, "&");
	ma_error e;
	ma_qs qs;

	cr_expect_not(_ma_qs_parse(s, &qs, &e));
	cr_expect_eq(e.code, MA_ERR_INVALID);
	cr_expect_str_eq(e.message, "too many parameters (at most 256)");
	cr_expect_null(qs.pairs);
	cr_expect_eq(qs.n, 0);
	bson_free(s);
}

/* --- lookups ------------------------------------------------------------- */

Test(qs, get_gives_the_first_value_and_count_every_one)
{
	ma_error e;
	ma_qs qs;

	cr_assert(_ma_qs_parse("a=1&b=&a=2&c&a=3", &qs, &e), "%s", e.message);
	cr_expect_str_eq(_ma_qs_get(&qs, "a"), "1");
	cr_expect_str_eq(_ma_qs_get(&qs, "b"), "");
	cr_expect_str_eq(_ma_qs_get(&qs, "c"), "");
	cr_expect_null(_ma_qs_get(&qs, "d"));
	cr_expect_null(_ma_qs_get(&qs, "A"));
	cr_expect_null(_ma_qs_get(&qs, NULL));
	cr_expect_null(_ma_qs_get(NULL, "a"));
	cr_expect_eq(_ma_qs_count(&qs, "a"), 3);
	cr_expect_eq(_ma_qs_count(&qs, "b"), 1);
	cr_expect_eq(_ma_qs_count(&qs, "d"), 0);
	cr_expect_eq(_ma_qs_count(&qs, NULL), 0);
	cr_expect_eq(_ma_qs_count(NULL, "a"), 0);
	_ma_qs_destroy(&qs);
	_ma_qs_destroy(&qs);
	_ma_qs_destroy(NULL);
}

/* --- _ma_pct_decode ------------------------------------------------------ */

Test(pct_decode, plus_is_a_space_only_when_asked)
{
	ma_error e;
	char *s;

	s = _ma_pct_decode("a+b%20c", 7, true, &e);
	cr_expect_str_eq(s, "a b c");
	bson_free(s);
	s = _ma_pct_decode("a+b%20c", 7, false, &e);
	cr_expect_str_eq(s, "a+b c");
	bson_free(s);
}

Test(pct_decode, reads_n_bytes_only)
{
	ma_error e;
	char *s;

	s = _ma_pct_decode("abc%41", 3, false, &e);
	cr_expect_str_eq(s, "abc");
	bson_free(s);
	s = _ma_pct_decode("a%2Fb/c", 5, false, &e);
	cr_expect_str_eq(s, "a/b");
	bson_free(s);
	s = _ma_pct_decode("", 0, false, &e);
	cr_expect_str_eq(s, "");
	bson_free(s);
	/* "%4" then a byte beyond n: truncated, not "%41" */
	cr_expect_null(_ma_pct_decode("%41", 2, false, &e));
	cr_expect_eq(e.code, MA_ERR_INVALID);
	cr_expect(strstr(e.message, "truncated escape \"%4\"") != NULL, "%s",
		  e.message);
}

Test(pct_decode, refuses_what_the_query_string_refuses)
{
	static const struct {
		const char *in;
		size_t n;
		const char *says;
	} bad[] = {
		{"%zz", 3, "invalid escape \"%zz\" in \"%zz\""},
		{"%4", 2, "truncated escape \"%4\" in \"%4\""},
		{"%", 1, "truncated escape \"%\" in \"%\""},
		{"%00", 3, "escape \"%00\" (NUL) in \"%00\""},
		{"%FF", 3, "not valid UTF-8 once decoded: \"%FF\""},
		{"%C3", 3, "not valid UTF-8 once decoded: \"%C3\""},
		{"\xff", 1, "not valid UTF-8 once decoded: \"%FF\""},
		/* a raw NUL inside the n bytes */
		{"a\0b", 3, "NUL byte in \"a%00b\""},
	};
	ma_error e;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ma_error_clear(&e);
		cr_expect_null(_ma_pct_decode(bad[i].in, bad[i].n, false, &e),
			       "%s decoded", bad[i].says);
		cr_expect_eq(e.code, MA_ERR_INVALID, "%s", e.message);
		cr_expect_str_eq(e.message, bad[i].says);
	}
	ma_error_clear(&e);
	cr_expect_null(_ma_pct_decode(NULL, 0, false, &e));
	cr_expect_eq(e.code, MA_ERR_INVALID);
	cr_expect_str_eq(e.message, "no text to decode");
}

/* --- _ma_qs_encode ------------------------------------------------------- */

static void
expect_encoded(const char *in, const char *want)
{
	ma_buf b;

	_ma_buf_init(&b, 4);
	_ma_buf_append(&b, "[", 1);
	_ma_qs_encode(&b, in);
	_ma_buf_append(&b, "]", 1);
	_ma_buf_reserve(&b, 0);
	b.data[b.len] = '\0';
	cr_expect_str_eq(b.data, want, "%s", in);
	cr_expect_eq(strlen(b.data), b.len);
	_ma_buf_destroy(&b);
}

Test(qs_encode, keeps_unreserved_and_encodes_the_rest)
{
	expect_encoded("", "[]");
	expect_encoded("AZaz09-._~", "[AZaz09-._~]");
	expect_encoded("a b", "[a%20b]");
	expect_encoded("a+b", "[a%2Bb]");
	expect_encoded("&=?#/%", "[%26%3D%3F%23%2F%25]");
	expect_encoded("\xc3\xa9", "[%C3%A9]");
	expect_encoded("<\">\x01\x7f", "[%3C%22%3E%01%7F]");
	expect_encoded("-year,title", "[-year,title]");
}

Test(qs_encode, round_trips_through_the_parser)
{
	static const char *const values[] = {
		"x y", "a&b=c", "100%", "\xc3\xa9t\xc3\xa9", "+", "~-._",
	};
	ma_error e;
	ma_qs qs;
	ma_buf b;
	size_t i;

	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		_ma_buf_init(&b, 16);
		_ma_qs_encode(&b, values[i]);
		_ma_buf_append(&b, "=", 1);
		_ma_qs_encode(&b, values[i]);
		b.data[b.len] = '\0';
		cr_assert(_ma_qs_parse(b.data, &qs, &e), "%s", e.message);
		cr_expect_eq(qs.n, 1);
		cr_expect_str_eq(qs.pairs[0].name, values[i]);
		cr_expect_str_eq(qs.pairs[0].value, values[i]);
		_ma_qs_destroy(&qs);
		_ma_buf_destroy(&b);
	}
}
