/* test_fit.c — nothing on the dashboard is cut silently, at 60x16, 80x24,
 * 120x40 and 200x60, on the default and the inspector layouts of a
 * realistic run (panel_fixture.h: three lstm layers, every tensor name,
 * nine findings):
 *
 *   - no number is cut: none touches a panel's right border, ends in '.',
 *     'e' or '-', or runs into a neighbour ("1e-11e0");
 *   - tensor names shorten by one rule and keep their layer ("w_ih_l0",
 *     never "weight_ih_l");
 *   - every list that cannot show all its rows says "+N more", N the rows
 *     left out (gradient groups, gates, update ratios, the flow heatmap's
 *     layers, top-k tokens, the per-tensor table, findings);
 *   - the update-ratio axis's labels never touch, at every width; the loss
 *     chart's legend counts the entries it leaves out;
 *   - layers are named l0, l1, ... (0-based, as weight_ih_l0).
 *
 * Not for: the widgets' own drawing (test_chart, test_inspector, ...).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "check.h"
#include "histview.h"
#include "panel_fixture.h"
#include "tname.h"
#include "utf8.h"

static const int sizes[][2] = {{60, 16}, {80, 24}, {120, 40}, {200, 60}};
enum { NSIZES = (int)(sizeof sizes / sizeof sizes[0]) };

static const char *row(const Grid *g, int y)
{
    static char buf[8192];
    grid_row_text(g, y, buf, sizeof buf);
    return buf;
}

static void dump(const Grid *g)
{
    if (!getenv("SHOW"))
        return;
    for (int y = 0; y < g->h; y++)
        printf("%s\n", row(g, y));
}

/* Row y of g between the columns of r, as UTF-8. */
static const char *rect_row(const Grid *g, Rect r, int y)
{
    static char buf[8192];
    size_t n = 0;
    for (int x = r.x; x < r.x + r.w && n + 5 < sizeof buf; x++) {
        uint32_t c = grid_get(g, x, y).ch;
        if (c == 0)
            continue;
        n += (size_t)utf8_encode(c, buf + n);
    }
    buf[n] = '\0';
    return buf;
}

/* The "+N more" in rect r of g: N, or -1 when there is none. */
static int more_in(const Grid *g, Rect r)
{
    for (int y = r.y; y < r.y + r.h; y++) {
        const char *t = rect_row(g, r, y);
        for (const char *m = strchr(t, '+'); m; m = strchr(m + 1, '+')) {
            int n;
            char word[8];
            if (sscanf(m, "+%d %7s", &n, word) == 2 && !strcmp(word, "more"))
                return n;
        }
    }
    return -1;
}

/* Rows of rect r whose text (from r.x) starts with prefix. */
static int rows_starting(const Grid *g, Rect r, const char *prefix)
{
    int n = 0;
    for (int y = r.y; y < r.y + r.h; y++)
        n += !strncmp(rect_row(g, r, y), prefix, strlen(prefix));
    return n;
}

/* 1: every panel of both layouts at every size draws whole numbers and names. */
static void test_no_cuts(Fixture *x, const char *what)
{
    static const char *const layouts[] = {"default", "inspector"};
    for (int s = 0; s < NSIZES; s++)
        for (int k = 0; k < 2; k++) {
            Grid g;
            grid_init(&g, sizes[s][0], sizes[s][1]);
            Layout l;
            fixture_render(&g, &l, x, layouts[k]);
            char msg[8192] = "";
            int cut = fixture_cut_numbers(&g, msg, sizeof msg);
            if (cut)
                dump(&g);
            CHECK(!cut, "%s %s %dx%d: no number is cut (%s)", what, layouts[k], g.w, g.h, msg);
            msg[0] = '\0';
            int bad = fixture_cut_names(&g, msg, sizeof msg);
            CHECK(!bad, "%s %s %dx%d: tensor names keep their layer and end in … when cut (%s)", what, layouts[k],
                  g.w, g.h, msg);
            grid_free(&g);
        }
}

static void test_realistic(void)
{
    static Fixture x;
    fixture_fill(&x);
    test_no_cuts(&x, "3 layers");
    /* two layers: the dashboard has room for the gate rows; gate norms of every size */
    x.d.layers = x.d.n_layers = 2;
    x.d.n_groups = history_n_groups(2);
    for (int i = 0; i < x.d.n_groups; i++)
        history_group_name(i, 2, x.d.group_name[i], sizeof x.d.group_name[i]);
    static const float gn[2][4] = {{1.234e-3f, 4.567e-4f, 0.0123f, 0.00234f}, {9.87e-5f, 1.2e-3f, 3.4e-3f, 0.0456f}};
    memcpy(x.d.gate_norms, gn, sizeof gn);
    x.step.n_layers = 2;
    test_no_cuts(&x, "2 layers");
    /* a selected finding's details */
    fixture_free(&x);
    fixture_fill(&x);
    x.id.detail = 3;
    test_no_cuts(&x, "details");
    fixture_free(&x);
}

/* The dashboard's gate rows (1 and 2 layers): every gate's letter and a
 * whole number, in a shorter form when the roomy one does not fit. */
static void test_gate_rows(int layers)
{
    static Fixture x;
    fixture_fill(&x);
    x.d.layers = x.d.n_layers = layers;
    x.d.n_groups = history_n_groups(layers);
    for (int i = 0; i < x.d.n_groups; i++)
        history_group_name(i, layers, x.d.group_name[i], sizeof x.d.group_name[i]);
    static const float gn[4] = {1.234e-3f, 4.567e-4f, 0.0123f, 0.00234f};
    for (int l = 0; l < layers; l++)
        memcpy(x.d.gate_norms[l], gn, sizeof gn);
    for (int s = 0; s < NSIZES; s++) {
        Grid g;
        grid_init(&g, sizes[s][0], sizes[s][1]);
        Layout l;
        fixture_render(&g, &l, &x, "default");
        Rect gr = rect_inset(l.panel[PANEL_GRADS], 1);
        int found = 0, whole = 1;
        for (int y = gr.y; y < gr.y + gr.h; y++) {
            const char *t = row(&g, y) ;
            const char *o = strstr(t, " o ");
            const char *i = strstr(t, "i ");
            if (!o || !i || !strstr(t, " f ") || !strstr(t, " g "))
                continue;
            found++;
            double v;
            char tail[16];
            /* the last gate's number is whole: it parses and a blank or "…" follows it */
            if (sscanf(o + 3, "%lf%15s", &v, tail) < 1 || !(v > 0))
                whole = 0;
        }
        if (gr.h >= x.d.n_groups + 1 + layers) {
            CHECK(found == layers && whole, "%d layers %dx%d: every layer's gate row shows o with a whole number (%d rows)",
                  layers, g.w, g.h, found);
        }
        char msg[4096] = "";
        CHECK(!fixture_cut_numbers(&g, msg, sizeof msg), "%d layers %dx%d: no gate number cut (%s)", layers, g.w, g.h,
              msg);
        grid_free(&g);
    }
    fixture_free(&x);
}

/* Every list that cannot show all its rows says "+N more", N what is left out. */
static void test_more(void)
{
    static Fixture x;
    fixture_fill(&x);
    Tokenizer tok;
    Err err;
    const char *alphabet = "abcdefghijklmnopqrstuvwxyz ";
    tokenizer_build(&tok, TOK_CHAR, alphabet, strlen(alphabet), 0, "test", &err);
    for (int s = 0; s < NSIZES; s++) {
        int w = sizes[s][0], h = sizes[s][1];
        Grid g;
        grid_init(&g, w, h);
        Layout l;
        /* gradient groups: rows shown + N = every group */
        fixture_render(&g, &l, &x, "default");
        dump(&g);
        Rect gr = rect_inset(l.panel[PANEL_GRADS], 1);
        int groups = rows_starting(&g, gr, "embedding") + rows_starting(&g, gr, "head") +
                     rows_starting(&g, gr, "l0 ") + rows_starting(&g, gr, "l1 ") + rows_starting(&g, gr, "l2 ");
        int more = more_in(&g, gr);
        CHECK(groups == x.d.n_groups ? more < 0 : groups + more == x.d.n_groups,
              "%dx%d: gradient groups: %d shown, '+%d more' for the rest of %d", w, h, groups, more, x.d.n_groups);
        /* the findings box */
        if (layout_has(&l, PANEL_FINDINGS)) {
            Rect fr = rect_inset(l.panel[PANEL_FINDINGS], 1);
            int n = more_in(&g, fr);
            CHECK(n > 0 && n < FIXTURE_FINDINGS, "%dx%d: the findings box says +%d more", w, h, n);
        }
        /* top-k tokens, many more than fit */
        x.d.tok = &tok;
        x.d.k = FIXTURE_TOPK;
        for (int i = 0; i < FIXTURE_TOPK; i++) {
            x.d.ids[i] = i % tok.vocab_size;
            x.d.probs[i] = 0.5f / (i + 1);
        }
        x.d.n_unknown = 0;
        fixture_render(&g, &l, &x, "default");
        Rect pr = rect_inset(l.panel[PANEL_PROBS], 1);
        int shown = 0;
        for (int y = pr.y; y < pr.y + pr.h; y++)
            shown += strchr(row(&g, y), '%') != NULL && strstr(row(&g, y), "more") == NULL;
        more = more_in(&g, pr);
        CHECK(shown + (more > 0 ? more : 0) == FIXTURE_TOPK, "%dx%d: top-k: %d tokens shown, '+%d more' of %d", w, h, shown, more,
              FIXTURE_TOPK);
        x.d.k = 0;

        /* the inspector: gates, update ratios, flow rows */
        fixture_render(&g, &l, &x, "inspector");
        dump(&g);
        Rect ir = l.panel[PANEL_INSPECT];
        int gates = 0, ratios = 0, flow = 0;
        for (int y = ir.y; y < ir.y + ir.h; y++) {
            const char *t = row(&g, y);
            for (int L = 0; L < FIXTURE_LAYERS; L++)
                for (const char *c = "ifgo"; *c; c++) {
                    char lab[32];
                    snprintf(lab, sizeof lab, "│l%d %c ", L, *c);
                    gates += strstr(t, lab) != NULL;
                }
            ratios += strstr(t, "◂") != NULL || strstr(t, "●") != NULL || strstr(t, "▸") != NULL;
            for (int L = 0; L < FIXTURE_LAYERS; L++) {
                char lab[32];
                snprintf(lab, sizeof lab, "│l%d  ", L);
                flow += strstr(t, lab) != NULL;
            }
        }
        /* each section's "+N more" by where it stands: left of 45% the flow heatmap, then (below
         * the gates box's top) the gates; right of it the update ratios */
        int lw = ir.w * 45 / 100;
        Rect left = rect_make(ir.x, ir.y, lw, ir.h), right = rect_make(ir.x + lw, ir.y, ir.w - lw, ir.h);
        int gates_top = ir.y + ir.h;
        for (int y = ir.y; y < ir.y + ir.h && gates_top == ir.y + ir.h; y++)
            if (!strncmp(rect_row(&g, left, y), "╭ gates", strlen("╭ gates")))
                gates_top = y;
        int gates_more = more_in(&g, rect_make(left.x, gates_top, left.w, ir.y + ir.h - gates_top));
        int flow_more = more_in(&g, rect_make(left.x, ir.y, left.w, gates_top - ir.y));
        int ratio_more = -1;
        for (int y = ir.y; y < ir.y + ir.h && ratio_more < 0; y++) {
            if (!strncmp(rect_row(&g, right, y), "╭ grad:", strlen("╭ grad:")))
                break; /* the histogram's box: below the ratios */
            ratio_more = more_in(&g, rect_make(right.x, y, right.w, 1));
        }
        int total_gates = FIXTURE_LAYERS * 4;
        CHECK(gates == total_gates ? gates_more < 0 : gates + gates_more == total_gates,
              "%dx%d: gates: %d rows shown, '+%d more' for the rest of %d", w, h, gates, gates_more, total_gates);
        CHECK(ratios + ratio_more == x.d.n_tensors || (ratios == x.d.n_tensors && ratio_more < 0),
              "%dx%d: update ratios: %d rows shown, '+%d more' for the rest of %d", w, h, ratios, ratio_more,
              x.d.n_tensors);
        CHECK(flow == FIXTURE_LAYERS ? flow_more < 0 : flow + flow_more == FIXTURE_LAYERS,
              "%dx%d: the flow heatmap: %d layers shown, '+%d more' for the rest of %d", w, h, flow, flow_more,
              FIXTURE_LAYERS);
        grid_free(&g);
    }
    fixture_free(&x);
    tokenizer_free(&tok);
}

/* The plain per-tensor table (no inspector data): names by the rule, whole numbers, +N more. */
static void test_tensor_table(void)
{
    static Fixture x;
    fixture_fill(&x);
    x.id.detail = 0;
    for (int s = 0; s < NSIZES; s++) {
        Grid g;
        grid_init(&g, sizes[s][0], sizes[s][1]);
        Layout l;
        layout_compute(&l, "inspector", g.w, g.h);
        x.d.inspect = NULL;
        panels_draw(&g, &l, &x.d);
        Rect in = rect_inset(l.panel[PANEL_INSPECT], 1);
        int shown = 0;
        for (int y = in.y + 1; y < in.y + in.h; y++)
            shown += strstr(row(&g, y), "_l") != NULL || strstr(row(&g, y), "emb") != NULL ||
                     strstr(row(&g, y), "head") != NULL;
        int more = more_in(&g, in);
        char msg[4096] = "";
        CHECK(shown + (more > 0 ? more : 0) == x.d.n_tensors, "%dx%d: per-tensor table: %d rows, +%d more of %d",
              g.w, g.h, shown, more, x.d.n_tensors);
        CHECK(!fixture_cut_numbers(&g, msg, sizeof msg) && !fixture_cut_names(&g, msg, sizeof msg),
              "%dx%d: per-tensor table: nothing cut (%s)", g.w, g.h, msg);
        grid_free(&g);
    }
    fixture_free(&x);
}

/* The update-ratio axis: at every width its labels keep a blank between them. */
static void test_ratio_axis(void)
{
    static Fixture x;
    fixture_fill(&x);
    int clean = 1, ends = 1;
    char bad[9000] = "";
    for (int w = 50; w <= 240; w++) {
        Grid g;
        grid_init(&g, w, 30);
        inspector_draw(&g, rect_make(0, 0, w, 30), &x.id);
        /* the axis row: in the right part (the update ratios), holding 1e-6 */
        Rect right = rect_make(w * 45 / 100, 0, w - w * 45 / 100, g.h);
        int axis_rows = 0;
        for (int y = 0; y < g.h; y++) {
            const char *t = rect_row(&g, right, y);
            if (!strstr(t, "1e-6") || strstr(t, "update ratio"))
                continue;
            axis_rows++;
            /* every label "1eN" stands apart: a blank on both sides */
            for (const char *p = strstr(t, "1e"); p; p = strstr(p + 1, "1e")) {
                const char *q = p + 2;
                if (*q == '-')
                    q++;
                while (*q >= '0' && *q <= '9')
                    q++;
                if ((p > t && p[-1] != ' ') || (*q != ' ')) {
                    clean = 0;
                    snprintf(bad, sizeof bad, "%d columns: '%s'", w, t);
                }
            }
            ends &= w < 60 || strstr(t, "1e0") != NULL;
        }
        ends &= axis_rows == 1;
        grid_free(&g);
    }
    CHECK(clean, "update-ratio axis labels never touch (%s)", bad);
    CHECK(ends, "the axis names both ends, 1e-6 and 1e0, from 60 columns on");
    fixture_free(&x);
}

/* The histogram's statistics at every width: whole numbers, shorter forms. */
static void test_hist_stats(void)
{
    Histogram h;
    memset(&h, 0, sizeof h);
    h.n_bins = 8;
    h.min = -0.03f;
    h.max = 0.0271f;
    for (int i = 0; i < 8; i++)
        h.bins[i] = 1000 + 137 * i;
    h.count = 0;
    for (int i = 0; i < 8; i++)
        h.count += h.bins[i];
    h.sum = -1.234e-4 * h.count;
    h.sum_sq = 9.8e-3 * 9.8e-3 * h.count;
    int clean = 1;
    char bad[1024] = "";
    for (int w = 8; w <= 60; w++) {
        Grid g;
        grid_init(&g, w + 2, 8);
        grid_box(&g, rect_make(0, 0, w + 2, 8), "h", ROLE_BORDER, ROLE_TITLE);
        histview_draw(&g, rect_make(1, 1, w, 6), &h, ROLE_SERIES1);
        char msg[512];
        if (fixture_cut_numbers(&g, msg, sizeof msg)) {
            clean = 0;
            snprintf(bad, sizeof bad, "%d columns: %s", w, msg);
        }
        grid_free(&g);
    }
    CHECK(clean, "histogram statistics and labels are never cut (%s)", bad);
}

/* The chart's legend counts the entries it has no room for, where the count fits. */
static void test_legend_more(void)
{
    static const char *const names[6] = {"training", "smoothed", "validation", "baseline-run", "lr-sweep", "other"};
    double xs[2] = {0, 10}, ys[2] = {1, 2};
    ChartSeries s[6];
    for (int i = 0; i < 6; i++)
        s[i] = (ChartSeries){names[i], ROLE_SERIES1, 0, CHART_LINE, xs, ys, 2};
    for (int w = 20; w <= 90; w += 10) {
        Grid g;
        grid_init(&g, w, 10);
        ChartOptions o = chart_options_default();
        chart_draw(&g, rect_make(0, 0, w, 10), s, 6, NULL, 0, &o, NULL);
        const char *legend = row(&g, 0);
        int shown = 0;
        for (int i = 0; i < 6; i++)
            shown += strstr(legend, names[i]) != NULL;
        int more = -1;
        const char *m = strchr(legend, '+');
        if (m)
            sscanf(m, "+%d", &more);
        int free = 0; /* blank columns at the end of the row */
        for (int x = w - 1; x >= 0 && grid_get(&g, x, 0).ch == ' '; x--)
            free++;
        CHECK(shown == 6 ? more < 0 : m ? shown + more == 6 : free < 2 + 7,
              "%d columns: the legend shows %d entries and '+%d more' (%s)", w, shown, more, legend);
        grid_free(&g);
    }
}

/* The tensor-name rule and the number fitting. */
static void test_rules(void)
{
    char out[64];
    tname_fit("rnn.weight_ih_l0", 20, out, sizeof out);
    CHECK(!strcmp(out, "rnn.weight_ih_l0"), "a name that fits is kept: %s", out);
    tname_fit("rnn.weight_ih_l0", 12, out, sizeof out);
    CHECK(!strcmp(out, "weight_ih_l0"), "first rnn. goes: %s", out);
    tname_fit("rnn.weight_ih_l0", 11, out, sizeof out);
    CHECK(!strcmp(out, "w_ih_l0"), "then the words are abbreviated: %s", out);
    tname_fit("rnn.weight_ih_l0", 5, out, sizeof out);
    CHECK(!strcmp(out, "w…_l0"), "then the head is cut with …, the layer kept: %s", out);
    tname_fit("grad:rnn.weight_hh_l2", 12, out, sizeof out);
    CHECK(!strcmp(out, "grad:w_hh_l2"), "a grad: prefix is kept: %s", out);
    char names[3][48] = {"embedding.weight", "rnn.weight_ih_l0", "head.bias"};
    int level = tname_list_level((const char(*)[48])names, 3, 12);
    tname_format(names[0], level, 12, out, sizeof out);
    CHECK(level == 2 && !strcmp(out, "emb.w"), "a list takes one level for all its names (%d: %s)", level, out);

    char buf[32];
    CHECK(chart_format_fit(0.0012345, 2, 6, buf, sizeof buf) && !strcmp(buf, "0.0012"), "0.0012 fits 6: %s", buf);
    CHECK(chart_format_fit(0.0012345, 2, 5, buf, sizeof buf) && !strcmp(buf, "0.001"), "fewer digits in 5: %s", buf);
    CHECK(chart_format_fit(0.0012345, 2, 4, buf, sizeof buf) && !strcmp(buf, "1e-3"), "the exponent form in 4: %s",
          buf);
    CHECK(chart_format_fit(0.0012345, 2, 3, buf, sizeof buf) == 0 && buf[0] == '\0',
          "no number in 3 columns rather than a cut one");
    CHECK(chart_format_fit(123456, 3, 4, buf, sizeof buf) && !strcmp(buf, "123k"), "123k: %s", buf);
}

/* Layers are named from 0, as the tensor names are. */
static void test_layer_names(void)
{
    char name[24];
    history_group_name(1, 2, name, sizeof name);
    CHECK(!strcmp(name, "l0 input"), "group 1 is 'l0 input': %s", name);
    history_group_name(4, 2, name, sizeof name);
    CHECK(!strcmp(name, "l1 recur"), "group 4 is 'l1 recur': %s", name);
    static Fixture x;
    fixture_fill(&x);
    Grid g;
    grid_init(&g, 120, 40);
    Layout l;
    fixture_render(&g, &l, &x, "inspector");
    int gates_l0 = 0, upper = 0;
    for (int y = 0; y < g.h; y++) {
        gates_l0 += strstr(row(&g, y), "│l0 i ") != NULL;
        upper += strstr(row(&g, y), "L0") != NULL || strstr(row(&g, y), "L1") != NULL;
    }
    CHECK(gates_l0 == 1 && upper == 0, "the inspector names layers l0, l1, ... (gates row l0 i: %d, 'L0': %d)",
          gates_l0, upper);
    fixture_render(&g, &l, &x, "default");
    Rect gr = rect_inset(l.panel[PANEL_GRADS], 1);
    CHECK(rows_starting(&g, gr, "l0 input ") == 1 && rows_starting(&g, gr, "l2 recur ") == 1,
          "the gradient groups read l0 input ... l2 recur");
    grid_free(&g);
    fixture_free(&x);
}

int main(void)
{
    test_rules();
    test_realistic();
    test_gate_rows(1);
    test_gate_rows(2);
    test_more();
    test_tensor_table();
    test_ratio_axis();
    test_hist_stats();
    test_legend_more();
    test_layer_names();
    return check_summary();
}
