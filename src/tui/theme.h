/* theme.h — colour themes: parse theme files, map Roles to colours, and
 * resolve colours for the terminal's colour depth.
 *
 * For: everything that decides what a Role looks like. A theme file is
 * `key = value` lines (# comments), documented in themes/README.md:
 *
 *     background = #282828          default background of every role
 *     text       = #ebdbb2          a role's foreground (same as text.fg)
 *     title      = #fabd2f bold     colour then attributes
 *     status.fg  = black            foreground / background / attributes /
 *     status.bg  = #a89984          attributes used without colour
 *     status.attr = bold
 *     status.mono = reverse
 *
 * Colours: names (black red green yellow blue magenta cyan white, bright_*
 * variants, grey = bright_black, default), 256-colour indices 0..255, or
 * #rrggbb. Resolution (theme_resolve): truecolor keeps #rrggbb; 256 colours
 * map it to the nearest xterm-256 colour (6x6x6 cube and grey ramp, by RGB
 * distance); 16 / 8 colours to the nearest basic one, except that a
 * foreground never lands on its background (the terminal's default
 * background counts as black, as TERM=xterm shows it): it takes the nearest
 * other basic colour, greys staying grey and dark colours keeping their hue
 * (the default theme's dark grey frame is white at 8 colours, bright black
 * at 16); no colour (monochrome,
 * NO_COLOR) drops colours and uses each role's mono attributes so roles stay
 * distinguishable.
 *
 * Not for: talking to curses (screen.c does that with theme_resolve's
 * output), or any global state: a Theme is a plain value the app owns.
 */
#ifndef RNNSCOPE_THEME_H
#define RNNSCOPE_THEME_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "grid.h"

typedef enum {
    THEME_COLOR_UNSET = 0,  /* inherit: fg from text, bg from background */
    THEME_COLOR_DEFAULT,    /* the terminal's own default colour */
    THEME_COLOR_INDEX,      /* palette index 0..255 */
    THEME_COLOR_RGB         /* #rrggbb */
} ThemeColorKind;

typedef struct {
    uint8_t kind;           /* ThemeColorKind */
    uint8_t index;          /* when INDEX */
    uint8_t r, g, b;        /* when RGB */
} ThemeColor;

typedef struct {
    ThemeColor fg, bg;
    int attr;               /* ATTR_* in every mode */
    int mono;               /* ATTR_* instead of colour when there is none */
} ThemeStyle;

typedef struct {
    char name[64];          /* from the file name or a `name = ...` key */
    char path[1024];        /* file loaded, "" for the built-in theme */
    ThemeColor background;  /* the screen background */
    ThemeStyle style[ROLE_COUNT];
    char **warnings;        /* (nwarnings) "file:line: what, what to do" */
    int nwarnings;
} Theme;

/* Colour depths a terminal may have. */
enum { THEME_DEPTH_MONO = 0, THEME_DEPTH_8 = 8, THEME_DEPTH_16 = 16,
       THEME_DEPTH_256 = 256, THEME_DEPTH_TRUE = 16777216 };

/* A resolved colour: -1 = terminal default, 0..255 = palette index, or
 * THEME_RGB_FLAG | 0xRRGGBB (only at THEME_DEPTH_TRUE). */
#define THEME_RGB_FLAG 0x1000000
typedef struct {
    int fg, bg;
    int attr;               /* ATTR_* */
} ThemeResolved;

/* The built-in dark default (the same as themes/default.theme). */
void theme_default(Theme *t);
/* The built-in theme text (key = value lines). */
const char *theme_default_text(void);

/* Load a theme file on top of the built-in default. A missing or unreadable
 * file is an error (ERR_INPUT, *t left as the default). Unknown keys, bad
 * colours and bad lines are warnings "path:line: ..." in t->warnings and
 * the rest still loads. Call theme_free on *t either way. */
int theme_load(Theme *t, const char *path, Err *err);

/* Apply theme text to *t (which must be initialised, e.g. by theme_default);
 * source names the text in warnings. Returns the number of warnings added. */
int theme_parse(Theme *t, const char *text, const char *source);

void theme_free(Theme *t);

/* Parse one colour ("red", "bright_red", "default", "208", "#ff8800").
 * Returns 0, or -1 if it is not a colour. */
int theme_parse_color(const char *s, ThemeColor *out);

/* The theme key naming a role ("text", "warning", "series1", ...). */
const char *theme_role_key(Role r);

/* RGB of a palette index under the xterm defaults. */
void theme_index_rgb(int index, uint8_t rgb[3]);
/* Nearest xterm-256 colour (16..255: cube or grey ramp) by RGB distance. */
int theme_nearest_256(uint8_t r, uint8_t g, uint8_t b);
/* Nearest of the first n (8 or 16) basic colours by RGB distance. */
int theme_nearest_basic(uint8_t r, uint8_t g, uint8_t b, int n);

/* One colour at a depth: -1, an index, or THEME_RGB_FLAG|rgb (see above). */
int theme_color_resolve(ThemeColor c, int depth);

/* Resolve every role for a depth into out[ROLE_COUNT] (unset colours
 * inherited; at THEME_DEPTH_MONO fg = bg = -1 and attr = the mono attrs).
 * *screen_bg (may be NULL) gets the resolved background. */
void theme_resolve(const Theme *t, int depth, ThemeResolved *out, int *screen_bg);

/* Colour depth from the environment and what curses reports: no_color
 * (getenv("NO_COLOR")) non-empty -> MONO; colorterm "truecolor"/"24bit" ->
 * TRUE (when curses_colors >= 8); else 256, 16 or 8 by curses_colors;
 * fewer -> MONO. */
int theme_depth_detect(const char *no_color, const char *colorterm, int curses_colors);

/* Where themes are looked for, in order:
 *   $XDG_CONFIG_HOME/rnnscope/themes (default ~/.config/rnnscope/themes),
 *   ./themes, <dir of exe>/../themes, <dir of exe>/../share/rnnscope/themes. */
enum { THEME_MAX_DIRS = 6 };
typedef struct {
    int n;
    char dir[THEME_MAX_DIRS][1024];
} ThemeDirs;

/* The standard directories; exe_path may be NULL (then /proc/self/exe). */
void theme_dirs_default(ThemeDirs *d, const char *exe_path);
void theme_dirs_add(ThemeDirs *d, const char *dir);

/* Find theme `name` (e.g. "gruvbox"; a name containing '/' or ending in
 * ".theme" is taken as a path). Writes the path; returns 0, or -1 if none. */
int theme_find(const ThemeDirs *d, const char *name, char *path, size_t cap);

/* Find and load `name`; "default" with no file found gives the built-in.
 * Errors: not found (ERR_INPUT, listing what exists) or theme_load's. */
int theme_load_named(Theme *t, const ThemeDirs *d, const char *name, Err *err);

/* Names of all themes in the directories (without ".theme"), sorted, no
 * duplicates, always including "default". Returns the count; *names is a
 * malloc'ed array of malloc'ed strings: free with theme_list_free. */
int theme_list(const ThemeDirs *d, char ***names);
void theme_list_free(char **names, int n);

#endif
