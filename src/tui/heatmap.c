/* heatmap.c — a log-scale heatmap of gradient flow (see heatmap.h). */
#include "heatmap.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

enum { HEATMAP_LABEL_W = 4 };

int heatmap_scale(const float *v, int n, double *lo, double *hi)
{
    double mn = INFINITY, mx = 0;
    for (int i = 0; i < n; i++) {
        double x = v[i];
        if (!isfinite(x) || x <= 0)
            continue;
        if (x < mn)
            mn = x;
        if (x > mx)
            mx = x;
    }
    if (!(mx > 0)) {
        *lo = 1e-8;
        *hi = 1;
        return -1;
    }
    int top = (int)ceil(log10(mx) - 1e-9);
    int bot = (int)floor(log10(mn) + 1e-9);
    int d = top - bot;
    if (d < 1)
        d = 1;
    /* why: with 1, 2, 4 or 8k decades the 8 level edges land on whole decades
     * often enough that the legend can name every one it shows */
    if (d <= 2)
        ;
    else if (d <= 4)
        d = 4;
    else if (d <= 8)
        d = 8;
    else
        d = (d + 7) / 8 * 8;
    if (d > HEATMAP_MAX_DECADES)
        d = HEATMAP_MAX_DECADES;
    *hi = pow(10, top);
    *lo = pow(10, top - d);
    return 0;
}

int heatmap_level(double v, double lo, double hi)
{
    if (isnan(v))
        return -1;
    if (v <= lo || v <= 0)
        return 0;
    if (v >= hi)
        return HEATMAP_LEVELS - 1;
    double f = (log10(v) - log10(lo)) / (log10(hi) - log10(lo));
    int k = (int)floor(f * HEATMAP_LEVELS);
    if (k < 0)
        k = 0;
    if (k >= HEATMAP_LEVELS)
        k = HEATMAP_LEVELS - 1;
    return k;
}

uint32_t heatmap_glyph(int level)
{
    static const uint32_t glyphs[HEATMAP_LEVELS] = {0x2591, 0x2591, 0x2592, 0x2592,
                                                    0x2593, 0x2593, 0x2588, 0x2588};
    if (level < 0 || level >= HEATMAP_LEVELS)
        return 0x00b7;
    return glyphs[level];
}

static int heatmap_decades(double lo, double hi)
{
    int d = (int)lround(log10(hi) - log10(lo));
    return d < 1 ? 1 : d;
}

/* Width of the legend when every `skip`-th decade label is shown. */
static int heatmap_legend_pass(Grid *g, int x, int y, int max_w, double lo, double hi, int skip, int draw)
{
    int d = heatmap_decades(lo, hi);
    int e0 = (int)lround(log10(lo));
    int used = 0, nlabel = 0;
    char buf[16];
    for (int k = 0; k <= HEATMAP_LEVELS; k++) {
        int on_decade = (k * d) % HEATMAP_LEVELS == 0;
        if (on_decade) {
            if (nlabel++ % skip == 0 || k == HEATMAP_LEVELS) {
                int n = snprintf(buf, sizeof buf, "%s1e%d%s", k ? " " : "", e0 + k * d / HEATMAP_LEVELS,
                                 k < HEATMAP_LEVELS ? " " : "");
                if (draw)
                    grid_text(g, x + used, y, max_w - used, buf, ROLE_AXIS, 0);
                used += n;
            }
        }
        if (k < HEATMAP_LEVELS) {
            if (draw && used < max_w)
                grid_set(g, x + used, y, heatmap_glyph(k), (Role)(ROLE_HEAT0 + k), 0);
            used++;
        }
    }
    return used;
}

int heatmap_legend(Grid *g, int x, int y, int max_w, double lo, double hi)
{
    int skip = 1;
    while (skip < 64 && heatmap_legend_pass(g, x, y, max_w, lo, hi, skip, 0) > max_w)
        skip *= 2;
    int w = heatmap_legend_pass(g, x, y, max_w, lo, hi, skip, 0);
    if (w > max_w) {
        /* not even the glyphs and two labels fit: the glyphs alone */
        for (int k = 0; k < HEATMAP_LEVELS && k < max_w; k++)
            grid_set(g, x + k, y, heatmap_glyph(k), (Role)(ROLE_HEAT0 + k), 0);
        return max_w < HEATMAP_LEVELS ? max_w : HEATMAP_LEVELS;
    }
    return heatmap_legend_pass(g, x, y, max_w, lo, hi, skip, 1);
}

/* Mean of the finite entries of row[a, b), NaN if none. */
static double heatmap_mean(const float *row, int a, int b)
{
    double s = 0;
    int n = 0;
    for (int i = a; i < b; i++)
        if (isfinite(row[i])) {
            s += row[i];
            n++;
        }
    return n ? s / n : NAN;
}

int heatmap_draw(Grid *g, Rect r, const HeatmapData *d)
{
    if (r.w < 12 || r.h < 2 || d->rows < 1 || d->cols < 1 || !d->v)
        return 0;
    double lo = d->lo, hi = d->hi;
    if (!(lo > 0 && hi > lo))
        heatmap_scale(d->v, d->rows * d->cols, &lo, &hi);
    int show_axis = r.h >= d->rows + 2;
    int show_legend = r.h >= d->rows + 1;
    int nrows = r.h - show_legend - show_axis;
    if (nrows > d->rows)
        nrows = d->rows;
    int more = nrows < d->rows; /* the last row counts the layers left out */
    if (more)
        nrows--;
    int cw = r.w - HEATMAP_LABEL_W;
    int per = d->cols <= cw ? cw / d->cols : 1;
    int map_w = d->cols <= cw ? d->cols * per : cw;
    int x0 = r.x + HEATMAP_LABEL_W;
    for (int l = 0; l < nrows; l++) {
        int y = r.y + l;
        grid_textf(g, r.x, y, HEATMAP_LABEL_W, ROLE_AXIS, 0, "l%d", l);
        const float *row = d->v + (size_t)l * d->cols;
        for (int j = 0; j < map_w; j++) {
            double v;
            if (d->cols <= cw) {
                v = row[j / per];
            } else {
                int a = (int)((long)j * d->cols / map_w), b = (int)((long)(j + 1) * d->cols / map_w);
                v = heatmap_mean(row, a, b);
            }
            int k = heatmap_level(v, lo, hi);
            grid_set(g, x0 + j, y, heatmap_glyph(k), k < 0 ? ROLE_DIM : (Role)(ROLE_HEAT0 + k), 0);
        }
    }
    int y = r.y + nrows;
    if (more) {
        grid_textf(g, r.x, y, r.w, ROLE_DIM, 0, "+%d more", d->rows - nrows);
        y++;
    }
    if (show_axis) {
        char left[24], mid[24];
        int stride = d->stride > 0 ? d->stride : 1;
        int back = (d->cols - 1) * stride;
        snprintf(left, sizeof left, "t-%d", back);
        int lw = grid_text(g, x0, y, map_w, left, ROLE_AXIS, 0);
        int rx = x0 + map_w - 3;
        if (rx >= x0 + lw + 1)
            grid_text(g, rx, y, 3, "t-0", ROLE_AXIS, 0);
        int p = (d->cols - 1) / 2;
        snprintf(mid, sizeof mid, "t-%d", (d->cols - 1 - p) * stride);
        int mw = (int)strlen(mid);
        int mx = x0 + (d->cols <= cw ? p * per : (int)((long)p * map_w / d->cols)) - mw / 2;
        if (back >= 4 && mx > x0 + lw + 1 && mx + mw + 1 < rx)
            grid_text(g, mx, y, mw, mid, ROLE_AXIS, 0);
        y++;
    }
    if (!show_legend)
        return y - r.y;
    heatmap_legend(g, r.x, y, r.w - 1, lo, hi); /* a blank column before a border */
    return y + 1 - r.y;
}
