#include <stdlib.h>
#include <string.h>

#include "relaygate/source.h"
#include "util/file.h"
#include "util/utf8.h"

static struct rg_source *source_new(const char *name)
{
	struct rg_source *src = calloc(1, sizeof(*src));

	if (!src)
		return NULL;
	src->name = strdup(name);
	if (!src->name) {
		free(src);
		return NULL;
	}
	return src;
}

struct rg_source *rg_source_load(const char *path, size_t max, struct rg_err *err)
{
	struct rg_source *src;

	src = source_new(strcmp(path, "-") == 0 ? "<stdin>" : path);
	if (!src) {
		rg_err_set(err, "%s: out of memory", path);
		return NULL;
	}
	if (rg_file_read(path, max ? max : RG_FILE_MAX_INPUT, &src->data, &src->len, err) < 0) {
		rg_source_free(src);
		return NULL;
	}
	return src;
}

struct rg_source *rg_source_from_mem(const char *name, const char *data, size_t len)
{
	struct rg_source *src = source_new(name);

	if (!src)
		return NULL;
	src->data = malloc(len + 1);
	if (!src->data) {
		rg_source_free(src);
		return NULL;
	}
	if (len)
		memcpy(src->data, data, len);
	src->data[len] = '\0';
	src->len = len;
	return src;
}

void rg_source_free(struct rg_source *src)
{
	if (!src)
		return;
	free(src->name);
	free(src->data);
	free(src->lines);
	free(src);
}

static int source_index(struct rg_source *src)
{
	size_t n = 1, i;
	const char *p;

	if (src->lines)
		return 0;
	for (p = src->data; (p = memchr(p, '\n', src->len - (size_t)(p - src->data))); p++)
		n++;
	src->lines = malloc(n * sizeof(*src->lines));
	if (!src->lines)
		return -1;
	src->lines[0] = 0;
	src->nlines = 1;
	for (i = 0; i < src->len; i++)
		if (src->data[i] == '\n')
			src->lines[src->nlines++] = (uint32_t)(i + 1);
	return 0;
}

static size_t line_of(struct rg_source *src, size_t off)
{
	size_t lo = 0, hi = src->nlines;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (src->lines[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

struct rg_pos rg_source_pos(struct rg_source *src, size_t off)
{
	struct rg_pos pos = { 1, 1, 1 };
	size_t l, start;

	if (off > src->len)
		off = src->len;
	if (source_index(src) < 0) {
		/* Out of memory for the index: fall back to a linear count. */
		size_t i;

		start = 0;
		for (i = 0; i < off; i++)
			if (src->data[i] == '\n') {
				pos.line++;
				start = i + 1;
			}
	} else {
		l = line_of(src, off);
		pos.line = (unsigned)l + 1;
		start = src->lines[l];
	}
	pos.col = (unsigned)(off - start) + 1;
	pos.ucol = (unsigned)rg_utf8_count((const unsigned char *)src->data + start, off - start) + 1;
	return pos;
}

const char *rg_source_line(struct rg_source *src, size_t off, size_t *len)
{
	size_t start, end;

	if (off > src->len)
		off = src->len;
	start = off;
	while (start > 0 && src->data[start - 1] != '\n')
		start--;
	end = off;
	while (end < src->len && src->data[end] != '\n')
		end++;
	if (end > start && src->data[end - 1] == '\r')
		end--;
	*len = end - start;
	return src->data + start;
}
