/*
 * The rule registry: the one place a rule's ID, slug, default severity and
 * documentation are written. `relaygate rules`, `relaygate explain`,
 * docs/rules/<ID>.md and SARIF rule metadata are all generated from it.
 *
 * IDs and slugs are stable: never renumber or rename a rule, retire it.
 * Each example is a complete policy: `bad` triggers the rule, `good` does
 * not (tests/unit/test_lint_registry.c lints both).
 */
#include <string.h>
#include <strings.h>

#include "relaygate/lint.h"

#define RELAY_APP "\"app\": {\"tailscale.com/cap/relay\": []}"

/* Pieces the examples share. */
#define GRANTS(g) "\t\"grants\": [\n\t\t" g ",\n\t],\n}\n"
#define WEB_OWNED "{\n\t\"tagOwners\": {\"tag:web\": []},\n"
#define MEMBERS_TO_WEB "{\"src\": [\"autogroup:member\"], \"dst\": [\"tag:web\"], \"ip\": [\"tcp:443\"]}"
#define RELAY_OWNED "{\n\t\"tagOwners\": {\"tag:relay\": [], \"tag:natted\": []},\n"
#define NATTED_TO_RELAY "{\"src\": [\"tag:natted\"], \"dst\": [\"tag:relay\"], " RELAY_APP "}"
#define DB_OWNED "{\n\t\"tagOwners\": {\"tag:db\": []},\n"
/* Why the unused-* rules are info. */
#define UNUSED_IS_INFO                                                                    \
	"\n\nReported as info: an unused name grants and denies nothing (a rule naming a "  \
	"name that does not exist is an `invalid` error instead), so it does not fail a "    \
	"check at the default threshold. `--fail-on info`, or a `severity` override in "     \
	"`.relaygate.hujson`, makes it."
#define MEMBERS_TO_DB "{\"src\": [\"autogroup:member\"], \"dst\": [\"tag:db\"], \"ip\": [\"tcp:5432\"]}"

static const struct rg_lint_rule rules[RG_LINT_RULE_COUNT] = {
	/* ---- RG0xx: the policy file itself ---------------------------- */
	{
		RG_LINT_SYNTAX, "RG001", "syntax", RG_SEV_ERROR, "policy", RG_LINT_FIXED,
		"The file is not valid HuJSON",
		"Tailscale parses policy files as HuJSON (JSON with comments and trailing commas) "
		"and rejects the whole file at the first syntax error. The message is the one "
		"Tailscale's parser gives, with its line and byte column.\n\n"
		"This finding cannot be suppressed: nothing else can be checked until it is fixed.",
		"{\n\t\"tagOwners\": {\"tag:web\": []}\n" GRANTS(MEMBERS_TO_WEB),
		WEB_OWNED GRANTS(MEMBERS_TO_WEB),
		NULL,
	},
	{
		RG_LINT_INVALID, "RG002", "invalid", RG_SEV_ERROR, "policy", RG_LINT_FIXED,
		"Tailscale's control plane would reject the policy",
		"The policy breaks one of the rules Tailscale checks when a policy is saved: an "
		"undefined tag, group or host, a malformed port or protocol, a selector used where "
		"it is not allowed, a grant with neither `ip` nor `app`, and so on. The message is "
		"Tailscale's own text, so it can be searched for in Tailscale's documentation.\n\n"
		"This finding cannot be suppressed: the control plane would refuse the file.",
		"{\n\t\"grants\": [\n\t\t{\"src\": [\"tag:web\"], \"dst\": [\"tag:db\"], "
		"\"ip\": [\"tcp:5432\"]},\n\t],\n}\n",
		"{\n\t\"tagOwners\": {\"tag:web\": [], \"tag:db\": []},\n\t\"grants\": [\n"
		"\t\t{\"src\": [\"tag:web\"], \"dst\": [\"tag:db\"], \"ip\": [\"tcp:5432\"]},\n\t],\n}\n",
		NULL,
	},
	{
		RG_LINT_UNKNOWN_FIELD, "RG003", "unknown-field", RG_SEV_WARNING, "policy", 0,
		"A key Tailscale does not know, and silently ignores",
		"Tailscale decodes the policy like Go's `encoding/json`: a key that is not part of "
		"the schema is dropped without a word. A typo such as `\"grnats\"` therefore removes "
		"a whole section, and `\"scr\"` in a grant leaves it without sources. The message "
		"suggests the closest known key.",
		"{\n\t\"tagOwners\": {\"tag:web\": []},\n\t\"grnats\": [\n"
		"\t\t{\"src\": [\"autogroup:member\"], \"dst\": [\"tag:web\"], \"ip\": [\"tcp:443\"]},\n"
		"\t],\n}\n",
		WEB_OWNED GRANTS(MEMBERS_TO_WEB),
		NULL,
	},
	{
		RG_LINT_UNUSED_SUPPRESSION, "RG004", "unused-suppression", RG_SEV_WARNING, "policy", 0,
		"A relaygate:ignore pragma that silences nothing",
		"A `// relaygate:ignore RULE` comment silences findings of RULE on the element that "
		"follows it; `// relaygate:file-ignore RULE` silences RULE in the whole file. A "
		"pragma that silences nothing is stale (the finding was fixed, or the pragma sits "
		"before the wrong element) and would hide a future finding nobody has looked at. "
		"Pragmas that name an unknown rule, or a rule that cannot be suppressed (`syntax`, "
		"`invalid`), are reported too.\n\n"
		"Pragmas of rules switched off in the configuration are not reported, nor pragmas of "
		"rules that did not run: `relay-unmatched` needs `--inventory` and a policy without "
		"errors.",
		WEB_OWNED GRANTS("// relaygate:ignore wildcard-src -- the web tier is public\n\t\t"
				 MEMBERS_TO_WEB),
		WEB_OWNED GRANTS(MEMBERS_TO_WEB),
		NULL,
	},
	{
		RG_LINT_SELECTOR_WHITESPACE, "RG005", "selector-whitespace", RG_SEV_WARNING, "policy", 0,
		"A selector with white space around it",
		"Tailscale trims white space around selectors, so `\" tag:db\"` works, but other "
		"tools (scripts, `grep`, reviews) see a different name, and the same selector "
		"written two ways is easy to miss when renaming.",
		DB_OWNED GRANTS("{\"src\": [\"autogroup:member\"], \"dst\": [\"tag:db \"], "
				"\"ip\": [\"tcp:5432\"]}"),
		DB_OWNED GRANTS(MEMBERS_TO_DB),
		NULL,
	},

	/* ---- RG1xx: breadth ---------------------------------------------- */
	{
		RG_LINT_ALLOW_ALL, "RG101", "allow-all", RG_SEV_ERROR, "breadth", 0,
		"A rule that lets every source reach every destination on every port",
		"A grant with `\"src\": [\"*\"]`, `\"dst\": [\"*\"]` and `\"ip\": [\"*\"]`, or an ACL "
		"from `*` to `*:*` (every port written as a range, `1-65535`, counts as `*`), turns the tailnet into a flat network: every device, shared "
		"user and approved subnet route can reach every other on every port. It is "
		"Tailscale's default policy, usually left in place by accident; once it is there, "
		"every other rule is redundant.",
		"{\n\t\"grants\": [\n\t\t{\"src\": [\"*\"], \"dst\": [\"*\"], \"ip\": [\"*\"]},\n\t],\n}\n",
		"{\n\t\"groups\": {\"group:dev\": [\"carol@example.com\"]},\n"
		"\t\"tagOwners\": {\"tag:web\": [\"group:dev\"]},\n\t\"grants\": [\n"
		"\t\t{\"src\": [\"group:dev\"], \"dst\": [\"tag:web\"], \"ip\": [\"tcp:443\"]},\n\t],\n}\n",
		NULL,
	},
	{
		RG_LINT_WILDCARD_SRC, "RG102", "wildcard-src", RG_SEV_WARNING, "breadth", 0,
		"A network rule with \"*\" as a source",
		"`*` as a source is not \"every user\": it is every device of the tailnet, every "
		"user a device is shared with, and every approved subnet route (so machines that "
		"are not even on Tailscale). Name the users, groups or tags that need the access, "
		"or use `autogroup:member` for \"every member of the tailnet\".",
		WEB_OWNED GRANTS("{\"src\": [\"*\"], \"dst\": [\"tag:web\"], \"ip\": [\"tcp:443\"]}"),
		WEB_OWNED GRANTS(MEMBERS_TO_WEB),
		NULL,
	},
	{
		RG_LINT_APP_WILDCARD_SRC, "RG103", "app-wildcard-src", RG_SEV_WARNING, "breadth", 0,
		"An application capability granted to \"*\"",
		"Application capabilities (`app`) inherit the breadth of the grant's sources. With "
		"`*` every device, shared user and subnet route receives the capability: for "
		"`tailscale.com/cap/drive` every device may mount the shares, for an internal "
		"application every caller is an administrator. Grant capabilities to named "
		"groups or tags.\n\n"
		"Peer-relay grants are left to `relay-wildcard-src`; the network access their `ip` "
		"gives is `wildcard-src` or `allow-all`.",
		"{\n\t\"tagOwners\": {\"tag:nas\": []},\n\t\"grants\": [\n"
		"\t\t{\"src\": [\"*\"], \"dst\": [\"tag:nas\"], \"app\": {\"tailscale.com/cap/drive\": "
		"[{\"shares\": [\"*\"], \"access\": \"rw\"}]}},\n\t],\n}\n",
		"{\n\t\"groups\": {\"group:staff\": [\"alice@example.com\"]},\n"
		"\t\"tagOwners\": {\"tag:nas\": []},\n\t\"grants\": [\n"
		"\t\t{\"src\": [\"group:staff\"], \"dst\": [\"tag:nas\"], \"app\": "
		"{\"tailscale.com/cap/drive\": [{\"shares\": [\"*\"], \"access\": \"rw\"}]}},\n\t],\n}\n",
		NULL,
	},
	{
		RG_LINT_DANGER_ALL, "RG104", "danger-all", RG_SEV_WARNING, "breadth", 0,
		"autogroup:danger-all: every IP address, inside the tailnet or not",
		"`autogroup:danger-all` matches every address, including addresses that are not "
		"Tailscale devices at all (it compiles to the source `*` in packet filters). It "
		"exists for rare cases such as exposing a service to a whole subnet; in almost "
		"every policy `autogroup:member`, `autogroup:tagged` or named groups say what is "
		"meant.",
		WEB_OWNED GRANTS("{\"src\": [\"autogroup:danger-all\"], \"dst\": [\"tag:web\"], "
				 "\"ip\": [\"tcp:443\"]}"),
		WEB_OWNED GRANTS(MEMBERS_TO_WEB),
		NULL,
	},
	{
		RG_LINT_TAG_OWNER_BROAD, "RG105", "tag-owner-broad", RG_SEV_WARNING, "breadth", 0,
		"A tag anyone can apply",
		"Whoever owns a tag can put it on their own device, and a tagged device gets every "
		"permission granted to the tag. A tag owned by `autogroup:member`, "
		"`autogroup:tagged` or `user:*@domain` is therefore a permission anyone can take: "
		"a relay tag owned by `autogroup:member` lets any laptop become a relay. Give tags "
		"to a small group (or to admins, with `[]`).",
		"{\n\t\"tagOwners\": {\"tag:relay\": [\"autogroup:member\"]},\n"
		"\t\"grants\": [\n\t\t{\"src\": [\"autogroup:member\"], \"dst\": [\"tag:relay\"], "
		"\"ip\": [\"tcp:22\"]},\n\t],\n}\n",
		"{\n\t\"groups\": {\"group:sre\": [\"alice@example.com\"]},\n"
		"\t\"tagOwners\": {\"tag:relay\": [\"group:sre\"]},\n"
		"\t\"grants\": [\n\t\t{\"src\": [\"group:sre\"], \"dst\": [\"tag:relay\"], "
		"\"ip\": [\"tcp:22\"]},\n\t],\n}\n",
		NULL,
	},
	{
		RG_LINT_SSH_BROAD, "RG106", "ssh-broad", RG_SEV_WARNING, "breadth", 0,
		"SSH as root or as any user from a wide source",
		"An SSH rule that lets `root` or `autogroup:nonroot` (any non-root account) in "
		"from `autogroup:member`, `autogroup:tagged`, `user:*@domain` or a large group "
		"gives a shell on shared servers to everyone in that source. Rules whose only "
		"destination is `autogroup:self` (each user's own devices) are fine and not "
		"reported.",
		"{\n\t\"tagOwners\": {\"tag:prod\": []},\n\t\"ssh\": [\n"
		"\t\t{\"action\": \"accept\", \"src\": [\"autogroup:member\"], \"dst\": [\"tag:prod\"], "
		"\"users\": [\"root\"]},\n\t],\n}\n",
		"{\n\t\"groups\": {\"group:sre\": [\"alice@example.com\"]},\n"
		"\t\"tagOwners\": {\"tag:prod\": [\"group:sre\"]},\n\t\"ssh\": [\n"
		"\t\t{\"action\": \"check\", \"src\": [\"group:sre\"], \"dst\": [\"tag:prod\"], "
		"\"users\": [\"root\"]},\n\t],\n}\n",
		"The size above which a group counts as wide is `relay-max-group-size` "
		"(default 25), shared with `relay-broad-src`.",
	},

	/* ---- RG2xx: peer relays ------------------------------------------ */
	{
		RG_LINT_RELAY_WILDCARD_SRC, "RG201", "relay-wildcard-src", RG_SEV_ERROR, "relay", 0,
		"A peer-relay grant with \"*\" as a source",
		"A grant carrying `tailscale.com/cap/relay` lets its sources allocate relay "
		"endpoints on its destinations. With `*` as a source every device of the tailnet "
		"(and every shared user and subnet route) may do so, and every device would try "
		"the relay; Tailscale's documentation advises against it. Name the devices that "
		"need relaying, usually the ones behind a hard NAT.",
		"{\n\t\"tagOwners\": {\"tag:relay\": []},\n\t\"grants\": [\n"
		"\t\t{\"src\": [\"*\"], \"dst\": [\"tag:relay\"], " RELAY_APP "},\n\t],\n}\n",
		RELAY_OWNED GRANTS(NATTED_TO_RELAY),
		NULL,
	},
	{
		RG_LINT_RELAY_BROAD_SRC, "RG202", "relay-broad-src", RG_SEV_WARNING, "relay", 0,
		"A peer-relay grant to a broad source",
		"Every source of a relay grant may allocate endpoints on the relay, which costs the "
		"relay memory, ports and bandwidth. Broad sources are `autogroup:member`, "
		"`autogroup:tagged`, `autogroup:danger-all`, `user:*@domain`, addresses that cover "
		"the whole tailnet (100.64.0.0/10 or fd7a:115c:a1e0::/48) whether written as a CIDR "
		"prefix, a host alias or an IP set, alone or together with the grant's other address "
		"sources, and a group with more members than the configured limit (with "
		"`--inventory`, also one whose members have more devices than the limit). Tags are "
		"not counted: a tag names a role, such as the devices behind a hard NAT, however "
		"many devices carry it.",
		"{\n\t\"tagOwners\": {\"tag:relay\": []},\n\t\"grants\": [\n"
		"\t\t{\"src\": [\"autogroup:member\"], \"dst\": [\"tag:relay\"], " RELAY_APP "},\n"
		"\t],\n}\n",
		"{\n\t\"groups\": {\"group:travel\": [\"alice@example.com\"]},\n"
		"\t\"tagOwners\": {\"tag:relay\": []},\n\t\"grants\": [\n"
		"\t\t{\"src\": [\"group:travel\"], \"dst\": [\"tag:relay\"], " RELAY_APP "},\n\t],\n}\n",
		"`relay-max-group-size` (default 25): a group with more members than this, or with "
		"`--inventory` a group whose members have more devices, is broad.",
	},
	{
		RG_LINT_RELAY_WILDCARD_DST, "RG203", "relay-wildcard-dst", RG_SEV_ERROR, "relay", 0,
		"A peer-relay grant whose destination is \"*\", an autogroup or the whole tailnet",
		"The destinations of a relay grant are the relays. With `*` or an autogroup "
		"(`autogroup:member`, `autogroup:tagged`, ...) as destination, every such device "
		"becomes a relay for the sources: laptops and phones would carry other devices' "
		"traffic. The same holds for addresses that cover the whole tailnet (100.64.0.0/10 "
		"or fd7a:115c:a1e0::/48, `0.0.0.0/0`, ...), whether written as a CIDR prefix, a host "
		"alias or an IP set, alone or together with the grant's other address destinations. "
		"Relays should be dedicated, tagged servers.",
		"{\n\t\"tagOwners\": {\"tag:natted\": []},\n\t\"grants\": [\n"
		"\t\t{\"src\": [\"tag:natted\"], \"dst\": [\"*\"], " RELAY_APP "},\n\t],\n}\n",
		RELAY_OWNED GRANTS(NATTED_TO_RELAY),
		NULL,
	},
	{
		RG_LINT_RELAY_DST_UNTAGGED, "RG204", "relay-dst-untagged", RG_SEV_WARNING, "relay", 0,
		"A peer relay named by user, group or address instead of a tag",
		"A relay should be a tagged server: tags say what a machine is, survive the owner "
		"leaving, and are applied only by the tag's owners. A user or group as relay "
		"destination makes every device of those users a relay; a raw IP address, host "
		"alias or IP set silently points at whatever device holds that address next.",
		"{\n\t\"tagOwners\": {\"tag:natted\": []},\n\t\"grants\": [\n"
		"\t\t{\"src\": [\"tag:natted\"], \"dst\": [\"100.103.4.1\"], " RELAY_APP "},\n\t],\n}\n",
		RELAY_OWNED GRANTS(NATTED_TO_RELAY),
		NULL,
	},
	{
		RG_LINT_RELAY_WITH_IP, "RG205", "relay-with-ip", RG_SEV_WARNING, "relay", 0,
		"A peer-relay grant that also gives network access",
		"Using a peer relay needs only the `tailscale.com/cap/relay` capability: no packet "
		"filter rule towards the relay is required. An `ip` list on the same grant opens "
		"those ports on the relay to every relay client as a side effect. Put network "
		"access to the relay, if any is needed, in a grant of its own.",
		RELAY_OWNED GRANTS("{\"src\": [\"tag:natted\"], \"dst\": [\"tag:relay\"], \"ip\": [\"*\"], "
				   RELAY_APP "}"),
		RELAY_OWNED GRANTS(NATTED_TO_RELAY),
		NULL,
	},
	{
		RG_LINT_RELAY_UNMATCHED, "RG206", "relay-unmatched", RG_SEV_WARNING, "relay",
		RG_LINT_INVENTORY,
		"A peer-relay source or destination that matches no node",
		"With `--inventory`, each source and destination of a relay grant is resolved "
		"against the tailnet's nodes. One that matches nothing is a typo, a tag nobody "
		"applied yet, or a relay that was decommissioned: the grant does not do what its "
		"author thinks.",
		"{\n\t\"tagOwners\": {\"tag:relay\": [], \"tag:azure\": []},\n\t\"grants\": [\n"
		"\t\t{\"src\": [\"tag:azure\"], \"dst\": [\"tag:relay\", \"100.64.99.99\"], "
		RELAY_APP "},\n\t],\n}\n",
		"{\n\t\"tagOwners\": {\"tag:relay\": [], \"tag:azure\": []},\n\t\"grants\": [\n"
		"\t\t{\"src\": [\"tag:azure\"], \"dst\": [\"tag:relay\"], " RELAY_APP "},\n\t],\n}\n",
		NULL,
	},

	/* ---- RG3xx: hygiene ---------------------------------------------- */
	{
		RG_LINT_UNUSED_GROUP, "RG301", "unused-group", RG_SEV_INFO, "hygiene", 0,
		"A group that nothing refers to",
		"A group defined in `groups` but named by no rule, tag owner, auto-approver, node "
		"attribute or test grants nothing. It is either left over from a removed rule or "
		"meant to be used by a rule that was never written." UNUSED_IS_INFO,
		"{\n\t\"groups\": {\"group:sre\": [\"alice@example.com\"], \"group:old\": "
		"[\"bob@example.com\"]},\n\t\"tagOwners\": {\"tag:db\": [\"group:sre\"]},\n"
		"\t\"grants\": [\n\t\t{\"src\": [\"group:sre\"], \"dst\": [\"tag:db\"], "
		"\"ip\": [\"tcp:5432\"]},\n\t],\n}\n",
		"{\n\t\"groups\": {\"group:sre\": [\"alice@example.com\"]},\n"
		"\t\"tagOwners\": {\"tag:db\": [\"group:sre\"]},\n"
		"\t\"grants\": [\n\t\t{\"src\": [\"group:sre\"], \"dst\": [\"tag:db\"], "
		"\"ip\": [\"tcp:5432\"]},\n\t],\n}\n",
		NULL,
	},
	{
		RG_LINT_UNUSED_TAG, "RG302", "unused-tag", RG_SEV_INFO, "hygiene", 0,
		"A tag defined in tagOwners that nothing refers to",
		"A tag that no rule, tag owner, auto-approver, node attribute or test names gives "
		"its devices no permission and takes none away. It is usually left over from a "
		"removed service." UNUSED_IS_INFO,
		"{\n\t\"tagOwners\": {\"tag:db\": [], \"tag:legacy\": []},\n\t\"grants\": [\n"
		"\t\t{\"src\": [\"autogroup:member\"], \"dst\": [\"tag:db\"], \"ip\": [\"tcp:5432\"]},\n"
		"\t],\n}\n",
		DB_OWNED GRANTS(MEMBERS_TO_DB),
		NULL,
	},
	{
		RG_LINT_UNUSED_HOST, "RG303", "unused-host", RG_SEV_INFO, "hygiene", 0,
		"A host alias that nothing refers to",
		"An entry of `hosts` that no rule, IP set, node attribute or test names is dead "
		"weight, and a reader may believe the address is reachable." UNUSED_IS_INFO,
		"{\n\t\"hosts\": {\"office\": \"192.168.10.0/24\", \"lab\": \"10.9.0.0/16\"},\n"
		"\t\"grants\": [\n\t\t{\"src\": [\"autogroup:member\"], \"dst\": [\"office\"], "
		"\"ip\": [\"tcp:443\"]},\n\t],\n}\n",
		"{\n\t\"hosts\": {\"office\": \"192.168.10.0/24\"},\n"
		"\t\"grants\": [\n\t\t{\"src\": [\"autogroup:member\"], \"dst\": [\"office\"], "
		"\"ip\": [\"tcp:443\"]},\n\t],\n}\n",
		NULL,
	},
	{
		RG_LINT_UNUSED_IPSET, "RG304", "unused-ipset", RG_SEV_INFO, "hygiene", 0,
		"An IP set that nothing refers to",
		"An entry of `ipsets` that no rule or other IP set names has no effect." UNUSED_IS_INFO,
		"{\n\t\"ipsets\": {\"ipset:office\": [\"192.168.10.0/24\"], \"ipset:old\": "
		"[\"10.9.0.0/16\"]},\n\t\"grants\": [\n\t\t{\"src\": [\"autogroup:member\"], "
		"\"dst\": [\"ipset:office\"], \"ip\": [\"tcp:443\"]},\n\t],\n}\n",
		"{\n\t\"ipsets\": {\"ipset:office\": [\"192.168.10.0/24\"]},\n"
		"\t\"grants\": [\n\t\t{\"src\": [\"autogroup:member\"], \"dst\": [\"ipset:office\"], "
		"\"ip\": [\"tcp:443\"]},\n\t],\n}\n",
		NULL,
	},
	{
		RG_LINT_EMPTY_GROUP, "RG305", "empty-group", RG_SEV_WARNING, "hygiene", 0,
		"A group with no members",
		"Tailscale accepts an empty group, and every rule that names it silently matches "
		"nobody. Usually the members were removed and the rules were forgotten.",
		"{\n\t\"groups\": {\"group:oncall\": []},\n\t\"tagOwners\": {\"tag:db\": []},\n"
		"\t\"grants\": [\n\t\t{\"src\": [\"group:oncall\"], \"dst\": [\"tag:db\"], "
		"\"ip\": [\"tcp:22\"]},\n\t],\n}\n",
		"{\n\t\"groups\": {\"group:oncall\": [\"alice@example.com\"]},\n"
		"\t\"tagOwners\": {\"tag:db\": []},\n\t\"grants\": [\n"
		"\t\t{\"src\": [\"group:oncall\"], \"dst\": [\"tag:db\"], \"ip\": [\"tcp:22\"]},\n"
		"\t],\n}\n",
		NULL,
	},
	{
		RG_LINT_DUPLICATE_RULE, "RG306", "duplicate-rule", RG_SEV_WARNING, "hygiene", 0,
		"A grant or ACL that says exactly what another one says",
		"Two rules with the same sources, destinations, ports and capabilities (in any "
		"order, and an ACL counts the same as the grant it is equivalent to). The later "
		"one is reported: delete it, or change it if it was meant to say something else.",
		DB_OWNED GRANTS(MEMBERS_TO_DB ",\n\t\t" MEMBERS_TO_DB),
		DB_OWNED GRANTS(MEMBERS_TO_DB),
		NULL,
	},
	{
		RG_LINT_SHADOWED_RULE, "RG307", "shadowed-rule", RG_SEV_WARNING, "hygiene", 0,
		"A grant or ACL entirely covered by another one",
		"Every source, destination, port and capability of the rule is already granted by "
		"a single other rule, so removing it changes nothing. It often means the other "
		"rule is broader than intended. Coverage is judged from the policy text: `*` "
		"covers every selector but `autogroup:danger-all`, `autogroup:internet` and "
		"services; `autogroup:tagged` covers tags; a group covers its members; a prefix "
		"covers the prefixes and host aliases inside it.",
		"{\n\t\"groups\": {\"group:dev\": [\"carol@example.com\"]},\n"
		"\t\"tagOwners\": {\"tag:web\": []},\n\t\"grants\": [\n"
		"\t\t{\"src\": [\"group:dev\"], \"dst\": [\"tag:web\"], \"ip\": [\"tcp:1-1024\"]},\n"
		"\t\t{\"src\": [\"carol@example.com\"], \"dst\": [\"tag:web\"], \"ip\": [\"tcp:443\"]},\n"
		"\t],\n}\n",
		"{\n\t\"groups\": {\"group:dev\": [\"carol@example.com\"]},\n"
		"\t\"tagOwners\": {\"tag:web\": []},\n\t\"grants\": [\n"
		"\t\t{\"src\": [\"group:dev\"], \"dst\": [\"tag:web\"], \"ip\": [\"tcp:443\"]},\n"
		"\t],\n}\n",
		NULL,
	},
	{
		RG_LINT_LEGACY_ACLS, "RG308", "legacy-acls", RG_SEV_INFO, "hygiene", 0,
		"The policy uses the legacy \"acls\" section",
		"`acls` still works, but `grants` is Tailscale's current syntax: it expresses "
		"everything ACLs can (each ACL is one grant per destination) plus protocols "
		"without ports, application capabilities such as peer relays, and routing "
		"through `via`. New rules are easier to review when there is one syntax.",
		"{\n\t\"tagOwners\": {\"tag:web\": []},\n\t\"acls\": [\n"
		"\t\t{\"action\": \"accept\", \"src\": [\"autogroup:member\"], "
		"\"dst\": [\"tag:web:443\"]},\n\t],\n}\n",
		WEB_OWNED GRANTS("{\"src\": [\"autogroup:member\"], \"dst\": [\"tag:web\"], \"ip\": [\"443\"]}"),
		NULL,
	},
	{
		RG_LINT_NAMING, "RG309", "naming", RG_SEV_WARNING, "hygiene", 0,
		"A group, tag, host, IP set or posture name that breaks the naming convention",
		"Names are compared with the PCRE2 patterns of the `naming` section of "
		"`.relaygate.hujson`, one pattern per kind of name (the whole name is matched, "
		"prefix included). Without patterns the rule checks nothing.",
		"{\n\t\"tagOwners\": {\"tag:DB_Primary\": []},\n\t\"grants\": [\n"
		"\t\t{\"src\": [\"autogroup:member\"], \"dst\": [\"tag:DB_Primary\"], "
		"\"ip\": [\"tcp:5432\"]},\n\t],\n}\n",
		"{\n\t\"tagOwners\": {\"tag:db-primary\": []},\n\t\"grants\": [\n"
		"\t\t{\"src\": [\"autogroup:member\"], \"dst\": [\"tag:db-primary\"], "
		"\"ip\": [\"tcp:5432\"]},\n\t],\n}\n",
		"In `.relaygate.hujson`: `\"naming\": {\"group\": RE, \"tag\": RE, \"host\": RE, "
		"\"ipset\": RE, \"posture\": RE}`, for example `\"tag\": \"^tag:[a-z][a-z0-9-]*$\"` "
		"(the examples above were checked with that pattern).",
	},
};

const struct rg_lint_rule *rg_lint_rule_get(enum rg_lint_rule_id r)
{
	return (unsigned)r < RG_LINT_RULE_COUNT ? &rules[r] : NULL;
}

const struct rg_lint_rule *rg_lint_rule_findn(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < RG_LINT_RULE_COUNT; i++) {
		if ((strlen(rules[i].id) == n && strncasecmp(rules[i].id, s, n) == 0) ||
		    (strlen(rules[i].slug) == n && memcmp(rules[i].slug, s, n) == 0))
			return &rules[i];
	}
	return NULL;
}

const struct rg_lint_rule *rg_lint_rule_find(const char *id_or_slug)
{
	return rg_lint_rule_findn(id_or_slug, strlen(id_or_slug));
}

const char *rg_lint_rule_id_of(const char *slug)
{
	size_t i;

	for (i = 0; i < RG_LINT_RULE_COUNT; i++)
		if (strcmp(rules[i].slug, slug) == 0)
			return rules[i].id;
	return NULL;
}
