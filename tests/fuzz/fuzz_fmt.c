/*
 * relaygate fmt over arbitrary input.
 * Properties: the formatted text of a valid document parses, holds the
 * same values (the standardized JSON trees are equal) and the same number
 * of comments, and formatting it again changes nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "relaygate/hujson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rg_hujson_doc *doc = NULL, *doc2 = NULL;
	struct rg_source *src, *src2 = NULL;
	struct rg_hujson_error herr;
	char *once = NULL, *twice = NULL;
	size_t n1 = 0, n2 = 0;

	src = rg_source_from_mem("fuzz", (const char *)data, size);
	if (!src)
		return 0;
	if (rg_hujson_parse(src, RG_HUJSON_TREE, &doc, &herr) < 0)
		goto out;
	once = rg_hujson_format(doc, &n1);
	if (!once)
		goto out; /* out of memory */
	src2 = rg_source_from_mem("formatted", once, n1);
	if (!src2)
		goto out;
	if (rg_hujson_parse(src2, RG_HUJSON_TREE, &doc2, &herr) < 0)
		abort(); /* fmt wrote something that does not parse */
	if (!json_equal(doc->root, doc2->root) || doc->ncomments != doc2->ncomments)
		abort(); /* fmt changed the values or lost a comment */
	twice = rg_hujson_format(doc2, &n2);
	if (twice && (n2 != n1 || memcmp(once, twice, n1) != 0))
		abort(); /* not idempotent */
out:
	free(twice);
	free(once);
	rg_hujson_doc_free(doc2);
	rg_hujson_doc_free(doc);
	rg_source_free(src2);
	rg_source_free(src);
	return 0;
}
