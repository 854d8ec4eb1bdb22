/* prompt.c — incremental prefix state for the probability bars (see prompt.h). */
#include "prompt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void prompt_rnn_init(PromptRnn *r, const Model *m)
{
    const ModelConfig *c = &m->cfg;
    size_t lh = (size_t)c->layers * c->hidden;
    int in = c->embed > c->hidden ? c->embed : c->hidden;
    r->m = m;
    r->h = xcalloc(lh, sizeof(float));
    r->c = c->cell == CELL_LSTM ? xcalloc(lh, sizeof(float)) : NULL;
    r->x = xcalloc((size_t)in, sizeof(float));
    r->gates = xcalloc(8 * (size_t)c->hidden, sizeof(float));
    r->logits = xcalloc((size_t)c->vocab, sizeof(float));
    r->have_logits = 0;
}

void prompt_rnn_free(PromptRnn *r)
{
    free(r->h);
    free(r->c);
    free(r->x);
    free(r->gates);
    free(r->logits);
    memset(r, 0, sizeof *r);
}

void prompt_rnn_reset(PromptRnn *r)
{
    const ModelConfig *c = &r->m->cfg;
    size_t lh = (size_t)c->layers * c->hidden;
    memset(r->h, 0, sizeof(float) * lh);
    if (r->c)
        memset(r->c, 0, sizeof(float) * lh);
    r->have_logits = 0;
}

void prompt_rnn_copy(PromptRnn *dst, const PromptRnn *src)
{
    const ModelConfig *c = &src->m->cfg;
    size_t lh = (size_t)c->layers * c->hidden;
    memcpy(dst->h, src->h, sizeof(float) * lh);
    if (src->c && dst->c)
        memcpy(dst->c, src->c, sizeof(float) * lh);
    memcpy(dst->logits, src->logits, sizeof(float) * (size_t)c->vocab);
    dst->have_logits = src->have_logits;
}

/* y (rows) = W (rows, n) x + b, eight partial sums per row so the loop is
 * not one long dependency chain. */
static void prompt_matvec(const float *W, const float *b, const float *x, int rows, int n, float *y)
{
    for (int i = 0; i < rows; i++) {
        const float *w = W + (size_t)i * n;
        float s[8] = {0};
        int j = 0;
        for (; j + 8 <= n; j += 8)
            for (int k = 0; k < 8; k++)
                s[k] += w[j + k] * x[j + k];
        float t = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
        for (; j < n; j++)
            t += w[j] * x[j];
        y[i] = t + (b ? b[i] : 0.0f);
    }
}

static float prompt_sigmoid(float v)
{
    return 1.0f / (1.0f + expf(-v));
}

const float *prompt_rnn_feed(PromptRnn *r, int token)
{
    const Model *m = r->m;
    const ModelConfig *c = &m->cfg;
    if (token < 0 || token >= c->vocab)
        return NULL;
    int H = c->hidden, G = cell_gates(c->cell);
    int in = c->embed;
    memcpy(r->x, model_tensor(m, TENSOR_EMBEDDING) + (size_t)token * c->embed, sizeof(float) * (size_t)c->embed);
    float *gi = r->gates, *gh = r->gates + 4 * (size_t)H;
    for (int k = 0; k < c->layers; k++) {
        float *h = r->h + (size_t)k * H;
        prompt_matvec(model_tensor(m, TENSOR_W_IH(k)), model_tensor(m, TENSOR_B_IH(k)), r->x, G * H, in, gi);
        prompt_matvec(model_tensor(m, TENSOR_W_HH(k)), model_tensor(m, TENSOR_B_HH(k)), h, G * H, H, gh);
        if (c->cell == CELL_LSTM) {
            float *cs = r->c + (size_t)k * H;
            for (int j = 0; j < H; j++) {
                float ig = prompt_sigmoid(gi[j] + gh[j]);
                float fg = prompt_sigmoid(gi[H + j] + gh[H + j]);
                float gg = tanhf(gi[2 * H + j] + gh[2 * H + j]);
                float og = prompt_sigmoid(gi[3 * H + j] + gh[3 * H + j]);
                cs[j] = fg * cs[j] + ig * gg;
                h[j] = og * tanhf(cs[j]);
            }
        } else if (c->cell == CELL_GRU) {
            for (int j = 0; j < H; j++) {
                float rg = prompt_sigmoid(gi[j] + gh[j]);
                float zg = prompt_sigmoid(gi[H + j] + gh[H + j]);
                float ng = tanhf(gi[2 * H + j] + rg * gh[2 * H + j]);
                h[j] = (1.0f - zg) * ng + zg * h[j];
            }
        } else {
            for (int j = 0; j < H; j++)
                h[j] = tanhf(gi[j] + gh[j]);
        }
        memcpy(r->x, h, sizeof(float) * (size_t)H);
        in = H;
    }
    prompt_matvec(model_tensor(m, TENSOR_HEAD_W(c->layers)), model_tensor(m, TENSOR_HEAD_B(c->layers)),
                  r->h + (size_t)(c->layers - 1) * H, c->vocab, H, r->logits);
    r->have_logits = 1;
    return r->logits;
}

void prompt_init(Prompt *p, Model *m, const Tokenizer *tok)
{
    memset(p, 0, sizeof *p);
    p->m = m;
    p->tok = tok;
    prompt_rnn_init(&p->s, m);
    const ModelConfig *c = &m->cfg;
    p->state_sz = (size_t)c->layers * c->hidden * (c->cell == CELL_LSTM ? 2 : 1);
    p->saved = xmalloc(sizeof(float) * p->state_sz * PROMPT_MAX_SAVED);
    p->saved_logits = xmalloc(sizeof(float) * (size_t)c->vocab * PROMPT_MAX_SAVED);
    p->cap = 64;
    p->ids = xmalloc(sizeof(int) * p->cap);
}

void prompt_free(Prompt *p)
{
    prompt_rnn_free(&p->s);
    free(p->saved);
    free(p->saved_logits);
    free(p->ids);
    memset(p, 0, sizeof *p);
}

static void prompt_save(Prompt *p, size_t k)
{
    if (k >= PROMPT_MAX_SAVED)
        return;
    const ModelConfig *c = &p->m->cfg;
    size_t lh = (size_t)c->layers * c->hidden;
    float *dst = p->saved + k * p->state_sz;
    memcpy(dst, p->s.h, sizeof(float) * lh);
    if (p->s.c)
        memcpy(dst + lh, p->s.c, sizeof(float) * lh);
    memcpy(p->saved_logits + k * (size_t)c->vocab, p->s.logits, sizeof(float) * (size_t)c->vocab);
}

/* Put the sampler in the state after ids[0..k) (k >= 1, k <= saved). */
static void prompt_restore(Prompt *p, size_t k)
{
    const ModelConfig *c = &p->m->cfg;
    size_t lh = (size_t)c->layers * c->hidden;
    const float *src = p->saved + (k - 1) * p->state_sz;
    memcpy(p->s.h, src, sizeof(float) * lh);
    if (p->s.c)
        memcpy(p->s.c, src + lh, sizeof(float) * lh);
    memcpy(p->s.logits, p->saved_logits + (k - 1) * (size_t)c->vocab, sizeof(float) * (size_t)c->vocab);
    p->s.have_logits = 1;
}

long prompt_set_text(Prompt *p, const char *text, size_t len)
{
    int *ids = NULL;
    size_t n = 0, unk = 0;
    Err err;
    if (tokenizer_encode(p->tok, text, len, &ids, &n, &unk, NULL, "prompt", &err) != 0)
        return -1;
    p->n_unknown = unk;
    if (n == 0) {
        free(ids);
        ids = xmalloc(sizeof(int));
        ids[0] = sample_start_token(p->tok);
        n = 1;
    }
    /* longest prefix whose state is still valid */
    size_t keep = 0;
    if (!p->stale) {
        size_t lim = n < p->n_ids ? n : p->n_ids;
        while (keep < lim && ids[keep] == p->ids[keep])
            keep++;
        if (keep > p->n_saved)
            keep = p->n_saved;
    }
    if (keep == n && keep == p->n_ids && !p->stale && !p->moved && p->s.have_logits) {
        free(ids);
        return 0;
    }
    p->moved = 0;
    if (keep > 0)
        prompt_restore(p, keep);
    else
        prompt_rnn_reset(&p->s);
    p->n_saved = keep;
    long fed = 0;
    for (size_t k = keep; k < n; k++) {
        if (!prompt_rnn_feed(&p->s, ids[k]))
            break; /* cannot happen: ids come from the same tokenizer */
        fed++;
        prompt_save(p, k);
        if (k < PROMPT_MAX_SAVED)
            p->n_saved = k + 1;
    }
    if (n > p->cap) {
        p->cap = n * 2;
        p->ids = xrealloc(p->ids, sizeof(int) * p->cap);
    }
    memcpy(p->ids, ids, sizeof(int) * n);
    p->n_ids = n;
    p->stale = 0;
    p->fed_total += fed;
    free(ids);
    return fed;
}

void prompt_weights_changed(Prompt *p)
{
    p->stale = 1;
}

void prompt_invalidate(Prompt *p)
{
    p->moved = 1;
}

const float *prompt_logits(const Prompt *p)
{
    return p->s.have_logits && p->n_ids > 0 ? p->s.logits : NULL;
}

PromptRnn *prompt_stream(Prompt *p)
{
    return &p->s;
}
