/*
 * The rules of text every part reads by (src/core/text.c): whole-string
 * integers with bounds, the boolean vocabulary, percent-encoding.
 */
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "core/core.h"

static void
expect_int(const char *s, unsigned base, int64_t min, int64_t max,
	   ma_int_status want, int64_t value)
{
	int64_t out = 12345;
	ma_int_status got = _ma_parse_int(s, base, min, max, &out);

	cr_expect_eq(got, want, "\"%s\" in base %u, [%lld, %lld]: %d, not %d",
		     s, base, (long long)min, (long long)max, got, want);
	if (want == MA_INT_OK)
		cr_expect_eq(out, value, "\"%s\": %lld, not %lld", s,
			     (long long)out, (long long)value);
	else
		cr_expect_eq(out, 12345, "\"%s\": *out written on a refusal",
			     s);
}

Test(parse_int, whole_decimal_strings_within_bounds)
{
	expect_int("0", 10, 0, 10, MA_INT_OK, 0);
	expect_int("10", 10, 0, 10, MA_INT_OK, 10);
	expect_int("0080", 10, 1, 65535, MA_INT_OK, 80);
	expect_int("-5", 10, -10, 10, MA_INT_OK, -5);
	expect_int("-0", 10, -1, 1, MA_INT_OK, 0);
	expect_int("9223372036854775807", 10, INT64_MIN, INT64_MAX, MA_INT_OK,
		   INT64_MAX);
	expect_int("-9223372036854775808", 10, INT64_MIN, INT64_MAX, MA_INT_OK,
		   INT64_MIN);
}

Test(parse_int, octal_takes_only_octal_digits)
{
	expect_int("0777", 8, 0, 0777, MA_INT_OK, 0777);
	expect_int("0600", 8, 0, 0777, MA_INT_OK, 0600);
	expect_int("0800", 8, 0, 0777, MA_INT_SYNTAX, 0);
	expect_int("1000", 8, 0, 0777, MA_INT_RANGE, 0);
}

Test(parse_int, anything_but_digits_is_syntax)
{
	static const char *const bad[] = {"",	  "-",	 "+1",	" 1",  "1 ",
					  "0x10", "1.0", "1e3", "--1", "1-"};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_int(bad[i], 10, INT64_MIN, INT64_MAX, MA_INT_SYNTAX, 0);
	/* A sign only where the bounds allow a negative number. */
	expect_int("-1", 10, 0, 10, MA_INT_SYNTAX, 0);
	expect_int(NULL, 10, 0, 10, MA_INT_SYNTAX, 0);
}

Test(parse_int, out_of_bounds_and_overflow_are_range)
{
	expect_int("11", 10, 0, 10, MA_INT_RANGE, 0);
	expect_int("0", 10, 1, 10, MA_INT_RANGE, 0);
	expect_int("-11", 10, -10, 10, MA_INT_RANGE, 0);
	expect_int("-1", 10, -10, -2, MA_INT_RANGE, 0);
	expect_int("9223372036854775808", 10, INT64_MIN, INT64_MAX,
		   MA_INT_RANGE, 0);
	expect_int("-9223372036854775809", 10, INT64_MIN, INT64_MAX,
		   MA_INT_RANGE, 0);
	expect_int("99999999999999999999999", 10, 0, INT64_MAX, MA_INT_RANGE,
		   0);
}

static void
expect_bool(const char *s, ma_bool_words words, bool ok, bool value)
{
	bool out = !value;

	cr_expect_eq(_ma_parse_bool(s, words, &out), ok, "\"%s\" in set %d", s,
		     words);
	if (ok)
		cr_expect_eq(out, value, "\"%s\" in set %d", s, words);
}

Test(parse_bool, each_set_takes_its_words_and_the_narrower_sets)
{
	expect_bool("true", MA_BOOL_JSON, true, true);
	expect_bool("false", MA_BOOL_JSON, true, false);
	expect_bool("1", MA_BOOL_JSON, false, false);
	expect_bool("1", MA_BOOL_FLAG, true, true);
	expect_bool("0", MA_BOOL_FLAG, true, false);
	expect_bool("false", MA_BOOL_FLAG, true, false);
	expect_bool("yes", MA_BOOL_FLAG, false, false);
	expect_bool("yes", MA_BOOL_SETTING, true, true);
	expect_bool("Off", MA_BOOL_SETTING, true, false);
	expect_bool("TRUE", MA_BOOL_SETTING, true, true);
	expect_bool("1", MA_BOOL_SETTING, true, true);
}

Test(parse_bool, only_settings_take_any_case_and_nothing_takes_the_rest)
{
	expect_bool("TRUE", MA_BOOL_JSON, false, false);
	expect_bool("True", MA_BOOL_FLAG, false, false);
	expect_bool("ture", MA_BOOL_SETTING, false, false);
	expect_bool("", MA_BOOL_SETTING, false, false);
	expect_bool(NULL, MA_BOOL_SETTING, false, false);
}

static void
expect_encoded(const char *s, size_t n, const char *keep, const char *want)
{
	ma_buf b;

	_ma_buf_init(&b, 0);
	_ma_buf_append(&b, "<", 1);
	_ma_buf_pct_encode(&b, s, n, keep);
	cr_expect_str_eq(b.data, want);
	_ma_buf_destroy(&b);
}

Test(pct_encode, unreserved_kept_the_rest_upper_case_hex)
{
	expect_encoded("aZ09-._~", 8, NULL, "<aZ09-._~");
	expect_encoded("a b/c:@", 7, NULL, "<a%20b%2Fc%3A%40");
	expect_encoded("\xc3\xa9", 2, NULL, "<%C3%A9");
	/* A NUL inside the bytes is encoded, never taken as the end. */
	expect_encoded("a\0b", 3, NULL, "<a%00b");
}

Test(pct_encode, the_callers_keep_set_stays_raw)
{
	expect_encoded("a,b c", 5, ",", "<a,b%20c");
	expect_encoded("/books/%41 x", 12, "/%", "</books/%41%20x");
	expect_encoded("a\0,", 3, ",", "<a%00,");
}

Test(utf8_char_len, well_formed_characters_only)
{
	cr_expect_eq(_ma_utf8_char_len("a", 1), 1);
	cr_expect_eq(_ma_utf8_char_len("\xc3\xa9", 2), 2);
	cr_expect_eq(_ma_utf8_char_len("\xe2\x82\xac", 3), 3);
	cr_expect_eq(_ma_utf8_char_len("\xf0\x9f\x98\x80", 4), 4);
	cr_expect_eq(_ma_utf8_char_len("\xc3\xa9", 1), 0, "cut short");
	cr_expect_eq(_ma_utf8_char_len("\xc0\xaf", 2), 0, "overlong");
	cr_expect_eq(_ma_utf8_char_len("\xed\xa0\x80", 3), 0, "surrogate");
	cr_expect_eq(_ma_utf8_char_len("\xf4\x90\x80\x80", 4), 0,
		     "past U+10FFFF");
	cr_expect_eq(_ma_utf8_char_len("\x80", 1), 0, "continuation byte");
}
