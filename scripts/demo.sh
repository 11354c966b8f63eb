#!/usr/bin/env bash
# The demo: the main job as it exists today, run from the built install tree.
set -euo pipefail
dist=${1:-dist}
root=$(cd "$(dirname "$0")/.." && pwd)
state=$(mktemp -d)
trap 'rm -rf "$state"' EXIT
w="$dist/bin/wfhost"
export WFHOST_STATE_DIR="$state"
echo "== $($w --version)"
echo "== wfhost plugins list"
"$w" plugins list
echo "== wfhost validate examples/hello.yaml"
"$w" validate "$root/examples/hello.yaml"
echo "== wfhost run examples/hello.yaml"
"$w" run "$root/examples/hello.yaml" --var name=demo
echo "== wfhost call chaos.segfault (a crashing tool costs one call, never the host)"
"$w" call chaos.segfault || echo "(exit $?, as expected)"
echo "== state kept in $state (removed on exit)"
