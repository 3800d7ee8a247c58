/*
 * The API description without a server: what routes say of themselves
 * (ma_app_describe()), what an undescribed route gets, the kinds of a
 * type as JSON Schema, and where the document is served. The example's
 * own description is read back in the contract suite (tests/http/openapi.c).
 */
#include <criterion/criterion.h>
#include <json-c/json.h>
#include <string.h>

#include <mongoalchemy-fcgi.h>

#include "fake_env.h"

static void
nothing(ma_request *req, ma_response *res, void *arg)
{
	(void)req;
	(void)arg;
	ma_response_status(res, MA_STATUS_NO_CONTENT);
}

/* app's description, parsed (json_object_put() it). */
static json_object *
parsed(ma_app *app)
{
	ma_error e;
	size_t len;
	const char *json = ma_app_openapi(app, &len, &e);
	json_object *d;

	cr_assert_not_null(json, "%s", e.message);
	d = json_tokener_parse(json);
	cr_assert_not_null(d, "not JSON: %s", json);
	return d;
}

/* The member at a '/'-separated path of keys ('~1' for a '/' in a key, as
 * in a JSON pointer); NULL when one is missing. */
static json_object *
at(json_object *d, const char *path)
{
	char *copy = strdup(path), *key, *save = NULL, *p;

	for (key = strtok_r(copy, "/", &save); d != NULL && key != NULL;
	     key = strtok_r(NULL, "/", &save)) {
		while ((p = strstr(key, "~1")) != NULL) {
			*p = '/';
			memmove(p + 1, p + 2, strlen(p + 2) + 1);
		}
		if (!json_object_object_get_ex(d, key, &d))
			d = NULL;
	}
	free(copy);
	return d;
}

static const char *
str_at(json_object *d, const char *path)
{
	json_object *v = at(d, path);

	cr_assert_not_null(v, "no %s", path);
	return json_object_get_string(v);
}

/* The custom routes the mechanism is for: a health check, a text answer. */
static const ma_route_doc health_doc = {
	.summary = "Liveness",
	.answer = MA_ANSWER_NONE,
	.status = MA_STATUS_NO_CONTENT,
	.statuses = (const ma_status[]){MA_STATUS_SERVICE_UNAVAILABLE, 0},
};

static const ma_route_doc metrics_doc = {
	.summary = "Metrics",
	.operation_id = "scrape",
	.answer = MA_ANSWER_TEXT,
	.content_type = "text/plain; version=0.0.4",
};

/* An app whose own operations routes are off, for routes of those paths
 * of the program's own. */
static const ma_app_options own_ops = {
	.health_path = "", .ready_path = "", .metrics_path = ""};

Test(openapi, custom_routes_describe_themselves_with_a_few_fields)
{
	ma_app *app = ma_app_new(&own_ops, NULL);
	ma_error e;
	json_object *d;

	cr_assert(ma_app_route(app, MA_GET, "/healthz", nothing, NULL, &e));
	cr_assert(ma_app_describe(app, MA_GET, "/healthz", &health_doc, &e),
		  "%s", e.message);
	cr_assert(ma_app_route(app, MA_GET, "/metrics", nothing, NULL, &e));
	cr_assert(ma_app_describe(app, MA_GET, "/metrics", &metrics_doc, &e));
	d = parsed(app);

	cr_assert_str_eq(str_at(d, "paths/~1healthz/get/summary"), "Liveness");
	cr_assert_str_eq(str_at(d, "paths/~1healthz/get/responses/204/"
				   "description"),
			 "No Content");
	cr_assert_null(at(d, "paths/~1healthz/get/responses/204/content"));
	cr_assert_str_eq(str_at(d, "paths/~1healthz/get/responses/503/$ref"),
			 "#/components/responses/ServiceUnavailable");
	cr_assert_not_null(at(d, "components/responses/ServiceUnavailable/"
				 "headers/Retry-After"));
	cr_assert_str_eq(str_at(d, "paths/~1metrics/get/operationId"),
			 "scrape");
	cr_assert_str_eq(str_at(d, "paths/~1metrics/get/responses/200/content/"
				   "text~1plain; version=0.0.4/schema/type"),
			 "string");
	json_object_put(d);
	ma_app_destroy(app);
}

Test(openapi, an_undescribed_route_is_listed_with_string_parameters)
{
	ma_app *app = ma_app_new(NULL, NULL);
	json_object *d, *params;

	cr_assert(ma_app_route(app, MA_GET | MA_POST, "/things/{name}", nothing,
			       NULL, NULL));
	d = parsed(app);
	cr_assert_str_eq(str_at(d, "paths/~1things~1{name}/get/summary"),
			 "GET /things/{name}");
	cr_assert_str_eq(str_at(d, "paths/~1things~1{name}/post/operationId"),
			 "postThingsByName");
	params = at(d, "paths/~1things~1{name}/get/parameters");
	cr_assert_eq(json_object_array_length(params), 1);
	cr_assert_str_eq(
		str_at(json_object_array_get_idx(params, 0), "schema/type"),
		"string");
	/* Only the 400 every route can give, besides its success. */
	cr_assert_not_null(at(d, "paths/~1things~1{name}/get/responses/400"));
	cr_assert_null(at(d, "paths/~1things~1{name}/get/responses/404"));
	json_object_put(d);
	ma_app_destroy(app);
}

Test(openapi, describing_no_such_route_is_refused_and_sticks)
{
	ma_app *app = ma_app_new(NULL, NULL);
	ma_error e;

	cr_assert(!ma_app_describe(app, MA_GET, "/nowhere", &health_doc, &e));
	cr_assert_eq(e.code, MA_ERR_INVALID);
	cr_assert(strstr(e.message, "/nowhere") != NULL, "%s", e.message);
	cr_assert_null(ma_app_openapi(app, NULL, &e));
	cr_assert(strstr(e.message, "/nowhere") != NULL, "%s", e.message);
	ma_app_destroy(app);
}

static const char *const genres[] = {"novel", "poetry", NULL};
static const ma_field kinds_fields[] = {
	MA_STRING("code", .regex = "[A-Z]{3}"),
	MA_FLOAT("price", MA_FMIN(0)),
	MA_BOOL("new", .optional = true),
	MA_DATETIME("at", .nullable = true, .optional = true),
	MA_ENUM("genre", genres),
	MA_LIST("tags", MA_ITEM(MA_STRING(NULL, .max_len = 30)),
		.max_items = 10),
	MA_INT("count", .default_json = "0"),
	MA_ANY("extra", .optional = true),
	MA_FIELDS_END};
static const ma_type kinds_type = {.name = "Kinds", .fields = kinds_fields};

Test(openapi, every_kind_becomes_its_json_schema)
{
	ma_app *app = ma_app_new(NULL, NULL);
	ma_error e;
	ma_db *db = fake_db("unit", &e);
	json_object *d, *s;

	cr_assert_not_null(db, "%s", e.message);
	cr_assert(ma_app_resource(app, "/kinds", db, &kinds_type, NULL, &e),
		  "%s", e.message);
	d = parsed(app);
	s = at(d, "components/schemas/Kinds/properties");
	cr_assert_not_null(s);
	cr_assert_str_eq(str_at(s, "code/pattern"), "^(?:[A-Z]{3})$");
	cr_assert_str_eq(str_at(s, "price/type"), "number");
	cr_assert_eq(json_object_get_double(at(s, "price/minimum")), 0);
	cr_assert_str_eq(str_at(s, "new/type"), "boolean");
	cr_assert_str_eq(json_object_to_json_string_ext(at(s, "at/anyOf"),
							JSON_C_TO_STRING_PLAIN),
			 "[{\"type\":\"string\",\"format\":\"date-time\"},"
			 "{\"type\":\"null\"}]");
	cr_assert_str_eq(json_object_get_string(json_object_array_get_idx(
				 at(s, "genre/enum"), 1)),
			 "poetry");
	cr_assert_eq(json_object_get_int(at(s, "tags/items/maxLength")), 30);
	cr_assert_eq(json_object_get_int(at(s, "tags/maxItems")), 10);
	cr_assert_eq(json_object_get_int(at(s, "count/default")), 0);
	cr_assert_eq(json_object_object_length(at(s, "extra")), 0,
		     "any value is the empty schema");
	/* Required: not the optional ones; in a body, not the defaulted. */
	cr_assert_str_eq(
		json_object_to_json_string_ext(
			at(d, "components/schemas/Kinds/required"),
			JSON_C_TO_STRING_PLAIN),
		"[\"_id\",\"code\",\"price\",\"genre\",\"tags\",\"count\"]");
	cr_assert_str_eq(
		json_object_to_json_string_ext(
			at(d, "components/schemas/KindsInput/required"),
			JSON_C_TO_STRING_PLAIN),
		"[\"code\",\"price\",\"genre\",\"tags\"]");
	/* Sortable fields only: no list, no any. */
	cr_assert_str_eq(
		str_at(json_object_array_get_idx(
			       at(d, "paths/~1kinds/get/parameters"), 2),
		       "schema/pattern"),
		"^-?(?:_id|code|price|new|at|genre|count)(?:,-?(?:_id|code|"
		"price|new|at|genre|count))*$");
	json_object_put(d);
	ma_app_destroy(app);
	ma_db_destroy(db);
}

/* Embedded documents two deep, lists of enums and of documents, a date. */
static const ma_field spot_fields[] = {MA_INT("row", MA_MIN(1)), MA_FIELDS_END};
static const ma_type spot_type = {.name = "Spot", .fields = spot_fields};
static const ma_field place_fields[] = {
	MA_STRING("city"), MA_DOCUMENT("spot", &spot_type), MA_FIELDS_END};
static const ma_type place_type = {.name = "Place", .fields = place_fields};
static const ma_field paths_fields[] = {
	MA_STRING("title"),
	MA_DOCUMENT("place", &place_type),
	MA_ENUM("genre", genres),
	MA_LIST("moods", MA_ITEM(MA_ENUM(NULL, genres))),
	MA_LIST("stops", MA_ITEM(MA_DOCUMENT(NULL, &spot_type))),
	MA_DATETIME("at"),
	MA_FIELDS_END};
static const ma_type paths_type = {.name = "Paths", .fields = paths_fields};

/* The list's parameter called name, or NULL. */
static json_object *
param(json_object *d, const char *name)
{
	json_object *params = at(d, "paths/~1paths/get/parameters"), *p;
	size_t i;

	cr_assert_not_null(params);
	for (i = 0; i < json_object_array_length(params); i++) {
		p = json_object_array_get_idx(params, i);
		if (strcmp(str_at(p, "name"), name) == 0)
			return p;
	}
	return NULL;
}

static const char *
plain(json_object *o)
{
	cr_assert_not_null(o);
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
}

Test(openapi, list_parameters_follow_paths_lists_enums_and_dates)
{
	ma_app *app = ma_app_new(NULL, NULL);
	ma_error e;
	ma_db *db = fake_db("unit", &e);
	json_object *d;

	cr_assert_not_null(db, "%s", e.message);
	cr_assert(ma_app_resource(app, "/paths", db, &paths_type, NULL, &e),
		  "%s", e.message);
	d = parsed(app);

	/* sort and fields take the dotted paths of embedded documents */
	cr_assert_str_eq(str_at(param(d, "sort"), "schema/pattern"),
			 "^-?(?:_id|title|place\\.city|place\\.spot\\.row|"
			 "genre|at)(?:,-?(?:_id|title|place\\.city|place\\."
			 "spot\\.row|genre|at))*$");
	cr_assert_str_eq(str_at(param(d, "fields"), "schema/pattern"),
			 "^(?:_id|title|place|place\\.city|place\\.spot|"
			 "place\\.spot\\.row|genre|moods|stops|at)(?:,(?:_"
			 "id|title|place|place\\.city|place\\.spot|place"
			 "\\.spot\\.row|genre|moods|stops|at))*$");

	/* filters by dotted paths, with the leaf's operators; a document
	 * only by its presence */
	cr_assert_str_eq(
		plain(at(param(d, "place.city__startswith"), "schema")),
		"{\"type\":\"string\"}");
	cr_assert_str_eq(str_at(param(d, "place.spot.row__gte"), "schema/type"),
			 "integer");
	cr_assert_eq(json_object_get_int64(
			     at(param(d, "place.spot.row"), "schema/minimum")),
		     INT64_MIN, "a filter is held to no bound");
	cr_assert_not_null(param(d, "place.spot__exists"));
	cr_assert_null(param(d, "place"));
	cr_assert_null(param(d, "place.spot__in"));

	/* an enum's values where a value is compared for equality */
	cr_assert_str_eq(plain(at(param(d, "genre"), "schema/enum")),
			 "[\"novel\",\"poetry\"]");
	cr_assert_str_eq(plain(at(param(d, "genre__ne"), "schema/enum")),
			 "[\"novel\",\"poetry\"]");
	cr_assert_str_eq(plain(at(param(d, "genre__in"), "schema/items/enum")),
			 "[\"novel\",\"poetry\"]");
	cr_assert_str_eq(plain(at(param(d, "genre__gt"), "schema")),
			 "{\"type\":\"string\"}");

	/* a list of scalars: its items' filters, all and size */
	cr_assert_str_eq(plain(at(param(d, "moods"), "schema/enum")),
			 "[\"novel\",\"poetry\"]");
	cr_assert_str_eq(plain(at(param(d, "moods__all"), "schema")),
			 "{\"type\":\"array\",\"items\":{\"type\":"
			 "\"string\",\"enum\":[\"novel\",\"poetry\"]},"
			 "\"minItems\":1,\"maxItems\":100}");
	cr_assert_str_eq(str_at(param(d, "moods__all"), "style"), "form");
	cr_assert_str_eq(plain(at(param(d, "moods__size"), "schema")),
			 "{\"type\":\"integer\",\"minimum\":0,"
			 "\"maximum\":2147483647}");
	/* a list of documents: its length and presence only */
	cr_assert_not_null(param(d, "stops__size"));
	cr_assert_not_null(param(d, "stops__exists"));
	cr_assert_null(param(d, "stops"));
	cr_assert_null(param(d, "stops__all"));
	cr_assert_null(param(d, "title__all"));
	cr_assert_null(param(d, "title__size"));

	/* dates as RFC 3339's date-time */
	cr_assert_str_eq(str_at(param(d, "at"), "schema/format"), "date-time");
	cr_assert_str_eq(str_at(param(d, "at__lte"), "schema/format"),
			 "date-time");
	cr_assert_str_eq(str_at(param(d, "at__in"), "schema/items/format"),
			 "date-time");
	json_object_put(d);
	ma_app_destroy(app);
	ma_db_destroy(db);
}

/* Served at /openapi.json by default, elsewhere, or nowhere. */
Test(openapi, path_is_configurable_and_can_be_switched_off)
{
	ma_app_options moved = {.openapi_path = "/api/description.json"};
	ma_app_options none = {.openapi_path = "",
			       .health_path = "",
			       .ready_path = "",
			       .metrics_path = ""};
	ma_app *app = ma_app_new(&moved, NULL);
	json_object *d = parsed(app);

	cr_assert_not_null(at(d, "paths/~1api~1description.json/get"));
	cr_assert_null(at(d, "paths/~1openapi.json"));
	json_object_put(d);
	ma_app_destroy(app);

	app = ma_app_new(&none, NULL);
	d = parsed(app);
	cr_assert_eq(json_object_object_length(at(d, "paths")), 0);
	json_object_put(d);
	ma_app_destroy(app);
}
