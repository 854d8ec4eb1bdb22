/* screen.h — the one curses backend: copies a Grid to the terminal.
 *
 * Only cells that differ from the previous frame are sent; colours come from
 * the theme by role (a colour pair per role), at the depth the terminal has
 * (truecolor, 256, 16/8 or none; NO_COLOR respected). Truecolor announced by
 * COLORTERM under a terminfo entry without direct colour (xterm-256color) is
 * "direct" mode: curses still owns the terminal and the keys, but the cells
 * are written here with cup and SGR 38;2/48;2. In a locale that cannot encode
 * UTF-8, cells are sent as their ASCII stand-ins (screen_ascii). While the screen is
 * open, stderr goes to a temporary file whose contents are printed after
 * screen_close, and the terminal is restored on exit, on Ctrl-C / SIGTERM
 * (reported through screen_signal_pending, the app then quits cleanly;
 * Ctrl-C can instead be routed to a Lua interrupt, screen_route_interrupt) and
 * on fatal signals (SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL: restore the
 * terminal, show the captured stderr, then re-raise). Bracketed paste mode
 * (ESC[?2004h) is on while the screen is open and off on every one of those
 * ways out and while suspended by Ctrl-Z.
 *
 * Not for: deciding what to draw (panels.c), reading keys (app.c/input.c use
 * the curses window this opens).
 */
#ifndef RNNSCOPE_SCREEN_H
#define RNNSCOPE_SCREEN_H

#include "err.h"
#include "grid.h"
#include "theme.h"

typedef struct {
    int open;
    int depth;                        /* THEME_DEPTH_* actually used */
    int w, h;
    Grid front;                       /* what the terminal shows now */
    int full;                         /* next present repaints everything */
    int role_attr[ROLE_COUNT];        /* curses attributes per role */
    int role_pair[ROLE_COUNT];
    long cells_sent;                  /* cells written by the last present */
    int ascii;                        /* the locale cannot encode UTF-8: ASCII stand-ins */
    int direct;                       /* truecolor without a direct-colour terminfo entry:
                                       * frames are written as SGR 38;2 sequences here */
    int role_fg[ROLE_COUNT];          /* direct: resolved colours (theme_resolve) */
    int role_bg[ROLE_COUNT];
    int role_bits[ROLE_COUNT];        /* direct: ATTR_* bits per role */
    int base_fg, base_bg;             /* direct: the screen's text and background */
    int out_x, out_y, out_sgr_valid, out_cursor; /* direct: what the terminal has now */
    int out_fg, out_bg, out_bits;
} Screen;

/* Start curses (the user's locale, cbreak, no echo, keypad, non-blocking
 * reads), redirect stderr, install the signal handlers. Fails with ERR_INPUT
 * ("cannot open the dashboard on TERM=...: why; use --headless") when the
 * terminal cannot show it (screen_term_check); curses never exits by itself. */
int screen_open(Screen *s, Err *err);
/* 0 if TERM names a terminfo entry that can address the cursor (what the
 * dashboard needs), else -1 with the reason in why ("it has no terminfo
 * entry", "it cannot move the cursor"). Leaves no terminal set up. */
int screen_term_check(char *why, size_t cap);
/* 1 if the current LC_CTYPE codeset (nl_langinfo(CODESET)) is UTF-8. */
int screen_locale_utf8(void);
/* The ASCII stand-in the dashboard shows for ch when the locale is not UTF-8:
 * braille chart dots '*', bar blocks '#' (a partial one '+'), shades . : %,
 * box lines - | + (and in *acs the VT100 line-drawing letter curses can draw
 * instead: 'q' for ─, 'x' for │, 'l' for ╭ ...; 0 if none), arrows and marks
 * (▲ ^, ▼ v, ★ *, ✓ +, ✖ x, … ~, ⏎ $, ␣ _), Latin-1 letters without their
 * accents. ASCII is returned as it is; a code point with no stand-in is
 * returned unchanged (screen_glyph then shows it if the locale can, else '?'). */
uint32_t screen_ascii(uint32_t ch, char *acs);
/* Colour pairs for every role from the theme at the screen's depth. */
void screen_apply_theme(Screen *s, const Theme *t);
/* Current terminal size (after a KEY_RESIZE the new one). */
void screen_size(Screen *s, int *w, int *h);
/* Send g (same size as the terminal) to the screen, only changed cells;
 * the cursor is left at (cx, cy), hidden if cx < 0. */
void screen_present(Screen *s, const Grid *g, int cx, int cy);
/* Repaint everything on the next present (Ctrl-L, resize, theme change). */
void screen_invalidate(Screen *s);
/* End curses, restore stderr and print what was captured. Idempotent. */
void screen_close(Screen *s);

/* What to send for a grid cell holding ch, which the grid counts grid_w (1 or
 * 2) columns wide and the terminal library term_w (its wcwidth; < 0 unknown):
 * the code point to write, and in *pad 1 if the right-half cell must be
 * written as a space after it. When the two disagree, the cell must still
 * cover exactly grid_w columns, or the rest of the row (its right border
 * most visibly) would shift and stay wrong under the diffing:
 *   grid 2, terminal 1: ch, then a space in the right half;
 *   grid 1, terminal 0, 2 or unknown: '?'; grid 2, terminal 0 or unknown: '?' + space. */
uint32_t screen_glyph(uint32_t ch, int grid_w, int term_w, int *pad);

/* The last SIGINT/SIGTERM/SIGHUP received since the last call (0 if none). */
int screen_signal_pending(void);
/* The fd that becomes readable when such a signal arrives (for poll). */
int screen_signal_fd(void);

/* Ctrl-C during a Lua script: register fn(ctx) once (fn must be
 * async-signal-safe, e.g. luahost_interrupt), then switch the routing on
 * while a script runs: SIGINT then calls fn instead of becoming a pending
 * quit. Off again, Ctrl-C quits as before. */
void screen_set_interrupt(void (*fn)(void *ctx), void *ctx);
void screen_route_interrupt(int on);

/* Ctrl-C on a non-empty input line: while busy is on (the app sets it after
 * every batch of keys from input_busy), SIGINT neither quits nor interrupts
 * a script; it only wakes poll and makes screen_take_line_clear return 1
 * (once), and the app clears the line. */
void screen_set_line_busy(int busy);
int screen_take_line_clear(void);

#endif
