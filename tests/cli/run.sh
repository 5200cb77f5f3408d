#!/usr/bin/env bash
# Data-driven CLI tests. Each case is tests/cli/cases/NAME.cmd, a shell
# snippet run from the repository root with $RG (build/relaygate), $RGD
# (build/relaygated), $BUILD and $TMP (a fresh directory) set; beside it:
#   NAME.exit  expected exit status (default 0)
#   NAME.out   expected stdout (optional; compared byte for byte)
#   NAME.err   expected stderr (optional)
# UPDATE=1 rewrites .out/.err/.exit from the actual results (review the diff).
# Usage: tests/cli/run.sh BUILD_DIR [NAME-REGEX]
set -u
build=${1:-build}
filter=${2:-}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
export RG="$root/$build/relaygate" RGD="$root/$build/relaygated" BUILD="$root/$build"
export NO_COLOR=1 LC_ALL=C
pass=0; fail=0
for cmd in tests/cli/cases/*.cmd; do
  name=${cmd%.cmd}
  base=$(basename "$name")
  if [ -n "$filter" ] && ! [[ $base =~ $filter ]]; then continue; fi
  TMP=$(mktemp -d); export TMP
  bash "$cmd" >"$TMP/.stdout" 2>"$TMP/.stderr"; rc=$?
  want_rc=0; [ -f "$name.exit" ] && want_rc=$(cat "$name.exit")
  ok=1; why=""
  if [ "${UPDATE:-}" = 1 ]; then
    echo "$rc" >"$name.exit"
    [ -f "$name.out" ] || [ -s "$TMP/.stdout" ] && cp "$TMP/.stdout" "$name.out"
    [ -f "$name.err" ] && cp "$TMP/.stderr" "$name.err"
  else
    if [ "$rc" != "$want_rc" ]; then ok=0; why="exit $rc, want $want_rc"; fi
    if [ -f "$name.out" ] && ! cmp -s "$name.out" "$TMP/.stdout"; then
      ok=0; why="$why stdout differs"
      diff -u "$name.out" "$TMP/.stdout" | head -30
    fi
    if [ -f "$name.err" ] && ! cmp -s "$name.err" "$TMP/.stderr"; then
      ok=0; why="$why stderr differs"
      diff -u "$name.err" "$TMP/.stderr" | head -30
    fi
  fi
  if [ $ok = 1 ]; then pass=$((pass+1)); else
    fail=$((fail+1)); echo "FAIL $base:$why"
    [ -f "$name.err" ] || head -c 2000 "$TMP/.stderr"
  fi
  rm -rf "$TMP"
done
echo "cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
