/* lh_diag.c — the gradient inspector from Lua: rnn.histogram, rnn.findings,
 * rnn.ngram, rnn.probe and rnn.last.
 *
 * Each reads the current run on the main thread between steps (the driver
 * keeps the trainer idle then, lua_host.h), through the core's own functions
 * (trainer_histogram, trainer_probe, findings_compute, ngram_build), so Lua
 * sees the same numbers as the inspector screen and the --log lines.
 * Operational failures (no step yet, no validation split, an unknown tensor)
 * return nil, message; bad argument types raise.
 *
 * Not here: the per-step numbers (rnn.step's table, lh_run.c), tensors
 * (lh_tensor.c).
 */
#include <math.h>
#include <string.h>

#include <lauxlib.h>

#include "findings.h"
#include "lh_internal.h"
#include "ngram.h"

static int lhd_fail(lua_State *L, const char *msg)
{
    lua_pushnil(L);        /* [-0, +1] */
    lua_pushstring(L, msg); /* [-0, +1] */
    return 2;
}

/* rnn.histogram(what [, bins]) -> {counts, edges, min, max, count, nonfinite,
 * mean, std} | nil, message. what: "NAME", "grad:NAME", "act:h.K",
 * "act:c.K", "act:gates.K" (K 0-based, as the state_dict names). */
static int lhd_histogram(lua_State *L)
{
    LuaHost *h = lh_host(L);
    const char *what = luaL_checkstring(L, 1);
    lua_Integer bins = luaL_optinteger(L, 2, 20);
    luaL_argcheck(L, bins >= 1 && bins <= DIAG_HIST_MAX_BINS, 2, "bins must be from 1 to 64");
    Trainer *t = lh_need_trainer(L, h);
    Histogram hg;
    Err err;
    err_clear(&err);
    if (trainer_histogram(t, what, (int)bins, &hg, &err) != 0)
        return lhd_fail(L, err.msg);
    lua_createtable(L, 0, 8);                        /* [-0, +1] result */
    lua_createtable(L, hg.n_bins, 0);                /* [-0, +1] counts */
    for (int i = 0; i < hg.n_bins; i++) {
        lua_pushinteger(L, hg.bins[i]);
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "counts");                   /* [-1, +0] */
    lua_createtable(L, hg.n_bins + 1, 0);            /* [-0, +1] edges: left of bin 1 .. right of the last */
    lua_pushnumber(L, hg.min);
    lua_rawseti(L, -2, 1);
    for (int i = 0; i < hg.n_bins; i++) {
        lua_pushnumber(L, diag_hist_edge(&hg, i));
        lua_rawseti(L, -2, i + 2);
    }
    lua_setfield(L, -2, "edges");                    /* [-1, +0] */
    lua_pushnumber(L, hg.min);
    lua_setfield(L, -2, "min");
    lua_pushnumber(L, hg.max);
    lua_setfield(L, -2, "max");
    lua_pushinteger(L, hg.count);
    lua_setfield(L, -2, "count");
    lua_pushinteger(L, hg.n_nonfinite);
    lua_setfield(L, -2, "nonfinite");
    double mean = hg.count ? hg.sum / hg.count : NAN;
    double var = hg.count ? hg.sum_sq / hg.count - mean * mean : NAN;
    lua_pushnumber(L, mean);
    lua_setfield(L, -2, "mean");
    lua_pushnumber(L, var > 0 ? sqrt(var) : 0);
    lua_setfield(L, -2, "std");
    return 1;
}

void lh_push_finding(lua_State *L, const Finding *f)
{
    lua_createtable(L, 0, 9);                        /* [-0, +1] one finding */
    lua_pushstring(L, findings_id_name(f->id));
    lua_setfield(L, -2, "id");
    lua_pushstring(L, findings_severity_name(f->severity));
    lua_setfield(L, -2, "severity");
    lua_pushstring(L, f->subject);
    lua_setfield(L, -2, "subject");
    lua_pushinteger(L, f->since);
    lua_setfield(L, -2, "since");
    if (f->cause != FD_NONE) {
        lua_pushstring(L, findings_id_name(f->cause));
        lua_setfield(L, -2, "cause");
    }
    lua_pushinteger(L, f->depth);
    lua_setfield(L, -2, "depth");
    lua_pushstring(L, f->text);
    lua_setfield(L, -2, "text");
    lua_pushstring(L, f->advice);
    lua_setfield(L, -2, "advice");
    lua_createtable(L, 0, f->n_numbers);             /* [-0, +1] numbers */
    for (int i = 0; i < f->n_numbers; i++) {
        lua_pushnumber(L, f->numbers[i].value);
        lua_setfield(L, -2, f->numbers[i].key);
    }
    lua_setfield(L, -2, "numbers");                  /* [-1, +0] */
}

/* rnn.findings() -> {{id, severity, subject, since, cause, depth, text,
 * advice, numbers}, ...}: the run's diagnosis now, causes first (each
 * followed by what hangs under it); empty before a run. */
static int lhd_findings(lua_State *L)
{
    LuaHost *h = lh_host(L);
    Trainer *t = h->trainer;
    if (!t) {
        lua_createtable(L, 0, 0);
        return 1;
    }
    Finding f[FINDINGS_MAX];
    int n = findings_list(&t->findings, f, FINDINGS_MAX);
    lua_createtable(L, n, 0);                        /* [-0, +1] */
    for (int i = 0; i < n; i++) {
        lh_push_finding(L, &f[i]);                   /* [-0, +1] */
        lua_rawseti(L, -2, i + 1);                   /* [-1, +0] */
    }
    return 1;
}

int lh_fire_findings(LuaHost *h)
{
    int stop = 0;
    lua_State *L = h->L;
    unsigned gen = h->generation;
    FindingEvent e;
    /* the trainer is read afresh each time: a hook may replace the run (its
     * events then start over from the new run's count, lh_set_trainer) */
    while (!h->interrupt && h->trainer && h->generation == gen &&
           findings_next_event(&h->trainer->findings, &h->findings_seen, &e)) {
        const Trainer *t = h->trainer;
        lua_createtable(L, 0, 5);                      /* [-0, +1] the event */
        lua_pushstring(L, findings_id_name((FindingId)e.id));
        lua_setfield(L, -2, "id");
        lua_pushboolean(L, e.appeared);
        lua_setfield(L, -2, "appeared");
        lua_pushinteger(L, e.step);
        lua_setfield(L, -2, "step");
        lua_pushstring(L, findings_severity_name((Severity)e.severity));
        lua_setfield(L, -2, "severity");
        Finding rec;
        if (e.appeared && findings_get(&t->findings, (FindingId)e.id, &rec)) {
            lh_push_finding(L, &rec);                  /* [-0, +1] */
            lua_setfield(L, -2, "finding");            /* [-1, +0] */
        }
        if (lh_events_fire(h, L, "finding", 1))        /* [-1, +0] */
            stop = 1;
    }
    return stop;
}

/* rnn.verdict() -> "healthy" or the id of the top cause. */
static int lhd_verdict(lua_State *L)
{
    LuaHost *h = lh_host(L);
    lua_pushstring(L, h->trainer ? findings_verdict(&h->trainer->findings) : "healthy");
    return 1;
}

/* rnn.ngram(order) -> validation loss (nats/token) of an order-N Kneser-Ney
 * model counted from the training split | nil, message. */
static int lhd_ngram(lua_State *L)
{
    LuaHost *h = lh_host(L);
    lua_Integer order = luaL_checkinteger(L, 1);
    luaL_argcheck(L, order >= 1 && order <= NGRAM_MAX_ORDER, 1, "the order must be from 1 to 10");
    Trainer *t = lh_need_trainer(L, h);
    const Corpus *c = &t->corpus;
    if (c->n - c->n_train < 2)
        return lhd_fail(L, "rnn.ngram: the run has no validation split; build it with rnn.corpus{val_frac = 0.1}");
    Err err;
    err_clear(&err);
    double loss;
    if (ngram_holdout_loss(&c->ids, c->n_train, (int)order, t->model.cfg.vocab, &loss, &err) != 0)
        return lhd_fail(L, err.msg);
    lua_pushnumber(L, loss);
    return 1;
}

/* rnn.probe() -> {step = n, layers = {{per position}, ...}} | nil, message:
 * the decay probe now, on the last chunk with the current weights — per
 * layer, the mean over the batch of ||dL_{T-1}/dh_t|| at each position t
 * (the last entry is the newest position, t-0). */
static int lhd_probe(lua_State *L)
{
    LuaHost *h = lh_host(L);
    Trainer *t = lh_need_trainer(L, h);
    Err err;
    err_clear(&err);
    if (trainer_probe(t, &err) != 0)
        return lhd_fail(L, err.msg);
    int layers = t->model.cfg.layers, T = t->cfg.seq;
    lua_createtable(L, 0, 2);                        /* [-0, +1] */
    lua_pushinteger(L, t->decay_step);
    lua_setfield(L, -2, "step");
    lua_createtable(L, layers, 0);                   /* [-0, +1] layers */
    for (int k = 0; k < layers; k++) {
        lua_createtable(L, T, 0);
        for (int i = 0; i < T; i++) {
            lua_pushnumber(L, t->decay[(size_t)k * T + i]);
            lua_rawseti(L, -2, i + 1);
        }
        lua_rawseti(L, -2, k + 1);
    }
    lua_setfield(L, -2, "layers");                   /* [-1, +0] */
    return 1;
}

/* rnn.last() -> the latest step's table (as rnn.step returns) | nil before
 * any step; in the dashboard also a step the dashboard made on its own. */
static int lhd_last(lua_State *L)
{
    LuaHost *h = lh_host(L);
    if (!h->have_last || !h->trainer || h->last.n_tensors != h->trainer->model.n_tensors) {
        lua_pushnil(L);
        return 1;
    }
    lh_run_push_step(L, h, &h->last);                /* [-0, +1] */
    return 1;
}

void lh_diag_register(lua_State *L)
{
    static const luaL_Reg fns[] = {
        {"histogram", lhd_histogram}, {"findings", lhd_findings}, {"verdict", lhd_verdict}, {"ngram", lhd_ngram},
        {"probe", lhd_probe},         {"last", lhd_last},         {NULL, NULL},
    };
    luaL_setfuncs(L, fns, 0);
}
