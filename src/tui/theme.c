/* theme.c — theme files, the built-in theme and colour resolution (see
 * theme.h and themes/README.md).
 *
 * For: parsing `key = value` theme text, finding theme files, and mapping
 * colours down to what a terminal can show. Not for: curses (screen.c turns
 * ThemeResolved into colour pairs).
 */
#include "theme.h"

#include "paths.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The built-in dark theme; themes/default.theme holds the same settings. */
static const char theme_builtin[] =
    "name = default\n"
    "background = default\n"
    "text = default\n"
    "dim = #808080\n"
    "title = #87afd7 bold\n"
    "border = #4e4e4e\n"
    "axis = #767676\n"
    "series1 = #5f87af\n"
    "series2 = #ffaf00\n"
    "series3 = #87d787\n"
    "series4 = #af87d7\n"
    "series5 = #ff8787\n"
    "series6 = #5fd7d7\n"
    "bar = #5fafd7\n"
    "bar_dim.fg = #3a3a3a\n"
    "bar_dim.bg = #262626\n"
    "grad_ok = #87d787\n"
    "grad_low = #5f87ff\n"
    "grad_high = #ff5f5f bold\n"
    "warning = #ffd75f\n"
    "error = #ff5f5f bold\n"
    "good = #87d787\n"
    "status.fg = #d0d0d0\n"
    "status.bg = #303030\n"
    "input = default\n"
    "selected.fg = #ffffff\n"
    "selected.bg = #3a3a3a\n"
    "escape = #d787d7\n"
    "heat0 = #440154\n"
    "heat1 = #46327e\n"
    "heat2 = #365c8d\n"
    "heat3 = #277f8e\n"
    "heat4 = #1fa187\n"
    "heat5 = #4ac16d\n"
    "heat6 = #a0da39\n"
    "heat7 = #fde725\n"
    "div0.fg = #ffffff\n"
    "div0.bg = #2166ac\n"
    "div1.fg = #ffffff\n"
    "div1.bg = #4393c3\n"
    "div2.fg = #000000\n"
    "div2.bg = #92c5de\n"
    "div3.fg = #000000\n"
    "div3.bg = #d1e5f0\n"
    "div4 = default\n"
    "div5.fg = #000000\n"
    "div5.bg = #fddbc7\n"
    "div6.fg = #000000\n"
    "div6.bg = #f4a582\n"
    "div7.fg = #ffffff\n"
    "div7.bg = #d6604d\n"
    "div8.fg = #ffffff\n"
    "div8.bg = #b2182b\n"
    "title.mono = bold\n"
    "series2.mono = bold\n"
    "grad_low.mono = underline\n"
    "grad_high.mono = bold\n"
    "warning.mono = bold\n"
    "error.mono = bold,reverse\n"
    "status.mono = reverse\n"
    "selected.mono = reverse\n"
    "escape.mono = underline\n"
    "heat4.mono = bold\n"
    "heat5.mono = bold\n"
    "heat6.mono = reverse\n"
    "heat7.mono = reverse,bold\n"
    "div0.mono = reverse,underline\n"
    "div1.mono = underline\n"
    "div7.mono = bold\n"
    "div8.mono = reverse,bold\n";

static const char *const theme_keys[ROLE_COUNT] = {
    "text", "dim", "title", "border", "axis",
    "series1", "series2", "series3", "series4", "series5", "series6",
    "bar", "bar_dim", "grad_ok", "grad_low", "grad_high",
    "warning", "error", "good", "status", "input", "selected", "escape",
    "heat0", "heat1", "heat2", "heat3", "heat4", "heat5", "heat6", "heat7",
    "div0", "div1", "div2", "div3", "div4", "div5", "div6", "div7", "div8",
};

const char *theme_role_key(Role r)
{
    return r < ROLE_COUNT ? theme_keys[r] : "?";
}

const char *theme_default_text(void)
{
    return theme_builtin;
}

/* ---- colours ---- */

static const char *const theme_basic_names[16] = {
    "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
    "bright_black", "bright_red", "bright_green", "bright_yellow",
    "bright_blue", "bright_magenta", "bright_cyan", "bright_white",
};

/* xterm's default RGB for the 16 basic colours. */
static const uint8_t theme_basic_rgb[16][3] = {
    {0, 0, 0},       {205, 0, 0},     {0, 205, 0},     {205, 205, 0},
    {0, 0, 238},     {205, 0, 205},   {0, 205, 205},   {229, 229, 229},
    {127, 127, 127}, {255, 0, 0},     {0, 255, 0},     {255, 255, 0},
    {92, 92, 255},   {255, 0, 255},   {0, 255, 255},   {255, 255, 255},
};

static const uint8_t theme_cube[6] = {0, 95, 135, 175, 215, 255};

void theme_index_rgb(int index, uint8_t rgb[3])
{
    if (index < 0 || index > 255)
        index = 0;
    if (index < 16) {
        memcpy(rgb, theme_basic_rgb[index], 3);
    } else if (index < 232) {
        int i = index - 16;
        rgb[0] = theme_cube[i / 36];
        rgb[1] = theme_cube[(i / 6) % 6];
        rgb[2] = theme_cube[i % 6];
    } else {
        rgb[0] = rgb[1] = rgb[2] = (uint8_t)(8 + 10 * (index - 232));
    }
}

static long theme_dist(int r, int g, int b, const uint8_t c[3])
{
    long dr = r - c[0], dg = g - c[1], db = b - c[2];
    return dr * dr + dg * dg + db * db;
}

static int theme_cube_level(int v)
{
    if (v < 48)
        return 0;
    if (v < 115)
        return 1;
    return (v - 35) / 40;
}

int theme_nearest_256(uint8_t r, uint8_t g, uint8_t b)
{
    /* Best cube entry: per channel the nearest level (the levels are sorted,
     * so the nearest per channel is the nearest overall). */
    int cr = theme_cube_level(r), cg = theme_cube_level(g), cb = theme_cube_level(b);
    int cube = 16 + 36 * cr + 6 * cg + cb;
    uint8_t c[3];
    theme_index_rgb(cube, c);
    long dc = theme_dist(r, g, b, c);
    /* Best grey: the ramp entry nearest the mean. */
    int mean = (r + g + b) / 3;
    int k = (mean - 8 + 5) / 10;
    if (k < 0)
        k = 0;
    if (k > 23)
        k = 23;
    long best_grey = -1;
    int grey = 232;
    for (int j = k - 1; j <= k + 1; j++) {
        if (j < 0 || j > 23)
            continue;
        theme_index_rgb(232 + j, c);
        long d = theme_dist(r, g, b, c);
        if (best_grey < 0 || d < best_grey) {
            best_grey = d;
            grey = 232 + j;
        }
    }
    return best_grey < dc ? grey : cube;
}

int theme_nearest_basic(uint8_t r, uint8_t g, uint8_t b, int n)
{
    if (n != 8)
        n = 16;
    int best = 0;
    long bd = -1;
    for (int i = 0; i < n; i++) {
        long d = theme_dist(r, g, b, theme_basic_rgb[i]);
        if (bd < 0 || d < bd) {
            bd = d;
            best = i;
        }
    }
    return best;
}

static int theme_hex(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int theme_parse_color(const char *s, ThemeColor *out)
{
    ThemeColor c;
    memset(&c, 0, sizeof c);
    if (!s || !*s)
        return -1;
    if (s[0] == '#') {
        if (strlen(s) != 7)
            return -1;
        int v[6];
        for (int i = 0; i < 6; i++)
            if ((v[i] = theme_hex((unsigned char)s[i + 1])) < 0)
                return -1;
        c.kind = THEME_COLOR_RGB;
        c.r = (uint8_t)(v[0] * 16 + v[1]);
        c.g = (uint8_t)(v[2] * 16 + v[3]);
        c.b = (uint8_t)(v[4] * 16 + v[5]);
        *out = c;
        return 0;
    }
    if (isdigit((unsigned char)s[0])) {
        char *end;
        long v = strtol(s, &end, 10);
        if (*end || v < 0 || v > 255 || strlen(s) > 3)
            return -1;
        c.kind = THEME_COLOR_INDEX;
        c.index = (uint8_t)v;
        *out = c;
        return 0;
    }
    /* Names: case-insensitive, '-' and '_' optional in bright variants. */
    char norm[32];
    size_t n = 0;
    for (const char *p = s; *p && n + 1 < sizeof norm; p++)
        if (*p != '_' && *p != '-')
            norm[n++] = (char)tolower((unsigned char)*p);
    norm[n] = '\0';
    if (strcmp(norm, "default") == 0 || strcmp(norm, "none") == 0) {
        c.kind = THEME_COLOR_DEFAULT;
        *out = c;
        return 0;
    }
    if (strcmp(norm, "grey") == 0 || strcmp(norm, "gray") == 0)
        snprintf(norm, sizeof norm, "brightblack");
    for (int i = 0; i < 16; i++) {
        char want[32];
        size_t k = 0;
        for (const char *p = theme_basic_names[i]; *p; p++)
            if (*p != '_')
                want[k++] = *p;
        want[k] = '\0';
        if (strcmp(norm, want) == 0) {
            c.kind = THEME_COLOR_INDEX;
            c.index = (uint8_t)i;
            *out = c;
            return 0;
        }
    }
    return -1;
}

static int theme_is_dark(int index)
{
    uint8_t c[3];
    theme_index_rgb(index, c);
    return 299 * c[0] + 587 * c[1] + 114 * c[2] < 128 * 1000;
}

int theme_color_resolve(ThemeColor c, int depth)
{
    if (depth <= THEME_DEPTH_MONO || c.kind == THEME_COLOR_UNSET || c.kind == THEME_COLOR_DEFAULT)
        return -1;
    int basic = depth >= THEME_DEPTH_16 ? 16 : 8;
    if (c.kind == THEME_COLOR_INDEX) {
        if (depth >= THEME_DEPTH_256)
            return c.index;
        if (c.index < 16)
            return basic == 16 ? c.index : c.index & 7;
        uint8_t rgb[3];
        theme_index_rgb(c.index, rgb);
        return theme_nearest_basic(rgb[0], rgb[1], rgb[2], basic);
    }
    if (depth >= THEME_DEPTH_TRUE)
        return THEME_RGB_FLAG | (c.r << 16) | (c.g << 8) | c.b;
    if (depth >= THEME_DEPTH_256)
        return theme_nearest_256(c.r, c.g, c.b);
    return theme_nearest_basic(c.r, c.g, c.b, basic);
}

static int theme_basic_n(int depth)
{
    return depth >= THEME_DEPTH_16 ? 16 : 8;
}

/* The basic colour a resolved one stands for at 8 or 16 colours: the
 * terminal's default background is taken as black (0) and its default
 * foreground as white (7), what an 8-colour terminal such as TERM=xterm
 * shows. */
static int theme_effective(int c, int dflt)
{
    return c >= 0 ? c : dflt;
}

/* Nearest basic colour (of n) to want other than avoid. An achromatic
 * colour (grey: a border, dim text) stays achromatic, so a dark grey frame
 * turns white or bright black, not red; a dark colour on a dark background
 * is brightened first (to the basic colours' 205), so it keeps its hue: a
 * dark teal frame turns cyan, not green. */
static int theme_nearest_other(const uint8_t want[3], int n, int avoid)
{
    int mx = want[0], mn = want[0];
    for (int i = 1; i < 3; i++) {
        mx = want[i] > mx ? want[i] : mx;
        mn = want[i] < mn ? want[i] : mn;
    }
    int grey = mx - mn < 48;
    int c[3] = {want[0], want[1], want[2]};
    if (theme_is_dark(avoid) && mx > 0 && mx < 205)
        for (int i = 0; i < 3; i++)
            c[i] = c[i] * 205 / mx;
    int best = -1;
    long bd = -1;
    for (int i = 0; i < n; i++) {
        int achromatic = i == 0 || i == 7 || i == 8 || i == 15;
        if (i == avoid || (grey && !achromatic))
            continue;
        long d = theme_dist(c[0], c[1], c[2], theme_basic_rgb[i]);
        if (bd < 0 || d < bd) {
            bd = d;
            best = i;
        }
    }
    return best >= 0 ? best : (theme_is_dark(avoid) ? 7 : 0);
}

/* Two distinct colours can collapse into one basic colour, or a dark colour
 * onto the terminal's black background (borders drawn black on black at
 * TERM=xterm): keep every foreground readable rather than invisible, picking
 * the nearest basic colour that differs from the background. */
static void theme_keep_visible(ThemeColor fg, ThemeResolved *o, int n)
{
    int bg = theme_effective(o->bg, 0);
    if (theme_effective(o->fg, 7) != bg)
        return;
    uint8_t want[3];
    if (fg.kind == THEME_COLOR_RGB) {
        want[0] = fg.r;
        want[1] = fg.g;
        want[2] = fg.b;
    } else if (fg.kind == THEME_COLOR_INDEX) {
        theme_index_rgb(fg.index, want);
    } else {
        o->fg = theme_is_dark(bg) ? 7 : 0; /* the default foreground on a white background */
        return;
    }
    o->fg = theme_nearest_other(want, n, bg);
}

void theme_resolve(const Theme *t, int depth, ThemeResolved *out, int *screen_bg)
{
    int bg = theme_color_resolve(t->background, depth);
    ThemeColor text_fg = t->style[ROLE_TEXT].fg;
    for (int r = 0; r < ROLE_COUNT; r++) {
        const ThemeStyle *s = &t->style[r];
        if (depth <= THEME_DEPTH_MONO) {
            out[r].fg = out[r].bg = -1;
            out[r].attr = s->attr | s->mono;
            continue;
        }
        ThemeColor fg = s->fg.kind == THEME_COLOR_UNSET ? text_fg : s->fg;
        out[r].fg = theme_color_resolve(fg, depth);
        out[r].bg = s->bg.kind == THEME_COLOR_UNSET ? bg : theme_color_resolve(s->bg, depth);
        out[r].attr = s->attr;
        if (depth <= THEME_DEPTH_16)
            theme_keep_visible(fg, &out[r], theme_basic_n(depth));
    }
    if (screen_bg)
        *screen_bg = bg;
}

int theme_depth_detect(const char *no_color, const char *colorterm, int curses_colors)
{
    if (no_color && *no_color)
        return THEME_DEPTH_MONO;
    if (curses_colors < 8)
        return THEME_DEPTH_MONO;
    if (colorterm && (strcmp(colorterm, "truecolor") == 0 || strcmp(colorterm, "24bit") == 0))
        return THEME_DEPTH_TRUE;
    if (curses_colors >= 256)
        return THEME_DEPTH_256;
    if (curses_colors >= 16)
        return THEME_DEPTH_16;
    return THEME_DEPTH_8;
}

/* ---- parsing ---- */

__attribute__((format(printf, 4, 5)))
static void theme_warn(Theme *t, const char *source, int line, const char *fmt, ...)
{
    char msg[400], full[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(full, sizeof full, "%s:%d: %s", source, line, msg);
    t->warnings = xrealloc(t->warnings, sizeof(char *) * (size_t)(t->nwarnings + 1));
    t->warnings[t->nwarnings++] = xstrdup(full);
}

static char *theme_trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* Attribute words separated by spaces or commas; -1 on an unknown word. */
static int theme_parse_attrs(char *s, int *attr, char *bad, size_t badcap)
{
    int a = 0;
    for (char *tok = strtok(s, " \t,"); tok; tok = strtok(NULL, " \t,")) {
        if (strcmp(tok, "bold") == 0)
            a |= ATTR_BOLD;
        else if (strcmp(tok, "reverse") == 0)
            a |= ATTR_REVERSE;
        else if (strcmp(tok, "underline") == 0)
            a |= ATTR_UNDERLINE;
        else if (strcmp(tok, "none") == 0 || strcmp(tok, "normal") == 0)
            ;
        else {
            snprintf(bad, badcap, "%s", tok);
            return -1;
        }
    }
    *attr = a;
    return 0;
}

static int theme_find_role(const char *key, size_t n)
{
    for (int r = 0; r < ROLE_COUNT; r++)
        if (strlen(theme_keys[r]) == n && strncmp(theme_keys[r], key, n) == 0)
            return r;
    return -1;
}

static const char theme_color_help[] =
    "use a name (red, bright_blue, default...), an index 0-255 or #rrggbb";

static void theme_apply(Theme *t, const char *key, char *value, const char *source, int line)
{
    if (strcmp(key, "name") == 0) {
        snprintf(t->name, sizeof t->name, "%s", value);
        return;
    }
    if (strcmp(key, "background") == 0) {
        ThemeColor c;
        if (theme_parse_color(value, &c) != 0)
            theme_warn(t, source, line, "bad colour '%s' for 'background': %s", value,
                       theme_color_help);
        else
            t->background = c;
        return;
    }
    /* role, role.fg, role.bg, role.attr, role.mono; role_fg and role_bg too. */
    size_t klen = strlen(key);
    const char *field = "fg";
    size_t rlen = klen;
    const char *dot = strchr(key, '.');
    if (dot) {
        rlen = (size_t)(dot - key);
        field = dot + 1;
    } else if (klen > 3 && (strcmp(key + klen - 3, "_fg") == 0 || strcmp(key + klen - 3, "_bg") == 0)
               && theme_find_role(key, klen) < 0) {
        rlen = klen - 3;
        field = key + klen - 2;
    }
    int role = theme_find_role(key, rlen);
    if (strcmp(key, "foreground") == 0)
        role = ROLE_TEXT;
    int fg = strcmp(field, "fg") == 0, bg = strcmp(field, "bg") == 0;
    int at = strcmp(field, "attr") == 0, mono = strcmp(field, "mono") == 0;
    if (role < 0 || !(fg || bg || at || mono)) {
        theme_warn(t, source, line, "unknown key '%s'; the keys are listed in themes/README.md",
                   key);
        return;
    }
    ThemeStyle *st = &t->style[role];
    char bad[64];
    if (at || mono) {
        int a;
        if (theme_parse_attrs(value, &a, bad, sizeof bad) != 0) {
            theme_warn(t, source, line,
                       "bad attribute '%s' for '%s': use bold, reverse, underline or none", bad,
                       key);
            return;
        }
        if (at)
            st->attr = a;
        else
            st->mono = a;
        return;
    }
    /* A colour, then optional attributes for fg: "title = yellow bold". */
    char *rest = value;
    while (*rest && !isspace((unsigned char)*rest))
        rest++;
    if (*rest)
        *rest++ = '\0';
    ThemeColor c;
    if (theme_parse_color(value, &c) != 0) {
        theme_warn(t, source, line, "bad colour '%s' for '%s': %s", value, key, theme_color_help);
        return;
    }
    int a = 0;
    if (*theme_trim(rest) && theme_parse_attrs(rest, &a, bad, sizeof bad) != 0) {
        theme_warn(t, source, line,
                   "bad attribute '%s' for '%s': use bold, reverse, underline or none", bad, key);
        return;
    }
    if (fg) {
        st->fg = c;
        st->attr = a;
    } else {
        st->bg = c;
        if (a)
            st->attr = a;
    }
}

int theme_parse(Theme *t, const char *text, const char *source)
{
    int before = t->nwarnings;
    const char *p = text;
    for (int line = 1; *p; line++) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char *buf = xmalloc(len + 1);
        memcpy(buf, p, len);
        buf[len] = '\0';
        p += len + (nl ? 1 : 0);
        /* A line whose first non-space is '#' is a comment; elsewhere '#'
         * starts one only when a space or the end of the line follows it, so
         * "#rrggbb" stays a colour. */
        char *first = buf + strspn(buf, " \t\r");
        if (*first == '#')
            *first = '\0';
        for (char *h = first; (h = strchr(h, '#')) != NULL; h++)
            if (h[1] == '\0' || isspace((unsigned char)h[1])) {
                *h = '\0';
                break;
            }
        char *s = theme_trim(buf);
        if (*s) {
            char *eq = strchr(s, '=');
            if (!eq) {
                theme_warn(t, source, line, "expected 'key = value', got '%s'", s);
            } else {
                *eq = '\0';
                char *key = theme_trim(s), *value = theme_trim(eq + 1);
                if (!*key || !*value)
                    theme_warn(t, source, line, "expected 'key = value' with both present");
                else
                    theme_apply(t, key, value, source, line);
            }
        }
        free(buf);
    }
    return t->nwarnings - before;
}

void theme_default(Theme *t)
{
    memset(t, 0, sizeof *t);
    theme_parse(t, theme_builtin, "built-in theme");
}

void theme_free(Theme *t)
{
    for (int i = 0; i < t->nwarnings; i++)
        free(t->warnings[i]);
    free(t->warnings);
    t->warnings = NULL;
    t->nwarnings = 0;
}

#define THEME_MAX_BYTES (1 << 20)

int theme_load(Theme *t, const char *path, Err *err)
{
    theme_default(t);
    /* a theme is a few hundred bytes of text: refuse anything that is not a
     * regular file (a FIFO would block, /dev/zero would never end) or is huge */
    struct stat st;
    if (stat(path, &st) == 0 && (!S_ISREG(st.st_mode) || st.st_size > THEME_MAX_BYTES))
        return err_set(err, ERR_INPUT, "theme file '%s' is %s; give a 'key = value' text file", path,
                       S_ISREG(st.st_mode) ? "larger than 1 MB" : "not a regular file");
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(err, ERR_INPUT, "cannot open theme file '%s': %s; check the path or use "
                       "--theme default", path, strerror(errno));
    size_t cap = 4096, n = 0;
    char *text = xmalloc(cap);
    size_t k;
    while (n < THEME_MAX_BYTES && (k = fread(text + n, 1, cap - n - 1, f)) > 0) {
        n += k;
        if (n + 1 == cap)
            text = xrealloc(text, cap *= 2);
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(text);
        return err_set(err, ERR_INPUT, "cannot read theme file '%s'; check the file", path);
    }
    text[n] = '\0';
    if (memchr(text, '\0', n)) {
        free(text);
        return err_set(err, ERR_INPUT, "theme file '%s' is binary, not 'key = value' text",
                       path);
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    snprintf(t->name, sizeof t->name, "%.*s", (int)strcspn(base, "."), base);
    snprintf(t->path, sizeof t->path, "%s", path);
    theme_parse(t, text, path);
    free(text);
    return ERR_OK;
}

/* ---- finding themes ---- */

void theme_dirs_add(ThemeDirs *d, const char *dir)
{
    size_t n = dir ? strlen(dir) : 0;
    if (d->n < THEME_MAX_DIRS && n > 0 && n < sizeof d->dir[0])
        memcpy(d->dir[d->n++], dir, n + 1);   /* longer paths are skipped, not cut */
}

void theme_dirs_default(ThemeDirs *d, const char *exe_path)
{
    char buf[2048];
    d->n = 0;
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    if (xdg && *xdg) {
        snprintf(buf, sizeof buf, "%s/rnnscope/themes", xdg);
        theme_dirs_add(d, buf);
    } else if (home && *home) {
        snprintf(buf, sizeof buf, "%s/.config/rnnscope/themes", home);
        theme_dirs_add(d, buf);
    }
    if (exe_path && *exe_path) { /* tests: a program elsewhere */
        char exe[1024];
        snprintf(exe, sizeof exe, "%s", exe_path);
        char *slash = strrchr(exe, '/');
        theme_dirs_add(d, "themes");
        if (slash) {
            *slash = '\0';
            snprintf(buf, sizeof buf, "%s/../themes", exe);
            theme_dirs_add(d, buf);
            snprintf(buf, sizeof buf, "%s/../share/rnnscope/themes", exe);
            theme_dirs_add(d, buf);
        }
        return;
    }
    /* ./themes, next to the program, then the install prefix (paths.h) */
    for (int i = 0; i < PATHS_SHIPPED_DIRS; i++)
        if (paths_shipped_dir("themes", i, buf, sizeof buf))
            theme_dirs_add(d, buf);
}

static int theme_is_path(const char *name)
{
    size_t n = strlen(name);
    return strchr(name, '/') || (n > 6 && strcmp(name + n - 6, ".theme") == 0);
}

int theme_find(const ThemeDirs *d, const char *name, char *path, size_t cap)
{
    if (!name || !*name)
        return -1;
    if (theme_is_path(name)) {
        if (access(name, R_OK) != 0)
            return -1;
        snprintf(path, cap, "%s", name);
        return 0;
    }
    for (int i = 0; i < d->n; i++) {
        char buf[2048];
        snprintf(buf, sizeof buf, "%s/%s.theme", d->dir[i], name);
        if (access(buf, R_OK) == 0) {
            snprintf(path, cap, "%s", buf);
            return 0;
        }
    }
    return -1;
}

int theme_load_named(Theme *t, const ThemeDirs *d, const char *name, Err *err)
{
    char path[2048];
    if (theme_find(d, name, path, sizeof path) == 0)
        return theme_load(t, path, err);
    theme_default(t);
    if (name && strcmp(name, "default") == 0)
        return ERR_OK;
    if (name && theme_is_path(name))
        return err_set(err, ERR_INPUT, "cannot open theme file '%s'; check the path", name);
    char **names;
    int n = theme_list(d, &names);
    char list[300] = "";
    for (int i = 0; i < n; i++) {
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", names[i]);
    }
    theme_list_free(names, n);
    return err_set(err, ERR_INPUT, "theme '%s' not found; available: %s", name ? name : "",
                   list);
}

static int theme_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int theme_list(const ThemeDirs *d, char ***names_out)
{
    int n = 0, cap = 8;
    char **names = xmalloc(sizeof(char *) * (size_t)cap);
    names[n++] = xstrdup("default");
    for (int i = 0; i < d->n; i++) {
        DIR *dir = opendir(d->dir[i]);
        if (!dir)
            continue;
        struct dirent *e;
        while ((e = readdir(dir)) != NULL) {
            size_t len = strlen(e->d_name);
            if (len <= 6 || strcmp(e->d_name + len - 6, ".theme") != 0 || e->d_name[0] == '.')
                continue;
            char stem[256];
            snprintf(stem, sizeof stem, "%.*s", (int)(len - 6), e->d_name);
            int dup = 0;
            for (int k = 0; k < n && !dup; k++)
                dup = strcmp(names[k], stem) == 0;
            if (dup)
                continue;
            if (n == cap)
                names = xrealloc(names, sizeof(char *) * (size_t)(cap *= 2));
            names[n++] = xstrdup(stem);
        }
        closedir(dir);
    }
    qsort(names, (size_t)n, sizeof(char *), theme_cmp);
    *names_out = names;
    return n;
}

void theme_list_free(char **names, int n)
{
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}
