$RG matrix --width 40 --inventory examples/inventory.json examples/policy.hujson
