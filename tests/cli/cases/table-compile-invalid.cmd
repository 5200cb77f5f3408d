# compile refuses a policy that does not validate, and writes nothing.
. tests/cli/data/table-setup.sh
printf '{"grants": [{"src": ["group:nope"], "dst": ["*"], "app": {"tailscale.com/cap/relay": []}}]}\n' >"$TMP/bad.hujson"
$RG compile "$TMP/bad.hujson" --inventory $D/table-inventory.json --sign-key "$TMP/sign.key" -o "$TMP/bad.table" 2>&1 | sed "s|$TMP|TMP|"
rc=${PIPESTATUS[0]}
[ -e "$TMP/bad.table" ] && echo "a table was written"
exit $rc
