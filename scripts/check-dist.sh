#!/usr/bin/env bash
# Checks the built install tree: relocatable, runs without a Swift toolchain's libraries, SDK header compiles
# strictly as C99 and C++17, pkg-config works, and the shipped plugins validate.
set -euo pipefail
dist=${1:-dist}
fail() { echo "check-dist: FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. Copy the tree elsewhere and run it with an empty environment (no Swift on PATH or LD_LIBRARY_PATH).
cp -r "$dist" "$tmp/relocated"
w="$tmp/relocated/bin/wfhost"
for bin in "$w" "$tmp/relocated/libexec/wfhost/wfhost-worker" "$tmp"/relocated/lib/wfhost/plugins/{core,chaos}.so; do
  if ldd "$bin" | grep -q 'libswift\|libFoundation\|/opt/swift'; then fail "$bin needs the Swift toolchain's libraries"; fi
done
out=$(env -i HOME="$tmp" "$w" --version) || fail "--version failed in the relocated tree"
echo "$out" | grep -q "plugin ABI 1.0" || fail "--version does not name the plugin ABI: $out"
list=$(env -i HOME="$tmp" WFHOST_STATE_DIR="$tmp/state" "$w" plugins list) || fail "plugins list failed"
echo "$list" | grep -q '^core .*ok.*echo, shell, write_file, read_file, checksum, add' || fail "core missing: $list"
echo "$list" | grep -q '^chaos .*ok.*segfault' || fail "chaos missing: $list"
env -i HOME="$tmp" "$w" plugins validate "$tmp/relocated/lib/wfhost/plugins" >/dev/null || fail "shipped plugins do not validate"

# 2. The SDK header is strict C99 and C++17, found through the installed pkg-config file.
export PKG_CONFIG_PATH="$tmp/relocated/lib/pkgconfig"
cflags=$(pkg-config --cflags wfhost-plugin)
cat > "$tmp/p.c" <<'C'
#include <wfhost/plugin.h>
static wfh_status hello(const wfh_host *host, wfh_call *call, const wfh_request *request) {
    (void)request;
    return wfh_result(host, call, "{\"greeting\":\"hello\"}") == 0 ? WFH_OK : WFH_FAILED;
}
static const wfh_tool tools[] = {
    WFH_TOOL("hello", "Say hello", "Returns a greeting.", "{\"type\":\"object\"}", NULL, WFH_TOOL_IDEMPOTENT, hello),
};
WFH_PLUGIN_DEFINE("hello", "1.0.0", "Greets.", "MIT", "Example author", NULL, tools)
C
cc -std=c99 -Wall -Wextra -pedantic -Werror $cflags -shared -fPIC "$tmp/p.c" -o "$tmp/hello.so" || fail "header is not clean C99"
cp "$tmp/p.c" "$tmp/p.cpp"
c++ -std=c++17 -Wall -Wextra -Werror $cflags -shared -fPIC "$tmp/p.cpp" -o "$tmp/hello_cpp.so" || fail "header is not clean C++17"
for so in hello.so hello_cpp.so; do
  env -i HOME="$tmp" "$w" plugins validate "$tmp/$so" >/dev/null || fail "the SDK example plugin $so does not validate"
done
echo "check-dist: ok ($dist relocated to $tmp/relocated; header clean as C99 and C++17)"
