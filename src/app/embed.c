/*
 * A resource's embed= parameter: the reference fields a request asks to
 * see as documents, checked against what the resource declares, and the
 * embedding itself, where each referenced document is shown only if the
 * caller may read it through the app's own resources for its type.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/app-private.h"
#include "auth/auth-private.h"

/* error = "embed: <fmt...>" */
static bool refuse(ma_error *error, const char *fmt, ...) MA_PRINTF(2, 3);

static bool
refuse(ma_error *error, const char *fmt, ...)
{
	char msg[MA_ERROR_MESSAGE_SIZE];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	_ma_error_set(error, MA_ERR_INVALID, "embed: %s", msg);
	return false;
}

static bool
declared(const char *const *embeddable, const char *name)
{
	for (; embeddable != NULL && *embeddable != NULL; embeddable++) {
		if (strcmp(*embeddable, name) == 0)
			return true;
	}
	return false;
}

/* The declared names, comma-separated, for a message. */
static void
declared_list(const char *const *embeddable, char *out, size_t size)
{
	size_t len = 0;

	out[0] = '\0';
	for (; embeddable != NULL && *embeddable != NULL && len < size;
	     embeddable++)
		len += (size_t)snprintf(out + len, size - len, "%s%s",
					len > 0 ? ", " : "", *embeddable);
}

bool
_ma_embed_check(const ma_type *type, const char *const *embeddable,
		ma_error *error)
{
	const ma_field *f;
	size_t n = 0;

	for (; embeddable != NULL && *embeddable != NULL; embeddable++, n++) {
		f = ma_type_field(type, *embeddable);
		if (f == NULL || f->kind != MA_KIND_REF) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "%s: the embeddable field '%s' must be "
				      "a reference (MA_REF) of the type",
				      type->name, *embeddable);
			return false;
		}
		if (declared(embeddable + 1, *embeddable) ||
		    n >= MA_EMBED_MAX) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "%s: the embeddable fields are at most "
				      "%d distinct names ('%s')",
				      type->name, MA_EMBED_MAX, *embeddable);
			return false;
		}
	}
	return true;
}

/* One item of embed=, checked: a field of type that the resource
 * declares, not asked for before. */
static bool
embed_item(const ma_type *type, const char *const *embeddable, const char *item,
	   ma_embed_req *out, ma_error *error)
{
	char list[256], name[MA_NAME_SHOW + 4];
	const ma_field *f;
	size_t i;

	if (item[0] == '\0')
		return refuse(error, "an item is empty");
	if (strchr(item, '.') != NULL || strchr(item, '$') != NULL)
		return refuse(error,
			      "\"%s\" must be a top-level field name (no "
			      "'.' or '$'): only depth 1 is embedded",
			      _ma_shown(name, sizeof(name), item));
	f = ma_type_field(type, item);
	if (f == NULL)
		return refuse(error, "no such field \"%s\" in %s",
			      _ma_shown(name, sizeof(name), item), type->name);
	if (f->kind != MA_KIND_REF)
		return refuse(error, "\"%s\" is not a reference field",
			      f->name);
	if (!declared(embeddable, f->name)) {
		declared_list(embeddable, list, sizeof(list));
		return refuse(
			error, "\"%s\" cannot be embedded here (%s%s)", f->name,
			list[0] != '\0' ? "embeddable: " : "none is", list);
	}
	for (i = 0; i < out->n; i++) {
		if (out->fields[i] == f)
			return refuse(error, "\"%s\" is given twice", f->name);
	}
	out->fields[out->n++] = f;
	return true;
}

bool
_ma_embed_read(const ma_qs *qs, const ma_type *type,
	       const char *const *embeddable, ma_embed_req *out,
	       ma_error *error)
{
	const char *value;
	char *copy, *item, *next;
	bool ok = true;

	out->n = 0;
	ma_error_clear(error);
	if (!_ma_embed_param(type))
		return true;
	if (_ma_qs_count(qs, "embed") > 1)
		return refuse(error, "given more than once");
	value = _ma_qs_get(qs, "embed");
	if (value == NULL)
		return true;
	copy = bson_strdup(value);
	for (item = copy; ok && item != NULL; item = next) {
		next = strchr(item, ',');
		if (next != NULL)
			*next++ = '\0';
		ok = embed_item(type, embeddable, item, out, error);
	}
	bson_free(copy);
	return ok;
}

bool
_ma_embed_param(const ma_type *type)
{
	return ma_type_field(type, "embed") == NULL;
}

/* --- embedding, as the caller may see it -----------------------------------
 */

/* What the visible function needs: the app's resources for the type, and
 * the caller, identified on first need. */
typedef struct viewer {
	ma_app *app;
	const ma_request *req;
	const ma_db *db;
	const ma_type *type;
	bool identified;
	ma_user *own; /* identified here, on a public route */
} viewer;

static const ma_user *
caller(viewer *v)
{
	ma_response scratch;

	if (v->req->user != NULL)
		return v->req->user;
	if (!v->identified) {
		v->identified = true;
		/* A public route checked no credentials: those the request
		 * has, if good, name the caller; a 401 is not this request's
		 * answer, so it goes to a response nobody sends. */
		if (_ma_auth_enabled(v->app->auth)) {
			_ma_response_init(&scratch, v->req);
			v->own = _ma_auth_check(v->app->auth, v->app->name,
						v->req, &scratch, NULL,
						(int64_t)time(NULL));
			_ma_response_destroy(&scratch);
		}
	}
	return v->own;
}

/* Whether every resource of the app that serves the type from the same
 * database would let the caller GET ref. */
static bool
visible(const ma_doc *ref, void *arg)
{
	viewer *v = arg;
	const ma_access *access;
	size_t i = 0;

	while (_ma_resource_policy_next(v->app, v->db, v->type, &i, &access)) {
		if (access == NULL || (access->public_ops & MA_RES_GET))
			continue;
		if (!_ma_access_may_read(access, caller(v), ref))
			return false;
	}
	return true;
}

bool
_ma_embed_docs(ma_app *app, const ma_request *req, ma_db *db,
	       const ma_embed_req *em, ma_doc *const *docs, size_t n,
	       ma_page *page, ma_error *error)
{
	viewer v = {.app = app, .req = req, .db = db};
	bool ok = true;
	size_t i;

	for (i = 0; ok && i < em->n; i++) {
		v.type = em->fields[i]->type;
		ok = page != NULL
			     ? ma_page_embed(page, em->fields[i]->name, visible,
					     &v, error)
			     : ma_docs_embed(db, docs, n, em->fields[i]->name,
					     visible, &v, error);
	}
	ma_user_destroy(v.own);
	return ok;
}
