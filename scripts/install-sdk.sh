#!/usr/bin/env bash
# Installs what plugin authors build against beside the C headers, into an install tree (the Makefile's dist target):
#   share/wfhost/sdk/rust   the Rust binding crate wfhost-plugin (SDK/rust; std only, used by path)
#   share/wfhost/sdk/swift  the Swift package whose library product is WfhostPluginKit (SDK/swift, links resolved)
#   share/doc/wfhost/       the SDK guide, the workflow reference and the schema notes (scripts/install-docs.sh)
set -euo pipefail
dist=${1:?usage: install-sdk.sh DIST}
root="$(cd "$(dirname "$0")/.." && pwd)"
sdk="$dist/share/wfhost/sdk"
rm -rf "$sdk"
mkdir -p "$sdk/rust" "$sdk/swift"
cp -r "$root/SDK/rust/Cargo.toml" "$root/SDK/rust/src" "$sdk/rust/"
# -L: the package's include/ and sdk.c are links to SDK/include and SDK/src in the repository; the copy holds files.
(cd "$root/SDK/swift" && cp -rL Package.swift WfhostPluginSDK WfhostPluginKit "$sdk/swift/")
