$RG validate - < tests/cli/data/reject-tag.hujson
