# Escaping: a file name with , : and %, a message with %, a newline and a CR.
printf '{"grants": [], "50%%\\n\\r,x:y": 1}\n' | $RG lint -f github --stdin-filename 'dir/a,b:c%d.hujson' -
$RG lint -f github policies/bad/legacy-acls.hujson policies/bad/allow-all.hujson
