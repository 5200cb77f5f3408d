$RG validate --inventory examples/inventory.json tests/cli/data/reject-many.hujson
