/* test_units.c — the unit explorer's core (units.h) on answers known exactly.
 *
 * Hand-built models whose units compute something by construction: an LSTM
 * (identity embedding) with one unit whose cell state counts the column in the
 * line and one that tracks bracket depth, every other unit constant; a tanh
 * RNN with a bracket-depth unit. units_rank must put those units first.
 * Then units_rank and units_rank_span on captures filled by hand (exact
 * correlations, ties, truncation, NAN positions, bad arguments), the signals
 * (regex, column, indentation) on small texts, ablation (an ablated unit has
 * no influence on the logits, for every cell and depth), incremental capture
 * against one capture and against a direct forward, token spans, and the
 * n-gram comparison's buckets on an example worked by hand.
 * The trained-model counterpart is test_units_known.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "units.h"

/* ---- helpers ------------------------------------------------------------------- */

/* A char tokenizer built from s, and s encoded with it. */
static void text_of(UnitText *t, Tokenizer *tok, const char *s, size_t len)
{
    Err err;
    err_clear(&err);
    if (tokenizer_build(tok, TOK_CHAR, s, len, 0, "test", &err) ||
        units_text_encode(t, tok, s, len, "test", &err)) {
        fprintf(stderr, "text_of: %s\n", err.msg);
        exit(1);
    }
}

static void must(int rc, const Err *err, const char *what)
{
    if (rc) {
        fprintf(stderr, "%s: %s\n", what, err->msg);
        exit(1);
    }
}

/* A capture of an lstm's kinds with act filled by the caller (no model). */
static void fake_capture(UnitCapture *u, int layers, int H, int n)
{
    memset(u, 0, sizeof *u);
    u->cfg = (ModelConfig){CELL_LSTM, layers, H, 4, 8, 0};
    u->kinds = units_n_kinds(CELL_LSTM);
    u->n = u->done = n;
    u->act = xcalloc((size_t)layers * u->kinds * n * H, sizeof *u->act);
}

static float *fake_at(UnitCapture *u, int l, int k, int t, int j)
{
    return u->act + (((size_t)l * u->kinds + k) * u->n + t) * u->cfg.hidden + j;
}

/* A model with PyTorch's initialisation scaled by `gain` (so some gates saturate). */
static void random_model(Model *m, CellType cell, int layers, int H, int E, int V,
                         unsigned seed, float gain)
{
    ModelConfig cfg = {cell, layers, H, E, V, 0};
    Err err;
    must(model_new(m, &cfg, &err), &err, "model_new");
    Rng rng;
    rng_seed(&rng, seed);
    model_init(m, &rng, 0);
    for (size_t i = 0; i < m->n_params; i++)
        m->params[i] *= gain;
}

static int *random_ids(int n, int V, unsigned seed)
{
    Rng rng;
    rng_seed(&rng, seed);
    int *ids = xmalloc((size_t)n * sizeof *ids);
    for (int i = 0; i < n; i++)
        ids[i] = (int)rng_below(&rng, (uint32_t)V);
    return ids;
}

/* The logits of ids[0..T) from a zero state, copied to out (T, V). */
static void logits_of(Model *m, const int *ids, int T, float *out)
{
    Workspace *ws = workspace_new(&m->cfg, T, 1);
    State st;
    state_init(&st, &m->cfg, 1);
    model_forward(m, ws, ids, NULL, T, 1, &st, 0, NULL);
    memcpy(out, workspace_logits(ws), (size_t)T * m->cfg.vocab * sizeof *out);
    state_free(&st);
    workspace_free(ws);
}

/* Lines of 'a', 'b', ' ' with balanced brackets (depth <= 3) and lines of
 * 3..30 characters, from a fixed seed. */
static char *bracket_text(int lines, size_t *len)
{
    Rng rng;
    rng_seed(&rng, 7);
    char *s = xmalloc((size_t)lines * 40 + 1);
    size_t n = 0;
    for (int l = 0; l < lines; l++) {
        int width = 3 + (int)rng_below(&rng, 28), depth = 0;
        for (int c = 0; c < width; c++) {
            uint32_t r = rng_below(&rng, 10);
            int left = width - c;
            if (depth == left || (depth > 0 && r == 0))
                s[n++] = ')', depth--;
            else if (depth < 3 && left > depth + 1 && r == 1)
                s[n++] = '(', depth++;
            else
                s[n++] = "ab "[r % 3];
        }
        s[n++] = '\n';
    }
    s[n] = '\0';
    *len = n;
    return s;
}

/* The bracket depth after each token (an opening bracket is inside, a
 * closing one outside: what a state updated by the token can know). */
static void depth_signal(const UnitText *t, double *sig)
{
    int depth = 0;
    for (int i = 0; i < t->n; i++) {
        char c = t->text[t->start[i]];
        depth += (c == '(') - (c == ')');
        sig[i] = depth;
    }
}

/* ---- hand-built models -------------------------------------------------------- */

enum { HB_H = 5, HB_COL = 1, HB_DEPTH = 3, HB_NL = 4 }; /* units 0, 2 stay constant */

static float *hb_row(Model *m, int tensor, int gate, int unit)
{
    int cols = m->tensors[tensor].ndim == 2 ? m->tensors[tensor].shape[1] : 1;
    return model_tensor(m, tensor) + (size_t)(gate * HB_H + unit) * cols;
}

/* One layer of HB_H units, every weight zero but an identity embedding (E = V). */
static void hand_model(Model *m, CellType cell, const Tokenizer *tok)
{
    const int V = tok->vocab_size;
    ModelConfig cfg = {cell, 1, HB_H, V, V, 0};
    Err err;
    must(model_new(m, &cfg, &err), &err, "model_new");
    float *emb = model_tensor(m, TENSOR_EMBEDDING);
    for (int v = 0; v < V; v++)
        emb[v * V + v] = 1;
}

/* An LSTM with E = V (identity embedding) and H = 5: unit HB_NL is 1 after a
 * newline and 0 otherwise (its h feeds the next step); unit HB_COL adds
 * 0.02 per token and forgets when HB_NL says the last token was a newline, so
 * c = 0.02 (column + 1); unit HB_DEPTH adds 0.05 on '(' and -0.05 on ')', so
 * c = 0.05 depth. The input gates of every unit are open (1.0 exactly). */
static void hand_lstm(Model *m, const Tokenizer *tok)
{
    hand_model(m, CELL_LSTM, tok);
    int nl = tokenizer_lookup(tok, "\n", 1), op = tokenizer_lookup(tok, "(", 1),
        cl = tokenizer_lookup(tok, ")", 1);
    const int IH = TENSOR_W_IH(0), HH = TENSOR_W_HH(0), B = TENSOR_B_IH(0);
    enum { I, F, G, O };
    for (int j = 0; j < HB_H; j++)
        hb_row(m, B, I, j)[0] = 20; /* sigmoid(20) is 1.0f */
    /* the newline flag: forget everything, g = tanh(20) = 1 on a newline */
    hb_row(m, B, F, HB_NL)[0] = -20;
    hb_row(m, IH, G, HB_NL)[nl] = 20;
    hb_row(m, B, O, HB_NL)[0] = 20;
    /* the column */
    hb_row(m, B, F, HB_COL)[0] = 20;
    hb_row(m, HH, F, HB_COL)[HB_NL] = -60;
    hb_row(m, B, G, HB_COL)[0] = atanhf(0.02f);
    hb_row(m, B, O, HB_COL)[0] = 20;
    /* the depth */
    hb_row(m, B, F, HB_DEPTH)[0] = 20;
    hb_row(m, IH, G, HB_DEPTH)[op] = atanhf(0.05f);
    hb_row(m, IH, G, HB_DEPTH)[cl] = -atanhf(0.05f);
}

/* A tanh RNN, E = V: unit HB_DEPTH keeps its value (W_hh = 1) and adds 0.01 on
 * '(' and -0.01 on ')' (small, so tanh(x) - x, about -x^3/3, stays far below
 * the step as it accumulates over the text). */
static void hand_rnn(Model *m, const Tokenizer *tok)
{
    hand_model(m, CELL_RNN, tok);
    hb_row(m, TENSOR_W_HH(0), 0, HB_DEPTH)[HB_DEPTH] = 1;
    hb_row(m, TENSOR_W_IH(0), 0, HB_DEPTH)[tokenizer_lookup(tok, "(", 1)] = 0.01f;
    hb_row(m, TENSOR_W_IH(0), 0, HB_DEPTH)[tokenizer_lookup(tok, ")", 1)] = -0.01f;
}

static void test_hand_built(void)
{
    size_t len;
    char *s = bracket_text(120, &len);
    Tokenizer tok;
    UnitText t;
    text_of(&t, &tok, s, len);
    double *line = xmalloc((size_t)t.n * sizeof *line), *depth = xmalloc((size_t)t.n * sizeof *depth);
    units_signal_line(&t, line);
    depth_signal(&t, depth);
    Err err;
    UnitScore top[HB_H];

    Model m;
    hand_lstm(&m, &tok);
    UnitCapture u;
    must(units_capture(&u, &m, t.ids, t.n, &err), &err, "capture");
    int c = units_kind_parse(CELL_LSTM, "c");
    int n = units_rank(&u, c, -1, line, top, HB_H);
    CHECK(n == HB_H && top[0].unit == HB_COL && top[0].score > 0.99,
          "lstm: the column unit ranks first by the line signal (unit %d, r %.5f)", top[0].unit,
          top[0].score);
    CHECK(fabs(top[1].score) < 0.5, "lstm: the next unit is far behind (unit %d, r %.3f)",
          top[1].unit, top[1].score);
    n = units_rank(&u, c, 0, depth, top, HB_H);
    CHECK(n == HB_H && top[0].unit == HB_DEPTH && top[0].score > 0.99,
          "lstm: the depth unit ranks first by bracket depth (unit %d, r %.5f)", top[0].unit,
          top[0].score);
    const float *col = units_column(&u, 0, c, HB_COL);
    double worst = 0;
    for (int i = 0; i < t.n; i++) {
        double d = fabs(col[(size_t)i * HB_H] - tanh(0.02 * (line[i] + 1)));
        worst = d > worst ? d : worst;
    }
    CHECK(worst < 1e-4, "lstm: tanh(c) of the column unit is tanh(0.02 (column + 1)) (off by %.2g)",
          worst);
    int constant = 1;
    for (int k = 0; k < u.kinds; k++) {
        units_rank(&u, k, 0, line, top, HB_H);
        for (int i = 0; i < HB_H; i++)
            if (top[i].unit == 0 || top[i].unit == 2)
                constant &= top[i].score == 0;
    }
    CHECK(constant, "lstm: the units without weights score 0 in every kind");
    n = units_rank(&u, units_kind_parse(CELL_LSTM, "i"), 0, line, top, HB_H);
    CHECK(n == HB_H && top[0].score == 0, "lstm: the input gates are constant (best r %g)",
          top[0].score);
    n = units_rank(&u, units_kind_parse(CELL_LSTM, "h"), 0, depth, top, 1);
    CHECK(n == 1 && top[0].unit == HB_DEPTH && top[0].score > 0.99,
          "lstm: h = o tanh(c) with o constant: depth unit first (unit %d, r %.5f)", top[0].unit,
          top[0].score);
    n = units_rank(&u, units_kind_parse(CELL_LSTM, "f"), 0, line, top, 1);
    CHECK(n == 1 && top[0].unit == HB_COL && top[0].score > 0.2,
          "lstm: the column unit's forget gate closes at the line start (r %.3f)", top[0].score);
    units_capture_free(&u);
    model_free(&m);

    hand_rnn(&m, &tok);
    must(units_capture(&u, &m, t.ids, t.n, &err), &err, "capture");
    n = units_rank(&u, 0, -1, depth, top, HB_H);
    CHECK(n == HB_H && top[0].unit == HB_DEPTH && top[0].score > 0.99 && top[1].score == 0,
          "rnn: the depth unit ranks first, the rest score 0 (unit %d, r %.5f)", top[0].unit,
          top[0].score);
    units_capture_free(&u);
    model_free(&m);

    free(line);
    free(depth);
    units_text_free(&t);
    tokenizer_free(&tok);
    free(s);
}

/* ---- units_rank on a capture filled by hand ------------------------------------ */

static void test_rank_synthetic(void)
{
    enum { L = 2, H = 4, N = 50 };
    UnitCapture u;
    fake_capture(&u, L, H, N);
    double sig[N];
    Rng rng;
    rng_seed(&rng, 3);
    for (int t = 0; t < N; t++) {
        sig[t] = (t * 7) % 11;
        for (int l = 0; l < L; l++)
            for (int j = 0; j < H; j++)
                *fake_at(&u, l, 0, t, j) = rng_range(&rng, -1, 1); /* noise */
        *fake_at(&u, 1, 0, t, 2) = (float)sig[t];          /* exact */
        *fake_at(&u, 0, 0, t, 3) = (float)(2 * sig[t] + 1); /* exact, affine */
        *fake_at(&u, 1, 0, t, 0) = (float)-sig[t];         /* exact, negative */
        *fake_at(&u, 0, 0, t, 1) = 0.5f;                   /* constant */
        *fake_at(&u, 0, 1, t, 0) = (float)sig[t];          /* another kind */
    }
    UnitScore top[L * H + 2];
    int n = units_rank(&u, 0, -1, sig, top, L * H + 2);
    CHECK(n == L * H, "rank: all %d units when top is larger (got %d)", L * H, n);
    CHECK(fabs(top[0].score - 1) < 1e-12 && fabs(top[1].score + 1) < 1e-12 &&
              fabs(top[2].score - 1) < 1e-12,
          "rank: exact columns score |r| = 1 (%.15f %.15f %.15f)", top[0].score, top[1].score,
          top[2].score);
    CHECK(top[0].layer == 0 && top[0].unit == 3 && top[1].layer == 1 && top[1].unit == 0 &&
              top[2].layer == 1 && top[2].unit == 2,
          "rank: ties by layer, then unit: (%d,%d) (%d,%d) (%d,%d)", top[0].layer, top[0].unit,
          top[1].layer, top[1].unit, top[2].layer, top[2].unit);
    int sorted = 1, constant_zero = 0;
    for (int i = 0; i < n; i++) {
        sorted &= i == 0 || fabs(top[i].score) <= fabs(top[i - 1].score);
        if (top[i].layer == 0 && top[i].unit == 1)
            constant_zero = top[i].score == 0 && top[i].inside == 0 && top[i].around == 0;
    }
    CHECK(sorted, "rank: sorted by |r|");
    CHECK(constant_zero, "rank: a constant unit scores 0");
    UnitScore two[2];
    n = units_rank(&u, 0, -1, sig, two, 2);
    CHECK(n == 2 && two[0].unit == 3 && two[1].layer == 1 && two[1].unit == 0,
          "rank: top 2 keeps the first two (%d)", n);
    CHECK(units_rank(&u, 0, -1, sig, two, 0) == 0, "rank: top 0 writes nothing");
    n = units_rank(&u, 0, 1, sig, top, L * H);
    int one_layer = n == H;
    for (int i = 0; i < n; i++)
        one_layer &= top[i].layer == 1;
    CHECK(one_layer && top[0].unit == 0 && top[1].unit == 2, "rank: layer 1 alone (%d units)", n);
    n = units_rank(&u, 1, -1, sig, top, 1);
    CHECK(n == 1 && top[0].layer == 0 && top[0].unit == 0 && fabs(top[0].score - 1) < 1e-12,
          "rank: another kind's columns");

    /* NAN positions do not count: spoil the exact column where sig is NAN */
    for (int t = 0; t < N; t += 3) {
        sig[t] = NAN;
        *fake_at(&u, 1, 0, t, 2) = 100;
    }
    n = units_rank(&u, 0, 1, sig, top, 2);
    CHECK(n == 2 && top[1].unit == 2 && fabs(top[1].score - 1) < 1e-12,
          "rank: NAN positions ignored (r %.15f)", top[1].score);
    for (int t = 0; t < N; t++)
        sig[t] = 4;
    n = units_rank(&u, 0, -1, sig, top, 1);
    CHECK(n == 1 && top[0].score == 0, "rank: a constant signal scores 0");
    for (int t = 0; t < N; t++)
        sig[t] = t == 5 ? 1 : NAN;
    n = units_rank(&u, 0, -1, sig, top, 1);
    CHECK(n == 1 && top[0].score == 0, "rank: one finite position scores 0");

    CHECK(units_rank(&u, -1, -1, sig, top, 1) == -1 && units_rank(&u, 6, -1, sig, top, 1) == -1,
          "rank: bad kind -> -1");
    CHECK(units_rank(&u, 0, 2, sig, top, 1) == -1 && units_rank(&u, 0, -2, sig, top, 1) == -1,
          "rank: bad layer -> -1");
    free(u.act);
}

static void test_rank_span(void)
{
    enum { L = 1, H = 3, N = 100, A = 40, B = 50 };
    UnitCapture u;
    fake_capture(&u, L, H, N);
    Rng rng;
    rng_seed(&rng, 5);
    for (int t = 0; t < N; t++) {
        *fake_at(&u, 0, 0, t, 0) = rng_range(&rng, -0.1f, 0.1f);
        *fake_at(&u, 0, 0, t, 1) = t >= A && t < B ? 1.0f : 0.0f;
        *fake_at(&u, 0, 0, t, 2) = 0.25f;
    }
    UnitScore top[H];
    int n = units_rank_span(&u, 0, -1, A, B, top, H);
    CHECK(n == H && top[0].unit == 1 && top[0].inside == 1 && top[0].around == 0 &&
              top[0].score == 1,
          "span: the unit high on the span ranks first (unit %d, %g - %g)", top[0].unit,
          top[0].inside, top[0].around);
    CHECK(top[2].unit == 2 && top[2].score == 0 && top[2].inside == 0.25,
          "span: a constant unit scores 0");
    /* the window: 16 positions on each side (max(b - a, 16)); the high
     * stretch lies outside [a - 16, b + 16) when the span is [70, 72) */
    n = units_rank_span(&u, 0, 0, 70, 72, top, 1);
    CHECK(n == 1 && top[0].unit != 1, "span: what lies beyond the window does not count (unit %d)",
          top[0].unit);
    n = units_rank_span(&u, 0, 0, 50, 54, top, 1);
    CHECK(n == 1 && top[0].unit == 1 && top[0].inside == 0 && top[0].score < 0,
          "span: lower than around ranks too (inside %g, around %g)", top[0].inside, top[0].around);
    n = units_rank_span(&u, 0, -1, 0, 10, top, 1);
    CHECK(n == 1 && top[0].around == top[0].around, "span at the start: compared with the right side");
    CHECK(units_rank_span(&u, 0, -1, 0, N, top, H) == 0, "span: the whole text -> 0 results");
    CHECK(units_rank_span(&u, 0, -1, -1, 5, top, H) == -1 &&
              units_rank_span(&u, 0, -1, 5, N + 1, top, H) == -1 &&
              units_rank_span(&u, 0, -1, 5, 5, top, H) == -1 &&
              units_rank_span(&u, 0, -1, 6, 5, top, H) == -1,
          "span: bad spans -> -1");
    CHECK(units_rank_span(&u, 7, -1, 1, 5, top, H) == -1 &&
              units_rank_span(&u, 0, 1, 1, 5, top, H) == -1,
          "span: bad kind or layer -> -1");
    u.done = 60; /* a capture still running: only what is captured counts */
    CHECK(units_rank_span(&u, 0, -1, 55, 61, top, H) == -1, "span: beyond the captured positions -> -1");
    free(u.act);
}

/* ---- signals ------------------------------------------------------------------ */

/* sig as a string of digits (NAN: '?'), for compact comparisons */
static const char *sig_str(const double *sig, int n)
{
    static char buf[256];
    int i;
    for (i = 0; i < n && i < 255; i++)
        buf[i] = isfinite(sig[i]) ? (char)('0' + (int)sig[i] % 10) : '?';
    buf[i] = '\0';
    return buf;
}

/* The regex signal of text under re, as digits; "ERR" when it fails. */
static const char *regex_on(const char *text, size_t len, const char *re)
{
    Tokenizer tok;
    UnitText t;
    text_of(&t, &tok, text, len);
    double sig[128];
    char msg[200];
    const char *r = units_signal_regex(&t, re, sig, msg, sizeof msg) ? "ERR" : sig_str(sig, t.n);
    units_text_free(&t);
    tokenizer_free(&tok);
    return r;
}

static void test_signal_regex(void)
{
    const char *q = "\"[^\"]*\"", *br = "\\([^)]*\\)";
    const char *s = regex_on("say \"hi\" or \"\" ok", 17, q);
    CHECK(!strcmp(s, "00001111000011000"), "regex: quotes %s", s);
    s = regex_on("a (b c) d ()", 12, br);
    CHECK(!strcmp(s, "001111100011"), "regex: brackets %s", s);
    s = regex_on("axxbx", 5, "x*");
    CHECK(!strcmp(s, "01101"), "regex: an empty match marks nothing %s", s);
    s = regex_on("abc", 3, "q*");
    CHECK(!strcmp(s, "000"), "regex: only empty matches %s", s);
    s = regex_on("^a", 2, "a");
    CHECK(!strcmp(s, "01"), "regex: a later match %s", s);
    s = regex_on("ab ab", 5, "^ab");
    CHECK(!strcmp(s, "11000"), "regex: ^ anchors at the text's start only %s", s);
    s = regex_on("x\"a\0b\"y\0\"z\"", 11, q);
    CHECK(!strcmp(s, "01111100111"), "regex: NUL bytes inside and between matches %s", s);

    /* multi-byte UTF-8: tokens start at code point boundaries */
    const char *u8 = "\xc3\xa9\"\xc3\xbc\xe2\x82\xac\"\xc3\x9f"; /* é"ü€"ß */
    Tokenizer tok;
    UnitText t;
    text_of(&t, &tok, u8, strlen(u8));
    double sig[8];
    char msg[200];
    CHECK(t.n == 6 && t.start[1] == 2 && t.start[2] == 3 && t.start[3] == 5 && t.start[4] == 8 &&
              t.end[3] == 8 && t.end[5] == 11,
          "utf-8: token starts and ends at code points (n %d)", t.n);
    units_signal_regex(&t, q, sig, msg, sizeof msg);
    CHECK(!strcmp(sig_str(sig, t.n), "011110"), "utf-8: quotes %s", sig_str(sig, t.n));
    units_signal_regex(&t, "\xc3\xbc", sig, msg, sizeof msg);
    CHECK(!strcmp(sig_str(sig, t.n), "001000"), "utf-8: a multi-byte literal %s", sig_str(sig, t.n));
    msg[0] = '\0';
    int rc = units_signal_regex(&t, "(ab", sig, msg, sizeof msg);
    CHECK(rc == -1 && strstr(msg, "bad regular expression '(ab': ") && strlen(msg) > 30,
          "regex: a bad one -> -1 (%s)", msg);
    rc = units_signal_regex(&t, "a{2,1}", sig, msg, 12);
    CHECK(rc == -1 && strlen(msg) == 11, "regex: the message fits its buffer (%s)", msg);
    units_text_free(&t);
    tokenizer_free(&tok);
}

static void test_signal_line_indent(void)
{
    Tokenizer tok;
    UnitText t;
    double sig[32];
    text_of(&t, &tok, "ab\ncd\n\nxyz", 10);
    units_signal_line(&t, sig);
    CHECK(!strcmp(sig_str(sig, t.n), "0120120012"), "line: %s", sig_str(sig, t.n));
    units_text_free(&t);
    tokenizer_free(&tok);

    text_of(&t, &tok, "\n\xc3\xa9\xc3\xa9x\n", 7); /* "\néé x\n" */
    units_signal_line(&t, sig);
    CHECK(!strcmp(sig_str(sig, t.n), "00123"), "line: counts characters, not bytes %s",
          sig_str(sig, t.n));
    units_text_free(&t);
    tokenizer_free(&tok);

    /* one long line: the column of token i is i (and one pass, not one per token) */
    enum { LONG = 60000 };
    char *longline = xmalloc(LONG);
    for (int i = 0; i < LONG; i++)
        longline[i] = "ab"[i % 2];
    text_of(&t, &tok, longline, LONG);
    double *lsig = xmalloc(LONG * sizeof *lsig);
    units_signal_line(&t, lsig);
    int ok = t.n == LONG;
    for (int i = 0; ok && i < LONG; i++)
        ok = lsig[i] == i;
    CHECK(ok, "line: a line of %d characters", LONG);
    free(lsig);
    free(longline);
    units_text_free(&t);
    tokenizer_free(&tok);

    const char *ind = "  a\n\tb\n \tc\n d e\n\t\t x";
    text_of(&t, &tok, ind, strlen(ind));
    units_signal_indent(&t, sig);
    /* tokens:  ' ' ' ' a \n \t b \n ' ' \t c \n ' ' d ' ' e \n \t \t ' ' x
     * depth:    0   1  2  2  0 8  8  0   1 8  8  0   1  1  1  1 0  8  16 17 */
    static const int want[] = {0, 1, 2, 2, 0, 8, 8, 0, 1, 8, 8, 0, 1, 1, 1, 1, 0, 8, 16, 17};
    ok = t.n == 20;
    for (int i = 0; ok && i < t.n; i++)
        ok = sig[i] == want[i];
    CHECK(ok, "indent: tabs to multiples of 8, positions inside the indentation (n %d)", t.n);
    units_text_free(&t);
    tokenizer_free(&tok);
}

/* ---- ablation ----------------------------------------------------------------- */

/* Does perturbing the weights and biases that feed unit j of layer l (its
 * rows of every gate) change the logits of ids? */
static int unit_has_influence(Model *m, int l, int j, const int *ids, int T)
{
    const int V = m->cfg.vocab, H = m->cfg.hidden, G = cell_gates(m->cfg.cell);
    float *a = xmalloc((size_t)T * V * sizeof *a), *b = xmalloc((size_t)T * V * sizeof *b);
    logits_of(m, ids, T, a);
    float *saved = xmalloc(m->n_params * sizeof *saved);
    memcpy(saved, m->params, m->n_params * sizeof *saved);
    const int tensors[4] = {TENSOR_W_IH(l), TENSOR_W_HH(l), TENSOR_B_IH(l), TENSOR_B_HH(l)};
    for (int i = 0; i < 4; i++) {
        const TensorView *v = &m->tensors[tensors[i]];
        int cols = v->ndim == 2 ? v->shape[1] : 1;
        for (int g = 0; g < G; g++)
            for (int c = 0; c < cols; c++)
                m->params[v->offset + (size_t)(g * H + j) * cols + c] += 0.7f + 0.1f * (float)c;
    }
    logits_of(m, ids, T, b);
    memcpy(m->params, saved, m->n_params * sizeof *saved);
    int changed = memcmp(a, b, (size_t)T * V * sizeof *a) != 0;
    free(saved);
    free(a);
    free(b);
    return changed;
}

static void test_ablate(void)
{
    enum { H = 4, E = 3, V = 5, T = 20 };
    int *ids = random_ids(T, V, 11);
    for (int cell = CELL_LSTM; cell <= CELL_RNN; cell++)
        for (int layers = 1; layers <= 2; layers++)
            for (int l = 0; l < layers; l++) {
                Model m;
                random_model(&m, (CellType)cell, layers, H, E, V, 17, 1.5f);
                const int k = 2;
                CHECK(unit_has_influence(&m, l, k, ids, T),
                      "ablate %s %d layers: unit (%d, %d) has influence before", cell_name(cell),
                      layers, l, k);
                Err err;
                err_clear(&err);
                int rc = units_ablate(&m.cfg, m.params, l, k, &err);
                CHECK(rc == 0 && !unit_has_influence(&m, l, k, ids, T),
                      "ablate %s %d layers: unit (%d, %d) has none after", cell_name(cell),
                      layers, l, k);
                CHECK(unit_has_influence(&m, l, k + 1, ids, T) && unit_has_influence(&m, l, 0, ids, T),
                      "ablate %s %d layers: the other units of layer %d still have influence",
                      cell_name(cell), layers, l);
                model_free(&m);
            }
    Model m;
    random_model(&m, CELL_LSTM, 2, H, E, V, 1, 1);
    Err err;
    err_clear(&err);
    CHECK(units_ablate(&m.cfg, m.params, 2, 0, &err) == ERR_INPUT && strstr(err.msg, "layer 2"),
          "ablate: layer out of range (%s)", err.msg);
    CHECK(units_ablate(&m.cfg, m.params, -1, 0, &err) == ERR_INPUT, "ablate: layer -1");
    CHECK(units_ablate(&m.cfg, m.params, 0, H, &err) == ERR_INPUT && strstr(err.msg, "unit 4"),
          "ablate: unit out of range (%s)", err.msg);
    CHECK(units_ablate(&m.cfg, m.params, 0, -1, &err) == ERR_INPUT, "ablate: unit -1");
    model_free(&m);
    free(ids);
}

/* ---- capture ------------------------------------------------------------------ */

static int same_capture(const UnitCapture *a, const UnitCapture *b)
{
    size_t L = (size_t)a->cfg.layers, K = (size_t)a->kinds, H = (size_t)a->cfg.hidden;
    return a->done == a->n && b->done == b->n && a->n == b->n &&
           !memcmp(a->act, b->act, L * K * (size_t)a->n * H * sizeof *a->act) &&
           !memcmp(a->loss, b->loss, (size_t)a->n * sizeof *a->loss) &&
           !memcmp(a->sat_lo, b->sat_lo, L * K * H * sizeof *a->sat_lo) &&
           !memcmp(a->sat_hi, b->sat_hi, L * K * H * sizeof *a->sat_hi);
}

/* The capture against one forward over the whole text: loss, h and c. */
static void check_against_forward(const UnitCapture *u, Model *m, const int *ids, int n)
{
    const ModelConfig *cfg = &m->cfg;
    const int V = cfg->vocab, H = cfg->hidden;
    Workspace *ws = workspace_new(cfg, n, 1);
    State st;
    state_init(&st, cfg, 1);
    model_forward(m, ws, ids, NULL, n, 1, &st, 0, NULL);
    const float *z = workspace_logits(ws);
    double worst = 0;
    for (int t = 1; t < n; t++) {
        const float *row = z + (size_t)(t - 1) * V;
        double s = 0;
        for (int v = 0; v < V; v++)
            s += exp((double)row[v]);
        double want = log(s) - row[ids[t]];
        double d = fabs(u->loss[t] - want);
        worst = d > worst ? d : worst;
    }
    CHECK(isnan(u->loss[0]) && worst < 1e-4, "capture %s: loss = -log softmax of a forward (off by %.2g)",
          cell_name(cfg->cell), worst);
    double wh = 0, wc = 0;
    int kh = units_kind_parse(cfg->cell, "h"), kc = units_kind_parse(cfg->cell, "c");
    for (int l = 0; l < cfg->layers; l++)
        for (int t = 0; t < n; t++)
            for (int j = 0; j < H; j++) {
                size_t at = (size_t)(t + 1) * H + j;
                double d = fabs(units_column(u, l, kh, j)[(size_t)t * H] - workspace_layer_h(ws, l)[at]);
                wh = d > wh ? d : wh;
                if (kc >= 0) {
                    d = fabs(units_column(u, l, kc, j)[(size_t)t * H] - tanh(workspace_layer_c(ws, l)[at]));
                    wc = d > wc ? d : wc;
                }
            }
    CHECK(wh < 1e-5 && wc < 1e-5, "capture %s: h and tanh(c) as a forward's (off by %.2g, %.2g)",
          cell_name(cfg->cell), wh, wc);
    state_free(&st);
    workspace_free(ws);
}

static void check_saturation(const UnitCapture *u)
{
    const int H = u->cfg.hidden;
    int ok = 1;
    long some = 0;
    for (int l = 0; l < u->cfg.layers; l++)
        for (int k = 0; k < u->kinds; k++) {
            int gate = units_kind_is_gate(u->cfg.cell, k);
            float lo = gate ? UNITS_SAT_SIGMOID : -UNITS_SAT_TANH;
            float hi = gate ? 1 - UNITS_SAT_SIGMOID : UNITS_SAT_TANH;
            for (int j = 0; j < H; j++) {
                const float *x = units_column(u, l, k, j);
                int nlo = 0, nhi = 0;
                for (int t = 0; t < u->n; t++) {
                    nlo += x[(size_t)t * H] < lo;
                    nhi += x[(size_t)t * H] > hi;
                }
                size_t at = ((size_t)l * u->kinds + k) * H + j;
                ok &= u->sat_lo[at] == nlo && u->sat_hi[at] == nhi;
                some += nlo + nhi;
            }
        }
    CHECK(ok && some > 0, "capture %s: saturation counts match a direct count (%ld saturated)",
          cell_name(u->cfg.cell), some);
}

static void test_capture(void)
{
    enum { N = 300, V = 7 };
    int *ids = random_ids(N, V, 23);
    for (int cell = CELL_LSTM; cell <= CELL_RNN; cell++) {
        Model m;
        random_model(&m, (CellType)cell, 2, 6, 4, V, 29, 3);
        UnitCapture whole;
        Err err;
        err_clear(&err);
        must(units_capture(&whole, &m, ids, N, &err), &err, "capture");
        CHECK(whole.done == N && whole.kinds == units_n_kinds(cell), "capture %s: complete",
              cell_name(cell));
        static const int pieces[] = {1, 64, 100};
        for (int p = 0; p < 3; p++) {
            UnitCapture inc;
            must(units_capture_begin(&inc, &m, ids, N, &err), &err, "begin");
            int left = N, calls = 0, steady = 1;
            while (left > 0 && calls < N) {
                int before = inc.done;
                left = units_capture_run(&inc, pieces[p]);
                steady &= inc.done - before >= pieces[p] || left == 0;
                steady &= (inc.done - before) % UNITS_CHUNK == 0 || left == 0;
                calls++;
            }
            int want_calls = (N + UNITS_CHUNK * ((pieces[p] + UNITS_CHUNK - 1) / UNITS_CHUNK) - 1) /
                             (UNITS_CHUNK * ((pieces[p] + UNITS_CHUNK - 1) / UNITS_CHUNK));
            CHECK(steady && calls == want_calls && same_capture(&inc, &whole),
                  "capture %s in pieces of %d: %d calls, bit-identical to one capture",
                  cell_name(cell), pieces[p], calls);
            CHECK(units_capture_run(&inc, 5) == 0 && inc.done == N, "capture %s: a finished capture stays",
                  cell_name(cell));
            units_capture_free(&inc);
        }
        check_against_forward(&whole, &m, ids, N);
        check_saturation(&whole);
        /* the capture runs on its own copy of the weights */
        UnitCapture again;
        must(units_capture_begin(&again, &m, ids, N, &err), &err, "begin");
        for (size_t i = 0; i < m.n_params; i++)
            m.params[i] *= 2;
        units_capture_run(&again, 0);
        for (size_t i = 0; i < m.n_params; i++)
            m.params[i] /= 2;
        CHECK(same_capture(&again, &whole), "capture %s: begin copies the weights", cell_name(cell));
        units_capture_free(&again);
        units_capture_free(&whole);
        model_free(&m);
    }
    Model m;
    random_model(&m, CELL_GRU, 1, 3, 2, V, 1, 1);
    UnitCapture u;
    Err err;
    err_clear(&err);
    CHECK(units_capture(&u, &m, ids, 0, &err) == ERR_INPUT, "capture: no positions (%s)", err.msg);
    ids[5] = V;
    CHECK(units_capture(&u, &m, ids, 10, &err) == ERR_INPUT && strstr(err.msg, "token 5"),
          "capture: an id outside the vocabulary (%s)", err.msg);
    units_capture_free(&u);
    CHECK(units_capture_bytes(&m.cfg, 100) >= (size_t)1 * 4 * 100 * 3 * sizeof(float),
          "capture: bytes cover the activations");
    model_free(&m);
    free(ids);
}

/* ---- kinds, token spans ---------------------------------------------------------- */

static void test_kinds(void)
{
    CHECK(units_n_kinds(CELL_LSTM) == 6 && units_n_kinds(CELL_GRU) == 4 && units_n_kinds(CELL_RNN) == 1,
          "kinds: counts");
    CHECK(!strcmp(units_kind_name(CELL_LSTM, 0), "c") && !strcmp(units_kind_name(CELL_LSTM, 5), "o") &&
              !strcmp(units_kind_name(CELL_GRU, 3), "n") && !strcmp(units_kind_name(CELL_RNN, 1), "") &&
              !strcmp(units_kind_name(CELL_LSTM, -1), ""),
          "kinds: names");
    CHECK(units_kind_parse(CELL_LSTM, "g") == 4 && units_kind_parse(CELL_GRU, "z") == 2 &&
              units_kind_parse(CELL_RNN, "c") == -1 && units_kind_parse(CELL_LSTM, "") == -1,
          "kinds: parse");
    int lstm_gates = 0, gru_gates = 0;
    for (int k = 0; k < 6; k++)
        lstm_gates = lstm_gates * 2 + units_kind_is_gate(CELL_LSTM, k);
    for (int k = 0; k < 4; k++)
        gru_gates = gru_gates * 2 + units_kind_is_gate(CELL_GRU, k);
    CHECK(lstm_gates == 0x0d /* c h i f g o: 001101 */ && gru_gates == 0x6 /* h r z n: 0110 */ &&
              !units_kind_is_gate(CELL_RNN, 0) && !units_kind_is_gate(CELL_LSTM, 9),
          "kinds: the sigmoid gates (lstm %x, gru %x)", lstm_gates, gru_gates);
    CHECK(!strcmp(units_kind_list(CELL_GRU), "h, r, z, n"), "kinds: list");
}

static void test_spans(void)
{
    Err err;
    err_clear(&err);
    Tokenizer tok;
    UnitText t;
    /* char: unknown characters skipped, the others keep their offsets */
    must(tokenizer_build(&tok, TOK_CHAR, "abc", 3, 0, "v", &err), &err, "build");
    const char *s = "aXb\xc3\xa9 c";
    must(units_text_encode(&t, &tok, s, strlen(s), "s", &err), &err, "encode");
    CHECK(t.n == 3 && t.start[0] == 0 && t.start[1] == 2 && t.start[2] == 6 && t.end[0] == 1 &&
              t.end[1] == 3 && t.end[2] == 7 && t.len == 7 && !strcmp(t.text, s),
          "spans char: unknown characters lie between tokens (n %d)", t.n);
    units_text_free(&t);
    int rc = units_text_encode(&t, &tok, "xyz", 3, "none.txt", &err);
    CHECK(rc == ERR_INPUT && strstr(err.msg, "none.txt") && t.n == 0 && !t.ids,
          "spans char: no known token -> ERR_INPUT (%s)", err.msg);
    rc = units_text_encode(&t, &tok, "a\xff", 2, "bad.txt", &err);
    CHECK(rc == ERR_INPUT && strstr(err.msg, "bad.txt") && strstr(err.msg, "1"),
          "spans char: invalid UTF-8 -> ERR_INPUT (%s)", err.msg);
    tokenizer_free(&tok);

    /* word: <unk> covers the word it replaced */
    must(tokenizer_build(&tok, TOK_WORD, "the cat sat", 11, 0, "v", &err), &err, "build");
    s = "the dog sat";
    must(units_text_encode(&t, &tok, s, strlen(s), "s", &err), &err, "encode");
    CHECK(t.n == 5 && t.ids[2] == tok.unk_id && t.start[2] == 4 && t.end[2] == 7 &&
              t.start[3] == 7 && t.end[3] == 8 && t.start[4] == 8 && t.end[4] == 11,
          "spans word: <unk> covers 'dog' (n %d)", t.n);
    units_text_free(&t);
    tokenizer_free(&tok);

    /* byte: every byte its own token */
    must(tokenizer_build(&tok, TOK_BYTE, "", 0, 0, "v", &err), &err, "build");
    s = "\xc3\xa9\n\0z";
    must(units_text_encode(&t, &tok, s, 5, "s", &err), &err, "encode");
    int ok = t.n == 5;
    for (int i = 0; ok && i < 5; i++)
        ok = t.start[i] == (size_t)i && t.end[i] == (size_t)i + 1 && t.ids[i] == (unsigned char)s[i];
    CHECK(ok, "spans byte: one token per byte, NUL included");
    units_text_free(&t);
    tokenizer_free(&tok);

    /* units_text_from_ids round trip */
    s = "h\xc3\xa9llo\n w\0rld";
    text_of(&t, &tok, s, 13);
    UnitText back;
    units_text_from_ids(&back, &tok, t.ids, t.n);
    ok = back.n == t.n && back.len == t.len && !memcmp(back.text, s, 13) && back.text[13] == '\0';
    for (int i = 0; ok && i < t.n; i++)
        ok = back.ids[i] == t.ids[i] && back.start[i] == t.start[i] && back.end[i] == t.end[i];
    CHECK(ok, "from_ids: the same text, ids and spans (n %d)", back.n);
    units_text_free(&back);
    units_text_from_ids(&back, &tok, t.ids, 0);
    CHECK(back.n == 0 && back.len == 0 && back.text && back.text[0] == '\0', "from_ids: no ids");
    units_text_free(&back);
    units_text_free(&t);
    tokenizer_free(&tok);
}

/* ---- the n-gram comparison ------------------------------------------------------ */

static int near(double a, double b)
{
    return fabs(a - b) < 1e-12;
}

static void test_error_summary(void)
{
    Tokenizer tok;
    UnitText t;
    UnitErrBucket b[UNITS_ERR_BUCKETS];
    /* tokens a b \n ( c d ) e, order 2 (the window: the one token before): buckets
     * (by hand) - 1 1 0 2 3 3 1; e's infinite n-gram loss leaves it out */
    text_of(&t, &tok, "ab\n(cd)e", 8);
    const double net[] = {NAN, 1.0, 2.0, 1.0, 0.5, 0.5, 0.25, 1.0};
    const double ng[] = {NAN, 1.5, 2.0, 2.0, 1.5, 2.5, 1.25, INFINITY};
    units_error_summary(&t, net, ng, 2, b);
    CHECK(b[0].count == 1 && near(b[0].net, 1.0) && near(b[0].ngram, 2.0) && near(b[0].share, 1.0 / 5.5),
          "errors: bucket 0 ('(', the newline in its window) %ld %g %g %g", b[0].count, b[0].net, b[0].ngram,
          b[0].share);
    CHECK(b[1].count == 2 && near(b[1].net, 1.5) && near(b[1].ngram, 1.75) && near(b[1].share, 0.5 / 5.5),
          "errors: bucket 1 (b, the newline) %ld", b[1].count);
    CHECK(b[2].count == 1 && near(b[2].net, 0.5) && near(b[2].ngram, 1.5) && near(b[2].share, 1 / 5.5),
          "errors: bucket 2 (c) %ld", b[2].count);
    CHECK(b[3].count == 2 && near(b[3].net, 0.375) && near(b[3].ngram, 1.875) &&
              near(b[3].share, 3 / 5.5),
          "errors: bucket 3 (d, ')') %ld %g", b[3].count, b[3].share);
    CHECK(b[4].count == 6 && near(b[4].net, 5.25 / 6) && near(b[4].ngram, 10.75 / 6) && b[4].share == 1 &&
              b[4].name && strstr(b[4].name, "every"),
          "errors: bucket 4 (every position) %ld", b[4].count);
    units_text_free(&t);
    tokenizer_free(&tok);

    /* tokens " a ) b " c, order 3: a ')' inside a quote closes nothing; the
     * closing quote does. Buckets: - 2 2 3 3 1 */
    text_of(&t, &tok, "\"a)b\"c", 6);
    const double net2[] = {NAN, 1, 1, 1, 1, 1};
    const double ng2[] = {NAN, 2, 2, 2, 2, 2};
    units_error_summary(&t, net2, ng2, 3, b);
    CHECK(b[0].count == 0 && b[1].count == 1 && b[2].count == 2 && b[3].count == 2 && b[4].count == 5 &&
              near(b[2].share, 0.4) && b[0].share == 0 && b[0].net == 0,
          "errors: quotes (%ld %ld %ld %ld %ld)", b[0].count, b[1].count, b[2].count, b[3].count,
          b[4].count);
    units_text_free(&t);
    tokenizer_free(&tok);

    /* tokens " a ' ' ( b " ' ' c, order 2: the closing quote also ends the
     * bracket opened inside it (one open quote at most); b, whose bracket is
     * in the window but whose quote is not, is out of reach. Buckets: - 2 3 3 3 3 1 1 */
    text_of(&t, &tok, "\"a (b\" c", 8);
    const double net3[] = {NAN, 1, 1, 1, 1, 1, 1, 1};
    units_error_summary(&t, net3, net3, 2, b);
    CHECK(b[0].count == 0 && b[1].count == 2 && b[2].count == 1 && b[3].count == 4 &&
              b[4].count == 7 && b[4].share == 0,
          "errors: a quote closes what opened inside it (%ld %ld %ld %ld %ld)", b[0].count,
          b[1].count, b[2].count, b[3].count, b[4].count);
    units_text_free(&t);
    tokenizer_free(&tok);
}

int main(void)
{
    test_kinds();
    test_hand_built();
    test_rank_synthetic();
    test_rank_span();
    test_signal_regex();
    test_signal_line_indent();
    test_ablate();
    test_capture();
    test_spans();
    test_error_summary();
    return check_summary();
}
