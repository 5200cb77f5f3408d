#!/usr/bin/env bash
# The lint corpus: policies/bad/<slug>.hujson and policies/good/<slug>.hujson
# for every rule of the registry (relaygate rules --format json).
#   bad:  lint -f gcc output equals <slug>.expected, the rule is among the
#         findings, and the exit status is 1 exactly when a finding is at or
#         above warning;
#   good: no output at all, exit 0.
# <slug>.args holds extra lint arguments (e.g. --inventory, --config).
# Usage: tests/lint/corpus.sh BUILD_DIR    (UPDATE=1 rewrites the .expected files)
set -u
build=${1:-build}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
rg="$root/$build/relaygate"
export NO_COLOR=1 LC_ALL=C
unset RELAYGATE_FORMAT RELAYGATE_FAIL_ON RELAYGATE_IGNORE RELAYGATE_SEVERITY RELAYGATE_NO_PRAGMAS \
      RELAYGATE_RELAY_MAX_GROUP_SIZE RELAYGATE_CONFIG
pass=0; fail=0
bad() { echo "FAIL $1"; fail=$((fail+1)); }

run() { # file -> stdout in $out, status in $rc
  local args=()
  [ -f "${1%.hujson}.args" ] && read -r -a args <"${1%.hujson}.args"
  out=$("$rg" lint -f gcc "${args[@]}" "$1" 2>&1); rc=$?
}

slugs=$("$rg" rules --format json | sed -n 's/.*"name": "\([^"]*\)".*/\1/p')
[ -n "$slugs" ] || { echo "corpus: cannot list the rules"; exit 2; }
for slug in $slugs; do
  id=$("$rg" rules --format json | grep "\"name\": \"$slug\"" | sed 's/.*"id": "\([^"]*\)".*/\1/')
  for kind in bad good; do
    [ -f "policies/$kind/$slug.hujson" ] || bad "policies/$kind/$slug.hujson is missing ($id)"
  done
  f=policies/bad/$slug.hujson
  [ -f "$f" ] || continue
  run "$f"
  want_rc=0
  if grep -qE ': (error|warning): ' <<<"$out"; then want_rc=1; fi
  if [ "${UPDATE:-}" = 1 ]; then printf '%s\n' "$out" >"${f%.hujson}.expected"; fi
  if ! grep -qF "[$id $slug]" <<<"$out"; then bad "$f does not report $id $slug"
  elif [ "$rc" != "$want_rc" ]; then bad "$f: exit $rc, want $want_rc"
  elif ! diff -u "${f%.hujson}.expected" <(printf '%s\n' "$out"); then bad "$f: output differs"
  else pass=$((pass+1)); fi
done
for f in policies/good/*.hujson; do
  run "$f"
  if [ "$rc" != 0 ] || [ -n "$out" ]; then bad "$f is not clean (exit $rc)"; printf '%s\n' "$out"
  else pass=$((pass+1)); fi
done
for f in policies/bad/*.hujson; do
  [ -f "${f%.hujson}.expected" ] || bad "$f has no .expected"
done
echo "corpus: $pass passed, $fail failed"
[ $fail -eq 0 ]
