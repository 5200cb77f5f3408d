$RG --version
