$RG fmt --check tests/lint/fmt/layout.formatted; echo "formatted: $?"
cp policies/bad/ssh-broad.hujson "$TMP/a.hujson"
printf '{"b":[1,2],// c\n"a":{"x":1}}\n' >"$TMP/b.hujson"
cd "$TMP"
$RG fmt --check a.hujson b.hujson; echo "before: $?"
cp b.hujson b.orig
$RG fmt a.hujson b.hujson; echo "fmt: $?"
cat b.hujson
$RG fmt --check a.hujson b.hujson; echo "after: $?"
$RG fmt - <b.orig | cmp - b.hujson && echo "stdin: same"
