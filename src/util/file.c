#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/file.h"

static const char *display_name(const char *path)
{
	return strcmp(path, "-") == 0 ? "<stdin>" : path;
}

int rg_file_read(const char *path, size_t max, char **out, size_t *len, struct rg_err *err)
{
	struct rg_buf b;
	struct stat st;
	int fd = -1, ret = -1;
	char chunk[65536];

	*out = NULL;
	*len = 0;
	rg_buf_init(&b, max + 1);
	if (strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0) {
			rg_err_errno(err, errno, "%s: cannot open", path);
			goto out;
		}
	}
	if (fstat(fd, &st) < 0) {
		rg_err_errno(err, errno, "%s: cannot stat", display_name(path));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		rg_err_set(err, "%s: is a directory", display_name(path));
		goto out;
	}
	if (S_ISREG(st.st_mode) && (size_t)st.st_size > max) {
		rg_err_set(err, "%s: file too large (%lld bytes; the limit is %zu)",
			   display_name(path), (long long)st.st_size, max);
		goto out;
	}
	if (S_ISREG(st.st_mode) && rg_buf_reserve(&b, (size_t)st.st_size) < 0) {
		rg_err_set(err, "%s: out of memory", display_name(path));
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			rg_err_errno(err, errno, "%s: read error", display_name(path));
			goto out;
		}
		if (n == 0)
			break;
		if (b.len + (size_t)n > max) {
			rg_err_set(err, "%s: input too large (the limit is %zu bytes)",
				   display_name(path), max);
			goto out;
		}
		if (rg_buf_append(&b, chunk, (size_t)n) < 0) {
			rg_err_set(err, "%s: out of memory", display_name(path));
			goto out;
		}
	}
	*out = rg_buf_take(&b, len);
	if (!*out) {
		rg_err_set(err, "%s: out of memory", display_name(path));
		goto out;
	}
	ret = 0;
out:
	if (fd > STDIN_FILENO)
		close(fd);
	rg_buf_free(&b);
	return ret;
}

int rg_file_open_regular(const char *path, struct stat *st, struct rg_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return rg_err_errno(err, errno, "%s: cannot open", path);
	if (fstat(fd, st) < 0) {
		rg_err_errno(err, errno, "%s: cannot stat", path);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		rg_err_set(err, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	return fd;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int rg_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
			 int exclusive, struct rg_err *err)
{
	char *dircopy = NULL, *tmp = NULL;
	const char *dir;
	size_t tlen;
	int fd = -1, ret = -1, dfd;

	dircopy = strdup(path);
	tlen = strlen(path) + 32;
	tmp = malloc(tlen);
	if (!dircopy || !tmp) {
		rg_err_set(err, "%s: out of memory", path);
		goto out;
	}
	dir = dirname(dircopy);
	snprintf(tmp, tlen, "%s.tmp.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		rg_err_errno(err, errno, "%s: cannot create temporary file", path);
		goto out_notmp;
	}
	if (fchmod(fd, mode) < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		rg_err_errno(err, errno, "%s: cannot write", path);
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		rg_err_errno(err, errno, "%s: cannot write", path);
		goto out;
	}
	fd = -1;
	if (exclusive) {
		/* link() fails if path exists, so a concurrent file is never replaced. */
		if (link(tmp, path) < 0) {
			rg_err_errno(err, errno, "%s", path);
			goto out;
		}
		unlink(tmp);
	} else if (rename(tmp, path) < 0) {
		rg_err_errno(err, errno, "%s: cannot rename into place", path);
		goto out;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	ret = 0;
	goto out_notmp;
out:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
out_notmp:
	free(tmp);
	free(dircopy);
	return ret;
}

int rg_file_equals(const char *path, const void *data, size_t len)
{
	char *cur = NULL;
	size_t clen = 0;
	int eq;

	if (rg_file_read(path, len + 1, &cur, &clen, NULL) < 0)
		return 0;
	eq = clen == len && memcmp(cur, data, len) == 0;
	free(cur);
	return eq;
}
