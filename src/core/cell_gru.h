/* cell_gru.h — the recurrence of one GRU layer over a chunk, for a range of streams.
 *
 * PyTorch's nn.GRU semantics: gate row blocks r, z, n;
 *   r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
 *   z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
 *   n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
 *   h' = (1 - z) * n + z * h
 * Raw float pointers with explicit sizes, row-major, time-major rows
 * (row t*B + b); every buffer belongs to the caller. Only the part that is
 * sequential in time lives here, for the streams b0..b1-1; the products over
 * the whole chunk are the model's (model.c). Not the place for dropout,
 * embedding or loss.
 */
#ifndef RNNSCOPE_CELL_GRU_H
#define RNNSCOPE_CELL_GRU_H

#include "cell_input.h"

/* gates: (T*B, 3H); on entry the rows of the range hold x W_ih^T + b_ih, plus
 * b_hh in the r and z blocks only (b_hn sits inside the r product), or, with
 * in non-NULL, are filled from in's table step by step; on exit
 * the activated r, z, n. b_hh: (3H). hs: ((T+1)*B, H), rows 0..B-1 hold h0 on
 * entry, rows (t+1)*B.. receive h_t. hn: (T*B, H) receives W_hn h_{t-1} + b_hn.
 * w_pack: NULL, or the r, z rows of w_hh transposed and packed by rgemm_pack
 * (K = H, N = 2H) followed by the n rows (K = H, N = H), used instead of w_hh.
 * Touches only the rows of streams [b0, b1). */
void gru_forward_range(int T, int B, int b0, int b1, int H, const float *w_hh,
                       const float *w_pack, const CellInput *in, const float *b_hh, float *hs,
                       float *gates, float *hn);

/* dh_out: (T*B, H) gradient w.r.t. h_1..h_T from above. dpre_x, dpre_h:
 * (T*B, 3H) receive the gradients of the input-side and hidden-side
 * pre-activations (they differ in the n block); dh: (B, H) scratch (rows
 * b0..b1-1 used). norms: (T*B) receives per step and stream ||dLoss/dh_t||.
 * No gradient flows into h0. w_pack: NULL, or w_hh packed by rgemm_pack
 * (K = 3H, N = H). Touches only the rows of streams [b0, b1). */
void gru_backward_range(int T, int B, int b0, int b1, int H, const float *w_hh,
                        const float *w_pack, const float *hs, const float *gates, const float *hn,
                        const float *dh_out, float *dpre_x, float *dpre_h, float *dh,
                        double *norms);

#endif
