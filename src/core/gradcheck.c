/* gradcheck.c — finite-difference check of model_backward (see gradcheck.h).
 *
 * Precision in float32: the loss is read in double (workspace_loss), and the
 * numeric derivative is the fourth-order central difference
 *   (8 (f(p+e) - f(p-e)) - (f(p+2e) - f(p-2e))) / (12 e)
 * whose truncation error is O(e^4), so a fairly large step e = 3e-2 can be
 * used, which keeps float rounding in the activations from dominating.
 * Measured this way the numeric derivative still carries float noise of
 * about 3e-7 absolute (loss ~2, T*B = 64 rows), so a relative error is only
 * meaningful for gradients well above that: the denominator |a| + |n| is
 * floored at GC_FLOOR = 1e-4, i.e. with a bound of 1e-2 an element whose
 * gradient is below ~5e-5 must agree to 1e-6 absolute instead.
 */
#include "gradcheck.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

enum { GC_V = 7, GC_E = 4, GC_H = 5, GC_T = 8, GC_B = 8 };

static const float GC_EPS = 3e-2f;
static const double GC_FLOOR = 1e-4;

typedef struct {
    Model *m;
    Workspace *ws;
    const int *x, *y;
    const State *s0; /* initial state, restored before each evaluation */
    State *s;
    int train;
    uint64_t mask_seed;
} GcProblem;

static double gradcheck_loss(GcProblem *p)
{
    Rng rng;
    rng_seed(&rng, p->mask_seed);
    state_copy(p->s, p->s0);
    model_forward(p->m, p->ws, p->x, p->y, GC_T, GC_B, p->s, p->train, &rng);
    return workspace_loss(p->ws);
}

static double gradcheck_numeric(GcProblem *p, float *param)
{
    const float orig = *param;
    double f[4];
    const float steps[4] = { GC_EPS, -GC_EPS, 2 * GC_EPS, -2 * GC_EPS };
    for (int i = 0; i < 4; i++) {
        *param = orig + steps[i];
        f[i] = gradcheck_loss(p);
    }
    *param = orig;
    double e = (double)GC_EPS;
    return (8.0 * (f[0] - f[1]) - (f[2] - f[3])) / (12.0 * e);
}

int gradcheck_run(CellType cell, int layers, uint64_t seed, GradcheckRow *rows, int max_rows,
                  Err *err)
{
    GradcheckOptions o = { cell, layers, seed, 0.0f, -1 };
    return gradcheck_run_opts(&o, rows, max_rows, err);
}

int gradcheck_run_opts(const GradcheckOptions *opt, GradcheckRow *rows, int max_rows, Err *err)
{
    ModelConfig cfg = { opt->cell, opt->layers, GC_H, GC_E, GC_V, opt->dropout };
    Model m;
    if (model_new(&m, &cfg, err))
        return -1;
    if (max_rows < m.n_tensors) {
        err_set(err, ERR_RUNTIME, "gradcheck: room for %d rows, the model has %d tensors",
                max_rows, m.n_tensors);
        model_free(&m);
        return -1;
    }
    if (opt->corrupt_tensor >= m.n_tensors) {
        err_set(err, ERR_INPUT, "gradcheck: corrupt_tensor %d out of range 0..%d",
                opt->corrupt_tensor, m.n_tensors - 1);
        model_free(&m);
        return -1;
    }
    Rng rng;
    rng_seed(&rng, opt->seed);
    model_init(&m, &rng, 0);
    int x[GC_T * GC_B], y[GC_T * GC_B];
    for (int i = 0; i < GC_T * GC_B; i++) {
        x[i] = (int)rng_below(&rng, GC_V);
        y[i] = (int)rng_below(&rng, GC_V);
    }
    State s0, s;
    state_init(&s0, &cfg, GC_B);
    state_init(&s, &cfg, GC_B);
    size_t ns = (size_t)cfg.layers * GC_B * GC_H;
    for (size_t i = 0; i < ns; i++) {
        s0.h[i] = 0.5f * rng_normal(&rng);
        if (s0.c)
            s0.c[i] = 0.5f * rng_normal(&rng);
    }
    Workspace *ws = workspace_new(&cfg, GC_T, GC_B);
    GcProblem p = { &m, ws, x, y, &s0, &s, opt->dropout > 0.0f, opt->seed ^ 0x5eedull };

    gradcheck_loss(&p);
    model_backward(&m, ws);
    float *analytic = xmalloc(m.n_params * sizeof *analytic);
    memcpy(analytic, m.grads, m.n_params * sizeof *analytic);

    for (int t = 0; t < m.n_tensors; t++) {
        const TensorView *v = &m.tensors[t];
        const float *a = analytic + v->offset;
        float *param = model_tensor(&m, t);
        GradcheckRow *row = &rows[t];
        memset(row, 0, sizeof *row);
        snprintf(row->name, sizeof row->name, "%s", v->name);
        double amax = 0.0;
        for (size_t i = 0; i < v->size; i++)
            if (fabs((double)a[i]) > amax)
                amax = fabs((double)a[i]);
        row->max_abs_grad = amax;
        double shift = t == opt->corrupt_tensor ? 0.1 * amax : 0.0;
        size_t n_check = v->size < GRADCHECK_MAX_PER_TENSOR ? v->size : GRADCHECK_MAX_PER_TENSOR;
        for (size_t k = 0; k < n_check; k++) {
            /* all elements of small tensors; otherwise element 0 plus a random sample */
            size_t i = (v->size == n_check || k == 0) ? k : (size_t)rng_below(&rng, (uint32_t)v->size);
            double an = (double)a[i] + (i == 0 ? shift : 0.0);
            double nu = gradcheck_numeric(&p, &param[i]);
            double den = fabs(an) + fabs(nu);
            double rel = fabs(an - nu) / (den > GC_FLOOR ? den : GC_FLOOR);
            if (rel > row->max_rel_err)
                row->max_rel_err = rel;
            if (fabs(an - nu) > row->max_abs_err)
                row->max_abs_err = fabs(an - nu);
            row->n_checked++;
        }
    }
    int n = m.n_tensors;
    free(analytic);
    workspace_free(ws);
    state_free(&s0);
    state_free(&s);
    model_free(&m);
    return n;
}
