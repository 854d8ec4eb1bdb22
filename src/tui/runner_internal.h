/* runner_internal.h — what runner.c (the runner that steps a Trainer) and
 * runner_watch.c (the runner that follows a run training elsewhere) share:
 * the Runner itself and the few functions both publish through. Private to
 * those two files; the interface is runner.h.
 *
 * The lock discipline is runner.h's: mu guards everything but the published
 * weights (wmu) and is held only to move data in and out, never over I/O or
 * a step.
 */
#ifndef RNNSCOPE_RUNNER_INTERNAL_H
#define RNNSCOPE_RUNNER_INTERNAL_H

#include "runner.h"

typedef struct RunnerWatch RunnerWatch;

struct Runner {
    Trainer *t;                 /* owned; the thread's while it runs */
    pthread_t thread;
    int started;
    int ready;                  /* mutexes, pipe initialised (runner_new) */
    pthread_mutex_t mu;         /* guards everything below except the weights, and the Trainer's record */
    pthread_cond_t cv;
    RunCmd queue[RUNNER_QUEUE];
    int q_head, q_len;
    int paused;
    long budget;                /* steps left of a :step N */
    int quit;
    RunPhase phase;
    long generation;            /* bumped when a run is installed */
    double active_s;            /* wall time of steps taken (paused time excluded) */
    double tokens;              /* tokens trained on */
    long steps_run;
    int scripted;               /* 1: step only budgets, ignore --steps (a Lua script drives) */
    int hooked;                 /* 1: wait for the Lua hooks after each free step */
    long hook_step;             /* the step waiting for them, 0: none */
    long step_fails;
    char step_err[512];
    long evals;
    int eval_ok;
    float eval_value;
    char eval_err[512];
    RunnerMsg msgs[RUNNER_MSGS];
    int m_head, m_len;
    int wake[2];                /* pipe: [0] the UI polls, [1] the thread writes */
    Tokenizer tok;              /* copy of the run's, for the UI */
    /* published weights, under wmu */
    pthread_mutex_t wmu;
    float *pub;                 /* (n_params) */
    size_t pub_n;
    long pub_version;
    long pub_step;
    double publish_every_s;
    double last_publish_s;
    /* gradient inspector: computed on this thread, read under mu */
    Histogram histo;
    char histo_what[64];
    char histo_err[300];
    long histo_step;
    long histo_done;
    long loads;
    char loaded_path[TRAIN_PATH_MAX];
    int busy;                   /* a command is being handled (maybe with the lock released) */
    pthread_cond_t done_cv;     /* signalled when busy drops to 0 */
    int ngram_order;
    double ngram_loss;
    CsvLog *csv;                /* exports written after every step (owned by the app), or NULL */
    TbWriter *tb;
    StepInfo info;              /* the thread's own scratch for trainer_step (large) */
    RunnerWatch *watch;         /* a watching runner's state (runner_watch.c, borrowed); NULL: this one steps */
};

/* runner.c */
double runner_now(void);
/* A byte on the wake-up pipe: the UI's poll() returns. */
void runner_poke(Runner *r);
/* Queue a message for the UI (under mu). */
void runner_msg(Runner *r, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Under mu: the n-gram baseline of the given order on r->t's corpus (the
 * lock released while it counts), for the loss chart (RUN_CMD_NGRAM). */
void runner_ngram(Runner *r, int order);
/* Under mu: t becomes the run, described anew (its tokenizer copied, the
 * generation bumped, its record appended under mu). */
void runner_describe(Runner *r, Trainer *t);
/* Copy t's weights (or m's, as of step) out for runner_weights (takes wmu; not mu). */
void runner_publish(Runner *r, const Trainer *t);
void runner_publish_model(Runner *r, const Model *m, long step);
/* The pipe, t described (and its weights published when publish is 1), the
 * thread started on thread_main with the stop signals blocked. */
int runner_launch(Runner *r, Trainer *t, int paused, int publish, void *(*thread_main)(void *), Err *err);

/* runner_watch.c: the watch's part of runner_view, under mu (zeroed for a
 * runner that steps). */
void runner_watch_view(Runner *r, RunView *v);

#endif
