$RG rules
