/* test_textpane.c — the scroll-back pane: word wrap (UTF-8, CJK), drawing,
 * scrolling, bounded memory, cleaning of control characters. */
#include <string.h>

#include "check.h"
#include "grid.h"
#include "textpane.h"

static const char *row(const Grid *g, int y)
{
    static char buf[4096];
    grid_row_text(g, y, buf, sizeof buf);
    return buf;
}

static int wrap_is(const char *text, int w, const int *want, int n)
{
    int starts[32];
    int rows = textpane_wrap(text, w, starts, 32);
    if (rows != n)
        return 0;
    for (int i = 0; i < n; i++)
        if (starts[i] != want[i])
            return 0;
    return 1;
}

int main(void)
{
    CHECK(wrap_is("hello world", 5, (int[]){0, 6}, 2), "wrap at a space, the space dropped");
    CHECK(wrap_is("ab cd ef", 5, (int[]){0, 3}, 2), "wrap after the last space that fits");
    CHECK(wrap_is("abcdefghij", 4, (int[]){0, 4, 8}, 3), "a long word breaks hard");
    CHECK(wrap_is("", 10, (int[]){0}, 1), "an empty line is one row");
    CHECK(wrap_is("fits exactly", 12, (int[]){0}, 1), "a line of exactly w is one row");
    /* 漢 and 字 are 3 bytes and 2 columns each. */
    CHECK(wrap_is("漢字漢字漢", 5, (int[]){0, 6, 12}, 3), "CJK: two wide characters per 5 columns");
    CHECK(wrap_is("ab漢字", 4, (int[]){0, 5}, 2), "CJK may break between wide characters");
    CHECK(wrap_is("漢字 word", 6, (int[]){0, 7}, 2), "mixed CJK and words");
    CHECK(wrap_is("a   b", 2, (int[]){0, 4}, 2), "runs of spaces at a break are skipped");

    TextPane *p = textpane_new(0);
    for (int i = 0; i < 5; i++)
        textpane_appendf(p, i == 3 ? ROLE_WARN : ROLE_TEXT, "line %d", i);
    CHECK(textpane_count(p) == 5, "5 lines held");
    Grid g;
    grid_init(&g, 10, 3);
    textpane_draw(p, &g, rect_make(0, 0, 10, 3));
    CHECK(strcmp(row(&g, 0), "line 2    ") == 0 && strcmp(row(&g, 2), "line 4    ") == 0,
          "the newest lines at the bottom");
    CHECK(grid_get(&g, 0, 1).role == ROLE_WARN && grid_get(&g, 0, 2).role == ROLE_TEXT,
          "lines keep their roles");
    textpane_scroll(p, 1);
    textpane_draw(p, &g, rect_make(0, 0, 10, 3));
    CHECK(strcmp(row(&g, 0), "line 1    ") == 0 && strncmp(row(&g, 2), "line 3", 6) == 0,
          "scrolled back one row: '%s'", row(&g, 0));
    CHECK(grid_get(&g, 9, 2).ch == 0x25bc, "a ▼ says there is more below");
    textpane_append(p, ROLE_TEXT, "line 5");
    textpane_draw(p, &g, rect_make(0, 0, 10, 3));
    CHECK(strcmp(row(&g, 0), "line 1    ") == 0,
          "while scrolled back, a new line does not move the view");
    textpane_scroll(p, 100);
    textpane_draw(p, &g, rect_make(0, 0, 10, 3));
    CHECK(textpane_scroll_offset(p) == 3 && strcmp(row(&g, 0), "line 0    ") == 0,
          "scrolling is clamped at the oldest line (%d)", textpane_scroll_offset(p));
    textpane_scroll_to_end(p);
    textpane_draw(p, &g, rect_make(0, 0, 10, 3));
    CHECK(strncmp(row(&g, 2), "line 5", 6) == 0 && grid_get(&g, 9, 2).ch == ' ',
          "back at the end, no ▼");

    /* Wrapping in the pane, with CJK. */
    textpane_clear(p);
    textpane_append(p, ROLE_ERROR, "error: 漢字漢字 done");
    CHECK(textpane_rows(p, 10) == 3, "a wrapped line counts its rows (%d)", textpane_rows(p, 10));
    textpane_draw(p, &g, rect_make(0, 0, 10, 3));
    /* "error: " is 7 columns, 漢 fits in 9, 字 would not: CJK breaks there. */
    CHECK(strcmp(row(&g, 0), "error: 漢 ") == 0, "wrapped row 1: '%s'", row(&g, 0));
    CHECK(strcmp(row(&g, 1), "字漢字    ") == 0, "wrapped row 2: '%s'", row(&g, 1));
    CHECK(strcmp(row(&g, 2), "done      ") == 0, "wrapped row 3: '%s'", row(&g, 2));
    CHECK(grid_get(&g, 0, 1).role == ROLE_ERROR, "wrapped rows keep the role");

    /* Multi-line appends, cleaning, streaming. */
    textpane_clear(p);
    textpane_append(p, ROLE_TEXT, "a\tb\nx\x07y\r\n");
    CHECK(textpane_count(p) == 2, "'\\n' splits lines, a trailing one adds none (%d)",
          textpane_count(p));
    CHECK(strcmp(textpane_line(p, 0, NULL), "a   b") == 0, "tab to the next multiple of 4");
    CHECK(strcmp(textpane_line(p, 1, NULL), "x\xe2\x90\x87y") == 0,
          "BEL shows as its control picture, CR dropped");
    textpane_append(p, ROLE_TEXT, "bad \xff byte");
    CHECK(strcmp(textpane_line(p, 2, NULL), "bad \xef\xbf\xbd byte") == 0, "invalid UTF-8 -> U+FFFD");
    textpane_append_more(p, ROLE_TEXT, " more\nnext");
    CHECK(textpane_count(p) == 4 && strcmp(textpane_line(p, 2, NULL), "bad \xef\xbf\xbd byte more") == 0
              && strcmp(textpane_line(p, 3, NULL), "next") == 0,
          "append_more continues the last line");
    textpane_free(p);

    /* Bounded memory. */
    p = textpane_new(3);
    for (int i = 0; i < 10; i++)
        textpane_appendf(p, ROLE_TEXT, "n%d", i);
    Role r;
    CHECK(textpane_count(p) == 3 && strcmp(textpane_line(p, 0, &r), "n7") == 0 && r == ROLE_TEXT,
          "a pane of 3 keeps the newest 3");
    textpane_free(p);

    p = textpane_new(0);
    for (int i = 0; i < 5000; i++)
        textpane_appendf(p, ROLE_DIM, "message %d with some words to wrap around", i);
    CHECK(textpane_count(p) == TEXTPANE_DEFAULT_LINES, "default bound of %d lines",
          TEXTPANE_DEFAULT_LINES);
    textpane_draw(p, &g, rect_make(0, 0, 10, 3));
    CHECK(strncmp(row(&g, 2), "around", 6) == 0, "draws the end of the newest line: '%s'", row(&g, 2));
    textpane_free(p);
    grid_free(&g);
    return check_summary();
}
