$RG test examples/policy.hujson
