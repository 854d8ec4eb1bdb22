/* fuzz_theme.c — libFuzzer target for the theme parser (src/tui/theme.c):
 * theme_parse on the built-in default with arbitrary text, as theme_load does
 * with a user's file. Warnings are collected, never fatal; the parsed theme is
 * then resolved at every colour depth, and each line is also tried as a
 * single colour (theme_parse_color).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "theme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    static Theme t;
    theme_default(&t);
    theme_parse(&t, text, "fuzz.theme");
    static const int depths[] = {THEME_DEPTH_MONO, THEME_DEPTH_8, THEME_DEPTH_16, THEME_DEPTH_256,
                                 THEME_DEPTH_TRUE};
    ThemeResolved out[ROLE_COUNT];
    int bg;
    for (size_t i = 0; i < sizeof depths / sizeof depths[0]; i++)
        theme_resolve(&t, depths[i], out, &bg);
    for (int i = 0; i < t.nwarnings; i++)
        if (!t.warnings[i] || !strchr(t.warnings[i], ':'))
            abort(); /* every warning names its source and line */
    theme_free(&t);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        ThemeColor c;
        if (theme_parse_color(line, &c) == 0)
            for (size_t i = 0; i < sizeof depths / sizeof depths[0]; i++)
                theme_color_resolve(c, depths[i]);
    }
    free(text);
    return 0;
}
