/* steplog.h — the --log FILE JSON-lines writer.
 *
 * One object per training step: step, epoch, loss, lr, grad_norm, clipped,
 * tokens_per_s, ms, and per tensor the gradient norm and update ratio; one per
 * evaluation: step, val_loss; one per finding that appears or clears
 * (findings_json.h: finding, event, step, severity, record). Steps also carry the inspector's diagnostics:
 * clip, gate_saturation (L, G), gate_mean (L), flow (L, len) with flow_stride,
 * and after the first decay probe decay_step, decay (L, len) and decay_ratio (L). Lines are flushed as written so a crash loses
 * nothing already logged.
 *
 * Step lines are written every `every` steps (--log-every, default
 * STEPLOG_EVERY_DEFAULT), and also at every evaluation, every step where a
 * finding appears or clears, and the last step of the session; every = 1
 * writes them all. Evaluation, finding and n-gram lines are always written.
 */
#ifndef RNNSCOPE_STEPLOG_H
#define RNNSCOPE_STEPLOG_H

#include <stdio.h>

#include "err.h"
#include "model.h"
#include "strbuf.h"
#include "trainer.h"

#define STEPLOG_EVERY_DEFAULT 10

typedef struct {
    FILE *f;
    long every;        /* step lines every N steps (1: all); set after steplog_open */
    const char *path;
    int write_errno;   /* the first write or flush error, 0 if none */
    StrBuf line;
    long findings_seen;  /* events of the run's findings already logged */
    long last_step;      /* the step of the last step line written (0: none yet) */
} StepLog;

/* Opens path for appending (a resumed run continues its log). */
int steplog_open(StepLog *l, const char *path, Err *err);
void steplog_close(StepLog *l);
void steplog_step(StepLog *l, const StepInfo *s, const Model *m);
/* 1 if step s's line is due (see above): call before steplog_findings. */
int steplog_step_due(const StepLog *l, const StepInfo *s, const Findings *f, int last);
void steplog_eval(StepLog *l, long step, float val_loss);
/* The findings that appeared or cleared since the last call (or since the
 * run's count at steplog_start_findings: a resumed run does not repeat its past). */
void steplog_start_findings(StepLog *l, const Findings *f);
void steplog_findings(StepLog *l, const Findings *f);
/* ERR_RUNTIME naming the file if a line could not be written (a full disk). */
int steplog_check(const StepLog *l, Err *err);
/* The session's first line: {"event":"start","run":ID,"step":first_step (the first step
 * it trains: steps done when it began + 1),"save":SAVE,"control":SOCKET or null,"ranks":N,
 * "pid","host","time" (Unix seconds),"cell","layers","hidden","embed","vocab","tokenizer",
 * "tensors":[the model's tensor names in order: the order of per-tensor numbers],
 * "corpus":CORPUS}. save, control and the corpus are written as absolute paths. */
void steplog_start(StepLog *l, const Trainer *t, long first_step, const char *save_path, const char *control_path,
                   int ranks);
/* A command of the control socket, applied between steps:
 * {"event":"control","command":NAME[,"value":X],"step":S}, S the steps done when
 * it took effect (X omitted when value is NULL). */
void steplog_control(StepLog *l, long step, const char *command, const double *value);
/* Once at the start with --ngram N: {"ngram_order", "ngram_smoothing", "ngram_val_loss"}. */
void steplog_ngram(StepLog *l, int order, float val_loss);

#endif
