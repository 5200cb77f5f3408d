$RG test --inventory examples/inventory.json tests/cli/data/tests-fail.hujson
