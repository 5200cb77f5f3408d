/* Private disco key files: "privkey:<64 hex>\n", mode 0600. */
#include "relaygate/disco_key.h"
#include "util/keyfile.h"

int rg_disco_private_load(const char *path, struct rg_disco_private *out, struct rg_err *err)
{
	return rg_keyfile_load(path, RG_DISCO_PRIVATE_PREFIX, "disco private key", true, out->b, err);
}

int rg_disco_private_store(const char *path, const struct rg_disco_private *k, int exclusive,
			   struct rg_err *err)
{
	return rg_keyfile_store(path, RG_DISCO_PRIVATE_PREFIX, k->b, exclusive, err);
}
