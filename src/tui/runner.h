/* runner.h — the dashboard's trainer thread.
 *
 * The runner owns the Trainer while it steps: nothing else touches it until
 * runner_stop has joined the thread. The UI talks to it through a small
 * command queue (pause, run, step N, eval, lr, clip, save, load, quit) and
 * reads what it publishes under runner_lock: the metrics History, the last
 * StepInfo, the phase, the run description and messages (eval results, saves,
 * errors). Every so often, and after a :step or a pause, it also publishes a
 * copy of the weights that the UI's prompt sampler copies with runner_weights,
 * so typing never waits for a step. A byte on the wake-up pipe tells the UI's
 * poll() that something landed.
 *
 * Lua scripts (app.c): while a script runs the runner is `scripted`: paused,
 * it steps only the :step budgets the app sends for the script (one per
 * LH_WANT_STEP, also past --steps), and counters tell the app unambiguously
 * when that step or eval has landed or failed (step, step_fails, evals).
 * Between those requests the runner is idle (runner_idle) and the main thread
 * may use the Trainer directly; a run the script built is swapped in with
 * runner_adopt.
 *
 * Not for: drawing, curses, readline (main thread only).
 */
#ifndef RNNSCOPE_RUNNER_H
#define RNNSCOPE_RUNNER_H

#include <pthread.h>

#include "csvlog.h"
#include "history.h"
#include "tbwriter.h"
#include "tokenizer.h"
#include "trainer.h"

typedef enum {
    RUN_CMD_PAUSE, RUN_CMD_RUN, RUN_CMD_STEP, RUN_CMD_EVAL, RUN_CMD_SET_LR,
    RUN_CMD_SET_CLIP, RUN_CMD_SAVE, RUN_CMD_LOAD, RUN_CMD_PUBLISH, RUN_CMD_QUIT,
    RUN_CMD_HISTOGRAM,           /* path = what (trainer_histogram), n = bins */
    RUN_CMD_NGRAM                /* n = order: the n-gram baseline's validation loss */
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

typedef struct {
    Trainer *t;                 /* owned; the thread's while it runs */
    pthread_t thread;
    int started;
    pthread_mutex_t mu;         /* guards everything below except the weights */
    pthread_cond_t cv;
    RunCmd queue[RUNNER_QUEUE];
    int q_head, q_len;
    int paused;
    long budget;                /* steps left of a :step N */
    int quit;
    RunPhase phase;
    History hist;
    StepInfo last;              /* the latest step */
    int have_last;
    /* run description, refreshed when a run is loaded (generation changes) */
    long generation;
    TrainConfig cfg;            /* live settings (lr, clip follow commands) */
    ModelConfig mcfg;
    size_t n_params;
    Tokenizer tok;              /* copy for the UI (display, prompt encoding) */
    size_t corpus_tokens, corpus_train;
    long step;                  /* steps completed */
    double epoch;
    float last_val;
    /* throughput over steps taken while running */
    double step_seconds;        /* sum of step wall times */
    double tokens;              /* tokens trained on */
    long steps_run;
    /* Lua scripts (see the top): outcome counters the app compares */
    int scripted;               /* 1: step only budgets, ignore --steps */
    long step_fails;            /* failed steps so far; step_err the last message */
    char step_err[512];
    long evals;                 /* finished RUN_CMD_EVALs, ok or not */
    int eval_ok;                /* the last one: 1 ok (eval_value), 0 failed (eval_err) */
    float eval_value;
    char eval_err[512];
    RunnerMsg msgs[RUNNER_MSGS];
    int m_head, m_len;
    int wake[2];                /* pipe: [0] the UI polls, [1] the thread writes */
    /* published weights, under wmu */
    pthread_mutex_t wmu;
    float *pub;                 /* (n_params) */
    size_t pub_n;
    long pub_version;
    long pub_step;              /* the step the published weights are from */
    double publish_every_s;     /* while running */
    double last_publish_s;
    /* gradient inspector: computed on this thread, read under mu */
    Histogram histo;            /* the last RUN_CMD_HISTOGRAM result */
    char histo_what[64];        /* what it is of ("grad:head.weight") */
    char histo_err[300];        /* why it failed, "" if it did not */
    long histo_step;            /* the step it shows */
    long histo_done;            /* histogram requests answered so far */
    long loads;                 /* successful RUN_CMD_LOADs; loaded_path the last one's file */
    char loaded_path[TRAIN_PATH_MAX];
    int busy;                   /* a command is being handled (maybe with the lock released) */
    pthread_cond_t done_cv;     /* signalled when busy drops to 0 */
    int ngram_order;            /* 0: no baseline yet */
    double ngram_loss;          /* the baseline's validation loss (nats/token) */
    Findings findings;          /* the run's diagnosis after the last step (a copy of the trainer's) */
    CsvLog *csv;                /* exports written after every step (owned by the app), or NULL */
    TbWriter *tb;
} Runner;

/* Take ownership of t (heap-allocated, initialised) and start the thread,
 * paused or running. ERR_RUNTIME if the thread or pipe cannot be created
 * (t is then still the caller's). */
int runner_start(Runner *r, Trainer *t, int paused, Err *err);
/* Queue a command; never blocks on a step. */
void runner_send(Runner *r, RunCmdKind kind, long n, double value, const char *path);
/* Quit and join; the trainer stays owned by r (runner_trainer) until runner_free. */
void runner_stop(Runner *r);
void runner_free(Runner *r);
Trainer *runner_trainer(Runner *r);

/* The fd the UI polls; runner_drain empties it. */
int runner_wake_fd(const Runner *r);
void runner_drain(Runner *r);

void runner_lock(Runner *r);
void runner_unlock(Runner *r);

/* Next message, oldest first (takes the lock itself); 0 when none. */
int runner_pop_message(Runner *r, RunnerMsg *out);

/* 1 if the thread is parked: paused, no budget, nothing queued, no command
 * in flight (a histogram or n-gram request works on the Trainer with the lock
 * released, in any phase) (takes the lock). Only then may the main thread
 * touch the Trainer. */
int runner_idle(Runner *r);
/* A script starts (1) or ends (0): see `scripted` above (takes the lock). */
void runner_set_scripted(Runner *r, int on);
/* A copy of the run's findings engine as of the last step (takes the lock):
 * findings_list, findings_verdict and the events read it. */
void runner_findings(Runner *r, Findings *out);

/* Swap in t (heap-allocated, initialised) as the run, while runner_idle (a
 * command still in flight is waited for, so the old Trainer is never freed
 * under the thread):
 * the runner takes it over and frees the trainer it had (the runner always
 * owns r->t); run description, History, tokenizer copy and published weights
 * are refreshed (generation changes) and the runner stays paused. */
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
