/* test_evaluate.c — checkpoints written by PyTorch load here, and the stream
 * loss and full-BPTT gradient (rnnscope eval / grad) match PyTorch's, tensor by
 * tensor: loss within 1e-5 relative, each gradient within 1e-4 of that tensor's
 * largest |gradient|. Fixtures: tests/make_ckpt_fixture.py. Also: a checkpoint
 * saved here reads back bit for bit, and damaged checkpoints are refused with
 * the tensor or key named. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "checkpoint.h"
#include "corpus.h"
#include "evaluate.h"
#include "strbuf.h"

static char fixture_dir[1024];

static void fixture(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", fixture_dir, name);
}

static void check_cell(const char *cell)
{
    char ckpt[1200], grads[1200], text[1200], name[64];
    snprintf(name, sizeof name, "ckpt_torch_%s.safetensors", cell);
    fixture(ckpt, sizeof ckpt, name);
    snprintf(name, sizeof name, "grads_torch_%s.safetensors", cell);
    fixture(grads, sizeof grads, name);
    fixture(text, sizeof text, "eval_text.txt");
    Model m;
    Tokenizer tok;
    Err err;
    if (!CHECK(checkpoint_load(ckpt, &m, &tok, &err) == 0, "%s: PyTorch checkpoint loads (%s)", cell, err.msg))
        return;
    Corpus c;
    if (!CHECK(corpus_load(&c, text, tok.type, 0, 0.0f, &tok, &err) == 0, "%s: text encodes (%s)", cell, err.msg)) {
        model_free(&m);
        tokenizer_free(&tok);
        return;
    }
    StFile g;
    CHECK(st_read(&g, grads, &err) == 0, "%s: reference gradients read", cell);
    double want = atof(st_meta(&g, "loss"));
    double loss = 0, loss2 = 0;
    int *ids = xmalloc(c.n * sizeof *ids);
    token_ids_copy(&c.ids, 0, c.n, ids);
    CHECK(evaluate_stream_loss(&m, ids, c.n, &loss, &err) == 0, "%s: eval runs", cell);
    CHECK(fabs(loss - want) <= 1e-5 * fabs(want), "%s: eval loss %.7f vs PyTorch %.7f (rel 1e-5)", cell, loss, want);
    CHECK(evaluate_stream_grad(&m, ids, c.n, &loss2, &err) == 0, "%s: grad runs", cell);
    free(ids);
    CHECK(fabs(loss2 - want) <= 1e-5 * fabs(want), "%s: full-BPTT loss %.7f vs PyTorch %.7f", cell, loss2, want);
    for (int i = 0; i < m.n_tensors; i++) {
        const TensorView *tv = &m.tensors[i];
        float *ref = xmalloc(sizeof(float) * tv->size);
        if (st_get_f32(&g, tv->name, ref, tv->size, &err) != 0) {
            CHECK(0, "%s: reference gradient %s present", cell, tv->name);
            free(ref);
            continue;
        }
        double gmax = 0, diff = 0;
        const float *mine = m.grads + tv->offset;
        for (size_t k = 0; k < tv->size; k++) {
            gmax = fmax(gmax, fabs(ref[k]));
            diff = fmax(diff, fabs(ref[k] - mine[k]));
        }
        CHECK(diff <= 1e-4 * gmax && gmax > 0, "%s: gradient %s max diff %.3g <= 1e-4 * %.3g", cell, tv->name, diff,
              gmax);
        free(ref);
    }
    st_free(&g);

    /* save here, load back: same bits, same vocabulary */
    char tmp[] = "/tmp/rnnscope_ckpt_XXXXXX";
    int fd = mkstemp(tmp);
    close(fd);
    CHECK(checkpoint_save_model(tmp, &m, &tok, &err) == 0, "%s: checkpoint saves", cell);
    Model m2;
    Tokenizer tok2;
    if (CHECK(checkpoint_load(tmp, &m2, &tok2, &err) == 0, "%s: saved checkpoint loads (%s)", cell, err.msg)) {
        CHECK(m2.n_params == m.n_params && memcmp(m2.params, m.params, sizeof(float) * m.n_params) == 0,
              "%s: parameters round-trip bit for bit", cell);
        int same = tok2.vocab_size == tok.vocab_size;
        for (int i = 0; same && i < tok.vocab_size; i++)
            same = tok2.token_len[i] == tok.token_len[i] && !memcmp(tok2.tokens[i], tok.tokens[i], (size_t)tok.token_len[i]);
        CHECK(same, "%s: vocabulary round-trips", cell);
        model_free(&m2);
        tokenizer_free(&tok2);
    }
    unlink(tmp);
    corpus_free(&c);
    model_free(&m);
    tokenizer_free(&tok);
}

/* The whole-text loss as evaluate_stream_loss summed it before streaming
 * existed: chunks of EVAL_CHUNK predictions from the start, each chunk's mean
 * weighted by its length, added in order. */
static double reference_loss(Model *m, const int *ids, size_t n)
{
    Workspace *ws = workspace_new(&m->cfg, EVAL_CHUNK, 1);
    State st;
    state_init(&st, &m->cfg, 1);
    double sum = 0;
    size_t done = 0, total = n - 1;
    while (done < total) {
        size_t T = total - done < EVAL_CHUNK ? total - done : EVAL_CHUNK;
        sum += (double)model_forward(m, ws, ids + done, ids + done + 1, (int)T, 1, &st, 0, NULL) * (double)T;
        done += T;
    }
    state_free(&st);
    workspace_free(ws);
    return sum / (double)total;
}

/* eval through a fixed block and a stream fed in pieces: the very same double
 * as the whole-text sum, on a text that crosses many chunk and block ends. */
static void check_streaming(void)
{
    char ckpt[1200], text[1200];
    fixture(ckpt, sizeof ckpt, "ckpt_torch_lstm.safetensors");
    fixture(text, sizeof text, "eval_text.txt");
    Model m;
    Tokenizer tok;
    Err err;
    if (!CHECK(checkpoint_load(ckpt, &m, &tok, &err) == 0, "stream: checkpoint loads (%s)", err.msg))
        return;
    FILE *in = fopen(text, "rb");
    char one[4096];
    size_t len = in ? fread(one, 1, sizeof one, in) : 0;
    if (in)
        fclose(in);
    char big[] = "/tmp/rnnscope_evalstream_XXXXXX";
    int fd = mkstemp(big);
    FILE *out = fdopen(fd, "wb");
    for (int k = 0; k < 12; k++) /* 12 copies: several chunks of EVAL_CHUNK */
        fwrite(one, 1, len, out);
    fclose(out);

    Corpus c;
    if (!CHECK(len > 0 && corpus_load(&c, big, tok.type, 0, 0.0f, &tok, &err) == 0 && c.n > 3 * EVAL_CHUNK,
               "stream: %zu tokens over 3 chunks (%s)", c.n, err.msg)) {
        model_free(&m);
        tokenizer_free(&tok);
        return;
    }
    int *ids = xmalloc(c.n * sizeof *ids);
    token_ids_copy(&c.ids, 0, c.n, ids);
    double want = reference_loss(&m, ids, c.n), whole = 0;
    CHECK(evaluate_stream_loss(&m, ids, c.n, &whole, &err) == 0 && whole == want,
          "stream: evaluate_stream_loss is the whole-text sum (%.17g vs %.17g)", whole, want);

    int same = 1;
    static const size_t blocks[] = { 16, 37, 1000, (size_t)1 << 20 };
    for (size_t b = 0; b < sizeof blocks / sizeof *blocks; b++) {
        corpus_set_block(blocks[b]);
        double got = -1;
        size_t n_pred = 0, n_unknown = 1;
        int rc = evaluate_file_loss(&m, &tok, big, &got, &n_pred, &n_unknown, &err);
        if (rc || got != want || n_pred != c.n - 1 || n_unknown != 0) {
            printf("NOTE block %zu: %.17g vs %.17g, %zu predictions (%s)\n", blocks[b], got, want, n_pred, err.msg);
            same = 0;
        }
    }
    corpus_set_block((size_t)1 << 20);
    CHECK(same, "stream: the file read through blocks of 16 bytes to 1 MB gives the same double");

    /* pieces of every awkward length around a chunk */
    static const size_t pieces[] = { 1, 2, 255, 256, 257, 3, 513 };
    EvalStream e;
    eval_stream_init(&e, &m);
    for (size_t at = 0, k = 0; at < c.n; k++) {
        size_t n = pieces[k % 7] < c.n - at ? pieces[k % 7] : c.n - at;
        eval_stream_feed(&e, ids + at, n);
        at += n;
    }
    double fed = -1;
    CHECK(eval_stream_finish(&e, &fed, &err) == 0 && fed == want && e.total == c.n - 1,
          "stream: fed in pieces of 1 to 513 ids, the same double");
    eval_stream_free(&e);

    /* too few tokens, and unknown words counted (the word fixture) */
    FILE *f1 = fopen(big, "wb");
    fwrite(one, 1, 1, f1);
    fclose(f1);
    size_t n_pred = 0, n_unknown = 0;
    double l1;
    int rc = evaluate_file_loss(&m, &tok, big, &l1, &n_pred, &n_unknown, &err);
    CHECK(rc == ERR_INPUT && strstr(err.msg, "1 token(s); at least 2"), "stream: one token is too few: %s", err.msg);
    free(ids);
    corpus_free(&c);
    unlink(big);
    model_free(&m);
    tokenizer_free(&tok);
}

/* Rewrite the LSTM fixture with one change and expect a refusal naming `expect`. */
typedef enum { DROP_TENSOR, BAD_SHAPE, BAD_DTYPE, BAD_META, NO_VOCAB, NAN_WEIGHT } Damage;

static void check_damaged(Damage d, const char *expect)
{
    char ckpt[1200];
    fixture(ckpt, sizeof ckpt, "ckpt_torch_lstm.safetensors");
    StFile f;
    Err err;
    if (!CHECK(st_read(&f, ckpt, &err) == 0, "fixture readable"))
        return;
    StWriter *w = st_writer_new();
    for (int i = 0; i < f.n_tensors; i++) {
        const StTensor *t = &f.tensors[i];
        if (d == DROP_TENSOR && !strcmp(t->name, "rnn.weight_hh_l1"))
            continue;
        float *buf = xmalloc(sizeof(float) * t->nelem);
        st_get_f32(&f, t->name, buf, t->nelem, NULL);
        int64_t shape[8];
        memcpy(shape, t->shape, sizeof shape);
        if (d == BAD_SHAPE && !strcmp(t->name, "rnn.weight_ih_l0")) {
            shape[0] = t->shape[1];
            shape[1] = t->shape[0];
        }
        if (d == NAN_WEIGHT && !strcmp(t->name, "head.bias"))
            buf[3] = NAN;
        if (d == BAD_DTYPE && !strcmp(t->name, "head.bias"))
            st_add_raw(w, t->name, ST_I32, buf, t->ndim, shape);
        else
            st_add_f32(w, t->name, buf, t->ndim, shape);
        free(buf);
    }
    for (int i = 0; i < f.n_meta; i++) {
        const char *k = f.meta_keys[i], *v = f.meta_values[i];
        if (d == BAD_META && !strcmp(k, "hidden"))
            v = "sixteen";
        if (d == NO_VOCAB && !strcmp(k, "vocab"))
            continue;
        st_add_meta(w, k, v);
    }
    char tmp[] = "/tmp/rnnscope_bad_XXXXXX";
    int fd = mkstemp(tmp);
    close(fd);
    st_writer_save(w, tmp, &err);
    st_writer_free(w);
    st_free(&f);
    Model m;
    Tokenizer tok;
    int rc = checkpoint_load(tmp, &m, &tok, &err);
    CHECK(rc == ERR_INPUT && strstr(err.msg, expect) && strstr(err.msg, tmp),
          "damaged checkpoint refused naming '%s' and the file: %s", expect, err.msg);
    if (rc == 0) {
        model_free(&m);
        tokenizer_free(&tok);
    }
    unlink(tmp);
}

int main(void)
{
    const char *dir = getenv("RNNSCOPE_TESTS");
    snprintf(fixture_dir, sizeof fixture_dir, "%s/fixtures", dir ? dir : "tests");
    check_cell("lstm");
    check_cell("gru");
    check_cell("rnn");
    check_streaming();
    check_damaged(DROP_TENSOR, "missing tensor rnn.weight_hh_l1");
    check_damaged(BAD_SHAPE, "rnn.weight_ih_l0 has shape [8, 64]");
    check_damaged(BAD_DTYPE, "head.bias has dtype I32");
    check_damaged(BAD_META, "hidden");
    check_damaged(NO_VOCAB, "vocab");
    check_damaged(NAN_WEIGHT, "head.bias has a non-finite value (nan) at element 3");
    return check_summary();
}
