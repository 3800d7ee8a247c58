#!/bin/sh
# Health, readiness, request ids, the request log and the metrics
# (tests/http/test_ops) through nginx (nginx/mongoalchemy.conf), on a
# stack of its own: it kills a worker and counts requests.
exec "$(dirname "$0")/with-stack.sh" nginx test_ops
