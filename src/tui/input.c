/* input.c — readline's callback interface inside curses (see input.h).
 *
 * Keys are queued byte by byte; rl_getc_function pops the queue and
 * rl_input_available_hook tells readline whether more of a key sequence is
 * already there, so an arrow key's "\033[D" is read as one sequence without
 * waiting for its keyseq timeout. Bracketed-paste markers are caught before
 * readline sees them (input_key), so a paste of any length, arriving over
 * any number of reads, is inserted as text; readline's own
 * enable-bracketed-paste cannot be used here, it reads the paste with
 * rl_getc and would stop at the end of what has arrived so far.
 */
#include "input.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "complete.h"
#include "utf8.h"

static unsigned char input_queue[64];
static int input_q_head, input_q_len;
static char *input_line;
static int input_eof;
static int input_dirty = 1;
static char input_notice[1024];
static char input_hist_path[1024];
static const ThemeDirs *input_themes;
static FILE *input_null;
static int input_is_open;
#define INPUT_PASTE_MAX 65536 /* bytes of one paste kept; the rest is left out (with a notice) */
/* bracketed paste (input_key) */
static const char input_paste_start[] = "\033[200~";
static const char input_paste_end[] = "\033[201~";
enum { INPUT_MARK_LEN = 6 };
static int input_start_m;          /* bytes of the start marker matched (held back) */
static int input_pasting;          /* inside a paste */
static int input_end_m;            /* bytes of the end marker matched */
static char *input_paste;          /* (input_paste_cap) the paste so far */
static size_t input_paste_n, input_paste_cap, input_paste_dropped;

static int input_getc(FILE *f)
{
    (void)f;
    if (input_q_len == 0)
        return EOF;
    int c = input_queue[input_q_head];
    input_q_head = (input_q_head + 1) % (int)sizeof input_queue;
    input_q_len--;
    return c;
}

static int input_available(void)
{
    return input_q_len > 0;
}

static void input_redisplay(void)
{
    input_dirty = 1;
}

static void input_prep(int meta)
{
    (void)meta;
}

static void input_deprep(void)
{
}

static void input_on_line(char *line)
{
    if (!line) {
        input_eof = 1;
        return;
    }
    if (line[0]) {
        HIST_ENTRY *last = history_length > 0 ? history_get(history_base + history_length - 1) : NULL;
        if (!last || strcmp(last->line, line))
            add_history(line);
    }
    free(input_line);
    input_line = line;
    input_dirty = 1;
}

static void input_show_matches(char **matches, int num, int max_len)
{
    (void)max_len;
    size_t used = 0;
    input_notice[0] = '\0';
    for (int i = 1; i <= num && used + 2 < sizeof input_notice; i++) {
        int k = snprintf(input_notice + used, sizeof input_notice - used, "%s%s", i > 1 ? "  " : "", matches[i]);
        if (k < 0)
            break;
        used += (size_t)k;
    }
    if (used >= sizeof input_notice)
        used = sizeof input_notice - 1;
    input_dirty = 1;
}

/* Tab: complete.c says what the word can become; readline takes the list
 * from this generator (state 0 starts over) and lists several matches
 * through input_show_matches. */
static CompleteList input_cands;

static char *input_gen_list(const char *text, int state)
{
    static int i;
    (void)text; /* complete_at kept only the words starting with it */
    if (state == 0)
        i = 0;
    return i < input_cands.n ? strdup(input_cands.items[i++]) : NULL;
}

static char **input_complete(const char *text, int start, int end)
{
    complete_list_free(&input_cands);
    CompleteMode m = complete_at(rl_line_buffer, start, end, input_themes, &input_cands);
    rl_attempted_completion_over = 1;
    if (m == COMPLETE_FILES) {
        rl_attempted_completion_over = 0; /* readline's file names */
        return NULL;
    }
    if (m != COMPLETE_LIST || input_cands.n == 0)
        return NULL;
    return rl_completion_matches(text, input_gen_list);
}

void input_open(const char *history_path, const ThemeDirs *themes)
{
    input_themes = themes;
    snprintf(input_hist_path, sizeof input_hist_path, "%s", history_path ? history_path : "");
    input_null = fopen("/dev/null", "w");
    rl_readline_name = "rnnscope";
    rl_instream = stdin;
    rl_outstream = input_null ? input_null : stdout;
    rl_catch_signals = 0;
    rl_catch_sigwinch = 0;
    rl_change_environment = 0;
    rl_getc_function = input_getc;
    rl_input_available_hook = input_available;
    rl_redisplay_function = input_redisplay;
    rl_prep_term_function = input_prep;
    rl_deprep_term_function = input_deprep;
    rl_attempted_completion_function = input_complete;
    rl_completion_display_matches_hook = input_show_matches;
    rl_bind_key('\t', rl_complete);
    using_history();
    stifle_history(1000);
    if (input_hist_path[0])
        read_history(input_hist_path);
    rl_callback_handler_install("", input_on_line);
    input_is_open = 1;
}

void input_close(void)
{
    if (!input_is_open)
        return;
    input_is_open = 0;
    rl_callback_handler_remove();
    if (input_hist_path[0]) {
        write_history(input_hist_path);
        history_truncate_file(input_hist_path, 1000);
    }
    clear_history();
    complete_list_free(&input_cands);
    free(input_paste);
    input_paste = NULL;
    input_paste_cap = input_paste_n = 0;
    input_start_m = input_pasting = input_end_m = 0;
    free(input_line);
    input_line = NULL;
    if (input_null)
        fclose(input_null);
    input_null = NULL;
    rl_outstream = stdout;
}

static void input_push(const char *bytes, int n)
{
    for (int i = 0; i < n && input_q_len < (int)sizeof input_queue; i++) {
        input_queue[(input_q_head + input_q_len) % (int)sizeof input_queue] = (unsigned char)bytes[i];
        input_q_len++;
    }
}

/* Hand queued bytes to readline. */
static void input_run(void)
{
    while (input_q_len > 0 && !input_eof)
        rl_callback_read_char();
    input_dirty = 1;
}

/* ---- bracketed paste --------------------------------------------------------
 * The terminal wraps a paste in ESC[200~ ... ESC[201~ (screen.c turns the mode
 * on). The bytes of a start marker are held back from readline until it is
 * complete (or turns out to be something else, e.g. an arrow key); the pasted
 * bytes are collected, however many reads they take, and inserted into the
 * line as one piece of text: nothing in a paste is a key, so a pasted newline
 * never accepts the line. Newlines are kept (CR LF and CR become LF): plain
 * text with newlines is a prompt with newline tokens; a command line stays one
 * line (":pause\n:quit" is ":pause" with an argument, refused). */

static void input_paste_put(char c)
{
    if (input_paste_n >= INPUT_PASTE_MAX) {
        input_paste_dropped++;
        return;
    }
    if (input_paste_n + 1 >= input_paste_cap) {
        input_paste_cap = input_paste_cap ? input_paste_cap * 2 : 256;
        input_paste = realloc(input_paste, input_paste_cap);
        if (!input_paste) {
            input_paste_cap = input_paste_n = 0;
            return;
        }
    }
    input_paste[input_paste_n++] = c;
}

static void input_paste_finish(void)
{
    input_pasting = 0;
    input_end_m = 0;
    if (!input_paste_n)
        return;
    /* CR LF and CR -> LF; NUL cannot live in a C string line */
    size_t w = 0;
    for (size_t i = 0; i < input_paste_n; i++) {
        char c = input_paste[i];
        if (c == '\r') {
            c = '\n';
            if (i + 1 < input_paste_n && input_paste[i + 1] == '\n')
                i++;
        }
        if (c)
            input_paste[w++] = c;
    }
    input_paste[w] = '\0';
    input_paste_n = 0;
    /* why: a search in progress would take the text as keys; end it, keeping the line it found */
    if (RL_ISSTATE(RL_STATE_ISEARCH | RL_STATE_NSEARCH | RL_STATE_NUMERICARG))
        rl_callback_sigcleanup();
    rl_begin_undo_group();
    rl_insert_text(input_paste);
    rl_end_undo_group();
    if (input_paste_dropped)
        snprintf(input_notice, sizeof input_notice, "paste cut at %d bytes (%zu more left out)", INPUT_PASTE_MAX,
                 input_paste_dropped);
    input_paste_dropped = 0;
    input_dirty = 1;
}

/* One byte inside a paste: collect it, watching for the end marker. */
static void input_paste_byte(char c)
{
    for (;;) {
        if (c == input_paste_end[input_end_m]) {
            if (++input_end_m == INPUT_MARK_LEN)
                input_paste_finish();
            return;
        }
        if (input_end_m == 0) {
            input_paste_put(c);
            return;
        }
        /* a false start of the end marker: those bytes were text */
        for (int i = 0; i < input_end_m; i++)
            input_paste_put(input_paste_end[i]);
        input_end_m = 0;
    }
}

/* Held-back bytes of a start marker that did not complete go to readline. */
static void input_release_held(void)
{
    if (!input_start_m)
        return;
    int n = input_start_m;
    input_start_m = 0;
    input_push(input_paste_start, n);
    input_run();
}

void input_idle(void)
{
    /* only a lone ESC: a longer held start ("ESC [ 2") is a marker whose rest
     * is still on its way (curses hands over an unknown sequence whole) */
    if (input_start_m == 1)
        input_release_held();
}

void input_key(int key)
{
    if (input_pasting) {
        if (key == KEY_ENTER)
            key = '\n';
        if (key >= 0 && key <= 255)
            input_paste_byte((char)key);
        return;
    }
    if (key >= 0 && key <= 255) {
        if (key == (unsigned char)input_paste_start[input_start_m]) {
            if (++input_start_m == INPUT_MARK_LEN) {
                input_start_m = 0;
                input_pasting = 1;
                input_end_m = 0;
                input_paste_n = 0;
            }
            return;
        }
        input_release_held();
        if (key == (unsigned char)input_paste_start[0]) {
            input_start_m = 1;
            return;
        }
    } else {
        input_release_held();
    }
    const char *seq = NULL;
    char one[1];
    switch (key) {
    case KEY_LEFT: seq = "\033[D"; break;
    case KEY_RIGHT: seq = "\033[C"; break;
    case KEY_UP: seq = "\033[A"; break;
    case KEY_DOWN: seq = "\033[B"; break;
    case KEY_HOME: seq = "\001"; break;
    case KEY_END: seq = "\005"; break;
    case KEY_DC: seq = "\004"; break;
    case KEY_BACKSPACE: seq = "\177"; break;
    case KEY_ENTER: seq = "\r"; break;
    default:
        if (key < 0 || key > 255)
            return;
        one[0] = (char)key;
        input_push(one, 1);
        break;
    }
    if (seq) {
        /* why: Delete as ^D must not mean end-of-input on an empty line */
        if (key == KEY_DC && rl_end == 0)
            return;
        input_push(seq, (int)strlen(seq));
    }
    input_run();
}

int input_busy(void)
{
    return rl_end > 0 || input_pasting || input_start_m > 0 ||
           RL_ISSTATE(RL_STATE_ISEARCH | RL_STATE_NSEARCH | RL_STATE_NUMERICARG);
}

void input_cancel(void)
{
    input_start_m = input_pasting = input_end_m = 0;
    input_paste_n = input_paste_dropped = 0;
    rl_callback_sigcleanup(); /* a search, a numeric argument, a multi-key sequence */
    rl_free_line_state();     /* the undo list, a keyboard macro */
    rl_replace_line("", 1);
    rl_point = rl_end = rl_mark = 0;
    history_set_pos(history_length); /* Up starts from the newest entry again */
    input_dirty = 1;
}

int input_take(char **line)
{
    if (input_line) {
        *line = input_line;
        input_line = NULL;
        return 1;
    }
    if (input_eof) {
        input_eof = 0;
        *line = NULL;
        return 2;
    }
    return 0;
}

const char *input_text(void)
{
    return rl_line_buffer ? rl_line_buffer : "";
}

int input_point(void)
{
    return rl_point;
}

void input_set_text(const char *text)
{
    rl_replace_line(text, 0);
    rl_point = rl_end;
    input_dirty = 1;
}

int input_changed(void)
{
    int d = input_dirty;
    input_dirty = 0;
    return d;
}

int input_take_notice(char *buf, size_t cap)
{
    if (!input_notice[0])
        return 0;
    snprintf(buf, cap, "%s", input_notice);
    input_notice[0] = '\0';
    return 1;
}

/* Columns of one code point of the line: a newline or tab shows as one
 * visible glyph (⏎ ⇥, e.g. from a paste), other controls as ^X. */
static int input_cp_cols(uint32_t cp)
{
    if (cp == '\n' || cp == '\t')
        return 1;
    return cp < 0x20 ? 2 : grid_char_width(cp);
}

/* Display columns of s[0..n). */
static int input_cols(const char *s, int n)
{
    int cols = 0;
    for (size_t i = 0; i < (size_t)n;)
        cols += input_cp_cols(utf8_next(s, (size_t)n, &i));
    return cols;
}

int input_draw(Grid *g, Rect r, const char *prompt, Role role, Role prompt_role)
{
    grid_fill(g, r, ' ', role);
    /* readline's own prompt while it has one: "(reverse-i-search)`ke': " for
     * Ctrl-R, "(arg: 4) " for a numeric argument (the installed prompt is "") */
    if (rl_display_prompt && rl_display_prompt[0] && rl_display_prompt != rl_prompt)
        prompt = rl_display_prompt;
    int pw = grid_text(g, r.x, r.y, r.w, prompt, prompt_role, ATTR_BOLD);
    int avail = r.w - pw - 1;
    if (avail < 1)
        return r.x + pw;
    const char *text = input_text();
    int len = (int)strlen(text);
    int point = input_point();
    if (point > len)
        point = len;
    int cur = input_cols(text, point);
    /* skip whole characters from the left until the cursor fits */
    size_t start = 0;
    while (cur - input_cols(text, (int)start) > avail && start < (size_t)point)
        utf8_next(text, (size_t)len, &start);
    int x = r.x + pw;
    int end_x = r.x + pw + avail;
    for (size_t i = start; i < (size_t)len && x < end_x;) {
        uint32_t cp = utf8_next(text, (size_t)len, &i);
        if (cp == '\n' || cp == '\t') {
            grid_set(g, x++, r.y, cp == '\n' ? 0x23ce : 0x21e5, ROLE_ESCAPE, 0); /* ⏎ ⇥ */
        } else if (cp < 0x20) {
            /* control characters typed with C-v show as ^X */
            if (x + 2 > end_x)
                break;
            grid_set(g, x++, r.y, '^', ROLE_ESCAPE, 0);
            grid_set(g, x++, r.y, cp + '@', ROLE_ESCAPE, 0);
        } else {
            int w = grid_char_width(cp);
            if (x + w > end_x)
                break;
            grid_set(g, x, r.y, cp, role, 0); /* a wide one fills its right half itself */
            x += w;
        }
    }
    return r.x + pw + cur - input_cols(text, (int)start);
}
