/* runner_watch.h — a runner that watches a run training elsewhere (another
 * terminal, nohup, mpirun, SLURM) for `rnnscope watch RUN`.
 *
 * Its thread steps nothing: it follows the run's --log file as it grows
 * (runlog.h) and reads the run's checkpoint again whenever it is saved (its
 * size, mtime or inode changed; saves are atomic renames, so a file that is
 * there is complete), and publishes through the same functions as the
 * runner that trains (runner.h): the run's record (the checkpoint's history
 * up to its save, then the log's lines after it), the findings (the
 * checkpoint's engine, then the events the run logged), the latest step,
 * the checkpoint's weights and tokenizer, the corpus when it can be read
 * here. So the dashboard (app.c) and its panels draw a watched run as they
 * draw their own.
 *
 * Steering: the run commands the dashboard sends (pause, run, step N, lr,
 * clip, save, and RUN_CMD_REMOTE lines such as ":stop") go to the control
 * socket the log's start record names, through the client the caller gives
 * (control_send, src/cli/control.h: the tui layer does not include cli), and
 * the reply is a message. Every second it asks ":status" for the header's
 * state. A run without a socket, on another host, or that has ended says so
 * instead of sending.
 *
 * Never writes the run's files: the log and the checkpoint are opened
 * read-only.
 */
#ifndef RNNSCOPE_RUNNER_WATCH_H
#define RNNSCOPE_RUNNER_WATCH_H

#include <stddef.h>

#include "err.h"
#include "runner.h"
#include "trainer.h"

typedef struct RunnerWatch RunnerWatch;

/* The control client: send one command line, read one reply line. */
typedef int (*RunnerControlFn)(const char *sock_path, const char *line, char *reply, size_t cap, int timeout_ms,
                               Err *err);

typedef struct {
    char log[TRAIN_PATH_MAX];        /* the --log file to follow */
    char checkpoint[TRAIN_PATH_MAX]; /* the checkpoint to read; "" the one the log's start record names */
    RunnerControlFn control;         /* NULL: no steering */
    double poll_s;                   /* how often the files are looked at; 0: 0.2 s */
    double status_s;                 /* how often :status is asked; 0: 1 s */
} WatchOptions;

/* What `watch RUN` names: a --log file, or a checkpoint whose "run.log"
 * metadata names the log (checkpoint then is that file). ERR_INPUT with one
 * line for a RUN that is missing or unreadable, a checkpoint without run.log
 * (or whose log is gone), and a log without a start record when no
 * checkpoint is given. Fills o->log and o->checkpoint (o's other fields are
 * left as they are). */
int runner_watch_resolve(const char *run, const char *checkpoint, WatchOptions *o, Err *err);

/* Read the log and the checkpoint (if there is one yet) once and build the
 * Trainer that stands for the run: its settings, model and weights,
 * tokenizer, record and findings; the corpus too when it can be read (it is
 * not needed). *w is the watch's own state (the caller frees it with
 * runner_watch_free after the runner is freed); *t is heap-allocated, for
 * app_run, its note the dashboard's first message. ERR_INPUT with one line
 * for files that cannot be read. */
int runner_watch_open(const WatchOptions *o, RunnerWatch **w, Trainer **t, Err *err);
void runner_watch_free(RunnerWatch *w);

/* Start r's thread on t (from runner_watch_open, which r then owns, as
 * runner_start owns its Trainer) following w (borrowed until runner_stop). */
int runner_start_watch(Runner *r, Trainer *t, RunnerWatch *w, Err *err);

#endif
