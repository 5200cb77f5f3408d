#!/usr/bin/env bash
# The whole relay path on one machine, on loopback: keys, a real inventory,
# the signed table, relaygated enforcing it, and relaygate probe as the two
# clients - once for an allowed pair (app-vm-1 and app-vm-2) and once for a
# node the policy does not let allocate (carol-laptop).
#
# examples/inventory.json carries placeholder disco keys (1111..., 7777...);
# a working relay needs real ones, generated here with 'relaygate keygen disco'
# and written into a copy of the inventory.
#
# Usage: examples/relay-demo.sh [BUILD_DIR] (default build); PORT is the UDP
# port on 127.0.0.1 and METRICS the metrics one (default 0 for both: the
# kernel picks free ports and the script reads them from relaygated's log).
set -euo pipefail
build=${1:-build}
port=${PORT:-0}
metrics=${METRICS:-0}
rg=$build/relaygate
rgd=$build/relaygated
dir=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT

# Keys: the table signer, the relay, and the nodes the probe plays.
"$rg" keygen sign -o "$dir/sign.key" >"$dir/sign.pub"
declare -A pub
for n in relay-1 app-vm-1 app-vm-2 carol-laptop; do
  pub[$n]=$("$rg" keygen disco -o "$dir/$n.key")
done

# The example inventory with those keys in place of the placeholders.
python3 - "$dir" "${pub[relay-1]}" "${pub[app-vm-1]}" "${pub[app-vm-2]}" \
  "${pub[carol-laptop]}" <<'EOF'
import json, sys
d, relay, vm1, vm2, carol = sys.argv[1:]
inv = json.load(open("examples/inventory.json"))
keys = {"relay-1": relay, "app-vm-1": vm1, "app-vm-2": vm2, "carol-laptop": carol}
for node in inv["nodes"]:
    node["disco_key"] = keys.get(node["name"])
json.dump(inv, open(d + "/inventory.json", "w"), indent=1)
EOF

echo "== compile the table"
"$rg" compile examples/policy.hujson --inventory "$dir/inventory.json" \
  --sign-key "$dir/sign.key" -o "$dir/relay.table"

echo "== start relaygated on 127.0.0.1:$port"
"$rgd" --listen "127.0.0.1:$port" --key "$dir/relay-1.key" --table "$dir/relay.table" \
  --trust "$dir/sign.pub" --relay relay-1 --metrics "127.0.0.1:$metrics" --sockets 1 \
  2>"$dir/relaygated.log" &
pid=$!
for _ in $(seq 50); do
  grep -q 'msg=ready' "$dir/relaygated.log" && break
  kill -0 "$pid" 2>/dev/null || { cat "$dir/relaygated.log" >&2; exit 1; }
  sleep 0.1
done
# The address it bound (the port the kernel chose for port 0).
relay=$(sed -n 's/.*msg=listening .*addr=\(127\.0\.0\.1:[0-9]*\).*/\1/p' "$dir/relaygated.log" | head -n 1)
[ -n "$relay" ] || { cat "$dir/relaygated.log" >&2; exit 1; }
echo "relaygated is listening on $relay"

echo "== probe: app-vm-1 and app-vm-2 (allowed)"
"$rg" probe --relay "$relay" --relay-key "${pub[relay-1]}" \
  --key "$dir/app-vm-1.key" --peer-key "$dir/app-vm-2.key" --count 3

echo "== probe: carol-laptop and app-vm-2 (carol may not allocate)"
rc=0
"$rg" probe --relay "$relay" --relay-key "${pub[relay-1]}" \
  --key "$dir/carol-laptop.key" --peer-key "$dir/app-vm-2.key" --timeout 0.5 || rc=$?
echo "probe exit status $rc (1: the relay refused)"
[ "$rc" -eq 1 ]
