/* diag.c — histograms, the decay probe and the loss history (see diag.h).
 *
 * The probe runs the same cell kernels as model.c (cell_lstm.c, cell_gru.c,
 * cell_rnn.c) on its own buffers, so the model's Workspace and gradients stay
 * as the training step left them.
 */
#include "diag.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cell_gru.h"
#include "cell_lstm.h"
#include "cell_rnn.h"

/* ---- histograms ------------------------------------------------------------ */

void diag_histogram(const float *x, size_t n, int n_bins, Histogram *h)
{
    memset(h, 0, sizeof *h);
    if (n_bins < 1)
        n_bins = 1;
    if (n_bins > DIAG_HIST_MAX_BINS)
        n_bins = DIAG_HIST_MAX_BINS;
    h->n_bins = n_bins;
    float lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i])) {
            h->n_nonfinite++;
            continue;
        }
        lo = x[i] < lo ? x[i] : lo;
        hi = x[i] > hi ? x[i] : hi;
        h->sum += x[i];
        h->sum_sq += (double)x[i] * x[i];
    }
    if (lo > hi) {
        h->min = h->max = 0.0f;
        return;
    }
    h->min = lo;
    h->max = hi;
    double width = ((double)hi - lo) / n_bins;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]))
            continue;
        int b = width > 0 ? (int)(((double)x[i] - lo) / width) : 0;
        if (b >= n_bins)
            b = n_bins - 1; /* the maximum itself */
        h->bins[b]++;
        h->count++;
    }
}

double diag_hist_edge(const Histogram *h, int i)
{
    if (i >= h->n_bins - 1)
        return h->max;
    return h->min + ((double)h->max - h->min) * (i + 1) / h->n_bins;
}

/* ---- flow arrays ---------------------------------------------------------------- */

int diag_flow_compact(const float *flow, int L, int T, float *out, int *stride)
{
    if (L < 1 || T < 1) {
        *stride = 1;
        return 0;
    }
    int per_layer = DIAG_FLOW_CELLS / L;
    int s = (T + per_layer - 1) / per_layer;
    if (s < 1)
        s = 1;
    int len = (T + s - 1) / s;
    for (int l = 0; l < L; l++) {
        for (int j = 0; j < len; j++) {
            int t0 = j * s, t1 = t0 + s < T ? t0 + s : T;
            double sum = 0;
            for (int t = t0; t < t1; t++)
                sum += flow[(size_t)l * T + t];
            out[(size_t)l * len + j] = (float)(sum / (t1 - t0));
        }
    }
    *stride = s;
    return len;
}

/* ---- the decay probe ----------------------------------------------------------- */

struct DiagProbe {
    ModelConfig cfg;
    int t_max, b_max;
    int T, B;            /* of the last probe forward; 0 before */
    float *emb;          /* (T*B, E) */
    float **hs;          /* [L] ((T+1)*B, H) h0 then h_1..h_T */
    float **cs;          /* [L] ((T+1)*B, H) lstm only */
    float **gates;       /* [L] (T*B, G*H) activated gates (rnn: pre-activations) */
    float **aux;         /* [L] (T*B, H) lstm tanh(c), gru W_hn h + b_hn; rnn NULL */
    float *scratch;      /* (B, G*H) */
    float *dbuf[2];      /* (T*B, max(H, E)) */
    float *dpre_x;       /* (T*B, G*H) */
    float *dpre_h;       /* (T*B, G*H) gru only */
    float *dh, *dc;      /* (B, H) */
    float *dw_ih;        /* (G*H, max(E, H)) weight gradients, discarded */
    float *dw_hh;        /* (G*H, H) */
    float *db_ih, *db_hh;/* (G*H) */
    float *probs;        /* (V) */
};

DiagProbe *diag_probe_new(const ModelConfig *cfg, int T, int B)
{
    if (T < 1 || B < 1 || cfg->layers < 1)
        return NULL;
    DiagProbe *p = xcalloc(1, sizeof *p);
    const int L = cfg->layers, H = cfg->hidden, E = cfg->embed;
    const size_t GH = (size_t)cell_gates(cfg->cell) * H, N = (size_t)T * B;
    const size_t dmax = (size_t)(H > E ? H : E);
    p->cfg = *cfg;
    p->t_max = T;
    p->b_max = B;
    p->emb = xcalloc(N * E, sizeof(float));
    p->hs = xcalloc((size_t)L, sizeof *p->hs);
    p->cs = xcalloc((size_t)L, sizeof *p->cs);
    p->gates = xcalloc((size_t)L, sizeof *p->gates);
    p->aux = xcalloc((size_t)L, sizeof *p->aux);
    for (int l = 0; l < L; l++) {
        p->hs[l] = xcalloc((N + B) * H, sizeof(float));
        p->gates[l] = xcalloc(N * GH, sizeof(float));
        if (cfg->cell == CELL_LSTM)
            p->cs[l] = xcalloc((N + B) * H, sizeof(float));
        if (cfg->cell != CELL_RNN)
            p->aux[l] = xcalloc(N * H, sizeof(float));
    }
    p->scratch = xcalloc((size_t)B * GH, sizeof(float));
    p->dbuf[0] = xcalloc(N * dmax, sizeof(float));
    p->dbuf[1] = xcalloc(N * dmax, sizeof(float));
    p->dpre_x = xcalloc(N * GH, sizeof(float));
    p->dpre_h = cfg->cell == CELL_GRU ? xcalloc(N * GH, sizeof(float)) : NULL;
    p->dh = xcalloc((size_t)B * H, sizeof(float));
    p->dc = xcalloc((size_t)B * H, sizeof(float));
    p->dw_ih = xcalloc(GH * dmax, sizeof(float));
    p->dw_hh = xcalloc(GH * H, sizeof(float));
    p->db_ih = xcalloc(GH, sizeof(float));
    p->db_hh = xcalloc(GH, sizeof(float));
    p->probs = xcalloc((size_t)cfg->vocab, sizeof(float));
    return p;
}

void diag_probe_free(DiagProbe *p)
{
    if (!p)
        return;
    for (int l = 0; l < p->cfg.layers; l++) {
        free(p->hs[l]);
        free(p->cs[l]);
        free(p->gates[l]);
        free(p->aux[l]);
    }
    free(p->hs);
    free(p->cs);
    free(p->gates);
    free(p->aux);
    free(p->emb);
    free(p->scratch);
    free(p->dbuf[0]);
    free(p->dbuf[1]);
    free(p->dpre_x);
    free(p->dpre_h);
    free(p->dh);
    free(p->dc);
    free(p->dw_ih);
    free(p->dw_hh);
    free(p->db_ih);
    free(p->db_hh);
    free(p->probs);
    free(p);
}

void diag_probe_forward(DiagProbe *p, const Model *m, const int *x, int T, int B, const State *init)
{
    const int L = p->cfg.layers, H = p->cfg.hidden, E = p->cfg.embed;
    if (T > p->t_max || B > p->b_max || init->batch != B) {
        p->T = p->B = 0;
        return;
    }
    const size_t N = (size_t)T * B, sb = (size_t)B * H;
    p->T = T;
    p->B = B;
    const float *emb_w = model_tensor(m, TENSOR_EMBEDDING);
    for (size_t r = 0; r < N; r++)
        memcpy(p->emb + r * E, emb_w + (size_t)x[r] * E, (size_t)E * sizeof(float));
    const float *in = p->emb;
    int in_dim = E;
    for (int l = 0; l < L; l++) {
        float *hs = p->hs[l];
        memcpy(hs, init->h + l * sb, sb * sizeof *hs);
        const float *w_ih = model_tensor(m, TENSOR_W_IH(l)), *w_hh = model_tensor(m, TENSOR_W_HH(l));
        const float *b_ih = model_tensor(m, TENSOR_B_IH(l)), *b_hh = model_tensor(m, TENSOR_B_HH(l));
        switch (p->cfg.cell) {
        case CELL_LSTM:
            memcpy(p->cs[l], init->c + l * sb, sb * sizeof(float));
            lstm_forward(T, B, in_dim, H, in, w_ih, w_hh, b_ih, b_hh, hs, p->cs[l], p->gates[l], p->aux[l],
                         p->scratch);
            break;
        case CELL_GRU:
            gru_forward(T, B, in_dim, H, in, w_ih, w_hh, b_ih, b_hh, hs, p->gates[l], p->aux[l], p->scratch);
            break;
        case CELL_RNN:
            rnn_forward(T, B, in_dim, H, in, w_ih, w_hh, b_ih, b_hh, hs, p->gates[l], p->scratch);
            break;
        }
        in = hs + sb;
        in_dim = H;
    }
}

void diag_probe_decay(DiagProbe *p, const Model *m, const int *y_last, float *out)
{
    const int L = p->cfg.layers, H = p->cfg.hidden, E = p->cfg.embed, V = p->cfg.vocab;
    const int T = p->T, B = p->B;
    if (T == 0)
        return;
    const size_t N = (size_t)T * B;
    const float *head_w = model_tensor(m, TENSOR_HEAD_W(L)), *head_b = model_tensor(m, TENSOR_HEAD_B(L));
    int cur = 0;
    float *dtop = p->dbuf[cur];
    memset(dtop, 0, N * H * sizeof(float));
    /* only the last position's loss: d(mean over B of -log p(y))/dh = head_w^T (softmax - onehot) / B */
    for (int b = 0; b < B; b++) {
        const float *h = p->hs[L - 1] + ((size_t)T * B + b) * H;
        float mx = -INFINITY;
        for (int v = 0; v < V; v++) {
            const float *row = head_w + (size_t)v * H;
            double s = head_b[v];
            for (int j = 0; j < H; j++)
                s += (double)row[j] * h[j];
            p->probs[v] = (float)s;
            mx = p->probs[v] > mx ? p->probs[v] : mx;
        }
        double z = 0;
        for (int v = 0; v < V; v++) {
            p->probs[v] = expf(p->probs[v] - mx);
            z += p->probs[v];
        }
        float *d = dtop + ((size_t)(T - 1) * B + b) * H;
        for (int v = 0; v < V; v++) {
            float g = (float)((p->probs[v] / z - (v == y_last[b])) / B);
            if (g == 0.0f)
                continue;
            cblas_saxpy(H, g, head_w + (size_t)v * H, 1, d, 1);
        }
    }
    for (int l = L - 1; l >= 0; l--) {
        const int in_dim = l == 0 ? E : H;
        const float *in = l == 0 ? p->emb : p->hs[l - 1] + (size_t)B * H;
        const float *dh_out = p->dbuf[cur];
        float *dx = l == 0 ? NULL : p->dbuf[1 - cur];
        const float *w_ih = model_tensor(m, TENSOR_W_IH(l)), *w_hh = model_tensor(m, TENSOR_W_HH(l));
        float *norms = out + (size_t)l * T;
        switch (p->cfg.cell) {
        case CELL_LSTM:
            lstm_backward(T, B, in_dim, H, in, w_ih, w_hh, p->hs[l], p->cs[l], p->gates[l], p->aux[l], dh_out, dx,
                          p->dw_ih, p->dw_hh, p->db_ih, p->db_hh, p->dpre_x, p->dh, p->dc, norms);
            break;
        case CELL_GRU:
            gru_backward(T, B, in_dim, H, in, w_ih, w_hh, p->hs[l], p->gates[l], p->aux[l], dh_out, dx, p->dw_ih,
                         p->dw_hh, p->db_ih, p->db_hh, p->dpre_x, p->dpre_h, p->dh, norms);
            break;
        case CELL_RNN:
            rnn_backward(T, B, in_dim, H, in, w_ih, w_hh, p->hs[l], dh_out, dx, p->dw_ih, p->dw_hh, p->db_ih,
                         p->db_hh, p->dpre_x, p->dh, norms);
            break;
        }
        cur = 1 - cur;
    }
}

static int probe_row_bad(const float *row, int H)
{
    for (int j = 0; j < H; j++)
        if (!isfinite(row[j]))
            return 1;
    return 0;
}

int diag_probe_nonfinite(const DiagProbe *p, char *where, size_t cap)
{
    const int L = p->cfg.layers, H = p->cfg.hidden, B = p->B;
    for (int l = 0; l < L; l++)
        for (int b = 0; b < B; b++)
            if (probe_row_bad(p->hs[l] + (size_t)b * H, H) || (p->cs[l] && probe_row_bad(p->cs[l] + (size_t)b * H, H))) {
                snprintf(where, cap, "layer %d state carried in from the previous chunk, stream %d", l, b);
                return 1;
            }
    for (int t = 0; t < p->T; t++)
        for (int l = 0; l < L; l++)
            for (int b = 0; b < B; b++) {
                size_t row = ((size_t)(t + 1) * B + b) * H;
                const char *what = NULL;
                if (p->cs[l] && probe_row_bad(p->cs[l] + row, H))
                    what = "cell state";
                else if (probe_row_bad(p->hs[l] + row, H))
                    what = "hidden state";
                if (what) {
                    snprintf(where, cap, "layer %d %s at t=%d, stream %d", l, what, t, b);
                    return 1;
                }
            }
    return 0;
}

const float *diag_probe_activations(const DiagProbe *p, const char *kind, int layer, size_t *n)
{
    *n = 0;
    if (p->T == 0 || layer < 0 || layer >= p->cfg.layers)
        return NULL;
    const size_t N = (size_t)p->T * p->B, H = (size_t)p->cfg.hidden;
    if (strcmp(kind, "h") == 0) {
        *n = N * H;
        return p->hs[layer] + (size_t)p->B * H;
    }
    if (strcmp(kind, "c") == 0 && p->cs[layer]) {
        *n = N * H;
        return p->cs[layer] + (size_t)p->B * H;
    }
    if (strcmp(kind, "gates") == 0 && p->cfg.cell != CELL_RNN) {
        *n = N * H * (size_t)cell_gates(p->cfg.cell);
        return p->gates[layer];
    }
    return NULL;
}

/* ---- loss history --------------------------------------------------------------- */

void diag_history_init(LossHistory *h, int cap, int val_cap)
{
    memset(h, 0, sizeof *h);
    h->cap = cap < 2 ? 2 : cap + (cap & 1);
    h->val_cap = val_cap < 2 ? 2 : val_cap + (val_cap & 1);
    h->stride = 1;
    h->loss = xcalloc((size_t)h->cap, sizeof(float));
    h->val_step = xcalloc((size_t)h->val_cap, sizeof(float));
    h->val_loss = xcalloc((size_t)h->val_cap, sizeof(float));
}

void diag_history_free(LossHistory *h)
{
    free(h->loss);
    free(h->val_step);
    free(h->val_loss);
    memset(h, 0, sizeof *h);
}

void diag_history_clear(LossHistory *h)
{
    h->n = h->val_n = 0;
    h->stride = 1;
    h->acc = 0;
    h->acc_n = 0;
}

/* Full: merge neighbouring points, so each covers twice as many steps. */
static void history_halve(LossHistory *h)
{
    for (int i = 0; i < h->n / 2; i++)
        h->loss[i] = 0.5f * (h->loss[2 * i] + h->loss[2 * i + 1]);
    h->n /= 2;
    h->stride *= 2;
}

void diag_history_add_loss(LossHistory *h, float loss)
{
    h->acc += loss;
    h->acc_n++;
    if (h->acc_n < h->stride)
        return;
    if (h->n == h->cap)
        history_halve(h);
    if (h->acc_n < h->stride)
        return; /* the stride just doubled: keep accumulating */
    h->loss[h->n++] = (float)(h->acc / (double)h->acc_n);
    h->acc = 0;
    h->acc_n = 0;
}

void diag_history_add_val(LossHistory *h, long step, float val_loss)
{
    if (h->val_n == h->val_cap) {
        /* keep every other evaluation */
        for (int i = 0; i < h->val_n / 2; i++) {
            h->val_step[i] = h->val_step[2 * i + 1];
            h->val_loss[i] = h->val_loss[2 * i + 1];
        }
        h->val_n /= 2;
    }
    h->val_step[h->val_n] = (float)step;
    h->val_loss[h->val_n++] = val_loss;
}

long diag_history_step(const LossHistory *h, int i)
{
    return (long)(i + 1) * h->stride;
}

void diag_history_save(const LossHistory *h, StWriter *w)
{
    char buf[40];
    if (h->n > 0) {
        int64_t shape[1] = {h->n};
        st_add_f32(w, "hist.loss", h->loss, 1, shape);
    }
    if (h->val_n > 0) {
        float *pairs = xmalloc(sizeof(float) * 2 * (size_t)h->val_n);
        for (int i = 0; i < h->val_n; i++) {
            pairs[2 * i] = h->val_step[i];
            pairs[2 * i + 1] = h->val_loss[i];
        }
        int64_t shape[2] = {h->val_n, 2};
        st_add_f32(w, "hist.val", pairs, 2, shape);
        free(pairs);
    }
    snprintf(buf, sizeof buf, "%ld", h->stride);
    st_add_meta(w, "hist.stride", buf);
    snprintf(buf, sizeof buf, "%.17g", h->acc);
    st_add_meta(w, "hist.acc", buf);
    snprintf(buf, sizeof buf, "%ld", h->acc_n);
    st_add_meta(w, "hist.acc_n", buf);
}

int diag_history_load(LossHistory *h, const StFile *f, Err *err)
{
    diag_history_clear(h);
    const char *s_stride = st_meta(f, "hist.stride");
    if (!s_stride)
        return 0;
    const char *s_acc = st_meta(f, "hist.acc"), *s_acc_n = st_meta(f, "hist.acc_n");
    char *end;
    long stride = strtol(s_stride, &end, 10);
    if (*end || stride < 1 || !s_acc || !s_acc_n)
        return err_set(err, ERR_INPUT, "%s: malformed loss history (hist.stride '%s'); the run state is damaged",
                       f->path, s_stride);
    h->stride = stride;
    h->acc = strtod(s_acc, NULL);
    h->acc_n = strtol(s_acc_n, NULL, 10);
    int rc;
    const StTensor *tl = st_find(f, "hist.loss");
    if (tl) {
        float *tmp = xmalloc(sizeof(float) * (tl->nelem ? tl->nelem : 1));
        if ((rc = st_get_f32(f, "hist.loss", tmp, tl->nelem, err)) != 0) {
            free(tmp);
            return rc;
        }
        for (size_t i = 0; i < tl->nelem; i++) {
            if (h->n == h->cap)
                history_halve(h);
            h->loss[h->n++] = tmp[i];
        }
        free(tmp);
    }
    const StTensor *tv = st_find(f, "hist.val");
    if (tv) {
        if (tv->ndim != 2 || tv->shape[1] != 2)
            return err_set(err, ERR_INPUT, "%s: tensor hist.val should have shape (n, 2)", f->path);
        float *tmp = xmalloc(sizeof(float) * (tv->nelem ? tv->nelem : 1));
        if ((rc = st_get_f32(f, "hist.val", tmp, tv->nelem, err)) != 0) {
            free(tmp);
            return rc;
        }
        for (size_t i = 0; i < tv->nelem / 2; i++)
            diag_history_add_val(h, (long)tmp[2 * i], tmp[2 * i + 1]);
        free(tmp);
    }
    return 0;
}

int diag_history_read_file(LossHistory *h, const char *path, Err *err)
{
    StFile f;
    int rc = st_read(&f, path, err);
    if (rc)
        return rc;
    if (!st_meta(&f, "hist.stride")) {
        st_free(&f);
        return err_set(err, ERR_INPUT, "%s: no loss history in this file; only run checkpoints saved by "
                                       "rnnscope train have one", path);
    }
    rc = diag_history_load(h, &f, err);
    st_free(&f);
    return rc;
}
