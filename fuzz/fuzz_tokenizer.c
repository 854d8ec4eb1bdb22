/* fuzz_tokenizer.c — libFuzzer target for the three tokenizers (tokenizer.c)
 * in memory: tokenizer_build on the input under char, byte and word, then
 * encode / decode / display of the same text, and tokenizer_from_vocab with
 * the input split at newlines as a saved vocabulary (what a checkpoint's
 * "vocab" metadata turns into). Decoding the encoding must give the text back
 * whenever nothing was unknown.
 */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fuzz_util.h"
#include "tokenizer.h"

static void roundtrip(const Tokenizer *t, const char *text, size_t len)
{
    int *ids = NULL;
    size_t n = 0, unk = 0, first = 0;
    Err err;
    if (tokenizer_encode(t, text, len, &ids, &n, &unk, &first, "fuzz", &err) != 0)
        return;
    char *back = malloc(len + 1);
    size_t at = 0;
    int same = 1;
    char buf[64];
    for (size_t i = 0; i < n; i++) {
        if (ids[i] < 0 || ids[i] >= t->vocab_size)
            abort();
        size_t k = tokenizer_decode(t, ids[i], buf, sizeof buf);
        tokenizer_display(t, ids[i], buf, sizeof buf);
        if (k > sizeof buf - 1 || at + k > len) {
            same = 0;
            continue;
        }
        tokenizer_decode(t, ids[i], back + at, len + 1 - at);
        at += k;
    }
    if (unk == 0 && same && (at != len || memcmp(back, text, len) != 0))
        abort();
    free(back);
    free(ids);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    Err err;
    for (int type = TOK_CHAR; type <= TOK_WORD; type++) {
        Tokenizer t;
        if (tokenizer_build(&t, (TokType)type, text, size, type == TOK_WORD ? 32 : 0, "fuzz", &err) != 0)
            continue;
        roundtrip(&t, text, size);
        Tokenizer copy;
        tokenizer_copy(&copy, &t);
        tokenizer_lookup(&copy, text, size < 8 ? size : 8);
        tokenizer_free(&copy);
        tokenizer_free(&t);
    }
    /* the input as a saved vocabulary, one token per line */
    char *buf = malloc(size + 1);
    memcpy(buf, data, size);
    buf[size] = '\0';
    int n = 0, cap = 16;
    char **toks = malloc(sizeof *toks * (size_t)cap);
    for (char *p = buf, *end = buf + size; p <= end && n < 4096;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            nl = end;
        *nl = '\0';
        if (n == cap)
            toks = realloc(toks, sizeof *toks * (size_t)(cap *= 2));
        toks[n++] = p;
        p = nl + 1;
    }
    for (int type = TOK_CHAR; type <= TOK_WORD; type++) {
        Tokenizer t;
        if (tokenizer_from_vocab(&t, (TokType)type, toks, n, &err) != 0)
            continue;
        roundtrip(&t, text, size);
        tokenizer_free(&t);
    }
    free(toks);
    free(buf);
    return 0;
}
