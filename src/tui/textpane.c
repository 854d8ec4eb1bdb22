/* textpane.c — scroll-back message pane (see textpane.h).
 *
 * For: keeping the last N lines, wrapping them to a width and drawing the
 * visible rows. Lines are cleaned when appended (invalid UTF-8 -> U+FFFD,
 * tabs -> spaces, control characters -> control pictures, '\r' dropped), so
 * wrapping and drawing only ever see printable text.
 */
#include "textpane.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "utf8.h"

/* A change of role inside a line: from byte `at` on, `role`. */
typedef struct {
    int at;
    uint8_t role;
} PaneSpan;

typedef struct {
    char *text;      /* clean UTF-8 */
    uint8_t role;    /* the role from byte 0 */
    PaneSpan *spans; /* (n_spans) later roles, at increasing offsets; NULL if none */
    int n_spans;
    int wrap_w;      /* width rows was computed for, 0 = not yet */
    int rows;
} PaneLine;

static void textpane_line_free(PaneLine *l)
{
    free(l->text);
    free(l->spans);
    l->text = NULL;
    l->spans = NULL;
    l->n_spans = 0;
}

/* The role in effect at byte `at` of l. */
static Role textpane_span_role(const PaneLine *l, size_t at)
{
    Role r = (Role)l->role;
    for (int i = 0; i < l->n_spans && (size_t)l->spans[i].at <= at; i++)
        r = (Role)l->spans[i].role;
    return r;
}

struct TextPane {
    PaneLine *lines; /* (cap) ring */
    int cap, head, count;   /* oldest line at lines[head] */
    int offset;      /* wrapped rows scrolled back from the bottom */
    int last_w;      /* width of the last draw, for keeping the view */
    long appended;   /* lines ever pushed: line numbers for the pin */
    long pin;        /* 1 + the number of the pinned line; 0 = none */
};

TextPane *textpane_new(int max_lines)
{
    TextPane *p = xcalloc(1, sizeof *p);
    p->cap = max_lines > 0 ? max_lines : TEXTPANE_DEFAULT_LINES;
    p->lines = xcalloc((size_t)p->cap, sizeof(PaneLine));
    return p;
}

void textpane_clear(TextPane *p)
{
    for (int i = 0; i < p->count; i++)
        textpane_line_free(&p->lines[(p->head + i) % p->cap]);
    p->head = p->count = 0;
    p->offset = 0;
    p->pin = 0;
}

void textpane_free(TextPane *p)
{
    if (!p)
        return;
    textpane_clear(p);
    free(p->lines);
    free(p);
}

static PaneLine *textpane_at(const TextPane *p, int i)
{
    return &p->lines[(p->head + i) % p->cap];
}

/* Growable byte buffer for cleaning text. */
typedef struct {
    char *s;
    size_t n, cap;
} PaneBuf;

static void panebuf_put(PaneBuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->s = xrealloc(b->s, b->cap);
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

static void panebuf_cp(PaneBuf *b, uint32_t cp)
{
    char tmp[4];
    panebuf_put(b, tmp, (size_t)utf8_encode(cp, tmp));
}

static int textpane_width_of(uint32_t cp)
{
    return grid_char_width(cp);
}

/* Display columns of clean text. */
static int textpane_cols(const char *s, size_t len)
{
    int w = 0;
    size_t i = 0;
    while (i < len)
        w += textpane_width_of(utf8_next(s, len, &i));
    return w;
}

static void textpane_push(TextPane *p, Role role, char *text)
{
    if (p->count == p->cap) {
        textpane_line_free(&p->lines[p->head]);
        p->head = (p->head + 1) % p->cap;
        p->count--;
    }
    PaneLine *l = textpane_at(p, p->count);
    l->text = text;
    l->role = (uint8_t)role;
    l->spans = NULL;
    l->n_spans = 0;
    l->wrap_w = 0;
    p->count++;
    p->appended++;
    if (p->offset > 0 && p->last_w > 0)
        p->offset += textpane_wrap(text, p->last_w, NULL, 0);
}

/* Clean text [s, s+len) onto b; `col` is the column b already ends at. */
static void textpane_clean(PaneBuf *b, const char *s, size_t len, int col)
{
    size_t i = 0;
    while (i < len) {
        uint32_t cp = utf8_next(s, len, &i);
        if (cp == '\r')
            continue;
        if (cp == '\t') {
            do {
                panebuf_put(b, " ", 1);
                col++;
            } while (col % 4);
            continue;
        }
        if (cp < 0x20)
            cp = 0x2400 + cp;
        else if (cp == 0x7f)
            cp = 0x2421;
        else if (cp >= 0x80 && cp < 0xa0)
            cp = 0xfffd;
        panebuf_cp(b, cp);
        col += textpane_width_of(cp);
    }
}

/* Append text; if `more`, the first piece continues the last line. */
static void textpane_add(TextPane *p, Role role, const char *utf8, int more)
{
    const char *s = utf8 ? utf8 : "";
    for (int first = 1;; first = 0) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        if (!first && !nl && len == 0)
            break;   /* a trailing '\n' does not add an empty line */
        PaneBuf b = {NULL, 0, 0};
        if (first && more && p->count > 0) {
            PaneLine *l = textpane_at(p, p->count - 1);
            size_t old = strlen(l->text);
            if (len > 0 && textpane_span_role(l, old) != role) {
                if (old == 0 && l->n_spans == 0) {
                    l->role = (uint8_t)role; /* nothing yet in the old role */
                } else {
                    l->spans = xrealloc(l->spans, sizeof(PaneSpan) * (size_t)(l->n_spans + 1));
                    l->spans[l->n_spans].at = (int)old;
                    l->spans[l->n_spans].role = (uint8_t)role;
                    l->n_spans++;
                }
            }
            b.s = l->text;
            b.n = old;
            b.cap = old + 1;
            textpane_clean(&b, s, len, textpane_cols(l->text, old));
            l->text = b.s;
            l->wrap_w = 0;
        } else {
            panebuf_put(&b, "", 0);
            textpane_clean(&b, s, len, 0);
            textpane_push(p, role, b.s);
        }
        if (!nl)
            break;
        s = nl + 1;
    }
}

void textpane_append(TextPane *p, Role role, const char *utf8)
{
    textpane_add(p, role, utf8, 0);
}

void textpane_append_more(TextPane *p, Role role, const char *utf8)
{
    textpane_add(p, role, utf8, 1);
}

void textpane_appendf(TextPane *p, Role role, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        textpane_append(p, role, small);
        return;
    }
    char *big = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    textpane_append(p, role, big);
    free(big);
}

int textpane_count(const TextPane *p)
{
    return p->count;
}

Role textpane_role_at(const TextPane *p, int i, size_t at)
{
    if (i < 0 || i >= p->count)
        return ROLE_TEXT;
    return textpane_span_role(textpane_at(p, i), at);
}

const char *textpane_line(const TextPane *p, int i, Role *role)
{
    if (i < 0 || i >= p->count)
        return NULL;
    const PaneLine *l = textpane_at(p, i);
    if (role)
        *role = (Role)l->role;
    return l->text;
}

void textpane_scroll(TextPane *p, int delta)
{
    p->offset += delta;
    if (p->offset < 0)
        p->offset = 0;
}

void textpane_pin_last(TextPane *p)
{
    p->pin = p->count > 0 ? p->appended : 0;
}

void textpane_unpin(TextPane *p)
{
    p->pin = 0;
}

void textpane_scroll_to_end(TextPane *p)
{
    p->offset = 0;
}

int textpane_scroll_offset(const TextPane *p)
{
    return p->offset;
}

int textpane_wrap(const char *utf8, int w, int *starts, int max)
{
    size_t len = strlen(utf8), i = 0, rs = 0, bp = 0;
    int rows = 1, col = 0, bp_col = 0, have_bp = 0;
    if (w < 1)
        w = 1;
    if (starts && max > 0)
        starts[0] = 0;
    while (i < len) {
        size_t next = i;
        uint32_t cp = utf8_next(utf8, len, &next);
        int cw = textpane_width_of(cp);
        if (cp == ' ' && rows > 1 && i == rs && col == 0) {
            /* Leading space of a continuation row: drop it. */
            i = next;
            rs = i;
            if (starts && rows - 1 < max)
                starts[rows - 1] = (int)rs;
            continue;
        }
        if (col + cw > w && col > 0) {
            if (have_bp && bp > rs) {
                rs = bp;
                col -= bp_col;
            } else {
                rs = i;
                col = 0;
            }
            if (starts && rows < max)
                starts[rows] = (int)rs;
            rows++;
            have_bp = 0;
            continue;
        }
        if (cw == 2 && col > 0) {
            bp = i;
            bp_col = col;
            have_bp = 1;
        }
        col += cw;
        i = next;
        if (cp == ' ' || cw == 2) {
            bp = i;
            bp_col = col;
            have_bp = 1;
        }
    }
    return rows;
}

static int textpane_line_rows(PaneLine *l, int w)
{
    if (l->wrap_w != w) {
        l->rows = textpane_wrap(l->text, w, NULL, 0);
        l->wrap_w = w;
    }
    return l->rows;
}

int textpane_rows(const TextPane *p, int w)
{
    int total = 0;
    for (int i = 0; i < p->count; i++)
        total += textpane_line_rows(textpane_at(p, i), w);
    return total;
}

/* One wrapped row: bytes [from, end) of l, each run in its own role. */
static void textpane_draw_row(Grid *g, int x, int y, int w, const PaneLine *l, size_t from, size_t end)
{
    size_t at = from;
    int used = 0;
    while (at < end && used < w) {
        Role role = textpane_span_role(l, at);
        size_t stop = end;
        for (int i = 0; i < l->n_spans; i++)
            if ((size_t)l->spans[i].at > at) {
                if ((size_t)l->spans[i].at < stop)
                    stop = (size_t)l->spans[i].at;
                break;
            }
        size_t n = stop - at;
        char *piece = xmalloc(n + 1);
        memcpy(piece, l->text + at, n);
        piece[n] = '\0';
        used += grid_text(g, x + used, y, w - used, piece, role, 0);
        free(piece);
        at = stop;
    }
}

void textpane_draw(TextPane *p, Grid *g, Rect r)
{
    if (r.w <= 0 || r.h <= 0)
        return;
    p->last_w = r.w;
    int total = textpane_rows(p, r.w);
    int max_off = total > r.h ? total - r.h : 0;
    if (p->offset > max_off)
        p->offset = max_off;
    for (int y = 0; y < r.h; y++)
        for (int x = 0; x < r.w; x++)
            grid_set(g, r.x + x, r.y + y, ' ', ROLE_TEXT, 0);

    /* a pinned line that would scroll off the top holds the view there */
    int off = p->offset;
    long pin_at = p->pin - 1 - (p->appended - p->count);
    if (off == 0 && p->pin && pin_at >= 0 && pin_at < p->count) {
        int rows = 0;
        for (int i = (int)pin_at; i < p->count; i++)
            rows += textpane_line_rows(textpane_at(p, i), r.w);
        if (rows > r.h)
            off = rows - r.h;
    }
    /* Walk lines newest first; `skip` rows are below the view. */
    int skip = off, y = r.y + r.h - 1;
    for (int i = p->count - 1; i >= 0 && y >= r.y; i--) {
        PaneLine *l = textpane_at(p, i);
        int rows = textpane_line_rows(l, r.w);
        if (skip >= rows) {
            skip -= rows;
            continue;
        }
        int stack[32];
        int *starts = rows <= 32 ? stack : xmalloc(sizeof(int) * (size_t)rows);
        textpane_wrap(l->text, r.w, starts, rows);
        size_t len = strlen(l->text);
        for (int k = rows - 1 - skip; k >= 0 && y >= r.y; k--, y--) {
            size_t end = k + 1 < rows ? (size_t)starts[k + 1] : len;
            textpane_draw_row(g, r.x, y, r.w, l, (size_t)starts[k], end);
        }
        skip = 0;
        if (starts != stack)
            free(starts);
    }
    if (off > 0)
        grid_set(g, r.x + r.w - 1, r.y + r.h - 1, 0x25bc, ROLE_DIM, 0);   /* ▼ */
}
