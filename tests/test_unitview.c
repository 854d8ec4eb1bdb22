/* test_unitview.c — the units screen's widget on the off-screen grid: each
 * character drawn on the diverging role its unit's value maps to, gates on
 * their 0..1 scale, word wrapping and the cursor line arithmetic, the cursor
 * and a marked span, the ranked list with its sparklines, the saturation
 * scatter's dots, the loss and n-gram views, and nothing drawn outside the
 * rectangle at any size. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "grid.h"
#include "unitview.h"

static const char *row(const Grid *g, int y)
{
    static char buf[8192];
    grid_row_text(g, y, buf, sizeof buf);
    return buf;
}

static int screen_has(const Grid *g, const char *s)
{
    for (int y = 0; y < g->h; y++)
        if (strstr(row(g, y), s))
            return 1;
    return 0;
}

/* A byte-tokenizer text (one token per byte) and a hand-filled capture of an
 * lstm 2 x 3 over it: unit 1 of layer 0 (kind c) is +0.9 inside quotes and
 * -0.9 outside; every other unit is 0. */
static Tokenizer tok;

static void make_text(UnitText *t, const char *s)
{
    Err err;
    err_clear(&err);
    units_text_encode(t, &tok, s, strlen(s), "test", &err);
}

static void make_capture(UnitCapture *u, const UnitText *t)
{
    memset(u, 0, sizeof *u);
    u->cfg = (ModelConfig){CELL_LSTM, 2, 3, 4, 256, 0};
    u->kinds = units_n_kinds(CELL_LSTM);
    u->n = u->done = t->n;
    size_t L = 2, K = (size_t)u->kinds, H = 3;
    u->act = calloc(L * K * (size_t)t->n * H, sizeof *u->act);
    u->loss = calloc((size_t)t->n, sizeof *u->loss);
    u->sat_lo = calloc(L * K * H, sizeof(int));
    u->sat_hi = calloc(L * K * H, sizeof(int));
    int in = 0;
    for (int i = 0; i < t->n; i++) {
        int q = t->text[t->start[i]] == '"';
        if (q)
            in = !in;
        float *c = u->act + (size_t)i * H; /* layer 0, kind 0 (c) */
        c[1] = (in || q) ? 0.9f : -0.9f;
        u->loss[i] = i == 0 ? NAN : (double)(i % 5); /* 0..4 nats */
        float *gi = u->act + ((size_t)(0 * K + 2) * t->n + i) * H; /* layer 0, kind i */
        gi[0] = 1.0f;                                                 /* a gate always open */
    }
    /* saturation: unit 0 of l0 i right-saturated always, unit 2 left-saturated half the time */
    size_t slot = (0 * K + 2) * H;
    u->sat_hi[slot + 0] = t->n;
    u->sat_lo[slot + 2] = t->n / 2;
}

static void free_capture(UnitCapture *u)
{
    free(u->act);
    free(u->loss);
    free(u->sat_lo);
    free(u->sat_hi);
}

static UnitViewData base_data(const UnitText *t, const UnitCapture *u)
{
    UnitViewData d;
    memset(&d, 0, sizeof d);
    d.text = t;
    d.cap = u;
    d.cell = CELL_LSTM;
    d.layers = 2;
    d.hidden = 3;
    d.layer = 0;
    d.unit = 1;
    d.kind = 0;
    d.mode = UV_TEXT;
    d.source = "held-out text";
    d.step = 120;
    d.cursor = d.mark_a = d.mark_b = -1;
    d.ngram_order = 5;
    return d;
}

/* The cell of the first occurrence of s's first character on row y, or -1. */
static int col_of(const Grid *g, int y, char ch)
{
    for (int x = 0; x < g->w; x++)
        if (grid_get(g, x, y).ch == (uint32_t)ch)
            return x;
    return -1;
}

static void test_roles(void)
{
    CHECK(unitview_role(-1) == ROLE_DIV0 && unitview_role(0) == ROLE_DIV4 && unitview_role(1) == ROLE_DIV8,
          "the scale's ends and middle map to div0, div4, div8");
    CHECK(unitview_role(-5) == ROLE_DIV0 && unitview_role(7) == ROLE_DIV8, "values beyond the scale clamp");
    CHECK(unitview_role(NAN) == ROLE_TEXT, "no value: plain text");
    CHECK(unitview_role(0.5) == ROLE_DIV6 && unitview_role(-0.5) == ROLE_DIV2, "half-way values");
}

static void test_text_colours(void)
{
    UnitText t;
    make_text(&t, "say \"hi\" now");
    UnitCapture u;
    make_capture(&u, &t);
    UnitViewData d = base_data(&t, &u);
    Grid g;
    grid_init(&g, 80, 12);
    int scroll = 0;
    unitview_draw(&g, (Rect){0, 0, 80, 12}, &d, &scroll);
    CHECK(screen_has(&g, "units: l0 c 1 of 3") && screen_has(&g, "held-out text, 12 tokens") &&
              screen_has(&g, "step 120"),
          "the title names the unit, the text and the step: %s", row(&g, 0));
    CHECK(screen_has(&g, "-1") && screen_has(&g, "+1") && screen_has(&g, "tanh(c)"), "the legend: %s", row(&g, 1));
    int y = 2, x = col_of(&g, y, 's');
    CHECK(x >= 0 && strstr(row(&g, y), "say \"hi\" now"), "the text on the first body row: %s", row(&g, y));
    Role out = (Role)grid_get(&g, x, y).role, quote = (Role)grid_get(&g, x + 4, y).role,
         inside = (Role)grid_get(&g, x + 5, y).role, after = (Role)grid_get(&g, x + 9, y).role;
    CHECK(out == unitview_role(-0.9) && after == out, "outside the quotes: the negative end (%d)", out);
    CHECK(quote == unitview_role(0.9) && inside == quote, "the quotes and inside them: the positive end (%d)", inside);
    /* a gate is shown on its 0..1 scale: 1 is the top of the colours */
    d.kind = 2;
    d.unit = 0;
    grid_clear(&g);
    unitview_draw(&g, (Rect){0, 0, 80, 12}, &d, &scroll);
    CHECK(grid_get(&g, x, y).role == ROLE_DIV8 && screen_has(&g, "0 ") && screen_has(&g, " 1 "),
          "an always-open gate is at the top of its 0..1 scale");
    /* loss view: 0 nats neutral, 4 nats the top */
    d.mode = UV_LOSS;
    d.kind = 0;
    grid_clear(&g);
    unitview_draw(&g, (Rect){0, 0, 80, 12}, &d, &scroll);
    CHECK(grid_get(&g, x, y).role == ROLE_TEXT, "the first character has no loss (nothing predicts it)");
    CHECK(grid_get(&g, x + 4, y).role == unitview_role(4.0 / UNITVIEW_LOSS_MAX * 2 - 1) &&
              grid_get(&g, x + 5, y).role == unitview_role(-1),
          "loss 4 at the top of the scale, loss 0 at its bottom");
    /* vs n-gram: the network's loss minus the n-gram's */
    double *ng = malloc((size_t)t.n * sizeof *ng);
    for (int i = 0; i < t.n; i++)
        ng[i] = u.loss[i] + 1.0; /* the n-gram always 1 nat worse */
    UnitErrBucket b[UNITS_ERR_BUCKETS];
    units_error_summary(&t, u.loss, ng, 5, b);
    d.mode = UV_VS_NGRAM;
    d.ngram_loss = ng;
    d.buckets = b;
    grid_resize(&g, 100, 14);
    unitview_draw(&g, (Rect){0, 0, 100, 14}, &d, &scroll);
    CHECK(grid_get(&g, x + 1, y).role == unitview_role(-1.0 / UNITVIEW_DIFF_MAX),
          "one nat better than the n-gram is on the blue side");
    CHECK(screen_has(&g, "network vs 5-gram") && screen_has(&g, "network better by 1.000"),
          "the summary says the network is better by a nat");

    free(ng);
    grid_free(&g);
    free_capture(&u);
    units_text_free(&t);
}

static void test_wrap_and_cursor(void)
{
    UnitText t;
    make_text(&t, "alpha beta gamma delta\nepsilon");
    CHECK(unitview_layout(&t, 12, NULL) == 3,
          "words wrap whole at 12 columns: 'alpha beta', 'gamma delta', 'epsilon' (%d lines)",
          unitview_layout(&t, 12, NULL));
    int *line_of = malloc((size_t)t.n * sizeof *line_of);
    unitview_layout(&t, 12, line_of);
    CHECK(line_of[0] == 0 && line_of[6] == 0 && line_of[11] == 1 && line_of[23] == 2,
          "tokens land on their lines (b=%d g=%d e=%d)", line_of[6], line_of[11], line_of[23]);
    int down = unitview_cursor_line(&t, 12, 1, 1);
    CHECK(line_of[down] == 1, "the cursor moves one line down (to token %d)", down);
    CHECK(unitview_cursor_line(&t, 12, 1, -1) == 1, "up from the first line stays");
    free(line_of);
    UnitCapture u;
    make_capture(&u, &t);
    UnitViewData d = base_data(&t, &u);
    d.cursor = 6;
    d.mark_a = 6;
    d.mark_b = 10;
    Grid g;
    grid_init(&g, 64, 10);
    int scroll = 0;
    unitview_draw(&g, (Rect){0, 0, 64, 10}, &d, &scroll);
    int y = 2, x = col_of(&g, y, 'b');
    CHECK(x > 0 && (grid_get(&g, x, y).attr & ATTR_REVERSE), "the cursor's character is reversed");
    CHECK((grid_get(&g, x + 1, y).attr & ATTR_UNDERLINE) && !(grid_get(&g, x - 2, y).attr & ATTR_UNDERLINE),
          "the marked span is underlined, and only it");
    CHECK(screen_has(&g, "pos 6 'b'") && screen_has(&g, "span 6..9"), "the info line: %s", row(&g, 8));

    grid_free(&g);
    free_capture(&u);
    units_text_free(&t);
}

static void test_scroll_follows_cursor(void)
{
    char buf[2000] = "";
    for (int i = 0; i < 60; i++)
        strcat(buf, "line of text\n");
    UnitText t;
    make_text(&t, buf);
    UnitCapture u;
    make_capture(&u, &t);
    UnitViewData d = base_data(&t, &u);
    Grid g;
    grid_init(&g, 60, 12);
    int scroll = 0;
    d.cursor = t.n - 1;
    unitview_draw(&g, (Rect){0, 0, 60, 12}, &d, &scroll);
    CHECK(scroll > 40, "the view scrolls to the cursor at the end (first line %d)", scroll);
    CHECK(screen_has(&g, "100%"), "and says it is at the end");
    scroll = 1000;
    d.cursor = -1;
    unitview_draw(&g, (Rect){0, 0, 60, 12}, &d, &scroll);
    CHECK(scroll == 60 - 8, "scrolling past the end clamps to the last page (%d)", scroll);
    grid_free(&g);
    free_capture(&u);
    units_text_free(&t);
}

static void test_ranked_list(void)
{
    UnitText t;
    make_text(&t, "say \"hi\" now, \"again\" and done");
    UnitCapture u;
    make_capture(&u, &t);
    double *sig = malloc((size_t)t.n * sizeof *sig);
    units_signal_regex(&t, "\"[^\"]*\"", sig, NULL, 0);
    UnitScore rank[6];
    int n = units_rank(&u, 0, -1, sig, rank, 6);
    CHECK(n == 6 && rank[0].layer == 0 && rank[0].unit == 1 && rank[0].score > 0.99,
          "the quote unit ranks first (l%d:%d r %.3f)", rank[0].layer, rank[0].unit, rank[0].score);
    UnitViewData d = base_data(&t, &u);
    d.rank = rank;
    d.n_rank = n;
    d.rank_sel = 0;
    d.rank_title = "find \"[^\"]*\", c";
    Grid g;
    grid_init(&g, 100, 14);
    int scroll = 0;
    unitview_draw(&g, (Rect){0, 0, 100, 14}, &d, &scroll);
    CHECK(screen_has(&g, "find \"[^\"]*\", c") && screen_has(&g, "▸ 1 l0:1") && screen_has(&g, "+1.00"),
          "the list's title and first entry, selected");
    int has_spark = 0;
    for (int y = 0; y < g.h; y++)
        for (int x = 0; x < g.w; x++)
            has_spark |= grid_get(&g, x, y).ch >= 0x2581 && grid_get(&g, x, y).ch <= 0x2588;
    CHECK(has_spark, "entries carry a sparkline of their activation");
    free(sig);
    grid_free(&g);
    free_capture(&u);
    units_text_free(&t);
}

static void test_saturation(void)
{
    UnitText t;
    make_text(&t, "some text to count saturation over");
    UnitCapture u;
    make_capture(&u, &t);
    UnitViewData d = base_data(&t, &u);
    d.mode = UV_SATURATION;
    Grid g;
    grid_init(&g, 100, 30);
    int scroll = 0;
    unitview_draw(&g, (Rect){0, 0, 100, 30}, &d, &scroll);
    CHECK(screen_has(&g, "l0 i") && screen_has(&g, "l0 f") && screen_has(&g, "l0 o") && screen_has(&g, "l1 o") &&
              !screen_has(&g, "l0 g"),
          "a scatter per layer and sigmoid gate (i f o), none for g");
    int dots = 0;
    for (int y = 0; y < g.h; y++)
        for (int x = 0; x < g.w; x++)
            dots += grid_get(&g, x, y).ch > 0x2800 && grid_get(&g, x, y).ch <= 0x28ff;
    CHECK(dots >= 6, "every plot has its units' dots (%d cells)", dots);
    grid_free(&g);
    free_capture(&u);
    units_text_free(&t);
}

/* Every size from tiny to large draws inside its rectangle only. */
static void test_bounds(void)
{
    UnitText t;
    make_text(&t, "a \"b\" (c) d\n\te");
    UnitCapture u;
    make_capture(&u, &t);
    int ok = 1;
    for (int mode = 0; mode < UV_VIEWS; mode++)
        for (int w = 1; w < 70; w += 3)
            for (int h = 1; h < 20; h += 2) {
                Grid g;
                grid_init(&g, 90, 30);
                grid_fill(&g, (Rect){0, 0, 90, 30}, 'X', ROLE_TEXT);
                UnitViewData d = base_data(&t, &u);
                d.mode = (UnitViewMode)mode;
                d.cursor = 3;
                int scroll = 0;
                unitview_draw(&g, (Rect){5, 3, w, h}, &d, &scroll);
                for (int y = 0; y < 30; y++)
                    for (int x = 0; x < 90; x++)
                        if ((x < 5 || x >= 5 + w || y < 3 || y >= 3 + h) && grid_get(&g, x, y).ch != 'X')
                            ok = 0;
                grid_free(&g);
            }
    CHECK(ok, "nothing drawn outside the rectangle, every view and size");
    UnitViewData d = base_data(&t, NULL);
    d.text = NULL;
    d.note = "this run has no held-out split";
    Grid g;
    grid_init(&g, 60, 8);
    int scroll = 0;
    unitview_draw(&g, (Rect){0, 0, 60, 8}, &d, &scroll);
    CHECK(screen_has(&g, "no held-out split"), "without a text the note says why");
    grid_free(&g);
    free_capture(&u);
    units_text_free(&t);
}

int main(void)
{
    Err err;
    err_clear(&err);
    tokenizer_build(&tok, TOK_BYTE, "", 0, 0, "test", &err);
    test_roles();
    test_text_colours();
    test_wrap_and_cursor();
    test_scroll_follows_cursor();
    test_ranked_list();
    test_saturation();
    test_bounds();
    tokenizer_free(&tok);
    return check_summary();
}
