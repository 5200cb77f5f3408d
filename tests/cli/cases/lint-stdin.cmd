cat policies/bad/relay-with-ip.hujson | $RG lint -f gcc --stdin-filename relay.hujson -
