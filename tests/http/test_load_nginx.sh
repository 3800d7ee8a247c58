#!/bin/sh
# The load and fault suite (tests/http/test_load) through nginx, on a stack
# of its own. Criterion silences a test's own output under TAP, so the
# suite writes its figures (requests, statuses, timings, documents) into
# the file MA_LOAD_FIGURES names; they follow the TAP lines as comments.
figures=$(mktemp -t test_load-figures.XXXXXX) || exit 1
trap 'rm -f -- "$figures"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
status=0
MA_LOAD_FIGURES=$figures "$(dirname "$0")/with-stack.sh" nginx test_load || status=$?
sed 's/^/# /' -- "$figures"
exit "$status"
