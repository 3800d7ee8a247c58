#!/usr/bin/env bash
# docs/quickstart.md followed as written, against an installed copy of the
# libraries (make install into a staging folder, found by pkg-config):
# its C blocks written into their files (tests/docs/doc_code.py), its cc
# lines run as printed (with -Wall -Wextra -Werror), its curl examples
# run in order against its own program behind nginx
# (tests/docs/doc_examples.py); then examples/skeleton/ built with its
# Makefile and served the same way: a Movie posted, then listed.
set -u
. "${abs_top_srcdir:-.}/tests/tool/tap.sh"

# Shows FILE's lines as TAP comments when the last check failed.
diag_file() {
	[[ $1 -eq 0 ]] || sed 's/^/# /' -- "$2"
}
srcdir=${abs_top_srcdir:-.}
builddir=${abs_top_builddir:-.}
page=$srcdir/docs/quickstart.md
stack=$srcdir/scripts/http-stack

if ! command -v nginx >/dev/null 2>&1 && [[ ! -x /usr/sbin/nginx ]]; then
	echo "1..0 # SKIP nginx is not installed"
	exit 0
fi
stage=$(mktemp -d "${TMPDIR:-/tmp}/ma-quickstart.XXXXXX")
trap 'rm -rf "$stage"' EXIT
# As root the stack's workers leave root; they must still reach their
# program and its libraries here.
chmod 0755 "$stage"
# The stacks below get a FerretDB of their own, with an empty database.
unset MONGOALCHEMY_CONNECTION_STRING MONGOALCHEMY_SERVER MONGOALCHEMY_PORT

# The configured prefix, staged: libtool relinks against the installed
# mapper, and refuses to when the install names another libdir.
prefix=$(sed -n 's/^prefix = //p' "$builddir/Makefile")
${MAKE:-make} -s -C "$builddir" install DESTDIR="$stage/root" >"$stage/install.log" 2>&1
status=$?
tap_check $status "make install into a staging folder"
diag_file $status "$stage/install.log"
root=$stage/root$prefix
mkdir -p "$stage/pc"
for pc in mongoalchemy mongoalchemy-fcgi; do
	sed "s|^prefix=.*|prefix=$root|" "$root/lib/pkgconfig/$pc.pc" >"$stage/pc/$pc.pc" 2>/dev/null
done
export PKG_CONFIG_PATH=$stage/pc LD_LIBRARY_PATH=$root/lib

mkdir -p "$stage/q"
files=$(python3 "$srcdir/tests/docs/doc_code.py" "$page" "$stage/q" 2>&1)
status=$?
tap_check $status "the C blocks of the quickstart name their files"
[[ $status -eq 0 ]] || tap_diag "$files"

# The page's cc lines, as printed, in its folder.
grep '^cc ' "$page" >"$stage/cc-lines"
[[ $(wc -l <"$stage/cc-lines") -ge 2 ]]
tap_check $? "the quickstart has its cc lines"
while IFS= read -r line; do
	(cd "$stage/q" && eval "${CC:-cc} -Wall -Wextra -Werror ${line#cc }") >"$stage/cc.log" 2>&1
	status=$?
	tap_check $status "builds as printed: $line"
	diag_file $status "$stage/cc.log"
done <"$stage/cc-lines"

# Its curl examples against its own program (library, step 6).
MA_STACK_WORKER_CMD=$stage/q/library "$stack" exec -- \
	python3 "$srcdir/tests/docs/doc_examples.py" --first $((tap_n + 1)) "$page" \
	>"$stage/examples.tap" 2>"$stage/examples.err"
status=$?
cat "$stage/examples.tap"
n=$(grep -cE '^(not )?ok ' "$stage/examples.tap")
tap_n=$((tap_n + n))
tap_failed=$((tap_failed + $(grep -c '^not ok ' "$stage/examples.tap")))
[[ $status -eq 0 && $n -gt 0 ]]
status=$?
tap_check $status "the quickstart's curl examples answer as printed, through nginx"
diag_file $status "$stage/examples.err"

# The skeleton: copied, built by its Makefile, served.
cp -R "$srcdir/examples/skeleton" "$stage/skeleton"
chmod -R u+w "$stage/skeleton"
${MAKE:-make} -s -C "$stage/skeleton" >"$stage/skeleton.log" 2>&1 &&
	[[ -x $stage/skeleton/skeleton ]]
status=$?
tap_check $status "examples/skeleton builds with its Makefile and pkg-config"
diag_file $status "$stage/skeleton.log"

# shellcheck disable=SC2016 # expanded by the inner shell
MA_STACK_WORKER_CMD=$stage/skeleton/skeleton "$stack" exec --health /movies -- bash -c '
	curl -s -o /dev/null -w "%{http_code}\n" -X POST -H "Content-Type: application/json" \
		-d "{\"title\":\"Metropolis\",\"year\":1927}" "$MA_STACK_URL/movies"
	curl -s -w "\n%{http_code}\n" "$MA_STACK_URL/movies?fields=title,year"
' >"$stage/skeleton.out" 2>"$stage/skeleton.err"
sed -E 's/"_id":"[0-9a-f]{24}"/"_id":ID/' "$stage/skeleton.out" >"$stage/skeleton.got"
cat >"$stage/skeleton.want" <<'EOF'
201
{"items":[{"_id":ID,"title":"Metropolis","year":1927}],"page":1,"per_page":20,"total":1,"pages":1,"has_prev":false,"has_next":false,"prev_num":null,"next_num":null}
200
EOF
cmp -s "$stage/skeleton.got" "$stage/skeleton.want"
status=$?
tap_check $status "the skeleton serves /movies behind nginx: a POST is a 201, the list a 200 with it"
diag_file $status "$stage/skeleton.out"
diag_file $status "$stage/skeleton.err"

echo "1..$tap_n"
tap_done
