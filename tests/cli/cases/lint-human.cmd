$RG lint -f human policies/bad/relay-wildcard-src.hujson policies/bad/unused-host.hujson policies/good/unused-suppression.hujson
