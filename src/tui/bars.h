/* bars.h — horizontal bars at 1/8-cell precision.
 *
 * For: next-token probability bars and gradient-norm bars. A bar of w cells
 * has w*8 steps: full cells are █ and the last partial cell one of
 * ▏▎▍▌▋▊▉ (U+258F..U+2589), so 0.5 of 3 cells is "█▌ ". The unfilled part is
 * spaces in the `empty` role (a theme can give that role a background to show
 * the track). Not for: vertical bars, colours (roles only), text layout
 * beyond one labelled row.
 */
#ifndef RNNSCOPE_BARS_H
#define RNNSCOPE_BARS_H

#include "grid.h"

/* Number of filled eighths for frac of w cells: round(frac*w*8) clamped to
 * [0, w*8]; NaN counts as 0. */
int bars_eighths(double frac, int w);

/* The glyph for a cell holding k eighths (0 = space, 8 = █). */
uint32_t bars_glyph(int k);

/* A bar of frac (clamped to [0, 1]) over w cells from (x, y). */
void bars_draw(Grid *g, int x, int y, int w, double frac, Role fill, Role empty);

/* Map value onto [0, 1] on a log scale: log10(lo) -> 0, log10(hi) -> 1,
 * clamped. value <= 0 or NaN -> 0; +inf -> 1. Needs 0 < lo < hi. */
double bars_frac_log(double value, double lo, double hi);
/* A log scale for values whose largest is mx and smallest positive one is mn
 * (INFINITY if none): whole decades around them, at least four wide. */
void bars_log_range(double mn, double mx, double *lo, double *hi);

/* One labelled row:  "label     ███████▍          0.312"
 * label clipped / padded to label_w columns, one space, the bar, one space,
 * the value text right-aligned in value_w columns. If w is too small for a bar
 * of at least 1 cell, the bar is dropped and label and value are clipped. */
typedef struct {
    const char *label;   /* UTF-8, may be NULL */
    Role label_role;
    double frac;         /* [0, 1] */
    Role bar_role;       /* filled part */
    Role track_role;     /* unfilled part */
    const char *value;   /* UTF-8, may be NULL */
    Role value_role;
} BarRow;

void bars_row(Grid *g, int x, int y, int w, int label_w, int value_w, const BarRow *row);

#endif
