#!/bin/sh
# The hostile-request suite through nginx (nginx/mongoalchemy.conf), on a
# stack of its own. Its workers keep no request log: the suite checks
# that they write nothing at all.
MA_STACK_WORKER_ARGS=--no-access-log exec "$(dirname "$0")/with-stack.sh" nginx test_hostile
