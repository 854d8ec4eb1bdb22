/* test_grid.c — the off-screen grid: text widths, wide characters, clipping,
 * invalid UTF-8, control characters, frames. */
#include <string.h>

#include "check.h"
#include "grid.h"
#include "screen.h"

static const char *row(const Grid *g, int y)
{
    static char buf[4096];
    grid_row_text(g, y, buf, sizeof buf);
    return buf;
}

int main(void)
{
    Grid g;
    grid_init(&g, 10, 4);
    CHECK(strcmp(row(&g, 0), "          ") == 0, "a new grid is spaces");

    int n = grid_text(&g, 1, 0, 20, "abc", ROLE_WARN, ATTR_BOLD);
    CHECK(n == 3 && strcmp(row(&g, 0), " abc      ") == 0, "ascii text lands at x=1 (%d)", n);
    CHECK(grid_get(&g, 2, 0).role == ROLE_WARN && grid_get(&g, 2, 0).attr == ATTR_BOLD,
          "text keeps role and attribute");
    CHECK(grid_get(&g, 0, 0).role == ROLE_TEXT, "cells before the text keep ROLE_TEXT");

    n = grid_text(&g, 0, 1, 10, "漢字x", ROLE_TEXT, 0);
    CHECK(n == 5, "two CJK characters and x take 5 columns (%d)", n);
    CHECK(grid_get(&g, 0, 1).ch == 0x6f22 && grid_get(&g, 1, 1).ch == 0,
          "a wide character is its code point then a 0 cell");
    CHECK(strcmp(row(&g, 1), "漢字x     ") == 0, "row text of wide characters: '%s'", row(&g, 1));

    n = grid_text(&g, 0, 2, 3, "漢字", ROLE_TEXT, 0);
    CHECK(n == 2 && grid_get(&g, 2, 2).ch == ' ',
          "a wide character that does not fit max_w is not drawn half (%d)", n);

    grid_set(&g, 1, 1, 'Z', ROLE_TEXT, 0);
    CHECK(grid_get(&g, 0, 1).ch == ' ' && grid_get(&g, 1, 1).ch == 'Z',
          "writing over the right half of a wide character blanks its left half");
    grid_set(&g, 2, 1, 'Y', ROLE_TEXT, 0);
    CHECK(grid_get(&g, 3, 1).ch == ' ', "writing over the left half blanks the right half");

    grid_set(&g, 9, 3, 0x6f22, ROLE_TEXT, 0);
    CHECK(grid_get(&g, 9, 3).ch == ' ', "a wide character in the last column becomes a space");
    grid_set(&g, 10, 0, 'q', ROLE_TEXT, 0);
    grid_set(&g, -1, 0, 'q', ROLE_TEXT, 0);
    CHECK(grid_get(&g, 10, 0).ch == ' ', "writes outside the grid are ignored");

    grid_clear(&g);
    grid_text(&g, 0, 0, 10, "a\xff" "b\x07\t", ROLE_TEXT, 0);
    CHECK(grid_get(&g, 1, 0).ch == 0xfffd, "an invalid byte shows as U+FFFD");
    CHECK(grid_get(&g, 3, 0).ch == 0x2407 && grid_get(&g, 4, 0).ch == 0x2409,
          "control characters show as control pictures");
    grid_text(&g, 0, 1, 10, "e\xcc\x81x", ROLE_TEXT, 0);
    CHECK(grid_get(&g, 1, 1).ch == 'x', "a combining mark takes no cell");

    CHECK(grid_char_width('a') == 1 && grid_char_width(0x4e00) == 2 && grid_char_width(0x301) == 0
              && grid_char_width(0x1f600) == 2 && grid_char_width(0xac00) == 2
              && grid_char_width(0x2588) == 1 && grid_char_width(0x2800) == 1,
          "character widths: ascii 1, CJK 2, combining 0, emoji 2, hangul 2, blocks 1");

    /* wide characters, the last column and a resize (the backend's diffing
     * relies on the grid never holding half a wide character) */
    grid_clear(&g);
    grid_set(&g, 3, 0, 0, ROLE_TEXT, 0);
    CHECK(grid_get(&g, 3, 0).ch == ' ', "writing 0 (the right-half marker) by hand stores a space");
    grid_text(&g, 8, 0, 2, "漢", ROLE_TEXT, 0);
    grid_set(&g, 9, 0, 0x2502, ROLE_BORDER, 0);
    CHECK(grid_get(&g, 8, 0).ch == ' ' && grid_get(&g, 9, 0).ch == 0x2502,
          "a border over the right half of a wide character at the last column leaves no half behind");
    grid_text(&g, 8, 1, 2, "漢", ROLE_TEXT, 0);
    grid_resize(&g, 9, 4);
    int halves = 0;
    for (int y = 0; y < g.h; y++)
        for (int x = 0; x < g.w; x++)
            halves += grid_get(&g, x, y).ch == 0;
    CHECK(halves == 0 && g.w == 9, "a resize that cuts a wide character leaves no half of it (%d)", halves);
    grid_set(&g, 8, 1, 0x6f22, ROLE_TEXT, 0);
    CHECK(grid_get(&g, 8, 1).ch == ' ', "after the resize the last column still takes no wide character");
    grid_resize(&g, 10, 4);

    /* the backend: what goes to the terminal when widths disagree */
    int pad;
    CHECK(screen_glyph('a', 1, 1, &pad) == 'a' && !pad, "widths agree: sent as is");
    CHECK(screen_glyph(0x4e00, 2, 2, &pad) == 0x4e00 && !pad, "a wide character both count as wide");
    CHECK(screen_glyph(0x4dc0, 2, 1, &pad) == 0x4dc0 && pad, "grid 2, terminal 1: the right half is padded");
    CHECK(screen_glyph(0x4dc0, 1, 2, &pad) == '?' && !pad, "grid 1, terminal 2: a narrow stand-in");
    CHECK(screen_glyph(0x05bf, 1, 0, &pad) == '?' && !pad, "grid 1, terminal 0: a narrow stand-in");
    CHECK(screen_glyph(0x0301, 0, 0, &pad) == ' ', "a zero-width code point alone in a cell: a space");

    grid_resize(&g, 12, 4);
    grid_box(&g, rect_make(0, 0, 12, 4), "loss", ROLE_BORDER, ROLE_TITLE);
    CHECK(strcmp(row(&g, 0), "╭ loss ────╮") == 0, "box top with title: '%s'", row(&g, 0));
    CHECK(strcmp(row(&g, 1), "│          │") == 0, "box side: '%s'", row(&g, 1));
    CHECK(strcmp(row(&g, 3), "╰──────────╯") == 0, "box bottom: '%s'", row(&g, 3));
    CHECK(grid_get(&g, 2, 0).role == ROLE_TITLE && grid_get(&g, 0, 0).role == ROLE_BORDER,
          "title and border roles");
    grid_box(&g, rect_make(0, 0, 8, 3), "a long title", ROLE_BORDER, ROLE_TITLE);
    CHECK(strncmp(row(&g, 0), "╭ a  ─╮", strlen("╭ a  ─╮")) != 0
              && grid_get(&g, 7, 0).ch == 0x256e,
          "a long title is clipped and the corner survives");

    grid_fill(&g, rect_make(1, 1, 2, 2), '#', ROLE_DIM);
    CHECK(grid_get(&g, 2, 2).ch == '#' && grid_get(&g, 3, 2).ch != '#', "fill covers the rect only");

    Rect r = rect_inset(rect_make(2, 3, 10, 5), 1);
    CHECK(r.x == 3 && r.y == 4 && r.w == 8 && r.h == 3, "rect_inset");
    r = rect_inset(rect_make(0, 0, 1, 1), 2);
    CHECK(r.w == 0 && r.h == 0, "rect_inset never goes negative");

    char small[4];
    grid_row_text(&g, 0, small, sizeof small);
    CHECK(strlen(small) < sizeof small, "grid_row_text respects its capacity");

    grid_textf(&g, 0, 3, 12, ROLE_TEXT, 0, "%d%%", 42);
    CHECK(strncmp(row(&g, 3), "42%", 3) == 0, "grid_textf formats");
    grid_free(&g);
    return check_summary();
}
