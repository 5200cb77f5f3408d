# Messages can quote raw bytes of the policy (here an invalid literal holding a
# byte that is not UTF-8 and a control character): json stays valid UTF-8
# (U+FFFD), gcc and github escape them.
printf '{"a\267\001": 1}\n' | $RG lint -f json -
printf '{"a\267\001": 1}\n' | $RG lint -f gcc -
printf '{"a\267\001": 1}\n' | $RG lint -f github -
