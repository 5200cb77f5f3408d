# Sourced by the table CLI cases: fixed signing keys and a compiled table in $TMP.
D=tests/cli/data
A=discokey:a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1
B=discokey:b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0
C=discokey:c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1
umask 022
printf 'signpriv:%s\n' 1111111111111111111111111111111111111111111111111111111111111111 >"$TMP/sign.key"
printf 'signpriv:%s\n' 2222222222222222222222222222222222222222222222222222222222222222 >"$TMP/other.key"
chmod 600 "$TMP/sign.key" "$TMP/other.key"
$RG pubkey "$TMP/sign.key" >"$TMP/sign.pub"
$RG pubkey "$TMP/other.key" >"$TMP/other.pub"
SOURCE_DATE_EPOCH=1767225600 $RG compile $D/table-policy.hujson --inventory $D/table-inventory.json \
  --sign-key "$TMP/sign.key" --serial 7 -o "$TMP/relay.table" -q
