printf "{\"a\": 1\n  \"b\": 2}" | $RG hujson -
