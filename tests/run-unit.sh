#!/usr/bin/env bash
# Runs each cmocka test binary given as an argument; fails if any fails.
# A binary exiting 77 is a skip (automake convention).
set -u
fail=0; pass=0; skip=0
for t in "$@"; do
  out=$("$t" 2>&1); rc=$?
  if [ $rc -eq 0 ]; then
    pass=$((pass+1))
  elif [ $rc -eq 77 ]; then
    skip=$((skip+1)); echo "SKIP $t"
  else
    fail=$((fail+1)); echo "FAIL $t (exit $rc)"; echo "$out" | tail -40
  fi
done
echo "unit: $pass passed, $fail failed, $skip skipped ($(basename "$(dirname "${1:-x}")"))"
[ $fail -eq 0 ]
