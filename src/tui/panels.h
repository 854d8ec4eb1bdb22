/* panels.h — the dashboard's panels, composed from the widgets.
 *
 * panels_draw turns one PanelData snapshot (filled by app.c from the runner,
 * the prompt and its own settings) into cells of the grid at the Rects of a
 * Layout: the status line (with the findings' count badge), the loss chart
 * (its best validation point starred), gradient norms by parameter group, the
 * findings box, next-token probabilities, the sample and message panes, the
 * footer of keys, the help screen and the "too small" notice. Pure: no
 * curses, no locks, no trainer access, so it draws the same from a test.
 * Nothing is cut silently: numbers take shorter forms or go whole, names end
 * in "…" (tensor names by tname.h), and lists that do not fit say "+N more"
 * (tests/test_fit.c checks every panel at 60x16 ... 200x60).
 *
 * Not for: the input line (input.c draws it), deciding when to draw (app.c).
 */
#ifndef RNNSCOPE_PANELS_H
#define RNNSCOPE_PANELS_H

#include "grid.h"
#include "history.h"
#include "inspector.h"
#include "layout.h"
#include "textpane.h"
#include "tokenizer.h"

#define PANELS_MAX_GROUPS (2 + 2 * TRAIN_MAX_LAYERS)
#define PANELS_MAX_TOPK 64
#define PANELS_LABEL_MAX 24 /* bytes of a bar label (app_bars.c: "\\xe4 中") */
#define PANELS_SPARK 64
#define PANELS_MAX_USER 8      /* custom chart series (Lua rnn.plot) */

typedef struct {
    /* status line */
    const char *cell;
    int layers, hidden, embed, vocab;
    size_t n_params;
    const char *corpus;        /* file name */
    const char *tokenizer;
    long step, total_steps;    /* total 0 = open-ended */
    double epoch;
    double tokens_per_s;
    float lr, clip;
    const char *state;         /* "running", "paused", "script running", ... */
    double elapsed_s, eta_s;   /* eta < 0: unknown */
    float loss, val_loss;      /* latest; NAN if none */

    /* loss chart */
    const double *loss_x, *loss_y, *smooth_y; int loss_n;
    const double *val_x, *val_y; int val_n;
    int log_y;
    long window;               /* 0 = all history */
    double smoothing;
    /* custom series (Lua rnn.plot): a legend entry each, ROLE_SERIES5/6 */
    int n_user;
    const char *user_name[PANELS_MAX_USER];
    const double *user_x[PANELS_MAX_USER], *user_y[PANELS_MAX_USER];
    int user_n[PANELS_MAX_USER];

    /* gradient norms */
    int n_groups, n_layers, n_gates;
    char group_name[PANELS_MAX_GROUPS][24];
    double group_norm[PANELS_MAX_GROUPS];
    int group_flag[PANELS_MAX_GROUPS];              /* GRAD_FLAG_* */
    char group_why[PANELS_MAX_GROUPS][40];
    double spark[PANELS_MAX_GROUPS][PANELS_SPARK];  /* oldest first */
    int spark_n;
    float gate_norms[TRAIN_MAX_LAYERS][4];          /* (L, G) */
    const char *gate_names;                         /* "ifgo", "rzn", "" */
    long clip_count, steps_seen;
    int have_step;

    /* next-token probabilities */
    const Tokenizer *tok;
    int k;
    int ids[PANELS_MAX_TOPK];
    float probs[PANELS_MAX_TOPK];
    char labels[PANELS_MAX_TOPK][PANELS_LABEL_MAX]; /* a bar's label instead of the token's display ("" = its own) */
    float temperature;
    const char *prompt;        /* the typed text */
    size_t n_unknown;

    /* panes */
    TextPane *sample, *messages;
    const char *sample_title;

    /* inspector screen: per tensor gradient norm and update ratio */
    int n_tensors;
    char tensor_names[STEP_MAX_TENSORS][48];
    float tensor_grad[STEP_MAX_TENSORS], tensor_update[STEP_MAX_TENSORS];

    /* the inspector screen (inspector.h); NULL: the plain per-tensor table */
    const InspectorData *inspect;
    int inspector_keys;        /* the footer lists the keys of: 0 the dashboard, 1 the inspector, 2 units */
    int watching;              /* the run trains elsewhere (rnnscope watch): quitting saves nothing */
    /* loss chart extras: the n-gram baseline and runs being compared */
    int ngram_order;           /* 0: no baseline line */
    double ngram_loss;
    const InspectorRun *cmp;   /* (n_cmp) saved runs' loss curves (:compare) */
    int n_cmp;

    /* the run's findings (findview.h), as findings_list ranks them */
    const Finding *findings;
    int n_findings;
    int n_problems, n_warnings; /* the status line's badge (notes are not counted there) */

    int help;                  /* draw the help screen over everything */
    int help_scroll;           /* its first row shown (clamped when drawn) */
} PanelData;

/* Draw every panel of l (l->too_small: the notice instead). */
void panels_draw(Grid *g, const Layout *l, const PanelData *d);

/* The help screen: every key and command, in r, from content row `scroll`
 * (clamped to 0..panels_help_max_scroll; the value used is returned). Two
 * columns when two fit whole, else one; "more" hints when it scrolls. */
int panels_help(Grid *g, Rect r, int scroll);
int panels_help_max_scroll(Rect r);
/* Where panels_draw puts the help screen on a w x h grid. */
Rect panels_help_rect(int w, int h);

/* "Terminal too small" centred in the whole grid, with the size needed. */
void panels_too_small(Grid *g);

/* Compact durations "12s", "3m04s", "2h05m". */
void panels_duration(double s, char *buf, size_t cap);

#endif
