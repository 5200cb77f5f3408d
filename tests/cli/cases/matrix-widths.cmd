# No line wider than the terminal, at any width.
for w in 20 24 31 40 52 64 80 100 132; do
  COLUMNS=$w $RG matrix -i examples/inventory.json examples/policy.hujson >$TMP/t || exit
  $RG matrix -i examples/inventory.json examples/policy.hujson --width $w | cmp -s - $TMP/t || echo "--width $w differs from COLUMNS"
  awk -v w=$w '{ if (length($0) > w) { print "too wide at " w ": " $0; bad = 1 } }
                END { if (!bad) print w ": ok, " NR " lines" }' $TMP/t
done
