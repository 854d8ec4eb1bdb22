/* findview.h — a run's findings (findings.h) drawn into a Grid.
 *
 * For: the pieces every screen shows the diagnosis with — the severity marks
 * and roles (✖ problem ROLE_ERROR, ▲ warning ROLE_WARN, • note ROLE_TEXT),
 * the ranked rows (the dashboard's findings box, the inspector's list), the
 * status line's count badge and one finding's details (its numbers, advice,
 * since and cause). Pure like every widget: no curses, no locks; the rows are
 * taken in the order findings_list gives them (causes first, what follows
 * from a cause right under it, indented by its depth).
 *
 * Not for: deciding what is wrong (findings.c) or when to say so (app).
 */
#ifndef RNNSCOPE_FINDVIEW_H
#define RNNSCOPE_FINDVIEW_H

#include "findings.h"
#include "grid.h"

#define FINDVIEW_INDENT 2   /* columns per depth under a cause */

const char *findview_mark(Severity s);   /* "✖", "▲", "•" */
Role findview_role(Severity s);          /* ROLE_ERROR, ROLE_WARN, ROLE_TEXT */

/* How each row reads: the finding's name and its sentence ("lr_high: each
 * step ..."), or the name and its subject only ("saturated · layer 0"). */
typedef enum { FINDVIEW_TEXT, FINDVIEW_NAMES } FindviewStyle;

/* One row per finding of f (n of them) into r, indented FINDVIEW_INDENT
 * columns per depth, the mark in the severity's role, the text cut with "…".
 * When n rows do not fit, the last row says "+K more" (a single row keeps
 * its finding and ends in " +K more"). selected (-1 none) is drawn in
 * ROLE_SELECTED and is kept on screen: the rows scroll to show it. With no
 * finding, one calm line (empty: the text for n == 0, e.g. "no findings:
 * nothing looks wrong"). Returns the rows used. */
int findview_rows(Grid *g, Rect r, const Finding *f, int n, int selected, FindviewStyle style, const char *empty);

/* The status line's badge: "✖ 1 problem" in ROLE_ERROR then "▲ 2 warnings"
 * in ROLE_WARN (compact: "✖ 1", "▲ 2"), reversed like the run's state;
 * nothing (0) when both counts are 0. Drawn from (x, y) if it fits in max_w
 * columns whole, else not at all. Returns the columns used;
 * findview_badge_width what it would take. */
int findview_badge(Grid *g, int x, int y, int max_w, int problems, int warnings, int compact);
int findview_badge_width(int problems, int warnings, int compact);

/* One finding's details in r: a head row (mark, severity, name, subject,
 * "since step N"), the sentence, "follows from" its cause, its numbers as
 * key=value, and the advice, each wrapped to r.w. cause is the finding it
 * follows from when that is listed (NULL: f->cause by name, if any). g NULL
 * only counts. Returns the rows it takes at width r.w (all of them, even
 * when r.h cuts the drawing short). */
int findview_details(Grid *g, Rect r, const Finding *f, const Finding *cause);

/* A finding's number as a person reads it: whole numbers in full ("246123",
 * "800"), others with 3 significant digits ("0.31", "3.2e-5"). */
void findview_number(double v, char *buf, size_t cap);

#endif
