$RG explain RG999
