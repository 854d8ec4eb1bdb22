/* cmd_sample.c — `rnnscope sample`: text from a checkpoint, by sampling
 * (temperature, top-k, top-p), greedy argmax, or beam search. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "commands.h"
#include "flags.h"
#include "sample.h"

typedef struct {
    const Tokenizer *tok;
    FILE *out;
} EmitCtx;

static void emit_token(void *ctx, int id)
{
    EmitCtx *e = ctx;
    char buf[256];
    size_t n = tokenizer_decode(e->tok, id, buf, sizeof buf);
    fwrite(buf, 1, n < sizeof buf ? n : sizeof buf - 1, e->out);
}

int cmd_sample(int argc, char **argv)
{
    const char *prime = "";
    int length = 500, top_k = 0, argmax = 0, beam = 0;
    float temperature = 1.0f, top_p = 1.0f;
    long seed = 1;
    const CliOpt opts[] = {
        {"prime", CLI_STR, &prime, 0, 0, "TEXT", "text to start from (default: a newline)"},
        {"length", CLI_INT, &length, 1, 100000000, "N", "tokens to generate"},
        {"temperature", CLI_FLOAT, &temperature, 1e-6, 100, "T", "divide the logits by T (lower: safer, higher: wilder)"},
        {"top-k", CLI_INT, &top_k, 0, 1 << 24, "K", "sample only from the K most likely tokens (0 = all)"},
        {"top-p", CLI_FLOAT, &top_p, 1e-6, 1, "P", "sample from the smallest set with probability >= P"},
        {"seed", CLI_LONG, &seed, 0, 9.2e18, "S", "random seed"},
        {"argmax", CLI_FLAG, &argmax, 0, 1, NULL, "always take the most likely token (greedy)"},
        {"beam", CLI_INT, &beam, 0, 4096, "W", "beam search with W beams: the most likely continuation (0 = off)"},
    };
    char *pos[1];
    CliSpec spec = {
        .usage = "rnnscope sample CKPT [--prime TEXT] [--length N] [options]",
        .summary = "Generate text from a checkpoint. The prime is fed first; then tokens are drawn\n"
                   "one at a time, each fed back in.",
        .opts = opts, .n_opts = (int)(sizeof opts / sizeof opts[0]),
        .min_pos = 1, .max_pos = 1, .pos = pos,
    };
    Err err;
    err_clear(&err);
    int rc = cli_parse(&spec, argc, argv, &err);
    if (rc < 0)
        return 0;
    for (int i = 0; rc && i + 1 < argc; i++)
        if (!strcmp(argv[i], "--temperature") && strtod(argv[i + 1], NULL) == 0 && strchr("0.-+", argv[i + 1][0]))
            return report(&(Err){ERR_INPUT, "--temperature 0 would always take the most likely token: that is "
                                            "--argmax (greedy); a temperature must be above 0"});
    if (rc)
        return report(&err);
    SampleOpts so;
    sample_opts_default(&so);
    so.temperature = temperature;
    so.top_k = top_k;
    so.top_p = top_p;
    so.argmax = argmax;
    if ((rc = sample_opts_check(&so, &err)) != 0)
        return report(&err);

    Model m;
    Tokenizer tok;
    if ((rc = checkpoint_load(pos[0], &m, &tok, &err)) != 0)
        return report(&err);
    int *ids = NULL;
    size_t n_ids = 0, n_unknown = 0, first_unknown = 0;
    rc = tokenizer_encode(&tok, prime, strlen(prime), &ids, &n_ids, &n_unknown, &first_unknown, "--prime", &err);
    if (rc) {
        model_free(&m);
        tokenizer_free(&tok);
        return report(&err);
    }
    if (n_unknown)
        fprintf(stderr, "rnnscope: warning: --prime has %zu token(s) outside the model's vocabulary "
                "(first at byte %zu); %s\n", n_unknown, first_unknown,
                tok.type == TOK_WORD ? "they are read as <unk>" : "they are skipped");
    if (n_ids == 0) {
        free(ids);
        ids = xmalloc(sizeof(int));
        ids[0] = sample_start_token(&tok);
        n_ids = 1;
    }
    fwrite(prime, 1, strlen(prime), stdout);
    EmitCtx ctx = {&tok, stdout};
    if (beam > 0) {
        int *out = xmalloc(sizeof(int) * (size_t)length);
        double logprob = 0;
        rc = sample_beam(&m, ids, n_ids, length, beam, out, &logprob, &err);
        for (int i = 0; rc == 0 && i < length; i++)
            emit_token(&ctx, out[i]);
        if (rc == 0)
            fprintf(stderr, "rnnscope: beam search log-probability %.4f (%.4f nats per token)\n", logprob,
                    -logprob / length);
        free(out);
    } else {
        Sampler s;
        Rng rng;
        rng_seed(&rng, (uint64_t)seed);
        sampler_init(&s, &m);
        rc = sample_generate(&s, ids, n_ids, length, &so, &rng, emit_token, &ctx, &err);
        sampler_free(&s);
    }
    fputc('\n', stdout);
    free(ids);
    model_free(&m);
    tokenizer_free(&tok);
    return rc ? report(&err) : 0;
}
