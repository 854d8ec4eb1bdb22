/* paths.h — where rnnscope keeps its own files, and the path handling every
 * layer shares.
 *
 * The state directory: $XDG_STATE_HOME/rnnscope when XDG_STATE_HOME is an
 * absolute path, else ~/.local/state/rnnscope (./.local/state/rnnscope
 * without a HOME). paths_state_dir does not create it.
 *
 * Every file rnnscope writes (checkpoints, --log, --csv, --tensorboard,
 * grad --out) first gets its missing folders with paths_make_parent: mkdir -p
 * with mode 0755 (less the umask), and one line naming the folder that could
 * not be made. Dashboard commands read paths with paths_user_path (quotes,
 * backslash escapes, ~), and hints meant to be pasted into a shell quote
 * paths with paths_shell_quote.
 */
#ifndef RNNSCOPE_PATHS_H
#define RNNSCOPE_PATHS_H

#include <stddef.h>

#include "err.h"

void paths_state_dir(char *out, size_t cap);

/* The files rnnscope ships (KIND: "corpora", "themes", "scripts"), looked up
 * in order: ./KIND (a source tree), EXE/../KIND, EXE/../share/rnnscope/KIND
 * (a relocated install) and PREFIX/share/rnnscope/KIND, PREFIX being the one
 * the program was built for (make PREFIX=...). paths_shipped_dir gives the
 * i-th candidate folder (0..3), or 0 when there is none; paths_find_shipped
 * the first readable KIND/name, canonical, or 0 if none has it. */
#define PATHS_SHIPPED_DIRS 4
int paths_shipped_dir(const char *kind, int i, char *out, size_t cap);
int paths_find_shipped(const char *kind, const char *name, char *out, size_t cap);

/* mkdir -p dir (mode 0755). ERR_INPUT "cannot create folder D: reason" naming
 * the first folder that could not be made (or that exists as a file). */
int paths_mkdir_p(const char *dir, Err *err);
/* The folders above the file path (nothing for a bare file name). */
int paths_make_parent(const char *path, Err *err);

/* "~" and "~/rest" become $HOME and $HOME/rest; anything else is copied. */
void paths_expand_home(const char *in, char *out, size_t cap);

/* One word of s, as a shell reads it: "double" and 'single' quotes, a
 * backslash escaping the next character (outside single quotes). *s moves
 * past it. Returns 1 with the word in out, 0 when only blanks were left, -1
 * for an unterminated quote. */
int paths_next_word(const char **s, char *out, size_t cap);

/* A single path argument of a dashboard command (:save, :load): the whole
 * text as it is (spaces included), unless it is quoted or has backslash
 * escapes, when it must be exactly one word; then ~ expanded. 0, or -1 with
 * a reason in why. */
int paths_user_path(const char *arg, char *out, size_t cap, char *why, size_t why_cap);

/* s quoted for a POSIX shell: as it is when it has only safe characters,
 * else in single quotes (a ' inside becomes '\''). */
void paths_shell_quote(const char *s, char *out, size_t cap);

#endif
