/* param_pass.c — segmented, threaded passes over the parameters (see param_pass.h). */
#include "param_pass.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vecops.h"

/* Small enough for a few segments per thread even at H=128, large enough
 * that handing one out costs nothing next to its work. */
#define SEG_ELEMS 32768

static int add_range(ParamPass *p, int cap, int tensor, int gate, size_t begin, size_t end)
{
    for (size_t b = begin; b < end; b += SEG_ELEMS) {
        if (p->n_seg >= cap)
            return cap;
        p->tensor[p->n_seg] = tensor;
        p->gate[p->n_seg] = gate;
        p->begin[p->n_seg] = b;
        p->end[p->n_seg] = b + SEG_ELEMS < end ? b + SEG_ELEMS : end;
        p->n_seg++;
    }
    return cap;
}

void param_pass_init(ParamPass *p, const Model *m)
{
    memset(p, 0, sizeof *p);
    int L = m->cfg.layers, G = cell_gates(m->cfg.cell);
    /* an upper bound: every tensor, every gate block, plus one per full segment */
    int cap = m->n_tensors * (G + 1) + (int)(m->n_params / SEG_ELEMS) + 1;
    p->tensor = xcalloc((size_t)cap, sizeof *p->tensor);
    p->gate = xcalloc((size_t)cap, sizeof *p->gate);
    p->begin = xcalloc((size_t)cap, sizeof *p->begin);
    p->end = xcalloc((size_t)cap, sizeof *p->end);
    p->grad_ss = xcalloc((size_t)cap, sizeof *p->grad_ss);
    p->diff_ss = xcalloc((size_t)cap, sizeof *p->diff_ss);
    p->weight_ss = xcalloc((size_t)cap, sizeof *p->weight_ss);
    p->nonfinite = xcalloc((size_t)cap, sizeof *p->nonfinite);
    for (int i = 0; i < m->n_tensors; i++) {
        const TensorView *tv = &m->tensors[i];
        int layer_tensor = i >= TENSOR_W_IH(0) && i <= TENSOR_B_HH(L - 1);
        if (!layer_tensor) {
            add_range(p, cap, i, -1, tv->offset, tv->offset + tv->size);
            continue;
        }
        /* rows [g*H, (g+1)*H) of a (G*H, cols) tensor are one contiguous block */
        size_t block = tv->size / (size_t)G;
        for (int g = 0; g < G; g++)
            add_range(p, cap, i, g, tv->offset + (size_t)g * block, tv->offset + (size_t)(g + 1) * block);
    }
}

void param_pass_free(ParamPass *p)
{
    free(p->tensor);
    free(p->gate);
    free(p->begin);
    free(p->end);
    free(p->grad_ss);
    free(p->diff_ss);
    free(p->weight_ss);
    free(p->nonfinite);
    memset(p, 0, sizeof *p);
}

typedef struct {
    ParamPass *p;
    Model *m;
    Optim *o;
    float lr, coef;
    float *before;
    int ratios;
} PassCtx;

static void grad_sums_part(void *ctx, int part, int nparts)
{
    PassCtx *c = ctx;
    int s0, s1;
    pool_split(c->p->n_seg, part, nparts, &s0, &s1);
    for (int s = s0; s < s1; s++)
        c->p->grad_ss[s] = vec_sum_squares(c->m->grads + c->p->begin[s], c->p->end[s] - c->p->begin[s]);
}

static void scale_part(void *ctx, int part, int nparts)
{
    PassCtx *c = ctx;
    int s0, s1;
    pool_split(c->p->n_seg, part, nparts, &s0, &s1);
    for (int s = s0; s < s1; s++)
        vec_scale(c->m->grads + c->p->begin[s], c->coef, c->p->end[s] - c->p->begin[s]);
}

static void update_part(void *ctx, int part, int nparts)
{
    PassCtx *c = ctx;
    ParamPass *p = c->p;
    float *w = c->m->params;
    int s0, s1;
    pool_split(p->n_seg, part, nparts, &s0, &s1);
    for (int s = s0; s < s1; s++) {
        size_t b = p->begin[s], e = p->end[s];
        double d2 = 0, w2 = 0;
        int bad = 0;
        memcpy(c->before + b, w + b, (e - b) * sizeof *w);
        optim_step_range(c->o, w, c->m->grads, c->lr, b, e);
        if (c->ratios) {
            bad = vec_update_stats(w + b, c->before + b, e - b, &d2, &w2);
        } else {
            for (size_t i = b; i < e; i++)
                bad |= !isfinite(w[i]);
        }
        p->diff_ss[s] = d2;
        p->weight_ss[s] = w2;
        p->nonfinite[s] = bad;
    }
}

void param_pass_grad_sums(ParamPass *p, Pool *pool, const Model *m)
{
    PassCtx c = {p, (Model *)m, NULL, 0, 0, NULL, 0};
    pool_run(pool, grad_sums_part, &c);
}

void param_pass_scale_grads(ParamPass *p, Pool *pool, Model *m, float coef)
{
    PassCtx c = {p, m, NULL, 0, coef, NULL, 0};
    pool_run(pool, scale_part, &c);
}

void param_pass_update(ParamPass *p, Pool *pool, Model *m, Optim *o, float lr, float *before, int ratios)
{
    PassCtx c = {p, m, o, lr, 0, before, ratios};
    pool_run(pool, update_part, &c);
}
