/* test_panels.c — the dashboard's panels on the off-screen grid at 100x30 and
 * 80x24: the status line drops whole fields (never cuts one) and keeps step,
 * loss, corpus·tokenizer and elapsed/ETA; counts in titles are never cut;
 * too-long text ends in "…"; the footer names F10 and drops whole hints; the
 * help screen fits its columns to the content, scrolls, and shows every
 * command and F10. The findings: the box under the chart (ranked, indented,
 * "+N more", the calm line), the status line's badge, and the loss chart
 * scaled to its validation points and n-gram line with the best one starred.
 *
 * Not for: the widgets inside the panels (test_chart, test_bars, ...).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "commands.h"
#include "grid.h"
#include "layout.h"
#include "panels.h"

static char panels_test_buf[8192];

static const char *row(const Grid *g, int y)
{
    grid_row_text(g, y, panels_test_buf, sizeof panels_test_buf);
    return panels_test_buf;
}

/* All rows joined by newlines. */
static const char *all_rows(const Grid *g)
{
    static char out[65536];
    size_t n = 0;
    for (int y = 0; y < g->h; y++) {
        char line[4096];
        size_t k = grid_row_text(g, y, line, sizeof line);
        if (n + k + 2 >= sizeof out)
            break;
        memcpy(out + n, line, k);
        n += k;
        out[n++] = '\n';
    }
    out[n] = '\0';
    return out;
}

static void fill(PanelData *d)
{
    memset(d, 0, sizeof *d);
    d->cell = "lstm";
    d->layers = 2;
    d->hidden = 128;
    d->embed = 64;
    d->vocab = 65;
    d->n_params = 246123;
    d->corpus = "lighthouse.txt";
    d->tokenizer = "char";
    d->step = 1234;
    d->total_steps = 5000;
    d->epoch = 1.25;
    d->tokens_per_s = 123456;
    d->lr = 0.002f;
    d->clip = 1;
    d->state = "running";
    d->elapsed_s = 80;
    d->eta_s = 245;
    d->loss = 2.3456f;
    d->val_loss = 2.4567f;
    d->clip_count = 7;
    d->steps_seen = 1200;
    d->temperature = 1;
    d->n_unknown = 1;
    d->smoothing = 0.9;
}

/* Every piece of the status line after the state is a whole field. */
static int status_whole(const char *line, const PanelData *d, char *bad, size_t cap)
{
    const char *p = strstr(line, d->state);
    if (!p)
        return 0;
    p += strlen(d->state);
    static const char *const whole[] = {"loss 2.3456", "val 2.4567", "123k tok/s", "lr 0.002", "ep 1.25",
                                        "lstm 2x128 (246k params)", "lstm 2x128", "lighthouse.txt char V=65",
                                        "lighthouse·char", "1m20s ETA 4m05s", "1m20s/ETA 4m"};
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", p);
    char *save = NULL;
    for (char *tok = strtok_r(buf, "│", &save); tok; tok = strtok_r(NULL, "│", &save)) {
        while (*tok == ' ')
            tok++;
        size_t n = strlen(tok);
        while (n > 0 && tok[n - 1] == ' ')
            tok[--n] = '\0';
        if (n == 0)
            continue;
        int ok = 0;
        for (size_t i = 0; i < sizeof whole / sizeof whole[0]; i++)
            ok |= !strcmp(tok, whole[i]);
        if (!ok) {
            snprintf(bad, cap, "%s", tok);
            return 0;
        }
    }
    return 1;
}

static void check_size(int w, int h)
{
    Grid g;
    grid_init(&g, w, h);
    Layout l;
    layout_compute(&l, "default", w, h);
    static PanelData d;
    fill(&d);
    TextPane *msgs = textpane_new(0), *smp = textpane_new(0);
    d.messages = msgs;
    d.sample = smp;
    panels_draw(&g, &l, &d);
    static char status[8192];
    char bad[256] = "";
    snprintf(status, sizeof status, "%s", row(&g, 0));
    CHECK(strstr(status, "step 1234/5000") && strstr(status, "running") && strstr(status, "loss 2.3456"),
          "%dx%d: the status line keeps step, state and loss: '%s'", w, h, status);
    CHECK(status_whole(status, &d, bad, sizeof bad), "%dx%d: status fields are whole, none cut ('%s' in '%s')", w,
          h, bad, status);
    if (w >= 100)
        CHECK(strstr(status, "lighthouse") && strstr(status, "char") && strstr(status, "1m20s") &&
                  strstr(status, "ETA 4m"),
              "%dx%d: corpus, tokenizer, elapsed and ETA show: '%s'", w, h, status);

    const char *text = all_rows(&g);
    CHECK(strstr(text, "7/1200") != NULL, "%dx%d: the clip count 7/1200 shows whole in the gradient title", w, h);
    CHECK(strstr(text, "1 character outside the vocabulary skipped") || strstr(text, "1 outside the vocabulary, skipped") ||
              strstr(text, "1 not in the vocabulary") ||
              strstr(text, "1 unknown skipped"),
          "%dx%d: the unknown-character note is a whole phrase", w, h);
    CHECK(!strstr(text, "vocabu ") && !strstr(text, "vocabu│"), "%dx%d: no silent cut in the note", w, h);
    const char *foot = row(&g, h - 1);
    CHECK(strstr(foot, "^D/F10 save+quit") && strstr(foot, "F1 help"), "%dx%d: the footer names F10: '%s'", w, h, foot);

    /* the inspector screen's footer and its histogram title */
    layout_compute(&l, "inspector", w, h);
    static InspectorData id;
    memset(&id, 0, sizeof id);
    id.hist_note = "computing…";
    id.ngram_loss = NAN;
    d.inspect = &id;
    d.inspector_keys = 1;
    panels_draw(&g, &l, &d);
    foot = row(&g, h - 1);
    CHECK(strstr(foot, "^D/F10 save+quit") != NULL, "%dx%d inspector: the footer keeps ^D/F10 whole: '%s'", w, h, foot);
    text = all_rows(&g);
    const char *f9 = strstr(text, "F9");
    CHECK(!f9 || !strncmp(f9, "F9 kind", 7) || !strncmp(f9, "F9 weights", 10) || strstr(text, "F8/F9"),
          "%dx%d inspector: the histogram title's key hint is whole or absent", w, h);
    d.inspect = NULL;

    /* help: scrolls through everything, F10 included */
    Rect hr = panels_help_rect(w, h);
    int max = panels_help_max_scroll(hr);
    char seen[64] = {0};
    int f10 = 0, more = 0;
    for (int s = 0; s <= max; s++) {
        grid_clear(&g);
        int used = panels_help(&g, hr, s);
        CHECK(used == s, "%dx%d: help scroll %d is used as is", w, h, s);
        text = all_rows(&g);
        more |= strstr(text, "more below") != NULL;
        f10 |= strstr(text, "F10") != NULL;
        for (int i = 0; i < commands_count(); i++) {
            const TuiCmdSpec *c = commands_spec(i);
            char head[64];
            snprintf(head, sizeof head, ":%s %s", c->name, c->metavar);
            /* the description follows after a gap, whole (nothing overlaps it) */
            for (const char *at = strstr(text, head); at; at = strstr(at + 1, head)) {
                const char *hp = strstr(at, c->help);
                if (hp && hp - at < 40 && !strncmp(at + strlen(head), "  ", 2))
                    seen[i] = 1;
            }
        }
    }
    int all = 1;
    for (int i = 0; i < commands_count(); i++)
        if (!seen[i]) {
            CHECK(0, "%dx%d: help shows :%s with its whole description", w, h, commands_spec(i)->name);
            all = 0;
        }
    CHECK(all, "%dx%d: help shows every one of the %d commands whole (scroll 0..%d)", w, h, commands_count(), max);
    CHECK(f10, "%dx%d: help mentions F10", w, h);
    CHECK(max == 0 || more, "%dx%d: a help that scrolls says there is more", w, h);
    CHECK(panels_help(&g, hr, max + 5) == max, "%dx%d: help scroll is clamped", w, h);
    textpane_free(msgs);
    textpane_free(smp);
    grid_free(&g);
}

/* The cells of r holding ch: their count, and the first one's position. */
static int cells_with(const Grid *g, Rect r, uint32_t ch, int *fx, int *fy)
{
    int n = 0;
    for (int y = r.y; y < r.y + r.h; y++)
        for (int x = r.x; x < r.x + r.w; x++)
            if (grid_get(g, x, y).ch == ch) {
                if (n++ == 0 && fx)
                    *fx = x, *fy = y;
            }
    return n;
}

static void make_finding(Finding *f, FindingId id, Severity sev, int depth, FindingId cause, const char *text)
{
    memset(f, 0, sizeof *f);
    f->id = id;
    f->severity = sev;
    f->depth = depth;
    f->cause = cause;
    snprintf(f->subject, sizeof f->subject, "run");
    snprintf(f->text, sizeof f->text, "%s", text);
}

/* The findings box and the status badge on the main screen. */
static void test_findings(void)
{
    static PanelData d;
    fill(&d);
    d.have_step = 1;
    Finding f[3];
    make_finding(&f[0], FD_LR_HIGH, SEV_PROBLEM, 0, FD_NONE, "each step changes the weight matrices by 0.31");
    make_finding(&f[1], FD_SATURATED, SEV_WARNING, 1, FD_LR_HIGH, "layer 0 input gate: 99% pinned");
    make_finding(&f[2], FD_VANISHING, SEV_NOTE, 0, FD_NONE, "layer 0: the gradient falls 10x every 3 steps");
    d.findings = f;
    d.n_findings = 3;
    d.n_problems = 1;
    d.n_warnings = 1;
    TextPane *msgs = textpane_new(0), *smp = textpane_new(0);
    d.messages = msgs;
    d.sample = smp;
    Grid g;
    grid_init(&g, 120, 50);
    Layout l;
    layout_compute(&l, "default", 120, 50);
    panels_draw(&g, &l, &d);
    if (getenv("SHOW"))
        printf("%s", all_rows(&g));
    Rect fr = l.panel[PANEL_FINDINGS];
    CHECK(strstr(row(&g, fr.y), "findings │ F2 lists them, F12 shows the details") != NULL,
          "120x50: the findings box is titled with its keys: '%s'", row(&g, fr.y));
    CHECK(!strncmp(row(&g, fr.y + 1), "│✖ lr_high: each step", strlen("│✖ lr_high: each step")) &&
              !strncmp(row(&g, fr.y + 2), "│  ▲ saturated: layer 0", strlen("│  ▲ saturated: layer 0")) &&
              !strncmp(row(&g, fr.y + 3), "│• vanishing:", strlen("│• vanishing:")),
          "120x50: the cause first, its symptom indented under it, then the note");
    CHECK(grid_get(&g, 1, fr.y + 1).role == ROLE_ERROR && grid_get(&g, 3, fr.y + 2).role == ROLE_WARN,
          "the marks in their severity's roles");
    const char *st = row(&g, 0);
    CHECK(strstr(st, "running   ✖ 1 problem   ▲ 1 warning ") != NULL, "the status badge follows the state: '%s'", st);
    int px = -1, py = -1;
    cells_with(&g, l.panel[PANEL_STATUS], 0x2716, &px, &py);
    CHECK(px > 0 && grid_get(&g, px, 0).role == ROLE_ERROR && (grid_get(&g, px, 0).attr & ATTR_REVERSE),
          "the problem count is in ROLE_ERROR, reversed");
    cells_with(&g, l.panel[PANEL_STATUS], 0x25b2, &px, &py);
    CHECK(px > 0 && grid_get(&g, px, 0).role == ROLE_WARN, "the warning count is in ROLE_WARN");
    CHECK(strstr(st, "loss 2.3456") != NULL, "the fields still show beside the badge");

    /* 100x30: two rows, the second says how many more */
    grid_resize(&g, 100, 30);
    layout_compute(&l, "default", 100, 30);
    panels_draw(&g, &l, &d);
    fr = l.panel[PANEL_FINDINGS];
    CHECK(fr.h == 4 && !strncmp(row(&g, fr.y + 1), "│✖ lr_high:", strlen("│✖ lr_high:")) &&
              !strncmp(row(&g, fr.y + 2), "│+2 more ", 9),
          "100x30: the first finding, then +2 more: '%s'", row(&g, fr.y + 2));
    /* narrow status line: the badge stays, whole */
    grid_resize(&g, 60, 20);
    layout_compute(&l, "default", 60, 20);
    panels_draw(&g, &l, &d);
    CHECK(strstr(row(&g, 0), "running   ✖ 1   ▲ 1    loss 2.3456") != NULL,
          "60 columns: a compact badge, and the loss still shows: '%s'", row(&g, 0));

    /* healthy: a calm line, no badge; before any step: waiting */
    d.n_findings = 0;
    d.n_problems = d.n_warnings = 0;
    grid_resize(&g, 100, 30);
    layout_compute(&l, "default", 100, 30);
    panels_draw(&g, &l, &d);
    CHECK(!strncmp(row(&g, fr.y + 1), "│no findings: nothing looks wrong ", 35) &&
              grid_get(&g, 1, fr.y + 1).role == ROLE_GOOD,
          "no findings: one calm line: '%s'", row(&g, fr.y + 1));
    CHECK(!strstr(row(&g, 0), "problem") && !strstr(row(&g, 0), "warning") && !strstr(row(&g, 0), "✖"),
          "healthy: nothing on the status line: '%s'", row(&g, 0));
    d.have_step = 0;
    panels_draw(&g, &l, &d);
    CHECK(strstr(row(&g, fr.y + 1), "no findings yet: waiting for the first step") != NULL,
          "before the first step the box says it is waiting");
    /* only notes: listed, but no badge */
    d.have_step = 1;
    d.findings = &f[2];
    d.n_findings = 1;
    panels_draw(&g, &l, &d);
    CHECK(strstr(row(&g, fr.y + 1), "• vanishing") && !strstr(row(&g, 0), "✖") && !strstr(row(&g, 0), "▲"),
          "a note is listed but is no badge");
    textpane_free(msgs);
    textpane_free(smp);
    grid_free(&g);
}

/* The loss chart: its y range takes in the validation points and the n-gram
 * line, and the best (lowest) validation point is starred and labelled. */
static void test_chart_best(void)
{
    static PanelData d;
    fill(&d);
    double lx[100], ly[100], sy[100];
    for (int i = 0; i < 100; i++) {
        lx[i] = 10 * (i + 1);
        ly[i] = 2.0 + 0.2 * sin(i * 0.3); /* 1.8 .. 2.2 */
        sy[i] = ly[i];
    }
    double vx[4] = {250, 500, 750, 1000}, vy[4] = {3.6, 3.1, 2.95, 3.3}; /* above the training loss */
    d.loss_x = lx;
    d.loss_y = ly;
    d.smooth_y = sy;
    d.loss_n = 100;
    d.val_x = vx;
    d.val_y = vy;
    d.val_n = 4;
    d.ngram_order = 3;
    d.ngram_loss = 1.2; /* below everything */
    TextPane *msgs = textpane_new(0), *smp = textpane_new(0);
    d.messages = msgs;
    d.sample = smp;
    Grid g;
    grid_init(&g, 120, 50);
    Layout l;
    layout_compute(&l, "default", 120, 50);
    panels_draw(&g, &l, &d);
    if (getenv("SHOW"))
        printf("%s", all_rows(&g));
    Rect c = l.panel[PANEL_CHART];
    Rect in = rect_inset(c, 1);
    int sx = -1, sy_ = -1;
    int stars = cells_with(&g, rect_make(in.x, in.y + 1, in.w, in.h - 1), 0x2605, &sx, &sy_);
    int diamonds = cells_with(&g, rect_make(in.x, in.y + 1, in.w, in.h - 1), 0x25c6, NULL, NULL);
    CHECK(stars == 1 && diamonds == 3, "one ★ for the best point, ◆ for the other three (%d, %d)", stars, diamonds);
    int lowest = 1;
    for (int y = in.y + 1; y < in.y + in.h; y++)
        for (int x = in.x; x < in.x + in.w; x++)
            if (grid_get(&g, x, y).ch == 0x25c6 && y > sy_)
                lowest = 0;
    CHECK(stars == 1 && lowest && grid_get(&g, sx, sy_).role == ROLE_GOOD,
          "the star is the lowest validation point, in ROLE_GOOD");
    /* the validation points above the loss and the n-gram line below it are all inside the plot */
    int top_mark = in.y + in.h, dashed_row = -1;
    for (int y = in.y + 1; y < in.y + in.h; y++)
        for (int x = in.x; x < in.x + in.w; x++) {
            GridCell cell = grid_get(&g, x, y);
            if (cell.ch == 0x25c6 && y < top_mark)
                top_mark = y;
            if (cell.role == ROLE_SERIES4 && cell.ch >= 0x2801 && cell.ch <= 0x28ff)
                dashed_row = y;
        }
    int loss_rows_lo = in.y + in.h, loss_rows_hi = -1;
    for (int y = in.y + 1; y < in.y + in.h; y++)
        for (int x = in.x; x < in.x + in.w; x++) {
            GridCell cell = grid_get(&g, x, y);
            if ((cell.role == ROLE_SERIES1 || cell.role == ROLE_SERIES2) && cell.ch >= 0x2801 && cell.ch <= 0x28ff) {
                if (y < loss_rows_lo)
                    loss_rows_lo = y;
                if (y > loss_rows_hi)
                    loss_rows_hi = y;
            }
        }
    CHECK(top_mark < loss_rows_lo && dashed_row > loss_rows_hi && dashed_row >= 0,
          "the y range holds the validation points above the loss (row %d < %d) and the 3-gram line below (%d > %d)",
          top_mark, loss_rows_lo, dashed_row, loss_rows_hi);
    CHECK(strstr(row(&g, in.y), "◆ validation") && strstr(row(&g, in.y), "┄ 3-gram") &&
              strstr(row(&g, in.y), "★ best 2.95 @750"),
          "the legend: validation, the 3-gram line, then the best point: '%s'", row(&g, in.y));
    CHECK(strstr(row(&g, in.y), "┄ 3-gram") < strstr(row(&g, in.y), "★ best"), "the best point comes last");
    /* where the legend has no room for it, the star stays and the 3-gram keeps its place */
    grid_resize(&g, 80, 24);
    layout_compute(&l, "default", 80, 24);
    panels_draw(&g, &l, &d);
    in = rect_inset(l.panel[PANEL_CHART], 1);
    CHECK(strstr(row(&g, in.y), "┄ 3-gram") && !strstr(row(&g, in.y), "best") &&
              cells_with(&g, rect_make(in.x, in.y + 1, in.w, in.h - 1), 0x2605, NULL, NULL) == 1,
          "80x24: no room for the label: the star stays, the 3-gram is in the legend: '%s'", row(&g, in.y));
    /* one validation point is not a best of anything */
    d.val_n = 1;
    panels_draw(&g, &l, &d);
    CHECK(cells_with(&g, rect_inset(l.panel[PANEL_CHART], 1), 0x2605, NULL, NULL) == 0,
          "a single validation point gets no star");
    textpane_free(msgs);
    textpane_free(smp);
    grid_free(&g);
}

int main(void)
{
    Grid g;
    grid_init(&g, 30, 2);
    grid_text_fit(&g, 0, 0, 14, "clip fired 0/120", ROLE_TEXT, 0);
    CHECK(!strcmp(row(&g, 0), "clip fired…                   "), "a number is never cut: '%s'", row(&g, 0));
    grid_text_fit(&g, 0, 1, 8, "vocabulary", ROLE_TEXT, 0);
    CHECK(!strncmp(row(&g, 1), "vocabul… ", strlen("vocabul… ")), "a word is cut with an ellipsis: '%s'", row(&g, 1));
    grid_clear(&g);
    grid_text_fit(&g, 0, 0, 30, "fits", ROLE_TEXT, 0);
    CHECK(!strncmp(row(&g, 0), "fits ", 5), "text that fits is drawn as is");
    const char *opts[3] = {"clip fired 3/120", "clip 3/120", "3/120"};
    CHECK(!strcmp(grid_first_fit(12, 3, opts), "clip 3/120") && !strcmp(grid_first_fit(2, 3, opts), "3/120"),
          "grid_first_fit picks the first that fits, else the last");
    grid_free(&g);

    check_size(100, 30);
    check_size(80, 24);
    check_size(120, 50);
    test_findings();
    test_chart_best();
    Rect hr = panels_help_rect(120, 50);
    CHECK(panels_help_max_scroll(hr) == 0, "120x50: help fits without scrolling");
    return check_summary();
}
