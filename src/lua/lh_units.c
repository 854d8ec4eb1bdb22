/* lh_units.c — what each hidden unit has learned, from Lua:
 * rnn.activations(text [, layer [, kind]]) and rnn.units{find = ..., ...}.
 *
 * Both capture every unit's activation over a text (core units.h) on the
 * weights inference runs on (the run's, without the units rnn.ablate removed:
 * lh_infer_begin): the text given, or the start of the run's held-out split
 * (LH_UNITS_TOKENS tokens). rnn.activations returns one layer and kind as a
 * read-only tensor; rnn.units compares every unit with a signal — a regular
 * expression, the column, the indentation, or a Lua function asked at every
 * position — and ranks them by |Pearson r| (units_rank).
 *
 * Long calls: the capture runs a chunk (UNITS_CHUNK positions) at a time and
 * the Lua function is called through lua_callk, so as rnn.probs does, both
 * stop on an interrupt (Ctrl-C, :stop, --timeout, the dashboard hook budget)
 * and yield in the dashboard's time slices. The capture holds every layer and
 * kind at every position (units_capture_bytes, about L x K x n x H floats);
 * that and the text are charged to the memory cap.
 *
 * Numbering: layers and units are 0-based, as in weight_ih_l0, rnn.ablate and
 * the dashboard's "l0 unit 12"; a Lua function gets 1-based byte positions
 * (as string.sub takes); tensor rows and columns are 1-based as for every
 * tensor, so unit j of position p is t:get(p, j + 1).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "lh_internal.h"
#include "units.h"

/* Tokens of the held-out split taken when no text is given: enough for a
 * stable correlation; the capture holds L x K x 4000 x H floats (49 MB a
 * layer for an lstm at H = 512), charged to the memory cap. */
#define LH_UNITS_TOKENS 4000
#define UNITS_JOB_MT "rnnscope.units_job"

typedef struct {
    LuaHost *h;
    unsigned generation;  /* the run's: a continuation on another run fails */
    Trainer *t;
    const char *fn;       /* "rnn.activations" / "rnn.units", for messages */
    UnitText text;        /* the text and its tokens */
    UnitCapture cap;      /* every unit's activation over it */
    int have_cap;
    size_t charged;       /* bytes charged to the memory cap */
    int layer, kind;      /* what to return or rank: layer -1 all (rnn.units) */
    int top;              /* rnn.units: how many */
    double *sig;          /* (text.n) rnn.units' signal; NAN: not counted */
    int ask;              /* 1: find is a Lua function, asked position by position */
    int next;             /* the position to ask it about next */
} UnitsJob;

static void units_job_release(UnitsJob *j)
{
    if (j->have_cap)
        units_capture_free(&j->cap);
    j->have_cap = 0;
    units_text_free(&j->text);
    free(j->sig);
    j->sig = NULL;
    lh_mem_uncharge(j->h, j->charged);
    j->charged = 0;
}

static int units_job_gc(lua_State *L)
{
    units_job_release(luaL_checkudata(L, 1, UNITS_JOB_MT));
    return 0;
}

static void units_job_charge(lua_State *L, UnitsJob *j, size_t bytes)
{
    lh_mem_charge(L, bytes);
    j->charged += bytes;
}

/* A new job on top of the stack for the run t. [-0, +1] */
static UnitsJob *units_job_new(lua_State *L, Trainer *t, const char *fn)
{
    UnitsJob *j = lh_job_new(L, sizeof *j, UNITS_JOB_MT, units_job_gc);
    j->h = lh_host(L);
    j->generation = j->h->generation;
    j->t = t;
    j->fn = fn;
    return j;
}

/* The layer (0-based; -1: every layer, when all_ok) and the kind by name (NULL:
 * the cell's first, "c" for lstm and "h" otherwise), checked against the run's
 * model. */
static void units_job_target(lua_State *L, UnitsJob *j, lua_Integer layer, int all_ok, const char *kind)
{
    const ModelConfig *cfg = &j->t->model.cfg;
    if (!(all_ok && layer == -1) && (layer < 0 || layer >= cfg->layers))
        luaL_error(L, "%s: layer %I is out of range: the model has layers 0..%d", j->fn, layer,
                   cfg->layers - 1);
    j->layer = (int)layer;
    j->kind = kind ? units_kind_parse(cfg->cell, kind) : 0;
    if (j->kind < 0)
        luaL_error(L, "%s: kind '%s' is not one of this %s's kinds: %s", j->fn, kind, cell_name(cfg->cell),
                   units_kind_list(cfg->cell));
}

/* The text (text[0..len) when text is not NULL, else the held-out split's
 * first LH_UNITS_TOKENS tokens) with the run's tokenizer. */
static void units_job_text(lua_State *L, UnitsJob *j, const char *text, size_t len)
{
    const Corpus *c = &j->t->corpus;
    if (text) {
        char source[64];
        snprintf(source, sizeof source, "%s: the text", j->fn);
        Err err;
        if (units_text_encode(&j->text, &c->tok, text, len, source, &err) != 0)
            luaL_error(L, "%s", err.msg);
    } else {
        size_t n = c->n - c->n_train;
        if (n == 0)
            luaL_error(L, "%s: the run has no held-out text (its val_frac is 0): give a text", j->fn);
        int take = n < LH_UNITS_TOKENS ? (int)n : LH_UNITS_TOKENS;
        int *ids = xmalloc((size_t)take * sizeof *ids);
        token_ids_copy(&c->ids, c->n_train, (size_t)take, ids);
        units_text_from_ids(&j->text, &c->tok, ids, take);
        free(ids);
    }
    units_job_charge(L, j, j->text.len + 1 + (size_t)j->text.n * (sizeof(int) + 2 * sizeof(size_t)));
}

/* Start the capture of the text on the inference weights. */
static void units_job_begin(lua_State *L, UnitsJob *j)
{
    units_job_charge(L, j, units_capture_bytes(&j->t->model.cfg, j->text.n));
    LhInfer w;
    Model *m = lh_infer_begin(L, j->t, &w);
    Err err;
    int rc = units_capture_begin(&j->cap, m, j->text.ids, j->text.n, &err);
    lh_infer_end(j->h, &w); /* the capture runs on a copy of its own */
    if (rc != 0)
        luaL_error(L, "%s: %s", j->fn, err.msg);
    j->have_cap = 1;
}

/* Capture a chunk at a time: 1 when complete, 0 when the call should yield
 * first. */
static int units_job_capture(lua_State *L, UnitsJob *j)
{
    while (units_capture_run(&j->cap, UNITS_CHUNK) > 0)
        if (lh_job_pause(L))
            return 0;
    return 1;
}

/* ---- rnn.activations ------------------------------------------------------------ */

static int activations_k(lua_State *L, int status, lua_KContext ctx);

/* Stack: 1..3 the arguments, 4 the job. */
static int activations_work(lua_State *L)
{
    UnitsJob *j = luaL_checkudata(L, 4, UNITS_JOB_MT);
    if (!units_job_capture(L, j))
        return lua_yieldk(L, 0, 0, activations_k);
    const int n = j->cap.n, H = j->cap.cfg.hidden;
    char name[48];
    snprintf(name, sizeof name, "activations l%d %s", j->layer, units_kind_name(j->cap.cfg.cell, j->kind));
    float *dst = lh_tensor_push_owned(L, name, n, H);                 /* [-0, +1] */
    memcpy(dst, units_column(&j->cap, j->layer, j->kind, 0), (size_t)n * (size_t)H * sizeof *dst);
    lua_pushlstring(L, j->text.text, j->text.len);                     /* [-0, +1] */
    units_job_release(j);
    return 2;
}

static int activations_k(lua_State *L, int status, lua_KContext ctx)
{
    (void)status;
    (void)ctx;
    lua_settop(L, 4);
    UnitsJob *j = luaL_checkudata(L, 4, UNITS_JOB_MT);
    lh_job_check_run(L, j->fn, j->generation, j->t);
    return activations_work(L);
}

/* rnn.activations([text [, layer [, kind]]]) -> tensor (positions x units), text
 * layer 0-based (default 0), kind default "c" (lstm) or "h"; no text: the
 * held-out split's first LH_UNITS_TOKENS tokens. */
static int units_activations(lua_State *L)
{
    LuaHost *h = lh_host(L);
    size_t len = 0;
    const char *text = luaL_optlstring(L, 1, NULL, &len);
    lua_Integer layer = luaL_optinteger(L, 2, 0);
    const char *kind = luaL_optstring(L, 3, NULL);
    Trainer *t = lh_need_trainer(L, h);
    lua_settop(L, 3);
    UnitsJob *j = units_job_new(L, t, "rnn.activations"); /* index 4 */
    units_job_target(L, j, layer, 0, kind);
    units_job_text(L, j, text, len);
    units_job_begin(L, j);
    return activations_work(L);
}

/* ---- rnn.units ------------------------------------------------------------------ */

static const char *const units_keys[] = {"find", "top", "layer", "kind", "text", NULL};

/* Every key of the options table (index 1) is one of units_keys. */
static void units_check_keys(lua_State *L)
{
    lua_pushnil(L);                         /* [-0, +1] */
    while (lua_next(L, 1) != 0) {           /* [-1, +2] */
        if (lua_type(L, -2) != LUA_TSTRING)
            luaL_error(L, "rnn.units: keys must be names, not %s", luaL_typename(L, -2));
        const char *key = lua_tostring(L, -2);
        int known = 0;
        for (int i = 0; units_keys[i]; i++)
            known |= !strcmp(units_keys[i], key);
        if (!known)
            luaL_error(L, "rnn.units: unknown key '%s'%s", key, lh_near_key(key, units_keys));
        lua_pop(L, 1);                      /* [-1, +0] */
    }
}

/* options[key]: a whole number, or def when absent. */
static lua_Integer units_opt_integer(lua_State *L, const char *key, lua_Integer def)
{
    lua_getfield(L, 1, key);                /* [-0, +1] */
    lua_Integer v = def;
    int ok = 1;
    if (!lua_isnil(L, -1)) {
        ok = lua_type(L, -1) == LUA_TNUMBER;
        v = lua_tointegerx(L, -1, &ok);
    }
    if (!ok)
        luaL_error(L, "rnn.units: key '%s' must be a whole number, not %s", key,
                   lua_type(L, -1) == LUA_TNUMBER ? "a fraction" : luaL_typename(L, -1));
    lua_pop(L, 1);                          /* [-1, +0] */
    return v;
}

/* options[key]: a string (kept alive by the table), or NULL when absent. */
static const char *units_opt_string(lua_State *L, const char *key, size_t *len)
{
    lua_getfield(L, 1, key);                /* [-0, +1] */
    const char *s = NULL;
    if (lua_type(L, -1) == LUA_TSTRING)
        s = lua_tolstring(L, -1, len);
    else if (!lua_isnil(L, -1))
        luaL_error(L, "rnn.units: key '%s' must be a string, not %s", key, luaL_typename(L, -1));
    lua_pop(L, 1);                          /* [-1, +0] */
    return s;
}

static int units_k(lua_State *L, int status, lua_KContext ctx);

/* Take the find function's answer for position j->next from the top of the
 * stack: a number, a boolean (1 / 0) or nil (not counted). */
static void units_take(lua_State *L, UnitsJob *j)
{
    double v = NAN;
    switch (lua_type(L, -1)) {
    case LUA_TNIL: break;
    case LUA_TNUMBER: v = lua_tonumber(L, -1); break;
    case LUA_TBOOLEAN: v = lua_toboolean(L, -1); break;
    default:
        luaL_error(L, "rnn.units: the find function returned a %s for byte %d (a number, a boolean or nil, please)",
                   luaL_typename(L, -1), (int)j->text.start[j->next] + 1);
    }
    j->sig[j->next++] = v;
    lua_pop(L, 1);                          /* [-1, +0] */
    lh_job_check_run(L, j->fn, j->generation, j->t); /* the function may have built another run */
}

/* Ask the find function (index 3) about every position left, with the text
 * (index 4): 1 when done, 0 when the call should yield first. */
static int units_ask(lua_State *L, UnitsJob *j)
{
    while (j->next < j->text.n) {
        lua_pushvalue(L, 3);                /* [-0, +1] the function */
        lua_pushvalue(L, 4);                /* [-0, +1] the text */
        lua_pushinteger(L, (lua_Integer)j->text.start[j->next] + 1);
        lua_pushinteger(L, (lua_Integer)j->text.end[j->next]);
        lua_callk(L, 3, 1, 1, units_k);     /* [-4, +1] */
        units_take(L, j);
        if (j->next % UNITS_CHUNK == 0 && lh_job_pause(L))
            return 0;
    }
    return 1;
}

/* Stack: 1 the options, 2 the job, 3 find, 4 the text. */
static int units_work(lua_State *L)
{
    UnitsJob *j = luaL_checkudata(L, 2, UNITS_JOB_MT);
    if (j->ask && !units_ask(L, j))
        return lua_yieldk(L, 0, 0, units_k);
    if (!j->have_cap)
        units_job_begin(L, j);
    if (!units_job_capture(L, j))
        return lua_yieldk(L, 0, 0, units_k);
    UnitScore *out = lua_newuserdatauv(L, (size_t)j->top * sizeof *out, 0); /* [-0, +1] */
    int got = units_rank(&j->cap, j->kind, j->layer, j->sig, out, j->top);
    if (j->h->ui.units_ranked && got > 0) /* the dashboard's units screen shows it */
        j->h->ui.units_ranked(j->h->ui.ctx, out, got, j->kind,
                              lua_type(L, 3) == LUA_TSTRING ? lua_tostring(L, 3) : "a Lua function");
    lua_createtable(L, got, 0);                                             /* [-0, +1] */
    for (int i = 0; i < got; i++) {
        lua_createtable(L, 0, 3);
        lua_pushinteger(L, out[i].layer);
        lua_setfield(L, -2, "layer");
        lua_pushinteger(L, out[i].unit);
        lua_setfield(L, -2, "unit");
        lua_pushnumber(L, out[i].score);
        lua_setfield(L, -2, "r");
        lua_rawseti(L, -2, i + 1);
    }
    units_job_release(j);
    return 1;
}

static int units_k(lua_State *L, int status, lua_KContext ctx)
{
    (void)status;
    UnitsJob *j = luaL_checkudata(L, 2, UNITS_JOB_MT);
    if (ctx == 1 && lua_gettop(L) > 4)
        units_take(L, j); /* the answer of a find call that yielded */
    lua_settop(L, 4);
    lh_job_check_run(L, j->fn, j->generation, j->t);
    return units_work(L);
}

/* The signal of a string find: "line", "indent" or a regular expression. */
static void units_string_signal(lua_State *L, UnitsJob *j, const char *find)
{
    if (!strcmp(find, "line")) {
        units_signal_line(&j->text, j->sig);
    } else if (!strcmp(find, "indent")) {
        units_signal_indent(&j->text, j->sig);
    } else {
        char msg[512];
        if (units_signal_regex(&j->text, find, j->sig, msg, sizeof msg) != 0)
            luaL_error(L, "rnn.units: %s", msg);
    }
}

/* rnn.units{find = regex | "line" | "indent" | function(text, pos, stop), top = 10,
 * layer = all, kind = "c" | "h", text = held-out} -> {{layer, unit, r}, ...}
 * by |r|, largest first. */
static int units_rank_lua(lua_State *L)
{
    LuaHost *h = lh_host(L);
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    units_check_keys(L);
    lua_Integer top = units_opt_integer(L, "top", 10);
    lua_Integer layer = units_opt_integer(L, "layer", -1);
    const char *kind = units_opt_string(L, "kind", NULL);
    size_t len = 0;
    const char *text = units_opt_string(L, "text", &len);
    if (top < 1)
        luaL_error(L, "rnn.units: top must be at least 1, not %I", top);
    lua_getfield(L, 1, "find");                               /* index 2 for now */
    int ft = lua_type(L, 2);
    if (ft != LUA_TSTRING && ft != LUA_TFUNCTION)
        luaL_error(L, "rnn.units: find must be a regular expression, \"line\", \"indent\" or a "
                      "function(text, pos, stop), not %s", luaL_typename(L, 2));
    Trainer *t = lh_need_trainer(L, h);
    UnitsJob *j = units_job_new(L, t, "rnn.units");
    lua_insert(L, 2);                                         /* 2 the job, 3 find */
    units_job_target(L, j, layer, 1, kind);
    int units = (layer < 0 ? t->model.cfg.layers : 1) * t->model.cfg.hidden;
    j->top = top < units ? (int)top : units;
    units_job_text(L, j, text, len);
    lua_pushlstring(L, j->text.text, j->text.len);            /* index 4 the text */
    units_job_charge(L, j, (size_t)j->text.n * sizeof *j->sig);
    j->sig = xmalloc((size_t)j->text.n * sizeof *j->sig);
    j->ask = ft == LUA_TFUNCTION;
    if (!j->ask)
        units_string_signal(L, j, lua_tostring(L, 3));
    return units_work(L);
}

void lh_units_register(lua_State *L)
{
    static const luaL_Reg fns[] = {
        {"activations", units_activations}, {"units", units_rank_lua}, {NULL, NULL},
    };
    luaL_setfuncs(L, fns, 0);
}
