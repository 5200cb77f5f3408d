$RG matrix --limit 2 -f markdown -i examples/inventory.json examples/policy.hujson
