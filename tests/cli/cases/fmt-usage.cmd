$RG fmt; echo "usage: $?"; $RG fmt --check /nonexistent; echo "missing: $?"
