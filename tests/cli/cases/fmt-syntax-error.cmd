printf '{"a": 1,,}\n' >"$TMP/bad.hujson"
cp "$TMP/bad.hujson" "$TMP/bad.orig"
cd "$TMP" && $RG fmt bad.hujson; echo "exit $?"; cmp bad.hujson bad.orig && echo unchanged
