/* fuzz_corpus.c — libFuzzer target for the corpus loader (corpus_load,
 * corpus.c) on a temporary file, under each tokenizer: the first input byte
 * picks char / byte / word, the vocabulary limit and the validation fraction,
 * the rest is the file. A corpus that loads is cut into batches as a run does
 * (batcher_init / batcher_next) and encoded again with its own vocabulary as
 * a resumed run does (tok_fixed).
 */
#include <stdlib.h>

#include "corpus.h"
#include "err.h"
#include "fuzz_util.h"
#include "tokenizer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned mode = data[0];
    TokType type = (TokType)(mode % 3);
    int max_vocab = (int)((mode >> 2) & 3) * 8; /* 0 (unlimited), 8, 16, 24 */
    float val_frac = (mode & 0x40) ? 0.1f : 0.0f;
    const char *path = fuzz_tmp_write(data + 1, size - 1, ".txt");
    Corpus c;
    Err err;
    if (corpus_load(&c, path, type, max_vocab, val_frac, NULL, &err) != 0)
        return 0;
    for (size_t i = 0; i < c.n; i++)
        if (c.ids[i] < 0 || c.ids[i] >= c.tok.vocab_size)
            abort();
    Batcher b;
    if (batcher_init(&b, c.n_train, 0, 2, 4, path, &err) == 0) {
        int x[8], y[8];
        for (int k = 0; k < 16; k++)
            batcher_next(&b, c.ids, x, y);
    }
    Corpus again;
    if (corpus_load(&again, path, type, max_vocab, val_frac, &c.tok, &err) == 0) {
        if (again.n != c.n)
            abort(); /* its own vocabulary encodes the same file to as many ids */
        corpus_free(&again);
    }
    corpus_free(&c);
    return 0;
}
