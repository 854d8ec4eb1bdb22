/* prompt.h — next-token probabilities for the text typed in the input line.
 *
 * A batch-1 forward pass over the UI's own copy of the weights, plus the model
 * state after every prefix of the typed tokens, so that:
 *   - a keystroke that appends a character feeds ONE token;
 *   - an edit elsewhere restores the state of the longest unchanged prefix
 *     and feeds only the tokens after it;
 *   - new weights (prompt_weights_changed) re-feed the whole prefix.
 * An empty text predicts from the start token (sample_start_token), as
 * `rnnscope sample` does without a prime.
 *
 * Why its own batch-1 forward (PromptRnn) instead of core's Sampler: OpenBLAS
 * (pthreads) runs every call on one shared thread pool, so a small product
 * from the UI thread would queue behind the trainer's large ones and a
 * keystroke could wait hundreds of milliseconds at H=512. Plain loops over
 * one token cost ~1-3 ms and never wait. The maths is PyTorch's cells (see
 * model.h); the logits agree with sampler_feed to float rounding.
 *
 * Not for: drawing the bars (panels.c), the trainer's model (it never touches
 * it), training.
 */
#ifndef RNNSCOPE_PROMPT_H
#define RNNSCOPE_PROMPT_H

#include <stddef.h>

#include "model.h"
#include "sample.h"
#include "tokenizer.h"

#define PROMPT_MAX_SAVED 2048 /* prefixes whose state is kept */

/* One batch-1 stream over a model, without BLAS. */
typedef struct {
    const Model *m;          /* borrowed */
    float *h, *c;            /* (L, H) state; c used by lstm only */
    float *x;                /* (max(E, H)) input of the current layer */
    float *gates;            /* (4H) input projection, then (4H) recurrent part */
    float *logits;           /* (V) after the last token */
    int have_logits;
} PromptRnn;

void prompt_rnn_init(PromptRnn *r, const Model *m);
void prompt_rnn_free(PromptRnn *r);
void prompt_rnn_reset(PromptRnn *r);                       /* zero state, no logits */
void prompt_rnn_copy(PromptRnn *dst, const PromptRnn *src); /* same model */
/* Feed one token; returns the logits (V), or NULL for an id outside [0, V). */
const float *prompt_rnn_feed(PromptRnn *r, int token);

typedef struct {
    Model *m;                /* borrowed: the UI's weight copy */
    const Tokenizer *tok;    /* borrowed */
    PromptRnn s;
    int *ids;                /* (cap) token ids currently fed, in order */
    size_t n_ids, cap;
    size_t state_sz;         /* floats of one saved state: h then c, L*H each */
    float *saved;            /* (PROMPT_MAX_SAVED, state_sz) state after ids[0..k] */
    float *saved_logits;     /* (PROMPT_MAX_SAVED, V) logits after ids[0..k] */
    size_t n_saved;          /* valid saved prefixes (a prefix of ids) */
    int stale;               /* weights changed: re-feed everything */
    int moved;               /* the sampler was fed past the text: restore it */
    long fed_total;          /* tokens fed since init (for tests and the debug log) */
    size_t n_unknown;        /* characters of the text outside the vocabulary */
} Prompt;

void prompt_init(Prompt *p, Model *m, const Tokenizer *tok);
void prompt_free(Prompt *p);

/* Bring the state up to date with text[0..len): returns the number of tokens
 * fed (0 when nothing changed), or -1 for invalid UTF-8 (state unchanged). */
long prompt_set_text(Prompt *p, const char *text, size_t len);

/* The model's weights were replaced: the next prompt_set_text re-feeds. */
void prompt_weights_changed(Prompt *p);

/* Logits (V) predicting the token after the text, or NULL before the first
 * prompt_set_text. */
const float *prompt_logits(const Prompt *p);

/* The stream positioned after the text (copy it to continue the text). A
 * caller that feeds it must then call prompt_invalidate: the next
 * prompt_set_text restores the saved state of the text (no re-feeding). */
PromptRnn *prompt_stream(Prompt *p);
void prompt_invalidate(Prompt *p);

#endif
