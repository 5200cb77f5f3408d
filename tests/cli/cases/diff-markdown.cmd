$RG diff -f markdown examples/policy.hujson tests/cli/data/policy-less.hujson
