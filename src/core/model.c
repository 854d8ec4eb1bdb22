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
 *
 * Threads: a chunk runs as a few phases on the workspace's pool (pool.h), see
 * "the parallel phases" below. The per-step recurrent products are the cells'
 * (cell_*.c) over each thread's streams; with T >= 4 they use w_hh packed
 * once per layer and direction (rgemm.h) instead of letting OpenBLAS repack
 * it at every step (model_pack_buffer says when). With a small vocabulary
 * layer 0 is projected through a per-token table (model_table_pays).
 */
#include "model.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cell_gru.h"
#include "cell_lstm.h"
#include "cell_rnn.h"
#include "loss.h"
#include "matmul.h"
#include "pool.h"
#include "rgemm.h"
#include "vecops.h"


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
    if (cfg->hidden < 1 || cfg->hidden > MODEL_MAX_WIDTH)
        return err_set(err, ERR_INPUT, "model: --hidden %d out of range; use 1..%d",
                       cfg->hidden, MODEL_MAX_WIDTH);
    if (cfg->embed < 1 || cfg->embed > MODEL_MAX_WIDTH)
        return err_set(err, ERR_INPUT, "model: --embed %d out of range; use 1..%d",
                       cfg->embed, MODEL_MAX_WIDTH);
    if (cfg->vocab < 1 || cfg->vocab > MODEL_MAX_VOCAB)
        return err_set(err, ERR_INPUT, "model: vocabulary size %d out of range; use 1..%d",
                       cfg->vocab, MODEL_MAX_VOCAB);
    if (!(cfg->dropout >= 0.0f && cfg->dropout < 1.0f))
        return err_set(err, ERR_INPUT, "model: --dropout %g out of range; use [0, 1)",
                       (double)cfg->dropout);
    return ERR_OK;
}

static void model_add_view(TensorView *views, int idx, const char *name, size_t *offset, int ndim,
                           int d0, int d1)
{
    TensorView *v = &views[idx];
    snprintf(v->name, sizeof v->name, "%s", name);
    v->offset = *offset;
    v->ndim = ndim;
    v->shape[0] = d0;
    v->shape[1] = ndim == 2 ? d1 : 0;
    v->size = (size_t)d0 * (ndim == 2 ? (size_t)d1 : 1);
    *offset += v->size;
}

int model_layout(const ModelConfig *cfg, TensorView *views, size_t *n_params)
{
    const int L = cfg->layers, H = cfg->hidden, E = cfg->embed, V = cfg->vocab;
    const int GH = cell_gates(cfg->cell) * H;
    size_t off = 0;
    char name[48];
    model_add_view(views, TENSOR_EMBEDDING, "embedding.weight", &off, 2, V, E);
    for (int k = 0; k < L; k++) {
        snprintf(name, sizeof name, "rnn.weight_ih_l%d", k);
        model_add_view(views, TENSOR_W_IH(k), name, &off, 2, GH, k == 0 ? E : H);
        snprintf(name, sizeof name, "rnn.weight_hh_l%d", k);
        model_add_view(views, TENSOR_W_HH(k), name, &off, 2, GH, H);
        snprintf(name, sizeof name, "rnn.bias_ih_l%d", k);
        model_add_view(views, TENSOR_B_IH(k), name, &off, 1, GH, 0);
        snprintf(name, sizeof name, "rnn.bias_hh_l%d", k);
        model_add_view(views, TENSOR_B_HH(k), name, &off, 1, GH, 0);
    }
    model_add_view(views, TENSOR_HEAD_W(L), "head.weight", &off, 2, V, H);
    model_add_view(views, TENSOR_HEAD_B(L), "head.bias", &off, 1, V, 0);
    *n_params = off;
    return 3 + 4 * L;
}

int model_new(Model *m, const ModelConfig *cfg, Err *err)
{
    memset(m, 0, sizeof *m);
    int rc = model_check_config(cfg, err);
    if (rc)
        return rc;
    m->cfg = *cfg;
    m->n_tensors = 3 + 4 * cfg->layers;
    m->tensors = xcalloc((size_t)m->n_tensors, sizeof *m->tensors);
    model_layout(cfg, m->tensors, &m->n_params);
    m->params = xcalloc(m->n_params, sizeof *m->params);
    m->grads = xcalloc(m->n_params, sizeof *m->grads);
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
    int shard_total;     /* > 0: the streams are [shard_b0, shard_b0 + B) of a batch of this many
                            (workspace_set_shard); 0: the whole batch */
    int shard_b0;
    double loss;         /* mean loss of the last forward */
    double loss_sum;     /* its summed loss */
    size_t bytes;
    Pool *pool;          /* NULL: everything on the caller's thread */
    int *x;              /* (T*B) token ids of the last forward */
    float *emb;          /* (T*B, E) gathered embedding rows, layer 0's input */
    float **hs;          /* [L] ((T+1)*B, H) h0 then h_1..h_T */
    float **cs;          /* [L] ((T+1)*B, H) lstm only: c0 then c_1..c_T */
    float **gates;       /* [L] (T*B, G*H) activated gates (rnn: the pre-activation) */
    float **aux;         /* [L] (T*B, H) lstm: tanh(c_t); gru: W_hn h + b_hn; rnn: NULL */
    float **drop;        /* [L-1] (T*B, H) dropped outputs feeding layer l+1 */
    float **mask;        /* [L-1] (T*B, H) 0 or 1/(1-p); NULL when dropout == 0 */
    float *logits;       /* (T*B, V) */
    float *dlogits;      /* (T*B, V) d(mean loss)/d(logits) */
    float *dpre_x;       /* (T*B, G*H) */
    float *dpre_h;       /* (T*B, G*H) gru only (the hidden side of the n block) */
    float *dh;           /* (B, H) */
    float *dc;           /* (B, H) */
    float *dbuf[2];      /* (T*B, max(H, E)) gradients between layers, ping-pong */
    float *dh_norms;     /* (L, T) */
    float *bias;         /* (G*H) the biases folded into the layer's input projection */
    double *row_norms;   /* (T*B) ||dLoss/dh_t|| per step and stream, of one layer */
    double *row_loss;    /* (T*B) loss of each target */
    float *wpack;        /* (pack_size) w_hh of the layer in flight, packed for rgemm; NULL
                            when the CPU lacks AVX2/FMA */
    float *table;        /* (V, G) layer 0's input projection of every token, biases folded
                            in; NULL when the vocabulary is never small next to T*B */
    float *dtable;       /* (V, G) layer 0's dpre_x summed over the rows of each input token */
    int table_on;        /* the last forward projected layer 0 through the table */
};

/* Layer 0's input is an embedding row, so its projection W_ih e_x + b takes
 * only V distinct values: with few tokens next to the chunk's T*B rows (a
 * char model: 65 against 2500) they are computed once per chunk, V rows
 * instead of T*B, and gathered; backward sums dpre_x per token first, so the
 * weight and embedding gradients are products over V rows too. The same
 * algebra in another order, hence float rounding apart from the dense path;
 * the choice depends only on (V, T, B), so a run stays deterministic. */
static int model_table_pays(const ModelConfig *cfg, size_t rows)
{
    return (size_t)cfg->vocab * 4 <= rows;
}

static float *ws_alloc(Workspace *ws, size_t n)
{
    ws->bytes += n * sizeof(float);
    return xcalloc(n ? n : 1, sizeof(float));
}

Workspace *workspace_new(const ModelConfig *cfg, int T, int B)
{
    return workspace_new_threads(cfg, T, B, 1);
}

Workspace *workspace_new_threads(const ModelConfig *cfg, int T, int B, int threads)
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
    ws->dh = ws_alloc(ws, (size_t)B * H);
    ws->dc = ws_alloc(ws, (size_t)B * H);
    size_t dmax = (size_t)(H > E ? H : E);
    ws->dbuf[0] = ws_alloc(ws, N * dmax);
    ws->dbuf[1] = ws_alloc(ws, N * dmax);
    ws->dh_norms = ws_alloc(ws, (size_t)L * T);
    ws->bias = ws_alloc(ws, GH);
    ws->row_norms = xcalloc(N, sizeof *ws->row_norms);
    ws->row_loss = xcalloc(N, sizeof *ws->row_loss);
    ws->bytes += 2 * N * sizeof(double);
    if (rgemm_available()) {
        const int G = (int)GH;
        size_t fwd = rgemm_pack_size(H, G);
        if (cfg->cell == CELL_GRU)
            fwd = rgemm_pack_size(H, 2 * H) + rgemm_pack_size(H, H);
        size_t bwd = rgemm_pack_size(G, H);
        ws->wpack = ws_alloc(ws, fwd > bwd ? fwd : bwd);
    }
    if (model_table_pays(cfg, N)) {
        ws->table = ws_alloc(ws, (size_t)V * GH);
        ws->dtable = ws_alloc(ws, (size_t)V * GH);
    }
    if (threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (int)n : 1;
    }
    if (threads > 1) {
        /* The pool's threads call OpenBLAS concurrently, each on its own
         * share; OpenBLAS's own threads on top would only oversubscribe the
         * cores. If the pool cannot start, everything runs on the caller. */
        ws->pool = pool_new(threads);
        openblas_set_num_threads(1);
    }
    return ws;
}

void workspace_free(Workspace *ws)
{
    if (!ws)
        return;
    pool_free(ws->pool);
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
    free(ws->dh);
    free(ws->dc);
    free(ws->dbuf[0]);
    free(ws->dbuf[1]);
    free(ws->dh_norms);
    free(ws->bias);
    free(ws->row_norms);
    free(ws->row_loss);
    free(ws->wpack);
    free(ws->table);
    free(ws->dtable);
    free(ws);
}

size_t workspace_bytes(const Workspace *ws)
{
    return ws->bytes;
}

int workspace_threads(const Workspace *ws)
{
    return pool_threads(ws->pool);
}

Pool *workspace_pool(const Workspace *ws)
{
    return ws->pool;
}

void workspace_set_shard(Workspace *ws, int B_total, int b0)
{
    ws->shard_total = B_total > 0 ? B_total : 0;
    ws->shard_b0 = B_total > 0 ? b0 : 0;
}

double workspace_loss_sum(const Workspace *ws)
{
    return ws->loss_sum;
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
    /* rnn's buffer holds only the pre-activation, not an activated gate */
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

/* ---- the parallel phases of a chunk ---------------------------------------
 *
 * Each phase is one pool_run; every part writes a disjoint slice of its
 * outputs, and no part splits a sum, so each output element is computed by
 * the same operations in the same order whatever the number of parts:
 *   - the recurrence splits the B streams (rows t*B+b0..t*B+b1-1 of every
 *     step), each part running its whole T loop;
 *   - products over the chunk split the rows of their result (input
 *     projection, head, dx) or, for the weight gradients, whose sums run over
 *     the T*B rows, the rows of the weight; column sums split the columns;
 *   - the per-step norms and the loss are written per row and summed in row
 *     order afterwards on the caller's thread.
 */

typedef struct {
    const Model *m;
    const float *params; /* the parameters this pass runs with */
    Workspace *ws;
    int T, B, l;
    const float *in;     /* (T*B, in_dim) the layer's input */
    int in_dim;
    const int *y;        /* (T*B) targets or NULL */
    const float *dh_out; /* (T*B, H) gradient arriving at the layer's outputs */
    float *dx;           /* (T*B, in_dim) gradient for the layer's input, or NULL */
    int weights;         /* 1: the weight gradients too */
    const float *w_pack; /* ws->wpack when this pass packs w_hh for rgemm, else NULL */
} ModelJob;

/* Packing w_hh costs about one step's product, so it pays from a few steps
 * on; single-token sampling (T = 1) keeps to cblas. So do a few streams
 * (evaluating one text) on a workspace without a pool while OpenBLAS has
 * threads of its own: its gemv shares each row's product over the cores,
 * where rgemm would run on one (2x512 eval, 2 cores: 5.4 s -> 4.1 s). */
static const float *model_pack_buffer(const Workspace *ws, int T, int B)
{
    if (T < 4)
        return NULL;
    if (!ws->pool && B <= MATMUL_GEMV_ROWS && openblas_get_num_threads() > 1)
        return NULL;
    return ws->wpack;
}

static const float *job_param(const ModelJob *j, int index)
{
    return j->params + j->m->tensors[index].offset;
}

/* This part's share of the panels of w_hh packed for the recurrence:
 * forward as w_hh^T (K = H; gru: r, z then n), backward as w_hh (K = G). */
static void job_pack(const ModelJob *j, int part, int nparts, int backward)
{
    if (!j->w_pack)
        return;
    const int H = j->m->cfg.hidden, G = cell_gates(j->m->cfg.cell) * H;
    const float *w_hh = job_param(j, TENSOR_W_HH(j->l));
    float *dst = j->ws->wpack;
    int p0, p1;
    if (backward) {
        pool_split(rgemm_panels(H), part, nparts, &p0, &p1);
        rgemm_pack(G, H, w_hh, H, 0, dst, p0, p1);
    } else if (j->m->cfg.cell == CELL_GRU) {
        pool_split(rgemm_panels(2 * H), part, nparts, &p0, &p1);
        rgemm_pack(H, 2 * H, w_hh, H, 1, dst, p0, p1);
        pool_split(rgemm_panels(H), part, nparts, &p0, &p1);
        rgemm_pack(H, H, w_hh + (size_t)2 * H * H, H, 1, dst + rgemm_pack_size(H, 2 * H), p0, p1);
    } else {
        pool_split(rgemm_panels(G), part, nparts, &p0, &p1);
        rgemm_pack(H, G, w_hh, H, 1, dst, p0, p1);
    }
}

static void job_pack_backward(void *ctx, int part, int nparts)
{
    job_pack(ctx, part, nparts, 1);
}

static void col_sums(const float *a, int rows, int ld, int c0, int c1, float *out)
{
    memset(out + c0, 0, (size_t)(c1 - c0) * sizeof *out);
    for (int r = 0; r < rows; r++)
        vec_add(out + c0, a + (size_t)r * ld + c0, (size_t)(c1 - c0));
}

/* Rows of layer 0's projection table (ws->table), with the biases folded in. */
static void job_table(void *ctx, int part, int nparts)
{
    const ModelJob *j = ctx;
    Workspace *ws = j->ws;
    const int G = cell_gates(j->m->cfg.cell) * j->m->cfg.hidden, E = j->m->cfg.embed;
    int v0, v1;
    pool_split(j->m->cfg.vocab, part, nparts, &v0, &v1);
    if (v1 <= v0)
        return;
    for (int v = v0; v < v1; v++)
        memcpy(ws->table + (size_t)v * G, ws->bias, (size_t)G * sizeof *ws->table);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, v1 - v0, G, E, 1.0f,
                job_param(j, TENSOR_EMBEDDING) + (size_t)v0 * E, E, job_param(j, TENSOR_W_IH(0)), E, 1.0f,
                ws->table + (size_t)v0 * G, G);
}

/* Rows of the layer's input projection, with the biases folded in (layer 0
 * through the table, when on, has none to compute: the recurrence copies its
 * rows from the table step by step, cell_input.h); for layer 0 also the
 * embedding gather of those rows; and a share of the packing of w_hh for the
 * recurrence that follows. */
static void job_project(void *ctx, int part, int nparts)
{
    const ModelJob *j = ctx;
    Workspace *ws = j->ws;
    const int G = cell_gates(j->m->cfg.cell) * j->m->cfg.hidden, N = j->T * j->B;
    job_pack(j, part, nparts, 0);
    int r0, r1;
    pool_split(N, part, nparts, &r0, &r1);
    if (r1 <= r0)
        return;
    float *gates = ws->gates[j->l];
    if (j->l == 0) {
        const int E = j->m->cfg.embed;
        const float *emb_w = job_param(j, TENSOR_EMBEDDING);
        for (int r = r0; r < r1; r++)
            memcpy(ws->emb + (size_t)r * E, emb_w + (size_t)ws->x[r] * E, (size_t)E * sizeof(float));
        if (ws->table_on)
            return;
    }
    for (int r = r0; r < r1; r++)
        memcpy(gates + (size_t)r * G, ws->bias, (size_t)G * sizeof *gates);
    matmul_nt(r1 - r0, N, G, j->in_dim, j->in + (size_t)r0 * j->in_dim, j->in_dim,
              job_param(j, TENSOR_W_IH(j->l)), j->in_dim, 1.0f, gates + (size_t)r0 * G, G);
}

static void job_forward_steps(void *ctx, int part, int nparts)
{
    const ModelJob *j = ctx;
    Workspace *ws = j->ws;
    const int l = j->l, H = j->m->cfg.hidden;
    const float *w_hh = job_param(j, TENSOR_W_HH(l));
    const CellInput table = { ws->table, ws->x };
    const CellInput *in = l == 0 && ws->table_on ? &table : NULL;
    int b0, b1;
    pool_split(j->B, part, nparts, &b0, &b1);
    switch (j->m->cfg.cell) {
    case CELL_LSTM:
        lstm_forward_range(j->T, j->B, b0, b1, H, w_hh, j->w_pack, in, ws->hs[l], ws->cs[l], ws->gates[l],
                           ws->aux[l]);
        break;
    case CELL_GRU:
        gru_forward_range(j->T, j->B, b0, b1, H, w_hh, j->w_pack, in, job_param(j, TENSOR_B_HH(l)), ws->hs[l],
                          ws->gates[l], ws->aux[l]);
        break;
    case CELL_RNN:
        rnn_forward_range(j->T, j->B, b0, b1, H, w_hh, j->w_pack, in, ws->hs[l], ws->gates[l]);
        break;
    }
}

/* The head's logits = bias + in head_w^T, split so that each part packs the
 * least: by rows when the vocabulary is smaller than the chunk (every part
 * then packs all of head_w, which is small), by columns of V otherwise (at
 * V = 10k, 700 rows, splitting rows made every part pack all 8 MB of
 * head_w). Each element is the same sum either way. */
static int head_split_columns(int V, int N)
{
    return V > N;
}

static void job_head(void *ctx, int part, int nparts)
{
    const ModelJob *j = ctx;
    Workspace *ws = j->ws;
    const int L = j->m->cfg.layers, H = j->m->cfg.hidden, V = j->m->cfg.vocab, N = j->T * j->B;
    const float *head_b = job_param(j, TENSOR_HEAD_B(L)), *head_w = job_param(j, TENSOR_HEAD_W(L));
    int a, b;
    if (head_split_columns(V, N)) {
        pool_split(V, part, nparts, &a, &b);
        if (b <= a)
            return;
        for (int r = 0; r < N; r++)
            memcpy(ws->logits + (size_t)r * V + a, head_b + a, (size_t)(b - a) * sizeof(float));
        matmul_nt(N, N, b - a, H, j->in, H, head_w + (size_t)a * H, H, 1.0f, ws->logits + a, V);
        return;
    }
    pool_split(N, part, nparts, &a, &b);
    if (b <= a)
        return;
    for (int r = a; r < b; r++)
        memcpy(ws->logits + (size_t)r * V, head_b, (size_t)V * sizeof(float));
    matmul_nt(b - a, N, V, H, j->in + (size_t)a * H, H, head_w, H, 1.0f, ws->logits + (size_t)a * V, V);
}

/* The softmax cross-entropy and its gradient, by rows. */
static void job_loss(void *ctx, int part, int nparts)
{
    const ModelJob *j = ctx;
    Workspace *ws = j->ws;
    const int N = j->T * j->B;
    /* the mean is over the whole batch's targets, a shard's included */
    const int N_mean = ws->shard_total > 0 ? j->T * ws->shard_total : N;
    int r0, r1;
    pool_split(N, part, nparts, &r0, &r1);
    if (r1 > r0)
        loss_softmax_xent_rows(r0, r1, N_mean, j->m->cfg.vocab, ws->logits, j->y, ws->dlogits, ws->row_loss);
}

float model_forward(Model *m, Workspace *ws, const int *x, const int *y,
                    int T, int B, State *state, int train, Rng *rng)
{
    const ModelConfig *cfg = &m->cfg;
    const int L = cfg->layers, H = cfg->hidden, E = cfg->embed, V = cfg->vocab;
    const int G = cell_gates(cfg->cell) * H;
    const size_t N = (size_t)T * B;
    ws->have_targets = 0;
    if (T < 1 || B < 1 || T > ws->t_max || B > ws->b_max || state->batch != B ||
        !model_ids_ok(x, N, V) || (y && !model_ids_ok(y, N, V)))
        return NAN;
    ws->T = T;
    ws->B = B;
    ws->dropout_on = train && cfg->dropout > 0.0f && L > 1;
    ws->table_on = ws->table && model_table_pays(cfg, N);
    memcpy(ws->x, x, N * sizeof *x);
    ModelJob job = { .m = m, .params = m->params, .ws = ws, .T = T, .B = B, .in = ws->emb,
                     .in_dim = E, .w_pack = model_pack_buffer(ws, T, B) };
    for (int l = 0; l < L; l++) {
        const size_t sb = (size_t)B * H;
        float *hs = ws->hs[l];
        memcpy(hs, state->h + l * sb, sb * sizeof *hs);
        if (cfg->cell == CELL_LSTM)
            memcpy(ws->cs[l], state->c + l * sb, sb * sizeof(float));
        /* b_ih + b_hh once per chunk; gru keeps b_hn apart (r multiplies it) */
        const float *b_ih = model_tensor(m, TENSOR_B_IH(l));
        const float *b_hh = model_tensor(m, TENSOR_B_HH(l));
        const int folded = cfg->cell == CELL_GRU ? 2 * H : G;
        for (int i = 0; i < G; i++)
            ws->bias[i] = i < folded ? b_ih[i] + b_hh[i] : b_ih[i];
        job.l = l;
        if (l == 0 && ws->table_on)
            pool_run(ws->pool, job_table, &job);
        pool_run(ws->pool, job_project, &job);
        pool_run(ws->pool, job_forward_steps, &job);
        if (cfg->cell == CELL_LSTM)
            memcpy(state->c + l * sb, ws->cs[l] + N * H, sb * sizeof(float));
        memcpy(state->h + l * sb, hs + N * H, sb * sizeof *hs);
        job.in = hs + sb;
        job.in_dim = H;
        if (ws->dropout_on && l < L - 1) {
            /* Inverted dropout: kept units are scaled by 1/(1-p) so eval needs no rescale. */
            const float p = cfg->dropout, keep = 1.0f / (1.0f - p);
            float *mk = ws->mask[l], *dr = ws->drop[l];
            if (ws->shard_total > 0) {
                /* draw the whole batch's masks, keep the shard's: the rng
                 * advances as on one process and the masks are its */
                const int b0 = ws->shard_b0, b1 = ws->shard_b0 + B;
                size_t i = 0;
                for (int t = 0; t < T; t++)
                    for (int b = 0; b < ws->shard_total; b++)
                        for (int h = 0; h < H; h++) {
                            float m_ = rng_uniform(rng) < p ? 0.0f : keep;
                            if (b >= b0 && b < b1) {
                                mk[i] = m_;
                                dr[i] = job.in[i] * m_;
                                i++;
                            }
                        }
            } else {
                for (size_t i = 0; i < N * H; i++) {
                    mk[i] = rng_uniform(rng) < p ? 0.0f : keep;
                    dr[i] = job.in[i] * mk[i];
                }
            }
            job.in = dr;
        }
    }
    job.y = y;
    pool_run(ws->pool, job_head, &job);
    if (y)
        pool_run(ws->pool, job_loss, &job);
    ws->loss = 0.0;
    ws->loss_sum = 0.0;
    if (y) {
        double total = 0.0;
        for (size_t r = 0; r < N; r++)
            total += ws->row_loss[r];
        ws->loss_sum = total;
        ws->loss = total / (double)N;
        ws->have_targets = 1;
    }
    return (float)ws->loss;
}

/* dtop = dlogits head_w by rows; the head's weight and bias gradients by rows
 * of the weight (V), so each part packs only its own rows of dlogits (at
 * V = 10k splitting by columns of H made every part pack all of it). */
static void job_head_backward(void *ctx, int part, int nparts)
{
    const ModelJob *j = ctx;
    Workspace *ws = j->ws;
    const Model *m = j->m;
    const int L = m->cfg.layers, H = m->cfg.hidden, V = m->cfg.vocab, N = j->T * j->B;
    const float *top = ws->hs[L - 1] + (size_t)j->B * H;
    int a, b;
    pool_split(N, part, nparts, &a, &b);
    if (b > a)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, b - a, H, V, 1.0f,
                    ws->dlogits + (size_t)a * V, V, job_param(j, TENSOR_HEAD_W(L)), H, 0.0f,
                    j->dx + (size_t)a * H, H);
    pool_split(V, part, nparts, &a, &b);
    if (b > a) {
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, b - a, H, N, 1.0f, ws->dlogits + a, V,
                    top, H, 0.0f, model_tensor_grad(m, TENSOR_HEAD_W(L)) + (size_t)a * H, H);
        col_sums(ws->dlogits, N, V, a, b, model_tensor_grad(m, TENSOR_HEAD_B(L)));
    }
}

static void job_backward_steps(void *ctx, int part, int nparts)
{
    const ModelJob *j = ctx;
    Workspace *ws = j->ws;
    const int l = j->l, H = j->m->cfg.hidden;
    const float *w_hh = job_param(j, TENSOR_W_HH(l));
    int b0, b1;
    pool_split(j->B, part, nparts, &b0, &b1);
    switch (j->m->cfg.cell) {
    case CELL_LSTM:
        lstm_backward_range(j->T, j->B, b0, b1, H, w_hh, j->w_pack, ws->cs[l], ws->gates[l], ws->aux[l],
                            j->dh_out, ws->dpre_x, ws->dh, ws->dc, ws->row_norms);
        break;
    case CELL_GRU:
        gru_backward_range(j->T, j->B, b0, b1, H, w_hh, j->w_pack, ws->hs[l], ws->gates[l], ws->aux[l],
                           j->dh_out, ws->dpre_x, ws->dpre_h, ws->dh, ws->row_norms);
        break;
    case CELL_RNN:
        rnn_backward_range(j->T, j->B, b0, b1, H, w_hh, j->w_pack, ws->hs[l], j->dh_out, ws->dpre_x,
                           ws->dh, ws->row_norms);
        break;
    }
}

/* Weight and bias gradients by rows of the weights (unless j->weights is 0),
 * then dx by rows, with the dropout mask of the layer below applied. */
static void job_layer_grads(void *ctx, int part, int nparts)
{
    const ModelJob *j = ctx;
    Workspace *ws = j->ws;
    const Model *m = j->m;
    const int l = j->l, H = m->cfg.hidden, G = cell_gates(m->cfg.cell) * H, In = j->in_dim;
    const int N = j->T * j->B;
    const float *dpre_h = m->cfg.cell == CELL_GRU ? ws->dpre_h : ws->dpre_x;
    int a, b;
    pool_split(G, part, nparts, &a, &b);
    if (j->weights && b > a) {
        float *dw_ih = model_tensor_grad(m, TENSOR_W_IH(l)) + (size_t)a * In;
        if (l == 0 && ws->table_on) {
            /* columns [a, b) of dtable, every row, then (dtable^T emb) of them */
            const int V = m->cfg.vocab;
            for (int v = 0; v < V; v++)
                memset(ws->dtable + (size_t)v * G + a, 0, (size_t)(b - a) * sizeof *ws->dtable);
            for (int r = 0; r < N; r++)
                vec_add(ws->dtable + (size_t)ws->x[r] * G + a, ws->dpre_x + (size_t)r * G + a, (size_t)(b - a));
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, b - a, In, V, 1.0f, ws->dtable + a, G,
                        job_param(j, TENSOR_EMBEDDING), In, 0.0f, dw_ih, In);
        } else {
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, b - a, In, N, 1.0f, ws->dpre_x + a, G,
                        j->in, In, 0.0f, dw_ih, In);
        }
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, b - a, H, N, 1.0f, dpre_h + a, G,
                    ws->hs[l], H, 0.0f, model_tensor_grad(m, TENSOR_W_HH(l)) + (size_t)a * H, H);
        float *db_ih = model_tensor_grad(m, TENSOR_B_IH(l));
        float *db_hh = model_tensor_grad(m, TENSOR_B_HH(l));
        if (l == 0 && ws->table_on) /* dtable's rows are dpre_x's, summed per token */
            col_sums(ws->dtable, m->cfg.vocab, G, a, b, db_ih);
        else
            col_sums(ws->dpre_x, N, G, a, b, db_ih);
        if (dpre_h != ws->dpre_x)
            col_sums(dpre_h, N, G, a, b, db_hh);
        else
            memcpy(db_hh + a, db_ih + a, (size_t)(b - a) * sizeof *db_hh);
    }
    pool_split(N, part, nparts, &a, &b);
    if (j->dx && b > a) {
        float *dx = j->dx + (size_t)a * In;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, b - a, In, G, 1.0f,
                    ws->dpre_x + (size_t)a * G, G, job_param(j, TENSOR_W_IH(l)), In, 0.0f, dx, In);
        if (l > 0 && ws->dropout_on)
            vec_mul(dx, ws->mask[l - 1] + (size_t)a * In, (size_t)(b - a) * In);
    }
}

/* Embedding gradient through the table, by rows of V: dtable W_ih of layer 0. */
static void job_embedding_grad_table(void *ctx, int part, int nparts)
{
    const ModelJob *j = ctx;
    const Model *m = j->m;
    const int E = m->cfg.embed, G = cell_gates(m->cfg.cell) * m->cfg.hidden;
    int v0, v1;
    pool_split(m->cfg.vocab, part, nparts, &v0, &v1);
    if (v1 > v0)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, v1 - v0, E, G, 1.0f,
                    j->ws->dtable + (size_t)v0 * G, G, job_param(j, TENSOR_W_IH(0)), E, 0.0f,
                    model_tensor_grad(m, TENSOR_EMBEDDING) + (size_t)v0 * E, E);
}

/* Embedding gradient by columns of E: every part walks all rows in order. */
static void job_embedding_grad(void *ctx, int part, int nparts)
{
    const ModelJob *j = ctx;
    const Model *m = j->m;
    const int E = m->cfg.embed, V = m->cfg.vocab, N = j->T * j->B;
    int e0, e1;
    pool_split(E, part, nparts, &e0, &e1);
    if (e1 <= e0)
        return;
    float *g_emb = model_tensor_grad(m, TENSOR_EMBEDDING);
    for (int v = 0; v < V; v++)
        memset(g_emb + (size_t)v * E + e0, 0, (size_t)(e1 - e0) * sizeof *g_emb);
    for (int r = 0; r < N; r++)
        vec_add(g_emb + (size_t)j->ws->x[r] * E + e0, j->dh_out + (size_t)r * E + e0, (size_t)(e1 - e0));
}

/* out[t] = mean over the B streams of row_norms[t*B + b], summed in order. */
static void model_step_norms(const Workspace *ws, int T, int B, float *out)
{
    for (int t = 0; t < T; t++) {
        double s = 0.0;
        for (int b = 0; b < B; b++)
            s += ws->row_norms[(size_t)t * B + b];
        out[t] = (float)(s / B);
    }
}

/* The layers from the top down, from the gradient at the top layer's outputs
 * in dbuf[0]. norms: (L, T). Returns the index of the dbuf holding layer 0's
 * input gradient (when dx0 is wanted). */
static int model_layers_backward(ModelJob *job, int weights, int dx0, float *norms)
{
    const Model *m = job->m;
    Workspace *ws = job->ws;
    const int L = m->cfg.layers, H = m->cfg.hidden, E = m->cfg.embed, B = job->B;
    int cur = 0;
    job->weights = weights;
    for (int l = L - 1; l >= 0; l--) {
        job->l = l;
        job->in_dim = l == 0 ? E : H;
        job->in = l == 0 ? ws->emb
                : ws->dropout_on ? ws->drop[l - 1]
                : ws->hs[l - 1] + (size_t)B * H;
        job->dh_out = ws->dbuf[cur];
        job->dx = l > 0 || dx0 ? ws->dbuf[1 - cur] : NULL;
        if (job->w_pack)
            pool_run(ws->pool, job_pack_backward, job);
        pool_run(ws->pool, job_backward_steps, job);
        model_step_norms(ws, job->T, B, norms + (size_t)l * job->T);
        pool_run(ws->pool, job_layer_grads, job);
        cur = 1 - cur;
    }
    return cur;
}

void model_backward(Model *m, Workspace *ws)
{
    if (!ws->have_targets) {
        memset(m->grads, 0, m->n_params * sizeof *m->grads);
        return;
    }
    ModelJob job = { .m = m, .params = m->params, .ws = ws, .T = ws->T, .B = ws->B,
                     .w_pack = model_pack_buffer(ws, ws->T, ws->B) };
    job.dx = ws->dbuf[0];
    pool_run(ws->pool, job_head_backward, &job);
    int cur = model_layers_backward(&job, 1, !ws->table_on, ws->dh_norms);
    if (ws->table_on) {
        pool_run(ws->pool, job_embedding_grad_table, &job);
        return;
    }
    job.dh_out = ws->dbuf[cur];
    pool_run(ws->pool, job_embedding_grad, &job);
}

void model_backward_probe(const Model *m, const float *params, Workspace *ws, float *decay)
{
    const ModelConfig *cfg = &m->cfg;
    const int L = cfg->layers, H = cfg->hidden, V = cfg->vocab;
    const int T = ws->T, B = ws->B;
    const size_t N = (size_t)T * B;
    if (!params)
        params = m->params;
    memset(decay, 0, (size_t)L * T * sizeof *decay);
    if (!ws->have_targets)
        return;
    /* dlogits rows of the last position hold (softmax - onehot) / (T*B); the
     * last loss's mean over B streams wants / B, hence alpha = T. */
    float *dtop = ws->dbuf[0];
    memset(dtop, 0, N * H * sizeof *dtop);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, H, V, (float)T,
                ws->dlogits + (N - (size_t)B) * V, V, params + m->tensors[TENSOR_HEAD_W(L)].offset, H,
                0.0f, dtop + (N - (size_t)B) * H, H);
    ModelJob job = { .m = m, .params = params, .ws = ws, .T = T, .B = B,
                     .w_pack = model_pack_buffer(ws, T, B) };
    model_layers_backward(&job, 0, 0, decay);
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
        /* saturated: a sigmoid below 0.05 or above 0.95, a tanh beyond +-0.95 */
        const float lo = out->is_tanh[k] ? -0.95f : 0.05f, hi = 0.95f;
        size_t sat = 0;
        for (size_t r = 0; r < N; r++) {
            const float *a = act + r * (size_t)G * H + (size_t)k * H;
            sat += vec_count_outside(a, (size_t)H, lo, hi);
            if (k == mean_block)
                for (int j = 0; j < H; j++)
                    mean += a[j];
        }
        out->saturated[k] = (float)((double)sat / (double)out->count);
    }
    out->gate_mean = mean_block < 0 ? 0.0f : (float)(mean / (double)out->count);
}
