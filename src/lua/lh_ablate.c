/* lh_ablate.c — leaving units out of what the model predicts: rnn.ablate,
 * rnn.ablated, and the weights the host's inference runs on (rnn.probs,
 * rnn.sample, rnn.activations, rnn.units).
 *
 * The list of ablated units belongs to the run it was made on: it outlives
 * the script (the dashboard's bars and samples keep following it) and is
 * dropped when a run with another id is attached or built. Nothing here
 * touches the Trainer's parameters: inference runs on a copy of them with
 * every listed unit removed (units_ablate), made afresh for each call, so
 * training never sees an ablation and a call always sees the latest step.
 *
 * Not here: capturing and ranking units (lh_units.c, core units.h); applying
 * the list to the dashboard's own weights (src/tui/app_lua.c, through
 * luahost_ablation_apply).
 */
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "lh_internal.h"
#include "units.h"

static void ablate_notify(LuaHost *h, int layer, int unit, int on)
{
    if (h->ui.ablation)
        h->ui.ablation(h->ui.ctx, layer, unit, on);
}

static int ablate_find(const LhAblation *a, int layer, int unit)
{
    for (int i = 0; i < a->n; i++)
        if (a->units[i].layer == layer && a->units[i].unit == unit)
            return i;
    return -1;
}

static void ablate_clear(LuaHost *h)
{
    if (h->ablation.n == 0)
        return;
    h->ablation.n = 0;
    ablate_notify(h, -1, -1, 0);
}

/* An integer argument in [0, n): raises naming what it is and the range. */
static int ablate_check_index(lua_State *L, int arg, const char *what, int n, const char *range)
{
    lua_Integer v = luaL_checkinteger(L, arg);
    if (v < 0 || v >= n)
        luaL_error(L, "rnn.ablate: %s %I is out of range: %s 0..%d", what, v, range, n - 1);
    return (int)v;
}

/* rnn.ablate(layer, unit [, on]) -> number ablated; rnn.ablate() restores
 * every unit. layer and unit are 0-based; on = false restores that unit. */
static int ablate_lua(lua_State *L)
{
    LuaHost *h = lh_host(L);
    LhAblation *a = &h->ablation;
    if (lua_gettop(L) == 0) {
        ablate_clear(h);
        lua_pushinteger(L, 0);
        return 1;
    }
    Trainer *t = lh_need_trainer(L, h);
    const ModelConfig *cfg = &t->model.cfg;
    int layer = ablate_check_index(L, 1, "layer", cfg->layers, "the model has layers");
    int unit = ablate_check_index(L, 2, "unit", cfg->hidden, "its layers have units");
    int on = 1;
    if (!lua_isnoneornil(L, 3)) {
        luaL_checktype(L, 3, LUA_TBOOLEAN);
        on = lua_toboolean(L, 3);
    }
    int at = ablate_find(a, layer, unit);
    if (on && at < 0) {
        if (a->n == a->cap) {
            a->cap = a->cap ? 2 * a->cap : 16;
            a->units = xrealloc(a->units, (size_t)a->cap * sizeof *a->units);
        }
        if (a->n == 0)
            memcpy(a->run_id, t->run_id, sizeof a->run_id);
        a->units[a->n++] = (LhUnit){layer, unit};
        ablate_notify(h, layer, unit, 1);
    } else if (!on && at >= 0) {
        memmove(a->units + at, a->units + at + 1, (size_t)(a->n - at - 1) * sizeof *a->units);
        a->n--;
        ablate_notify(h, layer, unit, 0);
    }
    lua_pushinteger(L, a->n);
    return 1;
}

/* rnn.ablated() -> {{layer = l, unit = j}, ...} in the order they were ablated */
static int ablated_lua(lua_State *L)
{
    const LhAblation *a = &lh_host(L)->ablation;
    lua_createtable(L, a->n, 0);                 /* [-0, +1] */
    for (int i = 0; i < a->n; i++) {
        lua_createtable(L, 0, 2);                /* [-0, +1] */
        lua_pushinteger(L, a->units[i].layer);
        lua_setfield(L, -2, "layer");
        lua_pushinteger(L, a->units[i].unit);
        lua_setfield(L, -2, "unit");
        lua_rawseti(L, -2, i + 1);               /* [-1, +0] */
    }
    return 1;
}

void lh_ablate_follow(LuaHost *h, const Trainer *t)
{
    if (t && strcmp(t->run_id, h->ablation.run_id) != 0)
        ablate_clear(h);
}

void lh_ablate_free(LuaHost *h)
{
    free(h->ablation.units);
    memset(&h->ablation, 0, sizeof h->ablation);
}

int luahost_ablation_apply(const LuaHost *h, const ModelConfig *cfg, float *params)
{
    int done = 0;
    for (int i = 0; i < h->ablation.n; i++) {
        Err err;
        done += units_ablate(cfg, params, h->ablation.units[i].layer, h->ablation.units[i].unit, &err) == 0;
    }
    return done;
}

int luahost_ablation_count(const LuaHost *h)
{
    return h->ablation.n;
}

Model *lh_infer_begin(lua_State *L, Trainer *t, LhInfer *w)
{
    LuaHost *h = lh_host(L);
    memset(w, 0, sizeof *w);
    if (h->ablation.n == 0)
        return &t->model;
    size_t bytes = t->model.n_params * sizeof(float);
    lh_mem_charge(L, bytes);
    w->charged = bytes;
    w->own = xmalloc(bytes);
    memcpy(w->own, t->model.params, bytes);
    w->m = t->model;
    w->m.params = w->own;
    w->m.grads = NULL;
    luahost_ablation_apply(h, &t->model.cfg, w->own);
    return &w->m;
}

void lh_infer_end(LuaHost *h, LhInfer *w)
{
    free(w->own);
    lh_mem_uncharge(h, w->charged);
    memset(w, 0, sizeof *w);
}

void lh_ablate_register(lua_State *L)
{
    static const luaL_Reg fns[] = {
        {"ablate", ablate_lua}, {"ablated", ablated_lua}, {NULL, NULL},
    };
    luaL_setfuncs(L, fns, 0);
}
