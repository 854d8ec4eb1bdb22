/* chart.c — braille line chart (see chart.h).
 *
 * For: scaling series onto a dot raster, rasterising lines, and drawing axes,
 * tick labels and the legend into a Grid. Not for: colours or terminal I/O.
 *
 * Speed: a history of a million steps maps to a few hundred dot columns.
 * Consecutive points that fall into the same dot column are joined by
 * vertical runs; the column keeps the run [lo, hi] it already lit, so each
 * new point only lights the dots outside it. That gives exactly the pixels
 * Bresenham would give for every consecutive pair, in time proportional to
 * the number of points plus the plot area instead of points times height.
 */
#include "chart.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

enum { CHART_NO_PRIO = -100000 };

ChartOptions chart_options_default(void)
{
    ChartOptions o;
    memset(&o, 0, sizeof o);
    o.legend = 1;
    o.refs_autoscale = 1;
    return o;
}

/* ---- number formatting ---- */

static int chart_put(char *buf, size_t cap, const char *s)
{
    int n = snprintf(buf, cap, "%s", s);
    return n < 0 ? 0 : (cap && (size_t)n >= cap ? (int)cap - 1 : n);
}

/* m formatted with `digits` significant digits, no exponent, zeros trimmed. */
static void chart_plain(double m, int digits, char *out, size_t cap)
{
    int mag = m == 0 ? 0 : (int)floor(log10(fabs(m)));
    int decimals = digits - 1 - mag;
    if (decimals < 0)
        decimals = 0;
    snprintf(out, cap, "%.*f", decimals, m);
    if (strchr(out, '.')) {
        size_t n = strlen(out);
        while (n > 0 && out[n - 1] == '0')
            out[--n] = '\0';
        if (n > 0 && out[n - 1] == '.')
            out[--n] = '\0';
    }
    if (strcmp(out, "-0") == 0)
        snprintf(out, cap, "0");
}

int chart_format_number_digits(double v, int digits, char *buf, size_t cap)
{
    char tmp[64];
    if (digits < 1)
        digits = 1;
    if (digits > 9)
        digits = 9;
    if (isnan(v))
        return chart_put(buf, cap, "nan");
    if (isinf(v))
        return chart_put(buf, cap, v > 0 ? "inf" : "-inf");
    if (v == 0)
        return chart_put(buf, cap, "0");
    /* Round first, then classify, so 999.7 becomes "1k" and not "1000". */
    snprintf(tmp, sizeof tmp, "%.*e", digits - 1, v);
    double r = strtod(tmp, NULL);
    double a = fabs(r);
    if (a < 1e-3 || a >= 1e15) {
        char *e = strchr(tmp, 'e');
        int ex = atoi(e + 1);
        *e = '\0';
        char mant[32];
        chart_plain(strtod(tmp, NULL), digits, mant, sizeof mant);
        snprintf(tmp, sizeof tmp, "%se%d", mant, ex);
        return chart_put(buf, cap, tmp);
    }
    if (a >= 1e3) {
        static const char suffix[] = "kMGT";
        double scale = 1e3;
        int k = 0;
        while (k < 3 && a >= scale * 1e3) {
            scale *= 1e3;
            k++;
        }
        char mant[32];
        chart_plain(r / scale, digits, mant, sizeof mant);
        snprintf(tmp, sizeof tmp, "%s%c", mant, suffix[k]);
        return chart_put(buf, cap, tmp);
    }
    chart_plain(r, digits, tmp, sizeof tmp);
    return chart_put(buf, cap, tmp);
}

int chart_format_number(double v, char *buf, size_t cap)
{
    return chart_format_number_digits(v, 3, buf, cap);
}

/* v as mantissa and exponent with `digits` significant digits: "1.2e-3", "3e5". */
static int chart_exp_form(double v, int digits, char *buf, size_t cap)
{
    char tmp[64], mant[32];
    snprintf(tmp, sizeof tmp, "%.*e", digits - 1, v);
    char *e = strchr(tmp, 'e');
    if (!e)
        return chart_put(buf, cap, tmp);
    int ex = atoi(e + 1);
    *e = '\0';
    chart_plain(strtod(tmp, NULL), digits, mant, sizeof mant);
    snprintf(tmp, sizeof tmp, "%se%d", mant, ex);
    return chart_put(buf, cap, tmp);
}

int chart_format_fit(double v, int digits, int w, char *buf, size_t cap)
{
    char tmp[64];
    if (cap > 0)
        buf[0] = '\0';
    if (digits < 1)
        digits = 1;
    for (int d = digits; d >= 1; d--) {
        int n = chart_format_number_digits(v, d, tmp, sizeof tmp);
        if (n <= w)
            return chart_put(buf, cap, tmp);
    }
    if (!isfinite(v) || v == 0)
        return 0;
    for (int d = digits; d >= 1; d--) {
        int n = chart_exp_form(v, d, tmp, sizeof tmp);
        if (n <= w)
            return chart_put(buf, cap, tmp);
    }
    return 0;
}

/* ---- ticks ---- */

int chart_ticks_linear(double lo, double hi, int max, double *out)
{
    if (max < 1 || !isfinite(lo) || !isfinite(hi) || hi < lo)
        return 0;
    if (hi == lo || max == 1) {
        out[0] = lo;
        return 1;
    }
    double raw = (hi - lo) / (max - 1);
    double mag = pow(10, floor(log10(raw)));
    static const double mults[] = {1, 2, 2.5, 5, 10};
    double step = 10 * mag;
    for (int i = 0; i < 5; i++)
        if (mults[i] * mag >= raw * (1 - 1e-12)) {
            step = mults[i] * mag;
            break;
        }
    int n = 0;
    double k0 = ceil(lo / step - 1e-9);
    for (double k = k0; n < max; k++) {
        double t = k * step;
        if (t > hi + step * 1e-9)
            break;
        if (fabs(t) < step * 1e-9)
            t = 0;
        out[n++] = t;
    }
    return n;
}

int chart_ticks_log(double lo, double hi, int max, double *out)
{
    if (max < 1 || !(lo > 0) || !isfinite(hi) || hi < lo)
        return 0;
    int d0 = (int)ceil(log10(lo) - 1e-9), d1 = (int)floor(log10(hi) + 1e-9);
    int decades = d1 - d0 + 1;
    int n = 0;
    if (decades < 3) {
        /* Few decades: 1-2-5 multiples, or every multiple inside one decade. */
        static const double sets[2][9] = {{1, 2, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9}};
        static const int set_n[2] = {3, 9};
        for (int s = 0; s < 2; s++) {
            n = 0;
            for (int d = d0 - 1; d <= d1 + 1; d++)
                for (int m = 0; m < set_n[s]; m++) {
                    double t = sets[s][m] * pow(10, d);
                    if (t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9) && n < CHART_MAX_TICKS)
                        out[n++] = t;
                }
            if (n >= 3 && n <= max)
                return n;
        }
        n = 0;
    }
    if (decades >= 1) {
        int every = (decades + max - 1) / max;
        for (int d = d0; d <= d1; d += every)
            out[n++] = pow(10, d);
        if (n >= 2 || decades == 1)
            return n;
    }
    /* Less than one 1-2-5 step inside: linear ticks read best. */
    return chart_ticks_linear(lo, hi, max, out);
}

/* Tick labels with enough digits that neighbours differ. */
static void chart_tick_labels(const double *t, int n, char (*lab)[16])
{
    for (int digits = 3; digits <= 7; digits++) {
        int clash = 0;
        for (int i = 0; i < n; i++) {
            chart_format_number_digits(t[i], digits, lab[i], 16);
            if (i > 0 && strcmp(lab[i], lab[i - 1]) == 0)
                clash = 1;
        }
        if (!clash)
            return;
    }
}

/* ---- EMA ---- */

void chart_ema_debiased(const double *y, int n, double smoothing, double *out)
{
    double last = 0, decay = 1;
    for (int i = 0; i < n; i++) {
        double v = y[i];
        if (!isfinite(v)) {
            out[i] = NAN;
            continue;
        }
        last = smoothing * last + (1 - smoothing) * v;
        decay *= smoothing;
        out[i] = smoothing > 0 ? last / (1 - decay) : v;
    }
}

/* ---- mapping ---- */

static double chart_yval(const ChartFrame *f, double y)
{
    return f->log_y ? log10(y) : y;
}

/* Float dot coordinates; returns 0 for a gap. */
static int chart_mapf(const ChartFrame *f, double x, double y, double *fx, double *fy)
{
    if (!isfinite(x) || !isfinite(y) || (f->log_y && !(y > 0)))
        return 0;
    int W = 2 * f->plot.w, H = 4 * f->plot.h;
    double lo = chart_yval(f, f->y_min), hi = chart_yval(f, f->y_max);
    *fx = (x - f->x_min) / (f->x_max - f->x_min) * (W - 1);
    *fy = (hi - chart_yval(f, y)) / (hi - lo) * (H - 1);
    return 1;
}

int chart_map(const ChartFrame *f, double x, double y, int *dx, int *dy)
{
    double fx, fy;
    if (f->empty || f->plot.w <= 0 || f->plot.h <= 0 || !chart_mapf(f, x, y, &fx, &fy))
        return 0;
    if (!(fx > -1 && fx < 2 * f->plot.w && fy > -1 && fy < 4 * f->plot.h))
        return 0;   /* far outside: do not round values that may not fit an int */
    int ix = (int)lround(fx), iy = (int)lround(fy);
    if (ix < 0 || ix >= 2 * f->plot.w || iy < 0 || iy >= 4 * f->plot.h)
        return 0;
    *dx = ix;
    *dy = iy;
    return 1;
}

/* ---- raster ---- */

typedef struct {
    int pw, ph;             /* plot size in cells */
    uint8_t *bits;          /* (ph, pw) braille dot bits */
    int *prio;              /* (ph, pw) priority of the role in role[] */
    uint8_t *role;          /* (ph, pw) */
    uint32_t *mark;         /* (ph, pw) point marker, 0 = none */
    int *mark_prio;         /* (ph, pw) */
    uint8_t *mark_role;     /* (ph, pw) */
} Raster;

static void raster_dot(Raster *r, int dx, int dy, int prio, Role role)
{
    if (dx < 0 || dy < 0 || dx >= 2 * r->pw || dy >= 4 * r->ph)
        return;
    static const uint8_t bit[4][2] = {{0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}};
    int c = (dy / 4) * r->pw + dx / 2;
    r->bits[c] |= bit[dy % 4][dx % 2];
    if (prio >= r->prio[c]) {
        r->prio[c] = prio;
        r->role[c] = (uint8_t)role;
    }
}

static void raster_line(Raster *r, int x0, int y0, int x1, int y1, int prio, Role role)
{
    int dx = abs(x1 - x0), sx = x0 < x1 ? 1 : -1;
    int dy = -abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
    int e = dx + dy;
    for (;;) {
        raster_dot(r, x0, y0, prio, role);
        if (x0 == x1 && y0 == y1)
            break;
        int e2 = 2 * e;
        if (e2 >= dy) {
            e += dy;
            x0 += sx;
        }
        if (e2 <= dx) {
            e += dx;
            y0 += sy;
        }
    }
}

/* Clip the float segment to the plot's dot rows (a fixed y range may leave
 * points far outside) and rasterise it. */
static void raster_segment(Raster *r, double x0, double y0, double x1, double y1, int prio,
                           Role role)
{
    double top = -0.5, bot = 4 * r->ph - 0.5;
    if ((y0 < top && y1 < top) || (y0 > bot && y1 > bot))
        return;
    double t0 = 0, t1 = 1, dyv = y1 - y0;
    if (dyv != 0) {
        double ta = (top - y0) / dyv, tb = (bot - y0) / dyv;
        if (ta > tb) {
            double t = ta;
            ta = tb;
            tb = t;
        }
        if (ta > t0)
            t0 = ta;
        if (tb < t1)
            t1 = tb;
    }
    double ax = x0 + t0 * (x1 - x0), ay = y0 + t0 * dyv;
    double bx = x0 + t1 * (x1 - x0), by = y0 + t1 * dyv;
    raster_line(r, (int)lround(ax), (int)lround(ay), (int)lround(bx), (int)lround(by), prio, role);
}

static int chart_clamp_row(double fy, int H)
{
    if (fy < -H)
        return -H;
    if (fy > 2.0 * H)
        return 2 * H;
    return (int)lround(fy);
}

/* First index with x >= lo (x ascending). */
static int chart_lower_bound(const ChartSeries *s, double lo)
{
    if (!s->x)
        return lo <= 0 ? 0 : (int)fmin(s->n, ceil(lo));
    int a = 0, b = s->n;
    while (a < b) {
        int m = (a + b) / 2;
        if (s->x[m] < lo)
            a = m + 1;
        else
            b = m;
    }
    return a;
}

static double chart_x(const ChartSeries *s, int i)
{
    return s->x ? s->x[i] : (double)i;
}

static void chart_series_line(Raster *r, const ChartFrame *f, const ChartSeries *s, int prio)
{
    int i0 = chart_lower_bound(s, f->x_min);
    int have = 0, pcol = 0, run_lo = 0, run_hi = 0, H = 4 * r->ph;
    double pfx = 0, pfy = 0;
    for (int i = i0; i < s->n; i++) {
        double x = chart_x(s, i), fx, fy;
        if (x > f->x_max)
            break;
        if (!chart_mapf(f, x, s->y[i], &fx, &fy)) {
            have = 0;
            continue;
        }
        int col = (int)lround(fx), row = chart_clamp_row(fy, H);
        if (have && col == pcol) {
            /* Same dot column: light only what extends the lit run. */
            for (int d = row; d < run_lo; d++)
                if (d >= 0 && d < H)
                    raster_dot(r, col, d, prio, s->role);
            for (int d = run_hi + 1; d <= row; d++)
                if (d >= 0 && d < H)
                    raster_dot(r, col, d, prio, s->role);
            if (row < run_lo)
                run_lo = row;
            if (row > run_hi)
                run_hi = row;
        } else {
            if (have)
                raster_segment(r, pfx, pfy, fx, fy, prio, s->role);
            else if (row >= 0 && row < H)
                raster_dot(r, col, row, prio, s->role);
            run_lo = run_hi = row;
            pcol = col;
        }
        pfx = fx;
        pfy = fy;
        have = 1;
    }
}

static void chart_series_points(Raster *r, const ChartFrame *f, const ChartSeries *s, int prio)
{
    uint32_t mark = s->marker ? s->marker : 0x2022;
    for (int i = chart_lower_bound(s, f->x_min); i < s->n; i++) {
        double x = chart_x(s, i);
        int dx, dy;
        if (x > f->x_max)
            break;
        if (!chart_map(f, x, s->y[i], &dx, &dy))
            continue;
        int c = (dy / 4) * r->pw + dx / 2;
        if (prio >= r->mark_prio[c]) {
            r->mark[c] = mark;
            r->mark_prio[c] = prio;
            r->mark_role[c] = (uint8_t)s->role;
        }
    }
}

/* ---- ranges ---- */

static int chart_usable(double y, int log_y)
{
    return isfinite(y) && (!log_y || y > 0);
}

static void chart_x_range(const ChartSeries *series, int nseries, const ChartOptions *opt,
                          double *lo, double *hi, int *any)
{
    double first = INFINITY, last = -INFINITY;
    for (int k = 0; k < nseries; k++) {
        const ChartSeries *s = &series[k];
        for (int i = 0; i < s->n; i++)
            if (isfinite(chart_x(s, i)) && chart_usable(s->y[i], opt->log_y)) {
                if (chart_x(s, i) < first)
                    first = chart_x(s, i);
                break;
            }
        for (int i = s->n - 1; i >= 0; i--)
            if (isfinite(chart_x(s, i)) && chart_usable(s->y[i], opt->log_y)) {
                if (chart_x(s, i) > last)
                    last = chart_x(s, i);
                break;
            }
    }
    *any = first <= last;
    if (!*any) {
        *lo = 0;
        *hi = 1;
        return;
    }
    if (opt->x_window > 0 && last - opt->x_window > first)
        first = last - opt->x_window;
    if (last <= first)
        last = first + 1;
    *lo = first;
    *hi = last;
}

/* Autoscaled y range in axis units (log10 on a log axis); 0 if no data. */
static int chart_y_range(const ChartSeries *series, int nseries, const ChartRefLine *refs,
                         int nrefs, const ChartOptions *opt, double xlo, double xhi,
                         double *lo, double *hi)
{
    double mn = INFINITY, mx = -INFINITY;
    int log_y = opt->log_y;
    for (int k = 0; k < nseries; k++) {
        const ChartSeries *s = &series[k];
        for (int i = chart_lower_bound(s, xlo); i < s->n; i++) {
            double x = chart_x(s, i), y = s->y[i];
            if (x > xhi)
                break;
            if (!chart_usable(y, log_y))
                continue;
            double v = log_y ? log10(y) : y;
            mn = fmin(mn, v);
            mx = fmax(mx, v);
        }
    }
    if (!(mn <= mx))
        return 0;
    for (int k = 0; opt->refs_autoscale && k < nrefs; k++)
        if (chart_usable(refs[k].y, log_y)) {
            double v = log_y ? log10(refs[k].y) : refs[k].y;
            mn = fmin(mn, v);
            mx = fmax(mx, v);
        }
    double span = mx - mn;
    if (log_y) {
        double pad = span < 1e-9 ? 0.15 : 0.05 * span;
        *lo = mn - pad;
        *hi = mx + pad;
    } else if (span <= 1e-12 * fmax(1.0, fabs(mx))) {
        double pad = mx == 0 ? 1 : 0.1 * fabs(mx);
        *lo = mn - pad;
        *hi = mx + pad;
    } else {
        *lo = mn - 0.05 * span;
        *hi = mx + 0.05 * span;
        if (mn >= 0 && *lo < 0)
            *lo = 0;   /* a loss never goes below zero: do not show it */
    }
    return 1;
}

/* ---- drawing ---- */

/* Legend entry k: series first, then the reference lines, then the last
 * `after` series. Returns 0 for an entry without a name. */
static int chart_legend_entry(const ChartSeries *series, int nseries, const ChartRefLine *refs, int nrefs,
                              int after, int k, const char **name, uint32_t *glyph, Role *role)
{
    int lead = nseries - after;
    if (k < lead || k >= lead + nrefs) {
        const ChartSeries *s = &series[k < lead ? k : k - nrefs];
        *name = s->name;
        *glyph = s->marker ? s->marker : 0x2022;
        *role = s->role;
    } else {
        *name = refs[k - lead].label;
        *glyph = 0x2504;
        *role = refs[k - lead].role;
    }
    return *name && **name;
}

/* The legend's entries that fit whole in w columns (g NULL: only counted);
 * returns the number of named entries left out, *used the columns taken. */
static int chart_legend_pass(Grid *g, int x, int y, int w, const ChartSeries *series, int nseries,
                             const ChartRefLine *refs, int nrefs, int after, int *used_out)
{
    int used = 0, left_out = 0;
    for (int k = 0; k < nseries + nrefs; k++) {
        const char *name;
        uint32_t glyph;
        Role role;
        if (!chart_legend_entry(series, nseries, refs, nrefs, after, k, &name, &glyph, &role))
            continue;
        int sep = used > 0 ? 2 : 0;
        if (used + sep + grid_char_width(glyph) + 1 + grid_text_width(name) > w) {
            left_out++;
            continue;   /* whole or not at all: a later, shorter entry may still fit */
        }
        used += sep;
        if (g)
            grid_set(g, x + used, y, glyph, role, ATTR_BOLD);
        used += grid_char_width(glyph);
        used += 1;
        if (g)
            grid_text(g, x + used, y, w - used, name, ROLE_TEXT, 0);
        used += grid_text_width(name);
    }
    *used_out = used;
    return left_out;
}

static void chart_legend(Grid *g, int x, int y, int w, const ChartSeries *series, int nseries,
                         const ChartRefLine *refs, int nrefs, int after)
{
    if (after < 0 || after > nseries)
        after = 0;
    int used;
    /* entries left out are counted ("+N more") where the count fits after the rest: an
     * entry is worth more than the count of the others */
    int left_out = chart_legend_pass(g, x, y, w, series, nseries, refs, nrefs, after, &used);
    char more[24];
    int n = snprintf(more, sizeof more, "+%d more", left_out);
    if (left_out > 0 && used + (used ? 2 : 0) + n <= w)
        grid_text(g, x + used + (used ? 2 : 0), y, n, more, ROLE_DIM, 0);
}

void chart_draw(Grid *g, Rect r, const ChartSeries *series, int nseries,
                const ChartRefLine *refs, int nrefs, const ChartOptions *opt_in,
                ChartFrame *frame_out)
{
    ChartOptions opt = opt_in ? *opt_in : chart_options_default();
    ChartFrame f;
    memset(&f, 0, sizeof f);
    f.log_y = opt.log_y;
    f.empty = 1;
    if (r.w < 12 || r.h < 3) {
        if (frame_out)
            *frame_out = f;
        return;
    }

    int top = r.y, bottom = r.y + r.h;   /* rows [top, bottom) left for axis + plot */
    int legend = opt.legend && r.h >= 6;
    if (legend)
        top++;
    int xaxis = bottom - top >= 5;
    int ph = bottom - top - (xaxis ? 2 : 0);

    double xlo, xhi, ylo, yhi;
    int any;
    chart_x_range(series, nseries, &opt, &xlo, &xhi, &any);
    if (any && opt.fixed_y && opt.y_min < opt.y_max && (!opt.log_y || opt.y_min > 0)) {
        ylo = opt.log_y ? log10(opt.y_min) : opt.y_min;
        yhi = opt.log_y ? log10(opt.y_max) : opt.y_max;
    } else if (!any || !chart_y_range(series, nseries, refs, nrefs, &opt, xlo, xhi, &ylo, &yhi)) {
        any = 0;
    }
    if (!any) {
        const char *msg = "no data yet";
        int n = (int)strlen(msg);
        grid_text(g, r.x + (r.w - n) / 2, r.y + r.h / 2, r.w, msg, ROLE_DIM, 0);
        if (frame_out)
            *frame_out = f;
        return;
    }
    f.empty = 0;
    f.x_min = xlo;
    f.x_max = xhi;
    f.y_min = opt.log_y ? pow(10, ylo) : ylo;
    f.y_max = opt.log_y ? pow(10, yhi) : yhi;

    /* y ticks decide the label column's width. */
    int maxt = ph / 2 + 1;
    if (maxt > 8)
        maxt = 8;
    f.n_yticks = opt.log_y ? chart_ticks_log(f.y_min, f.y_max, maxt, f.yticks)
                           : chart_ticks_linear(f.y_min, f.y_max, maxt, f.yticks);
    char ylab[CHART_MAX_TICKS][16];
    chart_tick_labels(f.yticks, f.n_yticks, ylab);
    int lw = 1;
    for (int i = 0; i < f.n_yticks; i++)
        if ((int)strlen(ylab[i]) > lw)
            lw = (int)strlen(ylab[i]);
    if (lw > r.w / 3)
        lw = r.w / 3;
    int ax = r.x + lw;                  /* the y axis column */
    f.plot = rect_make(ax + 1, top, r.x + r.w - ax - 1, ph);
    int pw = f.plot.w;

    /* Raster. */
    Raster ras;
    size_t nc = (size_t)pw * ph;
    ras.pw = pw;
    ras.ph = ph;
    ras.bits = xcalloc(nc, 1);
    ras.prio = xmalloc(nc * sizeof(int));
    ras.role = xcalloc(nc, 1);
    ras.mark = xcalloc(nc, sizeof(uint32_t));
    ras.mark_prio = xmalloc(nc * sizeof(int));
    ras.mark_role = xcalloc(nc, 1);
    for (size_t i = 0; i < nc; i++)
        ras.prio[i] = ras.mark_prio[i] = CHART_NO_PRIO;
    for (int k = 0; k < nrefs; k++) {
        double fx, fy;
        if (!chart_mapf(&f, f.x_min, refs[k].y, &fx, &fy))
            continue;
        int row = chart_clamp_row(fy, 4 * ph);
        for (int d = 0; d < 2 * pw; d++)
            if ((d / 2) % 2 == 0)   /* dashed: lit cell, dark cell, ... */
                raster_dot(&ras, d, row, k - nrefs - 1, refs[k].role);
    }
    for (int k = 0; k < nseries; k++) {
        if (series[k].style == CHART_POINTS)
            chart_series_points(&ras, &f, &series[k], k);
        else
            chart_series_line(&ras, &f, &series[k], k);
    }
    for (int cy = 0; cy < ph; cy++)
        for (int cx = 0; cx < pw; cx++) {
            size_t c = (size_t)cy * pw + cx;
            if (ras.mark[c])
                grid_set(g, f.plot.x + cx, top + cy, ras.mark[c], ras.mark_role[c], ATTR_BOLD);
            else if (ras.bits[c])
                grid_set(g, f.plot.x + cx, top + cy, 0x2800 + ras.bits[c], ras.role[c], 0);
        }
    free(ras.bits);
    free(ras.prio);
    free(ras.role);
    free(ras.mark);
    free(ras.mark_prio);
    free(ras.mark_role);

    /* y axis with tick labels. */
    for (int y = top; y < top + ph; y++)
        grid_set(g, ax, y, 0x2502, ROLE_AXIS, 0);   /* │ */
    int last_row = -1;
    for (int i = 0; i < f.n_yticks; i++) {
        double fx, fy;
        if (!chart_mapf(&f, f.x_min, f.yticks[i], &fx, &fy))
            continue;
        int row = (int)lround(fy) / 4;
        if (row < 0 || row >= ph || row == last_row)
            continue;
        last_row = row;
        /* a label wider than the column is written shorter, never cut */
        if ((int)strlen(ylab[i]) > lw)
            chart_format_fit(f.yticks[i], 3, lw, ylab[i], sizeof ylab[i]);
        int n = (int)strlen(ylab[i]);
        grid_text(g, ax - n, top + row, n, ylab[i], ROLE_AXIS, 0);
        grid_set(g, ax, top + row, 0x2524, ROLE_AXIS, 0);   /* ┤ */
    }

    /* x axis: a rule with ┬ at ticks, and the step labels under it. */
    if (xaxis) {
        int ay = top + ph;
        grid_set(g, ax, ay, 0x2570, ROLE_AXIS, 0);   /* ╰ */
        for (int x = ax + 1; x < r.x + r.w; x++)
            grid_set(g, x, ay, 0x2500, ROLE_AXIS, 0);
        int maxx = pw / 9 + 1;
        if (maxx > CHART_MAX_TICKS)
            maxx = CHART_MAX_TICKS;
        f.n_xticks = chart_ticks_linear(f.x_min, f.x_max, maxx, f.xticks);
        if (f.x_max - f.x_min >= 2) {
            /* x counts steps: a tick at step 2.5 means nothing. */
            int k = 0;
            for (int i = 0; i < f.n_xticks; i++)
                if (f.xticks[i] == floor(f.xticks[i]))
                    f.xticks[k++] = f.xticks[i];
            f.n_xticks = k;
        }
        char xlab[CHART_MAX_TICKS][16];
        chart_tick_labels(f.xticks, f.n_xticks, xlab);
        int free_from = r.x;
        for (int i = 0; i < f.n_xticks; i++) {
            int dx, dy;
            double mid = opt.log_y ? sqrt(f.y_min * f.y_max) : (f.y_min + f.y_max) / 2;
            if (!chart_map(&f, f.xticks[i], mid, &dx, &dy))
                continue;
            int col = f.plot.x + dx / 2;
            int n = (int)strlen(xlab[i]);
            int lx = col - n / 2;
            if (lx + n > r.x + r.w - 1) /* a blank column before a frame on the right */
                lx = r.x + r.w - 1 - n;
            if (lx < free_from)
                continue;
            grid_set(g, col, ay, 0x252c, ROLE_AXIS, 0);   /* ┬ */
            grid_text(g, lx, ay + 1, n, xlab[i], ROLE_AXIS, 0);
            free_from = lx + n + 1;
        }
    }

    if (legend)
        chart_legend(g, f.plot.x, r.y, r.x + r.w - f.plot.x, series, nseries, refs, nrefs, opt.legend_after_refs);
    if (frame_out)
        *frame_out = f;
}
