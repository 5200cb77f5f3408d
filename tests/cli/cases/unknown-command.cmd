$RG nosuchcommand
