/* corpus.c — load a text file, tokenize it, split it, batch it (see corpus.h). */
#include "corpus.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "utf8.h"

/* Larger corpora would need more than 2 GB for their token ids alone. */
#define CORPUS_MAX_BYTES ((size_t)512 << 20)

/* Read a whole regular file; *data is NUL-terminated. Anything else (a FIFO
 * that blocks, /dev/zero that never ends) is refused before it is opened. */
static int corpus_read_file(const char *path, char **data, size_t *len, Err *err)
{
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return err_set(err, ERR_INPUT, "%s: not a regular file (%s); give a text file to --corpus", path,
                       S_ISDIR(st.st_mode) ? "a directory" : "a device, FIFO or socket");
    if (stat(path, &st) == 0 && (size_t)st.st_size > CORPUS_MAX_BYTES)
        return err_set(err, ERR_INPUT, "%s: %lld bytes is more than the %zu MB a corpus may have; use a part of it",
                       path, (long long)st.st_size, CORPUS_MAX_BYTES >> 20);
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(err, ERR_INPUT, "%s: cannot open corpus: %s; check the --corpus path", path,
                       strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        if (n + 1 >= cap) {
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        size_t got = fread(buf + n, 1, cap - 1 - n, f);
        n += got;
        if (got == 0 || n > CORPUS_MAX_BYTES)
            break;
    }
    if (n > CORPUS_MAX_BYTES) { /* it grew while being read */
        fclose(f);
        free(buf);
        return err_set(err, ERR_INPUT, "%s: more than the %zu MB a corpus may have; use a part of it", path,
                       CORPUS_MAX_BYTES >> 20);
    }
    if (ferror(f)) {
        int e = errno;
        fclose(f);
        free(buf);
        return err_set(err, ERR_INPUT, "%s: cannot read corpus: %s; check the --corpus path", path,
                       strerror(e));
    }
    fclose(f);
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return ERR_OK;
}

int corpus_load(Corpus *c, const char *path, TokType type, int max_vocab, float val_frac,
                const Tokenizer *tok_fixed, Err *err)
{
    memset(c, 0, sizeof *c);
    c->tok.unk_id = -1;
    if (!(val_frac >= 0.0f && val_frac <= 0.5f))
        return err_set(err, ERR_INPUT, "%s: --val-frac %g is outside [0, 0.5]; use e.g. 0.1", path,
                       (double)val_frac);

    char *text = NULL;
    size_t len = 0;
    int rc = corpus_read_file(path, &text, &len, err);
    if (rc)
        return rc;
    if (len == 0) {
        free(text);
        return err_set(err, ERR_INPUT, "%s: corpus file is empty; give a file with some text", path);
    }

    if (tok_fixed)
        tokenizer_copy(&c->tok, tok_fixed);
    else if ((rc = tokenizer_build(&c->tok, type, text, len, max_vocab, path, err)) != ERR_OK)
        goto fail;

    size_t first_unknown = SIZE_MAX;
    rc = tokenizer_encode(&c->tok, text, len, &c->ids, &c->n, &c->n_unknown, &first_unknown, path,
                          err);
    if (rc)
        goto fail;
    if (c->tok.type == TOK_CHAR && c->n_unknown > 0) {
        uint32_t cp = 0;
        utf8_decode((const unsigned char *)text + first_unknown, len - first_unknown, &cp, NULL);
        rc = err_set(err, ERR_INPUT,
                     "%s: character U+%04X at byte offset %zu is not in the checkpoint's vocabulary "
                     "(%zu such characters); use text the model was trained on, or train one whose corpus has "
                     "them (--tokenizer byte covers every byte)",
                     path, (unsigned)cp, first_unknown, c->n_unknown);
        goto fail;
    }
    free(text);

    size_t n_val = (size_t)((double)c->n * (double)val_frac);
    c->n_train = c->n - n_val;
    c->path = xstrdup(path);
    return ERR_OK;
fail:
    free(text);
    corpus_free(c);
    return rc;
}

void corpus_free(Corpus *c)
{
    if (!c)
        return;
    free(c->path);
    free(c->ids);
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

int batcher_next(Batcher *b, const int *ids, int *x, int *y)
{
    size_t T = (size_t)b->T, B = (size_t)b->B;
    if (b->pos + T > b->seg_len) {
        b->pos = 0;
        b->epoch++;
    }
    int reset = b->pos == 0;
    for (size_t s = 0; s < B; s++) {
        const int *src = ids + b->base + s * b->seg_len + b->pos;
        for (size_t t = 0; t < T; t++) {
            x[t * B + s] = src[t];
            y[t * B + s] = src[t + 1];
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
