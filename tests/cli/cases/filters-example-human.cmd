$RG filters --inventory examples/inventory.json --format human examples/policy.hujson
