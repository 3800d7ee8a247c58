/*
 * The API description: an OpenAPI 3.1 document built from the routes the
 * application has (each with what it says of itself, ma_route_doc) and the
 * types they serve (openapi-schema.c), once per process, and the route
 * that serves it.
 */
#include <ctype.h>
#include <string.h>

#include "app/openapi-private.h"
#include "auth/auth-private.h"
#include "runtime/runtime-private.h"
#include "config.h"

#define SCHEMAS "#/components/schemas/"

/* The member key of o, added empty when it is not there. */
static json_object *
member(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v)) {
		v = json_object_new_object();
		_ma_json_put(o, key, v);
	}
	return v;
}

static json_object *
ref(const char *prefix, const char *name)
{
	json_object *o = json_object_new_object();
	char *s = bson_strdup_printf("%s%s", prefix, name);

	_ma_json_put_str(o, "$ref", s);
	bson_free(s);
	return o;
}

/* "Not Found" -> "NotFound": the name of a status's shared response. */
static char *
status_name(ma_status status)
{
	const char *t = ma_status_title(status);
	char *name = bson_malloc(strlen(t) + 1), *p = name;

	for (; *t != '\0'; t++) {
		if (isalnum((unsigned char)*t))
			*p++ = *t;
	}
	*p = '\0';
	return name;
}

/* --- components ---------------------------------------------------------- */

static json_object *
header(const char *description, const char *type)
{
	json_object *h = json_object_new_object();

	_ma_json_put_str(h, "description", description);
	_ma_json_put(h, "schema", _ma_json_typed(type));
	return h;
}

/* Adds type's schemas (Book, BookItem, BookInput, BookPatch, BookPage)
 * unless they are there. */
static void
add_type(json_object *schemas, const ma_type *type)
{
	static const struct {
		const char *suffix;
		ma_schema_form form;
	} forms[] = {{"", MA_FORM_STORED},
		     {"Item", MA_FORM_ITEM},
		     {"Input", MA_FORM_INPUT},
		     {"Patch", MA_FORM_PATCH}};
	json_object *s;
	char *name;
	size_t i;

	if (json_object_object_get_ex(schemas, type->name, NULL))
		return;
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		name = bson_strdup_printf("%s%s", type->name, forms[i].suffix);
		s = _ma_openapi_type_schema(type, forms[i].form);
		_ma_json_put_str(s, "title", name);
		_ma_json_put(schemas, name, s);
		bson_free(name);
	}
	name = bson_strdup_printf("%sItem", type->name);
	s = _ma_openapi_page_schema(ref(SCHEMAS, name));
	bson_free(name);
	name = bson_strdup_printf("%sPage", type->name);
	_ma_json_put(schemas, name, s);
	bson_free(name);
}

/* components.responses.<Name> for a problem status, added once. */
static json_object *
problem_response(json_object *components, ma_status status)
{
	json_object *responses = member(components, "responses");
	json_object *r, *content;
	char *name = status_name(status);

	if (!json_object_object_get_ex(responses, name, NULL)) {
		r = json_object_new_object();
		_ma_json_put_str(r, "description", ma_status_title(status));
		if (status == MA_STATUS_NOT_MODIFIED) {
			_ma_json_put(member(r, "headers"), "ETag",
				     ref("#/components/headers/", "ETag"));
		} else {
			content = member(r, "content");
			_ma_json_put(
				member(content, "application/problem+json"),
				"schema", ref(SCHEMAS, "Problem"));
		}
		if (status == MA_STATUS_SERVICE_UNAVAILABLE)
			_ma_json_put(
				member(r, "headers"), "Retry-After",
				ref("#/components/headers/", "Retry-After"));
		_ma_json_put(responses, name, r);
	}
	r = ref("#/components/responses/", name);
	bson_free(name);
	return r;
}

static json_object *
components_new(void)
{
	json_object *c = json_object_new_object();
	json_object *headers = member(c, "headers");
	json_object *params = member(c, "parameters");
	json_object *p;
	const char *const names[] = {"If-Match", "If-None-Match"};
	size_t i;

	_ma_json_put(member(c, "schemas"), "Problem",
		     _ma_openapi_problem_schema());
	_ma_json_put(member(c, "schemas"), "BulkItems",
		     _ma_openapi_bulk_items_schema());
	_ma_json_put(headers, "ETag",
		     header("the document's entity tag, for If-Match and "
			    "If-None-Match",
			    "string"));
	_ma_json_put(
		headers, "Link",
		header("RFC 8288 links to the first, previous, next and last "
		       "pages",
		       "string"));
	_ma_json_put(headers, "X-Total-Count",
		     header("how many documents the list holds", "integer"));
	_ma_json_put(headers, "Location",
		     header("the path of the document created", "string"));
	_ma_json_put(headers, "Retry-After",
		     header("seconds to wait before trying again", "integer"));
	for (i = 0; i < 2; i++) {
		p = json_object_new_object();
		_ma_json_put_str(p, "name", names[i]);
		_ma_json_put_str(p, "in", "header");
		_ma_json_put(p, "required", json_object_new_boolean(false));
		_ma_json_put_str(
			p, "description",
			i == 0 ? "change only the document of this ETag (412 "
				 "otherwise)"
			       : "a read: 304 when the document still has "
				 "this ETag; a write: 412");
		_ma_json_put(p, "schema", _ma_json_typed("string"));
		_ma_json_put(params, names[i], p);
	}
	return c;
}

/* --- operations ---------------------------------------------------------- */

/* "get" + "/books/{id}" -> "getBooksById". */
static char *
operation_id(const char *method, const char *pattern)
{
	ma_buf b;
	const char *p;
	bool up = false;

	_ma_buf_init(&b, strlen(pattern) + 16);
	for (p = method; *p != '\0'; p++)
		_ma_buf_putc(&b, (char)tolower((unsigned char)*p));
	for (p = pattern; *p != '\0'; p++) {
		if (*p == '{') {
			_ma_buf_append(&b, "By", 2);
			up = true;
		} else if (isalnum((unsigned char)*p)) {
			_ma_buf_putc(&b, up ? (char)toupper((unsigned char)*p)
					    : *p);
			up = false;
		} else {
			up = true;
		}
	}
	return _ma_buf_steal(&b, NULL);
}

/* The path parameters of pattern, each with its kind from doc->params
 * (a string when not listed). */
static void
path_params(json_object *params, const char *pattern, const ma_route_doc *doc)
{
	const char *p = pattern, *end;
	const ma_field *f;
	json_object *o, *schema;
	char *name;

	while ((p = strchr(p, '{')) != NULL && (end = strchr(p, '}')) != NULL) {
		name = bson_strndup(p + 1, (size_t)(end - p - 1));
		schema = NULL;
		for (f = doc != NULL ? doc->params : NULL;
		     f != NULL && f->kind != MA_KIND_NONE; f++) {
			if (strcmp(f->name, name) == 0)
				schema = _ma_openapi_field_schema(f);
		}
		if (schema == NULL)
			schema = _ma_json_typed("string");
		o = json_object_new_object();
		_ma_json_put_str(o, "name", name);
		_ma_json_put_str(o, "in", "path");
		_ma_json_put(o, "required", json_object_new_boolean(true));
		_ma_json_put(o, "schema", schema);
		json_object_array_add(params, o);
		bson_free(name);
		p = end + 1;
	}
}

/*
 * links from a created document to the operations on it: the routes of
 * "<pattern>/{id}" (create, then get, replace, update or delete it).
 */
static json_object *
created_links(const ma_app *app, const char *pattern)
{
	json_object *links = json_object_new_object(), *l;
	char *item = bson_strdup_printf("%s/{id}", pattern), *id;
	unsigned m;
	size_t i;

	for (i = 0; i < app->nroutes; i++) {
		if (strcmp(app->routes[i].pattern, item) != 0)
			continue;
		for (m = MA_GET; m <= MA_DELETE; m <<= 1) {
			if (!(app->routes[i].methods & m) || m == MA_HEAD)
				continue;
			id = app->routes[i].doc != NULL &&
					     app->routes[i].doc->operation_id !=
						     NULL
				     ? bson_strdup(
					       app->routes[i].doc->operation_id)
				     : operation_id(
					       ma_method_name((ma_method)m),
					       item);
			l = json_object_new_object();
			_ma_json_put_str(l, "operationId", id);
			_ma_json_put_str(member(l, "parameters"), "id",
					 "$response.body#/_id");
			_ma_json_put(links, id, l);
			bson_free(id);
		}
	}
	bson_free(item);
	return links;
}

/* The success response of an operation. */
static json_object *
success(const ma_app *app, const char *pattern, const ma_route_doc *doc,
	ma_status status)
{
	json_object *r = json_object_new_object(), *schema = NULL;
	json_object *headers;
	const char *ct = "application/json";
	char *name;

	_ma_json_put_str(r, "description", ma_status_title(status));
	switch (doc->answer) {
	case MA_ANSWER_DOC:
		if (doc->type != NULL)
			schema = ref(SCHEMAS, doc->type->name);
		break;
	case MA_ANSWER_PAGE:
		if (doc->type != NULL) {
			name = bson_strdup_printf("%sPage", doc->type->name);
			schema = ref(SCHEMAS, name);
			bson_free(name);
		}
		headers = member(r, "headers");
		_ma_json_put(headers, "Link",
			     ref("#/components/headers/", "Link"));
		_ma_json_put(headers, "X-Total-Count",
			     ref("#/components/headers/", "X-Total-Count"));
		break;
	case MA_ANSWER_TEXT:
		ct = doc->content_type != NULL ? doc->content_type
					       : "text/plain";
		schema = _ma_json_typed("string");
		break;
	case MA_ANSWER_NONE:
		return r;
	case MA_ANSWER_JSON:
	default:
		break;
	}
	if (schema != NULL && doc->answer == MA_ANSWER_DOC &&
	    doc->max_items > 0)
		schema = _ma_openapi_one_or_many(schema, 0);
	_ma_json_put(member(member(r, "content"), ct), "schema",
		     schema != NULL ? schema : json_object_new_object());
	/* A resource's documents carry their ETag. */
	if (doc->answer == MA_ANSWER_DOC)
		_ma_json_put(member(r, "headers"), "ETag",
			     ref("#/components/headers/", "ETag"));
	if (status == MA_STATUS_CREATED && doc->answer == MA_ANSWER_DOC) {
		_ma_json_put(member(r, "headers"), "Location",
			     ref("#/components/headers/", "Location"));
		_ma_json_put(r, "links", created_links(app, pattern));
	}
	return r;
}

/* The statuses of the problems an operation can answer, in order. */
static size_t
problem_statuses(const ma_route_doc *doc, ma_method method, bool has_params,
		 ma_status *out, size_t size)
{
	bool read = method == MA_GET || method == MA_HEAD;
	bool write =
		method == MA_POST || method == MA_PUT || method == MA_PATCH;
	ma_status all[] = {
		MA_STATUS_NOT_MODIFIED,
		MA_STATUS_BAD_REQUEST,
		MA_STATUS_UNAUTHORIZED,
		MA_STATUS_FORBIDDEN,
		MA_STATUS_NOT_FOUND,
		MA_STATUS_CONFLICT,
		MA_STATUS_PRECONDITION_FAILED,
		MA_STATUS_CONTENT_TOO_LARGE,
		MA_STATUS_URI_TOO_LONG,
		MA_STATUS_UNSUPPORTED_MEDIA_TYPE,
		MA_STATUS_PRECONDITION_REQUIRED,
		MA_STATUS_SERVICE_UNAVAILABLE,
		MA_STATUS_GATEWAY_TIMEOUT,
	};
	bool want[sizeof(all) / sizeof(all[0])] = {
		doc->etag && read,
		true, /* a query string or a path that does not decode */
		doc->auth,
		doc->auth,
		doc->answer == MA_ANSWER_PAGE ||
			(doc->type != NULL && has_params),
		doc->type != NULL && write,
		doc->etag,
		doc->body != MA_BODY_NONE,
		/* a front end's answer to a long query string */
		doc->answer == MA_ANSWER_PAGE,
		doc->body != MA_BODY_NONE,
		doc->require_if_match,
		doc->type != NULL,
		doc->type != NULL,
	};
	const ma_status *s;
	size_t i, j, n = 0;

	for (i = 0; i < sizeof(all) / sizeof(all[0]) && n < size; i++) {
		if (want[i])
			out[n++] = all[i];
	}
	for (s = doc->statuses; s != NULL && *s != 0 && n < size; s++) {
		for (j = 0; j < n && out[j] != *s; j++)
			;
		if (j == n)
			out[n++] = *s;
	}
	return n;
}

static json_object *
operation(const ma_app *app, const ma_app_route_entry *e, ma_method method,
	  json_object *components)
{
	static const ma_route_doc undescribed = {0};
	const ma_route_doc *doc = e->doc != NULL ? e->doc : &undescribed;
	const char *mname = ma_method_name(method);
	json_object *op = json_object_new_object();
	json_object *params = json_object_new_array();
	json_object *responses = json_object_new_object();
	json_object *schemas = member(components, "schemas");
	json_object *body, *tags;
	ma_status status = doc->status != 0 ? doc->status : MA_STATUS_OK;
	ma_status problems[32];
	const char *const *v;
	const char *seg;
	char *s;
	size_t i, n;

	if (doc->type != NULL)
		add_type(schemas, doc->type);
	s = doc->summary != NULL
		    ? bson_strdup(doc->summary)
		    : bson_strdup_printf("%s %s", mname, e->pattern);
	_ma_json_put_str(op, "summary", s);
	bson_free(s);
	if (doc->description != NULL)
		_ma_json_put_str(op, "description", doc->description);
	s = doc->operation_id != NULL ? bson_strdup(doc->operation_id)
				      : operation_id(mname, e->pattern);
	_ma_json_put_str(op, "operationId", s);
	bson_free(s);

	/* Tagged by the first segment: /books and /books/{id} together. */
	seg = e->pattern[0] == '/' ? e->pattern + 1 : e->pattern;
	s = bson_strndup(seg, strcspn(seg, "/"));
	tags = json_object_new_array();
	json_object_array_add(tags,
			      json_object_new_string(
				      s[0] != '\0' && s[0] != '{' ? s : "api"));
	_ma_json_put(op, "tags", tags);
	bson_free(s);

	path_params(params, e->pattern, doc);
	if (doc->answer == MA_ANSWER_PAGE && doc->type != NULL)
		_ma_openapi_list_params(params, doc->type, doc->max_per_page);
	for (v = doc->type != NULL ? doc->embeddable : NULL; v != NULL && *v;
	     v++)
		add_type(schemas, ma_type_field(doc->type, *v)->type);
	if (doc->embeddable != NULL && doc->type != NULL)
		_ma_openapi_embed(params, schemas, doc->type, doc->embeddable);
	if (doc->etag) {
		json_object_array_add(
			params, ref("#/components/parameters/", "If-Match"));
		json_object_array_add(params, ref("#/components/parameters/",
						  "If-None-Match"));
	}
	if (json_object_array_length(params) > 0)
		_ma_json_put(op, "parameters", params);
	else
		json_object_put(params);

	if (doc->body != MA_BODY_NONE && doc->type != NULL) {
		body = json_object_new_object();
		_ma_json_put(body, "required", json_object_new_boolean(true));
		s = bson_strdup_printf("%s%s", doc->type->name,
				       doc->body == MA_BODY_DOC ? "Input"
								: "Patch");
		_ma_json_put(
			member(member(body, "content"), "application/json"),
			"schema",
			doc->body == MA_BODY_DOC && doc->max_items > 0
				? _ma_openapi_one_or_many(ref(SCHEMAS, s),
							  doc->max_items)
				: ref(SCHEMAS, s));
		bson_free(s);
		_ma_json_put(op, "requestBody", body);
	}

	s = bson_strdup_printf("%d", (int)status);
	_ma_json_put(responses, s, success(app, e->pattern, doc, status));
	bson_free(s);
	n = problem_statuses(doc, method, strchr(e->pattern, '{') != NULL,
			     problems, sizeof(problems) / sizeof(problems[0]));
	for (i = 0; i < n; i++) {
		s = bson_strdup_printf("%d", (int)problems[i]);
		_ma_json_put(responses, s,
			     problem_response(components, problems[i]));
		bson_free(s);
	}
	_ma_json_put(op, "responses", responses);
	/* The bearer scheme where the app checks tokens; a caller the front
	 * end authenticated is outside what a client of the API sends. */
	if (doc->auth && _ma_auth_bearer(app->auth)) {
		json_object *security = json_object_new_array();
		json_object *scheme = json_object_new_object();

		_ma_json_put(scheme, "bearer", json_object_new_array());
		json_object_array_add(security, scheme);
		_ma_json_put(op, "security", security);
	}
	return op;
}

/* --- the document -------------------------------------------------------- */

static char *
build(const ma_app *app, size_t *len)
{
	json_object *root = json_object_new_object();
	json_object *info = json_object_new_object();
	json_object *paths = json_object_new_object();
	json_object *components = components_new();
	json_object *item;
	const ma_app_route_entry *e;
	const char *json;
	char key[16], *out;
	unsigned m;
	size_t i, k;

	_ma_json_put_str(root, "openapi", "3.1.0");
	/* The name the program's lines carry when the app has none. */
	_ma_json_put_str(info, "title",
			 app->name != NULL ? app->name : _ma_log_program());
	_ma_json_put_str(info, "version", PACKAGE_VERSION);
	_ma_json_put_str(
		info, "description",
		"JSON documents over HTTP; every error is an RFC 9457 problem "
		"(application/problem+json). Every GET also answers HEAD.");
	_ma_json_put(root, "info", info);
	_ma_json_put_str(root, "jsonSchemaDialect",
			 "https://spec.openapis.org/oas/3.1/dialect/base");
	for (i = 0; i < app->nroutes; i++) {
		e = &app->routes[i];
		item = member(paths, e->pattern);
		/* HEAD is GET's, without the body: not an operation of its
		 * own. */
		for (m = MA_GET; m <= MA_OPTIONS; m <<= 1) {
			if (!(e->methods & m) || m == MA_HEAD)
				continue;
			for (k = 0; ma_method_name((ma_method)m)[k] != '\0';
			     k++)
				key[k] = (char)tolower(
					(unsigned char)ma_method_name(
						(ma_method)m)[k]);
			key[k] = '\0';
			_ma_json_put(
				item, key,
				operation(app, e, (ma_method)m, components));
		}
	}
	_ma_json_put(root, "paths", paths);
	if (_ma_auth_bearer(app->auth)) {
		json_object *bearer = json_object_new_object();

		_ma_json_put_str(bearer, "type", "http");
		_ma_json_put_str(bearer, "scheme", "bearer");
		_ma_json_put_str(bearer, "bearerFormat", "JWT");
		_ma_json_put_str(bearer, "description",
				 "A JWT (RFC 7519) signed by a key of the "
				 "service's JWK Set; its roles claim names "
				 "the caller's roles.");
		_ma_json_put(member(components, "securitySchemes"), "bearer",
			     bearer);
	}
	_ma_json_put(root, "components", components);
	json = json_object_to_json_string_length(
		root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
		len);
	out = bson_strndup(json, *len);
	json_object_put(root);
	return out;
}

const char *
ma_app_openapi(ma_app *app, size_t *len, ma_error *error)
{
	if (!_ma_app_setup_ok(app, error))
		return NULL;
	if (app->openapi == NULL)
		app->openapi = build(app, &app->openapi_len);
	if (len != NULL)
		*len = app->openapi_len;
	ma_error_clear(error);
	return app->openapi;
}

void
_ma_app_openapi_handler(ma_request *req, ma_response *res, void *arg)
{
	size_t len;
	ma_error e;
	const char *json = ma_app_openapi(arg, &len, &e);

	(void)req;
	if (json == NULL)
		ma_response_error(res, &e, NULL);
	else
		ma_response_json(res, MA_STATUS_OK, json, len);
}

const ma_route_doc _ma_openapi_route_doc = {
	.summary = "This API's description (OpenAPI 3.1)",
	.operation_id = "getOpenAPI",
	.answer = MA_ANSWER_JSON,
};
