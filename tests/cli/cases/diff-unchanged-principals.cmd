$RG diff examples/policy.hujson tests/cli/data/policy-same.hujson
