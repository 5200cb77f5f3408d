COLUMNS=120 $RG matrix -i examples/inventory.json examples/policy.hujson
