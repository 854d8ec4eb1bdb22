/* test_lua_host.c — the Lua host's driver protocol as the dashboard uses it:
 * stepping a borrowed Trainer by hand on LH_WANT_STEP, hooks seeing each step
 * before the next, interrupting a pure-Lua loop from another thread (the
 * dashboard's Ctrl-C / :stop path) and reusing the host afterwards, `= expr`
 * printing its values, the UI callbacks, and stale tensors after a new run;
 * time slices (a busy script yields LH_YIELDED so the dashboard's loop stays
 * live, a typed :stop then ends it; a coroutine of the script's own is never
 * sliced), luahost_note_step feeding rnn.last/rnn.findings; long C calls
 * (rnn.sample, rnn.probs) yielding in slices and stopped by :stop or an
 * interrupt from another thread; the memory cap (a bomb fails with the cap's
 * message, the host runs the next script) and --lua-memory's sizes; units
 * (rnn.activations equal to a direct units_capture, on the ablated weights
 * too; rnn.ablate's callback and luahost_ablation_apply; a step of a run with
 * ablated units equal to one without; rnn.units and rnn.activations sliced
 * and stopped like rnn.probs).
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "lua_host.h"
#include "units.h"

typedef struct {
    char printed[16384];
    char errors[4096];
    int n_plot, n_status, n_changed;
    double last_x, last_y;
    int n_ablation, abl_layer, abl_unit, abl_on;
} Capture;

static void cap_print(void *ctx, const char *text)
{
    Capture *c = ctx;
    strncat(c->printed, text, sizeof c->printed - strlen(c->printed) - 2);
    strcat(c->printed, "\n");
}

static void cap_error(void *ctx, const char *text)
{
    Capture *c = ctx;
    strncat(c->errors, text, sizeof c->errors - strlen(c->errors) - 2);
    strcat(c->errors, "\n");
}

static void cap_plot(void *ctx, const char *series, double x, double y)
{
    Capture *c = ctx;
    (void)series;
    c->n_plot++;
    c->last_x = x;
    c->last_y = y;
}

static void cap_status(void *ctx, const char *text)
{
    Capture *c = ctx;
    (void)text;
    c->n_status++;
}

static void cap_changed(void *ctx, Trainer *t)
{
    Capture *c = ctx;
    (void)t;
    c->n_changed++;
}

static void cap_ablation(void *ctx, int layer, int unit, int on)
{
    Capture *c = ctx;
    c->n_ablation++;
    c->abl_layer = layer;
    c->abl_unit = unit;
    c->abl_on = on;
}

/* The dashboard's loop, minus the thread: returns the final status and counts steps. */
static LhStatus drive(LuaHost *h, int *steps)
{
    for (;;) {
        LhStatus s = luahost_run(h);
        Err err;
        if (s == LH_WANT_STEP) {
            StepInfo info;
            if (trainer_step(luahost_trainer(h), &info, &err) == 0)
                luahost_step_done(h, &info);
            else
                luahost_step_failed(h, &err);
            (*steps)++;
        } else if (s == LH_WANT_EVAL) {
            float v;
            if (trainer_eval(luahost_trainer(h), &v, &err) == 0)
                luahost_eval_done(h, v);
            else
                luahost_eval_failed(h, &err);
        } else if (s != LH_YIELDED) {
            return s;
        }
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Time slices, on a host of its own with a 20 ms slice and t attached. */
static void test_slices(Trainer *t, const TrainConfig *cfg)
{
    Capture cap;
    memset(&cap, 0, sizeof cap);
    LuaHostOptions opt = {
        .ui = {.ctx = &cap, .print = cap_print, .log = cap_print, .error = cap_error},
        .defaults = cfg,
        .slice_s = 0.02,
    };
    LuaHost *h = luahost_new(&opt);
    luahost_attach_trainer(h, t);
    Err err;

    /* a pure-Lua loop hands control back every slice; :stop between two slices ends it */
    luahost_start_string(h, "local n = 0\nwhile true do n = n + 1 end", "=spin", 0, &err);
    int yields = 0;
    double worst = 0;
    for (int i = 0; i < 5; i++) {
        double t0 = now_s();
        LhStatus s = luahost_run(h);
        double dt = now_s() - t0;
        if (s == LH_YIELDED)
            yields++;
        if (dt > worst)
            worst = dt;
    }
    CHECK(yields == 5 && luahost_busy(h), "a busy loop yields LH_YIELDED on every run (%d of 5)", yields);
    CHECK(worst < 1.0, "each slice returns quickly (longest %.3f s for a 0.02 s slice)", worst);
    luahost_interrupt(h, 0); /* what :stop does, from the main thread between slices */
    LhStatus s = luahost_run(h);
    CHECK(s == LH_ERROR && strstr(cap.errors, "interrupted") && strstr(cap.errors, "stack traceback"),
          ":stop between slices interrupts the loop with a traceback (%s)", cap.errors);
    CHECK(!luahost_busy(h), "the host is idle after the interrupt");

    /* a long computation still returns its value through many slices */
    cap.printed[0] = '\0';
    luahost_start_string(h, "local s = 0 for i = 1, 20000000 do s = s + i % 7 end return s", "=sum", 1, &err);
    int n_yield = 0;
    for (;;) {
        s = luahost_run(h);
        if (s != LH_YIELDED)
            break;
        n_yield++;
    }
    long long want = 0;
    for (long long i = 1; i <= 20000000; i++)
        want += i % 7;
    char wbuf[64];
    snprintf(wbuf, sizeof wbuf, "%lld\n", want);
    CHECK(s == LH_DONE && !strcmp(cap.printed, wbuf), "a sliced expression prints its value (%s, want %s)", cap.printed,
          wbuf);
    CHECK(n_yield >= 1, "the long expression was sliced (%d yields)", n_yield);

    /* the script's own coroutine is never yielded by a slice */
    cap.printed[0] = '\0';
    luahost_start_string(h,
                         "local co = coroutine.wrap(function()\n"
                         "  local t0 = os.clock() while os.clock() - t0 < 0.1 do end\n"
                         "  return 'inner done'\n"
                         "end)\n"
                         "print(co())",
                         "=inner", 0, &err);
    while ((s = luahost_run(h)) == LH_YIELDED)
        ;
    CHECK(s == LH_DONE && !strcmp(cap.printed, "inner done\n"), "a coroutine of the script runs unsliced (%s%s)",
          cap.printed, cap.errors);

    /* long C calls yield in slices too, and a typed :stop ends them */
    static const char *const long_calls[] = {
        "return #rnn.sample{length = 1000000000}",
        "return rnn.probs(('ab'):rep(4000000))[1].token",
        "return rnn.activations(('ab'):rep(300000)).numel",
        "return rnn.units{find = function() local t0 = os.clock() while os.clock() - t0 < 0.002 do end end}[1].r",
    };
    for (int c = 0; c < 4; c++) {
        cap.errors[0] = '\0';
        luahost_start_string(h, long_calls[c], "=longc", 1, &err);
        int y = 0;
        double slow = 0;
        for (int i = 0; i < 5; i++) {
            double t0 = now_s();
            if (luahost_run(h) == LH_YIELDED)
                y++;
            double dt = now_s() - t0;
            if (dt > slow)
                slow = dt;
        }
        luahost_interrupt(h, 0);
        s = luahost_run(h);
        CHECK(y == 5 && slow < 0.5, "%s yields every slice (%d of 5, longest %.3f s)", long_calls[c], y, slow);
        CHECK(s == LH_ERROR && strstr(cap.errors, "interrupted") && strstr(cap.errors, "stack traceback"),
              "and :stop between slices ends it (%s)", cap.errors);
    }

    /* steps made by the dashboard itself: rnn.last sees them, hooks do not run */
    StepInfo info;
    trainer_step(t, &info, &err);
    luahost_note_step(h, &info);
    cap.printed[0] = '\0';
    luahost_start_string(h, "return rnn.last().step, type(rnn.findings())", "=last", 1, &err);
    while ((s = luahost_run(h)) == LH_YIELDED)
        ;
    char want_last[64];
    snprintf(want_last, sizeof want_last, "%ld\ttable\n", t->step);
    CHECK(s == LH_DONE && !strcmp(cap.printed, want_last), "luahost_note_step feeds rnn.last (%s)", cap.printed);
    luahost_free(h);
}

/* The memory cap on a host of its own: a bomb fails with the cap's message
 * and a traceback, the host runs the next script; sizes for --lua-memory. */
static void test_memory(Trainer *t, const TrainConfig *cfg)
{
    Capture cap;
    memset(&cap, 0, sizeof cap);
    LuaHostOptions opt = {
        .ui = {.ctx = &cap, .print = cap_print, .log = cap_print, .error = cap_error},
        .defaults = cfg,
        .mem_limit = (size_t)32 << 20,
    };
    LuaHost *h = luahost_new(&opt);
    luahost_attach_trainer(h, t);
    Err err;
    int steps = 0;
    luahost_start_string(h, "local t = {} while true do t[#t + 1] = ('x'):rep(100000) end", "=bomb", 0, &err);
    LhStatus s = drive(h, &steps);
    CHECK(s == LH_ERROR && strstr(cap.errors, "not enough memory: the script's limit is 32 MiB (--lua-memory)") &&
              strstr(cap.errors, "stack traceback"),
          "a memory bomb fails with the cap's message and a traceback (%s)", cap.errors);
    CHECK(luahost_memory_used(h) < ((size_t)8 << 20), "its memory is given back (%zu bytes in use)",
          luahost_memory_used(h));
    CHECK(luahost_memory_peak(h) <= ((size_t)32 << 20), "the peak stayed under the cap (%zu)", luahost_memory_peak(h));
    cap.errors[0] = '\0';
    luahost_start_string(h, "return ('x'):rep(2^40)", "=rep", 1, &err);
    CHECK(drive(h, &steps) == LH_ERROR && strstr(cap.errors, "string.rep: the result would be 1 TiB; not enough memory"),
          "string.rep refuses a result above the cap (%s)", cap.errors);
    cap.errors[0] = '\0';
    luahost_start_string(h, "return #rnn.sample{length = 50000000, prime = ('ab'):rep(4000000)}", "=sample", 1, &err);
    CHECK(drive(h, &steps) == LH_ERROR && strstr(cap.errors, "the script's limit is 32 MiB"),
          "rnn.sample's buffers count against the cap (%s)", cap.errors);
    cap.printed[0] = '\0';
    luahost_start_string(h, "local ok, e = pcall(function() local t = {} while true do t[#t+1] = ('x'):rep(1e5) end end)\n"
                            "t = nil collectgarbage()\n"
                            "return ok, e, #('y'):rep(1000000)", "=after", 1, &err);
    CHECK(drive(h, &steps) == LH_DONE && !strcmp(cap.printed, "false\tnot enough memory\t1000000\n"),
          "a script may catch the error and go on; the host runs the next script (%s%s)", cap.printed, cap.errors);
    luahost_free(h);

    size_t b = 0;
    CHECK(luahost_parse_size("512M", &b, &err) == 0 && b == (size_t)512 << 20, "512M");
    CHECK(luahost_parse_size("2G", &b, &err) == 0 && b == (size_t)2 << 30, "2G");
    CHECK(luahost_parse_size("1.5GiB", &b, &err) == 0 && b == (size_t)3 << 29, "1.5GiB");
    CHECK(luahost_parse_size("1048576", &b, &err) == 0 && b == 1048576, "bytes");
    CHECK(luahost_parse_size("0", &b, &err) == 0 && b == SIZE_MAX, "0 is no limit");
    CHECK(luahost_parse_size("12", &b, &err) != 0 && luahost_parse_size("5X", &b, &err) != 0 &&
              luahost_parse_size("", &b, &err) != 0 && luahost_parse_size("-1G", &b, &err) != 0 &&
              luahost_parse_size("1.5", &b, &err) != 0 && strstr(err.msg, "--lua-memory"),
          "bad sizes are refused naming the flag (%s)", err.msg);
    char txt[32];
    luahost_format_size((size_t)1 << 30, txt, sizeof txt);
    CHECK(!strcmp(txt, "1 GiB"), "1 GiB is written '%s'", txt);
    size_t d = luahost_default_memory();
    CHECK(d >= ((size_t)64 << 20) && d <= LH_MEM_DEFAULT, "the default cap is at most 1 GiB (%zu)", d);
}

/* "rows,cols,v,v,..." with every value in %a: what the script below prints. */
static void format_block(char *out, size_t cap, const float *v, int rows, int cols)
{
    size_t at = (size_t)snprintf(out, cap, "%d,%d", rows, cols);
    for (int i = 0; i < rows * cols && at < cap; i++)
        at += (size_t)snprintf(out + at, cap - at, ",%a", (double)v[i]);
    snprintf(out + (at < cap ? at : cap - 1), cap - (at < cap ? at : cap - 1), "\n");
}

/* The layer-0 "h" activations over text straight from core: on t's weights,
 * with unit `ablated` of layer 0 removed first when >= 0. */
static void direct_capture(Trainer *t, const char *text, int ablated, char *out, size_t cap)
{
    Err err;
    UnitText ut;
    UnitCapture uc;
    Model m;
    model_new(&m, &t->model.cfg, &err);
    memcpy(m.params, t->model.params, t->model.n_params * sizeof *m.params);
    if (ablated >= 0)
        units_ablate(&m.cfg, m.params, 0, ablated, &err);
    units_text_encode(&ut, &t->corpus.tok, text, strlen(text), "text", &err);
    units_capture(&uc, &m, ut.ids, ut.n, &err);
    format_block(out, cap, units_column(&uc, 0, units_kind_parse(m.cfg.cell, "h"), 0), uc.n, m.cfg.hidden);
    units_capture_free(&uc);
    units_text_free(&ut);
    model_free(&m);
}

/* Units and ablation on a host of its own with t attached (t is not changed). */
static void test_units(Trainer *t, const TrainConfig *cfg)
{
    Capture cap;
    memset(&cap, 0, sizeof cap);
    LuaHostOptions opt = {
        .ui = {.ctx = &cap, .print = cap_print, .log = cap_print, .error = cap_error, .ablation = cap_ablation},
        .defaults = cfg,
    };
    LuaHost *h = luahost_new(&opt);
    luahost_attach_trainer(h, t);
    Err err;
    int steps = 0;
    static char want[16384];
    const char *dump = "local a = rnn.activations('The keeper', 0, 'h')\n"
                       "local o = {a.shape[1], a.shape[2]}\n"
                       "for i = 1, #a do o[#o + 1] = string.format('%a', a[i]) end\n"
                       "return table.concat(o, ',')";
    luahost_start_string(h, dump, "=act", 1, &err);
    CHECK(drive(h, &steps) == LH_DONE, "rnn.activations runs (%s)", cap.errors);
    direct_capture(t, "The keeper", -1, want, sizeof want);
    CHECK(!strcmp(cap.printed, want), "rnn.activations equals a direct units_capture, value for value (%.60s / %.60s)",
          cap.printed, want);

    float *before = xmalloc(t->model.n_params * sizeof *before);
    memcpy(before, t->model.params, t->model.n_params * sizeof *before);
    cap.printed[0] = '\0';
    luahost_start_string(h, "return rnn.ablate(0, 5)", "=abl", 1, &err);
    CHECK(drive(h, &steps) == LH_DONE && !strcmp(cap.printed, "1\n") && luahost_ablation_count(h) == 1,
          "rnn.ablate(0, 5) ablates one unit (%s%s)", cap.printed, cap.errors);
    CHECK(cap.n_ablation == 1 && cap.abl_layer == 0 && cap.abl_unit == 5 && cap.abl_on == 1,
          "LuaUi.ablation is told: layer 0, unit 5, on (%d calls)", cap.n_ablation);
    cap.printed[0] = '\0';
    luahost_start_string(h, dump, "=act2", 1, &err);
    drive(h, &steps);
    direct_capture(t, "The keeper", 5, want, sizeof want);
    CHECK(!strcmp(cap.printed, want), "with l0 unit 5 ablated, rnn.activations equals a capture on units_ablate'd weights");
    CHECK(memcmp(before, t->model.params, t->model.n_params * sizeof *before) == 0,
          "the run's own parameters are untouched by rnn.ablate and the capture");

    /* what the dashboard does with its own copy of the weights */
    float *mine = xmalloc(t->model.n_params * sizeof *mine), *ref = xmalloc(t->model.n_params * sizeof *ref);
    memcpy(mine, t->model.params, t->model.n_params * sizeof *mine);
    memcpy(ref, t->model.params, t->model.n_params * sizeof *ref);
    units_ablate(&t->model.cfg, ref, 0, 5, &err);
    CHECK(luahost_ablation_apply(h, &t->model.cfg, mine) == 1 &&
              memcmp(mine, ref, t->model.n_params * sizeof *mine) == 0,
          "luahost_ablation_apply is units_ablate of every listed unit");
    ModelConfig other = t->model.cfg;
    other.hidden = 4;
    CHECK(luahost_ablation_apply(h, &other, mine) == 0, "a unit outside the given shape is skipped");
    free(mine);
    free(ref);

    luahost_start_string(h, "rnn.ablate()", "=clear", 0, &err);
    drive(h, &steps);
    CHECK(luahost_ablation_count(h) == 0 && cap.n_ablation == 2 && cap.abl_layer == -1 && cap.abl_on == 0,
          "rnn.ablate() restores every unit, and says so (layer -1)");
    luahost_start_string(h, "rnn.ablate()", "=clear2", 0, &err);
    drive(h, &steps);
    CHECK(cap.n_ablation == 2, "rnn.ablate() with nothing ablated says nothing");

    /* a run of another id drops the list; detaching keeps it */
    luahost_start_string(h, "rnn.ablate(0, 1)", "=abl2", 0, &err);
    drive(h, &steps);
    luahost_attach_trainer(h, NULL);
    luahost_attach_trainer(h, t);
    CHECK(luahost_ablation_count(h) == 1, "detaching and attaching the same run keeps the ablated units");
    Trainer other_run;
    TrainConfig oc = *cfg;
    trainer_init(&other_run, &oc, &err);
    luahost_attach_trainer(h, &other_run);
    CHECK(luahost_ablation_count(h) == 0 && cap.abl_layer == -1, "attaching another run drops them");
    luahost_attach_trainer(h, t);
    trainer_free(&other_run);

    /* a step with ablated units is the step without them */
    Trainer a, b;
    trainer_init(&a, cfg, &err);
    trainer_init(&b, cfg, &err);
    luahost_attach_trainer(h, &a);
    cap.printed[0] = '\0';
    luahost_start_string(h, "rnn.ablate(0, 3) rnn.ablate(0, 9) return string.format('%a', rnn.step(2).loss)", "=stepab", 1,
                         &err);
    CHECK(drive(h, &steps) == LH_DONE, "two steps with two units ablated (%s)", cap.errors);
    StepInfo info;
    trainer_step(&b, &info, &err);
    trainer_step(&b, &info, &err);
    char loss[64];
    snprintf(loss, sizeof loss, "%a\n", (double)info.loss);
    CHECK(!strcmp(cap.printed, loss) && memcmp(a.model.params, b.model.params, a.model.n_params * sizeof(float)) == 0,
          "the loss (%s) and the weights are those of the same steps without an ablation (%s)", loss, cap.printed);
    luahost_attach_trainer(h, t);
    trainer_free(&a);
    trainer_free(&b);
    free(before);
    luahost_free(h);
}

static void *interrupt_later(void *arg)
{
    struct timespec ts = {0, 200 * 1000 * 1000};
    nanosleep(&ts, NULL);
    luahost_interrupt(arg, 0);
    return NULL;
}

int main(void)
{
    char corpus[1024];
    const char *dir = getenv("RNNSCOPE_TESTS");
    snprintf(corpus, sizeof corpus, "%s/../corpora/lighthouse.txt", dir ? dir : "tests");
    TrainConfig cfg;
    train_config_default(&cfg);
    snprintf(cfg.corpus, sizeof cfg.corpus, "%s", corpus);
    cfg.hidden = 16;
    cfg.embed = 8;
    cfg.layers = 1;
    cfg.batch = 4;
    cfg.seq = 8;
    cfg.threads = 1;
    cfg.eval_every = 0;
    Err err;
    Trainer t;
    if (!CHECK(trainer_init(&t, &cfg, &err) == 0, "the dashboard's trainer builds (%s)", err.msg))
        return check_summary();

    Capture cap;
    memset(&cap, 0, sizeof cap);
    LuaHostOptions opt = {
        .ui = {.ctx = &cap, .print = cap_print, .log = cap_print, .error = cap_error, .plot = cap_plot,
               .status = cap_status, .run_changed = cap_changed},
        .defaults = &cfg,
    };
    LuaHost *h = luahost_new(&opt);
    CHECK(h != NULL, "luahost_new");
    luahost_attach_trainer(h, &t);
    CHECK(luahost_trainer(h) == &t && cap.n_changed == 1, "an attached trainer is the script's run");
    CHECK(luahost_run(h) == LH_IDLE && !luahost_busy(h), "idle before a script");

    /* steps asked by the script: one request per step, hooks in between */
    const char *code =
        "local seen = {}\n"
        "rnn.on('step', function(s) seen[#seen + 1] = s.step; if s.step == 2 then rnn.lr(0.0005) end end)\n"
        "local r = rnn.step(3)\n"
        "rnn.plot('x', r.step, r.lr)\n"
        "rnn.status('ok')\n"
        "print(table.concat(seen, ','), r.steps)\n";
    CHECK(luahost_start_string(h, code, "=test", 0, &err) == 0, "start a string (%s)", err.msg);
    CHECK(luahost_busy(h), "busy while a script is loaded");
    CHECK(luahost_start_string(h, "print(1)", "=again", 0, &err) == ERR_RUNTIME,
          "a second script is refused while one runs");
    int steps = 0;
    LhStatus s = drive(h, &steps);
    CHECK(s == LH_DONE, "the script finishes (status %d, errors: %s)", s, cap.errors);
    CHECK(steps == 3 && t.step == 3, "the driver made exactly the 3 steps asked (%d, trainer at %ld)", steps, t.step);
    CHECK(strstr(cap.printed, "1,2,3\t3\n") != NULL, "hooks saw steps 1,2,3 in order (%s)", cap.printed);
    CHECK(cap.n_plot == 1 && cap.last_x == 3 && fabs(cap.last_y - 0.0005) < 1e-9,
          "the lr set in the hook at step 2 was used by step 3 (plot %g)", cap.last_y);
    CHECK(cap.n_status == 1, "rnn.status reached the UI");
    CHECK(!luahost_busy(h) && luahost_run(h) == LH_IDLE, "idle again after the script");

    /* = expr prints its values */
    cap.printed[0] = '\0';
    CHECK(luahost_start_string(h, "return 1 + 2, rnn.info().step", "=expr", 1, &err) == 0, "start = expr");
    CHECK(drive(h, &steps) == LH_DONE && strcmp(cap.printed, "3\t3\n") == 0, "= expr printed '3<TAB>3' (%s)",
          cap.printed);

    /* an error: traceback to the UI, host reusable */
    cap.errors[0] = '\0';
    luahost_start_string(h, "local function f() error('bad thing') end\nf()", "=err", 0, &err);
    CHECK(drive(h, &steps) == LH_ERROR, "a Lua error ends the script with LH_ERROR");
    CHECK(strstr(cap.errors, "bad thing") && strstr(cap.errors, "stack traceback"), "the error has its traceback (%s)",
          cap.errors);

    /* a pure-Lua infinite loop interrupted from another thread (the UI's :stop) */
    cap.errors[0] = '\0';
    luahost_start_string(h, "while true do end", "=loop", 0, &err);
    pthread_t th;
    pthread_create(&th, NULL, interrupt_later, h);
    s = drive(h, &steps);
    pthread_join(th, NULL);
    CHECK(s == LH_ERROR && strstr(cap.errors, "interrupted"), "an infinite loop is interrupted (%s)", cap.errors);

    /* a long rnn.sample (C, no Lua hooks) is interrupted from another thread too */
    cap.errors[0] = '\0';
    luahost_start_string(h, "return #rnn.sample{length = 1000000000}", "=sample", 1, &err);
    pthread_create(&th, NULL, interrupt_later, h);
    double t0 = now_s();
    s = drive(h, &steps);
    double took = now_s() - t0;
    pthread_join(th, NULL);
    CHECK(s == LH_ERROR && strstr(cap.errors, "interrupted") && took < 1.5,
          "a long rnn.sample is interrupted (%.2f s: %s)", took, cap.errors);

    /* interrupt while the driver is stepping: stops after the current step */
    long before = t.step;
    luahost_start_string(h, "rnn.step(1000000)", "=long", 0, &err);
    int n = 0;
    for (;;) {
        LhStatus st = luahost_run(h);
        if (st != LH_WANT_STEP) {
            s = st;
            break;
        }
        StepInfo info;
        trainer_step(&t, &info, &err);
        luahost_step_done(h, &info);
        if (++n == 5)
            luahost_interrupt(h, 1);
    }
    CHECK(s == LH_ERROR && t.step == before + 5, "an interrupt during rnn.step stops after the current step (%ld)",
          t.step - before);

    /* the host works again, and the model is as after the last step */
    cap.printed[0] = '\0';
    luahost_start_string(h, "return rnn.info().step", "=after", 1, &err);
    char want[32];
    snprintf(want, sizeof want, "%ld\n", t.step);
    CHECK(drive(h, &steps) == LH_DONE && strcmp(cap.printed, want) == 0, "the host runs the next script (%s)",
          cap.printed);

    /* a script that builds its own run: the driver is told; old tensors fail cleanly */
    cap.errors[0] = '\0';
    cap.printed[0] = '\0';
    int changed = cap.n_changed;
    luahost_start_string(h,
                         "local w = rnn.param('head.bias')\n"
                         "assert(rnn.trainer{hidden = 8})\n"
                         "print(pcall(function() return w:norm() end))\n"
                         "rnn.step(2)",
                         "=new", 0, &err);
    CHECK(drive(h, &steps) == LH_DONE, "a script builds a new run (%s)", cap.errors);
    CHECK(cap.n_changed == changed + 1 && luahost_trainer(h) != &t, "run_changed told the driver");
    CHECK(strstr(cap.printed, "false") && strstr(cap.printed, "replaced"), "a tensor of the old run fails cleanly (%s)",
          cap.printed);
    CHECK(luahost_trainer(h)->step == 2 && luahost_trainer(h)->model.cfg.hidden == 8, "the new run was stepped");
    Trainer *owned = luahost_release_trainer(h);
    CHECK(owned != NULL && luahost_release_trainer(h) == NULL, "release hands the owned run over once");

    luahost_free(h);
    test_slices(&t, &cfg);
    test_memory(&t, &cfg);
    test_units(&t, &cfg);
    if (owned) {
        trainer_free(owned);
        free(owned);
    }
    trainer_free(&t);
    return check_summary();
}
