#!/usr/bin/env bash
# Runs an HTTP suite (tests/http/test_http, or the program named) against
# a stack of its own through one front end:
#
#   tests/http/with-stack.sh nginx|apache [PROGRAM]
#
# PROGRAM is a test program of tests/http/ in the build tree (test_load,
# say); the default is test_http.
#
# scripts/http-stack starts the example worker, the front end and a
# FerretDB (or uses the MongoDB of MONGOALCHEMY_*), the suite runs with the
# MA_STACK_* variables, and the stack is stopped whatever happens. Output
# is TAP on stdout, one line per test, for automake's TAP driver.
#
# The suite is serial (CRITERION_JOBS=1): some tests stop the database or
# kill workers, which every other test would feel. For the same reason the
# stack always gets a FerretDB of its own: MONGOALCHEMY_CONNECTION_STRING,
# _SERVER and _PORT (which scripts/test sets for the integration tests)
# are ignored here, since the suite stops and pauses its database.
#
# With MA_STACK_VALGRIND=1 the workers run under valgrind's memcheck, and
# one more TAP line says whether every worker process ended clean.
set -euo pipefail

front=${1:-}
program=${2:-test_http}
case $front in
nginx | apache) ;;
*)
	echo "usage: tests/http/with-stack.sh nginx|apache [PROGRAM]" >&2
	exit 2
	;;
esac
case $program in
'' | */* | .*)
	echo "with-stack.sh: PROGRAM is the name of a program of tests/http/, not \"$program\"" >&2
	exit 2
	;;
esac

here=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# make check exports these; run by hand, the tree is where this file is.
abs_top_srcdir=${abs_top_srcdir:-$(cd -P -- "$here/../.." && pwd)}
abs_top_builddir=${abs_top_builddir:-$abs_top_srcdir}
export abs_top_srcdir abs_top_builddir
suite=$abs_top_builddir/tests/http/$program
stack=$abs_top_srcdir/scripts/http-stack

# A machine without the front end skips its suite rather than failing it
# (scripts/setup installs both).
case $front in
nginx) bins=(nginx) ;;
apache) bins=(apache2 httpd) ;;
esac
found=
for b in "${bins[@]}"; do
	if command -v "$b" >/dev/null 2>&1 || [[ -x /usr/sbin/$b ]]; then
		found=$b
		break
	fi
done
if [[ -z $found ]]; then
	echo "1..0 # SKIP $front is not installed"
	exit 0
fi
if [[ ! -x $suite ]]; then
	echo "1..1"
	echo "not ok - $suite is not built (make check builds it)"
	exit 1
fi

tmp=$(mktemp -d -t with-stack.XXXXXX)
trap 'rm -rf -- "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export CRITERION_JOBS=1 CRITERION_OUTPUTS=tap:-
unset MONGOALCHEMY_CONNECTION_STRING MONGOALCHEMY_SERVER MONGOALCHEMY_PORT

vgdir=
if [[ ${MA_STACK_VALGRIND:-} == 1 ]]; then
	command -v valgrind >/dev/null 2>&1 || {
		echo "1..1"
		echo "not ok - MA_STACK_VALGRIND=1 but valgrind is not installed"
		exit 1
	}
	vgdir=$tmp/valgrind
	mkdir -- "$vgdir"
	# Started as root, the workers leave root before they fork, and each
	# child opens its own log: they must be able to write here.
	if [[ $(id -u) == 0 ]]; then
		chmod 0711 -- "$tmp"
		chmod 1777 -- "$vgdir"
	fi
	export MA_STACK_WORKER_PREFIX="valgrind -q --vgdb=no --trace-children=yes --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect --log-file=$vgdir/valgrind.%p.log"
fi

# The suite touches the marker first: no marker means the stack never came
# up, which is a failure of its own, not an empty suite.
marker=$tmp/suite-started
status=0
# shellcheck disable=SC2016 # expanded by the inner shell
"$stack" exec --front "$front" -- \
	bash -c ': >"$1" && shift && exec "$@"' with-stack "$marker" "$suite" \
	>"$tmp/tap" || status=$?

if [[ ! -e $marker ]]; then
	echo "1..1"
	echo "not ok - scripts/http-stack could not start the $front stack (exit $status; its messages are in this test's log)"
	exit 1
fi

if [[ -z $vgdir ]]; then
	cat -- "$tmp/tap"
	exit "$status"
fi

# One more test in the plan: the workers' memcheck verdict.
awk '!planned && /^1\.\.[0-9]+$/ { print "1.." substr($0, 4) + 1; planned = 1; next } { print }' "$tmp/tap"
dirty=$(find "$vgdir" -name 'valgrind.*.log' -size +0 | sort)
if [[ -z $dirty ]]; then
	echo "ok - valgrind: every worker process of the $front stack ended clean"
else
	echo "not ok - valgrind: worker processes of the $front stack leaked or erred"
	for f in $dirty; do
		echo "# --- $(basename -- "$f")"
		sed 's/^/# /' -- "$f"
	done
	((status != 0)) || status=1
fi
exit "$status"
