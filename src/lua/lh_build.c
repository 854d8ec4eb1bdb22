/* lh_build.c — building a run from Lua and changing it between steps:
 * rnn.model, rnn.corpus, rnn.trainer, rnn.info, rnn.set, rnn.get, rnn.lr,
 * rnn.clip, rnn.pause, rnn.save, rnn.load.
 *
 * Every setting goes through train_config_set (the table in train_config.h),
 * under its flag name with '_' for '-' (val_frac -> --val-frac), so a value is
 * checked the same way as on the command line. Unknown keys and wrong types
 * raise an error naming the key; a run that cannot be built (missing corpus,
 * bad checkpoint) returns nil, message.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <limits.h>

#include "lh_internal.h"
#include "suggest.h"
#include "run_guard.h"

typedef enum { KEYS_MODEL, KEYS_CORPUS, KEYS_ANY } KeySet;

static const char *const model_keys[] = {"cell", "layers", "hidden", "embed", "dropout", "seed",
                                         "forget-bias-one", NULL};
static const char *const corpus_keys[] = {"corpus", "tokenizer", "val-frac", "max-vocab", NULL};

static int in_list(const char *const *list, const char *name)
{
    for (; *list; list++)
        if (!strcmp(*list, name))
            return 1;
    return 0;
}

/* " (did you mean 'hidden'?)" for a misspelt key: the closest of list (NULL:
 * every training setting), written as a Lua key; "" if none is close. Shared
 * by the other rnn.* functions that take a table (lh_internal.h). */
const char *lh_near_key(const char *key, const char *const *list)
{
    static char out[96];
    Suggest sg;
    suggest_begin(&sg, key, strlen(key));
    for (int i = 0; list ? list[i] != NULL : i < train_config_n_fields(); i++)
        suggest_add(&sg, list ? list[i] : train_config_field(i)->name);
    const char *near = suggest_result(&sg);
    out[0] = '\0';
    if (near) {
        char lua[64];
        size_t i = 0;
        for (; near[i] && i + 1 < sizeof lua; i++)
            lua[i] = near[i] == '-' ? '_' : near[i];
        lua[i] = '\0';
        snprintf(out, sizeof out, " (did you mean '%s'?)", lua);
    }
    return out;
}

/* Lua key -> flag name: '_' -> '-', and corpus{path = ...} -> "corpus". */
static void flag_name(const char *key, KeySet set, char *out, size_t cap)
{
    if (set == KEYS_CORPUS && !strcmp(key, "path"))
        key = "corpus";
    size_t i = 0;
    for (; key[i] && i + 1 < cap; i++)
        out[i] = key[i] == '_' ? '-' : key[i];
    out[i] = '\0';
}

/* Set one setting from the value at stack index idx. Raises naming `key`. */
static void set_one(lua_State *L, const char *fn, TrainConfig *c, const char *key, const char *name,
                    int idx)
{
    const TcField *f = train_config_find(name);
    if (!f)
        luaL_error(L, "%s: unknown key '%s'%s", fn, key, lh_near_key(key, NULL));
    char text[TRAIN_PATH_MAX];
    int t = lua_type(L, idx);
    switch (f->kind) {
    case TC_BOOL:
        if (t == LUA_TBOOLEAN)
            snprintf(text, sizeof text, "%d", lua_toboolean(L, idx));
        else if (t == LUA_TNUMBER && (lua_tonumber(L, idx) == 0 || lua_tonumber(L, idx) == 1))
            snprintf(text, sizeof text, "%d", (int)lua_tonumber(L, idx));
        else
            luaL_error(L, "%s: key '%s' must be a boolean, not %s", fn, key, luaL_typename(L, idx));
        break;
    case TC_STRING: case TC_CELL: case TC_TOKENIZER: case TC_OPTIM: case TC_SCHEDULE:
        if (t != LUA_TSTRING)
            luaL_error(L, "%s: key '%s' must be a string, not %s", fn, key, luaL_typename(L, idx));
        snprintf(text, sizeof text, "%s", lua_tostring(L, idx));
        break;
    default:
        if (t == LUA_TSTRING && !strcmp(lua_tostring(L, idx), "default"))
            snprintf(text, sizeof text, "default");
        else if (t != LUA_TNUMBER)
            luaL_error(L, "%s: key '%s' must be a number, not %s", fn, key, luaL_typename(L, idx));
        else if (lua_isinteger(L, idx))
            snprintf(text, sizeof text, LUA_INTEGER_FMT, lua_tointeger(L, idx));
        else
            snprintf(text, sizeof text, "%.17g", lua_tonumber(L, idx));
        break;
    }
    Err err;
    if (train_config_set(c, name, text, &err) != 0)
        luaL_error(L, "%s: key '%s': %s", fn, key, err.msg);
}

/* Apply every key of the table at index 1 to c. */
static void apply_table(lua_State *L, const char *fn, TrainConfig *c, KeySet set)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_pushnil(L);                 /* [-0, +1] first key */
    while (lua_next(L, 1) != 0) {   /* [-1, +2] key, value */
        if (lua_type(L, -2) != LUA_TSTRING)
            luaL_error(L, "%s: keys must be names, not %s", fn, luaL_typename(L, -2));
        const char *key = lua_tostring(L, -2);
        char name[64];
        flag_name(key, set, name, sizeof name);
        if (set == KEYS_MODEL && !in_list(model_keys, name))
            luaL_error(L, "%s: unknown key '%s'%s", fn, key, lh_near_key(key, model_keys));
        if (set == KEYS_CORPUS && !in_list(corpus_keys, name))
            luaL_error(L, "%s: unknown key '%s'%s", fn, key, lh_near_key(key, corpus_keys));
        set_one(L, fn, c, key, name, lua_gettop(L));
        lua_pop(L, 1);              /* [-1, +0] keep the key for lua_next */
    }
}

/* rnn.model{cell, layers, hidden, embed, dropout, seed, forget_bias_one} */
static int build_model(lua_State *L)
{
    LuaHost *h = lh_host(L);
    TrainConfig c = h->pending;
    apply_table(L, "rnn.model", &c, KEYS_MODEL);
    h->pending = c;
    return 0;
}

/* rnn.corpus{path, tokenizer, val_frac, max_vocab} */
static int build_corpus(lua_State *L)
{
    LuaHost *h = lh_host(L);
    TrainConfig c = h->pending;
    apply_table(L, "rnn.corpus", &c, KEYS_CORPUS);
    h->pending = c;
    return 0;
}

/* Summary of the current run. [-0, +1] */
static void push_info(lua_State *L, const Trainer *t)
{
    lua_createtable(L, 0, 12);
    lua_pushinteger(L, (lua_Integer)t->model.n_params);
    lua_setfield(L, -2, "params");
    lua_pushinteger(L, t->model.cfg.vocab);
    lua_setfield(L, -2, "vocab");
    lua_pushstring(L, cell_name(t->model.cfg.cell));
    lua_setfield(L, -2, "cell");
    lua_pushinteger(L, t->model.cfg.layers);
    lua_setfield(L, -2, "layers");
    lua_pushinteger(L, t->model.cfg.hidden);
    lua_setfield(L, -2, "hidden");
    lua_pushinteger(L, t->model.cfg.embed);
    lua_setfield(L, -2, "embed");
    lua_pushstring(L, tok_name(t->corpus.tok.type));
    lua_setfield(L, -2, "tokenizer");
    lua_pushstring(L, t->corpus.path);
    lua_setfield(L, -2, "corpus");
    lua_pushinteger(L, (lua_Integer)t->corpus.n_train);
    lua_setfield(L, -2, "train_tokens");
    lua_pushinteger(L, (lua_Integer)(t->corpus.n - t->corpus.n_train));
    lua_setfield(L, -2, "val_tokens");
    lua_pushinteger(L, t->step);
    lua_setfield(L, -2, "step");
    lua_pushnumber(L, t->last_val_loss);
    lua_setfield(L, -2, "val_loss");
}

static int build_new_run(lua_State *L, LuaHost *h, const TrainConfig *c, const char *resume)
{
    char why[PATH_MAX + 200];
    /* the sandbox's reading rule for the checkpoint and the corpus */
    if (!h->unsafe && ((resume && lh_paths_check(&h->paths, resume, 0, why, sizeof why) != 0) ||
                       (!resume && lh_paths_check(&h->paths, c->corpus, 0, why, sizeof why) != 0))) {
        lua_pushnil(L);
        lua_pushstring(L, why);
        return 2;
    }
    Trainer *t = xmalloc(sizeof *t);
    Err err;
    err_clear(&err);
    int rc = resume ? trainer_resume(t, resume, c, NULL, &err) : trainer_init(t, c, &err);
    if (rc == 0 && resume && !h->unsafe && lh_paths_check(&h->paths, t->corpus.path, 0, why, sizeof why) != 0) {
        trainer_free(t); /* the checkpoint named a corpus the sandbox does not read */
        rc = err_set(&err, ERR_INPUT, "%s", why);
    }
    if (rc) {
        free(t);
        lua_pushnil(L);
        lua_pushstring(L, err.msg);
        return 2;
    }
    lh_set_trainer(h, t, 1);
    return 0;
}

/* rnn.trainer{any setting} -> info | nil, message: builds a fresh run. */
static int build_trainer(lua_State *L)
{
    LuaHost *h = lh_host(L);
    TrainConfig c = h->pending;
    if (!lua_isnoneornil(L, 1))
        apply_table(L, "rnn.trainer", &c, KEYS_ANY);
    Err err;
    if (train_config_check(&c, &err) != 0)
        return luaL_error(L, "rnn.trainer: %s", err.msg);
    int n = build_new_run(L, h, &c, NULL);
    if (n)
        return n;           /* the settings stay as they were */
    h->pending = c;         /* later rnn.trainer{} calls start from these */
    push_info(L, h->trainer);
    return 1;
}

Trainer *lh_need_trainer(lua_State *L, LuaHost *h)
{
    if (h->trainer)
        return h->trainer;
    if (build_new_run(L, h, &h->pending, NULL)) {
        const char *msg = lua_tostring(L, -1);
        luaL_error(L, "cannot build the run: %s", msg);
    }
    return h->trainer;
}

/* rnn.info() -> info (builds the run if there is none) */
static int build_info(lua_State *L)
{
    LuaHost *h = lh_host(L);
    push_info(L, lh_need_trainer(L, h));
    return 1;
}

/* Apply a changed config to a live run: what the trainer derives from it. */
static void apply_to_run(lua_State *L, Trainer *t, const TrainConfig *old)
{
    Err err;
    if (train_config_check(&t->cfg, &err) != 0) {
        t->cfg = *old;
        luaL_error(L, "rnn.set: %s", err.msg);
    }
    OptimConfig oc;
    train_config_optim(&t->cfg, &oc);
    if (optim_config_check(&oc, &err) != 0) {
        t->cfg = *old;
        luaL_error(L, "rnn.set: %s", err.msg);
    }
    if (t->cfg.optim != old->optim) {
        /* another optimizer: its state starts afresh, as a new torch.optim would */
        optim_free(&t->optim);
        optim_init(&t->optim, &oc, t->model.n_params);
    } else {
        t->optim.cfg = oc;
    }
    train_config_schedule(&t->cfg, &t->sched);
    findings_set_hyper(&t->findings, t->cfg.lr, t->cfg.clip);
}

/* rnn.set{key = value, ...}: settings of the current run (or of the next
 * one, if there is none yet), from the next step on. */
static int build_set(lua_State *L)
{
    LuaHost *h = lh_host(L);
    luaL_checktype(L, 1, LUA_TTABLE);
    if (!h->trainer) {
        TrainConfig c = h->pending;
        apply_table(L, "rnn.set", &c, KEYS_ANY);
        h->pending = c;
        return 0;
    }
    Trainer *t = h->trainer;
    TrainConfig old = t->cfg, c = t->cfg; /* c: t->cfg stays intact if a key raises */
    lua_pushnil(L);                        /* [-0, +1] first key */
    while (lua_next(L, 1) != 0) {          /* [-1, +2] key, value */
        if (lua_type(L, -2) != LUA_TSTRING)
            return luaL_error(L, "rnn.set: keys must be names, not %s", luaL_typename(L, -2));
        const char *key = lua_tostring(L, -2);
        char name[64];
        flag_name(key, KEYS_ANY, name, sizeof name);
        const TcField *f = train_config_find(name);
        if (f && (f->scope != TC_ANY || !strcmp(name, "dropout") || !strcmp(name, "threads") ||
                  !strcmp(name, "seed")))
            return luaL_error(L, "rnn.set: '%s' is fixed for this run; build a new one with "
                                 "rnn.model{}, rnn.corpus{} and rnn.trainer{}", key);
        set_one(L, "rnn.set", &c, key, name, lua_gettop(L));
        lua_pop(L, 1);                     /* [-1, +0] */
    }
    t->cfg = c;
    apply_to_run(L, t, &old);
    return 0;
}

/* Push one setting's value as its Lua type. [-0, +1] */
static void push_setting(lua_State *L, const TrainConfig *c, const char *name, const TcField *f)
{
    char text[TRAIN_PATH_MAX];
    train_config_get(c, name, text, sizeof text);
    switch (f->kind) {
    case TC_BOOL: lua_pushboolean(L, text[0] == '1'); break;
    case TC_STRING: case TC_CELL: case TC_TOKENIZER: case TC_OPTIM: case TC_SCHEDULE:
        lua_pushstring(L, text);
        break;
    case TC_FLOAT:
        if (!strcmp(text, "default"))
            lua_pushnil(L);
        else
            lua_pushnumber(L, strtod(text, NULL));
        break;
    default: lua_pushinteger(L, (lua_Integer)strtoll(text, NULL, 10)); break;
    }
}

/* rnn.get(key) -> value of the current run's setting (nil: optimizer default) */
static int build_get(lua_State *L)
{
    LuaHost *h = lh_host(L);
    const char *key = luaL_checkstring(L, 1);
    char name[64];
    flag_name(key, KEYS_ANY, name, sizeof name);
    const TcField *f = train_config_find(name);
    if (!f)
        return luaL_argerror(L, 1, lua_pushfstring(L, "unknown setting '%s'%s", key, lh_near_key(key, NULL)));
    push_setting(L, h->trainer ? &h->trainer->cfg : &h->pending, name, f);
    return 1;
}

/* rnn.lr([x]) / rnn.clip([x]): the setting's value; with x, set it first. */
static int get_or_set(lua_State *L, const char *name)
{
    LuaHost *h = lh_host(L);
    if (!lua_isnoneornil(L, 1)) {
        luaL_checknumber(L, 1);
        lua_createtable(L, 0, 1);   /* [-0, +1] {name = x} */
        lua_pushvalue(L, 1);
        lua_setfield(L, -2, name);
        lua_replace(L, 1);          /* [-1, +0] the table is argument 1 */
        lua_settop(L, 1);
        build_set(L);
    }
    push_setting(L, h->trainer ? &h->trainer->cfg : &h->pending, name, train_config_find(name));
    return 1;
}

static int build_lr(lua_State *L) { return get_or_set(L, "lr"); }
static int build_clip(lua_State *L) { return get_or_set(L, "clip"); }

/* rnn.pause(): end the current rnn.step(n) after this step; the dashboard
 * stays paused when the script ends. */
static int build_pause(lua_State *L)
{
    LuaHost *h = lh_host(L);
    h->paused = 1;
    h->stop = 1;
    return 0;
}

/* rnn.save(path [, {force = true}]) -> true | nil, message. Refused (nil,
 * message) when path holds another run, unless force (run_guard.h). */
static int build_save(lua_State *L)
{
    LuaHost *h = lh_host(L);
    const char *path = luaL_checkstring(L, 1);
    int force = 0;
    if (!lua_isnoneornil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        for (lua_pushnil(L); lua_next(L, 2); lua_pop(L, 1))
            if (lua_type(L, -2) != LUA_TSTRING || strcmp(lua_tostring(L, -2), "force"))
                return luaL_error(L, "rnn.save: unknown option '%s' (there is: force)", luaL_tolstring(L, -2, NULL));
        lua_getfield(L, 2, "force");
        force = lua_toboolean(L, -1);
        lua_pop(L, 1);
    }
    Trainer *t = lh_need_trainer(L, h);
    char why[PATH_MAX + 200];
    if (!h->unsafe && lh_paths_check(&h->paths, path, 1, why, sizeof why) != 0) {
        lua_pushnil(L);
        lua_pushstring(L, why);
        return 2;
    }
    Err err;
    err_clear(&err);
    if (run_guard_save(t, path, force, "pass {force = true} to replace it", &err) != 0) {
        lua_pushnil(L);
        lua_pushstring(L, err.msg);
        return 2;
    }
    lua_pushstring(L, path);        /* [-0, +1] */
    lua_pushinteger(L, t->step);    /* [-0, +1] */
    lh_events_fire(h, L, "save", 2); /* [-2, +0] */
    lua_pushboolean(L, 1);
    return 1;
}

/* rnn.load(path) -> info | nil, message: a saved run continues exactly; a
 * model-only checkpoint starts a new run from its weights on the corpus set
 * with rnn.corpus{}. */
static int build_load(lua_State *L)
{
    LuaHost *h = lh_host(L);
    const char *path = luaL_checkstring(L, 1);
    int n = build_new_run(L, h, &h->pending, path);
    if (n)
        return n;
    push_info(L, h->trainer);
    return 1;
}

void lh_build_register(lua_State *L)
{
    static const luaL_Reg fns[] = {
        {"model", build_model}, {"corpus", build_corpus}, {"trainer", build_trainer},
        {"info", build_info},   {"set", build_set},       {"get", build_get},
        {"lr", build_lr},       {"clip", build_clip},     {"pause", build_pause},
        {"save", build_save},   {"load", build_load},     {NULL, NULL},
    };
    luaL_setfuncs(L, fns, 0);
}
