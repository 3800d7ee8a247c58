/*
 * A user's FastCGI program, as the install tests build it against an
 * installed tree: one route, run by ma_app_run() (--version, --socket...).
 */
#include <stdio.h>
#include <mongoalchemy-fcgi.h>

static void
hello(ma_request *req, ma_response *res, void *arg)
{
	(void)req;
	(void)arg;
	ma_response_json(res, 200, "{}", 2);
}

int
main(int argc, char **argv)
{
	ma_error err;
	ma_app *app = ma_app_new(NULL, &err);
	int status;

	if (app == NULL || ma_app_add_db(app, NULL, &err) == NULL ||
	    !ma_app_route(app, MA_GET, "/hello", hello, NULL, &err)) {
		printf("error: %s\n", err.message);
		ma_app_destroy(app);
		return 1;
	}
	status = ma_app_run(app, argc, argv);
	ma_app_destroy(app);
	ma_cleanup();
	return status;
}
