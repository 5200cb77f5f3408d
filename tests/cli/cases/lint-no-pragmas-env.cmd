RELAYGATE_NO_PRAGMAS=1 $RG lint -f gcc policies/good/unused-suppression.hujson
