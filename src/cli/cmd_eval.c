/* cmd_eval.c — `rnnscope eval` and `rnnscope grad`: the loss of a checkpoint
 * on a file read as one stream from a zero state, and its full-BPTT gradient
 * (definitions in DESIGN.md and evaluate.h). eval reads the file block by
 * block, so any size works; grad needs every activation and loads it whole. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checkpoint.h"
#include "commands.h"
#include "corpus.h"
#include "evaluate.h"
#include "flags.h"

/* Load the checkpoint after checking that the text file can be read. */
static int load_model(const char *ckpt, const char *file, Model *m, Tokenizer *tok, Err *err)
{
    struct stat st;
    if (stat(file, &st) != 0 || access(file, R_OK) != 0)
        return err_set(err, ERR_INPUT, "%s: cannot read the text FILE: %s; check the second argument", file,
                       strerror(errno));
    if (S_ISDIR(st.st_mode))
        return err_set(err, ERR_INPUT, "%s: the text FILE is a folder; give a text file as the second argument", file);
    return checkpoint_load(ckpt, m, tok, err);
}

static void warn_unknown(const char *file, size_t n_unknown)
{
    if (n_unknown)
        fprintf(stderr, "rnnscope: warning: %s: %zu token(s) outside the checkpoint's vocabulary are read as <unk>\n",
                file, n_unknown);
}

/* Load the checkpoint and the whole file tokenized with its vocabulary. */
static int load_pair(const char *ckpt, const char *file, Model *m, Corpus *c, Err *err)
{
    Tokenizer tok;
    int rc = load_model(ckpt, file, m, &tok, err);
    if (rc)
        return rc;
    rc = corpus_load(c, file, tok.type, 0, 0.0f, &tok, err);
    tokenizer_free(&tok);
    if (rc)
        model_free(m);
    else
        warn_unknown(file, c->n_unknown);
    return rc;
}

int cmd_eval(int argc, char **argv)
{
    int json = 0;
    const CliOpt opts[] = {
        {"json", CLI_FLAG, &json, 0, 1, NULL, "print one JSON object: loss, bits, perplexity, tokens"},
    };
    char *pos[2];
    CliSpec spec = {
        .usage = "rnnscope eval CKPT FILE [--json]",
        .summary = "Mean cross-entropy of predicting token i+1 from tokens 0..i over every i of FILE,\n"
                   "read as one stream from a zero state with the checkpoint's tokenizer.\n"
                   "Prints nats per token, bits per token and perplexity.",
        .opts = opts, .n_opts = 1, .min_pos = 2, .max_pos = 2, .pos = pos,
    };
    Err err;
    err_clear(&err);
    int rc = cli_parse(&spec, argc, argv, &err);
    if (rc < 0)
        return 0;
    if (rc)
        return report(&err);
    Model m;
    Tokenizer tok;
    if ((rc = load_model(pos[0], pos[1], &m, &tok, &err)) != 0)
        return report(&err);
    double loss = 0;
    size_t n_pred = 0, n_unknown = 0;
    rc = evaluate_file_loss(&m, &tok, pos[1], &loss, &n_pred, &n_unknown, &err);
    warn_unknown(pos[1], n_unknown);
    if (rc == 0) {
        double bits = loss / log(2.0), ppl = exp(loss);
        if (json)
            printf("{\"loss\": %.9g, \"bits\": %.9g, \"perplexity\": %.9g, \"tokens\": %zu}\n", loss, bits, ppl,
                   n_pred);
        else
            printf("loss %.6f nats/token  %.6f bits/token  perplexity %.4f  over %zu predicted tokens\n", loss,
                   bits, ppl, n_pred);
    }
    tokenizer_free(&tok);
    model_free(&m);
    return rc ? report(&err) : 0;
}

int cmd_grad(int argc, char **argv)
{
    const char *out = NULL;
    const CliOpt opts[] = {
        {"out", CLI_STR, &out, 0, 0, "GRADS", "write the gradients here (safetensors, model tensor names)"},
    };
    char *pos[2];
    CliSpec spec = {
        .usage = "rnnscope grad CKPT FILE --out GRADS.safetensors",
        .summary = "Gradient of eval's loss (full backpropagation through the whole file, dropout off)\n"
                   "for every model tensor, saved under the same names as the checkpoint.",
        .opts = opts, .n_opts = 1, .min_pos = 2, .max_pos = 2, .pos = pos,
    };
    Err err;
    err_clear(&err);
    int rc = cli_parse(&spec, argc, argv, &err);
    if (rc < 0)
        return 0;
    if (rc)
        return report(&err);
    if (!out) {
        err_set(&err, ERR_INPUT, "grad needs --out GRADS.safetensors");
        return report(&err);
    }
    Model m;
    Corpus c;
    if ((rc = load_pair(pos[0], pos[1], &m, &c, &err)) != 0)
        return report(&err);
    double loss = 0;
    size_t take = c.n <= EVAL_GRAD_MAX_TOKENS + 1 ? c.n : 0; /* a longer text is refused unread */
    int *ids = xmalloc((take ? take : 1) * sizeof *ids);
    token_ids_copy(&c.ids, 0, take, ids);
    rc = evaluate_stream_grad(&m, ids, c.n, &loss, &err);
    free(ids);
    if (rc == 0) {
        StWriter *w = st_writer_new();
        for (int i = 0; i < m.n_tensors; i++) {
            const TensorView *tv = &m.tensors[i];
            int64_t shape[2] = {tv->shape[0], tv->shape[1]};
            st_add_f32(w, tv->name, m.grads + tv->offset, tv->ndim, shape);
        }
        char lbuf[32];
        snprintf(lbuf, sizeof lbuf, "%.9g", loss);
        st_add_meta(w, "loss", lbuf);
        rc = st_writer_save(w, out, &err);
        st_writer_free(w);
        if (rc == 0)
            printf("loss %.6f over %zu predicted tokens; gradients of %d tensors written to %s\n", loss, c.n - 1,
                   m.n_tensors, out);
    }
    corpus_free(&c);
    model_free(&m);
    return rc ? report(&err) : 0;
}
