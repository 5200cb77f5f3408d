COLUMNS=80 $RG matrix --aggregate always -i examples/inventory.json examples/policy.hujson
