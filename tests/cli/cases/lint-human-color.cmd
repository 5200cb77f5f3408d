$RG lint --color always -f human policies/bad/relay-with-ip.hujson
