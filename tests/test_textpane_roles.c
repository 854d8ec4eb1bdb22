/* test_textpane_roles.c — a pane line in several roles (src/tui/textpane.c):
 * textpane_append_more with another role changes the role from there on, in
 * the data and in the drawn cells, across wrapped rows and new lines; the
 * sample pane uses it to highlight the typed text of a continuation. A
 * pinned line (textpane_pin_last) stays at the top of the view while the
 * text after it grows past the pane. */
#include <string.h>

#include "check.h"
#include "grid.h"
#include "textpane.h"

int main(void)
{
    TextPane *p = textpane_new(10);
    textpane_append(p, ROLE_DIM, "");
    textpane_append_more(p, ROLE_DIM, "> ");
    textpane_append_more(p, ROLE_SELECTED, "the keeper");
    textpane_append_more(p, ROLE_TEXT, " lit the lamp");
    Role r;
    const char *l = textpane_line(p, 0, &r);
    CHECK(textpane_count(p) == 1 && !strcmp(l, "> the keeper lit the lamp"), "one line: '%s'", l);
    CHECK(r == ROLE_DIM && textpane_role_at(p, 0, 0) == ROLE_DIM, "it starts dim");
    CHECK(textpane_role_at(p, 0, 2) == ROLE_SELECTED && textpane_role_at(p, 0, 11) == ROLE_SELECTED,
          "the typed text is highlighted");
    CHECK(textpane_role_at(p, 0, 12) == ROLE_TEXT && textpane_role_at(p, 0, 24) == ROLE_TEXT,
          "the continuation is plain text");

    Grid g;
    grid_init(&g, 30, 1);
    textpane_draw(p, &g, rect_make(0, 0, 30, 1));
    CHECK(grid_get(&g, 0, 0).role == ROLE_DIM && grid_get(&g, 2, 0).role == ROLE_SELECTED &&
              grid_get(&g, 11, 0).role == ROLE_SELECTED && grid_get(&g, 13, 0).role == ROLE_TEXT,
          "drawn: the prompt mark dim, the typed text highlighted, the continuation plain");
    grid_free(&g);
    /* wrapped at 12 columns: a row that holds the end of the typed text and the continuation */
    grid_init(&g, 12, 3);
    textpane_draw(p, &g, rect_make(0, 0, 12, 3));
    int y = -1;
    for (int k = 0; k < 3; k++)
        if (grid_get(&g, 0, k).ch == 'k')
            y = k;
    CHECK(y >= 0 && grid_get(&g, 0, y).role == ROLE_SELECTED && grid_get(&g, 7, y).ch == 'l' &&
              grid_get(&g, 7, y).role == ROLE_TEXT,
          "a wrapped row changes role where the continuation starts");
    /* a newline in the typed text: the next line carries the typed text's role */
    textpane_append(p, ROLE_DIM, "> ");
    textpane_append_more(p, ROLE_SELECTED, "one\ntwo");
    textpane_append_more(p, ROLE_TEXT, " three");
    int n = textpane_count(p);
    CHECK(n == 3 && textpane_role_at(p, 1, 2) == ROLE_SELECTED && textpane_role_at(p, 2, 0) == ROLE_SELECTED &&
              textpane_role_at(p, 2, 3) == ROLE_TEXT,
          "typed text over two lines stays highlighted, the continuation after it is not");
    /* same role: no change */
    textpane_append(p, ROLE_TEXT, "plain");
    textpane_append_more(p, ROLE_TEXT, " more");
    CHECK(textpane_role_at(p, 3, 0) == ROLE_TEXT && textpane_role_at(p, 3, 9) == ROLE_TEXT, "one role stays one role");
    /* roles survive lines dropping off the ring */
    for (int i = 0; i < 12; i++) {
        textpane_append(p, ROLE_DIM, "a");
        textpane_append_more(p, ROLE_WARN, "b");
    }
    CHECK(textpane_count(p) == 10 && textpane_role_at(p, 9, 0) == ROLE_DIM && textpane_role_at(p, 9, 1) == ROLE_WARN,
          "after the ring wrapped, the newest line keeps its two roles");
    grid_free(&g);
    textpane_free(p);

    /* a pinned line stays in view while what follows it grows */
    p = textpane_new(50);
    textpane_append(p, ROLE_TEXT, "old sample line");
    textpane_append(p, ROLE_DIM, "> typed");
    textpane_pin_last(p);
    textpane_append_more(p, ROLE_TEXT, " and a continuation much longer than the pane can hold at this width");
    textpane_append(p, ROLE_TEXT, "next line of it");
    grid_init(&g, 10, 3);
    textpane_draw(p, &g, rect_make(0, 0, 10, 3));
    char top[64];
    grid_row_text(&g, 0, top, sizeof top);
    CHECK(!strncmp(top, "> typed", 7) && grid_get(&g, 9, 2).ch == 0x25bc,
          "the pinned line is the top row, ▼ says more is below: '%s'", top);
    textpane_unpin(p);
    grid_clear(&g);
    textpane_draw(p, &g, rect_make(0, 0, 10, 3));
    grid_row_text(&g, 1, top, sizeof top);
    CHECK(!strncmp(top, "next line", 9) && grid_get(&g, 0, 2).ch == 'o',
          "unpinned, the view follows the newest line again: '%s'", top);
    textpane_pin_last(p);
    grid_clear(&g);
    textpane_draw(p, &g, rect_make(0, 0, 10, 3));
    grid_row_text(&g, 0, top, sizeof top);
    CHECK(strncmp(top, "> typed", 7) && grid_get(&g, 9, 2).ch != 0x25bc,
          "pinning a line that fits changes nothing: '%s'", top);
    grid_free(&g);
    textpane_free(p);
    return check_summary();
}
