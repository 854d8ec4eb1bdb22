/* tname.c — tensor names shortened to fit a column (see tname.h). */
#include "tname.h"

#include <stdio.h>
#include <string.h>

#include "grid.h"

/* Word abbreviations of level 2, longest first within a name. */
static const char *const tname_words[][2] = {
    {"embedding", "emb"},
    {"weight", "w"},
    {"bias", "b"},
};

/* rest with level 2's abbreviations, each word matched at a word start. */
static void tname_abbrev(const char *rest, char *out, size_t cap)
{
    size_t n = 0;
    enum { NW = sizeof tname_words / sizeof tname_words[0] };
    for (const char *p = rest; *p && n + 1 < cap;) {
        int start = p == rest || p[-1] == '.' || p[-1] == '_';
        size_t k = 0;
        while (k < NW && !(start && !strncmp(p, tname_words[k][0], strlen(tname_words[k][0]))))
            k++;
        if (k < NW) {
            int m = snprintf(out + n, cap - n, "%s", tname_words[k][1]);
            n += m > 0 ? (size_t)m : 0;
            p += strlen(tname_words[k][0]);
        } else {
            out[n++] = *p++;
        }
    }
    out[n < cap ? n : cap - 1] = '\0';
}

/* name at level into out (no width limit). */
static void tname_level_form(const char *name, int level, char *out, size_t cap)
{
    const char *colon = strchr(name, ':');
    int plen = colon ? (int)(colon - name) + 1 : 0; /* "grad:" kept */
    const char *rest = name + plen;
    if (level >= 1 && !strncmp(rest, "rnn.", 4))
        rest += 4;
    char ab[128];
    if (level >= 2)
        tname_abbrev(rest, ab, sizeof ab);
    else
        snprintf(ab, sizeof ab, "%s", rest);
    /* the prefix, then the rest; a name longer than out is cut (callers' buffers hold any state_dict name) */
    size_t n = 0;
    for (int i = 0; i < plen && n + 1 < cap; i++)
        out[n++] = name[i];
    for (const char *p = ab; *p && n + 1 < cap; p++)
        out[n++] = *p;
    if (cap > 0)
        out[n] = '\0';
}

/* Cut s (ASCII) to w columns with "…", keeping its tail from the last '_'
 * (or '.') when that leaves at least one character of the head. */
static void tname_cut(const char *s, int w, char *out, size_t cap)
{
    int len = (int)strlen(s);
    if (w <= 0) {
        snprintf(out, cap, "%s", "");
        return;
    }
    if (w == 1) {
        snprintf(out, cap, "…");
        return;
    }
    const char *tail = strrchr(s, '_');
    if (!tail)
        tail = strrchr(s, '.');
    int tl = tail ? len - (int)(tail - s) : 0;
    int head = w - 1 - tl;
    if (tail && head >= 1)
        snprintf(out, cap, "%.*s…%s", head, s, tail);
    else
        snprintf(out, cap, "%.*s…", w - 1, s);
}

int tname_format(const char *name, int level, int w, char *out, size_t cap)
{
    char buf[128];
    tname_level_form(name ? name : "", level, buf, sizeof buf);
    if (grid_text_width(buf) <= w)
        snprintf(out, cap, "%s", buf);
    else
        tname_cut(buf, w, out, cap);
    return grid_text_width(out);
}

int tname_list_level(const char (*names)[48], int n, int w)
{
    for (int level = 0; level < TNAME_LEVELS; level++) {
        int ok = 1;
        for (int i = 0; i < n && ok; i++) {
            char buf[128];
            tname_level_form(names[i], level, buf, sizeof buf);
            ok = grid_text_width(buf) <= w;
        }
        if (ok)
            return level;
    }
    return TNAME_LEVELS - 1;
}

int tname_fit(const char *name, int w, char *out, size_t cap)
{
    int level = 0;
    for (; level < TNAME_LEVELS - 1; level++) {
        char buf[128];
        tname_level_form(name ? name : "", level, buf, sizeof buf);
        if (grid_text_width(buf) <= w)
            break;
    }
    return tname_format(name, level, w, out, cap);
}
