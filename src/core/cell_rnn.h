/* cell_rnn.h — one plain tanh RNN layer over a whole chunk, forward and backward.
 *
 * PyTorch's nn.RNN(nonlinearity="tanh"): h' = tanh(W_ih x + b_ih + W_hh h + b_hh).
 * Raw float pointers with explicit sizes, row-major, time-major rows
 * (row t*B + b); every buffer belongs to the caller. Not the place for
 * dropout, embedding or loss.
 */
#ifndef RNNSCOPE_CELL_RNN_H
#define RNNSCOPE_CELL_RNN_H

/* x: (T*B, In). hs: ((T+1)*B, H), rows 0..B-1 hold h0 on entry, rows
 * (t+1)*B.. receive h_t (which are also the activated "gates"). pre: (T*B, H)
 * scratch for the input projection; scratch: (B, H). */
void rnn_forward(int T, int B, int In, int H, const float *x,
                 const float *w_ih, const float *w_hh, const float *b_ih, const float *b_hh,
                 float *hs, float *pre, float *scratch);

/* dh_out: (T*B, H) gradient w.r.t. h_1..h_T from above. Overwrites dw_ih (H, In),
 * dw_hh (H, H), db_ih, db_hh (H) and, unless NULL, dx (T*B, In). dpre: (T*B, H)
 * and dh: (B, H) scratch. dh_norms (T): per step the mean over B of
 * ||dLoss/dh_t||. No gradient flows into h0. dw_ih NULL skips the weight
 * gradients (dw_hh, db_ih, db_hh and x are then unused and may be NULL): only
 * dx and dh_norms, about a third of the work, for the decay probe. */
void rnn_backward(int T, int B, int In, int H, const float *x,
                  const float *w_ih, const float *w_hh, const float *hs,
                  const float *dh_out, float *dx,
                  float *dw_ih, float *dw_hh, float *db_ih, float *db_hh,
                  float *dpre, float *dh, float *dh_norms);

#endif
