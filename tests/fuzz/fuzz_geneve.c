/* Geneve header and the client-side packet classifier: decode/encode round trip. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "relaygate/geneve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rg_geneve_header h;
	uint8_t out[RG_GENEVE_HEADER_LEN];
	bool geneve;

	if (rg_geneve_decode(data, size, &h) == 0 && rg_geneve_is_plain(&h)) {
		if (rg_geneve_encode(&h, out) != 0 || memcmp(out, data, RG_GENEVE_HEADER_LEN) != 0)
			abort();
	}
	(void)rg_packet_looks_like(data, size, &geneve);
	(void)rg_stun_is_binding(data, size);
	return 0;
}
