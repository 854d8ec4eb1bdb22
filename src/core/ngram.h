/* ngram.h — an n-gram baseline to beat: interpolated Kneser-Ney.
 *
 * Counted from the training split's token ids, order N >= 1 chosen by the user.
 * Smoothing: interpolated Kneser-Ney with one absolute discount D = 0.75 at
 * every order; the highest order uses raw counts, lower orders continuation
 * counts (the number of distinct tokens seen before the n-gram; the n-gram at
 * the very start of the data counts one extra), and the unigram level is
 * interpolated with the uniform distribution over the vocabulary, so every
 * token has a nonzero probability:
 *   p(w | h) = max(c(hw) - D, 0) / c(h.) + D * N1+(h.) / c(h.) * p(w | h')
 * with h' = h minus its oldest token, c(h.) = sum over w of c(hw), and
 * p(w | h) = p(w | h') when c(h.) = 0.
 * N-grams are kept in open-addressing hash tables keyed by a hash of their ids
 * and compared against one occurrence in the copied training ids (1, 2 or 4
 * bytes an id, as the corpus holds them), so order 5
 * on a megabyte of text is counted in well under a second.
 * Not here: sampling from the n-gram, or any other smoothing.
 */
#ifndef RNNSCOPE_NGRAM_H
#define RNNSCOPE_NGRAM_H

#include <stddef.h>

#include "err.h"
#include "token_ids.h"

#define NGRAM_MAX_ORDER 10
#define NGRAM_DISCOUNT 0.75

typedef struct NGram NGram;

/* ids (n) all in [0, vocab). ERR_INPUT if order is out of 1..NGRAM_MAX_ORDER or
 * the data is shorter than 2 tokens. */
int ngram_build(NGram **out, const int *ids, size_t n, int order, int vocab, Err *err);
/* The same from ids [from, from + n) of a token id array (copied). */
int ngram_build_ids(NGram **out, const TokenIds *ids, size_t from, size_t n, int order, int vocab, Err *err);
void ngram_free(NGram *g);
/* p(w | the n_ctx tokens of ctx, oldest first); only the last order-1 are used. */
double ngram_prob(const NGram *g, const int *ctx, int n_ctx, int w);
/* Mean -ln p(ids[i] | ids[max(0, i-N+1) .. i-1]) over i = 1 .. n-1, nats per token,
 * ids read as one stream starting at ids[0]. */
double ngram_loss(const NGram *g, const int *ids, size_t n);
/* ngram_loss of ids [from, from + n) of a token id array (the same sum, in the same order). */
double ngram_loss_ids(const NGram *g, const TokenIds *ids, size_t from, size_t n);

/* The baseline of a split corpus: count an order-`order` model on
 * ids[0 .. n_train) and put its ngram_loss on ids[n_train .. ids->n) in *loss. */
int ngram_holdout_loss(const TokenIds *ids, size_t n_train, int order, int vocab, double *loss, Err *err);

#endif
