/* rgemm_avx512.c — the packed recurrent product with 16-wide registers (see
 * rgemm.h for what it computes, rgemm_kernel.h for the layout).
 *
 * A panel's 16 columns are one zmm register, so a block of 5 rows takes two
 * panels side by side: ten accumulators, enough independent sums to keep
 * both FMA units busy through their latency, and per k two loads of B and
 * five broadcasts of A for ten FMAs. The two panels' passes of KC rows are
 * 2 x 16 KB, which stay in L1 while the blocks of rows reuse them. Rows left
 * over from the blocks of five go eight panels at a time (a lone stream when
 * sampling or evaluating one text). Every element of C is the same chain of
 * fused multiply-adds over k as in the AVX2 kernels (rgemm.c), so the bits
 * do not depend on which kernel the CPU runs.
 */
#include "rgemm_kernel.h"

#include "rgemm.h"

#ifdef RGEMM_X86

#define AVX512 __attribute__((target("avx512f,avx2,fma")))

/* The first nw (1..16) lanes of v into c, or added to c when accumulate. */
AVX512 static inline void store16(float *c, __m512 v, int nw, int accumulate)
{
    const __mmask16 m = (__mmask16)(nw >= RGEMM_NR ? 0xffffu : (1u << nw) - 1u);
    if (accumulate)
        v = _mm512_add_ps(_mm512_maskz_loadu_ps(m, c), v);
    _mm512_mask_storeu_ps(c, m, v);
}

/* Five rows against panels b (full) and b + pstride (nw1 columns of it). */
AVX512 static void block5x2(int K, const float *a, int lda, const float *b, size_t pstride, int nw1,
                            int accumulate, float *c, int ldc)
{
    __m512 c00 = _mm512_setzero_ps(), c01 = _mm512_setzero_ps();
    __m512 c10 = _mm512_setzero_ps(), c11 = _mm512_setzero_ps();
    __m512 c20 = _mm512_setzero_ps(), c21 = _mm512_setzero_ps();
    __m512 c30 = _mm512_setzero_ps(), c31 = _mm512_setzero_ps();
    __m512 c40 = _mm512_setzero_ps(), c41 = _mm512_setzero_ps();
    const float *a0 = a, *a1 = a + lda, *a2 = a + 2 * (size_t)lda, *a3 = a + 3 * (size_t)lda,
                *a4 = a + 4 * (size_t)lda;
    const float *b1 = b + pstride;
    rgemm_prefetch_c(c, (size_t)ldc, RGEMM_MR);
    rgemm_prefetch_c(c + RGEMM_NR, (size_t)ldc, RGEMM_MR);
    for (int k = 0; k < K; k++) {
        const __m512 x0 = _mm512_loadu_ps(b + (size_t)k * RGEMM_NR);
        const __m512 x1 = _mm512_loadu_ps(b1 + (size_t)k * RGEMM_NR);
        __m512 t = _mm512_set1_ps(a0[k]);
        c00 = _mm512_fmadd_ps(t, x0, c00);
        c01 = _mm512_fmadd_ps(t, x1, c01);
        t = _mm512_set1_ps(a1[k]);
        c10 = _mm512_fmadd_ps(t, x0, c10);
        c11 = _mm512_fmadd_ps(t, x1, c11);
        t = _mm512_set1_ps(a2[k]);
        c20 = _mm512_fmadd_ps(t, x0, c20);
        c21 = _mm512_fmadd_ps(t, x1, c21);
        t = _mm512_set1_ps(a3[k]);
        c30 = _mm512_fmadd_ps(t, x0, c30);
        c31 = _mm512_fmadd_ps(t, x1, c31);
        t = _mm512_set1_ps(a4[k]);
        c40 = _mm512_fmadd_ps(t, x0, c40);
        c41 = _mm512_fmadd_ps(t, x1, c41);
    }
    float *r = c;
    store16(r, c00, RGEMM_NR, accumulate);
    store16(r + RGEMM_NR, c01, nw1, accumulate);
    r += ldc;
    store16(r, c10, RGEMM_NR, accumulate);
    store16(r + RGEMM_NR, c11, nw1, accumulate);
    r += ldc;
    store16(r, c20, RGEMM_NR, accumulate);
    store16(r + RGEMM_NR, c21, nw1, accumulate);
    r += ldc;
    store16(r, c30, RGEMM_NR, accumulate);
    store16(r + RGEMM_NR, c31, nw1, accumulate);
    r += ldc;
    store16(r, c40, RGEMM_NR, accumulate);
    store16(r + RGEMM_NR, c41, nw1, accumulate);
}

/* Five rows against one panel (nw columns of it): the last of an odd count. */
AVX512 static void block5x1(int K, const float *a, int lda, const float *b, int nw, int accumulate,
                            float *c, int ldc)
{
    __m512 c0 = _mm512_setzero_ps(), c1 = _mm512_setzero_ps(), c2 = _mm512_setzero_ps();
    __m512 c3 = _mm512_setzero_ps(), c4 = _mm512_setzero_ps();
    const float *a0 = a, *a1 = a + lda, *a2 = a + 2 * (size_t)lda, *a3 = a + 3 * (size_t)lda,
                *a4 = a + 4 * (size_t)lda;
    rgemm_prefetch_c(c, (size_t)ldc, RGEMM_MR);
    for (int k = 0; k < K; k++) {
        const __m512 x = _mm512_loadu_ps(b + (size_t)k * RGEMM_NR);
        c0 = _mm512_fmadd_ps(_mm512_set1_ps(a0[k]), x, c0);
        c1 = _mm512_fmadd_ps(_mm512_set1_ps(a1[k]), x, c1);
        c2 = _mm512_fmadd_ps(_mm512_set1_ps(a2[k]), x, c2);
        c3 = _mm512_fmadd_ps(_mm512_set1_ps(a3[k]), x, c3);
        c4 = _mm512_fmadd_ps(_mm512_set1_ps(a4[k]), x, c4);
    }
    store16(c, c0, nw, accumulate);
    store16(c + ldc, c1, nw, accumulate);
    store16(c + 2 * (size_t)ldc, c2, nw, accumulate);
    store16(c + 3 * (size_t)ldc, c3, nw, accumulate);
    store16(c + 4 * (size_t)ldc, c4, nw, accumulate);
}

/* One row against eight full panels, side by side in C: eight independent
 * sums where one panel's single sum would wait on the FMA latency. */
AVX512 static void row8(int K, const float *a, const float *b, size_t pstride, int accumulate, float *c)
{
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps(), s2 = _mm512_setzero_ps();
    __m512 s3 = _mm512_setzero_ps(), s4 = _mm512_setzero_ps(), s5 = _mm512_setzero_ps();
    __m512 s6 = _mm512_setzero_ps(), s7 = _mm512_setzero_ps();
    rgemm_prefetch_c(c, RGEMM_NR, 8);
    for (int k = 0; k < K; k++) {
        const float *x = b + (size_t)k * RGEMM_NR;
        const __m512 t = _mm512_set1_ps(a[k]);
        s0 = _mm512_fmadd_ps(t, _mm512_loadu_ps(x), s0);
        s1 = _mm512_fmadd_ps(t, _mm512_loadu_ps(x + pstride), s1);
        s2 = _mm512_fmadd_ps(t, _mm512_loadu_ps(x + 2 * pstride), s2);
        s3 = _mm512_fmadd_ps(t, _mm512_loadu_ps(x + 3 * pstride), s3);
        s4 = _mm512_fmadd_ps(t, _mm512_loadu_ps(x + 4 * pstride), s4);
        s5 = _mm512_fmadd_ps(t, _mm512_loadu_ps(x + 5 * pstride), s5);
        s6 = _mm512_fmadd_ps(t, _mm512_loadu_ps(x + 6 * pstride), s6);
        s7 = _mm512_fmadd_ps(t, _mm512_loadu_ps(x + 7 * pstride), s7);
    }
    store16(c, s0, RGEMM_NR, accumulate);
    store16(c + RGEMM_NR, s1, RGEMM_NR, accumulate);
    store16(c + 2 * RGEMM_NR, s2, RGEMM_NR, accumulate);
    store16(c + 3 * RGEMM_NR, s3, RGEMM_NR, accumulate);
    store16(c + 4 * RGEMM_NR, s4, RGEMM_NR, accumulate);
    store16(c + 5 * RGEMM_NR, s5, RGEMM_NR, accumulate);
    store16(c + 6 * RGEMM_NR, s6, RGEMM_NR, accumulate);
    store16(c + 7 * RGEMM_NR, s7, RGEMM_NR, accumulate);
}

/* One row against one panel (nw columns of it). */
AVX512 static void row1(int K, const float *a, const float *b, int nw, int accumulate, float *c)
{
    __m512 s = _mm512_setzero_ps();
    for (int k = 0; k < K; k++)
        s = _mm512_fmadd_ps(_mm512_set1_ps(a[k]), _mm512_loadu_ps(b + (size_t)k * RGEMM_NR), s);
    store16(c, s, nw, accumulate);
}

AVX512 void rgemm_avx512(int M, int N, int K, const float *A, int lda, const float *packed,
                         int accumulate, float *C, int ldc)
{
    const int np = rgemm_panels(N), m5 = M - M % RGEMM_MR;
    const size_t pstride = (size_t)RGEMM_NR * K;
    for (int p = 0; p < np; p += 2) {
        const float *panel = packed + (size_t)p * pstride;
        const int n0 = p * RGEMM_NR, pair = p + 1 < np;
        /* the width of the last panel this block writes */
        const int nw = rgemm_min(N - (n0 + pair * RGEMM_NR), RGEMM_NR);
        /* the C columns of the next pair, every row (see rgemm.c) */
        for (int q = p + RGEMM_C_AHEAD; q < np && q < p + RGEMM_C_AHEAD + 2; q++)
            rgemm_prefetch_c(C + (size_t)q * RGEMM_NR, (size_t)ldc, M);
        for (int k0 = 0; k0 < K; k0 += RGEMM_KC) {
            const int kw = rgemm_min(K - k0, RGEMM_KC);
            const int acc = accumulate || k0 > 0;
            const float *b = panel + (size_t)k0 * RGEMM_NR, *a = A + k0;
            for (int m = 0; m < m5; m += RGEMM_MR) {
                float *c = C + (size_t)m * ldc + n0;
                if (pair)
                    block5x2(kw, a + (size_t)m * lda, lda, b, pstride, nw, acc, c, ldc);
                else
                    block5x1(kw, a + (size_t)m * lda, lda, b, nw, acc, c, ldc);
            }
        }
    }
    for (int m = m5; m < M; m++) {
        const float *arow = A + (size_t)m * lda;
        float *crow = C + (size_t)m * ldc;
        int p = 0;
        for (; (p + 8) * RGEMM_NR <= N; p += 8)
            for (int k0 = 0; k0 < K; k0 += RGEMM_KC)
                row8(rgemm_min(K - k0, RGEMM_KC), arow + k0, packed + p * pstride + (size_t)k0 * RGEMM_NR,
                     pstride, accumulate || k0 > 0, crow + p * RGEMM_NR);
        for (; p < np; p++) {
            const int nw = rgemm_min(N - p * RGEMM_NR, RGEMM_NR);
            for (int k0 = 0; k0 < K; k0 += RGEMM_KC)
                row1(rgemm_min(K - k0, RGEMM_KC), arow + k0, packed + p * pstride + (size_t)k0 * RGEMM_NR,
                     nw, accumulate || k0 > 0, crow + p * RGEMM_NR);
        }
    }
}

#endif
