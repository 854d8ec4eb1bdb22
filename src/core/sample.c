/* sample.c — temperature / top-k / nucleus sampling, greedy decoding, the
 * incremental batch-1 sampler and beam search (see sample.h).
 *
 * Not for: decoding ids to text, or anything that trains. Nothing here prints;
 * the only allocations are in sampler_init and at the start of sample_beam.
 */
#include "sample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Below this a cumulative probability counts as having reached top_p, so that
 * p set exactly at a boundary of the distribution keeps the same set whatever
 * the float rounding of the softmax. */
#define SAMPLE_NUCLEUS_SLACK 1e-6

void sample_opts_default(SampleOpts *o)
{
    o->temperature = 1.0f;
    o->top_k = 0;
    o->top_p = 1.0f;
    o->argmax = 0;
}

int sample_opts_check(const SampleOpts *o, Err *err)
{
    if (!(o->temperature > 0.0f) || !isfinite(o->temperature))
        return err_set(err, ERR_INPUT,
                       "--temperature %g: must be a finite number > 0 (use --argmax for greedy)",
                       (double)o->temperature);
    if (o->top_k < 0)
        return err_set(err, ERR_INPUT, "--top-k %d: must be >= 0 (0 turns it off)", o->top_k);
    if (!(o->top_p > 0.0f && o->top_p <= 1.0f))
        return err_set(err, ERR_INPUT, "--top-p %g: must be in (0, 1] (1 turns it off)",
                       (double)o->top_p);
    return ERR_OK;
}

int sample_argmax(const float *logits, int V)
{
    int best = 0;
    for (int i = 1; i < V; i++)
        if (logits[i] > logits[best])
            best = i;
    return best;
}

void sample_softmax(const float *logits, int V, float temperature, float *probs)
{
    if (!(temperature > 0.0f)) {
        int a = sample_argmax(logits, V);
        for (int i = 0; i < V; i++)
            probs[i] = i == a ? 1.0f : 0.0f;
        return;
    }
    float mx = logits[sample_argmax(logits, V)];
    double sum = 0.0;
    for (int i = 0; i < V; i++) {
        /* subtract the max before dividing so small temperatures cannot overflow */
        probs[i] = expf((logits[i] - mx) / temperature);
        sum += probs[i];
    }
    double inv = 1.0 / sum;
    for (int i = 0; i < V; i++)
        probs[i] = (float)(probs[i] * inv);
}

/* --- selecting the m best ids of a key array ------------------------------ */

/* a ranks before b: larger key, then lower id. */
static int sample_better(const float *key, int a, int b)
{
    return key[a] > key[b] || (key[a] == key[b] && a < b);
}

/* order[] holds ids as float values. Heap with the worst id at the root. */
static void sample_sift_down(const float *key, float *order, int n, int i)
{
    for (;;) {
        int l = 2 * i + 1, r = l + 1, w = i;
        if (l < n && sample_better(key, (int)order[w], (int)order[l]))
            w = l;
        if (r < n && sample_better(key, (int)order[w], (int)order[r]))
            w = r;
        if (w == i)
            return;
        float tmp = order[i];
        order[i] = order[w];
        order[w] = tmp;
        i = w;
    }
}

/* The m (<= V) best ids by key into order[0..m), best first. O(V log m).
 * Why floats: the callers' scratch is float memory; ids up to 2^24 are exact
 * as floats, which keeps the storage type-correct without a second buffer. */
static void sample_select_top(const float *key, int V, int m, float *order)
{
    for (int i = 0; i < m; i++)
        order[i] = (float)i;
    for (int i = m / 2 - 1; i >= 0; i--)
        sample_sift_down(key, order, m, i);
    for (int i = m; i < V; i++) {
        if (sample_better(key, i, (int)order[0])) {
            order[0] = (float)i;
            sample_sift_down(key, order, m, 0);
        }
    }
    /* heapsort: the worst goes to the end each round */
    for (int end = m - 1; end > 0; end--) {
        float tmp = order[0];
        order[0] = order[end];
        order[end] = tmp;
        sample_sift_down(key, order, end, 0);
    }
}

/* --- drawing --------------------------------------------------------------- */

int sample_pick(const float *logits, int V, const SampleOpts *o, Rng *rng, float *scratch)
{
    if (o->argmax || !(o->temperature > 0.0f))
        return sample_argmax(logits, V);
    float *probs = scratch;     /* (V) */
    float *order = scratch + V; /* (V) ids, best first */
    sample_softmax(logits, V, o->temperature, probs);
    double u = rng_uniform(rng);

    int use_k = o->top_k > 0 && o->top_k < V;
    int use_p = o->top_p < 1.0f;
    if (!use_k && !use_p) {
        double total = 0.0;
        for (int i = 0; i < V; i++)
            total += probs[i];
        double target = u * total, cum = 0.0;
        int last = 0;
        for (int i = 0; i < V; i++) {
            if (probs[i] <= 0.0f)
                continue;
            cum += probs[i];
            last = i;
            if (target < cum)
                return i;
        }
        return last; /* u * total rounded up to the whole sum */
    }

    int n = use_k ? o->top_k : V;
    if (!use_p) {
        sample_select_top(probs, V, n, order);
    } else {
        double kept = 0.0;
        if (use_k) {
            sample_select_top(probs, V, n, order);
            for (int i = 0; i < n; i++)
                kept += probs[(int)order[i]];
        } else {
            for (int i = 0; i < V; i++)
                kept += probs[i];
        }
        double target = (double)o->top_p * kept - SAMPLE_NUCLEUS_SLACK * kept;
        /* The nucleus is usually a small head of a large vocabulary: sort a
         * growing head (64, 256, ...) until it reaches the target instead of
         * sorting all V ids. Selection is deterministic, so the set is the same. */
        int m = use_k ? n : (n < 64 ? n : 64);
        for (;;) {
            if (!use_k)
                sample_select_top(probs, V, m, order);
            double cum = 0.0;
            int found = 0;
            for (int i = 0; i < m; i++) {
                cum += probs[(int)order[i]];
                if (cum >= target) {
                    found = i + 1;
                    break;
                }
            }
            if (found) {
                n = found;
                break;
            }
            if (m == n)
                break;
            m = m > n / 4 ? n : 4 * m;
        }
    }
    double total = 0.0;
    for (int i = 0; i < n; i++)
        total += probs[(int)order[i]];
    double target = u * total, cum = 0.0;
    for (int i = 0; i < n; i++) {
        cum += probs[(int)order[i]];
        if (target < cum)
            return (int)order[i];
    }
    /* rounding left target at the sum: the last kept id with mass */
    for (int i = n - 1; i > 0; i--)
        if (probs[(int)order[i]] > 0.0f)
            return (int)order[i];
    return (int)order[0];
}

int sample_topk(const float *logits, int V, float temperature, int k, int *ids, float *probs)
{
    if (k <= 0 || V <= 0)
        return 0;
    int m = k < V ? k : V;
    /* probs doubles as the id list until the probabilities are known */
    sample_select_top(logits, V, m, probs);
    for (int i = 0; i < m; i++)
        ids[i] = (int)probs[i];
    if (!(temperature > 0.0f)) {
        for (int i = 0; i < m; i++)
            probs[i] = i == 0 ? 1.0f : 0.0f;
        return m;
    }
    float mx = logits[ids[0]];
    double sum = 0.0;
    for (int i = 0; i < V; i++)
        sum += expf((logits[i] - mx) / temperature);
    double inv = 1.0 / sum;
    for (int i = 0; i < m; i++)
        probs[i] = (float)(expf((logits[ids[i]] - mx) / temperature) * inv);
    return m;
}

int sample_start_token(const Tokenizer *t)
{
    int id = tokenizer_lookup(t, "\n", 1);
    return id >= 0 && id < t->vocab_size ? id : 0;
}

/* --- incremental sampler ---------------------------------------------------- */

void sampler_init(Sampler *s, Model *m)
{
    int V = m->cfg.vocab;
    s->m = m;
    s->ws = workspace_new(&m->cfg, 1, 1);
    state_init(&s->state, &m->cfg, 1);
    s->logits = xcalloc((size_t)V, sizeof *s->logits);
    s->have_logits = 0;
    s->scratch = xcalloc(SAMPLE_SCRATCH_FLOATS(V), sizeof *s->scratch);
}

void sampler_free(Sampler *s)
{
    workspace_free(s->ws);
    state_free(&s->state);
    free(s->logits);
    free(s->scratch);
    memset(s, 0, sizeof *s);
}

void sampler_reset(Sampler *s)
{
    state_zero(&s->state);
    s->have_logits = 0;
}

const float *sampler_feed(Sampler *s, int token)
{
    int V = s->m->cfg.vocab;
    if (token < 0 || token >= V)
        return NULL;
    model_forward(s->m, s->ws, &token, NULL, 1, 1, &s->state, 0, NULL);
    memcpy(s->logits, workspace_logits(s->ws), (size_t)V * sizeof *s->logits);
    s->have_logits = 1;
    return s->logits;
}

int sample_generate(Sampler *s, const int *prime, size_t n_prime, int length,
                    const SampleOpts *o, Rng *rng, void (*emit)(void *ctx, int id),
                    void *ctx, Err *err)
{
    int V = s->m->cfg.vocab;
    int rc = sample_opts_check(o, err);
    if (rc)
        return rc;
    if (length < 0)
        return err_set(err, ERR_INPUT, "sample length %d: must be >= 0", length);
    for (size_t i = 0; i < n_prime; i++)
        if (prime[i] < 0 || prime[i] >= V)
            return err_set(err, ERR_INPUT,
                           "prime token %zu has id %d, outside the vocabulary [0, %d); "
                           "encode the prime with the checkpoint's tokenizer",
                           i, prime[i], V);
    if (n_prime == 0 && !s->have_logits)
        return err_set(err, ERR_INPUT,
                       "sample: empty prime from a fresh state; pass at least one token "
                       "(for example the start token, \"\\n\")");
    for (size_t i = 0; i < n_prime; i++)
        sampler_feed(s, prime[i]);
    for (int t = 0; t < length; t++) {
        int id = sample_pick(s->logits, V, o, rng, s->scratch);
        if (emit)
            emit(ctx, id);
        sampler_feed(s, id);
    }
    return ERR_OK;
}

/* --- beam search ------------------------------------------------------------- */

/* Candidate (score sa, beam ba, token va) ranks before (sb, bb, vb). */
static int sample_cand_better(double sa, int ba, int va, double sb, int bb, int vb)
{
    if (sa != sb)
        return sa > sb;
    if (ba != bb)
        return ba < bb;
    return va < vb;
}

/* dst beam j <- src beam from[j], for j < n, every layer. */
static void sample_gather_state(State *dst, const State *src, const int *from, int n)
{
    size_t H = (size_t)src->hidden, B = (size_t)src->batch;
    for (size_t l = 0; l < (size_t)src->layers; l++) {
        for (int j = 0; j < n; j++) {
            size_t d = (l * B + (size_t)j) * H, f = (l * B + (size_t)from[j]) * H;
            memcpy(dst->h + d, src->h + f, H * sizeof *dst->h);
            if (src->c)
                memcpy(dst->c + d, src->c + f, H * sizeof *dst->c);
        }
    }
}

int sample_beam(Model *m, const int *prime, size_t n_prime, int length, int beam_width,
                int *out, double *logprob, Err *err)
{
    int V = m->cfg.vocab, W = beam_width;
    if (n_prime == 0)
        return err_set(err, ERR_INPUT,
                       "beam search: empty prime; pass at least one token (for example \"\\n\")");
    if (n_prime > (size_t)0x7fffffff)
        return err_set(err, ERR_INPUT, "beam search: prime of %zu tokens is too long", n_prime);
    for (size_t i = 0; i < n_prime; i++)
        if (prime[i] < 0 || prime[i] >= V)
            return err_set(err, ERR_INPUT,
                           "prime token %zu has id %d, outside the vocabulary [0, %d); "
                           "encode the prime with the checkpoint's tokenizer",
                           i, prime[i], V);
    if (length < 0)
        return err_set(err, ERR_INPUT, "beam search length %d: must be >= 0", length);
    if (W < 1)
        return err_set(err, ERR_INPUT, "--beam %d: the beam width must be >= 1", W);
    if (logprob)
        *logprob = 0.0;
    if (length == 0)
        return ERR_OK;

    /* everything allocated here, once */
    Workspace *ws_prime = workspace_new(&m->cfg, (int)n_prime, 1);
    Workspace *ws = workspace_new(&m->cfg, 1, W);
    if (!ws_prime || !ws) {
        if (ws_prime)
            workspace_free(ws_prime);
        if (ws)
            workspace_free(ws);
        return err_set(err, ERR_RUNTIME, "beam search: cannot allocate the workspace for %d beams", W);
    }
    State st_prime, cur, nxt;
    state_init(&st_prime, &m->cfg, 1);
    state_init(&cur, &m->cfg, W);
    state_init(&nxt, &m->cfg, W);
    int top = W < V ? W : V;
    double *score = xcalloc((size_t)W, sizeof *score);   /* (W) beam log-probabilities */
    double *cscore = xcalloc((size_t)W, sizeof *cscore); /* (W) best candidates, sorted */
    int *cbeam = xcalloc((size_t)W, sizeof *cbeam);      /* (W) their parent beams */
    int *ctok = xcalloc((size_t)W, sizeof *ctok);        /* (W) their tokens */
    int *x = xcalloc((size_t)W, sizeof *x);              /* (1, W) next input */
    int *hist = xcalloc((size_t)W * (size_t)length, sizeof *hist);  /* (W, length) */
    int *hist2 = xcalloc((size_t)W * (size_t)length, sizeof *hist2); /* (W, length) */
    float *order = xcalloc((size_t)top, sizeof *order);  /* (top) ids as floats */

    model_forward(m, ws_prime, prime, NULL, (int)n_prime, 1, &st_prime, 0, NULL);
    const float *first_row = workspace_logits(ws_prime) + (n_prime - 1) * (size_t)V;
    /* every beam starts from the prime's state, so step 0 gathers like the rest */
    for (int j = 0; j < W; j++)
        x[j] = 0;
    sample_gather_state(&cur, &st_prime, x, W);

    int n_live = 1;
    score[0] = 0.0;
    for (int t = 0; t < length; t++) {
        int nc = 0;
        for (int b = 0; b < n_live; b++) {
            const float *row = t == 0 ? first_row : workspace_logits(ws) + (size_t)b * V;
            double mx = row[sample_argmax(row, V)], sum = 0.0;
            for (int i = 0; i < V; i++)
                sum += exp((double)row[i] - mx);
            double lse = log(sum);
            /* only a beam's own `top` best tokens can enter the global top W */
            sample_select_top(row, V, top, order);
            for (int r = 0; r < top; r++) {
                int v = (int)order[r];
                double s = score[b] + ((double)row[v] - mx) - lse;
                if (nc == W && !sample_cand_better(s, b, v, cscore[W - 1], cbeam[W - 1], ctok[W - 1]))
                    break; /* this beam's later tokens rank lower still */
                int pos = nc < W ? nc++ : W - 1;
                while (pos > 0 && sample_cand_better(s, b, v, cscore[pos - 1], cbeam[pos - 1], ctok[pos - 1])) {
                    cscore[pos] = cscore[pos - 1];
                    cbeam[pos] = cbeam[pos - 1];
                    ctok[pos] = ctok[pos - 1];
                    pos--;
                }
                cscore[pos] = s;
                cbeam[pos] = b;
                ctok[pos] = v;
            }
        }
        for (int j = 0; j < nc; j++) {
            score[j] = cscore[j];
            memcpy(hist2 + (size_t)j * length, hist + (size_t)cbeam[j] * length,
                   (size_t)t * sizeof *hist);
            hist2[(size_t)j * length + t] = ctok[j];
        }
        int *tmp = hist;
        hist = hist2;
        hist2 = tmp;
        n_live = nc;
        if (t + 1 == length)
            break;
        sample_gather_state(&nxt, &cur, cbeam, nc);
        State swap = cur;
        cur = nxt;
        nxt = swap;
        for (int j = 0; j < W; j++)
            x[j] = j < nc ? ctok[j] : 0; /* streams past n_live run but are never read */
        model_forward(m, ws, x, NULL, 1, W, &cur, 0, NULL);
    }
    memcpy(out, hist, (size_t)length * sizeof *out);
    if (logprob)
        *logprob = score[0];

    free(score);
    free(cscore);
    free(cbeam);
    free(ctok);
    free(x);
    free(hist);
    free(hist2);
    free(order);
    state_free(&st_prime);
    state_free(&cur);
    state_free(&nxt);
    workspace_free(ws_prime);
    workspace_free(ws);
    return ERR_OK;
}
