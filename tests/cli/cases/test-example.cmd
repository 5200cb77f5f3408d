$RG test --inventory examples/inventory.json examples/policy.hujson
