#!/usr/bin/env bash
# Prepares the Python virtual environments the tests drive real clients from (Tests/Support/PythonVenv.swift holds
# the same package sets), in .build/test-venvs/NAME, before `swift test` starts: a pip install inside a test would
# hold a thread of Swift's cooperative pool for a minute. Best effort: a venv that cannot be made here is made, or
# its tests skipped saying why, by the tests themselves.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
make_venv() {
  local name=$1 probe=$2; shift 2
  local dir="$root/.build/test-venvs/$name"
  if "$dir/bin/python" -c "$probe" 2>/dev/null; then return; fi
  rm -rf "$dir"
  if python3 -m venv "$dir" && "$dir/bin/python" -m pip install --disable-pip-version-check --quiet "$@"; then
    echo "test-venvs: $name ready ($*)"
  else
    echo "test-venvs: could not prepare $name ($*); its tests will try again or skip" >&2
  fi
}
make_venv mcp "import mcp" "mcp>=2,<3"
make_venv junit "import junitparser, xmlschema" junitparser xmlschema
