/* bars.c — horizontal eighth-block bars (see bars.h).
 *
 * For: drawing bars and labelled bar rows into a Grid. Not for: choosing
 * colours (roles only) or scales beyond linear and log.
 */
#include "bars.h"

#include <math.h>
#include <string.h>

#include "utf8.h"

int bars_eighths(double frac, int w)
{
    if (w <= 0 || !(frac > 0))
        return 0;
    if (frac >= 1)
        return w * 8;
    long k = lround(frac * w * 8);
    return k > w * 8 ? w * 8 : (int)k;
}

uint32_t bars_glyph(int k)
{
    /* U+258F ▏ is one eighth ... U+2589 ▉ seven eighths, U+2588 █ full. */
    if (k <= 0)
        return ' ';
    if (k >= 8)
        return 0x2588;
    return 0x2590 - (uint32_t)k;
}

void bars_draw(Grid *g, int x, int y, int w, double frac, Role fill, Role empty)
{
    int k = bars_eighths(frac, w);
    for (int i = 0; i < w; i++) {
        int here = k - 8 * i;
        if (here > 8)
            here = 8;
        if (here > 0)
            grid_set(g, x + i, y, bars_glyph(here), fill, 0);
        else
            grid_set(g, x + i, y, ' ', empty, 0);
    }
}

void bars_log_range(double mn, double mx, double *lo, double *hi)
{
    *hi = mx > 0 ? pow(10, ceil(log10(mx))) : 1;
    *lo = isfinite(mn) ? pow(10, floor(log10(mn))) : *hi / 1e4;
    if (*lo > *hi / 1e4)
        *lo = *hi / 1e4;
}

double bars_frac_log(double value, double lo, double hi)
{
    if (!(value > 0) || !(lo > 0) || !(hi > lo))
        return 0;
    if (isinf(value))
        return 1;
    double f = (log10(value) - log10(lo)) / (log10(hi) - log10(lo));
    return f < 0 ? 0 : f > 1 ? 1 : f;
}

/* Display columns of UTF-8 text, as grid_text would use them. */
static int bars_text_width(const char *s)
{
    int w = 0;
    size_t len = strlen(s), i = 0;
    while (i < len) {
        uint32_t cp = utf8_next(s, len, &i);
        w += cp < 0x20 || cp == 0x7f ? 1 : grid_char_width(cp);
    }
    return w;
}

void bars_row(Grid *g, int x, int y, int w, int label_w, int value_w, const BarRow *row)
{
    if (w <= 0)
        return;
    if (label_w < 0)
        label_w = 0;
    if (value_w < 0)
        value_w = 0;
    for (int i = 0; i < w; i++)
        grid_set(g, x + i, y, ' ', ROLE_TEXT, 0);
    int bar_w = w - label_w - value_w - (label_w > 0) - (value_w > 0);
    if (bar_w < 1) {
        /* No room for a bar: label, then the value if it still fits. */
        int n = grid_text(g, x, y, w, row->label, row->label_role, 0);
        int vw = row->value ? bars_text_width(row->value) : 0;
        if (vw > 0 && n + 1 + vw <= w)
            grid_text(g, x + w - vw, y, vw, row->value, row->value_role, 0);
        return;
    }
    grid_text(g, x, y, label_w, row->label, row->label_role, 0);
    int bx = x + label_w + (label_w > 0);
    bars_draw(g, bx, y, bar_w, row->frac, row->bar_role, row->track_role);
    if (row->value && value_w > 0) {
        int n = bars_text_width(row->value);
        if (n > value_w)
            n = value_w;
        grid_text(g, x + w - n, y, n, row->value, row->value_role, 0);
    }
}
