/* cell_lstm.h — the recurrence of one LSTM layer over a chunk, for a range of streams.
 *
 * PyTorch's nn.LSTM semantics: gate row blocks i, f, g, o of the (4H, In)
 * and (4H, H) weights;  c' = f*c + i*g,  h' = o*tanh(c').
 * Raw float pointers with explicit sizes, row-major, time-major rows
 * (row t*B + b). Only the part that is sequential in time lives here: the
 * per-step h_{t-1} W_hh^T product and the gate math, forward and backward,
 * for the streams b0..b1-1 (the streams of a chunk are independent, so
 * disjoint ranges can run on different threads). The products over the whole
 * chunk (input projection, dW_ih, dW_hh, dx, bias sums) are the model's
 * (model.c), the same for every cell. Every buffer is owned by the caller;
 * nothing is allocated here. Not the place for dropout, embedding or loss.
 */
#ifndef RNNSCOPE_CELL_LSTM_H
#define RNNSCOPE_CELL_LSTM_H

#include "cell_input.h"

/* gates: (T*B, 4H); on entry the rows of the range hold x W_ih^T + b_ih + b_hh
 * (or, with in non-NULL, are filled from in's table step by step), on exit the
 * activated i, f, g, o. hs, cs: ((T+1)*B, H); rows 0..B-1 hold
 * h0/c0 on entry, rows (t+1)*B.. receive h_t/c_t. tc: (T*B, H) receives
 * tanh(c_t). w_pack: NULL, or w_hh^T packed by rgemm_pack (K = H, N = 4H),
 * used instead of w_hh. Touches only the rows of streams [b0, b1). */
void lstm_forward_range(int T, int B, int b0, int b1, int H, const float *w_hh,
                        const float *w_pack, const CellInput *in, float *hs, float *cs, float *gates,
                        float *tc);

/* dh_out: (T*B, H) gradient of the loss w.r.t. the layer's outputs h_1..h_T.
 * dpre: (T*B, 4H) receives the gradient of the gate pre-activations; dh, dc:
 * (B, H) scratch (rows b0..b1-1 used). norms: (T*B) receives per step and
 * stream ||dLoss/dh_t||, including the recurrent path. No gradient flows into
 * h0/c0. w_pack: NULL, or w_hh packed by rgemm_pack (K = 4H, N = H).
 * Touches only the rows of streams [b0, b1). */
void lstm_backward_range(int T, int B, int b0, int b1, int H, const float *w_hh,
                         const float *w_pack, const float *cs, const float *gates, const float *tc,
                         const float *dh_out, float *dpre, float *dh, float *dc, double *norms);

#endif
