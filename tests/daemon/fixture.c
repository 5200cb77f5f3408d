/* relaygated test and benchmark fixture (see fixture.h). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "relaygate/geneve.h"
#include "relaygate/sign_key.h"
#include "fixture.h"

#define START_TIMEOUT_MS 15000
#define STOP_TIMEOUT_MS 15000

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int fx_write_file(const char *path, const char *data, size_t len)
{
	char tmp[FX_PATH + 8];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f || fwrite(data, 1, len, f) != len) {
		if (f)
			fclose(f);
		return -1;
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		return -1;
	return 0;
}

int fx_env_init(struct fx_env *e)
{
	struct rg_err err;
	char hex[2 * 32 + 2];

	memset(e, 0, sizeof(*e));
	if (sodium_init() < 0)
		return -1;
	strcpy(e->dir, "/tmp/relaygated-test-XXXXXX");
	if (!mkdtemp(e->dir))
		return -1;
	/* Readable by an unprivileged --user too. */
	chmod(e->dir, 0755);
	crypto_sign_keypair(e->sign_pk, e->sign_sk);
	snprintf(e->trust, sizeof(e->trust), "%s/trust.pub", e->dir);
	snprintf(e->table, sizeof(e->table), "%s/relay.table", e->dir);
	snprintf(e->relay_keyfile, sizeof(e->relay_keyfile), "%s/relay.key", e->dir);
	sodium_bin2hex(hex, sizeof(hex), e->sign_pk, 32);
	strcat(hex, "\n");
	if (fx_write_file(e->trust, hex, strlen(hex)) < 0 ||
	    rg_disco_private_generate(&e->relay_priv) < 0 ||
	    rg_disco_private_public(&e->relay_priv, &e->relay_pub) < 0 ||
	    rg_disco_private_store(e->relay_keyfile, &e->relay_priv, 1, &err) < 0) {
		fprintf(stderr, "fixture: cannot set up %s\n", e->dir);
		return -1;
	}
	return 0;
}

void fx_env_free(struct fx_env *e)
{
	char cmd[128];

	if (!e->dir[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", e->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fixture: cannot remove %s\n", e->dir);
	sodium_memzero(e->sign_sk, sizeof(e->sign_sk));
	e->dir[0] = '\0';
}

struct fx_node *fx_node_add(struct fx_env *e, const char *name)
{
	struct fx_node *n;
	struct rg_err err;

	if (e->nnodes >= FX_MAX_NODES)
		return NULL;
	char dir[sizeof(e->dir)];

	n = &e->nodes[e->nnodes];
	memcpy(dir, e->dir, sizeof(dir));
	snprintf(n->name, sizeof(n->name), "%s", name);
	snprintf(n->keyfile, sizeof(n->keyfile), "%s/%s.key", dir, name);
	if (rg_disco_private_generate(&n->priv) < 0 || rg_disco_private_public(&n->priv, &n->pub) < 0 ||
	    rg_disco_private_store(n->keyfile, &n->priv, 1, &err) < 0)
		return NULL;
	e->nnodes++;
	return n;
}

static int appendf(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int appendf(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -1;
		if ((size_t)n < *cap - *len) {
			*len += (size_t)n;
			return 0;
		}
		{
			char *p = realloc(*buf, *cap * 2 + (size_t)n);

			if (!p)
				return -1;
			*buf = p;
			*cap = *cap * 2 + (size_t)n;
		}
	}
}

/*
 * The table as an operator makes it: a policy and an inventory written to
 * the test directory, compiled and signed by `relaygate compile` ($RELAYGATE,
 * default build/relaygate). Nodes allowed on FX_RELAY carry tag:fx-allowed;
 * the others carry tag:fx-other, which is granted cap/relay on a second relay
 * so that they are in the table (known keys, denied on FX_RELAY: no_grant).
 * A sentinel node keeps FX_RELAY a relay when no test node is allowed.
 */
static int inventory_node(char **buf, size_t *len, size_t *cap, const char *name, const char *tag,
			  unsigned idx, const struct rg_disco_key *k)
{
	char key[RG_DISCO_KEY_TEXT_LEN + 1];

	rg_disco_key_format(k, key);
	return appendf(buf, len, cap,
		       ",\n  {\"name\": \"%s\", \"user\": null, \"tags\": [\"%s\"], "
		       "\"ips\": [\"100.80.%u.%u\", \"fd7a:115c:a1e0::50:%x\"], \"disco_key\": \"%s\"}",
		       name, tag, idx >> 8, idx & 0xff, idx, key);
}

static int run_compile(const char *policy, const char *inventory, const char *keyfile,
		       const char *out, uint64_t serial)
{
	const char *bin = getenv("RELAYGATE");
	char ser[32];
	int status;
	pid_t pid;

	if (!bin || !*bin)
		bin = "build/relaygate";
	snprintf(ser, sizeof(ser), "%llu", (unsigned long long)serial);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execl(bin, bin, "compile", "--quiet", "--inventory", inventory, "--sign-key", keyfile,
		      "--serial", ser, "-o", out, policy, (char *)NULL);
		fprintf(stderr, "fixture: cannot run %s: %s\n", bin, strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "fixture: %s compile failed (status %d)\n", bin, status);
		return -1;
	}
	return 0;
}

int fx_table_write(const struct fx_env *e, const char *path, uint64_t serial,
		   const bool *allowed, const unsigned char *sk)
{
	static const char policy[] =
		"// relaygated tests: who may allocate on " FX_RELAY ".\n"
		"{\n"
		"\t\"tagOwners\": {\n"
		"\t\t\"tag:relay\":      [],\n"
		"\t\t\"tag:relay2\":     [],\n"
		"\t\t\"tag:fx-allowed\": [],\n"
		"\t\t\"tag:fx-other\":   [],\n"
		"\t},\n"
		"\t\"grants\": [\n"
		"\t\t{\"src\": [\"tag:fx-allowed\"], \"dst\": [\"tag:relay\"], "
		"\"app\": {\"tailscale.com/cap/relay\": []}},\n"
		"\t\t{\"src\": [\"tag:fx-other\"], \"dst\": [\"tag:relay2\"], "
		"\"app\": {\"tailscale.com/cap/relay\": []}},\n"
		"\t],\n"
		"}\n";
	char ppath[FX_PATH + 16], ipath[FX_PATH + 16], kpath[FX_PATH + 16], tpath[FX_PATH + 8];
	struct rg_disco_private spare[2];
	struct rg_disco_key spare_pub[2];
	char relay_key[RG_DISCO_KEY_TEXT_LEN + 1];
	struct rg_sign_key key;
	struct rg_err err;
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	int r = -1;

	if (!buf)
		return -1;
	snprintf(ppath, sizeof(ppath), "%s/policy.hujson", e->dir);
	snprintf(ipath, sizeof(ipath), "%s/inventory.json", e->dir);
	snprintf(kpath, sizeof(kpath), "%s/sign.key", e->dir);
	memcpy(key.sk, sk ? sk : e->sign_sk, sizeof(key.sk));
	memcpy(key.pk, key.sk + 32, sizeof(key.pk));
	if (unlink(kpath) < 0 && errno != ENOENT)
		goto out;
	if (rg_sign_key_store(kpath, &key, 1, &err) < 0) {
		fprintf(stderr, "fixture: %s\n", err.msg);
		goto out;
	}
	/* The sentinel and the second relay need keys of their own. */
	for (int i = 0; i < 2; i++)
		if (rg_disco_private_generate(&spare[i]) < 0 ||
		    rg_disco_private_public(&spare[i], &spare_pub[i]) < 0)
			goto out;
	rg_disco_key_format(&e->relay_pub, relay_key);
	if (appendf(&buf, &len, &cap, "{\"users\": [], \"nodes\": [\n  {\"name\": \"%s\", "
		    "\"user\": null, \"tags\": [\"tag:relay\"], \"ips\": [\"100.79.0.1\", "
		    "\"fd7a:115c:a1e0::4f:1\"], \"disco_key\": \"%s\"}", FX_RELAY, relay_key) < 0 ||
	    inventory_node(&buf, &len, &cap, "fx-sentinel", "tag:fx-allowed", 1, &spare_pub[0]) < 0 ||
	    inventory_node(&buf, &len, &cap, "relay2", "tag:relay2", 2, &spare_pub[1]) < 0)
		goto out;
	for (size_t i = 0; i < e->nnodes; i++)
		if (inventory_node(&buf, &len, &cap, e->nodes[i].name,
				   allowed && allowed[i] ? "tag:fx-allowed" : "tag:fx-other",
				   (unsigned)i + 16, &e->nodes[i].pub) < 0)
			goto out;
	if (appendf(&buf, &len, &cap, "\n]}\n") < 0 ||
	    fx_write_file(ppath, policy, sizeof(policy) - 1) < 0 ||
	    fx_write_file(ipath, buf, len) < 0)
		goto out;
	/* Compiled beside path and renamed over it, as an operator publishes a
	 * table: compile itself refuses to lower the serial of the table it
	 * replaces, and the rollback tests need exactly that. */
	snprintf(tpath, sizeof(tpath), "%s.new", path);
	r = run_compile(ppath, ipath, kpath, tpath, serial);
	if (r == 0 && rename(tpath, path) < 0)
		r = -1;
out:
	sodium_memzero(spare, sizeof(spare));
	rg_sign_key_wipe(&key);
	unlink(kpath);
	free(buf);
	return r;
}

/* --- the daemon process --- */

const char *fx_daemon_binary(void)
{
	return getenv("RELAYGATED");
}

static void log_append(struct fx_daemon *d, const char *p, size_t n)
{
	if (d->loglen + n + 1 > d->logcap) {
		size_t cap = (d->logcap ? d->logcap * 2 : 65536) + n;
		char *q = realloc(d->log, cap);

		if (!q)
			return;
		d->log = q;
		d->logcap = cap;
	}
	memcpy(d->log + d->loglen, p, n);
	d->loglen += n;
	d->log[d->loglen] = '\0';
}

/* Reads what the daemon wrote, waiting at most timeout_ms for the first
 * bytes. false at end of file. */
static bool pump(struct fx_daemon *d, int timeout_ms)
{
	struct pollfd p = { .fd = d->errfd, .events = POLLIN };
	char buf[8192];
	ssize_t n;

	if (d->errfd < 0 || poll(&p, 1, timeout_ms) <= 0)
		return d->errfd >= 0;
	n = read(d->errfd, buf, sizeof(buf));
	if (n <= 0) {
		close(d->errfd);
		d->errfd = -1;
		return false;
	}
	log_append(d, buf, (size_t)n);
	if (getenv("FX_VERBOSE"))
		fwrite(buf, 1, (size_t)n, stderr);
	return true;
}

bool fx_daemon_wait_log(struct fx_daemon *d, const char *needle, int timeout_ms)
{
	int64_t end = now_ms() + timeout_ms;

	for (;;) {
		int64_t left = end - now_ms();

		if (d->log && strstr(d->log, needle))
			return true;
		if (left <= 0 || !pump(d, (int)(left < 100 ? left : 100)))
			return d->log && strstr(d->log, needle);
	}
}

static void parse_addrs(struct fx_daemon *d)
{
	const char *p;

	for (p = d->log; (p = strstr(p, "msg=listening family=udp")); p++) {
		int f = p[24] == '6';
		const char *a = strstr(p, " addr="), *s = strstr(p, " sockets=");
		char buf[64];
		size_t n;

		if (!a || !s)
			continue;
		a += 6;
		n = strcspn(a, " \n");
		if (n >= sizeof(buf))
			continue;
		memcpy(buf, a, n);
		buf[n] = '\0';
		if (rg_addrport_parse(buf, &d->udp[f]) == 0)
			d->has_udp[f] = true;
		d->sockets = (unsigned)atoi(s + 9);
	}
	p = strstr(d->log, "msg=\"metrics listening\" addr=");
	if (p) {
		char buf[64];
		size_t n;

		p += strlen("msg=\"metrics listening\" addr=");
		n = strcspn(p, " \n");
		if (n < sizeof(buf)) {
			memcpy(buf, p, n);
			buf[n] = '\0';
			d->has_metrics = rg_addrport_parse(buf, &d->metrics) == 0;
		}
	}
}

static int spawn(struct fx_daemon *d, const struct fx_env *e, const char *const *args,
		 const char *const *env_extra, bool standard)
{
	const char *argv[64];
	size_t n = 0;
	int pipefd[2];

	memset(d, 0, sizeof(*d));
	d->errfd = -1;
	d->pid = -1;
	if (!fx_daemon_binary())
		return -1;
	argv[n++] = fx_daemon_binary();
	if (standard) {
		static char metrics[] = "127.0.0.1:0";
		const char *std[] = { "--key", e->relay_keyfile, "--table", e->table, "--trust",
				      e->trust, "--relay", FX_RELAY, "--metrics", metrics };

		for (size_t i = 0; i < sizeof(std) / sizeof(std[0]); i++)
			argv[n++] = std[i];
	}
	for (size_t i = 0; args && args[i] && n < 63; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	d->pid = fork();
	if (d->pid < 0)
		return -1;
	if (d->pid == 0) {
		dup2(pipefd[1], STDERR_FILENO);
		dup2(pipefd[1], STDOUT_FILENO);
		for (size_t i = 0; env_extra && env_extra[i]; i++)
			putenv((char *)env_extra[i]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pipefd[1]);
	d->errfd = pipefd[0];
	return 0;
}

static int decode_status(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return -1;
}

int fx_daemon_start(struct fx_daemon *d, const struct fx_env *e, const char *const *args,
		    const char *const *env_extra)
{
	int64_t end = now_ms() + START_TIMEOUT_MS;
	int st;

	if (spawn(d, e, args, env_extra, true) < 0)
		return -1;
	while (now_ms() < end) {
		if (d->log && strstr(d->log, "msg=ready")) {
			parse_addrs(d);
			return 0;
		}
		if (!pump(d, 100))
			break;
	}
	if (waitpid(d->pid, &st, WNOHANG) == d->pid) {
		d->status = decode_status(st);
		d->pid = -1;
	}
	if (d->log)
		fprintf(stderr, "fixture: relaygated did not start:\n%s\n", d->log);
	return -1;
}

int fx_daemon_run(struct fx_daemon *d, const struct fx_env *e, const char *const *args,
		  bool standard_args)
{
	int64_t end = now_ms() + START_TIMEOUT_MS;
	int st;

	if (spawn(d, e, args, NULL, standard_args) < 0)
		return -1;
	while (now_ms() < end && pump(d, 100))
		;
	if (waitpid(d->pid, &st, 0) != d->pid)
		return -1;
	d->pid = -1;
	d->status = decode_status(st);
	return d->status;
}

void fx_daemon_kill(struct fx_daemon *d, int sig)
{
	if (d->pid > 0)
		kill(d->pid, sig);
}

int fx_daemon_stop(struct fx_daemon *d)
{
	int64_t end = now_ms() + STOP_TIMEOUT_MS;
	int st;

	if (d->pid <= 0)
		return d->status;
	kill(d->pid, SIGTERM);
	for (;;) {
		pid_t r = waitpid(d->pid, &st, WNOHANG);

		if (r == d->pid) {
			d->status = decode_status(st);
			break;
		}
		if (now_ms() > end) {
			kill(d->pid, SIGKILL);
			waitpid(d->pid, &st, 0);
			d->status = -1;
			break;
		}
		pump(d, 20);
	}
	while (pump(d, 0))
		;
	d->pid = -1;
	if (d->errfd >= 0)
		close(d->errfd);
	d->errfd = -1;
	if (d->status != 0 && d->log)
		fprintf(stderr, "fixture: relaygated exited with %d:\n%s\n", d->status, d->log);
	return d->status;
}

/* --- HTTP --- */

int fx_tcp_connect(const struct rg_addrport *a)
{
	struct sockaddr_storage ss;
	socklen_t len = rg_addrport_to_sockaddr(a, &ss);
	int fd;

	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int fx_http(const struct rg_addrport *addr, const char *req, size_t reqlen, char **body)
{
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap), *sep;
	int fd = fx_tcp_connect(addr), status = -1;
	int64_t end = now_ms() + 5000;

	if (body)
		*body = NULL;
	if (fd < 0 || !buf)
		goto out;
	if (reqlen && send(fd, req, reqlen, MSG_NOSIGNAL) != (ssize_t)reqlen)
		goto out;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, (int)(end - now_ms() > 0 ? end - now_ms() : 0)) <= 0)
			goto out;
		if (len + 1 >= cap) {
			char *q = realloc(buf, cap * 2);

			if (!q)
				goto out;
			buf = q;
			cap *= 2;
		}
		n = recv(fd, buf + len, cap - len - 1, 0);
		if (n < 0)
			break;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	if (sscanf(buf, "HTTP/1.1 %d", &status) != 1)
		status = -1;
	sep = strstr(buf, "\r\n\r\n");
	if (body && sep) {
		*body = strdup(sep + 4);
	}
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return status;
}

char *fx_scrape(const struct fx_daemon *d)
{
	static const char req[] = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
	char *body;

	if (fx_http(&d->metrics, req, sizeof(req) - 1, &body) != 200) {
		free(body);
		return NULL;
	}
	return body;
}

double fx_metric(const char *body, const char *series)
{
	size_t n = strlen(series);

	for (const char *p = body; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, series, n) == 0 && p[n] == ' ')
			return strtod(p + n + 1, NULL);
	}
	return -1;
}

double fx_metric_wait(const struct fx_daemon *d, const char *series, double want,
		      int timeout_ms)
{
	int64_t end = now_ms() + timeout_ms;
	double v = -1;

	do {
		char *body = fx_scrape(d);

		v = body ? fx_metric(body, series) : -1;
		free(body);
		if (v == want)
			return v;
		nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000 * 1000 }, NULL);
	} while (now_ms() < end);
	return v;
}

/* --- UDP clients --- */

int fx_udp_socket(int family, struct rg_addrport *bound)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int buf = 4 << 20;

	if (fd < 0)
		return -1;
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_loopback;
		len = sizeof(*s6);
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		close(fd);
		return -1;
	}
	if (bound)
		rg_addrport_from_sockaddr(&ss, bound);
	return fd;
}

int fx_send(int fd, const struct rg_addrport *to, const uint8_t *p, size_t n)
{
	struct sockaddr_storage ss;
	socklen_t len = rg_addrport_to_sockaddr(to, &ss);

	return sendto(fd, p, n, 0, (struct sockaddr *)&ss, len) == (ssize_t)n ? 0 : -1;
}

ssize_t fx_recv(int fd, uint8_t *buf, size_t cap, int timeout_ms, struct rg_addrport *from)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	ssize_t n;

	if (poll(&p, 1, timeout_ms) <= 0)
		return -1;
	n = recvfrom(fd, buf, cap, 0, (struct sockaddr *)&ss, &len);
	if (n >= 0 && from)
		rg_addrport_from_sockaddr(&ss, from);
	return n;
}

int fx_client_init(struct fx_client *x, const struct fx_env *e, const struct fx_node *self,
		   const struct fx_node *peer, const struct rg_addrport *relay)
{
	memset(x, 0, sizeof(*x));
	x->relay = *relay;
	if (rg_relay_client_init(&x->c, &self->priv, &e->relay_pub, &peer->pub) < 0)
		return -1;
	x->fd = fx_udp_socket(rg_addrport_is4(relay) ? AF_INET : AF_INET6, &x->addr);
	return x->fd < 0 ? -1 : 0;
}

void fx_client_free(struct fx_client *x)
{
	if (x->fd >= 0)
		close(x->fd);
	x->fd = -1;
	rg_relay_client_wipe(&x->c);
}

int fx_allocate(struct fx_client *x, uint32_t gen, struct rg_relay_endpoint_info *info,
		int timeout_ms)
{
	uint8_t pkt[RG_RELAY_CLIENT_PACKET_MAX];
	size_t n;
	int64_t end = now_ms() + timeout_ms;

	if (rg_relay_client_alloc_request(&x->c, gen, pkt, sizeof(pkt), &n) != 0 ||
	    fx_send(x->fd, &x->relay, pkt, n) < 0)
		return -1;
	while (now_ms() < end) {
		ssize_t r = fx_recv(x->fd, pkt, sizeof(pkt), (int)(end - now_ms()), NULL);

		if (r < 0)
			return -1;
		if (rg_relay_client_alloc_response(&x->c, pkt, (size_t)r, gen, info) == 0)
			return 0;
	}
	return -1;
}

int fx_bind(struct fx_client *x, uint32_t vni, uint32_t gen, int timeout_ms)
{
	uint8_t pkt[RG_RELAY_CLIENT_PACKET_MAX], ch[RG_DISCO_CHALLENGE_LEN];
	size_t n;
	int64_t end = now_ms() + timeout_ms;

	if (rg_relay_client_bind(&x->c, RG_DISCO_BIND, vni, gen, NULL, pkt, sizeof(pkt), &n) != 0 ||
	    fx_send(x->fd, &x->relay, pkt, n) < 0)
		return -1;
	for (;;) {
		ssize_t r;

		if (now_ms() >= end)
			return -1;
		r = fx_recv(x->fd, pkt, sizeof(pkt), (int)(end - now_ms()), NULL);
		if (r < 0)
			return -1;
		if (rg_relay_client_challenge(&x->c, pkt, (size_t)r, vni, gen, ch) == 0)
			break;
	}
	if (rg_relay_client_bind(&x->c, RG_DISCO_BIND_ANSWER, vni, gen, ch, pkt, sizeof(pkt), &n) !=
		    0 ||
	    fx_send(x->fd, &x->relay, pkt, n) < 0)
		return -1;
	return 0;
}

/* Waits for a disco message of type t from the peer on x. */
static int expect(struct fx_client *x, uint32_t vni, enum rg_disco_type t, const uint8_t *txid,
		  struct rg_disco_msg *m, int64_t end)
{
	uint8_t pkt[2048], plain[2048];

	while (now_ms() < end) {
		ssize_t r = fx_recv(x->fd, pkt, sizeof(pkt), (int)(end - now_ms()), NULL);

		if (r < 0)
			return -1;
		if (rg_relay_client_open_data(&x->c, pkt, (size_t)r, vni, m, plain, sizeof(plain)) ==
			    0 &&
		    m->type == t && memcmp(m->u.ping.txid, txid, RG_DISCO_TXID_LEN) == 0)
			return 0;
	}
	return -1;
}

int fx_ping(struct fx_client *from, struct fx_client *to, uint32_t vni, int timeout_ms)
{
	struct rg_disco_msg m, got;
	uint8_t pkt[512];
	size_t n;
	int64_t end = now_ms() + timeout_ms;

	memset(&m, 0, sizeof(m));
	m.type = RG_DISCO_PING;
	randombytes_buf(m.u.ping.txid, sizeof(m.u.ping.txid));
	if (rg_relay_client_data(&from->c, vni, &m, pkt, sizeof(pkt), &n) != 0 ||
	    fx_send(from->fd, &from->relay, pkt, n) < 0 ||
	    expect(to, vni, RG_DISCO_PING, m.u.ping.txid, &got, end) < 0)
		return -1;
	m.type = RG_DISCO_PONG;
	m.u.pong.src = to->relay;
	if (rg_relay_client_data(&to->c, vni, &m, pkt, sizeof(pkt), &n) != 0 ||
	    fx_send(to->fd, &to->relay, pkt, n) < 0)
		return -1;
	return expect(from, vni, RG_DISCO_PONG, m.u.ping.txid, &got, end);
}
