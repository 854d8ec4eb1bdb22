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
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>

#include "err.h"
#include "utf8.h"

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
/* set when continued after Ctrl-Z: curses repainted what it knows, which in
 * direct mode is not what was on the screen, so the next frame is full */
static volatile sig_atomic_t screen_resumed;

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
    screen_resumed = 1;
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
    /* after newterm: curses' SIGTSTP handler (if any) is the one chained to */
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

int screen_term_check(char *why, size_t cap)
{
    const char *term = getenv("TERM");
    if (!term || !*term) {
        snprintf(why, cap, "TERM is not set");
        return -1;
    }
    int errret = 0;
    /* why: setupterm with errret reports instead of printing and exiting */
    if (setupterm((char *)term, STDOUT_FILENO, &errret) != OK) {
        snprintf(why, cap, "%s", errret < 0 ? "no terminfo database was found" : "it has no terminfo entry");
        return -1;
    }
    const char *cup = tigetstr("cup");
    int usable = cup && cup != (char *)-1 && tigetflag("hc") <= 0 && tigetflag("gn") <= 0;
    del_curterm(cur_term);
    if (!usable) {
        snprintf(why, cap, "it cannot move the cursor");
        return -1;
    }
    return 0;
}

int screen_open(Screen *s, Err *err)
{
    memset(s, 0, sizeof *s);
    setlocale(LC_ALL, "");
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
        return err_set(err, ERR_INPUT, "the dashboard needs a terminal on stdin and stdout; use --headless");
    const char *term = getenv("TERM") && *getenv("TERM") ? getenv("TERM") : "(unset)";
    char why[128];
    if (screen_term_check(why, sizeof why) != 0)
        return err_set(err, ERR_INPUT, "cannot open the dashboard on TERM=%s: %s; use --headless", term, why);
    s->ascii = !screen_locale_utf8();
    if (tcgetattr(STDIN_FILENO, &screen_saved_tio) == 0)
        screen_have_tio = 1;
    if (!getenv("ESCDELAY"))
        set_escdelay(25);
    /* why: newterm, not initscr, which prints its own message and exits */
    if (!newterm(NULL, stdout, stdin))
        return err_set(err, ERR_INPUT, "cannot open the dashboard on TERM=%s: curses cannot start on it; use --headless",
                       term);
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
     * (RGB, COLORS = 2^24, as xterm-direct); a terminal that says it has
     * truecolor (COLORTERM) under a 256-colour entry (TERM=xterm-256color, as
     * most do) gets its frames written here with SGR 38;2 / 48;2, as btop does */
    if (depth == THEME_DEPTH_TRUE && colors < (1 << 24))
        s->direct = 1;
    if (!s->direct && depth > THEME_DEPTH_MONO && COLOR_PAIRS <= ROLE_COUNT)
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
    for (int r = 0; r < ROLE_COUNT; r++) {
        s->role_attr[r] = A_NORMAL;
        s->role_fg[r] = s->role_bg[r] = -1;
    }
    s->base_fg = s->base_bg = -1;
    if (s->direct) {
        /* curses' first refresh clears the screen: let it happen now, before
         * the first frame, and never again (see screen_present_direct) */
        refresh();
        s->out_cursor = -1;
    }
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
        s->role_bits[r] = res[r].attr;
        s->role_fg[r] = res[r].fg;
        s->role_bg[r] = res[r].bg;
        s->role_pair[r] = 0;
        if (!s->direct && s->depth > THEME_DEPTH_MONO) {
            int pair = r + 1;
            init_extended_pair(pair, screen_color(res[r].fg), screen_color(res[r].bg));
            s->role_pair[r] = pair;
        }
    }
    s->base_fg = res[ROLE_TEXT].fg;
    s->base_bg = bg;
    if (!s->direct && s->depth > THEME_DEPTH_MONO) {
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

/* What to send for grid cell c, which the grid counts gw columns wide: the
 * code point (ASCII stand-ins when the locale is not UTF-8 and cannot show
 * it), its VT100 line-drawing letter in *acs (0 if none), and *pad. */
static uint32_t screen_cell_glyph(const Screen *s, uint32_t ch, int gw, char *acs, int *pad)
{
    *acs = 0;
    int tw = ch < 0x80 ? 1 : wcwidth((wchar_t)ch);
    if (s->ascii && ch >= 0x80 && tw != gw) {
        ch = screen_ascii(ch, acs);
        tw = ch < 0x80 ? 1 : wcwidth((wchar_t)ch);
    }
    return screen_glyph(ch, gw, tw, pad);
}

static void screen_put(Screen *s, int y, int x, uint32_t ch, char acs, int role, int attr)
{
    int pair = s->role_pair[role];
    attr_t a = (attr_t)(s->role_attr[role] | screen_attr_bits(attr));
    if (acs) {
        /* why: box lines from the terminal's line-drawing set when the
         * locale cannot encode the Unicode ones (pairs are < 256 here) */
        mvaddch(y, x, NCURSES_ACS(acs) | a | (attr_t)COLOR_PAIR(pair));
        return;
    }
    wchar_t wc[2] = {(wchar_t)ch, 0};
    cchar_t cc;
    setcchar(&cc, wc, a, (short)0, &pair);
    mvadd_wch(y, x, &cc);
}

/* ---- direct mode: frames written here, with 24-bit SGR colours ---- */

typedef struct {
    char *p;
    size_t n, cap;
} ScreenBuf;

static void sbuf_add(ScreenBuf *b, const char *p, size_t n)
{
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16384;
        while (cap < b->n + n)
            cap *= 2;
        b->p = xrealloc(b->p, cap);
        b->cap = cap;
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
}

static void sbuf_str(ScreenBuf *b, const char *str)
{
    if (str && str != (char *)-1)
        sbuf_add(b, str, strlen(str));
}

static void sbuf_cap(ScreenBuf *b, const char *name)
{
    sbuf_str(b, tigetstr((char *)name));
}

/* SGR parameters selecting colour c (-1, palette index or THEME_RGB_FLAG|rgb)
 * as foreground (base 30) or background (base 40). */
static int screen_sgr_color(char *out, size_t cap, int c, int base)
{
    if (c < 0)
        return snprintf(out, cap, ";%d", base + 9);
    if (c & THEME_RGB_FLAG)
        return snprintf(out, cap, ";%d;2;%d;%d;%d", base + 8, (c >> 16) & 255, (c >> 8) & 255, c & 255);
    if (c < 8)
        return snprintf(out, cap, ";%d", base + c);
    if (c < 16)
        return snprintf(out, cap, ";%d", base + 60 + c - 8);
    return snprintf(out, cap, ";%d;5;%d", base + 8, c);
}

static void screen_direct_sgr(Screen *s, ScreenBuf *b, int fg, int bg, int bits)
{
    if (s->out_sgr_valid && fg == s->out_fg && bg == s->out_bg && bits == s->out_bits)
        return;
    char seq[80];
    int n = snprintf(seq, sizeof seq, "\033[0");
    if (bits & ATTR_BOLD)
        n += snprintf(seq + n, sizeof seq - (size_t)n, ";1");
    if (bits & ATTR_UNDERLINE)
        n += snprintf(seq + n, sizeof seq - (size_t)n, ";4");
    if (bits & ATTR_REVERSE)
        n += snprintf(seq + n, sizeof seq - (size_t)n, ";7");
    n += screen_sgr_color(seq + n, sizeof seq - (size_t)n, fg, 30);
    n += screen_sgr_color(seq + n, sizeof seq - (size_t)n, bg, 40);
    n += snprintf(seq + n, sizeof seq - (size_t)n, "m");
    sbuf_add(b, seq, (size_t)n);
    s->out_fg = fg, s->out_bg = bg, s->out_bits = bits, s->out_sgr_valid = 1;
}

static void screen_direct_put(Screen *s, ScreenBuf *b, int y, int x, int cols, uint32_t ch, int w, int role,
                              int attr)
{
    if (s->out_y != y || s->out_x != x)
        sbuf_str(b, tiparm(tigetstr("cup"), y, x));
    screen_direct_sgr(s, b, s->role_fg[role], s->role_bg[role], s->role_bits[role] | attr);
    char u[4];
    int k = utf8_encode(ch, u);
    sbuf_add(b, u, (size_t)k);
    s->out_y = y;
    s->out_x = x + w < cols ? x + w : -1; /* at the right margin: unknown (pending wrap) */
}

/* Curses keeps the terminal (modes, keys, resizes) but not the cells: they
 * go out here with cup and SGR sequences. stdscr is left untouched so that
 * getch never repaints curses' idea of the screen (blank) over the frame. */
static void screen_present_direct(Screen *s, const Grid *g, int cx, int cy, int rows, int cols)
{
    ScreenBuf b = {0};
    if (screen_resumed) {
        screen_resumed = 0;
        s->full = 1;
        s->out_cursor = -1;
    }
    if (s->full) {
        s->out_sgr_valid = 0;
        screen_direct_sgr(s, &b, s->base_fg, s->base_bg, 0);
        sbuf_cap(&b, "clear");
        s->out_x = s->out_y = -1;
    }
    long sent = 0;
    for (int y = 0; y < g->h && y < rows; y++) {
        for (int x = 0; x < g->w && x < cols; x++) {
            const GridCell *c = &g->cells[(size_t)y * g->w + x];
            GridCell *f = &s->front.cells[(size_t)y * g->w + x];
            if (!s->full && c->ch == f->ch && c->role == f->role && c->attr == f->attr)
                continue;
            *f = *c;
            const GridCell *src = c;
            int sx = x;
            if (c->ch == 0) {
                /* the right half: its left half is resent if only this changed */
                if (!(x > 0 && grid_char_width(c[-1].ch) == 2 && f[-1].ch == c[-1].ch && !s->full))
                    continue;
                src = c - 1;
                sx = x - 1;
            }
            int role = src->role < ROLE_COUNT ? src->role : ROLE_TEXT;
            int gw = grid_char_width(src->ch), pad;
            if (gw == 2 && sx + 1 >= cols)
                gw = 1;
            char acs;
            uint32_t ch = screen_cell_glyph(s, src->ch, gw, &acs, &pad);
            screen_direct_put(s, &b, y, sx, cols, ch, pad ? 1 : gw, role, src->attr);
            if (pad && sx + 1 < cols)
                screen_direct_put(s, &b, y, sx + 1, cols, ' ', 1, role, src->attr);
            sent++;
        }
    }
    s->cells_sent = sent;
    int show = cx >= 0 && cy >= 0 && cx < g->w && cy < g->h;
    if (show) {
        sbuf_str(&b, tiparm(tigetstr("cup"), cy, cx));
        s->out_x = cx, s->out_y = cy;
    }
    if (show != s->out_cursor) {
        sbuf_cap(&b, show ? "cnorm" : "civis");
        s->out_cursor = show;
    }
    fflush(stdout);
    screen_write_all(STDOUT_FILENO, b.p, b.n);
    free(b.p);
    untouchwin(stdscr);
}

void screen_present(Screen *s, const Grid *g, int cx, int cy)
{
    if (!s->open)
        return;
    if (s->front.w != g->w || s->front.h != g->h) {
        grid_resize(&s->front, g->w, g->h);
        s->full = 1;
    }
    /* why: between a resize and its KEY_RESIZE the grid may be larger than
     * curses' screen; cells beyond it are not sent, and a wide character
     * whose right half falls off would make curses wrap it to the next row,
     * so the next frame repaints everything once the sizes agree */
    int rows, cols;
    getmaxyx(stdscr, rows, cols);
    int mismatch = rows != g->h || cols != g->w;
    if (s->direct) {
        screen_present_direct(s, g, cx, cy, rows, cols);
        s->full = mismatch;
        return;
    }
    if (s->full) {
        erase();
        clearok(curscr, TRUE);
    }
    long sent = 0;
    for (int y = 0; y < g->h && y < rows; y++) {
        for (int x = 0; x < g->w && x < cols; x++) {
            const GridCell *c = &g->cells[(size_t)y * g->w + x];
            GridCell *f = &s->front.cells[(size_t)y * g->w + x];
            if (!s->full && c->ch == f->ch && c->role == f->role && c->attr == f->attr)
                continue;
            *f = *c;
            char acs;
            if (c->ch == 0) {
                /* right half of a wide character: drawn with its left half,
                 * which is resent if only this half changed (e.g. its role) */
                if (x > 0 && grid_char_width(c[-1].ch) == 2 && f[-1].ch == c[-1].ch && !s->full) {
                    int role = c[-1].role < ROLE_COUNT ? c[-1].role : ROLE_TEXT;
                    int pad;
                    uint32_t ch = screen_cell_glyph(s, c[-1].ch, 2, &acs, &pad);
                    screen_put(s, y, x - 1, ch, acs, role, c[-1].attr);
                    if (pad)
                        screen_put(s, y, x, ' ', 0, role, c[-1].attr);
                    sent++;
                }
                continue;
            }
            int role = c->role < ROLE_COUNT ? c->role : ROLE_TEXT;
            int gw = grid_char_width(c->ch), pad;
            if (gw == 2 && x + 1 >= cols)
                gw = 1;
            uint32_t ch = screen_cell_glyph(s, c->ch, gw, &acs, &pad);
            screen_put(s, y, x, ch, acs, role, c->attr);
            if (pad && x + 1 < cols)
                screen_put(s, y, x + 1, ' ', 0, role, c->attr);
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
    if (s->direct) {
        /* curses does not know the attributes and cursor set behind its back */
        ScreenBuf b = {0};
        sbuf_str(&b, "\033[0m");
        sbuf_cap(&b, "cnorm");
        fflush(stdout);
        screen_write_all(STDOUT_FILENO, b.p, b.n);
        free(b.p);
    }
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

/* ---- ASCII stand-ins for a locale that cannot encode UTF-8 ---- */

int screen_locale_utf8(void)
{
    const char *cs = nl_langinfo(CODESET);
    return cs && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0);
}

/* Sorted by code point: the stand-in, and the VT100 line-drawing letter
 * (curses' ACS) when there is one. */
static const struct {
    uint32_t cp;
    char ascii, acs;
} screen_ascii_map[] = {
    {0x00a0, ' ', 0},   {0x00ab, '<', 0},   {0x00b0, 'o', 0},   {0x00b7, '.', 0},
    {0x00bb, '>', 0},   {0x00d7, 'x', 0},   {0x00f7, '/', 0},   {0x0394, 'D', 0},
    {0x03b1, 'a', 0},   {0x03b2, 'b', 0},   {0x03b3, 'g', 0},   {0x03b4, 'd', 0},
    {0x03b5, 'e', 0},   {0x03b7, 'n', 0},   {0x03b8, 'o', 0},   {0x03bb, 'l', 0},
    {0x03bc, 'u', 0},   {0x03c0, 'p', 0},   {0x03c3, 's', 0},   {0x2010, '-', 0},
    {0x2011, '-', 0},   {0x2012, '-', 0},   {0x2013, '-', 0},   {0x2014, '-', 0},
    {0x2016, '|', 0},   {0x2018, '\'', 0},  {0x2019, '\'', 0},  {0x201c, '"', 0},
    {0x201d, '"', 0},   {0x2022, '*', 0},   {0x2026, '~', 0},   {0x2039, '<', 0},
    {0x203a, '>', 0},   {0x2190, '<', 0},   {0x2191, '^', 0},   {0x2192, '>', 0},
    {0x2193, 'v', 0},   {0x21e5, '>', 0},   {0x2212, '-', 0},   {0x2248, '~', 0},
    {0x2264, '<', 0},   {0x2265, '>', 0},   {0x23ce, '$', 0},   {0x2423, '_', 0},
    {0x2500, '-', 'q'}, {0x2502, '|', 'x'}, {0x2504, '-', 0},   {0x2506, ':', 0},
    {0x2508, '-', 0},   {0x250a, ':', 0},   {0x250c, '+', 'l'}, {0x2510, '+', 'k'},
    {0x2514, '+', 'm'}, {0x2518, '+', 'j'}, {0x251c, '+', 't'}, {0x2524, '+', 'u'},
    {0x252c, '+', 'w'}, {0x2534, '+', 'v'}, {0x253c, '+', 'n'}, {0x2550, '=', 0},
    {0x2551, '|', 0},   {0x256d, '+', 'l'}, {0x256e, '+', 'k'}, {0x256f, '+', 'j'},
    {0x2570, '+', 'm'}, {0x2580, '"', 0},   {0x2581, '_', 0},   {0x2582, '_', 0},
    {0x2583, '-', 0},   {0x2584, '-', 0},   {0x2585, '=', 0},   {0x2586, '=', 0},
    {0x2587, '#', 0},   {0x2588, '#', 0},   {0x2590, '|', 0},   {0x2591, '.', 0},
    {0x2592, ':', 0},   {0x2593, '%', 0},   {0x25a0, '#', 0},   {0x25a1, '#', 0},
    {0x25b2, '^', 0},   {0x25b3, '^', 0},   {0x25b6, '>', 0},   {0x25b7, '>', 0},
    {0x25b8, '>', 0},   {0x25bc, 'v', 0},   {0x25bd, 'v', 0},   {0x25c0, '<', 0},
    {0x25c1, '<', 0},   {0x25c2, '<', 0},   {0x25c6, 'x', 0},   {0x25c7, 'x', 0},
    {0x25c9, '@', 0},   {0x25cb, 'o', 0},   {0x25cf, 'o', 0},   {0x2605, '*', 0},
    {0x2606, '*', 0},   {0x2705, '+', 0},   {0x2713, '+', 0},   {0x2714, '+', 0},
    {0x2716, 'x', 0},   {0x2717, 'x', 0},   {0x2718, 'x', 0},   {0x271a, '+', 0},
    {0x2726, '*', 0},   {0x274c, 'x', 0},   {0x2b50, '*', 0},   {0xfffd, '?', 0},
};

/* U+00C0..U+00FF without accents (× and ÷ are in the table above). */
static const char screen_latin1[] = "AAAAAAACEEEEIIIIDNOOOOOxOUUUUYPs"
                                    "aaaaaaaceeeeiiiidnooooo/ouuuuypy";

uint32_t screen_ascii(uint32_t ch, char *acs)
{
    *acs = 0;
    if (ch < 0x80)
        return ch;
    if (ch >= 0x2800 && ch <= 0x28ff)
        return ch == 0x2800 ? ' ' : '*'; /* one '*' for a braille cell with any dot */
    if (ch >= 0x2589 && ch <= 0x258f)
        return '+'; /* a bar's partial last cell: 7/8 ... 1/8 */
    if ((ch >= 0x2400 && ch <= 0x2421) && ch != 0x2423)
        return '?'; /* the picture of a control character */
    int lo = 0, hi = (int)(sizeof screen_ascii_map / sizeof screen_ascii_map[0]) - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (ch < screen_ascii_map[mid].cp) {
            hi = mid - 1;
        } else if (ch > screen_ascii_map[mid].cp) {
            lo = mid + 1;
        } else {
            *acs = screen_ascii_map[mid].acs;
            return (unsigned char)screen_ascii_map[mid].ascii;
        }
    }
    if (ch >= 0xc0 && ch <= 0xff && ch != 0xd7 && ch != 0xf7)
        return (unsigned char)screen_latin1[ch - 0xc0];
    return ch;
}
