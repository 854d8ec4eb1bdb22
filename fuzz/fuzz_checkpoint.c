/* fuzz_checkpoint.c — libFuzzer target for the model loader: st_read followed
 * by checkpoint_read_model (checkpoint.c), the path every `--resume`, `sample`,
 * `eval` and the dashboard's load take. Metadata alone must never size an
 * allocation, and a model that loads must agree with its vocabulary: every
 * token is rendered, so a tokenizer inconsistent with vocab_size shows up.
 *
 * Input: one byte choosing the file as is or with its header length fixed
 * (fuzz_st_input in fuzz_util.h), then the file.
 */
#include <stdlib.h>

#include "checkpoint.h"
#include "err.h"
#include "fuzz_util.h"
#include "model.h"
#include "safetensors.h"
#include "tokenizer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n;
    uint8_t *fixed;
    const uint8_t *bytes = fuzz_st_input(data, size, &n, &fixed);
    const char *path = fuzz_tmp_write(bytes, n, ".safetensors");
    free(fixed);
    StFile f;
    Err err;
    if (st_read(&f, path, &err) != 0)
        return 0;
    Model m;
    Tokenizer tok;
    if (checkpoint_read_model(&f, &m, &tok, &err) == 0) {
        if (tok.vocab_size != m.cfg.vocab)
            abort(); /* the vocabulary and the output layer must agree */
        char buf[64];
        for (int i = 0; i < tok.vocab_size; i++)
            tokenizer_display(&tok, i, buf, sizeof buf);
        model_free(&m);
        tokenizer_free(&tok);
    }
    st_free(&f);
    return 0;
}
