/* panels.c — composing the widgets into the dashboard's panels (see panels.h). */
#include "panels.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bars.h"
#include "chart.h"
#include "commands.h"
#include "findview.h"
#include "sparkline.h"
#include "tname.h"

#define PANELS_BEST_GLYPH 0x2605 /* ★ the best validation point */

void panels_duration(double s, char *buf, size_t cap)
{
    if (!(s >= 0) || !isfinite(s)) {
        snprintf(buf, cap, "-");
        return;
    }
    long t = (long)(s + 0.5);
    if (t < 60)
        snprintf(buf, cap, "%lds", t);
    else if (t < 3600)
        snprintf(buf, cap, "%ldm%02lds", t / 60, t % 60);
    else
        snprintf(buf, cap, "%ldh%02ldm", t / 3600, (t / 60) % 60);
}

/* Compact durations without the smaller unit: "12s", "3m", "2h". */
static void panels_duration_short(double s, char *buf, size_t cap)
{
    if (!(s >= 0) || !isfinite(s)) {
        snprintf(buf, cap, "-");
        return;
    }
    long t = (long)(s + 0.5);
    if (t < 60)
        snprintf(buf, cap, "%lds", t);
    else if (t < 3600)
        snprintf(buf, cap, "%ldm", (t + 30) / 60);
    else
        snprintf(buf, cap, "%ldh", (t + 1800) / 3600);
}

/* One field of the status line: a full and a compact text ("" if it has no
 * shorter form), and a priority (0 always shows; higher numbers go first). */
typedef struct {
    char full[160], compact[96];
    int prio;
    int shown, use_compact;
} PanelsField;

enum { PANELS_STATUS_FIELDS = 8 };

/* Which fields show, and in which form, for w columns after the fixed part:
 * the least important field still shown first takes its compact form if it
 * has one, else goes whole; never is a field cut. Returns the width used. */
static int panels_status_fit(PanelsField *f, int n, int w)
{
    for (int i = 0; i < n; i++) {
        f[i].shown = 1;
        f[i].use_compact = 0;
    }
    for (;;) {
        int used = 0;
        for (int i = 0; i < n; i++)
            if (f[i].shown)
                used += 3 + grid_text_width(f[i].use_compact ? f[i].compact : f[i].full);
        if (used <= w)
            return used;
        int worst = -1;
        for (int i = 0; i < n; i++)
            if (f[i].shown && f[i].prio > 0 && (worst < 0 || f[i].prio > f[worst].prio))
                worst = i;
        if (worst < 0)
            return used;
        if (f[worst].compact[0] && !f[worst].use_compact)
            f[worst].use_compact = 1;
        else
            f[worst].shown = 0;
    }
}

static void panels_status(Grid *g, Rect r, const PanelData *d)
{
    grid_fill(g, r, ' ', ROLE_STATUS);
    char params[16], tps[16], lr[16], eta[32], el[32], eta_s[32], loss[16], val[16], steps[48];
    chart_format_number((double)d->n_params, params, sizeof params);
    chart_format_number(d->tokens_per_s, tps, sizeof tps);
    chart_format_number(d->lr, lr, sizeof lr);
    panels_duration(d->elapsed_s, el, sizeof el);
    panels_duration(d->eta_s, eta, sizeof eta);
    panels_duration_short(d->eta_s, eta_s, sizeof eta_s);
    if (isnan(d->loss))
        snprintf(loss, sizeof loss, "-");
    else
        snprintf(loss, sizeof loss, "%.4f", (double)d->loss);
    if (isnan(d->val_loss))
        snprintf(val, sizeof val, "-");
    else
        snprintf(val, sizeof val, "%.4f", (double)d->val_loss);
    if (d->total_steps > 0)
        snprintf(steps, sizeof steps, "step %ld/%ld", d->step, d->total_steps);
    else
        snprintf(steps, sizeof steps, "step %ld", d->step);
    const char *corpus = d->corpus ? d->corpus : "";
    int stem = (int)strcspn(corpus, ".");
    if (stem == 0)
        stem = (int)strlen(corpus);
    PanelsField f[PANELS_STATUS_FIELDS];
    memset(f, 0, sizeof f);
    int n = 0;
    /* display order; prio: loss 1, data and time 2 (always wanted), val 3,
     * model 4, lr 5, tok/s 6, epoch 7 */
    snprintf(f[n].full, sizeof f[n].full, "loss %s", loss);
    f[n++].prio = 1;
    snprintf(f[n].full, sizeof f[n].full, "val %s", val);
    f[n++].prio = 3;
    snprintf(f[n].full, sizeof f[n].full, "%s tok/s", tps);
    f[n++].prio = 6;
    snprintf(f[n].full, sizeof f[n].full, "lr %s", lr);
    f[n++].prio = 5;
    snprintf(f[n].full, sizeof f[n].full, "ep %.2f", d->epoch);
    f[n++].prio = 7;
    snprintf(f[n].full, sizeof f[n].full, "%s %dx%d (%s params)", d->cell, d->layers, d->hidden, params);
    snprintf(f[n].compact, sizeof f[n].compact, "%s %dx%d", d->cell, d->layers, d->hidden);
    f[n++].prio = 4;
    snprintf(f[n].full, sizeof f[n].full, "%s %s V=%d", corpus, d->tokenizer, d->vocab);
    snprintf(f[n].compact, sizeof f[n].compact, "%.*s·%s", stem > 40 ? 40 : stem, corpus, d->tokenizer);
    f[n++].prio = 2;
    if (d->total_steps > 0) {
        snprintf(f[n].full, sizeof f[n].full, "%s ETA %s", el, eta);
        snprintf(f[n].compact, sizeof f[n].compact, "%s/ETA %s", el, eta_s);
    } else {
        snprintf(f[n].full, sizeof f[n].full, "%s", el);
        f[n].compact[0] = '\0';
    }
    f[n++].prio = 2;

    int x = r.x;
    int end = r.x + r.w;
    x += grid_textf(g, x, r.y, end - x, ROLE_STATUS, ATTR_BOLD, " %s ", steps);
    Role st = !strcmp(d->state, "running") ? ROLE_GOOD : !strcmp(d->state, "failed") ? ROLE_ERROR : ROLE_WARN;
    char state[160];
    snprintf(state, sizeof state, " %s ", d->state);
    x += grid_text_fit(g, x, r.y, end - x, state, st, ATTR_BOLD | ATTR_REVERSE);
    /* the findings' badge always shows, compact when the loss would not fit beside it in full */
    int compact = x + 1 + findview_badge_width(d->n_problems, d->n_warnings, 0) + 3 + grid_text_width(f[0].full) >=
                  end;
    if (findview_badge_width(d->n_problems, d->n_warnings, compact) > 0 && x + 1 < end)
        x += 1 + findview_badge(g, x + 1, r.y, end - x - 1, d->n_problems, d->n_warnings, compact);
    panels_status_fit(f, n, end - x - 1);
    for (int i = 0; i < n && x < end; i++) {
        if (!f[i].shown)
            continue;
        x += grid_text(g, x, r.y, end - x, i == 0 ? "   " : " │ ", ROLE_STATUS, 0);
        x += grid_text(g, x, r.y, end - x, f[i].use_compact ? f[i].compact : f[i].full, ROLE_STATUS, 0);
    }
}

/* The lowest validation loss of the chart's points and its step; 0 with
 * fewer than two points (one point is not a "best" of anything). */
static int panels_best_val(const PanelData *d, double *x, double *y)
{
    int best = -1, finite = 0;
    for (int i = 0; i < d->val_n; i++)
        if (isfinite(d->val_y[i]) && (!d->log_y || d->val_y[i] > 0)) {
            finite++;
            if (best < 0 || d->val_y[i] < d->val_y[best])
                best = i;
        }
    if (finite < 2)
        return 0;
    *x = d->val_x[best];
    *y = d->val_y[best];
    return 1;
}

static void panels_chart(Grid *g, Rect r, const PanelData *d)
{
    char t[4][96];
    char win[32];
    if (d->window > 0)
        snprintf(win, sizeof win, "last %ld", d->window);
    else
        snprintf(win, sizeof win, "all");
    /* shorter forms before the smoothing's number would be dropped */
    snprintf(t[0], sizeof t[0], " loss (%s, %s, smoothing %.2f) ", d->log_y ? "log" : "linear", win, d->smoothing);
    snprintf(t[1], sizeof t[1], " loss (%s, %s, smooth %.2f) ", d->log_y ? "log" : "lin", win, d->smoothing);
    snprintf(t[2], sizeof t[2], " loss (%s, %s) ", d->log_y ? "log" : "lin", win);
    snprintf(t[3], sizeof t[3], " loss ");
    const char *titles[4] = {t[0], t[1], t[2], t[3]};
    grid_box(g, r, grid_first_fit(r.w - 5, 4, titles), ROLE_BORDER, ROLE_TITLE);
    Rect in = rect_inset(r, 1);
    ChartSeries s[4 + PANELS_MAX_USER + INSPECTOR_MAX_RUNS];
    int n = 0;
    s[n++] = (ChartSeries){"raw", ROLE_SERIES1, 0x00b7, CHART_LINE, d->loss_x, d->loss_y, d->loss_n};
    if (d->smoothing > 0)
        s[n++] = (ChartSeries){"smoothed", ROLE_SERIES2, 0x2500, CHART_LINE, d->loss_x, d->smooth_y, d->loss_n};
    s[n++] = (ChartSeries){"validation", ROLE_SERIES3, 0x25c6, CHART_POINTS, d->val_x, d->val_y, d->val_n};
    /* Lua series: two colours alternate, so the legend glyph tells them apart */
    static const uint32_t user_glyph[PANELS_MAX_USER] = {0x25b2, 0x25cf, 0x25a0, 0x25c9,
                                                         0x271a, 0x25bc, 0x25c7, 0x2726};
    for (int i = 0; i < d->n_user && i < PANELS_MAX_USER; i++)
        s[n++] = (ChartSeries){d->user_name[i], i % 2 ? ROLE_SERIES6 : ROLE_SERIES5, user_glyph[i], CHART_LINE,
                               d->user_x[i], d->user_y[i], d->user_n[i]};
    /* compared runs: hollow glyphs, so they read apart from this run's series */
    static const uint32_t cmp_glyph[INSPECTOR_MAX_RUNS] = {0x25cb, 0x25a1, 0x25b3, 0x25bd, 0x25c1, 0x25b7};
    for (int i = 0; i < d->n_cmp && i < INSPECTOR_MAX_RUNS; i++)
        s[n++] = (ChartSeries){d->cmp[i].name, d->cmp[i].role, cmp_glyph[i], CHART_LINE, d->cmp[i].x, d->cmp[i].y,
                               d->cmp[i].n};
    ChartRefLine ref;
    char ref_label[32];
    int nref = 0;
    if (d->ngram_order > 0 && isfinite(d->ngram_loss)) {
        snprintf(ref_label, sizeof ref_label, "%d-gram", d->ngram_order);
        ref = (ChartRefLine){d->ngram_loss, ROLE_SERIES4, ref_label};
        nref = 1;
    }
    ChartOptions o = chart_options_default();
    /* the best validation point: a star over its diamond, last in the legend */
    double bx, by;
    char best_label[64];
    if (panels_best_val(d, &bx, &by)) {
        char v[16];
        chart_format_number(by, v, sizeof v);
        snprintf(best_label, sizeof best_label, "best %s @%.0f", v, bx);
        s[n++] = (ChartSeries){best_label, ROLE_GOOD, PANELS_BEST_GLYPH, CHART_POINTS, &bx, &by, 1};
        o.legend_after_refs = 1;
    }
    o.log_y = d->log_y;
    o.x_window = (double)d->window;
    chart_draw(g, in, s, n, &ref, nref, &o, NULL);
}

/* Layer k's per-gate gradient norms in at most w columns: "gates  i 0.0099
 * f 0.31 ...", else without the word and the wide gaps, else with one
 * significant digit ("1e-3"), else the gates that fit whole and "…";
 * numbers are never cut. */
static void panels_gate_row(const PanelData *d, int k, int w, char *out, size_t cap)
{
    char form[3][160];
    for (int f = 0; f < 3; f++) {
        size_t n = (size_t)snprintf(form[f], sizeof form[f], "%s", f == 0 ? "gates" : "");
        for (int gi = 0; gi < d->n_gates && gi < 4 && d->gate_names[gi]; gi++) {
            char v[16];
            if (f < 2)
                chart_format_number_digits(d->gate_norms[k][gi], 2, v, sizeof v);
            else
                chart_format_fit(d->gate_norms[k][gi], 1, 4, v, sizeof v);
            n += (size_t)snprintf(form[f] + n, n < sizeof form[f] ? sizeof form[f] - n : 0, "%s%c %s",
                                  f == 0 ? "  " : gi ? " " : "", d->gate_names[gi], v);
            if (n >= sizeof form[f])
                break;
        }
    }
    const char *forms[3] = {form[0], form[1], form[2]};
    const char *best = grid_first_fit(w, 3, forms);
    if (grid_text_width(best) <= w) {
        snprintf(out, cap, "%s", best);
        return;
    }
    /* whole gates of the shortest form, then "…" */
    size_t n = 0;
    out[0] = '\0';
    const char *p = form[2];
    while (*p) {
        const char *q = strchr(p + 1, ' ');
        q = q ? strchr(q + 1, ' ') : NULL; /* "i 1e-3" ends at the second space */
        size_t len = q ? (size_t)(q - p) : strlen(p);
        if ((int)(n + len) + 1 > w)
            break;
        n += (size_t)snprintf(out + n, cap - n, "%.*s", (int)len, p);
        p += len;
    }
    snprintf(out + n, cap - n, "%s…", n ? " " : "");
}

static void panels_grads(Grid *g, Rect r, const PanelData *d)
{
    /* shorter labels before ever cutting the counts */
    char t[5][96];
    snprintf(t[0], sizeof t[0], " gradient norms │ clip fired %ld/%ld (%.0f%%) ", d->clip_count, d->steps_seen,
             d->steps_seen > 0 ? 100.0 * d->clip_count / d->steps_seen : 0.0);
    snprintf(t[1], sizeof t[1], " gradient norms │ clip %ld/%ld ", d->clip_count, d->steps_seen);
    snprintf(t[2], sizeof t[2], " grad norms │ clip %ld/%ld ", d->clip_count, d->steps_seen);
    snprintf(t[3], sizeof t[3], " clip %ld/%ld ", d->clip_count, d->steps_seen);
    snprintf(t[4], sizeof t[4], " gradient norms ");
    const char *titles[5] = {t[0], t[1], t[2], t[3], t[4]};
    grid_box(g, r, d->steps_seen > 0 ? grid_first_fit(r.w - 5, 4, titles) : t[4], ROLE_BORDER, ROLE_TITLE);
    Rect in = rect_inset(r, 1);
    if (in.w < 10 || in.h < 1)
        return;
    if (!d->have_step) {
        grid_text(g, in.x, in.y, in.w, "waiting for the first step…", ROLE_DIM, 0);
        return;
    }
    /* log scale over whole decades covering every group, at least 4 decades */
    double mx = 0, mn = INFINITY;
    for (int i = 0; i < d->n_groups; i++) {
        double v = d->group_norm[i];
        if (v > mx)
            mx = v;
        if (v > 0 && v < mn)
            mn = v;
    }
    double lo, hi;
    bars_log_range(mn, mx, &lo, &hi);
    int label_w = 10, value_w = 8;
    int mark_w = in.w >= 60 ? 14 : 2;
    int spark_w = in.w >= 44 ? (in.w - label_w - value_w - mark_w) / 3 : 0;
    if (spark_w > PANELS_SPARK)
        spark_w = PANELS_SPARK;
    int row_w = in.w - mark_w - (spark_w ? spark_w + 1 : 0);
    int y = in.y;
    int gate_rows = d->gate_names && d->gate_names[0] && in.h >= d->n_groups + 1 + d->n_layers;
    char lo_s[16], hi_s[16];
    chart_format_number(lo, lo_s, sizeof lo_s);
    chart_format_number(hi, hi_s, sizeof hi_s);
    /* groups that do not fit: the last row says how many (gate rows give way first) */
    int fit = d->n_groups <= in.h ? d->n_groups : in.h - 1;
    int shown = 0;
    for (int i = 0; i < fit && y < in.y + in.h - (fit < d->n_groups); i++, shown++) {
        char val[16];
        chart_format_fit(d->group_norm[i], 2, value_w - 1, val, sizeof val);
        int f = d->group_flag[i];
        Role role = f == GRAD_FLAG_VANISHING ? ROLE_GRAD_LOW : f == GRAD_FLAG_EXPLODING ? ROLE_GRAD_HIGH : ROLE_GRAD_OK;
        BarRow row = {d->group_name[i], ROLE_TEXT, bars_frac_log(d->group_norm[i], lo, hi), role, ROLE_BAR_DIM,
                      val, role};
        bars_row(g, in.x, y, row_w, label_w, value_w, &row);
        int x = in.x + row_w;
        if (spark_w) {
            int n = d->spark_n < spark_w ? d->spark_n : spark_w;
            sparkline_draw_range(g, x + 1, y, spark_w, d->spark[i] + (d->spark_n - n), n, 1, lo, hi, role);
            x += spark_w + 1;
        }
        if (f != GRAD_FLAG_OK) {
            char mark[64];
            if (mark_w > 2)
                snprintf(mark, sizeof mark, " %s %s", f == GRAD_FLAG_VANISHING ? "▼" : "▲",
                         f == GRAD_FLAG_VANISHING ? "vanishing" : "exploding");
            else
                snprintf(mark, sizeof mark, " %s", f == GRAD_FLAG_VANISHING ? "▼" : "▲");
            grid_text(g, x, y, mark_w, mark, role, ATTR_BOLD);
        }
        y++;
        /* per-gate breakdown under each layer's recurrent row */
        if (gate_rows && i >= 1 && i < d->n_groups - 1 && (i - 1) % 2 == 1 && y < in.y + in.h) {
            char gates[160];
            panels_gate_row(d, (i - 1) / 2, in.w - 2, gates, sizeof gates);
            grid_text(g, in.x + 1, y, in.w - 2, gates, ROLE_DIM, 0);
            y++;
        }
    }
    if (shown < d->n_groups) {
        grid_textf(g, in.x, y, in.w, ROLE_DIM, 0, "+%d more", d->n_groups - shown);
        y++;
    }
    if (y < in.y + in.h)
        grid_textf(g, in.x, y, in.w, ROLE_DIM, 0, "log scale %s … %s", lo_s, hi_s);
    if (y + 1 < in.y + in.h) {
        for (int i = 0; i < d->n_groups; i++)
            if (d->group_flag[i] != GRAD_FLAG_OK) {
                char why[96];
                snprintf(why, sizeof why, "%s: %s", d->group_name[i], d->group_why[i]);
                grid_text_fit(g, in.x, y + 1, in.w, why,
                              d->group_flag[i] == GRAD_FLAG_VANISHING ? ROLE_GRAD_LOW : ROLE_GRAD_HIGH, 0);
                break;
            }
    }
}

/* The findings box: one row per finding, causes first, "+N more" when they
 * do not fit; the inspector (F2) has the details. */
static void panels_findings(Grid *g, Rect r, const PanelData *d)
{
    static const char *const titles[] = {" findings │ F2 lists them, F12 shows the details ",
                                         " findings │ F12 details ", " findings "};
    grid_box(g, r, grid_first_fit(r.w - 5, 3, titles), ROLE_BORDER, ROLE_TITLE);
    findview_rows(g, rect_inset(r, 1), d->findings, d->n_findings, -1, FINDVIEW_TEXT,
                  d->have_step ? "no findings: nothing looks wrong" : "no findings yet: waiting for the first step…");
}

static void panels_probs(Grid *g, Rect r, const PanelData *d)
{
    char t[3][64];
    snprintf(t[0], sizeof t[0], " next token (T=%.2g) ", (double)d->temperature);
    snprintf(t[1], sizeof t[1], " next T=%.2g ", (double)d->temperature);
    snprintf(t[2], sizeof t[2], " next token ");
    const char *titles[3] = {t[0], t[1], t[2]};
    grid_box(g, r, grid_first_fit(r.w - 5, 3, titles), ROLE_BORDER, ROLE_TITLE);
    Rect in = rect_inset(r, 1);
    if (in.w < 8 || in.h < 1)
        return;
    int y = in.y;
    if (d->n_unknown > 0 && in.h > 2) {
        char u[5][80];
        snprintf(u[0], sizeof u[0], "%zu character%s outside the vocabulary skipped", d->n_unknown,
                 d->n_unknown == 1 ? "" : "s");
        snprintf(u[1], sizeof u[1], "%zu outside the vocabulary, skipped", d->n_unknown);
        snprintf(u[2], sizeof u[2], "%zu not in the vocabulary", d->n_unknown);
        snprintf(u[3], sizeof u[3], "%zu unknown skipped", d->n_unknown);
        snprintf(u[4], sizeof u[4], "%zu unknown", d->n_unknown);
        const char *opts[5] = {u[0], u[1], u[2], u[3], u[4]};
        grid_text_fit(g, in.x, y++, in.w, grid_first_fit(in.w, 5, opts), ROLE_WARN, 0);
    }
    if (d->k == 0) {
        grid_text_fit(g, in.x, y, in.w, "type text below to see what comes next", ROLE_DIM, 0);
        return;
    }
    int label_w = in.w >= 30 ? 8 : 5;
    /* tokens that do not fit: the last row says how many */
    int room = in.y + in.h - y;
    int fit = d->k <= room ? d->k : room - 1;
    if (fit < d->k)
        grid_textf(g, in.x, y + (fit > 0 ? fit : 0), in.w, ROLE_DIM, 0, "+%d more", d->k - (fit > 0 ? fit : 0));
    for (int i = 0; i < fit; i++, y++) {
        char disp[64], raw[64], val[16];
        tokenizer_display(d->tok, d->ids[i], disp, sizeof disp);
        size_t rl = tokenizer_decode(d->tok, d->ids[i], raw, sizeof raw);
        int escaped = rl >= sizeof raw || strcmp(disp, raw) != 0;
        if (d->labels[i][0])
            snprintf(disp, sizeof disp, "%s", d->labels[i]);
        snprintf(val, sizeof val, "%5.1f%%", 100.0 * d->probs[i]);
        BarRow row = {disp, escaped ? ROLE_ESCAPE : ROLE_TEXT, d->probs[i], ROLE_BAR, ROLE_BAR_DIM, val, ROLE_TEXT};
        bars_row(g, in.x, y, in.w, label_w, 6, &row);
    }
}

static void panels_pane(Grid *g, Rect r, const char *title, TextPane *p)
{
    grid_box(g, r, title, ROLE_BORDER, ROLE_TITLE);
    if (p)
        textpane_draw(p, g, rect_inset(r, 1));
}

/* One key hint of the footer; prio 0 always shows, higher numbers go first. */
typedef struct {
    const char *key, *what;
    int prio;
} PanelsKey;

static void panels_footer(Grid *g, Rect r, int screen, int watching)
{
    grid_fill(g, r, ' ', ROLE_STATUS);
    static const PanelsKey dash_keys[] = {
        {"F1", "help", 0}, {"F2", "screen", 2}, {"F3", "log", 6}, {"F4", "window", 7}, {"F5", "pause/run", 1},
        {"F6", "step", 3}, {"F7", "sample", 5}, {"F12", "findings", 7}, {"PgUp", "scroll", 4},
        {"^D/F10", "save+quit", 0},
    };
    /* the inspector's own keys replace the loss chart's, which is not on that screen */
    static const PanelsKey insp_keys[] = {
        {"F1", "help", 0}, {"F2", "dashboard", 2}, {"F5", "pause/run", 1}, {"F6", "step", 4}, {"F8", "tensor", 3},
        {"F9", "weights/grads/acts", 3}, {"F12", "finding", 3}, {"PgUp", "scroll", 5},
        {"^D/F10", "save+quit", 0},
    };
    /* the units screen's: the unit, layer, kind, view, text and list */
    static const PanelsKey unit_keys[] = {
        {"F1", "help", 0}, {"F2", "screen", 2}, {"F3", "kind", 2}, {"F4", "view", 2}, {"F5", "pause/run", 1},
        {"F7", "typed/held-out", 4}, {"F8", "unit", 1}, {"F9", "layer", 3}, {"F11/F12", "ranked", 3},
        {"S-arrows", "cursor", 5}, {"Ins", "mark", 5}, {"^D/F10", "save+quit", 0},
    };
    const PanelsKey *keys = screen == 2 ? unit_keys : screen ? insp_keys : dash_keys;
    int n = screen == 2 ? (int)(sizeof unit_keys / sizeof unit_keys[0])
            : screen    ? (int)(sizeof insp_keys / sizeof insp_keys[0])
                        : (int)(sizeof dash_keys / sizeof dash_keys[0]);
    /* drop whole hints, least important first, until the rest fit */
    int max_prio = 7;
    for (; max_prio > 0; max_prio--) {
        int used = 0;
        for (int i = 0; i < n; i++)
            if (keys[i].prio <= max_prio)
                used += grid_text_width(keys[i].key) + 1 + grid_text_width(keys[i].what) + 2;
        if (used - 2 <= r.w)
            break;
    }
    int x = r.x;
    for (int i = 0; i < n && x < r.x + r.w; i++) {
        if (keys[i].prio > max_prio)
            continue;
        x += grid_textf(g, x, r.y, r.x + r.w - x, ROLE_STATUS, ATTR_BOLD | ATTR_REVERSE, "%s", keys[i].key);
        const char *what = watching && !strcmp(keys[i].what, "save+quit") ? "quit" : keys[i].what;
        x += grid_textf(g, x, r.y, r.x + r.w - x, ROLE_STATUS, 0, " %s  ", what);
    }
}

static void panels_inspect(Grid *g, Rect r, const PanelData *d)
{
    if (d->inspect) {
        inspector_draw(g, r, d->inspect);
        return;
    }
    grid_box(g, r, " inspector: per tensor ", ROLE_BORDER, ROLE_TITLE);
    Rect in = rect_inset(r, 1);
    if (in.w < 30 || in.h < 2)
        return;
    /* the name column shortens as every list of tensor names does (tname.h); one blank column at the end */
    int num_w = in.w >= 60 ? 14 : 9, name_w = in.w - 2 * (num_w + 1) - 1;
    grid_textf(g, in.x, in.y, in.w, ROLE_TITLE, 0, "%-*s %*s %*s", name_w, "tensor", num_w, "grad norm", num_w,
               in.w >= 60 ? "update ratio" : "update");
    int level = tname_list_level((const char(*)[48])d->tensor_names, d->n_tensors, name_w);
    int rows = in.h - 1, fit = d->n_tensors <= rows ? d->n_tensors : rows - 1;
    for (int i = 0; i < fit; i++) {
        char a[16], b[16], name[64];
        chart_format_fit(d->tensor_grad[i], 3, num_w, a, sizeof a);
        chart_format_fit(d->tensor_update[i], 3, num_w, b, sizeof b);
        tname_format(d->tensor_names[i], level, name_w, name, sizeof name);
        Role role = d->tensor_update[i] > 1e-2f ? ROLE_WARN : d->tensor_update[i] < 1e-5f ? ROLE_GRAD_LOW : ROLE_TEXT;
        int x = in.x + grid_text(g, in.x, in.y + 1 + i, name_w, name, role, 0);
        grid_textf(g, x, in.y + 1 + i, in.x + in.w - x, role, 0, "%*s %*s %*s", name_w - (x - in.x), "", num_w, a,
                   num_w, b);
    }
    if (fit < d->n_tensors)
        grid_textf(g, in.x, in.y + 1 + fit, in.w, ROLE_DIM, 0, "+%d more", d->n_tensors - fit);
}

/* The help screen's lines: the keys, a blank, then the commands (two to a
 * row when two columns of the widest entry fit). */
static const char *panels_help_keys[] = {
    "F1 help   F2 next screen (dashboard, inspector, units)   F3 log/linear loss   F4 all/last 500 steps",
    "F5 pause/run   F6 one step   F7 fresh sample   PgUp/PgDn scroll messages",
    "Inspector (F2): F8 next tensor, F9 weights/gradients/activations of the histogram",
    "Units (F2 twice): F8/Shift-F8 unit, F9/Shift-F9 layer, F3/Shift-F3 kind (c h gates), F4 view",
    "  (text, saturation, loss, vs n-gram), F7 typed/held-out text, PgUp/PgDn scroll the text,",
    "  Shift-arrows move the cursor, Insert marks a span's start and end (ranks units on it),",
    "  :find REGEX|line|indent ranks units, F11/F12 walk the ranking, :unit L:UNIT[:KIND]",
    "F12/F11 (or Shift-↓/↑) select the next/previous finding: the inspector shows its numbers and advice",
    "Ctrl-D, F10 or :quit save the run (not a watched one) and exit;  Ctrl-C too.  Ctrl-L repaints.",
    "Typing plain text shows next-token probabilities; Enter continues it in the sample pane.",
    "Emacs keys edit the line, Up/Down walk the history, Tab completes.",
};
enum { PANELS_HELP_NKEYS = (int)(sizeof panels_help_keys / sizeof panels_help_keys[0]) };

/* Widths of the command column's heads (":name METAVAR") and descriptions. */
static void panels_help_widths(int *head_w, int *desc_w)
{
    *head_w = *desc_w = 0;
    for (int i = 0; i < commands_count(); i++) {
        const TuiCmdSpec *c = commands_spec(i);
        char head[64];
        snprintf(head, sizeof head, ":%s %s", c->name, c->metavar);
        int hw = grid_text_width(head), dw = grid_text_width(c->help);
        if (hw > *head_w)
            *head_w = hw;
        if (dw > *desc_w)
            *desc_w = dw;
    }
}

static int panels_help_cols(int w)
{
    int head_w, desc_w;
    panels_help_widths(&head_w, &desc_w);
    return w >= 2 * (head_w + 2 + desc_w) + 3 ? 2 : 1;
}

/* Rows of content for an inner width w. */
static int panels_help_rows(int w)
{
    int cols = panels_help_cols(w);
    return PANELS_HELP_NKEYS + 1 + (commands_count() + cols - 1) / cols;
}

int panels_help_max_scroll(Rect r)
{
    Rect in = rect_inset(r, 1);
    if (in.h < 2)
        return 0;
    int extra = panels_help_rows(in.w) - in.h;
    /* while scrolled, the top and bottom rows may be taken by the hints */
    return extra > 0 ? extra + 2 : 0;
}

int panels_help(Grid *g, Rect r, int scroll)
{
    grid_fill(g, r, ' ', ROLE_TEXT);
    Rect in = rect_inset(r, 1);
    int rows = panels_help_rows(in.w);
    int max_scroll = panels_help_max_scroll(r);
    if (scroll > max_scroll)
        scroll = max_scroll;
    if (scroll < 0)
        scroll = 0;
    grid_box(g, r, max_scroll > 0 ? " help — ↑↓ PgUp/PgDn scroll, Esc closes " : " help — Esc closes ", ROLE_BORDER,
             ROLE_TITLE);
    if (in.w < 1 || in.h < 1)
        return scroll;
    int head_w, desc_w;
    panels_help_widths(&head_w, &desc_w);
    int cols = panels_help_cols(in.w);
    int colw = cols == 2 ? (in.w - 3) / 2 + 3 : in.w;
    int top = 0, bottom = in.h; /* rows of in used for content */
    int first = scroll;
    if (scroll > 0) {
        grid_text_fit(g, in.x, in.y, in.w, "↑ more above", ROLE_DIM, 0);
        top = 1;
    }
    if (first + (bottom - top) < rows) {
        grid_text_fit(g, in.x, in.y + in.h - 1, in.w, "↓ more below — PgDn or ↓ scrolls", ROLE_DIM, 0);
        bottom = in.h - 1;
    }
    int n = commands_count();
    for (int yy = top; yy < bottom; yy++) {
        int row = first + (yy - top);
        int y = in.y + yy;
        if (row >= rows)
            break;
        if (row < PANELS_HELP_NKEYS) {
            grid_text_fit(g, in.x, y, in.w, panels_help_keys[row], ROLE_DIM, 0);
            continue;
        }
        if (row == PANELS_HELP_NKEYS)
            continue;
        int k = row - PANELS_HELP_NKEYS - 1;
        for (int c = 0; c < cols; c++) {
            int i = k * cols + c;
            if (i >= n)
                break;
            const TuiCmdSpec *cs = commands_spec(i);
            char head[64];
            snprintf(head, sizeof head, ":%s %s", cs->name, cs->metavar);
            int x = in.x + c * colw;
            int w = c == cols - 1 ? in.x + in.w - x : colw - 3;
            grid_text_fit(g, x, y, w, head, ROLE_TITLE, 0);
            if (w > head_w + 2)
                grid_text_fit(g, x + head_w + 2, y, w - head_w - 2, cs->help, ROLE_TEXT, 0);
        }
    }
    return scroll;
}

Rect panels_help_rect(int w, int h)
{
    return rect_make(0, 1, w, h - 3);
}

void panels_too_small(Grid *g)
{
    grid_clear(g);
    char a[64], b[64];
    snprintf(a, sizeof a, "terminal too small: %dx%d", g->w, g->h);
    snprintf(b, sizeof b, "need at least %dx%d", LAYOUT_MIN_W, LAYOUT_MIN_H);
    int y = g->h / 2 - 1;
    if (y < 0)
        y = 0;
    int xa = (g->w - (int)strlen(a)) / 2, xb = (g->w - (int)strlen(b)) / 2;
    grid_text(g, xa > 0 ? xa : 0, y, g->w, a, ROLE_WARN, ATTR_BOLD);
    grid_text(g, xb > 0 ? xb : 0, y + 1, g->w, b, ROLE_DIM, 0);
}

void panels_draw(Grid *g, const Layout *l, const PanelData *d)
{
    grid_clear(g);
    if (l->too_small) {
        panels_too_small(g);
        return;
    }
    if (layout_has(l, PANEL_STATUS))
        panels_status(g, l->panel[PANEL_STATUS], d);
    if (layout_has(l, PANEL_CHART))
        panels_chart(g, l->panel[PANEL_CHART], d);
    if (layout_has(l, PANEL_GRADS))
        panels_grads(g, l->panel[PANEL_GRADS], d);
    if (layout_has(l, PANEL_FINDINGS))
        panels_findings(g, l->panel[PANEL_FINDINGS], d);
    if (layout_has(l, PANEL_PROBS))
        panels_probs(g, l->panel[PANEL_PROBS], d);
    if (layout_has(l, PANEL_SAMPLE))
        panels_pane(g, l->panel[PANEL_SAMPLE], d->sample_title ? d->sample_title : " sample ", d->sample);
    if (layout_has(l, PANEL_MESSAGES))
        panels_pane(g, l->panel[PANEL_MESSAGES], " messages ", d->messages);
    if (layout_has(l, PANEL_INSPECT))
        panels_inspect(g, l->panel[PANEL_INSPECT], d);
    if (layout_has(l, PANEL_FOOTER))
        panels_footer(g, l->panel[PANEL_FOOTER], d->inspector_keys, d->watching);
    if (d->help) {
        panels_help(g, panels_help_rect(g->w, g->h), d->help_scroll);
    }
}
