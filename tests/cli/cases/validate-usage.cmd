$RG validate --inventory examples/inventory.json
