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
#include "rgemm.h"

void gru_forward_range(int T, int B, int b0, int b1, int H, const float *w_hh,
                       const float *w_pack, const float *b_hh, float *hs, float *gates, float *hn)
{
    const int G = 3 * H, nb = b1 - b0;
    if (nb <= 0)
        return;
    const float *b_hn = b_hh + 2 * H;
    for (int t = 0; t < T; t++) {
        const size_t r0 = (size_t)t * B + b0;
        const float *h_prev = hs + r0 * H;
        if (w_pack) {
            rgemm(nb, 2 * H, H, h_prev, H, w_pack, 1, gates + r0 * G, G);
            rgemm(nb, H, H, h_prev, H, w_pack + rgemm_pack_size(H, 2 * H), 0, hn + r0 * H, H);
        } else {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, nb, 2 * H, H, 1.0f, h_prev, H,
                        w_hh, H, 1.0f, gates + r0 * G, G);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, nb, H, H, 1.0f, h_prev, H,
                        w_hh + (size_t)2 * H * H, H, 0.0f, hn + r0 * H, H);
        }
        for (int b = 0; b < nb; b++) {
            size_t row = r0 + b;
            float *g = gates + row * G;
            float *hnr = hn + row * H;
            const float *hp = hs + row * H;
            float *ho = hs + (row + B) * H;
            cell_sigmoid_vec(g, g, 2 * H);
            for (int j = 0; j < H; j++) {
                hnr[j] += b_hn[j];
                g[2 * H + j] = g[2 * H + j] + g[j] * hnr[j];
            }
            cell_tanh_vec(g + 2 * H, g + 2 * H, H);
            for (int j = 0; j < H; j++) {
                float z = g[H + j], n = g[2 * H + j];
                ho[j] = (1.0f - z) * n + z * hp[j];
            }
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
            norms[row] = sqrt(sq);
        }
        if (t > 0 && w_pack)
            rgemm(nb, H, G, dpre_h + r0 * G, G, w_pack, 1, dh + (size_t)b0 * H, H);
        else if (t > 0)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, nb, H, G, 1.0f,
                        dpre_h + r0 * G, G, w_hh, H, 1.0f, dh + (size_t)b0 * H, H);
    }
}
