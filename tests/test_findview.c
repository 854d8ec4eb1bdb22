/* test_findview.c — the findings widgets on the off-screen grid: ranked rows
 * (marks and roles by severity, symptoms indented under their cause, "+N
 * more" when they do not fit, a selection kept on screen, the calm line with
 * none), the status badge (counts, plurals, roles, nothing when healthy, whole
 * or absent), one finding's details (since, cause, numbers, advice) and
 * number formatting.
 *
 * Not for: where the widgets go (test_panels, test_inspector).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "findview.h"
#include "grid.h"

static const char *row(const Grid *g, int y)
{
    static char buf[4096];
    grid_row_text(g, y, buf, sizeof buf);
    return buf;
}

/* Column of the first cell from x0 on row y holding ch, or -1. */
static int col_of(const Grid *g, int y, uint32_t ch)
{
    for (int x = 0; x < g->w; x++)
        if (grid_get(g, x, y).ch == ch)
            return x;
    return -1;
}

static void make(Finding *f, FindingId id, Severity sev, int depth, FindingId cause, const char *text)
{
    memset(f, 0, sizeof *f);
    f->id = id;
    f->severity = sev;
    f->depth = depth;
    f->cause = cause;
    f->since = 15;
    snprintf(f->subject, sizeof f->subject, "run");
    snprintf(f->text, sizeof f->text, "%s", text);
}

/* A ranked list as findings_list gives it: a cause, its symptom, another root, a note. */
static int sample(Finding *f)
{
    make(&f[0], FD_LR_HIGH, SEV_PROBLEM, 0, FD_NONE, "each step changes the weight matrices by 0.31 of their size");
    f[0].numbers[0] = (FindingNumber){"update_ratio", 0.31};
    f[0].numbers[1] = (FindingNumber){"lr", 1};
    f[0].n_numbers = 2;
    snprintf(f[0].advice, sizeof f[0].advice, "lower --lr to about 0.1 and set --clip 5");
    make(&f[1], FD_SATURATED, SEV_WARNING, 1, FD_LR_HIGH, "layer 0 input gate: 99% of its activations are pinned");
    snprintf(f[1].subject, sizeof f[1].subject, "layer 0 input gate");
    f[1].since = 40;
    f[1].numbers[0] = (FindingNumber){"layer", 0};
    f[1].numbers[1] = (FindingNumber){"saturated", 0.994};
    f[1].numbers[2] = (FindingNumber){"healthy_max", 0.93};
    f[1].n_numbers = 3;
    snprintf(f[1].advice, sizeof f[1].advice, "lower --lr (see lr_high)");
    make(&f[2], FD_CLIP_ALWAYS, SEV_WARNING, 0, FD_NONE, "clipping fired on 100 of the last 100 steps");
    make(&f[3], FD_VANISHING, SEV_NOTE, 0, FD_NONE, "layer 0: the gradient of a loss falls 10x every 3.1 steps back");
    make(&f[4], FD_CORPUS_SMALL, SEV_WARNING, 0, FD_NONE, "the model has 246123 parameters for 9000 training tokens");
    return 5;
}

static void test_rows(void)
{
    Finding f[5];
    int n = sample(f);
    Grid g;
    grid_init(&g, 80, 8);
    int used = findview_rows(&g, rect_make(0, 0, 80, 8), f, n, -1, FINDVIEW_TEXT, NULL);
    if (getenv("SHOW"))
        for (int y = 0; y < g.h; y++)
            printf("%s\n", row(&g, y));
    CHECK(used == 5, "five findings in eight rows: five rows (%d)", used);
    CHECK(!strncmp(row(&g, 0), "✖ lr_high: each step changes", strlen("✖ lr_high: each step changes")),
          "a root cause starts at the left, mark then name then sentence: '%s'", row(&g, 0));
    CHECK(!strncmp(row(&g, 1), "  ▲ saturated: layer 0 input gate", strlen("  ▲ saturated: layer 0 input gate")),
          "its symptom is indented under it: '%s'", row(&g, 1));
    CHECK(col_of(&g, 1, 0x25b2) == col_of(&g, 0, 0x2716) + FINDVIEW_INDENT,
          "the indent is FINDVIEW_INDENT columns per depth");
    CHECK(!strncmp(row(&g, 3), "• vanishing:", strlen("• vanishing:")), "a note has the • mark: '%s'", row(&g, 3));
    CHECK(grid_get(&g, 0, 0).role == ROLE_ERROR && grid_get(&g, 2, 1).role == ROLE_WARN &&
              grid_get(&g, 0, 3).role == ROLE_TEXT,
          "marks in the severity's role: problem error, warning warn, note text");
    CHECK(grid_get(&g, 2, 0).role == ROLE_ERROR && grid_get(&g, 2, 0).attr & ATTR_BOLD,
          "the name is bold in the severity's role");
    CHECK(strstr(row(&g, 4), "9000 training tokens") != NULL, "a sentence that fits is whole: '%s'", row(&g, 4));

    /* three rows for five findings: two, then "+3 more" */
    grid_clear(&g);
    used = findview_rows(&g, rect_make(0, 0, 40, 3), f, n, -1, FINDVIEW_TEXT, NULL);
    CHECK(used == 3 && !strncmp(row(&g, 2), "+3 more ", 8), "when they do not fit the last row says +3 more: '%s'",
          row(&g, 2));
    CHECK(strstr(row(&g, 0), "…") && !strstr(row(&g, 0), "0.3 ") && grid_get(&g, 39, 0).ch != ' ',
          "a long sentence ends in … within the width, no number cut: '%s'", row(&g, 0));
    CHECK(grid_get(&g, 0, 2).role == ROLE_DIM, "+N more is dim");

    /* one row: the first finding and " +4 more" at its end */
    grid_clear(&g);
    findview_rows(&g, rect_make(0, 0, 80, 1), f, n, -1, FINDVIEW_TEXT, NULL);
    CHECK(!strncmp(row(&g, 0), "✖ lr_high:", 10) && strstr(row(&g, 0), " +4 more") &&
              !strcmp(row(&g, 0) + strlen(row(&g, 0)) - 8, " +4 more"),
          "a single row keeps its finding and ends in +4 more: '%s'", row(&g, 0));

    /* a selection below the fold scrolls into view, in ROLE_SELECTED */
    grid_clear(&g);
    findview_rows(&g, rect_make(0, 0, 40, 3), f, n, 4, FINDVIEW_NAMES, NULL);
    CHECK(!strncmp(row(&g, 0), "• vanishing", 11) && !strncmp(row(&g, 1), "▲ corpus_small", 14) &&
              !strncmp(row(&g, 2), "+3 more", 7),
          "the selected last finding is shown, the rows before it scrolled away");
    CHECK(grid_get(&g, 30, 1).role == ROLE_SELECTED && grid_get(&g, 39, 1).role == ROLE_SELECTED &&
              grid_get(&g, 40, 1).role == ROLE_TEXT && grid_get(&g, 30, 0).role == ROLE_TEXT,
          "the selected row is in ROLE_SELECTED across the rectangle's width");
    grid_clear(&g);
    findview_rows(&g, rect_make(0, 0, 40, 8), f, n, 1, FINDVIEW_NAMES, NULL);
    CHECK(!strncmp(row(&g, 1), "  ▲ saturated · layer 0 input gate  ", 38) && !strncmp(row(&g, 0), "✖ lr_high  ", 11),
          "by name: the subject follows unless it is the run: '%s'", row(&g, 1));

    /* none */
    grid_clear(&g);
    used = findview_rows(&g, rect_make(0, 0, 40, 3), f, 0, -1, FINDVIEW_TEXT, NULL);
    CHECK(used == 1 && !strncmp(row(&g, 0), "no findings: nothing looks wrong", 32) &&
              grid_get(&g, 0, 0).role == ROLE_GOOD,
          "no findings: one calm line in ROLE_GOOD: '%s'", row(&g, 0));
    grid_free(&g);
}

static void test_badge(void)
{
    Grid g;
    grid_init(&g, 40, 1);
    CHECK(findview_badge_width(0, 0, 0) == 0 && findview_badge(&g, 0, 0, 40, 0, 0, 0) == 0 && !strcmp(row(&g, 0),
          "                                        "),
          "healthy: no badge at all");
    int w = findview_badge(&g, 0, 0, 40, 1, 2, 0);
    CHECK(w == findview_badge_width(1, 2, 0) && !strncmp(row(&g, 0), " ✖ 1 problem   ▲ 2 warnings ", w),
          "one problem, two warnings: '%s' (%d columns)", row(&g, 0), w);
    CHECK(grid_get(&g, 1, 0).role == ROLE_ERROR && grid_get(&g, 16, 0).role == ROLE_WARN &&
              (grid_get(&g, 1, 0).attr & ATTR_REVERSE),
          "each count in its severity's role, reversed like the run's state");
    grid_clear(&g);
    findview_badge(&g, 0, 0, 40, 3, 0, 0);
    CHECK(!strncmp(row(&g, 0), " ✖ 3 problems ", 14) && !strstr(row(&g, 0), "warning"),
          "plural, and no warnings part without warnings: '%s'", row(&g, 0));
    grid_clear(&g);
    findview_badge(&g, 0, 0, 40, 0, 1, 0);
    CHECK(!strncmp(row(&g, 0), " ▲ 1 warning ", 13), "a warning alone: '%s'", row(&g, 0));
    grid_clear(&g);
    CHECK(findview_badge(&g, 0, 0, 10, 1, 2, 0) == 0 && grid_get(&g, 0, 0).ch == ' ',
          "a badge that does not fit whole is not drawn");
    grid_clear(&g);
    w = findview_badge(&g, 0, 0, 40, 1, 2, 1);
    CHECK(w == 11 && !strncmp(row(&g, 0), " ✖ 1   ▲ 2 ", strlen(" ✖ 1   ▲ 2 ")) && grid_get(&g, 1, 0).role == ROLE_ERROR &&
              grid_get(&g, 7, 0).role == ROLE_WARN,
          "compact: the marks and counts only: '%s' (%d)", row(&g, 0), w);
    grid_free(&g);
}

static void test_details(void)
{
    Finding f[5];
    sample(f);
    Grid g;
    grid_init(&g, 50, 14);
    int rows = findview_details(&g, rect_make(0, 0, 50, 14), &f[1], &f[0]);
    if (getenv("SHOW"))
        for (int y = 0; y < g.h; y++)
            printf("%s\n", row(&g, y));
    CHECK(rows == findview_details(NULL, rect_make(0, 0, 50, 0), &f[1], &f[0]), "counting gives the rows drawn (%d)",
          rows);
    CHECK(!strncmp(row(&g, 0), "▲ warning saturated · layer 0 input gate ", 43),
          "head: mark, severity, name, subject: '%s'", row(&g, 0));
    CHECK(strstr(row(&g, 1), "layer 0 input gate: 99%") != NULL, "then the sentence: '%s'", row(&g, 1));
    char text[2048] = "";
    int y_cause = -1, y_num = -1, y_adv = -1;
    for (int y = 0; y < rows; y++) {
        if (!strncmp(row(&g, y), "since step 40 · follows from ✖ lr_high", strlen("since step 40 · follows from ✖ lr_high")))
            y_cause = y;
        if (!strncmp(row(&g, y), "numbers:", 8))
            y_num = y;
        if (!strncmp(row(&g, y), "advice: lower --lr (see lr_high)", 32))
            y_adv = y;
        strncat(text, row(&g, y), sizeof text - strlen(text) - 1);
    }
    CHECK(y_cause > 1 && y_num > y_cause && y_adv > y_num,
          "since and the cause it follows from, then the numbers, then the advice");
    CHECK(strstr(text, "numbers:  layer=0  saturated=0.994") && strstr(text, "healthy_max=0.93"),
          "the numbers as key=value, wrapped: '%s'", text);
    CHECK(y_cause >= 0 && grid_get(&g, 29, y_cause).role == ROLE_ERROR, "the cause's mark in its severity's role");

    /* narrow: everything wraps, nothing outside the rectangle */
    Grid n;
    grid_init(&n, 24, 30);
    int nrows = findview_details(&n, rect_make(2, 0, 20, 30), &f[0], NULL);
    int clean = 1;
    for (int y = 0; y < n.h; y++)
        clean &= grid_get(&n, 0, y).ch == ' ' && grid_get(&n, 1, y).ch == ' ' && grid_get(&n, 22, y).ch == ' ';
    CHECK(nrows > 5 && clean, "at 20 columns the details wrap to %d rows inside the rectangle", nrows);
    CHECK(findview_details(&n, rect_make(0, 0, 20, 2), &f[0], NULL) == nrows, "a short rectangle still counts all");
    grid_free(&n);

    /* a cause that is not in the list: by name */
    grid_clear(&g);
    rows = findview_details(&g, rect_make(0, 0, 50, 14), &f[1], NULL);
    int named = 0;
    for (int y = 0; y < rows; y++)
        named |= !strncmp(row(&g, y), "since step 40 · follows from lr_high  ", strlen("since step 40 · follows from lr_high  "));
    CHECK(named, "a cause not listed is named");
    grid_free(&g);
}

static void test_number(void)
{
    struct {
        double v;
        const char *want;
    } cases[] = {{800, "800"}, {246123, "246123"}, {0.31, "0.31"}, {3.2e-5, "3.2e-5"}, {0, "0"}, {-2, "-2"},
                 {1.23456, "1.23"}, {NAN, "nan"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[32];
        findview_number(cases[i].v, buf, sizeof buf);
        CHECK(!strcmp(buf, cases[i].want), "number %g -> '%s' (got '%s')", cases[i].v, cases[i].want, buf);
    }
    CHECK(!strcmp(findview_mark(SEV_PROBLEM), "✖") && !strcmp(findview_mark(SEV_WARNING), "▲") &&
              !strcmp(findview_mark(SEV_NOTE), "•") && findview_role(SEV_NOTE) == ROLE_TEXT,
          "marks and roles by severity");
}

int main(void)
{
    test_rows();
    test_badge();
    test_details();
    test_number();
    return check_summary();
}
