$RG validate examples/policy.hujson
