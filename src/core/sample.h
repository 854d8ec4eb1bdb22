/* sample.h — drawing tokens from a model: temperature, top-k, nucleus (top-p),
 * greedy, an incremental batch-1 sampler, and beam search.
 *
 * For: `rnnscope sample`, the dashboard's probability bars and samples, and
 * the Lua API. Not for: training, loss, or turning ids into text (the caller
 * decodes with the tokenizer).
 *
 * Filtering order (as in common practice): logits are divided by the
 * temperature and softmaxed; top-k keeps the k most likely ids; the nucleus
 * then keeps the smallest prefix (most likely first) of what is left whose
 * renormalised cumulative probability reaches top_p; one id is drawn from the
 * renormalised rest. Equal probabilities are ordered by lower id first, so
 * every choice is deterministic for a given Rng state.
 */
#ifndef RNNSCOPE_SAMPLE_H
#define RNNSCOPE_SAMPLE_H

#include <stddef.h>

#include "err.h"
#include "model.h"
#include "rng.h"
#include "tokenizer.h"

typedef struct {
    float temperature; /* > 0; 1 = the model's distribution */
    int top_k;         /* keep the k most likely tokens; 0 = off */
    float top_p;       /* nucleus: smallest set with cumulative probability >= p; 1 = off */
    int argmax;        /* 1: always the most likely token (greedy) */
} SampleOpts;

/* temperature 1, top_k 0, top_p 1, argmax 0: plain sampling. */
void sample_opts_default(SampleOpts *o);

/* ERR_INPUT naming the flag (--temperature, --top-k, --top-p) when a field is
 * out of range: temperature must be finite and > 0, top_k >= 0, top_p in (0, 1]. */
int sample_opts_check(const SampleOpts *o, Err *err);

/* Softmax of logits/temperature into probs (V). temperature <= 0 gives the
 * one-hot of the argmax. Sums to 1 up to float rounding. */
void sample_softmax(const float *logits, int V, float temperature, float *probs);

/* Index of the largest logit, lower id on ties. */
int sample_argmax(const float *logits, int V);

/* Scratch for sample_pick, in floats: V probabilities then V token ids kept
 * as exact float values (hence V <= SAMPLE_MAX_VOCAB). */
#define SAMPLE_SCRATCH_FLOATS(V) (2 * (size_t)(V))
#define SAMPLE_MAX_VOCAB (1 << 24)

/* Draw one token id from logits with opts. scratch: SAMPLE_SCRATCH_FLOATS(V)
 * floats, overwritten. argmax (or temperature <= 0) returns sample_argmax and
 * draws nothing from rng; otherwise exactly one rng_uniform is drawn. Same Rng
 * state, same result. No allocation. 1 <= V <= SAMPLE_MAX_VOCAB. */
int sample_pick(const float *logits, int V, const SampleOpts *o, Rng *rng, float *scratch);

/* The k most likely tokens after softmax(logits/temperature): ids (k) and
 * probabilities (k), most likely first, ties by lower id; returns min(k, V)
 * (0 if k <= 0). For the dashboard's probability bars and the Lua API.
 * No allocation. */
int sample_topk(const float *logits, int V, float temperature, int k, int *ids, float *probs);

/* The token fed to start from when there is no prime: the id of "\n" if the
 * vocabulary has it, else 0. */
int sample_start_token(const Tokenizer *t);

/* Incremental sampler: a batch-1 model state fed one token at a time. */
typedef struct {
    Model *m;
    Workspace *ws;   /* sized T=1, B=1 */
    State state;     /* (L, 1, H) */
    float *logits;   /* (V) logits after the last token fed */
    int have_logits;
    float *scratch;  /* (SAMPLE_SCRATCH_FLOATS(V)) for sample_pick */
} Sampler;

/* Allocates everything the sampler needs; the model must outlive it. */
void sampler_init(Sampler *s, Model *m);
void sampler_free(Sampler *s);
/* Zero state, no logits. */
void sampler_reset(Sampler *s);
/* Advance by one token and return the logits (V) that predict the next one.
 * Returns NULL, changing nothing, if token is outside [0, V). */
const float *sampler_feed(Sampler *s, int token);

/* Generate `length` tokens, continuing from the sampler's current state (call
 * sampler_reset first for a fresh start): feed prime[0..n_prime), then draw a
 * token with sample_pick, call emit(ctx, id) (emit may be NULL) and feed it,
 * `length` times. Every drawn token is fed, so a later call continues the text.
 * n_prime may be 0 only when the sampler already has logits; from a fresh
 * state pass at least one token (e.g. sample_start_token). ERR_INPUT for a
 * prime id outside [0, V), a negative length or bad opts. */
int sample_generate(Sampler *s, const int *prime, size_t n_prime, int length,
                    const SampleOpts *o, Rng *rng, void (*emit)(void *ctx, int id),
                    void *ctx, Err *err);

/* Beam search from a zero state: the `length` tokens after prime[0..n_prime)
 * (n_prime >= 1) that maximise the total log-probability, keeping beam_width
 * beams. The beams run as beam_width streams of one forward per step, their
 * states reordered after each step; everything is allocated once at the start.
 * Ties between equal scores go to the lower (beam, token). out: (length) ids;
 * *logprob (may be NULL): the natural-log probability of out given prime.
 * beam_width >= V^length makes it exact; beam_width 1 is greedy decoding. */
int sample_beam(Model *m, const int *prime, size_t n_prime, int length, int beam_width,
                int *out, double *logprob, Err *err);

#endif
