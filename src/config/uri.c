/*
 * MongoDB URI text: building one from configuration pieces the way
 * Flask-MongoAlchemy does, percent-encoding, and hiding the password.
 * Parsing is left to libmongoc's URI parser.
 */
#include <string.h>

#include "config/config-private.h"

char *
_ma_pct_encode(const char *s)
{
	ma_buf out;

	_ma_buf_init(&out, strlen(s) * 3);
	_ma_buf_pct_encode(&out, s, strlen(s), NULL);
	return _ma_buf_steal(&out, NULL);
}

static void
append_host(ma_buf *out, const char *server, unsigned port)
{
	const char *p;
	bool bracket;

	/* A socket path is one percent-encoded host and has no port. */
	if (server[0] == '/') {
		_ma_buf_pct_encode(out, server, strlen(server), NULL);
		return;
	}

	/* An IPv6 address needs brackets to keep its colons from the port's;
	 * the '%' of its zone (fe80::1%eth0) is escaped, since drivers
	 * percent-decode hosts. */
	bracket = strchr(server, ':') != NULL && server[0] != '[';
	if (bracket)
		_ma_buf_putc(out, '[');
	for (p = server; *p != '\0'; p++) {
		if (*p == '%')
			_ma_buf_append(out, "%25", 3);
		else
			_ma_buf_putc(out, *p);
	}
	_ma_buf_printf(out, "%s:%u", bracket ? "]" : "", port);
}

static void
append_text(ma_buf *out, const char *s)
{
	_ma_buf_append(out, s, strlen(s));
}

char *
_ma_uri_build(const ma_uri_parts *parts, const char *password_override)
{
	const char *password;
	bool have_options;
	ma_buf out;

	_ma_buf_init(&out, 128);
	append_text(&out, "mongodb://");

	/* Flask-MongoAlchemy: user[:password]@ only when a user is set. */
	if (parts->user != NULL) {
		_ma_buf_pct_encode(&out, parts->user, strlen(parts->user),
				   NULL);
		password =
			password_override ? password_override : parts->password;
		if (parts->password != NULL) {
			_ma_buf_putc(&out, ':');
			if (password_override != NULL)
				append_text(&out, password);
			else
				_ma_buf_pct_encode(&out, password,
						   strlen(password), NULL);
		}
		_ma_buf_putc(&out, '@');
	}

	append_host(&out, parts->server, parts->port);
	_ma_buf_putc(&out, '/');
	if (parts->path != NULL)
		append_text(&out, parts->path);

	have_options = parts->options != NULL && parts->options[0] != '\0';
	if (have_options)
		_ma_buf_printf(&out, "?%s", parts->options);

	/* An empty replicaSet= is refused by the driver: leave it out. */
	if (parts->replica_set != NULL && parts->replica_set[0] != '\0') {
		append_text(&out, have_options ? "&" : "?");
		append_text(&out, "replicaSet=");
		_ma_buf_pct_encode(&out, parts->replica_set,
				   strlen(parts->replica_set), NULL);
	}

	return _ma_buf_steal(&out, NULL);
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
