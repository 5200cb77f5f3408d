printf "{\"a\": [1, 2,], // c\n}\n" | $RG hujson -
