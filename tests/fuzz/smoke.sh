#!/usr/bin/env bash
# make fuzz-smoke: every fuzz target for a bounded time on its committed seed
# corpus (tests/fuzz/corpus/<name>/, read-only) plus a scratch corpus.
# Any crash, leak, sanitizer report or failed property fails the run; the
# reproducer is kept under build/fuzz/crashes/.
set -u
build=${1:-build}
seconds=${2:-15}
fail=0
mkdir -p "$build/fuzz/crashes"
for bin in "$build"/fuzz/fuzz_*; do
  [ -x "$bin" ] && [ -f "$bin" ] || continue
  case "$bin" in *.d) continue ;; esac
  name=$(basename "$bin")
  seeds="tests/fuzz/corpus/${name#fuzz_}"
  scratch=$(mktemp -d)
  [ -d "$seeds" ] || seeds=$scratch
  out=$("$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="$build/fuzz/crashes/$name-" -print_final_stats=1 \
        "$scratch" "$seeds" 2>&1)
  rc=$?
  execs=$(printf '%s\n' "$out" | sed -n 's/^stat::number_of_executed_units: *//p')
  if [ $rc -ne 0 ]; then
    fail=1
    echo "FAIL $name (exit $rc)"
    printf '%s\n' "$out" | grep -E 'ERROR|SUMMARY|panic|abort|Test unit written' | head -20
  else
    echo "ok   $name: ${execs:-?} runs in ${seconds}s"
  fi
  rm -rf "$scratch"
done
[ $fail -eq 0 ]
