#!/bin/sh
# CORS through nginx (nginx/mongoalchemy.conf) and in headless Chromium,
# on a stack of its own.
exec "$(dirname "$0")/cors-stack.sh" nginx
