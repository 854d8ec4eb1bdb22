/* cell_lstm.h — one LSTM layer over a whole chunk, forward and backward.
 *
 * PyTorch's nn.LSTM semantics: gate row blocks i, f, g, o of the (4H, In)
 * and (4H, H) weights;  c' = f*c + i*g,  h' = o*tanh(c').
 * Raw float pointers with explicit sizes, row-major, time-major rows
 * (row t*B + b). Every buffer is owned by the caller (the model's Workspace);
 * nothing is allocated here. Not the place for dropout, embedding or loss.
 */
#ifndef RNNSCOPE_CELL_LSTM_H
#define RNNSCOPE_CELL_LSTM_H

/* x: (T*B, In) input rows. hs, cs: ((T+1)*B, H); rows 0..B-1 hold the initial
 * h0/c0 on entry, rows (t+1)*B.. receive h_t/c_t. gates: (T*B, 4H) receives the
 * activated gates; tc: (T*B, H) receives tanh(c_t); scratch: (B, 4H). */
void lstm_forward(int T, int B, int In, int H, const float *x,
                  const float *w_ih, const float *w_hh, const float *b_ih, const float *b_hh,
                  float *hs, float *cs, float *gates, float *tc, float *scratch);

/* dh_out: (T*B, H) gradient of the loss w.r.t. the layer's outputs h_1..h_T.
 * Overwrites dw_ih (4H, In), dw_hh (4H, H), db_ih, db_hh (4H) and, unless NULL,
 * dx (T*B, In). dpre: (T*B, 4H), dh, dc: (B, H) scratch. dh_norms (T) receives,
 * per step, the mean over the B streams of ||dLoss/dh_t|| including the
 * recurrent path. No gradient flows into h0/c0. dw_ih NULL skips the weight
 * gradients (dw_hh, db_ih, db_hh and x are then unused and may be NULL): only
 * dx and dh_norms, about a third of the work, for the decay probe. */
void lstm_backward(int T, int B, int In, int H, const float *x,
                   const float *w_ih, const float *w_hh,
                   const float *hs, const float *cs, const float *gates, const float *tc,
                   const float *dh_out, float *dx,
                   float *dw_ih, float *dw_hh, float *db_ih, float *db_hh,
                   float *dpre, float *dh, float *dc, float *dh_norms);

#endif
