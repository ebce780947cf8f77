#!/usr/bin/env bash
# Integration targets against real servers: start them on loopback, hand their endpoints to the
# targets through tests/integration/integration_config.yml (ansible-test strips the environment),
# run every target, and stop the servers whatever happens.
set -uo pipefail
py=${1:-3.11}
here=$(cd "$(dirname "$0")" && pwd)
run=$(mktemp -d /var/tmp/mailauth-it.XXXXXX)
chmod 0755 "$run"
trap 'python "$here/services.py" stop --run "$run" >/dev/null 2>&1; rm -rf "$run"' EXIT
python "$here/services.py" start --run "$run" --config tests/integration/integration_config.yml || exit 1
ansible-test integration --local --python "$py" --color no
