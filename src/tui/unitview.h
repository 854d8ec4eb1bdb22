/* unitview.h — the units screen (the unit explorer), drawn into a Grid.
 *
 * For: seeing what one hidden unit does, character by character, and finding
 * the units that follow a pattern. Given a Rect and a UnitViewData it draws a
 * framed screen:
 *
 *   ╭ units: l0 c 17 of 128 │ held-out text, 2000 tokens │ step 1200 ─────────╮
 *   │ -1 ██ ██ ██ ██ ██ ██ ██ ██ ██ +1   tanh(c) of l0 unit 17                  │
 *   │ text coloured by the unit (a diverging scale) ││ ranked units          │
 *   │ ...                                           ││ 1 l0:17 +0.98 ▁▃▇█▅▂  │
 *   │ pos 312 'x'  tanh(c) +0.83  loss 1.21                                  │
 *   ╰────────────────────────────────────────────────────────────────────────╯
 *
 * Views (UnitViewMode): the text coloured by the unit; gate saturation (a
 * braille scatter per layer and gate of the fraction of positions each unit
 * is left- against right-saturated, as in Karpathy et al. 2015, figure 3); the
 * text coloured by the network's per-character loss; and by its difference to
 * the n-gram's loss, with a summary of where the difference comes from.
 *
 * Colours are the div0..div8 roles (text drawn on them as a background); in
 * monochrome the theme gives them attributes (underline for the negative end,
 * bold and reverse for the positive). The ranked list (from :find, or a span
 * marked with Insert) shows each unit's correlation and a sparkline of its
 * activation over the text; the selected entry is highlighted.
 *
 * Pure: reads a UnitText and a (possibly partial) UnitCapture, no curses, no
 * runner. Nothing is drawn outside r.
 */
#ifndef RNNSCOPE_UNITVIEW_H
#define RNNSCOPE_UNITVIEW_H

#include "grid.h"
#include "units.h"

typedef enum { UV_TEXT = 0, UV_SATURATION, UV_LOSS, UV_VS_NGRAM, UV_VIEWS } UnitViewMode;

#define UNITVIEW_LOSS_MAX 4.0   /* nats: the top of the loss colour scale */
#define UNITVIEW_DIFF_MAX 2.0   /* nats: the ends of the difference scale */

typedef struct {
    const UnitText *text;      /* NULL: nothing to show yet (note says why) */
    const UnitCapture *cap;    /* NULL or partial: positions >= cap->done are drawn plain */
    CellType cell;
    int layers, hidden;
    int layer, unit, kind;     /* the unit the text is coloured by */
    UnitViewMode mode;
    const char *source;        /* "held-out text", "typed text" */
    long step;                 /* the weights' step; < 0 unknown */
    const char *note;          /* one line shown when there is no text or capture; may be NULL */
    /* the text cursor (a token index, -1: none) and the marked span [mark_a, mark_b) */
    int cursor, mark_a, mark_b;
    /* the ranked list; NULL/0: none */
    const UnitScore *rank;
    int n_rank, rank_sel;
    int rank_span;             /* 1: the ranking is of a span (inside / around), 0: correlations */
    const char *rank_title;    /* "find \"[^\"]*\"" */
    /* the n-gram comparison (UV_VS_NGRAM): per-position loss (n) and its summary */
    const double *ngram_loss;
    const UnitErrBucket *buckets;
    int ngram_order;
    const char *ngram_note;    /* why there is no n-gram (no corpus); NULL: it is being counted */
} UnitViewData;

/* Draw the screen into r. *scroll is the text's first line shown: moved so
 * the cursor stays on screen and clamped to the text, then written back. */
void unitview_draw(Grid *g, Rect r, const UnitViewData *d, int *scroll);

/* The width of the text column unitview_draw uses in r (the ranked list takes
 * the rest), for moving the cursor by lines. */
int unitview_text_width(Rect r, const UnitViewData *d);

/* The role of value v on the diverging scale [-1, 1] (clamped; NAN: ROLE_TEXT). */
Role unitview_role(double v);

/* The display lines of t wrapped at w columns: line_of[i] gets the line of
 * token i (may be NULL). Returns the number of lines. */
int unitview_layout(const UnitText *t, int w, int *line_of);

/* The token at line delta from the cursor's line (same column or the nearest
 * one), for moving the cursor up and down: -1 when t is empty. */
int unitview_cursor_line(const UnitText *t, int w, int cursor, int delta);

#endif
