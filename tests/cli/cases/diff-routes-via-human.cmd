$RG diff -i tests/cli/data/routes-inventory.json tests/cli/data/routes-no-via.hujson tests/cli/data/routes-policy.hujson
