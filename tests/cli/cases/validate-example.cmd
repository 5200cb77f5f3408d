$RG validate --inventory examples/inventory.json examples/policy.hujson
