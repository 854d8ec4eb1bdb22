/* ngram.c — interpolated Kneser-Ney counts and probabilities (see ngram.h). */
#include "ngram.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint32_t pos;       /* start of one occurrence in NGram.ids; UINT32_MAX = empty slot */
    uint32_t count;     /* occurrences */
    uint32_t cont;      /* distinct tokens seen before it (+1 at the start of the data) */
    uint32_t ctx_sum;   /* as the context of the next order: sum of its followers' counts */
    uint32_t ctx_types; /* ... and how many distinct followers */
} NgEntry;

typedef struct {
    size_t cap, used;   /* cap a power of two */
    NgEntry *e;         /* (cap) */
} NgTable;

struct NGram {
    int order, vocab;
    TokenIds ids;        /* (n) copy of the training ids */
    size_t n;
    NgTable t[NGRAM_MAX_ORDER + 1]; /* t[k]: k-grams, k = 1..order */
    uint32_t ctx0_sum, ctx0_types;  /* the empty context (unigram level) */
};

static uint64_t ng_hash(const int *key, int k)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t)k;
    for (int i = 0; i < k; i++) {
        h ^= (uint32_t)key[i];
        h *= 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    return h;
}

static void ng_table_init(NgTable *t, size_t cap)
{
    t->cap = cap;
    t->used = 0;
    t->e = xmalloc(cap * sizeof *t->e);
    for (size_t i = 0; i < cap; i++)
        t->e[i].pos = UINT32_MAX;
}

/* Whether the k ids at pos of the training ids are key. */
static int ng_same(const NGram *g, uint32_t pos, const int *key, int k)
{
    for (int i = 0; i < k; i++)
        if (token_ids_get(&g->ids, (size_t)pos + (size_t)i) != key[i])
            return 0;
    return 1;
}

/* The slot holding key (k ids), or the empty slot where it would go. */
static NgEntry *ng_slot(const NGram *g, const NgTable *t, const int *key, int k)
{
    size_t mask = t->cap - 1, i = (size_t)ng_hash(key, k) & mask;
    for (;;) {
        NgEntry *e = &t->e[i];
        if (e->pos == UINT32_MAX || ng_same(g, e->pos, key, k))
            return e;
        i = (i + 1) & mask;
    }
}

/* ng_slot of the k-gram at pos of the training ids. */
static NgEntry *ng_slot_at(const NGram *g, const NgTable *t, size_t pos, int k)
{
    int key[NGRAM_MAX_ORDER];
    token_ids_copy(&g->ids, pos, (size_t)k, key);
    return ng_slot(g, t, key, k);
}

static const NgEntry *ng_find(const NGram *g, int k, const int *key)
{
    const NgEntry *e = ng_slot(g, &g->t[k], key, k);
    return e->pos == UINT32_MAX ? NULL : e;
}

static void ng_grow(NGram *g, int k)
{
    NgTable old = g->t[k];
    ng_table_init(&g->t[k], old.cap * 2);
    for (size_t i = 0; i < old.cap; i++) {
        if (old.e[i].pos == UINT32_MAX)
            continue;
        *ng_slot_at(g, &g->t[k], old.e[i].pos, k) = old.e[i];
        g->t[k].used++;
    }
    free(old.e);
}

static NgEntry *ng_insert(NGram *g, int k, uint32_t pos)
{
    if (2 * (g->t[k].used + 1) > g->t[k].cap)
        ng_grow(g, k);
    NgEntry *e = ng_slot_at(g, &g->t[k], pos, k);
    if (e->pos == UINT32_MAX) {
        memset(e, 0, sizeof *e);
        e->pos = pos;
        g->t[k].used++;
    }
    return e;
}

/* Count the model on g->ids (all in [0, vocab), checked). */
static void ng_count(NGram *g);

int ngram_build_ids(NGram **out, const TokenIds *ids, size_t from, size_t n, int order, int vocab, Err *err)
{
    *out = NULL;
    if (order < 1 || order > NGRAM_MAX_ORDER)
        return err_set(err, ERR_INPUT, "--ngram %d out of range; use 1..%d", order, NGRAM_MAX_ORDER);
    if (n < 2 || n >= UINT32_MAX)
        return err_set(err, ERR_INPUT, "--ngram: the training split has %zu tokens; it needs 2 to 4e9", n);
    if (vocab < 1)
        return err_set(err, ERR_INPUT, "--ngram: empty vocabulary");
    for (size_t i = 0; i < n; i++) {
        int id = token_ids_get(ids, from + i);
        if (id < 0 || id >= vocab)
            return err_set(err, ERR_INPUT, "--ngram: token id %d at position %zu is outside the vocabulary of %d",
                           id, i, vocab);
    }
    NGram *g = xcalloc(1, sizeof *g);
    g->order = order;
    g->vocab = vocab;
    g->n = n;
    token_ids_slice(&g->ids, ids, from, n);
    ng_count(g);
    *out = g;
    return 0;
}

int ngram_build(NGram **out, const int *ids, size_t n, int order, int vocab, Err *err)
{
    int fits = 1; /* ids outside [0, vocab) are kept as they are, for ngram_build_ids to name */
    for (size_t i = 0; i < n && fits; i++)
        fits = ids[i] >= 0 && ids[i] < vocab;
    TokenIds a;
    token_ids_init(&a, fits ? vocab : INT32_MAX);
    token_ids_push(&a, ids, n, n);
    int rc = ngram_build_ids(out, &a, 0, n, order, vocab, err);
    token_ids_free(&a);
    return rc;
}

static void ng_count(NGram *g)
{
    size_t n = g->n;
    int order = g->order;
    for (int k = 1; k <= order; k++) {
        ng_table_init(&g->t[k], 1024);
        for (size_t i = 0; i + (size_t)k <= n; i++)
            ng_insert(g, k, (uint32_t)i)->count++;
    }
    /* continuation counts: each distinct (k+1)-gram v.s adds one to its suffix s */
    for (int k = 1; k < order; k++) {
        const NgTable *up = &g->t[k + 1];
        for (size_t i = 0; i < up->cap; i++)
            if (up->e[i].pos != UINT32_MAX)
                ng_slot_at(g, &g->t[k], (size_t)up->e[i].pos + 1, k)->cont++;
        ng_slot_at(g, &g->t[k], 0, k)->cont++; /* the k-gram at the start has no token before it */
    }
    /* context totals: order k's n-grams summed into their (k-1)-token context */
    for (int k = 1; k <= order; k++) {
        const NgTable *t = &g->t[k];
        for (size_t i = 0; i < t->cap; i++) {
            const NgEntry *e = &t->e[i];
            if (e->pos == UINT32_MAX)
                continue;
            uint32_t c = k == order ? e->count : e->cont;
            if (k == 1) {
                g->ctx0_sum += c;
                g->ctx0_types++;
            } else {
                NgEntry *ctx = ng_slot_at(g, &g->t[k - 1], e->pos, k - 1);
                ctx->ctx_sum += c;
                ctx->ctx_types++;
            }
        }
    }
}

void ngram_free(NGram *g)
{
    if (!g)
        return;
    for (int k = 1; k <= g->order; k++)
        free(g->t[k].e);
    token_ids_free(&g->ids);
    free(g);
}

double ngram_prob(const NGram *g, const int *ctx, int n_ctx, int w)
{
    if (w < 0 || w >= g->vocab)
        return 0.0;
    int m = n_ctx < g->order - 1 ? n_ctx : g->order - 1;
    const int *h = ctx + n_ctx - m; /* the last m tokens */
    int key[NGRAM_MAX_ORDER];
    double p = 1.0 / g->vocab;
    for (int k = 1; k <= m + 1; k++) {
        /* context: the last k-1 tokens of h */
        uint32_t sum, types;
        if (k == 1) {
            sum = g->ctx0_sum;
            types = g->ctx0_types;
        } else {
            const NgEntry *c = ng_find(g, k - 1, h + m - (k - 1));
            if (!c || c->ctx_sum == 0)
                continue;
            sum = c->ctx_sum;
            types = c->ctx_types;
        }
        memcpy(key, h + m - (k - 1), (size_t)(k - 1) * sizeof *key);
        key[k - 1] = w;
        const NgEntry *e = ng_find(g, k, key);
        double c = e ? (k == g->order ? e->count : e->cont) : 0;
        double d = c > NGRAM_DISCOUNT ? c - NGRAM_DISCOUNT : 0.0;
        p = d / sum + NGRAM_DISCOUNT * types / sum * p;
    }
    return p;
}

/* sum -= -ln p(stream[i] | stream[max(0, i-N+1) .. i-1]) for i = i0 .. i1-1, in
 * order, where ids[0] is stream[lo] and holds every id needed. */
static void ng_loss_sum(const NGram *g, const int *ids, size_t lo, size_t i0, size_t i1, double *sum)
{
    size_t keep = (size_t)g->order - 1;
    for (size_t i = i0; i < i1; i++) {
        size_t start = i >= keep ? i - keep : 0;
        *sum -= log(ngram_prob(g, ids + (start - lo), (int)(i - start), ids[i - lo]));
    }
}

double ngram_loss(const NGram *g, const int *ids, size_t n)
{
    if (n < 2)
        return NAN;
    double sum = 0;
    ng_loss_sum(g, ids, 0, 1, n, &sum);
    return sum / (double)(n - 1);
}

/* ids copied as ints a block at a time, with the context before it */
#define NG_LOSS_BLOCK 4096

double ngram_loss_ids(const NGram *g, const TokenIds *ids, size_t from, size_t n)
{
    if (n < 2)
        return NAN;
    int buf[NGRAM_MAX_ORDER + NG_LOSS_BLOCK];
    size_t keep = (size_t)g->order - 1;
    double sum = 0;
    for (size_t i0 = 1; i0 < n; i0 += NG_LOSS_BLOCK) {
        size_t i1 = i0 + NG_LOSS_BLOCK < n ? i0 + NG_LOSS_BLOCK : n;
        size_t lo = i0 > keep ? i0 - keep : 0;
        token_ids_copy(ids, from + lo, i1 - lo, buf);
        ng_loss_sum(g, buf, lo, i0, i1, &sum);
    }
    return sum / (double)(n - 1);
}

int ngram_holdout_loss(const TokenIds *ids, size_t n_train, int order, int vocab, double *loss, Err *err)
{
    NGram *g = NULL;
    int rc = ngram_build_ids(&g, ids, 0, n_train, order, vocab, err);
    if (rc)
        return rc;
    *loss = ngram_loss_ids(g, ids, n_train, ids->n - n_train);
    ngram_free(g);
    return 0;
}
