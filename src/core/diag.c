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

