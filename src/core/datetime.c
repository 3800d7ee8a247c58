/*
 * RFC 3339 dates and times (ISO 8601's profile for the Internet) <->
 * milliseconds since 1970 in UTC.
 *
 * Our own calendar arithmetic (Howard Hinnant's days_from_civil) rather
 * than timegm() and gmtime_r(): those depend on time_t's width and the C
 * library, and dates before 1970 or after 2038 must work everywhere.
 */

#include "core/core.h"

#define MS_PER_DAY INT64_C(86400000)

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static bool
is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned
days_in_month(int64_t y, unsigned m)
{
	static const unsigned days[] = {31, 28, 31, 30, 31, 30,
					31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Exactly n decimal digits at s; false if any is not a digit. */
static bool
digits(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return true;
}

bool
_ma_datetime_parse(const char *s, size_t len, int64_t *ms)
{
	unsigned year, mon, day, hour, min, sec, frac = 0, oh = 0, om = 0;
	size_t i = 19, nfrac = 0;
	int64_t t, offset = 0;

	/* YYYY-MM-DDTHH:MM:SS is fixed width: check it as a whole. */
	if (len < 20 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
		return false;
	if (!digits(s, 4, &year) || !digits(s + 5, 2, &mon) ||
	    !digits(s + 8, 2, &day) || !digits(s + 11, 2, &hour) ||
	    !digits(s + 14, 2, &min) || !digits(s + 17, 2, &sec))
		return false;
	/* Second 60 is RFC 3339's leap second; milliseconds since 1970
	 * have none, so it is read as the first of the next minute, as
	 * POSIX reads it. */
	if (mon < 1 || mon > 12 || day < 1 || day > days_in_month(year, mon) ||
	    hour > 23 || min > 59 || sec > 60)
		return false;

	/* A fraction of one digit or more (RFC 3339 sets no limit);
	 * milliseconds are what BSON keeps, the rest is cut. */
	if (s[i] == '.') {
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, nfrac++) {
			if (nfrac < 3)
				frac = frac * 10 + (unsigned)(s[i] - '0');
		}
		if (nfrac == 0)
			return false;
		for (; nfrac < 3; nfrac++)
			frac *= 10;
	}

	/* The zone is required: a time without one means nothing on a
	 * server that other programs read. */
	if (i + 1 == len && (s[i] == 'Z' || s[i] == 'z')) {
		offset = 0;
	} else if (i + 6 == len && (s[i] == '+' || s[i] == '-') &&
		   s[i + 3] == ':' && digits(s + i + 1, 2, &oh) &&
		   digits(s + i + 4, 2, &om) && oh <= 23 && om <= 59) {
		offset = ((int64_t)oh * 60 + om) * 60000;
		if (s[i] == '-')
			offset = -offset;
	} else {
		return false;
	}

	t = days_from_civil(year, mon, day) * MS_PER_DAY +
	    (((int64_t)hour * 60 + min) * 60 + sec) * 1000 + frac;
	*ms = t - offset;
	return true;
}

/* Writes n digits of v, zero-padded. */
static char *
put_digits(char *p, unsigned v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + n;
}

bool
_ma_datetime_format(int64_t ms, char out[MA_DATETIME_SIZE])
{
	int64_t days, rem, y;
	unsigned m, d, msec;
	char *p = out;

	/* Floor division: -1 ms is 1969-12-31T23:59:59.999Z. */
	days = ms / MS_PER_DAY;
	rem = ms % MS_PER_DAY;
	if (rem < 0) {
		rem += MS_PER_DAY;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999)
		return false;

	msec = (unsigned)(rem % 1000);
	rem /= 1000;
	p = put_digits(p, (unsigned)y, 4);
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p++ = '-';
	p = put_digits(p, d, 2);
	*p++ = 'T';
	p = put_digits(p, (unsigned)(rem / 3600), 2);
	*p++ = ':';
	p = put_digits(p, (unsigned)(rem / 60 % 60), 2);
	*p++ = ':';
	p = put_digits(p, (unsigned)(rem % 60), 2);
	*p++ = '.';
	p = put_digits(p, msec, 3);
	*p++ = 'Z';
	*p = '\0';
	return true;
}
