#!/bin/sh
# CORS through Apache (nginx/apache-mongoalchemy.conf), on a stack of its
# own.
exec "$(dirname "$0")/cors-stack.sh" apache
