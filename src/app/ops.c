/*
 * What operators see of an application: liveness and readiness routes,
 * the metrics route, the driver's commands counted, and one log line per
 * request with its id.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/app-private.h"
#include "json/json-private.h"
#include "runtime/runtime-private.h"

/* --- the routes ----------------------------------------------------------- */

/* Liveness: the worker answers; nothing else is asked. */
static void
healthz(ma_request *req, ma_response *res, void *arg)
{
	(void)req;
	(void)arg;
	ma_response_json(res, MA_STATUS_OK, "{\"status\":\"ok\"}", 15);
}

/* The readiness this process last reported: -1 none yet, 0 no, 1 yes.
 * Only a change is logged: a load balancer asks every few seconds. */
static int ready_state = -1;

/* Readiness: every database of the app answers a ping within the
 * client's timeouts (connectTimeoutMS, serverSelectionTimeoutMS). */
static void
readyz(ma_request *req, ma_response *res, void *arg)
{
	ma_app *app = arg;
	char detail[512];
	ma_error err;
	size_t i;

	(void)req;
	for (i = 0; i < app->ndbs; i++) {
		if (ma_db_ping(app->dbs[i], &err))
			continue;
		if (ready_state != 0)
			_ma_log("not ready: database %s does not answer: %s",
				ma_config_prefix(ma_db_config(app->dbs[i])),
				err.message);
		ready_state = 0;
		snprintf(detail, sizeof(detail),
			 "the database of %s does not answer (%s)",
			 ma_config_prefix(ma_db_config(app->dbs[i])),
			 ma_strerror(err.code));
		ma_response_problem(res, MA_STATUS_SERVICE_UNAVAILABLE, detail);
		return;
	}
	if (ready_state == 0)
		_ma_log("ready: every database answers again");
	ready_state = 1;
	ma_response_json(res, MA_STATUS_OK, "{\"status\":\"ready\"}", 18);
}

static void
metrics(ma_request *req, ma_response *res, void *arg)
{
	ma_app *app = arg;

	(void)req;
	ma_response_body(res, MA_STATUS_OK, MA_METRICS_CONTENT_TYPE, "", 0);
	_ma_metrics_expose(app->metrics, app->router, &res->body);
}

/* What each route says of itself in the API description. */
static const ma_status ready_statuses[] = {MA_STATUS_SERVICE_UNAVAILABLE, 0};
static const ma_route_doc healthz_doc = {
	.summary = "Liveness: the worker answers",
	.description = "`{\"status\":\"ok\"}`, without a database call.",
	.operation_id = "healthz",
};
static const ma_route_doc readyz_doc = {
	.summary = "Readiness: every database answers",
	.description = "`{\"status\":\"ready\"}`; a 503 with `Retry-After` "
		       "names the database that does not answer.",
	.operation_id = "readyz",
	.statuses = ready_statuses,
};
static const ma_route_doc metrics_doc = {
	.summary = "Metrics in the Prometheus text format",
	.operation_id = "metrics",
	.answer = MA_ANSWER_TEXT,
	.content_type = MA_METRICS_CONTENT_TYPE,
};

/* A path of the options: NULL is the default, "" no route. */
static bool
add_route(ma_app *app, const char *path, const char *fallback,
	  ma_handler handler, const ma_route_doc *doc)
{
	if (path == NULL)
		path = fallback;
	if (path[0] == '\0')
		return true;
	return ma_app_route(app, MA_GET, path, handler, app, NULL) &&
	       ma_app_describe(app, MA_GET, path, doc, NULL);
}

bool
_ma_ops_routes(ma_app *app, const ma_app_options *opts)
{
	return add_route(app, opts != NULL ? opts->health_path : NULL,
			 "/healthz", healthz, &healthz_doc) &&
	       add_route(app, opts != NULL ? opts->ready_path : NULL, "/readyz",
			 readyz, &readyz_doc) &&
	       add_route(app, opts != NULL ? opts->metrics_path : NULL,
			 "/metrics", metrics, &metrics_doc);
}

/* --- the driver's commands ------------------------------------------------ */

static void
command_succeeded(const mongoc_apm_command_succeeded_t *event)
{
	ma_app *app = mongoc_apm_command_succeeded_get_context(event);
	int64_t us = mongoc_apm_command_succeeded_get_duration(event);

	_ma_metrics_db_command(
		app->metrics,
		mongoc_apm_command_succeeded_get_command_name(event), true,
		us > 0 ? (uint64_t)us : 0);
}

static void
command_failed(const mongoc_apm_command_failed_t *event)
{
	ma_app *app = mongoc_apm_command_failed_get_context(event);
	int64_t us = mongoc_apm_command_failed_get_duration(event);

	_ma_metrics_db_command(
		app->metrics, mongoc_apm_command_failed_get_command_name(event),
		false, us > 0 ? (uint64_t)us : 0);
}

void
_ma_ops_worker_start(ma_app *app)
{
	mongoc_apm_callbacks_t *cbs;
	mongoc_client_t *client;
	ma_error err;
	size_t i;

	_ma_metrics_worker_started(app->metrics);
	if (app->metrics == NULL)
		return;
	/* The worker's own clients, made now (nothing connects yet) so that
	 * the driver reports their first command too. */
	cbs = mongoc_apm_callbacks_new();
	mongoc_apm_set_command_succeeded_cb(cbs, command_succeeded);
	mongoc_apm_set_command_failed_cb(cbs, command_failed);
	for (i = 0; i < app->ndbs; i++) {
		client = ma_db_client(app->dbs[i], &err);
		if (client == NULL ||
		    !mongoc_client_set_apm_callbacks(client, cbs, app))
			_ma_log("database commands of %s are not counted",
				ma_config_prefix(ma_db_config(app->dbs[i])));
	}
	mongoc_apm_callbacks_destroy(cbs);
}

/* --- the request log ------------------------------------------------------ */

bool
_ma_ops_quiet(const ma_request *req)
{
	return req->match.handler == healthz || req->match.handler == readyz;
}

void
_ma_ops_log(const ma_app *app, const ma_request *req, const ma_response *res,
	    uint64_t us)
{
	const char *route =
		req->match.route_id != 0
			? _ma_router_template(app->router, req->match.route_id)
			: "-";
	const char *method = req->head ? "HEAD" : ma_method_name(req->method);
	char when[MA_DATETIME_SIZE];
	struct timespec now;
	size_t bytes = res->has_body && !req->head ? res->body.len : 0;
	ma_buf line;

	if (method == NULL)
		method = "-"; /* a method we do not know: not the client's text
			       */
	clock_gettime(CLOCK_REALTIME, &now);
	if (!_ma_datetime_format(
		    (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000, when))
		strcpy(when, "-");
	if (!app->log_json) {
		_ma_log("%s %s %s %s %d %zu %llu.%03llu ms", when,
			req->request_id, method, route, (int)res->status, bytes,
			(unsigned long long)(us / 1000),
			(unsigned long long)(us % 1000));
		return;
	}

	_ma_buf_init(&line, 256);
	_ma_buf_printf(&line,
		       "{\"time\":\"%s\",\"request_id\":\"%s\","
		       "\"method\":\"%s\",\"route\":",
		       when, req->request_id, method);
	_ma_json_write_string(&line, route, strlen(route));
	_ma_buf_printf(&line,
		       ",\"status\":%d,\"duration_ms\":%llu.%03llu,"
		       "\"bytes\":%zu,\"pid\":%ld}\n",
		       (int)res->status, (unsigned long long)(us / 1000),
		       (unsigned long long)(us % 1000), bytes, (long)getpid());
	_ma_log_write(line.data, line.len);
	_ma_buf_destroy(&line);
}
