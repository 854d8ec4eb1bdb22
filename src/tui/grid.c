/* grid.c — the off-screen cell grid (see grid.h).
 *
 * For: storing cells and writing text into them with correct display widths.
 * Not for: terminal output (screen.c) or colours (theme.c).
 *
 * Wide characters occupy two cells: the left holds the code point, the right
 * holds 0. Writing over either half of a wide character blanks the other half,
 * so the grid never holds an orphaned half that would shift a terminal row.
 */
#include "grid.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "utf8.h"

void grid_init(Grid *g, int w, int h)
{
    g->w = w > 0 ? w : 0;
    g->h = h > 0 ? h : 0;
    g->cells = xmalloc(sizeof(GridCell) * (size_t)(g->w * g->h + 1));
    grid_clear(g);
}

void grid_free(Grid *g)
{
    free(g->cells);
    g->cells = NULL;
    g->w = g->h = 0;
}

void grid_resize(Grid *g, int w, int h)
{
    grid_free(g);
    grid_init(g, w, h);
}

void grid_clear(Grid *g)
{
    GridCell blank = {' ', ROLE_TEXT, 0};
    for (int i = 0; i < g->w * g->h; i++)
        g->cells[i] = blank;
}

void grid_fill(Grid *g, Rect r, uint32_t ch, Role role)
{
    for (int y = r.y; y < r.y + r.h; y++)
        for (int x = r.x; x < r.x + r.w; x++)
            grid_set(g, x, y, ch, role, 0);
}

/* Blank the other half of a wide character about to be overwritten at x. */
static void grid_unpair(Grid *g, int x, int y)
{
    GridCell *row = g->cells + (size_t)y * g->w;
    if (row[x].ch == 0 && x > 0) {
        row[x - 1].ch = ' ';
    } else if (grid_char_width(row[x].ch) == 2 && x + 1 < g->w && row[x + 1].ch == 0) {
        row[x + 1].ch = ' ';
    }
}

void grid_set(Grid *g, int x, int y, uint32_t ch, Role role, int attr)
{
    if (x < 0 || y < 0 || x >= g->w || y >= g->h)
        return;
    if (ch == 0)
        ch = ' '; /* why: a lone right half would leave a stale terminal cell (screen.c skips them) */
    int wide = ch != 0 && grid_char_width(ch) == 2;
    if (wide && x + 1 >= g->w)
        ch = ' ', wide = 0;   /* half a wide char cannot be shown */
    grid_unpair(g, x, y);
    GridCell *c = g->cells + (size_t)y * g->w + x;
    c->ch = ch;
    c->role = (uint8_t)role;
    c->attr = (uint8_t)attr;
    if (wide) {
        grid_unpair(g, x + 1, y);
        c[1].ch = 0;
        c[1].role = (uint8_t)role;
        c[1].attr = (uint8_t)attr;
    }
}

GridCell grid_get(const Grid *g, int x, int y)
{
    GridCell blank = {' ', ROLE_TEXT, 0};
    if (x < 0 || y < 0 || x >= g->w || y >= g->h)
        return blank;
    return g->cells[(size_t)y * g->w + x];
}

/* Control characters would move the terminal cursor: show their pictures. */
static uint32_t grid_visible(uint32_t cp)
{
    if (cp < 0x20)
        return 0x2400 + cp;
    if (cp == 0x7f)
        return 0x2421;
    if (cp >= 0x80 && cp < 0xa0)
        return 0xfffd;
    return cp;
}

int grid_text(Grid *g, int x, int y, int max_w, const char *utf8, Role role, int attr)
{
    if (!utf8)
        return 0;
    size_t len = strlen(utf8), i = 0;
    int used = 0;
    while (i < len && used < max_w) {
        uint32_t cp = grid_visible(utf8_next(utf8, len, &i));
        int cw = grid_char_width(cp);
        if (cw == 0)
            continue;   /* combining marks have no cell of their own */
        if (used + cw > max_w)
            break;
        grid_set(g, x + used, y, cp, role, attr);
        used += cw;
    }
    return used;
}

int grid_text_width(const char *utf8)
{
    size_t len = utf8 ? strlen(utf8) : 0, i = 0;
    int w = 0;
    while (i < len)
        w += grid_char_width(grid_visible(utf8_next(utf8, len, &i)));
    return w;
}

static int grid_is_word_byte(unsigned char c)
{
    return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           c == '.' || c == ',' || c == '%' || c == '/' || c == '_' || c == '-' || c == '+' || c == ':';
}

int grid_text_fit(Grid *g, int x, int y, int max_w, const char *utf8, Role role, int attr)
{
    if (!utf8 || max_w <= 0)
        return 0;
    if (grid_text_width(utf8) <= max_w)
        return grid_text(g, x, y, max_w, utf8, role, attr);
    /* the longest prefix of width <= max_w - 1, then "…" */
    const unsigned char *s = (const unsigned char *)utf8;
    size_t len = strlen(utf8), i = 0, cut = 0;
    int used = 0;
    while (i < len) {
        size_t next = i;
        int cw = grid_char_width(grid_visible(utf8_next(utf8, len, &next)));
        if (used + cw > max_w - 1)
            break;
        used += cw;
        i = cut = next;
    }
    /* the cut splits a word: if that word holds a digit, drop it whole */
    if (cut > 0 && cut < len && grid_is_word_byte(s[cut]) && grid_is_word_byte(s[cut - 1])) {
        size_t a = cut, b = cut;
        while (a > 0 && grid_is_word_byte(s[a - 1]))
            a--;
        while (b < len && grid_is_word_byte(s[b]))
            b++;
        int digit = 0;
        for (size_t k = a; k < b; k++)
            digit |= s[k] >= '0' && s[k] <= '9';
        if (digit)
            cut = a;
    }
    while (cut > 0 && s[cut - 1] == ' ')
        cut--;
    char buf[1024];
    if (cut > sizeof buf - 4)
        cut = sizeof buf - 4;
    memcpy(buf, utf8, cut);
    memcpy(buf + cut, "…", 4); /* 3 bytes and the terminator */
    return grid_text(g, x, y, max_w, buf, role, attr);
}

const char *grid_first_fit(int max_w, int n, const char *const *texts)
{
    for (int i = 0; i < n - 1; i++)
        if (grid_text_width(texts[i]) <= max_w)
            return texts[i];
    return n > 0 ? texts[n - 1] : "";
}

int grid_textf(Grid *g, int x, int y, int max_w, Role role, int attr, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return grid_text(g, x, y, max_w, buf, role, attr);
}

void grid_box(Grid *g, Rect r, const char *title, Role border, Role title_role)
{
    if (r.w < 2 || r.h < 2)
        return;
    int x1 = r.x + r.w - 1, y1 = r.y + r.h - 1;
    for (int x = r.x + 1; x < x1; x++) {
        grid_set(g, x, r.y, 0x2500, border, 0);   /* ─ */
        grid_set(g, x, y1, 0x2500, border, 0);
    }
    for (int y = r.y + 1; y < y1; y++) {
        grid_set(g, r.x, y, 0x2502, border, 0);   /* │ */
        grid_set(g, x1, y, 0x2502, border, 0);
    }
    grid_set(g, r.x, r.y, 0x256d, border, 0);     /* ╭ */
    grid_set(g, x1, r.y, 0x256e, border, 0);      /* ╮ */
    grid_set(g, r.x, y1, 0x2570, border, 0);      /* ╰ */
    grid_set(g, x1, y1, 0x256f, border, 0);       /* ╯ */
    if (title && *title && r.w >= 6) {
        grid_set(g, r.x + 1, r.y, ' ', border, 0);
        int n = grid_text_fit(g, r.x + 2, r.y, r.w - 5, title, title_role, ATTR_BOLD);
        grid_set(g, r.x + 2 + n, r.y, ' ', border, 0);
    }
}

/* Ranges of East Asian Wide / Fullwidth characters and emoji (a compact
 * version of Unicode's EastAsianWidth W/F), sorted. No narrow-vs-wide
 * disagreement with glibc's wcwidth (which curses places cells by) is left;
 * screen.c copes with any a terminal may still have. */
static const uint32_t grid_wide[][2] = {
    {0x1100, 0x115f},   {0x231a, 0x231b},   {0x2329, 0x232a},   {0x23e9, 0x23ec},
    {0x23f0, 0x23f0},   {0x23f3, 0x23f3},   {0x25fd, 0x25fe},   {0x2614, 0x2615},
    {0x2648, 0x2653},   {0x267f, 0x267f},   {0x2693, 0x2693},   {0x26a1, 0x26a1},
    {0x26aa, 0x26ab},   {0x26bd, 0x26be},   {0x26c4, 0x26c5},   {0x26ce, 0x26ce},
    {0x26d4, 0x26d4},   {0x26ea, 0x26ea},   {0x26f2, 0x26f3},   {0x26f5, 0x26f5},
    {0x26fa, 0x26fa},   {0x26fd, 0x26fd},   {0x2705, 0x2705},   {0x270a, 0x270b},
    {0x2728, 0x2728},   {0x274c, 0x274c},   {0x274e, 0x274e},   {0x2753, 0x2755},
    {0x2757, 0x2757},   {0x2795, 0x2797},   {0x27b0, 0x27b0},   {0x27bf, 0x27bf},
    {0x2b1b, 0x2b1c},   {0x2b50, 0x2b50},   {0x2b55, 0x2b55},   {0x2e80, 0x303e},
    {0x3041, 0x33ff},   {0x3400, 0x9fff},   {0xa000, 0xa4cf},   {0xa960, 0xa97f},
    {0xac00, 0xd7a3},   {0xf900, 0xfaff},   {0xfe10, 0xfe19},   {0xfe30, 0xfe6f},
    {0xff00, 0xff60},   {0xffe0, 0xffe6},   {0x16fe0, 0x16fe4}, {0x16ff0, 0x16ff1},
    {0x17000, 0x18d08}, {0x1aff0, 0x1aff3}, {0x1aff5, 0x1affb}, {0x1affd, 0x1affe},
    {0x1b000, 0x1b2ff}, {0x1f004, 0x1f004}, {0x1f0cf, 0x1f0cf}, {0x1f18e, 0x1f18e},
    {0x1f191, 0x1f19a}, {0x1f200, 0x1f251}, {0x1f260, 0x1f265}, {0x1f300, 0x1f320},
    {0x1f32d, 0x1f335}, {0x1f337, 0x1f37c}, {0x1f37e, 0x1f393}, {0x1f3a0, 0x1f3ca},
    {0x1f3cf, 0x1f3d3}, {0x1f3e0, 0x1f3f0}, {0x1f3f4, 0x1f3f4}, {0x1f3f8, 0x1f43e},
    {0x1f440, 0x1f440}, {0x1f442, 0x1f4fc}, {0x1f4ff, 0x1f53d}, {0x1f54b, 0x1f54e},
    {0x1f550, 0x1f567}, {0x1f57a, 0x1f57a}, {0x1f595, 0x1f596}, {0x1f5a4, 0x1f5a4},
    {0x1f5fb, 0x1f64f}, {0x1f680, 0x1f6c5}, {0x1f6cc, 0x1f6cc}, {0x1f6d0, 0x1f6d2},
    {0x1f6d5, 0x1f6d7}, {0x1f6dd, 0x1f6df}, {0x1f6eb, 0x1f6ec}, {0x1f6f4, 0x1f6fc},
    {0x1f7e0, 0x1f7eb}, {0x1f7f0, 0x1f7f0}, {0x1f90c, 0x1f93a}, {0x1f93c, 0x1f945},
    {0x1f947, 0x1f9ff}, {0x1fa70, 0x1faff}, {0x20000, 0x2fffd}, {0x30000, 0x3fffd},
};

/* Zero-width: combining marks, zero-width spaces and joiners, variation
 * selectors. */
static const uint32_t grid_zero[][2] = {
    {0x0300, 0x036f}, {0x0483, 0x0489}, {0x0591, 0x05bd}, {0x0610, 0x061a},
    {0x064b, 0x065f}, {0x0e31, 0x0e31}, {0x0e34, 0x0e3a}, {0x0e47, 0x0e4e},
    {0x1ab0, 0x1aff}, {0x1dc0, 0x1dff}, {0x200b, 0x200f}, {0x2028, 0x202e},
    {0x2060, 0x2064}, {0x20d0, 0x20ff}, {0xfe00, 0xfe0f}, {0xfe20, 0xfe2f},
    {0xfeff, 0xfeff}, {0xe0100, 0xe01ef},
};

static int grid_in(uint32_t cp, const uint32_t (*t)[2], int n)
{
    int lo = 0, hi = n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (cp < t[mid][0])
            hi = mid - 1;
        else if (cp > t[mid][1])
            lo = mid + 1;
        else
            return 1;
    }
    return 0;
}

int grid_char_width(uint32_t ch)
{
    if (ch < 0x300)
        return ch == 0 ? 0 : 1;
    if (grid_in(ch, grid_zero, (int)(sizeof grid_zero / sizeof grid_zero[0])))
        return 0;
    if (grid_in(ch, grid_wide, (int)(sizeof grid_wide / sizeof grid_wide[0])))
        return 2;
    return 1;
}

size_t grid_row_text(const Grid *g, int y, char *buf, size_t cap)
{
    size_t n = 0;
    if (cap == 0)
        return 0;
    for (int x = 0; y >= 0 && y < g->h && x < g->w; x++) {
        uint32_t ch = g->cells[(size_t)y * g->w + x].ch;
        if (ch == 0)
            continue;
        char tmp[4];
        int k = (ch > 0x10ffff || (ch >= 0xd800 && ch <= 0xdfff)) ? utf8_encode(0xfffd, tmp)
                                                                  : utf8_encode(ch, tmp);
        if (n + (size_t)k + 1 > cap)
            break;
        memcpy(buf + n, tmp, (size_t)k);
        n += (size_t)k;
    }
    buf[n] = '\0';
    return n;
}

Rect rect_inset(Rect r, int n)
{
    Rect o = {r.x + n, r.y + n, r.w - 2 * n, r.h - 2 * n};
    if (o.w < 0)
        o.w = 0;
    if (o.h < 0)
        o.h = 0;
    return o;
}
