$RG lint -f gcc --no-pragmas policies/good/unused-suppression.hujson
