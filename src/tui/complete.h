/* complete.h — what Tab completes on the dashboard's input line.
 *
 * For: the candidates of one word, given the whole line: command names
 * (":th" -> ":theme"), and the arguments that are a known set — cell types
 * for :gradcheck (lstm, gru, rnn), theme names for :theme, layout names for
 * :layout. Path arguments (:load, :save, :run, :compare) are left to
 * readline's file-name completion (COMPLETE_FILES). Plain text (a prompt) and
 * Lua code complete nothing.
 *
 * Pure and testable without a terminal; input.c hands the candidates to
 * readline (rl_attempted_completion_function / rl_completion_matches).
 * Not for: parsing or running commands (commands.c, app.c).
 */
#ifndef RNNSCOPE_COMPLETE_H
#define RNNSCOPE_COMPLETE_H

#include "theme.h"

typedef enum {
    COMPLETE_NOTHING = 0, /* nothing to offer */
    COMPLETE_FILES,       /* a path: readline's file names */
    COMPLETE_LIST         /* the candidates in the list */
} CompleteMode;

typedef struct {
    char **items;         /* (n) malloc'ed strings, in table / list order */
    int n;
} CompleteList;

/* The word line[start, end) is being completed (end is the cursor). For
 * COMPLETE_LIST, *out gets every candidate that starts with the word (maybe
 * none); otherwise *out is empty. themes may be NULL (the default dirs). */
CompleteMode complete_at(const char *line, int start, int end, const ThemeDirs *themes, CompleteList *out);

void complete_list_free(CompleteList *l);

#endif
