head -c 4096 /bin/sh | $RG validate -
