/* optim.c — SGD (momentum, Nesterov), Adagrad, RMSprop, Adam and AdamW over one
 * flat float buffer, plus gradient norms and clipping.
 *
 * Each update follows PyTorch 1.13's _single_tensor_* functions in
 * torch/optim/{sgd,adagrad,rmsprop,adam,adamw}.py operation by operation, in
 * float32, with the scalars PyTorch computes in Python (bias corrections, step
 * sizes, 1 - beta) computed in double and rounded to float where PyTorch hands
 * them to a kernel. The kernels' own arithmetic (ATen CPU, AVX2):
 *   a.add_(b, alpha=s)         fma(s, b, a): one fused multiply-add   -> fma32
 *   a.addcmul_(b, c, value=s)  fma(s*b, c, a): s*b rounded, then fused
 *                              (gcc contracts the vector mul+add)      -> fma32
 *   a.addcdiv_(b, c, value=s)  a + (s*b)/c, each operation rounded
 *   a.mul_(s), a.sqrt(), a / s plain float operations
 * With float32-exact hyperparameters the result is bit-identical to PyTorch's
 * (tests/test_optim.c checks it). That needs the compiler not to fuse a
 * multiply and an add PyTorch rounds separately: true for gcc -std=c11
 * (-ffp-contract=off) and clang (fuses only within one expression, which the
 * loops avoid); gcc -std=gnu11 on an FMA target breaks it (by an ulp).
 * The loops of Adam and SGD also run 8 elements at a time where the CPU has
 * AVX2 (cpu.h), the same operations on each element in the same order, so
 * the same bits.
 *
 * Not here: schedules (schedule.c), state serialization (checkpoint code),
 * dampening, amsgrad, centered RMSprop, lr_decay (unused by rnnscope).
 */
#include "optim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpu.h"

#ifdef CPU_X86_DISPATCH
#include <immintrin.h>
#endif

/* PyTorch's a.add_(b, alpha=s) is one fused multiply-add on CPUs with FMA. The
 * product of two floats is exact in double, so one double addition rounded to
 * float gives the fused result (except for a double-rounding tie, which needs
 * ~29 specific low bits) — without needing FMA hardware, and it vectorizes. */
static inline float fma32(float a, float b, float c)
{
    return (float)((double)a * (double)b + (double)c);
}

#ifdef CPU_X86_DISPATCH
/* fma32 on 8 lanes: the same double product, double sum and one rounding to
 * float, 4 lanes at a time. */
__attribute__((target("avx2"))) static inline __m256 fma32_avx2(__m256 a, __m256 b, __m256 c)
{
    __m256d lo = _mm256_add_pd(_mm256_mul_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(a)),
                                             _mm256_cvtps_pd(_mm256_castps256_ps128(b))),
                               _mm256_cvtps_pd(_mm256_castps256_ps128(c)));
    __m256d hi = _mm256_add_pd(_mm256_mul_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(a, 1)),
                                             _mm256_cvtps_pd(_mm256_extractf128_ps(b, 1))),
                               _mm256_cvtps_pd(_mm256_extractf128_ps(c, 1)));
    return _mm256_insertf128_ps(_mm256_castps128_ps256(_mm256_cvtpd_ps(lo)), _mm256_cvtpd_ps(hi), 1);
}
#endif

static const char *const optim_names[] = {"sgd", "adagrad", "rmsprop", "adam", "adamw"};

void optim_config_default(OptimConfig *c, OptimType t)
{
    memset(c, 0, sizeof *c);
    c->type = t;
    switch (t) {
    case OPTIM_SGD:
        break;
    case OPTIM_ADAGRAD:
        c->eps = 1e-10f;
        break;
    case OPTIM_RMSPROP:
        c->alpha = 0.99f;
        c->eps = 1e-8f;
        break;
    case OPTIM_ADAM:
    case OPTIM_ADAMW:
        c->beta1 = 0.9f;
        c->beta2 = 0.999f;
        c->eps = 1e-8f;
        c->weight_decay = t == OPTIM_ADAMW ? 1e-2f : 0.0f;
        break;
    }
}

int optim_parse(const char *s, OptimType *out)
{
    for (int i = 0; i < (int)(sizeof optim_names / sizeof optim_names[0]); i++) {
        if (s && strcmp(s, optim_names[i]) == 0) {
            *out = (OptimType)i;
            return 0;
        }
    }
    return -1;
}

const char *optim_name(OptimType t)
{
    if ((int)t < 0 || (int)t >= (int)(sizeof optim_names / sizeof optim_names[0]))
        return "unknown";
    return optim_names[t];
}

int optim_config_check(const OptimConfig *c, Err *err)
{
    const char *name = optim_name(c->type);
    if (strcmp(name, "unknown") == 0)
        return err_set(err, ERR_INPUT, "optimizer: unknown type %d; use sgd, adagrad, rmsprop, adam or adamw",
                       (int)c->type);
    if (!(c->weight_decay >= 0.0f))
        return err_set(err, ERR_INPUT, "%s: weight decay %g is negative; use a value >= 0", name,
                       (double)c->weight_decay);
    switch (c->type) {
    case OPTIM_SGD:
        if (!(c->momentum >= 0.0f))
            return err_set(err, ERR_INPUT, "sgd: momentum %g is negative; use a value >= 0",
                           (double)c->momentum);
        if (c->nesterov && c->momentum <= 0.0f)
            return err_set(err, ERR_INPUT, "sgd: nesterov needs momentum > 0; set a momentum such as 0.9");
        break;
    case OPTIM_RMSPROP:
        if (!(c->alpha >= 0.0f))
            return err_set(err, ERR_INPUT, "rmsprop: alpha %g is negative; use a value in [0, 1)",
                           (double)c->alpha);
        break;
    case OPTIM_ADAM:
    case OPTIM_ADAMW:
        if (!(c->beta1 >= 0.0f && c->beta1 < 1.0f))
            return err_set(err, ERR_INPUT, "%s: beta1 %g is outside [0, 1)", name, (double)c->beta1);
        if (!(c->beta2 >= 0.0f && c->beta2 < 1.0f))
            return err_set(err, ERR_INPUT, "%s: beta2 %g is outside [0, 1)", name, (double)c->beta2);
        break;
    case OPTIM_ADAGRAD:
        break;
    }
    if (c->type != OPTIM_SGD && !(c->eps >= 0.0f))
        return err_set(err, ERR_INPUT, "%s: eps %g is negative; use a small positive value such as 1e-8",
                       name, (double)c->eps);
    return ERR_OK;
}

void optim_init(Optim *o, const OptimConfig *c, size_t n)
{
    memset(o, 0, sizeof *o);
    o->cfg = *c;
    o->n = n;
    int need_m = c->type != OPTIM_SGD || c->momentum != 0.0f;
    int need_v = c->type == OPTIM_ADAM || c->type == OPTIM_ADAMW;
    /* xcalloc(0, ..) may return NULL; keep a real buffer so NULL means "unused". */
    if (need_m)
        o->m = xcalloc(n ? n : 1, sizeof *o->m);
    if (need_v)
        o->v = xcalloc(n ? n : 1, sizeof *o->v);
}

void optim_free(Optim *o)
{
    free(o->m);
    free(o->v);
    o->m = o->v = NULL;
    o->n = 0;
    o->t = 0;
}

void optim_reset(Optim *o)
{
    if (o->m)
        memset(o->m, 0, o->n * sizeof *o->m);
    if (o->v)
        memset(o->v, 0, o->n * sizeof *o->v);
    o->t = 0;
}

#ifdef CPU_X86_DISPATCH
/* optim_step_sgd's loop 8 elements at a time, the same float operations in
 * the same order, over the largest multiple of 8 of n; returns how many. */
__attribute__((target("avx2"))) static size_t sgd_avx2(const Optim *o, float *p, const float *g, float *buf,
                                                       float lr, size_t n)
{
    const float wd = o->cfg.weight_decay, mom = o->cfg.momentum;
    const __m256 vwd = _mm256_set1_ps(wd), vmom = _mm256_set1_ps(mom), neg_lr = _mm256_set1_ps(-lr);
    const int nesterov = o->cfg.nesterov, first = o->t == 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 d = _mm256_loadu_ps(g + i), pi = _mm256_loadu_ps(p + i);
        if (wd != 0.0f)
            d = fma32_avx2(vwd, pi, d);
        if (mom != 0.0f) {
            __m256 b = first ? d : _mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(buf + i), vmom), d);
            _mm256_storeu_ps(buf + i, b);
            d = nesterov ? fma32_avx2(vmom, b, d) : b;
        }
        _mm256_storeu_ps(p + i, fma32_avx2(neg_lr, d, pi));
    }
    return i;
}
#endif

static void optim_step_sgd(Optim *o, float *p, const float *g, float lr, size_t begin, size_t end)
{
    const float wd = o->cfg.weight_decay, mom = o->cfg.momentum, neg_lr = -lr;
    const int nesterov = o->cfg.nesterov;
    float *buf = o->m;
    size_t i = begin;
#ifdef CPU_X86_DISPATCH
    if (cpu_has_avx2() && end > begin)
        i += sgd_avx2(o, p + begin, g + begin, buf ? buf + begin : NULL, lr, end - begin);
#endif
    for (; i < end; i++) {
        float d = g[i];
        if (wd != 0.0f)
            d = fma32(wd, p[i], d);
        if (mom != 0.0f) {
            /* The first step stores d_p itself (torch.clone), later ones buf*m + d_p
             * as two kernels (mul_, add_), so two roundings: the product gets its
             * own statement so that no compiler fuses it into the addition. */
            float decayed = buf[i] * mom;
            buf[i] = o->t == 0 ? d : decayed + d;
            d = nesterov ? fma32(mom, buf[i], d) : buf[i];
        }
        p[i] = fma32(neg_lr, d, p[i]);
    }
}

static void optim_step_adagrad(Optim *o, float *p, const float *g, float lr, size_t begin, size_t end)
{
    const float wd = o->cfg.weight_decay, eps = o->cfg.eps;
    /* clr = lr / (1 + (step - 1) * lr_decay) with lr_decay 0 is lr. */
    const float neg_clr = -lr;
    float *sum = o->m;
    for (size_t i = begin; i < end; i++) {
        float d = g[i];
        if (wd != 0.0f)
            d = fma32(wd, p[i], d);
        sum[i] = fma32(d, d, sum[i]);
        float std = sqrtf(sum[i]) + eps;
        p[i] = p[i] + neg_clr * d / std;
    }
}

static void optim_step_rmsprop(Optim *o, float *p, const float *g, float lr, size_t begin, size_t end)
{
    const float wd = o->cfg.weight_decay, eps = o->cfg.eps, alpha = o->cfg.alpha;
    const float one_minus_alpha = (float)(1.0 - (double)alpha);
    const float neg_lr = -lr;
    float *sq = o->m;
    for (size_t i = begin; i < end; i++) {
        float d = g[i];
        if (wd != 0.0f)
            d = fma32(wd, p[i], d);
        sq[i] = sq[i] * alpha;
        sq[i] = fma32(one_minus_alpha * d, d, sq[i]);
        float avg = sqrtf(sq[i]) + eps;
        p[i] = p[i] + neg_lr * d / avg;
    }
}

/* Adam's per-element constants for one step. */
typedef struct {
    float beta1, beta2, one_minus_b1, one_minus_b2, eps, wd, neg_step_size, bc2_sqrt, shrink;
    int decoupled;
} AdamStep;

#ifdef CPU_X86_DISPATCH
/* optim_step_adam's loop 8 elements at a time, the same float operations in
 * the same order (so the same bits), over the largest multiple of 8 of n;
 * returns how many it did. */
__attribute__((target("avx2"))) static size_t adam_avx2(const AdamStep *k, float *p, const float *g, float *m,
                                                        float *v, size_t n)
{
    const __m256 beta1 = _mm256_set1_ps(k->beta1), beta2 = _mm256_set1_ps(k->beta2);
    const __m256 one_minus_b1 = _mm256_set1_ps(k->one_minus_b1), one_minus_b2 = _mm256_set1_ps(k->one_minus_b2);
    const __m256 eps = _mm256_set1_ps(k->eps), wd = _mm256_set1_ps(k->wd);
    const __m256 neg_step_size = _mm256_set1_ps(k->neg_step_size), bc2_sqrt = _mm256_set1_ps(k->bc2_sqrt);
    const __m256 shrink = _mm256_set1_ps(k->shrink);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 d = _mm256_loadu_ps(g + i), pi = _mm256_loadu_ps(p + i);
        if (k->decoupled)
            pi = _mm256_mul_ps(pi, shrink);
        else if (k->wd != 0.0f)
            d = fma32_avx2(wd, pi, d);
        __m256 mi = fma32_avx2(one_minus_b1, d, _mm256_mul_ps(_mm256_loadu_ps(m + i), beta1));
        __m256 vi = _mm256_mul_ps(_mm256_loadu_ps(v + i), beta2);
        vi = fma32_avx2(_mm256_mul_ps(one_minus_b2, d), d, vi);
        __m256 denom = _mm256_add_ps(_mm256_div_ps(_mm256_sqrt_ps(vi), bc2_sqrt), eps);
        _mm256_storeu_ps(m + i, mi);
        _mm256_storeu_ps(v + i, vi);
        _mm256_storeu_ps(p + i, _mm256_add_ps(pi, _mm256_div_ps(_mm256_mul_ps(neg_step_size, mi), denom)));
    }
    return i;
}
#endif

/* Adam and AdamW share everything but where weight decay enters: Adam adds
 * wd*p to the gradient, AdamW first shrinks p by (1 - lr*wd). */
static void optim_step_adam(Optim *o, float *p, const float *g, float lr, int decoupled, size_t begin,
                            size_t end)
{
    /* PyTorch counts the step before using it in the bias corrections */
    const double b1 = o->cfg.beta1, b2 = o->cfg.beta2, step = (double)(o->t + 1);
    const double bias_correction1 = 1.0 - pow(b1, step);
    const double bias_correction2 = 1.0 - pow(b2, step);
    const AdamStep k = {
        .beta1 = o->cfg.beta1, .beta2 = o->cfg.beta2,
        .one_minus_b1 = (float)(1.0 - b1), .one_minus_b2 = (float)(1.0 - b2),
        .eps = o->cfg.eps, .wd = o->cfg.weight_decay,
        .neg_step_size = (float)-((double)lr / bias_correction1),
        .bc2_sqrt = (float)sqrt(bias_correction2),
        .shrink = (float)(1.0 - (double)lr * (double)o->cfg.weight_decay),
        .decoupled = decoupled,
    };
    float *m = o->m, *v = o->v;
    size_t i = begin;
#ifdef CPU_X86_DISPATCH
    if (cpu_has_avx2() && end > begin)
        i += adam_avx2(&k, p + begin, g + begin, m + begin, v + begin, end - begin);
#endif
    for (; i < end; i++) {
        float d = g[i];
        if (k.decoupled)
            p[i] = p[i] * k.shrink;
        else if (k.wd != 0.0f)
            d = fma32(k.wd, p[i], d);
        m[i] = fma32(k.one_minus_b1, d, m[i] * k.beta1);
        v[i] = v[i] * k.beta2;
        v[i] = fma32(k.one_minus_b2 * d, d, v[i]);
        float denom = sqrtf(v[i]) / k.bc2_sqrt + k.eps;
        p[i] = p[i] + k.neg_step_size * m[i] / denom;
    }
}

void optim_step_range(Optim *o, float *params, const float *grads, float lr, size_t begin, size_t end)
{
    if (end > o->n)
        end = o->n;
    switch (o->cfg.type) {
    case OPTIM_SGD: optim_step_sgd(o, params, grads, lr, begin, end); break;
    case OPTIM_ADAGRAD: optim_step_adagrad(o, params, grads, lr, begin, end); break;
    case OPTIM_RMSPROP: optim_step_rmsprop(o, params, grads, lr, begin, end); break;
    case OPTIM_ADAM:
    case OPTIM_ADAMW: optim_step_adam(o, params, grads, lr, o->cfg.type == OPTIM_ADAMW, begin, end); break;
    }
}

void optim_step_end(Optim *o)
{
    o->t++;
}

void optim_step(Optim *o, float *params, const float *grads, float lr)
{
    optim_step_range(o, params, grads, lr, 0, o->n);
    optim_step_end(o);
}

double grad_norm(const float *g, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += (double)g[i] * (double)g[i];
    return sqrt(s);
}

float clip_coef(float norm, float max_norm)
{
    return (1.0f / (norm + 1e-6f)) * max_norm;
}

float clip_global_norm(float *g, size_t n, float max_norm, int *clipped)
{
    /* clip_grad_norm_ works on a float32 norm: coef = (1 / (norm + 1e-6)) * max_norm
     * (Python's `max_norm / tensor` is tensor.reciprocal() * max_norm), clamped
     * to 1. Scaling by exactly 1 changes nothing, so it is skipped. */
    float norm = (float)grad_norm(g, n);
    float coef = clip_coef(norm, max_norm);
    int scaled = coef < 1.0f;
    if (scaled)
        for (size_t i = 0; i < n; i++)
            g[i] *= coef;
    if (clipped)
        *clipped = scaled;
    return norm;
}

size_t clip_elementwise(float *g, size_t n, float limit)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        if (g[i] > limit) {
            g[i] = limit;
            count++;
        } else if (g[i] < -limit) {
            g[i] = -limit;
            count++;
        }
    }
    return count;
}
