/* test_vecops.c — the run-time dispatched element-wise kernels (vecops.h,
 * optim.c's Adam and SGD, cell_lstm.c's backward row): their AVX-512 and AVX2
 * paths and their portable path (SSE2 and scalar, forced with cpu_force_path)
 * give the plain scalar loop's bits at every length and offset, so a build
 * without -march trains exactly like one with it. On a CPU without the wider
 * paths the runs take the narrower ones and the checks still hold.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cell_lstm.h"
#include "check.h"
#include "cpu.h"
#include "optim.h"
#include "rng.h"
#include "vecops.h"

enum { N = 77 }; /* 9 AVX2 blocks, one SSE2 block and a scalar tail */

static void fill(Rng *r, float *x, size_t n, float scale)
{
    for (size_t i = 0; i < n; i++)
        x[i] = (rng_uniform(r) - 0.5f) * scale;
}

static int same_bits(const float *a, const float *b, size_t n)
{
    return memcmp(a, b, n * sizeof *a) == 0;
}

/* vec_add, vec_mul and vec_scale at every length up to N, both paths, against scalar loops. */
static void test_vec(void)
{
    Rng r;
    rng_seed(&r, 5);
    float x[N], y0[N], y[N], want[N];
    fill(&r, x, N, 8.0f);
    fill(&r, y0, N, 8.0f);
    x[3] = NAN;
    x[11] = INFINITY;
    const char *names[3] = {"vec_add", "vec_mul", "vec_scale"};
    for (int op = 0; op < 3; op++) {
        int ok = 1;
        for (int portable = 0; portable < 2; portable++) {
            cpu_force_path(portable ? CPU_PATH_PORTABLE : CPU_PATH_BEST);
            for (size_t n = 0; n <= N; n++) {
                memcpy(y, y0, sizeof y);
                memcpy(want, y0, sizeof want);
                for (size_t i = 0; i < n; i++)
                    want[i] = op == 0 ? want[i] + x[i] : op == 1 ? want[i] * x[i] : want[i] * 0.37f;
                if (op == 0)
                    vec_add(y, x, n);
                else if (op == 1)
                    vec_mul(y, x, n);
                else
                    vec_scale(y, 0.37f, n);
                ok &= same_bits(y, want, N);
            }
        }
        cpu_force_path(CPU_PATH_BEST);
        CHECK(ok, "%s: the AVX2 and the portable path give the scalar loop's bits at every length 0..%d, "
              "and touch nothing beyond n", names[op], N);
    }
}

/* Adam, AdamW and SGD (with and without weight decay, momentum, Nesterov)
 * on ranges that start and end off the 8-float grid: the AVX2 path and the
 * scalar one agree bit for bit in the parameters and the optimizer's state,
 * over several steps (the first of which SGD's momentum treats apart). */
static void test_optim_paths(void)
{
    static const struct {
        OptimType type;
        float decay, momentum;
        int nesterov;
    } cases[] = {
        {OPTIM_ADAM, 0.0f, 0.0f, 0}, {OPTIM_ADAM, 0.01f, 0.0f, 0}, {OPTIM_ADAMW, 0.01f, 0.0f, 0},
        {OPTIM_SGD, 0.0f, 0.0f, 0},  {OPTIM_SGD, 0.01f, 0.0f, 0},  {OPTIM_SGD, 0.0f, 0.9f, 0},
        {OPTIM_SGD, 0.01f, 0.9f, 1},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        float p[2][N], g[N], start[N];
        Optim o[2];
        Rng r;
        rng_seed(&r, 9);
        fill(&r, p[0], N, 2.0f);
        memcpy(p[1], p[0], sizeof p[0]);
        memcpy(start, p[0], sizeof start);
        for (int k = 0; k < 2; k++) {
            OptimConfig cfg;
            optim_config_default(&cfg, cases[c].type);
            cfg.weight_decay = cases[c].decay;
            cfg.momentum = cases[c].momentum;
            cfg.nesterov = cases[c].nesterov;
            optim_init(&o[k], &cfg, N);
        }
        for (int step = 0; step < 4; step++) {
            fill(&r, g, N, step == 2 ? 1e-3f : 3.0f);
            for (int k = 0; k < 2; k++) {
                cpu_force_path(k ? CPU_PATH_PORTABLE : CPU_PATH_BEST);
                optim_step_range(&o[k], p[k], g, 1e-2f, 0, 3);
                optim_step_range(&o[k], p[k], g, 1e-2f, 3, 70);
                optim_step_range(&o[k], p[k], g, 1e-2f, 70, N);
                optim_step_end(&o[k]);
            }
        }
        cpu_force_path(CPU_PATH_BEST);
        int same = same_bits(p[0], p[1], N), moved = !same_bits(p[0], start, N);
        if (o[0].m)
            same &= same_bits(o[0].m, o[1].m, N);
        if (o[0].v)
            same &= same_bits(o[0].v, o[1].v, N);
        CHECK(same && moved,
              "%s weight decay %g momentum %g%s: the AVX2 and the scalar update give the same parameters "
              "and state, bit for bit, after 4 steps", optim_name(cases[c].type), (double)cases[c].decay,
              (double)cases[c].momentum, cases[c].nesterov ? " nesterov" : "");
        optim_free(&o[0]);
        optim_free(&o[1]);
    }
}

/* The LSTM backward over a chunk at hidden sizes with AVX-512 and AVX2
 * blocks, an SSE2 block and scalar tails: gate gradients, carried dh/dc and
 * the dh norms agree bit for bit between the three paths. */
static void test_lstm_backward(void)
{
    const int hs[4] = {8, 13, 36, 60};
    for (int k = 0; k < 4; k++) {
        const int T = 3, B = 2, H = hs[k], G = 4 * H;
        const size_t nr = (size_t)T * B;
        Rng r;
        rng_seed(&r, 11);
        float *w = malloc(sizeof(float) * G * H), *cs = malloc(sizeof(float) * (nr + B) * H);
        float *gates = malloc(sizeof(float) * nr * G), *tc = malloc(sizeof(float) * nr * H);
        float *dho = malloc(sizeof(float) * nr * H);
        float *dpre[CPU_PATHS], *dh[CPU_PATHS], *dc[CPU_PATHS];
        double norms[CPU_PATHS][6];
        fill(&r, w, (size_t)G * H, 0.5f);
        fill(&r, cs, (nr + B) * H, 2.0f);
        for (size_t i = 0; i < nr * G; i++)
            gates[i] = rng_uniform(&r);
        fill(&r, tc, nr * H, 1.8f);
        /* magnitudes 2^-20..2^19, so that the double sums of squares round and
         * a different order of the lanes' additions would show */
        fill(&r, dho, nr * H, 0.2f);
        for (size_t i = 0; i < nr * H; i++)
            dho[i] = ldexpf(dho[i], (int)(i * 7 % 40) - 20);
        for (int p = 0; p < CPU_PATHS; p++) {
            dpre[p] = malloc(sizeof(float) * nr * G);
            dh[p] = malloc(sizeof(float) * B * H);
            dc[p] = malloc(sizeof(float) * B * H);
            cpu_force_path((CpuPath)p);
            lstm_backward_range(T, B, 0, B, H, w, NULL, cs, gates, tc, dho, dpre[p], dh[p], dc[p], norms[p]);
        }
        cpu_force_path(CPU_PATH_BEST);
        for (int p = 1; p < CPU_PATHS; p++)
            CHECK(same_bits(dpre[0], dpre[p], nr * G) && same_bits(dh[0], dh[p], (size_t)B * H) &&
                  same_bits(dc[0], dc[p], (size_t)B * H) && memcmp(norms[0], norms[p], sizeof norms[0]) == 0,
                  "lstm backward H=%d: the %s rows give the widest rows' gate gradients, dh, dc and norms, "
                  "bit for bit", H, cpu_path_name((CpuPath)p));
        for (int p = 0; p < CPU_PATHS; p++) {
            free(dpre[p]);
            free(dh[p]);
            free(dc[p]);
        }
        free(w);
        free(cs);
        free(gates);
        free(tc);
        free(dho);
    }
}

/* vec_update_stats at every length: both paths give the same bits, the
 * sums agree with a plain double loop, and a NaN or inf anywhere is found. */
/* vec_sum_squares: both paths give the same bits at every length, close to
 * a plain double loop, and the lane shape is the documented one (element i
 * of the 8-blocks into lane i mod 8, a tree, then the tail in order). */
/* vec_max: the plain loop's maximum at every length and wherever the
 * maximum sits, on both paths; a NaN anywhere gives NaN; a zero maximum is
 * +0 whichever zeros are there; infinities are values like any other. */
static void test_max(void)
{
    Rng r;
    rng_seed(&r, 23);
    float x[N];
    fill(&r, x, N, 10.0f);
    int right = 1, nan_found = 1;
    for (size_t n = 1; n <= N; n++)
        for (size_t at = 0; at < n; at++) {
            float keep = x[at];
            x[at] = 100.0f + (float)at;
            for (CpuPath p = CPU_PATH_BEST; p < CPU_PATHS; p++) {
                cpu_force_path(p);
                right &= vec_max(x, n) == 100.0f + (float)at;
            }
            x[at] = NAN;
            for (CpuPath p = CPU_PATH_BEST; p < CPU_PATHS; p++) {
                cpu_force_path(p);
                nan_found &= isnan(vec_max(x, n));
            }
            cpu_force_path(CPU_PATH_BEST);
            x[at] = keep;
        }
    CHECK(right, "vec_max: finds the maximum at every position of every length up to %d, every path", N);
    CHECK(nan_found, "vec_max: a NaN at any position of any length gives NaN, every path");
    float z[N];
    for (size_t i = 0; i < N; i++)
        z[i] = i % 3 ? -0.0f : (float)-(double)i;
    z[0] = -0.0f;
    int plus_zero = 1;
    for (size_t n = 1; n <= N; n++)
        for (CpuPath p = CPU_PATH_BEST; p < CPU_PATHS; p++) {
            cpu_force_path(p);
            float m = vec_max(z, n);
            plus_zero &= m == 0.0f && !signbit(m);
        }
    cpu_force_path(CPU_PATH_BEST);
    CHECK(plus_zero, "vec_max: a maximum of -0 comes back as +0 on every path");
    float inf[N];
    for (size_t i = 0; i < N; i++)
        inf[i] = -INFINITY;
    CHECK(vec_max(inf, N) == -INFINITY, "vec_max: all -inf gives -inf");
    inf[N - 1] = INFINITY;
    CHECK(vec_max(inf, N) == INFINITY, "vec_max: +inf is the maximum");
}

static void test_sum_squares(void)
{
    Rng r;
    rng_seed(&r, 21);
    float x[N];
    fill(&r, x, N, 3.0f);
    int same = 1, close = 1, shaped = 1;
    for (size_t n = 0; n <= N; n++) {
        double fast = vec_sum_squares(x, n);
        cpu_force_path(CPU_PATH_PORTABLE);
        double portable = vec_sum_squares(x, n);
        cpu_force_path(CPU_PATH_BEST);
        double plain = 0, l[8] = {0};
        size_t i = 0;
        for (; i + 8 <= n; i += 8)
            for (int k = 0; k < 8; k++)
                l[k] += (double)x[i + k] * x[i + k];
        double want = ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
        for (; i < n; i++)
            want += (double)x[i] * x[i];
        for (i = 0; i < n; i++)
            plain += (double)x[i] * x[i];
        same &= memcmp(&fast, &portable, sizeof fast) == 0;
        shaped &= memcmp(&fast, &want, sizeof fast) == 0;
        close &= fabs(fast - plain) <= 1e-12 * (1 + plain);
    }
    CHECK(same, "vec_sum_squares: the portable path gives the AVX2 path's bits at every length up to %d", N);
    CHECK(shaped, "vec_sum_squares: the sum is the 8-lane tree plus the tail, bit for bit");
    CHECK(close, "vec_sum_squares: agrees with a plain double loop to 1e-12");
    x[40] = NAN;
    CHECK(isnan(vec_sum_squares(x, N)), "vec_sum_squares: a NaN gives NaN");
    x[40] = -INFINITY;
    CHECK(isinf(vec_sum_squares(x, N)), "vec_sum_squares: -inf gives inf");
}

static void test_update_stats(void)
{
    Rng r;
    rng_seed(&r, 9);
    float w[N], before[N];
    fill(&r, w, N, 2.0f);
    fill(&r, before, N, 2.0f);
    int same = 1, close = 1, clean = 1;
    for (size_t n = 0; n <= N; n++) {
        double d2, w2, pd2, pw2, want_d = 0, want_w = 0;
        int bad = vec_update_stats(w, before, n, &d2, &w2);
        cpu_force_path(CPU_PATH_PORTABLE);
        int pbad = vec_update_stats(w, before, n, &pd2, &pw2);
        cpu_force_path(CPU_PATH_BEST);
        for (size_t i = 0; i < n; i++) {
            double e = (double)w[i] - before[i];
            want_d += e * e;
            want_w += (double)before[i] * before[i];
        }
        same &= memcmp(&d2, &pd2, sizeof d2) == 0 && memcmp(&w2, &pw2, sizeof w2) == 0 && bad == pbad;
        close &= fabs(d2 - want_d) <= 1e-12 * (1 + want_d) && fabs(w2 - want_w) <= 1e-12 * (1 + want_w);
        clean &= bad == 0;
    }
    CHECK(same, "vec_update_stats: the portable path gives the AVX2 path's bits at every length up to %d", N);
    CHECK(close, "vec_update_stats: the sums agree with a plain double loop to 1e-12");
    CHECK(clean, "vec_update_stats: finite values are not reported");
    int found = 1;
    for (size_t at = 0; at < N; at++)
        for (int k = 0; k < 3; k++) {
            float keep = w[at];
            w[at] = k == 0 ? NAN : k == 1 ? INFINITY : -INFINITY;
            double d2, w2;
            found &= vec_update_stats(w, before, N, &d2, &w2) == 1;
            cpu_force_path(CPU_PATH_PORTABLE);
            found &= vec_update_stats(w, before, N, &d2, &w2) == 1;
            cpu_force_path(CPU_PATH_BEST);
            w[at] = keep;
        }
    CHECK(found, "vec_update_stats: a NaN, inf or -inf at any position is found on both paths");
}

/* vec_count_outside at every length and offset, both paths, against a plain
 * loop; the band's edges themselves, NaN and infinities included. */
static void test_count_outside(void)
{
    Rng r;
    rng_seed(&r, 13);
    float x[N + 3];
    fill(&r, x, N + 3, 2.4f);
    const float special[] = { 0.05f, 0.95f, -0.95f, NAN, INFINITY, -INFINITY, -0.0f };
    for (size_t i = 0; i < sizeof special / sizeof *special; i++)
        x[5 + 11 * i] = special[i];
    const float bands[2][2] = { { 0.05f, 0.95f }, { -0.95f, 0.95f } };
    int agree = 1, some = 0;
    for (int band = 0; band < 2; band++)
        for (size_t off = 0; off < 3; off++)
            for (size_t n = 0; n <= N; n++) {
                const float lo = bands[band][0], hi = bands[band][1];
                size_t want = 0;
                for (size_t i = 0; i < n; i++)
                    want += x[off + i] < lo || x[off + i] > hi;
                size_t got = vec_count_outside(x + off, n, lo, hi);
                cpu_force_path(CPU_PATH_PORTABLE);
                size_t pgot = vec_count_outside(x + off, n, lo, hi);
                cpu_force_path(CPU_PATH_BEST);
                agree &= got == want && pgot == want;
                some |= want > 0 && want < n;
            }
    CHECK(agree, "vec_count_outside: both paths count what a plain loop counts, every length up to %d, 3 offsets",
          N);
    CHECK(some, "vec_count_outside: the data has values on both sides of the bands (the check can fail)");
}

int main(void)
{
    CHECK(!cpu_has_avx2_fma() || cpu_has_avx2(), "this CPU: AVX2 %s, FMA %s (the AVX2 paths are %s)",
          cpu_has_avx2() ? "yes" : "no", cpu_has_avx2_fma() ? "yes" : "no",
          cpu_has_avx2() ? "compared with the portable ones" : "not available: portable paths only");
    cpu_force_path(CPU_PATH_PORTABLE);
    CHECK(cpu_has_avx2() == 0, "cpu_force_path(CPU_PATH_PORTABLE) turns the AVX2 paths off");
    cpu_force_path(CPU_PATH_BEST);
    test_vec();
    test_optim_paths();
    test_lstm_backward();
    test_max();
    test_sum_squares();
    test_update_stats();
    test_count_outside();
    return check_summary();
}
