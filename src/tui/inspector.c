/* inspector.c — the gradient inspector screen (see inspector.h). */
#include "inspector.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bars.h"
#include "chart.h"
#include "findview.h"
#include "heatmap.h"
#include "histview.h"
#include "textpane.h"
#include "tname.h"

enum { INSPECTOR_WRAP_MAX = 16 };

const char *inspector_gate_letters(CellType c)
{
    return c == CELL_LSTM ? "ifgo" : c == CELL_GRU ? "rzn" : "h";
}

int inspector_ratio_col(double ratio, int w)
{
    if (w <= 0 || !(ratio > 0))
        return -1;
    double f = (log10(ratio) - log10(INSPECTOR_RATIO_LO)) / (log10(INSPECTOR_RATIO_HI) - log10(INSPECTOR_RATIO_LO));
    int c = (int)floor(f * w);
    if (c < 0)
        c = 0;
    if (c > w - 1)
        c = w - 1;
    return c;
}

/* ---- gradient flow ------------------------------------------------------------ */

static void inspector_flow(Grid *g, Rect r, const InspectorData *d)
{
    const StepInfo *s = d->cur;
    char t[3][96];
    int probe = s && s->decay_step > 0;
    if (probe) {
        snprintf(t[0], sizeof t[0], "gradient flow ‖dL/dh‖ · probe step %ld", s->decay_step);
        snprintf(t[1], sizeof t[1], "gradient flow · probe %ld", s->decay_step);
    } else {
        snprintf(t[0], sizeof t[0], "gradient flow ‖dL/dh_t‖");
        snprintf(t[1], sizeof t[1], "gradient flow");
    }
    snprintf(t[2], sizeof t[2], "gradient flow");
    const char *titles[3] = {t[0], t[1], t[2]};
    grid_box(g, r, grid_first_fit(r.w - 5, 3, titles), ROLE_BORDER, ROLE_TITLE);
    Rect in = rect_inset(r, 1);
    if (in.w < 1 || in.h < 1)
        return;
    if (!s || s->flow_len < 1 || s->n_layers < 1) {
        grid_text(g, in.x, in.y, in.w, "waiting for the first step…", ROLE_DIM, 0);
        return;
    }
    HeatmapData hd = {probe ? s->decay : s->flow, s->n_layers, s->flow_len, s->flow_stride, 0, 0};
    heatmap_draw(g, in, &hd);
}

/* ---- gates ---------------------------------------------------------------------- */

static void inspector_gates(Grid *g, Rect r, const InspectorData *d)
{
    const StepInfo *s = d->cur;
    int G = s ? (s->n_gates < 4 ? s->n_gates : 4) : 0;
    int total = s ? s->n_layers * G : 0;
    /* a frame with no room inside still says how many rows it holds */
    char none[64];
    snprintf(none, sizeof none, "gates +%d more", total);
    const char *titles[] = {"gates: gradient norm │ saturated", "gates: grad norm │ saturated", "gates"};
    if (r.h < 3 && total > 0)
        titles[0] = titles[1] = none;
    grid_box(g, r, grid_first_fit(r.w - 5, 3, titles), ROLE_BORDER, ROLE_TITLE);
    Rect in = rect_inset(r, 1);
    if (in.w < 20 || in.h < 1)
        return;
    if (!s) {
        grid_text(g, in.x, in.y, in.w, "waiting for the first step…", ROLE_DIM, 0);
        return;
    }
    const char *letters = inspector_gate_letters(d->cell);
    double mx = 0, mn = INFINITY;
    for (int l = 0; l < s->n_layers; l++)
        for (int k = 0; k < G; k++) {
            double v = s->gate_grad_norms[l][k];
            if (v > mx)
                mx = v;
            if (v > 0 && v < mn)
                mn = v;
        }
    double lo, hi;
    bars_log_range(mn, mx, &lo, &hi);
    /* "l0 f " norm-bar " 2.1e-3 " sat-bar " 93%" [" μ0.62"], one blank column before the border */
    int label_w = 5, val_w = 7, pct_w = 5, mean_w = in.w >= 40 ? 6 : 0;
    int bars_w = in.w - label_w - val_w - 2 - pct_w - mean_w;
    int nbw = bars_w * 3 / 5, sbw = bars_w - nbw;
    int y = in.y;
    if (in.h > total) {
        char lo_s[16], hi_s[16];
        chart_format_number(lo, lo_s, sizeof lo_s);
        chart_format_number(hi, hi_s, sizeof hi_s);
        grid_textf(g, in.x + label_w, y, nbw + val_w, ROLE_DIM, 0, "norm, log %s…%s", lo_s, hi_s);
        grid_text(g, in.x + label_w + nbw + val_w + 2, y, sbw + pct_w + mean_w, "saturated", ROLE_DIM, 0);
        y++;
    }
    /* rows that do not fit: the last row says how many */
    int fit = total <= in.y + in.h - y ? total : in.y + in.h - y - 1;
    for (int i = 0; i < fit; i++, y++) {
        int l = i / G, k = i % G;
        int x = in.x;
        grid_textf(g, x, y, label_w, ROLE_AXIS, 0, "l%d %c", l, letters[k] ? letters[k] : '?');
        x += label_w;
        double v = s->gate_grad_norms[l][k];
        bars_draw(g, x, y, nbw, bars_frac_log(v, lo, hi), ROLE_GRAD_OK, ROLE_BAR_DIM);
        x += nbw;
        char vs[16];
        chart_format_fit(v, 2, val_w - 1, vs, sizeof vs);
        grid_textf(g, x, y, val_w, ROLE_TEXT, 0, " %*s", val_w - 1, vs);
        x += val_w + 1;
        double sat = s->gate_sat[l][k];
        Role sr = sat > FINDINGS_SAT_PINNED ? ROLE_ERROR : sat > 0.5 ? ROLE_WARN : ROLE_GOOD;
        bars_draw(g, x, y, sbw, sat, sr, ROLE_BAR_DIM);
        x += sbw;
        grid_textf(g, x, y, pct_w, sr, 0, " %3.0f%%", 100 * sat);
        x += pct_w;
        char ms[16];
        if (mean_w && k == 1 && d->cell != CELL_RNN && chart_format_fit(s->gate_mean[l], 2, mean_w - 2, ms, sizeof ms))
            grid_textf(g, x, y, mean_w, ROLE_DIM, 0, " μ%s", ms);
    }
    if (fit < total)
        grid_textf(g, in.x, y, in.w, ROLE_DIM, 0, "+%d more", total - fit);
}

/* ---- update ratios ------------------------------------------------------------ */

static int inspector_is_matrix(const char *name)
{
    return strstr(name, "weight") != NULL;
}

/* Rows of the update-ratio section wanted: matrices, or every tensor if all_rows. */
static int inspector_ratio_rows(const InspectorData *d, int all_rows)
{
    int n = 0;
    for (int i = 0; i < d->n_tensors; i++)
        n += all_rows || inspector_is_matrix(d->tensor_names[i]);
    return n;
}

/* The axis's decade labels 1e-6 .. 1e0 under the plot (aw columns from x0,
 * row y): the two ends first, then the decades between left to right, each
 * only where it keeps a blank column to its neighbours, so none touch. */
static void inspector_ratio_axis(Grid *g, int x0, int y, int aw)
{
    enum { NDEC = 7 };
    int col[NDEC], len[NDEC], placed[NDEC] = {0};
    char lab[NDEC][8];
    for (int i = 0; i < NDEC; i++) {
        int e = i - (NDEC - 1);
        len[i] = snprintf(lab[i], sizeof lab[i], "1e%d", e);
        col[i] = inspector_ratio_col(pow(10, e), aw);
        if (col[i] + len[i] > aw)
            col[i] = aw - len[i];
        if (col[i] < 0)
            col[i] = 0;
    }
    static const int order[NDEC] = {0, NDEC - 1, 1, 2, 3, 4, 5};
    for (int k = 0; k < NDEC; k++) {
        int i = order[k], ok = len[i] <= aw;
        for (int j = 0; j < NDEC && ok; j++)
            if (placed[j] && col[i] < col[j] + len[j] + 1 && col[j] < col[i] + len[i] + 1)
                ok = 0;
        placed[i] = ok;
    }
    for (int i = 0; i < NDEC; i++)
        if (placed[i])
            grid_text(g, x0 + col[i], y, len[i], lab[i], ROLE_AXIS, 0);
}

static void inspector_ratios(Grid *g, Rect r, const InspectorData *d)
{
    static const char *const titles[] = {"update ratio ‖Δθ‖/‖θ‖ per step │ band 1e-4…1e-2",
                                         "update ratio ‖Δθ‖/‖θ‖ │ band 1e-4…1e-2", "update ratio ‖Δθ‖/‖θ‖",
                                         "update ratio"};
    grid_box(g, r, grid_first_fit(r.w - 5, 4, titles), ROLE_BORDER, ROLE_TITLE);
    Rect in = rect_inset(r, 1);
    const StepInfo *s = d->cur;
    if (in.w < 24 || in.h < 1)
        return;
    if (!s) {
        grid_text(g, in.x, in.y, in.w, "waiting for the first step…", ROLE_DIM, 0);
        return;
    }
    /* the value column keeps a blank column before the border: a number never touches it */
    int label_w = in.w >= 50 ? 17 : 12, val_w = 8;
    int aw = in.w - label_w - val_w;
    int x0 = in.x + label_w;
    int show_axis = in.h >= 2;
    int rows = in.h - show_axis;
    int n = d->n_tensors < s->n_tensors ? d->n_tensors : s->n_tensors;
    int all_rows = inspector_ratio_rows(d, 1) <= rows;
    /* one shortening for every row's name (tname.h) */
    char shown[STEP_MAX_TENSORS][48];
    int ns = 0;
    for (int i = 0; i < n && ns < STEP_MAX_TENSORS; i++)
        if (all_rows || inspector_is_matrix(d->tensor_names[i]))
            snprintf(shown[ns++], sizeof shown[0], "%s", d->tensor_names[i]);
    int level = tname_list_level((const char(*)[48])shown, ns, label_w - 1);
    int wanted = ns;
    /* rows left out are counted on the axis row's free label column, or on the last row */
    int fit = wanted <= rows ? wanted : rows;
    if (!show_axis && (wanted > rows || wanted < n))
        fit = rows - 1;
    int y = in.y, drawn = 0;
    int band_a = inspector_ratio_col(INSPECTOR_BAND_LO, aw), band_b = inspector_ratio_col(INSPECTOR_BAND_HI, aw);
    int ref = inspector_ratio_col(1e-3, aw);
    for (int pass = 0; pass < 2; pass++) /* matrices first, then biases */
        for (int i = 0; i < n && drawn < fit; i++) {
            int mat = inspector_is_matrix(d->tensor_names[i]);
            if ((pass == 0) != mat || (!mat && !all_rows))
                continue;
            char name[64];
            tname_format(d->tensor_names[i], level, label_w - 1, name, sizeof name);
            grid_text(g, in.x, y, label_w - 1, name, ROLE_TEXT, 0);
            for (int c = 0; c < aw; c++) {
                int band = c >= band_a && c <= band_b;
                grid_set(g, x0 + c, y, c == ref ? 0x250a : band ? 0x2591 : 0x00b7, band ? ROLE_GOOD : ROLE_DIM, 0);
            }
            double v = s->update_ratio[i];
            int c = inspector_ratio_col(v, aw);
            Role role = v > FINDINGS_LR_HIGH_RATIO ? ROLE_ERROR
                        : v >= INSPECTOR_BAND_LO && v <= INSPECTOR_BAND_HI ? ROLE_GOOD
                                                                            : ROLE_WARN;
            if (c >= 0) {
                uint32_t mark = v < INSPECTOR_RATIO_LO ? 0x25c2 : v > INSPECTOR_RATIO_HI ? 0x25b8 : 0x25cf;
                grid_set(g, x0 + c, y, mark, role, ATTR_BOLD);
            }
            char vs[16];
            if (v > 0)
                chart_format_fit(v, 2, val_w - 2, vs, sizeof vs);
            else
                snprintf(vs, sizeof vs, "-");
            grid_textf(g, x0 + aw, y, val_w - 1, c >= 0 ? role : ROLE_DIM, 0, " %*s", val_w - 2, vs);
            y++;
            drawn++;
        }
    int hidden = n - drawn;
    if (hidden > 0) {
        int my = show_axis ? in.y + in.h - 1 : y;
        grid_textf(g, in.x, my, label_w - 1, ROLE_DIM, 0, "+%d more", hidden);
    }
    if (show_axis)
        inspector_ratio_axis(g, x0, in.y + in.h - 1, aw);
}

/* ---- histogram and comparison ----------------------------------------------------- */

static void inspector_hist(Grid *g, Rect r, const InspectorData *d)
{
    /* the key hint shortens, then goes, before the name or the step is cut */
    char t[5][160];
    const char *what = d->hist && d->hist_what ? d->hist_what : "histogram";
    char step[32] = "";
    if (d->hist)
        snprintf(step, sizeof step, " (step %ld)", d->hist_step);
    /* then the name shortens as every tensor name does (tname.h), its layer kept */
    char shorter[64], shortest[64];
    tname_fit(what, r.w - 5 - grid_text_width(step), shorter, sizeof shorter);
    tname_fit(what, r.w - 5, shortest, sizeof shortest);
    snprintf(t[0], sizeof t[0], "%s%s │ F8 tensor F9 kind", what, step);
    snprintf(t[1], sizeof t[1], "%s%s │ F8/F9", what, step);
    snprintf(t[2], sizeof t[2], "%s%s", what, step);
    snprintf(t[3], sizeof t[3], "%s%s", grid_text_width(shorter) >= 6 ? shorter : "", step);
    if (grid_text_width(shorter) < 6) /* no room for the name beside the step: the name alone */
        snprintf(t[3], sizeof t[3], "%s", shortest);
    snprintf(t[4], sizeof t[4], "%s", shortest);
    const char *titles[5] = {t[0], t[1], t[2], t[3], t[4]};
    grid_box(g, r, grid_first_fit(r.w - 5, 5, titles), ROLE_BORDER, ROLE_TITLE);
    Rect in = rect_inset(r, 1);
    if (in.w < 1 || in.h < 1)
        return;
    if (!d->hist) {
        grid_text(g, in.x, in.y, in.w, d->hist_note ? d->hist_note : "computing…", ROLE_DIM, 0);
        return;
    }
    Role role = d->hist_what && !strncmp(d->hist_what, "grad:", 5)  ? ROLE_SERIES2
                : d->hist_what && !strncmp(d->hist_what, "act:", 4) ? ROLE_SERIES3
                                                                    : ROLE_SERIES1;
    histview_draw(g, in, d->hist, role);
}

static void inspector_compare(Grid *g, Rect r, const InspectorData *d)
{
    Rect in;
    if (r.h >= 9) {
        grid_box(g, r, "run comparison: loss", ROLE_BORDER, ROLE_TITLE);
        in = rect_inset(r, 1);
    } else {
        /* too short for a frame and a chart with its legend: a title row instead */
        grid_text(g, r.x + 1, r.y, r.w - 1, "run comparison: loss", ROLE_TITLE, ATTR_BOLD);
        in = rect_make(r.x, r.y + 1, r.w, r.h - 1);
    }
    ChartSeries s[INSPECTOR_MAX_RUNS];
    int n = 0;
    for (int i = 0; i < d->n_runs && n < INSPECTOR_MAX_RUNS; i++)
        s[n++] = (ChartSeries){d->runs[i].name, d->runs[i].role, 0, CHART_LINE, d->runs[i].x, d->runs[i].y,
                               d->runs[i].n};
    ChartRefLine ref;
    char label[32];
    int nref = 0;
    if (isfinite(d->ngram_loss)) {
        snprintf(label, sizeof label, "%d-gram", d->ngram_order);
        ref = (ChartRefLine){d->ngram_loss, ROLE_SERIES4, label};
        nref = 1;
    }
    ChartOptions o = chart_options_default();
    chart_draw(g, in, s, n, &ref, nref, &o, NULL);
}

/* ---- findings ------------------------------------------------------------------ */

/* The list by name beside the details: as wide as its longest row, at most a
 * third of the inner width w (the details need the room more). */
static int inspector_list_w(const Finding *f, int n, int w)
{
    int need = 8; /* "+N more" */
    for (int i = 0; i < n; i++) {
        int rw = FINDVIEW_INDENT * f[i].depth + 2 + grid_text_width(findings_id_name(f[i].id));
        if (f[i].subject[0] && strcmp(f[i].subject, "run") != 0)
            rw += 3 + grid_text_width(f[i].subject);
        if (rw > need)
            need = rw;
    }
    int lw = need + 1;
    if (lw > w / 3)
        lw = w / 3;
    return lw < 12 ? 12 : lw;
}

/* Finding f as "name: text", wrapped under its mark at width w (its indent taken off). */
static int inspector_finding_wrap(const Finding *f, int w, char *buf, size_t cap, int *starts, int max)
{
    snprintf(buf, cap, "%s: %s", findings_id_name(f->id), f->text);
    int tw = w - 2 - FINDVIEW_INDENT * f->depth;
    return textpane_wrap(buf, tw > 1 ? tw : 1, starts, max);
}

/* The finding f follows from, when it is in the list. */
static const Finding *inspector_cause(const Finding *list, int n, const Finding *f)
{
    for (int i = 0; f->cause != FD_NONE && i < n; i++)
        if (list[i].id == f->cause)
            return &list[i];
    return NULL;
}

int inspector_findings_rows(const Finding *f, int n, int detail, int w)
{
    if (detail > 0 && detail <= n) {
        int lw = inspector_list_w(f, n, w);
        const Finding *sel = &f[detail - 1];
        int rows = findview_details(NULL, rect_make(0, 0, w - lw - 2, 0), sel, inspector_cause(f, n, sel));
        return rows > n ? rows : n;
    }
    int rows = 0;
    char buf[sizeof f->text + 32];
    for (int i = 0; i < n; i++)
        rows += inspector_finding_wrap(&f[i], w, buf, sizeof buf, NULL, 0);
    return rows;
}

/* Every finding in words, wrapped, indented under its cause; when the rest
 * does not fit whole, the last row says "+N more" (the first is always drawn). */
static void inspector_findings_wrapped(Grid *g, Rect in, const InspectorData *d)
{
    int y = in.y, end = in.y + in.h;
    for (int i = 0; i < d->n_findings && y < end; i++) {
        const Finding *f = &d->findings[i];
        Role role = findview_role(f->severity);
        int x = in.x + FINDVIEW_INDENT * f->depth;
        char buf[sizeof f->text + 32];
        int starts[INSPECTOR_WRAP_MAX];
        int nrows = inspector_finding_wrap(f, in.w, buf, sizeof buf, starts, INSPECTOR_WRAP_MAX);
        if (nrows > INSPECTOR_WRAP_MAX)
            nrows = INSPECTOR_WRAP_MAX;
        int room = end - y - (i + 1 < d->n_findings);
        if (i > 0 && nrows > room) {
            grid_textf(g, in.x, y, in.w, ROLE_DIM, 0, "+%d more", d->n_findings - i);
            return;
        }
        if (room < 1) { /* one row for several: the first, cut with "…", and " +N more" */
            findview_rows(g, in, d->findings, d->n_findings, -1, FINDVIEW_TEXT, NULL);
            return;
        }
        /* the first finding is always shown: when it is longer than the room, its last row ends in "…" */
        int cut = nrows > room;
        int shown = cut ? room : nrows;
        grid_text(g, x, y, 2, findview_mark(f->severity), role, ATTR_BOLD);
        size_t len = strlen(buf);
        for (int k = 0; k < shown && y < in.y + in.h; k++, y++) {
            size_t a = (size_t)starts[k], b = k + 1 < nrows && !(cut && k == shown - 1) ? (size_t)starts[k + 1] : len;
            char line[sizeof buf];
            snprintf(line, sizeof line, "%.*s", (int)(b - a), buf + a);
            grid_text_fit(g, x + 2, y, in.x + in.w - x - 2, line, k ? ROLE_TEXT : role, 0);
        }
    }
}

static void inspector_findings(Grid *g, Rect r, const InspectorData *d)
{
    int sel = d->detail > 0 && d->detail <= d->n_findings ? d->detail - 1 : -1;
    char t[3][96];
    char step[32] = "";
    if (d->cur)
        snprintf(step, sizeof step, " at step %ld", d->cur->step);
    snprintf(t[0], sizeof t[0], "findings%s │ %s", step, sel >= 0 ? "F11/F12 select, after the last: none"
                                                                   : "F12 details");
    snprintf(t[1], sizeof t[1], "findings%s │ %s", step, sel >= 0 ? "F11/F12" : "F12 details");
    snprintf(t[2], sizeof t[2], "findings%s", step);
    const char *titles[3] = {t[0], t[1], t[2]};
    grid_box(g, r, d->n_findings ? grid_first_fit(r.w - 5, 3, titles) : t[2], ROLE_BORDER, ROLE_TITLE);
    Rect in = rect_inset(r, 1);
    if (in.w < 4 || in.h < 1)
        return;
    if (!d->cur) {
        grid_text(g, in.x, in.y, in.w, "waiting for the first step…", ROLE_DIM, 0);
        return;
    }
    if (d->n_findings == 0) {
        grid_text_fit(g, in.x, in.y, in.w, "no findings: nothing looks wrong", ROLE_GOOD, 0);
        return;
    }
    if (sel < 0) {
        inspector_findings_wrapped(g, in, d);
        return;
    }
    int lw = inspector_list_w(d->findings, d->n_findings, in.w);
    findview_rows(g, rect_make(in.x, in.y, lw, in.h), d->findings, d->n_findings, sel, FINDVIEW_NAMES, NULL);
    for (int y = in.y; y < in.y + in.h; y++)
        grid_set(g, in.x + lw, y, 0x2502, ROLE_BORDER, 0);
    const Finding *f = &d->findings[sel];
    findview_details(g, rect_make(in.x + lw + 2, in.y, in.w - lw - 2, in.h), f,
                     inspector_cause(d->findings, d->n_findings, f));
}

/* ---- the screen ------------------------------------------------------------------ */

void inspector_draw(Grid *g, Rect r, const InspectorData *d)
{
    if (r.w < 20 || r.h < 6)
        return;
    int L = d->cur ? d->cur->n_layers : 1;
    /* findings along the bottom: as many rows as they take, up to a third (half with details) */
    int need = d->cur && d->n_findings ? inspector_findings_rows(d->findings, d->n_findings, d->detail, r.w - 2) : 1;
    int fh = need + 2;
    int share = d->detail > 0 ? r.h / 2 : r.h / 3;
    int fmax = share > 3 ? share : 3;
    if (fh > fmax)
        fh = fmax;
    Rect top = rect_make(r.x, r.y, r.w, r.h - fh);
    inspector_findings(g, rect_make(r.x, r.y + top.h, r.w, fh), d);
    int lw = r.w * 45 / 100;
    Rect left = rect_make(top.x, top.y, lw, top.h), right = rect_make(top.x + lw, top.y, top.w - lw, top.h);
    /* left: the heatmap (layers + axis + legend), then the gates */
    int flow_h = L + 4;
    if (flow_h > left.h * 55 / 100)
        flow_h = left.h * 55 / 100;
    if (flow_h < 4)
        flow_h = left.h < 4 ? left.h : 4;
    inspector_flow(g, rect_make(left.x, left.y, left.w, flow_h), d);
    inspector_gates(g, rect_make(left.x, left.y + flow_h, left.w, left.h - flow_h), d);
    /* right: update ratios, then the histogram (beside the comparison chart when there is one) */
    int rows_all = inspector_ratio_rows(d, 1), rows_mat = inspector_ratio_rows(d, 0);
    int rest_min = 6;
    int ratio_h = rows_all + 3 <= right.h - rest_min ? rows_all + 3 : rows_mat + 3;
    if (ratio_h > right.h - rest_min)
        ratio_h = right.h - rest_min;
    if (ratio_h < 3)
        ratio_h = right.h < 3 ? right.h : 3;
    inspector_ratios(g, rect_make(right.x, right.y, right.w, ratio_h), d);
    Rect rest = rect_make(right.x, right.y + ratio_h, right.w, right.h - ratio_h);
    if (rest.h < 3)
        return;
    if (d->n_runs > 0) {
        int hw = rest.w * 45 / 100;
        inspector_hist(g, rect_make(rest.x, rest.y, hw, rest.h), d);
        inspector_compare(g, rect_make(rest.x + hw, rest.y, rest.w - hw, rest.h), d);
    } else {
        inspector_hist(g, rest, d);
    }
}
