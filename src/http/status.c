/*
 * HTTP statuses: the reason phrase of each, and the one table from library
 * errors to statuses.
 */
#include "http/http-private.h"

/* RFC 9110 section 15's reason phrases (413 and 422 by their current
 * names). */
static const struct {
	ma_status status;
	const char *title;
} titles[] = {
	{MA_STATUS_OK, "OK"},
	{MA_STATUS_CREATED, "Created"},
	{MA_STATUS_NO_CONTENT, "No Content"},
	{MA_STATUS_NOT_MODIFIED, "Not Modified"},
	{MA_STATUS_BAD_REQUEST, "Bad Request"},
	{MA_STATUS_UNAUTHORIZED, "Unauthorized"},
	{MA_STATUS_FORBIDDEN, "Forbidden"},
	{MA_STATUS_NOT_FOUND, "Not Found"},
	{MA_STATUS_METHOD_NOT_ALLOWED, "Method Not Allowed"},
	{MA_STATUS_NOT_ACCEPTABLE, "Not Acceptable"},
	{MA_STATUS_CONFLICT, "Conflict"},
	{MA_STATUS_LENGTH_REQUIRED, "Length Required"},
	{MA_STATUS_PRECONDITION_FAILED, "Precondition Failed"},
	{MA_STATUS_CONTENT_TOO_LARGE, "Content Too Large"},
	{MA_STATUS_URI_TOO_LONG, "URI Too Long"},
	{MA_STATUS_UNSUPPORTED_MEDIA_TYPE, "Unsupported Media Type"},
	{MA_STATUS_UNPROCESSABLE_CONTENT, "Unprocessable Content"},
	{MA_STATUS_PRECONDITION_REQUIRED, "Precondition Required"},
	{MA_STATUS_INTERNAL_SERVER_ERROR, "Internal Server Error"},
	{MA_STATUS_NOT_IMPLEMENTED, "Not Implemented"},
	{MA_STATUS_BAD_GATEWAY, "Bad Gateway"},
	{MA_STATUS_SERVICE_UNAVAILABLE, "Service Unavailable"},
	{MA_STATUS_GATEWAY_TIMEOUT, "Gateway Timeout"},
};

const char *
ma_status_title(ma_status status)
{
	size_t i;

	for (i = 0; i < sizeof(titles) / sizeof(titles[0]); i++) {
		if (titles[i].status == status)
			return titles[i].title;
	}
	return "Unknown";
}

/* Indexed by ma_error_code; a code left out (MA_OK, the configuration,
 * memory, credentials, anything else from the driver) is the server's
 * fault: 500. */
static const ma_status by_error[MA_ERR__MAX] = {
	[MA_ERR_INVALID] = MA_STATUS_BAD_REQUEST,
	[MA_ERR_JSON] = MA_STATUS_BAD_REQUEST,
	[MA_ERR_VALIDATION] = MA_STATUS_BAD_REQUEST,
	[MA_ERR_NOT_FOUND] = MA_STATUS_NOT_FOUND,
	[MA_ERR_DUPLICATE] = MA_STATUS_CONFLICT,
	[MA_ERR_PRECONDITION] = MA_STATUS_PRECONDITION_FAILED,
	[MA_ERR_TOO_LARGE] = MA_STATUS_CONTENT_TOO_LARGE,
	[MA_ERR_MEDIA_TYPE] = MA_STATUS_UNSUPPORTED_MEDIA_TYPE,
	[MA_ERR_UNAVAILABLE] = MA_STATUS_SERVICE_UNAVAILABLE,
	[MA_ERR_TIMEOUT] = MA_STATUS_GATEWAY_TIMEOUT,
};

ma_status
ma_status_from_error(ma_error_code code)
{
	if ((unsigned)code >= MA_ERR__MAX || by_error[code] == 0)
		return MA_STATUS_INTERNAL_SERVER_ERROR;
	return by_error[code];
}
