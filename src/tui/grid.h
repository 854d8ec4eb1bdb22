/* grid.h — the off-screen cell grid every widget draws into.
 *
 * A widget is a pure function from (data, rectangle, theme roles) to cells of
 * a Grid: it never calls curses, so widgets are tested by drawing into a grid
 * and comparing its text and roles with a golden expectation. One small
 * backend (screen.c) copies a grid to the terminal, redrawing only the cells
 * that changed since the last frame.
 *
 * Colours are never chosen at a call site: a cell carries a Role (what it is:
 * chart series 1, a warning, a bar...) and the theme maps roles to colours.
 */
#ifndef RNNSCOPE_GRID_H
#define RNNSCOPE_GRID_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    ROLE_TEXT = 0,    /* ordinary text on the background */
    ROLE_DIM,         /* secondary text: units, hints */
    ROLE_TITLE,       /* panel titles */
    ROLE_BORDER,      /* panel frames */
    ROLE_AXIS,        /* chart axes and tick labels */
    ROLE_SERIES1,     /* chart series: training loss (raw) */
    ROLE_SERIES2,     /* training loss (smoothed) */
    ROLE_SERIES3,     /* validation loss */
    ROLE_SERIES4,     /* baselines, reference lines */
    ROLE_SERIES5,     /* user series (Lua plot), comparison runs */
    ROLE_SERIES6,
    ROLE_BAR,         /* probability bars */
    ROLE_BAR_DIM,     /* the unfilled part of a bar */
    ROLE_GRAD_OK,     /* gradient norm in a healthy range */
    ROLE_GRAD_LOW,    /* vanishing */
    ROLE_GRAD_HIGH,   /* exploding */
    ROLE_WARN,        /* warnings */
    ROLE_ERROR,       /* errors */
    ROLE_GOOD,        /* running, improvements */
    ROLE_STATUS,      /* the status line */
    ROLE_INPUT,       /* the input line */
    ROLE_SELECTED,    /* selection, cursor line */
    ROLE_ESCAPE,      /* visible escapes of invisible characters: ␣ ⏎ \x07 */
    ROLE_HEAT0,       /* heatmap scale, low ... */
    ROLE_HEAT1,
    ROLE_HEAT2,
    ROLE_HEAT3,
    ROLE_HEAT4,
    ROLE_HEAT5,
    ROLE_HEAT6,
    ROLE_HEAT7,       /* ... high */
    ROLE_DIV0,        /* diverging scale (units screen): -1 ... */
    ROLE_DIV1,
    ROLE_DIV2,
    ROLE_DIV3,
    ROLE_DIV4,        /* 0 */
    ROLE_DIV5,
    ROLE_DIV6,
    ROLE_DIV7,
    ROLE_DIV8,        /* ... +1 */
    ROLE_COUNT
} Role;

enum { ATTR_BOLD = 1, ATTR_REVERSE = 2, ATTR_UNDERLINE = 4 };

typedef struct {
    uint32_t ch;     /* Unicode code point; 0 = the right half of a wide character */
    uint8_t role;    /* Role */
    uint8_t attr;    /* ATTR_* bits */
} GridCell;

typedef struct {
    int w, h;
    GridCell *cells; /* (h, w) row-major */
} Grid;

typedef struct {
    int x, y, w, h;
} Rect;

void grid_init(Grid *g, int w, int h);       /* all spaces, ROLE_TEXT */
void grid_free(Grid *g);
void grid_resize(Grid *g, int w, int h);     /* contents cleared */
void grid_clear(Grid *g);
void grid_fill(Grid *g, Rect r, uint32_t ch, Role role);
/* One cell; ignored outside the grid. ch 0 is reserved for the right half of
 * a wide character (the grid writes it itself): passed here it means ' '. */
void grid_set(Grid *g, int x, int y, uint32_t ch, Role role, int attr);
GridCell grid_get(const Grid *g, int x, int y);
/* UTF-8 text from (x, y), clipped to max_w columns (wide characters take two;
 * invalid bytes show as U+FFFD). Returns the columns used. */
int grid_text(Grid *g, int x, int y, int max_w, const char *utf8, Role role, int attr);
/* Display columns of UTF-8 text, as grid_text counts them. */
int grid_text_width(const char *utf8);
/* grid_text, but text wider than max_w ends in "…" instead of a silent cut,
 * and a number is never cut: a word holding a digit goes whole or not at all.
 * Returns the columns used. */
int grid_text_fit(Grid *g, int x, int y, int max_w, const char *utf8, Role role, int attr);
/* The first of n texts that fits in max_w columns (else the last one), for
 * labels that have shorter forms ("clip fired 3/120" -> "clip 3/120"). */
const char *grid_first_fit(int max_w, int n, const char *const *texts);
/* printf into grid_text. */
int grid_textf(Grid *g, int x, int y, int max_w, Role role, int attr, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
/* A frame with a title on the top border (too long a title: grid_text_fit). */
void grid_box(Grid *g, Rect r, const char *title, Role border, Role title_role);
/* Display width of one code point: 0, 1 or 2. */
int grid_char_width(uint32_t ch);
/* Row y as UTF-8 (trailing spaces kept) into buf, for tests and golden files. */
size_t grid_row_text(const Grid *g, int y, char *buf, size_t cap);

static inline Rect rect_make(int x, int y, int w, int h)
{
    Rect r = {x, y, w, h};
    return r;
}

/* Rect shrunk by n cells on every side (never negative). */
Rect rect_inset(Rect r, int n);

#endif
