$RG validate --inventory examples/inventory.json tests/cli/data/tests-fail.hujson
