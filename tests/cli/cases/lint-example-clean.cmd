$RG lint examples/policy.hujson && $RG lint --inventory examples/inventory.json -f human examples/policy.hujson && echo clean
