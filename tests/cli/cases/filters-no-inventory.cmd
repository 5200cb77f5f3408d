$RG filters examples/policy.hujson
