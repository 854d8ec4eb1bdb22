/* test_layout.c — every layout at every size from the minimum to 300x100:
 * panels inside the screen, no overlap, the screen fully covered, each shown
 * panel big enough to be useful; "too small" below the minimum; the findings
 * box across the screen under the chart row when there is room for it. */
#include <string.h>

#include "check.h"
#include "layout.h"

/* Minimum outer size of a shown panel (framed panels need a content row). */
static void panel_min(PanelId p, int *w, int *h)
{
    *w = 12;
    *h = 3;
    if (p == PANEL_STATUS || p == PANEL_INPUT || p == PANEL_FOOTER)
        *h = 1;
    if (p == PANEL_CHART || p == PANEL_INSPECT) {
        *w = 30;
        *h = 7;
    }
    if (p == PANEL_GRADS || p == PANEL_PROBS)
        *w = 16;
}

/* Returns a description of the first problem, or NULL. No overlap plus every
 * panel inside plus areas summing to w*h means the panels tile the screen. */
static const char *check_layout(const Layout *l, int w, int h)
{
    static char why[200];
    long area = 0;
    for (int p = 0; p < PANEL_COUNT; p++) {
        Rect r = l->panel[p];
        if (r.w == 0 && r.h == 0)
            continue;
        int mw, mh;
        panel_min((PanelId)p, &mw, &mh);
        if (r.w < mw || r.h < mh) {
            snprintf(why, sizeof why, "%s is %dx%d, under %dx%d", layout_panel_name(p), r.w, r.h,
                     mw, mh);
            return why;
        }
        if (r.x < 0 || r.y < 0 || r.x + r.w > w || r.y + r.h > h) {
            snprintf(why, sizeof why, "%s (%d,%d %dx%d) leaves the screen", layout_panel_name(p),
                     r.x, r.y, r.w, r.h);
            return why;
        }
        for (int q = 0; q < p; q++) {
            Rect o = l->panel[q];
            if (r.x < o.x + o.w && o.x < r.x + r.w && r.y < o.y + o.h && o.y < r.y + r.h) {
                snprintf(why, sizeof why, "%s overlaps %s", layout_panel_name(p),
                         layout_panel_name(q));
                return why;
            }
        }
        area += (long)r.w * r.h;
    }
    if (area != (long)w * h) {
        snprintf(why, sizeof why, "panels cover %ld of %ld cells", area, (long)w * h);
        return why;
    }
    if (l->panel[PANEL_STATUS].y != 0 || l->panel[PANEL_STATUS].w != w
        || l->panel[PANEL_INPUT].y != h - 2 || l->panel[PANEL_FOOTER].y != h - 1)
        return "status on top, input and footer at the bottom";
    return NULL;
}

int main(void)
{
    for (int k = 0; layout_name(k); k++) {
        const char *name = layout_name(k);
        const char *bad = NULL;
        int bw = 0, bh = 0, sizes = 0;
        for (int h = LAYOUT_MIN_H; h <= 100 && !bad; h++)
            for (int w = LAYOUT_MIN_W; w <= 300 && !bad; w++) {
                Layout l;
                if (layout_compute(&l, name, w, h) != 0 || l.too_small) {
                    bad = "refused a size above the minimum";
                } else {
                    bad = check_layout(&l, w, h);
                }
                bw = w, bh = h;
                sizes++;
            }
        CHECK(!bad, "layout %s: %d sizes 60x16..300x100 tile the screen%s%s (at %dx%d)", name,
              sizes, bad ? ": " : "", bad ? bad : "", bw, bh);
    }

    const PanelId main_panels[] = {PANEL_CHART, PANEL_GRADS, PANEL_PROBS, PANEL_SAMPLE, PANEL_MESSAGES,
                                   PANEL_FINDINGS, PANEL_INPUT, PANEL_FOOTER, PANEL_STATUS};
    int all = 1;
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < sizeof main_panels / sizeof main_panels[0]; i++) {
            Layout l;
            layout_compute(&l, layout_name(k), 100, 30);
            all &= layout_has(&l, main_panels[i]) && !layout_has(&l, PANEL_INSPECT);
        }
    CHECK(all, "default, wide and tall show every dashboard panel and no inspector");
    Layout l;
    layout_compute(&l, "inspector", 100, 30);
    CHECK(layout_has(&l, PANEL_INSPECT) && layout_has(&l, PANEL_MESSAGES)
              && !layout_has(&l, PANEL_CHART) && !layout_has(&l, PANEL_PROBS)
              && !layout_has(&l, PANEL_FINDINGS),
          "the inspector screen: inspect area and messages only (it lists the findings itself)");

    layout_compute(&l, "default", 100, 30);
    Rect c = l.panel[PANEL_CHART], g = l.panel[PANEL_GRADS], fd = l.panel[PANEL_FINDINGS];
    CHECK(c.x == 0 && c.y == 1 && c.w == 62 && c.h == 12 && g.x == 62 && g.w == 38,
          "default at 100x30: chart 62x12 at (0,1), grads 38 wide (%d,%d %dx%d)", c.x, c.y, c.w,
          c.h);
    CHECK(fd.x == 0 && fd.y == c.y + c.h && fd.w == 100 && fd.h == 4
              && l.panel[PANEL_PROBS].y == fd.y + fd.h,
          "default at 100x30: findings 100x4 across the screen under the chart (%d,%d %dx%d)", fd.x,
          fd.y, fd.w, fd.h);
    int sizes_fd[][3] = {{80, 24, 3}, {120, 50, 6}, {300, 100, 6}, {60, 18, 0}, {60, 19, 3}};
    int fd_ok = 1;
    for (size_t i = 0; i < sizeof sizes_fd / sizeof sizes_fd[0]; i++) {
        layout_compute(&l, "default", sizes_fd[i][0], sizes_fd[i][1]);
        fd_ok &= l.panel[PANEL_FINDINGS].h == sizes_fd[i][2];
    }
    CHECK(fd_ok, "the findings box: 3 rows at 80x24, at most 6, none below 19 rows");
    layout_compute(&l, "tall", 80, 50);
    fd = l.panel[PANEL_FINDINGS];
    CHECK(fd.w == 80 && fd.y == l.panel[PANEL_GRADS].y + l.panel[PANEL_GRADS].h
              && l.panel[PANEL_PROBS].y == fd.y + fd.h,
          "tall puts the findings between the gradients and the probabilities");
    layout_compute(&l, "tall", 80, 50);
    CHECK(l.panel[PANEL_GRADS].y > l.panel[PANEL_CHART].y && l.panel[PANEL_GRADS].x == 0
              && l.panel[PANEL_GRADS].w == 80,
          "tall stacks the gradients under the chart at full width");
    layout_compute(&l, "wide", 200, 50);
    CHECK(l.panel[PANEL_MESSAGES].y == l.panel[PANEL_PROBS].y
              && l.panel[PANEL_SAMPLE].y == l.panel[PANEL_PROBS].y,
          "wide puts probs, sample and messages side by side");

    int small_ok = 1;
    int sizes[][2] = {{59, 30}, {100, 15}, {50, 15}, {0, 0}, {1, 1}, {-5, 10}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        layout_compute(&l, "default", sizes[i][0], sizes[i][1]);
        small_ok &= l.too_small && !layout_has(&l, PANEL_STATUS) && !layout_has(&l, PANEL_CHART);
    }
    layout_compute(&l, "default", 60, 16);
    small_ok &= !l.too_small;
    CHECK(small_ok, "below %dx%d the layout is too small with no panels; at it, not",
          LAYOUT_MIN_W, LAYOUT_MIN_H);

    layout_compute(&l, "units", 100, 30);
    CHECK(layout_has(&l, PANEL_UNITS) && layout_has(&l, PANEL_MESSAGES) && !layout_has(&l, PANEL_INSPECT) &&
              !layout_has(&l, PANEL_CHART) && l.panel[PANEL_UNITS].h > l.panel[PANEL_MESSAGES].h,
          "the units screen: its area over the messages, larger than them");
    CHECK(layout_compute(&l, "bogus", 100, 30) == -1 && l.kind == layout_find("default")
              && layout_has(&l, PANEL_CHART),
          "an unknown name returns -1 and the default layout");
    CHECK(layout_find("wide") == 1 && layout_find("nope") == -1 && layout_name(5) == NULL
              && strcmp(layout_panel_name(PANEL_PROBS), "probs") == 0,
          "names: find, list, panel names");
    return check_summary();
}
