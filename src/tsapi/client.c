/* The client: configuration, credentials, the OAuth token and the request loop. */
#include <arpa/inet.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <sodium.h>

#include "tsapi/internal.h"

#define SECRET_MAX 4096
#define TAILNET_MAX 255
#define URL_MAX 2048
#define HEADER_VALUE_MAX 512
/* A token is renewed this long before the server says it expires. */
#define TOKEN_MARGIN_MS (60L * 1000)
#define TOKEN_ANSWER_ROOM ((size_t)16 << 10)

void rg_tsapi_config_init(struct rg_tsapi_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->connect_timeout_ms = 10L * 1000;
	cfg->timeout_ms = 60L * 1000;
	cfg->retries = 3;
	cfg->retry_budget_ms = 60L * 1000;
	cfg->delay_scale = 1.0;
}

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

int rg_tsapi_config_from_env(struct rg_tsapi_config *cfg, struct rg_tsapi_error *err)
{
	const char *key = env_nonempty(RG_TSAPI_ENV_API_KEY);
	const char *id = env_nonempty(RG_TSAPI_ENV_CLIENT_ID);
	const char *secret = env_nonempty(RG_TSAPI_ENV_CLIENT_SECRET);
	const char *tailnet = env_nonempty(RG_TSAPI_ENV_TAILNET);
	const char *scale = env_nonempty(RG_TSAPI_ENV_DELAY_SCALE);

	if (key && (id || secret))
		return tsapi_fail(err, RG_TSAPI_FAIL_LOCAL, 0,
				  "both %s and an OAuth client (%s, %s) are set; set only one",
				  RG_TSAPI_ENV_API_KEY, RG_TSAPI_ENV_CLIENT_ID,
				  RG_TSAPI_ENV_CLIENT_SECRET);
	if (!key && !id && !secret)
		return tsapi_fail(err, RG_TSAPI_FAIL_LOCAL, 0,
				  "no credentials: set %s, or %s and %s", RG_TSAPI_ENV_API_KEY,
				  RG_TSAPI_ENV_CLIENT_ID, RG_TSAPI_ENV_CLIENT_SECRET);
	if (!key && (!id || !secret))
		return tsapi_fail(err, RG_TSAPI_FAIL_LOCAL, 0, "%s is set but %s is not",
				  id ? RG_TSAPI_ENV_CLIENT_ID : RG_TSAPI_ENV_CLIENT_SECRET,
				  id ? RG_TSAPI_ENV_CLIENT_SECRET : RG_TSAPI_ENV_CLIENT_ID);
	cfg->api_key = key;
	cfg->oauth_client_id = key ? NULL : id;
	cfg->oauth_client_secret = key ? NULL : secret;
	if (!cfg->tailnet && tailnet)
		cfg->tailnet = tailnet;
	if (scale) {
		char *end;
		double d = strtod(scale, &end);

		if (*end != '\0' || !isfinite(d) || d < 0 || d > 1)
			return tsapi_fail(err, RG_TSAPI_FAIL_LOCAL, 0,
					  "%s: expected a number from 0 to 1",
					  RG_TSAPI_ENV_DELAY_SCALE);
		cfg->delay_scale = d;
	}
	return 0;
}

static int has_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* Copies a credential; what is wrong with it is said without showing it. */
static int secret_dup(const char *what, const char *s, char **out, struct rg_tsapi_error *err)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0)
		return tsapi_fail(err, RG_TSAPI_FAIL_LOCAL, 0, "%s is empty", what);
	if (n > SECRET_MAX || has_ctl(s))
		return tsapi_fail(err, RG_TSAPI_FAIL_LOCAL, 0,
				  "%s is malformed (control characters or over %d bytes)", what,
				  SECRET_MAX);
	*out = malloc(n + 1);
	if (!*out)
		return tsapi_fail(err, RG_TSAPI_FAIL_LOCAL, 0, "out of memory");
	memcpy(*out, s, n + 1);
	return 0;
}

static void secret_free(char **s)
{
	if (*s) {
		sodium_memzero(*s, strlen(*s));
		free(*s);
		*s = NULL;
	}
}

static int is_loopback_host(const char *host)
{
	unsigned char a[16];
	char v6[64];
	size_t n = strlen(host);

	if (strcasecmp(host, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, host, a) == 1)
		return a[0] == 127;
	if (n > 2 && n < sizeof(v6) && host[0] == '[' && host[n - 1] == ']') {
		memcpy(v6, host + 1, n - 2);
		v6[n - 2] = '\0';
		return inet_pton(AF_INET6, v6, a) == 1 &&
		       IN6_IS_ADDR_LOOPBACK((const struct in6_addr *)(const void *)a);
	}
	return 0;
}

/* Whether part is absent from u (any other answer, an error included, is "present"). */
static int url_lacks(CURLU *u, CURLUPart part, CURLUcode absent)
{
	char *v = NULL;
	CURLUcode rc = curl_url_get(u, part, &v, 0);

	curl_free(v);
	return rc == absent;
}

int rg_tsapi_base_url_check(const char *url, char *out, size_t outlen, struct rg_err *err)
{
	CURLU *u = NULL;
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	int ret = -1, n;

	if (!url || !*url || strlen(url) > TSAPI_BASE_MAX - 32 || has_ctl(url)) {
		rg_err_set(err, "--base-url: expected scheme://host[:port]");
		goto out;
	}
	u = curl_url();
	if (!u) {
		rg_err_set(err, "out of memory");
		goto out;
	}
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK) {
		rg_err_set(err, "--base-url '%s': expected scheme://host[:port]", url);
		goto out;
	}
	if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0) {
		rg_err_set(err, "--base-url '%s': the scheme must be https (or http to loopback)",
			   url);
		goto out;
	}
	if (!url_lacks(u, CURLUPART_USER, CURLUE_NO_USER) ||
	    !url_lacks(u, CURLUPART_QUERY, CURLUE_NO_QUERY) ||
	    !url_lacks(u, CURLUPART_FRAGMENT, CURLUE_NO_FRAGMENT) || strcmp(path, "/") != 0) {
		rg_err_set(err, "--base-url '%s': expected scheme://host[:port], without "
			   "user, path, query or fragment", url);
		goto out;
	}
	if (strcmp(scheme, "http") == 0 && !is_loopback_host(host)) {
		rg_err_set(err, "--base-url '%s': plain http is only allowed to a loopback host "
			   "(127.0.0.0/8, ::1, localhost); use https", url);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_PORT, &port, 0) != CURLUE_OK)
		port = NULL;
	n = snprintf(out, outlen, "%s://%s%s%s", scheme, host, port ? ":" : "", port ? port : "");
	if (n < 0 || (size_t)n >= outlen) {
		rg_err_set(err, "--base-url '%s': too long", url);
		goto out;
	}
	ret = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_url_cleanup(u);
	return ret;
}

int rg_tsapi_new(const struct rg_tsapi_config *cfg, struct rg_tsapi **out,
		 struct rg_tsapi_error *err)
{
	struct rg_tsapi *api = NULL;
	const char *tailnet = cfg->tailnet ? cfg->tailnet : RG_TSAPI_DEFAULT_TAILNET;
	char *esc;

	*out = NULL;
	if (!*tailnet || strlen(tailnet) > TAILNET_MAX || has_ctl(tailnet))
		return tsapi_fail(err, RG_TSAPI_FAIL_LOCAL, 0,
				  "--tailnet: expected a tailnet name (1 to %d characters) or '-'",
				  TAILNET_MAX);
	if (cfg->connect_timeout_ms < 1 || cfg->connect_timeout_ms > RG_TSAPI_MAX_TIMEOUT_MS ||
	    cfg->timeout_ms < 1 || cfg->timeout_ms > RG_TSAPI_MAX_TIMEOUT_MS)
		return tsapi_fail(err, RG_TSAPI_FAIL_LOCAL, 0,
				  "timeouts must be from 1 ms to %ld s", RG_TSAPI_MAX_TIMEOUT_MS / 1000);
	if (cfg->retries < 0 || cfg->retries > RG_TSAPI_MAX_RETRIES ||
	    cfg->retry_budget_ms < 0 || cfg->retry_budget_ms > RG_TSAPI_MAX_TIMEOUT_MS)
		return tsapi_fail(err, RG_TSAPI_FAIL_LOCAL, 0,
				  "--retries: expected 0 to %d", RG_TSAPI_MAX_RETRIES);
	if (!isfinite(cfg->delay_scale) || cfg->delay_scale < 0 || cfg->delay_scale > 1)
		return tsapi_fail(err, RG_TSAPI_FAIL_LOCAL, 0, "delay scale out of range");
	if (sodium_init() < 0)
		return tsapi_fail(err, RG_TSAPI_FAIL_LOCAL, 0, "libsodium failed to initialize");
	api = calloc(1, sizeof(*api));
	if (!api)
		return tsapi_fail(err, RG_TSAPI_FAIL_LOCAL, 0, "out of memory");
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		free(api);
		return tsapi_fail(err, RG_TSAPI_FAIL_LOCAL, 0, "libcurl failed to initialize");
	}
	api->curl = curl_easy_init();
	if (!api->curl) {
		tsapi_fail(err, RG_TSAPI_FAIL_LOCAL, 0, "libcurl failed to initialize");
		goto fail;
	}
	if (rg_tsapi_base_url_check(cfg->base_url ? cfg->base_url : RG_TSAPI_DEFAULT_BASE_URL,
				    api->base, sizeof(api->base), &err->err) < 0) {
		err->kind = RG_TSAPI_FAIL_LOCAL;
		err->status = 0;
		goto fail;
	}
	api->plain_http = strncmp(api->base, "http:", 5) == 0;
	if (cfg->ca_file && !(api->ca_file = strdup(cfg->ca_file))) {
		tsapi_fail(err, RG_TSAPI_FAIL_LOCAL, 0, "out of memory");
		goto fail;
	}
	api->tailnet = strdup(tailnet);
	esc = curl_easy_escape(api->curl, tailnet, 0);
	api->tailnet_esc = esc ? strdup(esc) : NULL;
	curl_free(esc);
	if (!api->tailnet || !api->tailnet_esc) {
		tsapi_fail(err, RG_TSAPI_FAIL_LOCAL, 0, "out of memory");
		goto fail;
	}
	if (cfg->api_key && (cfg->oauth_client_id || cfg->oauth_client_secret)) {
		tsapi_fail(err, RG_TSAPI_FAIL_LOCAL, 0, "give an API key or an OAuth client, not both");
		goto fail;
	}
	if (cfg->api_key) {
		if (secret_dup(RG_TSAPI_ENV_API_KEY, cfg->api_key, &api->api_key, err) < 0)
			goto fail;
	} else if (secret_dup(RG_TSAPI_ENV_CLIENT_ID, cfg->oauth_client_id, &api->client_id,
			      err) < 0 ||
		   secret_dup(RG_TSAPI_ENV_CLIENT_SECRET, cfg->oauth_client_secret,
			      &api->client_secret, err) < 0) {
		goto fail;
	}
	api->connect_timeout_ms = cfg->connect_timeout_ms;
	api->timeout_ms = cfg->timeout_ms;
	api->retries = cfg->retries;
	api->retry_budget_ms = cfg->retry_budget_ms;
	api->delay_scale = cfg->delay_scale;
	api->on_retry = cfg->on_retry;
	api->ctx = cfg->ctx;
	*out = api;
	return 0;
fail:
	rg_tsapi_free(api);
	return -1;
}

void rg_tsapi_free(struct rg_tsapi *api)
{
	if (!api)
		return;
	secret_free(&api->api_key);
	secret_free(&api->client_id);
	secret_free(&api->client_secret);
	secret_free(&api->token);
	free(api->tailnet);
	free(api->tailnet_esc);
	free(api->ca_file);
	if (api->curl)
		curl_easy_cleanup(api->curl);
	curl_global_cleanup();
	free(api);
}

void rg_tsapi_reply_clear(struct rg_tsapi_reply *rep)
{
	free(rep->body);
	free(rep->etag);
	free(rep->message);
	free(rep->notes);
	memset(rep, 0, sizeof(*rep));
	rep->retry_after_ms = -1;
}

/* --- OAuth ------------------------------------------------------------------------------ */

/* Appends [&]name=urlencoded(value); the encoded copy is wiped. */
static int form_put(CURL *c, struct rg_buf *b, const char *name, const char *value)
{
	char *e = curl_easy_escape(c, value, 0);
	int r;

	if (!e)
		return -1;
	r = rg_buf_printf(b, "%s%s=%s", b->len ? "&" : "", name, e);
	sodium_memzero(e, strlen(e));
	curl_free(e);
	return r;
}

static void buf_wipe_free(struct rg_buf *b)
{
	if (b->data)
		sodium_memzero(b->data, b->cap);
	rg_buf_free(b);
}

/* Reads {access_token, expires_in} and keeps the token. */
static int token_take(struct rg_tsapi *api, const struct rg_tsapi_reply *rep,
		      struct rg_tsapi_error *err)
{
	json_t *root, *tok, *exp;
	json_error_t jerr;
	int ret = -1;

	root = json_loadb(rep->body, rep->len, 0, &jerr);
	tok = json_object_get(root, "access_token");
	exp = json_object_get(root, "expires_in");
	if (!json_is_string(tok) || json_string_length(tok) == 0) {
		tsapi_fail(err, RG_TSAPI_FAIL_LOCAL, 0,
			   "OAuth token response (HTTP %ld) has no access_token", rep->status);
		goto out;
	}
	secret_free(&api->token);
	if (secret_dup("the OAuth access token", json_string_value(tok), &api->token, err) < 0)
		goto out;
	api->token_expiry_ms = tsapi_now_ms();
	if (json_is_integer(exp) && json_integer_value(exp) > 0 &&
	    json_integer_value(exp) < 86400L * 366 &&
	    json_integer_value(exp) * 1000 > TOKEN_MARGIN_MS)
		api->token_expiry_ms += (uint64_t)json_integer_value(exp) * 1000 - TOKEN_MARGIN_MS;
	/* Without a lifetime the token serves this request only. */
	ret = 0;
out:
	if (json_is_string(tok))
		sodium_memzero((char *)json_string_value(tok), json_string_length(tok));
	json_decref(root);
	return ret;
}

static int token_fetch(struct rg_tsapi *api, struct rg_tsapi_error *err)
{
	struct rg_tsapi_reply rep = { .retry_after_ms = -1 };
	struct rg_buf form;
	struct tsapi_req rq = {
		.method = "POST",
		.path = "/api/v2/oauth/token",
		.accept = "application/json",
		.content_type = "application/x-www-form-urlencoded",
		.max_response = TSAPI_SMALL_BODY,
		.no_auth = 1,
	};
	int ret = -1;

	rg_buf_init(&form, 4 * SECRET_MAX + 256);
	/* Reserve once, so no realloc leaves a copy of the secret behind. */
	if (rg_buf_reserve(&form, 4 * SECRET_MAX + 128) < 0 ||
	    form_put(api->curl, &form, "grant_type", "client_credentials") < 0 ||
	    form_put(api->curl, &form, "client_id", api->client_id) < 0 ||
	    form_put(api->curl, &form, "client_secret", api->client_secret) < 0) {
		tsapi_fail(err, RG_TSAPI_FAIL_LOCAL, 0, "out of memory");
		goto out;
	}
	rq.body = form.data;
	rq.body_len = form.len;
	if (tsapi_request(api, &rq, &rep, err) < 0)
		goto out;
	if (rep.status < 200 || rep.status > 299) {
		char msg[RG_ERR_MAX];

		tsapi_refused(api, &rep, err);
		/* Say which request it was: the caller only knows of its own. */
		memcpy(msg, err->err.msg, sizeof(msg));
		if (snprintf(err->err.msg, sizeof(err->err.msg), "OAuth token request: %s", msg) < 0)
			err->err.msg[0] = '\0';
		goto out;
	}
	ret = token_take(api, &rep, err);
out:
	if (rep.body)
		sodium_memzero(rep.body, rep.len);
	rg_tsapi_reply_clear(&rep);
	buf_wipe_free(&form);
	return ret;
}

/* "Authorization: Bearer ..." in a fresh buffer the caller wipes and frees. */
static int auth_header(struct rg_tsapi *api, char **out, struct rg_tsapi_error *err)
{
	static const char prefix[] = "Authorization: Bearer ";
	const char *cred = api->api_key;
	size_t n;

	*out = NULL;
	if (!cred) {
		if (!api->token || tsapi_now_ms() >= api->token_expiry_ms) {
			if (token_fetch(api, err) < 0)
				return -1;
		}
		cred = api->token;
	}
	n = sizeof(prefix) + strlen(cred);
	*out = malloc(n);
	if (!*out)
		return tsapi_fail(err, RG_TSAPI_FAIL_LOCAL, 0, "out of memory");
	snprintf(*out, n, "%s%s", prefix, cred);
	return 0;
}

/* --- one attempt -------------------------------------------------------------------------- */

struct sink {
	struct rg_buf b;
	int too_large;
};

static size_t sink_write(char *p, size_t size, size_t nmemb, void *ud)
{
	struct sink *s = ud;
	size_t n = size * nmemb;

	if (n > s->b.max - s->b.len) {
		s->too_large = 1;
		return 0;
	}
	if (rg_buf_append(&s->b, p, n) < 0)
		return 0;
	return n;
}

static void slist_wipe_free(struct curl_slist *l)
{
	struct curl_slist *i;

	for (i = l; i; i = i->next)
		if (i->data)
			sodium_memzero(i->data, strlen(i->data));
	curl_slist_free_all(l);
}

/* Appends "name: value", or the line itself when value is NULL. */
static int slist_add(struct curl_slist **l, const char *name, const char *value)
{
	char line[HEADER_VALUE_MAX + 64];
	struct curl_slist *n;
	int r = value ? snprintf(line, sizeof(line), "%s: %s", name, value)
		      : snprintf(line, sizeof(line), "%s", name);

	if (r < 0 || (size_t)r >= sizeof(line))
		return -1;
	n = curl_slist_append(*l, line);
	if (!n)
		return -1;
	*l = n;
	return 0;
}

/* A header of the last response, copied with non-ASCII and controls as '?' (NULL when absent). */
static char *header_dup(CURL *c, const char *name)
{
	struct curl_header *h = NULL;
	char *v, *p;

	if (curl_easy_header(c, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK || !h || !h->value)
		return NULL;
	v = strndup(h->value, HEADER_VALUE_MAX);
	for (p = v; p && *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	return v;
}

static int set_options(struct rg_tsapi *api, const struct tsapi_req *rq, const char *url,
		       struct curl_slist *hdrs, struct sink *sink)
{
	CURL *c = api->curl;
	CURLcode rc = CURLE_OK;

#define SET(opt, val) do { if (rc == CURLE_OK) rc = curl_easy_setopt(c, opt, val); } while (0)
	SET(CURLOPT_URL, url);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (api->ca_file)
		SET(CURLOPT_CAINFO, api->ca_file);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_CONNECTTIMEOUT_MS, api->connect_timeout_ms);
	SET(CURLOPT_TIMEOUT_MS, api->timeout_ms);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)rq->max_response);
	SET(CURLOPT_ACCEPT_ENCODING, "");
	SET(CURLOPT_USERAGENT, "relaygate/" RG_VERSION);
	SET(CURLOPT_HTTPHEADER, hdrs);
	SET(CURLOPT_WRITEFUNCTION, sink_write);
	SET(CURLOPT_WRITEDATA, sink);
	SET(CURLOPT_ERRORBUFFER, api->errbuf);
	/* A proxy would see a plain-http bearer token. */
	if (api->plain_http)
		SET(CURLOPT_NOPROXY, "*");
	if (strcmp(rq->method, "POST") == 0) {
		SET(CURLOPT_POST, 1L);
		SET(CURLOPT_POSTFIELDS, rq->body ? rq->body : "");
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
	} else {
		SET(CURLOPT_HTTPGET, 1L);
	}
#undef SET
	return rc == CURLE_OK ? 0 : -1;
}

/*
 * One exchange. Returns 0 with an HTTP response in rep, 1 after a transport
 * failure (cc set), -1 for a failure not worth retrying (err filled).
 */
static int attempt(struct rg_tsapi *api, const struct tsapi_req *rq, const char *url,
		   struct rg_tsapi_reply *rep, CURLcode *cc, struct rg_tsapi_error *err)
{
	struct curl_slist *hdrs = NULL;
	struct sink sink;
	char *auth = NULL, *ra;
	int ret = -1, bad = 0;

	rg_buf_init(&sink.b, rq->max_response);
	sink.too_large = 0;
	/* The token answer holds a secret: room up front, so no realloc leaves copies. */
	if (rq->no_auth && rg_buf_reserve(&sink.b, TOKEN_ANSWER_ROOM) < 0) {
		tsapi_fail(err, RG_TSAPI_FAIL_LOCAL, 0, "out of memory");
		goto out;
	}
	if (!rq->no_auth && auth_header(api, &auth, err) < 0)
		goto out;
	curl_easy_reset(api->curl);
	api->errbuf[0] = '\0';
	bad |= slist_add(&hdrs, "Accept", rq->accept);
	/* No "Expect: 100-continue" round trip before a body. */
	bad |= slist_add(&hdrs, "Expect:", NULL);
	if (rq->content_type)
		bad |= slist_add(&hdrs, "Content-Type", rq->content_type);
	if (rq->if_match)
		bad |= slist_add(&hdrs, "If-Match", rq->if_match);
	if (auth) {
		struct curl_slist *n = curl_slist_append(hdrs, auth);

		bad |= n ? 0 : -1;
		hdrs = n ? n : hdrs;
	}
	if (bad || set_options(api, rq, url, hdrs, &sink) < 0) {
		tsapi_fail(err, RG_TSAPI_FAIL_LOCAL, 0, "cannot set up the request (out of memory?)");
		goto out;
	}
	*cc = curl_easy_perform(api->curl);
	if (sink.too_large || *cc == CURLE_FILESIZE_EXCEEDED) {
		tsapi_fail(err, RG_TSAPI_FAIL_LOCAL, 0,
			   "%s %s: the response is larger than %zu bytes", rq->method, url,
			   rq->max_response);
		goto out;
	}
	if (*cc != CURLE_OK) {
		if (tsapi_curl_retryable(*cc)) {
			ret = 1;
			goto out;
		}
		tsapi_fail(err, RG_TSAPI_FAIL_LOCAL, 0, "%s %s: %s%s%s", rq->method, url,
			   curl_easy_strerror(*cc), api->errbuf[0] ? ": " : "", api->errbuf);
		goto out;
	}
	if (curl_easy_getinfo(api->curl, CURLINFO_RESPONSE_CODE, &rep->status) != CURLE_OK ||
	    rep->status < 100 || rep->status > 999) {
		tsapi_fail(err, RG_TSAPI_FAIL_LOCAL, 0, "%s %s: no valid HTTP status", rq->method,
			   url);
		goto out;
	}
	rep->body = rg_buf_take(&sink.b, &rep->len);
	if (!rep->body) {
		tsapi_fail(err, RG_TSAPI_FAIL_LOCAL, 0, "out of memory");
		goto out;
	}
	rep->etag = header_dup(api->curl, "ETag");
	ra = header_dup(api->curl, "Retry-After");
	rep->retry_after_ms = rg_tsapi_retry_after_ms(ra, time(NULL));
	free(ra);
	ret = 0;
out:
	slist_wipe_free(hdrs);
	if (auth) {
		sodium_memzero(auth, strlen(auth));
		free(auth);
	}
	if (rq->no_auth)
		buf_wipe_free(&sink.b);
	else
		rg_buf_free(&sink.b);
	return ret;
}

/* --- the request loop -------------------------------------------------------------------- */

int tsapi_request(struct rg_tsapi *api, const struct tsapi_req *rq, struct rg_tsapi_reply *rep,
		  struct rg_tsapi_error *err)
{
	char url[URL_MAX];
	int max_attempts = api->retries + 1, n, r;
	long waited = 0;
	CURLcode cc = CURLE_OK;

	n = snprintf(url, sizeof(url), "%s%s", api->base, rq->path);
	if (n < 0 || (size_t)n >= sizeof(url))
		return tsapi_fail(err, RG_TSAPI_FAIL_LOCAL, 0, "request URL too long");
	rg_tsapi_reply_clear(rep);
	for (rep->attempts = 1;; rep->attempts++) {
		struct rg_tsapi_retry info;
		char reason[160];
		long delay;

		free(rep->body);
		free(rep->etag);
		rep->body = rep->etag = NULL;
		rep->len = 0;
		rep->status = 0;
		r = attempt(api, rq, url, rep, &cc, err);
		if (r < 0)
			return -1;
		if (r == 0 && !tsapi_status_retryable(rep->status))
			break;
		if (r == 0)
			snprintf(reason, sizeof(reason), "HTTP %ld", rep->status);
		else
			snprintf(reason, sizeof(reason), "%s", curl_easy_strerror(cc));
		delay = tsapi_backoff_ms(rep->attempts, randombytes_random());
		if (r == 0 && rep->retry_after_ms >= 0)
			delay = rep->retry_after_ms;
		if (rep->attempts >= max_attempts || delay > api->retry_budget_ms - waited) {
			if (r == 0)
				break;
			return tsapi_fail(err, RG_TSAPI_FAIL_LOCAL, 0, "%s %s: %s%s%s (%d attempt%s)",
					  rq->method, url, curl_easy_strerror(cc),
					  api->errbuf[0] ? ": " : "", api->errbuf, rep->attempts,
					  rep->attempts == 1 ? "" : "s");
		}
		info.attempt = rep->attempts;
		info.max_attempts = max_attempts;
		info.status = r == 0 ? rep->status : 0;
		info.reason = reason;
		info.delay_ms = delay;
		if (api->on_retry)
			api->on_retry(api->ctx, &info);
		tsapi_sleep_ms((double)delay * api->delay_scale);
		waited += delay;
	}
	if (rep->status < 200 || rep->status > 299)
		(void)tsapi_explain(rep, NULL, NULL);
	return 0;
}
