/* test_param_pass.c — the parameter buffer's segments: they cover every
 * parameter exactly once, never cross a tensor or a gate block, and the
 * threaded passes give the same sums and updates on 1, 2 and 3 threads. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "param_pass.h"

static void check_cover(CellType cell, int layers, int hidden)
{
    ModelConfig cfg = {cell, layers, hidden, 24, 70, 0.0f};
    Model m;
    Err err;
    model_new(&m, &cfg, &err);
    ParamPass p;
    param_pass_init(&p, &m);
    size_t next = 0;
    int ok = 1;
    for (int s = 0; s < p.n_seg; s++) {
        const TensorView *tv = &m.tensors[p.tensor[s]];
        ok &= p.begin[s] == next && p.end[s] > p.begin[s];
        ok &= p.begin[s] >= tv->offset && p.end[s] <= tv->offset + tv->size;
        if (p.gate[s] >= 0) {
            size_t block = tv->size / (size_t)cell_gates(cell);
            ok &= p.begin[s] >= tv->offset + (size_t)p.gate[s] * block &&
                  p.end[s] <= tv->offset + (size_t)(p.gate[s] + 1) * block;
        }
        next = p.end[s];
    }
    CHECK(ok && next == m.n_params, "%s %dx%d: %d segments cover the %zu parameters in order, inside tensors "
          "and gate blocks", cell_name(cell), layers, hidden, p.n_seg, m.n_params);
    param_pass_free(&p);
    model_free(&m);
}

static void check_threads(void)
{
    ModelConfig cfg = {CELL_LSTM, 2, 200, 32, 65, 0.0f};
    Model m;
    Err err;
    model_new(&m, &cfg, &err);
    Rng r;
    rng_seed(&r, 3);
    model_init(&m, &r, 0);
    for (size_t i = 0; i < m.n_params; i++)
        m.grads[i] = rng_range(&r, -1, 1);
    float *p0 = xmalloc(sizeof(float) * m.n_params), *g0 = xmalloc(sizeof(float) * m.n_params);
    memcpy(p0, m.params, sizeof(float) * m.n_params);
    memcpy(g0, m.grads, sizeof(float) * m.n_params);
    float *before = xmalloc(sizeof(float) * m.n_params), *ref = xmalloc(sizeof(float) * m.n_params);
    double ref_ss = 0;
    for (int threads = 1; threads <= 3; threads++) {
        memcpy(m.params, p0, sizeof(float) * m.n_params);
        memcpy(m.grads, g0, sizeof(float) * m.n_params);
        Pool *pool = pool_new(threads);
        ParamPass p;
        param_pass_init(&p, &m);
        OptimConfig oc;
        optim_config_default(&oc, OPTIM_ADAM);
        Optim o;
        optim_init(&o, &oc, m.n_params);
        param_pass_grad_sums(&p, pool, &m);
        double ss = 0;
        for (int s = 0; s < p.n_seg; s++)
            ss += p.grad_ss[s];
        param_pass_scale_grads(&p, pool, &m, 0.5f);
        param_pass_update(&p, pool, &m, &o, 1e-3f, before, 1);
        optim_step_end(&o);
        if (threads == 1) {
            memcpy(ref, m.params, sizeof(float) * m.n_params);
            ref_ss = ss;
            CHECK(memcmp(before, p0, sizeof(float) * m.n_params) == 0, "the old parameters are kept");
        } else {
            CHECK(ss == ref_ss && memcmp(ref, m.params, sizeof(float) * m.n_params) == 0,
                  "%d threads: the same gradient sum and updated parameters as 1 thread, bit for bit", threads);
        }
        /* the same update as one optim_step over everything */
        if (threads == 1) {
            Optim o2;
            optim_init(&o2, &oc, m.n_params);
            float *q = xmalloc(sizeof(float) * m.n_params), *g = xmalloc(sizeof(float) * m.n_params);
            memcpy(q, p0, sizeof(float) * m.n_params);
            for (size_t i = 0; i < m.n_params; i++)
                g[i] = g0[i] * 0.5f;
            optim_step(&o2, q, g, 1e-3f);
            CHECK(memcmp(q, m.params, sizeof(float) * m.n_params) == 0 && o2.t == o.t,
                  "the segmented update equals optim_step over the whole buffer");
            free(q);
            free(g);
            optim_free(&o2);
        }
        optim_free(&o);
        param_pass_free(&p);
        pool_free(pool);
    }
    free(p0);
    free(g0);
    free(before);
    free(ref);
    model_free(&m);
}

int main(void)
{
    check_cover(CELL_LSTM, 2, 128);
    check_cover(CELL_GRU, 3, 300);
    check_cover(CELL_RNN, 1, 7);
    check_threads();
    return check_summary();
}
