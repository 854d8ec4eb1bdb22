/* fuzz_corpus.c — libFuzzer target for the corpus loader (corpus_load,
 * corpus.c) on a temporary file, under each tokenizer: the first input byte
 * picks char / byte / word, the vocabulary limit and the validation fraction,
 * the rest is the file. A corpus that loads is cut into batches as a run does
 * (batcher_init / batcher_next) and encoded again with its own vocabulary as
 * a resumed run does (tok_fixed). With the top bit of the first byte set the
 * file is read through a block of 16 to 47 bytes, and what loads (or the error
 * it gives) must equal the one-piece tokenizer on the whole text: the check of
 * the block reader's carrying of partial UTF-8 and of words (corpus_read.c).
 */
#include <stdlib.h>
#include <string.h>

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
    corpus_set_block((mode & 0x80) ? 16 + (mode & 31) : (size_t)1 << 20);
    int rc = corpus_load(&c, path, type, max_vocab, val_frac, NULL, &err);
    if ((mode & 0x80) && size > 1) {
        Tokenizer ref;
        Err want;
        int *ids = NULL;
        size_t n = 0;
        int wrc = tokenizer_build(&ref, type, (const char *)data + 1, size - 1, max_vocab, path, &want);
        if (wrc == 0)
            wrc = tokenizer_encode(&ref, (const char *)data + 1, size - 1, &ids, &n, NULL, NULL, path, &want);
        if (wrc != rc || (rc && strcmp(want.msg, err.msg) != 0))
            abort(); /* the same error, offset included */
        if (rc == 0) {
            if (ref.vocab_size != c.tok.vocab_size || n != c.n)
                abort();
            for (size_t i = 0; i < n; i++)
                if (token_ids_get(&c.ids, i) != ids[i])
                    abort();
        }
        free(ids);
        tokenizer_free(&ref); /* tokenizer_build leaves it empty when it fails */
    }
    if (rc != 0)
        return 0;
    for (size_t i = 0; i < c.n; i++)
        if (token_ids_get(&c.ids, i) < 0 || token_ids_get(&c.ids, i) >= c.tok.vocab_size)
            abort();
    Batcher b;
    if (batcher_init(&b, c.n_train, 0, 2, 4, path, &err) == 0) {
        int x[8], y[8];
        for (int k = 0; k < 16; k++)
            batcher_next(&b, &c.ids, x, y);
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
