/*
 * The checks of single configuration values: the prefix, numbers, the
 * database name, the server and the URI options. Each is whole-string and
 * strict, and says what is wrong in words that follow "<PREFIX>_<KEY>".
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "config/config-private.h"

/* MongoDB refuses longer database names. */
#define MAX_DATABASE_LEN 63

/*
 * Environment variable names are letters, digits and underscores and do not
 * start with a digit (POSIX.1-2017, 8.1); a prefix must keep them so.
 */
bool
_ma_config_prefix_ok(const char *prefix)
{
	size_t i, len = strlen(prefix);

	if (len == 0 || len > MA_CONFIG_PREFIX_MAX ||
	    isdigit((unsigned char)prefix[0]))
		return false;
	for (i = 0; i < len; i++) {
		if (!isalnum((unsigned char)prefix[i]) && prefix[i] != '_')
			return false;
	}
	return true;
}

/*
 * Port 0 means "any" to the kernel, never a server's port. Leading zeros
 * are digits to _ma_parse_int(); past five characters they are a typo
 * rather than a port, so "000080" stays refused.
 */
bool
_ma_config_parse_port(const char *s, unsigned *out)
{
	int64_t v;

	if (strlen(s) > 5 || _ma_parse_int(s, 10, 1, 65535, &v) != MA_INT_OK)
		return false;
	*out = (unsigned)v;
	return true;
}

/* As for the port: at most the eight characters of the largest value. */
bool
_ma_config_parse_ms(const char *s, int64_t *out)
{
	if (strlen(s) > 8 || _ma_parse_int(s, 10, 0, MA_CONFIG_MAX_TIME_MS_MAX,
					   out) != MA_INT_OK)
		return false;
	return true;
}

/* MongoDB's rules for database names on every platform. */
const char *
_ma_config_database_problem(const char *name)
{
	if (strlen(name) > MAX_DATABASE_LEN)
		return "is longer than 63 bytes";
	if (strpbrk(name, "/\\. \"$*<>:|?") != NULL)
		return "contains a character MongoDB does not allow in "
		       "database "
		       "names (one of / \\ . space \" $ * < > : | ?)";
	return NULL;
}

/* Whether s[0..n) is an IPv6 address, with a zone ("%eth0") or not. */
static bool
is_ipv6(const char *s, size_t n)
{
	char addr[INET6_ADDRSTRLEN];
	struct in6_addr bin;
	const char *zone = memchr(s, '%', n);
	size_t len = zone != NULL ? (size_t)(zone - s) : n;

	if (len >= sizeof(addr) || (zone != NULL && zone + 1 == s + n))
		return false;
	memcpy(addr, s, len);
	addr[len] = '\0';
	return inet_pton(AF_INET6, addr, &bin) == 1;
}

/*
 * One host: a name or address, or a socket path, that every driver reads
 * as this one host at _PORT. Several hosts, user information, a path, a
 * port of its own or a percent-escape here would silently change the
 * URI's meaning.
 */
const char *
_ma_config_server_problem(const char *server)
{
	size_t n = strlen(server);
	const char *p;
	bool bracketed;

	if (server[0] == '/') {
		/* The connection string spec's rule, libmongoc's too: a host
		 * is a socket path when it ends in ".sock". */
		if (strchr(server, ':') != NULL)
			return "is a socket path with a ':', which drivers "
			       "read "
			       "as the start of a port";
		if (n < 6 || strcmp(server + n - 5, ".sock") != 0)
			return "is a path, and drivers take a path for a Unix "
			       "socket's only when it ends in .sock";
		return NULL;
	}
	for (p = server; *p != '\0'; p++) {
		if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p))
			return "contains a space or a control character";
	}
	if (strpbrk(server, "@/?#,") != NULL)
		return "must be one host name or address (for several hosts "
		       "use "
		       "the _CONNECTION_STRING variable)";
	/* An IPv6 address, bare or in brackets; the port is _PORT's. */
	bracketed = server[0] == '[';
	p = server + bracketed;
	if (bracketed) {
		if (n < 3 || server[n - 1] != ']')
			return "has a '[' without its ']' at the end (an IPv6 "
			       "address is ::1 or [::1]; the port goes in "
			       "_PORT)";
		n -= 2;
	}
	if (memchr(p, '[', n) != NULL || memchr(p, ']', n) != NULL)
		return "has a '[' or ']' out of place (an IPv6 address is ::1 "
		       "or [::1]; the port goes in _PORT)";
	if (!is_ipv6(p, n)) {
		if (bracketed)
			return "has brackets around something that is not an "
			       "IPv6 address";
		if (memchr(p, ':', n) != NULL)
			return "has a ':' but is not an IPv6 address (the port "
			       "goes in _PORT)";
		if (memchr(p, '%', n) != NULL)
			return "has a '%', which no host name has (a zone, as "
			       "in fe80::1%eth0, follows an IPv6 address only)";
	}
	return NULL;
}

/* "k=v&k2=v2": each pair with a non-empty key and an '='. */
const char *
_ma_config_options_problem(const char *options)
{
	const char *p = options, *amp, *eq;
	size_t len;

	for (;;) {
		amp = strchr(p, '&');
		len = amp ? (size_t)(amp - p) : strlen(p);
		eq = memchr(p, '=', len);
		if (len == 0)
			return "has an empty option (stray '&')";
		if (eq == NULL)
			return "has an option without '=' (expected k=v&k2=v2)";
		if (eq == p)
			return "has an option with an empty name";
		/* libmongoc reads "\&" as an '&' of the value, which would
		 * swallow the next option; %5C is a backslash everywhere. */
		if (memchr(p, '\\', len) != NULL)
			return "has a backslash (write it as %5C)";
		if (amp == NULL)
			return NULL;
		p = amp + 1;
	}
}

/* Keys ignore case in URIs. */
bool
_ma_config_options_has(const char *options, const char *key)
{
	size_t klen = strlen(key);
	const char *p = options;

	for (;;) {
		if (strncasecmp(p, key, klen) == 0 && p[klen] == '=')
			return true;
		if ((p = strchr(p, '&')) == NULL)
			return false;
		p++;
	}
}
