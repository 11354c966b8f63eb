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
echo "== wfhost workflows list"
"$w" workflows list
# development-workflow on a copy of examples/sample-app (the workflow writes a Dockerfile and manifests into it).
# The copy is kept so that the results can be read; the image build runs only when a usable container CLI is there.
results=$(mktemp -d "${TMPDIR:-/tmp}/wfhost-demo.XXXXXX")
cp -r "$root/examples/sample-app" "$results/sample-app"
echo "== wfhost run development-workflow --var repo_url=$results/sample-app"
"$w" run development-workflow --var repo_url="$results/sample-app" --json --junit "$results/junit.xml" > "$results/result.json"
session=$(sed -n 's/^ *"session_id": "\(.*\)",*$/\1/p;T;q' "$results/result.json")
echo "== wfhost status $session"
"$w" status "$session"
echo "== external tools: $(sed -n 's/^ *"summary": "\(.*\)",*$/\1/p' "$results/result.json")"
echo "== results in $results:"
echo "   sample-app/Dockerfile            generated, then validated (findings: stage validate_dockerfile in result.json)"
echo "   sample-app/k8s/deployment.yaml   Kubernetes Deployment"
echo "   sample-app/k8s/service.yaml      Kubernetes Service"
echo "   result.json                      every stage's status and output (analysis, validation, secret scan, ...)"
echo "   junit.xml                        a test case per stage"
echo "== state kept in $state (removed on exit)"
