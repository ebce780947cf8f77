#!/usr/bin/env bash
# `make test`: sanity, units, integration and lint over a copy of the collection at
# <build dir>/ansible_collections/mailauth/rollout (ansible-test needs that path, no symlink, outside git).
# Every suite runs even when an earlier one failed; the exit status is non-zero if any failed.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
export PATH="$top/.venv/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH=$(tests/utils/build_dir.sh)
coll="$ANSIBLE_COLLECTIONS_PATH/ansible_collections/mailauth/rollout"
py=$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
start=$(date +%s)

tests/utils/install_debs.sh || exit 1
tests/utils/install_collection.sh "$ANSIBLE_COLLECTIONS_PATH" || exit 1

# ansible-test bootstraps pip in its sanity venvs with a script it downloads; hand it the stand-in.
pipver=$(python -c 'from ansible_test._internal.python_requirements import get_venv_packages as g; print(g(type("P", (), {"version": "x"})())["pip"])')
mkdir -p "$HOME/.ansible/test/cache"
cp tests/utils/get_pip_standin.py "$HOME/.ansible/test/cache/get_pip_${pipver//./_}.py"

passed=0; failed=0; failures=()
suite() {
  local name=$1; shift
  echo "=== $name: $*"
  if (cd "$coll" && "$@"); then passed=$((passed + 1)); echo "=== $name: ok"
  else failed=$((failed + 1)); failures+=("$name"); echo "=== $name: FAILED"; fi
}

suite sanity ansible-test sanity --local --python "$py" --color no
suite units ansible-test units --local --python "$py" --color no
suite integration tests/utils/integration.sh "$py"
lint_paths=(); for p in roles playbooks; do [ -n "$(ls -A "$coll/$p" 2>/dev/null)" ] && lint_paths+=("$p"); done
suite lint ansible-lint --offline -q "${lint_paths[@]}"
suite changelog antsibull-changelog lint

echo "=== took $(( $(date +%s) - start )) s"
[ $failed -gt 0 ] && echo "failed suites: ${failures[*]}"
echo "suites: $passed passed, $failed failed"
[ $failed -eq 0 ]
