/* cell_gru.c — the GRU recurrence over a range of streams (see cell_gru.h).
 *
 * Per step two products of the range's rows (the packed rgemm.h kernel when
 * the model passes a packed weight, cblas_sgemm otherwise): the r and z blocks of
 * h_{t-1} W_hh^T accumulate (beta = 1) straight into the gate rows, which
 * already hold the input projection and both biases; the n block goes to hn,
 * because r multiplies it (and the backward needs it). Because of that
 * product the n block's gradient differs on the two sides: dpre_x gets
 * d(n_pre) and dpre_h gets r * d(n_pre); keeping both lets dW_hh and db_hh
 * stay single reductions over T*B rows in the model.
 */
#include "cell_gru.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

#include "cell_math.h"
#include "cpu.h"
#include "matmul.h"
#include "rgemm.h"

/* The element-wise parts, 8 units at a time with AVX2 when the CPU has it
 * (cpu.h), else 4 with SSE2, then scalar: every unit gets the same float
 * operations in the same order on every path, so all give identical bits.
 * ||d_h||^2 goes into 4 double lanes (unit j into lane j % 4, units j..j+3
 * before j+4..j+7), added (0 + 2) + (1 + 3), then the scalar tail. */

#ifdef CELL_MATH_AVX2
__attribute__((target("avx2"))) static int gru_row_backward_avx2(int H, const float *g, const float *hnr,
                                                                 const float *hp, const float *dho, float *dx,
                                                                 float *dhp, float *dhb, double lanes[4])
{
    const __m256 one = _mm256_set1_ps(1.0f);
    __m256d s = _mm256_setzero_pd();
    int j = 0;
    for (; j + 8 <= H; j += 8) {
        __m256 r = _mm256_loadu_ps(g + j), z = _mm256_loadu_ps(g + H + j), n = _mm256_loadu_ps(g + 2 * H + j);
        __m256 d_h = _mm256_add_ps(_mm256_loadu_ps(dho + j), _mm256_loadu_ps(dhb + j));
        __m256d lo = _mm256_cvtps_pd(_mm256_castps256_ps128(d_h));
        __m256d hi = _mm256_cvtps_pd(_mm256_extractf128_ps(d_h, 1));
        s = _mm256_add_pd(s, _mm256_mul_pd(lo, lo));
        s = _mm256_add_pd(s, _mm256_mul_pd(hi, hi));
        __m256 d_npre = _mm256_mul_ps(_mm256_mul_ps(d_h, _mm256_sub_ps(one, z)),
                                      _mm256_sub_ps(one, _mm256_mul_ps(n, n)));
        __m256 d_z = _mm256_mul_ps(d_h, _mm256_sub_ps(_mm256_loadu_ps(hp + j), n));
        __m256 d_rpre = _mm256_mul_ps(_mm256_mul_ps(_mm256_mul_ps(d_npre, _mm256_loadu_ps(hnr + j)), r),
                                      _mm256_sub_ps(one, r));
        __m256 d_zpre = _mm256_mul_ps(_mm256_mul_ps(d_z, z), _mm256_sub_ps(one, z));
        _mm256_storeu_ps(dx + j, d_rpre);
        _mm256_storeu_ps(dx + H + j, d_zpre);
        _mm256_storeu_ps(dx + 2 * H + j, d_npre);
        _mm256_storeu_ps(dhp + j, d_rpre);
        _mm256_storeu_ps(dhp + H + j, d_zpre);
        _mm256_storeu_ps(dhp + 2 * H + j, _mm256_mul_ps(d_npre, r));
        _mm256_storeu_ps(dhb + j, _mm256_mul_ps(d_h, z));
    }
    _mm256_storeu_pd(lanes, s);
    return j;
}
#endif

#ifdef CELL_MATH_AVX2
/* the two forward loops of gru_row_forward on 8 units at a time */
__attribute__((target("avx2"))) static int gru_row_mix_avx2(int H, float *g, float *hnr, const float *b_hn)
{
    int j = 0;
    for (; j + 8 <= H; j += 8) {
        __m256 hv = _mm256_add_ps(_mm256_loadu_ps(hnr + j), _mm256_loadu_ps(b_hn + j));
        _mm256_storeu_ps(hnr + j, hv);
        _mm256_storeu_ps(g + 2 * H + j,
                         _mm256_add_ps(_mm256_loadu_ps(g + 2 * H + j), _mm256_mul_ps(_mm256_loadu_ps(g + j), hv)));
    }
    return j;
}

__attribute__((target("avx2"))) static int gru_row_out_avx2(int H, const float *g, const float *hp, float *ho)
{
    const __m256 one = _mm256_set1_ps(1.0f);
    int j = 0;
    for (; j + 8 <= H; j += 8) {
        __m256 z = _mm256_loadu_ps(g + H + j), n = _mm256_loadu_ps(g + 2 * H + j);
        _mm256_storeu_ps(ho + j, _mm256_add_ps(_mm256_mul_ps(_mm256_sub_ps(one, z), n),
                                               _mm256_mul_ps(z, _mm256_loadu_ps(hp + j))));
    }
    return j;
}
#endif

/* One row of the forward after the products: r, z = sigmoid; hnr += b_hn;
 * n = tanh(n_pre + r * hnr); h' = (1 - z) * n + z * h. */
static void gru_row_forward(int H, float *g, float *hnr, const float *b_hn, const float *hp, float *ho)
{
    cell_sigmoid_vec(g, g, 2 * H);
    int j = 0;
#ifdef CELL_MATH_AVX2
    if (cpu_has_avx2())
        j = gru_row_mix_avx2(H, g, hnr, b_hn);
#endif
#ifdef __SSE2__
    for (; j + 4 <= H; j += 4) {
        __m128 hv = _mm_add_ps(_mm_loadu_ps(hnr + j), _mm_loadu_ps(b_hn + j));
        _mm_storeu_ps(hnr + j, hv);
        _mm_storeu_ps(g + 2 * H + j, _mm_add_ps(_mm_loadu_ps(g + 2 * H + j), _mm_mul_ps(_mm_loadu_ps(g + j), hv)));
    }
#endif
    for (; j < H; j++) {
        hnr[j] += b_hn[j];
        g[2 * H + j] = g[2 * H + j] + g[j] * hnr[j];
    }
    cell_tanh_vec(g + 2 * H, g + 2 * H, H);
    j = 0;
#ifdef CELL_MATH_AVX2
    if (cpu_has_avx2())
        j = gru_row_out_avx2(H, g, hp, ho);
#endif
#ifdef __SSE2__
    const __m128 one = _mm_set1_ps(1.0f);
    for (; j + 4 <= H; j += 4) {
        __m128 z = _mm_loadu_ps(g + H + j), n = _mm_loadu_ps(g + 2 * H + j);
        _mm_storeu_ps(ho + j, _mm_add_ps(_mm_mul_ps(_mm_sub_ps(one, z), n), _mm_mul_ps(z, _mm_loadu_ps(hp + j))));
    }
#endif
    for (; j < H; j++) {
        float z = g[H + j], n = g[2 * H + j];
        ho[j] = (1.0f - z) * n + z * hp[j];
    }
}

/* One row of the backward: d_h = dho + dhb, the gate gradients on the input
 * side (dx) and the hidden side (dhp: r * d(n_pre) in the n block), dhb
 * replaced by the direct path d_h * z. Returns ||d_h||^2. */
static double gru_row_backward(int H, const float *g, const float *hnr, const float *hp, const float *dho,
                               float *dx, float *dhp, float *dhb)
{
    int j = 0;
    double sq = 0.0;
#ifdef __SSE2__
    const __m128 one = _mm_set1_ps(1.0f);
    double lanes[4] = {0.0, 0.0, 0.0, 0.0};
#ifdef CELL_MATH_AVX2
    if (cpu_has_avx2())
        j = gru_row_backward_avx2(H, g, hnr, hp, dho, dx, dhp, dhb, lanes);
#endif
    __m128d s0 = _mm_loadu_pd(lanes), s1 = _mm_loadu_pd(lanes + 2);
    for (; j + 4 <= H; j += 4) {
        __m128 r = _mm_loadu_ps(g + j), z = _mm_loadu_ps(g + H + j), n = _mm_loadu_ps(g + 2 * H + j);
        __m128 d_h = _mm_add_ps(_mm_loadu_ps(dho + j), _mm_loadu_ps(dhb + j));
        __m128d lo = _mm_cvtps_pd(d_h), hi = _mm_cvtps_pd(_mm_movehl_ps(d_h, d_h));
        s0 = _mm_add_pd(s0, _mm_mul_pd(lo, lo));
        s1 = _mm_add_pd(s1, _mm_mul_pd(hi, hi));
        __m128 d_npre = _mm_mul_ps(_mm_mul_ps(d_h, _mm_sub_ps(one, z)), _mm_sub_ps(one, _mm_mul_ps(n, n)));
        __m128 d_z = _mm_mul_ps(d_h, _mm_sub_ps(_mm_loadu_ps(hp + j), n));
        __m128 d_rpre = _mm_mul_ps(_mm_mul_ps(_mm_mul_ps(d_npre, _mm_loadu_ps(hnr + j)), r), _mm_sub_ps(one, r));
        __m128 d_zpre = _mm_mul_ps(_mm_mul_ps(d_z, z), _mm_sub_ps(one, z));
        _mm_storeu_ps(dx + j, d_rpre);
        _mm_storeu_ps(dx + H + j, d_zpre);
        _mm_storeu_ps(dx + 2 * H + j, d_npre);
        _mm_storeu_ps(dhp + j, d_rpre);
        _mm_storeu_ps(dhp + H + j, d_zpre);
        _mm_storeu_ps(dhp + 2 * H + j, _mm_mul_ps(d_npre, r));
        _mm_storeu_ps(dhb + j, _mm_mul_ps(d_h, z));
    }
    _mm_storeu_pd(lanes, s0);
    _mm_storeu_pd(lanes + 2, s1);
    sq = (lanes[0] + lanes[2]) + (lanes[1] + lanes[3]);
#endif
    for (; j < H; j++) {
        float r = g[j], z = g[H + j], n = g[2 * H + j];
        float d_h = dho[j] + dhb[j];
        sq += (double)d_h * d_h;
        float d_npre = d_h * (1.0f - z) * (1.0f - n * n);
        float d_z = d_h * (hp[j] - n);
        float d_rpre = d_npre * hnr[j] * r * (1.0f - r);
        float d_zpre = d_z * z * (1.0f - z);
        dx[j] = d_rpre;
        dx[H + j] = d_zpre;
        dx[2 * H + j] = d_npre;
        dhp[j] = d_rpre;
        dhp[H + j] = d_zpre;
        dhp[2 * H + j] = d_npre * r;
        dhb[j] = d_h * z; /* the direct path h' = ... + z*h */
    }
    return sq;
}

void gru_forward_range(int T, int B, int b0, int b1, int H, const float *w_hh,
                       const float *w_pack, const CellInput *in, const float *b_hh, float *hs,
                       float *gates, float *hn)
{
    const int G = 3 * H, nb = b1 - b0;
    if (nb <= 0)
        return;
    const float *b_hn = b_hh + 2 * H;
    for (int t = 0; t < T; t++) {
        const size_t r0 = (size_t)t * B + b0;
        const float *h_prev = hs + r0 * H;
        cell_input_rows(in, gates, r0, nb, G);
        if (w_pack) {
            rgemm(nb, 2 * H, H, h_prev, H, w_pack, 1, gates + r0 * G, G);
            rgemm(nb, H, H, h_prev, H, w_pack + rgemm_pack_size(H, 2 * H), 0, hn + r0 * H, H);
        } else {
            matmul_nt(nb, B, 2 * H, H, h_prev, H, w_hh, H, 1.0f, gates + r0 * G, G);
            matmul_nt(nb, B, H, H, h_prev, H, w_hh + (size_t)2 * H * H, H, 0.0f, hn + r0 * H, H);
        }
        for (int b = 0; b < nb; b++) {
            size_t row = r0 + b;
            gru_row_forward(H, gates + row * G, hn + row * H, b_hn, hs + row * H, hs + (row + B) * H);
        }
    }
}

void gru_backward_range(int T, int B, int b0, int b1, int H, const float *w_hh,
                        const float *w_pack, const float *hs, const float *gates, const float *hn,
                        const float *dh_out, float *dpre_x, float *dpre_h, float *dh,
                        double *norms)
{
    const int G = 3 * H, nb = b1 - b0;
    if (nb <= 0)
        return;
    memset(dh + (size_t)b0 * H, 0, (size_t)nb * H * sizeof *dh);
    for (int t = T - 1; t >= 0; t--) {
        const size_t r0 = (size_t)t * B + b0;
        for (int b = b0; b < b1; b++) {
            size_t row = (size_t)t * B + b;
            const float *g = gates + row * G;
            const float *hnr = hn + row * H;
            const float *hp = hs + row * H; /* h_{t-1} */
            const float *dho = dh_out + row * H;
            float *dhb = dh + (size_t)b * H;
            double sq = gru_row_backward(H, g, hnr, hp, dho, dpre_x + row * G, dpre_h + row * G, dhb);
            norms[row] = sqrt(sq);
        }
        if (t > 0 && w_pack)
            rgemm(nb, H, G, dpre_h + r0 * G, G, w_pack, 1, dh + (size_t)b0 * H, H);
        else if (t > 0)
            matmul_nn(nb, B, H, G, dpre_h + r0 * G, G, w_hh, H, 1.0f, dh + (size_t)b0 * H, H);
    }
}
