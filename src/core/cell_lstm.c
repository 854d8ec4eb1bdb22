/* cell_lstm.c — LSTM layer forward/backward over a chunk (see cell_lstm.h).
 *
 * Cost shape: the input projection of all T*B rows is one sgemm; only
 * h_{t-1} W_hh^T runs per step; dW_ih, dW_hh and dx are one sgemm each over
 * T*B rows (dW_hh can be, because hs keeps h0 in front of h_1..h_T, so rows
 * 0..T*B-1 of hs are exactly the h_{t-1} of every step).
 */
#include "cell_lstm.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

#include "cell_math.h"

static void lstm_col_sums(const float *a, int rows, int cols, float *out)
{
    memset(out, 0, (size_t)cols * sizeof *out);
    for (int r = 0; r < rows; r++) {
        const float *row = a + (size_t)r * cols;
        for (int c = 0; c < cols; c++)
            out[c] += row[c];
    }
}

void lstm_forward(int T, int B, int In, int H, const float *x,
                  const float *w_ih, const float *w_hh, const float *b_ih, const float *b_hh,
                  float *hs, float *cs, float *gates, float *tc, float *scratch)
{
    const int G = 4 * H;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T * B, G, In, 1.0f, x, In,
                w_ih, In, 0.0f, gates, G);
    for (int t = 0; t < T; t++) {
        const float *h_prev = hs + (size_t)t * B * H;
        const float *c_prev = cs + (size_t)t * B * H;
        float *h_out = hs + (size_t)(t + 1) * B * H;
        float *c_out = cs + (size_t)(t + 1) * B * H;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, G, H, 1.0f, h_prev, H,
                    w_hh, H, 0.0f, scratch, G);
        for (int b = 0; b < B; b++) {
            float *g = gates + ((size_t)t * B + b) * G;
            const float *s = scratch + (size_t)b * G;
            const float *cp = c_prev + (size_t)b * H;
            float *hn = h_out + (size_t)b * H;
            float *cn = c_out + (size_t)b * H;
            float *tcn = tc + ((size_t)t * B + b) * H;
            for (int j = 0; j < G; j++)
                g[j] = g[j] + s[j] + b_ih[j] + b_hh[j];
            cell_sigmoid_vec(g, g, 2 * H);
            cell_tanh_vec(g + 2 * H, g + 2 * H, H);
            cell_sigmoid_vec(g + 3 * H, g + 3 * H, H);
            for (int j = 0; j < H; j++)
                cn[j] = g[H + j] * cp[j] + g[j] * g[2 * H + j];
            cell_tanh_vec(tcn, cn, H);
            for (int j = 0; j < H; j++)
                hn[j] = g[3 * H + j] * tcn[j];
        }
    }
}

void lstm_backward(int T, int B, int In, int H, const float *x,
                   const float *w_ih, const float *w_hh,
                   const float *hs, const float *cs, const float *gates, const float *tc,
                   const float *dh_out, float *dx,
                   float *dw_ih, float *dw_hh, float *db_ih, float *db_hh,
                   float *dpre, float *dh, float *dc, float *dh_norms)
{
    const int G = 4 * H;
    memset(dh, 0, (size_t)B * H * sizeof *dh);
    memset(dc, 0, (size_t)B * H * sizeof *dc);
    for (int t = T - 1; t >= 0; t--) {
        double norm_sum = 0.0;
        for (int b = 0; b < B; b++) {
            size_t row = (size_t)t * B + b;
            const float *g = gates + row * G;
            const float *th = tc + row * H;
            const float *cp = cs + row * H; /* c_{t-1}: row t*B+b of the prepended layout */
            const float *dho = dh_out + row * H;
            float *dp = dpre + row * G;
            float *dhb = dh + (size_t)b * H;
            float *dcb = dc + (size_t)b * H;
            double sq = 0.0;
            for (int j = 0; j < H; j++) {
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
            norm_sum += sqrt(sq);
        }
        dh_norms[t] = (float)(norm_sum / B);
        if (t > 0)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, H, G, 1.0f,
                        dpre + (size_t)t * B * G, G, w_hh, H, 0.0f, dh, H);
    }
    const int N = T * B;
    if (dw_ih) {
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, G, In, N, 1.0f, dpre, G, x, In,
                    0.0f, dw_ih, In);
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, G, H, N, 1.0f, dpre, G, hs, H,
                    0.0f, dw_hh, H);
        lstm_col_sums(dpre, N, G, db_ih);
        memcpy(db_hh, db_ih, (size_t)G * sizeof *db_hh);
    }
    if (dx)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, In, G, 1.0f, dpre, G,
                    w_ih, In, 0.0f, dx, In);
}
