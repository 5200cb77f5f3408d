/* Turning what the server said into safe, useful text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tsapi/internal.h"

/* How much of a non-JSON error body is quoted in a message. */
#define EXCERPT_MAX 200
#define MESSAGE_MAX 600

int tsapi_fail(struct rg_tsapi_error *err, enum rg_tsapi_fail kind, long status,
	       const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	err->kind = kind;
	err->status = status;
	va_start(ap, fmt);
	rg_err_vset(&err->err, fmt, ap);
	va_end(ap);
	return -1;
}

void tsapi_put_sanitized(struct rg_buf *b, const char *s, size_t n)
{
	size_t i, run = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != 0x7f &&
		    !(c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
		      (unsigned char)s[i + 1] <= 0x9f))
			continue;
		rg_buf_append(b, s + run, i - run);
		if (c == 0xc2) {
			/* A C1 control (U+0080..U+009F), e.g. a lone CSI. */
			rg_buf_printf(b, "\\u%04x", (unsigned char)s[i + 1]);
			i++;
		} else {
			rg_buf_printf(b, "\\x%02x", c);
		}
		run = i + 1;
	}
	rg_buf_append(b, s + run, n - run);
}

/* Appends the strings of array arr as lines "    KIND: text", up to the notes limit. */
static size_t put_items(struct rg_buf *b, json_t *arr, const char *kind, const char *indent)
{
	size_t i, count = 0;
	json_t *v;

	json_array_foreach(arr, i, v) {
		if (!json_is_string(v))
			continue;
		count++;
		if (b->len > TSAPI_NOTES_MAX - 1024)
			continue;
		rg_buf_printf(b, "%s%s: ", indent, kind);
		tsapi_put_sanitized(b, json_string_value(v), json_string_length(v));
		rg_buf_putc(b, '\n');
	}
	return count;
}

static char *take_or_null(struct rg_buf *b)
{
	char *p;

	if (b->len == 0 || rg_buf_failed(b)) {
		rg_buf_free(b);
		return NULL;
	}
	p = rg_buf_take(b, NULL);
	return p;
}

int tsapi_explain(struct rg_tsapi_reply *rep, size_t *nerrors, size_t *nwarnings)
{
	struct rg_buf msg, notes;
	json_error_t jerr;
	json_t *root, *m, *data, *entry;
	size_t i, ne = 0, nw = 0, omitted = 0;

	if (nerrors)
		*nerrors = 0;
	if (nwarnings)
		*nwarnings = 0;
	root = json_loadb(rep->body ? rep->body : "", rep->len, JSON_DECODE_ANY, &jerr);
	if (!root)
		return -1;
	if (!json_is_object(root) && !json_is_null(root)) {
		json_decref(root);
		return -1;
	}
	rg_buf_init(&msg, MESSAGE_MAX + 64);
	rg_buf_init(&notes, TSAPI_NOTES_MAX);
	m = json_object_get(root, "message");
	if (json_is_string(m) && json_string_length(m) > 0) {
		size_t n = json_string_length(m);

		tsapi_put_sanitized(&msg, json_string_value(m), n < MESSAGE_MAX ? n : MESSAGE_MAX);
		if (n > MESSAGE_MAX)
			rg_buf_puts(&msg, "...");
	}
	data = json_object_get(root, "data");
	json_array_foreach(data, i, entry) {
		json_t *user = json_object_get(entry, "user");
		size_t before = notes.len, e, w;
		const char *indent = "  ";

		if (!json_is_object(entry))
			continue;
		if (notes.len > TSAPI_NOTES_MAX - 1024) {
			omitted++;
			continue;
		}
		if (json_is_string(user) && json_string_length(user) > 0) {
			rg_buf_puts(&notes, "  for ");
			tsapi_put_sanitized(&notes, json_string_value(user), json_string_length(user));
			rg_buf_puts(&notes, ":\n");
			indent = "    ";
		}
		e = put_items(&notes, json_object_get(entry, "errors"), "error", indent);
		w = put_items(&notes, json_object_get(entry, "warnings"), "warning", indent);
		if (e == 0 && w == 0)
			notes.len = before; /* nothing to say about this user */
		if (notes.data)
			notes.data[notes.len] = '\0';
		ne += e;
		nw += w;
	}
	if (omitted)
		rg_buf_printf(&notes, "  ... (%zu more entries not shown)\n", omitted);
	free(rep->message);
	free(rep->notes);
	rep->message = take_or_null(&msg);
	rep->notes = take_or_null(&notes);
	json_decref(root);
	if (nerrors)
		*nerrors = ne;
	if (nwarnings)
		*nwarnings = nw;
	return 0;
}

/* The server's message, or an excerpt of a body that is not the usual JSON. */
static void server_says(const struct rg_tsapi_reply *rep, struct rg_buf *b)
{
	size_t n;

	if (rep->message) {
		rg_buf_puts(b, rep->message);
		return;
	}
	n = rep->len;
	while (n && (rep->body[n - 1] == '\n' || rep->body[n - 1] == '\r' ||
		     rep->body[n - 1] == ' '))
		n--;
	if (n == 0) {
		rg_buf_puts(b, "(no message)");
		return;
	}
	rg_buf_putc(b, '\'');
	tsapi_put_sanitized(b, rep->body, n < EXCERPT_MAX ? n : EXCERPT_MAX);
	rg_buf_puts(b, n > EXCERPT_MAX ? "'..." : "'");
}

int tsapi_refused(const struct rg_tsapi *api, const struct rg_tsapi_reply *rep,
		  struct rg_tsapi_error *err)
{
	struct rg_buf b;
	long s = rep->status;
	const char *what = "", *advice = "";
	char tries[64] = "";

	rg_buf_init(&b, 4 * RG_ERR_MAX);
	switch (s) {
	case 401:
		what = " (unauthorized)";
		advice = "; the API key or OAuth client was rejected (mistyped, expired or revoked?)";
		break;
	case 403:
		what = " (forbidden)";
		advice = "; the credential lacks the scope this call needs (policy_file, "
			 "policy_file:read to read, devices:core:read for devices)";
		break;
	case 404:
		what = " (not found)";
		advice = "; check the tailnet name and the base URL";
		break;
	case 412:
		what = " (precondition failed)";
		advice = "; the tailnet policy was changed since that ETag was read: pull it "
			 "again, merge your change and push with the new ETag";
		break;
	case 429:
		what = " (rate limited)";
		break;
	default:
		if (s >= 300 && s <= 399)
			what = " (redirect, not followed)";
		else if (s >= 500)
			what = " (server error)";
		break;
	}
	if (tsapi_status_retryable(s))
		snprintf(tries, sizeof(tries), " after %d attempt%s", rep->attempts,
			 rep->attempts == 1 ? "" : "s");
	rg_buf_printf(&b, "HTTP %ld%s%s: ", s, what, tries);
	server_says(rep, &b);
	rg_buf_puts(&b, advice);
	if (s == 404)
		rg_buf_printf(&b, " (tailnet '%s', %s)", api->tailnet, api->base);
	if (tsapi_status_retryable(s) && rep->attempts <= api->retries) {
		if (rep->retry_after_ms >= 0)
			rg_buf_printf(&b, " (the server asked to wait %ld s, beyond the retry "
				      "budget)", rep->retry_after_ms / 1000);
		else
			rg_buf_puts(&b, " (retry budget spent)");
	}
	/* A full buffer fails as a whole: fall back to the bare status. */
	if (rg_buf_failed(&b))
		tsapi_fail(err, RG_TSAPI_FAIL_API, s, "HTTP %ld%s", s, what);
	else
		tsapi_fail(err, RG_TSAPI_FAIL_API, s, "%s", b.data);
	rg_buf_free(&b);
	return -1;
}
