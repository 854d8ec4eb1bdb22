/* corpus.h — a tokenized text file split into training and validation ids,
 * the truncated-BPTT batcher that cuts a split into (T, B) chunks, and the
 * block-by-block reading of a text file that loading and `rnnscope eval` share
 * (corpus_read.c).
 *
 * Not for: reading checkpoints (the caller passes the checkpoint's tokenizer
 * as tok_fixed) or sampling.
 */
#ifndef RNNSCOPE_CORPUS_H
#define RNNSCOPE_CORPUS_H

#include <stddef.h>

#include "err.h"
#include "token_ids.h"
#include "tokenizer.h"

typedef struct {
    char *path;
    Tokenizer tok;
    TokenIds ids;      /* (n) token ids of the whole file, read-only once loaded */
    size_t n;          /* == ids.n */
    size_t n_train;    /* ids[0 .. n_train) train, ids[n_train .. n) validation */
    size_t n_unknown;  /* with tok_fixed under word: tokens mapped to <unk> */
} Corpus;

/* Load and tokenize path. The last floor(n * val_frac) tokens are the
 * validation split. When tok_fixed != NULL the file is encoded with (a copy
 * of) that vocabulary and type is ignored: an unknown character under char is
 * ERR_INPUT naming its byte offset, an unknown word maps to <unk>.
 * ERR_INPUT, one line naming the path: missing or unreadable file, empty file,
 * invalid UTF-8 (char, word), val_frac outside [0, 0.5], a file larger than
 * the limit of a training corpus (512 MB).
 * The file is read through a fixed block twice (once for the vocabulary when
 * it is built, once for the ids), so the text is never held whole: the peak
 * is the ids (1, 2 or 4 bytes a token, see token_ids.h) plus the block. */
int corpus_load(Corpus *c, const char *path, TokType type, int max_vocab, float val_frac,
                const Tokenizer *tok_fixed, Err *err);
void corpus_free(Corpus *c);

/* ---- reading a text file block by block (corpus_read.c) ---- */

/* Receives the ids of a file in order, a run at a time. */
typedef void (*CorpusSink)(void *ctx, const int *ids, size_t n);

/* The vocabulary tokenizer_build(type, max_vocab) would build from the whole
 * file, counted block by block. Errors as corpus_load; max_bytes 0 = no limit. */
int corpus_file_vocab(const char *path, TokType type, int max_vocab, size_t max_bytes, Tokenizer *tok,
                      Err *err);

/* Encode the file with tok block by block, handing the ids to sink in order;
 * memory does not grow with the file (one block, grown only for a token
 * longer than it). *n_unknown: tokens outside the vocabulary (word: read as
 * <unk>). ERR_INPUT as corpus_load: not a regular file, unreadable, empty,
 * larger than max_bytes (0 = no limit), invalid UTF-8 at its byte offset, and
 * under char a character outside the vocabulary, naming the first one's byte
 * offset and how many there are (the sink gets no ids after the first). */
int corpus_encode_file(const char *path, const Tokenizer *tok, size_t max_bytes, CorpusSink sink, void *ctx,
                       size_t *n_unknown, Err *err);

/* For tests: the bytes of a block (default 1 MB, at least 16). */
void corpus_set_block(size_t bytes);

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
int batcher_next(Batcher *b, const TokenIds *ids, int *x, int *y);

/* epoch + the fraction of the current epoch's chunks already taken. */
double batcher_epoch_progress(const Batcher *b);

#endif
