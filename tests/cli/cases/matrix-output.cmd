$RG matrix -f html -o $TMP/out.html -i examples/inventory.json examples/policy.hujson && head -c 15 $TMP/out.html && echo
