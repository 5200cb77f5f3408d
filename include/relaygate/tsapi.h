/*
 * Tailscale API client over libcurl: the tailnet policy file (get, validate,
 * set with If-Match) and the device list, turned into a relaygate inventory.
 *
 * Transport: TLS verification always on; plain http only to a loopback host;
 * no redirects followed; connect and per-attempt timeouts; retries with
 * exponential backoff and jitter on 429, 5xx (but 501) and connection-level
 * failures, honouring Retry-After, bounded in count and in total waiting time;
 * every response body bounded in size.
 *
 * Credentials: an API key, or an OAuth client whose access token is fetched
 * with the client-credentials grant and kept in memory for its lifetime. They
 * are never logged or put in an error message, and are wiped (sodium_memzero)
 * when the client is freed. Copies that libcurl and jansson make internally
 * while a request runs are outside this code's reach.
 *
 * Ownership: rg_tsapi_new copies all it needs from the config (the strings
 * may be freed afterwards); rg_tsapi_free(NULL) is a no-op. A reply owns its
 * buffers: release them with rg_tsapi_reply_clear (safe on a zeroed reply
 * and twice). Functions that return text through char ** hand it over: the
 * caller frees it with free(). A client is not thread-safe.
 */
#ifndef RELAYGATE_TSAPI_H
#define RELAYGATE_TSAPI_H

#include <stddef.h>
#include <time.h>

#include "relaygate/err.h"

#define RG_TSAPI_DEFAULT_BASE_URL "https://api.tailscale.com"
#define RG_TSAPI_DEFAULT_TAILNET "-"

/* Largest response bodies accepted, and largest policy sent. */
#define RG_TSAPI_MAX_POLICY ((size_t)16 << 20)
#define RG_TSAPI_MAX_DEVICES ((size_t)64 << 20)

/* Hard caps on the configuration (rg_tsapi_new refuses larger values). */
#define RG_TSAPI_MAX_RETRIES 10
#define RG_TSAPI_MAX_TIMEOUT_MS (3600L * 1000)

/* Environment variables read by rg_tsapi_config_from_env. */
#define RG_TSAPI_ENV_API_KEY "TS_API_KEY"
#define RG_TSAPI_ENV_CLIENT_ID "TS_OAUTH_CLIENT_ID"
#define RG_TSAPI_ENV_CLIENT_SECRET "TS_OAUTH_CLIENT_SECRET"
#define RG_TSAPI_ENV_TAILNET "TS_TAILNET"
/* For tests only: a factor on every wait between attempts (e.g. 0.01). */
#define RG_TSAPI_ENV_DELAY_SCALE "RELAYGATE_TEST_DELAY_SCALE"

enum rg_tsapi_fail {
	RG_TSAPI_FAIL_NONE = 0,
	RG_TSAPI_FAIL_LOCAL, /* configuration, credentials, transport, unusable response */
	RG_TSAPI_FAIL_API,   /* the API answered and refused (status in .status) */
};

struct rg_tsapi_error {
	enum rg_tsapi_fail kind;
	long status;          /* HTTP status for RG_TSAPI_FAIL_API, else 0 */
	struct rg_err err;    /* one line; never holds a credential */
};

/* What on_retry is told before each wait. */
struct rg_tsapi_retry {
	int attempt;          /* the attempt that just failed, from 1 */
	int max_attempts;
	long status;          /* its HTTP status, 0 for a transport failure */
	const char *reason;   /* short text: "HTTP 503", "Timeout was reached", ... */
	long delay_ms;        /* the nominal wait (before the test delay scale) */
};

struct rg_tsapi_config {
	const char *base_url;            /* scheme://host[:port]; NULL: the default */
	const char *tailnet;             /* NULL: "-" (the credential's tailnet) */
	const char *ca_file;             /* PEM CA bundle; NULL: libcurl's default */
	const char *api_key;             /* exactly one of api_key and the OAuth pair */
	const char *oauth_client_id;
	const char *oauth_client_secret;
	long connect_timeout_ms;         /* per connection */
	long timeout_ms;                 /* per attempt, transfer included */
	int retries;                     /* extra attempts, 0..RG_TSAPI_MAX_RETRIES */
	long retry_budget_ms;            /* most time spent waiting between attempts */
	double delay_scale;              /* factor on every wait (tests); 1 normally */
	/* Called before each wait between attempts (may be NULL). */
	void (*on_retry)(void *ctx, const struct rg_tsapi_retry *r);
	void *ctx;
};

struct rg_tsapi;

/*
 * The outcome of one call. status is the HTTP status of the last attempt
 * (0 if none completed); body is the response body, NUL-terminated (len does
 * not count the NUL); etag the ETag header as sent (quotes kept) or NULL.
 * When the server explained itself ({message, data:[{user, errors[],
 * warnings[]}]}), message is its message and notes the per-user errors and
 * warnings as indented lines ending in newlines; both have control
 * characters escaped and are NULL when absent. retry_after_ms is the last
 * Retry-After seen (-1: none).
 */
struct rg_tsapi_reply {
	long status;
	char *body;
	size_t len;
	char *etag;
	char *message;
	char *notes;
	int attempts;
	long retry_after_ms;
};

/* Defaults: 10 s connect timeout, 60 s per attempt, 3 retries, 60 s waiting. */
void rg_tsapi_config_init(struct rg_tsapi_config *cfg);

/*
 * Fills the credentials (borrowed from the environment: keep it unchanged
 * while cfg is used), the tailnet when cfg->tailnet is NULL and TS_TAILNET is
 * set, and the test delay scale. Empty variables count as unset. Fails
 * (RG_TSAPI_FAIL_LOCAL) when no method or both methods are given, or only
 * half of the OAuth pair.
 */
int rg_tsapi_config_from_env(struct rg_tsapi_config *cfg, struct rg_tsapi_error *err);

/* Checks the configuration (base URL, bounds) and makes a client. */
int rg_tsapi_new(const struct rg_tsapi_config *cfg, struct rg_tsapi **out,
		 struct rg_tsapi_error *err);
void rg_tsapi_free(struct rg_tsapi *api);
void rg_tsapi_reply_clear(struct rg_tsapi_reply *rep);

/*
 * The calls. Each returns 0 on success (rep filled), or -1 with err filled;
 * rep is filled as far as the exchange went in both cases (notes included),
 * and must be cleared either way.
 */
/* GET /api/v2/tailnet/{tailnet}/acl as HuJSON; body byte for byte, etag. */
int rg_tsapi_policy_get(struct rg_tsapi *api, struct rg_tsapi_reply *rep,
			struct rg_tsapi_error *err);
/*
 * POST .../acl/validate. Success means no errors; warnings alone succeed,
 * and are in rep->notes. A failure the server reports, even with status 200
 * ("test(s) failed"), is RG_TSAPI_FAIL_API; an unreadable 2xx answer is
 * RG_TSAPI_FAIL_LOCAL (never taken for a success).
 */
int rg_tsapi_policy_validate(struct rg_tsapi *api, const void *policy, size_t len,
			     struct rg_tsapi_reply *rep, struct rg_tsapi_error *err);
/*
 * POST .../acl with the policy as application/hujson; if_match (may be NULL)
 * is an ETag as printed by a pull, quoted or not ("ts-default" included).
 * rep->etag is the new ETag.
 */
int rg_tsapi_policy_set(struct rg_tsapi *api, const void *policy, size_t len,
			const char *if_match, struct rg_tsapi_reply *rep,
			struct rg_tsapi_error *err);
/* GET .../devices?fields=all; rep->body is the JSON as sent. */
int rg_tsapi_devices_get(struct rg_tsapi *api, struct rg_tsapi_reply *rep,
			 struct rg_tsapi_error *err);

/*
 * Turns a devices response into inventory JSON (indented, ending in a
 * newline): {"users":[{id,name,email}], "nodes":[{name,user,tags,ips,
 * routable_ips,approved_routes[,disco_key]}]}. A node's name is the first
 * label of its MagicDNS name (hostname, then nodeId, when that is empty);
 * user is the owner's login, null for tagged nodes; users are the owners of
 * untagged nodes, id being the 1-based rank in the sorted list (the devices
 * API carries no user IDs) and name the login before '@'. Nodes are sorted by
 * name, users by name then email; tags and routes sorted, addresses kept in
 * the API's order.
 */
int rg_tsapi_inventory_from_devices(const char *json, size_t len, char **out, size_t *outlen,
				    struct rg_err *err);

/*
 * Checks a base URL (scheme://host[:port], http only for 127.0.0.0/8, ::1
 * and localhost) and writes it normalized (no trailing slash) to out.
 */
int rg_tsapi_base_url_check(const char *url, char *out, size_t outlen, struct rg_err *err);

/* The If-Match value for etag: kept if already quoted (or W/"..."), else quoted. */
int rg_tsapi_etag_quote(const char *etag, char *out, size_t outlen, struct rg_err *err);

/* Retry-After (delta-seconds or HTTP-date) in milliseconds from now; -1 if invalid. */
long rg_tsapi_retry_after_ms(const char *value, time_t now);

#endif
