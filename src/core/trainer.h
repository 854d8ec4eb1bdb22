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

#include <signal.h>

#include "comm.h"
#include "corpus.h"
#include "diag.h"
#include "err.h"
#include "findings.h"
#include "history.h"
#include "model.h"
#include "optim.h"
#include "param_pass.h"
#include "schedule.h"
#include "step_info.h"
#include "train_config.h"

#define RUN_ID_CAP 33 /* a run id: up to 32 hex digits and the NUL */

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
    char note[1024];      /* set by trainer_resume when a flag changed the data stream */
    /* which run this is and where it lives (run_guard.h, keep_best.h) */
    char run_id[RUN_ID_CAP];        /* random at trainer_init, kept by trainer_resume ("run.id") */
    char origin[TRAIN_PATH_MAX];    /* the file trainer_resume read, resolved; "" for a new run */
    char save_path[TRAIN_PATH_MAX]; /* where its owner saves it; trainer_resume sets the file it read */
    char log_path[TRAIN_PATH_MAX];  /* the --log file of the session that saved it ("" none); saved as
                                       "run.log" so `rnnscope watch CHECKPOINT` finds the log */
    float best_val_loss;  /* lowest validation loss of a training step's pass so far, NAN before; saved */
    long best_step;       /* the step it was measured at (0: none yet) */
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
    float dead_frac[TRAIN_MAX_LAYERS];
    long gate_step;       /* the step those were measured at (0: never) */
    /* the run's record, from step 1 (saved in the checkpoint, restored on resume);
     * written only inside the record lock (trainer_set_record_lock) */
    History history;      /* every step's loss, lr, gradient norms, clips; validation points */
    Findings findings;    /* the diagnosis of this run over time */
    StepInfo last;        /* the latest step's numbers (valid if have_last) */
    int have_last;
    void (*record_lock)(void *ctx, int lock);
    void *record_ctx;
    double unigram;       /* entropy of the training split's tokens (nats) */
    double ngram3;        /* a 3-gram model's validation loss (NAN without a split) */
    /* Non-NULL: trainer_eval checks *cancel between validation chunks and
     * stops with ERR_RUNTIME "interrupted" once it is nonzero (a Lua script's
     * rnn.eval being stopped; may be set from another thread or a signal
     * handler). Not checked by the evaluation inside trainer_step. */
    volatile sig_atomic_t *cancel;
    /* data parallelism (comm.h): with comm on N > 1 processes, this one
     * trains streams [b0, b1) of each batch and [vb0, vb1) of a validation
     * pass; state, eval_state and state_before hold only those streams. */
    Comm *comm;           /* NULL: one process, the whole batch here */
    int sharded;          /* comm with more than one rank */
    int b0, b1, vb0, vb1;
    int *xs, *ys;         /* (T*(b1-b0)) this rank's columns of x and y */
    float *full_h, *full_c; /* (L, B, H) every rank's carried state, for saves (trainer_gather_state) */
    double *reduce_buf;   /* the per-step diagnostics summed across ranks */
    float *flow_buf;      /* (L, T) the batch's gradient flow, summed across ranks */
    float *range_buf;     /* (2, L, H) each unit's lowest and highest h over a chunk (dead units) */
    double step_comm_ms;  /* the last step's time in the gradient sum */
} Trainer;

/* The baselines the findings compare with, counted once per run: the unigram
 * entropy of c's training split and a 3-gram model's validation loss (NAN
 * without a split, or past 20M tokens). */
void trainer_baselines(const Corpus *c, double *unigram, double *ngram3);

/* Check the parameters are the same on every rank every this many steps. */
#define TRAIN_REPLICA_CHECK_EVERY 50

/* Start a fresh run: load the corpus, build and initialise the model. */
int trainer_init(Trainer *t, const TrainConfig *cfg, Err *err);
/* The same as rank comm->rank of a data-parallel run (comm.h; NULL: one
 * process): every rank loads the corpus and builds the same model (rank 0's
 * parameters, rng and run id are broadcast), and takes its share of the
 * batch's streams (ERR_INPUT when --batch is smaller than the ranks). Every
 * later trainer_step, trainer_eval and trainer_gather_state is collective:
 * all ranks call them in the same order, and every rank's Trainer then
 * describes the whole batch (loss, gradient norms, flow, saturation,
 * findings). ERR_RUNTIME when a collective fails (a rank died). */
int trainer_init_ranks(Trainer *t, const TrainConfig *cfg, Comm *comm, Err *err);

/* Continue the run saved at path. overridden (train_config_n_fields() entries,
 * may be NULL) marks the settings the user gave explicitly in cfg: those
 * replace the saved ones, except that architecture settings (cell, layers,
 * hidden, embed, tokenizer) must agree with the checkpoint (ERR_INPUT). A file
 * holding only a model (no run state) starts a new run from those weights. */
int trainer_resume(Trainer *t, const char *path, const TrainConfig *cfg,
                   const int *overridden, Err *err);
/* trainer_resume as a rank of a data-parallel run: the checkpoint holds every
 * stream's carried state, whatever the number of ranks that saved it, and
 * each rank takes its own streams', so a run saved by N processes continues
 * on M. */
int trainer_resume_ranks(Trainer *t, const char *path, const TrainConfig *cfg, const int *overridden,
                         Comm *comm, Err *err);

/* Collective, before any trainer_save of a data-parallel run: checks the
 * ranks' parameters agree (ERR_RUNTIME if not) and gathers every rank's
 * carried state into full_h/full_c so the checkpoint (written by rank 0)
 * holds all B streams. A no-op on one process. */
int trainer_gather_state(Trainer *t, Err *err);

void trainer_free(Trainer *t);

/* One training step. ERR_RUNTIME with a message naming the first non-finite
 * tensor when the loss or a gradient is NaN/Inf; the parameters are then left
 * as they were after the last good step. Runs validation when due. */
int trainer_step(Trainer *t, StepInfo *info, Err *err);

/* Mean validation loss over the held-out split (or cfg.eval_chunks chunks of
 * it), from a zero state, dropout off; it enters the run's record as a
 * validation point at the current step. ERR_INPUT if there is no split. */
int trainer_eval(Trainer *t, float *val_loss, Err *err);

/* Change the learning rate (the schedule's base) or the clip threshold of a
 * run between steps; the findings judge what follows by the new values. */
void trainer_set_lr(Trainer *t, float lr);
void trainer_set_clip(Trainer *t, float clip);

/* The record (history, findings, last, have_last, step, last_val_loss) is
 * written by trainer_step and trainer_eval between lock(ctx, 1) and
 * lock(ctx, 0), so another thread may read it under the same lock while the
 * trainer works. NULL (the default): no locking. */
void trainer_set_record_lock(Trainer *t, void (*lock)(void *ctx, int lock), void *ctx);

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
