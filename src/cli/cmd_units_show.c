/* cmd_units_show.c — a text coloured by one value per token on a diverging
 * scale, -1 blue through a light neutral to +1 red (`rnnscope units --show`
 * and `--html`).
 *
 * Three forms of the same cells: on a terminal with colour, each character
 * on its value's background (truecolor when COLORTERM says so, else the
 * nearest of the 256 colours) and a legend line; anywhere else (a pipe, a
 * file, NO_COLOR, TERM=dumb) each line of the text followed by a line of
 * digits, one per display column, 0..9 for -1..+1 (a blank where no token
 * covers the character); and a self-contained HTML page with each token's
 * value in a tooltip. In all three, tabs become spaces to the next multiple of
 * 8, control characters are written ^X and bytes that are not UTF-8 '?', so
 * the text cannot move the cursor and the digits stay under their characters
 * (wide characters get two, combining marks none).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd_units.h"
#include "grid.h"
#include "paths.h"
#include "theme.h"
#include "utf8.h"

#define SHOW_LEVELS 21 /* the scale in steps of 0.1, for 256 colours, the HTML classes and the legend */

/* ---- cells ---------------------------------------------------------------------- */

typedef struct {
    char bytes[8];   /* what to write for the character (not NUL-terminated) */
    size_t n;
    int width;       /* display columns */
    int token;       /* the token covering its first byte, or -1 */
    int newline;
} ShowCell;

typedef struct {
    const UnitText *t;
    size_t at;       /* next byte */
    int tok;         /* first token that may cover it */
    int col;         /* display column in the line */
} ShowIter;

/* The next character of the text as a display cell; 0 at the end. */
static int show_next(ShowIter *it, ShowCell *c)
{
    const UnitText *t = it->t;
    if (it->at >= t->len)
        return 0;
    size_t at = it->at;
    while (it->tok < t->n && t->end[it->tok] <= at)
        it->tok++;
    c->token = it->tok < t->n && t->start[it->tok] <= at ? it->tok : -1;
    uint32_t cp = utf8_next(t->text, t->len, &it->at);
    size_t k = it->at - at;
    c->newline = cp == '\n';
    c->n = 0;
    c->width = 0;
    if (cp == '\n') {
        it->col = 0;
        return 1;
    }
    if (cp == '\t') {
        c->width = 8 - it->col % 8;
        memset(c->bytes, ' ', (size_t)c->width);
        c->n = (size_t)c->width;
    } else if (cp < 0x20 || cp == 0x7f) {
        c->bytes[0] = '^';
        c->bytes[1] = (char)(cp ^ 0x40);
        c->n = 2;
        c->width = 2;
    } else if ((cp == 0xfffd && k == 1) || (cp >= 0x80 && cp < 0xa0)) {
        c->bytes[0] = '?'; /* a byte that is not UTF-8, or a C1 control */
        c->n = 1;
        c->width = 1;
    } else {
        memcpy(c->bytes, t->text + at, k);
        c->n = k;
        c->width = grid_char_width(cp);
    }
    it->col += c->width;
    return 1;
}

/* ---- the scale ---------------------------------------------------------------- */

static double show_clamp(double v)
{
    return v < -1 ? -1 : v > 1 ? 1 : v;
}

static int show_level(double v)
{
    return (int)lround((show_clamp(v) + 1) * (SHOW_LEVELS - 1) / 2);
}

static double show_level_value(int level)
{
    return level * 2.0 / (SHOW_LEVELS - 1) - 1;
}

/* The colour of v: blue (-1) to a light grey (0) to red (+1), linearly in
 * RGB, the ends of Moreland's cool-warm map; *dark_text when black reads
 * better on it than white. */
static void show_rgb(double v, uint8_t rgb[3], int *dark_text)
{
    static const uint8_t cold[3] = {59, 76, 192}, mid[3] = {238, 238, 238}, warm[3] = {180, 4, 38};
    v = show_clamp(v);
    const uint8_t *end = v < 0 ? cold : warm;
    double f = fabs(v);
    for (int i = 0; i < 3; i++)
        rgb[i] = (uint8_t)lround(mid[i] + (end[i] - mid[i]) * f);
    *dark_text = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] >= 140;
}

/* The SGR sequence that puts text on v's colour. */
static void show_sgr(double v, int truecolor, char *out, size_t cap)
{
    uint8_t c[3];
    int dark;
    show_rgb(v, c, &dark);
    if (truecolor)
        snprintf(out, cap, "\033[38;2;%s;48;2;%d;%d;%dm", dark ? "0;0;0" : "255;255;255", c[0], c[1], c[2]);
    else
        snprintf(out, cap, "\033[38;5;%d;48;5;%dm", dark ? 16 : 231, theme_nearest_256(c[0], c[1], c[2]));
}

/* ---- the terminal and plain text ---------------------------------------------- */

static int show_digit(double v)
{
    int d = (int)floor((show_clamp(v) + 1) * 5);
    return d > 9 ? 9 : d;
}

static void show_plain(const UnitText *t, const double *val, FILE *out)
{
    ShowIter it = {t, 0, 0, 0};
    ShowCell c;
    char *digits = xmalloc(8 * t->len + 1);
    size_t nd = 0;
    int pending = 0;
    while (show_next(&it, &c)) {
        if (c.newline) {
            fputc('\n', out);
            fwrite(digits, 1, nd, out);
            fputc('\n', out);
            nd = 0;
            pending = 0;
            continue;
        }
        fwrite(c.bytes, 1, c.n, out);
        char d = c.token >= 0 && isfinite(val[c.token]) ? (char)('0' + show_digit(val[c.token])) : ' ';
        for (int i = 0; i < c.width; i++)
            digits[nd++] = d;
        pending = 1;
    }
    if (pending) {
        fputc('\n', out);
        fwrite(digits, 1, nd, out);
        fputc('\n', out);
    }
    free(digits);
}

static void show_colour(const UnitText *t, const double *val, const char *what, int truecolor, FILE *out)
{
    ShowIter it = {t, 0, 0, 0};
    ShowCell c;
    char sgr[64], shown[64] = ""; /* the colours set now ("" none) */
    while (show_next(&it, &c)) {
        int tok = c.newline || c.token < 0 || !isfinite(val[c.token]) ? -1 : c.token;
        sgr[0] = '\0';
        if (tok >= 0)
            show_sgr(truecolor ? val[tok] : show_level_value(show_level(val[tok])), truecolor, sgr, sizeof sgr);
        if (strcmp(sgr, shown) != 0)
            fputs(sgr[0] ? sgr : "\033[0m", out);
        memcpy(shown, sgr, strlen(sgr) + 1);
        if (c.newline)
            fputc('\n', out);
        fwrite(c.bytes, 1, c.n, out);
    }
    fputs("\033[0m", out);
    if (it.col)
        fputc('\n', out);
    fputs("-1 ", out);
    for (int k = 0; k < SHOW_LEVELS; k += 2) {
        show_sgr(show_level_value(k), truecolor, sgr, sizeof sgr);
        fprintf(out, "%s  ", sgr);
    }
    fprintf(out, "\033[0m +1  %s\n", what);
}

static void show_text(const UnitText *t, const double *val, const char *what, FILE *out)
{
    const char *term = getenv("TERM");
    int tty = isatty(fileno(out)) && term && *term && strcmp(term, "dumb") != 0;
    int depth = theme_depth_detect(getenv("NO_COLOR"), getenv("COLORTERM"), 256);
    if (!tty || depth == THEME_DEPTH_MONO)
        show_plain(t, val, out);
    else
        show_colour(t, val, what, depth == THEME_DEPTH_TRUE, out);
}

/* ---- HTML ---------------------------------------------------------------------- */

static void html_escape(FILE *f, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(s[i], f);
        }
    }
}

/* A title: valid UTF-8 (cmd_units_clean), control characters as U+FFFD. */
static void html_text(FILE *f, const char *s)
{
    StrBuf clean;
    cmd_units_clean(s, &clean);
    for (size_t i = 0; i < clean.len; i++) {
        unsigned char ch = (unsigned char)clean.data[i];
        if (ch < 0x20 || ch == 0x7f)
            fputs("\xef\xbf\xbd", f); /* U+FFFD */
        else
            html_escape(f, clean.data + i, 1);
    }
    strbuf_free(&clean);
}

static void html_page(FILE *f, const UnitText *t, const double *val, const char *title, const char *legend)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>", f);
    html_text(f, title);
    fputs("</title>\n<style>\n"
          "body { font-family: sans-serif; margin: 2em; color: #222; background: #fff; }\n"
          "h1 { font-size: 1.2em; }\n"
          "pre { font-family: monospace; font-size: 14px; line-height: 1.4; white-space: pre-wrap; }\n"
          ".legend span { display: inline-block; width: 1.6em; }\n",
          f);
    for (int k = 0; k < SHOW_LEVELS; k++) {
        uint8_t c[3];
        int dark;
        show_rgb(show_level_value(k), c, &dark);
        fprintf(f, ".v%d { background: #%02x%02x%02x; color: %s; }\n", k, c[0], c[1], c[2], dark ? "#000" : "#fff");
    }
    fputs("</style>\n</head>\n<body>\n<h1>", f);
    html_text(f, title);
    fputs("</h1>\n<p class=\"legend\">-1 ", f);
    for (int k = 0; k < SHOW_LEVELS; k += 2)
        fprintf(f, "<span class=\"v%d\">&nbsp;</span>", k);
    fputs(" +1 &nbsp; ", f);
    html_text(f, legend);
    fputs("; hover over a character for its value (uncoloured: no token of the model)</p>\n<pre>", f);
    ShowIter it = {t, 0, 0, 0};
    ShowCell c;
    int open = -1; /* the token whose span is open */
    while (show_next(&it, &c)) {
        int tok = c.token >= 0 && isfinite(val[c.token]) ? c.token : -1;
        if (tok != open && open >= 0)
            fputs("</span>", f);
        if (tok != open && tok >= 0)
            fprintf(f, "<span class=\"v%d\" title=\"position %d: %.4f\">", show_level(val[tok]), tok, val[tok]);
        open = tok;
        if (c.newline)
            fputc('\n', f);
        html_escape(f, c.bytes, c.n);
    }
    if (open >= 0)
        fputs("</span>", f);
    fputs("</pre>\n</body>\n</html>\n", f);
}

static int write_html(const char *path, const UnitText *t, const double *val, const char *title,
                      const char *legend, Err *err)
{
    int rc = paths_make_parent(path, err);
    if (rc)
        return rc;
    FILE *f = fopen(path, "w");
    if (!f)
        return err_set(err, ERR_INPUT, "--html %s: %s", path, strerror(errno));
    html_page(f, t, val, title, legend);
    errno = 0;
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        int e = errno;
        remove(path);
        return err_set(err, ERR_RUNTIME, "--html %s: cannot write it: %s", path, e ? strerror(e) : "write error");
    }
    return 0;
}

/* ---- the view ------------------------------------------------------------------ */

int cmd_units_show(const UnitsRun *r, int layer, int unit, const char *html, Err *err)
{
    const int H = r->model.cfg.hidden, n = r->text.n;
    const char *kind = units_kind_name(r->model.cfg.cell, r->kind);
    const float *col = units_column(&r->cap, layer, r->kind, unit);
    double *val = xmalloc((size_t)n * sizeof *val);
    for (int t = 0; t < n; t++) /* a gate's 0..1 on the -1..+1 scale, as the dashboard shows it */
        val[t] = units_display_value(r->model.cfg.cell, r->kind, col[(size_t)t * H]);
    char what[200], title[TRAIN_PATH_MAX + 200], ln[16];
    cmd_units_layer_name(layer, ln, sizeof ln);
    snprintf(what, sizeof what, "%s unit %d, kind %s%s, over %d positions", ln, unit, kind,
             units_kind_is_gate(r->model.cfg.cell, r->kind) ? " (a gate: 0..1 drawn as -1..+1)" : "", n);
    int rc = 0;
    if (html) {
        snprintf(title, sizeof title, "rnnscope units: %s, layer %s, unit %d, kind %s", r->ckpt, ln, unit, kind);
        rc = write_html(html, &r->text, val, title, what, err);
        if (!rc)
            printf("wrote %s: %s of %s\n", html, what, r->file);
    } else {
        show_text(&r->text, val, what, stdout);
    }
    free(val);
    return rc;
}
