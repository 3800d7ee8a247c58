/*
 * Lookups in a type's table: its collection, a field by JSON or database
 * name, and dotted paths through embedded types.
 */
#include <string.h>

#include "schema/schema-private.h"

/* --- lookups ------------------------------------------------------------- */

const char *
ma_type_collection(const ma_type *type)
{
	return type->collection != NULL ? type->collection : type->name;
}

const char *
ma_field_db_name(const ma_field *field)
{
	return field->db_name != NULL ? field->db_name : field->name;
}

static bool
key_is(const char *name, const char *key, size_t n)
{
	return strncmp(name, key, n) == 0 && name[n] == '\0';
}

static const ma_field *
field_n(const ma_type *type, const char *name, size_t n)
{
	const ma_field *f;

	if (type == NULL || name == NULL)
		return NULL;
	for (f = type->fields; f != NULL && f->kind != MA_KIND_NONE; f++) {
		if (key_is(f->name, name, n))
			return f;
	}
	return NULL;
}

const ma_field *
ma_type_field(const ma_type *type, const char *name)
{
	const ma_field *f;

	/* strcmp, not field_n(): this runs for every key of every input. */
	if (type == NULL || name == NULL)
		return NULL;
	for (f = type->fields; f != NULL && f->kind != MA_KIND_NONE; f++) {
		if (strcmp(f->name, name) == 0)
			return f;
	}
	return NULL;
}

bool
_ma_type_path(const ma_type *type, const char *path, ma_buf *dbpath,
	      const ma_field **last)
{
	const ma_field *f = NULL;
	const char *seg = path, *dot;
	const char *name;
	bool known = true;
	size_t n;

	for (;;) {
		dot = strchr(seg, '.');
		n = dot != NULL ? (size_t)(dot - seg) : strlen(seg);
		f = field_n(type, seg, n);
		known = known && f != NULL;
		if (dbpath != NULL) {
			if (seg != path)
				_ma_buf_putc(dbpath, '.');
			name = f != NULL ? ma_field_db_name(f) : seg;
			_ma_buf_append(dbpath, name,
				       f != NULL ? strlen(name) : n);
		}
		if (dot == NULL)
			break;
		/* Into an embedded document, or into the documents of a
		 * list: MongoDB's "lines.sku" matches any line's sku. */
		if (f != NULL && f->kind == MA_KIND_LIST && f->item != NULL)
			f = f->item;
		type = f != NULL && f->kind == MA_KIND_DOCUMENT ? f->type
								: NULL;
		known = known && type != NULL;
		seg = dot + 1;
	}
	if (dbpath != NULL)
		dbpath->data[dbpath->len] = '\0';
	if (last != NULL)
		*last = f;
	return known;
}

const ma_field *
_ma_type_field_by_db_name(const ma_type *type, const char *key, size_t n,
			  size_t *hint)
{
	const ma_field *fields, *f;

	if (type == NULL || type->fields == NULL)
		return NULL;
	fields = type->fields;
	if (hint != NULL && fields[*hint].kind != MA_KIND_NONE &&
	    key_is(ma_field_db_name(&fields[*hint]), key, n))
		return &fields[(*hint)++];
	for (f = fields; f->kind != MA_KIND_NONE; f++) {
		if (key_is(ma_field_db_name(f), key, n)) {
			if (hint != NULL)
				*hint = (size_t)(f - fields) + 1;
			return f;
		}
	}
	return NULL;
}

const ma_query_extension *
ma_type_extension(const ma_type *type, const char *name)
{
	const ma_query_extension *x;

	if (type == NULL || type->extensions == NULL || name == NULL)
		return NULL;
	for (x = type->extensions; x->name != NULL; x++) {
		if (strcmp(x->name, name) == 0)
			return x;
	}
	return NULL;
}
