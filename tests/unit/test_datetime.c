/*
 * RFC 3339 <-> milliseconds: the calendar arithmetic at its edges, and
 * every form of the grammar (RFC 3339 section 5.6).
 */
#include <string.h>

#include <criterion/criterion.h>

#include "config/config-private.h"
#include "query/query-private.h"

static int64_t
parse_ok(const char *s)
{
	int64_t ms = 0;

	cr_assert(_ma_datetime_parse(s, strlen(s), &ms), "refused: %s", s);
	return ms;
}

static void
parse_refused(const char *s)
{
	int64_t ms = 42;

	cr_assert_not(_ma_datetime_parse(s, strlen(s), &ms), "accepted: %s", s);
	cr_assert_eq(ms, 42, "changed the output on failure: %s", s);
}

static void
formats_as(int64_t ms, const char *expected)
{
	char out[MA_DATETIME_SIZE];

	cr_assert(_ma_datetime_format(ms, out), "cannot format %lld",
		  (long long)ms);
	cr_assert_str_eq(out, expected);
}

Test(datetime, epoch_is_zero)
{
	cr_assert_eq(parse_ok("1970-01-01T00:00:00Z"), 0);
	formats_as(0, "1970-01-01T00:00:00.000Z");
}

Test(datetime, known_dates)
{
	cr_assert_eq(parse_ok("2004-07-01T12:00:00Z"), INT64_C(1088683200000));
	cr_assert_eq(parse_ok("2000-02-29T00:00:00Z"), INT64_C(951782400000));
	formats_as(INT64_C(1088683200000), "2004-07-01T12:00:00.000Z");
}

Test(datetime, before_1970)
{
	cr_assert_eq(parse_ok("1900-01-01T00:00:00Z"), INT64_C(-2208988800000));
	cr_assert_eq(parse_ok("1969-12-31T23:59:59.999Z"), -1);
	formats_as(-1, "1969-12-31T23:59:59.999Z");
	formats_as(INT64_C(-2208988800000), "1900-01-01T00:00:00.000Z");
}

Test(datetime, after_2038)
{
	/* One second past the 32-bit time_t limit. */
	cr_assert_eq(parse_ok("2038-01-19T03:14:08Z"), INT64_C(2147483648000));
	cr_assert_eq(parse_ok("2100-03-01T00:00:00.123Z"),
		     INT64_C(4107542400123));
	formats_as(INT64_C(4107542400123), "2100-03-01T00:00:00.123Z");
}

Test(datetime, year_range_edges)
{
	cr_assert_eq(parse_ok("0000-01-01T00:00:00Z"),
		     INT64_C(-62167219200000));
	cr_assert_eq(parse_ok("9999-12-31T23:59:59.999Z"),
		     INT64_C(253402300799999));
	formats_as(INT64_C(-62167219200000), "0000-01-01T00:00:00.000Z");
	formats_as(INT64_C(253402300799999), "9999-12-31T23:59:59.999Z");
}

Test(datetime, outside_four_digit_years_does_not_format)
{
	char out[MA_DATETIME_SIZE] = "untouched";

	cr_assert_not(_ma_datetime_format(INT64_C(253402300800000), out));
	cr_assert_not(_ma_datetime_format(INT64_C(-62167219200001), out));
	cr_assert_not(_ma_datetime_format(INT64_MIN, out));
	cr_assert_not(_ma_datetime_format(INT64_MAX, out));
	cr_assert_str_eq(out, "untouched");
}

Test(datetime, offsets_convert_to_utc)
{
	cr_assert_eq(parse_ok("1970-01-01T02:00:00+02:00"), 0);
	cr_assert_eq(parse_ok("1969-12-31T19:30:00-04:30"), 0);
	cr_assert_eq(parse_ok("1970-01-01T00:00:00+00:00"), 0);
	cr_assert_eq(parse_ok("1970-01-01t00:00:00z"), 0);
}

Test(datetime, fraction_is_truncated_to_milliseconds)
{
	cr_assert_eq(parse_ok("1970-01-01T00:00:00.1Z"), 100);
	cr_assert_eq(parse_ok("1970-01-01T00:00:00.12Z"), 120);
	cr_assert_eq(parse_ok("1970-01-01T00:00:00.123456789Z"), 123);
	cr_assert_eq(parse_ok("1969-12-31T23:59:59.9999Z"), -1);
	/* RFC 3339 sets no limit on the fraction's digits */
	cr_assert_eq(parse_ok("1970-01-01T00:00:00.1234567890Z"), 123);
	cr_assert_eq(parse_ok("1970-01-01T00:00:00."
			      "99999999999999999999999999999999+00:00"),
		     999);
}

Test(datetime, every_form_of_rfc_3339_is_read)
{
	/* 'T' and 'Z' in either case, a numeric offset of either sign,
	 * -00:00 (UTC, the local offset unknown), a fraction with each */
	cr_assert_eq(parse_ok("2004-07-01T12:00:00Z"), INT64_C(1088683200000));
	cr_assert_eq(parse_ok("2004-07-01t12:00:00Z"), INT64_C(1088683200000));
	cr_assert_eq(parse_ok("2004-07-01T12:00:00z"), INT64_C(1088683200000));
	cr_assert_eq(parse_ok("2004-07-01T12:00:00-00:00"),
		     INT64_C(1088683200000));
	cr_assert_eq(parse_ok("2004-07-01T14:30:00.5+02:30"),
		     INT64_C(1088683200500));
	cr_assert_eq(parse_ok("2004-07-01T00:00:00.250-12:00"),
		     INT64_C(1088683200250));
	cr_assert_eq(parse_ok("2004-07-02T11:59:00+23:59"),
		     INT64_C(1088683200000));
}

Test(datetime, leap_second_is_the_next_minute_s_first)
{
	/* 2016 ended with a leap second: 23:59:60 is read as 2017's first
	 * second, milliseconds since 1970 having no leap seconds */
	cr_assert_eq(parse_ok("2016-12-31T23:59:60Z"), INT64_C(1483228800000));
	cr_assert_eq(parse_ok("2016-12-31T23:59:60.5Z"),
		     INT64_C(1483228800500));
	cr_assert_eq(parse_ok("2017-01-01T00:59:60+01:00"),
		     INT64_C(1483228800000));
	parse_refused("2016-12-31T23:59:61Z");
}

Test(datetime, leap_years)
{
	cr_assert_eq(parse_ok("2400-02-29T00:00:00Z"), INT64_C(13574563200000));
	parse_refused("2100-02-29T00:00:00Z");
	parse_refused("2021-02-29T00:00:00Z");
	parse_refused("1900-02-29T00:00:00Z");
}

Test(datetime, malformed_is_refused)
{
	static const char *const bad[] = {
		"",
		"2004-07-01",
		"2004-07-01T12:00:00",	/* no zone */
		"2004-07-01 12:00:00Z", /* space */
		"2004-7-01T12:00:00Z",
		"2004-13-01T12:00:00Z",
		"2004-00-01T12:00:00Z",
		"2004-04-31T12:00:00Z",
		"2004-07-00T12:00:00Z",
		"2004-07-01T24:00:00Z",
		"2004-07-01T12:60:00Z",
		"2004-07-01T12:00:61Z",
		"2004-07-01T12:00:99Z",
		"2004-07-01T12:00:00.Z",
		"2004-07-01T12:00:00.1.2Z",
		"2004-07-01T12:00:00+0200", /* RFC 3339 has the colon */
		"2004-07-01T12:00:00+02",
		"2004-07-01T12:00:00Z+02:00",
		"2004-07-01T12:00:00+2:00",
		"2004-07-01T12:00:00+24:00",
		"2004-07-01T12:00:00+02:60",
		"2004-07-01T12:00:00Zjunk",
		"+2004-07-01T12:00:00Z",
		"-004-07-01T12:00:00Z",
		"2004-07-01T12:00:00\xef\xbc\xba", /* a fullwidth Z */
		NULL,
	};
	size_t i;

	for (i = 0; bad[i] != NULL; i++)
		parse_refused(bad[i]);
}

Test(datetime, length_bounds_the_parse)
{
	const char *s = "1970-01-01T00:00:00Zjunk";
	int64_t ms;

	cr_assert(_ma_datetime_parse(s, 20, &ms));
	cr_assert_eq(ms, 0);
	cr_assert_not(_ma_datetime_parse(s, 19, &ms));
}

Test(datetime, every_day_of_four_centuries_round_trips)
{
	char out[MA_DATETIME_SIZE];
	int64_t day, ms, back;

	/* 1600-01-01 to 2400-01-01, a whole Gregorian cycle and more. */
	for (day = -135140; day <= 157054; day++) {
		ms = day * 86400000 + 45296789; /* 12:34:56.789 */
		cr_assert(_ma_datetime_format(ms, out));
		cr_assert(_ma_datetime_parse(out, strlen(out), &back));
		if (back != ms)
			cr_assert_fail("%s read back as %lld, not %lld", out,
				       (long long)back, (long long)ms);
	}
}
