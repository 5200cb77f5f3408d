/*
 * relaygate probe: a health check of a relaygated relay that plays both
 * clients of a session from this host: allocate over the relay's UDP port
 * (as A), bind both legs, then disco pings from A to B through the relay
 * and B's pongs back, timing each round trip.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/commands.h"
#include "relaygate/relay_client.h"
#include "relaygate/relay_endpoint_json.h"
#include "util/file.h"

const char cmd_probe_usage[] =
	"usage: relaygate probe --relay ADDR:PORT --relay-key DISCOKEY --key A --peer-key B\n"
	"                       [--count N] [--timeout SECONDS] [--format text|json]\n"
	"\n"
	"Run one relay session end to end against relaygated and report its path and\n"
	"round-trip time. The probe plays both clients: A (private key file --key)\n"
	"allocates an endpoint for the pair {A, B} over the relay's UDP port, both\n"
	"bind, and A sends --count disco pings (default 3) to B through the relay,\n"
	"which B answers. A must be allowed on the relay by its table.\n"
	"\n"
	"  --relay ADDR:PORT     where to send the allocation request\n"
	"  --relay-key DISCOKEY  the relay's long-term disco public key (discokey:...),\n"
	"                        or a file holding it\n"
	"  --key FILE            private disco key of client A (the allocator)\n"
	"  --peer-key FILE       private disco key of client B\n"
	"  --timeout SECONDS     budget per stage (default 5)\n"
	"  --format text|json    output format (default text); json adds \"endpoint\",\n"
	"                        the allocated endpoint in Tailscale's ServerEndpoint\n"
	"                        JSON form (null when the allocation failed)\n"
	"\n"
	"Exit status: 0 at least one ping crossed the relay and came back; 1 the relay\n"
	"did not answer the allocation (unreachable, or A is not allowed), a leg did not\n"
	"bind, or no ping came back (the failed stage is reported); 2 usage, key or\n"
	"socket error.\n";

static const struct option probe_opts[] = {
	{ "relay", required_argument, NULL, 'r' },
	{ "relay-key", required_argument, NULL, 'R' },
	{ "key", required_argument, NULL, 'k' },
	{ "peer-key", required_argument, NULL, 'p' },
	{ "count", required_argument, NULL, 'c' },
	{ "timeout", required_argument, NULL, 't' },
	{ "format", required_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

#define RETRY_MS 1000
#define MAX_COUNT 1000

struct leg {
	struct rg_relay_client c;
	int fd;
};

struct probe {
	struct rg_addrport relay;   /* --relay */
	struct rg_addrport via;     /* the advertised address the legs bind to */
	struct leg a, b;
	int timeout_ms;
	unsigned count;
	bool json;
	struct rg_relay_endpoint_info info;
	bool allocated;                              /* info holds the relay's response */
	uint32_t gen;                                /* of the allocation request */
	uint8_t challenge[RG_DISCO_CHALLENGE_LEN];   /* the last one received */
	const char *stage;
	double alloc_ms, bind_ms;
	unsigned sent, received;
	double rtt_min, rtt_max, rtt_sum;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int open_socket(int family)
{
	struct sockaddr_storage ss;
	struct rg_addrport any;
	static const uint8_t zero[16];
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	socklen_t len;

	if (fd < 0)
		return -1;
	if (family == AF_INET)
		rg_addrport_set4(&any, zero, 0);
	else
		rg_addrport_set6(&any, zero, 0);
	len = rg_addrport_to_sockaddr(&any, &ss);
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int send_to(int fd, const struct rg_addrport *to, const uint8_t *p, size_t n)
{
	struct sockaddr_storage ss;
	socklen_t len = rg_addrport_to_sockaddr(to, &ss);

	return sendto(fd, p, n, 0, (struct sockaddr *)&ss, len) == (ssize_t)n ? 0 : -1;
}

/* A datagram within timeout ms, or -1. */
static ssize_t recv_within(int fd, uint8_t *buf, size_t cap, double timeout)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (timeout <= 0 || poll(&p, 1, (int)timeout + 1) <= 0)
		return -1;
	return recv(fd, buf, cap, 0);
}

/* Sends out[0..n) every RETRY_MS until accept() takes an answer or the
 * stage's time is up. */
static int exchange(struct probe *p, struct leg *l, const struct rg_addrport *to,
		    const uint8_t *out, size_t n, int (*accept)(struct probe *, struct leg *,
								  const uint8_t *, size_t))
{
	double end = now_ms() + p->timeout_ms;

	while (now_ms() < end) {
		double retry = now_ms() + RETRY_MS;

		if (send_to(l->fd, to, out, n) < 0)
			return -1;
		while (now_ms() < retry && now_ms() < end) {
			uint8_t in[RG_RELAY_CLIENT_PACKET_MAX];
			double left = (retry < end ? retry : end) - now_ms();
			ssize_t r = recv_within(l->fd, in, sizeof(in), left);

			if (r >= 0 && accept(p, l, in, (size_t)r) == 0)
				return 0;
		}
	}
	return -1;
}

static int accept_alloc(struct probe *p, struct leg *l, const uint8_t *in, size_t n)
{
	return rg_relay_client_alloc_response(&l->c, in, n, p->gen, &p->info);
}

static int accept_challenge(struct probe *p, struct leg *l, const uint8_t *in, size_t n)
{
	return rg_relay_client_challenge(&l->c, in, n, p->info.vni, p->gen, p->challenge);
}

/*
 * The relay refuses allocation and Bind generations that are not newer
 * (serial arithmetic) than the last it saw from a key, and a probe is run
 * again and again with the same keys: count generations in 4 ms steps of
 * the wall clock, which grow across runs (and wrap only after 99 days).
 */
static uint32_t probe_generation(void)
{
	struct timespec ts;
	uint32_t g;

	clock_gettime(CLOCK_REALTIME, &ts);
	g = (uint32_t)(((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000) / 4);
	return g ? g : 1;
}

static int allocate(struct probe *p)
{
	uint8_t pkt[RG_RELAY_CLIENT_PACKET_MAX];
	double t0 = now_ms();
	size_t n;

	p->stage = "allocate";
	p->gen = probe_generation();
	if (rg_relay_client_alloc_request(&p->a.c, p->gen, pkt, sizeof(pkt), &n) != 0 ||
	    exchange(p, &p->a, &p->relay, pkt, n, accept_alloc) < 0)
		return -1;
	p->alloc_ms = now_ms() - t0;
	p->allocated = true;
	/* Bind to an advertised address of the family we speak. */
	for (size_t i = 0; i < p->info.n_addrs; i++)
		if (rg_addrport_is4(&p->info.addrs[i]) == rg_addrport_is4(&p->relay)) {
			p->via = p->info.addrs[i];
			return rg_relay_client_set_server(&p->b.c, &p->info.server_disco);
		}
	p->stage = "allocate: no advertised address of this family";
	return -1;
}

static int bind_leg(struct probe *p, struct leg *l)
{
	uint8_t pkt[RG_RELAY_CLIENT_PACKET_MAX];
	size_t n;

	if (rg_relay_client_bind(&l->c, RG_DISCO_BIND, p->info.vni, p->gen, NULL, pkt, sizeof(pkt),
				 &n) != 0 ||
	    exchange(p, l, &p->via, pkt, n, accept_challenge) < 0 ||
	    rg_relay_client_bind(&l->c, RG_DISCO_BIND_ANSWER, p->info.vni, p->gen, p->challenge,
				 pkt, sizeof(pkt), &n) != 0)
		return -1;
	/* The Answer is not acknowledged: the pings tell whether it arrived. */
	return send_to(l->fd, &p->via, pkt, n);
}

/* Waits for a message of type t with txid from the peer. */
static int await(struct probe *p, struct leg *l, enum rg_disco_type t, const uint8_t *txid,
		 double end)
{
	while (now_ms() < end) {
		uint8_t in[2048], plain[2048];
		struct rg_disco_msg m;
		ssize_t r = recv_within(l->fd, in, sizeof(in), end - now_ms());

		if (r < 0)
			continue;
		if (rg_relay_client_open_data(&l->c, in, (size_t)r, p->info.vni, &m, plain,
					      sizeof(plain)) == 0 &&
		    m.type == t && memcmp(m.u.ping.txid, txid, RG_DISCO_TXID_LEN) == 0)
			return 0;
	}
	return -1;
}

static int ping_once(struct probe *p)
{
	struct rg_disco_msg m;
	uint8_t pkt[512];
	double t0 = now_ms(), end = t0 + RETRY_MS, rtt;
	size_t n;

	memset(&m, 0, sizeof(m));
	m.type = RG_DISCO_PING;
	randombytes_buf(m.u.ping.txid, sizeof(m.u.ping.txid));
	p->sent++;
	if (rg_relay_client_data(&p->a.c, p->info.vni, &m, pkt, sizeof(pkt), &n) != 0 ||
	    send_to(p->a.fd, &p->via, pkt, n) < 0 || await(p, &p->b, RG_DISCO_PING, m.u.ping.txid,
							  end) < 0)
		return -1;
	m.type = RG_DISCO_PONG;
	m.u.pong.src = p->via;
	if (rg_relay_client_data(&p->b.c, p->info.vni, &m, pkt, sizeof(pkt), &n) != 0 ||
	    send_to(p->b.fd, &p->via, pkt, n) < 0 ||
	    await(p, &p->a, RG_DISCO_PONG, m.u.ping.txid, end) < 0)
		return -1;
	rtt = now_ms() - t0;
	if (!p->received || rtt < p->rtt_min)
		p->rtt_min = rtt;
	if (rtt > p->rtt_max)
		p->rtt_max = rtt;
	p->rtt_sum += rtt;
	p->received++;
	return 0;
}

static int run_probe(struct probe *p)
{
	double t0;

	if (allocate(p) < 0)
		return -1;
	p->stage = "bind";
	t0 = now_ms();
	if (bind_leg(p, &p->a) < 0 || bind_leg(p, &p->b) < 0)
		return -1;
	p->bind_ms = now_ms() - t0;
	p->stage = "ping";
	/* The first pings also tell whether both Answers arrived. */
	for (double end = now_ms() + p->timeout_ms; !p->received && now_ms() < end;)
		if (ping_once(p) < 0)
			p->sent--;
	for (unsigned i = 1; p->received && i < p->count; i++)
		ping_once(p);
	if (!p->received)
		return -1;
	p->stage = "done";
	return 0;
}

static void report(const struct probe *p, bool ok)
{
	char relay[RG_ADDRPORT_TEXT_MAX], via[RG_ADDRPORT_TEXT_MAX], sd[RG_DISCO_KEY_TEXT_LEN + 1];
	double avg = p->received ? p->rtt_sum / p->received : 0;

	rg_addrport_format(&p->relay, relay, sizeof(relay));
	via[0] = '\0';
	if (!rg_addrport_is_zero(&p->via))
		rg_addrport_format(&p->via, via, sizeof(via));
	rg_disco_key_format(&p->info.server_disco, sd);
	if (p->json) {
		/* The allocated endpoint in Tailscale's ServerEndpoint JSON form. */
		char ep[RG_RELAY_ENDPOINT_JSON_MAX];
		size_t eplen;

		if (!p->allocated || rg_relay_endpoint_to_json(&p->info, ep, sizeof(ep), &eplen) < 0)
			snprintf(ep, sizeof(ep), "null");
		printf("{\"ok\":%s,\"stage\":\"%s\",\"relay\":\"%s\",\"via\":\"%s\","
		       "\"vni\":%u,\"lamport_id\":%llu,\"server_disco\":\"%s\","
		       "\"allocate_ms\":%.3f,\"bind_ms\":%.3f,\"sent\":%u,\"received\":%u,"
		       "\"rtt_ms\":{\"min\":%.3f,\"avg\":%.3f,\"max\":%.3f},\"endpoint\":%s}\n",
		       ok ? "true" : "false", p->stage, relay, via, p->info.vni,
		       (unsigned long long)p->info.lamport_id, sd, p->alloc_ms, p->bind_ms, p->sent,
		       p->received, p->rtt_min, avg, p->rtt_max, ep);
		return;
	}
	if (!ok) {
		printf("relay %s: failed at %s\n", relay, p->stage);
		return;
	}
	printf("relay %s allocated vni %u (lamport %llu, server disco %s) in %.3f ms\n", relay,
	       p->info.vni, (unsigned long long)p->info.lamport_id, sd, p->alloc_ms);
	printf("path A -> %s -> B, both legs bound in %.3f ms\n", via, p->bind_ms);
	printf("ping %u/%u through the relay: rtt min %.3f ms, avg %.3f ms, max %.3f ms\n",
	       p->received, p->sent, p->rtt_min, avg, p->rtt_max);
}

/* DISCOKEY text, or a file holding it. */
static int relay_key(const char *arg, struct rg_disco_key *k)
{
	char *data = NULL;
	size_t len, n;
	int r;

	if (rg_disco_key_parse(arg, strlen(arg), k) == 0)
		return 0;
	if (rg_file_read(arg, 4096, &data, &len, NULL) < 0)
		return -1;
	n = strcspn(data, "\r\n");
	r = rg_disco_key_parse(data, n, k);
	free(data);
	return r;
}

static int setup(struct probe *p, const char *key_a, const char *key_b,
		 const struct rg_disco_key *rk)
{
	struct rg_disco_private a, b;
	struct rg_disco_key pa, pb;
	struct rg_err err;
	int family = rg_addrport_is4(&p->relay) ? AF_INET : AF_INET6, r = -1;

	if (rg_disco_private_load(key_a, &a, &err) < 0 || rg_disco_private_load(key_b, &b, &err) < 0) {
		cli_error("probe", "%s", err.msg);
		goto out;
	}
	if (rg_disco_private_public(&a, &pa) < 0 || rg_disco_private_public(&b, &pb) < 0 ||
	    rg_disco_key_equal(&pa, &pb) || rg_relay_client_init(&p->a.c, &a, rk, &pb) < 0 ||
	    rg_relay_client_init(&p->b.c, &b, rk, &pa) < 0) {
		cli_error("probe", "unusable keys (A and B must differ; no weak keys)");
		goto out;
	}
	p->a.fd = open_socket(family);
	p->b.fd = open_socket(family);
	if (p->a.fd < 0 || p->b.fd < 0) {
		cli_error("probe", "cannot open UDP sockets: %s", strerror(errno));
		goto out;
	}
	r = 0;
out:
	sodium_memzero(&a, sizeof(a));
	sodium_memzero(&b, sizeof(b));
	return r;
}

int cmd_probe_main(int argc, char **argv)
{
	const struct cli_command *self = cli_find("probe");
	const char *key_a = NULL, *key_b = NULL, *rk_arg = NULL, *relay = NULL;
	struct probe *p = calloc(1, sizeof(*p));
	struct rg_disco_key rk;
	int c, ret = RG_EXIT_USAGE;
	char *end;

	if (!p)
		return RG_EXIT_INTERNAL;
	p->a.fd = p->b.fd = -1;
	p->timeout_ms = 5000;
	p->count = 3;
	p->stage = "setup";
	while ((c = getopt_long(argc, argv, "h", probe_opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			relay = optarg;
			break;
		case 'R':
			rk_arg = optarg;
			break;
		case 'k':
			key_a = optarg;
			break;
		case 'p':
			key_b = optarg;
			break;
		case 'c':
			p->count = (unsigned)strtoul(optarg, &end, 10);
			if (*end || p->count < 1 || p->count > MAX_COUNT) {
				ret = cli_bad_usage(self, "--count: 1 to %d", MAX_COUNT);
				goto out;
			}
			break;
		case 't':
			p->timeout_ms = (int)(strtod(optarg, &end) * 1000);
			if (*end || p->timeout_ms < 1 || p->timeout_ms > 600000) {
				ret = cli_bad_usage(self, "--timeout: 0.001 to 600 seconds");
				goto out;
			}
			break;
		case 'f':
			if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0) {
				ret = cli_bad_usage(self, "--format: text or json");
				goto out;
			}
			p->json = strcmp(optarg, "json") == 0;
			break;
		default:
			ret = cli_bad_usage(self, NULL);
			goto out;
		}
	}
	if (optind != argc || !relay || !rk_arg || !key_a || !key_b) {
		ret = cli_bad_usage(self, "--relay, --relay-key, --key and --peer-key are required");
		goto out;
	}
	if (rg_addrport_parse(relay, &p->relay) < 0 || p->relay.port == 0) {
		ret = cli_bad_usage(self, "--relay %s: not ADDR:PORT", relay);
		goto out;
	}
	if (relay_key(rk_arg, &rk) < 0 || rg_disco_key_is_weak(&rk)) {
		cli_error("probe", "--relay-key: not a disco public key (discokey:...)");
		goto out;
	}
	if (sodium_init() < 0 || setup(p, key_a, key_b, &rk) < 0)
		goto out;
	ret = run_probe(p) == 0 ? RG_EXIT_OK : RG_EXIT_FINDINGS;
	report(p, ret == RG_EXIT_OK);
out:
	if (p->a.fd >= 0)
		close(p->a.fd);
	if (p->b.fd >= 0)
		close(p->b.fd);
	rg_relay_client_wipe(&p->a.c);
	rg_relay_client_wipe(&p->b.c);
	free(p);
	return ret;
}
