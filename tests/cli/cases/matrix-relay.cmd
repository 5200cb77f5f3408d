COLUMNS=80 $RG matrix --cap tailscale.com/cap/relay -i examples/inventory.json examples/policy.hujson
