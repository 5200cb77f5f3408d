# A raw C1 control (U+009B, a CSI) in a name: refused, and neither the
# message nor the source excerpt echoes it to the terminal.
printf '{"users": [], "nodes": [{"name": "a\302\2332J", "user": null, "tags": [], "ips": []}]}\n' >"$TMP/inv.json"
$RG validate --inventory "$TMP/inv.json" examples/policy.hujson 2>&1 | sed "s|$TMP|TMP|"
exit ${PIPESTATUS[0]}
