/* checkpoint.c — model tensors and metadata in and out of safetensors files
 * (see checkpoint.h). Every check names the file and the key or tensor at fault. */
#include "checkpoint.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "strbuf.h"

#define CHECKPOINT_FORMAT "rnnscope/1"

static void add_int_meta(StWriter *w, const char *key, long value)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%ld", value);
    st_add_meta(w, key, buf);
}

void checkpoint_write_model(StWriter *w, const Model *m, const Tokenizer *tok)
{
    for (int i = 0; i < m->n_tensors; i++) {
        const TensorView *tv = &m->tensors[i];
        int64_t shape[2] = {tv->shape[0], tv->shape[1]};
        st_add_f32(w, tv->name, m->params + tv->offset, tv->ndim, shape);
    }
    st_add_meta(w, "format", CHECKPOINT_FORMAT);
    st_add_meta(w, "cell", cell_name(m->cfg.cell));
    add_int_meta(w, "layers", m->cfg.layers);
    add_int_meta(w, "hidden", m->cfg.hidden);
    add_int_meta(w, "embed", m->cfg.embed);
    add_int_meta(w, "vocab_size", m->cfg.vocab);
    char drop[32];
    snprintf(drop, sizeof drop, "%.9g", (double)m->cfg.dropout);
    st_add_meta(w, "dropout", drop);
    st_add_meta(w, "tokenizer", tok_name(tok->type));
    if (tok->type != TOK_BYTE) {
        StrBuf b;
        strbuf_init(&b);
        strbuf_append_str(&b, "[");
        for (int i = 0; i < tok->vocab_size; i++) {
            if (i)
                strbuf_append_str(&b, ",");
            strbuf_append_json_string(&b, tok->tokens[i], (size_t)tok->token_len[i]);
        }
        strbuf_append_str(&b, "]");
        st_add_meta(w, "vocab", b.data);
        strbuf_free(&b);
    }
}

/* A positive integer metadata value in [lo, hi]. */
static int meta_int(const StFile *f, const char *key, int lo, int hi, int *out, Err *err)
{
    const char *v = st_meta(f, key);
    if (!v)
        return err_set(err, ERR_INPUT,
                       "%s: missing metadata key '%s'; not an rnnscope checkpoint "
                       "(see the checkpoint format in the README)", f->path, key);
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || end == v || *end || x < lo || x > hi)
        return err_set(err, ERR_INPUT, "%s: metadata '%s' is '%s'; expected an integer in [%d, %d]",
                       f->path, key, v, lo, hi);
    *out = (int)x;
    return 0;
}

int checkpoint_read_config(const StFile *f, ModelConfig *cfg, TokType *tok_type, Err *err)
{
    memset(cfg, 0, sizeof *cfg);
    const char *fmt = st_meta(f, "format");
    if (fmt && strcmp(fmt, CHECKPOINT_FORMAT) != 0)
        return err_set(err, ERR_INPUT, "%s: metadata format is '%s'; this rnnscope reads '%s'",
                       f->path, fmt, CHECKPOINT_FORMAT);
    const char *cell = st_meta(f, "cell");
    if (!cell)
        return err_set(err, ERR_INPUT,
                       "%s: missing metadata key 'cell'; not an rnnscope checkpoint "
                       "(see the checkpoint format in the README)", f->path);
    if (cell_parse(cell, &cfg->cell) != 0)
        return err_set(err, ERR_INPUT, "%s: metadata cell is '%s'; expected lstm, gru or rnn",
                       f->path, cell);
    int rc;
    if ((rc = meta_int(f, "layers", 1, MODEL_MAX_LAYERS, &cfg->layers, err)) ||
        (rc = meta_int(f, "hidden", 1, MODEL_MAX_WIDTH, &cfg->hidden, err)) ||
        (rc = meta_int(f, "embed", 1, MODEL_MAX_WIDTH, &cfg->embed, err)) ||
        (rc = meta_int(f, "vocab_size", 1, MODEL_MAX_VOCAB, &cfg->vocab, err)))
        return rc;
    const char *drop = st_meta(f, "dropout");
    if (drop) {
        char *end;
        double d = strtod(drop, &end);
        if (end == drop || *end || !(d >= 0 && d < 1))
            return err_set(err, ERR_INPUT, "%s: metadata dropout is '%s'; expected a number in [0, 1)",
                           f->path, drop);
        cfg->dropout = (float)d;
    }
    const char *tok = st_meta(f, "tokenizer");
    if (!tok)
        return err_set(err, ERR_INPUT, "%s: missing metadata key 'tokenizer' (char, byte or word)",
                       f->path);
    if (tok_parse(tok, tok_type) != 0)
        return err_set(err, ERR_INPUT, "%s: metadata tokenizer is '%s'; expected char, byte or word",
                       f->path, tok);
    return 0;
}

static int read_vocab(const StFile *f, TokType type, int vocab_size, Tokenizer *tok, Err *err)
{
    if (type == TOK_BYTE) {
        if (vocab_size != 256)
            return err_set(err, ERR_INPUT, "%s: byte tokenizer needs vocab_size 256, metadata says %d",
                           f->path, vocab_size);
        return tokenizer_from_vocab(tok, TOK_BYTE, NULL, 0, err);
    }
    const char *v = st_meta(f, "vocab");
    if (!v)
        return err_set(err, ERR_INPUT, "%s: missing metadata key 'vocab' (a JSON array of tokens)",
                       f->path);
    JsonValue arr;
    size_t off = 0;
    Err jerr;
    if (json_parse(v, strlen(v), &arr, &off, &jerr) != 0)
        return err_set(err, ERR_INPUT, "%s: metadata 'vocab' is not valid JSON at character %zu: %s",
                       f->path, off, jerr.msg);
    int rc = 0;
    if (arr.type != JSON_ARRAY || arr.count != (size_t)vocab_size) {
        rc = err_set(err, ERR_INPUT, "%s: metadata 'vocab' must be an array of %d strings (vocab_size)",
                     f->path, vocab_size);
    } else {
        char **toks = xcalloc(arr.count, sizeof *toks);
        for (size_t i = 0; i < arr.count && !rc; i++) {
            if (arr.items[i].type != JSON_STRING)
                rc = err_set(err, ERR_INPUT, "%s: metadata 'vocab' entry %zu is not a string",
                             f->path, i);
            else
                toks[i] = arr.items[i].string;
        }
        Err terr;
        if (!rc && tokenizer_from_vocab(tok, type, toks, vocab_size, &terr) != 0)
            rc = err_set(err, ERR_INPUT, "%s: metadata 'vocab': %s", f->path, terr.msg);
        free(toks);
    }
    json_free(&arr);
    return rc;
}

static void shape_text(char *buf, size_t cap, int ndim, const int64_t *shape)
{
    size_t n = (size_t)snprintf(buf, cap, "[");
    for (int i = 0; i < ndim && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, i ? ", %lld" : "%lld", (long long)shape[i]);
    if (n < cap)
        snprintf(buf + n, cap - n, "]");
}

/* That the file holds tensor tv with its dtype and shape, before anything
 * the configuration asks for is allocated. */
static int check_tensor(const StFile *f, const ModelConfig *c, const TensorView *tv, Err *err)
{
    const StTensor *t = st_find(f, tv->name);
    if (!t)
        return err_set(err, ERR_INPUT, "%s: missing tensor %s (metadata: %s, %d layers, hidden %d)",
                       f->path, tv->name, cell_name(c->cell), c->layers, c->hidden);
    if (t->dtype != ST_F32)
        return err_set(err, ERR_INPUT, "%s: tensor %s has dtype %s; rnnscope reads float32 (F32)",
                       f->path, tv->name, st_dtype_name(t->dtype));
    int64_t want[2] = {tv->shape[0], tv->shape[1]};
    int ok = t->ndim == tv->ndim;
    for (int i = 0; ok && i < tv->ndim; i++)
        ok = t->shape[i] == want[i];
    if (!ok) {
        char have_s[96], want_s[96];
        shape_text(have_s, sizeof have_s, t->ndim, t->shape);
        shape_text(want_s, sizeof want_s, tv->ndim, want);
        return err_set(err, ERR_INPUT,
                       "%s: tensor %s has shape %s but the metadata (%s, hidden %d, embed %d, "
                       "vocab %d) needs %s", f->path, tv->name, have_s, cell_name(c->cell),
                       c->hidden, c->embed, c->vocab, want_s);
    }
    return 0;
}

static int read_tensor(const StFile *f, const Model *m, int index, Err *err)
{
    const TensorView *tv = &m->tensors[index];
    int rc = st_get_f32(f, tv->name, m->params + tv->offset, tv->size, err);
    if (rc)
        return rc;
    const float *p = m->params + tv->offset;
    for (size_t i = 0; i < tv->size; i++)
        if (!isfinite(p[i]))
            return err_set(err, ERR_INPUT, "%s: tensor %s has a non-finite value (%g) at element %zu; the "
                           "checkpoint is damaged or comes from a run that diverged", f->path, tv->name,
                           (double)p[i], i);
    return 0;
}

int checkpoint_read_model(const StFile *f, Model *m, Tokenizer *tok, Err *err)
{
    ModelConfig cfg;
    TokType type;
    int rc = checkpoint_read_config(f, &cfg, &type, err);
    if (rc)
        return rc;
    /* every tensor present with the configuration's shape (so the file holds
     * their bytes) before the model is allocated: metadata alone never sizes
     * an allocation */
    TensorView views[MODEL_MAX_TENSORS];
    size_t n_params;
    int n = model_layout(&cfg, views, &n_params);
    for (int i = 0; i < n; i++)
        if ((rc = check_tensor(f, &cfg, &views[i], err)) != 0)
            return rc;
    Err merr;
    if (model_new(m, &cfg, &merr) != 0)
        return err_set(err, ERR_INPUT, "%s: %s", f->path, merr.msg);
    for (int i = 0; i < m->n_tensors; i++) {
        if ((rc = read_tensor(f, m, i, err)) != 0) {
            model_free(m);
            return rc;
        }
    }
    if ((rc = read_vocab(f, type, cfg.vocab, tok, err)) != 0) {
        model_free(m);
        return rc;
    }
    return 0;
}

int checkpoint_load(const char *path, Model *m, Tokenizer *tok, Err *err)
{
    StFile f;
    int rc = st_read(&f, path, err);
    if (rc == 0)
        rc = checkpoint_read_model(&f, m, tok, err);
    st_free(&f);
    return rc;
}

int checkpoint_save_model(const char *path, const Model *m, const Tokenizer *tok, Err *err)
{
    StWriter *w = st_writer_new();
    checkpoint_write_model(w, m, tok);
    int rc = st_writer_save(w, path, err);
    st_writer_free(w);
    return rc;
}
