/* lh_tensor.c — read-only tensors: views of the run's parameter and
 * gradient tensors (rnn.params(), rnn.param(name), rnn.grad(name)), tensors
 * that hold their own values (rnn.activations, lh_tensor_push_owned), and the
 * tensor class they share.
 *
 * A view holds no data, only (host, run generation, tensor index, param or
 * grad), and reads the live buffer on every access, so it always shows the
 * current values. When the run is replaced (rnn.trainer{}, rnn.load, the
 * dashboard attaching another run) the generation changes and every older
 * view raises a clean error instead of reading freed memory. An owned tensor
 * keeps its floats in its own userdata, after the header (so the memory cap
 * counts them), and never goes stale. Every tensor is read-only: a write
 * raises "read-only tensor".
 *
 * Fields: t.name, t.kind ("param" | "grad" | "activation"), t.shape ({rows, cols} or {n}),
 * t.numel, t.ndim; #t; t[i] (flat, 1-based). Methods: t:get(i [, j]) (1-based),
 * t:norm(), t:mean(), t:std(), t:min(), t:max(), t:histogram(bins [, lo, hi]).
 * Gradients are those of the last step, as the optimizer used them (after
 * clipping).
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

#include "lh_internal.h"

#define TENSOR_MT "rnnscope.tensor"

typedef struct {
    LuaHost *h;
    unsigned generation;
    int index;  /* into Model.tensors; TENSOR_OWNED: the floats follow this header */
    int grad;   /* 1: the gradient buffer */
    int closed; /* __close ran */
    TensorView own; /* TENSOR_OWNED: name and shape (offset 0) */
} LhTensor;

#define TENSOR_OWNED (-1)

static LhTensor *check_tensor(lua_State *L, int idx)
{
    return luaL_checkudata(L, idx, TENSOR_MT);
}

/* The data and view of a live tensor; raises if stale or closed. */
static const float *tensor_data(lua_State *L, LhTensor *t, const TensorView **view)
{
    if (t->closed)
        luaL_error(L, "tensor is closed");
    if (t->index == TENSOR_OWNED) {
        *view = &t->own;
        return (const float *)(t + 1);
    }
    const Trainer *tr = t->h->trainer;
    if (!tr || t->generation != t->h->generation || t->index >= tr->model.n_tensors)
        luaL_error(L, "tensor belongs to a run that was replaced (rnn.trainer/rnn.load); "
                      "get it again with rnn.param or rnn.grad");
    *view = &tr->model.tensors[t->index];
    const float *base = t->grad ? tr->model.grads : tr->model.params;
    return base + (*view)->offset;
}

static void push_tensor(lua_State *L, LuaHost *h, int index, int grad)
{
    LhTensor *t = lua_newuserdatauv(L, sizeof *t, 0); /* [-0, +1] */
    t->h = h;
    t->generation = h->generation;
    t->index = index;
    t->grad = grad;
    t->closed = 0;
    luaL_setmetatable(L, TENSOR_MT);
}

float *lh_tensor_push_owned(lua_State *L, const char *name, int rows, int cols)
{
    size_t n = (size_t)rows * (size_t)cols;
    LhTensor *t = lua_newuserdatauv(L, sizeof *t + n * sizeof(float), 0); /* [-0, +1] */
    memset(t, 0, sizeof *t);
    t->h = lh_host(L);
    t->index = TENSOR_OWNED;
    snprintf(t->own.name, sizeof t->own.name, "%s", name);
    t->own.size = n;
    t->own.ndim = 2;
    t->own.shape[0] = rows;
    t->own.shape[1] = cols;
    luaL_setmetatable(L, TENSOR_MT);
    return (float *)(t + 1);
}

static int tensor_get_named(lua_State *L, int grad)
{
    LuaHost *h = lh_host(L);
    const char *name = luaL_checkstring(L, 1);
    Trainer *tr = lh_need_trainer(L, h);
    int i = model_find_tensor(&tr->model, name);
    if (i < 0)
        return luaL_argerror(L, 1, lua_pushfstring(L, "no tensor named '%s' (rnn.params() lists them, "
                                                      "e.g. 'rnn.weight_hh_l0')", name));
    push_tensor(L, h, i, grad);
    return 1;
}

/* rnn.param(name) -> tensor */
static int tensor_param(lua_State *L) { return tensor_get_named(L, 0); }
/* rnn.grad(name) -> tensor */
static int tensor_grad(lua_State *L) { return tensor_get_named(L, 1); }

/* rnn.params() -> array of every parameter tensor, state_dict order */
static int tensor_params(lua_State *L)
{
    LuaHost *h = lh_host(L);
    Trainer *tr = lh_need_trainer(L, h);
    lua_createtable(L, tr->model.n_tensors, 0);
    for (int i = 0; i < tr->model.n_tensors; i++) {
        push_tensor(L, h, i, 0);
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

/* Sum, sum of squares, min and max in double. */
static void tensor_stats(const float *p, size_t n, double *sum, double *sumsq, double *lo, double *hi)
{
    double s = 0, q = 0, mn = INFINITY, mx = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double x = p[i];
        s += x;
        q += x * x;
        if (x < mn)
            mn = x;
        if (x > mx)
            mx = x;
    }
    *sum = s;
    *sumsq = q;
    *lo = mn;
    *hi = mx;
}

static int tensor_stat(lua_State *L, int which)
{
    LhTensor *t = check_tensor(L, 1);
    const TensorView *v;
    const float *p = tensor_data(L, t, &v);
    double s, q, lo, hi;
    tensor_stats(p, v->size, &s, &q, &lo, &hi);
    double n = (double)v->size, r = 0;
    switch (which) {
    case 0: r = sqrt(q); break;
    case 1: r = s / n; break;
    case 2: { /* population std, like torch.std(unbiased=False) */
        double mean = s / n, var = 0;
        for (size_t i = 0; i < v->size; i++)
            var += ((double)p[i] - mean) * ((double)p[i] - mean);
        r = sqrt(var / n);
        break;
    }
    case 3: r = lo; break;
    default: r = hi; break;
    }
    lua_pushnumber(L, r);
    return 1;
}

static int tensor_norm(lua_State *L) { return tensor_stat(L, 0); }
static int tensor_mean(lua_State *L) { return tensor_stat(L, 1); }
static int tensor_std(lua_State *L) { return tensor_stat(L, 2); }
static int tensor_min(lua_State *L) { return tensor_stat(L, 3); }
static int tensor_max(lua_State *L) { return tensor_stat(L, 4); }

/* t:histogram(bins [, lo, hi]) -> {counts = {...}, edges = {...}} with
 * bins + 1 edges; values outside [lo, hi] are not counted; the last bin
 * includes hi. Default range: the tensor's min and max. */
static int tensor_histogram(lua_State *L)
{
    LhTensor *t = check_tensor(L, 1);
    lua_Integer bins = luaL_checkinteger(L, 2);
    luaL_argcheck(L, bins >= 1 && bins <= 100000, 2, "bins must be in [1, 100000]");
    const TensorView *v;
    const float *p = tensor_data(L, t, &v);
    double s, q, lo, hi;
    tensor_stats(p, v->size, &s, &q, &lo, &hi);
    lo = luaL_optnumber(L, 3, lo);
    hi = luaL_optnumber(L, 4, hi);
    luaL_argcheck(L, hi >= lo, 4, "hi must not be below lo");
    lua_createtable(L, 0, 2);                    /* [-0, +1] result */
    lua_createtable(L, (int)bins, 0);            /* [-0, +1] counts */
    for (lua_Integer b = 1; b <= bins; b++) {
        lua_pushinteger(L, 0);
        lua_rawseti(L, -2, b);
    }
    double width = (hi - lo) / (double)bins;
    for (size_t i = 0; i < v->size; i++) {
        double x = p[i];
        if (!(x >= lo && x <= hi))
            continue;
        lua_Integer b = width > 0 ? (lua_Integer)((x - lo) / width) + 1 : 1;
        if (b > bins)
            b = bins;
        lua_rawgeti(L, -1, b);
        lua_Integer c = lua_tointeger(L, -1) + 1;
        lua_pop(L, 1);
        lua_pushinteger(L, c);
        lua_rawseti(L, -2, b);
    }
    lua_setfield(L, -2, "counts");               /* [-1, +0] */
    lua_createtable(L, (int)bins + 1, 0);        /* [-0, +1] edges */
    for (lua_Integer b = 0; b <= bins; b++) {
        lua_pushnumber(L, b == bins ? hi : lo + width * (double)b);
        lua_rawseti(L, -2, b + 1);
    }
    lua_setfield(L, -2, "edges");                /* [-1, +0] */
    return 1;
}

/* t:get(i [, j]): 1-based; (row, col) for a matrix */
static int tensor_getelem(lua_State *L)
{
    LhTensor *t = check_tensor(L, 1);
    const TensorView *v;
    const float *p = tensor_data(L, t, &v);
    lua_Integer i = luaL_checkinteger(L, 2);
    size_t at;
    if (lua_isnoneornil(L, 3)) {
        luaL_argcheck(L, i >= 1 && (size_t)i <= v->size, 2, "index out of range");
        at = (size_t)i - 1;
    } else {
        lua_Integer j = luaL_checkinteger(L, 3);
        luaL_argcheck(L, v->ndim == 2, 3, "a 1-d tensor takes one index");
        luaL_argcheck(L, i >= 1 && i <= v->shape[0], 2, "row out of range");
        luaL_argcheck(L, j >= 1 && j <= v->shape[1], 3, "column out of range");
        at = (size_t)(i - 1) * (size_t)v->shape[1] + (size_t)(j - 1);
    }
    lua_pushnumber(L, p[at]);
    return 1;
}

static int tensor_index(lua_State *L)
{
    LhTensor *t = check_tensor(L, 1);
    if (lua_type(L, 2) == LUA_TNUMBER) {
        const TensorView *v;
        const float *p = tensor_data(L, t, &v);
        lua_Integer i = luaL_checkinteger(L, 2);
        if (i < 1 || (size_t)i > v->size)
            return luaL_error(L, "tensor index %I out of range [1, %I]", i,
                              (lua_Integer)v->size);
        lua_pushnumber(L, p[i - 1]);
        return 1;
    }
    const char *key = luaL_checkstring(L, 2);
    /* methods first: they check staleness themselves when called */
    if (luaL_getmetafield(L, 1, "methods") != LUA_TNIL) { /* [-0, +1] */
        if (lua_getfield(L, -1, key) != LUA_TNIL)          /* [-0, +1] */
            return 1;
        lua_pop(L, 2);
    }
    const TensorView *v;
    tensor_data(L, t, &v);
    if (!strcmp(key, "name")) {
        lua_pushstring(L, v->name);
    } else if (!strcmp(key, "kind")) {
        lua_pushstring(L, t->index == TENSOR_OWNED ? "activation" : t->grad ? "grad" : "param");
    } else if (!strcmp(key, "numel")) {
        lua_pushinteger(L, (lua_Integer)v->size);
    } else if (!strcmp(key, "ndim")) {
        lua_pushinteger(L, v->ndim);
    } else if (!strcmp(key, "shape")) {
        lua_createtable(L, v->ndim, 0);
        for (int d = 0; d < v->ndim; d++) {
            lua_pushinteger(L, v->shape[d]);
            lua_rawseti(L, -2, d + 1);
        }
    } else {
        lua_pushnil(L);
    }
    return 1;
}

static int tensor_newindex(lua_State *L)
{
    return luaL_error(L, "read-only tensor");
}

static int tensor_len(lua_State *L)
{
    LhTensor *t = check_tensor(L, 1);
    const TensorView *v;
    tensor_data(L, t, &v);
    lua_pushinteger(L, (lua_Integer)v->size);
    return 1;
}

static int tensor_tostring(lua_State *L)
{
    LhTensor *t = check_tensor(L, 1);
    const Trainer *tr = t->h->trainer;
    if (t->index == TENSOR_OWNED && !t->closed) {
        lua_pushfstring(L, "tensor %s (%d, %d)", t->own.name, t->own.shape[0], t->own.shape[1]);
        return 1;
    }
    if (t->closed || !tr || t->generation != t->h->generation || t->index >= tr->model.n_tensors) {
        lua_pushstring(L, t->closed ? "tensor (closed)" : "tensor (stale: its run was replaced)");
        return 1;
    }
    const TensorView *v = &tr->model.tensors[t->index];
    if (v->ndim == 2)
        lua_pushfstring(L, "tensor %s%s (%d, %d)", t->grad ? "grad of " : "", v->name, v->shape[0],
                        v->shape[1]);
    else
        lua_pushfstring(L, "tensor %s%s (%d)", t->grad ? "grad of " : "", v->name, v->shape[0]);
    return 1;
}

/* __gc and __close: the view owns nothing; closing makes later use an error. */
static int tensor_close(lua_State *L)
{
    LhTensor *t = check_tensor(L, 1);
    t->closed = 1;
    return 0;
}

static int tensor_gc(lua_State *L)
{
    (void)check_tensor(L, 1);
    return 0;
}

void lh_tensor_register(lua_State *L)
{
    static const luaL_Reg meta[] = {
        {"__index", tensor_index}, {"__newindex", tensor_newindex}, {"__len", tensor_len},
        {"__tostring", tensor_tostring}, {"__close", tensor_close}, {"__gc", tensor_gc},
        {NULL, NULL},
    };
    static const luaL_Reg methods[] = {
        {"get", tensor_getelem}, {"norm", tensor_norm}, {"mean", tensor_mean}, {"std", tensor_std},
        {"min", tensor_min}, {"max", tensor_max}, {"histogram", tensor_histogram}, {NULL, NULL},
    };
    luaL_newmetatable(L, TENSOR_MT);    /* [-0, +1] */
    luaL_setfuncs(L, meta, 0);
    luaL_newlib(L, methods);            /* [-0, +1] */
    lua_setfield(L, -2, "methods");     /* [-1, +0] */
    lua_pop(L, 1);                      /* [-1, +0] */
    static const luaL_Reg fns[] = {
        {"params", tensor_params}, {"param", tensor_param}, {"grad", tensor_grad}, {NULL, NULL},
    };
    luaL_setfuncs(L, fns, 0);
}
