/* corpus_read.c — a text file read through one fixed block, for the
 * vocabulary pass and the encoding pass of corpus_load and for `rnnscope eval`
 * (see corpus.h). Never holds the whole text: each block is handed to the
 * tokenizer's block functions (tokenizer.h), and what they leave at its end —
 * a partial UTF-8 sequence, a word that may go on — moves to the front of the
 * next block.
 */
#include "corpus.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "utf8.h"

static size_t corpus_block = (size_t)1 << 20;

/* ids handed to a sink at a time */
#define CORPUS_SINK_IDS 65536

void corpus_set_block(size_t bytes)
{
    corpus_block = bytes < 16 ? 16 : bytes;
}

typedef struct {
    const char *path;
    FILE *f;
    char *buf;          /* (cap) */
    size_t cap;
    size_t pos, len;    /* buf[pos .. len) read but not yet taken */
    size_t base;        /* stream offset of buf[0] */
    size_t max_bytes;   /* 0 = no limit */
    int eof;
} CorpusReader;

/* Refuses anything but a regular file (a FIFO that blocks, /dev/zero that
 * never ends) before it is opened. */
static int corpus_reader_open(CorpusReader *r, const char *path, size_t max_bytes, Err *err)
{
    memset(r, 0, sizeof *r);
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return err_set(err, ERR_INPUT, "%s: not a regular file (%s); give a text file to --corpus", path,
                       S_ISDIR(st.st_mode) ? "a directory" : "a device, FIFO or socket");
    if (max_bytes && stat(path, &st) == 0 && (size_t)st.st_size > max_bytes)
        return err_set(err, ERR_INPUT, "%s: %lld bytes is more than the %zu MB a corpus may have; use a part of it",
                       path, (long long)st.st_size, max_bytes >> 20);
    r->f = fopen(path, "rb");
    if (!r->f)
        return err_set(err, ERR_INPUT, "%s: cannot open corpus: %s; check the --corpus path", path,
                       strerror(errno));
    r->path = path;
    r->max_bytes = max_bytes;
    r->cap = corpus_block;
    r->buf = xmalloc(r->cap);
    return ERR_OK;
}

static void corpus_reader_close(CorpusReader *r)
{
    if (r->f)
        fclose(r->f);
    free(r->buf);
    memset(r, 0, sizeof *r);
}

/* Move the bytes not taken to the front (or, when none was taken from a full
 * block, double it: a token longer than the block), then read until the block
 * is full or the file ends. */
static int corpus_reader_fill(CorpusReader *r, Err *err)
{
    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        r->base += r->pos;
        r->len -= r->pos;
        r->pos = 0;
    } else if (r->len == r->cap) {
        r->cap *= 2;
        r->buf = xrealloc(r->buf, r->cap);
    }
    while (r->len < r->cap && !r->eof) {
        size_t got = fread(r->buf + r->len, 1, r->cap - r->len, r->f);
        r->len += got;
        if (got == 0) {
            if (ferror(r->f))
                return err_set(err, ERR_INPUT, "%s: cannot read corpus: %s; check the --corpus path", r->path,
                               strerror(errno));
            r->eof = 1;
        }
        if (r->max_bytes && r->base + r->len > r->max_bytes) /* it grew while being read */
            return err_set(err, ERR_INPUT, "%s: more than the %zu MB a corpus may have; use a part of it", r->path,
                           r->max_bytes >> 20);
    }
    return ERR_OK;
}

/* What to do with a block: take the tokens at its start, set *used. */
typedef int (*CorpusBlockFn)(void *ctx, const char *text, size_t len, int last, size_t base, size_t *used,
                             Err *err);

/* Hand the whole file to fn block by block; an empty file is ERR_INPUT. */
static int corpus_each_block(const char *path, size_t max_bytes, CorpusBlockFn fn, void *ctx, Err *err)
{
    CorpusReader r;
    int rc = corpus_reader_open(&r, path, max_bytes, err);
    if (rc)
        return rc;
    for (;;) {
        if ((rc = corpus_reader_fill(&r, err)) != ERR_OK)
            break;
        if (r.eof && r.base + r.len == 0) {
            rc = err_set(err, ERR_INPUT, "%s: corpus file is empty; give a file with some text", path);
            break;
        }
        size_t used;
        do {
            rc = fn(ctx, r.buf + r.pos, r.len - r.pos, r.eof, r.base + r.pos, &used, err);
            r.pos += used;
        } while (rc == ERR_OK && used > 0 && r.pos < r.len);
        if (rc || r.eof)
            break;
    }
    corpus_reader_close(&r);
    return rc;
}

typedef struct {
    TokCounter *counter;
    const char *path;
} CorpusVocabPass;

static int corpus_vocab_block(void *ctx, const char *text, size_t len, int last, size_t base, size_t *used,
                              Err *err)
{
    CorpusVocabPass *p = ctx;
    return tokenizer_counter_feed(p->counter, text, len, last, base, used, p->path, err);
}

int corpus_file_vocab(const char *path, TokType type, int max_vocab, size_t max_bytes, Tokenizer *tok,
                      Err *err)
{
    CorpusVocabPass p = { NULL, path };
    memset(tok, 0, sizeof *tok);
    tok->unk_id = -1;
    int rc = tokenizer_counter_new(&p.counter, type, max_vocab, err);
    if (!rc)
        rc = corpus_each_block(path, max_bytes, corpus_vocab_block, &p, err);
    if (!rc)
        rc = tokenizer_counter_finish(p.counter, tok, path, err);
    tokenizer_counter_free(p.counter);
    return rc;
}

typedef struct {
    const Tokenizer *tok;
    const char *path;
    CorpusSink sink;
    void *ctx;
    int *ids;                /* (CORPUS_SINK_IDS) */
    size_t n_unknown, first_unknown;
    uint32_t first_cp;       /* char: the first character outside the vocabulary */
} CorpusEncodePass;

static int corpus_encode_block(void *ctx, const char *text, size_t len, int last, size_t base, size_t *used,
                               Err *err)
{
    CorpusEncodePass *p = ctx;
    size_t n = 0, had = p->n_unknown;
    int rc = tokenizer_encode_block(p->tok, text, len, last, base, p->ids, CORPUS_SINK_IDS, &n, used,
                                    &p->n_unknown, &p->first_unknown, p->path, err);
    if (rc)
        return rc;
    if (p->tok->type == TOK_CHAR && had == 0 && p->n_unknown > 0) /* still in this block */
        utf8_decode((const unsigned char *)text + (p->first_unknown - base), len - (p->first_unknown - base),
                    &p->first_cp, NULL);
    if (n && !(p->tok->type == TOK_CHAR && p->n_unknown > 0))
        p->sink(p->ctx, p->ids, n);
    return ERR_OK;
}

int corpus_encode_file(const char *path, const Tokenizer *tok, size_t max_bytes, CorpusSink sink, void *ctx,
                       size_t *n_unknown, Err *err)
{
    CorpusEncodePass p = { .tok = tok, .path = path, .sink = sink, .ctx = ctx, .first_unknown = SIZE_MAX };
    *n_unknown = 0;
    p.ids = xmalloc(CORPUS_SINK_IDS * sizeof *p.ids);
    int rc = corpus_each_block(path, max_bytes, corpus_encode_block, &p, err);
    free(p.ids);
    if (rc)
        return rc;
    if (tok->type == TOK_CHAR && p.n_unknown > 0)
        return err_set(err, ERR_INPUT,
                       "%s: character U+%04X at byte offset %zu is not in the checkpoint's vocabulary "
                       "(%zu such characters); use text the model was trained on, or train one whose corpus has "
                       "them (--tokenizer byte covers every byte)",
                       path, (unsigned)p.first_cp, p.first_unknown, p.n_unknown);
    *n_unknown = p.n_unknown;
    return ERR_OK;
}
