/* test_theme.c — theme parsing (bad keys and colours reported with file:line
 * while the rest loads), colour names/indices/hex, mapping to 256 and 8
 * colours, NO_COLOR and monochrome, the shipped themes, finding and listing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "theme.h"

static int color_is(const char *s, int kind, int index, int r, int g, int b)
{
    ThemeColor c;
    if (theme_parse_color(s, &c) != 0 || c.kind != kind)
        return 0;
    if (kind == THEME_COLOR_INDEX)
        return c.index == index;
    if (kind == THEME_COLOR_RGB)
        return c.r == r && c.g == g && c.b == b;
    return 1;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static int any_warning(const Theme *t, const char *needle)
{
    for (int i = 0; i < t->nwarnings; i++)
        if (strstr(t->warnings[i], needle))
            return 1;
    return 0;
}

static void test_colors(void)
{
    CHECK(color_is("red", THEME_COLOR_INDEX, 1, 0, 0, 0) && color_is("bright_red", THEME_COLOR_INDEX, 9, 0, 0, 0)
              && color_is("BrightBlue", THEME_COLOR_INDEX, 12, 0, 0, 0)
              && color_is("bright-white", THEME_COLOR_INDEX, 15, 0, 0, 0)
              && color_is("grey", THEME_COLOR_INDEX, 8, 0, 0, 0),
          "colour names and bright variants");
    CHECK(color_is("default", THEME_COLOR_DEFAULT, 0, 0, 0, 0), "default");
    CHECK(color_is("208", THEME_COLOR_INDEX, 208, 0, 0, 0) && color_is("0", THEME_COLOR_INDEX, 0, 0, 0, 0),
          "palette indices");
    CHECK(color_is("#Fb4934", THEME_COLOR_RGB, 0, 0xfb, 0x49, 0x34), "#rrggbb, any case");
    ThemeColor c;
    const char *bad[] = {"256", "-1", "#12345", "#1234567", "#gg0000", "purplish", "", "1e2"};
    int rejected = 1;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        rejected &= theme_parse_color(bad[i], &c) != 0;
    CHECK(rejected, "bad colours are rejected");

    CHECK(theme_nearest_256(0xff, 0x87, 0x00) == 208, "#ff8700 -> 208 (cube)");
    CHECK(theme_nearest_256(0x5f, 0x87, 0xaf) == 67, "#5f87af -> 67 (cube)");
    CHECK(theme_nearest_256(0x80, 0x80, 0x80) == 244, "#808080 -> 244 (grey ramp)");
    CHECK(theme_nearest_256(0x08, 0x08, 0x08) == 232, "#080808 -> 232");
    CHECK(theme_nearest_256(0, 0, 0) == 16 && theme_nearest_256(255, 255, 255) == 231,
          "black -> 16, white -> 231");
    CHECK(theme_nearest_256(0xeb, 0xdb, 0xb2) == 223, "gruvbox fg #ebdbb2 -> 223 (%d)",
          theme_nearest_256(0xeb, 0xdb, 0xb2));
    int exact = 1;
    for (int i = 16; i < 256; i++) {
        uint8_t rgb[3];
        theme_index_rgb(i, rgb);
        int back = theme_nearest_256(rgb[0], rgb[1], rgb[2]);
        uint8_t rgb2[3];
        theme_index_rgb(back, rgb2);
        exact &= memcmp(rgb, rgb2, 3) == 0;
    }
    CHECK(exact, "every xterm-256 colour maps back to itself (or its exact twin)");

    CHECK(theme_nearest_basic(0xff, 0, 0, 8) == 1 && theme_nearest_basic(0, 0, 0xff, 8) == 4
              && theme_nearest_basic(0x1d, 0x20, 0x21, 8) == 0
              && theme_nearest_basic(0xeb, 0xdb, 0xb2, 8) == 7,
          "hex -> 8 colours: red, blue, near-black, light cream");
    CHECK(theme_nearest_basic(0xff, 0x55, 0x55, 16) == 9, "hex -> 16 colours can pick bright red");

    ThemeColor rgb = {THEME_COLOR_RGB, 0, 0xff, 0x87, 0x00};
    CHECK(theme_color_resolve(rgb, THEME_DEPTH_TRUE) == (THEME_RGB_FLAG | 0xff8700),
          "truecolor keeps #rrggbb");
    CHECK(theme_color_resolve(rgb, THEME_DEPTH_256) == 208, "256 colours: nearest index");
    CHECK(theme_color_resolve(rgb, THEME_DEPTH_8) == 3, "8 colours: #ff8700 -> yellow (%d)",
          theme_color_resolve(rgb, THEME_DEPTH_8));
    CHECK(theme_color_resolve(rgb, THEME_DEPTH_MONO) == -1, "no colour: -1");
    ThemeColor idx = {THEME_COLOR_INDEX, 9, 0, 0, 0};
    CHECK(theme_color_resolve(idx, THEME_DEPTH_8) == 1 && theme_color_resolve(idx, THEME_DEPTH_16) == 9,
          "bright red is red on 8 colours, itself on 16");
    idx.index = 196;
    CHECK(theme_color_resolve(idx, THEME_DEPTH_8) == 1 && theme_color_resolve(idx, THEME_DEPTH_256) == 196,
          "index 196 (#ff0000) is red on 8 colours");

    CHECK(theme_depth_detect("1", "truecolor", 256) == THEME_DEPTH_MONO, "NO_COLOR wins");
    CHECK(theme_depth_detect("", "truecolor", 256) == THEME_DEPTH_TRUE, "empty NO_COLOR is ignored");
    CHECK(theme_depth_detect(NULL, "24bit", 8) == THEME_DEPTH_TRUE
              && theme_depth_detect(NULL, NULL, 256) == THEME_DEPTH_256
              && theme_depth_detect(NULL, NULL, 16) == THEME_DEPTH_16
              && theme_depth_detect(NULL, NULL, 8) == THEME_DEPTH_8
              && theme_depth_detect(NULL, "truecolor", 0) == THEME_DEPTH_MONO,
          "depth from COLORTERM and the curses colour count");
}

static void test_parse(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/broken.theme", dir);
    write_file(path,
               "# a theme with mistakes\n"
               "text = #112233\n"
               "sparkle = red\n"                 /* line 3: unknown key */
               "warning = purplish\n"            /* line 4: bad colour */
               "no equals sign here\n"           /* line 5 */
               "error = #ff0000 blinking\n"      /* line 6: bad attribute */
               "title = yellow bold   # inline comment\n"
               "status.bg = 24\n"
               "status_fg = white\n"
               "selected.mono = underline,bold\n"
               "bar_dim.bg = #010203\n"
               "heat7.wobble = red\n"            /* line 12: unknown field */
               "background = #202020\n");
    Theme t;
    Err err;
    err_clear(&err);
    int rc = theme_load(&t, path, &err);
    CHECK(rc == ERR_OK, "a theme with mistakes still loads (%s)", err.msg);
    CHECK(t.nwarnings == 5, "five warnings (%d)", t.nwarnings);
    char want[600];
    snprintf(want, sizeof want, "%s:3: unknown key 'sparkle'", path);
    CHECK(any_warning(&t, want), "unknown key reported with file:line (%s)",
          t.nwarnings ? t.warnings[0] : "");
    snprintf(want, sizeof want, "%s:4: bad colour 'purplish' for 'warning'", path);
    CHECK(any_warning(&t, want), "bad colour reported with file:line");
    snprintf(want, sizeof want, "%s:5: expected 'key = value'", path);
    CHECK(any_warning(&t, want), "a line without '=' reported");
    snprintf(want, sizeof want, "%s:6: bad attribute 'blinking'", path);
    CHECK(any_warning(&t, want), "a bad attribute reported");
    snprintf(want, sizeof want, "%s:12: unknown key 'heat7.wobble'", path);
    CHECK(any_warning(&t, want), "an unknown field reported");
    const ThemeStyle *s = t.style;
    CHECK(s[ROLE_TEXT].fg.kind == THEME_COLOR_RGB && s[ROLE_TEXT].fg.r == 0x11 && s[ROLE_TEXT].fg.b == 0x33,
          "text set");
    CHECK(s[ROLE_TITLE].fg.kind == THEME_COLOR_INDEX && s[ROLE_TITLE].fg.index == 3
              && s[ROLE_TITLE].attr == ATTR_BOLD,
          "colour with attribute and an inline comment");
    CHECK(s[ROLE_STATUS].bg.index == 24 && s[ROLE_STATUS].fg.index == 7, "status.bg and status_fg");
    CHECK(s[ROLE_SELECTED].mono == (ATTR_UNDERLINE | ATTR_BOLD), "mono attributes");
    CHECK(s[ROLE_BAR_DIM].bg.b == 3, "a role whose name has an underscore");
    CHECK(t.background.kind == THEME_COLOR_RGB && t.background.r == 0x20, "background after the errors");
    ThemeStyle def_warn;
    Theme d;
    theme_default(&d);
    def_warn = d.style[ROLE_WARN];
    CHECK(memcmp(&s[ROLE_WARN], &def_warn, sizeof def_warn) == 0,
          "a role with a bad colour keeps the default's value");
    CHECK(strcmp(t.name, "broken") == 0 && strcmp(t.path, path) == 0, "name from the file name");
    theme_free(&d);
    theme_free(&t);

    snprintf(path, sizeof path, "%s/missing.theme", dir);
    rc = theme_load(&t, path, &err);
    CHECK(rc == ERR_INPUT && strstr(err.msg, path), "a missing file is an error naming it: %s", err.msg);
    theme_free(&t);

    /* a device that never ends must not be read (it used to eat all memory) */
    rc = theme_load(&t, "/dev/zero", &err);
    CHECK(rc == ERR_INPUT && strstr(err.msg, "not a regular file"), "/dev/zero is refused: %s", err.msg);
    theme_free(&t);
}

static void test_resolve(void)
{
    Theme t;
    theme_default(&t);
    CHECK(t.nwarnings == 0, "the built-in theme parses cleanly");
    ThemeResolved r[ROLE_COUNT];
    int bg;
    theme_resolve(&t, THEME_DEPTH_MONO, r, &bg);
    int nocolor = bg == -1;
    for (int i = 0; i < ROLE_COUNT; i++)
        nocolor &= r[i].fg == -1 && r[i].bg == -1;
    CHECK(nocolor, "monochrome: no colours at all");
    CHECK(r[ROLE_STATUS].attr & ATTR_REVERSE && r[ROLE_SELECTED].attr & ATTR_REVERSE
              && r[ROLE_TITLE].attr & ATTR_BOLD && r[ROLE_WARN].attr & ATTR_BOLD
              && r[ROLE_ERROR].attr != r[ROLE_WARN].attr && r[ROLE_ESCAPE].attr & ATTR_UNDERLINE
              && r[ROLE_GRAD_LOW].attr != r[ROLE_GRAD_HIGH].attr && r[ROLE_TEXT].attr == 0,
          "monochrome: attributes keep the important roles apart");

    theme_resolve(&t, THEME_DEPTH_TRUE, r, &bg);
    CHECK(r[ROLE_SERIES2].fg == (THEME_RGB_FLAG | 0xffaf00) && r[ROLE_TEXT].fg == -1 && bg == -1,
          "truecolor: series2 #ffaf00, text and background the terminal's");
    CHECK(r[ROLE_STATUS].bg == (THEME_RGB_FLAG | 0x303030) && r[ROLE_SERIES1].bg == -1,
          "a role's own bg, else the background");
    theme_resolve(&t, THEME_DEPTH_256, r, &bg);
    CHECK(r[ROLE_SERIES2].fg == 214, "256: #ffaf00 -> 214 (%d)", r[ROLE_SERIES2].fg);

    /* 8 colours: grey on grey collapses into one colour; the text stays readable. */
    theme_parse(&t, "bar_dim.fg = #3a3a3a\nbar_dim.bg = #262626\n", "test");
    theme_resolve(&t, THEME_DEPTH_8, r, &bg);
    CHECK(r[ROLE_BAR_DIM].bg == 0 && r[ROLE_BAR_DIM].fg == 7,
          "8 colours: fg that collapses onto its bg is made readable (%d on %d)", r[ROLE_BAR_DIM].fg,
          r[ROLE_BAR_DIM].bg);
    theme_free(&t);
}

static void test_shipped(const char *dir)
{
    const char *names[] = {"default", "light", "solarized-dark", "gruvbox", "monochrome"};
    int clean = 1;
    char bad[1024] = "";
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, "themes/%s.theme", names[i]);
        Theme t;
        Err err;
        if (theme_load(&t, path, &err) != 0 || t.nwarnings != 0) {
            clean = 0;
            snprintf(bad, sizeof bad, "%s: %s", path, t.nwarnings ? t.warnings[0] : err.msg);
        }
        if (strcmp(t.name, names[i]) != 0)
            clean = 0;
        theme_free(&t);
    }
    CHECK(clean, "every shipped theme loads without warnings %s", bad);

    Theme file, builtin;
    Err err;
    CHECK(theme_load(&file, "themes/default.theme", &err) == 0, "themes/default.theme loads");
    theme_default(&builtin);
    int same = 1;
    for (int depth = 0; depth < 3; depth++) {
        int d = depth == 0 ? THEME_DEPTH_TRUE : depth == 1 ? THEME_DEPTH_256 : THEME_DEPTH_MONO;
        ThemeResolved a[ROLE_COUNT], b[ROLE_COUNT];
        theme_resolve(&file, d, a, NULL);
        theme_resolve(&builtin, d, b, NULL);
        same &= memcmp(a, b, sizeof a) == 0;
    }
    CHECK(same, "themes/default.theme is the built-in theme");
    theme_free(&file);
    theme_free(&builtin);

    Theme mono;
    CHECK(theme_load(&mono, "themes/monochrome.theme", &err) == 0, "themes/monochrome.theme loads");
    ThemeResolved r[ROLE_COUNT];
    theme_resolve(&mono, THEME_DEPTH_TRUE, r, NULL);
    int plain = 1;
    for (int i = 0; i < ROLE_COUNT; i++)
        plain &= r[i].fg == -1 && r[i].bg == -1;
    CHECK(plain && (r[ROLE_STATUS].attr & ATTR_REVERSE), "monochrome.theme: no colours even on truecolor");
    theme_free(&mono);

    /* Finding and listing. */
    ThemeDirs d = {0};
    theme_dirs_add(&d, dir);
    theme_dirs_add(&d, "themes");
    char path[2048];
    CHECK(theme_find(&d, "gruvbox", path, sizeof path) == 0 && strcmp(path, "themes/gruvbox.theme") == 0,
          "find a shipped theme by name (%s)", path);
    CHECK(theme_find(&d, "broken", path, sizeof path) == 0 && strstr(path, dir) == path,
          "the first directory wins");
    CHECK(theme_find(&d, "themes/light.theme", path, sizeof path) == 0, "a path is taken as is");
    CHECK(theme_find(&d, "nope", path, sizeof path) == -1, "unknown names are not found");
    char **names2;
    int n = theme_list(&d, &names2);
    int sorted = n == 6;   /* 5 shipped + broken */
    for (int i = 1; i < n; i++)
        sorted &= strcmp(names2[i - 1], names2[i]) < 0;
    int has_broken = 0, has_solar = 0;
    for (int i = 0; i < n; i++) {
        has_broken |= strcmp(names2[i], "broken") == 0;
        has_solar |= strcmp(names2[i], "solarized-dark") == 0;
    }
    CHECK(sorted && has_broken && has_solar, "theme_list: sorted, unique, from every directory (%d)", n);
    theme_list_free(names2, n);

    Theme t;
    CHECK(theme_load_named(&t, &d, "light", &err) == 0 && strcmp(t.name, "light") == 0, "load by name");
    theme_free(&t);
    ThemeDirs none = {0};
    CHECK(theme_load_named(&t, &none, "default", &err) == 0 && t.path[0] == '\0',
          "'default' without any file is the built-in");
    theme_free(&t);
    CHECK(theme_load_named(&t, &d, "nope", &err) == ERR_INPUT && strstr(err.msg, "'nope' not found")
              && strstr(err.msg, "gruvbox"),
          "an unknown theme lists what exists: %s", err.msg);
    theme_free(&t);

    ThemeDirs def;
    setenv("XDG_CONFIG_HOME", "/tmp/xdgtest", 1);
    theme_dirs_default(&def, "/opt/rn/bin/rnnscope");
    CHECK(def.n == 4 && strcmp(def.dir[0], "/tmp/xdgtest/rnnscope/themes") == 0
              && strcmp(def.dir[1], "themes") == 0 && strcmp(def.dir[2], "/opt/rn/bin/../themes") == 0
              && strcmp(def.dir[3], "/opt/rn/bin/../share/rnnscope/themes") == 0,
          "standard directories: XDG config, ./themes, next to the binary, share");
}

/* A resolved colour as the terminal shows it at 8/16 colours: the default
 * background taken as black (0), the default foreground as white (7). */
static int shown(int c, int dflt)
{
    return c >= 0 ? c : dflt;
}

/* Every shipped theme (every file of themes/), degraded to 8 and 16
 * colours: no role's foreground lands on its background, on a terminal
 * whose default background is black (TERM=xterm draws borders black on
 * black otherwise); borders and dim text stay grey, not a colour. */
static void test_degraded(void)
{
    ThemeDirs d = {0};
    theme_dirs_add(&d, "themes");
    char **names;
    int n = theme_list(&d, &names);
    CHECK(n >= 5, "the shipped themes are listed (%d)", n);
    for (int i = 0; i < n; i++) {
        Theme t;
        Err err;
        if (theme_load_named(&t, &d, names[i], &err) != 0) {
            CHECK(0, "%s loads: %s", names[i], err.msg);
            theme_free(&t);
            continue;
        }
        const int depths[2] = {THEME_DEPTH_8, THEME_DEPTH_16};
        for (int k = 0; k < 2; k++) {
            ThemeResolved r[ROLE_COUNT];
            theme_resolve(&t, depths[k], r, NULL);
            int ok = 1;
            char bad[256] = "";
            for (int role = 0; role < ROLE_COUNT; role++) {
                int fg = shown(r[role].fg, 7), bg = shown(r[role].bg, 0);
                int limit = depths[k];
                if (fg == bg || fg >= limit || bg >= limit) {
                    ok = 0;
                    snprintf(bad, sizeof bad, "%s: %d on %d", theme_role_key((Role)role), r[role].fg, r[role].bg);
                }
            }
            CHECK(ok, "%s at %d colours: every role's foreground differs from its background on black (%s)",
                  names[i], depths[k], bad);
        }
        theme_free(&t);
    }
    theme_list_free(names, n);

    /* the built-in theme on TERM=xterm: the #4e4e4e frame is white, the dim text too */
    Theme t;
    theme_default(&t);
    ThemeResolved r[ROLE_COUNT];
    int bg;
    theme_resolve(&t, THEME_DEPTH_8, r, &bg);
    CHECK(bg == -1 && r[ROLE_BORDER].fg == 7 && r[ROLE_BORDER].bg == -1,
          "8 colours: the built-in border is white on the default background (%d on %d)", r[ROLE_BORDER].fg,
          r[ROLE_BORDER].bg);
    theme_resolve(&t, THEME_DEPTH_16, r, &bg);
    CHECK(r[ROLE_BORDER].fg == 8, "16 colours: the built-in border is bright black (%d)", r[ROLE_BORDER].fg);
    theme_free(&t);
    /* a dark colour that collapses onto a dark background keeps its hue */
    theme_default(&t);
    theme_parse(&t, "background = #002b36\nborder = #073642\nheat0 = #440154\n", "test");
    theme_resolve(&t, THEME_DEPTH_8, r, &bg);
    CHECK(bg == 0 && r[ROLE_BORDER].fg == 6 && r[ROLE_HEAT0].fg == 5,
          "8 colours on black: a dark teal border turns cyan (%d), a dark purple magenta (%d)", r[ROLE_BORDER].fg,
          r[ROLE_HEAT0].fg);
    theme_free(&t);
}

int main(void)
{
    /* The shipped themes are read as themes/NAME.theme from the repository root. */
    const char *tests = getenv("RNNSCOPE_TESTS");
    if (tests && chdir(tests) == 0 && chdir("..") != 0)
        return 1;
    char dir[] = "/tmp/rnnscope_theme_XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_colors();
    test_parse(dir);
    test_resolve();
    test_shipped(dir);
    test_degraded();
    char path[512];
    snprintf(path, sizeof path, "%s/broken.theme", dir);
    unlink(path);
    rmdir(dir);
    return check_summary();
}
