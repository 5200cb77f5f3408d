$RG lint -f sarif policies/bad/shadowed-rule.hujson ./policies/bad/syntax.hujson
