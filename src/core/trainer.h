/* trainer.h — one training run, advanced one step at a time.
 *
 * A Trainer owns the corpus, the model, the optimizer and everything a step
 * needs, allocated once in trainer_init / trainer_resume: a step allocates
 * nothing. trainer_step runs one chunk (forward, backward through time,
 * clipping, optimizer update) and fills a StepInfo with that step's numbers.
 * It never prints; whoever drives it (the headless CLI, the dashboard's
 * trainer thread, a Lua script) decides what to show.
 *
 * A run saved with trainer_save and continued with trainer_resume produces the
 * same losses as an uninterrupted run: the checkpoint holds the optimizer
 * moments, the step count, the RNG, the data position and the hidden state
 * carried between chunks.
 */
#ifndef RNNSCOPE_TRAINER_H
#define RNNSCOPE_TRAINER_H

#include "corpus.h"
#include "diag.h"
#include "err.h"
#include "model.h"
#include "optim.h"
#include "param_pass.h"
#include "schedule.h"
#include "train_config.h"

#define STEP_MAX_TENSORS (3 + 4 * TRAIN_MAX_LAYERS)
#define DIAG_GATE_EVERY 10

typedef struct {
    long step;              /* 1-based number of this step */
    double epoch;           /* epochs completed, fractional, after this step */
    float loss;             /* mean cross-entropy of this chunk, nats per token */
    float lr;               /* learning rate used */
    float grad_norm;        /* global L2 norm of the gradient before clipping */
    int clipped;            /* 1 if global-norm clipping scaled the gradient */
    long n_clamped;         /* elements clamped by --clip-value */
    double ms;              /* wall time of the step */
    double tokens_per_s;    /* B*T / step time */
    int n_tensors;          /* 3 + 4L */
    float grad_norms[STEP_MAX_TENSORS];   /* per tensor, before clipping */
    float update_ratio[STEP_MAX_TENSORS]; /* per tensor ||new - old|| / ||old|| */
    int n_layers, n_gates;
    float gate_grad_norms[TRAIN_MAX_LAYERS][4]; /* (L, G) norm of the gradient rows of one
                                                   gate block: w_ih, w_hh, b_ih and b_hh */
    int evaluated;          /* 1 if a validation pass ran after this step */
    float val_loss;         /* its loss (NAN if none) */
    /* Gradient inspector (diag.h). The flow arrays live inside the record (no
     * pointers), so a copy stays valid forever: (n_layers, flow_len) with
     * n_layers * flow_len <= DIAG_FLOW_CELLS, position t ascending (the last
     * entry is the newest position, "t-0"); flow_stride > 1 only when
     * L * T > DIAG_FLOW_CELLS, each entry then averaging that many positions. */
    int flow_len, flow_stride;
    float flow[DIAG_FLOW_CELLS];  /* mean over B of ||dLoss/dh_t||, the whole gradient */
    long decay_step;              /* step of the last decay probe (0: none yet) */
    float decay[DIAG_FLOW_CELLS]; /* from that probe: mean over B of ||dL_{T-1}/dh_t||,
                                     the last position's loss carried back alone */
    float gate_sat[TRAIN_MAX_LAYERS][4]; /* (L, G) fraction of saturated units, as GateStats,
                                            measured every DIAG_GATE_EVERY steps */
    float gate_mean[TRAIN_MAX_LAYERS];   /* lstm: mean forget gate; gru: mean update gate */
    float clip;                   /* the global-norm threshold in force (0 = off) */
} StepInfo;

typedef struct {
    TrainConfig cfg;
    Corpus corpus;
    Model model;
    Optim optim;
    Schedule sched;
    Workspace *ws;        /* sized (T, B) */
    State state;          /* (L, B, H) carried from chunk to chunk */
    State eval_state;     /* (L, val_batch, H) for validation passes */
    int val_batch;        /* streams of a validation pass: B, or fewer when the split is short */
    Batcher batcher;      /* over the training split */
    Rng rng;              /* dropout masks */
    int *x, *y;           /* (T*B) the current chunk, time-major */
    float *param_before;  /* (n_params) parameters before the update, for update ratios */
    ParamPass pass;       /* the parameter buffer cut into segments for the per-step passes */
    long step;            /* steps completed */
    float last_val_loss;  /* NAN before the first validation pass */
    char note[256];       /* set by trainer_resume when a flag changed the data stream */
    /* gradient inspector */
    int diag_off;         /* 1: skip gate saturation, flow, decay probe and update ratios (bench) */
    int probe_every;      /* run the decay probe every N steps (default 50; 0 = never) */
    State state_before;   /* (L, B, H) the state the current chunk started from */
    int ws_updated;       /* 1: the update ran after the workspace's forward, whose parameters
                             are then param_before's (trainer_probe uses them) */
    float *decay;         /* (L, T) the last probe's per-position norms */
    long decay_step;      /* the step it ran at (0: never) */
    /* gate saturation reads every gate activation of the chunk (about 10% of a
     * small model's step), so it runs every DIAG_GATE_EVERY steps and steps in
     * between report the last values */
    float gate_sat[TRAIN_MAX_LAYERS][4];
    float gate_mean[TRAIN_MAX_LAYERS];
    LossHistory history;  /* loss per step, val loss per evaluation; saved in the checkpoint */
} Trainer;

/* Start a fresh run: load the corpus, build and initialise the model. */
int trainer_init(Trainer *t, const TrainConfig *cfg, Err *err);

/* Continue the run saved at path. overridden (train_config_n_fields() entries,
 * may be NULL) marks the settings the user gave explicitly in cfg: those
 * replace the saved ones, except that architecture settings (cell, layers,
 * hidden, embed, tokenizer) must agree with the checkpoint (ERR_INPUT). A file
 * holding only a model (no run state) starts a new run from those weights. */
int trainer_resume(Trainer *t, const char *path, const TrainConfig *cfg,
                   const int *overridden, Err *err);

void trainer_free(Trainer *t);

/* One training step. ERR_RUNTIME with a message naming the first non-finite
 * tensor when the loss or a gradient is NaN/Inf; the parameters are then left
 * as they were after the last good step. Runs validation when due. */
int trainer_step(Trainer *t, StepInfo *info, Err *err);

/* Mean validation loss over the held-out split (or cfg.eval_chunks chunks of
 * it), from a zero state, dropout off. ERR_INPUT if there is no split. */
int trainer_eval(Trainer *t, float *val_loss, Err *err);

/* Save model and full run state atomically. */
int trainer_save(const Trainer *t, const char *path, Err *err);

/* On demand (not inside a step): the decay probe (model_backward_probe) on the
 * activations the workspace stored for the last chunk it ran, with the
 * parameters that chunk ran with (for a training chunk those before its
 * update; with dropout on, its own masks), filling t->decay: it describes that
 * chunk, not the current parameters. The last chunk is the last training
 * step's, or the last validation chunk when that step ended with an
 * evaluation. Returns 0, or ERR_INPUT before the first chunk (also right after
 * a resume). */
int trainer_probe(Trainer *t, Err *err);

/* On demand: histogram of "NAME" (a tensor's weights), "grad:NAME" (its
 * gradient from the last step, after clipping),
 * or "act:h.K", "act:c.K", "act:gates.K" (layer K's activations over the last
 * chunk, as the workspace stored them: the same chunk as trainer_probe's).
 * ERR_INPUT naming what is unknown. Call from the thread that steps the trainer. */
int trainer_histogram(Trainer *t, const char *what, int n_bins, Histogram *h, Err *err);

/* Bytes the maths needs: parameters, gradients, optimizer state, the
 * update-ratio copy and one chunk's activations. */
size_t trainer_math_bytes(const Trainer *t);

#endif
