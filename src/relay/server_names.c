/* Metric label values for the relay's counters. */
#include "relaygate/relay_server.h"

static const char *const drop_names[RG_RELAY_DROP_COUNT] = {
	[RG_RELAY_DROP_NONE] = "none",
	[RG_RELAY_DROP_SHORT] = "short",
	[RG_RELAY_DROP_OVERSIZE] = "oversize",
	[RG_RELAY_DROP_GENEVE_VERSION] = "geneve_version",
	[RG_RELAY_DROP_GENEVE_OPTIONS] = "geneve_options",
	[RG_RELAY_DROP_GENEVE_RESERVED] = "geneve_reserved",
	[RG_RELAY_DROP_VNI_ZERO] = "vni_zero",
	[RG_RELAY_DROP_UNKNOWN_VNI] = "unknown_vni",
	[RG_RELAY_DROP_CONTROL_PROTO] = "control_protocol",
	[RG_RELAY_DROP_DATA_PROTO] = "data_protocol",
	[RG_RELAY_DROP_NOT_BOUND] = "not_bound",
	[RG_RELAY_DROP_UNKNOWN_SRC] = "unknown_source",
	[RG_RELAY_DROP_EXPIRED] = "expired",
	[RG_RELAY_DROP_DISCO_SHORT] = "disco_short",
	[RG_RELAY_DROP_BAD_MAGIC] = "bad_magic",
	[RG_RELAY_DROP_WEAK_KEY] = "weak_key",
	[RG_RELAY_DROP_UNKNOWN_SENDER] = "unknown_sender",
	[RG_RELAY_DROP_NOT_CLIENT] = "not_client",
	[RG_RELAY_DROP_KEY_AGREEMENT] = "key_agreement",
	[RG_RELAY_DROP_BAD_BOX] = "bad_box",
	[RG_RELAY_DROP_BAD_MESSAGE] = "bad_message",
	[RG_RELAY_DROP_BAD_VERSION] = "bad_version",
	[RG_RELAY_DROP_UNEXPECTED_TYPE] = "unexpected_type",
	[RG_RELAY_DROP_WRONG_VNI] = "wrong_vni",
	[RG_RELAY_DROP_WRONG_REMOTE] = "wrong_remote",
	[RG_RELAY_DROP_ZERO_GENERATION] = "zero_generation",
	[RG_RELAY_DROP_STALE_GENERATION] = "stale_generation",
	[RG_RELAY_DROP_NO_HANDSHAKE] = "no_handshake",
	[RG_RELAY_DROP_BAD_CHALLENGE] = "bad_challenge",
	[RG_RELAY_DROP_SRC_IS_RELAY] = "source_is_relay",
	[RG_RELAY_DROP_ADDR_IN_USE] = "address_in_use",
	[RG_RELAY_DROP_AMPLIFICATION] = "amplification",
	[RG_RELAY_DROP_NO_SPACE] = "no_space",
	[RG_RELAY_DROP_ALLOC_DISABLED] = "alloc_disabled",
	[RG_RELAY_DROP_NOT_READY] = "not_ready",
	[RG_RELAY_DROP_NOT_PARTICIPANT] = "not_participant",
	[RG_RELAY_DROP_SAME_PAIR] = "same_pair",
	[RG_RELAY_DROP_RELAY_KEY] = "relay_key",
	[RG_RELAY_DROP_NOT_ALLOWED] = "not_allowed",
	[RG_RELAY_DROP_REPLAY] = "replay",
	[RG_RELAY_DROP_QUOTA_GLOBAL] = "quota_global",
	[RG_RELAY_DROP_QUOTA_REQUESTER] = "quota_requester",
	[RG_RELAY_DROP_QUOTA_CONNECTING] = "quota_connecting",
	[RG_RELAY_DROP_VNI_EXHAUSTED] = "vni_exhausted",
	[RG_RELAY_DROP_NO_MEMORY] = "no_memory",
};

const char *rg_relay_drop_name(enum rg_relay_drop r)
{
	if ((unsigned)r >= RG_RELAY_DROP_COUNT || !drop_names[r])
		return "unknown";
	return drop_names[r];
}

const char *rg_relay_ep_state_name(enum rg_relay_ep_state st)
{
	switch (st) {
	case RG_RELAY_EP_CONNECTING: return "connecting";
	case RG_RELAY_EP_OPEN: return "open";
	case RG_RELAY_EP_STATES: break;
	}
	return "unknown";
}

const char *rg_relay_transport_name(enum rg_relay_transport t)
{
	switch (t) {
	case RG_RELAY_UDP4: return "udp4";
	case RG_RELAY_UDP6: return "udp6";
	case RG_RELAY_TRANSPORTS: break;
	}
	return "unknown";
}
