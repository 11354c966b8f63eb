#!/usr/bin/env bash
# Generates the manual pages of an install tree with swift-argument-parser's generate-manual tool, from the tree's
# own bin/wfhost (its --experimental-dump-help): share/man/man1/wfhost.1 holds every command on one page, and
# wfhost-COMMAND.1 (git's naming: `man wfhost-run`) one page per subcommand.
# Usage: scripts/make-manual.sh DIST GENERATE_MANUAL
set -euo pipefail
dist=$1
generator=$2
out="$dist/share/man/man1"
# The page's date is the last commit's (reproducible builds), or today outside a git checkout.
date=$(git log -1 --format=%cs 2>/dev/null || date +%F)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out" "$tmp/single" "$tmp/multi"
"$generator" "$dist/bin/wfhost" --date "$date" --authors "the wfhost authors" --output-directory "$tmp/single"
"$generator" "$dist/bin/wfhost" --date "$date" --authors "the wfhost authors" --multi-page --output-directory "$tmp/multi"
install -m 644 "$tmp/single/wfhost.1" "$out/wfhost.1"
for page in "$tmp"/multi/wfhost.*.1; do
  name=$(basename "$page" .1)          # wfhost.plugins.list
  # wfhost-plugins-list.1, its title line (.Dt) named the same way
  sed '/^\.Dt /{s/\./-/g; s/^-Dt/.Dt/;}' "$page" > "$out/${name//./-}.1"
done
