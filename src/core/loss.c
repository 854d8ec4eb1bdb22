/* loss.c — fused softmax cross-entropy (see loss.h).
 *
 * Three passes per row, all in cache: the max (vec_max, vecops.h); exp(l -
 * max) written into dlogits and summed; a scale by 1/(sum*N) and the -1/N at
 * the target. The exponential is cell_math.h's (within 1e-7 relative of
 * exp), 16 lanes at a time with AVX-512 and 8 with AVX2 when the CPU has
 * them, 4 with SSE2, else scalar; at V = 10k glibc's scalar expf cost as much
 * as the head's three products.
 *
 * The sum of exponentials, the log and the mean are in double, so the loss
 * carries no rounding noise beyond that of the logits themselves, which the
 * gradient check's finite differences need. The sum has a fixed shape on
 * every path: element v of the row's largest multiple of 8 goes to lane
 * v mod 8, the eight lanes are added as a tree, then the tail in order; so
 * the AVX2, SSE2 and scalar paths give identical bits (tests/test_loss.c).
 */
#include "loss.h"

#include <math.h>
#include <stddef.h>

#include "cell_math.h"
#include "vecops.h"

enum { LANES = 8 };

#ifdef CELL_MATH_AVX2
/* From element v0 while 8 remain, carried on from `lanes`; returns where it
 * stopped. */
__attribute__((target("avx2"))) static int exp_lanes_avx2(const float *l, int V, int v0, float mx, float *d,
                                                          double lanes[LANES])
{
    const __m256 m = _mm256_set1_ps(mx);
    __m256d lo = _mm256_loadu_pd(lanes), hi = _mm256_loadu_pd(lanes + 4);
    int v = v0;
    for (; v + LANES <= V; v += LANES) {
        __m256 e = cell_exp8(_mm256_sub_ps(_mm256_loadu_ps(l + v), m));
        if (d)
            _mm256_storeu_ps(d + v, e);
        lo = _mm256_add_pd(lo, _mm256_cvtps_pd(_mm256_castps256_ps128(e)));
        hi = _mm256_add_pd(hi, _mm256_cvtps_pd(_mm256_extractf128_ps(e, 1)));
    }
    _mm256_storeu_pd(lanes, lo);
    _mm256_storeu_pd(lanes + 4, hi);
    return v;
}
#endif

#ifdef CELL_MATH_AVX2
/* exp_lanes_avx2 16 at a time from element 0: the first 8 of each 16 are
 * added into the 8 lanes before the second 8, as two of exp_lanes_avx2's
 * steps would; a last block of 8 is left to it. */
__attribute__((target("avx512f,avx2"))) static int exp_lanes_avx512(const float *l, int V, float mx, float *d,
                                                                    double lanes[LANES])
{
    const __m512 m = _mm512_set1_ps(mx);
    __m512d acc = _mm512_setzero_pd();
    int v = 0;
    for (; v + 2 * LANES <= V; v += 2 * LANES) {
        __m512 e = cell_exp16(_mm512_sub_ps(_mm512_loadu_ps(l + v), m));
        if (d)
            _mm512_storeu_ps(d + v, e);
        acc = _mm512_add_pd(acc, _mm512_cvtps_pd(_mm512_castps512_ps256(e)));
        acc = _mm512_add_pd(acc, _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(e), 1))));
    }
    _mm512_storeu_pd(lanes, acc);
    return v;
}
#endif

/* lanes[k] = sum of exp(l[v] - mx) over v = k mod 8 in the row's largest
 * multiple of 8, stored into d as well when d != NULL; returns that multiple. */
static int exp_lanes(const float *l, int V, float mx, float *d, double lanes[LANES])
{
#ifdef CELL_MATH_AVX2
    if (cpu_has_avx2()) {
        int v = 0;
        if (cpu_has_avx512())
            v = exp_lanes_avx512(l, V, mx, d, lanes);
        else
            for (int k = 0; k < LANES; k++)
                lanes[k] = 0.0;
        return exp_lanes_avx2(l, V, v, mx, d, lanes);
    }
#endif
    int v = 0;
#ifdef __SSE2__
    const __m128 m = _mm_set1_ps(mx);
    __m128d acc[4] = { _mm_setzero_pd(), _mm_setzero_pd(), _mm_setzero_pd(), _mm_setzero_pd() };
    for (; v + LANES <= V; v += LANES) {
        __m128 a = cell_exp4(_mm_sub_ps(_mm_loadu_ps(l + v), m));
        __m128 b = cell_exp4(_mm_sub_ps(_mm_loadu_ps(l + v + 4), m));
        if (d) {
            _mm_storeu_ps(d + v, a);
            _mm_storeu_ps(d + v + 4, b);
        }
        acc[0] = _mm_add_pd(acc[0], _mm_cvtps_pd(a));
        acc[1] = _mm_add_pd(acc[1], _mm_cvtps_pd(_mm_movehl_ps(a, a)));
        acc[2] = _mm_add_pd(acc[2], _mm_cvtps_pd(b));
        acc[3] = _mm_add_pd(acc[3], _mm_cvtps_pd(_mm_movehl_ps(b, b)));
    }
    for (int k = 0; k < 4; k++)
        _mm_storeu_pd(lanes + 2 * k, acc[k]);
#else
    for (int k = 0; k < LANES; k++)
        lanes[k] = 0.0;
    for (; v + LANES <= V; v += LANES)
        for (int k = 0; k < LANES; k++) {
            float e = cell_exp(l[v + k] - mx);
            if (d)
                d[v + k] = e;
            lanes[k] += e;
        }
#endif
    return v;
}

/* The sum of exp(l[v] - mx) over the row in the fixed shape, the terms
 * stored into d as well when d != NULL. */
static double sum_exp(const float *l, int V, float mx, float *d)
{
    double lanes[LANES];
    int v = exp_lanes(l, V, mx, d, lanes);
    double sum = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
    for (; v < V; v++) {
        float e = cell_exp(l[v] - mx);
        if (d)
            d[v] = e;
        sum += e;
    }
    return sum;
}

double loss_sum_exp(const float *l, int V, float mx)
{
    return sum_exp(l, V, mx, NULL);
}

static double loss_row(int N, int V, const float *l, int y, float *d)
{
    const float mx = vec_max(l, (size_t)V);
    const double sum = sum_exp(l, V, mx, d);
    if (d) {
        vec_scale(d, (float)(1.0 / (sum * N)), (size_t)V);
        d[y] -= 1.0f / (float)N;
    }
    return log(sum) + (double)mx - (double)l[y];
}

void loss_softmax_xent_rows(int r0, int r1, int N, int V, const float *logits, const int *y,
                            float *dlogits, double *row_loss)
{
    for (int r = r0; r < r1; r++)
        row_loss[r] = loss_row(N, V, logits + (size_t)r * V, y[r],
                               dlogits ? dlogits + (size_t)r * V : NULL);
}

double loss_softmax_xent(int N, int V, const float *logits, const int *y, float *dlogits)
{
    double total = 0.0;
    for (int r = 0; r < N; r++)
        total += loss_row(N, V, logits + (size_t)r * V, y[r],
                          dlogits ? dlogits + (size_t)r * V : NULL);
    return total / N;
}
