#!/usr/bin/env bash
# Where this checkout's installed copy lives: outside the checkout (ansible-test would list the files
# with git and find them ignored), one per checkout so a CI clone never shares a dev copy.
top=$(cd "$(dirname "$0")/../.." && pwd)
echo "${TMPDIR:-/var/tmp}/mailauth-rollout-$(printf '%s' "$top" | md5sum | cut -c1-10)/collections"
