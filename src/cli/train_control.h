/* train_control.h — steering the headless training loop (cmd_train.c) from
 * its control socket (control.h).
 *
 * The loop asks train_control_between_steps before every step. It applies the
 * commands that came in since the last step, and while the run is paused
 * waits for more (TRAIN_CONTROL_WAIT_MS at a time, so SIGINT, SIGTERM and
 * SIGHUP still stop it: cli_stop_requested()). What a command does:
 *   :pause        no more steps until :run or :step
 *   :run          steps again
 *   :step N       N more steps (1 without N), then paused
 *   :lr X, :clip X  trainer_set_lr / trainer_set_clip from the next step; alone, the value now
 *   :save         run_guard_save now, as the periodic saves do (not a diverged run's state)
 *   :stop         no more steps; the loop ends and the run is saved as after Ctrl-C. The
 *                 reply waits for that save: train_control_end gives it.
 *   :status       {"step","phase":"paused|running|stepping","left" (stepping),"lr","clip",
 *                 "steps","save","run","pid"} on one line after "ok "
 * Each command that changes the run is logged to --log as an event line
 * (steplog_control), and, unless --quiet, noted on stderr.
 *
 * Where commands come from is a function: the socket by default. A
 * data-parallel run replaces it (train_control_set_source): rank 0 polls the
 * socket and broadcasts each ControlCmd — a CTL_NONE when nothing came, so
 * every rank takes the same path — and the other ranks receive it. Every rank
 * applies the same commands; only the rank with the socket replies.
 */
#ifndef RNNSCOPE_TRAIN_CONTROL_H
#define RNNSCOPE_TRAIN_CONTROL_H

#include "control.h"
#include "progress.h"
#include "steplog.h"
#include "trainer.h"

#define TRAIN_CONTROL_WAIT_MS 200 /* a paused run's longest wait in poll() */
#define TRAIN_CONTROL_BURST 32    /* commands applied between two steps at most */

/* The next command within timeout_ms: 1 with *out (CTL_NONE counts, and is
 * ignored), 0 when none came. */
typedef int (*TrainControlSource)(void *ctx, int timeout_ms, ControlCmd *out);

typedef struct {
    const char *log_path;   /* --log FILE: the socket is FILE.sock (NULL: no socket) */
    const char *save_path;  /* where :save and the periodic saves go */
    int force;              /* --force, for run_guard_save */
    const char *force_hint; /* run_guard_save's hint */
    long *last_saved;       /* the step of the session's last save (-1 none); :save updates it */
    /* how :save saves (NULL: run_guard_save with force_hint); a data-parallel
     * run gathers its ranks' state first */
    int (*save)(Trainer *t, const char *path, int force, Err *err);
    Progress *prog;         /* to end its line before a note; NULL (--quiet): no notes */
} TrainControlSetup;

typedef struct {
    Control ctl;            /* the socket (not listening: no --log, or refused) */
    TrainControlSource source;
    int (*signalled)(void *ctx); /* NULL: cli_stop_requested() */
    void *source_ctx;
    Trainer *t;
    StepLog *log;
    TrainControlSetup setup;
    char save_abs[TRAIN_PATH_MAX]; /* setup.save_path made absolute, for :status */
    int paused;             /* 1: no steps until :run or :step */
    long pause_at;          /* stepping: pause once t->step reaches it (0: not stepping) */
    int stop;               /* :stop came: the loop ends */
    int stop_reply;         /* its reply is owed (train_control_end) */
} TrainControl;

/* Opens the socket next to s->log_path (a refusal is one warning line on
 * stderr; the run trains on without it) and sets t->log_path to the log's
 * absolute path ("" without --log), so checkpoints name it ("run.log").
 * The trainer and the log must outlive tc. */
void train_control_open(TrainControl *tc, Trainer *t, StepLog *log, const TrainControlSetup *s);

/* The socket's absolute path, NULL when not listening (for steplog_start). */
const char *train_control_socket(const TrainControl *tc);

/* Take commands from source instead of the socket (see above); signalled
 * (may be NULL: cli_stop_requested) says whether a paused wait should end
 * for a stop signal — a data-parallel source answers for all ranks at once. */
void train_control_set_source(TrainControl *tc, TrainControlSource source, int (*signalled)(void *ctx), void *ctx);

/* Before each step: applies what came, waits while paused. 1: run a step now
 * (a stop signal that came meanwhile is the caller's to act on, as it is
 * without a socket); 0: :stop came, end the loop; -1: a stop signal
 * (cli_stop_requested) ended a paused wait, the caller stops as for any
 * signal. A data-parallel source should turn a signal seen by rank 0 during
 * the wait into a command all ranks receive, so they leave it together. */
int train_control_between_steps(TrainControl *tc);

/* 1 if :stop ended the run (the caller's exit status and last line say so). */
int train_control_stopped(const TrainControl *tc);

/* At the end, after the last save: answers a :stop (saved: 1 when the run is
 * saved at its last step, else its state was kept out: a diverged run, a failed
 * save), closes the connections and removes the socket. */
void train_control_end(TrainControl *tc, int saved);

#endif
