/* heatmap.h — a log-scale heatmap of gradient flow: layers by time positions.
 *
 * For: the inspector's view of ||dLoss/dh_t|| (or the decay probe's
 * ||dL_{T-1}/dh_t||) per layer and BPTT position. Each value gets one of 8
 * levels on a log10 scale over whole decades; level k is drawn in role
 * ROLE_HEAT0 + k AND with a glyph of rising density (levels 0-1 ░, 2-3 ▒,
 * 4-5 ▓, 6-7 █), so the map still reads on a monochrome terminal. Values
 * at or below the scale's bottom (0 included: fully vanished) take level 0;
 * NaN is a gap drawn as '·'.
 *
 * The scale spans D whole decades with D in {1, 2, 4, 8} or a multiple of 8,
 * so level edges fall on decades evenly and the legend can name them.
 *
 * Layout inside the Rect (no frame):
 *
 *     l0 ░░▒▒▓▓████        one row per layer (layer 0 on top)
 *     l1 ░░░▒▒▓▓▓██
 *        t-63      t-0     time axis: oldest position left, newest right
 *     1e-8 ░░░░ 1e-6 ▒▒▒▒ ... 1e0   legend (decades)
 *
 * When there are more positions than columns, each column shows the mean of
 * the positions it covers; with fewer, each position is widened to an equal
 * number of columns. Not for: colours (roles only), linear scales.
 */
#ifndef RNNSCOPE_HEATMAP_H
#define RNNSCOPE_HEATMAP_H

#include "grid.h"

enum { HEATMAP_LEVELS = 8, HEATMAP_MAX_DECADES = 32 };

typedef struct {
    const float *v;     /* (rows, cols) row-major: rows = layers, cols = positions, oldest first */
    int rows, cols;
    int stride;         /* positions per entry (the time axis reads t-(cols-1)*stride .. t-0) */
    double lo, hi;      /* scale; lo = hi = 0: autoscale (heatmap_scale) */
} HeatmapData;

/* Whole-decade scale covering the finite positive values of v (n): hi =
 * 10^ceil(log10 max), D rounded up to 1, 2, 4, 8 or a multiple of 8 decades
 * and at most HEATMAP_MAX_DECADES (lower values then sit at level 0).
 * Returns 0, or -1 if there is no finite positive value (then lo = 1e-8, hi = 1). */
int heatmap_scale(const float *v, int n, double *lo, double *hi);

/* Level 0..7 of v on [lo, hi] (log10), -1 for NaN. v <= lo (and v <= 0) -> 0,
 * v >= hi -> 7. */
int heatmap_level(double v, double lo, double hi);

/* The glyph of a level: ░ ░ ▒ ▒ ▓ ▓ █ █; '·' for -1. */
uint32_t heatmap_glyph(int level);

/* Draw into r (needs w >= 12 and h >= 2: else nothing). The layer rows come
 * first, then the legend, then the time axis: short of room the axis goes,
 * then the legend; layers that still do not fit are dropped from the bottom
 * and the last row says "+N more". Returns the number of rows used. */
int heatmap_draw(Grid *g, Rect r, const HeatmapData *d);

/* Only the legend row "1e-8 ░░░░ 1e-7 ▒▒▒▒ ... 1e-4" at (x, y), max_w columns.
 * Returns the columns used. */
int heatmap_legend(Grid *g, int x, int y, int max_w, double lo, double hi);

#endif
