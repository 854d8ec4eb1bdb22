/* rgemm.c — packed-weight product for the per-step recurrence (see rgemm.h):
 * the packed layout, packing, the AVX2 kernels and the choice between them
 * and the AVX-512 ones (rgemm_avx512.c).
 *
 * Packed layout: panel p holds columns 16p..16p+15 of B as K rows of 16
 * floats (zero beyond N), so the kernel reads B strictly sequentially. The
 * kernel keeps a 5 x 16 block of C in ten AVX registers and, per k, loads 16
 * floats of B and broadcasts 5 of A: 10 FMAs; deep products go in passes of
 * KC rows of the panel. Five rows because a 2-thread split of the usual 50
 * streams gives 25 = 5 x 5; leftover rows go four panels at a time. The code
 * is compiled for AVX2/FMA through target attributes so the rest of the
 * program keeps the baseline ISA, and picked at run time.
 */
#include "rgemm.h"

#include <string.h>

#include "rgemm_kernel.h"

size_t rgemm_pack_size(int K, int N)
{
    return (size_t)rgemm_panels(N) * RGEMM_NR * (size_t)K;
}

int rgemm_panels(int N)
{
    return (N + RGEMM_NR - 1) / RGEMM_NR;
}

void rgemm_pack(int K, int N, const float *W, int ldw, int trans, float *packed, int p0, int p1)
{
    for (int p = p0; p < p1; p++) {
        float *dst = packed + (size_t)p * RGEMM_NR * K;
        const int n0 = p * RGEMM_NR;
        const int nw = rgemm_min(N - n0, RGEMM_NR);
        if (trans) {
            /* B[k][n] = W[n][k]: walk each source row once (sequential reads) */
            if (nw < RGEMM_NR)
                memset(dst, 0, (size_t)RGEMM_NR * K * sizeof *dst);
            for (int c = 0; c < nw; c++) {
                const float *src = W + (size_t)(n0 + c) * ldw;
                for (int k = 0; k < K; k++)
                    dst[(size_t)k * RGEMM_NR + c] = src[k];
            }
        } else {
            for (int k = 0; k < K; k++) {
                float *d = dst + (size_t)k * RGEMM_NR;
                memcpy(d, W + (size_t)k * ldw + n0, (size_t)nw * sizeof *d);
                for (int c = nw; c < RGEMM_NR; c++)
                    d[c] = 0.0f;
            }
        }
    }
}

#ifdef RGEMM_X86

int rgemm_available(void)
{
    return cpu_has_avx2_fma();
}

__attribute__((target("avx2,fma")))
static inline void rgemm_store(float *c, __m256 lo, __m256 hi, int nw, int accumulate)
{
    if (nw == RGEMM_NR) {
        if (accumulate) {
            lo = _mm256_add_ps(_mm256_loadu_ps(c), lo);
            hi = _mm256_add_ps(_mm256_loadu_ps(c + 8), hi);
        }
        _mm256_storeu_ps(c, lo);
        _mm256_storeu_ps(c + 8, hi);
        return;
    }
    float tmp[RGEMM_NR];
    _mm256_storeu_ps(tmp, lo);
    _mm256_storeu_ps(tmp + 8, hi);
    for (int j = 0; j < nw; j++)
        c[j] = accumulate ? c[j] + tmp[j] : tmp[j];
}

__attribute__((target("avx2,fma")))
static void rgemm_block5(int K, const float *a, int lda, const float *b, int nw, int accumulate,
                         float *c, int ldc)
{
    __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
    __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
    __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
    __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
    __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
    const float *a0 = a, *a1 = a + lda, *a2 = a + 2 * (size_t)lda, *a3 = a + 3 * (size_t)lda,
                *a4 = a + 4 * (size_t)lda;
    rgemm_prefetch_c(c, (size_t)ldc, RGEMM_MR);
    for (int k = 0; k < K; k++) {
        __m256 b0 = _mm256_loadu_ps(b + (size_t)k * RGEMM_NR);
        __m256 b1 = _mm256_loadu_ps(b + (size_t)k * RGEMM_NR + 8);
        __m256 t = _mm256_broadcast_ss(a0 + k);
        c00 = _mm256_fmadd_ps(t, b0, c00);
        c01 = _mm256_fmadd_ps(t, b1, c01);
        t = _mm256_broadcast_ss(a1 + k);
        c10 = _mm256_fmadd_ps(t, b0, c10);
        c11 = _mm256_fmadd_ps(t, b1, c11);
        t = _mm256_broadcast_ss(a2 + k);
        c20 = _mm256_fmadd_ps(t, b0, c20);
        c21 = _mm256_fmadd_ps(t, b1, c21);
        t = _mm256_broadcast_ss(a3 + k);
        c30 = _mm256_fmadd_ps(t, b0, c30);
        c31 = _mm256_fmadd_ps(t, b1, c31);
        t = _mm256_broadcast_ss(a4 + k);
        c40 = _mm256_fmadd_ps(t, b0, c40);
        c41 = _mm256_fmadd_ps(t, b1, c41);
    }
    rgemm_store(c, c00, c01, nw, accumulate);
    rgemm_store(c + ldc, c10, c11, nw, accumulate);
    rgemm_store(c + 2 * (size_t)ldc, c20, c21, nw, accumulate);
    rgemm_store(c + 3 * (size_t)ldc, c30, c31, nw, accumulate);
    rgemm_store(c + 4 * (size_t)ldc, c40, c41, nw, accumulate);
}

__attribute__((target("avx2,fma")))
static void rgemm_block1(int K, const float *a, const float *b, int nw, int accumulate, float *c)
{
    __m256 c0 = _mm256_setzero_ps(), c1 = _mm256_setzero_ps();
    for (int k = 0; k < K; k++) {
        __m256 t = _mm256_broadcast_ss(a + k);
        c0 = _mm256_fmadd_ps(t, _mm256_loadu_ps(b + (size_t)k * RGEMM_NR), c0);
        c1 = _mm256_fmadd_ps(t, _mm256_loadu_ps(b + (size_t)k * RGEMM_NR + 8), c1);
    }
    rgemm_store(c, c0, c1, nw, accumulate);
}

/* One row against four full panels: eight independent sums, where a single
 * panel's two would wait on the FMA latency (a lone stream when sampling or
 * evaluating one text); each sum is block1's, in the same order. pstride:
 * floats from one panel to the next. */
__attribute__((target("avx2,fma")))
static void rgemm_row4(int K, const float *a, const float *b, size_t pstride, int accumulate, float *c)
{
    __m256 c0 = _mm256_setzero_ps(), c1 = _mm256_setzero_ps(), c2 = _mm256_setzero_ps();
    __m256 c3 = _mm256_setzero_ps(), c4 = _mm256_setzero_ps(), c5 = _mm256_setzero_ps();
    __m256 c6 = _mm256_setzero_ps(), c7 = _mm256_setzero_ps();
    const float *b0 = b, *b1 = b + pstride, *b2 = b + 2 * pstride, *b3 = b + 3 * pstride;
    rgemm_prefetch_c(c, RGEMM_NR, 4); /* the four panels' 16 floats, side by side in the row */
    for (int k = 0; k < K; k++) {
        const size_t o = (size_t)k * RGEMM_NR;
        __m256 t = _mm256_broadcast_ss(a + k);
        c0 = _mm256_fmadd_ps(t, _mm256_loadu_ps(b0 + o), c0);
        c1 = _mm256_fmadd_ps(t, _mm256_loadu_ps(b0 + o + 8), c1);
        c2 = _mm256_fmadd_ps(t, _mm256_loadu_ps(b1 + o), c2);
        c3 = _mm256_fmadd_ps(t, _mm256_loadu_ps(b1 + o + 8), c3);
        c4 = _mm256_fmadd_ps(t, _mm256_loadu_ps(b2 + o), c4);
        c5 = _mm256_fmadd_ps(t, _mm256_loadu_ps(b2 + o + 8), c5);
        c6 = _mm256_fmadd_ps(t, _mm256_loadu_ps(b3 + o), c6);
        c7 = _mm256_fmadd_ps(t, _mm256_loadu_ps(b3 + o + 8), c7);
    }
    rgemm_store(c, c0, c1, RGEMM_NR, accumulate);
    rgemm_store(c + RGEMM_NR, c2, c3, RGEMM_NR, accumulate);
    rgemm_store(c + 2 * RGEMM_NR, c4, c5, RGEMM_NR, accumulate);
    rgemm_store(c + 3 * RGEMM_NR, c6, c7, RGEMM_NR, accumulate);
}

__attribute__((target("avx2,fma")))
static void rgemm_avx2(int M, int N, int K, const float *A, int lda, const float *packed,
                       int accumulate, float *C, int ldc)
{
    const int np = rgemm_panels(N), m5 = M - M % RGEMM_MR;
    const size_t pstride = (size_t)RGEMM_NR * K;
    for (int p = 0; p < np; p++) {
        const float *panel = packed + (size_t)p * pstride;
        const int n0 = p * RGEMM_NR;
        const int nw = rgemm_min(N - n0, RGEMM_NR);
        /* the C columns two panels on, every row: a block's own prefetch
         * (rgemm_prefetch_c) comes too late for rows that are in memory */
        if (p + RGEMM_C_AHEAD < np)
            rgemm_prefetch_c(C + n0 + RGEMM_C_AHEAD * RGEMM_NR, (size_t)ldc, M);
        for (int k0 = 0; k0 < K; k0 += RGEMM_KC) {
            const int kw = rgemm_min(K - k0, RGEMM_KC);
            const int acc = accumulate || k0 > 0;
            const float *b = panel + (size_t)k0 * RGEMM_NR, *a = A + k0;
            for (int m = 0; m < m5; m += RGEMM_MR)
                rgemm_block5(kw, a + (size_t)m * lda, lda, b, nw, acc, C + (size_t)m * ldc + n0, ldc);
        }
    }
    /* the rows left over from the blocks of five, four panels at a time */
    for (int m = m5; m < M; m++) {
        const float *arow = A + (size_t)m * lda;
        float *crow = C + (size_t)m * ldc;
        int p = 0;
        for (; p + 4 <= np && (p + 4) * RGEMM_NR <= N; p += 4)
            for (int k0 = 0; k0 < K; k0 += RGEMM_KC) {
                const int kw = rgemm_min(K - k0, RGEMM_KC);
                rgemm_row4(kw, arow + k0, packed + p * pstride + (size_t)k0 * RGEMM_NR, pstride,
                           accumulate || k0 > 0, crow + p * RGEMM_NR);
            }
        for (; p < np; p++) {
            const int n0 = p * RGEMM_NR;
            const int nw = rgemm_min(N - n0, RGEMM_NR);
            for (int k0 = 0; k0 < K; k0 += RGEMM_KC) {
                const int kw = rgemm_min(K - k0, RGEMM_KC);
                rgemm_block1(kw, arow + k0, packed + p * pstride + (size_t)k0 * RGEMM_NR, nw,
                             accumulate || k0 > 0, crow + n0);
            }
        }
    }
}

void rgemm(int M, int N, int K, const float *A, int lda, const float *packed, int accumulate,
           float *C, int ldc)
{
    if (cpu_has_avx512())
        rgemm_avx512(M, N, K, A, lda, packed, accumulate, C, ldc);
    else
        rgemm_avx2(M, N, K, A, lda, packed, accumulate, C, ldc);
}

#else

int rgemm_available(void)
{
    return 0;
}

void rgemm(int M, int N, int K, const float *A, int lda, const float *packed, int accumulate,
           float *C, int ldc)
{
    /* never called: rgemm_available() is 0 */
    (void)M, (void)N, (void)K, (void)A, (void)lda, (void)packed, (void)accumulate, (void)C,
        (void)ldc;
}

#endif
