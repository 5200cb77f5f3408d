$RG matrix tests/cli/data/policy-invalid.hujson
