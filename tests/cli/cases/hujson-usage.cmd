$RG hujson a b
