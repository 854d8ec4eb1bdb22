/* vecops.c — element-wise float loops with a run-time AVX2 path (see vecops.h). */
#include "vecops.h"

#include <math.h>

#include "cpu.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#ifdef CPU_X86_DISPATCH
#include <immintrin.h>

/* Each does the largest multiple of 8 of n and returns how many it did. */
__attribute__((target("avx2"))) static size_t add_avx2(float *y, const float *x, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(y + i), _mm256_loadu_ps(x + i)));
    return i;
}

__attribute__((target("avx2"))) static size_t mul_avx2(float *y, const float *x, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_loadu_ps(y + i), _mm256_loadu_ps(x + i)));
    return i;
}

__attribute__((target("avx2"))) static size_t scale_avx2(float *y, float a, size_t n)
{
    const __m256 va = _mm256_set1_ps(a);
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_loadu_ps(y + i), va));
    return i;
}
#endif

void vec_add(float *y, const float *x, size_t n)
{
    size_t i = 0;
#ifdef CPU_X86_DISPATCH
    if (cpu_has_avx2())
        i = add_avx2(y, x, n);
#endif
#ifdef __SSE2__
    for (; i + 4 <= n; i += 4)
        _mm_storeu_ps(y + i, _mm_add_ps(_mm_loadu_ps(y + i), _mm_loadu_ps(x + i)));
#endif
    for (; i < n; i++)
        y[i] += x[i];
}

void vec_mul(float *y, const float *x, size_t n)
{
    size_t i = 0;
#ifdef CPU_X86_DISPATCH
    if (cpu_has_avx2())
        i = mul_avx2(y, x, n);
#endif
#ifdef __SSE2__
    for (; i + 4 <= n; i += 4)
        _mm_storeu_ps(y + i, _mm_mul_ps(_mm_loadu_ps(y + i), _mm_loadu_ps(x + i)));
#endif
    for (; i < n; i++)
        y[i] *= x[i];
}

void vec_scale(float *y, float a, size_t n)
{
    size_t i = 0;
#ifdef CPU_X86_DISPATCH
    if (cpu_has_avx2())
        i = scale_avx2(y, a, n);
#endif
#ifdef __SSE2__
    const __m128 va = _mm_set1_ps(a);
    for (; i + 4 <= n; i += 4)
        _mm_storeu_ps(y + i, _mm_mul_ps(_mm_loadu_ps(y + i), va));
#endif
    for (; i < n; i++)
        y[i] *= a;
}

/* ---- the update's statistics and the sum of squares ------------------------
 * Eight double lanes per sum: element i of the largest multiple of 8 goes to
 * lane i mod 8 (AVX2: two registers of four; SSE2: four of two), the lanes
 * are added as a tree, then the tail in order, so every path gives the same
 * bits. A value is finite when x - x is 0 (it is NaN for inf and NaN). */

#ifdef CPU_X86_DISPATCH
__attribute__((target("avx2"))) static size_t stats_avx2(const float *w, const float *before, size_t n,
                                                         double d2[8], double w2[8], int *bad)
{
    __m256d dlo = _mm256_setzero_pd(), dhi = _mm256_setzero_pd();
    __m256d wlo = _mm256_setzero_pd(), whi = _mm256_setzero_pd();
    __m256 nonfinite = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 wv = _mm256_loadu_ps(w + i), bv = _mm256_loadu_ps(before + i);
        nonfinite = _mm256_or_ps(nonfinite, _mm256_cmp_ps(_mm256_sub_ps(wv, wv), _mm256_setzero_ps(), _CMP_NEQ_UQ));
        __m256d w0 = _mm256_cvtps_pd(_mm256_castps256_ps128(wv)), w1 = _mm256_cvtps_pd(_mm256_extractf128_ps(wv, 1));
        __m256d b0 = _mm256_cvtps_pd(_mm256_castps256_ps128(bv)), b1 = _mm256_cvtps_pd(_mm256_extractf128_ps(bv, 1));
        __m256d e0 = _mm256_sub_pd(w0, b0), e1 = _mm256_sub_pd(w1, b1);
        dlo = _mm256_add_pd(dlo, _mm256_mul_pd(e0, e0));
        dhi = _mm256_add_pd(dhi, _mm256_mul_pd(e1, e1));
        wlo = _mm256_add_pd(wlo, _mm256_mul_pd(b0, b0));
        whi = _mm256_add_pd(whi, _mm256_mul_pd(b1, b1));
    }
    _mm256_storeu_pd(d2, dlo);
    _mm256_storeu_pd(d2 + 4, dhi);
    _mm256_storeu_pd(w2, wlo);
    _mm256_storeu_pd(w2 + 4, whi);
    *bad = _mm256_movemask_ps(nonfinite) != 0;
    return i;
}
#endif

static double lane_tree(const double l[8])
{
    return ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
}

int vec_update_stats(const float *w, const float *before, size_t n, double *diff_ss, double *weight_ss)
{
    double d2[8] = {0}, w2[8] = {0};
    int bad = 0;
    size_t i = 0;
#ifdef CPU_X86_DISPATCH
    if (cpu_has_avx2())
        i = stats_avx2(w, before, n, d2, w2, &bad);
#endif
#ifdef __SSE2__
    if (i == 0) {
        __m128d d[4], s[4];
        for (int k = 0; k < 4; k++)
            d[k] = s[k] = _mm_setzero_pd();
        __m128 nonfinite = _mm_setzero_ps();
        for (; i + 8 <= n; i += 8)
            for (int h = 0; h < 2; h++) {
                __m128 wv = _mm_loadu_ps(w + i + 4 * h), bv = _mm_loadu_ps(before + i + 4 * h);
                nonfinite = _mm_or_ps(nonfinite, _mm_cmpunord_ps(_mm_sub_ps(wv, wv), _mm_sub_ps(wv, wv)));
                __m128d w0 = _mm_cvtps_pd(wv), w1 = _mm_cvtps_pd(_mm_movehl_ps(wv, wv));
                __m128d b0 = _mm_cvtps_pd(bv), b1 = _mm_cvtps_pd(_mm_movehl_ps(bv, bv));
                __m128d e0 = _mm_sub_pd(w0, b0), e1 = _mm_sub_pd(w1, b1);
                d[2 * h] = _mm_add_pd(d[2 * h], _mm_mul_pd(e0, e0));
                d[2 * h + 1] = _mm_add_pd(d[2 * h + 1], _mm_mul_pd(e1, e1));
                s[2 * h] = _mm_add_pd(s[2 * h], _mm_mul_pd(b0, b0));
                s[2 * h + 1] = _mm_add_pd(s[2 * h + 1], _mm_mul_pd(b1, b1));
            }
        for (int k = 0; k < 4; k++) {
            _mm_storeu_pd(d2 + 2 * k, d[k]);
            _mm_storeu_pd(w2 + 2 * k, s[k]);
        }
        bad |= _mm_movemask_ps(nonfinite) != 0;
    }
#else
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) {
            double e = (double)w[i + k] - before[i + k];
            bad |= !isfinite(w[i + k]);
            d2[k] += e * e;
            w2[k] += (double)before[i + k] * before[i + k];
        }
#endif
    double dsum = lane_tree(d2), wsum = lane_tree(w2);
    for (; i < n; i++) {
        double e = (double)w[i] - before[i];
        bad |= !isfinite(w[i]);
        dsum += e * e;
        wsum += (double)before[i] * before[i];
    }
    *diff_ss = dsum;
    *weight_ss = wsum;
    return bad;
}

#ifdef CPU_X86_DISPATCH
__attribute__((target("avx2"))) static size_t sum_squares_avx2(const float *x, size_t n, double l[8])
{
    __m256d lo = _mm256_setzero_pd(), hi = _mm256_setzero_pd();
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        __m256d v0 = _mm256_cvtps_pd(_mm256_castps256_ps128(v)), v1 = _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1));
        lo = _mm256_add_pd(lo, _mm256_mul_pd(v0, v0));
        hi = _mm256_add_pd(hi, _mm256_mul_pd(v1, v1));
    }
    _mm256_storeu_pd(l, lo);
    _mm256_storeu_pd(l + 4, hi);
    return i;
}
#endif

double vec_sum_squares(const float *x, size_t n)
{
    double l[8] = {0};
    size_t i = 0;
#ifdef CPU_X86_DISPATCH
    if (cpu_has_avx2())
        i = sum_squares_avx2(x, n, l);
#endif
#ifdef __SSE2__
    if (i == 0) {
        __m128d s[4];
        for (int k = 0; k < 4; k++)
            s[k] = _mm_setzero_pd();
        for (; i + 8 <= n; i += 8)
            for (int h = 0; h < 2; h++) {
                __m128 v = _mm_loadu_ps(x + i + 4 * h);
                __m128d v0 = _mm_cvtps_pd(v), v1 = _mm_cvtps_pd(_mm_movehl_ps(v, v));
                s[2 * h] = _mm_add_pd(s[2 * h], _mm_mul_pd(v0, v0));
                s[2 * h + 1] = _mm_add_pd(s[2 * h + 1], _mm_mul_pd(v1, v1));
            }
        for (int k = 0; k < 4; k++)
            _mm_storeu_pd(l + 2 * k, s[k]);
    }
#else
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++)
            l[k] += (double)x[i + k] * x[i + k];
#endif
    double sum = lane_tree(l);
    for (; i < n; i++)
        sum += (double)x[i] * x[i];
    return sum;
}

/* ---- the largest element --------------------------------------------------
 * Lanes keep running maxima (max is exact, so the order does not matter) and
 * a sticky "unordered" mask catches a NaN anywhere; -0 becomes +0 at the end,
 * since which zero a max returns differs between maxps and a comparison. */

#ifdef CPU_X86_DISPATCH
__attribute__((target("avx2"))) static size_t max_avx2(const float *x, size_t n, float *mx, int *nan)
{
    __m256 m = _mm256_loadu_ps(x), bad = _mm256_cmp_ps(m, m, _CMP_UNORD_Q);
    size_t i = 8;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        bad = _mm256_or_ps(bad, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
        m = _mm256_max_ps(m, v);
    }
    float l[8];
    _mm256_storeu_ps(l, m);
    float r = l[0];
    for (int k = 1; k < 8; k++)
        r = l[k] > r ? l[k] : r;
    *mx = r;
    *nan = _mm256_movemask_ps(bad) != 0;
    return i;
}
#endif

float vec_max(const float *x, size_t n)
{
    float mx = x[0];
    int nan = x[0] != x[0];
    size_t i = 1;
#ifdef CPU_X86_DISPATCH
    if (cpu_has_avx2() && n >= 8)
        i = max_avx2(x, n, &mx, &nan);
#endif
#ifdef __SSE2__
    if (i == 1 && n >= 4) {
        __m128 m = _mm_loadu_ps(x), bad = _mm_cmpunord_ps(m, m);
        for (i = 4; i + 4 <= n; i += 4) {
            __m128 v = _mm_loadu_ps(x + i);
            bad = _mm_or_ps(bad, _mm_cmpunord_ps(v, v));
            m = _mm_max_ps(m, v);
        }
        float l[4];
        _mm_storeu_ps(l, m);
        mx = l[0];
        for (int k = 1; k < 4; k++)
            mx = l[k] > mx ? l[k] : mx;
        nan = _mm_movemask_ps(bad) != 0;
    }
#endif
    for (; i < n; i++) {
        nan |= x[i] != x[i];
        mx = x[i] > mx ? x[i] : mx;
    }
    return nan ? NAN : mx + 0.0f;
}

#ifdef CPU_X86_DISPATCH
/* The largest multiple of 8 of n: each lane counts its hits (a compare mask
 * is -1 where true, subtracted from the count). */
__attribute__((target("avx2"))) static size_t count_outside_avx2(const float *x, size_t n, float lo, float hi,
                                                                 size_t *done)
{
    const __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
    size_t count = 0, i = 0;
    while (i + 8 <= n) {
        /* lanes of 32 bits: flush before 2^31 hits per lane */
        const size_t stop = n - i > ((size_t)1 << 30) ? i + ((size_t)1 << 30) : n;
        __m256i c = _mm256_setzero_si256();
        for (; i + 8 <= stop; i += 8) {
            const __m256 v = _mm256_loadu_ps(x + i);
            const __m256 out = _mm256_or_ps(_mm256_cmp_ps(v, vlo, _CMP_LT_OQ), _mm256_cmp_ps(v, vhi, _CMP_GT_OQ));
            c = _mm256_sub_epi32(c, _mm256_castps_si256(out));
        }
        int lanes[8];
        _mm256_storeu_si256((__m256i *)lanes, c);
        for (int k = 0; k < 8; k++)
            count += (size_t)(unsigned)lanes[k];
    }
    *done = i;
    return count;
}
#endif

size_t vec_count_outside(const float *x, size_t n, float lo, float hi)
{
    size_t count = 0, i = 0;
#ifdef CPU_X86_DISPATCH
    if (cpu_has_avx2())
        count = count_outside_avx2(x, n, lo, hi, &i);
#endif
#ifdef __SSE2__
    const __m128 vlo = _mm_set1_ps(lo), vhi = _mm_set1_ps(hi);
    for (; i + 4 <= n; i += 4) {
        const __m128 v = _mm_loadu_ps(x + i);
        count += (size_t)__builtin_popcount((unsigned)_mm_movemask_ps(_mm_or_ps(_mm_cmplt_ps(v, vlo),
                                                                               _mm_cmpgt_ps(v, vhi))));
    }
#endif
    for (; i < n; i++)
        count += x[i] < lo || x[i] > hi;
    return count;
}
