# Two nodes with one disco key (here a relay and a requester): refused, located,
# when the inventory is loaded, not later by the table builder; no table written.
. tests/cli/data/table-setup.sh
sed 's/discokey:b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0/discokey:e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1/' \
  $D/table-inventory.json >"$TMP/inv.json"
$RG compile $D/table-policy.hujson --inventory "$TMP/inv.json" --sign-key "$TMP/sign.key" \
  -o "$TMP/bad.table" 2>&1 | sed "s|$TMP|TMP|"
rc=${PIPESTATUS[0]}
[ -e "$TMP/bad.table" ] && echo "a table was written"
exit $rc
