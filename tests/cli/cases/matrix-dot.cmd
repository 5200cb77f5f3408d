$RG matrix --format dot -i examples/inventory.json examples/policy.hujson
