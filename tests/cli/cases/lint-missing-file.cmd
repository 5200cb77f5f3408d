$RG lint -f gcc /nonexistent/policy.hujson policies/bad/empty-group.hujson
