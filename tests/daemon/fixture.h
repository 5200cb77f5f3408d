/*
 * Test and benchmark fixture for relaygated: keys and signed tables in a
 * temporary directory, the daemon as a child process (stderr captured and
 * parsed for its addresses), metrics scraping, and UDP clients that speak
 * the client side of the protocol (include/relaygate/relay_client.h).
 *
 * Tables are real: fx_table_write() writes a policy and an inventory and runs
 * `relaygate compile` ($RELAYGATE) on them, as an operator would.
 */
#ifndef TESTS_DAEMON_FIXTURE_H
#define TESTS_DAEMON_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "relaygate/addrport.h"
#include "relaygate/disco_key.h"
#include "relaygate/relay_client.h"

#define FX_MAX_NODES 512
#define FX_RELAY "relay1"
#define FX_PATH 256

struct fx_node {
	char name[32];
	struct rg_disco_private priv;
	struct rg_disco_key pub;
	char keyfile[FX_PATH];
};

struct fx_env {
	char dir[64];
	unsigned char sign_pk[32], sign_sk[64];
	char trust[FX_PATH], table[FX_PATH], relay_keyfile[FX_PATH];
	struct rg_disco_private relay_priv;
	struct rg_disco_key relay_pub;
	struct fx_node nodes[FX_MAX_NODES];
	size_t nnodes;
};

/* -1 on failure (messages on stderr). */
int fx_env_init(struct fx_env *e);
void fx_env_free(struct fx_env *e);
struct fx_node *fx_node_add(struct fx_env *e, const char *name);
/* Node i is allowed on FX_RELAY when allowed[i] (the others are allowed on a
 * second relay only, so the table knows their keys); signed with sk (a
 * libsodium Ed25519 secret key; NULL: the trusted key). Written atomically by
 * `relaygate compile` (policy.hujson and inventory.json stay in e->dir). */
int fx_table_write(const struct fx_env *e, const char *path, uint64_t serial,
		   const bool *allowed, const unsigned char *sk);
int fx_write_file(const char *path, const char *data, size_t len);

struct fx_daemon {
	pid_t pid;
	int errfd;
	char *log;
	size_t loglen, logcap;
	bool has_udp[2], has_metrics;
	struct rg_addrport udp[2], metrics; /* [0] IPv4, [1] IPv6 */
	unsigned sockets;
	int status;                         /* after exit */
};

/*
 * Runs $RELAYGATED with --key, --table, --trust, --relay and --metrics
 * 127.0.0.1:0 from env, then args (NULL-terminated), with extra environment
 * variables env_extra ("K=V", NULL-terminated, or NULL). Waits for the
 * "ready" line. 0 ready; -1 it exited (d->status) or timed out.
 */
int fx_daemon_start(struct fx_daemon *d, const struct fx_env *e, const char *const *args,
		    const char *const *env_extra);
/* Runs it to completion (for -n and start-up failures); returns the exit
 * status, stdout+stderr in d->log. */
int fx_daemon_run(struct fx_daemon *d, const struct fx_env *e, const char *const *args,
		  bool standard_args);
bool fx_daemon_wait_log(struct fx_daemon *d, const char *needle, int timeout_ms);
/* SIGTERM; returns the exit status, or 128 + signal if it died of one. */
int fx_daemon_stop(struct fx_daemon *d);
void fx_daemon_kill(struct fx_daemon *d, int sig);
const char *fx_daemon_binary(void);

int fx_tcp_connect(const struct rg_addrport *a);
/* HTTP on loopback: sends req, returns the status (-1 on failure), body in
 * *body (malloc'd, NUL-terminated) when given. */
int fx_http(const struct rg_addrport *addr, const char *req, size_t reqlen, char **body);
char *fx_scrape(const struct fx_daemon *d);
/* The value of series (exact "name" or "name{labels}"), or -1 if absent. */
double fx_metric(const char *body, const char *series);
/* Scrapes until series == want (or the timeout); returns the last value. */
double fx_metric_wait(const struct fx_daemon *d, const char *series, double want,
		      int timeout_ms);

int fx_udp_socket(int family, struct rg_addrport *bound);
int fx_send(int fd, const struct rg_addrport *to, const uint8_t *p, size_t n);
/* -1 on timeout. */
ssize_t fx_recv(int fd, uint8_t *buf, size_t cap, int timeout_ms, struct rg_addrport *from);

struct fx_client {
	struct rg_relay_client c;
	int fd;
	struct rg_addrport addr;
	struct rg_addrport relay;  /* where this client talks to the relay */
};

int fx_client_init(struct fx_client *x, const struct fx_env *e, const struct fx_node *self,
		   const struct fx_node *peer, const struct rg_addrport *relay);
void fx_client_free(struct fx_client *x);
/* Sends an allocation request and waits for its response. */
int fx_allocate(struct fx_client *x, uint32_t gen, struct rg_relay_endpoint_info *info,
		int timeout_ms);
/* Bind, Challenge, Answer. */
int fx_bind(struct fx_client *x, uint32_t vni, uint32_t gen, int timeout_ms);
/* A disco Ping from -> to through the relay, and the Pong back. */
int fx_ping(struct fx_client *from, struct fx_client *to, uint32_t vni, int timeout_ms);

#endif
