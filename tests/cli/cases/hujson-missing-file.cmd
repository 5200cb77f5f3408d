$RG hujson /nonexistent/policy.hujson
