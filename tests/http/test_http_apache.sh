#!/bin/sh
# The HTTP suite through Apache (nginx/apache-mongoalchemy.conf).
exec "$(dirname "$0")/with-stack.sh" apache
