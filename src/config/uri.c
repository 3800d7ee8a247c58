/*
 * MongoDB URI text: building one from configuration pieces the way
 * Flask-MongoAlchemy does, percent-encoding, and hiding the password.
 * Parsing is left to libmongoc's URI parser.
 */
#include <string.h>

#include "config/config-private.h"

static bool
is_unreserved(unsigned char c)
{
	/* RFC 3986 section 2.3: everything else is encoded in user info. */
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~';
}

static void
append_encoded(bson_string_t *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	char enc[4] = {'%', 0, 0, 0};

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (is_unreserved(*p)) {
			bson_string_append_c(out, (char)*p);
			continue;
		}
		enc[1] = hex[*p >> 4];
		enc[2] = hex[*p & 0x0f];
		bson_string_append(out, enc);
	}
}

char *
_ma_pct_encode(const char *s)
{
	bson_string_t *out = bson_string_new(NULL);

	append_encoded(out, s);
	return bson_string_free(out, false);
}

static void
append_host(bson_string_t *out, const char *server, unsigned port)
{
	const char *p;
	bool bracket;

	/* A socket path is one percent-encoded host and has no port. */
	if (server[0] == '/') {
		append_encoded(out, server);
		return;
	}

	/* An IPv6 address needs brackets to keep its colons from the port's;
	 * the '%' of its zone (fe80::1%eth0) is escaped, since drivers
	 * percent-decode hosts. */
	bracket = strchr(server, ':') != NULL && server[0] != '[';
	if (bracket)
		bson_string_append_c(out, '[');
	for (p = server; *p != '\0'; p++) {
		if (*p == '%')
			bson_string_append(out, "%25");
		else
			bson_string_append_c(out, *p);
	}
	bson_string_append_printf(out, "%s:%u", bracket ? "]" : "", port);
}

char *
_ma_uri_build(const ma_uri_parts *parts, const char *password_override)
{
	bson_string_t *out = bson_string_new("mongodb://");
	const char *password;
	bool have_options;

	/* Flask-MongoAlchemy: user[:password]@ only when a user is set. */
	if (parts->user != NULL) {
		append_encoded(out, parts->user);
		password = password_override ? password_override
					     : parts->password;
		if (parts->password != NULL) {
			bson_string_append_c(out, ':');
			if (password_override != NULL)
				bson_string_append(out, password);
			else
				append_encoded(out, password);
		}
		bson_string_append_c(out, '@');
	}

	append_host(out, parts->server, parts->port);
	bson_string_append_c(out, '/');
	if (parts->path != NULL)
		bson_string_append(out, parts->path);

	have_options = parts->options != NULL && parts->options[0] != '\0';
	if (have_options)
		bson_string_append_printf(out, "?%s", parts->options);

	/* An empty replicaSet= is refused by the driver: leave it out. */
	if (parts->replica_set != NULL && parts->replica_set[0] != '\0') {
		bson_string_append(out, have_options ? "&" : "?");
		bson_string_append(out, "replicaSet=");
		append_encoded(out, parts->replica_set);
	}

	return bson_string_free(out, false);
}

bool
_ma_uri_password_span(const char *uri, size_t *offset, size_t *len)
{
	const char *start, *at, *colon, *p;

	start = strstr(uri, "://");
	if (start == NULL)
		return false;
	start += 3;

	/*
	 * The user information ends at the last '@'. A password with an
	 * unencoded '/', '?' or '@' would fool a stricter reading; taking the
	 * last '@' can only hide more than the password, never less.
	 */
	at = NULL;
	for (p = start; *p != '\0'; p++) {
		if (*p == '@')
			at = p;
	}
	if (at == NULL)
		return false;

	colon = memchr(start, ':', (size_t)(at - start));
	if (colon == NULL || colon + 1 == at)
		return false;

	*offset = (size_t)(colon + 1 - uri);
	*len = (size_t)(at - colon - 1);
	return true;
}

char *
_ma_uri_redact(const char *uri)
{
	size_t offset, len;

	if (!_ma_uri_password_span(uri, &offset, &len))
		return bson_strdup(uri);
	return bson_strdup_printf("%.*s***%s", (int)offset, uri,
				  uri + offset + len);
}
