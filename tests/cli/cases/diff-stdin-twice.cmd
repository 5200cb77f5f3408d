$RG diff - - </dev/null
