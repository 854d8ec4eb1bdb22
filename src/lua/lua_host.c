/* lua_host.c — the Lua state, the script coroutine and its driver protocol,
 * interrupts and error reporting (see lua_host.h for the protocol).
 *
 * Not here: the `rnn` functions themselves (lh_build.c, lh_run.c,
 * lh_inspect.c, lh_tensor.c, lh_events.c, lh_ui.c, lh_diag.c, lh_ablate.c,
 * lh_units.c) or the sandbox
 * (lh_sandbox.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lualib.h>

#include "lh_internal.h"

/* The host pointer lives in the state's extra space, which lua_newthread
 * copies into every coroutine, so any thread finds it without a lookup. */
LuaHost *lh_host(lua_State *L)
{
    return *(LuaHost **)lua_getextraspace(L);
}

/* ---- interrupts ------------------------------------------------------------ */

static double lh_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Why two hooks: the signal handler arms a count-1 hook on the threads it
 * knows (the coroutine and the main state), as lua.c does, so the stop is
 * immediate. A script can also create coroutines of its own, which the
 * handler does not know; they inherit this cheap hook (checked every 1000
 * instructions) from the script's coroutine, so they stop too.
 *
 * The same count hook gives the time slices: on the script's coroutine,
 * once the slice is used up, it yields with no values (allowed from a count
 * hook in Lua 5.4); lua_resume then reports LUA_YIELD and luahost_run
 * answers LH_YIELDED. */
static void lh_stop_hook(lua_State *L, lua_Debug *ar)
{
    LuaHost *h = lh_host(L);
    lh_check_stop(L); /* the hook deadline fires once: the next hook gets its own turn */
    if (ar->event == LUA_HOOKCOUNT && h->slice_s > 0 && L == h->co && lua_isyieldable(L) &&
        lh_now() - h->slice_start > h->slice_s)
        lua_yield(L, 0);
}

#define LH_CHECK_EVERY 1000

void lh_check_stop(lua_State *L)
{
    LuaHost *h = lh_host(L);
    if (h->interrupt)
        luaL_error(L, "%s", h->interrupt == 2 ? "timed out" : "interrupted");
    if (h->hook_deadline > 0 && lh_now() > h->hook_deadline) {
        h->hook_deadline = 0;
        luaL_error(L, "this hook ran for more than %.0f s on one dashboard step", LH_HOOK_BUDGET_S);
    }
}

int lh_should_yield(lua_State *L)
{
    LuaHost *h = lh_host(L);
    return h->slice_s > 0 && L == h->co && lua_isyieldable(L) && lh_now() - h->slice_start > h->slice_s;
}

/* ---- the memory cap ---------------------------------------------------------- */

/* Room for n more bytes under the limit (only while enforcing). */
static int mem_room(const LuaHost *h, size_t n)
{
    if (h->mem_enforce <= 0 || h->mem_limit == SIZE_MAX)
        return 1;
    return h->mem_used <= h->mem_limit && n <= h->mem_limit - h->mem_used;
}

static void mem_add(LuaHost *h, size_t n)
{
    h->mem_used += n;
    if (h->mem_used > h->mem_peak)
        h->mem_peak = h->mem_used;
}

/* The state's lua_Alloc: realloc/free that counts bytes and refuses growth
 * past the limit. Lua answers a refusal with an emergency full collection and
 * one retry, then raises LUA_ERRMEM. */
static void *lh_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    LuaHost *h = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        h->mem_used -= old;
        return NULL;
    }
    if (nsize > old && !mem_room(h, nsize - old)) {
        h->mem_refused = 1;
        return NULL;
    }
    void *p = realloc(ptr, nsize);
    if (!p)
        return NULL;
    if (nsize >= old)
        mem_add(h, nsize - old);
    else
        h->mem_used -= old - nsize;
    return p;
}

void luahost_format_size(size_t bytes, char *buf, size_t cap)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
    if (bytes == SIZE_MAX) {
        snprintf(buf, cap, "no limit");
        return;
    }
    int u = -1;
    double v = (double)bytes;
    while (u < 3 && v >= 1024) {
        v /= 1024;
        u++;
    }
    if (u < 0)
        snprintf(buf, cap, "%zu bytes", bytes);
    else if (v == (double)(long long)v)
        snprintf(buf, cap, "%lld %s", (long long)v, units[u]);
    else
        snprintf(buf, cap, "%.1f %s", v, units[u]);
}

void lh_mem_message(const LuaHost *h, char *buf, size_t cap)
{
    char lim[32];
    luahost_format_size(h->mem_limit, lim, sizeof lim);
    snprintf(buf, cap, "not enough memory: the script's limit is %s (--lua-memory)", lim);
}

int lh_mem_error(lua_State *L)
{
    char msg[128];
    LuaHost *h = lh_host(L);
    h->mem_refused = 1;
    lh_mem_message(h, msg, sizeof msg);
    return luaL_error(L, "%s", msg);
}

void lh_mem_charge(lua_State *L, size_t bytes)
{
    LuaHost *h = lh_host(L);
    if (!mem_room(h, bytes))
        lh_mem_error(L);
    mem_add(h, bytes);
}

void lh_mem_uncharge(LuaHost *h, size_t bytes)
{
    h->mem_used -= bytes < h->mem_used ? bytes : h->mem_used;
}

size_t luahost_default_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0) {
        double quarter = (double)pages * (double)page / 4;
        if (quarter < (double)LH_MEM_DEFAULT)
            return quarter < (double)(64 << 20) ? (size_t)64 << 20 : (size_t)quarter;
    }
    return LH_MEM_DEFAULT;
}

int luahost_parse_size(const char *text, size_t *bytes, Err *err)
{
    if (!strcmp(text, "0") || !strcmp(text, "none")) {
        *bytes = SIZE_MAX;
        return 0;
    }
    char *end;
    double v = strtod(text, &end);
    double mult = 1;
    if (end != text) {
        switch (*end) {
        case 'k': case 'K': mult = 1024.0; end++; break;
        case 'm': case 'M': mult = 1024.0 * 1024; end++; break;
        case 'g': case 'G': mult = 1024.0 * 1024 * 1024; end++; break;
        case 't': case 'T': mult = 1024.0 * 1024 * 1024 * 1024; end++; break;
        default: break;
        }
        if (mult > 1 && (!strcmp(end, "iB") || !strcmp(end, "B")))
            end += strlen(end);
    }
    double b = v * mult;
    if (end == text || *end || !(b >= 1024.0 * 1024) || b > 1e18 || (mult == 1 && strchr(text, '.')))
        return err_set(err, ERR_INPUT,
                       "--lua-memory: '%s' is not a size of at least 1M: give bytes or a number with "
                       "K, M, G or T (512M, 2G), or 0 for no limit", text);
    *bytes = (size_t)b;
    return 0;
}

size_t luahost_memory_used(const LuaHost *h)
{
    return h->mem_used;
}

size_t luahost_memory_peak(const LuaHost *h)
{
    return h->mem_peak;
}

static void arm_check_hook(lua_State *L)
{
    lua_sethook(L, lh_stop_hook, LUA_MASKCOUNT, LH_CHECK_EVERY);
}

void luahost_interrupt(LuaHost *h, int reason)
{
    if (!h || (!h->co && !h->in_hooks))
        return;
    if (!h->interrupt)
        h->interrupt_at = lh_now(); /* clock_gettime is async-signal-safe */
    h->interrupt = reason == 1 ? 2 : 1;
    int mask = LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT;
    if (h->co)
        lua_sethook(h->co, lh_stop_hook, mask, 1);
    lua_sethook(h->L, lh_stop_hook, mask, 1);
}

/* ---- errors ---------------------------------------------------------------- */

int lh_traceback(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            return 1;
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1); /* [-0, +1] */
    return 1;
}

static void ui_error(LuaHost *h, const char *text)
{
    if (h->ui.error)
        h->ui.error(h->ui.ctx, text);
}

void lh_report_error(LuaHost *h, lua_State *L, const char *what)
{
    const char *msg = lua_tostring(L, -1);
    char *text;
    size_t n = strlen(what) + (msg ? strlen(msg) : 20) + 4;
    text = xmalloc(n);
    snprintf(text, n, "%s: %s", what, msg ? msg : "(non-string error)");
    ui_error(h, text);
    free(text);
    lua_pop(L, 1); /* [-1, +0] */
}

/* ---- the run ------------------------------------------------------------------- */

static void free_owned(LuaHost *h)
{
    if (h->trainer && h->owns_trainer) {
        trainer_free(h->trainer);
        free(h->trainer);
    }
    h->trainer = NULL;
    h->owns_trainer = 0;
}

void lh_record_step(LuaHost *h, const StepInfo *info)
{
    h->have_prev = h->have_last && h->last.step + 1 == info->step;
    if (h->have_prev)
        h->prev = h->last;
    h->last = *info;
    h->have_last = 1;
}

void luahost_note_step(LuaHost *h, const StepInfo *info)
{
    if (!h->trainer || info->n_tensors != h->trainer->model.n_tensors || info->step > h->trainer->step)
        return;
    if (h->have_last && h->last.step == info->step)
        return;
    lh_record_step(h, info);
    lh_fire_findings(h);
}

void lh_set_trainer(LuaHost *h, Trainer *t, int owned)
{
    if (t == h->trainer) {
        h->owns_trainer = owned;
        return;
    }
    /* never write into the old run here: a borrowed one may be freed already
     * (the dashboard's :load). Its cancel pointer is cleared when the eval that
     * set it ends (luahost_eval_done / _failed, finish_script). */
    free_owned(h);
    h->trainer = t;
    h->owns_trainer = owned;
    h->generation++;
    h->have_last = 0;
    h->have_prev = 0;
    h->findings_seen = t ? t->findings.n_events : 0; /* a loaded run's past does not fire */
    lh_ablate_follow(h, t);
    if (h->ui.run_changed)
        h->ui.run_changed(h->ui.ctx, t);
}

void luahost_attach_trainer(LuaHost *h, Trainer *t)
{
    lh_set_trainer(h, t, 0);
}

Trainer *luahost_trainer(const LuaHost *h)
{
    return h->trainer;
}

Trainer *luahost_release_trainer(LuaHost *h)
{
    if (!h->trainer || !h->owns_trainer)
        return NULL;
    h->owns_trainer = 0;
    return h->trainer;
}

int luahost_paused(const LuaHost *h)
{
    return h->paused;
}

int luahost_hook_errors(const LuaHost *h)
{
    return h->hook_errors;
}

int luahost_busy(const LuaHost *h)
{
    return h->co != NULL;
}

/* ---- creating the state ------------------------------------------------------ */

static int open_rnn(lua_State *L)
{
    lua_newtable(L);            /* [-0, +1] rnn */
    lh_build_register(L);
    lh_run_register(L);
    lh_inspect_register(L);
    lh_tensor_register(L);
    lh_events_register(L);
    lh_ui_register(L);
    lh_diag_register(L);
    lh_ablate_register(L);
    lh_units_register(L);
    lua_pushstring(L, "0.1"); /* [-0, +1] */
    lua_setfield(L, -2, "version"); /* [-1, +0] */
    return 1;
}

/* Only reached by a bug (an error outside any protected call): say so. */
static int lh_panic(lua_State *L)
{
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "rnnscope: Lua error outside a protected call: %s\n", msg ? msg : "?");
    return 0; /* then Lua aborts */
}

LuaHost *luahost_new(const LuaHostOptions *opt)
{
    LuaHost *h = xcalloc(1, sizeof *h);
    h->mem_limit = opt->mem_limit ? opt->mem_limit : luahost_default_memory();
    lua_State *L = lua_newstate(lh_alloc, h);
    if (!L) {
        free(h);
        return NULL;
    }
    lua_atpanic(L, lh_panic);
    h->L = L;
    h->co_ref = LUA_NOREF;
    h->ui = opt->ui;
    h->unsafe = opt->unsafe;
    h->slice_s = opt->slice_s > 0 ? opt->slice_s : 0;
    if (opt->defaults)
        h->pending = *opt->defaults;
    else
        train_config_default(&h->pending);
    *(LuaHost **)lua_getextraspace(L) = h;
    luaL_openlibs(L);
    lh_paths_init(&h->paths);
    if (!h->unsafe)
        lh_sandbox_apply(L);
    lh_sandbox_limits(L);
    luaL_requiref(L, "rnn", open_rnn, 1); /* [-0, +1] also package.loaded.rnn */
    lua_pop(L, 1);                        /* [-1, +0] */
    return h;
}

static void finish_script(LuaHost *h)
{
    lua_State *co = h->co;
    h->co = NULL; /* first: the signal handler must not touch a dead thread */
    if (co)
        lua_resetthread(co); /* runs pending to-be-closed variables */
    luaL_unref(h->L, LUA_REGISTRYINDEX, h->co_ref);
    h->co_ref = LUA_NOREF;
    h->req = LH_REQ_NONE;
    h->steps_left = 0;
    if (h->trainer)
        h->trainer->cancel = NULL;
    lua_sethook(h->L, NULL, 0, 0);
    h->interrupt = 0;
    lua_settop(h->L, 0);
    if (h->mem_refused) /* give the next script the memory back now */
        lua_gc(h->L, LUA_GCCOLLECT);
    h->mem_refused = 0;
}

void luahost_free(LuaHost *h)
{
    if (!h)
        return;
    if (h->co)
        finish_script(h);
    lua_close(h->L); /* tensors' __gc run here, while the host is still alive */
    free_owned(h);
    lh_paths_free(&h->paths);
    lh_ablate_free(h);
    free(h);
}

/* ---- starting a script -------------------------------------------------------- */

/* A fresh coroutine holding nothing yet; [-0, +0] on the main state. */
static lua_State *new_coroutine(LuaHost *h)
{
    lua_State *co = lua_newthread(h->L);                 /* [-0, +1] */
    h->co_ref = luaL_ref(h->L, LUA_REGISTRYINDEX);      /* [-1, +0] */
    arm_check_hook(co);
    h->narg = 0;
    h->started = 0;
    h->req = LH_REQ_NONE;
    h->steps_left = 0;
    h->paused = 0;
    h->interrupt = 0;
    h->mem_refused = 0;
    arm_check_hook(h->L);
    return co;
}

static int load_failed(LuaHost *h, lua_State *co, int status, Err *err)
{
    const char *msg = lua_tostring(co, -1);
    err_set(err, ERR_INPUT, "%s%s", msg ? msg : "cannot load the script",
            status == LUA_ERRSYNTAX ? "" : "");
    luaL_unref(h->L, LUA_REGISTRYINDEX, h->co_ref);
    h->co_ref = LUA_NOREF;
    lua_sethook(h->L, NULL, 0, 0);
    return ERR_INPUT;
}

int luahost_start_file(LuaHost *h, const char *path, int argc, char **argv, Err *err)
{
    if (h->co)
        return err_set(err, ERR_RUNTIME, "a script is already running; wait for it or :stop it");
    lua_State *co = new_coroutine(h);
    int st = luaL_loadfilex(co, path, "t"); /* [-0, +1] the chunk */
    if (st != LUA_OK)
        return load_failed(h, co, st, err);
    /* arg as lua.c builds it: arg[0] the script, arg[1..] its arguments */
    lua_createtable(h->L, argc > 0 ? argc - 1 : 0, 1); /* [-0, +1] */
    lua_pushstring(h->L, path);
    lua_rawseti(h->L, -2, 0);
    for (int i = 1; i < argc; i++) {
        lua_pushstring(h->L, argv[i]);
        lua_rawseti(h->L, -2, i);
    }
    lua_setglobal(h->L, "arg"); /* [-1, +0] */
    luaL_checkstack(co, argc + 1, "too many script arguments");
    for (int i = 1; i < argc; i++)
        lua_pushstring(co, argv[i]); /* the chunk's ... */
    h->narg = argc > 0 ? argc - 1 : 0;
    if (argc > 1)
        lh_paths_allow_args(&h->paths, argc - 1, argv + 1); /* files and folders the user named */
    h->print_results = 0;
    h->co = co;
    return 0;
}

int luahost_start_string(LuaHost *h, const char *code, const char *chunkname, int print_results,
                         Err *err)
{
    if (h->co)
        return err_set(err, ERR_RUNTIME, "a script is already running; wait for it or :stop it");
    lua_State *co = new_coroutine(h);
    int st = luaL_loadbufferx(co, code, strlen(code), chunkname, "t");
    if (st != LUA_OK)
        return load_failed(h, co, st, err);
    h->print_results = print_results;
    h->co = co;
    return 0;
}

/* ---- driving ------------------------------------------------------------------ */

static int request_open(const LuaHost *h)
{
    if (h->interrupt)
        return 0;
    if (h->req == LH_REQ_STEP)
        return h->steps_left > 0 && !h->stop && !h->failed;
    return h->req == LH_REQ_EVAL;
}

static void print_returns(LuaHost *h, lua_State *co, int nres)
{
    luaL_Buffer b;
    luaL_buffinit(h->L, &b);
    for (int i = 1; i <= nres; i++) {
        if (i > 1)
            luaL_addchar(&b, '\t');
        luaL_tolstring(co, -nres + i - 1, NULL); /* [-0, +1] on co */
        lua_xmove(co, h->L, 1);                   /* moved onto L */
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);                          /* [-0, +1] on L */
    if (h->ui.print)
        h->ui.print(h->ui.ctx, lua_tostring(h->L, -1));
    lua_pop(h->L, 1);
}

LhStatus luahost_run(LuaHost *h)
{
    if (!h->co)
        return LH_IDLE;
    if (request_open(h))
        return h->req == LH_REQ_STEP ? LH_WANT_STEP : LH_WANT_EVAL;
    lua_State *co = h->co;
    int nres = 0;
    int nargs = h->started ? 0 : h->narg;
    h->started = 1;
    h->slice_start = lh_now();
    h->mem_enforce++;
    int st = lua_resume(co, h->L, nargs, &nres);
    h->mem_enforce--;
    if (st == LUA_YIELD) {
        lua_pop(co, nres);
        if (request_open(h)) {
            if (h->req == LH_REQ_EVAL && h->trainer)
                h->trainer->cancel = &h->interrupt; /* :stop, Ctrl-C, --timeout end the pass */
            return h->req == LH_REQ_STEP ? LH_WANT_STEP : LH_WANT_EVAL;
        }
        h->req = LH_REQ_NONE;
        return LH_YIELDED;
    }
    if (st == LUA_OK) {
        if (h->print_results && nres > 0)
            print_returns(h, co, nres);
        finish_script(h);
        return LH_DONE;
    }
    const char *msg = lua_tostring(co, -1);
    char mem[128];
    if (st == LUA_ERRMEM || (msg && h->mem_refused && !strcmp(msg, "not enough memory"))) {
        lh_mem_message(h, mem, sizeof mem); /* Lua's own message does not say which limit */
        msg = mem;
    }
    if (!msg)
        msg = lua_pushfstring(co, "(error object is a %s value)", luaL_typename(co, -1));
    luaL_traceback(h->L, co, msg, 0); /* [-0, +1] on L: message and the coroutine's stack */
    ui_error(h, lua_tostring(h->L, -1));
    lua_pop(h->L, 1);
    finish_script(h);
    return LH_ERROR;
}

void luahost_step_done(LuaHost *h, const StepInfo *info)
{
    lh_record_step(h, info);
    h->steps_done++;
    if (h->steps_left > 0)
        h->steps_left--;
    lua_State *L = h->L;
    lh_run_push_step(L, h, info);                     /* [-0, +1] */
    if (lh_events_fire(h, L, "step", 1))              /* [-1, +0] */
        h->stop = 1;
    if (info->evaluated) {
        lua_pushnumber(L, info->val_loss);            /* [-0, +1] */
        lua_pushinteger(L, info->step);               /* [-0, +1] */
        if (lh_events_fire(h, L, "eval", 2))          /* [-2, +0] */
            h->stop = 1;
    }
    if (lh_fire_findings(h))
        h->stop = 1;
}

/* ---- hooks on the driver's own steps ------------------------------------------ */

int luahost_has_hooks(LuaHost *h)
{
    return lh_events_count(h->L, "step") + lh_events_count(h->L, "eval") + lh_events_count(h->L, "finding") +
               lh_events_count(h->L, "nonfinite") >
           0;
}

/* Around hooks fired outside a script: a time budget (the count hook checks
 * it) instead of the script's slices, and a clean state after. */
static void observe_begin(LuaHost *h)
{
    h->in_hooks = 1;
    h->paused = 0;
    h->hook_deadline = lh_now() + LH_HOOK_BUDGET_S;
    arm_check_hook(h->L);
}

static int observe_end(LuaHost *h, int stop)
{
    stop |= h->paused;
    h->paused = 0;
    h->in_hooks = 0;
    h->hook_deadline = 0;
    h->interrupt = 0;
    lua_sethook(h->L, NULL, 0, 0);
    lua_settop(h->L, 0);
    return stop;
}

int luahost_observe_step(LuaHost *h, const StepInfo *info)
{
    if (h->co || !h->trainer)
        return 0;
    observe_begin(h);
    lh_record_step(h, info);
    lua_State *L = h->L;
    lh_run_push_step(L, h, info);                     /* [-0, +1] */
    int stop = lh_events_fire(h, L, "step", 1);       /* [-1, +0] */
    if (info->evaluated) {
        lua_pushnumber(L, info->val_loss);            /* [-0, +1] */
        lua_pushinteger(L, info->step);               /* [-0, +1] */
        stop |= lh_events_fire(h, L, "eval", 2);      /* [-2, +0] */
    }
    stop |= lh_fire_findings(h);
    return observe_end(h, stop);
}

void luahost_observe_failure(LuaHost *h, const char *msg, long step)
{
    if (h->co || !h->trainer)
        return;
    observe_begin(h);
    if (msg && strstr(msg, "not finite")) {
        lua_pushstring(h->L, msg);      /* [-0, +1] */
        lua_pushinteger(h->L, step);    /* [-0, +1] */
        lh_events_fire(h, h->L, "nonfinite", 2);
    }
    lh_fire_findings(h);
    observe_end(h, 0);
}

void luahost_observe_eval(LuaHost *h, long step, float val_loss)
{
    if (h->co)
        return;
    observe_begin(h);
    lua_pushnumber(h->L, val_loss); /* [-0, +1] */
    lua_pushinteger(h->L, step);    /* [-0, +1] */
    lh_events_fire(h, h->L, "eval", 2);
    observe_end(h, 0);
}

static void set_failed(LuaHost *h, const Err *err)
{
    h->failed = 1;
    snprintf(h->fail_msg, sizeof h->fail_msg, "%s", err && err->msg[0] ? err->msg : "failed");
}

void luahost_step_failed(LuaHost *h, const Err *err)
{
    set_failed(h, err);
    if (err && strstr(err->msg, "not finite")) {
        lua_pushstring(h->L, h->fail_msg);                           /* [-0, +1] */
        lua_pushinteger(h->L, h->trainer ? h->trainer->step + 1 : 0); /* [-0, +1] */
        lh_events_fire(h, h->L, "nonfinite", 2);                     /* [-2, +0] */
    }
    lh_fire_findings(h);
}

void luahost_eval_done(LuaHost *h, float val_loss)
{
    if (h->trainer)
        h->trainer->cancel = NULL;
    h->eval_loss = val_loss;
    h->req = LH_REQ_NONE;
    long step = h->trainer ? h->trainer->step : 0;
    lua_pushnumber(h->L, val_loss); /* [-0, +1] */
    lua_pushinteger(h->L, step);    /* [-0, +1] */
    lh_events_fire(h, h->L, "eval", 2);
}

void luahost_eval_failed(LuaHost *h, const Err *err)
{
    if (h->trainer)
        h->trainer->cancel = NULL;
    set_failed(h, err);
    h->req = LH_REQ_NONE;
}

/* luahost_drive's watchdog (lua_host.h): an interrupt the script has not
 * obeyed within LH_HARD_STOP_S means it is inside one C function that never
 * looks at the flag; end the process, since nothing else can. */
static void *drive_watchdog(void *arg)
{
    LuaHost *h = arg;
    struct timespec nap = {0, 20 * 1000 * 1000};
    while (h->driving) {
        nanosleep(&nap, NULL);
        int why = h->interrupt;
        if (why && h->driving && lh_now() - h->interrupt_at > LH_HARD_STOP_S) {
            fprintf(stderr, "rnnscope: %s, but the script is inside a C function that cannot be stopped "
                            "(one of Lua's string or table functions on a huge input?): ending the process "
                            "(no traceback)\n",
                    why == 2 ? "timed out" : "interrupted");
            _exit(1);
        }
    }
    return NULL;
}

static int drive_loop(LuaHost *h);

int luahost_drive(LuaHost *h)
{
    pthread_t dog;
    h->driving = 1;
    int have_dog = pthread_create(&dog, NULL, drive_watchdog, h) == 0;
    int rc = drive_loop(h);
    h->driving = 0;
    if (have_dog)
        pthread_join(dog, NULL);
    return rc;
}

static int drive_loop(LuaHost *h)
{
    for (;;) {
        LhStatus s = luahost_run(h);
        Err err;
        err_clear(&err);
        if (s == LH_WANT_STEP) {
            StepInfo info;
            if (trainer_step(h->trainer, &info, &err) == 0)
                luahost_step_done(h, &info);
            else
                luahost_step_failed(h, &err);
        } else if (s == LH_WANT_EVAL) {
            float v;
            if (trainer_eval(h->trainer, &v, &err) == 0)
                luahost_eval_done(h, v);
            else
                luahost_eval_failed(h, &err);
        } else if (s == LH_YIELDED) {
            continue;
        } else {
            return s == LH_ERROR ? 1 : 0;
        }
    }
}
