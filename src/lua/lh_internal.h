/* lh_internal.h — the LuaHost structure and the functions the host's own
 * files (src/lua/lh_*.c, lua_host.c) share. Nothing outside src/lua includes
 * this; the public API is lua_host.h.
 *
 * Files: lua_host.c (state, coroutine driver, interrupts, errors),
 * lh_sandbox.c (what a script may touch), lh_build.c (rnn.model/corpus/trainer,
 * settings between steps, save/load), lh_run.c (step/eval/history, the step
 * table), lh_inspect.c (probs/sample), lh_tensor.c (tensor userdata),
 * lh_events.c (rnn.on and firing hooks), lh_ui.c (print/log/plot/status),
 * lh_diag.c (the gradient inspector: histogram, findings, ngram, probe, last),
 * lh_ablate.c (rnn.ablate and the weights inference runs on), lh_units.c
 * (rnn.activations, rnn.units).
 */
#ifndef RNNSCOPE_LH_INTERNAL_H
#define RNNSCOPE_LH_INTERNAL_H

#include <signal.h>

#include <lua.h>

#include "lua_host.h"

/* What the script is waiting for. */
typedef enum { LH_REQ_NONE, LH_REQ_STEP, LH_REQ_EVAL } LhRequest;

/* lh_ablate.c: the units rnn.ablate removed from inference, in the order
 * they were ablated, and the run they belong to. */
typedef struct {
    int layer, unit;   /* 0-based */
} LhUnit;

typedef struct {
    LhUnit *units;     /* (n) malloc, cap entries */
    int n, cap;
    char run_id[RUN_ID_CAP]; /* Trainer.run_id of the run they were made on */
} LhAblation;

/* lh_paths.c: the files a sandboxed script may open (the policy is there). */
typedef struct {
    char **dirs;   /* (n_dirs) canonical folders writable with everything under them */
    int n_dirs;
    char **files;  /* (n_files) canonical files writable themselves */
    int n_files;
} LhPaths;

struct LuaHost {
    lua_State *L;         /* main state: hooks and synchronous calls run here */
    lua_State *co;        /* the script coroutine, NULL when idle */
    int co_ref;           /* registry reference keeping co alive */
    int print_results;    /* print what the chunk returns (= EXPR) */
    int narg;             /* values passed at the first resume (the script's ...) */
    int started;          /* the coroutine has been resumed at least once */
    LuaUi ui;
    int unsafe;
    LhPaths paths;        /* what a sandboxed script may open (unused with unsafe) */

    TrainConfig pending;  /* settings the next rnn.trainer{} (or lazy build) uses */
    Trainer *trainer;     /* current run, NULL if none */
    int owns_trainer;
    unsigned generation;  /* bumped when the run is replaced: stale tensors fail */
    LhAblation ablation;  /* units left out of inference (lh_ablate.c) */

    /* the current request */
    LhRequest req;
    long steps_left;      /* LH_REQ_STEP: steps still to make */
    long steps_done;
    int stop;             /* a hook returned "stop" or called rnn.pause() */
    int have_last;
    StepInfo last;        /* the last completed step */
    int have_prev;
    StepInfo prev;        /* the step before it */
    long findings_seen;   /* events of the run's findings the 'finding' hooks have seen */
    int failed;           /* the request failed: message in fail_msg */
    char fail_msg[512];
    char hook_error[1024];/* first hook error during this request ("" if none) */
    float eval_loss;
    int paused;
    int hook_errors;

    double hook_deadline; /* > 0: hooks on a dashboard step must end by then (lh_now) */
    int in_hooks;         /* hooks of a dashboard step are running (luahost_observe_*) */

    volatile sig_atomic_t interrupt;        /* 0 none, 1 interrupted, 2 timed out */
    volatile double interrupt_at;           /* when it was set (lh_now), for luahost_drive's watchdog */
    volatile int driving;                   /* luahost_drive is running: its watchdog watches */

    /* time slicing (lua_host.h): the slice length (0 = off) and when the
     * current resume started, CLOCK_MONOTONIC seconds */
    double slice_s;
    double slice_start;

    /* the memory cap (lua_host.c, lh_alloc): bytes the Lua state holds plus
     * the C buffers rnn.sample/rnn.probs charge for a script (lh_mem_charge),
     * the limit (SIZE_MAX: none) and the peak since luahost_new. The limit is
     * enforced only while mem_enforce > 0 — inside lua_resume and the hooks'
     * lua_pcall, where a refused allocation is a catchable Lua error; the
     * host's own unprotected calls are never refused (no panic, no abort). */
    size_t mem_used;
    size_t mem_limit;
    size_t mem_peak;
    int mem_enforce;
    int mem_refused;      /* an allocation was refused since the script started */
};

/* The host a C function runs for: stored as the registry's light userdata. */
LuaHost *lh_host(lua_State *L);

/* lua_host.c: stopping long C calls. lh_check_stop raises "interrupted" /
 * "timed out" (or the dashboard hook budget's error) if the script should
 * stop; call it inside any loop over tokens. lh_should_yield: 1 if L is the
 * script's coroutine, yieldable, and its time slice is used up — a C function
 * may then lua_yieldk with a continuation so the dashboard stays live. */
void lh_check_stop(lua_State *L);
int lh_should_yield(lua_State *L);
/* The memory cap: add bytes of C memory held for the script to the count,
 * raising the "not enough memory" error (nothing charged) if that passes the
 * limit; lh_mem_uncharge gives them back. lh_mem_error raises that error. */
void lh_mem_charge(lua_State *L, size_t bytes);
void lh_mem_uncharge(LuaHost *h, size_t bytes);
int lh_mem_error(lua_State *L);
/* "not enough memory: the script's limit is 1 GiB (--lua-memory)" */
void lh_mem_message(const LuaHost *h, char *buf, size_t cap);

/* lua_host.c */
void lh_set_trainer(LuaHost *h, Trainer *t, int owned); /* replace the run (frees an owned one) */
/* Message handler for lua_pcall: message + traceback. [-1, +1] */
int lh_traceback(lua_State *L);
/* Report a hook error (message with traceback on top of L), pop it. */
void lh_report_error(LuaHost *h, lua_State *L, const char *what);

/* lh_sandbox.c: remove what a sandboxed script may not use. */
void lh_sandbox_apply(lua_State *L);
/* The limits every script gets, --unsafe too: string.rep refuses a result
 * larger than the memory cap before building it. */
void lh_sandbox_limits(lua_State *L);

/* lh_paths.c: the files a sandboxed script may open (the policy is there). */
void lh_paths_init(LhPaths *ps);
void lh_paths_allow_args(LhPaths *ps, int argc, char **argv);
void lh_paths_free(LhPaths *ps);
/* 0 if path may be opened (write: 1 for writing), else -1 with the reason. */
int lh_paths_check(const LhPaths *ps, const char *path, int write, char *why, size_t cap);

/* lh_build.c: rnn.model, corpus, trainer, set, get, lr, clip, pause, save, load. */
void lh_build_register(lua_State *L);
/* The current run, built from the pending settings if there is none yet;
 * raises a Lua error when building fails. */
Trainer *lh_need_trainer(lua_State *L, LuaHost *h);

/* lh_run.c: rnn.step, eval, history. */
void lh_run_register(lua_State *L);
/* Push the table describing info. [-0, +1] */
void lh_run_push_step(lua_State *L, const LuaHost *h, const StepInfo *info);

/* lh_inspect.c: rnn.probs, rnn.sample. */
void lh_inspect_register(lua_State *L);
/* The state of a long C call (a "job", see lh_inspect.c): a zeroed userdata
 * of size bytes with metatable mt, whose __gc gc frees what it holds, pushed
 * on the stack. [-0, +1] */
void *lh_job_new(lua_State *L, size_t size, const char *mt, lua_CFunction gc);
/* In a job's continuation: raise "<fn>: the run was replaced while it ran"
 * unless the host still works on t, of that generation. */
void lh_job_check_run(lua_State *L, const char *fn, unsigned generation, const Trainer *t);
/* Between two pieces of a job's work: raise on an interrupt (lh_check_stop),
 * else 1 if the call should yield now (lh_should_yield). */
int lh_job_pause(lua_State *L);

/* lh_tensor.c: rnn.params, param, grad and the tensor class. */
void lh_tensor_register(lua_State *L);
/* Push a read-only rows x cols tensor that holds its own floats (kind
 * "activation"; the Lua state's memory, so the cap counts it); returns them
 * for the caller to fill. [-0, +1] */
float *lh_tensor_push_owned(lua_State *L, const char *name, int rows, int cols);

/* lh_build.c: " (did you mean 'hidden'?)" for a misspelt key, the closest of
 * keys (NULL-terminated; NULL: every training setting), or "". The text lives
 * in a static buffer until the next call. */
const char *lh_near_key(const char *key, const char *const *keys);

/* lh_ablate.c: rnn.ablate, rnn.ablated. */
void lh_ablate_register(lua_State *L);
/* A run was attached or built: drop the ablations if they belong to another
 * run (another run id); t NULL (detached) keeps them. */
void lh_ablate_follow(LuaHost *h, const Trainer *t);
void lh_ablate_free(LuaHost *h);
/* The weights rnn.probs, rnn.sample, rnn.activations and rnn.units run on:
 * t's own model when nothing is ablated, else a copy of its parameters with
 * every ablated unit removed (charged to the memory cap until lh_infer_end).
 * The copy shares t's tensor table, so it must not outlive t. */
typedef struct {
    Model m;           /* the model to run (m.grads NULL for a copy) */
    float *own;        /* (n_params) the copy, NULL when m is t's model itself */
    size_t charged;    /* bytes charged to the memory cap */
} LhInfer;
Model *lh_infer_begin(lua_State *L, Trainer *t, LhInfer *w);
void lh_infer_end(LuaHost *h, LhInfer *w);

/* lh_units.c: rnn.activations, rnn.units. */
void lh_units_register(lua_State *L);

/* lh_events.c: rnn.on; fire(event) calls every hook of that event with the
 * nargs values on top of L (popped). Returns 1 if a hook asked to stop. */
void lh_events_register(lua_State *L);
int lh_events_fire(LuaHost *h, lua_State *L, const char *event, int nargs);
/* How many hooks event has. */
int lh_events_count(lua_State *L, const char *event);

/* lh_ui.c: print, rnn.log, plot, status. */
void lh_ui_register(lua_State *L);

/* lh_diag.c: rnn.histogram, findings, ngram, probe, last. */
void lh_diag_register(lua_State *L);
/* Push one finding as the table rnn.findings() lists. [-0, +1] */
void lh_push_finding(lua_State *L, const Finding *f);
/* Fire the 'finding' hooks for every appearance or clearing of a finding since
 * the last call; returns 1 if a hook asked to stop. */
int lh_fire_findings(LuaHost *h);

/* lua_host.c: record info as the latest step (the previous latest becomes prev). */
void lh_record_step(LuaHost *h, const StepInfo *info);

#endif
