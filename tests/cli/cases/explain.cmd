$RG explain RG201 && $RG explain unused-suppression | head -3
