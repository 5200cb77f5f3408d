# examples/relay-demo.sh: keys, inventory, compile, relaygated (port 0) and two probes on loopback.
bash examples/relay-demo.sh "$BUILD" 2>&1 |
  grep -E '^(==|ping|relay .*failed|probe exit)' | sed -E 's/127\.0\.0\.1:[0-9]+:/127.0.0.1:PORT:/; s/rtt .*/rtt .../'
exit "${PIPESTATUS[0]}"
