#!/usr/bin/env bash
# CORS through a front end, on a stack of its own (scripts/http-stack)
# whose workers read LIBRARY_CORS_ORIGINS and a JWK Set:
#
#   tests/http/cors-stack.sh nginx|apache
#
# With curl: the front end passes OPTIONS and Origin, and its answers keep
# the worker's CORS headers (a preflight's 204 and 403, a 200, a 304, a
# 401 and the front end's own 404 for a bad escape). With nginx, then, in
# a real browser: headless Chromium loads a page from one loopback port
# (an allowed origin) and from another (a refused one), and the page
# fetch()es the API on the stack's port: a simple GET that reads
# X-Total-Count and ETag, and a preflighted PATCH with If-Match,
# Content-Type: application/json and a bearer token. The allowed page's
# PATCH is stored; the refused page's fetches fail with a TypeError and
# change nothing. The rules themselves are tested in-process
# (tests/unit/test_cors.c). TAP on stdout.
set -euo pipefail

here=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
abs_top_srcdir=${abs_top_srcdir:-$(cd -P -- "$here/../.." && pwd)}
abs_top_builddir=${abs_top_builddir:-$abs_top_srcdir}
export abs_top_srcdir abs_top_builddir
# shellcheck source=tests/tool/tap.sh
source "$abs_top_srcdir/tests/tool/tap.sh"
PROG=cors-stack
# shellcheck source=scripts/lib.sh
source "$abs_top_srcdir/scripts/lib.sh"
stack=$abs_top_srcdir/scripts/http-stack
token_tool=$abs_top_builddir/examples/library/library-token
# shellcheck source=tests/http/front-end.sh
source "$here/front-end.sh"
chrome=
[[ $front != nginx ]] || chrome=$(command -v chromium || command -v chromium-browser || true)

tmp=$(mktemp -d -t cors-stack.XXXXXX)
MA_STACK_DIR=
pages=()
cleanup() {
	local pid
	for pid in "${pages[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	[[ -z $MA_STACK_DIR ]] || "$stack" stop "$MA_STACK_DIR" >/dev/null 2>&1 || true
	rm -rf -- "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ $front == nginx ]]; then tap_plan 16; else tap_plan 9; fi

# The pages' two origins: loopback ports of their own, picked before the
# stack starts so that the workers can be told the allowed one.
allowed_port=$(pick_port)
refused_port=$(pick_port)
while [[ $refused_port == "$allowed_port" ]]; do refused_port=$(pick_port); done
allowed=http://127.0.0.1:$allowed_port
refused=http://127.0.0.1:$refused_port

chmod 0711 "$tmp"
"$token_tool" keys "$tmp/keys.json"
(umask 022 && "$token_tool" public "$tmp/keys.json" "$tmp/jwks.json")
export LIBRARY_JWKS_FILE=$tmp/jwks.json
export LIBRARY_CORS_ORIGINS="https://app.example.com, $allowed"
if ! out=$("$stack" start --front "$front" 2>"$tmp/start.log"); then
	tap_diag "scripts/http-stack could not start:" "$(cat "$tmp/start.log")"
	exit 1
fi
eval "$out"
url=$MA_STACK_URL
editor=$("$token_tool" sign "$tmp/keys.json" ed editor)
book=5f0000000000000000000b01

# status METHOD PATH [curl options...]: the answer's status; its headers
# (CR removed) and body are in $tmp/h and $tmp/b.
status() {
	local method=$1 path=$2 code
	shift 2
	code=$(curl -s -o "$tmp/b" -D "$tmp/h.raw" -w '%{http_code}' -X "$method" "$@" "$url$path")
	tr -d '\r' <"$tmp/h.raw" >"$tmp/h"
	printf '%s' "$code"
}

# header NAME: its value in the last answer ("" when absent).
header() {
	grep -i "^$1:" "$tmp/h" | head -n 1 | sed 's/^[^:]*: //' || true
}

# expect NAME WANT GOT: one TAP line, with the answer when it fails.
expect() {
	local ok=1
	[[ $2 == "$3" ]] && ok=0
	tap_check "$ok" "$1"
	((ok == 0)) || tap_diag "expected: $2" "got: $3" "$(cat "$tmp/h" "$tmp/b" 2>/dev/null)"
}

# The CORS headers of the last answer, one line; Vary's list as nginx
# passes it (Apache merges Vary values and drops the space after each
# comma: the same list to a cache).
cors_headers() {
	grep -i '^\(Access-Control-\|Vary:\)' "$tmp/h" | sed '/^Vary:/s/,\([^ ]\)/, \1/g' |
		paste -sd'|' - || true
}

origin=(-H "Origin: $allowed")
expose='Access-Control-Expose-Headers: ETag, Link, Location, Retry-After, X-Request-Id, X-Total-Count'
got=$(status OPTIONS "/books/$book" "${origin[@]}" -H 'Access-Control-Request-Method: PATCH' \
	-H 'Access-Control-Request-Headers: authorization,content-type,if-match')
expect "a preflight passes $front: 204 with the allowed origin, methods and headers" \
	"204|Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers|Access-Control-Allow-Origin: $allowed|Access-Control-Allow-Methods: GET, HEAD, PUT, PATCH, DELETE|Access-Control-Allow-Headers: Authorization, Content-Type, If-Match, If-None-Match|Access-Control-Max-Age: 600" \
	"$got|$(cors_headers)"
got=$(status OPTIONS "/books/$book" -H "Origin: $refused" -H 'Access-Control-Request-Method: PATCH')
expect "a preflight from a refused origin is a 403 without Access-Control-Allow-*" \
	"403|Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers" \
	"$got|$(cors_headers)"
got=$(status OPTIONS /books)
expect "OPTIONS without preflight headers is a 405 with Allow, no CORS" \
	"405|GET, HEAD, POST|" "$got|$(header Allow)|$(cors_headers)"
got=$(status GET '/books?per_page=2' "${origin[@]}")
expect "a GET from the allowed origin: 200 with the origin and the exposed headers" \
	"200|Vary: Origin|Access-Control-Allow-Origin: $allowed|$expose" "$got|$(cors_headers)"
etag=$(status GET "/books/$book" >/dev/null && header ETag)
got=$(status GET "/books/$book" "${origin[@]}" -H "If-None-Match: $etag")
expect "a 304 from the allowed origin keeps them" \
	"304|Vary: Origin|Access-Control-Allow-Origin: $allowed|$expose" "$got|$(cors_headers)"
got=$(status PATCH "/books/$book" "${origin[@]}" -H 'Content-Type: application/json' -d '{"year":1}')
expect "a 401 from the allowed origin keeps them, beside the challenge" \
	"401|Vary: Origin|Access-Control-Allow-Origin: $allowed|$expose|yes" \
	"$got|$(cors_headers)|$([[ -n $(header WWW-Authenticate) ]] && echo yes)"
got=$(status GET /books "${origin[@]}" -H "Origin: $allowed")
expect "two Origin headers get no Access-Control-Allow-Origin" \
	no "$(grep -qi '^Access-Control-Allow-Origin' "$tmp/h" && echo "yes: $got" || echo no)"
got=$(status GET /books -H "Origin: $refused")
expect "a GET from a refused origin: Vary: Origin alone" "200|Vary: Origin" "$got|$(cors_headers)"
got=$(status GET /books)
expect "a GET without Origin: no CORS header at all" "200|" "$got|$(cors_headers)"

[[ $front == nginx ]] || exit $((tap_failed > 0))

# --- the browser ----------------------------------------------------------

if [[ -z $chrome ]]; then
	for i in 1 2 3 4 5 6 7; do tap_check 1 "chromium is not installed (scripts/setup installs it)"; done
	exit 1
fi

# The page: fetch()es the API with what its URL says, and writes what
# happened into #result. A fetch the browser blocks rejects with a
# TypeError; the PATCH uses the ETag read from JS, or the one in the URL
# when JS could not read it (a refused origin), so that only CORS stops it.
mkdir -p "$tmp/site"
cat >"$tmp/site/page.html" <<'HTML'
<!doctype html>
<html><head><meta charset="utf-8"><title>CORS</title></head>
<body><pre id="result">pending</pre>
<script>
const q = new URLSearchParams(location.search);
const api = q.get("api"), id = q.get("id");
const out = [];
async function step(name, f) {
	try { out.push(name + "=" + await f()); }
	catch (e) { out.push(name + "=" + e.name); }
}
(async () => {
	let etag = null;
	await step("list", async () => {
		const r = await fetch(api + "/books?per_page=2");
		const body = await r.json();
		return r.status + "/" + r.headers.get("X-Total-Count") + "/" + body.items.length;
	});
	await step("etag", async () => {
		const r = await fetch(api + "/books/" + id);
		etag = r.headers.get("ETag");
		return r.status + "/" + (etag !== null && etag.startsWith('"'));
	});
	await step("patch", async () => {
		const r = await fetch(api + "/books/" + id, {
			method: "PATCH",
			headers: {"Content-Type": "application/json",
				  "If-Match": etag || q.get("etag"),
				  "Authorization": "Bearer " + q.get("token")},
			body: JSON.stringify({year: Number(q.get("year"))})});
		const body = await r.json();
		return r.status + "/" + body.year + "/" + (r.headers.get("ETag") !== null);
	});
	document.getElementById("result").textContent = out.join(" ");
})();
</script></body></html>
HTML
for port in "$allowed_port" "$refused_port"; do
	python3 -m http.server "$port" --bind 127.0.0.1 --directory "$tmp/site" \
		>"$tmp/page-$port.log" 2>&1 &
	pages+=($!)
done
for port in "$allowed_port" "$refused_port"; do
	for ((i = 0; i < 100; i++)); do
		port_open "$port" && break
		sleep 0.1
	done
done

# browse ORIGIN YEAR: the page's #result text after Chromium ran it.
browse() {
	local etag_now page
	etag_now=$(status GET "/books/$book" >/dev/null && header ETag)
	page="$1/page.html?api=$url&id=$book&year=$2&token=$editor&etag=$(printf '%s' "$etag_now" | tr -d '"' | sed 's/.*/%22&%22/')"
	rm -rf -- "$tmp/profile"
	timeout 120 "$chrome" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
		--user-data-dir="$tmp/profile" --virtual-time-budget=20000 \
		--dump-dom "$page" 2>>"$tmp/chromium.log" |
		sed -n 's:.*<pre id="result">\(.*\)</pre>.*:\1:p'
}

year_of() {
	status GET "/books/$book" >/dev/null
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["year"])' "$tmp/b"
}

before=$(year_of)
got=$(browse "$allowed" 1999)
IFS=' ' read -r list tag patch <<<"$got"
expect "Chromium, allowed origin: a simple GET reads X-Total-Count from JS" \
	"list=200/8/2" "$list"
expect "  and reads the ETag" "etag=200/true" "$tag"
expect "  a preflighted PATCH with If-Match, JSON and a bearer token succeeds" \
	"patch=200/1999/true" "$patch"
expect "  and is stored" 1999 "$(year_of)"
[[ -n $got ]] || tap_diag "no result in the page; Chromium's log:" "$(tail -n 20 "$tmp/chromium.log")"

got=$(browse "$refused" 1777)
IFS=' ' read -r list tag patch <<<"$got"
expect "Chromium, refused origin: the GET fails with a TypeError" \
	"list=TypeError etag=TypeError" "$list $tag"
expect "  and so does the PATCH (its preflight is refused)" "patch=TypeError" "$patch"
expect "  which changed nothing" 1999 "$(year_of)"
tap_diag "the book's year before the browser: $before"
tap_done
