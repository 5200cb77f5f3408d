. tests/cli/data/table-setup.sh
$RG table show "$TMP/relay.table" --format json | sed -e "s|$TMP|TMP|" -e "s|\"digest\": \"[0-9a-f]\{64\}\"|\"digest\": \"DIGEST\"|"
