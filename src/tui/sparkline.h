/* sparkline.h — a one-row trend of ▁▂▃▄▅▆▇█.
 *
 * For: the history of a gradient norm next to its bar, small trends in the
 * status area. The last w values of the array are drawn left-aligned from x
 * (fewer values leave spaces on the right). NaN (and values <= 0 on a log
 * scale) are gaps, drawn as spaces. Not for: anything needing axes (chart.h).
 */
#ifndef RNNSCOPE_SPARKLINE_H
#define RNNSCOPE_SPARKLINE_H

#include "grid.h"

/* Level 0..7 (▁..█) of v on [lo, hi] (log10 scale when log_scale), or -1 for a
 * gap. lo == hi maps every value to level 3 (a flat line in the middle). */
int sparkline_level(double v, double lo, double hi, int log_scale);

/* Autoscaled to the min and max of the drawn values. */
void sparkline_draw(Grid *g, int x, int y, int w, const double *v, int n,
                    int log_scale, Role role);

/* On a fixed range [lo, hi]; values outside are clamped. */
void sparkline_draw_range(Grid *g, int x, int y, int w, const double *v, int n,
                          int log_scale, double lo, double hi, Role role);

#endif
