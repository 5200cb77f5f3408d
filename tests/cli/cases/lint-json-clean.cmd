$RG lint -f json examples/policy.hujson
