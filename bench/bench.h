/*
 * What every benchmark program needs: a way to stop on a failed check, and
 * strict reading of a count from the command line. Each program defines
 * BENCH_NAME before including this.
 */
#ifndef BENCH_H
#define BENCH_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <bson/bson.h>

_Noreturn static void fail(const char *fmt, ...) BSON_GNUC_PRINTF(1, 2);

/* A benchmark whose work went wrong measures nothing: exit 1. */
_Noreturn static void
fail(const char *fmt, ...)
{
	va_list ap;

	fputs(BENCH_NAME ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* The whole of s as a decimal count of at least min. */
static bool
parse_count(const char *s, long min, long *n)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min)
		return false;
	*n = v;
	return true;
}

#endif
