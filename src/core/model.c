/* model.c — the recurrent language model: embedding -> L cells -> head (see model.h).
 *
 * This file owns the parameter layout, the hidden state, the Workspace and
 * the glue of one chunk: embedding gather, the per-layer cell calls
 * (cell_lstm.c, cell_gru.c, cell_rnn.c), dropout between layers, the head
 * projection and the loss (loss.c), and the same in reverse; and the decay
 * probe, a lean second backward over the same stored activations. It is not
 * the optimizer, the clipping or the trainer.
 *
 * Every activation buffer is allocated once by workspace_new for the largest
 * chunk; model_forward / model_backward / model_backward_probe only index into
 * it, and the inspector reads it in place (the workspace_layer_* views).
 */
#include "model.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cell_gru.h"
#include "cell_lstm.h"
#include "cell_rnn.h"
#include "loss.h"

enum { MODEL_MAX_LAYERS = 64, MODEL_MAX_DIM = 1 << 16, MODEL_MAX_VOCAB = 1 << 24 };

int cell_gates(CellType c)
{
    switch (c) {
    case CELL_LSTM: return 4;
    case CELL_GRU: return 3;
    case CELL_RNN: return 1;
    }
    return 0;
}

const char *cell_name(CellType c)
{
    switch (c) {
    case CELL_LSTM: return "lstm";
    case CELL_GRU: return "gru";
    case CELL_RNN: return "rnn";
    }
    return "?";
}

int cell_parse(const char *s, CellType *out)
{
    static const CellType all[] = { CELL_LSTM, CELL_GRU, CELL_RNN };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        if (s && strcmp(s, cell_name(all[i])) == 0) {
            *out = all[i];
            return 0;
        }
    }
    return -1;
}

static int model_check_config(const ModelConfig *cfg, Err *err)
{
    if (cell_gates(cfg->cell) == 0)
        return err_set(err, ERR_INPUT, "model: unknown cell type %d; use lstm, gru or rnn",
                       (int)cfg->cell);
    if (cfg->layers < 1 || cfg->layers > MODEL_MAX_LAYERS)
        return err_set(err, ERR_INPUT, "model: --layers %d out of range; use 1..%d",
                       cfg->layers, MODEL_MAX_LAYERS);
    if (cfg->hidden < 1 || cfg->hidden > MODEL_MAX_DIM)
        return err_set(err, ERR_INPUT, "model: --hidden %d out of range; use 1..%d",
                       cfg->hidden, MODEL_MAX_DIM);
    if (cfg->embed < 1 || cfg->embed > MODEL_MAX_DIM)
        return err_set(err, ERR_INPUT, "model: --embed %d out of range; use 1..%d",
                       cfg->embed, MODEL_MAX_DIM);
    if (cfg->vocab < 1 || cfg->vocab > MODEL_MAX_VOCAB)
        return err_set(err, ERR_INPUT, "model: vocabulary size %d out of range; use 1..%d",
                       cfg->vocab, MODEL_MAX_VOCAB);
    if (!(cfg->dropout >= 0.0f && cfg->dropout < 1.0f))
        return err_set(err, ERR_INPUT, "model: --dropout %g out of range; use [0, 1)",
                       (double)cfg->dropout);
    return ERR_OK;
}

static void model_add_view(Model *m, int idx, const char *name, size_t *offset, int ndim,
                           int d0, int d1)
{
    TensorView *v = &m->tensors[idx];
    snprintf(v->name, sizeof v->name, "%s", name);
    v->offset = *offset;
    v->ndim = ndim;
    v->shape[0] = d0;
    v->shape[1] = ndim == 2 ? d1 : 0;
    v->size = (size_t)d0 * (ndim == 2 ? (size_t)d1 : 1);
    *offset += v->size;
}

int model_new(Model *m, const ModelConfig *cfg, Err *err)
{
    memset(m, 0, sizeof *m);
    int rc = model_check_config(cfg, err);
    if (rc)
        return rc;
    const int L = cfg->layers, H = cfg->hidden, E = cfg->embed, V = cfg->vocab;
    const int GH = cell_gates(cfg->cell) * H;
    m->cfg = *cfg;
    m->n_tensors = 3 + 4 * L;
    m->tensors = xcalloc((size_t)m->n_tensors, sizeof *m->tensors);
    size_t off = 0;
    char name[48];
    model_add_view(m, TENSOR_EMBEDDING, "embedding.weight", &off, 2, V, E);
    for (int k = 0; k < L; k++) {
        snprintf(name, sizeof name, "rnn.weight_ih_l%d", k);
        model_add_view(m, TENSOR_W_IH(k), name, &off, 2, GH, k == 0 ? E : H);
        snprintf(name, sizeof name, "rnn.weight_hh_l%d", k);
        model_add_view(m, TENSOR_W_HH(k), name, &off, 2, GH, H);
        snprintf(name, sizeof name, "rnn.bias_ih_l%d", k);
        model_add_view(m, TENSOR_B_IH(k), name, &off, 1, GH, 0);
        snprintf(name, sizeof name, "rnn.bias_hh_l%d", k);
        model_add_view(m, TENSOR_B_HH(k), name, &off, 1, GH, 0);
    }
    model_add_view(m, TENSOR_HEAD_W(L), "head.weight", &off, 2, V, H);
    model_add_view(m, TENSOR_HEAD_B(L), "head.bias", &off, 1, V, 0);
    m->n_params = off;
    m->params = xcalloc(off, sizeof *m->params);
    m->grads = xcalloc(off, sizeof *m->grads);
    return ERR_OK;
}

void model_free(Model *m)
{
    free(m->params);
    free(m->grads);
    free(m->tensors);
    memset(m, 0, sizeof *m);
}

void model_init(Model *m, Rng *rng, int forget_bias_one)
{
    const int H = m->cfg.hidden;
    const float bound = 1.0f / sqrtf((float)H);
    for (int i = 0; i < m->n_tensors; i++) {
        float *p = model_tensor(m, i);
        size_t n = m->tensors[i].size;
        if (i == TENSOR_EMBEDDING) {
            for (size_t j = 0; j < n; j++)
                p[j] = rng_normal(rng);
        } else {
            for (size_t j = 0; j < n; j++)
                p[j] = rng_range(rng, -bound, bound);
        }
    }
    if (forget_bias_one && m->cfg.cell == CELL_LSTM) {
        for (int k = 0; k < m->cfg.layers; k++) {
            float *bi = model_tensor(m, TENSOR_B_IH(k)) + H; /* block f */
            float *bh = model_tensor(m, TENSOR_B_HH(k)) + H;
            for (int j = 0; j < H; j++) {
                bi[j] = 1.0f;
                bh[j] = 0.0f;
            }
        }
    }
}

float *model_tensor(const Model *m, int index)
{
    return m->params + m->tensors[index].offset;
}

float *model_tensor_grad(const Model *m, int index)
{
    return m->grads + m->tensors[index].offset;
}

int model_find_tensor(const Model *m, const char *name)
{
    for (int i = 0; i < m->n_tensors; i++)
        if (strcmp(m->tensors[i].name, name) == 0)
            return i;
    return -1;
}

void state_init(State *s, const ModelConfig *cfg, int B)
{
    size_t n = (size_t)cfg->layers * B * cfg->hidden;
    s->layers = cfg->layers;
    s->batch = B;
    s->hidden = cfg->hidden;
    s->h = xcalloc(n, sizeof *s->h);
    s->c = cfg->cell == CELL_LSTM ? xcalloc(n, sizeof *s->c) : NULL;
}

void state_free(State *s)
{
    free(s->h);
    free(s->c);
    memset(s, 0, sizeof *s);
}

void state_zero(State *s)
{
    size_t n = (size_t)s->layers * s->batch * s->hidden;
    memset(s->h, 0, n * sizeof *s->h);
    if (s->c)
        memset(s->c, 0, n * sizeof *s->c);
}

void state_copy(State *dst, const State *src)
{
    size_t n = (size_t)src->layers * src->batch * src->hidden;
    memcpy(dst->h, src->h, n * sizeof *dst->h);
    if (dst->c && src->c)
        memcpy(dst->c, src->c, n * sizeof *dst->c);
}

/* Per-layer buffers are arrays of L pointers; shapes use the largest (T, B). */
struct Workspace {
    ModelConfig cfg;
    int t_max, b_max;
    int T, B;            /* of the last forward; 0 before */
    int have_targets;    /* the last forward had y, so backward may run */
    int dropout_on;      /* the last forward applied dropout masks */
    double loss;         /* mean loss of the last forward */
    size_t bytes;
    int *x;              /* (T*B) token ids of the last forward */
    float *emb;          /* (T*B, E) gathered embedding rows, layer 0's input */
    float **hs;          /* [L] ((T+1)*B, H) h0 then h_1..h_T */
    float **cs;          /* [L] ((T+1)*B, H) lstm only: c0 then c_1..c_T */
    float **gates;       /* [L] (T*B, G*H) activated gates (rnn: the input projection) */
    float **aux;         /* [L] (T*B, H) lstm: tanh(c_t); gru: W_hn h + b_hn; rnn: NULL */
    float **drop;        /* [L-1] (T*B, H) dropped outputs feeding layer l+1 */
    float **mask;        /* [L-1] (T*B, H) 0 or 1/(1-p); NULL when dropout == 0 */
    float *logits;       /* (T*B, V) */
    float *dlogits;      /* (T*B, V) d(mean loss)/d(logits) */
    float *dpre_x;       /* (T*B, G*H) */
    float *dpre_h;       /* (T*B, G*H) gru only (the hidden side of the n block) */
    float *scratch;      /* (B, G*H) per-step recurrent product */
    float *dh;           /* (B, H) */
    float *dc;           /* (B, H) */
    float *dbuf[2];      /* (T*B, max(H, E)) gradients between layers, ping-pong */
    float *dh_norms;     /* (L, T) */
};

static float *ws_alloc(Workspace *ws, size_t n)
{
    ws->bytes += n * sizeof(float);
    return xcalloc(n ? n : 1, sizeof(float));
}

Workspace *workspace_new(const ModelConfig *cfg, int T, int B)
{
    if (model_check_config(cfg, NULL) || T < 1 || B < 1)
        return NULL;
    Workspace *ws = xcalloc(1, sizeof *ws);
    const int L = cfg->layers, H = cfg->hidden, E = cfg->embed, V = cfg->vocab;
    const size_t GH = (size_t)cell_gates(cfg->cell) * H;
    const size_t N = (size_t)T * B;
    ws->cfg = *cfg;
    ws->t_max = T;
    ws->b_max = B;
    ws->bytes = sizeof *ws;
    ws->x = xcalloc(N, sizeof *ws->x);
    ws->bytes += N * sizeof *ws->x;
    ws->emb = ws_alloc(ws, N * E);
    ws->hs = xcalloc((size_t)L, sizeof *ws->hs);
    ws->cs = xcalloc((size_t)L, sizeof *ws->cs);
    ws->gates = xcalloc((size_t)L, sizeof *ws->gates);
    ws->aux = xcalloc((size_t)L, sizeof *ws->aux);
    ws->drop = xcalloc((size_t)L, sizeof *ws->drop);
    ws->mask = xcalloc((size_t)L, sizeof *ws->mask);
    for (int l = 0; l < L; l++) {
        ws->hs[l] = ws_alloc(ws, (N + B) * H);
        ws->gates[l] = ws_alloc(ws, N * GH);
        if (cfg->cell == CELL_LSTM)
            ws->cs[l] = ws_alloc(ws, (N + B) * H);
        if (cfg->cell != CELL_RNN)
            ws->aux[l] = ws_alloc(ws, N * H);
        if (l < L - 1 && cfg->dropout > 0.0f) {
            ws->drop[l] = ws_alloc(ws, N * H);
            ws->mask[l] = ws_alloc(ws, N * H);
        }
    }
    ws->logits = ws_alloc(ws, N * V);
    ws->dlogits = ws_alloc(ws, N * V);
    ws->dpre_x = ws_alloc(ws, N * GH);
    ws->dpre_h = cfg->cell == CELL_GRU ? ws_alloc(ws, N * GH) : NULL;
    ws->scratch = ws_alloc(ws, (size_t)B * GH);
    ws->dh = ws_alloc(ws, (size_t)B * H);
    ws->dc = ws_alloc(ws, (size_t)B * H);
    size_t dmax = (size_t)(H > E ? H : E);
    ws->dbuf[0] = ws_alloc(ws, N * dmax);
    ws->dbuf[1] = ws_alloc(ws, N * dmax);
    ws->dh_norms = ws_alloc(ws, (size_t)L * T);
    return ws;
}

void workspace_free(Workspace *ws)
{
    if (!ws)
        return;
    for (int l = 0; l < ws->cfg.layers; l++) {
        free(ws->hs[l]);
        free(ws->cs[l]);
        free(ws->gates[l]);
        free(ws->aux[l]);
        free(ws->drop[l]);
        free(ws->mask[l]);
    }
    free(ws->hs);
    free(ws->cs);
    free(ws->gates);
    free(ws->aux);
    free(ws->drop);
    free(ws->mask);
    free(ws->x);
    free(ws->emb);
    free(ws->logits);
    free(ws->dlogits);
    free(ws->dpre_x);
    free(ws->dpre_h);
    free(ws->scratch);
    free(ws->dh);
    free(ws->dc);
    free(ws->dbuf[0]);
    free(ws->dbuf[1]);
    free(ws->dh_norms);
    free(ws);
}

size_t workspace_bytes(const Workspace *ws)
{
    return ws->bytes;
}

const float *workspace_logits(const Workspace *ws)
{
    return ws->logits;
}

double workspace_loss(const Workspace *ws)
{
    return ws->loss;
}

const float *workspace_dh_norms(const Workspace *ws)
{
    return ws->dh_norms;
}

void workspace_chunk(const Workspace *ws, int *T, int *B)
{
    *T = ws->T;
    *B = ws->B;
}

const float *workspace_embedding(const Workspace *ws)
{
    return ws->emb;
}

const float *workspace_layer_h(const Workspace *ws, int layer)
{
    return layer >= 0 && layer < ws->cfg.layers ? ws->hs[layer] : NULL;
}

const float *workspace_layer_c(const Workspace *ws, int layer)
{
    return layer >= 0 && layer < ws->cfg.layers ? ws->cs[layer] : NULL;
}

const float *workspace_layer_gates(const Workspace *ws, int layer)
{
    /* rnn's buffer holds only the input projection, not an activated gate */
    if (layer < 0 || layer >= ws->cfg.layers || ws->cfg.cell == CELL_RNN)
        return NULL;
    return ws->gates[layer];
}

static int model_ids_ok(const int *ids, size_t n, int V)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] < 0 || ids[i] >= V)
            return 0;
    return 1;
}

float model_forward(Model *m, Workspace *ws, const int *x, const int *y,
                    int T, int B, State *state, int train, Rng *rng)
{
    const ModelConfig *cfg = &m->cfg;
    const int L = cfg->layers, H = cfg->hidden, E = cfg->embed, V = cfg->vocab;
    const size_t N = (size_t)T * B;
    ws->have_targets = 0;
    if (T < 1 || B < 1 || T > ws->t_max || B > ws->b_max || state->batch != B ||
        !model_ids_ok(x, N, V) || (y && !model_ids_ok(y, N, V)))
        return NAN;
    ws->T = T;
    ws->B = B;
    ws->dropout_on = train && cfg->dropout > 0.0f && L > 1;
    memcpy(ws->x, x, N * sizeof *x);
    const float *emb_w = model_tensor(m, TENSOR_EMBEDDING);
    for (size_t r = 0; r < N; r++)
        memcpy(ws->emb + r * E, emb_w + (size_t)x[r] * E, (size_t)E * sizeof(float));

    const float *in = ws->emb;
    int in_dim = E;
    for (int l = 0; l < L; l++) {
        const size_t sb = (size_t)B * H;
        float *hs = ws->hs[l];
        memcpy(hs, state->h + l * sb, sb * sizeof *hs);
        const float *w_ih = model_tensor(m, TENSOR_W_IH(l));
        const float *w_hh = model_tensor(m, TENSOR_W_HH(l));
        const float *b_ih = model_tensor(m, TENSOR_B_IH(l));
        const float *b_hh = model_tensor(m, TENSOR_B_HH(l));
        switch (cfg->cell) {
        case CELL_LSTM:
            memcpy(ws->cs[l], state->c + l * sb, sb * sizeof(float));
            lstm_forward(T, B, in_dim, H, in, w_ih, w_hh, b_ih, b_hh, hs, ws->cs[l],
                         ws->gates[l], ws->aux[l], ws->scratch);
            memcpy(state->c + l * sb, ws->cs[l] + N * H, sb * sizeof(float));
            break;
        case CELL_GRU:
            gru_forward(T, B, in_dim, H, in, w_ih, w_hh, b_ih, b_hh, hs, ws->gates[l],
                        ws->aux[l], ws->scratch);
            break;
        case CELL_RNN:
            rnn_forward(T, B, in_dim, H, in, w_ih, w_hh, b_ih, b_hh, hs, ws->gates[l],
                        ws->scratch);
            break;
        }
        memcpy(state->h + l * sb, hs + N * H, sb * sizeof *hs);
        in = hs + sb;
        in_dim = H;
        if (ws->dropout_on && l < L - 1) {
            /* Inverted dropout: kept units are scaled by 1/(1-p) so eval needs no rescale. */
            const float p = cfg->dropout, keep = 1.0f / (1.0f - p);
            float *mk = ws->mask[l], *dr = ws->drop[l];
            for (size_t i = 0; i < N * H; i++) {
                mk[i] = rng_uniform(rng) < p ? 0.0f : keep;
                dr[i] = in[i] * mk[i];
            }
            in = dr;
        }
    }

    const float *head_w = model_tensor(m, TENSOR_HEAD_W(L));
    const float *head_b = model_tensor(m, TENSOR_HEAD_B(L));
    for (size_t r = 0; r < N; r++)
        memcpy(ws->logits + r * V, head_b, (size_t)V * sizeof(float));
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)N, V, H, 1.0f, in, H, head_w, H,
                1.0f, ws->logits, V);
    ws->loss = 0.0;
    if (y) {
        ws->loss = loss_softmax_xent((int)N, V, ws->logits, y, ws->dlogits);
        ws->have_targets = 1;
    }
    return (float)ws->loss;
}

void model_backward(Model *m, Workspace *ws)
{
    const ModelConfig *cfg = &m->cfg;
    const int L = cfg->layers, H = cfg->hidden, E = cfg->embed, V = cfg->vocab;
    const int T = ws->T, B = ws->B;
    const int N = T * B;
    if (!ws->have_targets) {
        memset(m->grads, 0, m->n_params * sizeof *m->grads);
        return;
    }
    const float *top = ws->hs[L - 1] + (size_t)B * H;
    const float *head_w = model_tensor(m, TENSOR_HEAD_W(L));
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, V, H, N, 1.0f, ws->dlogits, V, top, H,
                0.0f, model_tensor_grad(m, TENSOR_HEAD_W(L)), H);
    float *g_hb = model_tensor_grad(m, TENSOR_HEAD_B(L));
    memset(g_hb, 0, (size_t)V * sizeof *g_hb);
    for (int r = 0; r < N; r++) {
        const float *d = ws->dlogits + (size_t)r * V;
        for (int v = 0; v < V; v++)
            g_hb[v] += d[v];
    }
    int cur = 0;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, H, V, 1.0f, ws->dlogits, V,
                head_w, H, 0.0f, ws->dbuf[cur], H);

    for (int l = L - 1; l >= 0; l--) {
        const int in_dim = l == 0 ? E : H;
        const float *in = l == 0 ? ws->emb
                        : ws->dropout_on ? ws->drop[l - 1]
                        : ws->hs[l - 1] + (size_t)B * H;
        const float *dh_out = ws->dbuf[cur];
        float *dx = ws->dbuf[1 - cur];
        const float *w_ih = model_tensor(m, TENSOR_W_IH(l));
        const float *w_hh = model_tensor(m, TENSOR_W_HH(l));
        float *gw_ih = model_tensor_grad(m, TENSOR_W_IH(l));
        float *gw_hh = model_tensor_grad(m, TENSOR_W_HH(l));
        float *gb_ih = model_tensor_grad(m, TENSOR_B_IH(l));
        float *gb_hh = model_tensor_grad(m, TENSOR_B_HH(l));
        float *norms = ws->dh_norms + (size_t)l * T;
        switch (cfg->cell) {
        case CELL_LSTM:
            lstm_backward(T, B, in_dim, H, in, w_ih, w_hh, ws->hs[l], ws->cs[l], ws->gates[l],
                          ws->aux[l], dh_out, dx, gw_ih, gw_hh, gb_ih, gb_hh, ws->dpre_x,
                          ws->dh, ws->dc, norms);
            break;
        case CELL_GRU:
            gru_backward(T, B, in_dim, H, in, w_ih, w_hh, ws->hs[l], ws->gates[l], ws->aux[l],
                         dh_out, dx, gw_ih, gw_hh, gb_ih, gb_hh, ws->dpre_x, ws->dpre_h,
                         ws->dh, norms);
            break;
        case CELL_RNN:
            rnn_backward(T, B, in_dim, H, in, w_ih, w_hh, ws->hs[l], dh_out, dx, gw_ih, gw_hh,
                         gb_ih, gb_hh, ws->dpre_x, ws->dh, norms);
            break;
        }
        if (l > 0 && ws->dropout_on) {
            const float *mk = ws->mask[l - 1];
            for (size_t i = 0; i < (size_t)N * H; i++)
                dx[i] *= mk[i];
        }
        cur = 1 - cur;
    }

    float *g_emb = model_tensor_grad(m, TENSOR_EMBEDDING);
    memset(g_emb, 0, (size_t)V * E * sizeof *g_emb);
    const float *dx0 = ws->dbuf[cur];
    for (int r = 0; r < N; r++) {
        float *row = g_emb + (size_t)ws->x[r] * E;
        const float *d = dx0 + (size_t)r * E;
        for (int e = 0; e < E; e++)
            row[e] += d[e];
    }
}

void model_backward_probe(const Model *m, const float *params, Workspace *ws, float *decay)
{
    const ModelConfig *cfg = &m->cfg;
    const int L = cfg->layers, H = cfg->hidden, E = cfg->embed, V = cfg->vocab;
    const int T = ws->T, B = ws->B;
    const size_t N = (size_t)T * B;
    if (!params)
        params = m->params;
    memset(decay, 0, (size_t)L * T * sizeof *decay);
    if (!ws->have_targets)
        return;
    /* dlogits rows of the last position hold (softmax - onehot) / (T*B); the
     * last loss's mean over B streams wants / B, hence alpha = T. */
    int cur = 0;
    float *dtop = ws->dbuf[cur];
    memset(dtop, 0, N * H * sizeof *dtop);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, H, V, (float)T,
                ws->dlogits + (N - (size_t)B) * V, V, params + m->tensors[TENSOR_HEAD_W(L)].offset, H,
                0.0f, dtop + (N - (size_t)B) * H, H);
    for (int l = L - 1; l >= 0; l--) {
        const int in_dim = l == 0 ? E : H;
        const float *dh_out = ws->dbuf[cur];
        float *dx = l == 0 ? NULL : ws->dbuf[1 - cur];
        const float *w_ih = params + m->tensors[TENSOR_W_IH(l)].offset;
        const float *w_hh = params + m->tensors[TENSOR_W_HH(l)].offset;
        float *norms = decay + (size_t)l * T;
        switch (cfg->cell) {
        case CELL_LSTM:
            lstm_backward(T, B, in_dim, H, NULL, w_ih, w_hh, ws->hs[l], ws->cs[l], ws->gates[l],
                          ws->aux[l], dh_out, dx, NULL, NULL, NULL, NULL, ws->dpre_x, ws->dh,
                          ws->dc, norms);
            break;
        case CELL_GRU:
            gru_backward(T, B, in_dim, H, NULL, w_ih, w_hh, ws->hs[l], ws->gates[l], ws->aux[l],
                         dh_out, dx, NULL, NULL, NULL, NULL, ws->dpre_x, ws->dpre_h, ws->dh, norms);
            break;
        case CELL_RNN:
            rnn_backward(T, B, in_dim, H, NULL, w_ih, w_hh, ws->hs[l], dh_out, dx, NULL, NULL, NULL,
                         NULL, ws->dpre_x, ws->dh, norms);
            break;
        }
        if (l > 0 && ws->dropout_on) {
            const float *mk = ws->mask[l - 1];
            for (size_t i = 0; i < N * H; i++)
                dx[i] *= mk[i];
        }
        cur = 1 - cur;
    }
}

static int gate_saturated(float v, int is_tanh)
{
    return is_tanh ? fabsf(v) > 0.95f : (v < 0.05f || v > 0.95f);
}

void workspace_gate_stats(const Workspace *ws, int layer, GateStats *out)
{
    memset(out, 0, sizeof *out);
    if (layer < 0 || layer >= ws->cfg.layers || ws->T == 0)
        return;
    static const char *const names[3] = { "ifgo", "rzn", "h" };
    static const int tanh_block[3][GATE_STATS_MAX_BLOCKS] = {
        { 0, 0, 1, 0 }, { 0, 0, 1, 0 }, { 1, 0, 0, 0 } };
    const CellType c = ws->cfg.cell;
    const int G = cell_gates(c), H = ws->cfg.hidden;
    const size_t N = (size_t)ws->T * ws->B;
    /* rnn keeps no gate buffer: its only "gate" is h itself. */
    const float *act = c == CELL_RNN ? ws->hs[layer] + (size_t)ws->B * H : ws->gates[layer];
    const int mean_block = c == CELL_RNN ? -1 : 1; /* f for lstm, z for gru */
    out->n_blocks = G;
    out->count = (long)(N * H);
    double mean = 0.0;
    for (int k = 0; k < G; k++) {
        out->names[k][0] = names[c][k];
        out->is_tanh[k] = tanh_block[c][k];
        long sat = 0;
        for (size_t r = 0; r < N; r++) {
            const float *a = act + r * (size_t)G * H + (size_t)k * H;
            for (int j = 0; j < H; j++) {
                sat += gate_saturated(a[j], out->is_tanh[k]);
                if (k == mean_block)
                    mean += a[j];
            }
        }
        out->saturated[k] = (float)((double)sat / (double)out->count);
    }
    out->gate_mean = mean_block < 0 ? 0.0f : (float)(mean / (double)out->count);
}
