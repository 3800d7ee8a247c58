/*
 * The runtime's log lines: "<program>[pid]: <message>" on stderr, shared
 * by the master and every worker.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "runtime/runtime-internal.h"

static char log_program[64] = "mongoalchemy";

void
_ma_log(const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	size_t len;
	int n;

	/* One write() per line: the lines of the master and of every worker
	 * share stderr and must not interleave. */
	n = snprintf(line, sizeof(line), "%s[%ld]: ", log_program,
		     (long)getpid());
	if (n < 0)
		return;
	len = (size_t)n;
	va_start(ap, fmt);
	n = vsnprintf(line + len, sizeof(line) - len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	len += (size_t)n;
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	line[len++] = '\n';
	_ma_log_write(line, len);
}

void
_ma_log_write(const char *line, size_t len)
{
	size_t off;
	ssize_t w;

	for (off = 0; off < len; off += (size_t)w) {
		w = write(STDERR_FILENO, line + off, len - off);
		if (w < 0 && errno == EINTR)
			w = 0;
		else if (w <= 0)
			return;
	}
}

const char *
_ma_log_program(void)
{
	return log_program;
}

void
_ma_log_set_program(const char *program)
{
	const char *slash;

	/* The name it already has (_ma_log_program()'s own buffer) would
	 * be copied onto itself. */
	if (program == NULL || *program == '\0' || program == log_program)
		return;
	slash = strrchr(program, '/');
	if (slash != NULL && slash[1] != '\0')
		program = slash + 1;
	snprintf(log_program, sizeof(log_program), "%s", program);
}
