/* Building matrices from policy and inventory text, for the matrix tests. */
#ifndef TEST_MATRIX_FIXTURE_H
#define TEST_MATRIX_FIXTURE_H

#include <string.h>

#include "relaygate/inventory.h"
#include "relaygate/matrix.h"

struct fx {
	struct rg_source *psrc[2], *isrc;
	struct rg_policy *p[2];
	struct rg_inventory *inv;
	struct rg_principals *pr;
	struct rg_matrix *m[2];
};

static inline struct rg_policy *fx_policy(struct fx *f, int i, const char *text)
{
	struct rg_diags d;

	rg_diags_init(&d);
	f->psrc[i] = rg_source_from_mem("policy", text, strlen(text));
	assert_non_null(f->psrc[i]);
	assert_int_equal(rg_policy_parse(f->psrc[i], &f->p[i], &d), 0);
	assert_int_equal(rg_policy_validate(f->p[i], f->inv, &d), 0);
	assert_int_equal(rg_diags_count(&d, RG_SEV_ERROR), 0);
	rg_diags_free(&d);
	return f->p[i];
}

static inline void fx_inventory(struct fx *f, const char *text)
{
	struct rg_diags d;

	rg_diags_init(&d);
	f->isrc = rg_source_from_mem("inventory", text, strlen(text));
	assert_non_null(f->isrc);
	assert_int_equal(rg_inventory_load(f->isrc, &f->inv, &d), 0);
	rg_diags_free(&d);
}

/* Matrix i of policy text over the inventory (nodes) or the principals of all policies given. */
static inline struct rg_matrix *fx_matrix(struct fx *f, int i, const struct rg_matrix_opts *o)
{
	struct rg_eval *e = NULL;
	struct rg_err err;

	if (!f->inv && !f->pr)
		assert_int_equal(rg_principals_build((const struct rg_policy *const *)f->p,
						     f->p[1] ? 2 : 1, &f->pr, &err), 0);
	assert_int_equal(rg_eval_build(f->p[i], f->inv ? f->inv : rg_principals_inventory(f->pr), &e,
				       &err), 0);
	if (f->inv)
		assert_int_equal(rg_matrix_build(e, o, &f->m[i], &err), 0);
	else
		assert_int_equal(rg_matrix_build_principals(e, f->pr, o, &f->m[i], &err), 0);
	rg_eval_free(e);
	return f->m[i];
}

/* A fresh fixture: the inventory (or none: principals), the policy, its matrix. */
static inline struct rg_matrix *fx_one(struct fx *f, const char *inv, const char *policy,
				       const struct rg_matrix_opts *o)
{
	memset(f, 0, sizeof(*f));
	if (inv)
		fx_inventory(f, inv);
	fx_policy(f, 0, policy);
	return fx_matrix(f, 0, o);
}

static inline void fx_free(struct fx *f)
{
	int i;

	for (i = 0; i < 2; i++) {
		rg_matrix_free(f->m[i]);
		rg_policy_free(f->p[i]);
		rg_source_free(f->psrc[i]);
	}
	rg_principals_free(f->pr);
	rg_inventory_free(f->inv);
	rg_source_free(f->isrc);
	memset(f, 0, sizeof(*f));
}

static inline long fx_line(const struct rg_matrix_line *l, size_t n, const char *label)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(l[i].label, label) == 0)
			return (long)i;
	return -1;
}

/* The text of cell (src, dst) by label; "" when empty, "?" when a label is not a line. */
static inline const char *fx_cell(const struct rg_matrix *m, const char *src, const char *dst)
{
	long r = fx_line(m->rows, m->nrows, src), c = fx_line(m->cols, m->ncols, dst);
	size_t i;

	if (r < 0 || c < 0)
		return "?";
	for (i = 0; i < m->ncells; i++)
		if (m->cells[i].row == (uint32_t)r && m->cells[i].col == (uint32_t)c)
			return m->cells[i].access->text;
	return "";
}

#endif
