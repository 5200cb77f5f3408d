# Found by fuzz_lint: legacy ACLs and no rule at all (every ACL invalid, grants misspelled).
# duplicate-rule/shadowed-rule offset a NULL rule array (undefined behaviour that clang's UBSan
# reports; tests/fuzz/corpus/lint/regress-acls-without-rules replays it in make fuzz-smoke).
$RG lint --format gcc tests/cli/data/acls-without-rules.hujson
