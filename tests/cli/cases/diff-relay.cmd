$RG diff --cap tailscale.com/cap/relay -i examples/inventory.json examples/policy.hujson tests/cli/data/policy-less.hujson
