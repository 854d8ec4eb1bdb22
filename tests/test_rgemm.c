/* test_rgemm.c — the packed recurrent product against cblas_sgemm.
 *
 * Shapes cover the kernel's edges: rows not a multiple of 5 (the one-row
 * path), columns not a multiple of 16 (the zero-padded last panel), both
 * packing orientations (w^T for the forward, w for the backward), beta 0 and
 * 1, depths of several KC passes, and packing split into panel ranges as the
 * threads do it. Also: the result of a row does not depend on how many rows
 * are computed with it, and where the CPU has AVX-512 its kernels give the
 * AVX2 kernels' bits (an odd number of panels, a partial panel beside a full
 * one, leftover rows eight panels at a time and then one).
 */
#include <cblas.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cpu.h"
#include "rgemm.h"
#include "rng.h"

static void fill(Rng *r, float *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        a[i] = rng_uniform(r) * 2.0f - 1.0f;
}

static void check_shape(int M, int N, int K, int trans, int accumulate)
{
    Rng r;
    rng_seed(&r, (uint64_t)(M * 1000003 + N * 1009 + K * 7 + trans * 2 + accumulate));
    /* trans: W is (N, K) and B = W^T; else W is (K, N) and B = W */
    float *A = malloc(sizeof(float) * M * K), *W = malloc(sizeof(float) * N * K);
    float *C0 = malloc(sizeof(float) * M * N), *ref = malloc(sizeof(float) * M * N);
    float *C = malloc(sizeof(float) * M * N);
    float *P = malloc(sizeof(float) * rgemm_pack_size(K, N));
    fill(&r, A, (size_t)M * K);
    fill(&r, W, (size_t)N * K);
    fill(&r, C0, (size_t)M * N);
    memcpy(ref, C0, sizeof(float) * M * N);
    memcpy(C, C0, sizeof(float) * M * N);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, trans ? CblasTrans : CblasNoTrans, M, N, K, 1.0f, A, K,
                W, trans ? K : N, accumulate ? 1.0f : 0.0f, ref, N);
    /* pack in two panel ranges, as two threads would */
    int np = rgemm_panels(N), half = np / 2;
    rgemm_pack(K, N, W, trans ? K : N, trans, P, 0, half);
    rgemm_pack(K, N, W, trans ? K : N, trans, P, half, np);
    rgemm(M, N, K, A, K, P, accumulate, C, N);
    /* Both are float sums of the same K + 1 terms in different orders; each is
     * within (K + 1) u sum|terms| of the exact value (u = FLT_EPSILON / 2), so
     * they differ by at most (K + 1) FLT_EPSILON sum|terms|, per element. */
    double worst_ratio = 0.0, worst = 0.0;
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double mag = accumulate ? fabs((double)C0[(size_t)i * N + j]) : 0.0;
            for (int k = 0; k < K; k++)
                mag += fabs((double)A[(size_t)i * K + k] *
                            (trans ? W[(size_t)j * K + k] : W[(size_t)k * N + j]));
            double d = fabs((double)C[(size_t)i * N + j] - ref[(size_t)i * N + j]);
            worst = fmax(worst, d);
            worst_ratio = fmax(worst_ratio, d / ((K + 1) * (double)FLT_EPSILON * mag));
        }
    CHECK(worst_ratio <= 1.0, "M=%d N=%d K=%d %s, %s: max |rgemm - sgemm| %.1e, %.2f of the rounding bound",
          M, N, K, trans ? "B = W^T" : "B = W", accumulate ? "C += AB" : "C = AB", worst, worst_ratio);
    /* row i computed alone gives the same bits as within all M rows */
    int same = 1;
    for (int i = 0; i < M; i += 3) {
        float *row = malloc(sizeof(float) * N);
        memcpy(row, C0 + (size_t)i * N, sizeof(float) * N);
        rgemm(1, N, K, A + (size_t)i * K, K, P, accumulate, row, N);
        same &= memcmp(row, C + (size_t)i * N, sizeof(float) * N) == 0;
        free(row);
    }
    CHECK(same, "M=%d N=%d K=%d: a row alone equals the same row among %d (bit for bit)", M, N, K, M);
    if (cpu_has_avx512()) {
        float *narrow = malloc(sizeof(float) * M * N);
        memcpy(narrow, C0, sizeof(float) * M * N);
        cpu_force_path(CPU_PATH_AVX2);
        rgemm(M, N, K, A, K, P, accumulate, narrow, N);
        cpu_force_path(CPU_PATH_BEST);
        CHECK(memcmp(narrow, C, sizeof(float) * M * N) == 0,
              "M=%d N=%d K=%d %s: the AVX-512 kernels give the AVX2 kernels' bits", M, N, K,
              accumulate ? "C += AB" : "C = AB");
        free(narrow);
    }
    free(A);
    free(W);
    free(C0);
    free(ref);
    free(C);
    free(P);
}

int main(void)
{
    if (!rgemm_available()) {
        printf("NOTE this CPU lacks AVX2/FMA: the cells use cblas_sgemm and rgemm is not run\n");
        CHECK(rgemm_panels(17) == 2 && rgemm_pack_size(3, 17) == 96, "panel arithmetic");
        return check_summary();
    }
    static const int shapes[][3] = {
        { 25, 512, 128 }, { 25, 128, 512 }, { 5, 16, 1 }, { 1, 7, 7 }, { 3, 28, 7 },
        { 11, 80, 20 }, { 13, 20, 80 }, { 50, 48, 33 }, { 7, 33, 16 },
        { 7, 40, 600 }, { 6, 17, 257 }, /* several passes over the depth, the last partial */
        { 9, 200, 200 }, { 4, 128, 512 }, { 26, 2048, 64 }, { 1, 150, 40 }, /* AVX-512's edges */
    };
    if (!cpu_has_avx512())
        printf("NOTE this CPU lacks AVX-512: only the AVX2 kernels are run\n");
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int trans = 0; trans < 2; trans++)
            for (int acc = 0; acc < 2; acc++)
                check_shape(shapes[s][0], shapes[s][1], shapes[s][2], trans, acc);
    return check_summary();
}
