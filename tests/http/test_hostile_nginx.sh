#!/bin/sh
# The hostile-request suite through nginx (nginx/mongoalchemy.conf), on a
# stack of its own. Its workers keep no request log: the suite checks
# that they write nothing at all. Pages of https://app.example.com may call
# it (CORS), for the suite's hostile Origin headers.
LIBRARY_CORS_ORIGINS=https://app.example.com MA_STACK_WORKER_ARGS=--no-access-log exec "$(dirname "$0")/with-stack.sh" nginx test_hostile
