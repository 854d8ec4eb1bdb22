/* token_ids.h — an array of token ids stored in the narrowest width the
 * vocabulary allows: 1 byte per id up to 256 tokens, 2 up to 65,536, else 4.
 *
 * For: a corpus's ids (a 100 MB char corpus takes 100 MB, not 400), and the
 * copies the n-gram baseline keeps. Readers never depend on the width: they
 * take one id with token_ids_get or a range as ints with token_ids_copy (what
 * the model's `const int *` inputs want). Not for: short id buffers that are
 * handed to the model as they are (those stay `int *`).
 */
#ifndef RNNSCOPE_TOKEN_IDS_H
#define RNNSCOPE_TOKEN_IDS_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    void *data;   /* (cap) ids, `width` bytes each */
    size_t n;     /* ids held */
    size_t cap;   /* ids there is room for */
    int width;    /* bytes per id: 1, 2 or 4 */
} TokenIds;

/* Bytes per id for a vocabulary of vocab_size tokens: 1, 2 or 4. */
int token_ids_width(int vocab_size);

/* An empty array for ids in [0, vocab_size). */
void token_ids_init(TokenIds *a, int vocab_size);
void token_ids_free(TokenIds *a);

/* Room for at least cap ids in all (no-op when there is). */
void token_ids_reserve(TokenIds *a, size_t cap);

/* Append ids[0..n), each in [0, vocab_size) of token_ids_init; grows the
 * array geometrically, to at most max_total ids when max_total > 0 (an upper
 * bound the caller knows, such as a file's byte count). */
void token_ids_push(TokenIds *a, const int *ids, size_t n, size_t max_total);

/* Give back the room beyond n. */
void token_ids_fit(TokenIds *a);

/* dst = a copy of src's ids [from, from + n), same width (dst uninitialised). */
void token_ids_slice(TokenIds *dst, const TokenIds *src, size_t from, size_t n);

/* ids [from, from + n) as ints into out (from + n <= a->n). */
void token_ids_copy(const TokenIds *a, size_t from, size_t n, int *out);

/* Id i (i < a->n). */
static inline int token_ids_get(const TokenIds *a, size_t i)
{
    switch (a->width) {
    case 1: return ((const uint8_t *)a->data)[i];
    case 2: return ((const uint16_t *)a->data)[i];
    default: return ((const int32_t *)a->data)[i];
    }
}

/* Bytes the ids take (n * width). */
size_t token_ids_bytes(const TokenIds *a);

#endif
