# compile: missing options, a public key given as the signing key.
. tests/cli/data/table-setup.sh
$RG compile $D/table-policy.hujson -o "$TMP/x"; echo "exit $?"
$RG compile $D/table-policy.hujson --inventory $D/table-inventory.json --sign-key "$TMP/sign.pub" -o "$TMP/x" 2>&1 | sed "s|$TMP|TMP|"; echo "exit ${PIPESTATUS[0]}"
$RG compile $D/table-policy.hujson --inventory $D/table-inventory.json --sign-key "$TMP/sign.key" --serial -3 -o "$TMP/x"; echo "exit $?"
