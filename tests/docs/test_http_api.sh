#!/bin/sh
# docs/http-api.md's examples, run in the page's order against a stack of
# the example (its workers, nginx and a FerretDB of its own, freshly
# seeded), each answer compared with the one printed
# (tests/docs/doc_examples.py; the rules are in docs/testing.md).
# A FerretDB of its own always: one example stops it.
# The stack is the one scripts/run serves: access control on, with a
# development key set; the page's $token (roles editor and admin) and
# $editor_token (editor only) are signed by it. Pages of
# https://app.example.com may call it from a browser (CORS).
srcdir=${abs_top_srcdir:-.}
builddir=${abs_top_builddir:-$srcdir}
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
	echo "1..0 # SKIP nginx is not installed"
	exit 0
fi
unset MONGOALCHEMY_CONNECTION_STRING MONGOALCHEMY_SERVER MONGOALCHEMY_PORT
token_tool=$builddir/examples/library/library-token
keys=$(mktemp -d -t http-api-keys.XXXXXX) || exit 1
trap 'rm -rf -- "$keys"' EXIT
# The workers may run as another user (the stack drops root).
chmod 0711 "$keys"
"$token_tool" keys "$keys/private.json" || exit 1
(umask 022 && "$token_tool" public "$keys/private.json" "$keys/jwks.json") || exit 1
LIBRARY_JWKS_FILE=$keys/jwks.json
token=$("$token_tool" sign "$keys/private.json" you editor admin) || exit 1
editor_token=$("$token_tool" sign "$keys/private.json" ed editor) || exit 1
export LIBRARY_JWKS_FILE token editor_token
# The CORS examples' allowed origin.
export LIBRARY_CORS_ORIGINS=https://app.example.com
"$srcdir/scripts/http-stack" exec -- \
	python3 "$srcdir/tests/docs/doc_examples.py" "$srcdir/docs/http-api.md"
