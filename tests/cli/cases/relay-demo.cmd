# examples/relay-demo.sh: keys, inventory, compile, relaygated and two probes on loopback.
p=$((40000 + RANDOM % 20000))
PORT=$p METRICS=$((p + 1)) bash examples/relay-demo.sh "$BUILD" 2>&1 |
  grep -E '^(==|ping|relay .*failed|probe exit)' | sed -E 's/127\.0\.0\.1:[0-9]+/127.0.0.1:PORT/; s/rtt .*/rtt .../'
exit "${PIPESTATUS[0]}"
