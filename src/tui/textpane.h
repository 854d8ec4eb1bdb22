/* textpane.h — a scroll-back message pane.
 *
 * For: the message pane (errors, warnings, Lua output) and the sample pane.
 * Lines are appended with a Role each (ROLE_TEXT, ROLE_WARN, ROLE_ERROR,
 * ROLE_DIM, ...), kept in a ring of at most max_lines (older ones drop off),
 * word-wrapped to the pane width when drawn (UTF-8 aware; wide CJK characters
 * take two cells and may break anywhere), and drawn newest at the bottom.
 * Tabs become spaces to the next multiple of 4; other control characters are
 * shown as their Unicode control pictures (U+2400 + c). Invalid UTF-8 shows as
 * U+FFFD. A line may change role part-way (textpane_append_more with another
 * role), e.g. the typed text of a continuation highlighted, then the model's
 * text. Not for: editing.
 *
 * Scrolling counts wrapped rows back from the bottom: 0 follows the newest
 * line. While scrolled back, appended lines do not move the view.
 */
#ifndef RNNSCOPE_TEXTPANE_H
#define RNNSCOPE_TEXTPANE_H

#include <stddef.h>

#include "grid.h"

typedef struct TextPane TextPane;

enum { TEXTPANE_DEFAULT_LINES = 2000 };

/* max_lines <= 0 means TEXTPANE_DEFAULT_LINES. */
TextPane *textpane_new(int max_lines);
void textpane_free(TextPane *p);
void textpane_clear(TextPane *p);

/* Append text; every '\n' starts a new line (a trailing '\n' does not add an
 * empty line). */
void textpane_append(TextPane *p, Role role, const char *utf8);
void textpane_appendf(TextPane *p, Role role, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Append to the last line (no newline), e.g. streaming sample text; a '\n'
 * in the text starts a new line (in `role`). Starts a line if the pane is
 * empty. The appended text is drawn in `role`, whatever the line began in. */
void textpane_append_more(TextPane *p, Role role, const char *utf8);

int textpane_count(const TextPane *p);              /* lines held */
const char *textpane_line(const TextPane *p, int i, Role *role); /* 0 = oldest; *role: at byte 0 */
Role textpane_role_at(const TextPane *p, int i, size_t byte);     /* the role line i has at that byte */

/* Scroll by delta wrapped rows (positive = back in history). Clamped when
 * drawn. */
void textpane_scroll(TextPane *p, int delta);
void textpane_scroll_to_end(TextPane *p);
/* Pin the newest line: while not scrolled back, the view shows it at the top
 * once the lines from it on no longer fit (with "▼": more below), so text
 * appended after it never pushes it out (the sample pane's continuation).
 * Until textpane_unpin, or the line drops off the ring. */
void textpane_pin_last(TextPane *p);
void textpane_unpin(TextPane *p);
int textpane_scroll_offset(const TextPane *p);

/* Draw the visible part into r (no frame). Clamps the scroll offset to the
 * rows available at this width. When scrolled back, the last cell of the
 * bottom row shows "▼" (ROLE_DIM): there is more below. */
void textpane_draw(TextPane *p, Grid *g, Rect r);

/* Total wrapped rows of all lines at width w (for scroll bars and tests). */
int textpane_rows(const TextPane *p, int w);

/* Word-wrap one line to width w: fills starts[] with the byte offsets where
 * rows begin (starts[0] = 0) and returns the number of rows (>= 1, even for
 * an empty line); at most max entries are written but the full count is
 * returned. Breaks after spaces when a word fits on the next row, else hard;
 * may break before or after any wide character. Leading spaces of a
 * continuation row are skipped. */
int textpane_wrap(const char *utf8, int w, int *starts, int max);

#endif
