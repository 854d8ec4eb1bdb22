/* inspector.h — the gradient inspector screen, drawn into a Grid.
 *
 * For: the dashboard's second screen (F2), answering "why is this network not
 * learning?" from one snapshot of diagnostics. Given a Rect and an
 * InspectorData it draws, as framed sections:
 *
 *   ╭ gradient flow ──────────╮╭ update ratio ‖Δθ‖/‖θ‖ ───────────────╮
 *   │ heatmap: layers x t     ││ one row per tensor on a log axis     │
 *   │ legend of decades       ││ 1e-6..1e0, band 1e-4..1e-2 shaded    │
 *   ╰─────────────────────────╯╰──────────────────────────────────────╯
 *   ╭ gates ──────────────────╮╭ histogram ──────────╮╭ run comparison╮
 *   │ per layer and gate:     ││ selected tensor     ││ (only with    │
 *   │ grad norm, saturation   ││                     ││  :compare)    │
 *   ╰─────────────────────────╯╰─────────────────────╯╰───────────────╯
 *   ╭ findings at step N │ F12 details ─────────────────────────────╮
 *   │ ✖ lr_high: each step changes the weight matrices by 0.31 ...    │
 *   │   ▲ saturated: layer 0 input gate: 99% of its activations ...   │
 *   ╰────────────────────────────────────────────────────────────────╯
 *
 * The findings come ranked (findings_list: causes first, what follows from
 * a cause indented under it). With one selected (F11/F12) the section grows
 * and splits: the list by name on the left, the selected finding's details
 * (since, the cause it follows from, its numbers, the advice) on the right.
 *
 * The update-ratio band: ||Δθ|| / ||θ|| near 1e-3 per step is the usual rule of
 * thumb; 1e-4..1e-2 is shaded as healthy, above FINDINGS_LR_HIGH_RATIO
 * (0.25) is marked bad. Weight matrices come first; biases are listed only when there
 * is room (their ratios say little: they start near zero).
 *
 * Pure: no curses, no locks, no trainer; the app fills InspectorData from the
 * runner's snapshot. Sections shrink and drop rows to fit, and every section
 * that drops rows says "+N more" (gates, update ratios, the heatmap's layers,
 * findings); numbers take fewer digits or go, never cut; tensor names shorten
 * by tname.h's rule; layers read l0, l1, ... as in weight_ih_l0. Nothing is
 * drawn outside r.
 */
#ifndef RNNSCOPE_INSPECTOR_H
#define RNNSCOPE_INSPECTOR_H

#include "diag.h"
#include "findings.h"
#include "grid.h"
#include "trainer.h"

#define INSPECTOR_RATIO_LO 1e-6  /* update-ratio axis */
#define INSPECTOR_RATIO_HI 1e0
#define INSPECTOR_BAND_LO 1e-4   /* the shaded healthy band */
#define INSPECTOR_BAND_HI 1e-2
#define INSPECTOR_MAX_RUNS 6

/* One loss curve of the comparison chart. */
typedef struct {
    const char *name;          /* legend label */
    Role role;
    const double *x, *y;       /* (n) steps, loss */
    int n;
} InspectorRun;

typedef struct {
    const StepInfo *cur;       /* the latest step; NULL before the first */
    CellType cell;
    int n_tensors;
    const char (*tensor_names)[48];  /* (n_tensors) state_dict names */
    const Finding *findings;   /* ranked as findings_list gives them */
    int n_findings;
    const Histogram *hist;     /* the selected tensor's histogram; NULL: none yet */
    const char *hist_what;     /* what was asked: "rnn.weight_hh_l0", "grad:...", "act:h.0" */
    long hist_step;            /* the step it shows */
    const char *hist_note;     /* when hist is NULL: why (an error, "computing…") */
    const InspectorRun *runs;  /* comparison curves; n_runs = 0: no comparison section */
    int n_runs;
    double ngram_loss;         /* NAN: no baseline line on the comparison chart */
    int ngram_order;
    int detail;                /* 1 + the index of the finding whose details show; 0: none */
} InspectorData;

/* Draw the whole screen into r. */
void inspector_draw(Grid *g, Rect r, const InspectorData *d);

/* Column 0..w-1 of an update ratio on the log axis [INSPECTOR_RATIO_LO,
 * INSPECTOR_RATIO_HI] of w columns; values beyond clamp to the ends; -1 for
 * NaN, 0 and negatives. */
int inspector_ratio_col(double ratio, int w);

/* The gate letters of a cell ("ifgo", "rzn", "h"). */
const char *inspector_gate_letters(CellType c);

/* Rows the findings section's content takes at inner width w (for layout
 * and tests): every finding wrapped (detail 0), or with finding detail-1
 * selected, the longer of the list and that finding's details. */
int inspector_findings_rows(const Finding *f, int n, int detail, int w);

#endif
