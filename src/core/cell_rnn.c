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
#include "rgemm.h"

void rnn_forward_range(int T, int B, int b0, int b1, int H, const float *w_hh,
                       const float *w_pack, float *hs, float *pre)
{
    const int nb = b1 - b0;
    if (nb <= 0)
        return;
    for (int t = 0; t < T; t++) {
        const size_t r0 = (size_t)t * B + b0;
        if (w_pack)
            rgemm(nb, H, H, hs + r0 * H, H, w_pack, 1, pre + r0 * H, H);
        else
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, nb, H, H, 1.0f, hs + r0 * H, H,
                        w_hh, H, 1.0f, pre + r0 * H, H);
        /* the range's rows of step t are contiguous in both buffers */
        cell_tanh_vec(hs + (r0 + B) * H, pre + r0 * H, nb * H);
    }
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
            double sq = 0.0;
            for (int j = 0; j < H; j++) {
                float d_h = dho[j] + dhb[j];
                sq += (double)d_h * d_h;
                dp[j] = d_h * (1.0f - h[j] * h[j]);
            }
            norms[row] = sqrt(sq);
        }
        if (t > 0 && w_pack)
            rgemm(nb, H, H, dpre + r0 * H, H, w_pack, 0, dh + (size_t)b0 * H, H);
        else if (t > 0)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, nb, H, H, 1.0f,
                        dpre + r0 * H, H, w_hh, H, 0.0f, dh + (size_t)b0 * H, H);
    }
}
