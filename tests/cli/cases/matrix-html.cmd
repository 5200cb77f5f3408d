# The page's table, one element per line, and the parts that must be there.
$RG matrix -f html -i examples/inventory.json examples/policy.hujson >$TMP/m.html || exit
grep -o '<t[hd][^>]*>[^<]*</t[hd]>\|<tr>\|</tr>' $TMP/m.html | tr -d '\n' | sed 's|</tr>|</tr>\n|g'
for want in 'name="viewport"' 'thead th{position:sticky;top:0' 'tbody th{position:sticky;left:0' \
    '<input id="filter"' 'URLSearchParams' '.h5{'; do
  grep -qF "$want" $TMP/m.html && echo "has $want" || echo "MISSING $want"
done
grep -c 'src=\|href=\|@import\|url(' $TMP/m.html || true
