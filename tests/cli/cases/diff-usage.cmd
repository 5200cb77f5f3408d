$RG diff examples/policy.hujson
