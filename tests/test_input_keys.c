/* test_input_keys.c — keys through readline's callback interface
 * (src/tui/input.c), as the dashboard hands them over byte by byte:
 *   - Tab completes command names and known arguments (":th" Tab -> ":theme ",
 *     ":gradcheck l" Tab -> ":gradcheck lstm "), Tab Tab lists the matches;
 *   - a bracketed paste (ESC[200~ ... ESC[201~), even split over many calls,
 *     is inserted as text with its newlines and never accepts a line;
 *   - an ESC or arrow key that is not a paste still reaches readline;
 *   - Ctrl-R shows readline's reverse-search prompt in the drawn row;
 *   - input_busy / input_cancel (Ctrl-C on a busy line) clear line and search.
 */
#include <curses.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "grid.h"
#include "input.h"

static void type(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        input_key(*p);
    input_idle();
}

static int take_lines(void)
{
    char *line;
    int n = 0, got;
    while ((got = input_take(&line)) != 0) {
        if (got == 1)
            free(line);
        n++;
    }
    return n;
}

static const char *drawn(void)
{
    static char buf[512];
    Grid g;
    grid_init(&g, 80, 1);
    input_draw(&g, rect_make(0, 0, 80, 1), "› ", ROLE_INPUT, ROLE_TITLE);
    grid_row_text(&g, 0, buf, sizeof buf);
    grid_free(&g);
    return buf;
}

int main(void)
{
    if (!setlocale(LC_ALL, "C.UTF-8"))
        setlocale(LC_ALL, "en_US.UTF-8");
    input_open("", NULL);
    char notice[1024];

    /* completion */
    type(":th\t");
    CHECK(!strcmp(input_text(), ":theme "), ":th Tab -> ':theme ' ('%s')", input_text());
    input_set_text("");
    type(":\t\t");
    int listed = input_take_notice(notice, sizeof notice);
    CHECK(listed && strstr(notice, ":pause") && strstr(notice, ":gradcheck") && strstr(notice, ":quit"),
          ": Tab Tab lists the commands: '%.60s...'", listed ? notice : "");
    CHECK(!strcmp(input_text(), ":"), "and leaves the line as it was ('%s')", input_text());
    input_set_text("");
    type(":gradcheck l\t");
    CHECK(!strcmp(input_text(), ":gradcheck lstm "), ":gradcheck l Tab -> lstm ('%s')", input_text());
    input_set_text("");
    type(":gradcheck \t\t");
    listed = input_take_notice(notice, sizeof notice);
    CHECK(listed && strstr(notice, "lstm") && strstr(notice, "gru") && strstr(notice, "rnn"),
          ":gradcheck Tab Tab lists the cells: '%s'", listed ? notice : "");
    input_set_text("");
    type(":layout w\t");
    CHECK(!strcmp(input_text(), ":layout wide "), ":layout w Tab -> wide ('%s')", input_text());
    input_set_text("");
    take_lines();

    /* bracketed paste, in pieces, with a ":quit" line and CR LF line ends */
    type("say: ");
    const char *paste = "\033[200~hello world\r\n:quit\r\nmore\033[201~";
    for (size_t i = 0; paste[i]; i++) {
        input_key((unsigned char)paste[i]);
        if (i % 7 == 3)
            input_idle(); /* the paste arrives over several reads */
    }
    input_idle();
    CHECK(take_lines() == 0, "a paste accepts no line");
    CHECK(!strcmp(input_text(), "say: hello world\n:quit\nmore"), "the paste is in the line, newlines kept: '%s'",
          input_text());
    CHECK(strstr(drawn(), "say: hello world⏎:quit⏎more") != NULL, "newlines show as ⏎: '%s'", drawn());
    input_key('\r');
    char *line = NULL;
    CHECK(input_take(&line) == 1 && line && !strcmp(line, "say: hello world\n:quit\nmore"),
          "Enter accepts the whole text as one line");
    free(line);
    /* a paste holding the end marker's first bytes as text */
    type("\033[200~a\033[2b\033[201~");
    CHECK(!strcmp(input_text(), "a\033[2b"), "a false end marker stays text ('%s')", input_text());
    input_set_text("");

    /* not a paste: Esc-b (backward-word) and a lone Esc still reach readline */
    type("one two");
    type("\033b");
    CHECK(input_point() == 4, "Esc b moves back a word (point %d)", input_point());
    input_set_text("");

    /* Ctrl-R: readline's prompt shows */
    type("the lamp\r");
    take_lines();
    input_key(18); /* Ctrl-R */
    type("lam");
    CHECK(strstr(drawn(), "reverse-i-search") != NULL && strstr(drawn(), "lam") != NULL,
          "Ctrl-R shows the search prompt: '%s'", drawn());
    CHECK(!strcmp(input_text(), "the lamp"), "and the line found ('%s')", input_text());
    CHECK(input_busy(), "a search in progress is busy");
    input_cancel();
    CHECK(!input_busy() && !strcmp(input_text(), "") && !strstr(drawn(), "search"),
          "input_cancel ends the search and clears the line: '%s'", drawn());
    type("abc");
    CHECK(!strcmp(input_text(), "abc") && input_busy(), "typing works normally after it; a non-empty line is busy");
    input_cancel();
    CHECK(!strcmp(input_text(), "") && !input_busy(), "input_cancel clears a plain line");
    type("x\r");
    CHECK(take_lines() == 1, "and the next line is accepted as usual");
    input_close();
    return check_summary();
}
