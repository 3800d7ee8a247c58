/*
 * BSON -> JSON, straight from libbson's iterator into one buffer.
 *
 * The type names the fields and gives their forms; a value the type does
 * not describe (a field someone else added, a kind that changed) gets its
 * natural JSON form instead of an error: reading must never fail on a
 * document that is already stored.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json-private.h"

/* 0: copy as is; 1: escape; 2: start of a multi-byte sequence (checked).
 * Sixteen bytes a row, as a code chart reads. */
/* clang-format off */
static const unsigned char byte_class[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};
/* clang-format on */

static void
write_string(ma_buf *b, const char *str, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run, seq;
	char *p;

	/* Worst case: every byte becomes \u00XX (6), or U+FFFD (3). */
	_ma_buf_reserve(b, n * 6 + 2);
	p = b->data + b->len;
	*p++ = '"';
	while (i < n) {
		for (run = i; run < n && byte_class[s[run]] == 0; run++)
			;
		memcpy(p, s + i, run - i);
		p += run - i;
		i = run;
		if (i == n)
			break;
		if (byte_class[s[i]] == 2) {
			seq = _ma_utf8_char_len((const char *)s + i, n - i);
			if (seq > 0) {
				memcpy(p, s + i, seq);
				p += seq;
				i += seq;
			} else {
				memcpy(p, "\xEF\xBF\xBD", 3);
				p += 3;
				i++;
			}
			continue;
		}
		*p++ = '\\';
		switch (s[i]) {
		case '"':
			*p++ = '"';
			break;
		case '\\':
			*p++ = '\\';
			break;
		case '\b':
			*p++ = 'b';
			break;
		case '\f':
			*p++ = 'f';
			break;
		case '\n':
			*p++ = 'n';
			break;
		case '\r':
			*p++ = 'r';
			break;
		case '\t':
			*p++ = 't';
			break;
		default:
			*p++ = 'u';
			*p++ = '0';
			*p++ = '0';
			*p++ = hex[s[i] >> 4];
			*p++ = hex[s[i] & 0xF];
			break;
		}
		i++;
	}
	*p++ = '"';
	b->len = (size_t)(p - b->data);
}

static void
write_int(ma_buf *b, int64_t v)
{
	char tmp[24], *p = tmp + sizeof(tmp);
	/* Work in unsigned: -INT64_MIN does not fit an int64_t. */
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	_ma_buf_append(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

static void
write_double(ma_buf *b, double v)
{
	char tmp[32];
	int n, prec;

	if (!isfinite(v)) {
		_ma_buf_append(b, "null", 4);
		return;
	}
	/* The fewest digits that read back as v. A normal double needs 15 to
	 * 17; a subnormal has fewer digits of precision, so search from 1. */
	prec = v != 0 && fabs(v) < DBL_MIN ? 1 : 15;
	do {
		n = snprintf(tmp, sizeof(tmp), "%.*g", prec++, v);
	} while (prec <= 17 && strtod(tmp, NULL) != v);
	_ma_buf_append(b, tmp, (size_t)n);
	/* Keep a double a double for whoever reads it back. */
	if (strpbrk(tmp, ".e") == NULL)
		_ma_buf_append(b, ".0", 2);
}

static void
write_base64(ma_buf *b, const uint8_t *data, size_t n)
{
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqr"
				  "stuvwxyz0123456789+/";
	size_t i;
	uint32_t v;

	_ma_buf_reserve(b, (n + 2) / 3 * 4 + 2);
	b->data[b->len++] = '"';
	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8 |
		    data[i + 2];
		b->data[b->len++] = tbl[v >> 18];
		b->data[b->len++] = tbl[(v >> 12) & 63];
		b->data[b->len++] = tbl[(v >> 6) & 63];
		b->data[b->len++] = tbl[v & 63];
	}
	if (i < n) {
		v = (uint32_t)data[i] << 16 |
		    (i + 1 < n ? (uint32_t)data[i + 1] << 8 : 0);
		b->data[b->len++] = tbl[v >> 18];
		b->data[b->len++] = tbl[(v >> 12) & 63];
		b->data[b->len++] = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
		b->data[b->len++] = '=';
	}
	b->data[b->len++] = '"';
}

static void write_doc(ma_buf *b, const ma_type *type, bson_iter_t *it);

/* field: what the type says of this value, or NULL. */
static void
write_value(ma_buf *b, const ma_field *field, bson_iter_t *it)
{
	bson_iter_t child;
	const char *s;
	const uint8_t *data;
	uint32_t len;
	bson_subtype_t sub;
	bson_decimal128_t dec;
	char tmp[BSON_DECIMAL128_STRING]; /* also holds a date */
	char *re;
	const char *flags;
	uint32_t t, inc;

	switch (bson_iter_type(it)) {
	case BSON_TYPE_UTF8:
		s = bson_iter_utf8(it, &len);
		write_string(b, s, len);
		break;
	case BSON_TYPE_INT32:
		write_int(b, bson_iter_int32(it));
		break;
	case BSON_TYPE_INT64:
		write_int(b, bson_iter_int64(it));
		break;
	case BSON_TYPE_DOUBLE:
		write_double(b, bson_iter_double(it));
		break;
	case BSON_TYPE_BOOL:
		if (bson_iter_bool(it))
			_ma_buf_append(b, "true", 4);
		else
			_ma_buf_append(b, "false", 5);
		break;
	case BSON_TYPE_OID:
		_ma_buf_reserve(b, 26);
		b->data[b->len++] = '"';
		bson_oid_to_string(bson_iter_oid(it), b->data + b->len);
		b->len += 24;
		b->data[b->len++] = '"';
		break;
	case BSON_TYPE_DATE_TIME:
		if (_ma_datetime_format(bson_iter_date_time(it), tmp)) {
			_ma_buf_reserve(b, MA_DATETIME_SIZE + 2);
			b->data[b->len++] = '"';
			_ma_buf_append(b, tmp, MA_DATETIME_SIZE - 1);
			b->data[b->len++] = '"';
		} else {
			/* Outside ISO 8601's four-digit years. */
			write_int(b, bson_iter_date_time(it));
		}
		break;
	case BSON_TYPE_DOCUMENT:
		/* A ref holding a document is an embedded one (embed.h):
		 * written as its own type's. */
		if (bson_iter_recurse(it, &child))
			write_doc(b,
				  field != NULL && (field->kind ==
							    MA_KIND_DOCUMENT ||
						    field->kind == MA_KIND_REF)
					  ? field->type
					  : NULL,
				  &child);
		else
			_ma_buf_append(b, "null", 4);
		break;
	case BSON_TYPE_ARRAY:
		if (!bson_iter_recurse(it, &child)) {
			_ma_buf_append(b, "null", 4);
			break;
		}
		_ma_buf_putc(b, '[');
		field = field != NULL && field->kind == MA_KIND_LIST
				? field->item
				: NULL;
		for (len = 0; bson_iter_next(&child); len++) {
			if (len > 0)
				_ma_buf_putc(b, ',');
			write_value(b, field, &child);
		}
		_ma_buf_putc(b, ']');
		break;
	case BSON_TYPE_DECIMAL128:
		bson_iter_decimal128(it, &dec);
		bson_decimal128_to_string(&dec, tmp);
		write_string(b, tmp, strlen(tmp));
		break;
	case BSON_TYPE_BINARY:
		bson_iter_binary(it, &sub, &len, &data);
		write_base64(b, data, len);
		break;
	case BSON_TYPE_REGEX:
		s = bson_iter_regex(it, &flags);
		re = bson_strdup_printf("/%s/%s", s, flags);
		write_string(b, re, strlen(re));
		bson_free(re);
		break;
	case BSON_TYPE_TIMESTAMP:
		bson_iter_timestamp(it, &t, &inc);
		_ma_buf_printf(b, "{\"t\":%u,\"i\":%u}", t, inc);
		break;
	case BSON_TYPE_CODE:
		s = bson_iter_code(it, &len);
		write_string(b, s, len);
		break;
	case BSON_TYPE_SYMBOL:
		s = bson_iter_symbol(it, &len);
		write_string(b, s, len);
		break;
	case BSON_TYPE_NULL:
	default:
		_ma_buf_append(b, "null", 4);
		break;
	}
}

static void
write_doc(ma_buf *b, const ma_type *type, bson_iter_t *it)
{
	const ma_field *f;
	const char *key;
	size_t hint = 0, n = 0;
	uint32_t klen;

	_ma_buf_putc(b, '{');
	while (bson_iter_next(it)) {
		if (n++ > 0)
			_ma_buf_putc(b, ',');
		key = bson_iter_key(it);
		klen = bson_iter_key_len(it);
		f = _ma_type_field_by_db_name(type, key, klen, &hint);
		if (f != NULL)
			write_string(b, f->name, strlen(f->name));
		else
			write_string(b, key, klen);
		_ma_buf_putc(b, ':');
		write_value(b, f, it);
	}
	_ma_buf_putc(b, '}');
}

void
_ma_json_write_doc(ma_buf *buf, const ma_type *type, const bson_t *doc)
{
	bson_iter_t it;

	if (!bson_iter_init(&it, doc)) {
		_ma_buf_append(buf, "null", 4);
		return;
	}
	write_doc(buf, type, &it);
}

char *
ma_json_from_bson(const ma_type *type, const bson_t *bson, size_t *len)
{
	ma_buf b;

	/* One allocation for most documents: JSON is rarely twice its BSON. */
	_ma_buf_init(&b, bson->len * 2 + 16);
	_ma_json_write_doc(&b, type, bson);
	return _ma_buf_steal(&b, len);
}

void
_ma_json_write_value(ma_buf *buf, const ma_field *field,
		     const bson_iter_t *iter)
{
	bson_iter_t it = *iter;

	write_value(buf, field, &it);
}

void
_ma_json_write_string(ma_buf *buf, const char *s, size_t n)
{
	write_string(buf, s, n);
}
