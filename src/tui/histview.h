/* histview.h — a histogram of one tensor, drawn as vertical bars with axes.
 *
 * For: the inspector's view of a tensor's weights, gradients or activations
 * (a diag.h Histogram, computed on the trainer's thread). Layout in the Rect
 * (no frame):
 *
 *     n 12.3k  mean -2e-4  std 0.081          statistics row
 *      1.2k│    ▂▆█▇▃                          bars, 1/8-cell precision,
 *          │  ▁▅██████▄▁                       max count labelled on top
 *          └──────────────────                 axis
 *          -0.31     0            0.29         min, 0 (when inside), max
 *
 * Bins are spread over equal column groups when there are fewer bins than
 * columns, or merged (counts added) when there are more. A non-empty bin is
 * never drawn empty (at least one eighth). Not for: log-count scales,
 * colours (roles only), computing the histogram (diag.h).
 */
#ifndef RNNSCOPE_HISTVIEW_H
#define RNNSCOPE_HISTVIEW_H

#include "diag.h"
#include "grid.h"

enum { HISTVIEW_YLABEL_W = 6 };

/* Counts of h on w columns (out has w entries; spread or merged as above).
 * Returns the columns the bars use (<= w): w when merging, n_bins * (w / n_bins)
 * when spreading. */
int histview_columns(const Histogram *h, int w, double *out);

/* Eighths of a bar of `count` out of `max` over `cells` rows: round(count /
 * max * cells * 8), at least 1 when count > 0. */
int histview_eighths(double count, double max, int cells);

/* Draw into r (w >= 16 and h >= 4, else only what fits of the statistics
 * row). */
void histview_draw(Grid *g, Rect r, const Histogram *h, Role bar_role);

#endif
