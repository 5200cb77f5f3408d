printf "" | $RG validate -
