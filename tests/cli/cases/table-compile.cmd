# compile: a summary on stdout, a note about nodes without disco keys, mode 0644.
. tests/cli/data/table-setup.sh
SOURCE_DATE_EPOCH=1767225600 $RG compile $D/table-policy.hujson --inventory $D/table-inventory.json \
  --sign-key "$TMP/sign.key" -o "$TMP/t2" 2>&1 | sed "s|$TMP|TMP|"
echo "table mode $(stat -c %a "$TMP/t2")"
