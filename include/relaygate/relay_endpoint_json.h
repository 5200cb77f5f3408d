/*
 * ServerEndpoint JSON: the debug/status form of an allocated relay endpoint
 * in Tailscale (Go net/udprelay/endpoint.ServerEndpoint through
 * encoding/json), e.g.
 *
 *   {"ServerDisco":"discokey:003c...2c7f","LamportID":18446744073709551615,
 *    "AddrPorts":["127.0.0.1:1","127.0.0.2:2"],"VNI":16777215,
 *    "BindLifetime":"30s","SteadyStateLifetime":"5m0s"}
 *
 * (one line, no spaces). It is not a wire format between nodes; the wire
 * form is the UDPRelayEndpoint body in disco.h.
 *
 * Writing: exactly those six members in that order, as Go writes them:
 * ServerDisco in its text form, LamportID as a JSON number over the whole
 * unsigned 64-bit range, AddrPorts as netip.AddrPort strings (null when
 * there are none, as Go writes a nil slice), VNI a number, the lifetimes as
 * Go duration strings (time.Duration.String: "30s", "5m0s", "1h0m0s",
 * "1.5s", "0s").
 *
 * Reading follows encoding/json into that Go struct: member names match
 * case-insensitively (ASCII), the last of repeated members wins, unknown
 * members are ignored, a missing member or a null leaves the field zero
 * (a null AddrPorts empties the list). Errors, each refused as Go refuses
 * it: a ServerDisco that is not "discokey:" + 64 hex digits; a LamportID or
 * VNI that is not an unsigned integer of 64 or 32 bits ("1.1", "-1", "1e3"
 * or 2^64 are refused; numbers are read as text, never through a double or
 * json_int_t); an address that does not parse as ip:port; a lifetime that
 * is not a Go duration string (time.ParseDuration: "5" lacks its unit;
 * units ns, us, µs, ms, s, m, h; fractions and sequences like "1h30m"
 * accepted); a member of the wrong JSON type; text that is not one JSON
 * value (comments and trailing commas included).
 * Stricter than Go: the value must be an object (Go accepts a top-level
 * null), an address may not be null, "" or carry an IPv6 zone (Go reads the
 * first two as the invalid zero AddrPort), and at most RG_RELAY_MAX_ADDRS
 * addresses fit.
 *
 * The form carries neither the client pair nor 'created': reading leaves
 * them zero.
 */
#ifndef RELAYGATE_RELAY_ENDPOINT_JSON_H
#define RELAYGATE_RELAY_ENDPOINT_JSON_H

#include <stddef.h>

#include "relaygate/err.h"
#include "relaygate/relay_server.h"

/* Room for the longest form (RG_RELAY_MAX_ADDRS IPv6 addresses, extreme
 * values) and its NUL. */
#define RG_RELAY_ENDPOINT_JSON_MAX 1536

/*
 * Writes the JSON text of info and a NUL into out[0..cap); *len = its
 * length without the NUL. -1 (out[0] = NUL when cap > 0) if it does not fit
 * or info->n_addrs exceeds RG_RELAY_MAX_ADDRS.
 */
int rg_relay_endpoint_to_json(const struct rg_relay_endpoint_info *info, char *out, size_t cap,
			      size_t *len);

/*
 * Reads text[0..len) into *out (zeroed first, and again on failure).
 * 0, or -1 with the reason in err.
 */
int rg_relay_endpoint_from_json(const char *text, size_t len, struct rg_relay_endpoint_info *out,
				struct rg_err *err);

#endif
