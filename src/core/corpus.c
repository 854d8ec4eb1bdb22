/* corpus.c — load a text file, tokenize it, split it, batch it (see corpus.h);
 * the file itself is read in corpus_read.c. */
#include "corpus.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A training corpus's ids are held whole: up to 2 GB of them (4 bytes a
 * token under a word vocabulary above 65,536). */
#define CORPUS_MAX_BYTES ((size_t)512 << 20)

typedef struct {
    TokenIds *ids;
    size_t max_total;   /* the file's bytes: never more tokens than that */
} CorpusPush;

static void corpus_push(void *ctx, const int *ids, size_t n)
{
    CorpusPush *p = ctx;
    token_ids_push(p->ids, ids, n, p->max_total);
}

int corpus_load(Corpus *c, const char *path, TokType type, int max_vocab, float val_frac,
                const Tokenizer *tok_fixed, Err *err)
{
    memset(c, 0, sizeof *c);
    c->tok.unk_id = -1;
    if (!(val_frac >= 0.0f && val_frac <= 0.5f))
        return err_set(err, ERR_INPUT, "%s: --val-frac %g is outside [0, 0.5]; use e.g. 0.1", path,
                       (double)val_frac);

    int rc = ERR_OK;
    if (tok_fixed)
        tokenizer_copy(&c->tok, tok_fixed);
    else if (type == TOK_BYTE) /* nothing to count: the 256 bytes */
        rc = tokenizer_build(&c->tok, TOK_BYTE, NULL, 0, 0, path, err);
    else if ((rc = corpus_file_vocab(path, type, max_vocab, CORPUS_MAX_BYTES, &c->tok, err)) != ERR_OK)
        goto fail;

    token_ids_init(&c->ids, c->tok.vocab_size);
    struct stat st;
    CorpusPush push = { &c->ids, stat(path, &st) == 0 && st.st_size > 0 ? (size_t)st.st_size : 0 };
    rc = corpus_encode_file(path, &c->tok, CORPUS_MAX_BYTES, corpus_push, &push, &c->n_unknown, err);
    if (rc)
        goto fail;
    token_ids_fit(&c->ids);
    c->n = c->ids.n;

    size_t n_val = (size_t)((double)c->n * (double)val_frac);
    c->n_train = c->n - n_val;
    c->path = xstrdup(path);
    return ERR_OK;
fail:
    corpus_free(c);
    return rc;
}

void corpus_free(Corpus *c)
{
    if (!c)
        return;
    free(c->path);
    token_ids_free(&c->ids);
    tokenizer_free(&c->tok);
    memset(c, 0, sizeof *c);
    c->tok.unk_id = -1;
}

int batcher_init(Batcher *b, size_t n_tokens, size_t base, int B, int T, const char *source,
                 Err *err)
{
    memset(b, 0, sizeof *b);
    if (!source)
        source = "corpus";
    if (B < 1)
        return err_set(err, ERR_INPUT, "--batch %d must be at least 1", B);
    if (T < 1)
        return err_set(err, ERR_INPUT, "--seq %d must be at least 1", T);
    /* Each stream needs T inputs and one more target; B*(T+1) guarantees
     * seg_len = (n - 1) / B >= T, so an epoch has at least one chunk. */
    size_t need = (size_t)B * ((size_t)T + 1);
    if (n_tokens < need) {
        if (base > 0)
            return err_set(err, ERR_INPUT,
                           "%s: %zu validation tokens are too few for --batch %d x --seq %d; raise "
                           "--val-frac or lower --batch or --seq (need at least %zu)",
                           source, n_tokens, B, T, need);
        return err_set(err, ERR_INPUT,
                       "%s: %zu training tokens are too few for --batch %d x --seq %d; lower "
                       "--batch or --seq (need at least %zu)",
                       source, n_tokens, B, T, need);
    }
    b->B = B;
    b->T = T;
    b->base = base;
    b->seg_len = (n_tokens - 1) / (size_t)B;
    b->chunks_per_epoch = (long)(b->seg_len / (size_t)T);
    return ERR_OK;
}

int batcher_next(Batcher *b, const TokenIds *ids, int *x, int *y)
{
    size_t T = (size_t)b->T, B = (size_t)b->B;
    if (b->pos + T > b->seg_len) {
        b->pos = 0;
        b->epoch++;
    }
    int reset = b->pos == 0;
    for (size_t s = 0; s < B; s++) {
        size_t src = b->base + s * b->seg_len + b->pos;
        int next = token_ids_get(ids, src);
        for (size_t t = 0; t < T; t++) {
            x[t * B + s] = next;
            next = token_ids_get(ids, src + t + 1);
            y[t * B + s] = next;
        }
    }
    b->pos += T;
    return reset;
}

double batcher_epoch_progress(const Batcher *b)
{
    if (b->chunks_per_epoch <= 0)
        return (double)b->epoch;
    return (double)b->epoch + (double)(b->pos / (size_t)b->T) / (double)b->chunks_per_epoch;
}
