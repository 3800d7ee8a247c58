/*
 * One request through an application in the test's process, without a
 * body: what the unit tests of access control and CORS send.
 */
#ifndef APP_ANSWER_H
#define APP_ANSWER_H

#include "app/app-private.h"

static inline ssize_t
app_no_body(void *ctx, char *buf, size_t n)
{
	(void)ctx;
	(void)buf;
	(void)n;
	return 0;
}

/* The serialized answer of app to the CGI variables env (bson_free()). */
static inline char *
app_answer(ma_app *app, char **env)
{
	ma_buf out;

	_ma_buf_init(&out, 256);
	_ma_app_handle(app, env, app_no_body, NULL, &out);
	return _ma_buf_steal(&out, NULL);
}

#endif
