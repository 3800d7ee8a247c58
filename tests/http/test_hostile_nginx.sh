#!/bin/sh
# The hostile-request suite through nginx (nginx/mongoalchemy.conf), on a
# stack of its own.
exec "$(dirname "$0")/with-stack.sh" nginx test_hostile
