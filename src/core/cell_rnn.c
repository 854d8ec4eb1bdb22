/* cell_rnn.c — the tanh RNN recurrence over a range of streams (see cell_rnn.h).
 *
 * Per step one product of the range's rows (the packed rgemm.h kernel when
 * the model passes a packed weight, cblas_sgemm otherwise), h_{t-1} W_hh^T
 * accumulated (beta = 1) into the pre-activation rows, then tanh into h_t.
 */
#include "cell_rnn.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

#include "cell_math.h"
#include "cpu.h"
#include "matmul.h"
#include "rgemm.h"

void rnn_forward_range(int T, int B, int b0, int b1, int H, const float *w_hh,
                       const float *w_pack, const CellInput *in, float *hs, float *pre)
{
    const int nb = b1 - b0;
    if (nb <= 0)
        return;
    for (int t = 0; t < T; t++) {
        const size_t r0 = (size_t)t * B + b0;
        cell_input_rows(in, pre, r0, nb, H);
        if (w_pack)
            rgemm(nb, H, H, hs + r0 * H, H, w_pack, 1, pre + r0 * H, H);
        else
            matmul_nt(nb, B, H, H, hs + r0 * H, H, w_hh, H, 1.0f, pre + r0 * H, H);
        /* the range's rows of step t are contiguous in both buffers */
        cell_tanh_vec(hs + (r0 + B) * H, pre + r0 * H, nb * H);
    }
}

#ifdef CELL_MATH_AVX2
__attribute__((target("avx2"))) static int rnn_row_backward_avx2(int H, const float *h, const float *dho,
                                                                 const float *dhb, float *dp, double lanes[4])
{
    const __m256 one = _mm256_set1_ps(1.0f);
    __m256d s = _mm256_setzero_pd();
    int j = 0;
    for (; j + 8 <= H; j += 8) {
        __m256 d_h = _mm256_add_ps(_mm256_loadu_ps(dho + j), _mm256_loadu_ps(dhb + j));
        __m256d lo = _mm256_cvtps_pd(_mm256_castps256_ps128(d_h));
        __m256d hi = _mm256_cvtps_pd(_mm256_extractf128_ps(d_h, 1));
        s = _mm256_add_pd(s, _mm256_mul_pd(lo, lo));
        s = _mm256_add_pd(s, _mm256_mul_pd(hi, hi));
        __m256 hv = _mm256_loadu_ps(h + j);
        _mm256_storeu_ps(dp + j, _mm256_mul_ps(d_h, _mm256_sub_ps(one, _mm256_mul_ps(hv, hv))));
    }
    _mm256_storeu_pd(lanes, s);
    return j;
}
#endif

/* dp = d_h * (1 - h^2) with d_h = dho + dhb; returns ||d_h||^2. 8 units at a
 * time with AVX2 when the CPU has it, else 4 with SSE2, then scalar, with the
 * same float operations on every path; the squares go into 4 double lanes
 * (unit j into lane j % 4), added (0 + 2) + (1 + 3), then the scalar tail. */
static double rnn_row_backward(int H, const float *h, const float *dho, const float *dhb, float *dp)
{
    int j = 0;
    double sq = 0.0;
#ifdef __SSE2__
    const __m128 one = _mm_set1_ps(1.0f);
    double lanes[4] = {0.0, 0.0, 0.0, 0.0};
#ifdef CELL_MATH_AVX2
    if (cpu_has_avx2())
        j = rnn_row_backward_avx2(H, h, dho, dhb, dp, lanes);
#endif
    __m128d s0 = _mm_loadu_pd(lanes), s1 = _mm_loadu_pd(lanes + 2);
    for (; j + 4 <= H; j += 4) {
        __m128 d_h = _mm_add_ps(_mm_loadu_ps(dho + j), _mm_loadu_ps(dhb + j));
        __m128d lo = _mm_cvtps_pd(d_h), hi = _mm_cvtps_pd(_mm_movehl_ps(d_h, d_h));
        s0 = _mm_add_pd(s0, _mm_mul_pd(lo, lo));
        s1 = _mm_add_pd(s1, _mm_mul_pd(hi, hi));
        __m128 hv = _mm_loadu_ps(h + j);
        _mm_storeu_ps(dp + j, _mm_mul_ps(d_h, _mm_sub_ps(one, _mm_mul_ps(hv, hv))));
    }
    _mm_storeu_pd(lanes, s0);
    _mm_storeu_pd(lanes + 2, s1);
    sq = (lanes[0] + lanes[2]) + (lanes[1] + lanes[3]);
#endif
    for (; j < H; j++) {
        float d_h = dho[j] + dhb[j];
        sq += (double)d_h * d_h;
        dp[j] = d_h * (1.0f - h[j] * h[j]);
    }
    return sq;
}

void rnn_backward_range(int T, int B, int b0, int b1, int H, const float *w_hh,
                        const float *w_pack, const float *hs, const float *dh_out, float *dpre, float *dh,
                        double *norms)
{
    const int nb = b1 - b0;
    if (nb <= 0)
        return;
    memset(dh + (size_t)b0 * H, 0, (size_t)nb * H * sizeof *dh);
    for (int t = T - 1; t >= 0; t--) {
        const size_t r0 = (size_t)t * B + b0;
        for (int b = b0; b < b1; b++) {
            size_t row = (size_t)t * B + b;
            const float *h = hs + (row + (size_t)B) * H; /* h_t */
            const float *dho = dh_out + row * H;
            const float *dhb = dh + (size_t)b * H;
            float *dp = dpre + row * H;
            norms[row] = sqrt(rnn_row_backward(H, h, dho, dhb, dp));
        }
        if (t > 0 && w_pack)
            rgemm(nb, H, H, dpre + r0 * H, H, w_pack, 0, dh + (size_t)b0 * H, H);
        else if (t > 0)
            matmul_nn(nb, B, H, H, dpre + r0 * H, H, w_hh, H, 0.0f, dh + (size_t)b0 * H, H);
    }
}
