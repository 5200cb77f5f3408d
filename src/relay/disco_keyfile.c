/* Private disco key files: "privkey:<64 hex>\n", mode 0600. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "relaygate/disco_key.h"
#include "util/err.h"
#include "util/file.h"

/* Text, newline and room to notice anything longer. */
#define KEYFILE_MAX (RG_DISCO_PRIVATE_TEXT_LEN + 8)

int rg_disco_private_load(const char *path, struct rg_disco_private *out, struct rg_err *err)
{
	char buf[KEYFILE_MAX];
	size_t len = 0;
	struct stat st;
	int fd, ret = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return rg_err_errno(err, errno, "%s: cannot open", path);
	if (fstat(fd, &st) < 0) {
		rg_err_errno(err, errno, "%s: cannot stat", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rg_err_set(err, "%s: not a regular file", path);
		goto out;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
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
	if (len >= sizeof(buf) - 1 || rg_disco_private_parse(buf, len, out) < 0) {
		rg_err_set(err, "%s: not a disco private key (expected \"%s\" and 64 hex digits)",
			   path, RG_DISCO_PRIVATE_PREFIX);
		goto out;
	}
	ret = 0;
out:
	rg_disco_wipe(buf, sizeof(buf));
	close(fd);
	return ret;
}

int rg_disco_private_store(const char *path, const struct rg_disco_private *k, int exclusive,
			   struct rg_err *err)
{
	char text[RG_DISCO_PRIVATE_TEXT_LEN + 2];
	int ret;

	rg_disco_private_format(k, text);
	text[RG_DISCO_PRIVATE_TEXT_LEN] = '\n';
	text[RG_DISCO_PRIVATE_TEXT_LEN + 1] = '\0';
	ret = rg_file_write_atomic(path, text, RG_DISCO_PRIVATE_TEXT_LEN + 1, 0600, exclusive, err);
	rg_disco_wipe(text, sizeof(text));
	return ret;
}
