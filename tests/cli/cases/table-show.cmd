# show without --trust says the signature was not checked; with it, verified.
. tests/cli/data/table-setup.sh
$RG table show "$TMP/relay.table" | sed -e "s|$TMP|TMP|" -e "s|^digest: .*|digest:     (varies: the table hashes with a random key)|"
echo "--"
$RG table show "$TMP/relay.table" --trust "$TMP/sign.pub" | grep '^signature'
