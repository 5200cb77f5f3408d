# show without --trust says the signature was not checked; with it, verified.
. tests/cli/data/table-setup.sh
$RG table show "$TMP/relay.table" | sed "s|$TMP|TMP|"
echo "--"
$RG table show "$TMP/relay.table" --trust "$TMP/sign.pub" | grep '^signature'
