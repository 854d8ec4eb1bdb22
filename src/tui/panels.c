/* panels.c — composing the widgets into the dashboard's panels (see panels.h). */
#include "panels.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bars.h"
#include "chart.h"
#include "commands.h"
#include "sparkline.h"

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

static void panels_num(double v, char *buf, size_t cap)
{
    chart_format_number(v, buf, cap);
}

static void panels_status(Grid *g, Rect r, const PanelData *d)
{
    grid_fill(g, r, ' ', ROLE_STATUS);
    char params[16], tps[16], lr[16], ep[32], eta[16], el[16], loss[16], val[16], steps[48];
    panels_num((double)d->n_params, params, sizeof params);
    panels_num(d->tokens_per_s, tps, sizeof tps);
    chart_format_number(d->lr, lr, sizeof lr);
    snprintf(ep, sizeof ep, "%.2f", d->epoch);
    panels_duration(d->elapsed_s, el, sizeof el);
    panels_duration(d->eta_s, eta, sizeof eta);
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
    /* the most important fields first, so a narrow terminal keeps them */
    int x = r.x;
    int end = r.x + r.w;
    x += grid_textf(g, x, r.y, end - x, ROLE_STATUS, ATTR_BOLD, " %s ", steps);
    Role st = !strcmp(d->state, "running") ? ROLE_GOOD : !strcmp(d->state, "failed") ? ROLE_ERROR : ROLE_WARN;
    x += grid_textf(g, x, r.y, end - x, st, ATTR_BOLD | ATTR_REVERSE, " %s ", d->state);
    x += grid_textf(g, x, r.y, end - x, ROLE_STATUS, 0,
                    " loss %s  val %s │ %s tok/s │ lr %s │ ep %s │ %s %dx%d (%s params) │ %s %s V=%d │ %s ETA %s",
                    loss, val, tps, lr, ep, d->cell, d->layers, d->hidden, params, d->corpus, d->tokenizer, d->vocab,
                    el, d->total_steps > 0 ? eta : "-");
    (void)x;
}

static void panels_chart(Grid *g, Rect r, const PanelData *d)
{
    char title[96];
    char win[32];
    if (d->window > 0)
        snprintf(win, sizeof win, "last %ld", d->window);
    else
        snprintf(win, sizeof win, "all");
    snprintf(title, sizeof title, " loss (%s, %s, smoothing %.2f) ", d->log_y ? "log" : "linear", win, d->smoothing);
    grid_box(g, r, title, ROLE_BORDER, ROLE_TITLE);
    Rect in = rect_inset(r, 1);
    ChartSeries s[3 + PANELS_MAX_USER + INSPECTOR_MAX_RUNS];
    int n = 0;
    s[n++] = (ChartSeries){"raw", ROLE_SERIES1, 0x00b7, CHART_LINE, d->loss_x, d->loss_y, d->loss_n};
    if (d->smoothing > 0)
        s[n++] = (ChartSeries){"smoothed", ROLE_SERIES2, 0x2500, CHART_LINE, d->loss_x, d->smooth_y, d->loss_n};
    s[n++] = (ChartSeries){"validation", ROLE_SERIES3, 0x25c6, CHART_POINTS, d->val_x, d->val_y, d->val_n};
    /* Lua series: two colours alternate, so the legend glyph tells them apart */
    static const uint32_t user_glyph[PANELS_MAX_USER] = {0x25b2, 0x25cf, 0x25a0, 0x2605,
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
    o.log_y = d->log_y;
    o.x_window = (double)d->window;
    chart_draw(g, in, s, n, &ref, nref, &o, NULL);
}

static void panels_grads(Grid *g, Rect r, const PanelData *d)
{
    char title[96];
    if (d->steps_seen > 0)
        snprintf(title, sizeof title, " gradient norms │ clip fired %ld/%ld (%.0f%%) ", d->clip_count, d->steps_seen,
                 100.0 * d->clip_count / d->steps_seen);
    else
        snprintf(title, sizeof title, " gradient norms ");
    grid_box(g, r, title, ROLE_BORDER, ROLE_TITLE);
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
    double hi = mx > 0 ? pow(10, ceil(log10(mx))) : 1;
    double lo = isfinite(mn) ? pow(10, floor(log10(mn))) : hi / 1e4;
    if (lo > hi / 1e4)
        lo = hi / 1e4;
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
    for (int i = 0; i < d->n_groups && y < in.y + in.h; i++) {
        char val[16];
        chart_format_number_digits(d->group_norm[i], 2, val, sizeof val);
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
            int k = (i - 1) / 2;
            /* the roomy form when it fits, else a compact one, so the last
             * gate's value is never cut off in a narrow panel */
            char roomy[160] = "gates", compact[160] = "";
            size_t nr = strlen(roomy), nc = 0;
            for (int gi = 0; gi < d->n_gates && gi < 4; gi++) {
                char v[16];
                chart_format_number_digits(d->gate_norms[k][gi], 2, v, sizeof v);
                nr += (size_t)snprintf(roomy + nr, sizeof roomy - nr, "  %c %s", d->gate_names[gi], v);
                nc += (size_t)snprintf(compact + nc, sizeof compact - nc, "%s%c %s", gi ? " " : "",
                                       d->gate_names[gi], v);
            }
            int avail = in.w - 2;
            grid_text(g, in.x + 2, y, avail, (int)nr <= avail ? roomy : compact, ROLE_DIM, 0);
            y++;
        }
    }
    if (y < in.y + in.h)
        grid_textf(g, in.x, y, in.w, ROLE_DIM, 0, "log scale %s … %s", lo_s, hi_s);
    if (y + 1 < in.y + in.h) {
        for (int i = 0; i < d->n_groups; i++)
            if (d->group_flag[i] != GRAD_FLAG_OK) {
                grid_textf(g, in.x, y + 1, in.w, d->group_flag[i] == GRAD_FLAG_VANISHING ? ROLE_GRAD_LOW : ROLE_GRAD_HIGH,
                           0, "%s: %s", d->group_name[i], d->group_why[i]);
                break;
            }
    }
}

static void panels_probs(Grid *g, Rect r, const PanelData *d)
{
    char title[96];
    snprintf(title, sizeof title, " next token (T=%.2g) ", (double)d->temperature);
    grid_box(g, r, title, ROLE_BORDER, ROLE_TITLE);
    Rect in = rect_inset(r, 1);
    if (in.w < 8 || in.h < 1)
        return;
    int y = in.y;
    if (d->n_unknown > 0 && in.h > 2) {
        grid_textf(g, in.x, y++, in.w, ROLE_WARN, 0, "%zu character%s outside the vocabulary skipped", d->n_unknown,
                   d->n_unknown == 1 ? "" : "s");
    }
    if (d->k == 0) {
        grid_text(g, in.x, y, in.w, "type text below to see what comes next", ROLE_DIM, 0);
        return;
    }
    int label_w = in.w >= 30 ? 8 : 5;
    for (int i = 0; i < d->k && y < in.y + in.h; i++, y++) {
        char disp[64], raw[64], val[16];
        tokenizer_display(d->tok, d->ids[i], disp, sizeof disp);
        size_t rl = tokenizer_decode(d->tok, d->ids[i], raw, sizeof raw);
        int escaped = rl >= sizeof raw || strcmp(disp, raw) != 0;
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

static void panels_footer(Grid *g, Rect r, int inspector)
{
    grid_fill(g, r, ' ', ROLE_STATUS);
    static const char *dash_keys[][2] = {
        {"F1", "help"}, {"F2", "screen"}, {"F3", "log"}, {"F4", "window"}, {"F5", "pause/run"},
        {"F6", "step"}, {"F7", "sample"}, {"PgUp", "scroll"}, {"^D", "save+quit"},
    };
    /* the inspector's own keys replace the loss chart's, which is not on that screen */
    static const char *insp_keys[][2] = {
        {"F1", "help"}, {"F2", "dashboard"}, {"F5", "pause/run"}, {"F6", "step"}, {"F8", "tensor"},
        {"F9", "weights/grads/acts"}, {"PgUp", "scroll"}, {"^D", "save+quit"},
    };
    const char *(*keys)[2] = inspector ? insp_keys : dash_keys;
    size_t nkeys = inspector ? sizeof insp_keys / sizeof insp_keys[0] : sizeof dash_keys / sizeof dash_keys[0];
    int x = r.x;
    for (size_t i = 0; i < nkeys && x < r.x + r.w; i++) {
        x += grid_textf(g, x, r.y, r.x + r.w - x, ROLE_STATUS, ATTR_BOLD | ATTR_REVERSE, "%s", keys[i][0]);
        x += grid_textf(g, x, r.y, r.x + r.w - x, ROLE_STATUS, 0, " %s  ", keys[i][1]);
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
    grid_textf(g, in.x, in.y, in.w, ROLE_TITLE, 0, "%-22s %12s %14s", "tensor", "grad norm", "update ratio");
    for (int i = 0; i < d->n_tensors && i + 1 < in.h; i++) {
        char a[16], b[16];
        chart_format_number_digits(d->tensor_grad[i], 3, a, sizeof a);
        chart_format_number_digits(d->tensor_update[i], 3, b, sizeof b);
        Role role = d->tensor_update[i] > 1e-2f ? ROLE_WARN : d->tensor_update[i] < 1e-5f ? ROLE_GRAD_LOW : ROLE_TEXT;
        grid_textf(g, in.x, in.y + 1 + i, in.w, role, 0, "%-22s %12s %14s", d->tensor_names[i], a, b);
    }
}

void panels_help(Grid *g, Rect r)
{
    grid_fill(g, r, ' ', ROLE_TEXT);
    grid_box(g, r, " help — any key closes ", ROLE_BORDER, ROLE_TITLE);
    Rect in = rect_inset(r, 1);
    int y = in.y;
    int colw = in.w >= 100 ? in.w / 2 : in.w;
    int col = 0;
    int n = commands_count();
    static const char *keys[] = {
        "F1 help   F2 dashboard/inspector   F3 log/linear loss   F4 all/last 500 steps",
        "F5 pause/run   F6 one step   F7 fresh sample   PgUp/PgDn scroll messages",
        "Inspector (F2): F8 next tensor, F9 weights/gradients/activations of the histogram",
        "Ctrl-D or :quit save the run and exit;  Ctrl-C too.  Ctrl-L repaints.",
        "Typing plain text shows next-token probabilities; Enter continues it in the sample pane.",
        "Emacs keys edit the line, Up/Down walk the history, Tab completes.",
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0] && y < in.y + in.h; i++)
        grid_text(g, in.x, y++, in.w, keys[i], ROLE_DIM, 0);
    if (y < in.y + in.h)
        y++;
    int top = y;
    for (int i = 0; i < n; i++) {
        if (y >= in.y + in.h) {
            if (colw == in.w || col == 1)
                break;
            col = 1;
            y = top;
        }
        const TuiCmdSpec *c = commands_spec(i);
        int x = in.x + col * colw;
        char head[48];
        snprintf(head, sizeof head, ":%s %s", c->name, c->metavar);
        grid_textf(g, x, y, colw - 1, ROLE_TITLE, 0, "%-18s", head);
        grid_text(g, x + 19, y, colw - 20, c->help, ROLE_TEXT, 0);
        y++;
    }
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
    if (layout_has(l, PANEL_PROBS))
        panels_probs(g, l->panel[PANEL_PROBS], d);
    if (layout_has(l, PANEL_SAMPLE))
        panels_pane(g, l->panel[PANEL_SAMPLE], d->sample_title ? d->sample_title : " sample ", d->sample);
    if (layout_has(l, PANEL_MESSAGES))
        panels_pane(g, l->panel[PANEL_MESSAGES], " messages ", d->messages);
    if (layout_has(l, PANEL_INSPECT))
        panels_inspect(g, l->panel[PANEL_INSPECT], d);
    if (layout_has(l, PANEL_FOOTER))
        panels_footer(g, l->panel[PANEL_FOOTER], d->inspector_keys);
    if (d->help) {
        Rect r = {0, 1, g->w, g->h - 3};
        panels_help(g, r);
    }
}
