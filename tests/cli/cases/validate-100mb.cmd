set -o pipefail; head -c 100000000 /dev/zero | tr "\0" " " > "$TMP/big.hujson" && $RG validate "$TMP/big.hujson" 2>&1 | sed "s|$TMP|TMP|"
