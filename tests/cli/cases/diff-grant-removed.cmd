$RG diff -i examples/inventory.json examples/policy.hujson tests/cli/data/policy-less.hujson
