/* commands.c — parsing of the dashboard's ':' commands (see commands.h). */
#include "commands.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const TuiCmdSpec commands_table[] = {
    {"pause", TCMD_PAUSE, TARG_NONE, "", 0, 0, "pause training (F5 toggles)", 0},
    {"run", TCMD_RUN, TARG_TEXT_OPT, "[SCRIPT]", 0, 0, "resume training; with a file: run a Lua script", 0},
    {"step", TCMD_STEP, TARG_INT_OPT, "[N]", 1, 1e9, "run exactly N steps (default 1), then stay paused (F6)", 0},
    {"steps", TCMD_STEPS, TARG_INT, "[N]", 0, 1e15, "end the run at step N (0: no end); extends a finished run", 1},
    {"eval", TCMD_EVAL, TARG_NONE, "", 0, 0, "validation loss now", 0},
    {"lr", TCMD_LR, TARG_FLOAT, "[X]", 1e-12, 1e3, "set the learning rate from the next step (alone: show it)", 1},
    {"clip", TCMD_CLIP, TARG_FLOAT, "[X]", 0, 1e9, "global gradient-norm clipping threshold (0 = off)", 1},
    {"temp", TCMD_TEMP, TARG_FLOAT, "[X]", 1e-3, 100, "temperature of the bars and samples", 1},
    {"topk", TCMD_TOPK, TARG_INT, "[K]", 1, 64, "how many next tokens the bars show", 1},
    {"save", TCMD_SAVE, TARG_PATH_OPT, "[PATH]", 0, 0, "save the run (default: where :quit saves); ! forces", 0},
    {"load", TCMD_LOAD, TARG_PATH, "PATH", 0, 0, "continue the run saved in PATH (paused)", 0},
    {"sample", TCMD_SAMPLE, TARG_INT_OPT, "[N]", 1, 100000, "a fresh sample of N tokens (default 200)", 0},
    {"theme", TCMD_THEME, TARG_THEME, "[NAME]", 0, 0, "switch the colour theme (alone: list them)", 1},
    {"layout", TCMD_LAYOUT, TARG_LAYOUT, "[NAME]", 0, 0, "switch the panel layout (alone: list them)", 1},
    {"smooth", TCMD_SMOOTH, TARG_FLOAT, "[S]", 0, 0.999, "loss smoothing (EMA weight, 0 = raw)", 1},
    {"log", TCMD_LOGY, TARG_NONE, "", 0, 0, "toggle a log scale on the loss chart (F3)", 0},
    {"window", TCMD_WINDOW, TARG_WINDOW, "N|all", 0, 1e12, "loss chart over the last N steps, or all (F4)", 0},
    {"screen", TCMD_SCREEN, TARG_NONE, "", 0, 0, "the next screen: dashboard, inspector, units (F2)", 0},
    {"clear", TCMD_CLEAR, TARG_NONE, "", 0, 0, "clear the message pane", 0},
    {"help", TCMD_HELP, TARG_NONE, "", 0, 0, "this help (F1)", 0},
    {"quit", TCMD_QUIT, TARG_NONE, "", 0, 0, "save the run and exit (Ctrl-D, F10)", 0},
    {"lua", TCMD_LUA, TARG_TEXT, "CODE", 0, 0, "run a line of Lua; = EXPR prints an expression's value", 0},
    {"stop", TCMD_STOP, TARG_NONE, "", 0, 0, "interrupt the running Lua script (Ctrl-C too)", 0},
    {"compare", TCMD_COMPARE, TARG_PATH, "RUN...|off", 0, 0, "overlay the loss curves of saved runs on the chart", 0},
    {"gradcheck", TCMD_GRADCHECK, TARG_CELL, "[CELL]", 0, 0, "check gradients against finite differences", 0},
    {"ngram", TCMD_NGRAM, TARG_INT, "N", 1, 10, "an N-gram baseline's validation loss on the chart", 0},
    {"units", TCMD_UNITS, TARG_TEXT_OPT, "[VIEW]", 0, 0, "the units screen; views: text saturation loss ngram", 0},
    {"unit", TCMD_UNIT, TARG_TEXT, "L:U[:K]", 0, 0, "colour the units text by layer L unit U (kind K)", 0},
    {"find", TCMD_FIND, TARG_TEXT, "REGEX|line", 0, 0, "rank units by correlation (also: indent, off)", 0},
    {"mark", TCMD_MARK, TARG_NONE, "", 0, 0, "mark a span at the units cursor (Insert), rank on it", 0},
};

#define N_COMMANDS ((int)(sizeof commands_table / sizeof commands_table[0]))

int commands_count(void)
{
    return N_COMMANDS;
}

const TuiCmdSpec *commands_spec(int i)
{
    return i >= 0 && i < N_COMMANDS ? &commands_table[i] : NULL;
}

const TuiCmdSpec *commands_find(const char *name)
{
    for (int i = 0; i < N_COMMANDS; i++)
        if (!strcmp(commands_table[i].name, name))
            return &commands_table[i];
    return NULL;
}

/* Exact name, else a unique prefix; *ambiguous set when several match. */
static const TuiCmdSpec *commands_lookup(const char *name, size_t len, int *ambiguous)
{
    const TuiCmdSpec *hit = NULL;
    int n = 0;
    *ambiguous = 0;
    for (int i = 0; i < N_COMMANDS; i++) {
        const char *c = commands_table[i].name;
        if (strlen(c) == len && !strncmp(c, name, len))
            return &commands_table[i];
        if (len > 0 && !strncmp(c, name, len)) {
            hit = &commands_table[i];
            n++;
        }
    }
    if (n > 1) {
        *ambiguous = 1;
        return NULL;
    }
    return hit;
}

static void commands_trim(const char **s, size_t *len)
{
    while (*len && isspace((unsigned char)**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len && isspace((unsigned char)(*s)[*len - 1]))
        (*len)--;
}

static int commands_number(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int commands_parse(const char *line, TuiCmd *out, char *msg, size_t cap)
{
    memset(out, 0, sizeof *out);
    if (msg && cap)
        msg[0] = '\0';
    size_t len = strlen(line);
    const char *s = line;
    size_t tl = len;
    commands_trim(&s, &tl);
    if (tl == 0) {
        out->kind = TCMD_EMPTY;
        return 0;
    }
    if (s[0] == '=') {
        out->kind = TCMD_EXPR;
        const char *e = s + 1;
        size_t el = tl - 1;
        commands_trim(&e, &el);
        snprintf(out->text, sizeof out->text, "%.*s", (int)el, e);
        out->has_arg = el > 0;
        if (!out->has_arg) {
            snprintf(msg, cap, "= needs a Lua expression, e.g. = 1 + 1");
            return -1;
        }
        return 0;
    }
    if (s[0] != ':') {
        out->kind = TCMD_PROMPT;
        /* the prompt keeps its spaces: they are tokens */
        snprintf(out->text, sizeof out->text, "%s", line);
        return 0;
    }
    s++;
    tl--;
    size_t nl = 0;
    while (nl < tl && !isspace((unsigned char)s[nl]))
        nl++;
    int bang = nl > 1 && s[nl - 1] == '!'; /* :save! */
    int ambiguous;
    const TuiCmdSpec *c = commands_lookup(s, nl - (size_t)bang, &ambiguous);
    if (!c) {
        if (ambiguous)
            snprintf(msg, cap, ":%.*s is ambiguous; type more letters (Tab completes)", (int)nl, s);
        else
            snprintf(msg, cap, "unknown command :%.*s; :help lists them", (int)nl, s);
        return -1;
    }
    if (bang && c->kind != TCMD_SAVE) {
        snprintf(msg, cap, ":%s! — only :save! PATH takes a '!' (replace a file that holds another run)", c->name);
        return -1;
    }
    const char *a = s + nl;
    size_t al = tl - nl;
    commands_trim(&a, &al);
    out->force = bang;
    if (c->kind == TCMD_SAVE && al >= 7 && !strncmp(a + al - 7, "--force", 7) &&
        (al == 7 || isspace((unsigned char)a[al - 8]))) {
        out->force = 1; /* :save PATH --force */
        al -= 7;
        commands_trim(&a, &al);
    }
    char arg[1024];
    snprintf(arg, sizeof arg, "%.*s", (int)al, a);
    out->kind = c->kind;
    out->has_arg = al > 0;
    if (c->query && !al)
        return 0; /* show the current value */
    double v = 0;
    switch (c->arg) {
    case TARG_NONE:
        if (al) {
            snprintf(msg, cap, ":%s takes no argument", c->name);
            return -1;
        }
        break;
    case TARG_INT_OPT:
    case TARG_INT:
        if (!al) {
            if (c->arg == TARG_INT) {
                snprintf(msg, cap, ":%s needs a whole number %s, e.g. :%s %.0f", c->name, c->metavar, c->name,
                         c->min > 5 ? c->min : 5);
                return -1;
            }
            out->n = c->kind == TCMD_SAMPLE ? 200 : 1;
            break;
        }
        if (commands_number(arg, &v) || v != floor(v) || v < c->min || v > c->max) {
            snprintf(msg, cap, ":%s %s: expected a whole number from %.0f to %.0f", c->name, arg, c->min, c->max);
            return -1;
        }
        out->n = (long)v;
        break;
    case TARG_FLOAT:
        if (!al || commands_number(arg, &v) || v < c->min || v > c->max) {
            snprintf(msg, cap, ":%s %s: expected a number from %g to %g, e.g. :%s %g", c->name, al ? arg : "(missing)",
                     c->min, c->max, c->name, c->kind == TCMD_LR ? 0.001 : c->kind == TCMD_SMOOTH ? 0.9 : 1.0);
            return -1;
        }
        out->x = v;
        break;
    case TARG_WINDOW:
        if (!al || !strcmp(arg, "all")) {
            out->n = 0;
            break;
        }
        if (commands_number(arg, &v) || v != floor(v) || v < 1 || v > c->max) {
            snprintf(msg, cap, ":window %s: expected a number of steps or 'all'", arg);
            return -1;
        }
        out->n = (long)v;
        break;
    case TARG_PATH:
    case TARG_THEME:
    case TARG_LAYOUT:
    case TARG_TEXT:
        if (!al) {
            snprintf(msg, cap, ":%s needs %s (Tab completes)", c->name, c->metavar);
            return -1;
        }
        /* fall through */
    case TARG_PATH_OPT:
    case TARG_TEXT_OPT:
    case TARG_CELL:
        snprintf(out->text, sizeof out->text, "%s", arg);
        break;
    }
    return 0;
}

TuiArgKind commands_arg_at(const char *line, int point, int *is_name)
{
    *is_name = 0;
    int i = 0;
    while (i < point && isspace((unsigned char)line[i]))
        i++;
    if (i >= point || line[i] != ':')
        return TARG_NONE;
    int start = ++i;
    while (i < point && !isspace((unsigned char)line[i]))
        i++;
    if (i >= point) {
        *is_name = 1;
        return TARG_NONE;
    }
    int ambiguous, bang = i - start > 1 && line[i - 1] == '!';
    const TuiCmdSpec *c = commands_lookup(line + start, (size_t)(i - start - bang), &ambiguous);
    return c ? c->arg : TARG_NONE;
}

const char *commands_complete_name(const char *prefix, int state)
{
    static char buf[64];
    const char *p = prefix[0] == ':' ? prefix + 1 : prefix;
    size_t pl = strlen(p);
    int seen = 0;
    for (int i = 0; i < N_COMMANDS; i++) {
        if (strncmp(commands_table[i].name, p, pl))
            continue;
        if (seen++ == state) {
            snprintf(buf, sizeof buf, ":%s", commands_table[i].name);
            return buf;
        }
    }
    return NULL;
}
