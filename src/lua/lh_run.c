/* lh_run.c — rnn.step, rnn.eval, rnn.history, rnn.info: the calls that make
 * the trainer work (they yield a request to the driver, see lua_host.h) and
 * the record of what it did.
 *
 * Not here: changing settings between steps (lh_build.c), hooks (lh_events.c).
 */
#include <math.h>
#include <string.h>

#include <lauxlib.h>

#include "lh_internal.h"

/* The step table. Per-tensor values are keyed by state_dict name; per-layer
 * values are arrays indexed by layer (1-based). [-0, +1] */
void lh_run_push_step(lua_State *L, const LuaHost *h, const StepInfo *info)
{
    lua_createtable(L, 0, 20); /* [-0, +1] */
    lua_pushinteger(L, info->step);
    lua_setfield(L, -2, "step");
    lua_pushnumber(L, info->epoch);
    lua_setfield(L, -2, "epoch");
    lua_pushnumber(L, info->loss);
    lua_setfield(L, -2, "loss");
    lua_pushnumber(L, info->lr);
    lua_setfield(L, -2, "lr");
    lua_pushnumber(L, info->grad_norm);
    lua_setfield(L, -2, "grad_norm");
    lua_pushboolean(L, info->clipped);
    lua_setfield(L, -2, "clipped");
    lua_pushinteger(L, info->n_clamped);
    lua_setfield(L, -2, "clamped");
    lua_pushnumber(L, info->ms);
    lua_setfield(L, -2, "ms");
    lua_pushnumber(L, info->tokens_per_s);
    lua_setfield(L, -2, "tokens_per_s");
    if (info->evaluated) {
        lua_pushnumber(L, info->val_loss);
        lua_setfield(L, -2, "val_loss");
    }
    const Model *m = h->trainer ? &h->trainer->model : NULL;
    if (m && m->n_tensors == info->n_tensors) {
        lua_createtable(L, 0, info->n_tensors); /* norms */
        lua_createtable(L, 0, info->n_tensors); /* ratios */
        for (int i = 0; i < info->n_tensors; i++) {
            lua_pushnumber(L, info->grad_norms[i]);
            lua_setfield(L, -3, m->tensors[i].name);
            lua_pushnumber(L, info->update_ratio[i]);
            lua_setfield(L, -2, m->tensors[i].name);
        }
        lua_setfield(L, -3, "ratios");
        lua_setfield(L, -2, "norms");
    }
    /* layers[k] = {layer = k - 1, grad_norm = ..., gates = {i = ..., f = ...}, dh = {per position}}:
     * a Lua list starts at 1, so layers[1] is layer 0 (weight_ih_l0); `layer` holds that 0-based number */
    static const char *const gate_names[3][4] = {{"i", "f", "g", "o"}, {"r", "z", "n", NULL},
                                                 {"h", NULL, NULL, NULL}};
    int cell = m ? (int)m->cfg.cell : 0;
    const float *dh = NULL;
    int T = 0, B = 0;
    if (h->trainer && h->trainer->ws) {
        workspace_chunk(h->trainer->ws, &T, &B);
        dh = workspace_dh_norms(h->trainer->ws);
    }
    lua_createtable(L, info->n_layers, 0); /* layers */
    for (int k = 0; k < info->n_layers; k++) {
        lua_createtable(L, 0, 4);
        lua_pushinteger(L, k);
        lua_setfield(L, -2, "layer");
        if (m && m->n_tensors == info->n_tensors) {
            double s = 0;
            for (int j = TENSOR_W_IH(k); j <= TENSOR_B_HH(k); j++)
                s += (double)info->grad_norms[j] * info->grad_norms[j];
            lua_pushnumber(L, sqrt(s));
            lua_setfield(L, -2, "grad_norm");
        }
        lua_createtable(L, 0, info->n_gates);
        for (int g = 0; g < info->n_gates && g < 4; g++) {
            lua_pushnumber(L, info->gate_grad_norms[k][g]);
            lua_setfield(L, -2, gate_names[cell][g] ? gate_names[cell][g] : "?");
        }
        lua_setfield(L, -2, "gates");
        lua_createtable(L, 0, info->n_gates); /* saturation = {i = ..., ...} */
        for (int g = 0; g < info->n_gates && g < 4; g++) {
            lua_pushnumber(L, info->gate_sat[k][g]);
            lua_setfield(L, -2, gate_names[cell][g] ? gate_names[cell][g] : "?");
        }
        lua_setfield(L, -2, "saturation");
        if (cell != CELL_RNN) { /* lstm: mean forget gate, gru: mean update gate */
            lua_pushnumber(L, info->gate_mean[k]);
            lua_setfield(L, -2, "gate_mean");
        }
        if (info->flow_len > 0) { /* the step's own copy (diag.h), valid after later steps */
            lua_createtable(L, info->flow_len, 0);
            for (int t = 0; t < info->flow_len; t++) {
                lua_pushnumber(L, info->flow[k * info->flow_len + t]);
                lua_rawseti(L, -2, t + 1);
            }
            lua_setfield(L, -2, "dh");
            if (info->decay_step > 0) { /* the last position's loss carried back alone */
                lua_createtable(L, info->flow_len, 0);
                for (int t = 0; t < info->flow_len; t++) {
                    lua_pushnumber(L, info->decay[k * info->flow_len + t]);
                    lua_rawseti(L, -2, t + 1);
                }
                lua_setfield(L, -2, "decay");
            }
        } else if (dh && T > 0 && m && k < m->cfg.layers) {
            lua_createtable(L, T, 0);
            for (int t = 0; t < T; t++) {
                lua_pushnumber(L, dh[(size_t)k * T + t]);
                lua_rawseti(L, -2, t + 1);
            }
            lua_setfield(L, -2, "dh");
        }
        lua_rawseti(L, -2, k + 1);
    }
    lua_setfield(L, -2, "layers");
    lua_pushinteger(L, info->decay_step);
    lua_setfield(L, -2, "decay_step");
    lua_pushinteger(L, info->flow_stride > 0 ? info->flow_stride : 1);
    lua_setfield(L, -2, "flow_stride");
    lua_pushnumber(L, info->clip);
    lua_setfield(L, -2, "clip");
}

static void require_main_coroutine(lua_State *L, LuaHost *h, const char *fn)
{
    if (L != h->co)
        luaL_error(L, "rnn.%s must be called from the script itself, not from a hook or a "
                      "coroutine of its own (hooks run between steps)", fn);
}

/* Continuation of rnn.step after the driver made the steps. */
static int run_step_k(lua_State *L, int status, lua_KContext ctx)
{
    (void)status;
    LuaHost *h = lh_host(L);
    long asked = (long)ctx;
    if (h->interrupt)
        return luaL_error(L, "%s", h->interrupt == 2 ? "timed out" : "interrupted");
    if (h->failed) {
        lua_pushnil(L);                     /* [-0, +1] */
        lua_pushstring(L, h->fail_msg);     /* [-0, +1] */
        return 2;
    }
    lh_run_push_step(L, h, &h->last);       /* [-0, +1] */
    lua_pushinteger(L, h->steps_done);
    lua_setfield(L, -2, "steps");
    lua_pushboolean(L, h->steps_done < asked);
    lua_setfield(L, -2, "stopped");
    if (h->hook_error[0]) {
        lua_pushstring(L, h->hook_error);
        lua_setfield(L, -2, "hook_error");
    }
    return 1;
}

/* rnn.step([n]) -> step table | nil, message */
static int run_step(lua_State *L)
{
    LuaHost *h = lh_host(L);
    lua_Integer n = luaL_optinteger(L, 1, 1);
    luaL_argcheck(L, n >= 1, 1, "the number of steps must be at least 1");
    require_main_coroutine(L, h, "step");
    lh_need_trainer(L, h);
    h->req = LH_REQ_STEP;
    h->steps_left = (long)n;
    h->steps_done = 0;
    h->stop = 0;
    h->failed = 0;
    h->hook_error[0] = '\0';
    return lua_yieldk(L, 0, (lua_KContext)n, run_step_k);
}

static int run_eval_k(lua_State *L, int status, lua_KContext ctx)
{
    (void)status;
    (void)ctx;
    LuaHost *h = lh_host(L);
    if (h->interrupt)
        return luaL_error(L, "%s", h->interrupt == 2 ? "timed out" : "interrupted");
    if (h->failed) {
        lua_pushnil(L);
        lua_pushstring(L, h->fail_msg);
        return 2;
    }
    lua_pushnumber(L, h->eval_loss);
    return 1;
}

/* rnn.eval() -> validation loss | nil, message */
static int run_eval(lua_State *L)
{
    LuaHost *h = lh_host(L);
    require_main_coroutine(L, h, "eval");
    lh_need_trainer(L, h);
    h->req = LH_REQ_EVAL;
    h->failed = 0;
    return lua_yieldk(L, 0, 0, run_eval_k);
}

/* rnn.history(metric) -> array: the run's record (the Trainer's History),
 * full resolution over its last HISTORY_RECENT steps, from step 1 for a
 * resumed run as for one trained here. */
static int run_history(lua_State *L)
{
    static const char *const metrics[] = {"loss", "lr", "grad_norm", "ms", "tokens_per_s", "epoch",
                                          "step", "clipped", "val_loss", "val_step", NULL};
    LuaHost *h = lh_host(L);
    int which = luaL_checkoption(L, 1, NULL, metrics);
    const History *hs = h->trainer ? &h->trainer->history : NULL;
    if (which >= 8) {
        int n = hs ? hs->n_val : 0;
        lua_createtable(L, n, 0);
        for (int i = 0; i < n; i++) {
            if (which == 8)
                lua_pushnumber(L, hs->val_loss[i]);
            else
                lua_pushinteger(L, hs->val_step[i]);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        return 1;
    }
    long n = hs ? hs->n_recent : 0;
    lua_createtable(L, (int)n, 0);
    for (long i = 0; i < n; i++) {
        const HistRecent *r = history_recent(hs, n - 1 - i);
        switch (which) {
        case 0: lua_pushnumber(L, r->loss); break;
        case 1: lua_pushnumber(L, r->lr); break;
        case 2: lua_pushnumber(L, r->grad_norm); break;
        case 3: lua_pushnumber(L, r->ms); break;
        case 4: lua_pushnumber(L, r->tokens_per_s); break;
        case 5: lua_pushnumber(L, r->epoch); break;
        case 6: lua_pushinteger(L, r->step); break;
        default: lua_pushboolean(L, r->clipped); break;
        }
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

void lh_run_register(lua_State *L)
{
    static const luaL_Reg fns[] = {
        {"step", run_step}, {"eval", run_eval}, {"history", run_history}, {NULL, NULL},
    };
    luaL_setfuncs(L, fns, 0);
}
