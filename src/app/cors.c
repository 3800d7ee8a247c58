/*
 * CORS in the request path: a preflight answered before any route (and so
 * before access control: browsers send no credentials with one), and the
 * headers of every other answer, problems included. The policy and the
 * header lines are http/cors.c's.
 */
#include "app/app-private.h"

static void
cors_free(void *p)
{
	_ma_cors_destroy(p);
}

bool
_ma_app_cors(ma_app *app, const ma_cors *cors, ma_error *error)
{
	ma_cors_policy *p;
	ma_error e;

	if (cors == NULL) {
		ma_error_clear(error);
		return true;
	}
	p = _ma_cors_new(cors, &e);
	if (p != NULL) {
		app->cors = p;
		_ma_app_own(app, p, cors_free);
	}
	return _ma_app_setup_result(app, p != NULL, &e, error);
}

bool
_ma_app_preflight(ma_app *app, ma_request *req, ma_response *res)
{
	ma_cors_preflight pf = {0};
	ma_error e, why;

	if (app->cors == NULL || req->method != MA_OPTIONS)
		return false;
	pf.origin = _ma_request_env(req, "HTTP_ORIGIN", &pf.norigin);
	pf.method = _ma_request_env(req, "HTTP_ACCESS_CONTROL_REQUEST_METHOD",
				    &pf.nmethod);
	if (pf.norigin == 0 || pf.nmethod == 0)
		return false;
	pf.headers = _ma_request_env(req, "HTTP_ACCESS_CONTROL_REQUEST_HEADERS",
				     &pf.nheaders);
	/* A path without routes (or with a bad escape) is answered as any
	 * request to it is: 404 or 400. */
	switch (_ma_router_match(app->router, MA_OPTIONS, req->path,
				 &req->match, &e)) {
	case MA_ROUTE_FOUND:
	case MA_ROUTE_NO_METHOD:
		break;
	case MA_ROUTE_NOT_FOUND:
	case MA_ROUTE_BAD_PATH:
		_ma_route_match_clear(&req->match);
		return false;
	}
	pf.allowed = req->match.allowed;
	if (_ma_cors_preflight(app->cors, &pf, &res->headers, &why))
		ma_response_status(res, MA_STATUS_NO_CONTENT);
	else
		ma_response_problem(res, MA_STATUS_FORBIDDEN, why.message);
	return true;
}

void
_ma_app_cors_headers(const ma_app *app, const ma_request *req, ma_response *res)
{
	const char *origin;
	size_t count;

	if (app->cors == NULL)
		return;
	origin = _ma_request_env(req, "HTTP_ORIGIN", &count);
	_ma_cors_actual(app->cors, origin, count,
			req->head ? MA_HEAD : req->method, &res->headers);
}
