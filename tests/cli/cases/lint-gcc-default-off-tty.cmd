$RG lint policies/bad/syntax.hujson policies/bad/invalid.hujson policies/bad/legacy-acls.hujson
