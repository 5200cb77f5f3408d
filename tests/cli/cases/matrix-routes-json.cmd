$RG matrix -f json -i tests/cli/data/routes-inventory.json tests/cli/data/routes-policy.hujson
