/* input.h — the input line: GNU readline through its callback interface,
 * inside curses.
 *
 * curses reads the keys (app.c); each byte is handed to readline with
 * input_key, readline edits its line (Emacs keys, history, completion) and
 * calls back when a line is accepted. Readline never touches the terminal:
 * terminal preparation is disabled, its output goes to /dev/null, and its
 * redisplay only marks the line dirty; input_draw puts rl_line_buffer and the
 * cursor into the input row of the grid. History persists across runs in a
 * file (the app passes $XDG_STATE_HOME/rnnscope/history). Tab completes
 * command names, file names for :load / :save / :run / :compare, cell types
 * for :gradcheck, theme names for :theme and layout names for :layout
 * (complete.h); several matches are listed through input_take_notice.
 * A bracketed paste (ESC[200~ ... ESC[201~, screen.c enables the mode) is
 * inserted into the line as text, newlines kept: it never runs anything.
 * While readline shows a prompt of its own (Ctrl-R's "(reverse-i-search)"),
 * input_draw shows it instead of the app's.
 *
 * Readline is one global state, so this module is a singleton.
 * Not for: executing commands (commands.c parses, app.c executes).
 */
#ifndef RNNSCOPE_INPUT_H
#define RNNSCOPE_INPUT_H

#include "grid.h"
#include "theme.h"

/* Install the callback handler and load the history (a missing file is fine).
 * themes (may be NULL) is used for :theme completion and must outlive input. */
void input_open(const char *history_path, const ThemeDirs *themes);
/* Save the history (last 1000 lines) and remove the handler. */
void input_close(void);

/* A key from curses: a byte (0..255) or a KEY_* code (arrows, Home, End,
 * Delete, Backspace are translated to what readline expects). */
void input_key(int key);

/* The keys stopped coming for now (the app calls this after each batch): a
 * lone ESC held back in case it began a paste marker goes to readline. */
void input_idle(void);

/* 1 if Ctrl-C should clear the line rather than mean interrupt / quit: the
 * line is not empty, or a search, numeric argument or paste is under way. */
int input_busy(void);
/* Ctrl-C on a busy line: abort a search or paste and clear the line, as
 * readline and shells do (the history position goes back to the newest). */
void input_cancel(void);

/* 1 if a line was accepted since the last call: *line is malloc'ed (caller
 * frees). 2 for end of input (Ctrl-D on an empty line). 0 otherwise. */
int input_take(char **line);

/* The line being edited, and the cursor as a byte offset in it. */
const char *input_text(void);
int input_point(void);
/* Replace the line being edited (e.g. clear it). */
void input_set_text(const char *text);

/* 1 if the line or cursor changed since the last call. */
int input_changed(void);

/* Matches readline wanted to list (several completions): one line, "" if
 * none since the last call. Returns 1 if there was a list. */
int input_take_notice(char *buf, size_t cap);

/* Draw prompt and line into row r.y from r.x over r.w cells, scrolled so the
 * cursor shows. Returns the cursor's column. */
int input_draw(Grid *g, Rect r, const char *prompt, Role role, Role prompt_role);

#endif
