/* runner.h — the dashboard's trainer thread.
 *
 * The runner owns the Trainer while it steps: nothing else touches it until
 * runner_stop has joined the thread. The UI talks to it through a small
 * command queue (pause, run, step N, eval, lr, clip, save, load, steps, quit)
 * and reads it only through functions: runner_view (a copy of the phase, the
 * run's description, the last step and the command outcomes),
 * runner_history_begin/_end (the run's one record, the Trainer's History, read
 * in place under the lock the trainer appends under), runner_findings, and the
 * messages (eval results, saves, errors). Every so often, and after a :step or
 * a pause, it also publishes a copy of the weights that the UI's prompt
 * sampler copies with runner_weights, so typing never waits for a step. A
 * byte on the wake-up pipe tells the UI's poll() that something landed.
 *
 * Lua hooks on the dashboard's own steps: with runner_set_hooked(r, 1) the
 * thread stops after every step it takes on its own (F5, :run, :step) until
 * the UI has run the hooks and called runner_hooks_done, so a hook's
 * rnn.pause() or rnn.set{} applies from the very next step, as in a script.
 *
 * Lua scripts (app.c): while a script runs the runner is `scripted`: paused,
 * it steps only the :step budgets the app sends for the script (one per
 * LH_WANT_STEP, also past --steps), and counters tell the app unambiguously
 * when that step or eval has landed or failed (step, step_fails, evals).
 * Between those requests the runner is idle (runner_idle) and the main thread
 * may use the Trainer directly; a run the script built is swapped in with
 * runner_adopt.
 *
 * A watching runner (runner_watch.h, `rnnscope watch`) publishes through the
 * same functions: its thread follows a run that trains elsewhere (its --log
 * file and checkpoint) instead of stepping a Trainer, and sends the run
 * commands to that run's control socket. The Runner itself is in
 * runner_internal.h, which the two share.
 *
 * Not for: drawing, curses, readline (main thread only).
 */
#ifndef RNNSCOPE_RUNNER_H
#define RNNSCOPE_RUNNER_H

#include <pthread.h>

#include "csvlog.h"
#include "diag.h"
#include "history.h"
#include "tbwriter.h"
#include "tokenizer.h"
#include "trainer.h"

typedef enum {
    RUN_CMD_PAUSE, RUN_CMD_RUN, RUN_CMD_STEP, RUN_CMD_EVAL, RUN_CMD_SET_LR,
    RUN_CMD_SET_CLIP, RUN_CMD_SAVE, RUN_CMD_LOAD, RUN_CMD_PUBLISH, RUN_CMD_QUIT,
    RUN_CMD_HISTOGRAM,           /* path = what (trainer_histogram), n = bins */
    RUN_CMD_NGRAM,               /* n = order: the n-gram baseline's validation loss */
    RUN_CMD_SET_STEPS,           /* n = the run's new --steps (0 = no end) */
    RUN_CMD_REMOTE               /* path = a command line for a watched run's control socket (runner_watch.h) */
} RunCmdKind;

typedef struct {
    RunCmdKind kind;
    long n;                      /* STEP: number of steps */
    double value;                /* SET_LR, SET_CLIP */
    char path[TRAIN_PATH_MAX];   /* SAVE, LOAD */
} RunCmd;

typedef enum {
    PHASE_RUNNING, PHASE_PAUSED, PHASE_STEPPING, PHASE_EVALUATING, PHASE_SAVING,
    PHASE_LOADING, PHASE_DONE, PHASE_FAILED
} RunPhase;

const char *runner_phase_name(RunPhase p);

enum { RUNNER_MSG_INFO = 0, RUNNER_MSG_GOOD, RUNNER_MSG_WARN, RUNNER_MSG_ERROR };

typedef struct {
    int level;       /* RUNNER_MSG_* */
    char text[600];
} RunnerMsg;

#define RUNNER_QUEUE 64
#define RUNNER_MSGS 64

typedef struct Runner Runner;

/* What the UI reads of the runner, copied under its lock (runner_view). */
typedef struct {
    long generation;            /* changes when a run is loaded or adopted */
    RunPhase phase;
    int paused;
    long budget;                /* steps left of :step N */
    int parked;                 /* nothing queued, in flight or budgeted, not running */
    int queued;                 /* commands waiting */
    TrainConfig cfg;            /* the run's settings as they are now */
    ModelConfig mcfg;
    size_t n_params;
    int n_tensors;
    char tensor_names[STEP_MAX_TENSORS][48];
    long step;                  /* steps completed */
    double epoch;
    float last_val;             /* NAN before the first validation */
    int have_last;
    StepInfo last;              /* the latest step (the Trainer's record) */
    /* throughput and time over steps the runner took: paused time excluded */
    double active_s;            /* wall time spent stepping */
    double tokens;              /* tokens trained on */
    long steps_run;
    /* outcomes the app compares with its own counters */
    long loads;                 /* successful :loads; loaded_path the last one's file */
    char loaded_path[TRAIN_PATH_MAX];
    long step_fails;            /* failed steps so far; step_err the last message */
    char step_err[512];
    long evals;                 /* finished evaluations, ok or not */
    int eval_ok;
    float eval_value;
    char eval_err[512];
    long histo_done;            /* histogram requests answered */
    int ngram_order;            /* 0: no baseline yet */
    double ngram_loss;
    long hook_step;             /* > 0: this step waits for the Lua hooks (runner_hooks_done) */
    /* a watching runner (runner_watch.h): the run trains elsewhere */
    int watching;
    char watch_state[16];       /* the header's state: running, paused, stepping, ended, watching */
    int no_weights;             /* no checkpoint read yet: no weights for the bars, samples and units */
    char no_corpus[TRAIN_PATH_MAX + 64]; /* why the run's corpus cannot be read here ("PATH is not here"); "" when it can */
} RunView;

/* A runner, not started. */
Runner *runner_new(void);
/* Take ownership of t (heap-allocated, initialised) and start the thread,
 * paused or running. ERR_RUNTIME if the thread or pipe cannot be created
 * (t is then still the caller's, and the runner holds none). */
int runner_start(Runner *r, Trainer *t, int paused, Err *err);
/* Queue a command; never blocks on a step. */
void runner_send(Runner *r, RunCmdKind kind, long n, double value, const char *path);
/* Quit and join; the trainer stays owned by r (runner_trainer) until runner_free. */
void runner_stop(Runner *r);
/* Stop, free the trainer and r itself (NULL is fine). */
void runner_free(Runner *r);
/* The Trainer, for the main thread while runner_idle (or after runner_stop). */
Trainer *runner_trainer(Runner *r);

/* The fd the UI polls; runner_drain empties it. */
int runner_wake_fd(const Runner *r);
void runner_drain(Runner *r);

/* A copy of the first (at most) max token ids of the run's training split
 * (split 0) or held-out split (split 1) in *ids (caller frees; NULL when 0).
 * Returns the count: 0 when there is no such split. */
size_t runner_corpus(Runner *r, int split, size_t max, int **ids);
/* Copy what the UI reads (takes the lock). */
void runner_view(Runner *r, RunView *v);
/* The run's record, read in place: the lock is held from _begin to _end, so
 * keep it short (no drawing, no I/O in between). */
const History *runner_history_begin(Runner *r);
void runner_history_end(Runner *r);
/* The tokenizer of the current run, copied into out (freed first if it holds one). */
void runner_tokenizer(Runner *r, Tokenizer *out);
/* The last histogram answered (RUN_CMD_HISTOGRAM): 0 if none yet. what it
 * is of, why it failed ("" if it did not) and the step it shows. */
int runner_histogram(Runner *r, Histogram *h, char *what, size_t what_cap, char *why, size_t why_cap, long *step);

/* Next message, oldest first (takes the lock itself); 0 when none. */
int runner_pop_message(Runner *r, RunnerMsg *out);

/* 1 if the thread is parked: paused (or waiting for the hooks), no budget,
 * nothing queued, no command in flight (a histogram or n-gram request works
 * on the Trainer with the lock released, in any phase) (takes the lock). Only
 * then may the main thread touch the Trainer. */
int runner_idle(Runner *r);
/* A script starts (1) or ends (0): see the top (takes the lock). */
void runner_set_scripted(Runner *r, int on);
/* Lua hooks exist (1): wait for runner_hooks_done after each free step. */
void runner_set_hooked(Runner *r, int on);
/* The hooks of step hook_step (RunView) have run: go on. */
void runner_hooks_done(Runner *r);
/* A copy of the run's findings engine as of the last step (takes the lock):
 * findings_list, findings_verdict and the events read it. */
void runner_findings(Runner *r, Findings *out);
/* The active findings of snap (a runner_findings copy) as findings_list and
 * findings_get give them; a watching runner describes each with the record
 * the run itself logged when it appeared (runner_watch.c). */
int runner_findings_list(Runner *r, const Findings *snap, Finding *out, int cap);
int runner_finding_get(Runner *r, const Findings *snap, FindingId id, Finding *out);

/* Swap in t (heap-allocated, initialised) as the run, while runner_idle (a
 * command still in flight is waited for, so the old Trainer is never freed
 * under the thread): the runner takes it over and frees the trainer it had;
 * the run description, tokenizer and published weights are refreshed
 * (generation changes) and the runner stays paused. */
void runner_adopt(Runner *r, Trainer *t);

/* Write every later step to csv and tb (either may be NULL; they stay the
 * caller's, to close after runner_stop): metrics, diagnostics, the n-gram
 * baseline, and weight and gradient histograms at every evaluation. */
void runner_set_exports(Runner *r, CsvLog *csv, TbWriter *tb);

/* Copy the published weights into dst if they are newer than *version and
 * dst's size matches; updates *version and *step (the step they are from;
 * may be NULL). Returns 1 if copied. */
int runner_weights(Runner *r, long *version, float *dst, size_t n, long *step);

#endif
