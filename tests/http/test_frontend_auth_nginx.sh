#!/usr/bin/env bash
# Users authenticated by nginx (docs/deployment.md's recipes): the
# example's workers trust REMOTE_USER (LIBRARY_FRONTEND_ROLES=MA_ROLES),
# started by scripts/http-stack, whose own nginx authenticates no one;
# a second nginx in front of the same socket serves the auth_basic recipe
# on one port and the auth_request one on another, with a third server
# standing in for the authentication service. TAP on stdout.
set -euo pipefail

here=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
abs_top_srcdir=${abs_top_srcdir:-$(cd -P -- "$here/../.." && pwd)}
abs_top_builddir=${abs_top_builddir:-$abs_top_srcdir}
export abs_top_srcdir abs_top_builddir
# shellcheck source=tests/tool/tap.sh
source "$abs_top_srcdir/tests/tool/tap.sh"
# shellcheck source=scripts/lib.sh
source "$abs_top_srcdir/scripts/lib.sh"
stack=$abs_top_srcdir/scripts/http-stack

nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
if [[ ! -x $nginx_bin ]]; then
	echo "1..0 # SKIP nginx is not installed"
	exit 0
fi

tmp=$(mktemp -d -t frontend-auth.XXXXXX)
MA_STACK_DIR=
cleanup() {
	[[ ! -s $tmp/nginx.pid ]] || kill "$(cat "$tmp/nginx.pid")" 2>/dev/null || true
	[[ -z $MA_STACK_DIR ]] || "$stack" stop "$MA_STACK_DIR" >/dev/null 2>&1 || true
	rm -rf -- "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

tap_plan 12

unset LIBRARY_JWKS_FILE
export LIBRARY_FRONTEND_ROLES=MA_ROLES
if ! out=$("$stack" start --front nginx 2>"$tmp/start.log"); then
	tap_diag "scripts/http-stack could not start:" "$(cat "$tmp/start.log")"
	exit 1
fi
eval "$out"

basic=$(pick_port)
request=$(pick_port)
service=$(pick_port)

printf 'alice:%s\nbob:%s\n' "$(openssl passwd -apr1 alice-secret)" \
	"$(openssl passwd -apr1 bob-secret)" >"$tmp/htpasswd"
chmod 0644 "$tmp/htpasswd"
chmod 0711 "$tmp"
mkdir -p "$tmp/temp"
user_line=
[[ $(id -u) != 0 ]] || user_line="user www-data www-data;"
cat >"$tmp/nginx.conf" <<EOF
$user_line
daemon off;
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/error.log notice;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $tmp/temp/body;
	proxy_temp_path $tmp/temp/proxy;
	fastcgi_temp_path $tmp/temp/fastcgi;
	uwsgi_temp_path $tmp/temp/uwsgi;
	scgi_temp_path $tmp/temp/scgi;

	# The auth_basic recipe; the roles of each user from a map.
	map \$remote_user \$basic_roles {
		alice "editor";
		default "";
	}
	server {
		listen 127.0.0.1:$basic;
		location / {
			auth_basic "library";
			auth_basic_user_file $tmp/htpasswd;
			include $MA_STACK_DIR/fastcgi_params;
			fastcgi_param REMOTE_USER \$remote_user;
			fastcgi_param MA_ROLES \$basic_roles;
			fastcgi_pass unix:$MA_STACK_SOCKET;
		}
	}

	# The auth_request recipe.
	server {
		listen 127.0.0.1:$request;
		location = /_auth {
			internal;
			proxy_pass http://127.0.0.1:$service/check;
			proxy_pass_request_body off;
			proxy_set_header Content-Length "";
		}
		location / {
			auth_request /_auth;
			auth_request_set \$auth_user \$upstream_http_x_user;
			auth_request_set \$auth_roles \$upstream_http_x_roles;
			include $MA_STACK_DIR/fastcgi_params;
			fastcgi_param REMOTE_USER \$auth_user;
			fastcgi_param MA_ROLES \$auth_roles;
			fastcgi_pass unix:$MA_STACK_SOCKET;
		}
	}

	# The authentication service: one token it knows.
	server {
		listen 127.0.0.1:$service;
		location = /check {
			if (\$http_authorization = "Bearer let-anna-in") {
				add_header X-User anna;
				add_header X-Roles "reader, editor";
				return 204;
			}
			return 401;
		}
	}
}
EOF
"$nginx_bin" -p "$tmp" -c "$tmp/nginx.conf" 2>>"$tmp/error.log" &
for _ in $(seq 1 100); do
	[[ -s $tmp/nginx.pid ]] && (: >"/dev/tcp/127.0.0.1/$basic") 2>/dev/null && break
	sleep 0.1
done
[[ -s $tmp/nginx.pid ]] || tap_diag "nginx did not start:" "$(cat "$tmp/error.log")"

# status URL [curl options...]: the status; the body is in $tmp/b.
status() {
	local url=$1
	shift
	curl -s -o "$tmp/b" -w '%{http_code}' "$@" "$url" || true
}

expect() {
	local ok=1
	[[ $2 == "$3" ]] && ok=0
	tap_check "$ok" "$1"
	((ok == 0)) || tap_diag "expected $2, got $3" "$(cat "$tmp/b" 2>/dev/null)"
}

json='Content-Type: application/json'
book='{"title":"Front-end users","author":{"name":"F"},"year":2002}'
loan='{"book":"5f0000000000000000000b01","due":"2030-01-15T00:00:00Z"}'
B=http://127.0.0.1:$basic
R=http://127.0.0.1:$request

expect "without auth in front, a write is the worker's 401" 401 \
	"$(status "$MA_STACK_URL/books" -X POST -H "$json" -d "$book")"

expect "auth_basic: no credentials is nginx's 401" 401 "$(status "$B/books")"
expect "auth_basic: an editor writes" 201 \
	"$(status "$B/books" -u alice:alice-secret -X POST -H "$json" -d "$book")"
expect "auth_basic: a user without the role may not" 403 \
	"$(status "$B/books" -u bob:bob-secret -X POST -H "$json" -d "$book")"
expect "auth_basic: client headers name no user and no role" 403 \
	"$(status "$B/books" -u bob:bob-secret -X POST -H "$json" \
		-H 'Remote-User: alice' -H 'MA-Roles: admin' -H 'MA_ROLES: admin' -d "$book")"
status "$B/loans" -u alice:alice-secret -X POST -H "$json" -d "$loan" >/dev/null
id=$(sed -n 's/.*"_id":"\([0-9a-f]\{24\}\)".*/\1/p' "$tmp/b")
expect "auth_basic: the loan is alice's" alice \
	"$(sed -n 's/.*"owner":"\([^"]*\)".*/\1/p' "$tmp/b")"
expect "auth_basic: bob gets a 404 for it" 404 \
	"$(status "$B/loans/$id" -u bob:bob-secret)"

expect "auth_request: no token is nginx's 401" 401 "$(status "$R/loans")"
expect "auth_request: a token the service refuses is nginx's 401" 401 \
	"$(status "$R/loans" -H 'Authorization: Bearer guess')"
expect "auth_request: the service's user and roles write" 201 \
	"$(status "$R/books" -H 'Authorization: Bearer let-anna-in' -X POST -H "$json" -d "$book")"
expect "auth_request: anna sees none of alice's loans" 404 \
	"$(status "$R/loans/$id" -H 'Authorization: Bearer let-anna-in')"
expect "auth_request: anna lists her own (none)" '"total":0' \
	"$(status "$R/loans" -H 'Authorization: Bearer let-anna-in' >/dev/null && grep -o '"total":0' "$tmp/b")"

tap_done
