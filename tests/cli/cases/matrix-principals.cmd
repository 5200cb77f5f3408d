COLUMNS=100 $RG matrix examples/policy.hujson
