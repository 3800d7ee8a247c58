#!/bin/sh
# tests/http/test_ops through Apache httpd (nginx/apache-mongoalchemy.conf),
# on a stack of its own.
exec "$(dirname "$0")/with-stack.sh" apache test_ops
