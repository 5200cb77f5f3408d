$RG rules --format json
