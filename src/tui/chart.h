/* chart.h — a braille-resolution line chart drawn into a Grid.
 *
 * For: the loss chart (raw and smoothed training loss as lines, validation
 * loss as points, baselines as dashed reference lines) and any x/y series a
 * script wants plotted. Each cell is a 2x4 block of braille dots (U+2800 +
 * bits), so a 60x12 plot has 120x48 dots. Lines between consecutive points are
 * rasterised in dot space; NaN points (and y <= 0 on a log axis) are gaps.
 * Not for: bar charts (bars.h), one-row trends (sparkline.h), curses calls or
 * colours — cells carry Roles and the theme colours them.
 *
 * Layout inside the given Rect (no frame; the caller draws one around it):
 *
 *     legend row               (when opt->legend and h >= 6)
 *     y labels │ plot area
 *              └──┬──────┬──    x axis (when h >= 5)
 *               120    240      x labels
 *
 * Labels are never cut: a y label wider than its column is written with
 * fewer digits, and the x labels keep a blank column before the right end
 * (where a frame usually follows), so no number touches a border.
 *
 * The legend lists the series, then the reference lines (then the last
 * opt->legend_after_refs series, for marks that matter less than a
 * baseline); an entry that does not fit whole is left out, never cut, and
 * "+N more" counts those left out when it fits.
 *
 * Where several series fall into one cell, dots are merged (bitwise or) and
 * the cell takes the role of the series with the highest priority: reference
 * lines lowest, then series in array order (a later series wins). A POINTS
 * series puts its marker glyph on the cell (cell resolution) and beats any
 * braille there. Deterministic for equal inputs.
 */
#ifndef RNNSCOPE_CHART_H
#define RNNSCOPE_CHART_H

#include <stddef.h>
#include <stdint.h>

#include "grid.h"

enum { CHART_MAX_TICKS = 16 };

typedef enum {
    CHART_LINE = 0,   /* consecutive finite points joined by braille lines */
    CHART_POINTS      /* each point drawn as the series' marker glyph */
} ChartStyle;

typedef struct {
    const char *name;   /* legend label (UTF-8); NULL or "" = not in the legend */
    Role role;
    uint32_t marker;    /* glyph shown before the name in the legend, and at each
                           point of a POINTS series; 0 = U+2022 • */
    ChartStyle style;
    const double *x;    /* (n) ascending (training steps); NULL = 0, 1, 2, ... */
    const double *y;    /* (n) NaN = gap */
    int n;
} ChartSeries;

/* A horizontal line across the whole plot (e.g. an n-gram baseline), dashed. */
typedef struct {
    double y;
    Role role;
    const char *label;  /* legend label, NULL = none; shown with glyph U+2504 ┄ */
} ChartRefLine;

typedef struct {
    int log_y;          /* 1: log10 y axis; y <= 0 are gaps */
    double x_window;    /* > 0: only the last x_window steps (x >= x_last - x_window);
                           0: all history */
    int fixed_y;        /* 1: use y_min..y_max below instead of autoscaling */
    double y_min, y_max;
    int legend;         /* 1: a legend row on top */
    int refs_autoscale; /* 1: reference lines take part in the y autoscale */
    int legend_after_refs; /* the last this many series follow the reference lines in the legend */
} ChartOptions;

/* What chart_draw computed: the plot area and the scales it used. */
typedef struct {
    Rect plot;              /* the cells holding braille dots */
    double x_min, x_max;    /* mapped to dot columns 0 .. 2*plot.w-1 */
    double y_min, y_max;    /* mapped to dot rows 4*plot.h-1 .. 0 (data units,
                               also on a log axis) */
    int log_y;
    int n_yticks, n_xticks;
    double yticks[CHART_MAX_TICKS];
    double xticks[CHART_MAX_TICKS];
    int empty;              /* 1: no finite visible point; "no data" was drawn */
} ChartFrame;

/* Options with legend on, linear y, all history, refs in the autoscale. */
ChartOptions chart_options_default(void);

/* Draw the chart into r of g. frame (may be NULL) receives the scales. Rects
 * too small for a plot (w < 12 or h < 3) draw nothing and set frame->empty. */
void chart_draw(Grid *g, Rect r, const ChartSeries *series, int nseries,
                const ChartRefLine *refs, int nrefs, const ChartOptions *opt,
                ChartFrame *frame);

/* Dot coordinates of a data point in a frame: dx in 0 .. 2*plot.w-1 (left to
 * right), dy in 0 .. 4*plot.h-1 (top to bottom). Returns 0 if the point is
 * not drawable (NaN, outside, y <= 0 on a log axis). For tests and for
 * callers that annotate the chart. */
int chart_map(const ChartFrame *f, double x, double y, int *dx, int *dy);

/* Nice tick values (1, 2, 2.5, 5 x 10^k steps) inside [lo, hi], at most max
 * of them. Returns the count. */
int chart_ticks_linear(double lo, double hi, int max, double *out);

/* Ticks for a log axis on [lo, hi] (lo > 0): the decades inside (every k-th
 * when more than max); with fewer than three decades, the 1-2-5 multiples, or
 * failing that (less than a decade) the 1..9 multiples, when that gives 3..max
 * ticks; linear ticks as a last resort. Returns the count. */
int chart_ticks_log(double lo, double hi, int max, double *out);

/* Compact number: 3 significant digits, trailing zeros trimmed; k/M/G/T for
 * |v| >= 1000 ("1.2k", "12.5k", "3M"); exponent form for 0 < |v| < 0.001
 * and |v| >= 1e15 ("3e-4", "2.5e-5", "1e15"). "nan", "inf", "-inf" for
 * non-finite. Returns the length. */
int chart_format_number(double v, char *buf, size_t cap);

/* Like chart_format_number with `digits` significant digits (1..9). */
int chart_format_number_digits(double v, int digits, char *buf, size_t cap);

/* v in at most w columns, for a fixed column: `digits` significant digits,
 * else fewer, else the exponent form with fewer digits ("0.0012" -> "1.2e-3"
 * -> "1e-3"); never cut. Returns the length, or 0 (buf "") when not even
 * one digit fits: the caller leaves the column out. */
int chart_format_fit(double v, int digits, int w, char *buf, size_t cap);

/* Exponential moving average with debiasing, as TensorBoard smooths scalars:
 * last = smoothing*last + (1-smoothing)*y[i]; out[i] = last / (1 - smoothing^k)
 * where k counts the finite points so far. NaN inputs give NaN outputs and do
 * not advance the average. smoothing in [0, 1); 0 copies y. out may equal y. */
void chart_ema_debiased(const double *y, int n, double smoothing, double *out);

#endif
