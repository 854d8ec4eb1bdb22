/* histview.c — a tensor's histogram as vertical bars (see histview.h). */
#include "histview.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "chart.h"

enum { HISTVIEW_MAX_W = 1024 };

int histview_columns(const Histogram *h, int w, double *out)
{
    int nb = h->n_bins;
    if (w <= 0 || nb <= 0)
        return 0;
    for (int j = 0; j < w; j++)
        out[j] = 0;
    if (nb <= w) {
        int per = w / nb;
        for (int b = 0; b < nb; b++)
            for (int k = 0; k < per; k++)
                out[b * per + k] = (double)h->bins[b];
        return nb * per;
    }
    for (int j = 0; j < w; j++) {
        int a = (int)((long)j * nb / w), e = (int)((long)(j + 1) * nb / w);
        for (int b = a; b < e; b++)
            out[j] += (double)h->bins[b];
    }
    return w;
}

int histview_eighths(double count, double max, int cells)
{
    if (!(count > 0) || !(max > 0) || cells <= 0)
        return 0;
    int e = (int)lround(count / max * cells * 8);
    if (e < 1)
        e = 1;
    if (e > cells * 8)
        e = cells * 8;
    return e;
}

void histview_draw(Grid *g, Rect r, const Histogram *h, Role bar_role)
{
    if (r.w < 1 || r.h < 1)
        return;
    char n_s[16], mean_s[16], std_s[16];
    double mean = h->count ? h->sum / (double)h->count : 0;
    double var = h->count ? h->sum_sq / (double)h->count - mean * mean : 0;
    chart_format_number((double)h->count, n_s, sizeof n_s);
    chart_format_number_digits(mean, 2, mean_s, sizeof mean_s);
    chart_format_number_digits(sqrt(var > 0 ? var : 0), 2, std_s, sizeof std_s);
    int x = r.x;
    x += grid_textf(g, x, r.y, r.w, ROLE_DIM, 0, "n %s  mean %s  std %s", n_s, mean_s, std_s);
    if (h->n_nonfinite > 0)
        grid_textf(g, x, r.y, r.x + r.w - x, ROLE_ERROR, ATTR_BOLD, "  %ld NaN/Inf", h->n_nonfinite);
    if (r.w < 16 || r.h < 4)
        return;
    if (h->count == 0) {
        grid_text(g, r.x, r.y + 1, r.w, "no finite values", ROLE_WARN, 0);
        return;
    }
    int bh = r.h - 3;                 /* rows of bars */
    int bw = r.w - HISTVIEW_YLABEL_W; /* columns of bars */
    if (bw > HISTVIEW_MAX_W)
        bw = HISTVIEW_MAX_W;
    double cols[HISTVIEW_MAX_W];
    int used = histview_columns(h, bw, cols);
    double mx = 0;
    for (int j = 0; j < used; j++)
        if (cols[j] > mx)
            mx = cols[j];
    int x0 = r.x + HISTVIEW_YLABEL_W;
    int ybot = r.y + bh; /* the last bar row */
    char top[16];
    chart_format_number(mx, top, sizeof top);
    grid_textf(g, r.x, r.y + 1, HISTVIEW_YLABEL_W - 1, ROLE_AXIS, 0, "%5s", top);
    for (int y = r.y + 1; y <= ybot; y++)
        grid_set(g, x0 - 1, y, 0x2502, ROLE_AXIS, 0);
    for (int j = 0; j < used; j++) {
        int e = histview_eighths(cols[j], mx, bh);
        for (int k = 0; k < bh && e > 0; k++, e -= 8)
            grid_set(g, x0 + j, ybot - k, e >= 8 ? 0x2588 : 0x2580 + (uint32_t)e, bar_role, 0);
    }
    grid_set(g, x0 - 1, ybot + 1, 0x2514, ROLE_AXIS, 0);
    for (int j = 0; j < used; j++)
        grid_set(g, x0 + j, ybot + 1, 0x2500, ROLE_AXIS, 0);
    /* value labels: min under the first column, max ending under the last, 0 where it falls */
    char lo_s[16], hi_s[16];
    chart_format_number_digits(h->min, 2, lo_s, sizeof lo_s);
    chart_format_number_digits(h->max, 2, hi_s, sizeof hi_s);
    int ly = ybot + 2;
    int lw = grid_text(g, x0, ly, used, lo_s, ROLE_AXIS, 0);
    int hw = (int)strlen(hi_s);
    int hx = x0 + used - hw;
    if (hx > x0 + lw)
        grid_text(g, hx, ly, hw, hi_s, ROLE_AXIS, 0);
    if (h->min < 0 && h->max > 0) {
        int zx = x0 + (int)((0 - h->min) / (h->max - h->min) * used);
        if (zx > x0 + lw && zx < hx - 1) {
            grid_set(g, zx, ly, '0', ROLE_AXIS, 0);
            grid_set(g, zx, ybot + 1, 0x252c, ROLE_AXIS, 0);
        }
    }
}
