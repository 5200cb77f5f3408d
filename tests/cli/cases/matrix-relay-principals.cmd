COLUMNS=80 $RG matrix --cap tailscale.com/cap/relay -f csv examples/policy.hujson
