/*
 * HuJSON parser. Properties beyond "no crash":
 *  - tree and syntax-only modes give the same verdict and error position;
 *  - a valid document standardizes to JSON of the same length that jansson
 *    accepts, equal (json_equal) to the tree we built, and standardizing
 *    that again changes nothing;
 *  - every comment and trailing comma lies outside every value's span.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "relaygate/hujson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rg_source *src = rg_source_from_mem("fuzz", (const char *)data, size);
	struct rg_hujson_doc *tree = NULL, *plain = NULL;
	struct rg_hujson_error e1, e2;
	int r1, r2;

	if (!src)
		return 0;
	r1 = rg_hujson_parse(src, RG_HUJSON_TREE, &tree, &e1);
	r2 = rg_hujson_parse(src, 0, &plain, &e2);
	if (r1 != r2)
		abort();
	if (r1 < 0) {
		/* out of memory aside, both modes must point at the same place */
		if (strcmp(e1.msg, "out of memory") && (e1.offset != e2.offset || strcmp(e1.msg, e2.msg)))
			abort();
	} else {
		size_t len, len2, i, k;
		char *std = rg_hujson_standardize(tree, &len);

		if (std) {
			json_error_t jerr;
			json_t *j = json_loadb(std, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
			struct rg_source *s2 = rg_source_from_mem("std", std, len);
			struct rg_hujson_doc *d2 = NULL;

			if (len != size)
				abort();
			/* jansson refuses what it cannot represent (1e400, lone surrogates). */
			if (j && tree->root && !json_equal(j, tree->root) && tree->nissues == 0 &&
			    !memmem(data, size, "\\u", 2))
				abort();
			json_decref(j);
			if (s2 && rg_hujson_parse(s2, 0, &d2, &e2) == 0) {
				char *std2 = rg_hujson_standardize(d2, &len2);

				if (std2 && (len2 != len || memcmp(std, std2, len) != 0))
					abort();
				free(std2);
			} else if (s2 && strcmp(e2.msg, "out of memory")) {
				abort(); /* standard JSON is HuJSON */
			}
			rg_hujson_doc_free(d2);
			rg_source_free(s2);
			free(std);
		}
		for (i = 0; i < tree->nnodes; i++) {
			const struct rg_hj_node *n = &tree->nodes[i];

			if (n->kind == RG_HJ_OBJECT || n->kind == RG_HJ_ARRAY)
				continue;
			for (k = 0; k < tree->ncomments; k++)
				if (tree->comments[k].start < n->span.end &&
				    n->span.start < tree->comments[k].end)
					abort();
			for (k = 0; k < tree->ncommas; k++)
				if (tree->commas[k] >= n->span.start && tree->commas[k] < n->span.end)
					abort();
		}
	}
	rg_hujson_doc_free(tree);
	rg_hujson_doc_free(plain);
	rg_source_free(src);
	return 0;
}
