/* flags.c — command-line parsing (see flags.h). */
#include "flags.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const CliOpt *find_opt(const CliSpec *s, const char *name, size_t len)
{
    for (int i = 0; i < s->n_opts; i++)
        if (strlen(s->opts[i].name) == len && strncmp(s->opts[i].name, name, len) == 0)
            return &s->opts[i];
    return NULL;
}

static int find_train(const CliSpec *s, const char *name, size_t len)
{
    if (!s->train)
        return -1;
    for (int i = 0; i < train_config_n_fields(); i++) {
        const TcField *f = train_config_field(i);
        if (strlen(f->name) == len && strncmp(f->name, name, len) == 0)
            return i;
    }
    return -1;
}

static int set_opt(const CliOpt *o, const char *value, Err *err)
{
    if (o->kind == CLI_STR) {
        *(const char **)o->dest = value;
        return 0;
    }
    char *end;
    errno = 0;
    double x = strtod(value, &end);
    if (end == value || *end || errno == ERANGE || !isfinite(x))
        return err_set(err, ERR_INPUT, "--%s: '%s' is not a number", o->name, value);
    if ((o->kind == CLI_INT || o->kind == CLI_LONG) && x != floor(x))
        return err_set(err, ERR_INPUT, "--%s: '%s' is not a whole number", o->name, value);
    if (x < o->min || x > o->max)
        return err_set(err, ERR_INPUT, "--%s: %s is out of range [%g, %g]", o->name, value, o->min, o->max);
    if (o->kind == CLI_INT)
        *(int *)o->dest = (int)x;
    else if (o->kind == CLI_LONG)
        *(long *)o->dest = (long)x;
    else
        *(float *)o->dest = (float)x;
    return 0;
}

int cli_parse(CliSpec *s, int argc, char **argv, Err *err)
{
    s->n_pos = 0;
    int only_pos = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (only_pos || a[0] != '-' || a[1] == '\0') {
            if (s->n_pos >= s->max_pos) {
                /* "rnnscope CMD" from the usage line */
                const char *sp = strchr(s->usage, ' ');
                sp = sp ? strchr(sp + 1, ' ') : NULL;
                int n = sp ? (int)(sp - s->usage) : (int)strlen(s->usage);
                return err_set(err, ERR_INPUT, "unexpected argument '%s'; see %.*s --help", a, n, s->usage);
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
        if (a[1] != '-')
            return err_set(err, ERR_INPUT, "unknown flag '%s'; flags are long (--name); see --help", a);
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const CliOpt *o = find_opt(s, name, len);
        int tf = o ? -1 : find_train(s, name, len);
        if (!o && tf < 0)
            return err_set(err, ERR_INPUT, "unknown flag '--%.*s'; see --help for the flags of this command",
                           (int)len, name);
        int is_bool = o ? o->kind == CLI_FLAG : train_config_field(tf)->kind == TC_BOOL;
        const char *value;
        if (eq)
            value = eq + 1;
        else if (is_bool)
            value = "1";
        else if (i + 1 < argc)
            value = argv[++i];
        else
            return err_set(err, ERR_INPUT, "--%.*s needs a value; see --help", (int)len, name);
        int rc;
        if (o) {
            if (o->kind == CLI_FLAG) {
                if (strcmp(value, "1") && strcmp(value, "0"))
                    return err_set(err, ERR_INPUT, "--%s takes no value (or =1 / =0)", o->name);
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
