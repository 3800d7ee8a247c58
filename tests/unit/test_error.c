/*
 * Errors: names, and the mapping from driver errors to our codes.
 */
#include <criterion/criterion.h>

#include "config/config-private.h"
#include "query/query-private.h"

Test(strerror, every_code_has_its_own_name)
{
	int a, b;

	for (a = 0; a < MA_ERR__MAX; a++) {
		cr_assert_str_neq(ma_strerror((ma_error_code)a),
				  "unknown error");
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
			       "socket error", NULL)
			     .code,
		     MA_ERR_UNAVAILABLE);
}

Test(from_bson, a_server_shutting_down_or_stepping_down_is_unavailable)
{
	/* ShutdownInProgress, InterruptedAtShutdown, NotWritablePrimary,
	 * PrimarySteppedDown: the database is away for now, a 503. */
	static const uint32_t away[] = {91, 11600, 10107, 189, 13435, 6};
	size_t i;

	for (i = 0; i < sizeof(away) / sizeof(away[0]); i++) {
		cr_expect_eq(from_bson(MONGOC_ERROR_SERVER, away[i],
				       "shutting down", NULL)
				     .code,
			     MA_ERR_UNAVAILABLE, "code %u", away[i]);
		cr_expect_eq(from_bson(MONGOC_ERROR_QUERY, away[i],
				       "shutting down", NULL)
				     .code,
			     MA_ERR_UNAVAILABLE, "code %u", away[i]);
	}
	/* Other server errors stay the server's. */
	cr_expect_eq(from_bson(MONGOC_ERROR_SERVER, 2, "BadValue", NULL).code,
		     MA_ERR_DRIVER);
}

Test(from_bson, refused_credentials_are_auth)
{
	cr_assert_eq(from_bson(MONGOC_ERROR_CLIENT,
			       MONGOC_ERROR_CLIENT_AUTHENTICATE,
			       "Authentication failed", NULL)
			     .code,
		     MA_ERR_AUTH);
	cr_assert_eq(from_bson(MONGOC_ERROR_SERVER, 18,
			       "Authentication failed.", NULL)
			     .code,
		     MA_ERR_AUTH);
}

Test(from_bson, duplicate_key_is_its_own_kind)
{
	ma_error e = from_bson(MONGOC_ERROR_SERVER, 11000,
			       "E11000 duplicate key", NULL);

	cr_assert_eq(e.code, MA_ERR_DUPLICATE);
	cr_assert_eq(e.driver_code, 11000);
	cr_assert_eq(from_bson(MONGOC_ERROR_QUERY, 11001, "dup", NULL).code,
		     MA_ERR_DUPLICATE);
	cr_assert_eq(from_bson(MONGOC_ERROR_SERVER, 12582, "dup", NULL).code,
		     MA_ERR_DUPLICATE);
}

/* What FerretDB (SQLite) answers to a replace, an update and a
 * findAndModify that break a unique index, as the driver gives it. */
Test(from_bson, a_unique_constraint_as_internal_error_is_duplicate_key)
{
	static const char sqlite[] =
		"[msg_update.go:133 handler.(*Handler).updateDocument] "
		"constraint failed: UNIQUE constraint failed: index "
		"'author_958fc776_name_1' (2067)";
	ma_error e = from_bson(MONGOC_ERROR_SERVER, 1, sqlite, NULL);

	cr_assert_eq(e.code, MA_ERR_DUPLICATE, "%s", ma_strerror(e.code));
	cr_assert_eq(e.driver_code, 1);
	/* The words alone, under another code, are not a duplicate; nor is
	 * another InternalError. */
	cr_assert_eq(from_bson(MONGOC_ERROR_SERVER, 2, sqlite, NULL).code,
		     MA_ERR_DRIVER);
	cr_assert_eq(
		from_bson(MONGOC_ERROR_SERVER, 1, "disk I/O error", NULL).code,
		MA_ERR_DRIVER);
}

Test(from_bson, other_server_errors_are_driver_errors)
{
	ma_error e = from_bson(MONGOC_ERROR_SERVER, 2, "BadValue", NULL);

	cr_assert_eq(e.code, MA_ERR_DRIVER);
	cr_assert_eq(e.driver_code, 2);
}

Test(from_bson, secret_is_scrubbed)
{
	ma_error e =
		from_bson(MONGOC_ERROR_CLIENT, MONGOC_ERROR_CLIENT_AUTHENTICATE,
			  "bad password hunter2", "hunter2");

	cr_assert_str_eq(e.message, "ping: bad password ***");
}

Test(from_bson, a_secret_that_is_not_utf8_is_masked_before_the_mending)
{
	/* Mended first, "hunt\xffr2" would read "hunt?r2" and escape the
	 * mask; a connection string's password may be any bytes. */
	ma_error e =
		from_bson(MONGOC_ERROR_CLIENT, MONGOC_ERROR_CLIENT_AUTHENTICATE,
			  "bad password hunt\xffr2 \xff", "hunt\xffr2");

	cr_assert_str_eq(e.message, "ping: bad password *** ?");
}

Test(error, a_long_message_is_masked_before_it_is_cut)
{
	char msg[MA_ERROR_MESSAGE_SIZE + 32];
	ma_error e;
	size_t pad;

	/* The padding puts the secret across the cut, byte by byte: cut
	 * first, its first bytes would stay. */
	for (pad = MA_ERROR_MESSAGE_SIZE - 12; pad < MA_ERROR_MESSAGE_SIZE;
	     pad++) {
		memset(msg, 'x', pad);
		snprintf(msg + pad, sizeof(msg) - pad, "sesame-open");
		_ma_error_set_masked(&e, MA_ERR_CONFIG, "sesame-open", "%s",
				     msg);
		/* The masked text, cut to size. */
		snprintf(msg + pad, sizeof(msg) - pad, "***");
		msg[MA_ERROR_MESSAGE_SIZE - 1] = '\0';
		cr_assert_str_eq(e.message, msg, "padding %zu", pad);
	}
}

Test(error, a_character_cut_by_the_message_size_is_dropped)
{
	char msg[MA_ERROR_MESSAGE_SIZE + 8];
	ma_error e;

	/* An 'e' with its accent as two bytes, the first the buffer's
	 * last. */
	memset(msg, 'x', MA_ERROR_MESSAGE_SIZE - 2);
	snprintf(msg + MA_ERROR_MESSAGE_SIZE - 2, 8, "\xc3\xa9!");
	_ma_error_set(&e, MA_ERR_INVALID, "%s", msg);
	cr_assert_eq(strlen(e.message), MA_ERROR_MESSAGE_SIZE - 2);
	cr_assert_eq(e.message[MA_ERROR_MESSAGE_SIZE - 3], 'x');
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
