#!/bin/sh
# Access control through nginx (nginx/mongoalchemy.conf), on a stack of
# its own.
exec "$(dirname "$0")/access-stack.sh" nginx
