# verify: 0 for a trusted signer; 1 for another signer, a rollback, an old table, a corrupt one.
. tests/cli/data/table-setup.sh
v() { $RG table verify "$@" 2>&1 | sed -E "s|$TMP|TMP|; s|created [0-9]+ s ago|created N s ago|"; echo "exit ${PIPESTATUS[0]}"; }
v "$TMP/relay.table" --trust "$TMP/sign.pub"
v "$TMP/relay.table" --trust "$TMP/other.pub"
v "$TMP/relay.table" --trust "$TMP/other.pub" --trust "$TMP/sign.pub"
v "$TMP/relay.table" --trust "$TMP/sign.pub" --min-serial 7
v "$TMP/relay.table" --trust "$TMP/sign.pub" --min-serial 8
v "$TMP/relay.table" --trust "$TMP/sign.pub" --max-age 1h
cp "$TMP/relay.table" "$TMP/bad.table"
printf '\x55' | dd of="$TMP/bad.table" bs=1 seek=300 conv=notrunc status=none
v "$TMP/bad.table" --trust "$TMP/sign.pub"
head -c 400 "$TMP/relay.table" >"$TMP/short.table"
v "$TMP/short.table" --trust "$TMP/sign.pub"
v "$TMP/missing.table" --trust "$TMP/sign.pub"
v "$TMP/relay.table"
