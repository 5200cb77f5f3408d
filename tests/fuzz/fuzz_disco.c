/*
 * Disco messages and frames. The input is used two ways, so that the
 * fuzzer reaches the code behind the MAC (coturn's builder technique):
 *  1. as a plaintext message: parse; a message that parses re-encodes to
 *     bytes that parse to the same message again;
 *  2. sealed under a fixed key and opened again: the plaintext round-trips;
 *     as a raw frame, opening it must fail unless it is authentic.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "relaygate/disco.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rg_disco_shared shared;
static struct rg_disco_key sender;
static int ready;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[70000], out[70000], again[70000];
	struct rg_disco_msg m, m2;
	size_t len, len2;

	if (!ready) {
		struct rg_disco_private a, b;
		struct rg_disco_key pb;

		memset(a.b, 0x11, sizeof(a.b));
		memset(b.b, 0x22, sizeof(b.b));
		if (rg_disco_private_public(&a, &sender) < 0 || rg_disco_private_public(&b, &pb) < 0 ||
		    rg_disco_shared_compute(&a, &pb, &shared) < 0)
			abort();
		ready = 1;
	}
	if (size > 65536)
		return 0;
	/*
	 * A Ping whose node key is all zero is "no key" to Go's encoder while its
	 * parser reads the same 32 bytes as a key slot, so padding shrinks by 32
	 * bytes per round trip in Tailscale too; that case is not compared.
	 */
	if (rg_disco_msg_parse(data, size, &m) == RG_DISCO_OK &&
	    !(m.type == RG_DISCO_PING && sodium_is_zero(m.u.ping.node_key.b, RG_DISCO_KEY_LEN)) &&
	    rg_disco_msg_encode(&m, out, sizeof(out), &len) == RG_DISCO_OK) {
		if (rg_disco_msg_parse(out, len, &m2) != RG_DISCO_OK ||
		    rg_disco_msg_encode(&m2, again, sizeof(again), &len2) != RG_DISCO_OK ||
		    len2 != len || memcmp(out, again, len) != 0)
			abort();
	}
	/* The same bytes sealed and opened. */
	if (rg_disco_seal(&sender, &shared, data, size, buf, sizeof(buf), &len) == RG_DISCO_OK) {
		if (rg_disco_open(&shared, buf, len, out, sizeof(out), &len2) != RG_DISCO_OK ||
		    len2 != size || memcmp(out, data, size) != 0)
			abort();
	}
	/* The bytes as a frame: forged frames never open. */
	if (rg_disco_open(&shared, data, size, out, sizeof(out), &len2) == RG_DISCO_OK &&
	    size < RG_DISCO_OVERHEAD)
		abort();
	return 0;
}
