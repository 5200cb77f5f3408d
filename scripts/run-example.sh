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
