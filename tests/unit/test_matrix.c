/* The grant matrix model: accesses, node and principal matrices, classes, views, diff. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "matrix/access.h"
#include "matrix/routes.h"
#include "util/buf.h"
#include "matrix_fixture.h"

static const char inventory[] =
	"{\"users\": [{\"id\": 1, \"name\": \"alice\", \"email\": \"alice@example.com\"}],\n"
	" \"nodes\": [\n"
	"  {\"name\": \"a1\", \"user\": \"alice@example.com\",\n"
	"   \"ips\": [\"100.64.0.1\", \"fd7a:115c:a1e0::1\"]},\n"
	"  {\"name\": \"a2\", \"user\": \"alice@example.com\", \"ips\": [\"100.64.0.2\"]},\n"
	"  {\"name\": \"b1\", \"user\": \"bob@example.com\", \"ips\": [\"100.64.0.3\"]},\n"
	"  {\"name\": \"web1\", \"user\": null, \"tags\": [\"tag:web\"], \"ips\": [\"100.64.1.1\"]},\n"
	"  {\"name\": \"web2\", \"user\": null, \"tags\": [\"tag:web\"], \"ips\": [\"100.64.1.2\"]},\n"
	"  {\"name\": \"db\", \"user\": null, \"tags\": [\"tag:db\"], \"ips\": [\"100.64.2.1\"]},\n"
	"  {\"name\": \"relay\", \"user\": null, \"tags\": [\"tag:relay\"],\n"
	"   \"ips\": [\"100.64.3.1\"]}\n"
	"]}\n";

#define POLICY_HEAD                                                                             \
	"{\"groups\": {\"group:eng\": [\"alice@example.com\", \"bob@example.com\"]},\n"        \
	" \"tagOwners\": {\"tag:web\": [\"group:eng\"], \"tag:db\": [\"group:eng\"],\n"        \
	"                \"tag:relay\": [\"group:eng\"]},\n"                                      \
	" \"hosts\": {\"ext\": \"192.0.2.0/24\"},\n"

static const char policy[] = POLICY_HEAD
	" \"grants\": [\n"
	"  {\"src\": [\"group:eng\"], \"dst\": [\"tag:web\"], \"ip\": [\"tcp:443\", \"tcp:80\"]},\n"
	"  {\"src\": [\"alice@example.com\"], \"dst\": [\"tag:db\"], \"ip\": [\"22\"]},\n"
	"  {\"src\": [\"tag:web\"], \"dst\": [\"tag:db\"],\n"
	"   \"ip\": [\"tcp:5432-5433\", \"tcp:5434\"]},\n"
	"  {\"src\": [\"autogroup:member\"], \"dst\": [\"autogroup:self\"], \"ip\": [\"*\"]},\n"
	"  {\"src\": [\"group:eng\"], \"dst\": [\"ext\"], \"ip\": [\"tcp:25\"]},\n"
	"  {\"src\": [\"tag:web\", \"group:eng\"], \"dst\": [\"tag:relay\"],\n"
	"   \"app\": {\"tailscale.com/cap/relay\": []}}\n"
	" ]}\n";

static const struct rg_matrix_opts nodes_never = { NULL, RG_MATRIX_GROUP_NEVER, 0 };

/* ---- accesses ---------------------------------------------------------------- */

static const char *text_of(struct acc_pool *pool, struct acc_work *w)
{
	const struct rg_matrix_access *a = acc_pool_intern(pool, w);

	assert_non_null(a);
	acc_work_clear(w);
	return a->text;
}

static void test_access_text(void **state)
{
	struct acc_pool pool;
	struct acc_work w;
	int k;

	(void)state;
	acc_pool_init(&pool);
	acc_work_init(&w);
	for (k = 0; k < RG_PROTO_DEFAULT_COUNT; k++)
		assert_int_equal(acc_work_add_ports(&w, rg_proto_default[k], 22, 22), 0);
	assert_string_equal(text_of(&pool, &w), "22");
	for (k = 0; k < RG_PROTO_DEFAULT_COUNT; k++)
		acc_work_add_ports(&w, rg_proto_default[k], 22, 22);
	acc_work_add_ports(&w, 6, 443, 443);
	acc_work_add_ports(&w, 6, 80, 80);
	assert_string_equal(text_of(&pool, &w), "22 tcp:80,443");
	for (k = 0; k < RG_PROTO_DEFAULT_COUNT; k++)
		acc_work_add_ports(&w, rg_proto_default[k], 0, 65535);
	assert_string_equal(text_of(&pool, &w), "*");
	acc_work_add_ports(&w, 6, 0, 65535);
	acc_work_add_ports(&w, 47, 0, 65535);
	acc_work_add_ports(&w, 99, 0, 65535);
	assert_string_equal(text_of(&pool, &w), "tcp:* gre:* 99:*");
	/* Overlapping and adjacent ranges merge; caps sort and dedup, after the ports. */
	acc_work_add_ports(&w, 17, 10, 20);
	acc_work_add_ports(&w, 17, 21, 30);
	acc_work_add_ports(&w, 17, 15, 25);
	acc_work_add_cap(&w, "example.com/cap/b");
	acc_work_add_cap(&w, "example.com/cap/a");
	acc_work_add_cap(&w, "example.com/cap/b");
	assert_string_equal(text_of(&pool, &w), "udp:10-30 example.com/cap/a example.com/cap/b");
	assert_ptr_equal(acc_pool_intern(&pool, &w), &pool.empty);
	acc_work_free(&w);
	acc_pool_free(&pool);
}

static void test_access_ops(void **state)
{
	struct acc_pool pool;
	struct acc_work w, out;
	const struct rg_matrix_access *a, *b, *x;

	(void)state;
	acc_pool_init(&pool);
	acc_work_init(&w);
	acc_work_init(&out);
	acc_work_add_ports(&w, 6, 1, 100);
	acc_work_add_ports(&w, 17, 1, 1);
	acc_work_add_cap(&w, "example.com/cap/a");
	acc_work_add_cap(&w, "example.com/cap/b");
	a = acc_pool_intern(&pool, &w);
	acc_work_clear(&w);
	acc_work_add_ports(&w, 6, 10, 20);
	acc_work_add_ports(&w, 6, 50, 150);
	acc_work_add_cap(&w, "example.com/cap/b");
	b = acc_pool_intern(&pool, &w);
	assert_int_equal(acc_intersect(a, b, &out), 0);
	x = acc_pool_intern(&pool, &out);
	assert_string_equal(x->text, "tcp:10-20,50-100 example.com/cap/b");
	assert_int_equal(acc_subtract(a, b, &out), 0);
	assert_string_equal(acc_pool_intern(&pool, &out)->text,
			    "tcp:1-9,21-49 udp:1 example.com/cap/a");
	assert_int_equal(acc_subtract(b, a, &out), 0);
	assert_string_equal(acc_pool_intern(&pool, &out)->text, "tcp:101-150");
	assert_int_equal(acc_subtract(a, a, &out), 0);
	assert_ptr_equal(acc_pool_intern(&pool, &out), &pool.empty);
	/* Equal contents, one pointer; the weight counts (protocol, port) pairs and caps. */
	acc_work_add(&out, x);
	assert_ptr_equal(acc_pool_intern(&pool, &out), x);
	assert_int_equal(x->weight, 11 + 51 + 1);
	acc_work_free(&w);
	acc_work_free(&out);
	acc_pool_free(&pool);
}

/* ---- node matrix --------------------------------------------------------------- */

static void test_nodes(void **state)
{
	struct fx f;
	struct rg_matrix *m;

	(void)state;
	m = fx_one(&f, inventory, policy, &nodes_never);
	assert_false(m->aggregated);
	assert_int_equal(m->kind, RG_MATRIX_NODES);
	assert_string_equal(fx_cell(m, "a1", "web1"), "tcp:80,443");
	assert_string_equal(fx_cell(m, "b1", "web2"), "tcp:80,443");
	assert_string_equal(fx_cell(m, "a1", "db"), "22");
	assert_string_equal(fx_cell(m, "b1", "db"), "");
	assert_string_equal(fx_cell(m, "web1", "db"), "tcp:5432-5434");
	/* autogroup:self: a user's own devices, all of them, not another user's. */
	assert_string_equal(fx_cell(m, "a1", "a2"), "*");
	assert_string_equal(fx_cell(m, "a2", "a1"), "*");
	assert_string_equal(fx_cell(m, "b1", "a1"), "");
	/* Relay capability on the relay; its relay-target companion is left out. */
	assert_string_equal(fx_cell(m, "web2", "relay"), "tailscale.com/cap/relay");
	assert_string_equal(fx_cell(m, "a1", "relay"), "tailscale.com/cap/relay");
	assert_int_equal(fx_line(m->rows, m->nrows, "relay"), -1);
	assert_int_equal(m->nidle_rows, 2); /* db, relay */
	assert_string_equal(m->idle_rows[0], "db");
	/* Cells are sorted and unique. */
	for (size_t i = 1; i < m->ncells; i++)
		assert_true(m->cells[i - 1].row < m->cells[i].row ||
			    (m->cells[i - 1].row == m->cells[i].row &&
			     m->cells[i - 1].col < m->cells[i].col));
	fx_free(&f);
}

static void test_cap_views(void **state)
{
	struct rg_matrix_opts o = { RG_CAP_RELAY, RG_MATRIX_GROUP_NEVER, 0 };
	struct fx f;
	struct rg_matrix *m;

	(void)state;
	m = fx_one(&f, inventory, policy, &o);
	assert_string_equal(m->cap, RG_CAP_RELAY);
	assert_int_equal(m->ncols, 1);
	assert_string_equal(m->cols[0].label, "relay");
	assert_int_equal(m->nrows, 5); /* a1, a2, b1, web1, web2 */
	assert_string_equal(fx_cell(m, "web1", "relay"), "tailscale.com/cap/relay");
	rg_matrix_free(f.m[0]);
	/* The companion, when asked for: the relay grants relay-target to the requesters. */
	o.cap = RG_CAP_RELAY_TARGET;
	m = fx_matrix(&f, 0, &o);
	assert_int_equal(m->nrows, 1);
	assert_string_equal(m->rows[0].label, "relay");
	assert_string_equal(fx_cell(m, "relay", "web1"), RG_CAP_RELAY_TARGET);
	fx_free(&f);
}

static void test_aggregate(void **state)
{
	struct rg_matrix_opts o = { NULL, RG_MATRIX_GROUP_ALWAYS, 0 };
	struct fx f;
	struct rg_matrix *m;
	long r;

	(void)state;
	m = fx_one(&f, inventory, policy, &o);
	assert_true(m->aggregated);
	r = fx_line(m->rows, m->nrows, "web1 (+1)");
	assert_true(r >= 0);
	assert_string_equal(m->rows[r].kind, "nodes");
	assert_int_equal(m->rows[r].nmembers, 2);
	assert_string_equal(m->rows[r].members[1], "web2");
	assert_string_equal(fx_cell(m, "web1 (+1)", "db"), "tcp:5432-5434");
	/* a1 and a2 (alice's) reach the same: one row; as destinations they differ from b1. */
	assert_string_equal(fx_cell(m, "b1", "web1 (+1)"), "tcp:80,443");
	assert_string_equal(fx_cell(m, "a1 (+1)", "a1 (+1)"), "*");
	assert_string_equal(fx_cell(m, "b1", "b1"), "*");
	assert_string_equal(fx_cell(m, "b1", "a1 (+1)"), "");
	rg_matrix_free(f.m[0]);
	/* Auto: below the threshold, one line per node; above it, merged. */
	o.group = RG_MATRIX_GROUP_AUTO;
	m = fx_matrix(&f, 0, &o);
	assert_false(m->aggregated);
	rg_matrix_free(f.m[0]);
	o.group_threshold = 3;
	m = fx_matrix(&f, 0, &o);
	assert_true(m->aggregated);
	fx_free(&f);
}

/* ---- principal matrix ----------------------------------------------------------- */

static void test_principals(void **state)
{
	struct rg_matrix_opts o = { NULL, RG_MATRIX_GROUP_AUTO, 0 };
	struct fx f;
	struct rg_matrix *m;
	long r;

	(void)state;
	m = fx_one(&f, NULL, policy, &o);
	assert_int_equal(m->kind, RG_MATRIX_PRINCIPALS);
	assert_string_equal(m->rows[0].label, "group:eng"); /* groups first */
	r = fx_line(m->rows, m->nrows, "alice@example.com");
	assert_true(r >= 0);
	assert_string_equal(m->rows[r].kind, "user");
	assert_int_equal(m->rows[r].nmembers, 1);
	assert_string_equal(m->rows[r].members[0], "alice@example.com");
	assert_string_equal(fx_cell(m, "group:eng", "tag:web"), "tcp:80,443");
	/* A group gets what every member gets: alice's own grant is not the group's. */
	assert_string_equal(fx_cell(m, "alice@example.com", "tag:db"), "22");
	assert_string_equal(fx_cell(m, "group:eng", "tag:db"), "");
	assert_string_equal(fx_cell(m, "tag:web", "tag:db"), "tcp:5432-5434");
	assert_string_equal(fx_cell(m, "alice@example.com", "alice@example.com"), "*");
	assert_string_equal(fx_cell(m, "alice@example.com", "bob@example.com"), "");
	/* autogroup:member: every user, including one the policy does not name. */
	assert_string_equal(fx_cell(m, "autogroup:member", "tag:web"), "?"); /* no access at all */
	assert_string_equal(fx_cell(m, "(any other user)", "(any other user)"), "*");
	assert_string_equal(fx_cell(m, "group:eng", "ext"), "tcp:25");
	assert_string_equal(fx_cell(m, "tag:web", "tag:relay"), "tailscale.com/cap/relay");
	fx_free(&f);
}

static void test_principals_wildcard(void **state)
{
	static const char p[] = POLICY_HEAD
		" \"grants\": [\n"
		"  {\"src\": [\"*\"], \"dst\": [\"*\"], \"ip\": [\"*\"]},\n"
		"  {\"src\": [\"group:eng\"], \"dst\": [\"ext\", \"100.64.5.0/24\"],\n"
		"   \"ip\": [\"tcp:25\"]}\n"
		" ]}\n";
	struct rg_matrix_opts o = { NULL, RG_MATRIX_GROUP_AUTO, 0 };
	struct fx f;
	struct rg_matrix *m;

	(void)state;
	m = fx_one(&f, NULL, p, &o);
	assert_string_equal(fx_cell(m, "*", "*"), "*");
	assert_string_equal(fx_cell(m, "alice@example.com", "tag:db"), "*");
	/* "*" is the tailnet: not an address outside it ... */
	assert_string_equal(fx_cell(m, "group:eng", "ext"), "tcp:25");
	/* ... but a CIDR inside it is (no user or tag is placed in it). */
	assert_string_equal(fx_cell(m, "bob@example.com", "100.64.5.0/24"), "*");
	assert_string_equal(fx_cell(m, "tag:db", "100.64.5.0/24"), "*");
	assert_string_equal(fx_cell(m, "alice@example.com", "100.64.5.0/24"), "*");
	fx_free(&f);
}

/* Neither grants nor acls: everything is allowed, and the matrix says so. */
static void test_default_allow(void **state)
{
	struct rg_matrix_opts o = { NULL, RG_MATRIX_GROUP_NEVER, 0 };
	struct fx f;
	struct rg_matrix *m;

	(void)state;
	m = fx_one(&f, NULL, "{}", &o);
	assert_string_equal(fx_cell(m, "*", "*"), "*");
	fx_free(&f);
	m = fx_one(&f, inventory, "{}", &o);
	assert_int_equal(m->nrows, 7);
	assert_int_equal(m->ncols, 7);
	assert_int_equal(m->ncells, 49);
	assert_string_equal(fx_cell(m, "web1", "a2"), "*");
	fx_free(&f);
	m = fx_one(&f, inventory, "{\"grants\": []}", &o);
	assert_int_equal(m->ncells, 0);
	assert_int_equal(m->nidle_rows, 7);
	fx_free(&f);
}

/* ---- diff ------------------------------------------------------------------------- */

static struct rg_matrix_diff *diff_of(const char *old, const char *new_, bool with_inventory)
{
	struct rg_matrix_opts o = { NULL, RG_MATRIX_GROUP_ALWAYS, 0 };
	struct rg_matrix_diff *d = NULL;
	struct rg_err err;
	struct fx f;

	memset(&f, 0, sizeof(f));
	if (with_inventory)
		fx_inventory(&f, inventory);
	fx_policy(&f, 0, old);
	fx_policy(&f, 1, new_);
	fx_matrix(&f, 0, &o);
	fx_matrix(&f, 1, &o);
	assert_int_equal(rg_matrix_diff(f.m[0], f.m[1], &d, &err), 0);
	fx_free(&f); /* the diff borrows nothing */
	return d;
}

static char *replace(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	char *out;

	assert_non_null(at);
	out = malloc(strlen(s) - strlen(from) + strlen(to) + 1);
	assert_non_null(out);
	sprintf(out, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
	return out;
}

static void test_diff(void **state)
{
	struct rg_matrix_diff *d;
	char *grow, *shrink;

	(void)state;
	d = diff_of(policy, policy, true);
	assert_int_equal(d->nchanges, 0);
	assert_int_equal(d->granted_pairs + d->revoked_pairs, 0);
	rg_matrix_diff_free(d);

	/* bob gets alice's ssh to db; web loses a port. */
	grow = replace(policy, "[\"alice@example.com\"], \"dst\": [\"tag:db\"]",
		       "[\"alice@example.com\", \"bob@example.com\"], \"dst\": [\"tag:db\"]");
	shrink = replace(grow, "\"tcp:5432-5433\", \"tcp:5434\"", "\"tcp:5432-5433\"");
	d = diff_of(policy, shrink, true);
	assert_int_equal(d->nchanges, 2);
	assert_int_equal(d->granted_pairs, 1);
	assert_int_equal(d->revoked_pairs, 2);
	assert_int_equal(d->changes[0].nsrcs, 1);
	assert_string_equal(d->changes[0].srcs[0], "b1");
	assert_string_equal(d->changes[0].dsts[0], "db");
	assert_string_equal(d->changes[0].granted->text, "22");
	assert_null(d->changes[0].revoked);
	/* Both web nodes lose the same port to db: one change. */
	assert_int_equal(d->changes[1].nsrcs, 2);
	assert_string_equal(d->changes[1].srcs[0], "web1");
	assert_string_equal(d->changes[1].srcs[1], "web2");
	assert_string_equal(d->changes[1].revoked->text, "tcp:5434");
	assert_null(d->changes[1].granted);
	rg_matrix_diff_free(d);

	/* By principal: the same change, named by the policy's own names. */
	d = diff_of(policy, grow, false);
	assert_int_equal(d->kind, RG_MATRIX_PRINCIPALS);
	assert_int_equal(d->nchanges, 1);
	assert_int_equal(d->changes[0].nsrcs, 2);
	assert_string_equal(d->changes[0].srcs[0], "bob@example.com");
	assert_string_equal(d->changes[0].srcs[1], "group:eng"); /* now all its members have it */
	assert_string_equal(d->changes[0].dsts[0], "tag:db");
	rg_matrix_diff_free(d);
	free(grow);
	free(shrink);
}

static void test_diff_refuses_mixed(void **state)
{
	struct rg_matrix_opts a = { NULL, RG_MATRIX_GROUP_NEVER, 0 }, b = { RG_CAP_RELAY, 0, 0 };
	struct rg_matrix_diff *d = NULL;
	struct rg_err err;
	struct fx f;

	(void)state;
	memset(&f, 0, sizeof(f));
	fx_inventory(&f, inventory);
	fx_policy(&f, 0, policy);
	fx_policy(&f, 1, policy);
	fx_matrix(&f, 0, &a);
	fx_matrix(&f, 1, &b);
	assert_int_equal(rg_matrix_diff(f.m[0], f.m[1], &d, &err), -1);
	assert_null(d);
	fx_free(&f);
}

/* ---- routed destinations ------------------------------------------------------------ */

/* A subnet router, a second one for the same subnet (HA), an exit node. */
static const char routed_inventory[] =
	"{\"users\": [{\"id\": 1, \"name\": \"alice\", \"email\": \"alice@example.com\"}],\n"
	" \"nodes\": [\n"
	"  {\"name\": \"alice\", \"user\": \"alice@example.com\", \"ips\": [\"100.64.0.1\"]},\n"
	"  {\"name\": \"bob\", \"user\": \"bob@example.com\", \"ips\": [\"100.64.0.2\"]},\n"
	"  {\"name\": \"carol\", \"user\": \"carol@example.com\", \"ips\": [\"100.64.0.3\"]},\n"
	"  {\"name\": \"router-1\", \"user\": null, \"tags\": [\"tag:router\"],\n"
	"   \"ips\": [\"100.64.1.1\"], \"routable_ips\": [\"10.33.0.0/16\"],\n"
	"   \"approved_routes\": [\"10.33.0.0/16\"]},\n"
	"  {\"name\": \"router-2\", \"user\": null, \"tags\": [\"tag:router\"],\n"
	"   \"ips\": [\"100.64.1.2\"], \"routable_ips\": [\"10.33.0.0/16\", \"fd00:33::/64\"],\n"
	"   \"approved_routes\": [\"10.33.0.0/16\"]},\n"
	"  {\"name\": \"exit-1\", \"user\": null, \"tags\": [\"tag:exit\"],\n"
	"   \"ips\": [\"100.64.2.1\", \"fd7a:115c:a1e0::201\"],\n"
	"   \"routable_ips\": [\"0.0.0.0/0\", \"::/0\"], \"approved_routes\": [\"0.0.0.0/0\", \"::/0\"]}\n"
	"]}\n";

#define ROUTED_HEAD                                                                            \
	"{\"groups\": {\"group:ops\": [\"alice@example.com\", \"bob@example.com\"]},\n"        \
	" \"tagOwners\": {\"tag:router\": [\"group:ops\"], \"tag:exit\": [\"group:ops\"],\n"   \
	"                \"tag:web\": [\"group:ops\"]},\n"                                        \
	" \"ipsets\": {\"ipset:lab\": [\"10.33.0.0/16\"]},\n"

static const char routed_policy[] = ROUTED_HEAD
	" \"grants\": [\n"
	"  {\"src\": [\"group:ops\"], \"dst\": [\"ipset:lab\"], \"ip\": [\"tcp:22\"]},\n"
	"  {\"src\": [\"carol@example.com\"], \"dst\": [\"10.33.7.7\"], \"ip\": [\"tcp:443\"]},\n"
	"  {\"src\": [\"bob@example.com\"], \"dst\": [\"autogroup:internet\"], \"ip\": [\"*\"]},\n"
	"  {\"src\": [\"alice@example.com\"], \"dst\": [\"8.8.8.0/24\"], \"via\": [\"tag:exit\"],\n"
	"   \"ip\": [\"*\"]}\n"
	" ]}\n";

static long route_line(const struct rg_matrix *m, const char *label)
{
	long c = fx_line(m->cols, m->ncols, label);

	assert_true(c >= 0);
	assert_non_null(m->cols[c].routes);
	return c;
}

static void test_routes_nodes(void **state)
{
	struct fx f;
	struct rg_matrix *m;
	const struct rg_matrix_route *rt;
	long c;

	(void)state;
	m = fx_one(&f, routed_inventory, routed_policy, &nodes_never);
	/* Node columns are as before: nobody reaches a router or the exit node itself. */
	assert_int_equal(fx_line(m->cols, m->ncols, "router-1"), -1);
	assert_int_equal(fx_line(m->cols, m->ncols, "exit-1"), -1);
	/* A subnet, on both of its routers, cut where carol's access differs. */
	assert_string_equal(fx_cell(m, "alice", "10.33.0.0/16 except 10.33.7.7 via router-1"), "tcp:22");
	assert_string_equal(fx_cell(m, "bob", "10.33.7.7 via router-1"), "tcp:22");
	assert_string_equal(fx_cell(m, "carol", "10.33.7.7 via router-1"), "tcp:443");
	assert_string_equal(fx_cell(m, "carol", "10.33.0.0/16 except 10.33.7.7 via router-1"), "");
	assert_string_equal(fx_cell(m, "carol", "10.33.7.7 via router-2"), "tcp:443");
	/* The internet through the exit node; via reaches only what it names. */
	assert_string_equal(fx_cell(m, "bob", "internet except 8.8.8.0/24 via exit-1"), "*");
	assert_string_equal(fx_cell(m, "bob", "8.8.8.0/24 via exit-1"), "*");
	assert_string_equal(fx_cell(m, "alice", "8.8.8.0/24 via exit-1"), "*");
	assert_string_equal(fx_cell(m, "alice", "internet except 8.8.8.0/24 via exit-1"), "");
	/* The line says what it stands for. */
	c = route_line(m, "10.33.7.7 via router-2");
	assert_string_equal(m->cols[c].kind, "route");
	rt = &m->cols[c].routes[0];
	assert_string_equal(rt->via, "router-2");
	assert_int_equal(rt->nranges, 1);
	assert_false(rt->ranges[0].is6);
	assert_true(rt->ranges[0].lo == 0x0a210707u && rt->ranges[0].hi == 0x0a210707u);
	assert_int_equal(rt->nroutes, 1); /* fd00:33::/64 is advertised, not approved */
	c = route_line(m, "internet except 8.8.8.0/24 via exit-1");
	assert_true(m->cols[c].routes[0].exit_node);
	assert_int_equal(m->cols[c].routes[0].nranges, 8); /* 7 IPv4 pieces around 8.8.8.0/24, 2000::/3 */
	/* Routed columns come after the node columns. */
	for (size_t i = 1; i < m->ncols; i++)
		assert_true(m->cols[i - 1].routes == NULL || m->cols[i].routes != NULL);
	/* No capability is routed: the relay view has no routed column. */
	fx_free(&f);
	{
		struct rg_matrix_opts o = { RG_CAP_RELAY, RG_MATRIX_GROUP_NEVER, 0 };

		m = fx_one(&f, routed_inventory, routed_policy, &o);
		assert_int_equal(m->ncols, 0);
		fx_free(&f);
	}
}

static void test_routes_aggregate(void **state)
{
	struct rg_matrix_opts o = { NULL, RG_MATRIX_GROUP_ALWAYS, 0 };
	struct fx f;
	struct rg_matrix *m;
	long c;

	(void)state;
	m = fx_one(&f, routed_inventory, routed_policy, &o);
	/* The two routers of one subnet give the same access: one line of two members. */
	c = route_line(m, "10.33.7.7 via router-1 (+1)");
	assert_string_equal(m->cols[c].kind, "routes");
	assert_int_equal(m->cols[c].nmembers, 2);
	assert_string_equal(m->cols[c].members[1], "10.33.7.7 via router-2");
	assert_string_equal(m->cols[c].routes[1].via, "router-2");
	assert_string_equal(fx_cell(m, "carol", "10.33.7.7 via router-1 (+1)"), "tcp:443");
	/* Alice and bob differ only behind the exit node: two rows. */
	assert_string_equal(fx_cell(m, "alice", "8.8.8.0/24 via exit-1"), "*");
	assert_string_equal(fx_cell(m, "bob", "internet except 8.8.8.0/24 via exit-1"), "*");
	fx_free(&f);
}

/* "*" as a destination reaches the routes and, through an exit node, the internet. */
static void test_routes_wildcard(void **state)
{
	struct fx f;
	struct rg_matrix *m;

	(void)state;
	m = fx_one(&f, routed_inventory, "{}", &nodes_never);
	assert_string_equal(fx_cell(m, "carol", "10.33.0.0/16 via router-1"), "*");
	assert_string_equal(fx_cell(m, "exit-1", "internet via exit-1"), "*");
	fx_free(&f);
}

static void add_prefixes(struct rg_ipset *set, const char *const *v)
{
	for (; v && *v; v++) {
		struct rg_prefix x;

		assert_int_equal(rg_prefix_parse(*v, strlen(*v), true, &x), 0);
		assert_int_equal(rg_ipset_add_prefix(set, &x), 0);
	}
	rg_ipset_normalize(set);
}

/* The name of the addresses in ranges (or the internet), less holes, behind router "r". */
static const char *label_less(const char *const *ranges, const char *const *holes,
			      const char *routes, bool exit_node)
{
	static char out[512];
	struct rg_prefix pfx[4];
	struct rg_ipset set, less, internet;
	struct rg_buf b;
	size_t n = 0;
	const char *p = routes;

	rg_ipset_init(&set);
	rg_ipset_init(&less);
	rg_ipset_init(&internet);
	rg_buf_init(&b, 0);
	assert_int_equal(rg_eval_add_internet(&internet), 0);
	if (ranges)
		add_prefixes(&set, ranges);
	else
		assert_int_equal(rg_ipset_union(&set, &internet), 0);
	add_prefixes(&less, holes);
	assert_int_equal(rg_ipset_subtract(&set, &less), 0);
	while (p && *p) {
		const char *end = strchr(p, ' ');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		assert_int_equal(rg_prefix_parse(p, len, false, &pfx[n++]), 0);
		p = end ? end + 1 : NULL;
	}
	assert_int_equal(route_label(&b, &set, "r", pfx, n, exit_node, &internet), 0);
	snprintf(out, sizeof(out), "%s", b.data);
	rg_buf_free(&b);
	rg_ipset_free(&set);
	rg_ipset_free(&less);
	rg_ipset_free(&internet);
	return out;
}

static const char *label_of(const char *const *ranges, const char *routes, bool exit_node)
{
	return label_less(ranges, NULL, routes, exit_node);
}

static void test_route_label(void **state)
{
	static const char *const whole[] = { "10.33.0.0/16", NULL };
	static const char *const one[] = { "10.33.1.5", NULL };
	static const char *const two[] = { "10.33.1.5", "10.33.2.0/24", NULL };
	static const char *const most[] = { "10.33.0.0/17", "10.33.128.0/18", "10.33.192.0/19",
					    "10.33.224.0/20", NULL };
	static const char *const holes[] = { "10.33.7.7", "10.33.100.0/24", NULL };
	static const char *const inner[] = { "10.33.0.0/16", "10.34.0.0/16", NULL };
	static const char *const many[] = { "10.0.0.1", "10.0.0.3", "10.0.0.5", "10.0.0.7", "10.0.0.9",
					    "10.0.0.11", "10.0.0.13", "10.0.0.15", NULL };
	static const char *const world[] = { "0.0.0.0/5", "8.0.0.0/7", "11.0.0.0/8", NULL };
	static const char *const google[] = { "8.8.8.0/24", NULL };
	static const char *const lan_and_dns[] = { "192.168.1.0/24", "8.8.8.8", NULL };

	(void)state;
	assert_string_equal(label_of(whole, "10.33.0.0/16", false), "10.33.0.0/16 via r");
	assert_string_equal(label_of(one, "10.33.0.0/16", false), "10.33.1.5 via r");
	assert_string_equal(label_of(two, "10.33.0.0/16", false), "10.33.1.5, 10.33.2.0/24 via r");
	/* Whichever has fewer intervals: the addresses, or "ROUTE except ..." (a tie: the addresses). */
	assert_string_equal(label_of(most, "10.33.0.0/16", false), "10.33.0.0-10.33.239.255 via r");
	assert_string_equal(label_less(whole, holes, "10.33.0.0/16", false),
			    "10.33.0.0/16 except (10.33.7.7, 10.33.100.0/24) via r");
	/* A route inside another is named by the broader one. */
	assert_string_equal(label_of(inner, "10.33.0.0/16 10.0.0.0/8", false),
			    "10.33.0.0-10.34.255.255 via r");
	assert_string_equal(label_of(whole, "10.33.0.0/16 10.0.0.0/8", false), "10.33.0.0/16 via r");
	assert_string_equal(label_of(inner, "10.34.0.0/16 10.33.0.0/16", false),
			    "10.33.0.0/16, 10.34.0.0/16 via r");
	assert_string_equal(label_of(many, "10.0.0.0/24", false),
			    "10.0.0.1, 10.0.0.3, 10.0.0.5, 10.0.0.7, 10.0.0.9, 10.0.0.11 (+2 more) via r");
	/* The internet, on an exit node: by name when whole or nearly. */
	assert_string_equal(label_of(google, NULL, true), "8.8.8.0/24 via r");
	assert_string_equal(label_of(world, NULL, true), "0.0.0.0-9.255.255.255, 11.0.0.0/8 via r");
	assert_string_equal(label_less(NULL, google, NULL, true), "internet except 8.8.8.0/24 via r");
	assert_string_equal(label_less(NULL, NULL, NULL, true), "internet via r");
	assert_string_equal(label_of(lan_and_dns, "192.168.1.0/24", true),
			    "8.8.8.8, 192.168.1.0/24 via r");
}

/* ---- routed destinations in the diff ---------------------------------------------------- */

static struct rg_matrix_diff *routed_diff(const char *old, const char *new_, enum rg_matrix_group g)
{
	struct rg_matrix_opts o = { NULL, g, 0 };
	struct rg_matrix_diff *d = NULL;
	struct rg_err err;
	struct fx f;

	memset(&f, 0, sizeof(f));
	fx_inventory(&f, routed_inventory);
	fx_policy(&f, 0, old);
	fx_policy(&f, 1, new_);
	fx_matrix(&f, 0, &o);
	fx_matrix(&f, 1, &o);
	assert_int_equal(rg_matrix_diff(f.m[0], f.m[1], &d, &err), 0);
	fx_free(&f);
	return d;
}

static struct rg_matrix_diff *diff_of_principals(const char *old, const char *new_)
{
	struct rg_matrix_opts o = { NULL, RG_MATRIX_GROUP_AUTO, 0 };
	struct rg_matrix_diff *d = NULL;
	struct rg_err err;
	struct fx f;

	memset(&f, 0, sizeof(f));
	fx_policy(&f, 0, old);
	fx_policy(&f, 1, new_);
	fx_matrix(&f, 0, &o);
	fx_matrix(&f, 1, &o);
	assert_int_equal(rg_matrix_diff(f.m[0], f.m[1], &d, &err), 0);
	fx_free(&f);
	return d;
}

static void test_routes_diff(void **state)
{
	enum rg_matrix_group modes[] = { RG_MATRIX_GROUP_ALWAYS, RG_MATRIX_GROUP_NEVER };
	struct rg_matrix_diff *d;
	char *p;
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		d = routed_diff(routed_policy, routed_policy, modes[i]);
		assert_int_equal(d->nchanges, 0);
		rg_matrix_diff_free(d);

		/* A port added to a grant towards a subnet. */
		p = replace(routed_policy, "\"ip\": [\"tcp:22\"]", "\"ip\": [\"tcp:22\", \"tcp:3389\"]");
		d = routed_diff(routed_policy, p, modes[i]);
		assert_int_equal(d->nchanges, 1);
		assert_int_equal(d->changes[0].nsrcs, 2);
		assert_string_equal(d->changes[0].srcs[0], "alice");
		assert_string_equal(d->changes[0].srcs[1], "bob");
		assert_int_equal(d->changes[0].ndsts, 2);
		assert_string_equal(d->changes[0].dsts[0], "10.33.0.0/16 via router-1");
		assert_string_equal(d->changes[0].dsts[1], "10.33.0.0/16 via router-2");
		assert_string_equal(d->changes[0].granted->text, "tcp:3389");
		assert_null(d->changes[0].revoked);
		assert_int_equal(d->granted_pairs, 4);
		rg_matrix_diff_free(d);
		free(p);

		/* A user's internet grant removed: one change, named as a whole. */
		p = replace(routed_policy,
			    "  {\"src\": [\"bob@example.com\"], \"dst\": [\"autogroup:internet\"], "
			    "\"ip\": [\"*\"]},\n", "");
		d = routed_diff(routed_policy, p, modes[i]);
		assert_int_equal(d->nchanges, 1);
		assert_string_equal(d->changes[0].srcs[0], "bob");
		assert_int_equal(d->changes[0].ndsts, 1);
		assert_string_equal(d->changes[0].dsts[0], "internet via exit-1");
		assert_string_equal(d->changes[0].revoked->text, "*");
		assert_int_equal(d->revoked_pairs, 1);
		rg_matrix_diff_free(d);
		free(p);

		/* A via grant removed. */
		p = replace(routed_policy, "\"via\": [\"tag:exit\"]", "\"via\": [\"tag:web\"]");
		d = routed_diff(routed_policy, p, modes[i]);
		assert_int_equal(d->nchanges, 1);
		assert_string_equal(d->changes[0].srcs[0], "alice");
		assert_string_equal(d->changes[0].dsts[0], "8.8.8.0/24 via exit-1");
		assert_string_equal(d->changes[0].revoked->text, "*");
		rg_matrix_diff_free(d);
		free(p);

		/* Access moved from one address behind a router to the next. */
		p = replace(routed_policy, "10.33.7.7", "10.33.7.8");
		d = routed_diff(routed_policy, p, modes[i]);
		assert_int_equal(d->nchanges, 2);
		assert_string_equal(d->changes[0].srcs[0], "carol");
		assert_string_equal(d->changes[0].dsts[0], "10.33.7.7 via router-1");
		assert_string_equal(d->changes[0].revoked->text, "tcp:443");
		assert_string_equal(d->changes[1].dsts[0], "10.33.7.8 via router-1");
		assert_string_equal(d->changes[1].granted->text, "tcp:443");
		rg_matrix_diff_free(d);
		free(p);

		/* Cut differently, same access: no change. */
		p = replace(routed_policy, "\"dst\": [\"ipset:lab\"]",
			    "\"dst\": [\"10.33.0.0/17\", \"10.33.128.0/17\"]");
		d = routed_diff(routed_policy, p, modes[i]);
		assert_int_equal(d->nchanges, 0);
		rg_matrix_diff_free(d);
		free(p);
	}
}

/* Without an inventory, a via tag's representative routes what its via rules name. */
static void test_routes_principals(void **state)
{
	struct rg_matrix_opts o = { NULL, RG_MATRIX_GROUP_AUTO, 0 };
	struct rg_matrix_diff *d;
	struct fx f;
	struct rg_matrix *m;
	char *p;
	long c;

	(void)state;
	m = fx_one(&f, NULL, routed_policy, &o);
	c = route_line(m, "8.8.8.0/24 via tag:exit");
	assert_string_equal(m->cols[c].routes[0].via, "tag:exit");
	assert_string_equal(fx_cell(m, "alice@example.com", "8.8.8.0/24 via tag:exit"), "*");
	/* The via grant is not access to the prefix itself, only through the tag. */
	assert_string_equal(fx_cell(m, "alice@example.com", "8.8.8.0/24"), "");
	/* Bob's internet reaches what tag:exit routes too; the group gets what both get. */
	assert_string_equal(fx_cell(m, "bob@example.com", "8.8.8.0/24 via tag:exit"), "*");
	assert_string_equal(fx_cell(m, "group:ops", "8.8.8.0/24 via tag:exit"), "*");
	fx_free(&f);

	/* A via grant removed: a change (it was none before). */
	p = replace(routed_policy, "\"via\": [\"tag:exit\"]", "\"via\": [\"tag:web\"]");
	d = diff_of_principals(routed_policy, p);
	assert_true(d->nchanges >= 1);
	assert_string_equal(d->changes[0].srcs[0], "alice@example.com");
	assert_string_equal(d->changes[0].dsts[0], "8.8.8.0/24 via tag:exit");
	assert_string_equal(d->changes[0].revoked->text, "*");
	rg_matrix_diff_free(d);
	free(p);
	/* Via an internet exit node. */
	p = replace(routed_policy, "\"dst\": [\"8.8.8.0/24\"]", "\"dst\": [\"autogroup:internet\"]");
	m = fx_one(&f, NULL, p, &o);
	assert_string_equal(fx_cell(m, "alice@example.com", "internet via tag:exit"), "*");
	fx_free(&f);
	free(p);
}

/* ---- scale ------------------------------------------------------------------------- */

/* 10k nodes in a few roles: the matrix is a handful of merged lines, built fast. */
static void test_scale(void **state)
{
	struct rg_matrix_opts o = { NULL, RG_MATRIX_GROUP_AUTO, 0 };
	struct rg_buf inv;
	struct fx f;
	struct rg_matrix *m;
	size_t i;

	(void)state;
	memset(&f, 0, sizeof(f));
	rg_buf_init(&inv, 0);
	rg_buf_puts(&inv, "{\"nodes\": [\n");
	for (i = 0; i < 10000; i++) {
		const char *role = i % 4 == 0 ? "tag:web" : i % 4 == 1 ? "tag:db" : NULL;

		rg_buf_printf(&inv, "%s{\"name\": \"n%zu\", ", i ? ",\n" : "", i);
		if (role)
			rg_buf_printf(&inv, "\"user\": null, \"tags\": [\"%s\"], ", role);
		else
			rg_buf_printf(&inv, "\"user\": \"%s@example.com\", ", i % 8 == 2 ? "alice" : "bob");
		rg_buf_printf(&inv, "\"ips\": [\"100.%zu.%zu.%zu\"]}", 64 + i / 65536, (i / 256) % 256,
			      i % 256);
	}
	rg_buf_puts(&inv, "\n]}\n");
	assert_false(rg_buf_failed(&inv));
	fx_inventory(&f, inv.data);
	fx_policy(&f, 0, policy);
	m = fx_matrix(&f, 0, &o);
	assert_true(m->aggregated);
	assert_true(m->nrows <= 8);
	assert_true(m->ncols <= 8);
	assert_string_equal(fx_cell(m, "n0 (+2499)", "n1 (+2499)"), "tcp:5432-5434");
	rg_buf_free(&inv);
	fx_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_access_text),
		cmocka_unit_test(test_access_ops),
		cmocka_unit_test(test_nodes),
		cmocka_unit_test(test_cap_views),
		cmocka_unit_test(test_aggregate),
		cmocka_unit_test(test_principals),
		cmocka_unit_test(test_principals_wildcard),
		cmocka_unit_test(test_default_allow),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_diff_refuses_mixed),
		cmocka_unit_test(test_routes_nodes),
		cmocka_unit_test(test_routes_aggregate),
		cmocka_unit_test(test_routes_wildcard),
		cmocka_unit_test(test_route_label),
		cmocka_unit_test(test_routes_diff),
		cmocka_unit_test(test_routes_principals),
		cmocka_unit_test(test_scale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
