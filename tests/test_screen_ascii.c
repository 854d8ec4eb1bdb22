/* test_screen_ascii.c — the dashboard in a locale that cannot encode UTF-8:
 * screen_ascii's stand-ins (braille dots '*', bar blocks '#' and a partial
 * '+', box lines with their VT100 line-drawing letters, arrows and marks),
 * and every cell of the whole dashboard and the inspector, drawn at several
 * sizes, turning into ASCII that is not '?'. */
#include <stdlib.h>
#include <string.h>

#include "bars.h"
#include "check.h"
#include "panel_fixture.h"
#include "screen.h"

static uint32_t ascii(uint32_t ch, char *acs)
{
    return screen_ascii(ch, acs);
}

static void test_stand_ins(void)
{
    char acs;
    CHECK(ascii('a', &acs) == 'a' && acs == 0, "ASCII is left as it is");
    CHECK(ascii(0x2800, &acs) == ' ', "an empty braille cell is a space");
    int dots_ok = 1;
    for (uint32_t c = 0x2801; c <= 0x28ff; c++)
        dots_ok &= ascii(c, &acs) == '*';
    CHECK(dots_ok, "every braille cell with a dot is one '*'");
    CHECK(ascii(bars_glyph(8), &acs) == '#', "a full bar cell is '#'");
    int part_ok = 1;
    for (int k = 1; k < 8; k++)
        part_ok &= ascii(bars_glyph(k), &acs) == '+';
    CHECK(part_ok, "a partial bar cell (1/8 ... 7/8) is '+'");
    CHECK(ascii(0x2500, &acs) == '-' && acs == 'q', "─ is '-', ACS q");
    CHECK(ascii(0x2502, &acs) == '|' && acs == 'x', "│ is '|', ACS x");
    CHECK(ascii(0x256d, &acs) == '+' && acs == 'l', "╭ is '+', ACS l");
    CHECK(ascii(0x256e, &acs) == '+' && acs == 'k', "╮ is '+', ACS k");
    CHECK(ascii(0x2570, &acs) == '+' && acs == 'm', "╰ is '+', ACS m");
    CHECK(ascii(0x256f, &acs) == '+' && acs == 'j', "╯ is '+', ACS j");
    CHECK(ascii(0x2524, &acs) == '+' && acs == 'u', "┤ is '+', ACS u");
    CHECK(ascii(0x252c, &acs) == '+' && acs == 'w', "┬ is '+', ACS w");
    CHECK(ascii(0x25b2, &acs) == '^' && ascii(0x25bc, &acs) == 'v', "▲ ▼ are ^ v");
    CHECK(ascii(0x2605, &acs) == '*' && ascii(0x2713, &acs) == '+' && ascii(0x2716, &acs) == 'x', "★ ✓ ✖ are * + x");
    CHECK(ascii(0x23ce, &acs) == '$' && ascii(0x2423, &acs) == '_', "⏎ ␣ are $ _");
    CHECK(ascii(0x2026, &acs) == '~' && ascii(0x203a, &acs) == '>', "… › are ~ >");
    CHECK(ascii(0x00e9, &acs) == 'e' && ascii(0x00c7, &acs) == 'C', "é Ç lose their accents");
    CHECK(ascii(0x4e2d, &acs) == 0x4e2d, "中 has no stand-in: returned unchanged");
    int pad;
    CHECK(screen_glyph(ascii(0x4e2d, &acs), 2, -1, &pad) == '?' && pad, "... and shows as '?' and a space");
}

/* Cells of g whose stand-in is not printable ASCII, or is '?'. */
static int bad_cells(const Grid *g, char *first, size_t cap)
{
    int bad = 0;
    first[0] = '\0';
    for (int i = 0; i < g->w * g->h; i++) {
        uint32_t ch = g->cells[i].ch;
        if (ch == 0)
            continue; /* the right half of a wide character */
        char acs;
        uint32_t a = screen_ascii(ch, &acs);
        if (a < 0x20 || a >= 0x7f || (a == '?' && ch != '?')) {
            if (!bad)
                snprintf(first, cap, "U+%04X at (%d, %d)", (unsigned)ch, i % g->w, i / g->w);
            bad++;
        }
    }
    return bad;
}

static void test_whole_dashboard(void)
{
    static const int sizes[][2] = {{100, 30}, {80, 24}, {160, 50}, {60, 16}};
    static const char *const layouts[] = {"default", "wide", "tall", "inspector"};
    Fixture x;
    fixture_fill(&x);
    for (size_t li = 0; li < sizeof layouts / sizeof layouts[0]; li++) {
        for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
            Grid g;
            Layout l;
            grid_init(&g, sizes[si][0], sizes[si][1]);
            fixture_render(&g, &l, &x, layouts[li]);
            char first[64];
            int bad = bad_cells(&g, first, sizeof first);
            CHECK(bad == 0, "%s layout at %dx%d: every cell has an ASCII stand-in (%d without%s%s)", layouts[li],
                  sizes[si][0], sizes[si][1], bad, bad ? ", first " : "", first);
            grid_free(&g);
        }
    }
    fixture_free(&x);
}

int main(void)
{
    (void)fixture_cut_numbers; /* the fixture's checks for other tests */
    (void)fixture_cut_names;
    test_stand_ins();
    test_whole_dashboard();
    return check_summary();
}
