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
    int *ids;            /* (n) copy of the training ids */
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

/* The slot holding key (k ids), or the empty slot where it would go. */
static NgEntry *ng_slot(const NGram *g, const NgTable *t, const int *key, int k)
{
    size_t mask = t->cap - 1, i = (size_t)ng_hash(key, k) & mask;
    for (;;) {
        NgEntry *e = &t->e[i];
        if (e->pos == UINT32_MAX || memcmp(g->ids + e->pos, key, (size_t)k * sizeof *key) == 0)
            return e;
        i = (i + 1) & mask;
    }
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
        *ng_slot(g, &g->t[k], g->ids + old.e[i].pos, k) = old.e[i];
        g->t[k].used++;
    }
    free(old.e);
}

static NgEntry *ng_insert(NGram *g, int k, uint32_t pos)
{
    if (2 * (g->t[k].used + 1) > g->t[k].cap)
        ng_grow(g, k);
    NgEntry *e = ng_slot(g, &g->t[k], g->ids + pos, k);
    if (e->pos == UINT32_MAX) {
        memset(e, 0, sizeof *e);
        e->pos = pos;
        g->t[k].used++;
    }
    return e;
}

int ngram_build(NGram **out, const int *ids, size_t n, int order, int vocab, Err *err)
{
    *out = NULL;
    if (order < 1 || order > NGRAM_MAX_ORDER)
        return err_set(err, ERR_INPUT, "--ngram %d out of range; use 1..%d", order, NGRAM_MAX_ORDER);
    if (n < 2 || n >= UINT32_MAX)
        return err_set(err, ERR_INPUT, "--ngram: the training split has %zu tokens; it needs 2 to 4e9", n);
    if (vocab < 1)
        return err_set(err, ERR_INPUT, "--ngram: empty vocabulary");
    for (size_t i = 0; i < n; i++)
        if (ids[i] < 0 || ids[i] >= vocab)
            return err_set(err, ERR_INPUT, "--ngram: token id %d at position %zu is outside the vocabulary of %d",
                           ids[i], i, vocab);
    NGram *g = xcalloc(1, sizeof *g);
    g->order = order;
    g->vocab = vocab;
    g->n = n;
    g->ids = xmalloc(n * sizeof *g->ids);
    memcpy(g->ids, ids, n * sizeof *ids);
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
                ng_slot(g, &g->t[k], g->ids + up->e[i].pos + 1, k)->cont++;
        ng_slot(g, &g->t[k], g->ids, k)->cont++; /* the k-gram at the start has no token before it */
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
                NgEntry *ctx = ng_slot(g, &g->t[k - 1], g->ids + e->pos, k - 1);
                ctx->ctx_sum += c;
                ctx->ctx_types++;
            }
        }
    }
    *out = g;
    return 0;
}

void ngram_free(NGram *g)
{
    if (!g)
        return;
    for (int k = 1; k <= g->order; k++)
        free(g->t[k].e);
    free(g->ids);
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

double ngram_loss(const NGram *g, const int *ids, size_t n)
{
    if (n < 2)
        return NAN;
    double sum = 0;
    for (size_t i = 1; i < n; i++) {
        size_t start = i >= (size_t)g->order - 1 ? i - (size_t)(g->order - 1) : 0;
        sum -= log(ngram_prob(g, ids + start, (int)(i - start), ids[i]));
    }
    return sum / (double)(n - 1);
}

int ngram_holdout_loss(const int *ids, size_t n_train, size_t n, int order, int vocab, double *loss, Err *err)
{
    NGram *g = NULL;
    int rc = ngram_build(&g, ids, n_train, order, vocab, err);
    if (rc)
        return rc;
    *loss = ngram_loss(g, ids + n_train, n - n_train);
    ngram_free(g);
    return 0;
}
