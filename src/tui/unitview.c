/* unitview.c — the units screen (see unitview.h): the coloured text, the
 * ranked list, the saturation scatter and the n-gram comparison.
 */
#include "unitview.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "sparkline.h"
#include "utf8.h"

enum { UV_TAB = 8, UV_LIST_MIN = 30, UV_LIST_MAX = 44 };

Role unitview_role(double v)
{
    if (!isfinite(v))
        return ROLE_TEXT;
    double x = v < -1 ? -1 : v > 1 ? 1 : v;
    int level = (int)lround((x + 1) * 4); /* 0 .. 8 */
    return (Role)(ROLE_DIV0 + level);
}

/* ---- text layout ------------------------------------------------------------------ */

/* One display cell of the wrapped text. */
typedef struct {
    int line, col;
    uint32_t ch;      /* what to draw; ' ' for a newline or a tab's columns */
    int width;        /* 1 or 2 */
    int tok;          /* the token the byte belongs to, -1: between tokens */
} UvCell;

/* What a code point shows as: control characters as a middle dot. */
static uint32_t uv_visible(uint32_t cp, int *width)
{
    if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
        *width = 1;
        return 0xb7;
    }
    int w = grid_char_width(cp);
    *width = w > 0 ? w : 1;
    return w > 0 ? cp : 0xb7;
}

/* Display columns of the word starting at byte i (up to a space or newline). */
static int uv_word_width(const UnitText *t, size_t i)
{
    int w = 0;
    while (i < t->len && t->text[i] != ' ' && t->text[i] != '\t' && t->text[i] != '\n') {
        int cw;
        uv_visible(utf8_next(t->text, t->len, &i), &cw);
        w += cw;
    }
    return w;
}

/* Lay t out at width w; cells allocated when out != NULL (caller frees).
 * Returns the number of lines. */
static int uv_cells(const UnitText *t, int w, UvCell **out, int *n_out, int *line_of)
{
    UvCell *c = out ? xmalloc((t->len * UV_TAB + 1) * sizeof *c) : NULL;
    int n = 0, line = 0, col = 0, tok = 0;
    size_t i = 0;
    if (w < 2)
        w = 2;
    for (int k = 0; line_of && k < t->n; k++)
        line_of[k] = 0;
    while (i < t->len) {
        while (tok < t->n && t->end[tok] <= i)
            tok++;
        int in = tok < t->n && t->start[tok] <= i ? tok : -1;
        if (t->text[i] == '\n') {
            if (in >= 0 && line_of && t->start[in] == i)
                line_of[in] = line;
            if (c)
                c[n++] = (UvCell){line, col, ' ', 1, in};
            i++;
            line++;
            col = 0;
            continue;
        }
        if (col > 0 && t->text[i] != ' ' && t->text[i] != '\t' && i > 0 &&
            (t->text[i - 1] == ' ' || t->text[i - 1] == '\t')) {
            int ww = uv_word_width(t, i);
            if (col + ww > w && ww <= w / 2) { /* wrap before a word that does not fit */
                line++;
                col = 0;
            }
        }
        if (in >= 0 && line_of && t->start[in] == i)
            line_of[in] = line;
        int cw, reps = 1;
        uint32_t ch;
        if (t->text[i] == '\t') {
            ch = ' ';
            cw = 1;
            reps = UV_TAB - col % UV_TAB;
            i++;
        } else {
            ch = uv_visible(utf8_next(t->text, t->len, &i), &cw);
        }
        for (int r = 0; r < reps; r++) {
            if (col + cw > w) {
                if (ch == ' ') { /* a space (or a tab) where a line wraps is the wrap itself: */
                    if (c && r == 0) /* a cell past the edge, not drawn, so the cursor finds it */
                        c[n++] = (UvCell){line, w, ' ', 1, in};
                    line++;
                    col = 0;
                    break;
                }
                line++;
                col = 0;
            }
            if (c)
                c[n++] = (UvCell){line, col, ch, cw, in};
            col += cw;
        }
    }
    if (n_out)
        *n_out = n;
    if (out)
        *out = c;
    return line + (col > 0 || (line == 0 && t->len > 0)); /* a final newline opens no line */
}

int unitview_layout(const UnitText *t, int w, int *line_of)
{
    return uv_cells(t, w, NULL, NULL, line_of);
}

int unitview_cursor_line(const UnitText *t, int w, int cursor, int delta)
{
    if (!t || t->n == 0)
        return -1;
    UvCell *c;
    int n;
    uv_cells(t, w, &c, &n, NULL);
    if (cursor < 0 || cursor >= t->n)
        cursor = 0;
    int line = -1, col = 0, last = n ? c[n - 1].line : 0;
    for (int i = 0; i < n; i++)
        if (c[i].tok == cursor) {
            line = c[i].line;
            col = c[i].col;
            break;
        }
    if (line < 0) { /* a token with no cell of its own: stay */
        free(c);
        return cursor;
    }
    int want = line + delta < 0 ? 0 : line + delta > last ? last : line + delta, best = cursor, best_d = -1;
    for (int i = 0; i < n; i++)
        if (c[i].line == want && c[i].tok >= 0) {
            int d = abs(c[i].col - col);
            if (best_d < 0 || d < best_d) {
                best_d = d;
                best = c[i].tok;
            }
        }
    free(c);
    return best;
}

/* ---- values ------------------------------------------------------------------- */

/* The value of token tok on the current view's [-1, 1] scale; NAN if none. */
static double uv_value(const UnitViewData *d, int tok)
{
    const UnitCapture *u = d->cap;
    if (!u || tok < 0 || tok >= u->done)
        return NAN;
    switch (d->mode) {
    case UV_LOSS:
        return isfinite(u->loss[tok]) ? u->loss[tok] / UNITVIEW_LOSS_MAX * 2 - 1 : NAN;
    case UV_VS_NGRAM:
        if (!d->ngram_loss || !isfinite(u->loss[tok]) || !isfinite(d->ngram_loss[tok]))
            return NAN;
        return (u->loss[tok] - d->ngram_loss[tok]) / UNITVIEW_DIFF_MAX;
    default: {
        return units_display_value(d->cell, d->kind, units_column(u, d->layer, d->kind, d->unit)[(size_t)tok * u->cfg.hidden]);
    }
    }
}

/* The raw value of token tok for the info line. */
static double uv_raw(const UnitViewData *d, int tok)
{
    const UnitCapture *u = d->cap;
    if (!u || tok < 0 || tok >= u->done)
        return NAN;
    return units_column(u, d->layer, d->kind, d->unit)[(size_t)tok * u->cfg.hidden];
}

static const char *uv_kind_label(const UnitViewData *d)
{
    const char *k = units_kind_name(d->cell, d->kind);
    return !strcmp(k, "c") ? "tanh(c)" : k;
}

/* ---- pieces ------------------------------------------------------------------- */

/* The scale's legend at (x, y): "-1 ███...█ +1 what". Returns the columns used. */
static int uv_legend(Grid *g, int x, int y, int w, const UnitViewData *d)
{
    const char *lo = "-1", *hi = "+1", *what = uv_kind_label(d);
    char buf[64], buf2[32];
    if (d->mode == UV_LOSS) {
        lo = "0";
        snprintf(buf, sizeof buf, "%g+", UNITVIEW_LOSS_MAX);
        hi = buf;
        what = "nats: the network's loss on each token";
    } else if (d->mode == UV_VS_NGRAM) {
        snprintf(buf, sizeof buf, "+%g", UNITVIEW_DIFF_MAX);
        lo = buf2;
        snprintf(buf2, sizeof buf2, "-%g", UNITVIEW_DIFF_MAX);
        hi = buf;
        what = "nats: network minus n-gram (the low end: the network does better)";
    } else if (units_kind_is_gate(d->cell, d->kind)) {
        lo = "0";
        hi = "1";
    }
    int used = grid_textf(g, x, y, w, ROLE_DIM, 0, "%s ", lo);
    for (int k = 0; k < 9 && used + 2 <= w; k++) {
        grid_set(g, x + used, y, ' ', (Role)(ROLE_DIV0 + k), 0);
        grid_set(g, x + used + 1, y, k == 4 ? 0xb7 : ' ', (Role)(ROLE_DIV0 + k), 0);
        used += 2;
    }
    used += grid_textf(g, x + used, y, w - used, ROLE_DIM, 0, " %s  ", hi);
    used += grid_text_fit(g, x + used, y, w - used, what, ROLE_DIM, 0);
    return used;
}

/* The text, coloured, in r; *scroll follows the cursor. Returns how far down
 * the text the view reaches (a percentage), -1 when it all fits. */
static int uv_text(Grid *g, Rect r, const UnitViewData *d, int *scroll)
{
    UvCell *c;
    int n;
    int lines = uv_cells(d->text, r.w, &c, &n, NULL);
    int cur_line = -1;
    for (int i = 0; i < n && d->cursor >= 0; i++)
        if (c[i].tok == d->cursor) {
            cur_line = c[i].line;
            break;
        }
    int top = *scroll;
    if (cur_line >= 0 && cur_line < top)
        top = cur_line;
    if (cur_line >= 0 && cur_line >= top + r.h)
        top = cur_line - r.h + 1;
    if (top > lines - r.h)
        top = lines - r.h;
    if (top < 0)
        top = 0;
    *scroll = top;
    for (int i = 0; i < n; i++) {
        int y = c[i].line - top;
        if (y < 0 || y >= r.h || c[i].col >= r.w)
            continue;
        Role role = unitview_role(uv_value(d, c[i].tok));
        int attr = 0;
        if (c[i].tok >= 0 && d->mark_a >= 0 && c[i].tok >= d->mark_a &&
            c[i].tok < (d->mark_b > d->mark_a ? d->mark_b : d->mark_a + 1))
            attr |= ATTR_UNDERLINE;
        if (c[i].tok == d->cursor && c[i].tok >= 0)
            attr |= ATTR_REVERSE | ATTR_BOLD;
        grid_set(g, r.x + c[i].col, r.y + y, c[i].ch, role, attr);
    }
    free(c);
    return lines > r.h ? (int)(100.0 * (top + r.h < lines ? top + r.h : lines) / lines + 0.5) : -1;
}

/* The unit's activation over the text, averaged into w bins, for a sparkline. */
static int uv_spark(const UnitCapture *u, int layer, int kind, int unit, double *out, int w)
{
    if (!u || u->done == 0)
        return 0;
    const float *x = units_column(u, layer, kind, unit);
    int n = u->done < w ? u->done : w;
    for (int b = 0; b < n; b++) {
        int a = (int)((long)b * u->done / n), e = (int)((long)(b + 1) * u->done / n);
        double s = 0;
        for (int t = a; t < e; t++)
            s += x[(size_t)t * u->cfg.hidden];
        out[b] = e > a ? s / (e - a) : NAN;
    }
    return n;
}

static void uv_list(Grid *g, Rect r, const UnitViewData *d)
{
    char title[96];
    snprintf(title, sizeof title, " %s ", d->rank_title ? d->rank_title : "ranked units");
    grid_box(g, r, title, ROLE_BORDER, ROLE_TITLE);
    Rect in = rect_inset(r, 1);
    if (in.w < 12 || in.h < 1)
        return;
    int head = d->rank_span ? 1 : 0;
    if (head)
        grid_text(g, in.x, in.y, in.w, "    unit    in−around", ROLE_DIM, 0);
    int rows = in.h - head, first = d->rank_sel >= rows ? d->rank_sel - rows + 1 : 0;
    for (int i = first; i < d->n_rank && i - first < rows; i++) {
        const UnitScore *s = &d->rank[i];
        int y = in.y + head + i - first, sel = i == d->rank_sel;
        Role role = sel ? ROLE_SELECTED : ROLE_TEXT;
        grid_fill(g, rect_make(in.x, y, in.w, 1), ' ', role);
        int x = in.x + grid_textf(g, in.x, y, in.w, role, sel ? ATTR_BOLD : 0, "%s%2d l%d:%-4d%+.2f ",
                                  sel ? "▸" : " ", i + 1, s->layer, s->unit, s->score);
        double v[UV_LIST_MAX];
        int nv = uv_spark(d->cap, s->layer, d->kind, s->unit, v, in.x + in.w - x < UV_LIST_MAX
                                                                   ? in.x + in.w - x : UV_LIST_MAX);
        sparkline_draw(g, x, y, nv, v, nv, 0, sel ? ROLE_SELECTED : ROLE_SERIES1); /* its own range: the shape */
    }
    if (d->n_rank == 0)
        grid_text(g, in.x, in.y + head, in.w, "no unit differs here", ROLE_DIM, 0);
}

/* One braille scatter of (left, right) saturation fractions for a layer's kind. */
static void uv_scatter(Grid *g, Rect r, const UnitViewData *d, int layer, int kind)
{
    const UnitCapture *u = d->cap;
    char title[32];
    snprintf(title, sizeof title, " l%d %s ", layer, units_kind_name(d->cell, kind));
    grid_box(g, r, title, ROLE_BORDER, ROLE_TITLE);
    Rect in = rect_inset(r, 1);
    if (in.w < 4 || in.h < 2 || !u || u->done == 0)
        return;
    /* the plot: x = left-saturated fraction, y = right-saturated; axis labels on the last row */
    Rect p = rect_make(in.x, in.y, in.w, in.h - 1);
    int pw = p.w * 2, ph = p.h * 4;
    uint8_t *bits = xcalloc((size_t)p.w * p.h, 1);
    int sel_cell = -1;
    const int H = u->cfg.hidden;
    size_t slot = ((size_t)layer * u->kinds + kind) * H;
    for (int j = 0; j < H; j++) {
        double lo = (double)u->sat_lo[slot + j] / u->done, hi = (double)u->sat_hi[slot + j] / u->done;
        int dx = (int)lround(lo * (pw - 1)), dy = ph - 1 - (int)lround(hi * (ph - 1));
        int cx = dx / 2, cy = dy / 4;
        static const uint8_t dot[4][2] = {{0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}};
        bits[cy * p.w + cx] |= dot[dy % 4][dx % 2];
        if (layer == d->layer && kind == d->kind && j == d->unit)
            sel_cell = cy * p.w + cx;
    }
    for (int y = 0; y < p.h; y++) {
        for (int x = 0; x < p.w; x++) {
            uint8_t b = bits[y * p.w + x];
            if (b)
                grid_set(g, p.x + x, p.y + y, 0x2800 + b, y * p.w + x == sel_cell ? ROLE_SELECTED : ROLE_SERIES2,
                         0);
        }
    }
    free(bits);
    grid_textf(g, in.x, in.y + in.h - 1, in.w, ROLE_AXIS, 0, "0%*s", in.w - 1, "1");
}

static void uv_saturation(Grid *g, Rect r, const UnitViewData *d)
{
    int kinds[UNITS_MAX_KINDS], nk = 0;
    for (int k = 0; k < units_n_kinds(d->cell); k++)
        if (units_kind_is_gate(d->cell, k))
            kinds[nk++] = k;
    if (nk == 0) {
        grid_text(g, r.x, r.y, r.w, "a tanh rnn has no gates: nothing saturates on a gate's scale", ROLE_DIM, 0);
        return;
    }
    grid_text_fit(g, r.x, r.y, r.w,
                  "fraction of positions each unit is left-saturated (x, < 0.1) against right-saturated "
                  "(y, > 0.9): one dot per unit",
                  ROLE_DIM, 0);
    Rect body = rect_make(r.x, r.y + 1, r.w, r.h - 1);
    int rows = d->layers, cols = nk;
    int cw = body.w / cols, ch = body.h / rows;
    if (cw > 2 * ch + 4)
        cw = 2 * ch + 4; /* keep the plots roughly square: a cell is twice as tall as wide */
    if (cw < 8 || ch < 4) {
        grid_text(g, r.x, r.y + 1, r.w, "too small for the scatter: enlarge the terminal", ROLE_DIM, 0);
        return;
    }
    for (int l = 0; l < rows; l++)
        for (int k = 0; k < cols; k++)
            uv_scatter(g, rect_make(body.x + k * cw, body.y + l * ch, cw, ch), d, l, kinds[k]);
}

/* Plain ASCII text in r, wrapped at spaces (a word longer than a line is cut). */
static void uv_wrapped(Grid *g, Rect r, const char *text)
{
    const char *p = text;
    for (int y = r.y; *p && y < r.y + r.h && r.w > 0; y++) {
        int n = (int)strlen(p);
        if (n > r.w) {
            n = r.w;
            while (n > 0 && p[n] != ' ')
                n--;
            if (n == 0)
                n = r.w;
        }
        char line[512];
        snprintf(line, sizeof line, "%.*s", n < (int)sizeof line - 1 ? n : (int)sizeof line - 1, p);
        grid_text(g, r.x, y, r.w, line, ROLE_DIM, 0);
        p += n;
        while (*p == ' ')
            p++;
    }
}

/* The n-gram comparison's summary in r. */
static void uv_errors(Grid *g, Rect r, const UnitViewData *d)
{
    char title[48];
    snprintf(title, sizeof title, " network vs %d-gram ", d->ngram_order);
    grid_box(g, r, title, ROLE_BORDER, ROLE_TITLE);
    Rect in = rect_inset(r, 1);
    if (!d->buckets || in.w < 20) {
        uv_wrapped(g, in, d->ngram_note ? d->ngram_note : "the n-gram is being counted");
        return;
    }
    const UnitErrBucket *all = &d->buckets[UNITS_ERR_BUCKETS - 1];
    int y = in.y;
    grid_textf(g, in.x, y++, in.w, ROLE_TEXT, 0, "network %.3f  %d-gram %.3f nats", all->net, d->ngram_order,
               all->ngram);
    grid_textf(g, in.x, y++, in.w, all->ngram > all->net ? ROLE_GOOD : ROLE_WARN, 0, "%s by %.3f a token",
               all->ngram > all->net ? "network better" : "network worse", fabs(all->ngram - all->net));
    y++;
    grid_text(g, in.x, y++, in.w, "share of the difference:", ROLE_DIM, 0);
    for (int b = 0; b < UNITS_ERR_BUCKETS - 1 && y < in.y + in.h; b++) {
        const UnitErrBucket *k = &d->buckets[b];
        grid_textf(g, in.x, y++, in.w, ROLE_TEXT, 0, "%4.0f%% %5ld %s", 100 * k->share, k->count, k->label);
        if (y < in.y + in.h && k->count)
            grid_textf(g, in.x + 12, y++, in.w - 12, ROLE_DIM, 0, "net %.2f  n-gram %.2f", k->net, k->ngram);
    }
}

/* The line under the text: the cursor's token and its numbers. */
static void uv_info(Grid *g, int x, int y, int w, const UnitViewData *d)
{
    int t = d->cursor;
    if (!d->text || t < 0 || t >= d->text->n) {
        grid_text(g, x, y, w, "Shift-arrows move the cursor; Insert marks a span", ROLE_DIM, 0);
        return;
    }
    char tok[32] = "";
    size_t a = d->text->start[t], len = d->text->end[t] - a;
    if (len > 12)
        len = 12;
    for (size_t i = 0, o = 0; i < len && o + 4 < sizeof tok; i++) {
        unsigned char ch = (unsigned char)d->text->text[a + i];
        if (ch == '\n')
            o += (size_t)snprintf(tok + o, sizeof tok - o, "⏎");
        else if (ch < 0x20 || ch == 0x7f)
            o += (size_t)snprintf(tok + o, sizeof tok - o, "·");
        else
            tok[o++] = (char)ch, tok[o] = '\0';
    }
    const UnitCapture *u = d->cap;
    char loss[64] = "";
    if (u && t < u->done && isfinite(u->loss[t])) {
        int n = snprintf(loss, sizeof loss, "  loss %.2f", u->loss[t]);
        if (d->ngram_loss && isfinite(d->ngram_loss[t]))
            snprintf(loss + n, sizeof loss - (size_t)n, " (n-gram %.2f)", d->ngram_loss[t]);
    }
    double v = uv_raw(d, t);
    char span[48] = "";
    if (d->mark_a >= 0)
        snprintf(span, sizeof span, d->mark_b > d->mark_a ? "  span %d..%d" : "  span from %d", d->mark_a,
                 d->mark_b - 1);
    grid_textf(g, x, y, w, ROLE_TEXT, 0, "pos %d '%s'  %s %+.3f%s%s", t, tok, uv_kind_label(d), v, loss, span);
}

/* ---- the screen ----------------------------------------------------------------- */

/* The selection and the ranked list lie inside the capture's model (a capture
 * of another run's model is not drawn). */
static int uv_fits(const UnitViewData *d)
{
    const UnitCapture *u = d->cap;
    if (d->layer < 0 || d->layer >= u->cfg.layers || d->unit < 0 || d->unit >= u->cfg.hidden || d->kind < 0 ||
        d->kind >= u->kinds || d->cell != u->cfg.cell || d->layers != u->cfg.layers || u->n != d->text->n)
        return 0;
    for (int i = 0; i < d->n_rank; i++)
        if (d->rank[i].layer < 0 || d->rank[i].layer >= u->cfg.layers || d->rank[i].unit < 0 ||
            d->rank[i].unit >= u->cfg.hidden)
            return 0;
    return 1;
}

/* Columns of the right-hand panel (the ranked list or the n-gram summary) in
 * an inner width w; 0 when there is none or no room for it beside the text. */
static int uv_side_width(int w, const UnitViewData *d)
{
    if (d->mode != UV_VS_NGRAM && !d->rank)
        return 0;
    int list_w = w / 3 < UV_LIST_MIN ? UV_LIST_MIN : w / 3 > UV_LIST_MAX ? UV_LIST_MAX : w / 3;
    return w - list_w >= 30 ? list_w : 0;
}

void unitview_draw(Grid *g, Rect r, const UnitViewData *d, int *scroll)
{
    char title[160], prog[32] = "";
    const UnitCapture *u = d->cap;
    if (u && u->done < u->n)
        snprintf(prog, sizeof prog, " │ computing %d%%", (int)(100.0 * u->done / u->n));
    char step[32] = "";
    if (d->step >= 0)
        snprintf(step, sizeof step, " │ step %ld", d->step);
    snprintf(title, sizeof title, " units: l%d %s %d of %d │ %s, %d tokens%s%s ", d->layer,
             units_kind_name(d->cell, d->kind), d->unit, d->hidden, d->source ? d->source : "text",
             d->text ? d->text->n : 0, step, prog);
    grid_box(g, r, title, ROLE_BORDER, ROLE_TITLE);
    Rect in = rect_inset(r, 1);
    if (in.w < 20 || in.h < 4)
        return;
    if (!d->text || !u || !uv_fits(d)) {
        grid_text_fit(g, in.x, in.y, in.w, d->note && d->note[0] ? d->note : "computing the activations",
                      ROLE_DIM, 0);
        return;
    }
    if (d->mode == UV_SATURATION) {
        uv_saturation(g, in, d);
        return;
    }
    uv_legend(g, in.x, in.y, in.w, d);
    Rect body = rect_make(in.x, in.y + 1, in.w, in.h - 2);
    int list_w = uv_side_width(in.w, d), pct;
    if (list_w) {
        Rect text = rect_make(body.x, body.y, body.w - list_w - 1, body.h);
        Rect right = rect_make(body.x + body.w - list_w, body.y, list_w, body.h);
        pct = uv_text(g, text, d, scroll);
        if (d->mode == UV_VS_NGRAM)
            uv_errors(g, right, d);
        else
            uv_list(g, right, d);
    } else {
        pct = uv_text(g, body, d, scroll);
    }
    int pw = 0;
    if (pct >= 0) /* where the view is in the text */
        pw = grid_textf(g, in.x + in.w - 5, in.y + in.h - 1, 5, ROLE_DIM, 0, "%4d%%", pct);
    uv_info(g, in.x, in.y + in.h - 1, in.w - pw - 1, d);
}

int unitview_text_width(Rect r, const UnitViewData *d)
{
    Rect in = rect_inset(r, 1);
    int list_w = uv_side_width(in.w, d);
    return list_w ? in.w - list_w - 1 : in.w;
}
