mkdir -p "$TMP/.git"
printf '{\n\t"ignore": ["RG999"],\n\t"naming": {"tag": "^tag:[a-z"},\n}\n' >"$TMP/.relaygate.hujson"
cp policies/good/legacy-acls.hujson "$TMP/p.hujson"
cd "$TMP" && $RG lint -f json p.hujson
