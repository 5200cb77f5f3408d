$RG filters --inventory examples/inventory.json --node relay-1 examples/policy.hujson
