#!/usr/bin/env bash
# Builds the WorkflowHost DocC catalog (Sources/WorkflowHost/WorkflowHost.docc) with the toolchain's docc, from
# symbol graphs of a build of its own (.build/docs, so the test build's flags stay untouched), and fails on any
# warning: a broken symbol link, an undocumented parameter, an ambiguous article name.
# Usage: scripts/check-docs.sh [SWIFT]   (prints where the archive is)
set -euo pipefail
swift=${1:-swift}
root=$(cd "$(dirname "$0")/.." && pwd)
docc="$(dirname "$(command -v "$swift")")/docc"
[ -x "$docc" ] || { echo "check-docs: skipped: no docc beside $swift" >&2; exit 0; }
graphs="$root/.build/docs/symbol-graphs"
rm -rf "$graphs" && mkdir -p "$graphs/WorkflowHost"
"$swift" build --package-path "$root" --scratch-path "$root/.build/docs" --target WorkflowHost \
  -Xswiftc -emit-symbol-graph -Xswiftc -emit-symbol-graph-dir -Xswiftc "$graphs"
cp "$graphs"/WorkflowHost*.symbols.json "$graphs/WorkflowHost/"
"$docc" convert "$root/Sources/WorkflowHost/WorkflowHost.docc" --additional-symbol-graph-dir "$graphs/WorkflowHost" \
  --output-path "$root/.build/docs/WorkflowHost.doccarchive" --fallback-display-name WorkflowHost \
  --fallback-bundle-identifier dev.wfhost.WorkflowHost --analyze --warnings-as-errors
echo "check-docs: ok (.build/docs/WorkflowHost.doccarchive)"
