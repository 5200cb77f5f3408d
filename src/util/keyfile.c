/* Key text ("prefix" + 64 hex) and key files. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "util/file.h"
#include "util/keyfile.h"

/* The longest prefix a key file may use, for the read buffer. */
#define PREFIX_MAX 32
/* Text, newline and room to notice anything longer. */
#define KEYFILE_MAX (PREFIX_MAX + 2 * RG_HEXKEY_LEN + 8)

int rg_hexkey_parse(const char *s, size_t n, const char *prefix, uint8_t out[RG_HEXKEY_LEN])
{
	size_t pl = strlen(prefix), binlen = 0;
	const char *end = NULL;

	if (n != pl + 2 * RG_HEXKEY_LEN || memcmp(s, prefix, pl) != 0)
		return -1;
	if (sodium_hex2bin(out, RG_HEXKEY_LEN, s + pl, n - pl, NULL, &binlen, &end) != 0 ||
	    binlen != RG_HEXKEY_LEN || end != s + n) {
		sodium_memzero(out, RG_HEXKEY_LEN);
		return -1;
	}
	return 0;
}

void rg_hexkey_format(const uint8_t in[RG_HEXKEY_LEN], const char *prefix, char *out)
{
	size_t pl = strlen(prefix);

	memcpy(out, prefix, pl);
	sodium_bin2hex(out + pl, 2 * RG_HEXKEY_LEN + 1, in, RG_HEXKEY_LEN);
}

int rg_keyfile_load(const char *path, const char *prefix, const char *what, bool secret,
		    uint8_t out[RG_HEXKEY_LEN], struct rg_err *err)
{
	char buf[KEYFILE_MAX];
	size_t len = 0;
	struct stat st;
	int fd, ret = -1;

	fd = rg_file_open_regular(path, &st, err);
	if (fd < 0)
		return -1;
	if (secret && (st.st_mode & (S_IRWXG | S_IRWXO))) {
		rg_err_set(err, "%s: private key is accessible by group or others (mode %04o); "
			   "chmod 600 it", path, (unsigned)(st.st_mode & 07777));
		goto out;
	}
	while (len < sizeof(buf)) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rg_err_errno(err, errno, "%s: read error", path);
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len >= sizeof(buf) - 1 || rg_hexkey_parse(buf, len, prefix, out) < 0) {
		rg_err_set(err, "%s: not a %s (expected %s%s%s64 hex digits)", path, what,
			   *prefix ? "\"" : "", prefix, *prefix ? "\" and " : "");
		goto out;
	}
	ret = 0;
out:
	sodium_memzero(buf, sizeof(buf));
	close(fd);
	return ret;
}

int rg_keyfile_store(const char *path, const char *prefix, const uint8_t key[RG_HEXKEY_LEN],
		     int exclusive, struct rg_err *err)
{
	char text[KEYFILE_MAX];
	size_t pl = strlen(prefix), len = pl + 2 * RG_HEXKEY_LEN;
	int ret;

	if (pl > PREFIX_MAX)
		return rg_err_set(err, "%s: key prefix too long", path);
	rg_hexkey_format(key, prefix, text);
	text[len] = '\n';
	ret = rg_file_write_atomic(path, text, len + 1, 0600, exclusive, err);
	sodium_memzero(text, sizeof(text));
	return ret;
}
