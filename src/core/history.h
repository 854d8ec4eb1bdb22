/* history.h — the record of a run's steps: losses, learning rates, gradient
 * norms, clipping and validation points, from step 1.
 *
 * The Trainer owns one and appends every step and every validation pass to it;
 * the checkpoint saves it and trainer_resume restores it (history_io.c), so a
 * resumed run shows its whole past. The dashboard's charts and panels, the Lua
 * API (rnn.history) and :compare all read this one record.
 *
 * Two tiers keep memory bounded however long a run is (1e6 steps included):
 *   recent  a ring of the last HISTORY_RECENT steps at full resolution, with
 *           every per-tensor gradient norm and the per-gate breakdown (for the
 *           "last N steps" view, sparklines and the gradient panel);
 *   coarse  the whole run in at most HISTORY_COARSE buckets: when full, pairs
 *           of neighbouring buckets merge (mean loss and lr, max gradient norm,
 *           clip counts add), so each bucket covers a power-of-two of steps.
 * Validation points are kept apart (they are rare) and thinned the same way.
 *
 * Not thread-safe: in the dashboard the trainer appends under the runner's
 * lock (trainer_set_record_lock) and the UI reads under it.
 * Not for: drawing (panels.c), the step itself (trainer.c).
 */
#ifndef RNNSCOPE_HISTORY_H
#define RNNSCOPE_HISTORY_H

#include "err.h"
#include "safetensors.h"
#include "step_info.h"

#define HISTORY_RECENT 8192
#define HISTORY_COARSE 4096
#define HISTORY_VAL_MAX 4096

typedef struct {
    long step;
    float loss, lr, grad_norm;
    int clipped;
    float ms, tokens_per_s;   /* the step's wall time and speed */
    double epoch;             /* epochs completed after it */
    float grad_norms[STEP_MAX_TENSORS];            /* per tensor, before clipping */
    float gate_grad_norms[TRAIN_MAX_LAYERS][4];    /* (L, G) */
} HistRecent;

typedef struct {
    long step;        /* last step of the bucket */
    double loss;      /* mean over the bucket */
    double lr;        /* mean */
    double grad_norm; /* max */
    long clipped;     /* clip events in the bucket */
    long n;           /* steps in the bucket */
} HistBucket;

typedef struct {
    HistRecent *recent;  /* (HISTORY_RECENT) ring */
    long n_recent;       /* valid entries, <= HISTORY_RECENT */
    long recent_head;    /* index where the next entry goes */
    HistBucket *coarse;  /* (HISTORY_COARSE) */
    int n_coarse;
    long stride;         /* steps per full coarse bucket */
    long *val_step;      /* (HISTORY_VAL_MAX) */
    double *val_loss;    /* (HISTORY_VAL_MAX) */
    int n_val;
    long val_stride;     /* keep one validation point in val_stride once thinned */
    long val_seen;
    long n_steps;        /* steps pushed in total */
    long clip_count;     /* steps on which clipping fired, in total */
    int n_tensors, n_layers, n_gates;
} History;

typedef enum { HIST_LOSS, HIST_LR, HIST_GRAD_NORM } HistSeries;

void history_init(History *h);
void history_free(History *h);
void history_clear(History *h);
void history_push(History *h, const StepInfo *s);
/* A validation point not tied to a step record (e.g. from :eval). */
void history_push_val(History *h, long step, double val_loss);

/* The step number of the latest record (0 for an empty history). */
long history_latest_step(const History *h);

/* The i-th most recent full-resolution record (0 = latest), or NULL. */
const HistRecent *history_recent(const History *h, long i);

/* A series for the chart: x = step numbers, y = values, oldest first, at most
 * cap points. last_n > 0 restricts to steps > latest - last_n. Full resolution
 * when the range fits in the recent ring, otherwise the coarse buckets.
 * Returns the number of points written. */
int history_series(const History *h, HistSeries which, long last_n, double *x, double *y, int cap);
/* Validation points in the same x range (last_n as above). */
int history_val(const History *h, long last_n, double *x, double *y, int cap);

/* Per-tensor gradient norm history for one tensor, oldest first, the last
 * cap records at most. */
int history_tensor_norms(const History *h, int tensor, double *y, int cap);

/* Parameter groups of the gradient panel: 0 embedding, then per layer k
 * 1 + 2k input (w_ih, b_ih) and 2 + 2k recurrent (w_hh, b_hh), then the
 * head (weight and bias). */
int history_n_groups(int n_layers);
void history_group_name(int group, int n_layers, char *buf, size_t cap);
/* The group's norm from per-tensor norms: sqrt of the sum of squares. */
double history_group_norm(const float *tensor_norms, int group, int n_layers);
/* Group norm history, oldest first, last cap records. */
int history_group_norms(const History *h, int group, double *y, int cap);

enum { GRAD_FLAG_OK = 0, GRAD_FLAG_VANISHING = 1, GRAD_FLAG_EXPLODING = 2 };
/* Health of one group at the latest step (GRAD_FLAG_*), by the rules:
 *   vanishing  its norm is more than two orders of magnitude below the median
 *              of the other groups, or it has fallen steadily: each of the
 *              last HISTORY_TREND_BLOCKS blocks of HISTORY_TREND_LEN steps has a
 *              lower mean than the block before, and the last is < 1/10 of the
 *              first;
 *   exploding  its norm is above the clip threshold (clip > 0), or it jumped
 *              10x or more since the previous step.
 * why gives a short reason ("100x below the others", "jumped 12x", ...). */
#define HISTORY_TREND_BLOCKS 4
#define HISTORY_TREND_LEN 16
int history_grad_flag(const History *h, int group, double clip, char *why, size_t cap);

/* ---- saving and loading (history_io.c) ----
 * Tensors "record.coarse", "record.recent", "record.norms", "record.gates",
 * "record.val" and metadata "record.*" in a run checkpoint. The per-tensor and
 * per-gate norms are saved for the last HISTORY_SAVED_NORMS steps only (the
 * sparklines and trends read no further back); older restored records carry
 * zeros there. */
#define HISTORY_SAVED_NORMS 1024

void history_save(const History *h, StWriter *w);
/* Restore from a checkpoint into an initialised h; a file without a record
 * leaves h empty (returns 0). Reads the loss history older versions saved
 * ("hist.*": loss means and validation points). ERR_INPUT naming the tensor or
 * key if what is there is malformed. */
int history_load(History *h, const StFile *f, Err *err);
/* The record of the run saved at path, for :compare; ERR_INPUT if the file
 * holds no record (a model without a run). */
int history_read_file(History *h, const char *path, Err *err);

#endif
