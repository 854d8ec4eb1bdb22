/* app_lua.c — Lua scripts inside the dashboard: ":run SCRIPT", ":lua CODE",
 * "= expr" and the init file start a script in the host (src/lua/lua_host.h);
 * the event loop resumes it a time slice at a time (app_lua_tick) and hands
 * its steps to the runner one by one, so the screen stays live while it
 * trains. Also the units a script ablated (rnn.ablate), applied to the
 * dashboard's own weights so the bars and samples run without them. Part of
 * the app (app_internal.h).
 */
#include "app_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paths.h"

/* ---- Lua scripts ---------------------------------------------------------------
 *
 * A script (:run FILE, :lua CODE, = EXPR, the init file) is a coroutine in
 * a->lua.host, resumed from the loop (app_lua_tick) in these phases:
 *   PAUSING   the runner was asked to pause; wait (keep looping) until it is
 *             idle, then attach its Trainer to the host;
 *   READY     resume the script (luahost_run: at most one time slice);
 *   WAIT_STEP one :step went to the runner for LH_WANT_STEP; it has landed
 *             when the runner's step count reaches the one we wait for and
 *             the runner is parked again, or failed when its fail counter
 *             moved; then luahost_step_done / _failed runs the hooks here, on
 *             the main thread, before the next step is asked for;
 *   WAIT_EVAL the same for LH_WANT_EVAL with the runner's eval counter.
 * While a script runs the runner only steps when the script asks, so in
 * PAUSING-done, READY and the hooks the main thread may touch the Trainer.
 * A run the script builds or loads (run_changed) is handed to the runner at
 * once (runner_adopt) — the runner is parked whenever Lua code runs. */


#define APP_LUA_SLICE_S 0.02


static void app_lua_print(void *ctx, const char *text)
{
    App *a = ctx;
    textpane_append(a->msgs, ROLE_TEXT, text);
    a->dirty = 1;
}

static void app_lua_error(void *ctx, const char *text)
{
    App *a = ctx;
    textpane_append(a->msgs, ROLE_ERROR, text);
    a->dirty = 1;
}

static void app_lua_status(void *ctx, const char *text)
{
    App *a = ctx;
    snprintf(a->lua.status, sizeof a->lua.status, "%s", text);
    a->dirty = 1;
}

/* rnn.plot: one point of a named series; a new name takes the next free slot. */
static void app_lua_plot(void *ctx, const char *series, double x, double y)
{
    App *a = ctx;
    AppPlot *p = NULL;
    for (int i = 0; i < a->lua.n_plots && !p; i++)
        if (!strcmp(a->lua.plots[i].name, series))
            p = &a->lua.plots[i];
    if (!p) {
        if (a->lua.n_plots == PANELS_MAX_USER) {
            if (!a->lua.plot_full_warned)
                app_msg(a, ROLE_WARN, "rnn.plot: at most %d series on the chart; '%s' is not shown",
                        PANELS_MAX_USER, series);
            a->lua.plot_full_warned = 1;
            return;
        }
        p = &a->lua.plots[a->lua.n_plots++];
        snprintf(p->name, sizeof p->name, "%s", series);
        p->x = xmalloc(sizeof(double) * APP_PLOT_MAX_POINTS);
        p->y = xmalloc(sizeof(double) * APP_PLOT_MAX_POINTS);
        p->n = 0;
    }
    if (p->n == APP_PLOT_MAX_POINTS) { /* bounded memory: halve the resolution */
        for (int i = 0; i < p->n / 2; i++) {
            p->x[i] = p->x[2 * i];
            p->y[i] = p->y[2 * i];
        }
        p->n /= 2;
    }
    p->x[p->n] = x;
    p->y[p->n] = y;
    p->n++;
    a->dirty = 1;
}

static void app_plots_free(App *a)
{
    for (int i = 0; i < a->lua.n_plots; i++) {
        free(a->lua.plots[i].x);
        free(a->lua.plots[i].y);
    }
    a->lua.n_plots = 0;
}

void app_lua_close(App *a)
{
    luahost_free(a->lua.host);
    a->lua.host = NULL;
    app_plots_free(a);
}

/* The script built or loaded its own run: the runner takes it over. */
static void app_lua_run_changed(void *ctx, Trainer *t)
{
    App *a = ctx;
    (void)t;
    if (a->lua.attaching)
        return;
    Trainer *own = luahost_release_trainer(a->lua.host);
    if (!own)
        return;
    runner_adopt(a->run, own);
    runner_view(a->run, &a->view);
    a->lua.gen = a->view.generation;
    a->dirty = 1;
}

/* ---- ablated units ---------------------------------------------------------------
 *
 * rnn.ablate keeps its list in the host (lua_host.h); the UI's weights
 * (App.pm, behind the probability bars and the samples) follow it: a change
 * marks them for a fresh copy from the runner (app_lua_ablation_tick sets
 * wver = -1 before app_pull_runner pulls the weights), and every copy gets
 * the list applied (app_lua_apply_ablation) before the bars are recomputed.
 * The list applies while the host's run is the runner's (lua.gen); a run the
 * dashboard loaded itself leaves the weights whole, and the host drops the
 * list when it attaches a run of another id. */

static void app_lua_ablation(void *ctx, int layer, int unit, int on)
{
    App *a = ctx;
    if (layer < 0)
        app_msg(a, ROLE_TEXT, "restored every ablated unit: bars and samples use the whole model");
    else if (on)
        app_msg(a, ROLE_WARN, "ablated l%d unit %d: bars and samples run without it", layer, unit);
    else
        app_msg(a, ROLE_TEXT, "restored l%d unit %d: bars and samples use it again", layer, unit);
    a->lua.ablation_changed = 1;
}

/* rnn.units in the dashboard: its ranking goes to the units screen. */
static void app_lua_units_ranked(void *ctx, const UnitScore *s, int n, int kind, const char *find)
{
    app_units_take_ranking(ctx, s, n, kind, find);
}

static int app_lua_ablation_applies(const App *a)
{
    return a->lua.host && a->lua.gen == a->generation && luahost_ablation_count(a->lua.host) > 0;
}

static void app_lua_attach(App *a, int note);

/* Before the weights are pulled: a fresh copy when the list changed, or when
 * it applies to weights that do not have it yet (a new run of the script's).
 * A run the dashboard loaded itself (:load) is attached once the runner is
 * idle, so the host keeps the list for the same run and drops it for
 * another, as for a script's rnn.load. */
static void app_lua_ablation_tick(App *a)
{
    if (!a->have_pm)
        return;
    if (a->lua.host && !a->lua.running && a->lua.gen != a->generation &&
        luahost_ablation_count(a->lua.host) > 0 && runner_idle(a->run))
        app_lua_attach(a, 0);
    if (a->lua.ablation_changed || (app_lua_ablation_applies(a) && a->lua.ablation_gen != a->generation))
        a->wver = -1; /* runner_weights copies again, then app_lua_apply_ablation */
    a->lua.ablation_changed = 0;
}

void app_lua_apply_ablation(App *a)
{
    if (!a->have_pm || !app_lua_ablation_applies(a))
        return;
    luahost_ablation_apply(a->lua.host, &a->pm.cfg, a->pm.params);
    a->lua.ablation_gen = a->generation;
}

/* Ctrl-C while a script runs (from the signal handler: async-signal-safe). */
static void app_lua_sigint(void *ctx)
{
    luahost_interrupt(ctx, 0);
}

void app_lua_open(App *a, const TrainConfig *defaults)
{
    LuaHostOptions o;
    memset(&o, 0, sizeof o);
    o.ui = (LuaUi){.ctx = a, .print = app_lua_print, .log = app_lua_print, .error = app_lua_error,
                   .plot = app_lua_plot, .status = app_lua_status, .run_changed = app_lua_run_changed,
                   .ablation = app_lua_ablation, .units_ranked = app_lua_units_ranked};
    o.defaults = defaults;
    o.slice_s = APP_LUA_SLICE_S;
    o.unsafe = a->opt.lua_unsafe;
    o.mem_limit = a->opt.lua_memory;
    a->lua.host = luahost_new(&o);
    if (!a->lua.host) {
        app_msg(a, ROLE_ERROR, "Lua is not available: cannot create its state (out of memory)");
        return;
    }
    screen_set_interrupt(app_lua_sigint, a->lua.host);
}

/* A script was loaded: pause the runner and wait for it in the loop. */
static void app_lua_begin(App *a)
{
    runner_view(a->run, &a->view);
    a->lua.was_paused = a->view.paused;
    app_lua_hooks_tick(a);         /* a step waiting for its hooks gets them first */
    runner_set_scripted(a->run, 1); /* pauses too, in the same breath: no step without hooks */
    runner_send(a->run, RUN_CMD_PAUSE, 0, 0, NULL);
    a->lua.phase = APP_LUA_PAUSING;
    a->lua.running = 1;
    a->lua.status[0] = '\0';
    screen_route_interrupt(1);
    a->dirty = 1;
}

static void app_lua_end(App *a)
{
    screen_route_interrupt(0);
    a->lua.phase = APP_LUA_IDLE;
    a->lua.running = 0;
    a->lua.status[0] = '\0';
    /* hooks the script left (rnn.on) see the very next dashboard step */
    runner_set_hooked(a->run, luahost_has_hooks(a->lua.host));
    runner_set_scripted(a->run, 0);
    if (!a->lua.was_paused && !luahost_paused(a->lua.host))
        runner_send(a->run, RUN_CMD_RUN, 0, 0, NULL);
    else if (luahost_paused(a->lua.host))
        app_msg(a, ROLE_DIM, "the script paused training; :run continues");
    a->dirty = 1;
}

/* Split "FILE args..." into argv (argv[0] the file) as a shell would: quotes,
 * backslash escapes, ~ expanded; the words are stored in store. -1 for an
 * unterminated quote. */
static int app_lua_split(const char *text, char *store, size_t cap, char **argv, int max)
{
    int n = 0, got;
    size_t used = 0;
    char word[1024];
    for (const char *p = text; n < max && used < cap && (got = paths_next_word(&p, word, sizeof word)) != 0;) {
        if (got < 0)
            return -1;
        char *dst = store + used;
        paths_expand_home(word, dst, cap - used);
        argv[n++] = dst;
        used += strlen(dst) + 1;
    }
    return n;
}

void app_route_lua(App *a, const TuiCmd *c)
{
    if (!a->lua.host) {
        app_msg(a, ROLE_ERROR, "Lua is not available (its state could not be created)");
        return;
    }
    if (luahost_busy(a->lua.host)) {
        app_msg(a, ROLE_WARN, "a script is already running; wait for it or :stop it (Ctrl-C)");
        return;
    }
    Err err;
    err_clear(&err);
    int rc;
    if (c->kind == TCMD_RUN) {
        char store[2 * sizeof c->text];
        char *argv[64];
        int argc = app_lua_split(c->text, store, sizeof store, argv, 64);
        app_msg(a, ROLE_DIM, ":run %s", c->text);
        if (argc < 1) {
            app_msg(a, ROLE_ERROR, ":run %s: a quote is not closed", c->text);
            return;
        }
        rc = luahost_start_file(a->lua.host, argv[0], argc, argv, &err);
    } else if (c->kind == TCMD_EXPR) {
        char code[sizeof c->text + 16];
        snprintf(code, sizeof code, "return %s", c->text);
        app_msg(a, ROLE_DIM, "= %s", c->text);
        rc = luahost_start_string(a->lua.host, code, "=expr", 1, &err);
    } else {
        app_msg(a, ROLE_DIM, ":lua %s", c->text);
        rc = luahost_start_string(a->lua.host, c->text, "=lua", 0, &err);
    }
    if (rc) {
        app_msg(a, ROLE_ERROR, "%s", err.msg);
        return;
    }
    app_lua_begin(a);
}

/* The init file, $XDG_CONFIG_HOME/rnnscope/init.lua (~/.config/...), if present. */
void app_lua_init_file(App *a)
{
    char path[PATH_MAX + 32];
    const char *x = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    if (x && x[0] == '/')
        snprintf(path, sizeof path, "%s/rnnscope/init.lua", x);
    else
        snprintf(path, sizeof path, "%s/.config/rnnscope/init.lua", home && *home ? home : ".");
    if (!a->lua.host || access(path, R_OK) != 0)
        return;
    Err err;
    err_clear(&err);
    char *argv[1] = {path};
    if (luahost_start_file(a->lua.host, path, 1, argv, &err) != 0) {
        app_msg(a, ROLE_ERROR, "init file: %s", err.msg);
        return;
    }
    app_msg(a, ROLE_DIM, "running %s", path);
    app_lua_begin(a);
}

/* Attach the runner's Trainer (the runner is parked). A run the runner
 * replaced since the last attach (:load, a script's run) is attached afresh:
 * detaching first makes the host drop its history and stale tensors even if
 * the new Trainer happens to sit at the old one's address. */
static void app_lua_attach(App *a, int note)
{
    runner_view(a->run, &a->view);
    a->lua.attaching = 1;
    if (a->view.generation != a->lua.gen || !luahost_trainer(a->lua.host)) {
        luahost_attach_trainer(a->lua.host, NULL);
        luahost_attach_trainer(a->lua.host, runner_trainer(a->run));
        a->lua.gen = a->view.generation;
    }
    a->lua.attaching = 0;
    if (note && a->view.have_last)
        luahost_note_step(a->lua.host, &a->view.last); /* rnn.last / rnn.findings see the dashboard's own steps */
}

/* Has the outstanding step or eval landed? Fills info for a step. */
static int app_lua_landed(App *a, StepInfo *info, int *failed, Err *err)
{
    const RunView *r = &a->view;
    int done = 0;
    *failed = 0;
    runner_view(a->run, &a->view);
    int parked = r->parked;
    if (a->lua.phase == APP_LUA_WAIT_STEP) {
        if (r->step_fails != a->lua.fails && parked) {
            *failed = done = 1;
            err_set(err, ERR_RUNTIME, "%s", r->step_err);
        } else if (r->step >= a->lua.want_step && r->have_last && parked) {
            *info = r->last;
            done = 1;
        }
    } else if (r->evals != a->lua.evals && parked) {
        done = 1;
        *failed = !r->eval_ok;
        if (*failed)
            err_set(err, ERR_INPUT, "%s", r->eval_err);
        else
            a->lua.eval_value = r->eval_value;
        a->lua.evals_seen = r->evals; /* the script's own: its hooks run in luahost_eval_done */
    }
    return done;
}

/* The dashboard's own training (F5, :run, :step) with Lua hooks set (in
 * init.lua, by :lua, or left by a script): the runner waits after each step
 * (runner_set_hooked) until the hooks have run here, so rnn.pause() or
 * rnn.set{} in a hook applies from the next step; an :eval runs the 'eval'
 * hooks when its result lands. First the ablated units' tick: app_pull_runner
 * calls this just before it pulls the weights. */
void app_lua_hooks_tick(App *a)
{
    app_lua_ablation_tick(a);
    if (!a->lua.host || a->lua.running)
        return;
    int hooked = luahost_has_hooks(a->lua.host);
    runner_set_hooked(a->run, hooked);
    if (!hooked) {
        a->lua.evals_seen = a->view.evals;
        a->lua.fails_seen = a->view.step_fails;
        return;
    }
    int waiting = a->view.hook_step > 0 && a->view.hook_step == a->view.step && a->view.have_last &&
                  a->view.parked;
    int evaluated = a->view.evals != a->lua.evals_seen && a->view.parked;
    int failed = a->view.step_fails != a->lua.fails_seen && a->view.parked;
    if (!waiting && !evaluated && !failed)
        return;
    app_lua_attach(a, 0); /* the host follows the runner's run; the hooks fire below, in their budget */
    if (failed) {
        a->lua.fails_seen = a->view.step_fails;
        luahost_observe_failure(a->lua.host, a->view.step_err, a->view.step + 1);
    }
    if (evaluated) {
        a->lua.evals_seen = a->view.evals;
        if (a->view.eval_ok)
            luahost_observe_eval(a->lua.host, a->view.step, a->view.eval_value);
    }
    if (waiting) {
        if (luahost_observe_step(a->lua.host, &a->view.last))
            runner_send(a->run, RUN_CMD_PAUSE, 0, 0, NULL);
        runner_hooks_done(a->run);
    }
    a->dirty = 1;
}

/* One turn of the script (see the top of this section). */
void app_lua_tick(App *a)
{
    if (!a->lua.host || a->lua.phase == APP_LUA_IDLE)
        return;
    Err err;
    err_clear(&err);
    if (a->lua.phase == APP_LUA_PAUSING) {
        if (!runner_idle(a->run))
            return;
        app_lua_attach(a, 1);
        a->lua.phase = APP_LUA_READY;
    }
    if (a->lua.phase == APP_LUA_WAIT_STEP || a->lua.phase == APP_LUA_WAIT_EVAL) {
        static StepInfo info; /* large: keep it off the stack */
        int failed;
        if (!app_lua_landed(a, &info, &failed, &err))
            return;
        if (a->lua.phase == APP_LUA_WAIT_STEP) {
            if (failed)
                luahost_step_failed(a->lua.host, &err);
            else
                luahost_step_done(a->lua.host, &info);
        } else {
            if (failed)
                luahost_eval_failed(a->lua.host, &err);
            else
                luahost_eval_done(a->lua.host, a->lua.eval_value);
        }
        a->lua.phase = APP_LUA_READY;
        a->dirty = 1;
    }
    LhStatus s = luahost_run(a->lua.host);
    switch (s) {
    case LH_WANT_STEP:
        runner_view(a->run, &a->view);
        a->lua.want_step = a->view.step + 1;
        a->lua.fails = a->view.step_fails;
        a->lua.phase = APP_LUA_WAIT_STEP;
        runner_send(a->run, RUN_CMD_STEP, 1, 0, NULL);
        break;
    case LH_WANT_EVAL:
        runner_view(a->run, &a->view);
        a->lua.evals = a->view.evals;
        a->lua.phase = APP_LUA_WAIT_EVAL;
        runner_send(a->run, RUN_CMD_EVAL, 0, 0, NULL);
        break;
    case LH_YIELDED:
        break; /* the loop comes back at once (app_loop polls with timeout 0) */
    case LH_DONE:
    case LH_ERROR:
    case LH_IDLE:
        app_lua_end(a);
        break;
    }
    a->dirty = 1;
}

/* Commands that would make the runner touch the Trainer while a script uses it.
 * Histogram requests (F8/F9, the inspector's refresh) and :ngram are among
 * them: the runner computes those with its lock released, so one in flight
 * while the script swaps in a run of its own would read a freed Trainer.
 * Blocking them here is the rule; runner_idle / runner_adopt also wait for a
 * request already in flight when the script starts (runner.h). */
int app_lua_blocks(App *a, const char *what)
{
    if (!a->lua.running)
        return 0;
    app_msg(a, ROLE_WARN, "%s: a script is driving the trainer; :stop it (Ctrl-C) first", what);
    return 1;
}

