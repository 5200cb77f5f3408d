# Every new command has --help (exit 0, a usage line first).
for c in compile table keygen pubkey; do $RG $c --help | head -1; done
$RG table show --help >/dev/null && echo "table show --help: ok"
