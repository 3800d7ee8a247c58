#!/bin/bash
# The first build is quiet: scripts/setup's autoreconf and configure
# (scripts/lib.sh: quietly, configure_build_dir) print nothing but their
# one-line progress when they work, and everything they said when they
# fail.
set -u
. "${abs_top_srcdir:-.}/tests/tool/tap.sh"
PROG=quiet-test
# shellcheck source=scripts/lib.sh
. "${abs_top_srcdir:-.}/scripts/lib.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/ma-quiet.XXXXXX")
trap 'rm -rf "$work"' EXIT

tap_plan 4

(quietly sh -c 'echo checking for chatter; echo "aclocal: warning" >&2') \
	>"$work/out" 2>"$work/err" &&
	[ ! -s "$work/out" ] && [ ! -s "$work/err" ]
tap_check $? "a command that works says nothing"

(quietly sh -c 'echo checking for chatter; echo "it broke" >&2; exit 3') \
	>"$work/out" 2>"$work/err"
status=$?
[ "$status" -eq 3 ] && [ ! -s "$work/out" ] &&
	[ "$(cat "$work/err")" = "$(printf 'checking for chatter\nit broke')" ]
tap_check $? "a command that fails shows all it said, on stderr, and its status"
[ "$status" -eq 3 ] || tap_diag "status $status"

if [ -f "$ROOT/config.status" ]; then
	# configure_build_dir refuses a tree configured in place.
	tap_skip "configure in a fresh folder prints one line" "the tree is configured in place"
	tap_skip "a failing configure shows its whole output" "the tree is configured in place"
else
	(configure_build_dir "$work/ok") >"$work/out" 2>"$work/err"
	status=$?
	[ "$status" -eq 0 ] && [ -f "$work/ok/Makefile" ] && [ ! -s "$work/out" ] &&
		[ "$(cat "$work/err")" = "quiet-test: configure (in $work/ok)" ]
	tap_check $? "configure in a fresh folder prints one line"
	[ "$status" -eq 0 ] || tap_diag "status $status: $(tail -n 5 "$work/err")"

	(configure_build_dir "$work/bad" CC=/bin/false) >"$work/out" 2>"$work/err"
	status=$?
	[ "$status" -ne 0 ] && [ ! -s "$work/out" ] &&
		grep -q '^checking whether the C compiler works\.\.\. no$' "$work/err" &&
		grep -q 'C compiler cannot create executables' "$work/err" &&
		[ ! -f "$work/bad/.configure-args" ]
	tap_check $? "a failing configure shows its whole output, and fails"
fi

tap_done
