/* layout.h — where each panel of the dashboard goes for a terminal size.
 *
 * For: turning (layout name, terminal w x h) into one Rect per panel. Pure
 * arithmetic: no drawing, no curses. Panels tile the screen exactly (no
 * overlap, no holes) for every size from LAYOUT_MIN_W x LAYOUT_MIN_H up;
 * below that the layout is "too small" and the app draws a notice instead.
 * A panel a layout does not show gets a zero Rect (w = h = 0). Rects are the
 * outer rectangles: framed panels draw their own box inside them.
 *
 * Layouts:
 *   default    status / chart | grads / findings / probs | sample over messages / input / footer
 *   wide       like default, but probs | sample | messages side by side below
 *   tall       everything stacked: chart, grads, findings, probs | sample, messages
 *              (below 24 rows there is no room to stack: the default is used)
 *   inspector  a second screen: status / one large PANEL_INSPECT area
 *              (filled by the inspector) / messages / input / footer
 *   units      the third screen: status / one large PANEL_UNITS area (the
 *              unit explorer) / messages / input / footer
 *
 * The findings box (PANEL_FINDINGS) runs the full width under the chart row,
 * 3..6 rows (a sixth of the height); on terminals too short for it besides
 * every other panel's minimum it is not shown (the status line's badge still
 * counts the findings).
 */
#ifndef RNNSCOPE_LAYOUT_H
#define RNNSCOPE_LAYOUT_H

#include "grid.h"

enum { LAYOUT_MIN_W = 60, LAYOUT_MIN_H = 16 };

typedef enum {
    PANEL_STATUS = 0,  /* top row */
    PANEL_CHART,       /* loss chart */
    PANEL_GRADS,       /* gradient norms by parameter group */
    PANEL_PROBS,       /* next-token probabilities */
    PANEL_SAMPLE,      /* sample pane */
    PANEL_MESSAGES,    /* message pane */
    PANEL_FINDINGS,    /* the run's findings, ranked (dashboard layouts) */
    PANEL_INSPECT,     /* inspector screen's main area */
    PANEL_UNITS,       /* units screen's main area */
    PANEL_INPUT,       /* input line, second row from the bottom */
    PANEL_FOOTER,      /* key hints, bottom row */
    PANEL_COUNT
} PanelId;

typedef struct {
    int w, h;               /* the terminal size this was computed for */
    int too_small;          /* 1: below the minimum; every Rect is zero */
    int kind;               /* index into layout_name() */
    Rect panel[PANEL_COUNT];
} Layout;

/* Compute the layout `name` (NULL = "default") for a w x h terminal.
 * Returns 0, or -1 for an unknown name (then *out is the default layout).
 * Being too small is not an error: out->too_small says it. */
int layout_compute(Layout *out, const char *name, int w, int h);

/* Layout names for :layout and its tab completion: i = 0, 1, ... until NULL. */
const char *layout_name(int i);

/* Index of a layout name, or -1. */
int layout_find(const char *name);

/* Short panel name ("chart", "grads", ...) for messages and tests. */
const char *layout_panel_name(PanelId p);

/* 1 if panel p is shown (non-empty Rect). */
int layout_has(const Layout *l, PanelId p);

#endif
