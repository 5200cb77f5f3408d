$RG diff tests/cli/data/routes-policy.hujson tests/cli/data/routes-no-via.hujson
