/* diag.h — the gradient inspector's numbers: histograms, readers of the
 * stored activations (by name, and the first non-finite one) and the loss
 * history.
 *
 * The cheap diagnostics (per-tensor and per-gate gradient norms, the gradient
 * flow of model_backward, gate saturation, update ratios) are gathered by the
 * trainer every step into its StepInfo; this file holds the pieces that need
 * their own code or buffers:
 *
 * - Histogram: fixed bins over [min, max] of a tensor, no allocation.
 * - Readers of the activations the training Workspace stored for its last
 *   chunk: by name for activation histograms, and the search for the first
 *   non-finite one. The decay probe (the backward of the LAST position's loss
 *   only, whose per-position norms ||dL_{T-1}/dh_t|| show how fast one loss's
 *   gradient dies as it travels back) is model_backward_probe in model.h, on
 *   the same Workspace: nothing here holds activation buffers of its own.
 *
 * Not here: printing, the findings in words (findings.h), the exports
 * (tbwriter.h, csvlog.h).
 */
#ifndef RNNSCOPE_DIAG_H
#define RNNSCOPE_DIAG_H

#include <stddef.h>

#include "err.h"
#include "model.h"
#include "safetensors.h"

/* ---- histograms ------------------------------------------------------------ */

#define DIAG_HIST_MAX_BINS 64

typedef struct {
    int n_bins;
    float min, max;        /* of the finite values; bins split [min, max] evenly */
    long count;            /* finite values = sum of bins */
    long n_nonfinite;      /* NaN and Inf, in no bin */
    double sum, sum_sq;    /* of the finite values */
    long bins[DIAG_HIST_MAX_BINS];
} Histogram;

/* n_bins is clamped to [1, DIAG_HIST_MAX_BINS]. */
void diag_histogram(const float *x, size_t n, int n_bins, Histogram *h);
/* Right edge of bin i (the last bin's is max). */
double diag_hist_edge(const Histogram *h, int i);

/* ---- gradient flow arrays -------------------------------------------------- */

/* Cells of the flow arrays a StepInfo carries: (L, len) with L * len <= this. */
#define DIAG_FLOW_CELLS 512

/* Copy (L, T) per-position norms into out as (L, len): len = T when L*T fits,
 * else positions are averaged in groups of *stride consecutive ones (the last
 * group may be shorter). Returns len. */
int diag_flow_compact(const float *flow, int L, int T, float *out, int *stride);

/* ---- the model's stored activations ------------------------------------------- */

/* The decay probe itself is model_backward_probe (model.h): it runs on the
 * training Workspace's own activations, so the inspector keeps no second copy
 * of them. These read the same Workspace, whose last forward is described by
 * cfg (the model's config). */

/* Activations of the last forward: kind "h" (hidden states h_1..h_T), "c"
 * (lstm cell states c_1..c_T) or "gates" (activated gates; rnn: none) of a
 * layer. Returns NULL (and *n = 0) if there is no such buffer or no forward. */
const float *diag_activations(const Workspace *ws, const ModelConfig *cfg, const char *kind, int layer,
                              size_t *n);

/* The first non-finite activation of the last forward, in the order the
 * forward made them: the state carried in from the previous chunk (every
 * layer; it came before this chunk), the embedding output, then layer by
 * layer, step by step, the gates, the cell state and the hidden state, and
 * last the logits; as e.g. "layer 1 hidden state at t=12, stream 3" or "layer
 * 1 state carried in from the previous chunk, stream 3" in where. Returns 1 if
 * there is one, 0 if all are finite. */
int diag_nonfinite_activation(const Workspace *ws, const ModelConfig *cfg, char *where, size_t cap);

#endif
