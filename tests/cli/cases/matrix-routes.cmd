COLUMNS=100 $RG matrix -i tests/cli/data/routes-inventory.json tests/cli/data/routes-policy.hujson
