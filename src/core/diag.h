/* diag.h — the gradient inspector's numbers: histograms, the decay probe,
 * the location of the first non-finite activation and the loss history.
 *
 * The cheap diagnostics (per-tensor and per-gate gradient norms, the gradient
 * flow of model_backward, gate saturation, update ratios) are gathered by the
 * trainer every step into its StepInfo; this file holds the pieces that need
 * their own code or buffers:
 *
 * - Histogram: fixed bins over [min, max] of a tensor, no allocation.
 * - DiagProbe: a second forward of the last chunk (dropout off) that keeps every
 *   activation, and the backward of the LAST position's loss only. Its
 *   per-position norms ||dL_{T-1}/dh_t|| show how fast one loss's gradient dies
 *   as it travels back, which the total gradient of model_backward hides: every
 *   position there also receives its own loss's gradient, so the total stays
 *   level even when nothing crosses the window. The same activations locate the
 *   first non-finite hidden state and feed activation histograms.
 * - LossHistory: training loss per step and validation loss per evaluation in a
 *   fixed buffer that halves its resolution when full, so a run of any length
 *   keeps a compact curve; saved in run checkpoints for run comparison.
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

/* ---- the decay probe --------------------------------------------------------- */

typedef struct DiagProbe DiagProbe;

/* Buffers for chunks of at most T steps of B streams (about one Workspace). */
DiagProbe *diag_probe_new(const ModelConfig *cfg, int T, int B);
void diag_probe_free(DiagProbe *p);

/* Forward of x (T*B time-major ids, all < vocab) from init, dropout off,
 * keeping every activation. init is not modified. */
void diag_probe_forward(DiagProbe *p, const Model *m, const int *x, int T, int B, const State *init);

/* After diag_probe_forward: backward of the mean over the B streams of the
 * loss at the last position only (targets y_last, B ids). out (L, T) receives,
 * per layer and position, the mean over streams of ||dL_{T-1}/dh_t||. The
 * weight gradients go to the probe's own scratch: m->grads is untouched. */
void diag_probe_decay(DiagProbe *p, const Model *m, const int *y_last, float *out);

/* After diag_probe_forward: the first non-finite activation in time order
 * (position, then layer, then stream), as "layer 1 hidden state at t=12,
 * stream 3" in where. Returns 1 if there is one, 0 if all are finite. */
int diag_probe_nonfinite(const DiagProbe *p, char *where, size_t cap);

/* Activations of the last probe forward: kind "h" (hidden states h_1..h_T),
 * "c" (lstm cell states) or "gates" (activated gates; rnn: none) of a layer.
 * Returns NULL (and *n = 0) if there is no such buffer. */
const float *diag_probe_activations(const DiagProbe *p, const char *kind, int layer, size_t *n);

/* ---- loss history ------------------------------------------------------------- */

typedef struct {
    int cap;          /* points kept before halving (even) */
    int n;            /* points held */
    long stride;      /* steps per point: point i is the mean loss of steps i*stride+1 .. (i+1)*stride */
    float *loss;      /* (cap) */
    double acc;       /* sum of the losses of steps not yet in a point */
    long acc_n;       /* how many */
    int val_cap, val_n;
    float *val_step;  /* (val_cap) step of each evaluation kept */
    float *val_loss;  /* (val_cap) */
} LossHistory;

void diag_history_init(LossHistory *h, int cap, int val_cap);
void diag_history_free(LossHistory *h);
void diag_history_clear(LossHistory *h);
void diag_history_add_loss(LossHistory *h, float loss); /* no allocation */
void diag_history_add_val(LossHistory *h, long step, float val_loss);
/* The step a point ends at. */
long diag_history_step(const LossHistory *h, int i);
/* Tensors "hist.loss", "hist.val" ((n, 2): step, loss) and metadata keys
 * "hist.stride", "hist.acc", "hist.acc_n". */
void diag_history_save(const LossHistory *h, StWriter *w);
/* Restore from a run checkpoint; a file without a history leaves h empty
 * (returns 0). ERR_INPUT if the history there is malformed. h must be
 * initialised; points beyond its capacity are decimated. */
int diag_history_load(LossHistory *h, const StFile *f, Err *err);
/* Read only the history of the run saved at path (for run comparison). */
int diag_history_read_file(LossHistory *h, const char *path, Err *err);

#endif
