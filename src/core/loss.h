/* loss.h — softmax cross-entropy over rows of logits.
 *
 * The mean over N rows of -log softmax(logits[r])[y[r]], computed stably with
 * log-sum-exp, and in the same pass the gradient of that mean w.r.t. the
 * logits. Not the place for the head projection or sampling temperature.
 */
#ifndef RNNSCOPE_LOSS_H
#define RNNSCOPE_LOSS_H

/* logits, dlogits: (N, V); y: (N) targets in [0, V). dlogits may be NULL (loss
 * only) and may not alias logits. Returns the mean loss, accumulated in double. */
double loss_softmax_xent(int N, int V, const float *logits, const int *y, float *dlogits);

/* Rows [r0, r1) of the same computation over N rows in all (dlogits is scaled
 * by 1/N): row_loss[r] receives row r's loss. Disjoint ranges may run on
 * different threads; summing row_loss[0..N-1] in order and dividing by N gives
 * exactly loss_softmax_xent's result, whatever the split. */
void loss_softmax_xent_rows(int r0, int r1, int N, int V, const float *logits, const int *y,
                            float *dlogits, double *row_loss);

/* The sum of exp(l[v] - mx) over v < V that a row's loss takes the log of,
 * in double, in the fixed shape every path shares (loss.c): for tests. */
double loss_sum_exp(const float *l, int V, float mx);

#endif
