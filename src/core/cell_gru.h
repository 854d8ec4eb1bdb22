/* cell_gru.h — one GRU layer over a whole chunk, forward and backward.
 *
 * PyTorch's nn.GRU semantics: gate row blocks r, z, n;
 *   r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
 *   z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
 *   n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
 *   h' = (1 - z) * n + z * h
 * Raw float pointers with explicit sizes, row-major, time-major rows
 * (row t*B + b); every buffer belongs to the caller. Not the place for
 * dropout, embedding or loss.
 */
#ifndef RNNSCOPE_CELL_GRU_H
#define RNNSCOPE_CELL_GRU_H

/* x: (T*B, In). hs: ((T+1)*B, H), rows 0..B-1 hold h0 on entry, rows
 * (t+1)*B.. receive h_t. gates: (T*B, 3H) receives activated r, z, n;
 * hn: (T*B, H) receives W_hn h_{t-1} + b_hn; scratch: (B, 3H). */
void gru_forward(int T, int B, int In, int H, const float *x,
                 const float *w_ih, const float *w_hh, const float *b_ih, const float *b_hh,
                 float *hs, float *gates, float *hn, float *scratch);

/* dh_out: (T*B, H) gradient w.r.t. h_1..h_T from above. Overwrites dw_ih (3H, In),
 * dw_hh (3H, H), db_ih, db_hh (3H) and, unless NULL, dx (T*B, In).
 * dpre_x, dpre_h: (T*B, 3H) scratch (gradients of the input-side and
 * hidden-side pre-activations, which differ in the n block); dh: (B, H) scratch.
 * dh_norms (T): per step the mean over B of ||dLoss/dh_t||. No gradient flows
 * into h0. dw_ih NULL skips the weight gradients (dw_hh, db_ih, db_hh and x
 * are then unused and may be NULL): only dx and dh_norms, about a third of the
 * work, for the decay probe. */
void gru_backward(int T, int B, int In, int H, const float *x,
                  const float *w_ih, const float *w_hh,
                  const float *hs, const float *gates, const float *hn,
                  const float *dh_out, float *dx,
                  float *dw_ih, float *dw_hh, float *db_ih, float *db_hh,
                  float *dpre_x, float *dpre_h, float *dh, float *dh_norms);

#endif
