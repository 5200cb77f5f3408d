/* The policy file endpoints and the device list request. */
#include <stdio.h>
#include <string.h>

#include "tsapi/internal.h"

#define PATH_MAX_LEN 1024
#define ETAG_MAX 256

static int is_2xx(long status)
{
	return status >= 200 && status <= 299;
}

/* Sends rq to the tailnet's path + suffix; any answer but 2xx is a refusal. */
static int tailnet_call(struct rg_tsapi *api, const char *suffix, struct tsapi_req *rq,
			struct rg_tsapi_reply *rep, struct rg_tsapi_error *err)
{
	char path[PATH_MAX_LEN];
	int r = snprintf(path, sizeof(path), "/api/v2/tailnet/%s%s", api->tailnet_esc, suffix);

	if (r < 0 || (size_t)r >= sizeof(path))
		return tsapi_fail(err, RG_TSAPI_FAIL_LOCAL, 0, "request path too long");
	rq->path = path;
	if (tsapi_request(api, rq, rep, err) < 0)
		return -1;
	if (!is_2xx(rep->status))
		return tsapi_refused(api, rep, err);
	return 0;
}

static int get(struct rg_tsapi *api, const char *suffix, const char *accept, size_t max,
	       struct rg_tsapi_reply *rep, struct rg_tsapi_error *err)
{
	struct tsapi_req rq = {
		.method = "GET",
		.accept = accept,
		.max_response = max,
	};

	return tailnet_call(api, suffix, &rq, rep, err);
}

int rg_tsapi_policy_get(struct rg_tsapi *api, struct rg_tsapi_reply *rep,
			struct rg_tsapi_error *err)
{
	return get(api, "/acl", "application/hujson", RG_TSAPI_MAX_POLICY, rep, err);
}

int rg_tsapi_devices_get(struct rg_tsapi *api, struct rg_tsapi_reply *rep,
			 struct rg_tsapi_error *err)
{
	return get(api, "/devices?fields=all", "application/json", RG_TSAPI_MAX_DEVICES, rep, err);
}

/* POSTs the policy as HuJSON (comments kept, so the server's positions match the file). */
static int post_policy(struct rg_tsapi *api, const char *suffix, const void *policy, size_t len,
		       const char *if_match, size_t max, struct rg_tsapi_reply *rep,
		       struct rg_tsapi_error *err)
{
	struct tsapi_req rq = {
		.method = "POST",
		.accept = "application/json",
		.content_type = "application/hujson",
		.body = policy,
		.body_len = len,
		.if_match = if_match,
		.max_response = max,
	};

	if (len > RG_TSAPI_MAX_POLICY)
		return tsapi_fail(err, RG_TSAPI_FAIL_LOCAL, 0,
				  "the policy is larger than %zu bytes", RG_TSAPI_MAX_POLICY);
	return tailnet_call(api, suffix, &rq, rep, err);
}

int rg_tsapi_policy_validate(struct rg_tsapi *api, const void *policy, size_t len,
			     struct rg_tsapi_reply *rep, struct rg_tsapi_error *err)
{
	size_t nerr, nwarn, i;

	if (post_policy(api, "/acl/validate", policy, len, NULL, TSAPI_SMALL_BODY, rep, err) < 0)
		return -1;
	for (i = 0; i < rep->len && strchr(" \t\r\n", rep->body[i]); i++)
		;
	if (i == rep->len)
		return 0;
	if (tsapi_explain(rep, &nerr, &nwarn) < 0)
		return tsapi_fail(err, RG_TSAPI_FAIL_LOCAL, 0,
				  "HTTP %ld: the validation answer is not a JSON object; "
				  "not taking it for a success", rep->status);
	/* A message with neither errors nor warnings is a failure we cannot itemize. */
	if (nerr > 0 || (rep->message && nwarn == 0))
		return tsapi_fail(err, RG_TSAPI_FAIL_API, rep->status, "HTTP %ld: %s", rep->status,
				  rep->message ? rep->message : "the policy failed validation");
	return 0;
}

int rg_tsapi_etag_quote(const char *etag, char *out, size_t outlen, struct rg_err *err)
{
	size_t n = etag ? strlen(etag) : 0, i, open = 0;
	int quoted;

	if (n == 0 || n > ETAG_MAX)
		return rg_err_set(err, "--if-match: expected an ETag (1 to %d characters)", ETAG_MAX);
	for (i = 0; i < n; i++)
		if ((unsigned char)etag[i] <= 0x20 || (unsigned char)etag[i] >= 0x7f)
			return rg_err_set(err, "--if-match: an ETag is printable ASCII without spaces");
	if (strncmp(etag, "W/\"", 3) == 0)
		open = 2;
	quoted = etag[open] == '"';
	if (quoted && (n < open + 2 || etag[n - 1] != '"' ||
		       memchr(etag + open + 1, '"', n - open - 2)))
		return rg_err_set(err, "--if-match: unbalanced quotes in the ETag");
	if (!quoted && strchr(etag, '"'))
		return rg_err_set(err, "--if-match: unbalanced quotes in the ETag");
	if ((size_t)snprintf(out, outlen, quoted ? "%s" : "\"%s\"", etag) >= outlen)
		return rg_err_set(err, "--if-match: ETag too long");
	return 0;
}

int rg_tsapi_policy_set(struct rg_tsapi *api, const void *policy, size_t len,
			const char *if_match, struct rg_tsapi_reply *rep,
			struct rg_tsapi_error *err)
{
	char quoted[ETAG_MAX + 8];

	if (if_match && rg_tsapi_etag_quote(if_match, quoted, sizeof(quoted), &err->err) < 0) {
		err->kind = RG_TSAPI_FAIL_LOCAL;
		err->status = 0;
		return -1;
	}
	if (post_policy(api, "/acl", policy, len, if_match ? quoted : NULL, RG_TSAPI_MAX_POLICY,
			rep, err) == 0)
		return 0;
	/* An attempt whose answer was lost may have been applied, changing the ETag. */
	if (err->status == 412 && rep->attempts > 1) {
		size_t n = strlen(err->err.msg);

		snprintf(err->err.msg + n, sizeof(err->err.msg) - n,
			 " (an earlier attempt may have been applied before its answer was lost: "
			 "pull to check)");
	}
	return -1;
}
