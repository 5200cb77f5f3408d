$RG validate tests/cli
