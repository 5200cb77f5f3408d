$RG filters --inventory examples/inventory.json tests/cli/data/reject-tag.hujson
