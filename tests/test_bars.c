/* test_bars.c — eighth-block bars, log bars, labelled rows, and sparklines. */
#include <math.h>
#include <string.h>

#include "bars.h"
#include "check.h"
#include "grid.h"
#include "sparkline.h"

static const char *row(const Grid *g, int y)
{
    static char buf[4096];
    grid_row_text(g, y, buf, sizeof buf);
    return buf;
}

/* Eighths shown in cells [x, x+w) of row y, read back from the glyphs. */
static int eighths_shown(const Grid *g, int x, int y, int w)
{
    int total = 0;
    for (int i = 0; i < w; i++) {
        uint32_t ch = grid_get(g, x + i, y).ch;
        if (ch == 0x2588)
            total += 8;
        else if (ch >= 0x2589 && ch <= 0x258f)
            total += 0x2590 - (int)ch;
        else if (ch != ' ')
            return -1;
    }
    return total;
}

static void test_log_range(void)
{
    double lo, hi;
    bars_log_range(2e-3, 0.3, &lo, &hi);
    CHECK(hi == 1 && fabs(lo - 1e-4) < 1e-18, "log range of 2e-3..0.3 is 1e-4..1 (four decades at least): %g..%g",
          lo, hi);
    bars_log_range(3e-7, 45, &lo, &hi);
    CHECK(hi == 100 && fabs(lo / 1e-7 - 1) < 1e-12, "log range of 3e-7..45 is 1e-7..100: %g..%g", lo, hi);
    bars_log_range(INFINITY, 0, &lo, &hi);
    CHECK(hi == 1 && fabs(lo - 1e-4) < 1e-18, "no positive values: 1e-4..1");
}

int main(void)
{
    test_log_range();
    Grid g;
    grid_init(&g, 40, 6);

    bars_draw(&g, 0, 0, 3, 0.5, ROLE_BAR, ROLE_BAR_DIM);
    CHECK(strncmp(row(&g, 0), "█▌ ", strlen("█▌ ")) == 0, "0.5 of 3 cells is '█▌ ' ('%s')",
          row(&g, 0));
    CHECK(grid_get(&g, 1, 0).role == ROLE_BAR && grid_get(&g, 2, 0).role == ROLE_BAR_DIM,
          "filled cells take the fill role, the track the empty role");
    bars_draw(&g, 0, 0, 3, 1.0 / 24, ROLE_BAR, ROLE_BAR_DIM);
    CHECK(strncmp(row(&g, 0), "▏  ", strlen("▏  ")) == 0, "1/24 of 3 cells is one eighth");
    bars_draw(&g, 0, 0, 1, 7.0 / 8, ROLE_BAR, ROLE_BAR_DIM);
    CHECK(grid_get(&g, 0, 0).ch == 0x2589, "7/8 of a cell is ▉");
    bars_draw(&g, 0, 0, 3, 0, ROLE_BAR, ROLE_BAR_DIM);
    CHECK(strncmp(row(&g, 0), "   ", 3) == 0, "0 draws only the track");
    bars_draw(&g, 0, 0, 3, 1.5, ROLE_BAR, ROLE_BAR_DIM);
    CHECK(strncmp(row(&g, 0), "███", strlen("███")) == 0, "values above 1 are clamped");
    bars_draw(&g, 0, 0, 3, NAN, ROLE_BAR, ROLE_BAR_DIM);
    CHECK(eighths_shown(&g, 0, 0, 3) == 0, "NaN draws an empty bar");

    int all = 1;
    for (int w = 1; w <= 7; w++)
        for (int k = 0; k <= 8 * w; k++) {
            bars_draw(&g, 2, 1, w, (double)k / (8 * w), ROLE_BAR, ROLE_BAR_DIM);
            if (eighths_shown(&g, 2, 1, w) != k || bars_eighths((double)k / (8 * w), w) != k)
                all = 0;
        }
    CHECK(all, "every eighth count 0..8w over widths 1..7 reads back exactly");
    CHECK(bars_eighths(0.49 / 24, 3) == 0 && bars_eighths(0.51 / 24, 3) == 1,
          "eighths round to nearest");

    CHECK(fabs(bars_frac_log(1e-3, 1e-6, 1) - 0.5) < 1e-12, "log bar: 1e-3 on [1e-6, 1] is 0.5");
    CHECK(fabs(bars_frac_log(10, 1, 1000) - 1.0 / 3) < 1e-12, "log bar: 10 on [1, 1000] is 1/3");
    CHECK(bars_frac_log(1e-9, 1e-6, 1) == 0 && bars_frac_log(5, 1e-6, 1) == 1,
          "log bar clamps below lo and above hi");
    CHECK(bars_frac_log(0, 1e-6, 1) == 0 && bars_frac_log(-1, 1e-6, 1) == 0
              && bars_frac_log(NAN, 1e-6, 1) == 0 && bars_frac_log(INFINITY, 1e-6, 1) == 1,
          "log bar: zero, negative and NaN are empty, inf is full");

    BarRow br = {"the", ROLE_TEXT, 0.5, ROLE_BAR, ROLE_BAR_DIM, "0.312", ROLE_DIM};
    grid_clear(&g);
    bars_row(&g, 0, 2, 30, 5, 6, &br);
    /* bar width 30 - 5 - 6 - 2 = 17; half of it is 68 eighths = 8 cells + ▌ */
    char want[256];
    snprintf(want, sizeof want, "the   %s%s  0.312", "████████▌", "        ");
    CHECK(strncmp(row(&g, 2), want, strlen(want)) == 0, "labelled row: '%s'", row(&g, 2));
    CHECK(grid_get(&g, 29, 2).role == ROLE_DIM && grid_get(&g, 0, 2).role == ROLE_TEXT,
          "label and value roles");
    br.label = "␣";
    br.value = "12%";
    bars_row(&g, 0, 3, 12, 2, 4, &br);
    CHECK(strncmp(row(&g, 3), "␣  ██    12%", strlen("␣  ██    12%")) == 0,
          "narrow labelled row with a wide-escape label: '%s'", row(&g, 3));
    bars_row(&g, 0, 4, 8, 5, 6, &br);
    CHECK(eighths_shown(&g, 0, 4, 8) == -1 && strncmp(row(&g, 4), "␣", strlen("␣")) == 0,
          "no room for a bar: label only ('%s')", row(&g, 4));

    /* Sparklines */
    double ramp[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    grid_clear(&g);
    sparkline_draw(&g, 0, 0, 8, ramp, 8, 0, ROLE_SERIES1);
    CHECK(strncmp(row(&g, 0), "▁▂▃▄▅▆▇█", strlen("▁▂▃▄▅▆▇█")) == 0, "a ramp is ▁..█ ('%s')",
          row(&g, 0));
    CHECK(grid_get(&g, 3, 0).role == ROLE_SERIES1, "sparkline role");
    double longer[12] = {100, 100, 100, 100, 0, 1, 2, 3, 4, 5, 6, 7};
    sparkline_draw(&g, 0, 1, 8, longer, 12, 0, ROLE_SERIES1);
    CHECK(strncmp(row(&g, 1), "▁▂▃▄▅▆▇█", strlen("▁▂▃▄▅▆▇█")) == 0,
          "only the last w values are drawn and scaled ('%s')", row(&g, 1));
    double gaps[5] = {1, NAN, 3, 2, 1};
    sparkline_draw(&g, 0, 2, 7, gaps, 5, 0, ROLE_SERIES1);
    CHECK(strncmp(row(&g, 2), "▁ █▅▁  ", strlen("▁ █▅▁  ")) == 0,
          "NaN is a gap, fewer values leave spaces ('%s')", row(&g, 2));
    double decades[3] = {1, 10, 100};
    sparkline_draw(&g, 0, 3, 3, decades, 3, 1, ROLE_SERIES1);
    CHECK(strncmp(row(&g, 3), "▁▅█", strlen("▁▅█")) == 0, "log scale: decades evenly ('%s')",
          row(&g, 3));
    double withzero[3] = {0, 10, 100};
    sparkline_draw(&g, 0, 4, 3, withzero, 3, 1, ROLE_SERIES1);
    CHECK(strncmp(row(&g, 4), " ▁█", strlen(" ▁█")) == 0, "log scale: 0 is a gap ('%s')",
          row(&g, 4));
    double flat[4] = {2, 2, 2, 2};
    sparkline_draw(&g, 0, 5, 4, flat, 4, 0, ROLE_SERIES1);
    CHECK(strncmp(row(&g, 5), "▄▄▄▄", strlen("▄▄▄▄")) == 0, "a flat series sits in the middle");
    CHECK(sparkline_level(5, 0, 10, 0) == 4 && sparkline_level(-3, 0, 10, 0) == 0
              && sparkline_level(30, 0, 10, 0) == 7 && sparkline_level(NAN, 0, 10, 0) == -1,
          "levels on a fixed range clamp, NaN is -1");
    sparkline_draw_range(&g, 0, 5, 2, ramp + 6, 2, 0, 0, 70, ROLE_SERIES1);
    CHECK(grid_get(&g, 0, 5).ch == 0x2581 && grid_get(&g, 1, 5).ch == 0x2581,
          "a fixed range does not autoscale");
    grid_free(&g);
    return check_summary();
}
