/* cell_lstm.c — the LSTM recurrence over a range of streams (see cell_lstm.h).
 *
 * Per step one product of the range's rows: h_{t-1} W_hh^T accumulated
 * (beta = 1) straight into the gate rows, which already hold the input
 * projection and both biases, so no scratch buffer and no add loop; then the
 * gate math row by row. Backward, per step: the gate gradients, then
 * dh = dpre_t W_hh for the range's rows. The products use the packed weight
 * (rgemm.h) when the model passes one, cblas_sgemm otherwise.
 */
#include "cell_lstm.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

#include "cell_math.h"
#include "cpu.h"
#include "matmul.h"
#include "rgemm.h"

/* The element-wise parts of one row, 4 units at a time where SSE2 is there
 * (gcc -O2 leaves these loops scalar), the backward 8 at a time first where
 * the CPU has AVX2 (cpu.h), with the same float operations in the same order
 * as the scalar tails, so every path gives identical float results. */

/* c' = f*c + i*g, then (after tanh(c') into tc) h' = o*tanh(c') */
static void lstm_row_state(int H, const float *g, const float *cp, float *cn)
{
    int j = 0;
#ifdef __SSE2__
    for (; j + 4 <= H; j += 4) {
        __m128 fc = _mm_mul_ps(_mm_loadu_ps(g + H + j), _mm_loadu_ps(cp + j));
        __m128 ig = _mm_mul_ps(_mm_loadu_ps(g + j), _mm_loadu_ps(g + 2 * H + j));
        _mm_storeu_ps(cn + j, _mm_add_ps(fc, ig));
    }
#endif
    for (; j < H; j++)
        cn[j] = g[H + j] * cp[j] + g[j] * g[2 * H + j];
}

static void lstm_row_out(int H, const float *g, const float *tcn, float *hn)
{
    int j = 0;
#ifdef __SSE2__
    for (; j + 4 <= H; j += 4)
        _mm_storeu_ps(hn + j, _mm_mul_ps(_mm_loadu_ps(g + 3 * H + j), _mm_loadu_ps(tcn + j)));
#endif
    for (; j < H; j++)
        hn[j] = g[3 * H + j] * tcn[j];
}

#ifdef CELL_MATH_AVX2
/* The 4-unit loop of lstm_row_backward on 8 units at a time, from unit j0
 * while 8 remain; returns the unit it stopped at. Each unit gets the same
 * float operations, and ||d_h||^2 goes into the same 4 double lanes (unit j
 * into lane j % 4) in the same order, units j..j+3 before j+4..j+7, carried
 * on from `lanes`, so the 4-unit loop carries on with identical results. */
__attribute__((target("avx2"))) static int lstm_row_backward_avx2(int H, int j0, const float *g, const float *th,
                                                                  const float *cp, const float *dho, float *dp,
                                                                  float *dhb, float *dcb, double lanes[4])
{
    const __m256 one = _mm256_set1_ps(1.0f);
    __m256d s = _mm256_loadu_pd(lanes);
    int j = j0;
    for (; j + 8 <= H; j += 8) {
        __m256 ig = _mm256_loadu_ps(g + j), fg = _mm256_loadu_ps(g + H + j);
        __m256 gg = _mm256_loadu_ps(g + 2 * H + j), og = _mm256_loadu_ps(g + 3 * H + j);
        __m256 t = _mm256_loadu_ps(th + j);
        __m256 d_h = _mm256_add_ps(_mm256_loadu_ps(dho + j), _mm256_loadu_ps(dhb + j));
        __m256d lo = _mm256_cvtps_pd(_mm256_castps256_ps128(d_h));
        __m256d hi = _mm256_cvtps_pd(_mm256_extractf128_ps(d_h, 1));
        s = _mm256_add_pd(s, _mm256_mul_pd(lo, lo));
        s = _mm256_add_pd(s, _mm256_mul_pd(hi, hi));
        __m256 d_o = _mm256_mul_ps(d_h, t);
        __m256 d_c = _mm256_add_ps(_mm256_loadu_ps(dcb + j),
                                   _mm256_mul_ps(_mm256_mul_ps(d_h, og), _mm256_sub_ps(one, _mm256_mul_ps(t, t))));
        _mm256_storeu_ps(dp + j, _mm256_mul_ps(_mm256_mul_ps(_mm256_mul_ps(d_c, gg), ig), _mm256_sub_ps(one, ig)));
        _mm256_storeu_ps(dp + H + j, _mm256_mul_ps(_mm256_mul_ps(_mm256_mul_ps(d_c, _mm256_loadu_ps(cp + j)), fg),
                                                   _mm256_sub_ps(one, fg)));
        _mm256_storeu_ps(dp + 2 * H + j,
                         _mm256_mul_ps(_mm256_mul_ps(d_c, ig), _mm256_sub_ps(one, _mm256_mul_ps(gg, gg))));
        _mm256_storeu_ps(dp + 3 * H + j, _mm256_mul_ps(_mm256_mul_ps(d_o, og), _mm256_sub_ps(one, og)));
        _mm256_storeu_ps(dcb + j, _mm256_mul_ps(d_c, fg));
    }
    _mm256_storeu_pd(lanes, s);
    return j;
}

/* lstm_row_backward_avx2 on 16 units at a time, from unit 0 while 16
 * remain: the same float operations per unit, and ||d_h||^2 into the same 4
 * double lanes, units j..j+3, j+4..j+7, j+8..j+11, j+12..j+15 in that
 * order, so lstm_row_backward_avx2 carries on from `lanes`. */
__attribute__((target("avx512f,avx2"))) static int lstm_row_backward_avx512(int H, const float *g, const float *th,
                                                                          const float *cp, const float *dho,
                                                                          float *dp, float *dhb, float *dcb,
                                                                          double lanes[4])
{
    const __m512 one = _mm512_set1_ps(1.0f);
    __m256d s = _mm256_setzero_pd();
    int j = 0;
    for (; j + 16 <= H; j += 16) {
        __m512 ig = _mm512_loadu_ps(g + j), fg = _mm512_loadu_ps(g + H + j);
        __m512 gg = _mm512_loadu_ps(g + 2 * H + j), og = _mm512_loadu_ps(g + 3 * H + j);
        __m512 t = _mm512_loadu_ps(th + j);
        __m512 d_h = _mm512_add_ps(_mm512_loadu_ps(dho + j), _mm512_loadu_ps(dhb + j));
        __m512d lo = _mm512_cvtps_pd(_mm512_castps512_ps256(d_h));
        __m512d hi = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(d_h), 1)));
        lo = _mm512_mul_pd(lo, lo);
        hi = _mm512_mul_pd(hi, hi);
        s = _mm256_add_pd(s, _mm512_castpd512_pd256(lo));
        s = _mm256_add_pd(s, _mm512_extractf64x4_pd(lo, 1));
        s = _mm256_add_pd(s, _mm512_castpd512_pd256(hi));
        s = _mm256_add_pd(s, _mm512_extractf64x4_pd(hi, 1));
        __m512 d_o = _mm512_mul_ps(d_h, t);
        __m512 d_c = _mm512_add_ps(_mm512_loadu_ps(dcb + j),
                                   _mm512_mul_ps(_mm512_mul_ps(d_h, og), _mm512_sub_ps(one, _mm512_mul_ps(t, t))));
        _mm512_storeu_ps(dp + j, _mm512_mul_ps(_mm512_mul_ps(_mm512_mul_ps(d_c, gg), ig), _mm512_sub_ps(one, ig)));
        _mm512_storeu_ps(dp + H + j, _mm512_mul_ps(_mm512_mul_ps(_mm512_mul_ps(d_c, _mm512_loadu_ps(cp + j)), fg),
                                                   _mm512_sub_ps(one, fg)));
        _mm512_storeu_ps(dp + 2 * H + j,
                         _mm512_mul_ps(_mm512_mul_ps(d_c, ig), _mm512_sub_ps(one, _mm512_mul_ps(gg, gg))));
        _mm512_storeu_ps(dp + 3 * H + j, _mm512_mul_ps(_mm512_mul_ps(d_o, og), _mm512_sub_ps(one, og)));
        _mm512_storeu_ps(dcb + j, _mm512_mul_ps(d_c, fg));
    }
    _mm256_storeu_pd(lanes, s);
    return j;
}
#endif

/* One row of the backward: d_h = dho + dhb (from above plus the recurrent
 * part), the gate gradients into dp, the carried dc updated in place.
 * Returns ||d_h||^2, summed in double in a fixed order (4 lanes, then the
 * scalar tail). */
static double lstm_row_backward(int H, const float *g, const float *th, const float *cp,
                                const float *dho, float *dp, float *dhb, float *dcb)
{
    int j = 0;
    double sq = 0.0;
#ifdef __SSE2__
    const __m128 one = _mm_set1_ps(1.0f);
    double lanes[4] = {0.0, 0.0, 0.0, 0.0};
#ifdef CELL_MATH_AVX2
    if (cpu_has_avx512())
        j = lstm_row_backward_avx512(H, g, th, cp, dho, dp, dhb, dcb, lanes);
    if (cpu_has_avx2())
        j = lstm_row_backward_avx2(H, j, g, th, cp, dho, dp, dhb, dcb, lanes);
#endif
    __m128d s0 = _mm_loadu_pd(lanes), s1 = _mm_loadu_pd(lanes + 2);
    for (; j + 4 <= H; j += 4) {
        __m128 ig = _mm_loadu_ps(g + j), fg = _mm_loadu_ps(g + H + j);
        __m128 gg = _mm_loadu_ps(g + 2 * H + j), og = _mm_loadu_ps(g + 3 * H + j);
        __m128 t = _mm_loadu_ps(th + j);
        __m128 d_h = _mm_add_ps(_mm_loadu_ps(dho + j), _mm_loadu_ps(dhb + j));
        __m128d lo = _mm_cvtps_pd(d_h), hi = _mm_cvtps_pd(_mm_movehl_ps(d_h, d_h));
        s0 = _mm_add_pd(s0, _mm_mul_pd(lo, lo));
        s1 = _mm_add_pd(s1, _mm_mul_pd(hi, hi));
        __m128 d_o = _mm_mul_ps(d_h, t);
        __m128 d_c = _mm_add_ps(_mm_loadu_ps(dcb + j),
                                _mm_mul_ps(_mm_mul_ps(d_h, og), _mm_sub_ps(one, _mm_mul_ps(t, t))));
        _mm_storeu_ps(dp + j, _mm_mul_ps(_mm_mul_ps(_mm_mul_ps(d_c, gg), ig), _mm_sub_ps(one, ig)));
        _mm_storeu_ps(dp + H + j, _mm_mul_ps(_mm_mul_ps(_mm_mul_ps(d_c, _mm_loadu_ps(cp + j)), fg),
                                             _mm_sub_ps(one, fg)));
        _mm_storeu_ps(dp + 2 * H + j,
                      _mm_mul_ps(_mm_mul_ps(d_c, ig), _mm_sub_ps(one, _mm_mul_ps(gg, gg))));
        _mm_storeu_ps(dp + 3 * H + j, _mm_mul_ps(_mm_mul_ps(d_o, og), _mm_sub_ps(one, og)));
        _mm_storeu_ps(dcb + j, _mm_mul_ps(d_c, fg));
    }
    _mm_storeu_pd(lanes, s0);
    _mm_storeu_pd(lanes + 2, s1);
    sq = (lanes[0] + lanes[2]) + (lanes[1] + lanes[3]);
#endif
    for (; j < H; j++) {
        float ig = g[j], fg = g[H + j], gg = g[2 * H + j], og = g[3 * H + j];
        float d_h = dho[j] + dhb[j];
        sq += (double)d_h * d_h;
        float d_o = d_h * th[j];
        float d_c = dcb[j] + d_h * og * (1.0f - th[j] * th[j]);
        dp[j] = d_c * gg * ig * (1.0f - ig);
        dp[H + j] = d_c * cp[j] * fg * (1.0f - fg);
        dp[2 * H + j] = d_c * ig * (1.0f - gg * gg);
        dp[3 * H + j] = d_o * og * (1.0f - og);
        dcb[j] = d_c * fg;
    }
    return sq;
}

void lstm_forward_range(int T, int B, int b0, int b1, int H, const float *w_hh,
                        const float *w_pack, const CellInput *in, float *hs, float *cs, float *gates,
                        float *tc)
{
    const int G = 4 * H, nb = b1 - b0;
    if (nb <= 0)
        return;
    for (int t = 0; t < T; t++) {
        const size_t r0 = (size_t)t * B + b0;
        const float *h_prev = hs + r0 * H;
        cell_input_rows(in, gates, r0, nb, G);
        if (w_pack)
            rgemm(nb, G, H, h_prev, H, w_pack, 1, gates + r0 * G, G);
        else
            matmul_nt(nb, B, G, H, h_prev, H, w_hh, H, 1.0f, gates + r0 * G, G);
        for (int b = 0; b < nb; b++) {
            const size_t row = r0 + b;
            float *g = gates + row * G;
            const float *cp = cs + row * H;
            float *hn = hs + (row + B) * H;
            float *cn = cs + (row + B) * H;
            float *tcn = tc + row * H;
            cell_sigmoid_vec(g, g, 2 * H);
            cell_tanh_vec(g + 2 * H, g + 2 * H, H);
            cell_sigmoid_vec(g + 3 * H, g + 3 * H, H);
            lstm_row_state(H, g, cp, cn);
            cell_tanh_vec(tcn, cn, H);
            lstm_row_out(H, g, tcn, hn);
        }
    }
}

void lstm_backward_range(int T, int B, int b0, int b1, int H, const float *w_hh,
                         const float *w_pack, const float *cs, const float *gates, const float *tc,
                         const float *dh_out, float *dpre, float *dh, float *dc, double *norms)
{
    const int G = 4 * H, nb = b1 - b0;
    if (nb <= 0)
        return;
    memset(dh + (size_t)b0 * H, 0, (size_t)nb * H * sizeof *dh);
    memset(dc + (size_t)b0 * H, 0, (size_t)nb * H * sizeof *dc);
    for (int t = T - 1; t >= 0; t--) {
        const size_t r0 = (size_t)t * B + b0;
        for (int b = b0; b < b1; b++) {
            size_t row = (size_t)t * B + b;
            const float *g = gates + row * G;
            const float *th = tc + row * H;
            const float *cp = cs + row * H; /* c_{t-1}: row t*B+b of the prepended layout */
            const float *dho = dh_out + row * H;
            float *dp = dpre + row * G;
            float *dhb = dh + (size_t)b * H;
            float *dcb = dc + (size_t)b * H;
            double sq = lstm_row_backward(H, g, th, cp, dho, dp, dhb, dcb);
            norms[row] = sqrt(sq);
        }
        if (t > 0 && w_pack)
            rgemm(nb, H, G, dpre + r0 * G, G, w_pack, 0, dh + (size_t)b0 * H, H);
        else if (t > 0)
            matmul_nn(nb, B, H, G, dpre + r0 * G, G, w_hh, H, 0.0f, dh + (size_t)b0 * H, H);
    }
}
