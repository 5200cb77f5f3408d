#!/usr/bin/env bash
# make rule-docs: docs/rules/<ID>.md and docs/rules/README.md from the rule
# registry (relaygate explain / relaygate rules --format markdown).
# tests/lint/test_lint.py fails when the committed pages differ.
set -eu
build=${1:-build}
out=${2:-docs/rules}
rg="$build/relaygate"
mkdir -p "$out"
rm -f "$out"/RG[0-9][0-9][0-9].md
for id in $("$rg" rules | awk '{print $1}'); do
  "$rg" explain "$id" >"$out/$id.md"
done
"$rg" rules --format markdown >"$out/README.md"
echo "rule-docs: $(ls "$out"/RG*.md | wc -l) pages in $out"
