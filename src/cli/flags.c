/* flags.c — command-line parsing (see flags.h). */
#include "flags.h"

#include "suggest.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Longest value a path or name option takes: they are copied into buffers of
 * TRAIN_PATH_MAX bytes (a save path, the corpus), and none is ever longer than
 * PATH_MAX either. */
#define CLI_VALUE_MAX (TRAIN_PATH_MAX - 1)

static const CliOpt *find_opt(const CliSpec *s, const char *name, size_t len)
{
    for (int i = 0; i < s->n_opts; i++)
        if (strlen(s->opts[i].name) == len && strncmp(s->opts[i].name, name, len) == 0)
            return &s->opts[i];
    return NULL;
}

static int find_train_any(const char *name, size_t len)
{
    for (int i = 0; i < train_config_n_fields(); i++) {
        const TcField *f = train_config_field(i);
        if (strlen(f->name) == len && strncmp(f->name, name, len) == 0)
            return i;
    }
    return -1;
}

/* Whether the command takes this training setting (all of them without a train_only list). */
static int takes_train(const CliSpec *s, const char *name)
{
    if (!s->train)
        return 0;
    for (const char *const *p = s->train_only; p && *p; p++)
        if (strcmp(*p, name) == 0)
            return 1;
    return !s->train_only;
}

static int find_train(const CliSpec *s, const char *name, size_t len)
{
    int i = find_train_any(name, len);
    return i >= 0 && takes_train(s, train_config_field(i)->name) ? i : -1;
}

/* "rnnscope CMD" from the usage line */
static int usage_cmd_len(const CliSpec *s)
{
    const char *sp = strchr(s->usage, ' ');
    sp = sp ? strchr(sp + 1, ' ') : NULL;
    return sp ? (int)(sp - s->usage) : (int)strlen(s->usage);
}

/* The options of the other commands, to say where a misplaced flag belongs. */
static const struct {
    const char *name, *where;
} elsewhere[] = {
    {"headless", "train"}, {"resume", "train, tui and diagnose"}, {"save", "train, tui and diagnose"},
    {"force", "train, tui, export and units"}, {"keep-best", "train and tui"}, {"save-every", "train"},
    {"log", "train"}, {"log-every", "train"}, {"quiet", "train and diagnose"}, {"csv", "train and tui"},
    {"tensorboard", "train and tui"}, {"ngram", "train, tui and units"}, {"json", "eval, bench, diagnose and units"},
    {"out", "grad"}, {"prime", "sample"}, {"length", "sample"}, {"temperature", "sample"}, {"top-k", "sample"},
    {"top-p", "sample"}, {"argmax", "sample"}, {"beam", "sample"}, {"theme", "tui"}, {"layout", "tui"},
    {"paused", "tui"}, {"exit-at-end", "tui"}, {"unsafe", "tui and run"}, {"signals", "diagnose"},
    {"timeout", "run and control"}, {"plot", "run"}, {"lua-memory", "tui and run"}, {"find", "units"}, {"span", "units"},
    {"show", "units"}, {"saturation", "units"}, {"errors", "units"}, {"html", "units"},
};

static int unknown_flag(const CliSpec *s, const char *name, size_t len, Err *err)
{
    char flag[96], q[128];
    snprintf(flag, sizeof flag, "--%.*s", (int)(len < 80 ? len : 80), name);
    train_config_quote(flag, q, sizeof q);
    int n = usage_cmd_len(s);
    if (find_train_any(name, len) >= 0)
        return err_set(err, ERR_INPUT, "unknown flag %s for %.*s: it is a training setting (train, tui, diagnose "
                       "and run take it); see %.*s --help", q, n, s->usage, n, s->usage);
    for (size_t i = 0; i < sizeof elsewhere / sizeof elsewhere[0]; i++)
        if (strlen(elsewhere[i].name) == len && strncmp(elsewhere[i].name, name, len) == 0)
            return err_set(err, ERR_INPUT, "unknown flag %s for %.*s: it is a flag of rnnscope %s; see %.*s --help",
                           q, n, s->usage, elsewhere[i].where, n, s->usage);
    Suggest sg;
    suggest_begin(&sg, name, len);
    for (int i = 0; i < s->n_opts; i++)
        suggest_add(&sg, s->opts[i].name);
    for (int i = 0; s->train && i < train_config_n_fields(); i++)
        if (takes_train(s, train_config_field(i)->name))
            suggest_add(&sg, train_config_field(i)->name);
    suggest_add(&sg, "help");
    const char *near = suggest_result(&sg);
    if (near)
        return err_set(err, ERR_INPUT, "unknown flag %s for %.*s; did you mean --%s?", q, n, s->usage, near);
    return err_set(err, ERR_INPUT, "unknown flag %s for %.*s; see %.*s --help for its flags", q, n, s->usage, n,
                   s->usage);
}

/* A value of free text (--prime TEXT) may be anything; every other string
 * option is a path or a name: not empty, not too long, no control characters. */
static int is_text(const CliOpt *o)
{
    return o->metavar && strcmp(o->metavar, "TEXT") == 0;
}

static int is_path(const CliOpt *o)
{
    static const char *const paths[] = {"PATH", "RUN", "FILE", "DIR", "GRADS"};
    for (size_t i = 0; o->metavar && i < sizeof paths / sizeof paths[0]; i++)
        if (strcmp(o->metavar, paths[i]) == 0)
            return 1;
    return 0;
}

static int set_opt(const CliOpt *o, const char *value, Err *err)
{
    if (o->kind == CLI_STR) {
        int rc = 0;
        if (is_path(o))
            rc = train_config_check_path(o->name, value, CLI_VALUE_MAX, err);
        else if (!is_text(o))
            rc = train_config_check_name(o->name, value, CLI_VALUE_MAX, err);
        if (rc)
            return rc;
        *(const char **)o->dest = value;
        return 0;
    }
    char q[96], range[80];
    train_config_quote(value, q, sizeof q);
    if (o->kind == CLI_INT || o->kind == CLI_LONG) {
        train_config_range_text(o->min, o->max, 0, 0, 1, range, sizeof range);
        long long v = 0;
        int rc = train_config_parse_whole(value, &v);
        if (rc == 1)
            return err_set(err, ERR_INPUT, "--%s: %s is not a whole decimal number; use digits only, in %s", o->name,
                           q, range);
        if (rc == 2 || v < (long long)o->min || v > (long long)o->max)
            return err_set(err, ERR_INPUT, "--%s: %s is out of range; use a whole number in %s", o->name, q, range);
        if (o->kind == CLI_INT)
            *(int *)o->dest = (int)v;
        else
            *(long *)o->dest = (long)v;
        return 0;
    }
    train_config_range_text(o->min, o->max, 0, 0, 0, range, sizeof range);
    double x = 0;
    int rc = train_config_parse_real(value, &x);
    if (rc == 1)
        return err_set(err, ERR_INPUT, "--%s: %s is not a decimal number; use a decimal number in %s", o->name, q,
                       range);
    if (rc == 2 || x < o->min || x > o->max)
        return err_set(err, ERR_INPUT, "--%s: %s is out of range; use a number in %s", o->name, q, range);
    *(float *)o->dest = (float)x;
    return 0;
}

#define MAX_SEEN 128

int cli_parse(CliSpec *s, int argc, char **argv, Err *err)
{
    s->n_pos = 0;
    int only_pos = 0;
    /* the value each option and setting was first given, for duplicates */
    const char *seen_opt[MAX_SEEN] = {0}, *seen_train[MAX_SEEN] = {0};
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (only_pos || a[0] != '-' || a[1] == '\0') {
            if (s->n_pos >= s->max_pos) {
                char q[96];
                train_config_quote(a, q, sizeof q);
                int n = usage_cmd_len(s);
                return err_set(err, ERR_INPUT, "unexpected argument %s; see %.*s --help", q, n, s->usage);
            }
            s->pos[s->n_pos++] = argv[i];
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_pos = 1;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            cli_help(s, stdout);
            return -1;
        }
        if (a[1] != '-') {
            char q[96];
            train_config_quote(a, q, sizeof q);
            return err_set(err, ERR_INPUT, "unknown flag %s; flags are long (--name); see --help", q);
        }
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const CliOpt *o = find_opt(s, name, len);
        int tf = o ? -1 : find_train(s, name, len);
        if (!o && tf < 0)
            return unknown_flag(s, name, len, err);
        const char *fname = o ? o->name : train_config_field(tf)->name;
        int slot = o ? (int)(o - s->opts) : tf;
        const char **seen = slot < MAX_SEEN ? (o ? &seen_opt[slot] : &seen_train[slot]) : NULL;
        int is_bool = o ? o->kind == CLI_FLAG : train_config_field(tf)->kind == TC_BOOL;
        const char *value;
        if (eq) {
            value = eq + 1;
        } else if (is_bool) {
            value = "1";
        } else if (i + 1 < argc) {
            value = argv[++i];
            /* "--save --lr 0.1": the value is missing, not "--lr" */
            if (value[0] == '-' && value[1] == '-') {
                char q[96];
                train_config_quote(value, q, sizeof q);
                return err_set(err, ERR_INPUT, "--%s needs a value but is followed by the flag %s; give the value "
                               "(write --%s=%s if it really starts with --)", fname, q, fname, q);
            }
        } else {
            return err_set(err, ERR_INPUT, "--%s needs a value; see --help", fname);
        }
        if (seen && *seen) {
            char q1[96], q2[96];
            train_config_quote(*seen, q1, sizeof q1);
            train_config_quote(value, q2, sizeof q2);
            return err_set(err, ERR_INPUT, "--%s is given twice (%s, then %s); give each flag once", fname, q1, q2);
        }
        if (seen)
            *seen = value;
        int rc;
        if (o) {
            if (o->kind == CLI_FLAG) {
                if (strcmp(value, "1") && strcmp(value, "0")) {
                    char q[96];
                    train_config_quote(value, q, sizeof q);
                    return err_set(err, ERR_INPUT, "--%s takes no value, not %s (or =1 / =0)", o->name, q);
                }
                *(int *)o->dest = value[0] == '1';
                continue;
            }
            rc = set_opt(o, value, err);
        } else {
            rc = train_config_set(s->train, train_config_field(tf)->name, value, err);
            if (!rc && s->overridden)
                s->overridden[tf] = 1;
        }
        if (rc)
            return rc;
    }
    if (s->n_pos < s->min_pos)
        return err_set(err, ERR_INPUT, "missing argument; usage: %s", s->usage);
    return 0;
}

static void print_default(const CliOpt *o, FILE *out)
{
    switch (o->kind) {
    case CLI_STR: {
        const char *v = *(const char **)o->dest;
        if (v && *v)
            fprintf(out, " (default %s)", v);
        break;
    }
    case CLI_INT: fprintf(out, " (default %d)", *(int *)o->dest); break;
    case CLI_LONG: fprintf(out, " (default %ld)", *(long *)o->dest); break;
    case CLI_FLOAT: fprintf(out, " (default %g)", (double)*(float *)o->dest); break;
    case CLI_FLAG: break;
    }
}

void cli_help(const CliSpec *s, FILE *out)
{
    fprintf(out, "usage: %s\n\n%s\n", s->usage, s->summary);
    if (s->n_opts) {
        fprintf(out, "\noptions:\n");
        for (int i = 0; i < s->n_opts; i++) {
            const CliOpt *o = &s->opts[i];
            char left[64];
            snprintf(left, sizeof left, "--%s%s%s", o->name, o->metavar ? " " : "", o->metavar ? o->metavar : "");
            fprintf(out, "  %-24s %s", left, o->help);
            print_default(o, out);
            fputc('\n', out);
        }
    }
    if (s->train) {
        fprintf(out, "\ntraining settings:\n");
        for (int i = 0; i < train_config_n_fields(); i++) {
            const TcField *f = train_config_field(i);
            if (!takes_train(s, f->name))
                continue;
            char left[64], def[TRAIN_PATH_MAX];
            snprintf(left, sizeof left, "--%s%s", f->name, f->kind == TC_BOOL ? "" : " X");
            train_config_get(s->train, f->name, def, sizeof def);
            if (!strcmp(def, "default"))
                snprintf(def, sizeof def, "PyTorch's for the optimizer");
            fprintf(out, "  %-24s %s (default %s)\n", left, f->help, def[0] ? def : "none");
        }
    }
    fprintf(out, "  %-24s %s\n", "--help", "show this help");
}
