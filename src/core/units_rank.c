/* units_rank.c — signals over a text (regex matches, column, indentation) and
 * the ranking of units against a signal or a marked span (units.h).
 */
#include "units.h"

#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- signals ------------------------------------------------------------------ */

/* The next match of rx in s[at..len) (s is NUL-terminated at len): 0 with its
 * bounds in s, or -1. With REG_STARTEND (glibc, the BSDs) regexec is told where
 * the text ends; without it every call would measure the rest of the text
 * again, which is quadratic over a long text with many matches. */
static int units_next_match(const regex_t *rx, const char *s, size_t at, size_t len, size_t *so, size_t *eo)
{
    regmatch_t mt;
    int flags = at ? REG_NOTBOL : 0;
#ifdef REG_STARTEND
    mt.rm_so = (regoff_t)at;
    mt.rm_eo = (regoff_t)len;
    if (regexec(rx, s, 1, &mt, flags | REG_STARTEND) != 0)
        return -1;
    *so = (size_t)mt.rm_so;
    *eo = (size_t)mt.rm_eo;
#else
    (void)len;
    if (regexec(rx, s + at, 1, &mt, flags) != 0)
        return -1;
    *so = at + (size_t)mt.rm_so;
    *eo = at + (size_t)mt.rm_eo;
#endif
    return 0;
}

int units_signal_regex(const UnitText *t, const char *re, double *sig, char *msg, size_t cap)
{
    regex_t rx;
    int rc = regcomp(&rx, re, REG_EXTENDED);
    if (rc) {
        char why[160];
        regerror(rc, &rx, why, sizeof why);
        snprintf(msg, cap, "bad regular expression '%s': %s", re, why);
        return -1;
    }
    /* regexec reads C strings: a NUL byte in the text must not end it early */
    char *s = xmalloc(t->len + 1);
    for (size_t i = 0; i < t->len; i++)
        s[i] = t->text[i] ? t->text[i] : '\x01';
    s[t->len] = '\0';
    unsigned char *inside = xcalloc(t->len + 1, 1);
    size_t at = 0;
    size_t so, eo;
    while (at < t->len && units_next_match(&rx, s, at, t->len, &so, &eo) == 0) {
        memset(inside + so, 1, eo - so);
        at = eo > so ? eo : so + 1;
    }
    for (int i = 0; i < t->n; i++)
        sig[i] = inside[t->start[i]];
    free(inside);
    free(s);
    regfree(&rx);
    return 0;
}

void units_signal_line(const UnitText *t, double *sig)
{
    size_t scanned = 0, column = 0; /* characters since the last newline before scanned */
    for (int i = 0; i < t->n; i++) {
        for (; scanned < t->start[i]; scanned++) {
            unsigned char ch = (unsigned char)t->text[scanned];
            if (ch == '\n')
                column = 0;
            else if ((ch & 0xC0) != 0x80) /* continuation bytes are not characters */
                column++;
        }
        sig[i] = (double)column;
    }
}

void units_signal_indent(const UnitText *t, double *sig)
{
    size_t scanned = 0;
    int depth = 0, in_indent = 1;
    for (int i = 0; i < t->n; i++) {
        for (; scanned < t->start[i]; scanned++) {
            char ch = t->text[scanned];
            if (ch == '\n') {
                depth = 0;
                in_indent = 1;
            } else if (in_indent && ch == ' ') {
                depth++;
            } else if (in_indent && ch == '\t') {
                depth = depth / 8 * 8 + 8;
            } else {
                in_indent = 0;
            }
        }
        sig[i] = depth;
    }
}

/* ---- ranking ------------------------------------------------------------------ */

double units_correlation(const float *x, size_t sx, const double *y, int n)
{
    double mx = 0, my = 0;
    long m = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(y[i])) {
            mx += x[(size_t)i * sx];
            my += y[i];
            m++;
        }
    if (m < 2)
        return 0;
    mx /= (double)m;
    my /= (double)m;
    double sxy = 0, sxx = 0, syy = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(y[i])) {
            double dx = x[(size_t)i * sx] - mx, dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
    if (!(sxx > 0) || !(syy > 0))
        return 0;
    double r = sxy / sqrt(sxx * syy);
    return r > 1 ? 1 : r < -1 ? -1 : r;
}

/* Keep out[0..*kept) the best `top` by |score| (ties: earlier layer, then
 * unit, which is the order candidates arrive in). */
static void units_keep(UnitScore *out, int top, int *kept, const UnitScore *c)
{
    double a = fabs(c->score);
    int pos = *kept;
    while (pos > 0 && fabs(out[pos - 1].score) < a)
        pos--;
    if (pos >= top)
        return;
    int last = *kept < top ? *kept : top - 1;
    memmove(out + pos + 1, out + pos, (size_t)(last - pos) * sizeof *out);
    out[pos] = *c;
    if (*kept < top)
        (*kept)++;
}

static int units_range_ok(const UnitCapture *u, int kind, int layer, int *l0, int *l1)
{
    if (kind < 0 || kind >= u->kinds || layer < -1 || layer >= u->cfg.layers)
        return 0;
    *l0 = layer < 0 ? 0 : layer;
    *l1 = layer < 0 ? u->cfg.layers : layer + 1;
    return 1;
}

int units_rank(const UnitCapture *u, int kind, int layer, const double *sig, UnitScore *out, int top)
{
    int l0, l1, kept = 0;
    if (!units_range_ok(u, kind, layer, &l0, &l1))
        return -1;
    const int H = u->cfg.hidden;
    for (int l = l0; l < l1; l++)
        for (int j = 0; j < H; j++) {
            UnitScore c = {l, j, units_correlation(units_column(u, l, kind, j), (size_t)H, sig, u->done), 0, 0};
            units_keep(out, top, &kept, &c);
        }
    return kept;
}

int units_rank_span(const UnitCapture *u, int kind, int layer, int a, int b, UnitScore *out, int top)
{
    int l0, l1, kept = 0;
    if (!units_range_ok(u, kind, layer, &l0, &l1) || a < 0 || b > u->done || a >= b)
        return -1;
    const int H = u->cfg.hidden;
    int w = b - a > 16 ? b - a : 16;
    int lo = a - w > 0 ? a - w : 0, hi = b + w < u->done ? b + w : u->done;
    if (lo == a && hi == b) /* the span is the whole text: compare with nothing */
        return 0;
    for (int l = l0; l < l1; l++)
        for (int j = 0; j < H; j++) {
            const float *x = units_column(u, l, kind, j);
            double in = 0, around = 0;
            for (int t = a; t < b; t++)
                in += x[(size_t)t * H];
            for (int t = lo; t < hi; t++)
                if (t < a || t >= b)
                    around += x[(size_t)t * H];
            in /= b - a;
            around /= (a - lo) + (hi - b);
            UnitScore c = {l, j, in - around, in, around};
            units_keep(out, top, &kept, &c);
        }
    return kept;
}
