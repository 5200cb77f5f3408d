COLUMNS=100 $RG matrix tests/cli/data/routes-policy.hujson
