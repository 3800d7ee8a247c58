#!/usr/bin/env bash
# The example's access control through a front end, on a stack of its own
# (scripts/http-stack) whose workers read LIBRARY_JWKS_FILE: what only a
# front end and the worker processes show.
#
#   tests/http/access-stack.sh nginx|apache
#
# The header as the front end passes it (Apache only with CGIPassAuth, as
# its site file sets; a second Authorization line and a 9 KB one refused
# by the front end, or a 401), the token never in the workers' log,
# and key rotation: a new set written over the file and SIGHUP to the
# master, without a restart. The rules themselves are tested in-process
# (tests/http/test_access_contract.c). TAP on stdout.
set -euo pipefail

here=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
abs_top_srcdir=${abs_top_srcdir:-$(cd -P -- "$here/../.." && pwd)}
abs_top_builddir=${abs_top_builddir:-$abs_top_srcdir}
export abs_top_srcdir abs_top_builddir
# shellcheck source=tests/tool/tap.sh
source "$abs_top_srcdir/tests/tool/tap.sh"
stack=$abs_top_srcdir/scripts/http-stack
token_tool=$abs_top_builddir/examples/library/library-token
# shellcheck source=tests/http/front-end.sh
source "$here/front-end.sh"

tmp=$(mktemp -d -t access-stack.XXXXXX)
MA_STACK_DIR=
cleanup() {
	[[ -z $MA_STACK_DIR ]] || "$stack" stop "$MA_STACK_DIR" >/dev/null 2>&1 || true
	rm -rf -- "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

tap_plan 15

# Two sets of development keys; the workers (which may run as another
# user: the stack drops root) read the public half of the first.
chmod 0711 "$tmp"
"$token_tool" keys "$tmp/a.json"
"$token_tool" keys "$tmp/b.json"
(umask 022 && "$token_tool" public "$tmp/a.json" "$tmp/a.pub.json" &&
	"$token_tool" public "$tmp/b.json" "$tmp/b.pub.json")
cp -- "$tmp/a.pub.json" "$tmp/jwks.json"
chmod 0644 "$tmp/jwks.json"
export LIBRARY_JWKS_FILE=$tmp/jwks.json
if ! out=$("$stack" start --front "$front" 2>"$tmp/start.log"); then
	tap_diag "scripts/http-stack could not start:" "$(cat "$tmp/start.log")"
	exit 1
fi
eval "$out"
url=$MA_STACK_URL

# status METHOD PATH [curl options...]: the answer's status; its headers
# and body are in $tmp/h and $tmp/b.
status() {
	local method=$1 path=$2
	shift 2
	curl -s -o "$tmp/b" -D "$tmp/h" -w '%{http_code}' -X "$method" "$@" "$url$path"
}

# expect NAME WANT GOT: one TAP line, with the answer when it fails.
expect() {
	local ok=1
	[[ $2 == "$3" ]] && ok=0
	tap_check "$ok" "$1"
	((ok == 0)) || tap_diag "expected $2, got $3" "$(cat "$tmp/h" "$tmp/b" 2>/dev/null)"
}

json='Content-Type: application/json'
book='{"title":"Access through a front end","author":{"name":"N"},"year":2001}'
editor_a=$("$token_tool" sign "$tmp/a.json" ed editor)
editor_b=$("$token_tool" sign "$tmp/b.json" ed editor)
anna=$("$token_tool" sign "$tmp/a.json" anna)
ben=$("$token_tool" sign "$tmp/a.json" ben)

expect "catalogue reads stay public" 200 "$(status GET /books)"
expect "a write without a token is a 401" 401 \
	"$(status POST /books -H "$json" -d "$book")"
expect "  with the Bearer challenge" 'WWW-Authenticate: Bearer realm="library"' \
	"$(grep -i '^WWW-Authenticate:' "$tmp/h" | tr -d '\r')"
expect "an editor's token passes $front and the worker" 201 \
	"$(status POST /books -H "$json" -H "Authorization: Bearer $editor_a" -d "$book")"

# alg none: the header and payload of a token, no signature.
none_header=$(printf '{"alg":"none","kid":"dev-hs256"}' | basenc --base64url | tr -d '=')
none_payload=$(printf '{"sub":"mallory","exp":4102444800,"roles":["admin"]}' | basenc --base64url | tr -d '=')
expect "alg none is a 401" 401 \
	"$(status POST /books -H "$json" -H "Authorization: Bearer $none_header.$none_payload." -d "$book")"
expect "a token in the query string is ignored" 401 \
	"$(status GET "/loans?access_token=$anna")"
# nginx refuses a second Authorization line itself; Apache joins the two
# with a comma, which is no token.
got=$(status GET /loans -H "Authorization: Bearer $anna" -H "Authorization: Bearer $ben")
expect "two Authorization headers are refused (400 or 401)" yes \
	"$([[ $got == 400 || $got == 401 ]] && echo yes || echo "$got")"
long=$(head -c 9000 /dev/zero | tr '\0' 'A')
got=$(status GET /loans -H "Authorization: Bearer $long")
expect "a token over 8 KiB is refused (the front end's 400 or a 401)" yes \
	"$([[ $got == 400 || $got == 401 ]] && echo yes || echo "$got")"

loan='{"book":"5f0000000000000000000b01","due":"2030-01-15T00:00:00Z"}'
status POST /loans -H "$json" -H "Authorization: Bearer $anna" -d "$loan" >/dev/null
id=$(sed -n 's/.*"_id":"\([0-9a-f]\{24\}\)".*/\1/p' "$tmp/b")
expect "anna reads her loan" 200 "$(status GET "/loans/$id" -H "Authorization: Bearer $anna")"
expect "ben gets a 404 for it" 404 "$(status GET "/loans/$id" -H "Authorization: Bearer $ben")"

expect "a token of another set is a 401 before rotation" 401 \
	"$(status POST /books -H "$json" -H "Authorization: Bearer $editor_b" -d "$book")"

# Rotation: the new set over the file, SIGHUP, and no restart.
cp -- "$tmp/b.pub.json" "$tmp/jwks.json"
master=$(cat "$MA_STACK_MASTER_PID_FILE")
kill -HUP "$master"
got=
for _ in $(seq 1 100); do
	got=$(status GET /loans -H "Authorization: Bearer $editor_b")
	[[ $got == 200 ]] && break
	sleep 0.2
done
expect "after SIGHUP the new set's token passes" 200 "$got"
expect "  and the old set's is a 401" 401 "$(status GET /loans -H "Authorization: Bearer $editor_a")"
expect "  from the same master" "$master" "$(cat "$MA_STACK_MASTER_PID_FILE")"
# The signatures of the tokens sent, in the workers' log: none.
leaked=0
for t in "$editor_a" "$editor_b" "$anna" "$ben"; do
	! grep -qF -- "${t##*.}" "$MA_STACK_WORKER_LOG" || leaked=$((leaked + 1))
done
expect "no token in the workers' log" 0 "$leaked"

tap_done
