$RG filters --inventory examples/inventory.json --node nobody examples/policy.hujson
