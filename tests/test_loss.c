/* test_loss.c — the fused softmax cross-entropy (loss.h): its loss and
 * gradient against a double-precision reference, its AVX-512, AVX2 and
 * portable paths giving identical bits at every row length and the
 * documented order of the sum, the row split giving the whole
 * computation's result, and a NaN logit reaching the loss.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cell_math.h"
#include "check.h"
#include "cpu.h"
#include "loss.h"
#include "rng.h"

enum { ROWS = 6 };

/* exact-ish reference in double: mean loss, and the gradient of the mean */
static double reference(int N, int V, const float *l, const int *y, double *d)
{
    double total = 0.0;
    for (int r = 0; r < N; r++) {
        const float *row = l + (size_t)r * V;
        double mx = row[0], s = 0.0;
        for (int v = 1; v < V; v++)
            mx = row[v] > mx ? row[v] : mx;
        for (int v = 0; v < V; v++)
            s += exp((double)row[v] - mx);
        for (int v = 0; v < V; v++)
            d[(size_t)r * V + v] = exp((double)row[v] - mx) / s / N - (v == y[r] ? 1.0 / N : 0.0);
        total += log(s) + mx - row[y[r]];
    }
    return total / N;
}

static void fill_case(Rng *rng, int V, float spread, float *l, int *y)
{
    for (int i = 0; i < ROWS * V; i++)
        l[i] = (rng_uniform(rng) - 0.5f) * spread;
    for (int r = 0; r < ROWS; r++)
        y[r] = (int)(rng_uniform(rng) * V) % V;
}

static void test_against_reference(void)
{
    static const int sizes[] = { 1, 2, 7, 8, 9, 15, 16, 17, 65, 77, 1000, 10000 };
    static const float spreads[] = { 1.0f, 20.0f, 150.0f };
    Rng rng;
    rng_seed(&rng, 11);
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        const int V = sizes[si];
        float *l = malloc(sizeof(float) * ROWS * V), *d = malloc(sizeof(float) * ROWS * V);
        float *d_port = malloc(sizeof(float) * ROWS * V), *d_rows = malloc(sizeof(float) * ROWS * V);
        double *want_d = malloc(sizeof(double) * ROWS * V), row_loss[ROWS];
        int y[ROWS];
        for (size_t pi = 0; pi < sizeof spreads / sizeof spreads[0]; pi++) {
            fill_case(&rng, V, spreads[pi], l, y);
            double want = reference(ROWS, V, l, y, want_d);
            double got = loss_softmax_xent(ROWS, V, l, y, d);
            double worst = 0.0;
            for (int i = 0; i < ROWS * V; i++)
                worst = fmax(worst, fabs(d[i] - want_d[i]));
            CHECK(fabs(got - want) <= 1e-6 * fmax(1.0, want), "V=%d spread %g: loss %.9f vs double %.9f", V,
                  (double)spreads[pi], got, want);
            CHECK(worst <= 2e-7 / ROWS, "V=%d spread %g: gradient within 2e-7/N of double (worst %.3g)", V,
                  (double)spreads[pi], worst);
            double got_only = loss_softmax_xent(ROWS, V, l, y, NULL);
            CHECK(got_only == got, "V=%d: the loss without a gradient is the same double", V);
            for (CpuPath path = CPU_PATH_AVX2; path < CPU_PATHS; path++) {
                cpu_force_path(path);
                double got_port = loss_softmax_xent(ROWS, V, l, y, d_port);
                cpu_force_path(CPU_PATH_BEST);
                CHECK(got_port == got && memcmp(d_port, d, sizeof(float) * ROWS * V) == 0,
                      "V=%d spread %g: the %s path gives the widest path's bits", V, (double)spreads[pi],
                      cpu_path_name(path));
            }
            /* rows in two parts, summed in order, give the whole result */
            loss_softmax_xent_rows(0, 2, ROWS, V, l, y, d_rows, row_loss);
            loss_softmax_xent_rows(2, ROWS, ROWS, V, l, y, d_rows, row_loss);
            double total = 0.0;
            for (int r = 0; r < ROWS; r++)
                total += row_loss[r];
            CHECK(total / ROWS == got && memcmp(d_rows, d, sizeof(float) * ROWS * V) == 0,
                  "V=%d: rows split 2+4 give the same loss and gradient", V);
        }
        free(l);
        free(d);
        free(d_port);
        free(d_rows);
        free(want_d);
    }
}

/* The documented shape of a row's sum, bit for bit, on every path: element v
 * of the largest multiple of 8 into lane v mod 8 in order, the lanes as a
 * tree, then the tail. Lane 0's exponentials spread from 1 down to e^-40, so
 * a different order of its additions rounds differently, and the other lanes
 * hold only e^-87 each, too little to hide that in the tree (so a path that
 * added a lane's terms out of order would fail). */
static void test_sum_shape(void)
{
    static const int sizes[] = { 8, 24, 40, 1000, 10000, 10007 };
    Rng rng;
    rng_seed(&rng, 31);
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        const int V = sizes[si];
        float *l = malloc(sizeof(float) * V);
        for (int v = 0; v < V; v++)
            l[v] = v % 8 ? -100.0f : v % 37 == 0 ? 0.0f : -40.0f * rng_uniform(&rng);
        double lanes[8] = {0}, sum;
        int v = 0;
        for (; v + 8 <= V; v += 8)
            for (int k = 0; k < 8; k++)
                lanes[k] += cell_exp(l[v + k] - 0.0f);
        sum = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
        for (; v < V; v++)
            sum += cell_exp(l[v] - 0.0f);
        /* the same lanes with the two 8-blocks of every 16 added the other way round */
        double swapped_lanes[8] = {0};
        for (int u = 0; u + 16 <= V; u += 16)
            for (int half = 1; half >= 0; half--)
                for (int k = 0; k < 8; k++)
                    swapped_lanes[k] += cell_exp(l[u + 8 * half + k]);
        const double swapped = ((swapped_lanes[0] + swapped_lanes[1]) + (swapped_lanes[2] + swapped_lanes[3])) +
                               ((swapped_lanes[4] + swapped_lanes[5]) + (swapped_lanes[6] + swapped_lanes[7]));
        for (CpuPath p = CPU_PATH_BEST; p < CPU_PATHS; p++) {
            cpu_force_path(p);
            double got = loss_sum_exp(l, V, 0.0f);
            cpu_force_path(CPU_PATH_BEST);
            CHECK(memcmp(&got, &sum, sizeof got) == 0, "V=%d, %s path: the row's sum is the documented 8-lane sum, "
                  "bit for bit (%.17g vs %.17g)", V, cpu_path_name(p), got, sum);
        }
        if (V == 10000)
            CHECK(swapped != sum, "V=%d: adding each 16's two halves the other way round gives another sum "
                  "(%.17g), so the check above sees the order", V, swapped);
        free(l);
    }
}

static void test_nan(void)
{
    float l[2 * 20], d[2 * 20];
    int y[2] = { 3, 4 };
    for (int i = 0; i < 40; i++)
        l[i] = (float)(i % 7) * 0.3f;
    l[13] = NAN; /* inside the first row's vector part */
    double loss = loss_softmax_xent(2, 20, l, y, d);
    CHECK(isnan(loss), "a NaN logit makes the loss NaN (got %g)", loss);
    l[13] = 0.0f;
    l[39] = NAN; /* in the second row's scalar tail */
    loss = loss_softmax_xent(2, 20, l, y, d);
    CHECK(isnan(loss), "a NaN logit in a row's tail makes the loss NaN (got %g)", loss);
}

int main(void)
{
    test_against_reference();
    test_sum_shape();
    test_nan();
    return check_summary();
}
