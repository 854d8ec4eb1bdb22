/* app.h — the dashboard's event loop.
 *
 * One thread (this one) owns curses, readline and the Lua state; the
 * trainer steps on the runner's thread. The loop poll()s stdin, the runner's
 * wake-up pipe, the signal pipe and a timer; it renders at most ~20 frames a
 * second (a keystroke may take a frame after 20 ms so the probability bars
 * follow typing) and only when something changed, and copies only changed
 * cells to the terminal. :quit, Ctrl-D and Ctrl-C save the run atomically and
 * the path is printed after the terminal is restored.
 *
 * Not for: the widgets (chart.h, bars.h, ...), parsing flags (src/cli/cmd_tui.c).
 */
#ifndef RNNSCOPE_APP_H
#define RNNSCOPE_APP_H

#include "err.h"
#include "runner_watch.h"
#include "trainer.h"

typedef struct {
    const char *theme;      /* theme name or path; NULL = "default" */
    const char *layout;     /* layout name; NULL = "default" */
    const char *save_path;  /* where :quit saves; NULL = the XDG runs dir */
    int start_paused;
    int exit_at_end;        /* quit (and save) when --steps is reached: for the bench */
    int ngram;              /* > 0: draw this order's n-gram baseline on the loss chart */
    const char *csv_path;   /* --csv FILE: every step's metrics as CSV rows, or NULL */
    const char *tb_dir;     /* --tensorboard DIR: TensorBoard event files, or NULL */
    int lua_unsafe;         /* --unsafe: Lua scripts get the full standard library */
    int force;              /* --force: saves may replace the file at save_path though it holds another run */
    size_t lua_memory;      /* --lua-memory: the Lua scripts' memory cap in bytes; 0 = the default */
    RunnerWatch *watch;     /* rnnscope watch: the run trains elsewhere (runner_watch.h); t is its stand-in,
                               nothing is saved on the way out, Lua is off, run commands go to its socket */
} AppOptions;

/* Run the dashboard on t (heap-allocated, initialised; the app takes it and
 * frees it). Returns the process exit status; failures before the screen is
 * up are reported in err. */
int app_run(Trainer *t, const AppOptions *o, Err *err);

/* Where a new run is saved by default: a file of its own (run_unique_path) in
 * $XDG_STATE_HOME/rnnscope/runs (XDG_STATE_HOME defaults to ~/.local/state). */
int app_default_save_path(const TrainConfig *c, char *out, size_t cap, Err *err);

/* $XDG_STATE_HOME/rnnscope (created if missing) into out. */
void app_state_dir(char *out, size_t cap);

#endif
