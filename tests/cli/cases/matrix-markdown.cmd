$RG matrix -f markdown -i examples/inventory.json examples/policy.hujson
