#!/usr/bin/env bash
# The API description through nginx, on a stack of its own
# (scripts/http-stack exec): /openapi.json validated by
# openapi-spec-validator, every route of the example in it, Schemathesis's
# property-based and stateful requests against every operation (fixed
# seed, bounded examples; its settings in tests/http/schemathesis.toml),
# and Swagger UI at /docs/ rendered in headless Chromium. The tools are
# the ones scripts/setup installs in its build's tools/ (pinned in
# tests/http/requirements.txt and scripts/setup).
#
# What it leaves in the build's tests/http/openapi-artefacts/: the
# document, Schemathesis's output, Chromium's DOM and a screenshot.
set -euo pipefail

here=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
abs_top_srcdir=${abs_top_srcdir:-$(cd -P -- "$here/../.." && pwd)}
abs_top_builddir=${abs_top_builddir:-$abs_top_srcdir}
export abs_top_srcdir abs_top_builddir
art=$abs_top_builddir/tests/http/openapi-artefacts
# shellcheck source=tests/tool/tap.sh
source "$abs_top_srcdir/tests/tool/tap.sh"
# shellcheck source=scripts/lib.sh
source "$abs_top_srcdir/scripts/lib.sh"
# Where scripts/setup installs them: its build's tools/, which the other
# builds (scripts/sanitize's) use too.
tools=$(build_dir)/tools

# Schemathesis's budget: examples per operation and the seed.
EXAMPLES=${MA_SCHEMATHESIS_EXAMPLES:-50}
SEED=${MA_SCHEMATHESIS_SEED:-20}

if [[ ${1:-} != --in-stack ]]; then
	if ! command -v nginx >/dev/null 2>&1 && [[ ! -x /usr/sbin/nginx ]]; then
		echo "1..0 # SKIP nginx is not installed"
		exit 0
	fi
	unset MONGOALCHEMY_CONNECTION_STRING MONGOALCHEMY_SERVER MONGOALCHEMY_PORT
	rm -rf -- "$art"
	mkdir -p -- "$art"
	status=0
	"$abs_top_srcdir/scripts/http-stack" exec --front nginx -- "$0" --in-stack \
		>"$art/tap" 2>"$art/stack.log" || status=$?
	if ! grep -q '^1\.\.' "$art/tap"; then
		echo "1..1"
		echo "not ok 1 - scripts/http-stack could not start the nginx stack (exit $status)"
		sed 's/^/# /' -- "$art/stack.log"
		exit 1
	fi
	cat -- "$art/tap"
	exit "$status"
fi

url=$MA_STACK_URL
py=$tools/venv/bin/python3
[[ -x $py ]] || py=python3
tap_plan 5

# 1. The document through nginx.
code=$(curl -s -o "$art/openapi.json" -w '%{http_code} %{content_type}' "$url/openapi.json")
s=0
[[ $code == '200 application/json' ]] || s=1
tap_check "$s" "GET /openapi.json through nginx: 200 application/json"
[[ $code == '200 application/json' ]] || tap_diag "got: $code"

# 2. A valid OpenAPI 3.1 document.
if [[ -x $tools/venv/bin/openapi-spec-validator ]]; then
	out=$("$tools/venv/bin/openapi-spec-validator" "$art/openapi.json" 2>&1) && s=0 || s=$?
	tap_check "$s" "openapi-spec-validator: /openapi.json is a valid OpenAPI 3.1 document"
	((s == 0)) || tap_diag "$out"
else
	tap_check 1 "openapi-spec-validator is not installed in $tools/venv (scripts/setup installs it)"
fi

# 3. Every route of the example, with its methods, and what the types
# declare: Book's year bounds, per_page's maximum, the page object.
check=$(
	"$py" - "$art/openapi.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ops = {(m.upper(), p) for p, item in d["paths"].items() for m in item}
want = {("GET", "/openapi.json"), ("GET", "/healthz"), ("GET", "/readyz"),
        ("GET", "/metrics"), ("GET", "/authors"), ("POST", "/authors"),
        ("GET", "/authors/{id}"), ("PUT", "/authors/{id}"),
        ("PATCH", "/authors/{id}"), ("DELETE", "/authors/{id}"),
        ("GET", "/books"), ("POST", "/books"), ("GET", "/books/{id}"),
        ("PUT", "/books/{id}"), ("PATCH", "/books/{id}"),
        ("DELETE", "/books/{id}"), ("GET", "/books/since/{year}"),
        ("GET", "/reviews"), ("POST", "/reviews"), ("GET", "/reviews/{id}"),
        ("PUT", "/reviews/{id}"), ("PATCH", "/reviews/{id}"),
        ("DELETE", "/reviews/{id}")}
bad = []
if ops != want:
    bad.append("operations: missing %s, extra %s" % (sorted(want - ops), sorted(ops - want)))
year = d["components"]["schemas"]["Book"]["properties"]["year"]
if (year.get("minimum"), year.get("maximum")) != (0, 9999):
    bad.append("Book.year: %s" % year)
pp = [p for p in d["paths"]["/books"]["get"]["parameters"] if p.get("name") == "per_page"]
if not pp or pp[0]["schema"].get("maximum") != 100:
    bad.append("per_page: %s" % pp)
if "BookPage" not in d["components"]["schemas"]:
    bad.append("no BookPage")
print("; ".join(bad))
PY
)
s=0
[[ -z $check ]] || s=1
tap_check "$s" "the description has every route of the example, its types' bounds and per_page's maximum"
((s == 0)) || tap_diag "$check"
[[ -z $check ]] || tap_diag "$check"

# 4. Schemathesis: every operation, examples, coverage, fuzzing and the
# stateful sequences through the links (create, then get, replace,
# update, delete the created id).
if [[ -x $tools/venv/bin/schemathesis ]]; then
	s=0
	(cd "$art" && "$tools/venv/bin/schemathesis" \
		--config-file "$abs_top_srcdir/tests/http/schemathesis.toml" \
		run "$url/openapi.json" --seed "$SEED" --max-examples "$EXAMPLES" \
		--workers 1 --no-color --generation-database none \
		--request-timeout 10) >"$art/schemathesis.txt" 2>&1 || s=$?
	tap_check "$s" "Schemathesis: no server error, no undocumented status, every answer as described (seed $SEED, $EXAMPLES examples an operation)"
	grep -E '^ +(Selected|Tested):|generated|Scenarios:|API Links:' "$art/schemathesis.txt" |
		sed 's/^ */# schemathesis: /' || true
	((s == 0)) || sed -n '/^=* FAILURES/,$p' "$art/schemathesis.txt" | head -n 150 | sed 's/^/# /'
else
	tap_check 1 "Schemathesis is not installed in $tools/venv (scripts/setup installs it)"
fi

# 5. Swagger UI at /docs/, rendered by headless Chromium: the operations
# of /books are on the page, and a screenshot is kept.
chrome=$(command -v chromium || command -v chromium-browser || true)
if [[ -n $chrome ]]; then
	profile=$(mktemp -d -t ma-chromium.XXXXXX)
	flags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage
		--user-data-dir="$profile" --virtual-time-budget=20000 --window-size=1280,1400)
	timeout 120 "$chrome" "${flags[@]}" --dump-dom "$url/docs/" >"$art/docs.html" 2>"$art/chromium.log" || true
	timeout 120 "$chrome" "${flags[@]}" --screenshot="$art/docs.png" "$url/docs/" >>"$art/chromium.log" 2>&1 || true
	rm -rf -- "$profile"
	missing=
	for op in getBooks postBooks getBooksById putBooksById patchBooksById deleteBooksById; do
		grep -q "id=\"operations-books-$op\"" "$art/docs.html" || missing+=" $op"
	done
	s=0
	[[ -z $missing && -s $art/docs.png ]] || s=1
	tap_check "$s" "Swagger UI at /docs/ in headless Chromium renders the operations of /books (screenshot: tests/http/openapi-artefacts/docs.png)"
	[[ -z $missing ]] || tap_diag "operations not rendered:$missing"
else
	tap_check 1 "chromium is not installed (scripts/setup installs it)"
fi
tap_done
