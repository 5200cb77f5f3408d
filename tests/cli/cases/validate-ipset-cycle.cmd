# IP sets: every set from which a circular reference is reachable is refused; sets that name
# the same set twice at each of 60 levels (2^60 paths) validate and evaluate at once.
$RG validate tests/cli/data/ipset-cycle.hujson 2>&1
echo "exit $?"
$RG validate --inventory examples/inventory.json tests/cli/data/ipset-diamond.hujson 2>&1
echo "exit $?"
$RG matrix tests/cli/data/ipset-diamond.hujson --format csv 2>&1 | head -3
