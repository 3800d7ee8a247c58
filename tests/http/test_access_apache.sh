#!/bin/sh
# Access control through Apache (nginx/apache-mongoalchemy.conf), on a
# stack of its own.
exec "$(dirname "$0")/access-stack.sh" apache
