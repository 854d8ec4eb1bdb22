/* diag.c — histograms, readers of the stored activations and the loss history
 * (see diag.h).
 *
 * The activations are the training Workspace's own (model.h accessors): this
 * file allocates no activation buffer; the decay probe is model.c's.
 */
#include "diag.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- the stored activations ------------------------------------------------------ */

const float *diag_activations(const Workspace *ws, const ModelConfig *cfg, const char *kind, int layer,
                              size_t *n)
{
    int T, B;
    workspace_chunk(ws, &T, &B);
    *n = 0;
    if (T == 0 || layer < 0 || layer >= cfg->layers)
        return NULL;
    const size_t N = (size_t)T * B, H = (size_t)cfg->hidden;
    const float *a = NULL;
    size_t len = N * H;
    if (strcmp(kind, "h") == 0)
        a = workspace_layer_h(ws, layer) + (size_t)B * H; /* past the carried-in h0 */
    else if (strcmp(kind, "c") == 0 && workspace_layer_c(ws, layer))
        a = workspace_layer_c(ws, layer) + (size_t)B * H;
    else if (strcmp(kind, "gates") == 0 && workspace_layer_gates(ws, layer)) {
        a = workspace_layer_gates(ws, layer);
        len *= (size_t)cell_gates(cfg->cell);
    }
    if (a)
        *n = len;
    return a;
}

static int diag_row_bad(const float *row, size_t n)
{
    for (size_t j = 0; j < n; j++)
        if (!isfinite(row[j]))
            return 1;
    return 0;
}

int diag_nonfinite_activation(const Workspace *ws, const ModelConfig *cfg, char *where, size_t cap)
{
    const int L = cfg->layers, H = cfg->hidden, E = cfg->embed, V = cfg->vocab;
    const int G = cell_gates(cfg->cell);
    int T, B;
    workspace_chunk(ws, &T, &B);
    if (T == 0)
        return 0;
    for (int l = 0; l < L; l++) {
        const float *h = workspace_layer_h(ws, l), *c = workspace_layer_c(ws, l);
        for (int b = 0; b < B; b++)
            if (diag_row_bad(h + (size_t)b * H, H) || (c && diag_row_bad(c + (size_t)b * H, H))) {
                snprintf(where, cap, "layer %d state carried in from the previous chunk, stream %d", l, b);
                return 1;
            }
    }
    const float *emb = workspace_embedding(ws);
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++)
            if (diag_row_bad(emb + ((size_t)t * B + b) * E, E)) {
                snprintf(where, cap, "embedding output at t=%d, stream %d", t, b);
                return 1;
            }
    for (int l = 0; l < L; l++) {
        const float *h = workspace_layer_h(ws, l), *c = workspace_layer_c(ws, l);
        const float *g = workspace_layer_gates(ws, l);
        for (int t = 0; t < T; t++)
            for (int b = 0; b < B; b++) {
                const size_t row = (size_t)t * B + b, next = row + (size_t)B; /* h, c: past h0, c0 */
                const char *what = NULL;
                if (g && diag_row_bad(g + row * G * H, (size_t)G * H))
                    what = "gates";
                else if (c && diag_row_bad(c + next * H, H))
                    what = "cell state";
                else if (diag_row_bad(h + next * H, H))
                    what = "hidden state";
                if (what) {
                    snprintf(where, cap, "layer %d %s at t=%d, stream %d", l, what, t, b);
                    return 1;
                }
            }
    }
    const float *logits = workspace_logits(ws);
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++)
            if (diag_row_bad(logits + ((size_t)t * B + b) * V, V)) {
                snprintf(where, cap, "logits at t=%d, stream %d", t, b);
                return 1;
            }
    return 0;
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
    char *end, *end_n;
    long stride = strtol(s_stride, &end, 10);
    long acc_n = s_acc_n ? strtol(s_acc_n, &end_n, 10) : -1;
    double acc = s_acc ? strtod(s_acc, NULL) : NAN;
    if (*end || stride < 1 || stride > (1L << 40) || !s_acc || !s_acc_n || *end_n || acc_n < 0 || acc_n > stride ||
        !isfinite(acc))
        return err_set(err, ERR_INPUT, "%s: malformed loss history (hist.stride '%s'); the run state is damaged",
                       f->path, s_stride);
    h->stride = stride;
    h->acc = acc;
    h->acc_n = acc_n;
    int rc;
    const StTensor *tl = st_find(f, "hist.loss");
    if (tl && tl->nelem > (size_t)h->cap)
        return err_set(err, ERR_INPUT, "%s: tensor hist.loss has %zu points, more than a history keeps (%d); the run "
                       "state is damaged", f->path, tl->nelem, h->cap);
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
        for (size_t i = 0; i < tv->nelem / 2; i++) {
            float step = tmp[2 * i];
            if (!(step >= 0 && step <= 1e15f)) { /* NaN, negative, or beyond any run: not a step */
                free(tmp);
                return err_set(err, ERR_INPUT, "%s: tensor hist.val row %zu has step %g; the run state is damaged",
                               f->path, i, (double)step);
            }
            diag_history_add_val(h, (long)step, tmp[2 * i + 1]);
        }
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
