#!/bin/sh
# The HTTP suite through nginx (nginx/mongoalchemy.conf).
exec "$(dirname "$0")/with-stack.sh" nginx
