/* lh_inspect.c — what the model predicts: rnn.probs(text, k) and
 * rnn.sample{...}. Both run on the current run's weights (without the units
 * rnn.ablate removed: lh_infer_begin) from a zero state, with a batch-1
 * Sampler of their own (the training state is not touched).
 * Both can run long (a huge text or length): they stop on an interrupt and
 * yield in the dashboard's time slices (see "jobs" below).
 *
 * Not here: the tensors themselves (lh_tensor.c).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "lh_internal.h"
#include "sample.h"

/* rnn.sample's longest length: any, up to the int sample_generate takes;
 * the memory cap bounds the text. */
#define LH_SAMPLE_MAX 2147483647

/* ---- jobs: the state of a long rnn.probs / rnn.sample ------------------------
 *
 * Both loop over tokens, which Lua's hooks cannot stop, so they work in
 * pieces of LH_PIECE tokens: after each, lh_check_stop raises "interrupted" /
 * "timed out" (Ctrl-C, :stop, --timeout), and in the dashboard, once the
 * script's time slice is used up, the call yields (lua_yieldk) and goes on in
 * its continuation, so the screen stays live and :stop can be typed. What
 * the work holds lives in a userdata on the call's stack (its __gc frees it,
 * whether the call finishes, fails or is interrupted); the C memory it holds
 * for the script (the token ids, the sample text) is charged to the memory
 * cap (lh_mem_charge). lh_job_new, lh_job_check_run and lh_job_pause serve
 * the other long calls too (lh_units.c; lh_internal.h). */

#define LH_PIECE 64
#define LH_ENCODE_PIECE ((size_t)1 << 20) /* bytes of text encoded between checks */
#define JOB_MT "rnnscope.inspect_job"

typedef struct {
    LuaHost *h;
    unsigned generation; /* the run's (lh_set_trainer): a continuation on another run fails */
    Trainer *t;          /* the run it works on */
    LhInfer w;           /* the weights the sampler runs on */
    int have_sampler;
    Sampler s;
    int *ids;            /* (n_ids) the text's / prime's tokens (malloc) */
    size_t n_ids, fed;   /* tokens fed so far */
    size_t ids_cap;
    size_t ids_charged;  /* bytes of ids charged to the cap */
    const char *text;    /* the text being encoded (kept on the call's stack) */
    size_t text_len, enc_off;
    const char *what;
    int started;         /* the first token is fed */
    /* rnn.probs */
    lua_Integer k;
    double temp;
    /* rnn.sample */
    lua_Integer left;    /* tokens still to draw */
    SampleOpts so;
    Rng rng;
    const Tokenizer *tok;
    lua_State *L;        /* for emit_token's errors */
    char *buf;           /* the text drawn so far (malloc, charged) */
    size_t len, cap;
} Job;

static void job_release(Job *j)
{
    if (j->have_sampler)
        sampler_free(&j->s);
    j->have_sampler = 0;
    lh_infer_end(j->h, &j->w);
    free(j->ids);
    j->ids = NULL;
    lh_mem_uncharge(j->h, j->ids_charged + j->cap);
    j->ids_charged = 0;
    free(j->buf);
    j->buf = NULL;
    j->cap = j->len = 0;
}

static int job_gc(lua_State *L)
{
    job_release(luaL_checkudata(L, 1, JOB_MT));
    return 0;
}

void *lh_job_new(lua_State *L, size_t size, const char *mt, lua_CFunction gc)
{
    void *j = lua_newuserdatauv(L, size, 0); /* [-0, +1] */
    memset(j, 0, size);
    if (luaL_newmetatable(L, mt)) {           /* [-0, +1] */
        lua_pushcfunction(L, gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);                  /* [-1, +0] */
    return j;
}

void lh_job_check_run(lua_State *L, const char *fn, unsigned generation, const Trainer *t)
{
    LuaHost *h = lh_host(L);
    if (!h->trainer || h->generation != generation || t != h->trainer)
        luaL_error(L, "%s: the run was replaced while it ran", fn);
}

/* A new job on top of the stack. [-0, +1] */
static Job *job_new(lua_State *L)
{
    Job *j = lh_job_new(L, sizeof *j, JOB_MT, job_gc);
    j->h = lh_host(L);
    j->generation = j->h->generation;
    return j;
}

/* Start encoding text (which the caller keeps on the stack) with the run's
 * tokenizer; job_encode_piece does the work. The ids are charged to the
 * memory cap up front: at most one token per byte, so len + 1 ints. */
static void job_encode_begin(lua_State *L, Job *j, Trainer *t, const char *text, size_t len,
                             const char *what)
{
    size_t charge = (len + 1) * sizeof(int);
    lh_mem_charge(L, charge);
    j->ids_charged = charge;
    j->t = t;
    j->tok = &t->corpus.tok;
    j->text = text;
    j->text_len = len;
    j->enc_off = 0;
    j->what = what;
}

/* Where the piece starting at off may end: about LH_ENCODE_PIECE bytes on, at
 * a place no token crosses (byte: anywhere; char: before a byte that starts a
 * code point; word: after an ASCII character that is a token alone), or the
 * end of the text. */
static size_t piece_end(const Tokenizer *tok, const unsigned char *u, size_t len, size_t off)
{
    if (len - off <= LH_ENCODE_PIECE)
        return len;
    size_t c = off + LH_ENCODE_PIECE;
    if (tok->type == TOK_BYTE)
        return c;
    for (; c < len; c++) {
        if (tok->type == TOK_CHAR ? (u[c] & 0xC0) != 0x80
                                  : u[c - 1] < 0x80 && !isalnum(u[c - 1]))
            return c;
    }
    return len;
}

/* Encode the next piece of the text; 1 when the whole text is encoded. On
 * invalid UTF-8 the text up to the failing piece is encoded again in one go,
 * so the error names the byte offset in the whole text. */
static int job_encode_piece(lua_State *L, Job *j)
{
    if (j->enc_off >= j->text_len)
        return 1;
    size_t end = piece_end(j->tok, (const unsigned char *)j->text, j->text_len, j->enc_off);
    int *ids = NULL;
    size_t n = 0;
    Err err;
    err_clear(&err);
    if (tokenizer_encode(j->tok, j->text + j->enc_off, end - j->enc_off, &ids, &n, NULL, NULL, j->what,
                         &err) != 0) {
        free(ids);
        ids = NULL;
        err_clear(&err);
        if (tokenizer_encode(j->tok, j->text, end, &ids, &n, NULL, NULL, j->what, &err) == 0)
            err_set(&err, ERR_INPUT, "%s: cannot be encoded", j->what);
        free(ids);
        luaL_error(L, "%s", err.msg);
    }
    if (j->n_ids + n > j->ids_cap) {
        size_t cap = j->ids_cap ? j->ids_cap : 1024;
        while (cap < j->n_ids + n)
            cap *= 2;
        j->ids = xrealloc(j->ids, cap * sizeof(int));
        j->ids_cap = cap;
    }
    if (n)
        memcpy(j->ids + j->n_ids, ids, n * sizeof(int));
    free(ids);
    j->n_ids += n;
    j->enc_off = end;
    return j->enc_off >= j->text_len;
}

int lh_job_pause(lua_State *L)
{
    lh_check_stop(L);
    return lh_should_yield(L);
}

/* Feed the remaining ids; 1 when done, 0 when the call should yield first. */
static int job_feed(lua_State *L, Job *j)
{
    while (!job_encode_piece(L, j))
        if (lh_job_pause(L))
            return 0;
    if (!j->started) { /* no text: what the model predicts at the start of a line */
        j->started = 1;
        if (j->n_ids == 0)
            sampler_feed(&j->s, sample_start_token(j->tok));
    }
    while (j->fed < j->n_ids) {
        size_t end = j->fed + LH_PIECE < j->n_ids ? j->fed + LH_PIECE : j->n_ids;
        for (; j->fed < end; j->fed++)
            sampler_feed(&j->s, j->ids[j->fed]);
        if (lh_job_pause(L) && j->fed < j->n_ids)
            return 0;
    }
    return 1;
}

/* ---- rnn.probs ------------------------------------------------------------------ */

static int probs_k(lua_State *L, int status, lua_KContext ctx);

/* Stack: 1..3 the arguments, 4 the job. */
static int probs_work(lua_State *L)
{
    Job *j = luaL_checkudata(L, 4, JOB_MT);
    if (!job_feed(L, j))
        return lua_yieldk(L, 0, 0, probs_k);
    const float *logits = j->s.logits;
    int V = j->s.m->cfg.vocab;
    int k = (int)j->k;
    int *top = xmalloc(sizeof(int) * (size_t)k);
    float *p = xmalloc(sizeof(float) * (size_t)k);
    int got = sample_topk(logits, V, (float)j->temp, k, top, p);
    Trainer *t = j->h->trainer;
    char buf[256];
    lua_createtable(L, got, 0); /* [-0, +1] */
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
    job_release(j);
    return 1;
}

static int probs_k(lua_State *L, int status, lua_KContext ctx)
{
    (void)status;
    (void)ctx;
    Job *j = luaL_checkudata(L, 4, JOB_MT);
    lh_job_check_run(L, "rnn.probs", j->generation, j->t);
    return probs_work(L);
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
    lua_settop(L, 3);
    Job *j = job_new(L); /* index 4 */
    j->k = k;
    j->temp = temp;
    job_encode_begin(L, j, t, text, len, "rnn.probs text"); /* text: argument 1 */
    sampler_init(&j->s, lh_infer_begin(L, t, &j->w));
    j->have_sampler = 1;
    return probs_work(L);
}

/* ---- rnn.sample ------------------------------------------------------------------ */

static void emit_token(void *ctx, int id)
{
    Job *e = ctx;
    size_t need = tokenizer_decode(e->tok, id, NULL, 0);
    if (e->len + need + 1 > e->cap) {
        size_t cap = 2 * (e->len + need + 1) + 64;
        /* raising here unwinds sample_generate, which holds nothing */
        lh_mem_charge(e->L, cap - e->cap);
        e->buf = xrealloc(e->buf, cap);
        e->cap = cap;
    }
    tokenizer_decode(e->tok, id, e->buf + e->len, e->cap - e->len);
    e->len += need;
}

static int sample_k(lua_State *L, int status, lua_KContext ctx);

/* Stack: 1 the options, 2 the job. */
static int sample_work(lua_State *L)
{
    Job *j = luaL_checkudata(L, 2, JOB_MT);
    j->L = L;
    if (!job_feed(L, j))
        return lua_yieldk(L, 0, 0, sample_k);
    while (j->left > 0) {
        int n = j->left > LH_PIECE ? LH_PIECE : (int)j->left;
        Err err;
        err_clear(&err);
        if (sample_generate(&j->s, NULL, 0, n, &j->so, &j->rng, emit_token, j, &err) != 0)
            return luaL_error(L, "rnn.sample: %s", err.msg);
        j->left -= n;
        if (lh_job_pause(L) && j->left > 0)
            return lua_yieldk(L, 0, 0, sample_k);
    }
    lua_pushlstring(L, j->buf ? j->buf : "", j->len);
    job_release(j);
    return 1;
}

static int sample_k(lua_State *L, int status, lua_KContext ctx)
{
    (void)status;
    (void)ctx;
    Job *j = luaL_checkudata(L, 2, JOB_MT);
    lh_job_check_run(L, "rnn.sample", j->generation, j->t);
    return sample_work(L);
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
                return luaL_error(L, "rnn.sample: unknown key '%s'%s", key, lh_near_key(key, keys));
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
    if (length < 0 || length > LH_SAMPLE_MAX)
        return luaL_error(L, "rnn.sample: length must be in [0, %d]", LH_SAMPLE_MAX);
    Trainer *t = lh_need_trainer(L, h);
    lua_settop(L, 1);
    Job *j = job_new(L);                      /* index 2 */
    if (lua_istable(L, 1))
        lua_getfield(L, 1, "prime");          /* index 3: the prime stays alive while we encode it */
    else
        lua_pushnil(L);
    if (lua_isstring(L, 3))
        prime = lua_tolstring(L, 3, &prime_len);
    job_encode_begin(L, j, t, prime, prime_len, "rnn.sample prime");
    sampler_init(&j->s, lh_infer_begin(L, t, &j->w));
    j->have_sampler = 1;
    j->so = so;
    rng_seed(&j->rng, (uint64_t)seed);
    j->left = length;
    j->tok = &t->corpus.tok;
    return sample_work(L);
}

void lh_inspect_register(lua_State *L)
{
    static const luaL_Reg fns[] = {
        {"probs", inspect_probs}, {"sample", inspect_sample}, {NULL, NULL},
    };
    luaL_setfuncs(L, fns, 0);
}
