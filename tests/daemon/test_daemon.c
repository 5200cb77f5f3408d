/*
 * relaygated end to end, on loopback: the tests start and stop the daemon
 * ($RELAYGATED, built with the test-only table) and play its clients with
 * the project's client library. Every wait is bounded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include <netinet/in.h>
#include <netinet/udp.h>

#include "relaygate/disco.h"
#include "relaygate/geneve.h"
#include "relaygate/relay_endpoint_json.h"
#include "relaygate/relay_steer.h"
#include "fixture.h"
#include "util/udp_offload.h"

#define T_MS 3000     /* an answer that should come */
#define QUIET_MS 300  /* how long silence is awaited */

struct world {
	struct fx_env env;
	struct fx_node *a, *b, *c; /* a, b allowed; c known but not allowed */
	struct fx_daemon d;
	bool running;
};

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	bool allowed[3] = { true, true, false };

	if (!w || fx_env_init(&w->env) < 0)
		return -1;
	w->a = fx_node_add(&w->env, "alice");
	w->b = fx_node_add(&w->env, "bob");
	w->c = fx_node_add(&w->env, "carol");
	if (!w->a || !w->b || !w->c ||
	    fx_table_write(&w->env, w->env.table, 1, allowed, NULL) < 0)
		return -1;
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;

	if (w->running)
		fx_daemon_stop(&w->d);
	free(w->d.log);
	fx_env_free(&w->env);
	free(w);
	return 0;
}

static void start(struct world *w, const char *const *args)
{
	assert_int_equal(fx_daemon_start(&w->d, &w->env, args, NULL), 0);
	w->running = true;
}

static void stop_ok(struct world *w)
{
	assert_int_equal(fx_daemon_stop(&w->d), 0);
	w->running = false;
}

static double metric(struct world *w, const char *series)
{
	char *body = fx_scrape(&w->d);
	double v;

	assert_non_null(body);
	v = fx_metric(body, series);
	free(body);
	return v;
}

/* a allocates {a, b}; both bind; returns the VNI. */
static uint32_t session(struct world *w, struct fx_client *ca, struct fx_client *cb,
			const struct rg_addrport *ra, const struct rg_addrport *rb)
{
	struct rg_relay_endpoint_info info;

	assert_int_equal(fx_client_init(ca, &w->env, w->a, w->b, ra), 0);
	assert_int_equal(fx_client_init(cb, &w->env, w->b, w->a, rb), 0);
	assert_int_equal(fx_allocate(ca, 1, &info, T_MS), 0);
	assert_int_equal(rg_relay_client_set_server(&cb->c, &info.server_disco), 0);
	assert_int_equal(fx_bind(ca, info.vni, 1, T_MS), 0);
	assert_int_equal(fx_bind(cb, info.vni, 1, T_MS), 0);
	return info.vni;
}

/* Bound legs forward; the Answer is not acknowledged, so retry a little. */
static void ping_ok(struct fx_client *x, struct fx_client *y, uint32_t vni)
{
	for (int i = 0; i < 10; i++)
		if (fx_ping(x, y, vni, 300) == 0)
			return;
	fail_msg("no ping through the relay");
}

static void test_allowed_pair_forwards(void **state)
{
	struct world *w = *state;
	const char *args[] = { "--listen", "127.0.0.1:0", "--sockets", "2", NULL };
	struct rg_relay_endpoint_info info;
	struct fx_client ca, cb;
	uint32_t vni;

	start(w, args);
	assert_true(w->d.has_udp[0] && w->d.has_metrics);
	assert_int_equal(w->d.sockets, 2);
	vni = session(w, &ca, &cb, &w->d.udp[0], &w->d.udp[0]);
	ping_ok(&ca, &cb, vni);
	ping_ok(&cb, &ca, vni);
	/* The response named the listen address with its bound port. */
	assert_int_equal(fx_allocate(&ca, 2, &info, T_MS), 0);
	assert_int_equal(info.vni, vni); /* same pair, same endpoint */
	assert_int_equal(info.n_addrs, 1);
	assert_true(rg_addrport_equal(&info.addrs[0], &w->d.udp[0]));
	assert_true(metric(w, "tailscaled_peer_relay_forwarded_packets_total{transport_in=\"udp4\","
			   "transport_out=\"udp4\"}") >= 4);
	assert_true(metric(w, "tailscaled_peer_relay_endpoints{state=\"open\"}") == 1);
	assert_true(metric(w, "relaygated_allocations_total{result=\"allowed\",reason=\"new\"}") ==
		    1);
	assert_true(metric(w, "relaygated_allocations_total{result=\"allowed\","
			   "reason=\"existing\"}") == 1);
	assert_true(metric(w, "relaygated_handoff_packets_total") == 0);
	fx_client_free(&ca);
	fx_client_free(&cb);
	stop_ok(w);
}

/* -n checks keys, trusted keys and the table, then exits; errors exit 2
 * and a bad table at start-up never serves. */
static void test_check_config(void **state)
{
	struct world *w = *state;
	const char *ok[] = { "--listen", "127.0.0.1:0", "-n", NULL };
	const char *wildcard[] = { "--listen", "0.0.0.0:0", "-n", NULL };
	const char *norelay[] = { "--listen", "127.0.0.1:0", "--relay", "nosuch", "-n", NULL };
	const char *wrongkey[] = { "--listen", "127.0.0.1:0", "--key", w->c->keyfile, "-n", NULL };
	const char *serve[] = { "--listen", "127.0.0.1:0", NULL };
	const char *unknown[] = { "--listen", "127.0.0.1:0", "--frobnicate", NULL };
	const char *minserial[] = { "--listen", "127.0.0.1:0", "--table-min-serial", "2", "-n",
				    NULL };
	char cfg[FX_PATH + 16], *text;
	unsigned char pk[32], sk[64];
	bool allowed[3] = { true, true, false };
	struct fx_daemon d;

	assert_int_equal(fx_daemon_run(&d, &w->env, ok, true), 0);
	assert_non_null(strstr(d.log, "configuration OK"));
	free(d.log);
	assert_int_equal(fx_daemon_run(&d, &w->env, wildcard, true), 2);
	assert_non_null(strstr(d.log, "needs --advertise"));
	free(d.log);
	assert_int_equal(fx_daemon_run(&d, &w->env, norelay, true), 2);
	assert_non_null(strstr(d.log, "no relay named"));
	free(d.log);
	assert_int_equal(fx_daemon_run(&d, &w->env, wrongkey, true), 2);
	assert_non_null(strstr(d.log, "disco key"));
	free(d.log);
	assert_int_equal(fx_daemon_run(&d, &w->env, unknown, true), 2);
	free(d.log);
	/* A table below --table-min-serial is a rollback, at start too. */
	assert_int_equal(fx_daemon_run(&d, &w->env, minserial, true), 2);
	assert_non_null(strstr(d.log, "serial"));
	free(d.log);
	/* The same options from a file. */
	snprintf(cfg, sizeof(cfg), "%s/relaygated.conf", w->env.dir);
	assert_true(asprintf(&text, "# relaygated\nlisten 127.0.0.1:0\nkey %s\ntable %s\n"
			     "trust %s\nrelay %s\nrequire-both\n", w->env.relay_keyfile,
			     w->env.table, w->env.trust, FX_RELAY) > 0);
	assert_int_equal(fx_write_file(cfg, text, strlen(text)), 0);
	free(text);
	{
		const char *args[] = { "--config", cfg, "-n", NULL };

		assert_int_equal(fx_daemon_run(&d, &w->env, args, false), 0);
		free(d.log);
	}
	/* A table signed by an untrusted key: refused, at -n and at start. */
	crypto_sign_keypair(pk, sk);
	assert_int_equal(fx_table_write(&w->env, w->env.table, 1, allowed, sk), 0);
	assert_int_equal(fx_daemon_run(&d, &w->env, ok, true), 2);
	assert_non_null(strstr(d.log, "not a trusted key"));
	free(d.log);
	assert_int_equal(fx_daemon_run(&d, &w->env, serve, true), 2);
	assert_null(strstr(d.log, "msg=ready"));
	free(d.log);
	/* Garbage: the same. */
	assert_int_equal(fx_write_file(w->env.table, "junk\n", 5), 0);
	assert_int_equal(fx_daemon_run(&d, &w->env, serve, true), 2);
	assert_null(strstr(d.log, "msg=ready"));
	free(d.log);
}

/* Adds n nodes named PREFIX0.., then writes a table allowing every node
 * but carol (the third); allowed must hold one flag per node. */
static void add_nodes(struct world *w, const char *prefix, struct fx_node **nodes, int n,
		      bool *allowed)
{
	for (int i = 0; i < n; i++) {
		char name[16];

		snprintf(name, sizeof(name), "%s%d", prefix, i);
		nodes[i] = fx_node_add(&w->env, name);
		assert_non_null(nodes[i]);
	}
	for (size_t i = 0; i < w->env.nnodes; i++)
		allowed[i] = i != 2;
	assert_int_equal(fx_table_write(&w->env, w->env.table, 1, allowed, NULL), 0);
}

/* Lines of the daemon's log so far that contain needle. */
static int count_lines(struct fx_daemon *d, const char *needle)
{
	int n = 0;

	fx_daemon_wait_log(d, "\n\n", 50); /* read what is pending */
	for (const char *p = d->log; p && (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* Expects silence on x. */
static void quiet(struct fx_client *x)
{
	uint8_t buf[2048];

	assert_true(fx_recv(x->fd, buf, sizeof(buf), QUIET_MS, NULL) < 0);
}

static void send_ok(struct fx_client *x, const uint8_t *p, size_t n)
{
	assert_int_equal(fx_send(x->fd, &x->relay, p, n), 0);
}

/* Sends p and expects silence. */
static void no_answer(struct fx_client *x, const uint8_t *p, size_t n)
{
	send_ok(x, p, n);
	quiet(x);
}

static void expect_metric(struct world *w, const char *series, double want)
{
	double v = fx_metric_wait(&w->d, series, want, T_MS);

	if (v != want)
		fail_msg("%s = %g, want %g", series, v, want);
}

/* A node without the grant, an unknown key, weak keys: no reply, and the
 * denied counters move; nobody outside the table costs a key agreement. */
static void test_denied(void **state)
{
	struct world *w = *state;
	const char *args[] = { "--listen", "127.0.0.1:0", NULL };
	struct rg_relay_endpoint_info info;
	struct fx_client cc, ca, cu;
	struct fx_node *u;
	struct rg_disco_key weak;
	uint8_t pkt[RG_RELAY_CLIENT_PACKET_MAX];
	size_t n;

	start(w, args);
	/* carol is in the table but not allowed on this relay. */
	assert_int_equal(fx_client_init(&cc, &w->env, w->c, w->a, &w->d.udp[0]), 0);
	assert_true(fx_allocate(&cc, 1, &info, QUIET_MS) < 0);
	expect_metric(w, "relaygated_allocations_total{result=\"denied\",reason=\"no_grant\"}", 1);
	assert_true(fx_daemon_wait_log(&w->d, "reason=no_grant node=carol", T_MS));
	/* A key the table has never heard of. */
	u = fx_node_add(&w->env, "stranger");
	assert_non_null(u);
	assert_int_equal(fx_client_init(&cu, &w->env, u, w->a, &w->d.udp[0]), 0);
	for (uint32_t g = 1; g <= 20; g++) {
		assert_int_equal(rg_relay_client_alloc_request(&cu.c, g, pkt, sizeof(pkt), &n), 0);
		assert_int_equal(fx_send(cu.fd, &cu.relay, pkt, n), 0);
	}
	assert_true(fx_allocate(&cu, 21, &info, QUIET_MS) < 0);
	expect_metric(w, "relaygated_allocations_total{result=\"denied\",reason=\"unknown_key\"}",
		      21);
	/* A flood of them is counted in full but logged rate-limited, and the
	 * next line says how many were left out. */
	for (uint32_t g = 100; g < 400; g++) {
		assert_int_equal(rg_relay_client_alloc_request(&cu.c, g, pkt, sizeof(pkt), &n), 0);
		assert_int_equal(fx_send(cu.fd, &cu.relay, pkt, n), 0);
	}
	expect_metric(w, "relaygated_allocations_total{result=\"denied\",reason=\"unknown_key\"}",
		      321);
	assert_true(count_lines(&w->d, "reason=unknown_key") <= 2 * 20 + 10);
	nanosleep(&(struct timespec){ .tv_nsec = 400 * 1000 * 1000 }, NULL);
	assert_int_equal(rg_relay_client_alloc_request(&cu.c, 400, pkt, sizeof(pkt), &n), 0);
	assert_int_equal(fx_send(cu.fd, &cu.relay, pkt, n), 0);
	assert_true(fx_daemon_wait_log(&w->d, "reason=unknown_key node=d:", T_MS));
	expect_metric(w, "relaygated_log_lines_suppressed_total",
		      321 + 1 - count_lines(&w->d, "reason=unknown_key"));
	/* Every small-order encoding as the sender. */
	for (size_t i = 0; i < RG_DISCO_WEAK_KEY_COUNT; i++) {
		rg_disco_weak_key(i, &weak);
		memcpy(pkt + RG_DISCO_MAGIC_LEN, weak.b, RG_DISCO_KEY_LEN);
		send_ok(&cu, pkt, n);
	}
	quiet(&cu);
	expect_metric(w, "relaygated_allocations_total{result=\"denied\",reason=\"weak_key\"}",
		      RG_DISCO_WEAK_KEY_COUNT);
	assert_true(metric(w, "relaygated_key_agreements_total") == 0);
	/* An allowed sender naming a weak peer, itself twice, or others. */
	assert_int_equal(fx_client_init(&ca, &w->env, w->a, w->b, &w->d.udp[0]), 0);
	rg_disco_weak_key(0, &weak);
	assert_int_equal(rg_relay_client_alloc_request_raw(&ca.c, &w->a->pub, &weak, 1,
							   RG_RELAY_CLIENT_REQUEST_PLAIN, pkt,
							   sizeof(pkt), &n), 0);
	send_ok(&ca, pkt, n);
	assert_int_equal(rg_relay_client_alloc_request_raw(&ca.c, &w->a->pub, &w->a->pub, 2,
							   RG_RELAY_CLIENT_REQUEST_PLAIN, pkt,
							   sizeof(pkt), &n), 0);
	send_ok(&ca, pkt, n);
	assert_int_equal(rg_relay_client_alloc_request_raw(&ca.c, &w->b->pub, &w->c->pub, 3,
							   RG_RELAY_CLIENT_REQUEST_PLAIN, pkt,
							   sizeof(pkt), &n), 0);
	send_ok(&ca, pkt, n);
	/* Not padded to pay for the response (anti-amplification). */
	assert_int_equal(rg_relay_client_alloc_request_raw(&ca.c, &w->a->pub, &w->b->pub, 4, 0,
							   pkt, sizeof(pkt), &n), 0);
	send_ok(&ca, pkt, n);
	/* A pair naming the relay's own key. */
	assert_int_equal(rg_relay_client_alloc_request_raw(&ca.c, &w->a->pub, &w->env.relay_pub, 5,
							   RG_RELAY_CLIENT_REQUEST_PLAIN, pkt,
							   sizeof(pkt), &n), 0);
	no_answer(&ca, pkt, n);
	expect_metric(w, "relaygated_allocations_total{result=\"denied\",reason=\"weak_key\"}",
		      RG_DISCO_WEAK_KEY_COUNT + 1);
	expect_metric(w, "relaygated_allocations_total{result=\"denied\",reason=\"same_pair\"}", 1);
	expect_metric(w, "relaygated_allocations_total{result=\"denied\","
		      "reason=\"not_participant\"}", 1);
	expect_metric(w, "relaygated_allocations_total{result=\"denied\","
		      "reason=\"short_request\"}", 1);
	expect_metric(w, "relaygated_allocations_total{result=\"denied\",reason=\"relay_key\"}", 1);
	/* The allowed node still gets its endpoint. */
	assert_int_equal(fx_allocate(&ca, 6, &info, T_MS), 0);
	fx_client_free(&ca);
	fx_client_free(&cc);
	fx_client_free(&cu);
	stop_ok(w);
}

static void test_require_both(void **state)
{
	struct world *w = *state;
	const char *args[] = { "--listen", "127.0.0.1:0", "--require-both", NULL };
	struct rg_relay_endpoint_info info;
	struct fx_client ca, cb;

	start(w, args);
	assert_int_equal(fx_client_init(&ca, &w->env, w->a, w->c, &w->d.udp[0]), 0);
	assert_true(fx_allocate(&ca, 1, &info, QUIET_MS) < 0);
	expect_metric(w, "relaygated_allocations_total{result=\"denied\","
		      "reason=\"peer_no_grant\"}", 1);
	assert_int_equal(fx_client_init(&cb, &w->env, w->a, w->b, &w->d.udp[0]), 0);
	assert_int_equal(fx_allocate(&cb, 2, &info, T_MS), 0);
	fx_client_free(&ca);
	fx_client_free(&cb);
	stop_ok(w);
}

/* Recorded Bind, Answer and allocation request, replayed from the same and
 * another address, after the handshake: nothing changes. */
static void test_replay(void **state)
{
	struct world *w = *state;
	const char *args[] = { "--listen", "127.0.0.1:0", NULL };
	uint8_t bind[256], answer[256], req[RG_RELAY_CLIENT_PACKET_MAX], in[512];
	uint8_t ch[RG_DISCO_CHALLENGE_LEN];
	struct rg_relay_endpoint_info info;
	struct fx_client ca, cb, evil;
	size_t nb, na, nr;
	ssize_t r;

	start(w, args);
	assert_int_equal(fx_client_init(&ca, &w->env, w->a, w->b, &w->d.udp[0]), 0);
	assert_int_equal(fx_client_init(&cb, &w->env, w->b, w->a, &w->d.udp[0]), 0);
	assert_int_equal(fx_client_init(&evil, &w->env, w->a, w->b, &w->d.udp[0]), 0);
	assert_int_equal(rg_relay_client_alloc_request(&ca.c, 7, req, sizeof(req), &nr), 0);
	assert_int_equal(fx_send(ca.fd, &ca.relay, req, nr), 0);
	r = fx_recv(ca.fd, in, sizeof(in), T_MS, NULL);
	assert_true(r > 0);
	assert_int_equal(rg_relay_client_alloc_response(&ca.c, in, (size_t)r, 7, &info), 0);
	assert_int_equal(rg_relay_client_set_server(&cb.c, &info.server_disco), 0);
	/* a's handshake, recorded. */
	assert_int_equal(rg_relay_client_bind(&ca.c, RG_DISCO_BIND, info.vni, 1, NULL, bind,
					      sizeof(bind), &nb), 0);
	assert_int_equal(fx_send(ca.fd, &ca.relay, bind, nb), 0);
	r = fx_recv(ca.fd, in, sizeof(in), T_MS, NULL);
	assert_true(r > 0);
	assert_int_equal(rg_relay_client_challenge(&ca.c, in, (size_t)r, info.vni, 1, ch), 0);
	assert_int_equal(rg_relay_client_bind(&ca.c, RG_DISCO_BIND_ANSWER, info.vni, 1, ch, answer,
					      sizeof(answer), &na), 0);
	assert_int_equal(fx_send(ca.fd, &ca.relay, answer, na), 0);
	assert_int_equal(fx_bind(&cb, info.vni, 1, T_MS), 0);
	ping_ok(&ca, &cb, info.vni);
	expect_metric(w, "relaygated_binds_total", 2);
	/* Replays from the bound address and from another one. */
	for (int i = 0; i < 5; i++) {
		send_ok(&ca, bind, nb);
		send_ok(&ca, answer, na);
		send_ok(&evil, bind, nb);
		send_ok(&evil, answer, na);
	}
	quiet(&ca);
	quiet(&evil);
	/* The allocation request from another address gets nothing. */
	no_answer(&evil, req, nr);
	expect_metric(w, "relaygated_allocations_total{result=\"denied\",reason=\"replay\"}", 1);
	assert_true(metric(w, "relaygated_binds_total") == 2);
	assert_true(metric(w, "relaygated_challenges_total") == 2);
	assert_true(metric(w, "relaygated_dropped_packets_total{reason=\"stale_generation\"}") +
			    metric(w, "relaygated_dropped_packets_total{reason=\"no_handshake\"}") ==
		    20);
	/* Still bound where it was: data from elsewhere goes nowhere. */
	ping_ok(&ca, &cb, info.vni);
	ping_ok(&cb, &ca, info.vni);
	assert_true(fx_ping(&evil, &cb, info.vni, QUIET_MS) < 0);
	expect_metric(w, "relaygated_dropped_packets_total{reason=\"unknown_source\"}", 1);
	fx_client_free(&ca);
	fx_client_free(&cb);
	fx_client_free(&evil);
	stop_ok(w);
}

struct mclass {
	const char *reason;
	struct fx_client *from;
	const uint8_t *p;
	size_t n;
};

static size_t geneve(uint8_t *p, bool control, uint16_t proto, uint32_t vni, size_t len)
{
	struct rg_geneve_header h = { .control = control, .protocol = proto, .vni = vni };

	memset(p, 0xab, len);
	assert_int_equal(rg_geneve_encode(&h, p), 0);
	return len;
}

/* Every malformed class, 100 times each: dropped under its reason, no
 * forward, no crash; the session keeps working. */
static void test_malformed(void **state)
{
	struct world *w = *state;
	const char *args[] = { "--listen", "127.0.0.1:0", "--sockets", "2", NULL };
	struct fx_client ca, cb, other;
	uint8_t req[RG_RELAY_CLIENT_PACKET_MAX], big[4096], p[256];
	const char *fwd = "tailscaled_peer_relay_forwarded_packets_total{transport_in=\"udp4\","
			  "transport_out=\"udp4\"}";
	double forwarded;
	uint32_t vni;
	size_t nr;
	struct mclass cls[9];
	size_t ncls = 0;
	static uint8_t bad_magic[RG_RELAY_CLIENT_PACKET_MAX], bad_box[RG_RELAY_CLIENT_PACKET_MAX];
	static uint8_t wrong_vni[64], wrong_src[64], ctl_wg[64], data_proto[64], opts[64];

	start(w, args);
	vni = session(w, &ca, &cb, &w->d.udp[0], &w->d.udp[0]);
	ping_ok(&ca, &cb, vni);
	assert_int_equal(fx_client_init(&other, &w->env, w->c, w->a, &w->d.udp[0]), 0);
	assert_int_equal(rg_relay_client_alloc_request(&ca.c, 99, req, sizeof(req), &nr), 0);
	memcpy(bad_magic, req, nr);
	bad_magic[5] ^= 0xff;
	memcpy(bad_box, req, nr);
	bad_box[nr - 1] ^= 1;
	memcpy(big, req, 64);
	geneve(wrong_vni, false, RG_GENEVE_PROTO_WIREGUARD, vni + 1, sizeof(wrong_vni));
	geneve(wrong_src, false, RG_GENEVE_PROTO_WIREGUARD, vni, sizeof(wrong_src));
	geneve(ctl_wg, true, RG_GENEVE_PROTO_WIREGUARD, vni, sizeof(ctl_wg));
	geneve(data_proto, false, 0x0800, vni, sizeof(data_proto));
	geneve(opts, false, RG_GENEVE_PROTO_WIREGUARD, vni, sizeof(opts));
	opts[0] |= 2;
	memset(p, 0, sizeof(p));
	cls[ncls++] = (struct mclass){ "short", &other, p, 5 };
	cls[ncls++] = (struct mclass){ "geneve_version", &other, bad_magic, nr };
	cls[ncls++] = (struct mclass){ "bad_box", &ca, bad_box, nr };
	cls[ncls++] = (struct mclass){ "unknown_vni", &ca, wrong_vni, sizeof(wrong_vni) };
	cls[ncls++] = (struct mclass){ "unknown_source", &other, wrong_src, sizeof(wrong_src) };
	cls[ncls++] = (struct mclass){ "oversize", &ca, big, sizeof(big) };
	cls[ncls++] = (struct mclass){ "control_protocol", &ca, ctl_wg, sizeof(ctl_wg) };
	cls[ncls++] = (struct mclass){ "data_protocol", &ca, data_proto, sizeof(data_proto) };
	cls[ncls++] = (struct mclass){ "geneve_options", &ca, opts, sizeof(opts) };
	forwarded = metric(w, fwd);
	for (size_t k = 0; k < ncls; k++) {
		char series[128];

		for (int i = 0; i < 100; i++)
			assert_int_equal(fx_send(cls[k].from->fd, &cls[k].from->relay, cls[k].p,
						 cls[k].n), 0);
		snprintf(series, sizeof(series), "relaygated_dropped_packets_total{reason=\"%s\"}",
			 cls[k].reason);
		expect_metric(w, series, 100);
	}
	assert_true(metric(w, fwd) == forwarded);
	assert_int_equal(fx_http(&w->d.metrics, "GET /healthz HTTP/1.1\r\n\r\n", 25, NULL), 200);
	ping_ok(&ca, &cb, vni);
	ping_ok(&cb, &ca, vni);
	fx_client_free(&ca);
	fx_client_free(&cb);
	fx_client_free(&other);
	stop_ok(w);
}

static void reload(struct world *w, double ok, double failed)
{
	fx_daemon_kill(&w->d, SIGHUP);
	expect_metric(w, "relaygated_config_reloads_total{result=\"success\"}", ok);
	expect_metric(w, "relaygated_config_reloads_total{result=\"failure\"}", failed);
}

/* A reload that revokes the allocator's grant closes its endpoint. */
static void test_reload_revokes(void **state)
{
	struct world *w = *state;
	const char *args[] = { "--listen", "127.0.0.1:0", "--sockets", "2", NULL };
	bool only_bob[3] = { false, true, false };
	struct rg_relay_endpoint_info info;
	struct fx_client ca, cb;
	uint32_t vni;

	start(w, args);
	vni = session(w, &ca, &cb, &w->d.udp[0], &w->d.udp[0]);
	ping_ok(&ca, &cb, vni);
	assert_int_equal(fx_table_write(&w->env, w->env.table, 2, only_bob, NULL), 0);
	reload(w, 1, 0);
	expect_metric(w, "relaygated_table_serial", 2);
	expect_metric(w, "tailscaled_peer_relay_endpoints{state=\"open\"}", 0);
	expect_metric(w, "relaygated_endpoints_revoked_total", 1);
	assert_true(fx_daemon_wait_log(&w->d, "msg=\"endpoints revoked\"", T_MS));
	assert_true(fx_ping(&ca, &cb, vni, QUIET_MS) < 0);
	assert_true(fx_allocate(&ca, 2, &info, QUIET_MS) < 0);
	expect_metric(w, "relaygated_allocations_total{result=\"denied\",reason=\"no_grant\"}", 1);
	fx_client_free(&ca);
	fx_client_free(&cb);
	stop_ok(w);
}

static void corrupt_byte(const char *path, long off)
{
	FILE *f = fopen(path, "r+b");
	int c;

	assert_non_null(f);
	assert_int_equal(fseek(f, off, SEEK_SET), 0);
	c = fgetc(f);
	assert_true(c != EOF);
	assert_int_equal(fseek(f, off, SEEK_SET), 0);
	assert_true(fputc(c ^ 0x01, f) != EOF);
	assert_int_equal(fclose(f), 0);
}

/* Corrupt, wrongly signed or rolled-back tables: the old one stays. */
static void test_reload_bad_table(void **state)
{
	struct world *w = *state;
	const char *args[] = { "--listen", "127.0.0.1:0", NULL };
	bool allowed[3] = { true, true, false }, none[3] = { false, false, false };
	unsigned char pk[32], sk[64];
	struct rg_relay_endpoint_info info;
	struct fx_client ca, cb;
	uint32_t vni;

	assert_int_equal(fx_table_write(&w->env, w->env.table, 5, allowed, NULL), 0);
	start(w, args);
	vni = session(w, &ca, &cb, &w->d.udp[0], &w->d.udp[0]);
	ping_ok(&ca, &cb, vni);
	assert_int_equal(fx_write_file(w->env.table, "not a table\n", 12), 0);
	reload(w, 0, 1);
	expect_metric(w, "relaygated_config_last_reload_successful", 0);
	assert_true(fx_daemon_wait_log(&w->d, "keeping the loaded table", T_MS));
	/* A real table of a good signer with one byte flipped. */
	assert_int_equal(fx_table_write(&w->env, w->env.table, 7, none, NULL), 0);
	corrupt_byte(w->env.table, 200);
	reload(w, 0, 2);
	expect_metric(w, "relaygated_config_last_reload_successful", 0);
	assert_true(fx_daemon_wait_log(&w->d, "keeping the loaded table", T_MS));
	crypto_sign_keypair(pk, sk);
	assert_int_equal(fx_table_write(&w->env, w->env.table, 6, none, sk), 0);
	reload(w, 0, 3);
	assert_int_equal(fx_table_write(&w->env, w->env.table, 4, none, NULL), 0);
	reload(w, 0, 4);
	assert_true(fx_daemon_wait_log(&w->d, "rollback", T_MS));
	/* Still the serial-5 table: the session forwards, a allocates. */
	assert_true(metric(w, "relaygated_table_serial") == 5);
	ping_ok(&ca, &cb, vni);
	assert_int_equal(fx_allocate(&ca, 2, &info, T_MS), 0);
	/* A good table (same serial is fine) is taken and the metric recovers. */
	assert_int_equal(fx_table_write(&w->env, w->env.table, 5, allowed, NULL), 0);
	reload(w, 1, 4);
	expect_metric(w, "relaygated_config_last_reload_successful", 1);
	ping_ok(&ca, &cb, vni);
	fx_client_free(&ca);
	fx_client_free(&cb);
	stop_ok(w);
}

static void cgroup_tree(struct world *w, const char *cpu_max, char *root, char *proc)
{
	char path[FX_PATH * 2];

	snprintf(root, FX_PATH, "%s/cgroup", w->env.dir);
	snprintf(path, sizeof(path), "%s/relay.service", root);
	assert_int_equal(mkdir(root, 0755) == 0 || errno == EEXIST, 1);
	assert_int_equal(mkdir(path, 0755) == 0 || errno == EEXIST, 1);
	strcat(path, "/cpu.max");
	assert_int_equal(fx_write_file(path, cpu_max, strlen(cpu_max)), 0);
	snprintf(proc, FX_PATH, "%s/proc-self-cgroup", w->env.dir);
	assert_int_equal(fx_write_file(proc, "0::/relay.service\n", 18), 0);
}

static unsigned socket_count(struct world *w, const char *cpu_max, const char *flag)
{
	const char *args[] = { "--listen", "127.0.0.1:0", flag ? "--sockets" : NULL, flag, NULL };
	char root[FX_PATH], proc[FX_PATH], e1[FX_PATH + 32], e2[FX_PATH + 32];
	const char *env[] = { e1, e2, NULL };
	unsigned n;

	cgroup_tree(w, cpu_max, root, proc);
	snprintf(e1, sizeof(e1), "RELAYGATED_CGROUP_ROOT=%s", root);
	snprintf(e2, sizeof(e2), "RELAYGATED_PROC_CGROUP=%s", proc);
	assert_int_equal(fx_daemon_start(&w->d, &w->env, args, env), 0);
	w->running = true;
	n = w->d.sockets;
	stop_ok(w);
	free(w->d.log);
	w->d.log = NULL;
	return n;
}

/* The socket count follows a (fake) cgroup CPU limit. */
static void test_socket_count_cgroup(void **state)
{
	struct world *w = *state;
	cpu_set_t set;
	unsigned cpus;

	assert_int_equal(sched_getaffinity(0, sizeof(set), &set), 0);
	cpus = (unsigned)CPU_COUNT(&set);
	assert_int_equal(socket_count(w, "50000 100000\n", NULL), 1);
	assert_int_equal(socket_count(w, "max 100000\n", NULL), cpus < 16 ? cpus : 16);
	assert_int_equal(socket_count(w, "50000 100000\n", "3"), 3);
	/* And it is exported. */
	{
		const char *args[] = { "--listen", "127.0.0.1:0", NULL };
		char root[FX_PATH], proc[FX_PATH], e1[FX_PATH + 32], e2[FX_PATH + 32];
		const char *env[] = { e1, e2, NULL };

		cgroup_tree(w, "50000 100000\n", root, proc);
		snprintf(e1, sizeof(e1), "RELAYGATED_CGROUP_ROOT=%s", root);
		snprintf(e2, sizeof(e2), "RELAYGATED_PROC_CGROUP=%s", proc);
		assert_int_equal(fx_daemon_start(&w->d, &w->env, args, env), 0);
		w->running = true;
		assert_true(fx_daemon_wait_log(&w->d, "source=cgroup2", T_MS));
		assert_true(metric(w, "relaygated_sockets{family=\"udp4\",source=\"cgroup2\"}") == 1);
		stop_ok(w);
	}
}

/* Several shards: every session stays on the shard that owns its VNI (the
 * kernel steers; nothing is handed over between workers). */
static void test_steering(void **state)
{
	struct world *w = *state;
	const char *args[] = { "--listen", "127.0.0.1:0", "--sockets", "4", NULL };
	bool allowed[3 + 16];
	struct fx_client cl[16];
	struct fx_node *nodes[16];
	int busy = 0;

	add_nodes(w, "n", nodes, 16, allowed);
	start(w, args);
	assert_int_equal(w->d.sockets, 4);
	for (int i = 0; i < 16; i += 2) {
		struct rg_relay_endpoint_info info;

		assert_int_equal(fx_client_init(&cl[i], &w->env, nodes[i], nodes[i + 1],
						&w->d.udp[0]), 0);
		assert_int_equal(fx_client_init(&cl[i + 1], &w->env, nodes[i + 1], nodes[i],
						&w->d.udp[0]), 0);
		assert_int_equal(fx_allocate(&cl[i], 1, &info, T_MS), 0);
		assert_int_equal(rg_relay_client_set_server(&cl[i + 1].c, &info.server_disco), 0);
		assert_int_equal(fx_bind(&cl[i], info.vni, 1, T_MS), 0);
		assert_int_equal(fx_bind(&cl[i + 1], info.vni, 1, T_MS), 0);
		ping_ok(&cl[i], &cl[i + 1], info.vni);
		ping_ok(&cl[i + 1], &cl[i], info.vni);
	}
	assert_true(metric(w, "relaygated_handoff_packets_total") == 0);
	for (int s = 0; s < 4; s++) {
		char series[64];

		snprintf(series, sizeof(series), "relaygated_received_packets_total{shard=\"%d\"}", s);
		busy += metric(w, series) > 0;
	}
	assert_true(busy >= 2);
	for (int i = 0; i < 16; i++)
		fx_client_free(&cl[i]);
	stop_ok(w);
}

/* The shard a node's allocation requests reach with n shards. */
static uint32_t shard_of(const struct fx_node *x, uint32_t n)
{
	struct rg_relay_steer st;
	uint8_t p[RG_DISCO_HEADER_LEN];

	memcpy(p, RG_DISCO_MAGIC, RG_DISCO_MAGIC_LEN);
	memcpy(p + RG_DISCO_MAGIC_LEN, x->pub.b, RG_DISCO_KEY_LEN);
	assert_int_equal(rg_relay_steer_init(&st, n), 0);
	return rg_relay_steer_shard(&st, p, sizeof(p));
}

/* A UDP GSO super-packet from a, segments for two endpoints owned by two
 * shards: each peer gets its segments, in order, split where the VNI
 * changes; the other shard's are handed over. */
static void test_gso_mixed_vnis(void **state)
{
	struct world *w = *state;
	const char *args[] = { "--listen", "127.0.0.1:0", "--sockets", "2", NULL };
	static const uint32_t which[] = { 0, 0, 0, 1, 1, 0 }; /* segment -> session */
	enum { SEG = 200, NSEG = 6 };
	struct fx_client ca, cb, cx, ca2;
	struct fx_node *x = NULL;
	struct rg_relay_endpoint_info i1, i2;
	bool allowed[64];
	uint8_t buf[NSEG * SEG], in[4096];
	union {
		char b[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr a;
	} ctl;
	struct sockaddr_storage ss;
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { .msg_name = &ss, .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b) };
	uint16_t seg = SEG;
	int got_b = 0, got_x = 0;

	/* A node whose requests reach the other shard than alice's. */
	for (int i = 0; i < 40 && !x; i++) {
		char name[16];
		struct fx_node *n;

		snprintf(name, sizeof(name), "x%d", i);
		n = fx_node_add(&w->env, name);
		assert_non_null(n);
		if (shard_of(n, 2) != shard_of(w->a, 2))
			x = n;
	}
	assert_non_null(x);
	for (size_t i = 0; i < w->env.nnodes; i++)
		allowed[i] = i != 2;
	assert_int_equal(fx_table_write(&w->env, w->env.table, 1, allowed, NULL), 0);
	start(w, args);
	/* Session 0: {a, b} allocated by a; session 1: {x, a} allocated by x,
	 * a's leg on the same socket as session 0. */
	assert_int_equal(fx_client_init(&ca, &w->env, w->a, w->b, &w->d.udp[0]), 0);
	assert_int_equal(fx_client_init(&cb, &w->env, w->b, w->a, &w->d.udp[0]), 0);
	assert_int_equal(fx_client_init(&cx, &w->env, x, w->a, &w->d.udp[0]), 0);
	assert_int_equal(fx_client_init(&ca2, &w->env, w->a, x, &w->d.udp[0]), 0);
	close(ca2.fd);
	ca2.fd = ca.fd;
	ca2.addr = ca.addr;
	assert_int_equal(fx_allocate(&ca, 1, &i1, T_MS), 0);
	assert_int_equal(fx_allocate(&cx, 1, &i2, T_MS), 0);
	assert_true(i1.vni != i2.vni);
	assert_int_equal(rg_relay_client_set_server(&cb.c, &i1.server_disco), 0);
	assert_int_equal(rg_relay_client_set_server(&ca2.c, &i2.server_disco), 0);
	assert_int_equal(fx_bind(&ca, i1.vni, 1, T_MS), 0);
	assert_int_equal(fx_bind(&cb, i1.vni, 1, T_MS), 0);
	assert_int_equal(fx_bind(&cx, i2.vni, 1, T_MS), 0);
	assert_int_equal(fx_bind(&ca2, i2.vni, 1, T_MS), 0);
	ping_ok(&ca, &cb, i1.vni);
	ping_ok(&cx, &ca2, i2.vni);
	for (int k = 0; k < NSEG; k++) {
		struct rg_geneve_header h = { .protocol = RG_GENEVE_PROTO_WIREGUARD,
					      .vni = which[k] ? i2.vni : i1.vni };

		memset(buf + k * SEG, 'A' + k, SEG);
		assert_int_equal(rg_geneve_encode(&h, buf + k * SEG), 0);
	}
	memset(&ctl, 0, sizeof(ctl));
	ctl.a.cmsg_level = IPPROTO_UDP;
	ctl.a.cmsg_type = UDP_SEGMENT;
	ctl.a.cmsg_len = CMSG_LEN(sizeof(seg));
	memcpy(CMSG_DATA(&ctl.a), &seg, sizeof(seg));
	mh.msg_namelen = rg_addrport_to_sockaddr(&w->d.udp[0], &ss);
	if (sendmsg(ca.fd, &mh, 0) != (ssize_t)sizeof(buf))
		skip(); /* no UDP GSO here */
	for (int k = 0; k < NSEG; k++) {
		struct fx_client *to = which[k] ? &cx : &cb;
		ssize_t r = fx_recv(to->fd, in, sizeof(in), T_MS, NULL);

		assert_int_equal(r, SEG);
		assert_memory_equal(in, buf + k * SEG, SEG);
		if (which[k])
			got_x++;
		else
			got_b++;
	}
	assert_int_equal(got_b, 4);
	assert_int_equal(got_x, 2);
	/* With GRO the relay got one super-packet and handed two segments over;
	 * without it (old kernels) the kernel split it and steered each. */
	if (metric(w, "relaygated_offload_enabled{family=\"udp4\",feature=\"gro\"}") == 1) {
		assert_true(metric(w, "relaygated_received_gro_batches_total") >= 1);
		assert_true(metric(w, "relaygated_handoff_packets_total") >= 2);
	}
	ca2.fd = -1;
	fx_client_free(&ca);
	fx_client_free(&cb);
	fx_client_free(&cx);
	fx_client_free(&ca2);
	stop_ok(w);
}

/*
 * The pair directory: with 4 shards, the two clients of a pair usually reach
 * different shards, yet both get the one endpoint of the pair (same VNI and
 * LamportID), whichever side asks first and also when both ask at once.
 */
#define PD_NODES 16
#define PD_PAIRS 64      /* asked one side after the other */
#define PD_BOTH 32       /* then asked by both sides at once */

struct pd_pair {
	int x, y;        /* node indexes; x asks first */
};

static void pd_client(struct world *w, struct fx_client *c, struct fx_node *self,
		      struct fx_node *peer)
{
	assert_int_equal(fx_client_init(c, &w->env, self, peer, &w->d.udp[0]), 0);
}

/* Waits for the response to generation gen on c. */
static void pd_response(struct fx_client *c, uint32_t gen, struct rg_relay_endpoint_info *info)
{
	uint8_t pkt[RG_RELAY_CLIENT_PACKET_MAX];

	for (int tries = 0; tries < 4; tries++) {
		ssize_t r = fx_recv(c->fd, pkt, sizeof(pkt), T_MS, NULL);

		assert_true(r > 0);
		if (rg_relay_client_alloc_response(&c->c, pkt, (size_t)r, gen, info) == 0)
			return;
	}
	fail_msg("no allocation response");
}

static void test_pair_directory(void **state)
{
	struct world *w = *state;
	const char *args[] = { "--listen", "127.0.0.1:0", "--sockets", "4", NULL };
	struct fx_node *nodes[PD_NODES];
	struct pd_pair pairs[PD_PAIRS + PD_BOTH];
	bool allowed[3 + PD_NODES];
	struct fx_client cx, cy;
	struct rg_relay_endpoint_info ix, iy, shared = { 0 };
	uint32_t gen = 1;
	int crossing = 0, n = 0;

	add_nodes(w, "p", nodes, PD_NODES, allowed);
	/* Pairs {i, i + d}: d = 1..4 one after the other, 5..6 at once. */
	for (int d = 1; d <= 6; d++)
		for (int i = 0; i < PD_NODES; i++, n++) {
			pairs[n].x = n % 2 ? (i + d) % PD_NODES : i;
			pairs[n].y = n % 2 ? i : (i + d) % PD_NODES;
			crossing += shard_of(nodes[i], 4) != shard_of(nodes[(i + d) % PD_NODES], 4);
		}
	assert_int_equal(n, PD_PAIRS + PD_BOTH);
	assert_true(crossing >= n / 4); /* 3/4 of them expected */
	start(w, args);
	assert_int_equal(w->d.sockets, 4);
	for (int p = 0; p < PD_PAIRS; p++) {
		struct fx_node *x = nodes[pairs[p].x], *y = nodes[pairs[p].y];

		pd_client(w, &cx, x, y);
		pd_client(w, &cy, y, x);
		assert_int_equal(fx_allocate(&cx, gen++, &ix, T_MS), 0);
		assert_int_equal(fx_allocate(&cy, gen++, &iy, T_MS), 0);
		if (ix.vni != iy.vni || ix.lamport_id != iy.lamport_id)
			fail_msg("pair %d (shards %u, %u): VNI %u/%u, LamportID %llu/%llu", p,
				 shard_of(x, 4), shard_of(y, 4), ix.vni, iy.vni,
				 (unsigned long long)ix.lamport_id, (unsigned long long)iy.lamport_id);
		if (shard_of(x, 4) != shard_of(y, 4) && !shared.vni)
			shared = ix;
		fx_client_free(&cx);
		fx_client_free(&cy);
	}
	for (int p = PD_PAIRS; p < PD_PAIRS + PD_BOTH; p++) {
		struct fx_node *x = nodes[pairs[p].x], *y = nodes[pairs[p].y];
		uint8_t qx[RG_RELAY_CLIENT_PACKET_MAX], qy[RG_RELAY_CLIENT_PACKET_MAX];
		size_t nx, ny;
		uint32_t gx = gen++, gy = gen++;

		pd_client(w, &cx, x, y);
		pd_client(w, &cy, y, x);
		assert_int_equal(rg_relay_client_alloc_request(&cx.c, gx, qx, sizeof(qx), &nx), 0);
		assert_int_equal(rg_relay_client_alloc_request(&cy.c, gy, qy, sizeof(qy), &ny), 0);
		assert_int_equal(fx_send(cx.fd, &cx.relay, qx, nx), 0);
		assert_int_equal(fx_send(cy.fd, &cy.relay, qy, ny), 0);
		pd_response(&cx, gx, &ix);
		pd_response(&cy, gy, &iy);
		if (ix.vni != iy.vni || ix.lamport_id != iy.lamport_id)
			fail_msg("pair %d asked at once: VNI %u/%u, LamportID %llu/%llu", p, ix.vni,
				 iy.vni, (unsigned long long)ix.lamport_id,
				 (unsigned long long)iy.lamport_id);
		fx_client_free(&cx);
		fx_client_free(&cy);
	}
	/* One endpoint per pair, each created once and handed out twice. */
	expect_metric(w, "tailscaled_peer_relay_endpoints{state=\"connecting\"}", n);
	expect_metric(w, "relaygated_allocations_total{result=\"allowed\",reason=\"new\"}", n);
	expect_metric(w, "relaygated_allocations_total{result=\"allowed\",reason=\"existing\"}",
		      n);
	/* A pair whose clients' requests reached two shards binds and forwards
	 * on the endpoint both were given. */
	assert_true(shared.vni != 0);
	{
		int x = -1, y = -1;

		for (int i = 0; i < PD_NODES; i++) {
			if (rg_disco_key_equal(&nodes[i]->pub, &shared.client[0]))
				x = i;
			if (rg_disco_key_equal(&nodes[i]->pub, &shared.client[1]))
				y = i;
		}
		assert_true(x >= 0 && y >= 0);
		pd_client(w, &cx, nodes[x], nodes[y]);
		pd_client(w, &cy, nodes[y], nodes[x]);
		assert_int_equal(rg_relay_client_set_server(&cx.c, &shared.server_disco), 0);
		assert_int_equal(rg_relay_client_set_server(&cy.c, &shared.server_disco), 0);
		assert_int_equal(fx_bind(&cx, shared.vni, 1, T_MS), 0);
		assert_int_equal(fx_bind(&cy, shared.vni, 1, T_MS), 0);
		ping_ok(&cx, &cy, shared.vni);
		ping_ok(&cy, &cx, shared.vni);
		fx_client_free(&cx);
		fx_client_free(&cy);
	}
	stop_ok(w);
}

/* Line shape of the exposition format. */
static void check_exposition(const char *body)
{
	char families[128][96];
	size_t nfam = 0;

	for (const char *l = body; *l; l = strchr(l, '\n') + 1) {
		size_t n = strcspn(l, "\n");
		char line[512];

		assert_true(n < sizeof(line));
		memcpy(line, l, n);
		line[n] = '\0';
		if (strncmp(line, "# HELP ", 7) == 0) {
			size_t k = strcspn(line + 7, " ");

			assert_true(nfam < 128 && k < 96);
			for (size_t i = 0; i < nfam; i++)
				if (strlen(families[i]) == k && !strncmp(families[i], line + 7, k))
					fail_msg("HELP twice: %s", line);
			memcpy(families[nfam], line + 7, k);
			families[nfam++][k] = '\0';
		} else if (strncmp(line, "# TYPE ", 7) == 0) {
			assert_true(nfam > 0);
			assert_int_equal(strncmp(line + 7, families[nfam - 1],
						 strlen(families[nfam - 1])), 0);
		} else {
			size_t k = strspn(line, "abcdefghijklmnopqrstuvwxyz_0123456789");
			char *end;

			/* A sample of the family just declared. */
			assert_true(nfam > 0);
			assert_int_equal(strncmp(line, families[nfam - 1], strlen(families[nfam - 1])),
					 0);
			if (line[k] == '{')
				k += strcspn(line + k, "}") + 1;
			assert_true(line[k] == ' ');
			strtod(line + k + 1, &end);
			assert_true(*end == '\0' && end > line + k + 1);
		}
		if (!l[n])
			break;
	}
	assert_true(nfam > 30);
}

static void test_metrics_http(void **state)
{
	struct world *w = *state;
	const char *args[] = { "--listen", "127.0.0.1:0", NULL };
	char *body, big[6000];
	int fds[10];

	start(w, args);
	body = fx_scrape(&w->d);
	assert_non_null(body);
	check_exposition(body);
	assert_true(fx_metric(body, "relaygated_build_info{version=\"" RG_VERSION "\"}") == 1);
	assert_true(fx_metric(body, "relaygated_config_last_reload_successful") == 1);
	free(body);
	assert_int_equal(fx_http(&w->d.metrics, "GET /healthz HTTP/1.1\r\n\r\n", 25, &body), 200);
	assert_string_equal(body, "ok\n");
	free(body);
	assert_int_equal(fx_http(&w->d.metrics, "HEAD /metrics HTTP/1.1\r\n\r\n", 26, &body), 200);
	assert_string_equal(body, "");
	free(body);
	assert_int_equal(fx_http(&w->d.metrics, "GET /nope HTTP/1.1\r\n\r\n", 22, NULL), 404);
	assert_int_equal(fx_http(&w->d.metrics, "POST /metrics HTTP/1.1\r\n\r\n", 26, NULL), 405);
	assert_int_equal(fx_http(&w->d.metrics, "GET /metrics HTTP/2.0\r\n\r\n", 25, NULL), 505);
	assert_int_equal(fx_http(&w->d.metrics, "\x16\x03\x01garbage\r\n\r\n", 14, NULL), 400);
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
	assert_int_equal(fx_http(&w->d.metrics, big, sizeof(big), NULL), 431);
	/* Connections that say nothing, or half a request, do not block others. */
	for (int i = 0; i < 10; i++) {
		fds[i] = fx_tcp_connect(&w->d.metrics);
		assert_true(fds[i] >= 0);
		if (i % 2)
			assert_int_equal(send(fds[i], "GET /metr", 9, 0), 9);
	}
	assert_int_equal(fx_http(&w->d.metrics, "GET /healthz HTTP/1.1\r\n\r\n", 25, NULL), 200);
	for (int i = 0; i < 10; i++)
		close(fds[i]);
	stop_ok(w);
}

/* READY, RELOADING with MONOTONIC_USEC, READY, STOPPING. */
static void test_sd_notify(void **state)
{
	struct world *w = *state;
	const char *args[] = { "--listen", "127.0.0.1:0", NULL };
	char path[FX_PATH], env[FX_PATH + 16], msg[512];
	const char *envs[] = { env, NULL };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ssize_t n;

	snprintf(path, sizeof(path), "%s/notify", w->env.dir);
	assert_true(strlen(path) < sizeof(sa.sun_path));
	strcpy(sa.sun_path, path);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	snprintf(env, sizeof(env), "NOTIFY_SOCKET=%s", path);
	assert_int_equal(fx_daemon_start(&w->d, &w->env, args, envs), 0);
	w->running = true;
	n = fx_recv(fd, (uint8_t *)msg, sizeof(msg) - 1, T_MS, NULL);
	assert_true(n > 0);
	msg[n] = '\0';
	assert_non_null(strstr(msg, "READY=1"));
	assert_non_null(strstr(msg, "STATUS=serving relay relay1"));
	fx_daemon_kill(&w->d, SIGHUP);
	n = fx_recv(fd, (uint8_t *)msg, sizeof(msg) - 1, T_MS, NULL);
	assert_true(n > 0);
	msg[n] = '\0';
	assert_non_null(strstr(msg, "RELOADING=1\nMONOTONIC_USEC="));
	n = fx_recv(fd, (uint8_t *)msg, sizeof(msg) - 1, T_MS, NULL);
	assert_true(n > 0);
	msg[n] = '\0';
	assert_non_null(strstr(msg, "READY=1"));
	stop_ok(w);
	n = fx_recv(fd, (uint8_t *)msg, sizeof(msg) - 1, T_MS, NULL);
	assert_true(n > 0);
	msg[n] = '\0';
	assert_non_null(strstr(msg, "STOPPING=1"));
	close(fd);
}

/* On a wildcard socket, replies leave from the address the request was
 * sent to (IP_PKTINFO), whatever the kernel would pick. */
static void test_wildcard_replies_from_request_address(void **state)
{
	struct world *w = *state;
	const char *args[] = { "--listen", "0.0.0.0:0", "--advertise", "192.0.2.1:3478", NULL };
	struct rg_relay_endpoint_info info;
	struct rg_addrport to, from;
	struct fx_client ca;
	uint8_t pkt[RG_RELAY_CLIENT_PACKET_MAX];
	const uint8_t ip2[4] = { 127, 0, 0, 2 };
	size_t n;
	ssize_t r;

	start(w, args);
	rg_addrport_set4(&to, ip2, w->d.udp[0].port);
	assert_int_equal(fx_client_init(&ca, &w->env, w->a, w->b, &to), 0);
	assert_int_equal(rg_relay_client_alloc_request(&ca.c, 1, pkt, sizeof(pkt), &n), 0);
	assert_int_equal(fx_send(ca.fd, &to, pkt, n), 0);
	r = fx_recv(ca.fd, pkt, sizeof(pkt), T_MS, &from);
	assert_true(r > 0);
	assert_true(rg_addrport_equal(&from, &to));
	assert_int_equal(rg_relay_client_alloc_response(&ca.c, pkt, (size_t)r, 1, &info), 0);
	/* The response names the --advertise address, not the wildcard. */
	assert_int_equal(info.n_addrs, 1);
	{
		char t[RG_ADDRPORT_TEXT_MAX];

		rg_addrport_format(&info.addrs[0], t, sizeof(t));
		assert_string_equal(t, "192.0.2.1:3478");
	}
	/* The Challenge too. */
	assert_int_equal(rg_relay_client_bind(&ca.c, RG_DISCO_BIND, info.vni, 1, NULL, pkt,
					      sizeof(pkt), &n), 0);
	assert_int_equal(fx_send(ca.fd, &to, pkt, n), 0);
	r = fx_recv(ca.fd, pkt, sizeof(pkt), T_MS, &from);
	assert_int_equal(r, 160);
	assert_true(rg_addrport_equal(&from, &to));
	fx_client_free(&ca);
	stop_ok(w);
}

/* a over IPv4, b over IPv6, through one relay. */
static void test_ipv6_mixed(void **state)
{
	struct world *w = *state;
	const char *args[] = { "--listen", "127.0.0.1:0", "--listen", "[::1]:0", NULL };
	struct rg_addrport probe;
	struct rg_relay_endpoint_info info;
	struct fx_client ca, cb;
	int fd = fx_udp_socket(AF_INET6, &probe);
	uint32_t vni;

	if (fd < 0)
		skip();
	close(fd);
	start(w, args);
	assert_true(w->d.has_udp[0] && w->d.has_udp[1]);
	vni = session(w, &ca, &cb, &w->d.udp[0], &w->d.udp[1]);
	ping_ok(&ca, &cb, vni);
	ping_ok(&cb, &ca, vni);
	assert_true(metric(w, "tailscaled_peer_relay_forwarded_packets_total{transport_in=\"udp4\","
			   "transport_out=\"udp6\"}") >= 2);
	assert_true(metric(w, "tailscaled_peer_relay_forwarded_packets_total{transport_in=\"udp6\","
			   "transport_out=\"udp4\"}") >= 2);
	/* Both listen addresses are advertised. */
	assert_int_equal(fx_allocate(&ca, 2, &info, T_MS), 0);
	assert_int_equal(info.n_addrs, 2);
	fx_client_free(&ca);
	fx_client_free(&cb);
	stop_ok(w);
}

/* --user: the sockets are bound as root, then the process runs as the
 * user, and reloads still work. */
static void test_drop_privileges(void **state)
{
	struct world *w = *state;
	const char *args[] = { "--listen", "127.0.0.1:0", "--user", "nobody", NULL };
	struct passwd *pw = getpwnam("nobody");
	char path[64], line[256];
	bool seen = false;
	FILE *f;

	if (geteuid() != 0 || !pw)
		skip();
	start(w, args);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)w->d.pid);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "Uid:", 4) == 0) {
			unsigned r, e, s;

			assert_int_equal(sscanf(line, "Uid: %u %u %u", &r, &e, &s), 3);
			assert_int_equal(r, pw->pw_uid);
			assert_int_equal(e, pw->pw_uid);
			assert_int_equal(s, pw->pw_uid);
			seen = true;
		}
	fclose(f);
	assert_true(seen);
	reload(w, 1, 0);
	stop_ok(w);
}

/* Runs a shell command; its output (stdout and what it redirects) in out. The exit code, or -1. */
static int run_capture(const char *cmd, char *out, size_t outsz)
{
	FILE *p = popen(cmd, "r");
	size_t n;
	int st;

	assert_non_null(p);
	n = fread(out, 1, outsz - 1, p);
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* relaygate probe: the operators' health check. */
static void test_probe(void **state)
{
	struct world *w = *state;
	const char *args[] = { "--listen", "127.0.0.1:0", NULL };
	const char *bin = getenv("RELAYGATE");
	char relay[RG_ADDRPORT_TEXT_MAX], key[RG_DISCO_KEY_TEXT_LEN + 1], cmd[2048];
	char out[4096];

	if (!bin)
		skip();
	start(w, args);
	rg_addrport_format(&w->d.udp[0], relay, sizeof(relay));
	rg_disco_key_format(&w->env.relay_pub, key);
	/* Again and again with the same keys, as a health check runs: the
	 * endpoint is reused and every run binds it anew. */
	snprintf(cmd, sizeof(cmd), "%s probe --relay %s --relay-key %s --key %s --peer-key %s "
		 "--count 5 2>&1", bin, relay, key, w->a->keyfile, w->b->keyfile);
	for (int run = 0; run < 3; run++) {
		if (run_capture(cmd, out, sizeof(out)) != 0)
			fail_msg("probe run %d: %s", run + 1, out);
		assert_non_null(strstr(out, "ping 5/5 through the relay"));
	}
	/* --format json reports the allocated endpoint in Tailscale's
	 * ServerEndpoint form, agreeing with the other fields. */
	snprintf(cmd, sizeof(cmd), "%s probe --relay %s --relay-key %s --key %s --peer-key %s "
		 "--count 1 --format json 2>&1", bin, relay, key, w->a->keyfile, w->b->keyfile);
	if (run_capture(cmd, out, sizeof(out)) != 0)
		fail_msg("probe --format json: %s", out);
	{
		struct rg_relay_endpoint_info ep;
		struct rg_err err;
		const char *at = strstr(out, ",\"endpoint\":{"), *end = strrchr(out, '}');
		char want[128], sd[RG_DISCO_KEY_TEXT_LEN + 1];

		assert_non_null(at);
		at += strlen(",\"endpoint\":");
		/* The endpoint object is the last member: it ends before the final '}'. */
		assert_true(end > at && end[1] == '\n' && end[-1] == '}');
		if (rg_relay_endpoint_from_json(at, (size_t)(end - at), &ep, &err) < 0)
			fail_msg("endpoint: %s in %s", err.msg, out);
		snprintf(want, sizeof(want), "\"vni\":%u,\"lamport_id\":%llu,", ep.vni,
			 (unsigned long long)ep.lamport_id);
		assert_non_null(strstr(out, want));
		assert_false(rg_disco_key_is_zero(&ep.server_disco));
		rg_disco_key_format(&ep.server_disco, sd);
		snprintf(want, sizeof(want), "\"server_disco\":\"%s\"", sd);
		assert_non_null(strstr(out, want));
		assert_true(ep.bind_lifetime_ns == RG_RELAY_DEFAULT_BIND_LIFETIME);
		assert_true(ep.steady_lifetime_ns == RG_RELAY_DEFAULT_STEADY_LIFETIME);
		assert_int_equal(ep.n_addrs, 1);
		assert_true(rg_addrport_equal(&ep.addrs[0], &w->d.udp[0]));
		assert_non_null(strstr(out, "\"BindLifetime\":\"30s\",\"SteadyStateLifetime\":\"5m0s\"}}"));
	}
	/* carol is not allowed: exit 1, stage allocate. */
	snprintf(cmd, sizeof(cmd), "%s probe --relay %s --relay-key %s --key %s --peer-key %s "
		 "--timeout 0.5 --format json 2>&1", bin, relay, key, w->c->keyfile,
		 w->b->keyfile);
	assert_int_equal(run_capture(cmd, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "\"ok\":false,\"stage\":\"allocate\""));
	assert_non_null(strstr(out, ",\"endpoint\":null}"));
	stop_ok(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_allowed_pair_forwards, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_denied, setup, teardown),
		cmocka_unit_test_setup_teardown(test_require_both, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_revokes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_bad_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_count_cgroup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_steering, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gso_mixed_vnis, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pair_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_http, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sd_notify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipv6_mixed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wildcard_replies_from_request_address, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_drop_privileges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_probe, setup, teardown),
	};

	if (!fx_daemon_binary()) {
		fprintf(stderr, "RELAYGATED is not set: skipping\n");
		return 77;
	}
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
