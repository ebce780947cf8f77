#!/usr/bin/env bash
# Copy the checkout to <dest>/ansible_collections/mailauth/rollout: ansible-test refuses a symlink,
# and ansible-playbook then finds the collection through ANSIBLE_COLLECTIONS_PATH=<dest>.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
dest=${1:?usage: install_collection.sh DEST}
target="$dest/ansible_collections/mailauth/rollout"
mkdir -p "$target"
# tar instead of rsync: rsync is not on a fresh machine. Stale files are removed first.
find "$target" -mindepth 1 -maxdepth 1 ! -name tests -exec rm -rf {} +
rm -rf "$target/tests"
(cd "$top" && tar --exclude=./.git --exclude=./.venv --exclude=./.demo \
   --exclude=./tests/output --exclude='__pycache__' --exclude='*.pyc' --exclude='.hypothesis' --exclude='.pytest_cache' --exclude=./named.run -cf - .) | (cd "$target" && tar -xf -)
