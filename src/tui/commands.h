/* commands.h — the dashboard's ':' commands: one table (name, argument,
 * help) that parsing, the help screen and tab completion all read.
 *
 * Plain text (no leading ':') is a prompt; "= expr" is a Lua expression. A
 * line is parsed into a TuiCmd with its argument checked (numbers in range,
 * a required path present); executing it is the app's business (app.c),
 * so this file stays pure and testable.
 */
#ifndef RNNSCOPE_TUI_COMMANDS_H
#define RNNSCOPE_TUI_COMMANDS_H

#include <stddef.h>

typedef enum {
    TCMD_PROMPT = 0, /* plain text */
    TCMD_EMPTY,      /* blank line */
    TCMD_PAUSE, TCMD_RUN, TCMD_STEP, TCMD_EVAL, TCMD_LR, TCMD_CLIP, TCMD_TEMP,
    TCMD_TOPK, TCMD_SAVE, TCMD_LOAD, TCMD_SAMPLE, TCMD_THEME, TCMD_LAYOUT,
    TCMD_SMOOTH, TCMD_LOGY, TCMD_WINDOW, TCMD_SCREEN, TCMD_CLEAR, TCMD_HELP,
    TCMD_QUIT, TCMD_LUA, TCMD_EXPR, TCMD_STOP,
    TCMD_COMPARE, TCMD_GRADCHECK, TCMD_NGRAM, /* the inspector's */
    TCMD_STEPS,
    TCMD_UNITS, TCMD_UNIT, TCMD_FIND, TCMD_MARK, /* the units screen's */
    TCMD_COUNT
} TuiCmdKind;

/* What kind of argument a command takes, for parsing and completion. */
typedef enum {
    TARG_NONE, TARG_INT_OPT, TARG_FLOAT, TARG_INT, TARG_PATH_OPT, TARG_PATH,
    TARG_THEME, TARG_LAYOUT, TARG_TEXT_OPT, TARG_TEXT, TARG_WINDOW,
    TARG_CELL        /* optional: lstm, gru or rnn */
} TuiArgKind;

typedef struct {
    const char *name;     /* without ':' */
    TuiCmdKind kind;
    TuiArgKind arg;
    const char *metavar;  /* "[N]", "X", "PATH"... or "" */
    double min, max;      /* numeric range, inclusive */
    const char *help;     /* one line */
    int query;            /* a setting: without its argument it parses (has_arg 0)
                           * and the app shows the current value */
} TuiCmdSpec;

typedef struct {
    TuiCmdKind kind;
    int has_arg;
    long n;               /* integer argument (STEP, TOPK, SAMPLE, WINDOW: 0 = all) */
    double x;             /* float argument (LR, CLIP, TEMP, SMOOTH) */
    char text[1024];      /* path, name, prompt text, Lua code */
    int force;            /* :save! PATH or :save PATH --force: replace a file holding another run */
} TuiCmd;

int commands_count(void);
const TuiCmdSpec *commands_spec(int i);
const TuiCmdSpec *commands_find(const char *name); /* exact name, or NULL */

/* Parse one input line. Returns 0 with *out filled, or -1 with a one-line
 * message in msg ("unknown command :foo; :help lists them", ":lr needs a
 * number, e.g. :lr 0.001"). A unique prefix of a command name is accepted
 * (":pa" = ":pause"). A setting command (spec->query: :lr :clip :temp :topk
 * :smooth :theme :layout) without its argument parses with has_arg 0: the
 * app shows the current value. */
int commands_parse(const char *line, TuiCmd *out, char *msg, size_t cap);

/* For completion: the argument kind being typed at byte offset `point` of
 * line (TARG_NONE when the command name itself is being typed or the command
 * takes no argument). *is_name is set to 1 when the command name is being typed. */
TuiArgKind commands_arg_at(const char *line, int point, int *is_name);

/* Command names (with the ':') starting with prefix (which includes the ':'),
 * the state-th of them; NULL when there are no more. */
const char *commands_complete_name(const char *prefix, int state);

#endif
