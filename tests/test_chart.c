/* test_chart.c — the braille line chart: scaling onto dots, tick values and
 * labels, log axis, NaN gaps, legend (its order, entries whole or left out),
 * priorities, reference lines, the y range holding points and reference
 * lines, windows, number formatting, EMA smoothing, and speed on a long
 * history. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chart.h"
#include "check.h"
#include "grid.h"

static const char *row(const Grid *g, int y)
{
    static char buf[4096];
    grid_row_text(g, y, buf, sizeof buf);
    return buf;
}

/* Is dot (dx, dy) of the plot lit in the grid? */
static int dot(const Grid *g, const ChartFrame *f, int dx, int dy)
{
    static const uint8_t bit[4][2] = {{0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}};
    uint32_t ch = grid_get(g, f->plot.x + dx / 2, f->plot.y + dy / 4).ch;
    if (ch < 0x2800 || ch > 0x28ff)
        return 0;
    return ((ch - 0x2800) & bit[dy % 4][dx % 2]) != 0;
}

static int column_lit(const Grid *g, const ChartFrame *f, int dx)
{
    for (int dy = 0; dy < 4 * f->plot.h; dy++)
        if (dot(g, f, dx, dy))
            return 1;
    return 0;
}

static int has(const char *hay, const char *needle)
{
    return strstr(hay, needle) != NULL;
}

/* Reference rasteriser: plain Bresenham between every consecutive pair. */
static void ref_line(uint8_t *lit, int W, int H, int x0, int y0, int x1, int y1)
{
    int dx = abs(x1 - x0), sx = x0 < x1 ? 1 : -1, dy = -abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
    int e = dx + dy;
    for (;;) {
        if (x0 >= 0 && x0 < W && y0 >= 0 && y0 < H)
            lit[y0 * W + x0] = 1;
        if (x0 == x1 && y0 == y1)
            break;
        int e2 = 2 * e;
        if (e2 >= dy)
            e += dy, x0 += sx;
        if (e2 <= dx)
            e += dx, y0 += sy;
    }
}

static void test_format(void)
{
    struct {
        double v;
        const char *want;
    } cases[] = {
        {0, "0"},          {1, "1"},           {2.45, "2.45"},     {-0.5, "-0.5"},
        {1200, "1.2k"},    {1234, "1.23k"},    {999.7, "1k"},      {12500, "12.5k"},
        {3e6, "3M"},       {0.0003, "3e-4"},   {2.5e-5, "2.5e-5"}, {0.001, "0.001"},
        {123.456, "123"},  {1e15, "1e15"},     {NAN, "nan"},       {-INFINITY, "-inf"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[32];
        chart_format_number(cases[i].v, buf, sizeof buf);
        CHECK(strcmp(buf, cases[i].want) == 0, "format %g -> '%s' (got '%s')", cases[i].v,
              cases[i].want, buf);
    }
    char buf[32];
    chart_format_number_digits(2.4567, 4, buf, sizeof buf);
    CHECK(strcmp(buf, "2.457") == 0, "4 significant digits: '%s'", buf);
}

static void test_ticks(void)
{
    double t[CHART_MAX_TICKS];
    int n = chart_ticks_linear(0, 10, 6, t);
    CHECK(n == 6 && t[0] == 0 && t[1] == 2 && t[5] == 10, "linear ticks 0..10 by 2 (%d)", n);
    n = chart_ticks_linear(0.13, 0.87, 5, t);
    CHECK(n == 4 && fabs(t[0] - 0.2) < 1e-12 && fabs(t[3] - 0.8) < 1e-12,
          "linear ticks 0.2..0.8 by 0.2 (%d)", n);
    n = chart_ticks_linear(1.5, 4.2, 4, t);
    CHECK(n == 3 && t[0] == 2 && t[2] == 4, "linear ticks 2, 3, 4 (%d)", n);
    n = chart_ticks_linear(-1, 1, 3, t);
    CHECK(n == 3 && t[1] == 0 && !signbit(t[1]), "a zero tick is +0");
    n = chart_ticks_linear(0, 7, 5, t);
    CHECK(n == 4 && t[1] == 2, "ticks never exceed max: 0 2 4 6 (%d)", n);

    n = chart_ticks_log(1e-4, 1e2, 8, t);
    CHECK(n == 7 && t[0] == 1e-4 && fabs(t[6] - 100) < 1e-9, "log ticks: 7 decades (%d)", n);
    n = chart_ticks_log(1, 50, 8, t);
    CHECK(n == 6 && t[1] == 2 && t[2] == 5 && t[5] == 50, "log ticks: 1 2 5 10 20 50 (%d)", n);
    n = chart_ticks_log(1e-9, 1e6, 5, t);
    CHECK(n == 4 && fabs(t[1] / 1e-5 - 1) < 1e-9, "log ticks: every 4th decade (%d)", n);
    n = chart_ticks_log(1.3, 6, 8, t);
    CHECK(n == 5 && t[0] == 2 && t[4] == 6, "log ticks inside one decade: 2..6 (%d)", n);
}

static void test_ema(void)
{
    double y[6] = {2, 4, NAN, 1, 3, 3}, out[6], s = 0.6;
    chart_ema_debiased(y, 6, s, out);
    /* Independent form: a weighted mean with weights s^(k-j) over finite points. */
    int ok = 1;
    for (int i = 0; i < 6; i++) {
        if (isnan(y[i])) {
            ok &= isnan(out[i]);
            continue;
        }
        double num = 0, den = 0, w = 1;
        for (int j = i; j >= 0; j--) {
            if (isnan(y[j]))
                continue;
            num += w * y[j];
            den += w;
            w *= s;
        }
        ok &= fabs(out[i] - num / den) < 1e-12;
    }
    CHECK(ok, "EMA with debiasing is the weighted mean s^(k-j) of the finite points");
    double c[4] = {5, 5, 5, 5};
    chart_ema_debiased(c, 4, 0.99, c);
    CHECK(fabs(c[0] - 5) < 1e-12 && fabs(c[3] - 5) < 1e-12, "debiasing keeps a constant constant");
    double z[3] = {1, 2, 3}, zo[3];
    chart_ema_debiased(z, 3, 0, zo);
    CHECK(zo[0] == 1 && zo[2] == 3, "smoothing 0 copies");
}

static void test_scaling(void)
{
    Grid g;
    grid_init(&g, 40, 12);
    double x[11], y[11];
    for (int i = 0; i <= 10; i++)
        x[i] = y[i] = i;
    ChartSeries s = {"line", ROLE_SERIES1, 0, CHART_LINE, x, y, 11};
    ChartOptions o = chart_options_default();
    ChartFrame f;
    chart_draw(&g, rect_make(0, 0, 40, 12), &s, 1, NULL, 0, &o, &f);
    CHECK(!f.empty && f.plot.x == 3 && f.plot.y == 1 && f.plot.w == 37 && f.plot.h == 9,
          "plot area right of a 2-column label gutter, under the legend (%d,%d %dx%d)",
          f.plot.x, f.plot.y, f.plot.w, f.plot.h);
    CHECK(f.y_min == 0 && fabs(f.y_max - 10.5) < 1e-12,
          "y autoscale: 5%% headroom on top, not below zero (%g..%g)", f.y_min, f.y_max);
    CHECK(f.x_min == 0 && f.x_max == 10, "x range is the data's");
    int dx, dy;
    CHECK(chart_map(&f, 0, 0, &dx, &dy) && dx == 0 && dy == 35, "(0,0) -> dot (0,35)");
    CHECK(chart_map(&f, 10, 10, &dx, &dy) && dx == 73 && dy == 2, "(10,10) -> dot (73,2)");
    CHECK(chart_map(&f, 5, 5, &dx, &dy) && dx == 37 && dy == 18, "(5,5) -> dot (37,18)");
    CHECK(dot(&g, &f, 0, 35) && dot(&g, &f, 73, 2) && dot(&g, &f, 37, 18),
          "the mapped dots are lit");
    int cont = 1;
    for (int c = 0; c < 74; c++)
        cont &= column_lit(&g, &f, c);
    CHECK(cont, "a line lights every dot column it spans");
    CHECK(grid_get(&g, f.plot.x + 18, f.plot.y + 4).role == ROLE_SERIES1, "line cells take the series role");
    CHECK(f.n_yticks == 3 && f.yticks[1] == 5, "y ticks 0 5 10 (%d)", f.n_yticks);
    CHECK(strncmp(row(&g, 1), "10┤", strlen("10┤")) == 0, "top tick label: '%s'", row(&g, 1));
    CHECK(strncmp(row(&g, 5), " 5┤", strlen(" 5┤")) == 0, "middle tick label: '%s'", row(&g, 5));
    CHECK(strncmp(row(&g, 9), " 0┤", strlen(" 0┤")) == 0, "bottom tick label: '%s'", row(&g, 9));
    CHECK(strncmp(row(&g, 3), "  │", strlen("  │")) == 0, "axis between ticks");
    CHECK(grid_get(&g, 2, 10).ch == 0x2570 && grid_get(&g, 3, 10).ch == 0x252c
              && grid_get(&g, 21, 10).ch == 0x252c && grid_get(&g, 39, 10).ch == 0x252c
              && grid_get(&g, 4, 10).ch == 0x2500,
          "x axis rule with ticks at steps 0, 5, 10: '%s'", row(&g, 10));
    CHECK(strcmp(row(&g, 11), "   0                 5               10 ") == 0,
          "x labels centred under their ticks, the last one a blank column short of the right end: '%s'",
          row(&g, 11));
    CHECK(strncmp(row(&g, 0), "   • line", strlen("   • line")) == 0, "legend: '%s'", row(&g, 0));
    CHECK(grid_get(&g, 3, 0).role == ROLE_SERIES1 && grid_get(&g, 5, 0).role == ROLE_TEXT,
          "legend marker in the series role, name in text");
    grid_free(&g);
}

static void test_reference_raster(void)
{
    /* A random walk with gaps, compared dot for dot with plain Bresenham. */
    enum { N = 600 };
    double x[N], y[N];
    unsigned s = 12345;
    double v = 0;
    for (int i = 0; i < N; i++) {
        s = s * 1103515245u + 12345u;
        v += ((s >> 16) % 1000) / 1000.0 - 0.5;
        x[i] = i * 3;
        y[i] = (i % 97 == 50) ? NAN : v;
    }
    Grid g;
    grid_init(&g, 70, 20);
    ChartSeries ser = {"walk", ROLE_SERIES2, 0, CHART_LINE, x, y, N};
    ChartOptions o = chart_options_default();
    ChartFrame f;
    chart_draw(&g, rect_make(0, 0, 70, 20), &ser, 1, NULL, 0, &o, &f);
    int W = 2 * f.plot.w, H = 4 * f.plot.h;
    uint8_t *lit = calloc((size_t)W * H, 1);
    int px = 0, py = 0, have = 0, mapped = 1;
    for (int i = 0; i < N; i++) {
        int dx, dy;
        if (isnan(y[i])) {
            have = 0;
            continue;
        }
        mapped &= chart_map(&f, x[i], y[i], &dx, &dy);
        if (have)
            ref_line(lit, W, H, px, py, dx, dy);
        else
            lit[dy * W + dx] = 1;
        px = dx, py = dy, have = 1;
    }
    int same = 1, count = 0;
    for (int dy = 0; dy < H; dy++)
        for (int dx = 0; dx < W; dx++) {
            same &= dot(&g, &f, dx, dy) == lit[dy * W + dx];
            count += lit[dy * W + dx];
        }
    CHECK(mapped && same && count > W, "600 points with gaps: every dot equals Bresenham's (%d lit)",
          count);
    free(lit);
    grid_free(&g);
}

static void test_gaps_and_flat(void)
{
    Grid g;
    grid_init(&g, 40, 12);
    double x[5] = {0, 1, 2, 3, 4}, y[5] = {1, 2, NAN, 2, 1};
    ChartSeries s = {"g", ROLE_SERIES1, 0, CHART_LINE, x, y, 5};
    ChartOptions o = chart_options_default();
    ChartFrame f;
    chart_draw(&g, rect_make(0, 0, 40, 12), &s, 1, NULL, 0, &o, &f);
    int a, b, dy, empty = 1;
    chart_map(&f, 1, 2, &a, &dy);
    chart_map(&f, 3, 2, &b, &dy);
    for (int c = a + 1; c < b; c++)
        empty &= !column_lit(&g, &f, c);
    CHECK(empty && column_lit(&g, &f, a) && column_lit(&g, &f, b),
          "a NaN point leaves a gap between its neighbours (dots %d..%d)", a, b);

    double flat[3] = {3, 3, 3};
    s.y = flat;
    s.n = 3;
    grid_clear(&g);
    chart_draw(&g, rect_make(0, 0, 40, 12), &s, 1, NULL, 0, &o, &f);
    CHECK(f.y_min < 3 && f.y_max > 3 && fabs(f.y_max - f.y_min - 0.6) < 1e-9,
          "a flat series gets +-10%% around it (%g..%g)", f.y_min, f.y_max);
    double zeros[3] = {0, 0, 0};
    s.y = zeros;
    chart_draw(&g, rect_make(0, 0, 40, 12), &s, 1, NULL, 0, &o, &f);
    CHECK(f.y_min == -1 && f.y_max == 1, "a flat zero series gets -1..1");

    double nans[3] = {NAN, NAN, NAN};
    s.y = nans;
    grid_clear(&g);
    chart_draw(&g, rect_make(0, 0, 40, 12), &s, 1, NULL, 0, &o, &f);
    int found = 0;
    for (int r = 0; r < 12; r++)
        found |= has(row(&g, r), "no data yet");
    CHECK(f.empty && found, "no finite point: 'no data yet'");
    chart_draw(&g, rect_make(0, 0, 5, 2), &s, 1, NULL, 0, &o, &f);
    CHECK(f.empty, "a rect too small draws nothing");
    grid_free(&g);
}

static void test_log(void)
{
    Grid g;
    grid_init(&g, 50, 14);
    double x[100], y[100];
    for (int i = 0; i < 100; i++) {
        x[i] = i;
        y[i] = pow(10, -3 + 4.0 * i / 99);
    }
    ChartSeries s = {"gn", ROLE_GRAD_OK, 0, CHART_LINE, x, y, 100};
    ChartOptions o = chart_options_default();
    o.log_y = 1;
    ChartFrame f;
    chart_draw(&g, rect_make(0, 0, 50, 14), &s, 1, NULL, 0, &o, &f);
    CHECK(f.log_y && f.n_yticks == 5 && fabs(f.yticks[0] - 1e-3) < 1e-15
              && fabs(f.yticks[4] - 10) < 1e-12,
          "log axis: ticks at the decades 1e-3 .. 10 (%d)", f.n_yticks);
    const char *labels[5] = {"0.001", "0.01", "0.1", "1", "10"};
    int ok = 1;
    for (int i = 0; i < 5; i++) {
        int dx, dy;
        ok &= chart_map(&f, 0, f.yticks[i], &dx, &dy);
        char want[32];
        snprintf(want, sizeof want, "%s┤", labels[i]);
        ok &= has(row(&g, f.plot.y + dy / 4), want);
    }
    CHECK(ok, "log tick labels sit on their rows");
    /* Points evenly spaced in log10 are evenly spaced in dots. */
    int d0, d50, d99, dx;
    chart_map(&f, 0, y[0], &dx, &d0);
    chart_map(&f, 50, y[50], &dx, &d50);
    chart_map(&f, 99, y[99], &dx, &d99);
    CHECK(abs((d0 - d50) - (d50 - d99)) <= 1, "log scale is linear in log10 (%d %d %d)", d0, d50, d99);

    double xs[10], ys[10];
    for (int i = 0; i < 10; i++) {
        xs[i] = i * 10;
        ys[i] = i == 5 ? 0 : 1 + i;
    }
    ChartSeries z = {"z", ROLE_SERIES1, 0, CHART_LINE, xs, ys, 10};
    grid_clear(&g);
    chart_draw(&g, rect_make(0, 0, 50, 14), &z, 1, NULL, 0, &o, &f);
    int a, b, dy, empty = 1;
    chart_map(&f, 40, 5, &a, &dy);
    chart_map(&f, 60, 7, &b, &dy);
    for (int c = a + 1; c < b; c++)
        empty &= !column_lit(&g, &f, c);
    CHECK(empty && !chart_map(&f, 50, 0, &a, &dy), "on a log axis, y = 0 is a gap");
    grid_free(&g);
}

static void test_priority_points_refs(void)
{
    Grid g;
    grid_init(&g, 40, 12);
    double x[11], y[11], vx[1] = {5}, vy[1] = {5};
    for (int i = 0; i <= 10; i++)
        x[i] = y[i] = i;
    ChartSeries two[3] = {
        {"a", ROLE_SERIES1, 0, CHART_LINE, x, y, 11},
        {"b", ROLE_SERIES2, 0, CHART_LINE, x, y, 11},
        {"v", ROLE_SERIES3, 0x25c6, CHART_POINTS, vx, vy, 1},
    };
    ChartOptions o = chart_options_default();
    ChartFrame f;
    chart_draw(&g, rect_make(0, 0, 40, 12), two, 2, NULL, 0, &o, &f);
    int all_b = 1, cells = 0;
    for (int cy = 0; cy < f.plot.h; cy++)
        for (int cx = 0; cx < f.plot.w; cx++) {
            GridCell c = grid_get(&g, f.plot.x + cx, f.plot.y + cy);
            if (c.ch >= 0x2801 && c.ch <= 0x28ff) {
                cells++;
                all_b &= c.role == ROLE_SERIES2;
            }
        }
    CHECK(cells > 0 && all_b, "overlapping series: the later one owns the cells (%d)", cells);

    grid_clear(&g);
    chart_draw(&g, rect_make(0, 0, 40, 12), two, 3, NULL, 0, &o, &f);
    int dx, dy;
    chart_map(&f, 5, 5, &dx, &dy);
    GridCell c = grid_get(&g, f.plot.x + dx / 2, f.plot.y + dy / 4);
    CHECK(c.ch == 0x25c6 && c.role == ROLE_SERIES3, "a point's marker beats the lines under it");
    CHECK(has(row(&g, 0), "• a  • b  ◆ v"), "legend lists every series with its glyph: '%s'",
          row(&g, 0));

    ChartRefLine ref = {5, ROLE_SERIES4, "base"};
    double lowx[2] = {0, 10}, lowy[2] = {0, 1};
    ChartSeries low = {"low", ROLE_SERIES1, 0, CHART_LINE, lowx, lowy, 2};
    grid_clear(&g);
    chart_draw(&g, rect_make(0, 0, 40, 12), &low, 1, &ref, 1, &o, &f);
    CHECK(f.y_max > 5, "reference lines take part in the autoscale (%g)", f.y_max);
    chart_map(&f, 0, 5, &dx, &dy);
    int dashed = 1;
    for (int cx = 0; cx < f.plot.w; cx++) {
        GridCell rc = grid_get(&g, f.plot.x + cx, f.plot.y + dy / 4);
        if (cx % 2 == 0)
            dashed &= rc.ch >= 0x2801 && rc.ch <= 0x28ff && rc.role == ROLE_SERIES4;
        else
            dashed &= rc.ch == ' ';
    }
    CHECK(dashed, "a reference line is dashed: lit and dark cells alternate: '%s'",
          row(&g, f.plot.y + dy / 4));
    CHECK(has(row(&g, 0), "• low  ┄ base"), "reference line in the legend: '%s'", row(&g, 0));
    o.refs_autoscale = 0;
    chart_draw(&g, rect_make(0, 0, 40, 12), &low, 1, &ref, 1, &o, &f);
    CHECK(f.y_max < 2, "refs_autoscale = 0 leaves the range to the data (%g)", f.y_max);
    grid_free(&g);
}

static void test_window_and_fixed(void)
{
    enum { N = 1001 };
    static double x[N], y[N];
    for (int i = 0; i < N; i++)
        x[i] = y[i] = i;
    Grid g;
    grid_init(&g, 60, 14);
    ChartSeries s = {"s", ROLE_SERIES1, 0, CHART_LINE, x, y, N};
    ChartOptions o = chart_options_default();
    o.x_window = 100;
    ChartFrame f;
    chart_draw(&g, rect_make(0, 0, 60, 14), &s, 1, NULL, 0, &o, &f);
    CHECK(f.x_min == 900 && f.x_max == 1000, "last 100 steps: x 900..1000 (%g..%g)", f.x_min, f.x_max);
    CHECK(fabs(f.y_min - 895) < 1e-9 && fabs(f.y_max - 1005) < 1e-9,
          "the y autoscale sees only the window (%g..%g)", f.y_min, f.y_max);
    o.x_window = 5000;
    chart_draw(&g, rect_make(0, 0, 60, 14), &s, 1, NULL, 0, &o, &f);
    CHECK(f.x_min == 0, "a window longer than the history shows all of it");

    o = chart_options_default();
    o.fixed_y = 1;
    o.y_min = 0;
    o.y_max = 200;
    grid_clear(&g);
    chart_draw(&g, rect_make(0, 0, 60, 14), &s, 1, NULL, 0, &o, &f);
    int dx, dy;
    CHECK(f.y_min == 0 && f.y_max == 200 && !chart_map(&f, 500, 500, &dx, &dy),
          "a fixed y range is kept; points above it are not mapped");
    CHECK(column_lit(&g, &f, 0) && dot(&g, &f, 0, 4 * f.plot.h - 1),
          "the visible part of a clipped line is drawn");
    grid_free(&g);
}

/* The y range takes in a POINTS series and the reference lines beyond the
 * lines' range (linear and log); the legend puts the last legend_after_refs
 * series after the reference lines and leaves out, whole, what does not fit. */
static void test_range_and_legend(void)
{
    double x[11], y[11], px[2] = {3, 8}, py[2] = {5, 4.2}, bx[1] = {8}, by[1] = {4.2};
    for (int i = 0; i <= 10; i++) {
        x[i] = i;
        y[i] = 2 + 0.1 * i; /* 2 .. 3 */
    }
    ChartSeries s[3] = {
        {"loss", ROLE_SERIES1, 0, CHART_LINE, x, y, 11},
        {"validation", ROLE_SERIES3, 0x25c6, CHART_POINTS, px, py, 2},
        {"best 4.2 @8", ROLE_GOOD, 0x2605, CHART_POINTS, bx, by, 1},
    };
    ChartRefLine ref = {0.5, ROLE_SERIES4, "3-gram"};
    Grid g;
    grid_init(&g, 60, 14);
    ChartOptions o = chart_options_default();
    o.legend_after_refs = 1;
    ChartFrame f;
    for (int log_y = 0; log_y < 2; log_y++) {
        o.log_y = log_y;
        grid_clear(&g);
        chart_draw(&g, rect_make(0, 0, 60, 14), s, 3, &ref, 1, &o, &f);
        int dx, dy;
        CHECK(f.y_max >= 5 && f.y_min <= 0.5 && chart_map(&f, 3, 5, &dx, &dy) && chart_map(&f, 0, 0.5, &dx, &dy),
              "%s: the y range %g..%g holds the points (5) and the reference line (0.5)", log_y ? "log" : "linear",
              f.y_min, f.y_max);
        chart_map(&f, 8, 4.2, &dx, &dy);
        GridCell c = grid_get(&g, f.plot.x + dx / 2, f.plot.y + dy / 4);
        CHECK(c.ch == 0x2605 && c.role == ROLE_GOOD, "%s: the later POINTS series' star covers the diamond there",
              log_y ? "log" : "linear");
    }
    CHECK(has(row(&g, 0), "• loss  ◆ validation  ┄ 3-gram  ★ best 4.2 @8"),
          "legend_after_refs 1: the last series follows the reference line: '%s'", row(&g, 0));
    /* 40 columns: the last entry has no room and is left out whole, not cut */
    grid_resize(&g, 40, 14);
    chart_draw(&g, rect_make(0, 0, 40, 14), s, 3, &ref, 1, &o, &f);
    CHECK(has(row(&g, 0), "┄ 3-gram") && !has(row(&g, 0), "★") && !has(row(&g, 0), "best"),
          "an entry that does not fit is left out whole: '%s'", row(&g, 0));
    /* without legend_after_refs: series order, then the reference line; a long one is skipped */
    o.legend_after_refs = 0;
    s[1].name = "validation loss (held-out split)";
    grid_clear(&g);
    chart_draw(&g, rect_make(0, 0, 40, 14), s, 3, &ref, 1, &o, &f);
    CHECK(has(row(&g, 0), "• loss  ★ best 4.2 @8  ┄ 3-gram") && !has(row(&g, 0), "held"),
          "later, shorter entries still show after one left out: '%s'", row(&g, 0));
    grid_free(&g);
}

static void test_speed(void)
{
    enum { N = 1000000 };
    double *y = malloc(sizeof(double) * N);
    for (int i = 0; i < N; i++)
        y[i] = 3 * exp(-i / 2e5) + 0.2 * sin(i * 0.37);
    Grid g;
    grid_init(&g, 120, 30);
    ChartSeries s = {"loss", ROLE_SERIES1, 0, CHART_LINE, NULL, y, N};
    ChartOptions o = chart_options_default();
    ChartFrame f;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    chart_draw(&g, rect_make(0, 0, 120, 30), &s, 1, NULL, 0, &o, &f);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
    printf("chart of 1e6 points into 120x30: %.1f ms\n", ms);
    CHECK(ms < 1000 && f.x_max == N - 1 && column_lit(&g, &f, 2 * f.plot.w - 1),
          "a million points draw in under a second (%.1f ms)", ms);
    free(y);
    grid_free(&g);
}

int main(void)
{
    test_format();
    test_ticks();
    test_ema();
    test_scaling();
    test_reference_raster();
    test_gaps_and_flat();
    test_log();
    test_priority_points_refs();
    test_window_and_fixed();
    test_range_and_legend();
    test_speed();
    return check_summary();
}
