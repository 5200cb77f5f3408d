# An inventory that would let one node pass for another is refused, every
# problem located: control characters in a name, one address, disco key,
# name or login on two nodes or users, a route with host bits.
$RG validate --inventory tests/cli/data/spoof-inventory.json examples/policy.hujson
