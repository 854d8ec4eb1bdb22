/* cell_gru.c — GRU layer forward/backward over a chunk (see cell_gru.h).
 *
 * Same cost shape as the LSTM: one sgemm for the input projection of the
 * chunk, one per step for h_{t-1} W_hh^T, one each for dW_ih, dW_hh and dx.
 * Because r multiplies (W_hn h + b_hn), the n block's gradient differs on the
 * two sides: dpre_x gets d(n_pre) and dpre_h gets r * d(n_pre); keeping both
 * lets dW_hh and db_hh stay single reductions over T*B rows.
 */
#include "cell_gru.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

#include "cell_math.h"

static void gru_col_sums(const float *a, int rows, int cols, float *out)
{
    memset(out, 0, (size_t)cols * sizeof *out);
    for (int r = 0; r < rows; r++) {
        const float *row = a + (size_t)r * cols;
        for (int c = 0; c < cols; c++)
            out[c] += row[c];
    }
}

void gru_forward(int T, int B, int In, int H, const float *x,
                 const float *w_ih, const float *w_hh, const float *b_ih, const float *b_hh,
                 float *hs, float *gates, float *hn, float *scratch)
{
    const int G = 3 * H;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T * B, G, In, 1.0f, x, In,
                w_ih, In, 0.0f, gates, G);
    for (int t = 0; t < T; t++) {
        const float *h_prev = hs + (size_t)t * B * H;
        float *h_out = hs + (size_t)(t + 1) * B * H;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, G, H, 1.0f, h_prev, H,
                    w_hh, H, 0.0f, scratch, G);
        for (int b = 0; b < B; b++) {
            size_t row = (size_t)t * B + b;
            float *g = gates + row * G;
            float *hnr = hn + row * H;
            const float *s = scratch + (size_t)b * G;
            const float *hp = h_prev + (size_t)b * H;
            float *ho = h_out + (size_t)b * H;
            for (int j = 0; j < 2 * H; j++)
                g[j] = g[j] + b_ih[j] + s[j] + b_hh[j];
            cell_sigmoid_vec(g, g, 2 * H);
            for (int j = 0; j < H; j++) {
                hnr[j] = s[2 * H + j] + b_hh[2 * H + j];
                g[2 * H + j] = g[2 * H + j] + b_ih[2 * H + j] + g[j] * hnr[j];
            }
            cell_tanh_vec(g + 2 * H, g + 2 * H, H);
            for (int j = 0; j < H; j++) {
                float z = g[H + j], n = g[2 * H + j];
                ho[j] = (1.0f - z) * n + z * hp[j];
            }
        }
    }
}

void gru_backward(int T, int B, int In, int H, const float *x,
                  const float *w_ih, const float *w_hh,
                  const float *hs, const float *gates, const float *hn,
                  const float *dh_out, float *dx,
                  float *dw_ih, float *dw_hh, float *db_ih, float *db_hh,
                  float *dpre_x, float *dpre_h, float *dh, float *dh_norms)
{
    const int G = 3 * H;
    memset(dh, 0, (size_t)B * H * sizeof *dh);
    for (int t = T - 1; t >= 0; t--) {
        double norm_sum = 0.0;
        for (int b = 0; b < B; b++) {
            size_t row = (size_t)t * B + b;
            const float *g = gates + row * G;
            const float *hnr = hn + row * H;
            const float *hp = hs + row * H; /* h_{t-1} */
            const float *dho = dh_out + row * H;
            float *dx_row = dpre_x + row * G;
            float *dh_row = dpre_h + row * G;
            float *dhb = dh + (size_t)b * H;
            double sq = 0.0;
            for (int j = 0; j < H; j++) {
                float r = g[j], z = g[H + j], n = g[2 * H + j];
                float d_h = dho[j] + dhb[j];
                sq += (double)d_h * d_h;
                float d_npre = d_h * (1.0f - z) * (1.0f - n * n);
                float d_z = d_h * (hp[j] - n);
                float d_rpre = d_npre * hnr[j] * r * (1.0f - r);
                float d_zpre = d_z * z * (1.0f - z);
                dx_row[j] = d_rpre;
                dx_row[H + j] = d_zpre;
                dx_row[2 * H + j] = d_npre;
                dh_row[j] = d_rpre;
                dh_row[H + j] = d_zpre;
                dh_row[2 * H + j] = d_npre * r;
                dhb[j] = d_h * z; /* the direct path h' = ... + z*h */
            }
            norm_sum += sqrt(sq);
        }
        dh_norms[t] = (float)(norm_sum / B);
        if (t > 0)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, H, G, 1.0f,
                        dpre_h + (size_t)t * B * G, G, w_hh, H, 1.0f, dh, H);
    }
    const int N = T * B;
    if (dw_ih) {
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, G, In, N, 1.0f, dpre_x, G, x, In,
                    0.0f, dw_ih, In);
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, G, H, N, 1.0f, dpre_h, G, hs, H,
                    0.0f, dw_hh, H);
        gru_col_sums(dpre_x, N, G, db_ih);
        gru_col_sums(dpre_h, N, G, db_hh);
    }
    if (dx)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, In, G, 1.0f, dpre_x, G,
                    w_ih, In, 0.0f, dx, In);
}
