/* layout.c — panel rectangles for a terminal size (see layout.h).
 *
 * For: splitting the screen between panels by proportions with minimums, so
 * every size from the minimum up gives usable, non-overlapping panels that
 * tile the screen. Not for: drawing.
 *
 * Every split below is "a share of the space, clamped so both sides keep
 * their minimum"; with the minimum terminal of 60x16 all minimums fit, which
 * tests/test_layout.c checks for every size up to 300x100.
 */
#include "layout.h"

#include <string.h>

enum { LAYOUT_DEFAULT = 0, LAYOUT_WIDE, LAYOUT_TALL, LAYOUT_INSPECTOR, LAYOUT_UNITS, LAYOUT_KINDS };

static const char *const layout_names[LAYOUT_KINDS + 1] = {
    "default", "wide", "tall", "inspector", "units", NULL,
};

static const char *const layout_panel_names[PANEL_COUNT] = {
    "status", "chart", "grads", "probs", "sample", "messages", "findings", "inspect", "units", "input", "footer",
};

const char *layout_name(int i)
{
    return i >= 0 && i < LAYOUT_KINDS ? layout_names[i] : NULL;
}

int layout_find(const char *name)
{
    for (int i = 0; name && i < LAYOUT_KINDS; i++)
        if (strcmp(name, layout_names[i]) == 0)
            return i;
    return -1;
}

const char *layout_panel_name(PanelId p)
{
    return p >= 0 && p < PANEL_COUNT ? layout_panel_names[p] : "?";
}

int layout_has(const Layout *l, PanelId p)
{
    return p >= 0 && p < PANEL_COUNT && l->panel[p].w > 0 && l->panel[p].h > 0;
}

/* total * num / den, clamped so the first part >= min_a and the rest >= min_b. */
static int layout_share(int total, int num, int den, int min_a, int min_b)
{
    int a = total * num / den;
    if (a > total - min_b)
        a = total - min_b;
    if (a < min_a)
        a = min_a;
    return a;
}

/* Split r into a left part of width a and the rest. */
static void layout_hsplit(Rect r, int a, Rect *left, Rect *right)
{
    *left = rect_make(r.x, r.y, a, r.h);
    *right = rect_make(r.x + a, r.y, r.w - a, r.h);
}

static void layout_vsplit(Rect r, int a, Rect *top, Rect *bottom)
{
    *top = rect_make(r.x, r.y, r.w, a);
    *bottom = rect_make(r.x, r.y + a, r.w, r.h - a);
}

/* Rows of the findings box for a main area of h rows: a sixth, 3..6; 0 (no
 * box) when the other panels would get fewer than min_rest rows. */
static int layout_findings_h(int h, int min_rest)
{
    int fh = h * 16 / 100;
    if (fh < 3)
        fh = 3;
    if (fh > 6)
        fh = 6;
    return h - fh >= min_rest ? fh : 0;
}

/* The findings box takes the top fh rows of *r (fh 0: no box, r unchanged). */
static void layout_take_findings(Layout *l, Rect *r, int fh)
{
    if (fh > 0)
        layout_vsplit(*r, fh, &l->panel[PANEL_FINDINGS], r);
}

static void layout_default(Layout *l, Rect m)
{
    Rect top, bot, right;
    int fh = layout_findings_h(m.h, 13); /* chart row 7, bottom row 6 */
    layout_vsplit(m, layout_share(m.h - fh, 55, 100, 7, 6), &top, &bot);
    layout_take_findings(l, &bot, fh);
    layout_hsplit(top, layout_share(top.w, 62, 100, 30, 24), &l->panel[PANEL_CHART],
                  &l->panel[PANEL_GRADS]);
    int probs_w = layout_share(bot.w, 32, 100, 22, 30);
    if (probs_w > 48)
        probs_w = 48;
    layout_hsplit(bot, probs_w, &l->panel[PANEL_PROBS], &right);
    layout_vsplit(right, layout_share(right.h, 1, 2, 3, 3), &l->panel[PANEL_SAMPLE],
                  &l->panel[PANEL_MESSAGES]);
}

static void layout_wide(Layout *l, Rect m)
{
    Rect top, bot, rest;
    int fh = layout_findings_h(m.h, 12); /* chart row 7, bottom row 5 */
    layout_vsplit(m, layout_share(m.h - fh, 60, 100, 7, 5), &top, &bot);
    layout_take_findings(l, &bot, fh);
    layout_hsplit(top, layout_share(top.w, 66, 100, 30, 24), &l->panel[PANEL_CHART],
                  &l->panel[PANEL_GRADS]);
    int probs_w = layout_share(bot.w, 28, 100, 16, 32);
    if (probs_w > 48)
        probs_w = 48;
    layout_hsplit(bot, probs_w, &l->panel[PANEL_PROBS], &rest);
    layout_hsplit(rest, layout_share(rest.w, 1, 2, 16, 16), &l->panel[PANEL_SAMPLE],
                  &l->panel[PANEL_MESSAGES]);
}

/* Stacked; below 24 rows there is not enough height: then it is the default. */
static void layout_tall(Layout *l, Rect m)
{
    if (m.h + 3 < 24) {
        layout_default(l, m);
        return;
    }
    Rect chart_rest, grads_rest, row;
    int fh = layout_findings_h(m.h, 21); /* chart 7, grads 4, probs row 6, messages 4 */
    layout_vsplit(m, layout_share(m.h - fh, 36, 100, 7, 14), &l->panel[PANEL_CHART], &chart_rest);
    layout_vsplit(chart_rest, layout_share(chart_rest.h - fh, 33, 100, 4, 10),
                  &l->panel[PANEL_GRADS], &grads_rest);
    layout_take_findings(l, &grads_rest, fh);
    layout_vsplit(grads_rest, layout_share(grads_rest.h, 55, 100, 6, 4), &row,
                  &l->panel[PANEL_MESSAGES]);
    int probs_w = layout_share(row.w, 40, 100, 22, 24);
    if (probs_w > 48)
        probs_w = 48;
    layout_hsplit(row, probs_w, &l->panel[PANEL_PROBS], &l->panel[PANEL_SAMPLE]);
}

/* The inspector and units screens: one large area over the messages. */
static void layout_screen(Layout *l, Rect m, PanelId main)
{
    layout_vsplit(m, layout_share(m.h, 80, 100, 7, 4), &l->panel[main], &l->panel[PANEL_MESSAGES]);
}

int layout_compute(Layout *out, const char *name, int w, int h)
{
    int kind = layout_find(name ? name : "default");
    int rc = 0;
    if (kind < 0) {
        kind = LAYOUT_DEFAULT;
        rc = -1;
    }
    memset(out, 0, sizeof *out);
    out->w = w;
    out->h = h;
    out->kind = kind;
    if (w < LAYOUT_MIN_W || h < LAYOUT_MIN_H) {
        out->too_small = 1;
        return rc;
    }
    out->panel[PANEL_STATUS] = rect_make(0, 0, w, 1);
    out->panel[PANEL_INPUT] = rect_make(0, h - 2, w, 1);
    out->panel[PANEL_FOOTER] = rect_make(0, h - 1, w, 1);
    Rect m = rect_make(0, 1, w, h - 3);
    switch (kind) {
    case LAYOUT_WIDE:
        layout_wide(out, m);
        break;
    case LAYOUT_TALL:
        layout_tall(out, m);
        break;
    case LAYOUT_INSPECTOR:
        layout_screen(out, m, PANEL_INSPECT);
        break;
    case LAYOUT_UNITS:
        layout_screen(out, m, PANEL_UNITS);
        break;
    default:
        layout_default(out, m);
        break;
    }
    return rc;
}
