/* evaluate.c — stream loss, whole or fed in pieces, and full-BPTT gradient
 * (see evaluate.h). */
#include "evaluate.h"

#include <stdlib.h>
#include <string.h>

#include "corpus.h"

void eval_stream_init(EvalStream *e, Model *m)
{
    memset(e, 0, sizeof *e);
    e->m = m;
    e->ws = workspace_new(&m->cfg, EVAL_CHUNK, 1);
    state_init(&e->st, &m->cfg, 1);
}

/* Predict win[1..n_win) from win[0..n_win - 1), then keep the last id as the
 * next chunk's first input. */
static void eval_stream_run(EvalStream *e)
{
    int T = e->n_win - 1;
    /* model_forward returns the chunk's mean; weight it by its length */
    e->sum += (double)model_forward(e->m, e->ws, e->win, e->win + 1, T, 1, &e->st, 0, NULL) * (double)T;
    e->total += (size_t)T;
    e->win[0] = e->win[T];
    e->n_win = 1;
}

void eval_stream_feed(EvalStream *e, const int *ids, size_t n)
{
    while (n > 0) {
        size_t room = (size_t)(EVAL_CHUNK + 1 - e->n_win), take = n < room ? n : room;
        memcpy(e->win + e->n_win, ids, take * sizeof *ids);
        e->n_win += (int)take;
        ids += take;
        n -= take;
        if (e->n_win == EVAL_CHUNK + 1)
            eval_stream_run(e);
    }
}

int eval_stream_finish(EvalStream *e, double *mean_loss, Err *err)
{
    if (e->n_win > 1)
        eval_stream_run(e);
    if (e->total == 0)
        return err_set(err, ERR_INPUT, "the text has %d token(s); at least 2 are needed to predict one", e->n_win);
    *mean_loss = e->sum / (double)e->total;
    return 0;
}

void eval_stream_free(EvalStream *e)
{
    state_free(&e->st);
    workspace_free(e->ws);
    memset(e, 0, sizeof *e);
}

int evaluate_stream_loss(Model *m, const int *ids, size_t n, double *mean_loss, Err *err)
{
    if (n < 2)
        return err_set(err, ERR_INPUT, "the text has %zu token(s); at least 2 are needed to predict one", n);
    EvalStream e;
    eval_stream_init(&e, m);
    eval_stream_feed(&e, ids, n);
    int rc = eval_stream_finish(&e, mean_loss, err);
    eval_stream_free(&e);
    return rc;
}

static void evaluate_sink(void *ctx, const int *ids, size_t n)
{
    eval_stream_feed(ctx, ids, n);
}

int evaluate_file_loss(Model *m, const Tokenizer *tok, const char *path, double *mean_loss, size_t *n_pred,
                       size_t *n_unknown, Err *err)
{
    EvalStream e;
    *n_pred = 0;
    *n_unknown = 0;
    eval_stream_init(&e, m);
    int rc = corpus_encode_file(path, tok, 0, evaluate_sink, &e, n_unknown, err);
    if (!rc)
        rc = eval_stream_finish(&e, mean_loss, err);
    if (!rc)
        *n_pred = e.total;
    eval_stream_free(&e);
    return rc;
}

int evaluate_stream_grad(Model *m, const int *ids, size_t n, double *mean_loss, Err *err)
{
    if (n < 2)
        return err_set(err, ERR_INPUT, "the text has %zu token(s); at least 2 are needed to predict one", n);
    if (n - 1 > EVAL_GRAD_MAX_TOKENS)
        return err_set(err, ERR_INPUT, "the text has %zu tokens; full backpropagation through time is "
                       "limited to %d (use a shorter file)", n, EVAL_GRAD_MAX_TOKENS);
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
