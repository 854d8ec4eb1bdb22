/* complete.c — Tab completion candidates for the input line (see complete.h).
 *
 * The command table (commands.c) says which argument a command takes; this
 * file turns that into candidate words. Everything is recomputed per Tab:
 * the lists are short (25 commands, a few themes and layouts).
 */
#include "complete.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "err.h"
#include "layout.h"

static void complete_add(CompleteList *l, const char *word, const char *prefix, size_t pl)
{
    if (strncmp(word, prefix, pl))
        return;
    l->items = xrealloc(l->items, sizeof(char *) * (size_t)(l->n + 1));
    l->items[l->n++] = xstrdup(word);
}

CompleteMode complete_at(const char *line, int start, int end, const ThemeDirs *themes, CompleteList *out)
{
    out->items = NULL;
    out->n = 0;
    if (start < 0 || end < start)
        return COMPLETE_NOTHING;
    const char *word = line + start;
    size_t wl = (size_t)(end - start);
    char prefix[256];
    if (wl >= sizeof prefix)
        return COMPLETE_NOTHING;
    memcpy(prefix, word, wl);
    prefix[wl] = '\0';
    int is_name = 0;
    TuiArgKind k = commands_arg_at(line, end, &is_name);
    if (is_name) {
        for (int i = 0; i < commands_count(); i++) {
            char name[64];
            snprintf(name, sizeof name, ":%s", commands_spec(i)->name);
            complete_add(out, name, prefix, wl);
        }
        return COMPLETE_LIST;
    }
    switch (k) {
    case TARG_PATH:
    case TARG_PATH_OPT:
    case TARG_TEXT_OPT:
        return COMPLETE_FILES;
    case TARG_CELL: {
        static const char *const cells[] = {"lstm", "gru", "rnn"};
        for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++)
            complete_add(out, cells[i], prefix, wl);
        return COMPLETE_LIST;
    }
    case TARG_LAYOUT:
        for (int i = 0; layout_name(i); i++)
            complete_add(out, layout_name(i), prefix, wl);
        return COMPLETE_LIST;
    case TARG_THEME: {
        ThemeDirs d;
        if (themes)
            d = *themes;
        else
            theme_dirs_default(&d, NULL);
        char **names = NULL;
        int n = theme_list(&d, &names);
        for (int i = 0; i < n; i++)
            complete_add(out, names[i], prefix, wl);
        if (names)
            theme_list_free(names, n);
        return COMPLETE_LIST;
    }
    default:
        return COMPLETE_NOTHING;
    }
}

void complete_list_free(CompleteList *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->n = 0;
}
