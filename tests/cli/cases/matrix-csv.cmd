$RG matrix -f csv -i examples/inventory.json examples/policy.hujson
