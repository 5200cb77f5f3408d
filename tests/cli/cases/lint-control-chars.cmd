# Messages stay on one line whatever the policy's keys hold.
printf '{"grants": [], "a\\tb\\nc\\u0001": 1}\n' | $RG lint -f gcc -
