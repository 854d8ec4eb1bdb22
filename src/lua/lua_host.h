/* lua_host.h — the embedded Lua 5.4 host: one lua_State with the `rnn` API,
 * a script running as a coroutine, step hooks, interrupts and the sandbox.
 *
 * For: `rnnscope run script.lua` (headless) and the dashboard (`:run`, `:lua`,
 * `= expr`, the init file). Both drivers use the same protocol, so a script
 * behaves the same in both. Not for: curses, threads, or the training maths —
 * the host never steps the trainer itself (except in luahost_drive, the
 * headless convenience loop); the driver does, when the script asks.
 *
 * Threads: everything here runs on the main thread, except luahost_interrupt,
 * which is async-signal-safe and may be called from a signal handler or any
 * thread.
 *
 * The protocol. A script (file or string) is loaded into a coroutine by
 * luahost_start_file / luahost_start_string. The driver then calls
 * luahost_run repeatedly:
 *
 *     for (;;) {
 *         LhStatus s = luahost_run(h);
 *         if (s == LH_WANT_STEP) {            // one training step, please
 *             Trainer *t = luahost_trainer(h);
 *             if (trainer_step(t, &info, &err) == 0) luahost_step_done(h, &info);
 *             else luahost_step_failed(h, &err);
 *         } else if (s == LH_WANT_EVAL) {     // one validation pass, please
 *             if (trainer_eval(t, &v, &err) == 0) luahost_eval_done(h, v);
 *             else luahost_eval_failed(h, &err);
 *         } else if (s == LH_YIELDED) {
 *             continue;                       // the script called coroutine.yield(): keep the UI live
 *         } else break;                       // LH_DONE, LH_ERROR, LH_IDLE
 *     }
 *
 * luahost_run resumes the coroutine only when it has nothing to ask: a call
 * rnn.step(n) yields once, and luahost_run then answers LH_WANT_STEP n times
 * (fewer if a hook stops the run, a step fails, or an interrupt arrives)
 * without running any Lua code in between except the hooks, which
 * luahost_step_done runs, in registration order, right after each step. A
 * hook's changes (rnn.set{lr=...}, rnn.pause()) therefore apply from the very
 * next step. When the request is finished, luahost_run resumes the coroutine
 * with the result (the last step's table) and runs it until its next request
 * or its end.
 *
 * Headless: luahost_drive does exactly that loop with trainer_step in the same
 * thread. Dashboard: the UI loop calls luahost_run once per wake-up, hands
 * LH_WANT_STEP to the trainer thread (which steps luahost_trainer(h) once and
 * wakes the UI), then calls luahost_step_done on the main thread when the step
 * lands. Between requests the trainer must be idle: every other `rnn` call
 * (params, probs, sample, save, set...) reads or changes the Trainer directly
 * and synchronously on the main thread.
 *
 * Which Trainer: the driver may attach its own (luahost_attach_trainer, the
 * dashboard's run; borrowed, never freed here). A script that builds a run
 * (rnn.trainer{...}) or loads one (rnn.load) replaces it with a Trainer the
 * host owns; LuaUi.run_changed tells the driver, which from then on steps
 * luahost_trainer(h). luahost_release_trainer hands an owned Trainer over.
 *
 * Errors: a Lua error in the script ends it (LH_ERROR) with the message and
 * the coroutine's traceback sent to LuaUi.error; the model is as it was after
 * the last complete step. An error in a hook is reported the same way, the
 * hook is removed, and the running rnn.step(n) returns early with
 * `hook_error` set in its result; the script goes on.
 *
 * Interrupts (Ctrl-C, :stop, --timeout): luahost_interrupt only sets a flag
 * and a Lua count hook (as lua.c does), so a pure-Lua infinite loop stops at
 * its next instruction batch, and a running rnn.step(n) stops after the
 * current step. The script then fails with "interrupted" (or "timed out")
 * and its traceback; the host stays usable for the next script.
 *
 * Long C calls: Lua's hooks never run inside a C function, so the host's own
 * C functions that loop over tokens (rnn.sample, rnn.probs, rnn.activations,
 * rnn.units) check the interrupt flag themselves (lh_check_stop) and raise
 * the same error, and
 * rnn.eval's validation pass checks it between chunks (Trainer.cancel). Lua's
 * string and table functions cannot be stopped midway; the memory cap bounds
 * the strings they can build (see "Memory" below and docs/lua.md).
 *
 * Memory: the state's allocator counts bytes and refuses an allocation past
 * LuaHostOptions.mem_limit (--lua-memory) — after a full emergency collection,
 * as Lua does. The script then fails with "not enough memory: the script's
 * limit is N (--lua-memory)" and its traceback (a pcall inside the script
 * can catch it); the host collects the garbage and stays usable.
 *
 * Time slices (LuaHostOptions.slice_s > 0, the dashboard): a script that
 * computes for longer than a slice without asking for a step is yielded from
 * the count hook (Lua 5.4 lets a count hook yield), so luahost_run returns
 * LH_YIELDED and the driver's loop gets control back — it can draw, read
 * keys and take a typed :stop while a script spins in `while true do end`.
 * Only the script's own coroutine is sliced (never a coroutine the script
 * created, whose resume would see a spurious yield) and only where it is
 * yieldable (not inside a metamethod or a C callback such as table.sort's
 * comparator); there it simply runs on until its next yieldable point.
 *
 * Naming: public functions are luahost_* (not lua_*, which is Lua's own
 * namespace); the host's private files are src/lua/lh_*.c.
 */
#ifndef RNNSCOPE_LUA_HOST_H
#define RNNSCOPE_LUA_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "train_config.h"
#include "trainer.h"
#include "units.h"

typedef struct LuaHost LuaHost;

/* Where the script's output goes. Every callback may be NULL (output
 * dropped); text is one message without a trailing newline (it may contain
 * newlines, e.g. a traceback). Headless: stdout for print/log, stderr for
 * error/status. Dashboard: the message pane, the chart, the status line. */
typedef struct {
    void *ctx;
    void (*print)(void *ctx, const char *text);  /* print(...) */
    void (*log)(void *ctx, const char *text);    /* rnn.log(...) */
    void (*error)(void *ctx, const char *text);  /* a script or hook error, with traceback */
    /* rnn.plot(series, x, y): one point of a custom chart series */
    void (*plot)(void *ctx, const char *series, double x, double y);
    void (*status)(void *ctx, const char *text); /* rnn.status(text) */
    /* The script built or loaded a new run: luahost_trainer(h) is now t. */
    void (*run_changed)(void *ctx, Trainer *t);
    /* rnn.ablate changed the ablated units (0-based layer, unit): ablated
     * (on 1) or restored (on 0); layer -1: every one restored (rnn.ablate(),
     * or a run of another id attached). A driver with inference weights of
     * its own re-applies luahost_ablation_apply to a fresh copy of them. */
    void (*ablation)(void *ctx, int layer, int unit, int on);
    /* rnn.units ranked the units of kind (units.h's index) by find (the
     * string, or "a Lua function"): the best n, for a units view to show */
    void (*units_ranked)(void *ctx, const UnitScore *s, int n, int kind, const char *find);
} LuaUi;

typedef struct {
    int unsafe;            /* 1: full standard library (io.popen, os.execute, C modules...) */
    LuaUi ui;
    /* Settings a script's run starts from (rnn.model/corpus/trainer change
     * them): the driver fills the default corpus path here. NULL: the
     * built-in defaults (train_config_default). */
    const TrainConfig *defaults;
    /* > 0: yield a script that has run this many seconds without asking for
     * the trainer (LH_YIELDED), so the driver's loop stays live. 0: never
     * (headless). */
    double slice_s;
    /* The memory cap: bytes the script's Lua state may hold (with the buffers
     * rnn.sample/rnn.probs take for it). 0: luahost_default_memory();
     * SIZE_MAX: no limit. */
    size_t mem_limit;
} LuaHostOptions;

typedef enum {
    LH_IDLE = 0,     /* no script loaded */
    LH_WANT_STEP,    /* step luahost_trainer(h) once, then luahost_step_done/failed */
    LH_WANT_EVAL,    /* evaluate it once, then luahost_eval_done/failed */
    LH_YIELDED,      /* the script yielded with nothing to do: call luahost_run again soon */
    LH_DONE,         /* the script finished; the host is idle again */
    LH_ERROR         /* the script failed (already reported to LuaUi.error); idle again */
} LhStatus;

/* A new host: a Lua state with the standard libraries (sandboxed unless
 * opt->unsafe), the global `rnn` (also require "rnn"), print routed to the UI.
 * Returns NULL only if Lua cannot allocate its state. */
LuaHost *luahost_new(const LuaHostOptions *opt);
/* Closes the Lua state (every tensor userdata with it) and frees owned trainers. */
void luahost_free(LuaHost *h);

/* Borrow the driver's run (may be NULL to detach). Tensors taken from the
 * previous run become stale (they fail cleanly). */
void luahost_attach_trainer(LuaHost *h, Trainer *t);
/* The run the script works on (NULL if none yet). */
Trainer *luahost_trainer(const LuaHost *h);
/* If the host owns its current run, give it to the caller (who must
 * trainer_free and free() it) and keep using it as borrowed; else NULL. */
Trainer *luahost_release_trainer(LuaHost *h);

/* Load a script into the coroutine; `arg` (argv[0] = the script path,
 * argv[1..argc) its arguments, as lua.c) becomes the global `arg` table and
 * the chunk's `...`. Nothing runs until luahost_run. ERR_INPUT for a missing
 * file or a syntax error; ERR_RUNTIME if a script is already running. */
int luahost_start_file(LuaHost *h, const char *path, int argc, char **argv, Err *err);
/* The same for a piece of code (`:lua STATEMENT`). With print_results, the
 * values the chunk returns are printed (for `= EXPR`, pass "return EXPR"). */
int luahost_start_string(LuaHost *h, const char *code, const char *chunkname, int print_results,
                         Err *err);
/* 1 while a script is loaded and has not finished. */
int luahost_busy(const LuaHost *h);

/* Advance the script until it needs the trainer or ends (see the protocol). */
LhStatus luahost_run(LuaHost *h);
/* Report the step the driver made for LH_WANT_STEP: runs the 'step' hooks
 * (and 'eval' hooks if info->evaluated) in order, records the history. */
void luahost_step_done(LuaHost *h, const StepInfo *info);
/* The step failed (e.g. non-finite loss): runs 'nonfinite' hooks; rnn.step
 * returns nil, message. */
void luahost_step_failed(LuaHost *h, const Err *err);
void luahost_eval_done(LuaHost *h, float val_loss);
void luahost_eval_failed(LuaHost *h, const Err *err);

/* Headless: run the loaded script to its end, stepping the trainer in this
 * thread. 0 when it finished, 1 on a Lua error (already reported).
 * A watchdog thread runs meanwhile: when an interrupt (Ctrl-C, --timeout) is
 * still not obeyed LH_HARD_STOP_S later — the script is inside one of Lua's
 * own C functions, e.g. string.find with a backtracking pattern on a huge
 * string — it prints that to stderr and ends the process with _exit(1). */
#define LH_HARD_STOP_S 1.0
int luahost_drive(LuaHost *h);

/* Ask the running script to stop (Ctrl-C, :stop, a timeout). Async-signal-
 * safe. reason: 0 "interrupted", 1 "timed out". No effect when idle. */
void luahost_interrupt(LuaHost *h, int reason);

/* 1 if the last finished script left the run paused (rnn.pause()); the
 * dashboard keeps its trainer paused then. Cleared by the next start. */
int luahost_paused(const LuaHost *h);

/* A step made outside any script (the dashboard training on its own): kept
 * as the latest step for rnn.findings() and rnn.last(), without running
 * hooks or adding to the script history. Steps of another run are ignored
 * until the driver attaches it. */
void luahost_note_step(LuaHost *h, const StepInfo *info);

/* Hooks on the driver's own steps (the dashboard's F5, :run, :step), outside
 * any script: 1 if a 'step', 'eval', 'finding' or 'nonfinite' hook is set. */
int luahost_has_hooks(LuaHost *h);
/* Run the hooks for a step the driver took on luahost_trainer(h) (attached),
 * as luahost_step_done does for a script's step. Each call's hooks together
 * get LH_HOOK_BUDGET_S seconds: a hook still running then fails (reported,
 * removed). Returns 1 if a hook asked to stop (returned "stop", called
 * rnn.pause() or failed): the driver should pause. Does nothing while a
 * script runs. */
#define LH_HOOK_BUDGET_S 2.0
int luahost_observe_step(LuaHost *h, const StepInfo *info);
/* The 'nonfinite' and 'finding' hooks for a step of the driver's that failed
 * (msg its error, step its number); the driver has paused already. */
void luahost_observe_failure(LuaHost *h, const char *msg, long step);
/* The 'eval' hooks for a validation pass the driver ran (:eval). */
void luahost_observe_eval(LuaHost *h, long step, float val_loss);

/* Ablation (rnn.ablate): units left out of what the model predicts in the
 * host's inference (rnn.probs, rnn.sample, rnn.activations, rnn.units) — never
 * in training, whose parameters are not touched. The list belongs to the run
 * it was made on: it outlives the script that made it and is dropped when a
 * run with another id (Trainer.run_id) is attached or built. A driver applies
 * it to its own inference weights (the dashboard's bars and samples) with
 * luahost_ablation_apply, on a fresh copy of the run's parameters in cfg's
 * layout; units outside cfg are skipped. Returns how many units it removed. */
int luahost_ablation_apply(const LuaHost *h, const ModelConfig *cfg, float *params);
/* Units ablated now. */
int luahost_ablation_count(const LuaHost *h);

/* Hook errors reported since the host was created (for tests and exit codes). */
int luahost_hook_errors(const LuaHost *h);

/* The memory cap (--lua-memory). The default: 1 GiB, or a quarter of the
 * physical memory if that is less. */
#define LH_MEM_DEFAULT ((size_t)1 << 30)
size_t luahost_default_memory(void);
/* Parse a --lua-memory value: bytes ("1048576") or a number with a binary
 * suffix K, M, G or T (optionally followed by "B" or "iB"; "512M", "2G",
 * "1.5G"); "0" or "none": no limit (SIZE_MAX). At least 1M otherwise. */
int luahost_parse_size(const char *text, size_t *bytes, Err *err);
/* "1 GiB", "512 MiB", "1000 bytes" ("no limit" for SIZE_MAX). */
void luahost_format_size(size_t bytes, char *buf, size_t cap);
/* Bytes in use now, and the most ever in use, by the Lua state and the
 * buffers charged to it. */
size_t luahost_memory_used(const LuaHost *h);
size_t luahost_memory_peak(const LuaHost *h);

#endif
