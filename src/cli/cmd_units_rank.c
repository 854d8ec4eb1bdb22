/* cmd_units_rank.c — `rnnscope units --find` and `--span`: the units of a
 * capture ranked against a signal (units_rank) or a marked span
 * (units_rank_span), as a table with a sparkline per unit or as one JSON
 * object. Not here: computing the signals or the scores (units_rank.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_units.h"
#include "screen.h"
#include "sparkline.h"
#include "strbuf.h"
#include "utf8.h"

#define SPARK_W 40 /* columns of a sparkline */

/* Values over n positions as at most SPARK_W columns of ▁..█ (ASCII when the
 * locale is not UTF-8), each column the mean of the positions it covers,
 * scaled from the lowest column to the highest. x: floats with stride sx, or
 * (x NULL) the doubles y. */
static void spark_print(FILE *out, const float *x, size_t sx, const double *y, int n)
{
    int w = n < SPARK_W ? n : SPARK_W;
    double col[SPARK_W], lo = INFINITY, hi = -INFINITY;
    for (int c = 0; c < w; c++) {
        long a = (long)c * n / w, b = (long)(c + 1) * n / w;
        double s = 0;
        for (long t = a; t < b; t++)
            s += x ? x[(size_t)t * sx] : y[t];
        col[c] = s / (double)(b - a);
        lo = col[c] < lo ? col[c] : lo;
        hi = col[c] > hi ? col[c] : hi;
    }
    int utf8 = screen_locale_utf8();
    for (int c = 0; c < w; c++) {
        int k = sparkline_level(col[c], lo, hi, 0);
        uint32_t g = k < 0 ? ' ' : 0x2581 + (uint32_t)k;
        char acs, buf[4];
        if (!utf8)
            g = screen_ascii(g, &acs);
        fwrite(buf, 1, (size_t)utf8_encode(g, buf), out);
    }
}

/* A number for JSON: %.9g, null when not finite (JSON has no NaN). */
static void json_number(StrBuf *b, double x)
{
    if (isfinite(x))
        strbuf_appendf(b, "%.9g", x);
    else
        strbuf_append_str(b, "null");
}

/* A command-line string as a JSON string that stays valid (cmd_units_clean). */
static void json_text(StrBuf *b, const char *s)
{
    StrBuf clean;
    cmd_units_clean(s, &clean);
    strbuf_append_json_string(b, clean.data, clean.len);
    strbuf_free(&clean);
}

/* {"checkpoint":...,"file":...,"kind":..., the start of both objects. */
static void json_head(StrBuf *b, const UnitsRun *r)
{
    strbuf_append_str(b, "{\"checkpoint\":");
    json_text(b, r->ckpt);
    strbuf_append_str(b, ",\"file\":");
    json_text(b, r->file);
    strbuf_append_str(b, ",\"kind\":");
    json_text(b, units_kind_name(r->model.cfg.cell, r->kind));
}

static void json_finish(StrBuf *b)
{
    strbuf_append_str(b, "]}\n");
    fwrite(b->data, 1, b->len, stdout);
    strbuf_free(b);
}

/* The table's first columns: rank, layer, unit, kind; HEAD_W wide. */
#define HEAD_FMT "%4s  %-5s %5s  %-4s"
#define HEAD_W 23

static void row_start(const UnitsRun *r, int rank, const UnitScore *s)
{
    char rk[16], ln[16], un[16];
    snprintf(rk, sizeof rk, "%d", rank);
    cmd_units_layer_name(s->layer, ln, sizeof ln);
    snprintf(un, sizeof un, "%d", s->unit);
    printf(HEAD_FMT, rk, ln, un, units_kind_name(r->model.cfg.cell, r->kind));
}

int cmd_units_find(const UnitsRun *r, const char *what, Err *err)
{
    const UnitText *t = &r->text;
    double *sig = xmalloc((size_t)t->n * sizeof *sig);
    char q[96], about[160];
    /* a regex is shown as typed when it is plain ASCII (its backslashes are its own) */
    int plain = strlen(what) <= 60;
    for (const char *c = what; *c && plain; c++)
        plain = *c >= 0x20 && *c < 0x7f;
    if (plain)
        snprintf(q, sizeof q, "'%s'", what);
    else
        train_config_quote(what, q, sizeof q);
    if (!strcmp(what, "line")) {
        units_signal_line(t, sig);
        snprintf(about, sizeof about, "the column of each token in its line");
    } else if (!strcmp(what, "indent")) {
        units_signal_indent(t, sig);
        snprintf(about, sizeof about, "the indentation of each token's line");
    } else {
        char msg[400];
        if (units_signal_regex(t, what, sig, msg, sizeof msg) != 0) {
            free(sig);
            return err_set(err, ERR_INPUT, "--find: %s", msg);
        }
        snprintf(about, sizeof about, "1 where a token starts inside a match of %s, else 0", q);
    }
    int varies = 0;
    for (int i = 1; i < t->n && !varies; i++)
        varies = sig[i] != sig[0];
    if (!varies) {
        double only = sig[0];
        free(sig);
        int re = strcmp(what, "line") && strcmp(what, "indent");
        if (re)
            return err_set(err, ERR_INPUT, "--find %s: %s token of %s starts inside a match; nothing to correlate with",
                           q, only ? "every" : "no", r->file);
        return err_set(err, ERR_INPUT, "--find %s: every token of %s has %s %g; nothing to correlate with", q, r->file,
                       strcmp(what, "line") ? "the indentation" : "the column", only);
    }
    UnitScore *s = xmalloc((size_t)r->top * sizeof *s);
    int k = units_rank(&r->cap, r->kind, r->layer, sig, s, r->top);
    if (r->json) {
        StrBuf b;
        strbuf_init(&b);
        json_head(&b, r);
        strbuf_append_str(&b, ",\"find\":");
        json_text(&b, what);
        strbuf_appendf(&b, ",\"positions\":%d,\"units\":[", t->n);
        for (int i = 0; i < k; i++) {
            strbuf_appendf(&b, "%s{\"layer\":%d,\"unit\":%d,\"r\":", i ? "," : "", s[i].layer, s[i].unit);
            json_number(&b, s[i].score);
            strbuf_append_str(&b, "}");
        }
        json_finish(&b);
    } else {
        printf("%d positions of %s; signal: %s\n", t->n, r->file, about);
        printf(HEAD_FMT " %7s  %s\n", "rank", "layer", "unit", "kind", "r", "over the text");
        const int H = r->model.cfg.hidden;
        for (int i = 0; i < k; i++) {
            row_start(r, i + 1, &s[i]);
            printf(" %+7.3f  ", s[i].score);
            spark_print(stdout, units_column(&r->cap, s[i].layer, r->kind, s[i].unit), (size_t)H, NULL, t->n);
            putchar('\n');
        }
        printf("%*s%-*s", HEAD_W - 17, "", 17 + 1 + 7 + 2, "signal");
        spark_print(stdout, NULL, 0, sig, t->n);
        putchar('\n');
    }
    free(s);
    free(sig);
    return 0;
}

int cmd_units_span(const UnitsRun *r, long a, long b, Err *err)
{
    const UnitText *t = &r->text;
    if ((size_t)b > t->len)
        return err_set(err, ERR_INPUT, "--span %ld:%ld: %s has %zu bytes; the end must be at most that", a, b, r->file,
                       t->len);
    int ta = 0, tb;
    while (ta < t->n && t->start[ta] < (size_t)a)
        ta++;
    for (tb = ta; tb < t->n && t->start[tb] < (size_t)b;)
        tb++;
    if (ta == tb)
        return err_set(err, ERR_INPUT, "--span %ld:%ld: no token of %s starts in those bytes; widen the span", a, b,
                       r->file);
    UnitScore *s = xmalloc((size_t)r->top * sizeof *s);
    int k = units_rank_span(&r->cap, r->kind, r->layer, ta, tb, s, r->top);
    if (k <= 0) {
        free(s);
        return err_set(err, ERR_INPUT, "--span %ld:%ld covers every token of %s; there is nothing around it to "
                       "compare with", a, b, r->file);
    }
    if (r->json) {
        StrBuf j;
        strbuf_init(&j);
        json_head(&j, r);
        strbuf_appendf(&j, ",\"span\":[%ld,%ld],\"positions\":%d,\"units\":[", a, b, t->n);
        for (int i = 0; i < k; i++) {
            strbuf_appendf(&j, "%s{\"layer\":%d,\"unit\":%d,\"inside\":", i ? "," : "", s[i].layer, s[i].unit);
            json_number(&j, s[i].inside);
            strbuf_append_str(&j, ",\"around\":");
            json_number(&j, s[i].around);
            strbuf_append_str(&j, ",\"score\":");
            json_number(&j, s[i].score);
            strbuf_append_str(&j, "}");
        }
        json_finish(&j);
    } else {
        char excerpt[TRAIN_PATH_MAX], q[96];
        size_t n = t->end[tb - 1] - t->start[ta];
        snprintf(excerpt, sizeof excerpt, "%.*s", (int)(n < 200 ? n : 200), t->text + t->start[ta]);
        train_config_quote(excerpt, q, sizeof q);
        printf("%d positions of %s; span: bytes [%ld, %ld), tokens %d..%d, %s\n", t->n, r->file, a, b, ta, tb - 1, q);
        printf(HEAD_FMT " %7s  %7s  %10s\n", "rank", "layer", "unit", "kind", "inside", "around", "difference");
        for (int i = 0; i < k; i++) {
            row_start(r, i + 1, &s[i]);
            printf(" %+7.3f  %+7.3f  %+10.3f\n", s[i].inside, s[i].around, s[i].score);
        }
    }
    free(s);
    return 0;
}
