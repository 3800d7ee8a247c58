/*
 * Problem lists (what validation found, each with its field path) and the
 * walk that carries the current path while a document is checked.
 */
#include <stdarg.h>
#include <stdio.h>

#include "schema/schema-private.h"

/* --- problems ------------------------------------------------------------ */

typedef struct problem {
	char *field;
	char *message;
} problem;

struct ma_problems {
	problem items[MA_PROBLEMS_MAX];
	size_t count;
	bool truncated;
};

ma_problems *
ma_problems_new(void)
{
	return bson_malloc0(sizeof(ma_problems));
}

void
ma_problems_clear(ma_problems *problems)
{
	size_t i;

	if (problems == NULL)
		return;
	for (i = 0; i < problems->count; i++) {
		bson_free(problems->items[i].field);
		bson_free(problems->items[i].message);
	}
	problems->count = 0;
	problems->truncated = false;
}

void
ma_problems_destroy(ma_problems *problems)
{
	ma_problems_clear(problems);
	bson_free(problems);
}

size_t
ma_problems_count(const ma_problems *problems)
{
	return problems == NULL ? 0 : problems->count;
}

const char *
ma_problems_field(const ma_problems *problems, size_t i)
{
	return i < ma_problems_count(problems) ? problems->items[i].field
					       : NULL;
}

const char *
ma_problems_message(const ma_problems *problems, size_t i)
{
	return i < ma_problems_count(problems) ? problems->items[i].message
					       : NULL;
}

bool
ma_problems_truncated(const ma_problems *problems)
{
	return problems != NULL && problems->truncated;
}

ma_problems *
_ma_problems_use(ma_problems *given)
{
	if (given == NULL)
		return ma_problems_new();
	ma_problems_clear(given);
	return given;
}

void
_ma_problems_done(ma_problems *used, ma_problems *given)
{
	if (used != given)
		ma_problems_destroy(used);
}

void
_ma_error_from_problems(ma_error *error, const ma_type *type,
			const ma_problems *problems)
{
	ma_buf msg;
	size_t i;

	if (error == NULL)
		return;
	_ma_buf_init(&msg, 256);
	_ma_buf_printf(&msg, "invalid %s: ", type->name);
	for (i = 0; i < problems->count; i++) {
		if (i > 0)
			_ma_buf_append(&msg, "; ", 2);
		if (problems->items[i].field[0] != '\0')
			_ma_buf_printf(&msg, "%s: ", problems->items[i].field);
		_ma_buf_printf(&msg, "%s", problems->items[i].message);
	}
	_ma_error_set(error, MA_ERR_VALIDATION, "%s", msg.data);
	_ma_buf_destroy(&msg);
}

bool
_ma_error_from_first_problem(ma_error *error, const ma_problems *problems)
{
	if (problems->count == 0)
		return false;
	_ma_error_set(error, MA_ERR_INVALID, "%s: %s", problems->items[0].field,
		      problems->items[0].message);
	return true;
}

/* --- walking ------------------------------------------------------------- */

void
_ma_walk_init(ma_walk *walk, ma_problems *problems)
{
	walk->problems = problems;
	walk->compare = false;
	_ma_buf_init(&walk->path, 64);
}

void
_ma_walk_destroy(ma_walk *walk)
{
	_ma_buf_destroy(&walk->path);
}

size_t
_ma_walk_push_key(ma_walk *walk, const char *key, size_t n)
{
	size_t mark = walk->path.len;

	if (mark > 0)
		_ma_buf_putc(&walk->path, '.');
	_ma_buf_append(&walk->path, key, n);
	walk->path.data[walk->path.len] = '\0';
	return mark;
}

size_t
_ma_walk_push_index(ma_walk *walk, size_t i)
{
	size_t mark = walk->path.len;
	char tmp[24], *p = tmp + sizeof(tmp);

	/* Every list item passes here: no printf. */
	*--p = ']';
	do {
		*--p = (char)('0' + i % 10);
		i /= 10;
	} while (i != 0);
	*--p = '[';
	_ma_buf_append(&walk->path, p, (size_t)(tmp + sizeof(tmp) - p));
	walk->path.data[walk->path.len] = '\0';
	return mark;
}

void
_ma_walk_pop(ma_walk *walk, size_t mark)
{
	walk->path.len = mark;
	walk->path.data[mark] = '\0';
}

void
_ma_walk_problem(ma_walk *walk, const char *fmt, ...)
{
	ma_problems *p = walk->problems;
	va_list ap;
	char msg[512];

	if (p->count == MA_PROBLEMS_MAX) {
		p->truncated = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->items[p->count].field =
		bson_strndup(walk->path.data, walk->path.len);
	p->items[p->count].message = bson_strdup(msg);
	p->count++;
}
