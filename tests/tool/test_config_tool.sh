#!/bin/sh
# mongoalchemy-config: Flask-MongoAlchemy's URIs for its cases, redaction,
# exit statuses, and --ping against the test server when there is one.
set -u
. "${abs_top_srcdir:-.}/tests/tool/tap.sh"
tool="${abs_top_builddir:-.}/mongoalchemy-config"

# Runs the tool with only the given variables (plus PATH); sets out, err, rc.
run() {
	out=$(env -i PATH="$PATH" "$@" "$tool" $TOOL_ARGS 2>/tmp/mact.$$)
	rc=$?
	# libmongoc may warn while it loads, before any code of the tool
	# runs, when its shared-memory counters cannot be had (many processes
	# at once): that line is the machine's, not the tool's.
	err=$(grep -v 'mongoc: Falling back to malloc for counters' /tmp/mact.$$)
	rm -f /tmp/mact.$$
}

# expect_uri NAME WANT VAR=... : the first line is "uri: WANT" and exit 0.
expect_uri() {
	local name=$1 want=$2
	shift 2
	TOOL_ARGS="" run "$@"
	first=$(printf '%s\n' "$out" | head -n 1)
	[ "$rc" -eq 0 ] && [ "$first" = "uri: $want" ]
	tap_check $? "$name"
	[ "$first" = "uri: $want" ] || tap_diag "got: $first (exit $rc) $err"
}

tap_plan 25
D=MONGOALCHEMY_DATABASE=test

expect_uri "defaults" "mongodb://localhost:27017/" $D
expect_uri "user" "mongodb://luke@localhost:27017/" $D MONGOALCHEMY_USER=luke
expect_uri "database auth (password hidden)" "mongodb://luke:***@localhost:27017/test" \
	$D MONGOALCHEMY_USER=luke MONGOALCHEMY_PASSWORD=father MONGOALCHEMY_SERVER_AUTH=false
expect_uri "server and port" "mongodb://database.lukehome.com:42/" \
	$D MONGOALCHEMY_SERVER=database.lukehome.com MONGOALCHEMY_PORT=42
expect_uri "options" "mongodb://localhost:27017/?safe=true" $D MONGOALCHEMY_OPTIONS=safe=true
expect_uri "connection string unchanged" "mongodb://db.example:1234/x?w=2" \
	$D MONGOALCHEMY_CONNECTION_STRING='mongodb://db.example:1234/x?w=2'

TOOL_ARGS="--show-password" run $D MONGOALCHEMY_USER=luke MONGOALCHEMY_PASSWORD=father MONGOALCHEMY_SERVER_AUTH=false
[ "$(printf '%s\n' "$out" | head -n 1)" = "uri: mongodb://luke:father@localhost:27017/test" ]
tap_check $? "--show-password prints the password"

TOOL_ARGS="" run $D MONGOALCHEMY_USER=luke MONGOALCHEMY_PASSWORD=s3cr3t-pw
! printf '%s %s' "$out" "$err" | grep -q 's3cr3t-pw'
tap_check $? "the password appears nowhere without --show-password"

TOOL_ARGS="" run $D MONGOALCHEMY_SAFE_SESSION=yes MONGOALCHEMY_REPLICA_SET=rs0 MONGOALCHEMY_USER=u
printf '%s\n' "$out" | grep -qx 'write_concern: w:majority, j:true' &&
	printf '%s\n' "$out" | grep -qx 'replica_set: rs0' &&
	printf '%s\n' "$out" | grep -qx 'auth_source: admin' &&
	printf '%s\n' "$out" | grep -qx 'database: test'
tap_check $? "effective settings: write concern, replica set, auth source, database"

TOOL_ARGS="--prefix OTHER" run OTHER_DATABASE=other OTHER_PORT=27018 $D
[ "$(printf '%s\n' "$out" | head -n 1)" = "uri: mongodb://localhost:27018/" ] &&
	printf '%s\n' "$out" | grep -qx 'database: other'
tap_check $? "--prefix reads the other variables"

TOOL_ARGS="" run MONGOALCHEMY_PORT=27017
[ "$rc" -eq 2 ] && [ -z "$out" ] && printf '%s' "$err" | grep -q 'MONGOALCHEMY_DATABASE is not set'
tap_check $? "missing DATABASE exits 2 naming the variable"

TOOL_ARGS="" run $D MONGOALCHEMY_PORT=70000
[ "$rc" -eq 2 ] && printf '%s' "$err" | grep -q 'MONGOALCHEMY_PORT "70000" is not a port number'
tap_check $? "PORT=70000 exits 2 naming the variable and the value"

TOOL_ARGS="" run $D MONGOALCHEMY_SAFE_SESSION=maybe
[ "$rc" -eq 2 ] && printf '%s' "$err" | grep -q 'MONGOALCHEMY_SAFE_SESSION "maybe" is not a boolean'
tap_check $? "SAFE_SESSION=maybe exits 2"

TOOL_ARGS="" run $D MONGOALCHEMY_PASSWORD=father
[ "$rc" -eq 2 ] && [ -z "$out" ] &&
	printf '%s' "$err" | grep -q 'MONGOALCHEMY_PASSWORD is set but MONGOALCHEMY_USER is not' &&
	! printf '%s' "$err" | grep -q father
tap_check $? "PASSWORD without USER exits 2 naming both"

# A connection string replaces the parts of a built URI: each one set
# beside it is named as ignored, and the configuration stands (exit 0).
TOOL_ARGS="" run $D MONGOALCHEMY_SERVER=h.example MONGOALCHEMY_PORT=42 \
	MONGOALCHEMY_CONNECTION_STRING=mongodb://cs.example/
[ "$rc" -eq 0 ] && [ "$(printf '%s\n' "$out" | head -n 1)" = "uri: mongodb://cs.example/" ] &&
	[ "$err" = "mongoalchemy-config: ignored: MONGOALCHEMY_SERVER, MONGOALCHEMY_PORT (MONGOALCHEMY_CONNECTION_STRING gives the whole URI)" ]
tap_check $? "SERVER and PORT beside CONNECTION_STRING are reported as ignored"
[ "$rc" -eq 0 ] || tap_diag "exit $rc: $err"
TOOL_ARGS="" run $D MONGOALCHEMY_CONNECTION_STRING=mongodb://cs.example/
[ "$rc" -eq 0 ] && [ -z "$err" ]
tap_check $? "a connection string alone reports nothing"

TOOL_ARGS="--prefix AUDIT_" run AUDIT_DATABASE=audit
[ "$rc" -eq 2 ] && printf '%s' "$err" | grep -q 'AUDIT__DATABASE is not set' &&
	printf '%s' "$err" | grep -q 'the underscore after the prefix is added: --prefix AUDIT reads AUDIT_DATABASE'
tap_check $? "--prefix AUDIT_ hints that the underscore is added"
TOOL_ARGS="--prefix AUDIT" run AUDIT_DATABASE=audit
[ "$rc" -eq 0 ] && printf '%s\n' "$out" | grep -qx 'database: audit'
tap_check $? "--prefix AUDIT reads AUDIT_DATABASE"

TOOL_ARGS="--bogus" run $D
[ "$rc" -eq 2 ] && printf '%s' "$err" | grep -q 'usage:'
tap_check $? "an unknown option exits 2 with the usage"

TOOL_ARGS="--help" run
[ "$rc" -eq 0 ] && printf '%s\n' "$out" | grep -q -- '--show-password  show the password in the URI'
tap_check $? "--help says --show-password shows the password"

# A port nothing listens on: the ping fails quickly with exit 1.
TOOL_ARGS="--ping" run $D MONGOALCHEMY_SERVER=127.0.0.1 MONGOALCHEMY_PORT=1 \
	MONGOALCHEMY_OPTIONS=serverSelectionTimeoutMS=300
[ "$rc" -eq 1 ] && printf '%s\n' "$out" | grep -qx 'ping: failed' &&
	[ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] &&
	printf '%s' "$err" | grep -q 'No suitable servers found.*(database unavailable)$'
tap_check $? "--ping against nothing exits 1 with the driver's error, once"
[ "$rc" -eq 1 ] || tap_diag "exit $rc: $out $err"

# The test server, when scripts/test started one (or the user's own).
if [ -n "${MONGOALCHEMY_DATABASE:-}" ]; then
	TOOL_ARGS="--ping" run $(env | grep '^MONGOALCHEMY_')
	[ "$rc" -eq 0 ] && [ "$(printf '%s\n' "$out" | tail -n 2 | tr '\n' ' ')" = "ping: ok access: ok " ] &&
		[ -z "$err" ]
	tap_check $? "--ping against the test server: ping: ok, access: ok, nothing on stderr"
	[ "$rc" -eq 0 ] && [ -z "$err" ] || tap_diag "exit $rc: $err"
elif [ "${MA_TEST_REQUIRE_SERVER:-}" = 1 ]; then
	tap_check 1 "--ping against the test server (MONGOALCHEMY_DATABASE is not set)"
else
	tap_skip "--ping against the test server" "no server configured"
fi

# The server with authentication: it answers a ping without credentials,
# but a worker without them could read nothing.
if [ -n "${MA_TEST_AUTH_PORT:-}" ]; then
	A="$D MONGOALCHEMY_SERVER=$MA_TEST_AUTH_SERVER MONGOALCHEMY_PORT=$MA_TEST_AUTH_PORT"
	# shellcheck disable=SC2086 # A is words
	TOOL_ARGS="--ping" run $A
	[ "$rc" -eq 1 ] && [ "$(printf '%s\n' "$out" | tail -n 2 | tr '\n' ' ')" = "ping: ok access: refused " ] &&
		[ "$err" = "mongoalchemy-config: the server requires authentication: set MONGOALCHEMY_USER and MONGOALCHEMY_PASSWORD" ]
	tap_check $? "--ping without credentials on a server that requires them says so, exit 1"
	[ "$rc" -eq 1 ] || tap_diag "exit $rc: $out $err"

	# shellcheck disable=SC2086
	TOOL_ARGS="--ping" run $A MONGOALCHEMY_USER="$MA_TEST_AUTH_ROOT_USER" \
		MONGOALCHEMY_PASSWORD="$MA_TEST_AUTH_ROOT_PASSWORD"
	[ "$rc" -eq 0 ] && [ "$(printf '%s\n' "$out" | tail -n 2 | tr '\n' ' ')" = "ping: ok access: ok " ] &&
		[ -z "$err" ]
	tap_check $? "--ping with the server's credentials: access: ok"
	[ "$rc" -eq 0 ] || tap_diag "exit $rc: $out $err"

	# shellcheck disable=SC2086
	TOOL_ARGS="--ping" run $A MONGOALCHEMY_USER="$MA_TEST_AUTH_ROOT_USER" \
		MONGOALCHEMY_PASSWORD=not-the-password
	[ "$rc" -eq 1 ] && [ "$err" = "mongoalchemy-config: ping failed: Authentication failed." ]
	tap_check $? "a refused password is said once, not again as (authentication failed)"
	[ "$rc" -eq 1 ] || tap_diag "exit $rc: $out $err"
else
	for t in "--ping without credentials" "--ping with credentials" "a refused password"; do
		if [ "${MA_TEST_REQUIRE_SERVER:-}" = 1 ]; then
			tap_check 1 "$t (MA_TEST_AUTH_PORT is not set)"
		else
			tap_skip "$t" "no server with authentication configured"
		fi
	done
fi

tap_done
