# query: 0 allowed, 1 denied, 2 for everything else (a refused table included).
. tests/cli/data/table-setup.sh
q() { $RG table query "$TMP/relay.table" "$@" 2>&1 | sed "s|$TMP|TMP|"; echo "exit ${PIPESTATUS[0]}"; }
q --trust "$TMP/sign.pub" --relay relay-eu --key $A
q --trust "$TMP/sign.pub" --relay relay-eu --key $C
q --trust "$TMP/sign.pub" --relay relay-us --key $C
q --trust "$TMP/sign.pub" --relay relay-us --key discokey:0000000000000000000000000000000000000000000000000000000000000042
q --trust "$TMP/sign.pub" --relay alice-laptop --key $A
q --trust "$TMP/other.pub" --relay relay-eu --key $A
q --trust "$TMP/sign.pub" --relay relay-eu --key $A --min-serial 8
q --trust "$TMP/sign.pub" --relay relay-eu --key nokey
q --relay relay-eu --key $A
