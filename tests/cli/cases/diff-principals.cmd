$RG diff examples/policy.hujson tests/cli/data/policy-more.hujson
