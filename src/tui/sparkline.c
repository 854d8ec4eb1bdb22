/* sparkline.c — one-row trends (see sparkline.h).
 *
 * For: mapping values to the eight lower blocks ▁..█ (U+2581..U+2588). Not
 * for: anything with axes.
 */
#include "sparkline.h"

#include <math.h>

static int sparkline_ok(double v, int log_scale)
{
    return isfinite(v) && (!log_scale || v > 0);
}

int sparkline_level(double v, double lo, double hi, int log_scale)
{
    if (!sparkline_ok(v, log_scale))
        return -1;
    if (log_scale) {
        if (!(lo > 0) || !(hi > 0))
            return -1;
        v = log10(v);
        lo = log10(lo);
        hi = log10(hi);
    }
    if (!(hi > lo))
        return 3;
    double f = (v - lo) / (hi - lo);
    int k = (int)floor(f * 8);
    return k < 0 ? 0 : k > 7 ? 7 : k;
}

void sparkline_draw_range(Grid *g, int x, int y, int w, const double *v, int n,
                          int log_scale, double lo, double hi, Role role)
{
    int start = n > w ? n - w : 0;
    for (int i = 0; i < w; i++) {
        int k = start + i < n ? sparkline_level(v[start + i], lo, hi, log_scale) : -1;
        grid_set(g, x + i, y, k < 0 ? ' ' : 0x2581 + (uint32_t)k, role, 0);
    }
}

void sparkline_draw(Grid *g, int x, int y, int w, const double *v, int n,
                    int log_scale, Role role)
{
    int start = n > w ? n - w : 0;
    double lo = INFINITY, hi = -INFINITY;
    for (int i = start; i < n; i++)
        if (sparkline_ok(v[i], log_scale)) {
            lo = fmin(lo, v[i]);
            hi = fmax(hi, v[i]);
        }
    if (!(lo <= hi))
        lo = hi = 1;
    sparkline_draw_range(g, x, y, w, v, n, log_scale, lo, hi, role);
}
