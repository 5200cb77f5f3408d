/* Shared between the files of src/tsapi (not installed). */
#ifndef RG_TSAPI_INTERNAL_H
#define RG_TSAPI_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "relaygate/tsapi.h"
#include "util/buf.h"

#define TSAPI_BASE_MAX 256
/* Server explanations kept in a reply (message, notes) are cut at this size. */
#define TSAPI_NOTES_MAX ((size_t)64 << 10)
/* Error bodies, the token answer and validation answers are small. */
#define TSAPI_SMALL_BODY ((size_t)1 << 20)

struct rg_tsapi {
	CURL *curl;
	char base[TSAPI_BASE_MAX];
	char *tailnet;              /* as given, for messages */
	char *tailnet_esc;          /* percent-encoded, for paths */
	int plain_http;
	char *ca_file;              /* NULL: libcurl's default CA store */
	/* Secrets: wiped before they are freed. */
	char *api_key;
	char *client_id;
	char *client_secret;
	char *token;                /* OAuth access token */
	uint64_t token_expiry_ms;   /* CLOCK_MONOTONIC */
	long connect_timeout_ms;
	long timeout_ms;
	int retries;
	long retry_budget_ms;
	double delay_scale;
	void (*on_retry)(void *ctx, const struct rg_tsapi_retry *r);
	void *ctx;
	char errbuf[CURL_ERROR_SIZE];
};

struct tsapi_req {
	const char *method;         /* "GET" or "POST" */
	const char *path;           /* appended to the base URL; already escaped */
	const char *accept;
	const char *content_type;   /* POST only */
	const void *body;           /* POST only */
	size_t body_len;
	const char *if_match;       /* checked and quoted, or NULL */
	size_t max_response;
	int no_auth;                /* the token request carries its credentials in the body */
};

/*
 * Runs rq with retries. Returns 0 once an HTTP response is final, whatever
 * its status (rep filled; a non-2xx answer's {message, data} rendered into
 * rep->message and rep->notes); -1 with err filled when no usable response
 * came (transport failure after the retries, body too large, credentials).
 */
int tsapi_request(struct rg_tsapi *api, const struct tsapi_req *rq, struct rg_tsapi_reply *rep,
		  struct rg_tsapi_error *err);

/* Fills err (RG_TSAPI_FAIL_API) for a reply whose status is not 2xx. */
int tsapi_refused(const struct rg_tsapi *api, const struct rg_tsapi_reply *rep,
		  struct rg_tsapi_error *err);

/* Sets err; always returns -1. */
int tsapi_fail(struct rg_tsapi_error *err, enum rg_tsapi_fail kind, long status,
	       const char *fmt, ...) RG_PRINTF(4, 5);

/*
 * Reads {message, data:[{user, errors, warnings}]} from a JSON body into
 * rep->message and rep->notes and counts the errors and warnings. Returns
 * -1 if the body is not a JSON object or null (rep untouched), 0 otherwise.
 */
int tsapi_explain(struct rg_tsapi_reply *rep, size_t *nerrors, size_t *nwarnings);

/* Appends s with control characters (C0, DEL, C1) escaped as \xNN / \u00NN. */
void tsapi_put_sanitized(struct rg_buf *b, const char *s, size_t n);

/* Pure helpers (retry.c). */
int tsapi_status_retryable(long status);
int tsapi_curl_retryable(CURLcode cc);
long tsapi_backoff_ms(int attempt, uint32_t rnd);
uint64_t tsapi_now_ms(void);
void tsapi_sleep_ms(double ms);

#endif
