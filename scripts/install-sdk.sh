#!/usr/bin/env bash
# Installs what plugin authors build against beside the C headers, into an install tree (the Makefile's dist target):
#   share/wfhost/sdk/rust   the Rust binding crate wfhost-plugin (SDK/rust; std only, used by path)
#   share/wfhost/sdk/swift  the Swift package whose library product is WfhostPluginKit (SDK/swift, links resolved)
#   share/doc/wfhost/       the SDK guide, the workflow reference, the schema notes and the README
set -euo pipefail
dist=${1:?usage: install-sdk.sh DIST}
mkdir -p "$dist" && dist="$(cd "$dist" && pwd)"
root="$(cd "$(dirname "$0")/.." && pwd)"
sdk="$dist/share/wfhost/sdk"
rm -rf "$sdk"
mkdir -p "$sdk/rust" "$sdk/swift"
cp -r "$root/SDK/rust/Cargo.toml" "$root/SDK/rust/src" "$sdk/rust/"
# -L: the package's include/ and sdk.c are links to SDK/include and SDK/src in the repository; the copy holds files.
(cd "$root/SDK/swift" && cp -rL Package.swift WfhostPluginSDK WfhostPluginKit "$sdk/swift/")

# The documentation, assembled from the repository's guides (each keeps its own text; nothing is generated):
doc="$dist/share/doc/wfhost"
rm -rf "$doc"
mkdir -p "$doc"
install -m 644 "$root/SDK/README.md" "$doc/SDK.md"                            # writing, building, validating plugins
install -m 644 "$root/Sources/Spec/Spec.docc/Spec.md" "$doc/workflow-reference.md" # the workflow file format
install -m 644 "$root/Sources/Schema/Schema.docc/Schema.md" "$doc/schema.md"   # the JSON Schema dialect
install -m 644 "$root/README.md" "$doc/README.md"                              # commands, isolation, the sandbox
cat > "$doc/index.md" <<'INDEX'
# wfhost documentation

- [README.md](README.md): what wfhost is, its commands, isolation modes, failure classes and the sandbox.
- [workflow-reference.md](workflow-reference.md): the workflow file format (stages, variables, conditions,
  retries, error routes, the session context).
- [SDK.md](SDK.md): writing plugins in C, C++, Rust and Swift (`wfhost plugins new`), building, bundling
  dependencies, validating, examples and `wfhost plugins test`, debugging (`wfhost plugins debug`) and trusted
  plugins (`wfhost plugins trust`).
- [schema.md](schema.md): the JSON Schema dialect of tool input and output schemas.

The plugin SDK itself is in `include/wfhost/` (C headers), `lib/pkgconfig/wfhost-plugin.pc`,
`share/wfhost/sdk/rust` (the Rust binding crate) and `share/wfhost/sdk/swift` (the WfhostPluginKit package).
INDEX
