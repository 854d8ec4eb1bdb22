/* test_input.c — the input line (src/tui/input.c) drawn into the grid:
 * multi-byte UTF-8 typed byte by byte shows as its characters, wide ones take
 * two cells with the cursor after them, and a line longer than the row
 * scrolls so the cursor stays visible.
 *
 * Not for: readline's editing itself (GNU readline's business).
 */
#include <curses.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "grid.h"
#include "input.h"

static void input_test_type(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        input_key(*p);
}

static const char *input_test_row(const Grid *g, int y)
{
    static char buf[512];
    grid_row_text(g, y, buf, sizeof buf);
    return buf;
}

int main(void)
{
    if (!setlocale(LC_ALL, "C.UTF-8"))
        setlocale(LC_ALL, "en_US.UTF-8");
    input_open("", NULL);
    Grid g;
    grid_init(&g, 30, 3);

    input_test_type("小雨");
    CHECK(!strcmp(input_text(), "小雨"), "the typed bytes reach the line: '%s'", input_text());
    int cx = input_draw(&g, rect_make(0, 1, 30, 1), "› ", ROLE_INPUT, ROLE_TITLE);
    CHECK(!strncmp(input_test_row(&g, 1), "› 小雨 ", strlen("› 小雨 ")), "the wide characters show: '%s'",
          input_test_row(&g, 1));
    CHECK(cx == 6, "the cursor is after two wide characters: column %d, want 6", cx);
    CHECK(grid_get(&g, 2, 1).ch == 0x5c0f && grid_get(&g, 3, 1).ch == 0 && grid_get(&g, 4, 1).ch == 0x96e8,
          "each wide character takes two cells");

    input_test_type("ab");
    grid_clear(&g);
    cx = input_draw(&g, rect_make(0, 1, 30, 1), "› ", ROLE_INPUT, ROLE_TITLE);
    CHECK(!strncmp(input_test_row(&g, 1), "› 小雨ab ", strlen("› 小雨ab ")), "then ab follows directly: '%s'",
          input_test_row(&g, 1));
    CHECK(cx == 8, "cursor at column %d, want 8", cx);

    input_key(KEY_LEFT);
    input_key(KEY_LEFT);
    input_key(KEY_LEFT);
    grid_clear(&g);
    cx = input_draw(&g, rect_make(0, 1, 30, 1), "› ", ROLE_INPUT, ROLE_TITLE);
    CHECK(cx == 4, "three lefts put the cursor on 雨: column %d, want 4", cx);

    /* longer than the row: 20 wide characters (40 cells) in a 16-cell row */
    input_set_text("");
    input_test_type("一二三四五六七八九十百千万亿兆京垓秭穰沟");
    Grid n;
    grid_init(&n, 16, 1);
    cx = input_draw(&n, rect_make(0, 0, 16, 1), "› ", ROLE_INPUT, ROLE_TITLE);
    const char *row = input_test_row(&n, 0);
    CHECK(cx >= 2 && cx <= 15, "a long line keeps the cursor inside the row: column %d", cx);
    CHECK(strstr(row, "穰沟") != NULL && strstr(row, "一") == NULL, "it scrolls to show the end: '%s'", row);
    int wide = 0;
    for (int x = 2; x < 16; x++)
        wide += grid_get(&n, x, 0).ch >= 0x4e00;
    CHECK(wide >= 6, "the visible part is characters, not blanks (%d shown)", wide);
    input_key(KEY_HOME);
    grid_clear(&n);
    cx = input_draw(&n, rect_make(0, 0, 16, 1), "› ", ROLE_INPUT, ROLE_TITLE);
    row = input_test_row(&n, 0);
    CHECK(cx == 2 && !strncmp(row, "› 一二三", strlen("› 一二三")), "Home scrolls back to the start: '%s' col %d", row,
          cx);

    grid_free(&n);
    grid_free(&g);
    input_close();
    return check_summary();
}
