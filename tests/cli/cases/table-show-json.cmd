. tests/cli/data/table-setup.sh
$RG table show "$TMP/relay.table" --format json | sed "s|$TMP|TMP|"
