/* units.c — the kinds of activation a cell has, texts with token spans, the
 * capture of every unit's activation over a text, and ablation (units.h).
 * Signals and ranking: units_rank.c; the n-gram comparison: units_errors.c.
 */
#include "units.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- kinds -------------------------------------------------------------------- */

static const char *const lstm_kinds[] = {"c", "h", "i", "f", "g", "o"};
static const char *const gru_kinds[] = {"h", "r", "z", "n"};
static const char *const rnn_kinds[] = {"h"};

static const char *const *units_kinds(CellType cell, int *n)
{
    switch (cell) {
    case CELL_LSTM: *n = 6; return lstm_kinds;
    case CELL_GRU: *n = 4; return gru_kinds;
    default: *n = 1; return rnn_kinds;
    }
}

int units_n_kinds(CellType cell)
{
    int n;
    units_kinds(cell, &n);
    return n;
}

const char *units_kind_name(CellType cell, int kind)
{
    int n;
    const char *const *k = units_kinds(cell, &n);
    return kind >= 0 && kind < n ? k[kind] : "";
}

int units_kind_parse(CellType cell, const char *name)
{
    int n;
    const char *const *k = units_kinds(cell, &n);
    for (int i = 0; i < n; i++)
        if (!strcmp(k[i], name))
            return i;
    return -1;
}

int units_kind_is_gate(CellType cell, int kind)
{
    const char *k = units_kind_name(cell, kind);
    return cell == CELL_LSTM ? strchr("ifo", k[0]) != NULL && k[0]
                             : cell == CELL_GRU && (k[0] == 'r' || k[0] == 'z');
}

double units_display_value(CellType cell, int kind, double v)
{
    return units_kind_is_gate(cell, kind) ? 2 * v - 1 : v;
}

const char *units_kind_list(CellType cell)
{
    return cell == CELL_LSTM ? "c, h, i, f, g, o" : cell == CELL_GRU ? "h, r, z, n" : "h";
}

/* Where kind's values are in the forward's stored activations: 'c' the cell
 * state (tanh taken), 'h' the layer's output, else gate block *block. */
static char units_kind_source(CellType cell, int kind, int *block)
{
    const char *k = units_kind_name(cell, kind);
    *block = -1;
    if (k[0] == 'c' || k[0] == 'h')
        return k[0];
    static const char lstm_order[] = "ifgo", gru_order[] = "rzn";
    const char *order = cell == CELL_LSTM ? lstm_order : gru_order;
    *block = (int)(strchr(order, k[0]) - order);
    return 'g';
}

/* ---- texts -------------------------------------------------------------------- */

static void units_text_ends(UnitText *u, const Tokenizer *tok)
{
    u->end = xmalloc((size_t)(u->n ? u->n : 1) * sizeof *u->end);
    for (int i = 0; i < u->n; i++) {
        size_t next = i + 1 < u->n ? u->start[i + 1] : u->len;
        size_t e = u->start[i] + (size_t)tok->token_len[u->ids[i]];
        if (u->ids[i] == tok->unk_id || e > next)
            e = next; /* an <unk> covers the word it replaced */
        u->end[i] = e;
    }
}

int units_text_encode(UnitText *u, const Tokenizer *tok, const char *text, size_t len,
                      const char *source, Err *err)
{
    memset(u, 0, sizeof *u);
    size_t n = 0, unknown = 0;
    int rc = tokenizer_encode_spans(tok, text, len, &u->ids, &u->start, &n, &unknown, source, err);
    if (rc)
        return rc;
    if (n == 0 || n > INT32_MAX) {
        units_text_free(u);
        return err_set(err, ERR_INPUT, "%s: %s", source,
                       n ? "too long for the units view (more than 2^31 tokens)"
                         : "no token of the model's vocabulary in this text");
    }
    u->n = (int)n;
    u->text = xmalloc(len + 1);
    memcpy(u->text, text, len);
    u->text[len] = '\0';
    u->len = len;
    units_text_ends(u, tok);
    return ERR_OK;
}

void units_text_from_ids(UnitText *u, const Tokenizer *tok, const int *ids, int n)
{
    memset(u, 0, sizeof *u);
    size_t len = 0;
    for (int i = 0; i < n; i++)
        len += (size_t)tok->token_len[ids[i]];
    u->n = n;
    u->len = len;
    u->text = xmalloc(len + 1);
    u->ids = xmalloc((size_t)(n ? n : 1) * sizeof *u->ids);
    u->start = xmalloc((size_t)(n ? n : 1) * sizeof *u->start);
    size_t at = 0;
    for (int i = 0; i < n; i++) {
        size_t k = (size_t)tok->token_len[ids[i]];
        memcpy(u->text + at, tok->tokens[ids[i]], k);
        u->ids[i] = ids[i];
        u->start[i] = at;
        at += k;
    }
    u->text[len] = '\0';
    units_text_ends(u, tok);
}

void units_text_free(UnitText *u)
{
    free(u->text);
    free(u->ids);
    free(u->start);
    free(u->end);
    memset(u, 0, sizeof *u);
}

/* ---- capture ------------------------------------------------------------------ */

size_t units_capture_bytes(const ModelConfig *cfg, int n)
{
    size_t L = (size_t)cfg->layers, K = (size_t)units_n_kinds(cfg->cell), H = (size_t)cfg->hidden;
    return L * K * (size_t)n * H * sizeof(float) + 2 * L * K * H * sizeof(int) +
           (size_t)n * (sizeof(double) + sizeof(int));
}

int units_capture_begin(UnitCapture *u, const Model *m, const int *ids, int n, Err *err)
{
    memset(u, 0, sizeof *u);
    const ModelConfig *cfg = &m->cfg;
    if (n < 1)
        return err_set(err, ERR_INPUT, "the units view needs a text of at least one token");
    for (int i = 0; i < n; i++)
        if (ids[i] < 0 || ids[i] >= cfg->vocab)
            return err_set(err, ERR_INPUT, "token %d has id %d, outside the vocabulary [0, %d)", i,
                           ids[i], cfg->vocab);
    int rc = model_new(&u->model, cfg, err);
    if (rc)
        return rc;
    memcpy(u->model.params, m->params, m->n_params * sizeof *m->params);
    u->cfg = *cfg;
    u->kinds = units_n_kinds(cfg->cell);
    u->n = n;
    size_t L = (size_t)cfg->layers, K = (size_t)u->kinds, H = (size_t)cfg->hidden;
    u->act = xmalloc(L * K * (size_t)n * H * sizeof *u->act);
    u->loss = xmalloc((size_t)n * sizeof *u->loss);
    u->sat_lo = xcalloc(L * K * H, sizeof *u->sat_lo);
    u->sat_hi = xcalloc(L * K * H, sizeof *u->sat_hi);
    u->ids = xmalloc((size_t)n * sizeof *u->ids);
    memcpy(u->ids, ids, (size_t)n * sizeof *ids);
    u->ws = workspace_new(cfg, UNITS_CHUNK, 1);
    state_init(&u->state, cfg, 1);
    u->loss[0] = NAN;
    return ERR_OK;
}

/* The loss of the token after each of the T positions the last forward saw. */
static void units_chunk_loss(UnitCapture *u, int t0, int T)
{
    const int V = u->cfg.vocab;
    const float *logits = workspace_logits(u->ws);
    for (int t = 0; t < T && t0 + t + 1 < u->n; t++) {
        const float *z = logits + (size_t)t * V;
        float mx = z[0];
        for (int v = 1; v < V; v++)
            mx = z[v] > mx ? z[v] : mx;
        double s = 0;
        for (int v = 0; v < V; v++)
            s += exp((double)z[v] - mx);
        u->loss[t0 + t + 1] = log(s) + mx - z[u->ids[t0 + t + 1]];
    }
}

/* Copy the last forward's activations of kind k, layer l into the capture and
 * count saturation. */
static void units_chunk_copy(UnitCapture *u, int l, int k, int t0, int T)
{
    const int H = u->cfg.hidden, G = cell_gates(u->cfg.cell);
    int block;
    char src = units_kind_source(u->cfg.cell, k, &block);
    const float *base = src == 'h'   ? workspace_layer_h(u->ws, l) + H  /* skip h0 */
                        : src == 'c' ? workspace_layer_c(u->ws, l) + H
                                     : workspace_layer_gates(u->ws, l) + (size_t)block * H;
    size_t stride = src == 'g' ? (size_t)G * H : (size_t)H;
    int gate = units_kind_is_gate(u->cfg.cell, k);
    float lo = gate ? UNITS_SAT_SIGMOID : -UNITS_SAT_TANH, hi = gate ? 1 - UNITS_SAT_SIGMOID : UNITS_SAT_TANH;
    size_t slot = (size_t)l * u->kinds + k;
    int *slo = u->sat_lo + slot * H, *shi = u->sat_hi + slot * H;
    for (int t = 0; t < T; t++) {
        const float *row = base + (size_t)t * stride;
        float *dst = u->act + (slot * u->n + t0 + t) * H;
        for (int j = 0; j < H; j++) {
            float v = src == 'c' ? tanhf(row[j]) : row[j];
            dst[j] = v;
            slo[j] += v < lo;
            shi[j] += v > hi;
        }
    }
}

int units_capture_run(UnitCapture *u, int max_positions)
{
    int budget = max_positions > 0 ? max_positions : u->n;
    while (u->done < u->n && budget > 0) {
        int T = u->n - u->done < UNITS_CHUNK ? u->n - u->done : UNITS_CHUNK;
        model_forward(&u->model, u->ws, u->ids + u->done, NULL, T, 1, &u->state, 0, NULL);
        units_chunk_loss(u, u->done, T);
        for (int l = 0; l < u->cfg.layers; l++)
            for (int k = 0; k < u->kinds; k++)
                units_chunk_copy(u, l, k, u->done, T);
        u->done += T;
        budget -= T;
    }
    return u->n - u->done;
}

int units_capture(UnitCapture *u, const Model *m, const int *ids, int n, Err *err)
{
    int rc = units_capture_begin(u, m, ids, n, err);
    if (rc)
        return rc;
    units_capture_run(u, 0);
    return ERR_OK;
}

void units_capture_free(UnitCapture *u)
{
    if (u->ws)
        workspace_free(u->ws);
    state_free(&u->state);
    if (u->model.params)
        model_free(&u->model);
    free(u->act);
    free(u->loss);
    free(u->sat_lo);
    free(u->sat_hi);
    free(u->ids);
    memset(u, 0, sizeof *u);
}

const float *units_column(const UnitCapture *u, int layer, int kind, int unit)
{
    return u->act + (((size_t)layer * u->kinds + kind) * u->n) * u->cfg.hidden + unit;
}

/* ---- ablation ----------------------------------------------------------------- */

int units_ablate(const ModelConfig *cfg, float *params, int layer, int unit, Err *err)
{
    if (layer < 0 || layer >= cfg->layers)
        return err_set(err, ERR_INPUT, "layer %d: the model has layers 0..%d", layer, cfg->layers - 1);
    if (unit < 0 || unit >= cfg->hidden)
        return err_set(err, ERR_INPUT, "unit %d: layers have units 0..%d", unit, cfg->hidden - 1);
    TensorView v[MODEL_MAX_TENSORS];
    size_t total;
    model_layout(cfg, v, &total);
    /* the recurrent weights (G*H, H), then the reader of this layer's output:
     * the next layer's input weights (G*H, H) or the head (V, H) */
    int readers[2] = {TENSOR_W_HH(layer),
                      layer + 1 < cfg->layers ? TENSOR_W_IH(layer + 1) : TENSOR_HEAD_W(cfg->layers)};
    for (int r = 0; r < 2; r++) {
        const TensorView *t = &v[readers[r]];
        for (int row = 0; row < t->shape[0]; row++)
            params[t->offset + (size_t)row * t->shape[1] + unit] = 0;
    }
    return ERR_OK;
}
