#!/usr/bin/env bash
# relaygate lint end to end on the policy bench_lint generated (wall time,
# best of 3): what a pre-commit hook or a CI step waits for.
set -eu
build=${1:-build}
policy="$build/bench/lint-large.hujson"
[ -f "$policy" ] || { echo "lint_cli: $policy missing (bench_lint writes it)"; exit 0; }
mb=$(awk -v b="$(stat -c %s "$policy")" 'BEGIN { printf "%.1f", b / 1e6 }')
best() {
  local t b=999999 i s
  for i in 1 2 3; do
    s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; t=$(( ($(date +%s%N) - s) / 1000000 ))
    [ "$t" -lt "$b" ] && b=$t
  done
  echo "$b"
}
for cmd in "lint -f json" "lint -f sarif" "fmt --check" "validate"; do
  ms=$(best "$build/relaygate" $cmd "$policy")
  printf 'relaygate %-14s %s MB: %5d ms (%s MB/s)\n' "$cmd" "$mb" "$ms" \
    "$(awk -v m="$mb" -v t="$ms" 'BEGIN { printf "%.1f", m * 1000 / t }')"
done
ms=$(best "$build/relaygate" lint examples/policy.hujson)
printf 'relaygate lint examples/policy.hujson (%s bytes): %d ms\n' "$(stat -c %s examples/policy.hujson)" "$ms"
