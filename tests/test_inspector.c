/* test_inspector.c — golden tests of the inspector's widgets on the
 * off-screen grid: the gradient-flow heatmap (log levels, glyph density,
 * legend of decades, time axis), the histogram view (column merging, bar
 * heights, axis labels) and the whole inspector screen (sections, update
 * ratios against the band, findings in words, the comparison chart), at
 * several sizes without drawing outside its rectangle; the findings section
 * ranked and indented, and with a finding selected its details. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "commands.h"
#include "grid.h"
#include "heatmap.h"
#include "histview.h"
#include "inspector.h"

static const char *row(const Grid *g, int y)
{
    static char buf[8192];
    grid_row_text(g, y, buf, sizeof buf);
    return buf;
}

/* 1 if some row of g contains s. */
static int screen_has(const Grid *g, const char *s)
{
    for (int y = 0; y < g->h; y++)
        if (strstr(row(g, y), s))
            return 1;
    return 0;
}

static int row_of(const Grid *g, const char *s)
{
    for (int y = 0; y < g->h; y++)
        if (strstr(row(g, y), s))
            return y;
    return -1;
}

static void test_heatmap_levels(void)
{
    double lo = 0, hi = 0;
    float v[4] = {1e-7f, 3e-5f, 0.2f, NAN};
    CHECK(heatmap_scale(v, 4, &lo, &hi) == 0 && fabs(hi - 1) < 1e-12 && fabs(lo - 1e-8) < 1e-20,
          "scale over 1e-7..0.2 is whole decades 1e-8..1e0 (8 decades; got %g..%g)", lo, hi);
    float w[2] = {2e-3f, 0.5f};
    heatmap_scale(w, 2, &lo, &hi);
    CHECK(fabs(hi - 1) < 1e-12 && fabs(lo - 1e-4) < 1e-16, "3 decades round up to 4: 1e-4..1e0 (got %g..%g)", lo,
          hi);
    float z[2] = {0, NAN};
    CHECK(heatmap_scale(z, 2, &lo, &hi) == -1, "no positive value: scale reports -1");
    CHECK(heatmap_level(1e-8, 1e-8, 1) == 0 && heatmap_level(0, 1e-8, 1) == 0, "bottom of scale and 0 are level 0");
    CHECK(heatmap_level(1, 1e-8, 1) == 7 && heatmap_level(50, 1e-8, 1) == 7, "top and above are level 7");
    CHECK(heatmap_level(1.5e-4, 1e-8, 1) == 4 && heatmap_level(9e-5, 1e-8, 1) == 3,
          "each decade of 8 is one level: 1.5e-4 -> 4, 9e-5 -> 3");
    CHECK(heatmap_level(NAN, 1e-8, 1) == -1 && heatmap_glyph(-1) == 0x00b7, "NaN is a gap drawn as ·");
    CHECK(heatmap_glyph(0) == 0x2591 && heatmap_glyph(3) == 0x2592 && heatmap_glyph(5) == 0x2593 &&
              heatmap_glyph(7) == 0x2588,
          "glyph density rises with the level: ░ ▒ ▓ █");
}

static void test_heatmap_draw(void)
{
    Grid g;
    grid_init(&g, 40, 6);
    /* 2 layers x 8 positions: layer 0 decays a decade per position towards the past */
    float v[16];
    for (int t = 0; t < 8; t++) {
        v[t] = 3.0f * (float)pow(10, -(8 - t));
        v[8 + t] = 0.5f;
    }
    HeatmapData d = {v, 2, 8, 1, 1e-8, 1};
    int used = heatmap_draw(&g, rect_make(0, 0, 40, 6), &d);
    CHECK(used == 4, "2 layer rows + axis + legend = 4 rows (got %d)", used);
    /* 36 map columns / 8 positions = 4 columns each */
    CHECK(!strncmp(row(&g, 0), "l0  ░░░░░░░░▒▒▒▒▒▒▒▒▓▓▓▓▓▓▓▓████████", strlen("l0  ░░░░░░░░▒▒▒▒▒▒▒▒▓▓▓▓▓▓▓▓████████")),
          "layer 0 goes from ░ (1e-7, t-7) to █ (1, t-0): '%s'", row(&g, 0));
    CHECK(grid_get(&g, 4, 0).role == ROLE_HEAT0 && grid_get(&g, 8, 0).role == ROLE_HEAT1 &&
              grid_get(&g, 12, 0).role == ROLE_HEAT2 && grid_get(&g, 35, 0).role == ROLE_HEAT7 && grid_get(&g, 36, 0).ch == ' ',
          "roles follow the levels: 3e-8 -> HEAT0, 3e-7 -> HEAT1, 3e-6 -> HEAT2, 0.3 -> HEAT7");
    CHECK(grid_get(&g, 4, 1).role == ROLE_HEAT7 && grid_get(&g, 4, 1).ch == 0x2588, "layer 1 (0.5) is level 7 █");
    CHECK(!strncmp(row(&g, 2), "    t-7", 7) && strstr(row(&g, 2), "t-0") && strstr(row(&g, 2), "t-4"),
          "time axis: t-7 left, t-4 mid, t-0 right: '%s'", row(&g, 2));
    CHECK(!strncmp(row(&g, 3), "1e-8 ░░ 1e-6 ▒▒ 1e-4 ▓▓ 1e-2 ██ 1e0", strlen("1e-8 ░░ 1e-6 ▒▒ 1e-4 ▓▓ 1e-2 ██ 1e0")),
          "legend names every other decade in 40 columns: '%s'", row(&g, 3));
    grid_clear(&g);
    heatmap_legend(&g, 0, 0, 40, 1e-4, 1);
    CHECK(!strncmp(row(&g, 0), "1e-4 ░░ 1e-3 ▒▒ 1e-2 ▓▓ 1e-1 ██ 1e0", strlen("1e-4 ░░ 1e-3 ▒▒ 1e-2 ▓▓ 1e-1 ██ 1e0")),
          "4 decades: two levels per decade, every decade named: '%s'", row(&g, 0));
    CHECK(strstr(row(&g, 0), "1e0") != NULL, "legend ends with the top decade");

    /* more positions than columns: means of groups */
    grid_clear(&g);
    float many[100];
    for (int t = 0; t < 100; t++)
        many[t] = t < 50 ? 3e-6f : 1.0f;
    HeatmapData d2 = {many, 1, 100, 2, 1e-8, 1};
    heatmap_draw(&g, rect_make(0, 0, 24, 4), &d2);
    CHECK(grid_get(&g, 4, 0).role == ROLE_HEAT2 && grid_get(&g, 23, 0).role == ROLE_HEAT7,
          "100 positions on 20 columns: old half level 2, new half level 7");
    CHECK(!strncmp(row(&g, 1), "    t-198", 9), "stride 2: the oldest position is t-198 ('%s')", row(&g, 1));
    int outside = 0;
    for (int y = 0; y < g.h; y++)
        for (int x = 24; x < g.w; x++)
            outside += grid_get(&g, x, y).ch != ' ';
    CHECK(outside == 0, "nothing drawn right of the rectangle");

    /* a narrow legend drops labels but keeps all 8 glyphs and both ends */
    grid_clear(&g);
    heatmap_legend(&g, 0, 0, 30, 1e-16, 1);
    int glyphs = 0;
    for (int x = 0; x < 30; x++) {
        uint32_t ch = grid_get(&g, x, 0).ch;
        glyphs += ch >= 0x2588 && ch <= 0x2593;
    }
    CHECK(glyphs == 8 && !strncmp(row(&g, 0), "1e-16", 5) && strstr(row(&g, 0), "1e0"),
          "16 decades in 30 columns: 8 glyphs, 1e-16 … 1e0 ('%s')", row(&g, 0));
    grid_free(&g);
}

static void test_histview(void)
{
    Histogram h;
    memset(&h, 0, sizeof h);
    h.n_bins = 4;
    h.min = -1;
    h.max = 3;
    long b[4] = {1, 4, 2, 0};
    memcpy(h.bins, b, sizeof b);
    h.count = 7;
    double cols[16];
    CHECK(histview_columns(&h, 10, cols) == 8 && cols[0] == 1 && cols[1] == 1 && cols[2] == 4 && cols[7] == 0,
          "4 bins on 10 columns: 2 columns each, 8 used");
    Histogram m = h;
    m.n_bins = 8;
    long b8[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    memcpy(m.bins, b8, sizeof b8);
    CHECK(histview_columns(&m, 3, cols) == 3 && cols[0] + cols[1] + cols[2] == 36 && cols[0] == 3,
          "8 bins merged on 3 columns keep the total (36) and the first holds bins 0-1 (%g)", cols[0]);
    CHECK(histview_eighths(4, 4, 3) == 24 && histview_eighths(2, 4, 3) == 12 && histview_eighths(0.01, 4, 3) == 1 &&
              histview_eighths(0, 4, 3) == 0,
          "bar heights in eighths: full, half, a sliver never vanishes, zero is empty");

    Grid g;
    grid_init(&g, 30, 7);
    h.sum = 7;
    h.sum_sq = 14;
    histview_draw(&g, rect_make(0, 0, 30, 7), &h, ROLE_SERIES1);
    CHECK(strstr(row(&g, 0), "n 7") && strstr(row(&g, 0), "mean 1"), "statistics row: '%s'", row(&g, 0));
    /* 24 columns / 4 bins = 6 columns each; 4 bar rows; bin 1 (max) is full height */
    int x1 = HISTVIEW_YLABEL_W + 6;
    CHECK(grid_get(&g, x1, 1).ch == 0x2588 && grid_get(&g, x1, 4).ch == 0x2588, "the largest bin fills every bar row");
    CHECK(grid_get(&g, HISTVIEW_YLABEL_W, 4).ch == 0x2588 && grid_get(&g, HISTVIEW_YLABEL_W, 3).ch == ' ',
          "a quarter of the max over 4 rows is one full cell");
    CHECK(grid_get(&g, HISTVIEW_YLABEL_W + 12, 3).ch == 0x2588 && grid_get(&g, HISTVIEW_YLABEL_W + 12, 2).ch == ' ',
          "half of the max is two cells");
    CHECK(grid_get(&g, HISTVIEW_YLABEL_W + 18, 4).ch == ' ', "an empty bin draws nothing");
    CHECK(strstr(row(&g, 1), "4│") != NULL, "the max count labels the top: '%s'", row(&g, 1));
    CHECK(grid_get(&g, HISTVIEW_YLABEL_W - 1, 5).ch == 0x2514, "axis corner └ under the bars");
    CHECK(!strncmp(row(&g, 6) + HISTVIEW_YLABEL_W, "-1", 2) && strstr(row(&g, 6), "3") && strstr(row(&g, 6), " 0 "),
          "value labels: min, 0 and max: '%s'", row(&g, 6));
    grid_free(&g);
}

/* A two-layer lstm step where layer 0's gradient vanishes and one tensor's update ratio is too high. */
static void make_step(StepInfo *s)
{
    memset(s, 0, sizeof *s);
    s->step = 120;
    s->n_layers = 2;
    s->n_gates = 4;
    s->n_tensors = 11;
    s->flow_len = 50;
    s->flow_stride = 1;
    s->decay_step = 100;
    for (int l = 0; l < 2; l++)
        for (int t = 0; t < 50; t++) {
            s->flow[l * 50 + t] = 0.1f;
            s->decay[l * 50 + t] = l == 0 ? (float)pow(10, -(49 - t) * 0.2) : 0.05f;
        }
    for (int l = 0; l < 2; l++)
        for (int k = 0; k < 4; k++) {
            s->gate_grad_norms[l][k] = 1e-3f * (k + 1);
            s->gate_sat[l][k] = k == 1 ? 0.93f : 0.1f;
        }
    s->gate_mean[0] = 0.04f;
    s->gate_mean[1] = 0.5f;
    for (int i = 0; i < 11; i++)
        s->update_ratio[i] = 1e-3f;
    s->update_ratio[10 - 1] = 0.3f; /* head.weight */
}

static const char names[11][48] = {"embedding.weight", "rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0",
                                   "rnn.bias_hh_l0", "rnn.weight_ih_l1", "rnn.weight_hh_l1", "rnn.bias_ih_l1",
                                   "rnn.bias_hh_l1", "head.weight", "head.bias"};

static void test_ratio_axis(void)
{
    CHECK(inspector_ratio_col(1e-6, 60) == 0 && inspector_ratio_col(1, 60) == 59 && inspector_ratio_col(1e-3, 60) == 30,
          "ratio axis: 1e-6 left, 1e-3 in the middle, 1e0 right");
    CHECK(inspector_ratio_col(1e-9, 60) == 0 && inspector_ratio_col(5, 60) == 59 && inspector_ratio_col(0, 60) == -1 &&
              inspector_ratio_col(NAN, 60) == -1,
          "off-scale ratios clamp; 0 and NaN have no column");
    CHECK(!strcmp(inspector_gate_letters(CELL_LSTM), "ifgo") && !strcmp(inspector_gate_letters(CELL_GRU), "rzn"),
          "gate letters per cell");
}

static void test_screen(void)
{
    StepInfo s;
    make_step(&s);
    Finding f[2];
    memset(f, 0, sizeof f);
    f[0].id = FD_VANISHING;
    f[0].severity = SEV_PROBLEM;
    f[0].cause = FD_NONE;
    snprintf(f[0].text, sizeof f[0].text,
             "layer 0: the gradient at t-49 is 1e-10 of that at t-0 — it vanishes within this window; try lstm/gru");
    f[1].id = FD_LR_HIGH;
    f[1].severity = SEV_WARNING;
    f[1].cause = FD_NONE;
    snprintf(f[1].text, sizeof f[1].text, "head.weight: update ratio 3e-01 — learning rate too high");
    Histogram h;
    memset(&h, 0, sizeof h);
    h.n_bins = 8;
    h.min = -0.5f;
    h.max = 0.5f;
    for (int i = 0; i < 8; i++)
        h.bins[i] = 10 + i;
    h.count = 108;
    double rx[3] = {1, 50, 100}, ry[3] = {4, 3, 2.5};
    InspectorRun run = {"baseline-run", ROLE_SERIES5, rx, ry, 3};
    InspectorData d = {&s, CELL_LSTM, 11, names, f, 2, &h, "grad:rnn.weight_hh_l0", 120, NULL, NULL, 0, NAN, 0, 0};

    Grid g;
    grid_init(&g, 100, 21);
    inspector_draw(&g, rect_make(0, 0, 100, 21), &d);
    if (getenv("SHOW"))
        for (int y = 0; y < g.h; y++)
            printf("%s\n", row(&g, y));
    CHECK(screen_has(&g, "gradient flow") && screen_has(&g, "probe step 100"), "the heatmap section names the probe step");
    CHECK(screen_has(&g, "l0 ") && screen_has(&g, "1e0"), "heatmap rows and the legend of decades");
    CHECK(screen_has(&g, "gates") && screen_has(&g, "l1 o") && screen_has(&g, " 93%") && screen_has(&g, "μ0.04"),
          "every layer's gates with saturation and the mean forget gate");
    int yhead = row_of(&g, "head.weight");
    CHECK(yhead > 0, "update ratios list head.weight");
    int found_bad = 0;
    for (int x = 0; x < 100 && yhead > 0; x++)
        if (grid_get(&g, x, yhead).ch == 0x25cf && grid_get(&g, x, yhead).role == ROLE_ERROR)
            found_bad = 1;
    CHECK(found_bad, "head.weight's ratio 0.3 is marked bad");
    int yw = row_of(&g, "rnn.weight_hh_l0");
    int good = 0, band = 0;
    for (int x = 0; x < 100 && yw >= 0; x++) {
        GridCell c = grid_get(&g, x, yw);
        good += c.ch == 0x25cf && c.role == ROLE_GOOD;
        band += c.ch == 0x2591 && c.role == ROLE_GOOD;
    }
    CHECK(good == 1 && band >= 5, "a ratio of 1e-3 sits inside the shaded band (%d markers, %d band cells)", good,
          band);
    CHECK(screen_has(&g, "1e-6") && screen_has(&g, "1e-4") && screen_has(&g, "1e-2"), "ratio axis labels");
    CHECK(screen_has(&g, "grad:rnn.weight_hh_l0 (step 120)"), "the histogram names its tensor and step");
    CHECK(screen_has(&g, "findings at step 120 │ F12 details") && screen_has(&g, "✖ vanishing: layer 0: the gradient at t-49") &&
              screen_has(&g, "▲ lr_high: head.weight: update ratio"),
          "findings in words, ranked, with their marks and names; the title says F12 shows the details");
    CHECK(!screen_has(&g, "run comparison"), "no comparison section without runs");

    /* with a comparison run and a baseline */
    d.runs = &run;
    d.n_runs = 1;
    d.ngram_loss = 3.1;
    d.ngram_order = 3;
    grid_clear(&g);
    inspector_draw(&g, rect_make(0, 0, 100, 21), &d);
    if (getenv("SHOW"))
        for (int y = 0; y < g.h; y++)
            printf("%s\n", row(&g, y));
    CHECK(screen_has(&g, "run comparison") && screen_has(&g, "baseline-run") && screen_has(&g, "3-gram"),
          "the comparison chart has the run and the baseline in its legend");

    /* many sizes: nothing outside the rectangle, no crash */
    int clean = 1;
    for (int w = 20; w <= 160; w += 7)
        for (int hh = 6; hh <= 50; hh += 5) {
            Grid big;
            grid_init(&big, w + 4, hh + 4);
            inspector_draw(&big, rect_make(2, 2, w, hh), &d);
            for (int y = 0; y < big.h; y++)
                for (int x = 0; x < big.w; x++)
                    if ((x < 2 || y < 2 || x >= w + 2 || y >= hh + 2) && grid_get(&big, x, y).ch != ' ')
                        clean = 0;
            grid_free(&big);
        }
    CHECK(clean, "at every size from 20x6 to 160x50 nothing is drawn outside the rectangle");

    /* before the first step */
    InspectorData e = {NULL, CELL_RNN, 0, NULL, NULL, 0, NULL, NULL, 0, "computing…", NULL, 0, NAN, 0, 0};
    grid_clear(&g);
    inspector_draw(&g, rect_make(0, 0, 100, 21), &e);
    CHECK(screen_has(&g, "waiting for the first step"), "an empty inspector says it is waiting");
    grid_free(&g);
}

/* The findings section: symptoms indented under their cause; with one
 * selected, the list by name beside its details (numbers, advice, since,
 * the cause); the section grows to show them. */
static void test_findings_detail(void)
{
    StepInfo s;
    make_step(&s);
    Finding f[3];
    memset(f, 0, sizeof f);
    f[0] = (Finding){.id = FD_LR_HIGH, .severity = SEV_PROBLEM, .since = 12, .cause = FD_NONE, .depth = 0};
    snprintf(f[0].subject, sizeof f[0].subject, "run");
    snprintf(f[0].text, sizeof f[0].text, "each step changes the weight matrices by 0.31 of their size (median)");
    snprintf(f[0].advice, sizeof f[0].advice, "lower --lr to about 0.1 and set --clip 5");
    f[0].numbers[0] = (FindingNumber){"update_ratio", 0.31};
    f[0].numbers[1] = (FindingNumber){"lr", 1};
    f[0].n_numbers = 2;
    f[1] = (Finding){.id = FD_SATURATED, .severity = SEV_WARNING, .since = 40, .cause = FD_LR_HIGH, .depth = 1};
    snprintf(f[1].subject, sizeof f[1].subject, "layer 0 input gate");
    snprintf(f[1].text, sizeof f[1].text, "layer 0 input gate: 99%% of its activations are pinned at the ends");
    snprintf(f[1].advice, sizeof f[1].advice, "lower --lr (see lr_high)");
    f[1].numbers[0] = (FindingNumber){"saturated", 0.994};
    f[1].numbers[1] = (FindingNumber){"healthy_max", 0.93};
    f[1].n_numbers = 2;
    f[2] = (Finding){.id = FD_CORPUS_SMALL, .severity = SEV_WARNING, .since = 1, .cause = FD_NONE, .depth = 0};
    snprintf(f[2].subject, sizeof f[2].subject, "run");
    snprintf(f[2].text, sizeof f[2].text, "the model has 246123 parameters for 9000 training tokens (27x)");
    InspectorData d = {&s, CELL_LSTM, 11, names, f, 3, NULL, NULL, 0, "computing…", NULL, 0, NAN, 0, 0};
    Grid g;
    grid_init(&g, 100, 21);
    inspector_draw(&g, rect_make(0, 0, 100, 21), &d);
    int y0 = row_of(&g, "✖ lr_high: each step");
    int y1 = row_of(&g, "▲ saturated: layer 0 input gate");
    CHECK(y0 > 0 && y1 == y0 + 1 && strstr(row(&g, y1), "│  ▲ saturated") != NULL,
          "the symptom is listed under its cause, indented: '%s'", y1 >= 0 ? row(&g, y1) : "");
    CHECK(inspector_findings_rows(f, 3, 0, 98) == 3, "three findings that fit take three rows");

    d.detail = 2; /* saturated */
    grid_clear(&g);
    inspector_draw(&g, rect_make(0, 0, 100, 21), &d);
    if (getenv("SHOW"))
        for (int y = 0; y < g.h; y++)
            printf("%s\n", row(&g, y));
    int yh = row_of(&g, "│ ▲ warning saturated · layer 0 input gate");
    int ys = row_of(&g, "│  ▲ saturated · layer 0");
    CHECK(yh > 0 && ys == yh + 1 && !strncmp(row(&g, yh), "│✖ lr_high  ", 12),
          "selected: the list by name on the left, the details' head on the right: '%s'", yh > 0 ? row(&g, yh) : "");
    int sel_x = -1;
    for (int x = 4; ys > 0 && x < 30; x++)
        if (grid_get(&g, x, ys).role == ROLE_SELECTED) {
            sel_x = x;
            break;
        }
    CHECK(sel_x > 0, "the selected row is highlighted (ROLE_SELECTED)");
    CHECK(screen_has(&g, "since step 40 · follows from ✖ lr_high") && screen_has(&g, "saturated=0.994") &&
              screen_has(&g, "healthy_max=0.93") && screen_has(&g, "advice: lower --lr (see lr_high)"),
          "the details: since, the cause it follows from, the numbers as key=value, the advice");
    CHECK(screen_has(&g, "F11/F12 select"), "the title names the selection keys");
    int rows = inspector_findings_rows(f, 3, 2, 98);
    CHECK(rows >= 5 && rows > inspector_findings_rows(f, 3, 0, 98),
          "with details the section wants more rows (%d)", rows);
    CHECK(screen_has(&g, "l0 ") && screen_has(&g, "gates"), "the sections above still show");

    /* the selection beyond the list, or none: the plain list again */
    d.detail = 9;
    grid_clear(&g);
    inspector_draw(&g, rect_make(0, 0, 100, 21), &d);
    CHECK(screen_has(&g, "✖ lr_high: each step") && !screen_has(&g, "advice:"), "a stale selection shows no details");
    /* more than fit: whole findings, then "+N more" */
    Finding many[4];
    for (int i = 0; i < 4; i++) {
        many[i] = f[2];
        many[i].id = (FindingId)(FD_LR_HIGH + i);
        snprintf(many[i].text, sizeof many[i].text,
                 "finding %d: a sentence long enough to wrap onto a second row of the findings section at this "
                 "width, with a few more words to be sure of it", i);
    }
    d.findings = many;
    d.n_findings = 4;
    d.detail = 0;
    grid_clear(&g);
    inspector_draw(&g, rect_make(0, 0, 100, 21), &d);
    CHECK(screen_has(&g, "finding 1: a sentence") && !screen_has(&g, "finding 2: a sentence") &&
              screen_has(&g, "│+2 more "),
          "findings that do not fit: the ones that fit whole, then +2 more");
    d.findings = f;
    d.n_findings = 3;
    /* no findings: the calm line */
    d.n_findings = 0;
    d.detail = 0;
    grid_clear(&g);
    inspector_draw(&g, rect_make(0, 0, 100, 21), &d);
    CHECK(screen_has(&g, "no findings: nothing looks wrong"), "no findings: one calm line");
    grid_free(&g);
}

/* The inspector's commands parse with their arguments checked. */
static void test_commands(void)
{
    TuiCmd c;
    char msg[256];
    CHECK(commands_parse(":ngram 3", &c, msg, sizeof msg) == 0 && c.kind == TCMD_NGRAM && c.n == 3, ":ngram 3");
    CHECK(commands_parse(":ngram 0", &c, msg, sizeof msg) != 0 && strstr(msg, "1 to 10"), ":ngram 0 is refused: %s",
          msg);
    CHECK(commands_parse(":ngram", &c, msg, sizeof msg) != 0, ":ngram needs N (%s)", msg);
    CHECK(commands_parse(":compare a.st b.st", &c, msg, sizeof msg) == 0 && c.kind == TCMD_COMPARE &&
              !strcmp(c.text, "a.st b.st"),
          ":compare keeps its list of runs");
    CHECK(commands_parse(":compare", &c, msg, sizeof msg) != 0, ":compare needs a run or off (%s)", msg);
    CHECK(commands_parse(":gradcheck", &c, msg, sizeof msg) == 0 && c.kind == TCMD_GRADCHECK && !c.has_arg,
          ":gradcheck alone checks the run's cell");
    CHECK(commands_parse(":gradcheck gru", &c, msg, sizeof msg) == 0 && !strcmp(c.text, "gru"), ":gradcheck gru");
    int is_name;
    CHECK(commands_arg_at(":compare ru", 11, &is_name) == TARG_PATH, ":compare completes file names");
}

int main(void)
{
    test_commands();
    test_heatmap_levels();
    test_heatmap_draw();
    test_histview();
    test_ratio_axis();
    test_screen();
    test_findings_detail();
    return check_summary();
}
