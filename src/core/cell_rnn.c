/* cell_rnn.c — tanh RNN layer forward/backward over a chunk (see cell_rnn.h).
 *
 * Same cost shape as the LSTM: one sgemm for the input projection of the
 * chunk, one per step for h_{t-1} W_hh^T, one each for dW_ih, dW_hh and dx.
 */
#include "cell_rnn.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

#include "cell_math.h"

static void rnn_col_sums(const float *a, int rows, int cols, float *out)
{
    memset(out, 0, (size_t)cols * sizeof *out);
    for (int r = 0; r < rows; r++) {
        const float *row = a + (size_t)r * cols;
        for (int c = 0; c < cols; c++)
            out[c] += row[c];
    }
}

void rnn_forward(int T, int B, int In, int H, const float *x,
                 const float *w_ih, const float *w_hh, const float *b_ih, const float *b_hh,
                 float *hs, float *pre, float *scratch)
{
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T * B, H, In, 1.0f, x, In,
                w_ih, In, 0.0f, pre, H);
    for (int t = 0; t < T; t++) {
        const float *h_prev = hs + (size_t)t * B * H;
        float *h_out = hs + (size_t)(t + 1) * B * H;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, H, H, 1.0f, h_prev, H,
                    w_hh, H, 0.0f, scratch, H);
        const float *p = pre + (size_t)t * B * H;
        for (int b = 0; b < B; b++) {
            const float *pb = p + (size_t)b * H;
            const float *s = scratch + (size_t)b * H;
            float *ho = h_out + (size_t)b * H;
            for (int j = 0; j < H; j++)
                ho[j] = pb[j] + b_ih[j] + s[j] + b_hh[j];
            cell_tanh_vec(ho, ho, H);
        }
    }
}

void rnn_backward(int T, int B, int In, int H, const float *x,
                  const float *w_ih, const float *w_hh, const float *hs,
                  const float *dh_out, float *dx,
                  float *dw_ih, float *dw_hh, float *db_ih, float *db_hh,
                  float *dpre, float *dh, float *dh_norms)
{
    memset(dh, 0, (size_t)B * H * sizeof *dh);
    for (int t = T - 1; t >= 0; t--) {
        double norm_sum = 0.0;
        for (int b = 0; b < B; b++) {
            size_t row = (size_t)t * B + b;
            const float *h = hs + (row + (size_t)B) * H; /* h_t */
            const float *dho = dh_out + row * H;
            const float *dhb = dh + (size_t)b * H;
            float *dp = dpre + row * H;
            double sq = 0.0;
            for (int j = 0; j < H; j++) {
                float d_h = dho[j] + dhb[j];
                sq += (double)d_h * d_h;
                dp[j] = d_h * (1.0f - h[j] * h[j]);
            }
            norm_sum += sqrt(sq);
        }
        dh_norms[t] = (float)(norm_sum / B);
        if (t > 0)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, H, H, 1.0f,
                        dpre + (size_t)t * B * H, H, w_hh, H, 0.0f, dh, H);
    }
    const int N = T * B;
    if (dw_ih) {
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, H, In, N, 1.0f, dpre, H, x, In,
                    0.0f, dw_ih, In);
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, H, H, N, 1.0f, dpre, H, hs, H,
                    0.0f, dw_hh, H);
        rnn_col_sums(dpre, N, H, db_ih);
        memcpy(db_hh, db_ih, (size_t)H * sizeof *db_hh);
    }
    if (dx)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, In, H, 1.0f, dpre, H,
                    w_ih, In, 0.0f, dx, In);
}
