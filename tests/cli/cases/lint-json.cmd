$RG lint -f json policies/good/unused-suppression.hujson policies/bad/relay-broad-src.hujson policies/bad/legacy-acls.hujson
