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
 * Not for: drawing, curses, readline (main thread only).
 */
#ifndef RNNSCOPE_RUNNER_H
#define RNNSCOPE_RUNNER_H

#include <pthread.h>

#include "history.h"
#include "tokenizer.h"
#include "trainer.h"

typedef enum {
    RUN_CMD_PAUSE, RUN_CMD_RUN, RUN_CMD_STEP, RUN_CMD_EVAL, RUN_CMD_SET_LR,
    RUN_CMD_SET_CLIP, RUN_CMD_SAVE, RUN_CMD_LOAD, RUN_CMD_PUBLISH, RUN_CMD_QUIT
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

/* Copy the published weights into dst if they are newer than *version and
 * dst's size matches; updates *version and *step (the step they are from;
 * may be NULL). Returns 1 if copied. */
int runner_weights(Runner *r, long *version, float *dst, size_t n, long *step);

#endif
