#!/usr/bin/env bash
# make run: the main job on the bundled example policy.
set -eu
build=${1:-build}
rg="$build/relaygate"
echo "== relaygate hujson examples/policy.hujson (syntax)"
"$rg" hujson examples/policy.hujson >/dev/null && echo "ok: valid HuJSON"
echo "== relaygate lint --inventory examples/inventory.json examples/policy.hujson"
"$rg" lint -f human --inventory examples/inventory.json examples/policy.hujson && echo "ok: nothing at or above warning"
echo "== relaygate validate --inventory examples/inventory.json examples/policy.hujson"
"$rg" validate --inventory examples/inventory.json examples/policy.hujson
echo "== relaygate matrix --inventory examples/inventory.json examples/policy.hujson"
"$rg" matrix --inventory examples/inventory.json examples/policy.hujson
# The relay authorization table relaygated enforces, built from the same policy.
out="$build/example"
mkdir -p "$out"
echo "== relaygate compile examples/policy.hujson --inventory examples/inventory.json (relay table)"
"$rg" keygen sign -o "$out/sign.key" --force > "$out/sign.pub"
"$rg" compile examples/policy.hujson --inventory examples/inventory.json \
  --sign-key "$out/sign.key" -o "$out/relay.table"
"$rg" table show "$out/relay.table" | head -20
for n in app-vm-1 carol-laptop; do
  key=$(grep -A1 "\"name\": \"$n\"" examples/inventory.json | grep -o 'discokey:[0-9a-f]*')
  echo "== relaygate table query ... --relay relay-1 --key <$n's disco key>"
  # exit 1 means "denied": expected for carol-laptop, which holds no relay grant
  "$rg" table query "$out/relay.table" --trust "$out/sign.pub" --relay relay-1 --key "$key" || [ $? -eq 1 ]
done
