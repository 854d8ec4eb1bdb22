/* lh_inspect.c — what the model predicts: rnn.probs(text, k) and
 * rnn.sample{...}. Both run on the current run's weights from a zero state,
 * with a batch-1 Sampler of their own (the training state is not touched).
 *
 * Not here: the tensors themselves (lh_tensor.c).
 */
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "lh_internal.h"
#include "sample.h"

/* Encode text with the run's tokenizer; ids freed by the caller. Raises on
 * invalid UTF-8 (a bad argument). */
static int *encode(lua_State *L, const Trainer *t, const char *text, size_t len, size_t *n,
                   const char *what)
{
    int *ids = NULL;
    Err err;
    err_clear(&err);
    if (tokenizer_encode(&t->corpus.tok, text, len, &ids, n, NULL, NULL, what, &err) != 0) {
        free(ids);
        luaL_error(L, "%s", err.msg);
    }
    return ids;
}

/* rnn.probs(text [, k [, temperature]]) -> {{token = s, p = x, id = i}, ...}
 * the k (default 10) most likely next tokens after text, most likely first. */
static int inspect_probs(lua_State *L)
{
    LuaHost *h = lh_host(L);
    size_t len;
    const char *text = luaL_optlstring(L, 1, "", &len);
    lua_Integer k = luaL_optinteger(L, 2, 10);
    double temp = luaL_optnumber(L, 3, 1.0);
    luaL_argcheck(L, k >= 1, 2, "k must be at least 1");
    luaL_argcheck(L, temp > 0, 3, "temperature must be above 0");
    Trainer *t = lh_need_trainer(L, h);
    int V = t->model.cfg.vocab;
    if (k > V)
        k = V;
    size_t n = 0;
    int *ids = encode(L, t, text, len, &n, "rnn.probs text");
    Sampler s;
    sampler_init(&s, &t->model);
    /* no text: what the model predicts at the start of a line */
    const float *logits = n == 0 ? sampler_feed(&s, sample_start_token(&t->corpus.tok)) : NULL;
    for (size_t i = 0; i < n; i++)
        logits = sampler_feed(&s, ids[i]);
    free(ids);
    int *top = xmalloc(sizeof(int) * (size_t)k);
    float *p = xmalloc(sizeof(float) * (size_t)k);
    int got = sample_topk(logits, V, (float)temp, (int)k, top, p);
    lua_createtable(L, got, 0); /* [-0, +1] */
    char buf[256];
    for (int i = 0; i < got; i++) {
        lua_createtable(L, 0, 3);
        size_t tl = tokenizer_decode(&t->corpus.tok, top[i], buf, sizeof buf);
        lua_pushlstring(L, buf, tl < sizeof buf ? tl : sizeof buf - 1);
        lua_setfield(L, -2, "token");
        lua_pushnumber(L, p[i]);
        lua_setfield(L, -2, "p");
        lua_pushinteger(L, top[i]);
        lua_setfield(L, -2, "id");
        lua_rawseti(L, -2, i + 1);
    }
    free(top);
    free(p);
    sampler_free(&s);
    return 1;
}

typedef struct {
    const Tokenizer *tok;
    char *buf;
    size_t len, cap;
} Emit;

static void emit_token(void *ctx, int id)
{
    Emit *e = ctx;
    size_t need = tokenizer_decode(e->tok, id, NULL, 0);
    if (e->len + need + 1 > e->cap) {
        e->cap = 2 * (e->len + need + 1) + 64;
        e->buf = xrealloc(e->buf, e->cap);
    }
    tokenizer_decode(e->tok, id, e->buf + e->len, e->cap - e->len);
    e->len += need;
}

/* rnn.sample{prime, length, temperature, top_k, top_p, seed, argmax} -> text
 * (the generated continuation, without the prime) */
static int inspect_sample(lua_State *L)
{
    LuaHost *h = lh_host(L);
    static const char *const keys[] = {"prime", "length", "temperature", "top_k", "top_p", "seed",
                                       "argmax", NULL};
    const char *prime = "";
    size_t prime_len = 0;
    lua_Integer length = 200, seed = 1;
    SampleOpts so;
    sample_opts_default(&so);
    if (!lua_isnoneornil(L, 1)) {
        luaL_checktype(L, 1, LUA_TTABLE);
        lua_pushnil(L);
        while (lua_next(L, 1) != 0) { /* [-1, +2] */
            if (lua_type(L, -2) != LUA_TSTRING)
                return luaL_error(L, "rnn.sample: keys must be names");
            const char *key = lua_tostring(L, -2);
            int which = -1;
            for (int i = 0; keys[i]; i++)
                if (!strcmp(keys[i], key))
                    which = i;
            if (which < 0)
                return luaL_error(L, "rnn.sample: unknown key '%s'", key);
            int ty = lua_type(L, -1);
            int whole = which == 1 || which == 3 || which == 5;
            if (whole && ty == LUA_TNUMBER && !lua_isinteger(L, -1))
                return luaL_error(L, "rnn.sample: key '%s' must be a whole number", key);
            if (which == 0 ? ty != LUA_TSTRING : which == 6 ? ty != LUA_TBOOLEAN : ty != LUA_TNUMBER)
                return luaL_error(L, "rnn.sample: key '%s' must be a %s, not %s", key,
                                  which == 0 ? "string" : which == 6 ? "boolean" : "number",
                                  luaL_typename(L, -1));
            switch (which) {
            case 0: prime = lua_tolstring(L, -1, &prime_len); break;
            case 1: length = lua_tointeger(L, -1); break;
            case 2: so.temperature = (float)lua_tonumber(L, -1); break;
            case 3: so.top_k = (int)lua_tointeger(L, -1); break;
            case 4: so.top_p = (float)lua_tonumber(L, -1); break;
            case 5: seed = lua_tointeger(L, -1); break;
            default: so.argmax = lua_toboolean(L, -1); break;
            }
            lua_pop(L, 1); /* [-1, +0]; prime stays valid: the table holds it */
        }
    }
    Err err;
    err_clear(&err);
    if (sample_opts_check(&so, &err) != 0)
        return luaL_error(L, "rnn.sample: %s", err.msg);
    if (length < 0 || length > 100000000)
        return luaL_error(L, "rnn.sample: length must be in [0, 100000000]");
    Trainer *t = lh_need_trainer(L, h);
    size_t n = 0;
    int *ids = encode(L, t, prime, prime_len, &n, "rnn.sample prime");
    if (n == 0) {
        free(ids);
        ids = xmalloc(sizeof(int));
        ids[0] = sample_start_token(&t->corpus.tok);
        n = 1;
    }
    Sampler s;
    sampler_init(&s, &t->model);
    Rng rng;
    rng_seed(&rng, (uint64_t)seed);
    Emit e = {&t->corpus.tok, NULL, 0, 0};
    int rc = sample_generate(&s, ids, n, (int)length, &so, &rng, emit_token, &e, &err);
    free(ids);
    sampler_free(&s);
    if (rc) {
        free(e.buf);
        return luaL_error(L, "rnn.sample: %s", err.msg);
    }
    lua_pushlstring(L, e.buf ? e.buf : "", e.len);
    free(e.buf);
    return 1;
}

void lh_inspect_register(lua_State *L)
{
    static const luaL_Reg fns[] = {
        {"probs", inspect_probs}, {"sample", inspect_sample}, {NULL, NULL},
    };
    luaL_setfuncs(L, fns, 0);
}
