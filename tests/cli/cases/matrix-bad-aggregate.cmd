$RG matrix --aggregate sometimes examples/policy.hujson
