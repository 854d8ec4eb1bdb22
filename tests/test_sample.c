/* test_sample.c — sampling, top-k / nucleus filtering, the incremental sampler
 * and beam search (src/core/sample.c).
 *
 * The pure functions are checked against hand computations and, for the random
 * draws, against the renormalised probabilities within 4 standard errors of a
 * binomial count (fixed seeds, so a pass is reproducible). The model-dependent
 * parts compare the sampler with one model_forward over a whole sequence, and
 * beam search with exhaustive search over every continuation on a tiny model.
 */
#include "check.h"
#include "sample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NDRAW 10000

/* Counts of NDRAW draws with opts into counts (V). */
static void draw_counts(const float *logits, int V, const SampleOpts *o, uint64_t seed, int *counts)
{
    float *scratch = xmalloc(SAMPLE_SCRATCH_FLOATS(V) * sizeof *scratch);
    Rng rng;
    rng_seed(&rng, seed);
    memset(counts, 0, (size_t)V * sizeof *counts);
    for (int i = 0; i < NDRAW; i++) {
        int id = sample_pick(logits, V, o, &rng, scratch);
        if (id >= 0 && id < V)
            counts[id]++;
    }
    free(scratch);
}

/* Every count within 4 binomial standard errors of NDRAW * expect[i]; ids with
 * expect 0 must never be drawn. */
static void check_frequencies(const char *what, const int *counts, const double *expect, int V)
{
    for (int i = 0; i < V; i++) {
        double mean = NDRAW * expect[i];
        double se = sqrt(NDRAW * expect[i] * (1.0 - expect[i]));
        if (expect[i] == 0.0)
            CHECK(counts[i] == 0, "%s: id %d is outside the kept set and never drawn (drawn %d times)",
                  what, i, counts[i]);
        else
            CHECK(fabs(counts[i] - mean) <= 4.0 * se,
                  "%s: id %d drawn %d times, expected %.1f +- 4*%.1f", what, i, counts[i], mean, se);
    }
}

static double entropy(const float *p, int V)
{
    double h = 0.0;
    for (int i = 0; i < V; i++)
        if (p[i] > 0.0f)
            h -= p[i] * log(p[i]);
    return h;
}

static void test_softmax(void)
{
    const float logits[4] = {1.0f, 2.0f, 3.0f, 0.5f};
    const float temps[3] = {1.0f, 2.0f, 0.5f};
    for (int t = 0; t < 3; t++) {
        float p[4];
        sample_softmax(logits, 4, temps[t], p);
        double z = 0.0, sum = 0.0, worst = 0.0;
        for (int i = 0; i < 4; i++)
            z += exp(logits[i] / temps[t]);
        for (int i = 0; i < 4; i++) {
            sum += p[i];
            double d = fabs(p[i] - exp(logits[i] / temps[t]) / z);
            worst = d > worst ? d : worst;
        }
        CHECK(fabs(sum - 1.0) < 1e-6, "softmax T=%g sums to 1 (%.9f)", (double)temps[t], sum);
        CHECK(worst < 1e-6, "softmax T=%g matches exp(x/T)/sum exp (max diff %.2e)",
              (double)temps[t], worst);
    }
    /* large logits must not overflow */
    const float big[3] = {1000.0f, 999.0f, -1000.0f};
    float p[3];
    sample_softmax(big, 3, 0.01f, p);
    CHECK(p[0] == 1.0f && p[1] < 1e-40f && p[1] >= 0.0f && p[2] == 0.0f,
          "softmax of large logits at T=0.01: exp(-100) and exp(-2e5), no overflow (%g %g %g)",
          (double)p[0], (double)p[1], (double)p[2]);
}

static void test_temperature(void)
{
    enum { V = 10 };
    float logits[V], p[V];
    Rng rng;
    rng_seed(&rng, 7);
    for (int i = 0; i < V; i++)
        logits[i] = 2.0f * rng_normal(&rng);
    int a = sample_argmax(logits, V);

    sample_softmax(logits, V, 1e-3f, p);
    CHECK(p[a] > 1.0f - 1e-6f, "T=1e-3: the argmax has probability %.9f ~ 1", (double)p[a]);
    SampleOpts o;
    sample_opts_default(&o);
    o.temperature = 1e-3f;
    int counts[V];
    draw_counts(logits, V, &o, 11, counts);
    CHECK(counts[a] == NDRAW, "T=1e-3: all %d draws are the argmax %d (%d were)", NDRAW, a, counts[a]);

    sample_softmax(logits, V, 1e4f, p);
    double h = entropy(p, V);
    CHECK(fabs(h - log(V)) < 1e-4, "T=1e4: entropy %.6f ~ log V = %.6f", h, log(V));
    o.temperature = 1e4f;
    draw_counts(logits, V, &o, 12, counts);
    double hm = 0.0;
    for (int i = 0; i < V; i++)
        if (counts[i])
            hm -= (double)counts[i] / NDRAW * log((double)counts[i] / NDRAW);
    /* plug-in entropy of NDRAW uniform draws: bias about (V-1)/(2 NDRAW) = 5e-4 */
    CHECK(fabs(hm - log(V)) < 5e-3, "T=1e4: measured entropy of %d draws %.5f ~ log V %.5f",
          NDRAW, hm, log(V));

    const float ts[5] = {0.1f, 0.5f, 1.0f, 2.0f, 10.0f};
    double prev = -1.0;
    int rising = 1;
    for (int i = 0; i < 5; i++) {
        sample_softmax(logits, V, ts[i], p);
        double e = entropy(p, V);
        rising &= e > prev;
        prev = e;
    }
    CHECK(rising, "entropy rises with temperature over T = 0.1 .. 10");
}

static void test_top_k(void)
{
    enum { V = 10 };
    float logits[V], p[V];
    Rng rng;
    rng_seed(&rng, 3);
    for (int i = 0; i < V; i++)
        logits[i] = rng_normal(&rng);
    SampleOpts o;
    sample_opts_default(&o);
    o.top_k = 3;
    o.temperature = 1.5f;
    sample_softmax(logits, V, o.temperature, p);
    /* the three most likely, found independently by repeated scans */
    int best[3];
    for (int r = 0; r < 3; r++) {
        best[r] = -1;
        for (int i = 0; i < V; i++) {
            int taken = 0;
            for (int q = 0; q < r; q++)
                taken |= best[q] == i;
            if (!taken && (best[r] < 0 || p[i] > p[best[r]]))
                best[r] = i;
        }
    }
    double kept = p[best[0]] + p[best[1]] + p[best[2]], expect[V] = {0};
    for (int r = 0; r < 3; r++)
        expect[best[r]] = p[best[r]] / kept;
    int counts[V];
    draw_counts(logits, V, &o, 99, counts);
    check_frequencies("top_k=3, T=1.5", counts, expect, V);
}

/* Drawn set and frequencies for probabilities probs (exact logits log p). */
static void check_nucleus(const char *what, const double *probs, int V, int top_k, float top_p,
                          const int *keep, int n_keep)
{
    float logits[8];
    double expect[8] = {0}, kept = 0.0;
    for (int i = 0; i < V; i++)
        logits[i] = (float)log(probs[i]);
    for (int i = 0; i < n_keep; i++)
        kept += probs[keep[i]];
    for (int i = 0; i < n_keep; i++)
        expect[keep[i]] = probs[keep[i]] / kept;
    SampleOpts o;
    sample_opts_default(&o);
    o.top_k = top_k;
    o.top_p = top_p;
    int counts[8];
    draw_counts(logits, V, &o, 5, counts);
    check_frequencies(what, counts, expect, V);
}

static void test_top_p(void)
{
    /* ids deliberately not in probability order */
    const double p4[4] = {0.125, 0.5, 0.125, 0.25};
    check_nucleus("top_p=0.5 (boundary: the top token alone)", p4, 4, 0, 0.5f, (int[]){1}, 1);
    check_nucleus("top_p=0.75 (boundary 0.5+0.25)", p4, 4, 0, 0.75f, (int[]){1, 3}, 2);
    check_nucleus("top_p=0.76 (just past a boundary; tie 0.125 goes to id 0)", p4, 4, 0, 0.76f,
                  (int[]){1, 3, 0}, 3);
    check_nucleus("top_p=0.875 (boundary with a tie)", p4, 4, 0, 0.875f, (int[]){1, 3, 0}, 3);
    check_nucleus("top_p=0.9 (all)", p4, 4, 0, 0.9f, (int[]){1, 3, 0, 2}, 4);
    check_nucleus("top_p=0.4 (inside the first token)", p4, 4, 0, 0.4f, (int[]){1}, 1);
    const double tie[4] = {0.2, 0.4, 0.2, 0.2};
    check_nucleus("ties: top_p=0.6 keeps the lower tied id", tie, 4, 0, 0.6f, (int[]){1, 0}, 2);
    check_nucleus("ties: top_p=0.61", tie, 4, 0, 0.61f, (int[]){1, 0, 2}, 3);
    /* top-k first, then the nucleus on the renormalised rest: over the top 3
     * (0.5, 0.25, 0.125)/0.875 the cumulative is 0.571, 0.857, 1; without the
     * renormalisation 0.85 would need the third token */
    check_nucleus("top_k=3 then top_p=0.85 on the renormalised rest", p4, 4, 3, 0.85f,
                  (int[]){1, 3}, 2);
    check_nucleus("top_k=2 alone", p4, 4, 2, 1.0f, (int[]){1, 3}, 2);
    check_nucleus("top_k=3 with a tie at the cut keeps the lower id", p4, 4, 3, 1.0f,
                  (int[]){1, 3, 0}, 3);
    check_nucleus("top_k >= V is off", p4, 4, 9, 1.0f, (int[]){0, 1, 2, 3}, 4);
}

/* A nucleus of 150 of 300 ids, ranks shuffled over ids: larger than the first
 * sorted head sample_pick tries, so the growing head is exercised. */
static void test_top_p_large(void)
{
    enum { V = 300, KEEP = 150 };
    float logits[V], p[V];
    int perm[V];
    Rng rng;
    rng_seed(&rng, 17);
    for (int i = 0; i < V; i++)
        perm[i] = i;
    for (int i = V - 1; i > 0; i--) {
        int j = (int)rng_below(&rng, (uint32_t)i + 1), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (int r = 0; r < V; r++)
        logits[perm[r]] = -0.002f * (float)r; /* rank r has id perm[r] */
    sample_softmax(logits, V, 1.0f, p);
    double cum[V], c = 0.0;
    for (int r = 0; r < V; r++)
        cum[r] = c += p[perm[r]];
    SampleOpts o;
    sample_opts_default(&o);
    o.top_p = (float)((cum[KEEP - 2] + cum[KEEP - 1]) / 2.0 / c);
    double expect[V] = {0};
    for (int r = 0; r < KEEP; r++)
        expect[perm[r]] = p[perm[r]] / cum[KEEP - 1];
    int counts[V];
    draw_counts(logits, V, &o, 23, counts);
    check_frequencies("top_p keeping 150 of 300 shuffled ids", counts, expect, V);
}

static void test_argmax_determinism(void)
{
    const float logits[5] = {1.0f, 3.0f, 3.0f, 2.0f, -1.0f};
    SampleOpts o;
    sample_opts_default(&o);
    o.argmax = 1;
    o.temperature = 5.0f;
    float scratch[SAMPLE_SCRATCH_FLOATS(5)];
    Rng rng, before;
    rng_seed(&rng, 1);
    before = rng;
    int id = sample_pick(logits, 5, &o, &rng, scratch);
    CHECK(id == 1, "argmax picks the first of tied maxima (id %d, want 1)", id);
    CHECK(rng.state == before.state, "argmax draws nothing from the Rng");
    CHECK(sample_argmax(logits, 5) == 1, "sample_argmax ties to the lower id");

    enum { V = 30, N = 300 };
    float lg[V];
    rng_seed(&rng, 2);
    for (int i = 0; i < V; i++)
        lg[i] = rng_normal(&rng);
    sample_opts_default(&o);
    o.temperature = 0.8f;
    o.top_k = 12;
    o.top_p = 0.9f;
    float sc[SAMPLE_SCRATCH_FLOATS(V)];
    int a[N], b[N], c[N];
    Rng r1, r2, r3;
    rng_seed(&r1, 42);
    rng_seed(&r2, 42);
    rng_seed(&r3, 43);
    for (int i = 0; i < N; i++) {
        a[i] = sample_pick(lg, V, &o, &r1, sc);
        b[i] = sample_pick(lg, V, &o, &r2, sc);
        c[i] = sample_pick(lg, V, &o, &r3, sc);
    }
    CHECK(memcmp(a, b, sizeof a) == 0, "same seed, same %d draws", N);
    CHECK(memcmp(a, c, sizeof a) != 0, "another seed, other draws");
    CHECK(r1.state == r2.state, "one draw consumes the same Rng steps each time");
}

static void test_topk_listing(void)
{
    enum { V = 20 };
    float logits[V], p[V];
    Rng rng;
    rng_seed(&rng, 8);
    for (int i = 0; i < V; i++)
        logits[i] = rng_normal(&rng);
    logits[13] = logits[4]; /* a tie */
    int ids[V + 5];
    float probs[V + 5];
    sample_softmax(logits, V, 0.7f, p);
    int n = sample_topk(logits, V, 0.7f, V + 5, ids, probs);
    CHECK(n == V, "sample_topk with k > V returns V (%d)", n);
    int sorted = 1, match = 1, seen[V] = {0}, perm = 1;
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        if (i > 0)
            sorted &= probs[i] < probs[i - 1] || (probs[i] == probs[i - 1] && ids[i] > ids[i - 1]);
        match &= fabsf(probs[i] - p[ids[i]]) < 1e-7f;
        perm &= ids[i] >= 0 && ids[i] < V && !seen[ids[i]];
        if (ids[i] >= 0 && ids[i] < V)
            seen[ids[i]] = 1;
        sum += probs[i];
    }
    CHECK(perm, "sample_topk with k = V lists every id once");
    CHECK(sorted, "sample_topk is sorted descending, ties by lower id");
    CHECK(match, "sample_topk probabilities equal sample_softmax's");
    CHECK(fabs(sum - 1.0) < 1e-6, "all V listed probabilities sum to 1 (%.8f)", sum);
    int pos4 = -1, pos13 = -1;
    for (int i = 0; i < n; i++) {
        if (ids[i] == 4)
            pos4 = i;
        if (ids[i] == 13)
            pos13 = i;
    }
    CHECK(pos4 >= 0 && pos13 == pos4 + 1, "tied ids 4 and 13 listed in id order, adjacent");
    int ids5[5];
    float probs5[5];
    int n5 = sample_topk(logits, V, 0.7f, 5, ids5, probs5);
    CHECK(n5 == 5 && memcmp(ids5, ids, sizeof ids5) == 0 && memcmp(probs5, probs, sizeof probs5) == 0,
          "k = 5 gives the first 5 of the full listing");
    CHECK(sample_topk(logits, V, 0.7f, 0, ids5, probs5) == 0, "k = 0 lists nothing");
}

static void test_opts_check(void)
{
    SampleOpts o;
    Err err;
    sample_opts_default(&o);
    err_clear(&err);
    CHECK(sample_opts_check(&o, &err) == ERR_OK, "default options are valid");
    o.temperature = 0.0f;
    CHECK(sample_opts_check(&o, &err) == ERR_INPUT && strstr(err.msg, "--temperature"),
          "temperature 0 rejected naming --temperature: %s", err.msg);
    sample_opts_default(&o);
    o.top_k = -1;
    CHECK(sample_opts_check(&o, &err) == ERR_INPUT && strstr(err.msg, "--top-k"),
          "top_k -1 rejected naming --top-k: %s", err.msg);
    sample_opts_default(&o);
    o.top_p = 1.5f;
    CHECK(sample_opts_check(&o, &err) == ERR_INPUT && strstr(err.msg, "--top-p"),
          "top_p 1.5 rejected naming --top-p: %s", err.msg);
}

static void test_start_token(void)
{
    Tokenizer t;
    Err err;
    char *with[3] = {"a", "\n", "b"};
    char *without[2] = {"a", "b"};
    if (tokenizer_from_vocab(&t, TOK_CHAR, with, 3, &err) == ERR_OK) {
        CHECK(sample_start_token(&t) == 1, "start token is the id of \"\\n\" (%d)", sample_start_token(&t));
        tokenizer_free(&t);
    } else {
        CHECK(0, "tokenizer_from_vocab: %s", err.msg);
    }
    if (tokenizer_from_vocab(&t, TOK_CHAR, without, 2, &err) == ERR_OK) {
        CHECK(sample_start_token(&t) == 0, "start token is 0 without \"\\n\"");
        tokenizer_free(&t);
    } else {
        CHECK(0, "tokenizer_from_vocab: %s", err.msg);
    }
}

/* --- model-dependent ------------------------------------------------------ */

static int make_model(Model *m, CellType cell, int L, int H, int E, int V, uint64_t seed, float scale)
{
    ModelConfig cfg = {.cell = cell, .layers = L, .hidden = H, .embed = E, .vocab = V, .dropout = 0.0f};
    Err err;
    if (model_new(m, &cfg, &err) != ERR_OK) {
        CHECK(0, "model_new: %s", err.msg);
        return -1;
    }
    Rng rng;
    rng_seed(&rng, seed);
    model_init(m, &rng, 0);
    for (size_t i = 0; i < m->n_params; i++)
        m->params[i] *= scale;
    return 0;
}

static void test_sampler_feed(void)
{
    enum { T = 12, V = 7 };
    for (int c = 0; c < 3; c++) {
        Model m;
        if (make_model(&m, (CellType)c, 2, 8, 5, V, 100 + c, 1.0f))
            return;
        int x[T];
        Rng rng;
        rng_seed(&rng, 5);
        for (int t = 0; t < T; t++)
            x[t] = (int)rng_below(&rng, V);
        Workspace *ws = workspace_new(&m.cfg, T, 1);
        State st;
        state_init(&st, &m.cfg, 1);
        model_forward(&m, ws, x, NULL, T, 1, &st, 0, NULL);
        const float *ref = workspace_logits(ws);

        Sampler s;
        sampler_init(&s, &m);
        double worst = 0.0, scale = 0.0;
        for (int t = 0; t < T; t++) {
            const float *lg = sampler_feed(&s, x[t]);
            for (int v = 0; v < V; v++) {
                double d = fabs(lg[v] - ref[t * V + v]);
                worst = d > worst ? d : worst;
                scale = fabs(ref[t * V + v]) > scale ? fabs(ref[t * V + v]) : scale;
            }
        }
        CHECK(worst <= 1e-6 * (1.0 + scale),
              "%s: sampler_feed over %d tokens = one model_forward (max diff %.2e)",
              cell_name((CellType)c), T, worst);
        double hs = 0.0;
        for (int i = 0; i < 2 * 8; i++)
            hs = fmax(hs, fabs(s.state.h[i] - st.h[i]));
        CHECK(hs <= 1e-6, "%s: final hidden state matches (max diff %.2e)", cell_name((CellType)c), hs);
        CHECK(sampler_feed(&s, V) == NULL && sampler_feed(&s, -1) == NULL,
              "%s: sampler_feed rejects ids outside [0, V)", cell_name((CellType)c));
        sampler_reset(&s);
        const float *lg0 = sampler_feed(&s, x[0]);
        double d0 = 0.0;
        for (int v = 0; v < V; v++)
            d0 = fmax(d0, fabs(lg0[v] - ref[v]));
        CHECK(d0 <= 1e-6 * (1.0 + scale), "%s: sampler_reset returns to the zero state",
              cell_name((CellType)c));
        sampler_free(&s);
        state_free(&st);
        workspace_free(ws);
        model_free(&m);
    }
}

typedef struct {
    int ids[64];
    int n;
} Collected;

static void collect(void *ctx, int id)
{
    Collected *c = ctx;
    if (c->n < 64)
        c->ids[c->n] = id;
    c->n++;
}

/* log p(seq | prime) under the batch-1 sampler. */
static double seq_logprob(Sampler *s, const int *prime, int n_prime, const int *seq, int len)
{
    int V = s->m->cfg.vocab;
    sampler_reset(s);
    const float *lg = NULL;
    for (int i = 0; i < n_prime; i++)
        lg = sampler_feed(s, prime[i]);
    double lp = 0.0;
    for (int t = 0; t < len; t++) {
        double mx = lg[sample_argmax(lg, V)], z = 0.0;
        for (int v = 0; v < V; v++)
            z += exp(lg[v] - mx);
        lp += lg[seq[t]] - mx - log(z);
        lg = sampler_feed(s, seq[t]);
    }
    return lp;
}

static void test_generate(void)
{
    Model m;
    if (make_model(&m, CELL_LSTM, 1, 10, 4, 6, 21, 2.0f))
        return;
    Sampler s;
    sampler_init(&s, &m);
    SampleOpts o;
    sample_opts_default(&o);
    Err err;
    Rng rng;
    rng_seed(&rng, 4);
    Collected c1 = {{0}, 0}, c2 = {{0}, 0};
    int prime[3] = {1, 4, 2};
    CHECK(sample_generate(&s, NULL, 0, 5, &o, &rng, collect, &c1, &err) == ERR_INPUT,
          "empty prime from a fresh state is rejected: %s", err.msg);
    int bad[2] = {1, 6};
    CHECK(sample_generate(&s, bad, 2, 5, &o, &rng, collect, &c1, &err) == ERR_INPUT &&
              strstr(err.msg, "prime token 1"),
          "prime id outside the vocabulary is rejected naming its position: %s", err.msg);
    CHECK(c1.n == 0, "nothing emitted on error");

    sampler_reset(&s);
    rng_seed(&rng, 4);
    int rc1 = sample_generate(&s, prime, 3, 40, &o, &rng, collect, &c1, &err);
    sampler_reset(&s);
    rng_seed(&rng, 4);
    int rc2 = sample_generate(&s, prime, 3, 40, &o, &rng, collect, &c2, &err);
    CHECK(rc1 == ERR_OK && rc2 == ERR_OK && c1.n == 40 && c2.n == 40,
          "generate emits exactly `length` tokens (%d)", c1.n);
    CHECK(memcmp(c1.ids, c2.ids, sizeof(int) * 40) == 0, "generate is deterministic for a seed");
    int inrange = 1;
    for (int i = 0; i < 40; i++)
        inrange &= c1.ids[i] >= 0 && c1.ids[i] < 6;
    CHECK(inrange, "generated ids are in the vocabulary");

    /* continuing with n_prime = 0 equals generating in one go */
    Collected c3 = {{0}, 0};
    sampler_reset(&s);
    rng_seed(&rng, 4);
    sample_generate(&s, prime, 3, 15, &o, &rng, collect, &c3, &err);
    int rc3 = sample_generate(&s, NULL, 0, 25, &o, &rng, collect, &c3, &err);
    CHECK(rc3 == ERR_OK && c3.n == 40 && memcmp(c1.ids, c3.ids, sizeof(int) * 40) == 0,
          "generate continues the text: 15 + 25 tokens = 40 in one call");

    /* greedy: each token is the argmax of the logits after the previous ones */
    o.argmax = 1;
    Collected g = {{0}, 0};
    sampler_reset(&s);
    sample_generate(&s, prime, 3, 10, &o, &rng, collect, &g, &err);
    Sampler r;
    sampler_init(&r, &m);
    const float *lg = NULL;
    for (int i = 0; i < 3; i++)
        lg = sampler_feed(&r, prime[i]);
    int greedy_ok = g.n == 10;
    for (int t = 0; t < 10 && greedy_ok; t++) {
        greedy_ok &= g.ids[t] == sample_argmax(lg, 6);
        lg = sampler_feed(&r, g.ids[t]);
    }
    CHECK(greedy_ok, "argmax generation picks the most likely token at every step");
    sampler_free(&r);
    sampler_free(&s);
    model_free(&m);
}

static void test_beam(void)
{
    enum { V = 4, LEN = 3, NSEQ = V * V * V };
    for (int c = 0; c < 2; c++) {
        Model m;
        /* scaled weights make the distributions peaked enough for greedy and
         * the best sequence to differ */
        if (make_model(&m, c == 0 ? CELL_LSTM : CELL_GRU, 1, 6, 3, V, 31 + c, 3.0f))
            return;
        const char *name = cell_name(m.cfg.cell);
        Sampler s;
        sampler_init(&s, &m);
        int prime[2] = {2, 1};
        double lps[NSEQ], best_lp = -INFINITY;
        int best = -1;
        for (int q = 0; q < NSEQ; q++) {
            int seq[LEN] = {q / (V * V), (q / V) % V, q % V};
            lps[q] = seq_logprob(&s, prime, 2, seq, LEN);
            if (lps[q] > best_lp) {
                best_lp = lps[q];
                best = q;
            }
        }
        int best_seq[LEN] = {best / (V * V), (best / V) % V, best % V};
        Err err;
        const int widths[2] = {NSEQ, V * V};
        for (int w = 0; w < 2; w++) {
            int out[LEN];
            double lp = 0.0;
            int rc = sample_beam(&m, prime, 2, LEN, widths[w], out, &lp, &err);
            CHECK(rc == ERR_OK && memcmp(out, best_seq, sizeof out) == 0,
                  "%s: beam width %d finds the exhaustive best %d %d %d (got %d %d %d)", name,
                  widths[w], best_seq[0], best_seq[1], best_seq[2], out[0], out[1], out[2]);
            CHECK(fabs(lp - best_lp) < 1e-5, "%s: beam width %d log-prob %.7f = exhaustive %.7f",
                  name, widths[w], lp, best_lp);
        }

        /* width 1 = greedy */
        SampleOpts o;
        sample_opts_default(&o);
        o.argmax = 1;
        Collected g = {{0}, 0};
        sampler_reset(&s);
        sample_generate(&s, prime, 2, LEN, &o, NULL, collect, &g, &err);
        int out1[LEN];
        double lp1 = 0.0;
        int rc = sample_beam(&m, prime, 2, LEN, 1, out1, &lp1, &err);
        int gq = g.ids[0] * V * V + g.ids[1] * V + g.ids[2];
        CHECK(rc == ERR_OK && memcmp(out1, g.ids, sizeof out1) == 0,
              "%s: beam width 1 = greedy decoding (%d %d %d vs %d %d %d)", name, out1[0], out1[1],
              out1[2], g.ids[0], g.ids[1], g.ids[2]);
        CHECK(fabs(lp1 - lps[gq]) < 1e-5, "%s: beam width 1 log-prob %.7f = greedy's %.7f", name,
              lp1, lps[gq]);
        printf("  %s: greedy log-prob %.5f, best %.5f (%s)\n", name, lps[gq], best_lp,
               gq == best ? "greedy is optimal here" : "greedy is not optimal");

        /* narrow beams: the reported score is their sequence's true log-prob */
        for (int w = 2; w <= 3; w++) {
            int out[LEN];
            double lp = 0.0;
            sample_beam(&m, prime, 2, LEN, w, out, &lp, &err);
            double truth = seq_logprob(&s, prime, 2, out, LEN);
            CHECK(fabs(lp - truth) < 1e-5 && lp <= best_lp + 1e-9,
                  "%s: beam width %d reports its sequence's log-prob (%.7f vs %.7f, best %.7f)",
                  name, w, lp, truth, best_lp);
        }
        sampler_free(&s);
        model_free(&m);
    }

    Model m;
    if (make_model(&m, CELL_RNN, 1, 4, 3, 5, 9, 1.0f))
        return;
    Err err;
    int out[4], prime[1] = {0};
    CHECK(sample_beam(&m, NULL, 0, 4, 2, out, NULL, &err) == ERR_INPUT, "beam: empty prime rejected: %s",
          err.msg);
    CHECK(sample_beam(&m, prime, 1, 4, 0, out, NULL, &err) == ERR_INPUT && strstr(err.msg, "beam"),
          "beam: width 0 rejected: %s", err.msg);
    double lp = 1.0;
    CHECK(sample_beam(&m, prime, 1, 0, 3, out, &lp, &err) == ERR_OK && lp == 0.0,
          "beam: length 0 is empty with log-prob 0");
    CHECK(sample_beam(&m, prime, 1, 4, 100, out, &lp, &err) == ERR_OK && lp < 0.0,
          "beam: width above V^length works (log-prob %.4f)", lp);
    model_free(&m);
}

int main(void)
{
    test_softmax();
    test_temperature();
    test_top_k();
    test_top_p();
    test_top_p_large();
    test_argmax_determinism();
    test_topk_listing();
    test_opts_check();
    test_start_token();
    test_sampler_feed();
    test_generate();
    test_beam();
    return check_summary();
}
