/* evaluate.h — loss and gradient of a model over one token stream.
 *
 * The definitions of `rnnscope eval` and `rnnscope grad` (DESIGN.md): the text
 * is one stream read from a zero state, and the loss is the mean cross-entropy
 * of predicting token i+1 from tokens 0..i, over every i. The loss is computed
 * in chunks with the state carried (exact, since nothing flows backward); the
 * gradient uses full backpropagation through the whole stream, dropout off.
 */
#ifndef RNNSCOPE_EVALUATE_H
#define RNNSCOPE_EVALUATE_H

#include <stddef.h>

#include "err.h"
#include "model.h"

/* Mean loss over the n-1 predictions of ids[0..n). ERR_INPUT if n < 2. */
int evaluate_stream_loss(Model *m, const int *ids, size_t n, double *mean_loss, Err *err);

/* Same loss, and its gradient for every parameter into m->grads. */
int evaluate_stream_grad(Model *m, const int *ids, size_t n, double *mean_loss, Err *err);

#endif
