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

/* The statistics row: "n 1.25M  mean 0.0012  std 0.0099", in shorter forms
 * (fewer digits, then without n, then "μ σ") until one fits whole in r.w - 1
 * columns (a blank column before a border); the NaN/Inf count after it when
 * that fits whole too. */
static void histview_stats(Grid *g, Rect r, const Histogram *h)
{
    double mean = h->count ? h->sum / (double)h->count : 0;
    double var = h->count ? h->sum_sq / (double)h->count - mean * mean : 0;
    double sd = sqrt(var > 0 ? var : 0);
    char n3[16], n1[16], m2[16], s2[16], m1[16], s1[16];
    chart_format_number((double)h->count, n3, sizeof n3);
    chart_format_number_digits((double)h->count, 1, n1, sizeof n1);
    chart_format_number_digits(mean, 2, m2, sizeof m2);
    chart_format_number_digits(sd, 2, s2, sizeof s2);
    chart_format_fit(mean, 1, 5, m1, sizeof m1);
    chart_format_fit(sd, 1, 5, s1, sizeof s1);
    char t[6][96];
    snprintf(t[0], sizeof t[0], "n %s  mean %s  std %s", n3, m2, s2);
    snprintf(t[1], sizeof t[1], "n %s mean %s std %s", n3, m2, s2);
    snprintf(t[2], sizeof t[2], "n %s mean %s std %s", n1, m1, s1);
    snprintf(t[3], sizeof t[3], "mean %s std %s", m1, s1);
    snprintf(t[4], sizeof t[4], "μ %s σ %s", m1, s1);
    snprintf(t[5], sizeof t[5], "σ %s", s1);
    const char *texts[6] = {t[0], t[1], t[2], t[3], t[4], t[5]};
    const char *best = grid_first_fit(r.w - 1, 6, texts);
    int x = r.x;
    if (grid_text_width(best) <= r.w - 1)
        x += grid_text(g, x, r.y, r.w, best, ROLE_DIM, 0);
    if (h->n_nonfinite > 0) {
        char nf[48];
        snprintf(nf, sizeof nf, "  %ld NaN/Inf", h->n_nonfinite);
        if (x - r.x + grid_text_width(nf) <= r.w - 1)
            grid_text(g, x, r.y, r.x + r.w - x, nf, ROLE_ERROR, ATTR_BOLD);
        else if (grid_text_width(nf + 2) <= r.w - 1) /* the warning matters more than the statistics */
            grid_text(g, r.x, r.y, r.w, nf + 2, ROLE_ERROR, ATTR_BOLD);
    }
}

void histview_draw(Grid *g, Rect r, const Histogram *h, Role bar_role)
{
    if (r.w < 1 || r.h < 1)
        return;
    histview_stats(g, r, h);
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
    int lw = (int)strlen(lo_s) < used ? grid_text(g, x0, ly, used, lo_s, ROLE_AXIS, 0) : 0;
    int hw = (int)strlen(hi_s);
    int hend = x0 + used < r.x + r.w - 1 ? x0 + used : r.x + r.w - 1; /* a blank column before a border */
    int hx = hend - hw;
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
