# compile: serials only grow. A table replacing another gets a higher serial by default
# (one more than the old when the clock has not moved past it); an explicit lower or
# equal serial is refused (exit 2) and the old table stays.
. tests/cli/data/table-setup.sh
c() { $RG compile -q $D/table-policy.hujson --inventory $D/table-inventory.json \
  --sign-key "$TMP/sign.key" -o "$TMP/t" "$@" 2>&1 | sed "s|$TMP|TMP|"; return "${PIPESTATUS[0]}"; }
serial() { $RG table show "$TMP/t" --format json | sed -n 's/.*"serial": *\([0-9]*\).*/\1/p' | head -1; }
c --serial 4102444800
serial
SOURCE_DATE_EPOCH=1767225600 c
serial
c --serial 4102444801
echo "exit $?"
serial
c --serial 5000000000
serial
