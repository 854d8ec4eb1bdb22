/* corpus.h — a tokenized text file split into training and validation ids,
 * and the truncated-BPTT batcher that cuts a split into (T, B) chunks.
 *
 * Not for: reading checkpoints (the caller passes the checkpoint's tokenizer
 * as tok_fixed) or sampling.
 */
#ifndef RNNSCOPE_CORPUS_H
#define RNNSCOPE_CORPUS_H

#include <stddef.h>

#include "err.h"
#include "tokenizer.h"

typedef struct {
    char *path;
    Tokenizer tok;
    int *ids;          /* (n) token ids of the whole file */
    size_t n;
    size_t n_train;    /* ids[0 .. n_train) train, ids[n_train .. n) validation */
    size_t n_unknown;  /* with tok_fixed under word: tokens mapped to <unk> */
} Corpus;

/* Load and tokenize path. The last floor(n * val_frac) tokens are the
 * validation split. When tok_fixed != NULL the file is encoded with (a copy
 * of) that vocabulary and type is ignored: an unknown character under char is
 * ERR_INPUT naming its byte offset, an unknown word maps to <unk>.
 * ERR_INPUT, one line naming the path: missing or unreadable file, empty file,
 * invalid UTF-8 (char, word), val_frac outside [0, 0.5]. */
int corpus_load(Corpus *c, const char *path, TokType type, int max_vocab, float val_frac,
                const Tokenizer *tok_fixed, Err *err);
void corpus_free(Corpus *c);

/* Truncated-BPTT batching as in char-rnn / torch-rnn: the split
 * ids[base .. base + n_tokens) is cut into B contiguous segments of
 * seg_len = (n_tokens - 1) / B tokens. Chunk k of an epoch is
 * x[t*B + b] = ids[base + b*seg_len + pos + t], y the same shifted by one,
 * for t < T; pos advances by T. When the next chunk would not fit
 * (pos + T > seg_len) the epoch ends: epoch++, pos = 0. */
typedef struct {
    int B, T;
    size_t base;             /* first id of the split */
    size_t seg_len;          /* tokens per stream */
    size_t pos;              /* offset of the next chunk within each segment */
    long epoch;              /* completed epochs */
    long chunks_per_epoch;   /* seg_len / T */
} Batcher;

/* ERR_INPUT when B or T < 1, or the split is shorter than B*(T+1) tokens:
 * "SOURCE: N training tokens are too few for --batch B x --seq T; lower
 * --batch or --seq (need at least M)". A split with base > 0 is the
 * validation split and its message also names --val-frac. */
int batcher_init(Batcher *b, size_t n_tokens, size_t base, int B, int T, const char *source,
                 Err *err);

/* Fill x and y, each (T*B) time-major x[t*B + b], from ids (the whole id
 * array; base is added). Returns 1 when this chunk starts an epoch — the very
 * first chunk or the first after a wrap — so the caller resets the hidden
 * state; else 0. */
int batcher_next(Batcher *b, const int *ids, int *x, int *y);

/* epoch + the fraction of the current epoch's chunks already taken. */
double batcher_epoch_progress(const Batcher *b);

#endif
