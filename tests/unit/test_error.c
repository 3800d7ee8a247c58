/*
 * Errors: names, and the mapping from driver errors to our codes.
 */
#include <criterion/criterion.h>

#include "ma-private.h"

Test(strerror, every_code_has_its_own_name)
{
	int a, b;

	for (a = 0; a < MA_ERR__MAX; a++) {
		cr_assert_str_neq(ma_strerror((ma_error_code)a), "unknown error");
		for (b = a + 1; b < MA_ERR__MAX; b++) {
			cr_assert_str_neq(ma_strerror((ma_error_code)a),
					  ma_strerror((ma_error_code)b));
		}
	}
	cr_assert_str_eq(ma_strerror(MA_ERR_CONFIG), "configuration error");
}

Test(strerror, out_of_range_is_unknown)
{
	cr_assert_str_eq(ma_strerror(MA_ERR__MAX), "unknown error");
	cr_assert_str_eq(ma_strerror((ma_error_code)-1), "unknown error");
}

static ma_error
from_bson(uint32_t domain, uint32_t code, const char *msg, const char *secret)
{
	bson_error_t b;
	ma_error e;

	bson_set_error(&b, domain, code, "%s", msg);
	_ma_error_from_bson(&e, &b, "ping", secret);
	return e;
}

Test(from_bson, unreachable_server_is_unavailable)
{
	ma_error e = from_bson(MONGOC_ERROR_SERVER_SELECTION,
			       MONGOC_ERROR_SERVER_SELECTION_FAILURE,
			       "No suitable servers found", NULL);

	cr_assert_eq(e.code, MA_ERR_UNAVAILABLE);
	cr_assert_eq(e.domain, MONGOC_ERROR_SERVER_SELECTION);
	cr_assert_eq(e.driver_code, MONGOC_ERROR_SERVER_SELECTION_FAILURE);
	cr_assert_str_eq(e.message, "ping: No suitable servers found");
}

Test(from_bson, stream_error_is_unavailable)
{
	cr_assert_eq(from_bson(MONGOC_ERROR_STREAM, MONGOC_ERROR_STREAM_SOCKET,
			       "socket error", NULL).code,
		     MA_ERR_UNAVAILABLE);
}

Test(from_bson, refused_credentials_are_auth)
{
	cr_assert_eq(from_bson(MONGOC_ERROR_CLIENT, MONGOC_ERROR_CLIENT_AUTHENTICATE,
			       "Authentication failed", NULL).code,
		     MA_ERR_AUTH);
	cr_assert_eq(from_bson(MONGOC_ERROR_SERVER, 18, "Authentication failed.",
			       NULL).code,
		     MA_ERR_AUTH);
}

Test(from_bson, duplicate_key_is_its_own_kind)
{
	ma_error e = from_bson(MONGOC_ERROR_SERVER, 11000, "E11000 duplicate key", NULL);

	cr_assert_eq(e.code, MA_ERR_DUPLICATE);
	cr_assert_eq(e.driver_code, 11000);
	cr_assert_eq(from_bson(MONGOC_ERROR_QUERY, 11001, "dup", NULL).code,
		     MA_ERR_DUPLICATE);
	cr_assert_eq(from_bson(MONGOC_ERROR_SERVER, 12582, "dup", NULL).code,
		     MA_ERR_DUPLICATE);
}

Test(from_bson, other_server_errors_are_driver_errors)
{
	ma_error e = from_bson(MONGOC_ERROR_SERVER, 2, "BadValue", NULL);

	cr_assert_eq(e.code, MA_ERR_DRIVER);
	cr_assert_eq(e.driver_code, 2);
}

Test(from_bson, secret_is_scrubbed)
{
	ma_error e = from_bson(MONGOC_ERROR_CLIENT, MONGOC_ERROR_CLIENT_AUTHENTICATE,
			       "bad password hunter2", "hunter2");

	cr_assert_str_eq(e.message, "ping: bad password ***");
}

Test(error, null_error_is_ignored)
{
	bson_error_t b;

	bson_set_error(&b, 1, 2, "x");
	_ma_error_set(NULL, MA_ERR_INVALID, "nothing %d", 1);
	_ma_error_from_bson(NULL, &b, "ctx", NULL);
	ma_error_clear(NULL);
}

Test(error, clear_resets_everything)
{
	ma_error e;

	_ma_error_set(&e, MA_ERR_INVALID, "bad %s", "thing");
	cr_assert_str_eq(e.message, "bad thing");
	ma_error_clear(&e);
	cr_assert_eq(e.code, MA_OK);
	cr_assert_eq(e.domain, 0);
	cr_assert_str_eq(e.message, "");
}

/* A value cut to a length can split a character; the message stays valid
 * UTF-8 with the broken bytes shown as '?'. */
Test(error_set, mends_utf8_cut_by_a_precision)
{
	ma_error e;

	/* "é" is C3 A9: %.2s keeps "a" and the C3 alone. */
	_ma_error_set(&e, MA_ERR_INVALID, "not '%.2s'", "a\xc3\xa9");
	cr_assert_str_eq(e.message, "not 'a?'");
	_ma_error_set(&e, MA_ERR_INVALID, "%s", "ok \xc3\xa9 \xff end");
	cr_assert_str_eq(e.message, "ok \xc3\xa9 ? end");
	cr_assert(bson_utf8_validate(e.message, strlen(e.message), false));
}
