/* cell_rnn.h — the recurrence of one plain tanh RNN layer, for a range of streams.
 *
 * PyTorch's nn.RNN(nonlinearity="tanh"): h' = tanh(W_ih x + b_ih + W_hh h + b_hh).
 * Raw float pointers with explicit sizes, row-major, time-major rows
 * (row t*B + b); every buffer belongs to the caller. Only the part that is
 * sequential in time lives here, for the streams b0..b1-1; the products over
 * the whole chunk are the model's (model.c). Not the place for dropout,
 * embedding or loss.
 */
#ifndef RNNSCOPE_CELL_RNN_H
#define RNNSCOPE_CELL_RNN_H

#include "cell_input.h"

/* pre: (T*B, H); on entry the rows of the range hold x W_ih^T + b_ih + b_hh
 * (or, with in non-NULL, are filled from in's table step by step), on exit
 * the whole pre-activation (h_{t-1} W_hh^T added). hs: ((T+1)*B, H), rows
 * 0..B-1 hold h0 on entry, rows (t+1)*B.. receive h_t. w_pack: NULL, or
 * w_hh^T packed by rgemm_pack (K = H, N = H). Touches only the rows of
 * streams [b0, b1). */
void rnn_forward_range(int T, int B, int b0, int b1, int H, const float *w_hh,
                       const float *w_pack, const CellInput *in, float *hs, float *pre);

/* dh_out: (T*B, H) gradient w.r.t. h_1..h_T from above. dpre: (T*B, H)
 * receives the gradient of the pre-activation; dh: (B, H) scratch (rows
 * b0..b1-1 used). norms: (T*B) receives per step and stream ||dLoss/dh_t||.
 * No gradient flows into h0. w_pack: NULL, or w_hh packed by rgemm_pack
 * (K = H, N = H). Touches only the rows of streams [b0, b1). */
void rnn_backward_range(int T, int B, int b0, int b1, int H, const float *w_hh,
                        const float *w_pack, const float *hs, const float *dh_out, float *dpre, float *dh,
                        double *norms);

#endif
