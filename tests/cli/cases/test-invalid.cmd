$RG test --inventory examples/inventory.json tests/cli/data/reject-tag.hujson
