/* input.c — readline's callback interface inside curses (see input.h).
 *
 * Keys are queued byte by byte; rl_getc_function pops the queue and
 * rl_input_available_hook tells readline whether more of a key sequence is
 * already there, so an arrow key's "\033[D" is read as one sequence without
 * waiting for its keyseq timeout.
 */
#include "input.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "commands.h"
#include "layout.h"
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

/* Generators for rl_completion_matches: state 0 starts over. */
static char *input_gen_name(const char *text, int state)
{
    const char *m = commands_complete_name(text, state);
    return m ? strdup(m) : NULL;
}

static char *input_gen_layout(const char *text, int state)
{
    static int i;
    if (state == 0)
        i = 0;
    const char *n;
    while ((n = layout_name(i++)) != NULL)
        if (!strncmp(n, text, strlen(text)))
            return strdup(n);
    return NULL;
}

static char *input_gen_theme(const char *text, int state)
{
    static char **names;
    static int n, i;
    if (state == 0) {
        if (names)
            theme_list_free(names, n);
        names = NULL;
        n = 0;
        ThemeDirs d;
        if (input_themes)
            d = *input_themes;
        else
            theme_dirs_default(&d, NULL);
        n = theme_list(&d, &names);
        i = 0;
    }
    while (i < n) {
        const char *m = names[i++];
        if (!strncmp(m, text, strlen(text)))
            return strdup(m);
    }
    if (names)
        theme_list_free(names, n);
    names = NULL;
    n = 0;
    return NULL;
}

static char **input_complete(const char *text, int start, int end)
{
    (void)end;
    int is_name = 0;
    TuiArgKind k = commands_arg_at(rl_line_buffer, start, &is_name);
    rl_attempted_completion_over = 1;
    if (is_name)
        return rl_completion_matches(text, input_gen_name);
    switch (k) {
    case TARG_PATH:
    case TARG_PATH_OPT:
    case TARG_TEXT_OPT:
        rl_attempted_completion_over = 0; /* readline's file names */
        return NULL;
    case TARG_THEME:
        return rl_completion_matches(text, input_gen_theme);
    case TARG_LAYOUT:
        return rl_completion_matches(text, input_gen_layout);
    default:
        return NULL;
    }
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

void input_key(int key)
{
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
    while (input_q_len > 0 && !input_eof)
        rl_callback_read_char();
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

/* Display columns of s[0..n). */
static int input_cols(const char *s, int n)
{
    int cols = 0;
    for (size_t i = 0; i < (size_t)n;) {
        uint32_t cp = utf8_next(s, (size_t)n, &i);
        cols += cp < 0x20 ? 2 : grid_char_width(cp);
    }
    return cols;
}

int input_draw(Grid *g, Rect r, const char *prompt, Role role, Role prompt_role)
{
    grid_fill(g, r, ' ', role);
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
        if (cp < 0x20) {
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
