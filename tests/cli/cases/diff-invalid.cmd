$RG diff examples/policy.hujson tests/cli/data/policy-invalid.hujson
