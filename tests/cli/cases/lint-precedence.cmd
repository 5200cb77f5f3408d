# The file says error, the environment warning, the flag info: the flag wins,
# then the environment, then the file.
mkdir -p "$TMP/repo/.git" "$TMP/repo/team"
cp policies/bad/unused-host.hujson "$TMP/repo/team/policy.hujson"
printf '{"severity": {"unused-host": "error"}}\n' >"$TMP/repo/.relaygate.hujson"
cd "$TMP/repo"
$RG lint -f gcc team/policy.hujson; echo "file: $?"
RELAYGATE_SEVERITY=RG303=warning $RG lint -f gcc team/policy.hujson; echo "env: $?"
RELAYGATE_SEVERITY=RG303=warning $RG lint -f gcc --severity unused-host=info team/policy.hujson; echo "flag: $?"
RELAYGATE_IGNORE=unused-host $RG lint -f gcc team/policy.hujson; echo "env ignore: $?"
RELAYGATE_IGNORE=unused-host $RG lint -f gcc --severity RG303=warning team/policy.hujson; echo "flag re-enables: $?"
$RG lint -f gcc --no-config team/policy.hujson; echo "no config: $?"
