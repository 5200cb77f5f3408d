$RG matrix -f xml examples/policy.hujson
