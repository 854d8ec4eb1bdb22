/* test_units_known.c — the unit explorer on a trained model whose answer is
 * known: a small LSTM trained on scripts/dev/make_synthetic.py's spans text
 * (prose with quoted and bracketed spans, each with its own words) must have
 * a unit whose tanh(c) follows "inside a quote" and one that follows "inside
 * brackets" (|r| >= 0.6 on held-out text), and an untrained model of the same
 * size must not (every |r| < 0.3), as Karpathy, Johnson and Fei-Fei 2015
 * found on real text.
 *
 * Fixtures (scripts/dev/make_units_fixture.sh regenerates them exactly):
 *   tests/fixtures/units_spans.safetensors  the trained model (export: model only)
 *   tests/fixtures/units_heldout.txt        held-out text (another seed)
 * The untrained model is built here: the checkpoint's config, PyTorch's
 * initialisation (model_init) from a fixed seed.
 *
 *   test_units_known --measure CKPT TEXT [SEED...]
 * prints the best unit for each signal for CKPT and for untrained models from
 * each SEED (default 1), for the table in docs/units_known_answers.md.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "checkpoint.h"
#include "units.h"

#define KNOWN_MIN_R 0.6   /* a trained model's best |r| at least this */
#define UNTRAINED_MAX_R 0.3 /* an untrained model's best |r| below this */

static const char *const signal_names[] = {"quotes", "brackets"};
static const char *const signal_res[] = {"\"[^\"]*\"", "\\([^)]*\\)"};
enum { N_SIGNALS = 2 };

/* The whole file, NUL-terminated; NULL when it cannot be read. */
static char *read_text(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *s = xmalloc(cap);
    size_t got;
    while ((got = fread(s + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap)
            s = xrealloc(s, cap *= 2);
    }
    fclose(f);
    s[n] = '\0';
    *len = n;
    return s;
}

/* The best unit of kind c (over every layer) for each signal of t. */
static void best_units(const Model *m, const UnitText *t, UnitScore best[N_SIGNALS])
{
    UnitCapture cap;
    Err err;
    err_clear(&err);
    if (!CHECK(units_capture(&cap, m, t->ids, t->n, &err) == 0, "capture (%s)", err.msg))
        exit(1);
    double *sig = xmalloc((size_t)t->n * sizeof *sig);
    for (int s = 0; s < N_SIGNALS; s++) {
        char msg[256] = "";
        memset(&best[s], 0, sizeof best[s]);
        if (!CHECK(units_signal_regex(t, signal_res[s], sig, msg, sizeof msg) == 0,
                   "the %s signal %s", signal_names[s], msg))
            continue;
        units_rank(&cap, units_kind_parse(m->cfg.cell, "c"), -1, sig, &best[s], 1);
    }
    free(sig);
    units_capture_free(&cap);
}

/* An untrained model with m's config, initialised from seed. */
static void untrained_like(Model *u, const Model *m, unsigned long seed)
{
    Err err;
    if (model_new(u, &m->cfg, &err))
        exit(1);
    Rng rng;
    rng_seed(&rng, seed);
    model_init(u, &rng, 0);
}

/* Load the checkpoint and encode the text with its tokenizer; 0 on success. */
static int load_pair(const char *ckpt, const char *text_path, Model *m, Tokenizer *tok,
                     UnitText *t)
{
    Err err;
    err_clear(&err);
    if (!CHECK(checkpoint_load(ckpt, m, tok, &err) == 0, "load %s (%s)", ckpt, err.msg))
        return -1;
    size_t len = 0;
    char *text = read_text(text_path, &len);
    if (!CHECK(text != NULL, "read %s", text_path)) {
        model_free(m);
        tokenizer_free(tok);
        return -1;
    }
    int rc = units_text_encode(t, tok, text, len, text_path, &err);
    free(text);
    if (!CHECK(rc == 0, "encode %s (%s)", text_path, err.msg)) {
        model_free(m);
        tokenizer_free(tok);
        return -1;
    }
    return 0;
}

static void print_best(const char *what, const UnitScore best[N_SIGNALS])
{
    printf("%-16s", what);
    for (int s = 0; s < N_SIGNALS; s++)
        printf("  %s |r| %.3f (layer %d unit %d)", signal_names[s], fabs(best[s].score),
               best[s].layer, best[s].unit);
    printf("\n");
}

static int measure(int argc, char **argv)
{
    Model m;
    Tokenizer tok;
    UnitText t;
    if (load_pair(argv[2], argv[3], &m, &tok, &t))
        return 1;
    UnitScore best[N_SIGNALS];
    best_units(&m, &t, best);
    print_best("trained", best);
    for (int i = 4; i < argc || i == 4; i++) {
        unsigned long seed = i < argc ? strtoul(argv[i], NULL, 10) : 1;
        Model u;
        untrained_like(&u, &m, seed);
        best_units(&u, &t, best);
        char what[48];
        snprintf(what, sizeof what, "untrained %lu", seed);
        print_best(what, best);
        model_free(&u);
    }
    units_text_free(&t);
    tokenizer_free(&tok);
    model_free(&m);
    return 0;
}

static void check_fixture(const char *dir)
{
    char ckpt[1100], text[1100];
    snprintf(ckpt, sizeof ckpt, "%s/units_spans.safetensors", dir);
    snprintf(text, sizeof text, "%s/units_heldout.txt", dir);
    Model m;
    Tokenizer tok;
    UnitText t;
    if (load_pair(ckpt, text, &m, &tok, &t))
        return;
    CHECK(m.cfg.cell == CELL_LSTM && t.n > 1000, "the fixture: an lstm, %d positions", t.n);
    UnitScore best[N_SIGNALS];
    best_units(&m, &t, best);
    for (int s = 0; s < N_SIGNALS; s++)
        CHECK(fabs(best[s].score) >= KNOWN_MIN_R, "trained: a %s unit (layer %d unit %d, r %.3f)",
              signal_names[s], best[s].layer, best[s].unit, best[s].score);
    CHECK(best[0].unit != best[1].unit || best[0].layer != best[1].layer,
          "trained: the quote unit and the bracket unit differ");
    Model u;
    untrained_like(&u, &m, 1);
    best_units(&u, &t, best);
    for (int s = 0; s < N_SIGNALS; s++)
        CHECK(fabs(best[s].score) < UNTRAINED_MAX_R,
              "untrained: no %s unit (best: layer %d unit %d, r %.3f)", signal_names[s],
              best[s].layer, best[s].unit, best[s].score);
    model_free(&u);
    units_text_free(&t);
    tokenizer_free(&tok);
    model_free(&m);
}

int main(int argc, char **argv)
{
    if (argc >= 4 && !strcmp(argv[1], "--measure"))
        return measure(argc, argv);
    const char *d = getenv("RNNSCOPE_TESTS");
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/fixtures", d ? d : "tests");
    check_fixture(dir);
    return check_summary();
}
