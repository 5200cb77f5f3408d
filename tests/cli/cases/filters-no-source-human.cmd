# A rule whose sources resolve to nothing says so instead of leaving a gap.
printf '{"groups": {"group:empty": []}, "tagOwners": {"tag:relay": []},\n "acls": [{"action": "accept", "src": ["group:empty"], "dst": ["tag:relay:80"]}]}\n' >"$TMP/p.hujson"
$RG filters --inventory tests/cli/data/table-inventory.json --format human --node relay-eu "$TMP/p.hujson"
