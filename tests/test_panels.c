/* test_panels.c — the dashboard's panels on the off-screen grid at 100x30 and
 * 80x24: the status line drops whole fields (never cuts one) and keeps step,
 * loss, corpus·tokenizer and elapsed/ETA; counts in titles are never cut;
 * too-long text ends in "…"; the footer names F10 and drops whole hints; the
 * help screen fits its columns to the content, scrolls, and shows every
 * command and F10.
 *
 * Not for: the widgets inside the panels (test_chart, test_bars, ...).
 */
#include <math.h>
#include <stdio.h>
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
    Rect hr = panels_help_rect(120, 50);
    CHECK(panels_help_max_scroll(hr) == 0, "120x50: help fits without scrolling");
    return check_summary();
}
