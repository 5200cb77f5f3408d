$RG diff -f json -i examples/inventory.json tests/cli/data/policy-less.hujson tests/cli/data/policy-more.hujson
