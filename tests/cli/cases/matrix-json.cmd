$RG matrix -f json -i examples/inventory.json examples/policy.hujson
