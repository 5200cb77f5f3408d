COLUMNS=80 $RG matrix --inventory examples/inventory.json examples/policy.hujson
