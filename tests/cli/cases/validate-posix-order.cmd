# Options after the policy work even when POSIXLY_CORRECT asks getopt for POSIX order.
POSIXLY_CORRECT=1 $RG validate examples/policy.hujson --inventory examples/inventory.json
