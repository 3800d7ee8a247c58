/*
 * The worker options (mongoalchemy-fcgi(8)): their table, their parsing,
 * the usage text, and the split of a --socket argument. Pure: nothing here
 * prints, opens or resolves anything.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "runtime/runtime-private.h"

#define BACKLOG_MAX 65535
#define GRACE_MAX 3600

typedef enum opt_id {
	OPT_SOCKET,
	OPT_WORKERS,
	OPT_USER,
	OPT_SOCKET_MODE,
	OPT_BACKLOG,
	OPT_GRACE,
	OPT_ACCESS_LOG,
	OPT_NO_ACCESS_LOG,
	OPT_ACCESS_LOG_FORMAT,
	OPT_HELP,
	OPT_VERSION,
	OPT__MAX
} opt_id;

/*
 * The options. A number option (base not 0) is read by _ma_parse_int()
 * within [min, max] into the int of ma_run_options at field; its error
 * says it must be "what" in that range. Every min is 0 or more, so no
 * sign is taken: digits only.
 */
static const struct run_option {
	const char *name;
	bool has_value;
	unsigned base;
	long min, max;
	const char *what;
	size_t field;
} run_options[OPT__MAX] = {
	[OPT_SOCKET] = {"--socket", true},
	[OPT_WORKERS] = {"--workers", true, .base = 10, .min = 1,
			 .max = MA_RUN_MAX_WORKERS, .what = "a number",
			 .field = offsetof(ma_run_options, workers)},
	[OPT_USER] = {"--user", true},
	[OPT_SOCKET_MODE] = {"--socket-mode", true, .base = 8, .min = 0,
			     .max = 0777, .what = "an octal mode",
			     .field = offsetof(ma_run_options, socket_mode)},
	[OPT_BACKLOG] = {"--backlog", true, .base = 10, .min = 1,
			 .max = BACKLOG_MAX, .what = "a number",
			 .field = offsetof(ma_run_options, backlog)},
	[OPT_GRACE] = {"--grace", true, .base = 10, .min = 0, .max = GRACE_MAX,
		       .what = "a number of seconds",
		       .field = offsetof(ma_run_options, grace)},
	[OPT_ACCESS_LOG] = {"--access-log", false},
	[OPT_NO_ACCESS_LOG] = {"--no-access-log", false},
	[OPT_ACCESS_LOG_FORMAT] = {"--access-log-format", true},
	[OPT_HELP] = {"--help", false},
	[OPT_VERSION] = {"--version", false},
};

/* One line of code a line of text. */
/* clang-format off */
static const char usage_text[] =
	"Options (see mongoalchemy-fcgi(8)):\n"
	"  --socket PATH|HOST:PORT|:PORT  where to listen (default: the inherited\n"
	"                                 socket of systemd or spawn-fcgi)\n"
	"  --workers N                    worker processes, 1 to 1024 (default 2)\n"
	"  --user USER[:GROUP]            user to run as when started as root\n"
	"  --socket-mode OCTAL            Unix socket permissions (default 0660)\n"
	"  --backlog N                    length of the listen queue (default 1024)\n"
	"  --grace SECONDS                time a stopping worker gets to finish its\n"
	"                                 request before SIGKILL (default 30)\n"
	"  --access-log                   one line per request on stderr (default)\n"
	"  --no-access-log                no line per request\n"
	"  --access-log-format text|json  the request log's lines (default text)\n"
	"  --help                         print this help and exit\n"
	"  --version                      print the version and exit\n";
/* clang-format on */

const char *
_ma_run_usage(void)
{
	return usage_text;
}

bool
_ma_run_split_socket(const char *arg, bool *tcp, char *host, size_t host_size,
		     unsigned *port, ma_error *error)
{
	struct sockaddr_un sa;
	const char *colon, *h, *rb;
	size_t hlen;
	int64_t p;

	*tcp = false;
	if (host_size > 0)
		host[0] = '\0';
	*port = 0;
	if (arg == NULL || *arg == '\0') {
		_ma_error_set(error, MA_ERR_INVALID, "--socket: needs a value");
		return false;
	}

	/* A path: the bind() of a longer one would fail or truncate it. */
	colon = strrchr(arg, ':');
	if (strchr(arg, '/') != NULL || colon == NULL) {
		if (strlen(arg) >= sizeof(sa.sun_path)) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "--socket: a Unix socket path has at "
				      "most %zu bytes",
				      sizeof(sa.sun_path) - 1);
			return false;
		}
		return true;
	}

	if (arg[0] == '[') {
		rb = strchr(arg, ']');
		if (rb == NULL || rb[1] != ':' || rb == arg + 1) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "--socket: an IPv6 address is written "
				      "[ADDRESS]:PORT");
			return false;
		}
		h = arg + 1;
		hlen = (size_t)(rb - h);
		colon = rb + 1;
	} else {
		h = arg;
		hlen = (size_t)(colon - arg);
		/* "::1:9000" could be read two ways: ask for brackets. */
		if (memchr(h, ':', hlen) != NULL) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "--socket: an IPv6 address is written "
				      "[ADDRESS]:PORT");
			return false;
		}
	}
	if (_ma_parse_int(colon + 1, 10, 0, 65535, &p) != MA_INT_OK) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "--socket: the port must be a number from 0 to "
			      "65535");
		return false;
	}
	if (hlen >= host_size) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "--socket: the host name is too long");
		return false;
	}
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	*port = (unsigned)p;
	*tcp = true;
	return true;
}

/* USER or USER:GROUP, neither empty. Names are looked up when used. */
static bool
user_spec_ok(const char *spec)
{
	const char *colon = strchr(spec, ':');

	if (colon == NULL)
		return true;
	return colon != spec && colon[1] != '\0' &&
	       strchr(colon + 1, ':') == NULL;
}

/* The error names the range in the option's own base: 0 to 0777. */
static bool
set_number(const struct run_option *o, const char *value, ma_run_options *opts,
	   ma_error *error)
{
	int64_t n;

	if (_ma_parse_int(value, o->base, o->min, o->max, &n) != MA_INT_OK) {
		_ma_error_set(error, MA_ERR_INVALID,
			      o->base == 8 ? "%s: must be %s from %#lo to %#lo"
					   : "%s: must be %s from %lu to %lu",
			      o->name, o->what, (unsigned long)o->min,
			      (unsigned long)o->max);
		return false;
	}
	*(int *)((char *)opts + o->field) = (int)n;
	return true;
}

static bool
apply_option(opt_id id, const char *value, ma_run_options *opts,
	     ma_error *error)
{
	if (run_options[id].base != 0)
		return set_number(&run_options[id], value, opts, error);

	switch (id) {
	case OPT_SOCKET:
		if (!_ma_run_split_socket(value, &opts->tcp, opts->host,
					  sizeof(opts->host), &opts->port,
					  error))
			return false;
		opts->socket = value;
		return true;
	case OPT_USER:
		if (!user_spec_ok(value)) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "--user: must be USER or USER:GROUP");
			return false;
		}
		opts->user = value;
		return true;
	case OPT_ACCESS_LOG:
		opts->access_log = true;
		return true;
	case OPT_NO_ACCESS_LOG:
		opts->access_log = false;
		return true;
	case OPT_ACCESS_LOG_FORMAT:
		if (strcmp(value, "text") != 0 && strcmp(value, "json") != 0) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "--access-log-format: must be text or "
				      "json");
			return false;
		}
		opts->access_log_json = strcmp(value, "json") == 0;
		return true;
	case OPT_HELP:
		opts->help = true;
		return true;
	case OPT_VERSION:
		opts->version = true;
		return true;
	default: /* the number options, taken above */
		break;
	}
	return false;
}

static void
run_options_init(ma_run_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->workers = MA_RUN_DEFAULT_WORKERS;
	opts->socket_mode = 0660;
	opts->backlog = MA_RUN_DEFAULT_BACKLOG;
	opts->grace = MA_RUN_DEFAULT_GRACE;
	opts->access_log = true;
}

bool
_ma_run_parse(int argc, char **argv, ma_run_options *opts, ma_error *error)
{
	const struct run_option *o;
	const char *arg, *eq, *value;
	bool operands = false;
	size_t len;
	int i, id;

	run_options_init(opts);
	for (i = 1; i < argc && argv[i] != NULL; i++) {
		arg = argv[i];
		if (!operands && strcmp(arg, "--") == 0) {
			operands = true;
			continue;
		}
		if (operands || arg[0] != '-' || arg[1] == '\0') {
			_ma_error_set(error, MA_ERR_INVALID,
				      "%s: unexpected argument", arg);
			return false;
		}

		/* Long options only, as "--name value" or "--name=value". */
		eq = strchr(arg, '=');
		len = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
		for (id = 0; id < OPT__MAX; id++) {
			o = &run_options[id];
			if (strlen(o->name) == len &&
			    memcmp(o->name, arg, len) == 0)
				break;
		}
		if (arg[1] != '-' || id == OPT__MAX) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "%.*s: unknown option", (int)len, arg);
			return false;
		}

		o = &run_options[id];
		value = NULL;
		if (!o->has_value && eq != NULL) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "%s: takes no value", o->name);
			return false;
		}
		if (o->has_value) {
			/* "--socket --workers 4" is a forgotten value, not
			 * a socket named "--workers". */
			if (eq != NULL)
				value = eq + 1;
			else if (i + 1 < argc && argv[i + 1] != NULL &&
				 strncmp(argv[i + 1], "--", 2) != 0)
				value = argv[++i];
			if (value == NULL || *value == '\0') {
				_ma_error_set(error, MA_ERR_INVALID,
					      "%s: needs a value", o->name);
				return false;
			}
		}
		if (!apply_option((opt_id)id, value, opts, error))
			return false;

		/* As GNU programs do: what follows --help is not read. */
		if (opts->help || opts->version)
			break;
	}
	return true;
}
