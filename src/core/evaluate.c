/* evaluate.c — stream loss and full-BPTT gradient (see evaluate.h). */
#include "evaluate.h"

#include <stdlib.h>

#define EVAL_CHUNK 256

int evaluate_stream_loss(Model *m, const int *ids, size_t n, double *mean_loss, Err *err)
{
    if (n < 2)
        return err_set(err, ERR_INPUT, "the text has %zu token(s); at least 2 are needed to predict one", n);
    Workspace *ws = workspace_new(&m->cfg, EVAL_CHUNK, 1);
    State st;
    state_init(&st, &m->cfg, 1);
    double sum = 0;
    size_t done = 0, total = n - 1;
    while (done < total) {
        size_t T = total - done < EVAL_CHUNK ? total - done : EVAL_CHUNK;
        /* model_forward returns the chunk's mean; weight it by its length */
        sum += (double)model_forward(m, ws, ids + done, ids + done + 1, (int)T, 1, &st, 0, NULL) * (double)T;
        done += T;
    }
    state_free(&st);
    workspace_free(ws);
    *mean_loss = sum / (double)total;
    return 0;
}

int evaluate_stream_grad(Model *m, const int *ids, size_t n, double *mean_loss, Err *err)
{
    if (n < 2)
        return err_set(err, ERR_INPUT, "the text has %zu token(s); at least 2 are needed to predict one", n);
    if (n - 1 > 2000000)
        return err_set(err, ERR_INPUT, "the text has %zu tokens; full backpropagation through time is "
                       "limited to 2000000 (use a shorter file)", n);
    int T = (int)(n - 1);
    Workspace *ws = workspace_new(&m->cfg, T, 1);
    State st;
    state_init(&st, &m->cfg, 1);
    *mean_loss = model_forward(m, ws, ids, ids + 1, T, 1, &st, 0, NULL);
    model_backward(m, ws);
    state_free(&st);
    workspace_free(ws);
    return 0;
}
