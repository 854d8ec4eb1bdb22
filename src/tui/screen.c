/* screen.c — the curses backend (see screen.h).
 *
 * Terminal restore on a fatal signal must be async-signal-safe, so the escape
 * strings that leave the alternate screen and show the cursor are looked up
 * from terminfo when the screen opens, and the handler only calls tcsetattr
 * and write before re-raising the signal with the default action.
 */
#include "screen.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>

static struct termios screen_saved_tio;
static int screen_have_tio;
static char screen_restore_seq[256];
static size_t screen_restore_len;
static int screen_saved_stderr = -1;
static int screen_capture_fd = -1;
static char screen_capture_path[256];
static volatile sig_atomic_t screen_pending_sig;
static int screen_sig_pipe[2] = {-1, -1};
/* xterm's bracketed paste mode (DEC private mode 2004): on while the screen
 * is open, so a paste arrives wrapped in ESC[200~ ... ESC[201~ (input.c);
 * off again on close, on a fatal signal and while suspended (Ctrl-Z). */
static const char screen_paste_on[] = "\033[?2004h";
static const char screen_paste_off[] = "\033[?2004l";
static volatile sig_atomic_t screen_line_busy; /* SIGINT clears the input line */
static volatile sig_atomic_t screen_line_clear;
static struct sigaction screen_old_tstp;
static int screen_have_old_tstp;

static void screen_write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k <= 0) {
            if (k < 0 && errno == EINTR)
                continue;
            return;
        }
        p += k;
        n -= (size_t)k;
    }
}

/* Copy the captured stderr to the real one (async-signal-safe). */
static void screen_dump_capture(void)
{
    if (screen_capture_fd < 0 || screen_saved_stderr < 0)
        return;
    char buf[4096];
    ssize_t k;
    lseek(screen_capture_fd, 0, SEEK_SET);
    while ((k = read(screen_capture_fd, buf, sizeof buf)) > 0)
        screen_write_all(screen_saved_stderr, buf, (size_t)k);
}

static void screen_on_fatal(int sig)
{
    if (screen_have_tio)
        tcsetattr(STDIN_FILENO, TCSANOW, &screen_saved_tio);
    screen_write_all(STDOUT_FILENO, screen_restore_seq, screen_restore_len);
    if (screen_saved_stderr >= 0) {
        dup2(screen_saved_stderr, STDERR_FILENO);
        screen_dump_capture();
        static const char msg[] = "rnnscope: fatal signal; the terminal was restored\n";
        screen_write_all(STDERR_FILENO, msg, sizeof msg - 1);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

/* SIGINT while a Lua script runs: the hook (set once, then switched on and
 * off by a sig_atomic_t flag, so the handler never sees a half-written
 * pointer pair) interrupts the script instead of quitting. */
static void (*screen_int_fn)(void *ctx);
static void *screen_int_ctx;
static volatile sig_atomic_t screen_int_on;

void screen_set_interrupt(void (*fn)(void *ctx), void *ctx)
{
    screen_int_on = 0;
    screen_int_fn = fn;
    screen_int_ctx = ctx;
}

void screen_route_interrupt(int on)
{
    screen_int_on = on && screen_int_fn != NULL;
}

static void screen_wake(void)
{
    if (screen_sig_pipe[1] >= 0) {
        char b = 1;
        ssize_t k = write(screen_sig_pipe[1], &b, 1);
        (void)k;
    }
}

void screen_set_line_busy(int busy)
{
    screen_line_busy = busy != 0;
}

int screen_take_line_clear(void)
{
    int c = screen_line_clear;
    screen_line_clear = 0;
    return c;
}

static void screen_on_quit_signal(int sig)
{
    if (sig == SIGINT && screen_line_busy) {
        /* Ctrl-C on a non-empty input line clears it, as in a shell */
        screen_line_clear = 1;
        screen_wake();
        return;
    }
    if (sig == SIGINT && screen_int_on) {
        screen_int_fn(screen_int_ctx); /* must itself be async-signal-safe */
        if (screen_sig_pipe[1] >= 0) { /* wake poll(); no quit is pending */
            char b = 1;
            ssize_t k = write(screen_sig_pipe[1], &b, 1);
            (void)k;
        }
        return;
    }
    screen_pending_sig = sig;
    if (screen_sig_pipe[1] >= 0) {
        char b = 1;
        ssize_t k = write(screen_sig_pipe[1], &b, 1);
        (void)k;
    }
}

int screen_signal_pending(void)
{
    int s = screen_pending_sig;
    screen_pending_sig = 0;
    if (screen_sig_pipe[0] >= 0) {
        char buf[64];
        while (read(screen_sig_pipe[0], buf, sizeof buf) > 0)
            ;
    }
    return s;
}

int screen_signal_fd(void)
{
    return screen_sig_pipe[0];
}

static void screen_append_cap(const char *name)
{
    char *cap = tigetstr((char *)name);
    if (!cap || cap == (char *)-1)
        return;
    size_t n = strlen(cap);
    if (screen_restore_len + n < sizeof screen_restore_seq) {
        memcpy(screen_restore_seq + screen_restore_len, cap, n);
        screen_restore_len += n;
    }
}

/* Ctrl-Z: bracketed paste off for the shell, then curses' own handler (it
 * restores the terminal and stops; it returns once continued), then on again. */
static void screen_on_tstp(int sig)
{
    int saved = errno;
    screen_write_all(STDOUT_FILENO, screen_paste_off, sizeof screen_paste_off - 1);
    if (screen_have_old_tstp && !(screen_old_tstp.sa_flags & SA_SIGINFO) &&
        screen_old_tstp.sa_handler != SIG_DFL && screen_old_tstp.sa_handler != SIG_IGN)
        screen_old_tstp.sa_handler(sig);
    else if (!screen_have_old_tstp || screen_old_tstp.sa_handler != SIG_IGN)
        raise(SIGSTOP); /* what the default action would do */
    screen_write_all(STDOUT_FILENO, screen_paste_on, sizeof screen_paste_on - 1);
    errno = saved;
}

static void screen_install_signals(void)
{
    if (screen_sig_pipe[0] < 0 && pipe(screen_sig_pipe) == 0) {
        for (int i = 0; i < 2; i++) {
            fcntl(screen_sig_pipe[i], F_SETFL, fcntl(screen_sig_pipe[i], F_GETFL) | O_NONBLOCK);
            fcntl(screen_sig_pipe[i], F_SETFD, FD_CLOEXEC);
        }
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = screen_on_quit_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = screen_on_fatal;
    sa.sa_flags = SA_RESETHAND;
    int fatal[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
        sigaction(fatal[i], &sa, NULL);
    /* after initscr: curses' SIGTSTP handler (if any) is the one chained to */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = screen_on_tstp;
    sa.sa_flags = SA_RESTART;
    screen_have_old_tstp = sigaction(SIGTSTP, &sa, &screen_old_tstp) == 0;
}

static void screen_restore_signals(void)
{
    int all[] = {SIGINT, SIGTERM, SIGHUP, SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        signal(all[i], SIG_DFL);
    if (screen_have_old_tstp)
        sigaction(SIGTSTP, &screen_old_tstp, NULL);
    screen_have_old_tstp = 0;
    screen_line_busy = 0;
    screen_line_clear = 0;
}

int screen_open(Screen *s, Err *err)
{
    memset(s, 0, sizeof *s);
    setlocale(LC_ALL, "");
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
        return err_set(err, ERR_INPUT, "the dashboard needs a terminal on stdin and stdout; use --headless");
    if (tcgetattr(STDIN_FILENO, &screen_saved_tio) == 0)
        screen_have_tio = 1;
    if (!getenv("ESCDELAY"))
        set_escdelay(25);
    if (!initscr())
        return err_set(err, ERR_RUNTIME, "cannot start curses for TERM=%s; use --headless",
                       getenv("TERM") ? getenv("TERM") : "(unset)");
    screen_restore_len = 0;
    screen_append_cap("sgr0");
    screen_append_cap("cnorm");
    screen_append_cap("rmcup");
    if (screen_restore_len + sizeof screen_paste_off - 1 < sizeof screen_restore_seq) {
        memcpy(screen_restore_seq + screen_restore_len, screen_paste_off, sizeof screen_paste_off - 1);
        screen_restore_len += sizeof screen_paste_off - 1;
    }
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    meta(stdscr, TRUE);
    intrflush(stdscr, FALSE);
    scrollok(stdscr, FALSE);
    leaveok(stdscr, FALSE);

    int colors = 0;
    if (has_colors()) {
        start_color();
        use_default_colors();
        colors = COLORS;
    }
    int depth = theme_depth_detect(getenv("NO_COLOR"), getenv("COLORTERM"), colors);
    /* why: 24-bit colour through curses needs a direct-colour terminfo entry
     * (COLORS = 2^24); with a 256-colour entry fall back to the palette */
    if (depth == THEME_DEPTH_TRUE && colors < (1 << 24))
        depth = colors >= 256 ? THEME_DEPTH_256 : colors >= 16 ? THEME_DEPTH_16 : THEME_DEPTH_8;
    if (depth > THEME_DEPTH_MONO && COLOR_PAIRS <= ROLE_COUNT)
        depth = THEME_DEPTH_MONO;
    s->depth = depth;

    /* stderr to a temporary file while curses owns the terminal */
    fflush(stderr);
    const char *tmp = getenv("TMPDIR");
    snprintf(screen_capture_path, sizeof screen_capture_path, "%s/rnnscope-stderr-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    screen_capture_fd = mkstemp(screen_capture_path);
    if (screen_capture_fd >= 0) {
        unlink(screen_capture_path); /* why: nothing is left behind, even after a crash */
        screen_saved_stderr = dup(STDERR_FILENO);
        dup2(screen_capture_fd, STDERR_FILENO);
    }
    screen_install_signals();
    fflush(stdout);
    screen_write_all(STDOUT_FILENO, screen_paste_on, sizeof screen_paste_on - 1);
    getmaxyx(stdscr, s->h, s->w);
    grid_init(&s->front, s->w > 0 ? s->w : 1, s->h > 0 ? s->h : 1);
    s->full = 1;
    s->open = 1;
    for (int r = 0; r < ROLE_COUNT; r++)
        s->role_attr[r] = A_NORMAL;
    return 0;
}

static int screen_attr_bits(int a)
{
    int out = A_NORMAL;
    if (a & ATTR_BOLD)
        out |= A_BOLD;
    if (a & ATTR_REVERSE)
        out |= A_REVERSE;
    if (a & ATTR_UNDERLINE)
        out |= A_UNDERLINE;
    return out;
}

/* A resolved colour as a curses colour number. */
static int screen_color(int c)
{
    if (c < 0)
        return -1;
    if (c & THEME_RGB_FLAG)
        return c & 0xffffff; /* direct colour: the number is the RGB value */
    return c;
}

void screen_apply_theme(Screen *s, const Theme *t)
{
    ThemeResolved res[ROLE_COUNT];
    int bg = -1;
    theme_resolve(t, s->depth, res, &bg);
    for (int r = 0; r < ROLE_COUNT; r++) {
        s->role_attr[r] = screen_attr_bits(res[r].attr);
        s->role_pair[r] = 0;
        if (s->depth > THEME_DEPTH_MONO) {
            int pair = r + 1;
            init_extended_pair(pair, screen_color(res[r].fg), screen_color(res[r].bg));
            s->role_pair[r] = pair;
        }
    }
    if (s->depth > THEME_DEPTH_MONO) {
        init_extended_pair(ROLE_COUNT + 1, screen_color(res[ROLE_TEXT].fg), screen_color(bg));
        bkgdset(COLOR_PAIR(ROLE_COUNT + 1));
    }
    s->full = 1;
}

void screen_size(Screen *s, int *w, int *h)
{
    getmaxyx(stdscr, s->h, s->w);
    *w = s->w;
    *h = s->h;
}

void screen_invalidate(Screen *s)
{
    s->full = 1;
}

uint32_t screen_glyph(uint32_t ch, int grid_w, int term_w, int *pad)
{
    *pad = 0;
    if (ch < 0x20 || grid_w <= 0)
        return ' '; /* a zero-width code point in a cell of its own would join the cell before */
    if (grid_w == term_w)
        return ch;
    if (grid_w == 2) {
        *pad = 1;
        return term_w == 1 ? ch : '?';
    }
    return '?';
}

static void screen_put(Screen *s, int y, int x, uint32_t ch, int role, int attr)
{
    wchar_t wc[2] = {(wchar_t)ch, 0};
    cchar_t cc;
    int pair = s->role_pair[role];
    setcchar(&cc, wc, (attr_t)(s->role_attr[role] | screen_attr_bits(attr)), (short)0, &pair);
    mvadd_wch(y, x, &cc);
}

void screen_present(Screen *s, const Grid *g, int cx, int cy)
{
    if (!s->open)
        return;
    if (s->front.w != g->w || s->front.h != g->h) {
        grid_resize(&s->front, g->w, g->h);
        s->full = 1;
    }
    if (s->full) {
        erase();
        clearok(curscr, TRUE);
    }
    /* why: between a resize and its KEY_RESIZE the grid may be larger than
     * curses' screen; cells beyond it are not sent, and a wide character
     * whose right half falls off would make curses wrap it to the next row,
     * so the next frame repaints everything once the sizes agree */
    int rows, cols;
    getmaxyx(stdscr, rows, cols);
    int mismatch = rows != g->h || cols != g->w;
    long sent = 0;
    for (int y = 0; y < g->h && y < rows; y++) {
        for (int x = 0; x < g->w && x < cols; x++) {
            const GridCell *c = &g->cells[(size_t)y * g->w + x];
            GridCell *f = &s->front.cells[(size_t)y * g->w + x];
            if (!s->full && c->ch == f->ch && c->role == f->role && c->attr == f->attr)
                continue;
            *f = *c;
            if (c->ch == 0) {
                /* right half of a wide character: drawn with its left half,
                 * which is resent if only this half changed (e.g. its role) */
                if (x > 0 && grid_char_width(c[-1].ch) == 2 && f[-1].ch == c[-1].ch && !s->full) {
                    int role = c[-1].role < ROLE_COUNT ? c[-1].role : ROLE_TEXT;
                    int pad;
                    uint32_t ch = screen_glyph(c[-1].ch, 2, wcwidth((wchar_t)c[-1].ch), &pad);
                    screen_put(s, y, x - 1, ch, role, c[-1].attr);
                    if (pad)
                        screen_put(s, y, x, ' ', role, c[-1].attr);
                    sent++;
                }
                continue;
            }
            int role = c->role < ROLE_COUNT ? c->role : ROLE_TEXT;
            int gw = grid_char_width(c->ch), pad;
            if (gw == 2 && x + 1 >= cols)
                gw = 1;
            uint32_t ch = screen_glyph(c->ch, gw, wcwidth((wchar_t)c->ch), &pad);
            screen_put(s, y, x, ch, role, c->attr);
            if (pad && x + 1 < cols)
                screen_put(s, y, x + 1, ' ', role, c->attr);
            sent++;
        }
    }
    s->full = mismatch;
    s->cells_sent = sent;
    if (cx >= 0 && cy >= 0 && cx < g->w && cy < g->h) {
        curs_set(1);
        move(cy, cx);
    } else {
        curs_set(0);
    }
    refresh();
}

void screen_close(Screen *s)
{
    if (!s->open)
        return;
    s->open = 0;
    endwin();
    fflush(stdout);
    screen_write_all(STDOUT_FILENO, screen_paste_off, sizeof screen_paste_off - 1);
    screen_restore_signals();
    if (screen_saved_stderr >= 0) {
        fflush(stderr);
        dup2(screen_saved_stderr, STDERR_FILENO);
        screen_dump_capture();
        close(screen_saved_stderr);
        screen_saved_stderr = -1;
    }
    if (screen_capture_fd >= 0) {
        close(screen_capture_fd);
        screen_capture_fd = -1;
    }
    grid_free(&s->front);
}
