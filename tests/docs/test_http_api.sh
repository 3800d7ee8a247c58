#!/bin/sh
# docs/http-api.md's examples, run in the page's order against a stack of
# the example (its workers, nginx and a FerretDB of its own, freshly
# seeded), each answer compared with the one printed
# (tests/docs/doc_examples.py; the rules are in docs/testing.md).
# A FerretDB of its own always: one example stops it.
srcdir=${abs_top_srcdir:-.}
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
	echo "1..0 # SKIP nginx is not installed"
	exit 0
fi
unset MONGOALCHEMY_CONNECTION_STRING MONGOALCHEMY_SERVER MONGOALCHEMY_PORT
exec "$srcdir/scripts/http-stack" exec -- \
	python3 "$srcdir/tests/docs/doc_examples.py" "$srcdir/docs/http-api.md"
