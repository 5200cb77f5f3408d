$RG validate --inventory tests/cli/data/bad-inventory.json examples/policy.hujson
