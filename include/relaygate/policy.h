/*
 * The typed model of a tailnet policy file.
 *
 *   rg_policy_parse()     HuJSON syntax + structure (types) -> struct rg_policy
 *   rg_policy_validate()  Tailscale's semantic checks (references, grammar,
 *                         placement), with Tailscale's own messages
 *
 * Both add their findings to a struct rg_diags (rule "syntax" or "invalid",
 * severity error); neither prints anything. A policy with validation errors
 * is still a complete model, so lint rules can run on it.
 *
 * Field names follow the policy file. Object keys are matched
 * case-insensitively, as Tailscale's Go decoder does; a key that is given
 * twice (in any case) is an error. Every element keeps its source span.
 *
 * Ownership: the policy owns everything it points to (strings live in its
 * arena; json_t values are borrowed from its HuJSON doc, which it owns) and
 * borrows the source, which must outlive it. rg_policy_free(NULL) is a no-op.
 */
#ifndef RELAYGATE_POLICY_H
#define RELAYGATE_POLICY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "relaygate/diag.h"
#include "relaygate/hujson.h"
#include "relaygate/netaddr.h"
#include "relaygate/source.h"

enum rg_sel_kind {
	RG_SEL_INVALID = 0,
	RG_SEL_WILDCARD,     /* "*" */
	RG_SEL_PREFIX,       /* IP address or CIDR prefix */
	RG_SEL_RANGE,        /* "a-b" (ipset members) */
	RG_SEL_USER,         /* a login: name@example.com, name@github, name@passkey */
	RG_SEL_USER_DOMAIN,  /* user:*@domain */
	RG_SEL_GROUP,        /* group:name (or SCIM group:name@domain) */
	RG_SEL_TAG,          /* tag:name */
	RG_SEL_AUTOGROUP,    /* autogroup:x */
	RG_SEL_HOST,         /* a hosts alias */
	RG_SEL_HOSTREF,      /* host:NAME (ipset members) */
	RG_SEL_IPSET,        /* ipset:name */
	RG_SEL_SVC,          /* svc:name */
	RG_SEL_POSTURE,      /* posture:name */
	RG_SEL_LOCALPART,    /* localpart:*@domain (SSH users) */
};

enum rg_autogroup {
	RG_AG_UNKNOWN = 0,
	RG_AG_INTERNET,
	RG_AG_SELF,
	RG_AG_MEMBER,
	RG_AG_MEMBERS,       /* legacy spelling of member */
	RG_AG_TAGGED,
	RG_AG_SHARED,
	RG_AG_DANGER_ALL,
	RG_AG_ADMIN,
	RG_AG_OWNER,
	RG_AG_IT_ADMIN,
	RG_AG_NETWORK_ADMIN,
	RG_AG_BILLING_ADMIN,
	RG_AG_AUDITOR,
	RG_AG_NONROOT,
};

struct rg_selector {
	enum rg_sel_kind kind;
	enum rg_autogroup autogroup;
	const char *text;        /* trimmed, as written */
	const char *key;         /* lookup key: tags lowercased; domain for user:*@/localpart: */
	struct rg_span span;     /* the JSON string, quotes included */
	struct rg_prefix prefix; /* RG_SEL_PREFIX */
	struct rg_addr lo, hi;   /* RG_SEL_RANGE */
	bool padded;             /* had surrounding white space (Tailscale trims it) */
};

struct rg_str {
	const char *s;           /* decoded, NUL-terminated */
	size_t len;
	struct rg_span span;
};

struct rg_portrange {
	uint16_t first, last;
};

/* A grant "ip" entry, or the proto and ports of an ACL destination. */
struct rg_ipproto {
	struct rg_str text;
	uint8_t *protos;         /* IANA numbers; none = Tailscale's default set */
	size_t nprotos;
	struct rg_portrange *ports;
	size_t nports;
};

/* Where a rule came from. */
enum rg_rule_origin { RG_ORIGIN_GRANT, RG_ORIGIN_ACL };

/*
 * A grant, or one destination of an ACL converted to a grant (as
 * Tailscale treats them: one rule per ACL dst entry, ip = [proto:ports]).
 */
struct rg_rule {
	enum rg_rule_origin origin;
	size_t index;            /* in grants[] or acls[] */
	size_t dst_index;        /* ACL: which dst entry */
	struct rg_span span;     /* the grant or ACL object */
	struct rg_selector *src;
	size_t nsrc;
	struct rg_selector *dst;
	size_t ndst;
	struct rg_ipproto *ip;
	size_t nip;
	struct rg_span ip_span;  /* the "ip" array of a grant ({0, 0} when absent) */
	json_t *app;             /* object cap name -> array, or NULL */
	struct rg_span app_span;
	struct rg_str *app_names;/* the capability names, in source order */
	size_t napp;
	struct rg_selector *via;
	size_t nvia;
	bool has_via;
	struct rg_selector *src_posture;
	size_t nsrc_posture;
	bool has_src_posture;    /* present (even empty): overrides defaultSrcPosture */
};

struct rg_acl_dst {
	struct rg_str text;      /* "selector:ports" as written */
	struct rg_selector sel;  /* the part before the last colon */
	struct rg_ipproto ports; /* ports, with the ACL's proto */
	bool valid;              /* "selector:ports" split and its ports parsed */
};

struct rg_acl {
	struct rg_span span;
	struct rg_str action;
	struct rg_selector *src;
	size_t nsrc;
	struct rg_acl_dst *dst;
	size_t ndst;
	struct rg_str proto;     /* may be empty */
	struct rg_selector *src_posture;
	size_t nsrc_posture;
	bool has_src_posture;
};

struct rg_group {
	const char *name;
	struct rg_span key_span, span;
	struct rg_selector *members;
	size_t n;
};

struct rg_tag_owner {
	const char *name;        /* as written */
	const char *key;         /* lowercased */
	struct rg_span key_span, span;
	struct rg_selector *owners;
	size_t n;
};

struct rg_host {
	const char *name;
	struct rg_span key_span, span;
	struct rg_str value;
	struct rg_prefix prefix;
	bool valid;
};

struct rg_ipset_op {
	bool remove;
	struct rg_str text;
	struct rg_selector target;
};

struct rg_ipset_def {
	const char *name;
	struct rg_span key_span, span;
	struct rg_ipset_op *ops;
	size_t n;
};

struct rg_posture {
	const char *name;
	struct rg_span key_span, span;
	struct rg_str *conds;
	size_t n;
};

struct rg_auto_route {
	struct rg_str text;      /* the key */
	struct rg_prefix prefix;
	bool valid;
	struct rg_selector *approvers;
	size_t n;
};

struct rg_auto_service {
	struct rg_str text;
	struct rg_selector key;
	struct rg_selector *approvers;
	size_t n;
};

enum rg_ssh_action { RG_SSH_NONE = 0, RG_SSH_ACCEPT, RG_SSH_CHECK };

struct rg_ssh_rule {
	struct rg_span span;
	struct rg_str action_text;
	enum rg_ssh_action action;
	struct rg_selector *src;
	size_t nsrc;
	struct rg_selector *dst;
	size_t ndst;
	struct rg_str *users;
	size_t nusers;
	bool has_users;
	struct rg_str check_period; /* empty when absent */
	int64_t check_period_ns;    /* parsed; 0 if absent; INT64_MAX for "always" */
	struct rg_str *accept_env;
	size_t naccept_env;
	struct rg_selector *src_posture;
	size_t nsrc_posture;
	struct rg_selector *recorder;
	size_t nrecorder;
	bool enforce_recorder;
};

struct rg_node_attr {
	struct rg_span span;
	struct rg_selector *target;
	size_t ntarget;
	struct rg_str *attr;
	size_t nattr;
	json_t *app;
	struct rg_str *ip_pool;
	size_t nip_pool;
};

struct rg_test {
	struct rg_span span;
	struct rg_str src;
	bool has_src;
	struct rg_str proto;
	struct rg_str *accept;
	size_t naccept;
	struct rg_str *deny;
	size_t ndeny;
	json_t *src_posture_attrs;
};

struct rg_ssh_test {
	struct rg_span span;
	struct rg_str src;
	bool has_src;
	struct rg_str *dst;
	size_t ndst;
	struct rg_str *accept, *check, *deny;
	size_t naccept, ncheck, ndeny;
};

/* Top-level sections, for presence and spans. */
enum rg_section {
	RG_SEC_GRANTS, RG_SEC_ACLS, RG_SEC_SSH, RG_SEC_GROUPS, RG_SEC_TAGOWNERS, RG_SEC_HOSTS,
	RG_SEC_IPSETS, RG_SEC_POSTURES, RG_SEC_DEFAULTSRCPOSTURE, RG_SEC_AUTOAPPROVERS,
	RG_SEC_NODEATTRS, RG_SEC_TESTS, RG_SEC_SSHTESTS, RG_SEC_DERPMAP, RG_SEC_DISABLEIPV4,
	RG_SEC_ONECGNATROUTE, RG_SEC_RANDOMIZECLIENTPORT, RG_SEC_ATTRCONFIG,
	RG_SEC_COUNT
};

struct rg_policy {
	struct rg_source *src;
	struct rg_hujson_doc *doc;

	bool present[RG_SEC_COUNT];
	struct rg_span section_key[RG_SEC_COUNT];

	struct rg_rule *grants;
	size_t ngrants;
	struct rg_acl *acls;
	size_t nacls;
	/* grants followed by the ACLs converted to rules (what evaluation uses) */
	struct rg_rule **rules;
	size_t nrules;

	struct rg_group *groups;
	size_t ngroups;
	struct rg_tag_owner *tag_owners;
	size_t ntag_owners;
	struct rg_host *hosts;
	size_t nhosts;
	struct rg_ipset_def *ipsets;
	size_t nipsets;
	struct rg_posture *postures;
	size_t npostures;
	struct rg_selector *default_src_posture;
	size_t ndefault_src_posture;
	struct rg_auto_route *auto_routes;
	size_t nauto_routes;
	struct rg_selector *auto_exit;
	size_t nauto_exit;
	struct rg_auto_service *auto_services;
	size_t nauto_services;
	struct rg_ssh_rule *ssh;
	size_t nssh;
	struct rg_node_attr *node_attrs;
	size_t nnode_attrs;
	struct rg_test *tests;
	size_t ntests;
	struct rg_ssh_test *ssh_tests;
	size_t nssh_tests;

	json_t *derp_map;
	bool disable_ipv4;
	bool randomize_client_port;
	struct rg_str one_cgnat_route;
	json_t *attr_config;

	/* Object keys Tailscale's schema does not know (Go ignores them). */
	struct rg_str *unknown_fields;
	size_t nunknown_fields;

	void *priv;              /* arena and name indexes */
};

/*
 * Parses src into a policy. Returns 0 with *out set when a model could be
 * built (check diags for errors), -1 when not (syntax error or out of
 * memory; the reason is in diags).
 */
int rg_policy_parse(struct rg_source *src, struct rg_policy **out, struct rg_diags *diags);
void rg_policy_free(struct rg_policy *p);

struct rg_inventory;
/*
 * Tailscale's semantic validation. The inventory (may be NULL) supplies
 * what the control plane knows and a file cannot say: the tailnet's
 * domains (for user:*@domain). Returns the number of errors added.
 */
size_t rg_policy_validate(struct rg_policy *p, const struct rg_inventory *inv,
			  struct rg_diags *diags);

/* IP sets may name IP sets this deep; deeper is refused like a cycle (it
 * bounds the resolver's recursion). */
#define RG_IPSET_MAX_DEPTH 256

/* Name lookups (NULL when not defined). Tags compare case-insensitively. */
const struct rg_group *rg_policy_group(const struct rg_policy *p, const char *name);
const struct rg_tag_owner *rg_policy_tag(const struct rg_policy *p, const char *name);
const struct rg_host *rg_policy_host(const struct rg_policy *p, const char *name);
const struct rg_ipset_def *rg_policy_ipset(const struct rg_policy *p, const char *name);
const struct rg_posture *rg_policy_posture(const struct rg_policy *p, const char *name);

const char *rg_autogroup_name(enum rg_autogroup ag);
const char *rg_section_name(enum rg_section s);

/* The IANA protocol name Tailscale accepts for number, or NULL. */
const char *rg_proto_name(unsigned proto);

#endif
