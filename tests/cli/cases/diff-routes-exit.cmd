$RG diff -f markdown -i tests/cli/data/routes-inventory.json tests/cli/data/routes-policy.hujson tests/cli/data/routes-no-internet.hujson
