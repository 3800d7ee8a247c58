/*
 * A growable output buffer. JSON is written straight into one of these:
 * one allocation that doubles, no intermediate strings.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"

void
_ma_buf_init(ma_buf *buf, size_t cap)
{
	buf->cap = cap < 64 ? 64 : cap;
	buf->data = bson_malloc(buf->cap);
	buf->len = 0;
	buf->data[0] = '\0';
}

void
_ma_buf_destroy(ma_buf *buf)
{
	bson_free(buf->data);
	buf->data = NULL;
	buf->len = buf->cap = 0;
}

void
_ma_buf_reserve(ma_buf *buf, size_t n)
{
	size_t need = buf->len + n + 1;
	size_t cap = buf->cap;

	if (need <= cap)
		return;
	while (cap < need)
		cap = cap < SIZE_MAX / 2 ? cap * 2 : need;
	buf->data = bson_realloc(buf->data, cap);
	buf->cap = cap;
}

void
_ma_buf_append(ma_buf *buf, const char *s, size_t n)
{
	_ma_buf_reserve(buf, n);
	memcpy(buf->data + buf->len, s, n);
	buf->len += n;
}

void
_ma_buf_printf(ma_buf *buf, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf->data + buf->len, buf->cap - buf->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= buf->cap - buf->len) {
		_ma_buf_reserve(buf, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(buf->data + buf->len, buf->cap - buf->len, fmt, ap);
		va_end(ap);
	}
	buf->len += (size_t)n;
}

char *
_ma_buf_steal(ma_buf *buf, size_t *len)
{
	char *s;

	_ma_buf_reserve(buf, 0);
	buf->data[buf->len] = '\0';
	s = buf->data;
	if (len != NULL)
		*len = buf->len;
	buf->data = NULL;
	buf->len = buf->cap = 0;
	return s;
}
