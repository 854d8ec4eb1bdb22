/* evaluate.h — loss and gradient of a model over one token stream.
 *
 * The definitions of `rnnscope eval` and `rnnscope grad` (DESIGN.md): the text
 * is one stream read from a zero state, and the loss is the mean cross-entropy
 * of predicting token i+1 from tokens 0..i, over every i. The loss is computed
 * in chunks of EVAL_CHUNK predictions with the state carried (exact, since
 * nothing flows backward) and summed in double, chunk after chunk; a stream
 * fed in pieces (EvalStream) cuts the same chunks and so gives the same sum
 * bit for bit. The gradient uses full backpropagation through the whole
 * stream, dropout off.
 */
#ifndef RNNSCOPE_EVALUATE_H
#define RNNSCOPE_EVALUATE_H

#include <stddef.h>

#include "err.h"
#include "model.h"
#include "tokenizer.h"

#define EVAL_CHUNK 256

/* The loss of a stream whose ids arrive a run at a time. */
typedef struct {
    Model *m;
    Workspace *ws;             /* for EVAL_CHUNK steps of one stream */
    State st;                  /* carried from chunk to chunk */
    int win[EVAL_CHUNK + 1];   /* the next chunk's inputs and, one later, its targets */
    int n_win;                 /* ids in win */
    double sum;                /* sum over the chunks so far of mean loss * length */
    size_t total;              /* predictions so far */
} EvalStream;

void eval_stream_init(EvalStream *e, Model *m);
void eval_stream_feed(EvalStream *e, const int *ids, size_t n);
/* Run what is left; *mean_loss over every prediction. ERR_INPUT if the stream
 * had fewer than 2 tokens. */
int eval_stream_finish(EvalStream *e, double *mean_loss, Err *err);
void eval_stream_free(EvalStream *e);

/* Mean loss over the n-1 predictions of ids[0..n). ERR_INPUT if n < 2. */
int evaluate_stream_loss(Model *m, const int *ids, size_t n, double *mean_loss, Err *err);

/* The same loss of the text file at path encoded with tok, read through a
 * fixed block: memory does not grow with the file, and there is no size
 * limit. *n_pred: predictions (tokens - 1). *n_unknown: tokens read as <unk>,
 * set once the whole file was encoded (also when it then has too few tokens),
 * else 0. Errors as corpus_encode_file, then as evaluate_stream_loss. */
int evaluate_file_loss(Model *m, const Tokenizer *tok, const char *path, double *mean_loss, size_t *n_pred,
                       size_t *n_unknown, Err *err);

/* Same loss, and its gradient for every parameter into m->grads; ERR_INPUT
 * when there are more than EVAL_GRAD_MAX_TOKENS predictions (ids is not read
 * then). */
#define EVAL_GRAD_MAX_TOKENS 2000000
int evaluate_stream_grad(Model *m, const int *ids, size_t n, double *mean_loss, Err *err);

#endif
