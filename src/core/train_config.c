/* train_config.c — the table of training settings and their parsing (see train_config.h). */
#include "train_config.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    TcField f;
    size_t offset; /* into TrainConfig */
} FieldSlot;

#define SLOT(name, kind, scope, lo, hi, member, help) \
    {{name, kind, scope, lo, hi, help, 0, 0}, offsetof(TrainConfig, member)}
/* the same with the lower bound excluded: the setting must be above lo */
#define SLOT_ABOVE(name, kind, scope, lo, hi, member, help) \
    {{name, kind, scope, lo, hi, help, 1, 0}, offsetof(TrainConfig, member)}

static const FieldSlot slots[] = {
    SLOT("corpus", TC_STRING, TC_DATA, 0, 0, corpus, "training text file"),
    SLOT("tokenizer", TC_TOKENIZER, TC_ARCH, 0, 0, tokenizer, "char (UTF-8 code points), byte or word"),
    SLOT("max-vocab", TC_INT, TC_ARCH, 2, MODEL_MAX_VOCAB, max_vocab, "word tokenizer: vocabulary size including <unk>"),
    SLOT("val-frac", TC_FLOAT, TC_DATA, 0, 0.5, val_frac, "fraction of the corpus held out for validation"),
    SLOT("cell", TC_CELL, TC_ARCH, 0, 0, cell, "lstm, gru or rnn (tanh)"),
    SLOT("layers", TC_INT, TC_ARCH, 1, TRAIN_MAX_LAYERS, layers, "stacked recurrent layers"),
    SLOT("hidden", TC_INT, TC_ARCH, 1, MODEL_MAX_WIDTH, hidden, "hidden units per layer"),
    SLOT("embed", TC_INT, TC_ARCH, 1, MODEL_MAX_WIDTH, embed, "token embedding size"),
    SLOT("dropout", TC_FLOAT, TC_ANY, 0, 0.95, dropout, "dropout between layers (training only)"),
    SLOT("forget-bias-one", TC_BOOL, TC_ARCH, 0, 1, forget_bias_one, "lstm: initialise the forget-gate bias to 1"),
    SLOT("batch", TC_INT, TC_DATA, 1, 4096, batch, "parallel streams per step (B)"),
    SLOT("seq", TC_INT, TC_DATA, 1, 100000, seq, "time steps per chunk, the BPTT window (T)"),
    SLOT("optim", TC_OPTIM, TC_ANY, 0, 0, optim, "sgd, adagrad, rmsprop, adam or adamw"),
    SLOT_ABOVE("lr", TC_FLOAT, TC_ANY, 0, 1e30, lr, "learning rate (the schedule's base)"),
    SLOT("momentum", TC_FLOAT, TC_ANY, 0, 0.9999, momentum, "sgd: momentum (0 = plain sgd)"),
    SLOT("nesterov", TC_BOOL, TC_ANY, 0, 1, nesterov, "sgd: Nesterov momentum"),
    SLOT("alpha", TC_FLOAT, TC_ANY, 0, 0.999999, alpha, "rmsprop: smoothing constant"),
    SLOT("beta1", TC_FLOAT, TC_ANY, 0, 0.999999, beta1, "adam/adamw: first-moment decay"),
    SLOT("beta2", TC_FLOAT, TC_ANY, 0, 0.999999, beta2, "adam/adamw: second-moment decay"),
    SLOT_ABOVE("eps", TC_FLOAT, TC_ANY, 0, 1, eps, "denominator epsilon"),
    SLOT("weight-decay", TC_FLOAT, TC_ANY, 0, 10, weight_decay, "L2 penalty; decoupled for adamw"),
    SLOT("schedule", TC_SCHEDULE, TC_ANY, 0, 0, schedule, "learning-rate schedule: constant, step or cosine"),
    SLOT("warmup", TC_LONG, TC_ANY, 0, 1e12, warmup, "linear warmup steps"),
    SLOT("step-size", TC_LONG, TC_ANY, 1, 1e12, step_size, "step schedule: decay every N steps"),
    SLOT_ABOVE("gamma", TC_FLOAT, TC_ANY, 0, 1, gamma, "step schedule: multiply the lr by this"),
    SLOT("min-lr", TC_FLOAT, TC_ANY, 0, 100, min_lr, "cosine schedule: final learning rate"),
    SLOT("clip", TC_FLOAT, TC_ANY, 0, 1e12, clip, "clip the global gradient norm to this (0 = off)"),
    SLOT("clip-value", TC_FLOAT, TC_ANY, 0, 1e12, clip_value, "clamp every gradient element to +-this, as char-rnn (0 = off)"),
    SLOT("steps", TC_LONG, TC_ANY, 0, 1e15, steps, "total training steps (0 = until stopped)"),
    SLOT("eval-every", TC_LONG, TC_ANY, 0, 1e15, eval_every, "validation loss every K steps (0 = never)"),
    SLOT("eval-chunks", TC_INT, TC_ANY, 0, 1 << 30, eval_chunks, "validation chunks per evaluation (0 = the whole split)"),
    SLOT("seed", TC_SEED, TC_ANY, 0, 0, seed, "random seed (initialisation, dropout)"),
    SLOT("threads", TC_INT, TC_ANY, 0, 256, threads, "threads of a training step (0 = one per core); OpenBLAS runs single-threaded inside them"),
};

#define N_SLOTS ((int)(sizeof slots / sizeof slots[0]))

void train_config_default(TrainConfig *c)
{
    memset(c, 0, sizeof *c);
    c->tokenizer = TOK_CHAR;
    c->max_vocab = 10000;
    c->val_frac = 0.1f;
    c->cell = CELL_LSTM;
    c->layers = 2;
    c->hidden = 128;
    c->embed = 64;
    c->batch = 50;
    c->seq = 50;
    c->optim = OPTIM_ADAM;
    c->lr = 2e-3f;
    c->alpha = c->beta1 = c->beta2 = c->eps = c->weight_decay = NAN;
    c->schedule = SCHED_CONSTANT;
    c->step_size = 1000;
    c->gamma = 0.5f;
    c->clip = 5.0f;
    c->steps = 2000;
    c->eval_every = 200;
    c->seed = 1;
}

int train_config_n_fields(void) { return N_SLOTS; }

const TcField *train_config_field(int i)
{
    return i >= 0 && i < N_SLOTS ? &slots[i].f : NULL;
}

static const FieldSlot *find_slot(const char *name)
{
    for (int i = 0; i < N_SLOTS; i++)
        if (strcmp(slots[i].f.name, name) == 0)
            return &slots[i];
    return NULL;
}

const TcField *train_config_find(const char *name)
{
    const FieldSlot *s = find_slot(name);
    return s ? &s->f : NULL;
}

int train_config_parse_whole(const char *text, long long *out)
{
    const char *p = text;
    if (*p == '-')
        p++;
    if (*p == '\0')
        return 1;
    for (const char *q = p; *q; q++)
        if (*q < '0' || *q > '9')
            return 1;
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno == ERANGE)
        return 2;
    if (*end)
        return 1;
    *out = v;
    return 0;
}

int train_config_parse_real(const char *text, double *out)
{
    const char *p = text;
    if (*p == '-')
        p++;
    int digits = 0, nonzero = 0;
    for (; *p >= '0' && *p <= '9'; p++, digits++)
        nonzero |= *p != '0';
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++, digits++)
            nonzero |= *p != '0';
    if (!digits)
        return 1;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return 1;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p)
        return 1;
    char *end;
    errno = 0;
    double x = strtod(text, &end);
    if (*end) /* a locale whose decimal point is not '.' */
        return 1;
    if (!isfinite(x) || (errno == ERANGE && (x != 0 || nonzero)) || (x == 0 && nonzero))
        return 2;
    *out = x;
    return 0;
}

void train_config_range_text(double min, double max, int min_open, int max_open, int whole, char *buf,
                             size_t cap)
{
    if (whole)
        snprintf(buf, cap, "[%.0f, %.0f]", min, max);
    else
        snprintf(buf, cap, "%c%g, %g%c", min_open ? '(' : '[', min, max, max_open ? ')' : ']');
}

void train_config_quote(const char *value, char *buf, size_t cap)
{
    size_t n = 0;
    if (cap < 8) {
        if (cap)
            buf[0] = '\0';
        return;
    }
    buf[n++] = '\'';
    const unsigned char *v = (const unsigned char *)value;
    size_t shown = 0;
    for (; *v; v++) {
        if (shown >= 60 || n + 10 >= cap) {
            memcpy(buf + n, "...", 3);
            n += 3;
            break;
        }
        if (*v < 0x20 || *v >= 0x7f || *v == '\\' || *v == '\'') {
            n += (size_t)snprintf(buf + n, cap - n, "\\x%02X", *v);
            shown += 4;
        } else {
            buf[n++] = (char)*v;
            shown++;
        }
    }
    buf[n++] = '\'';
    buf[n] = '\0';
}

static int check_value(const char *flag, const char *value, size_t max_len, const char *what, Err *err)
{
    size_t len = strlen(value);
    if (len == 0)
        return err_set(err, ERR_INPUT, "--%s: the value is empty; give %s", flag, what);
    char q[96];
    train_config_quote(value, q, sizeof q);
    if (len > max_len)
        return err_set(err, ERR_INPUT, "--%s: %s is %zu bytes, longer than the %zu bytes allowed; use a shorter one",
                       flag, q, len, max_len);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)value[i];
        if (c < 0x20 || c == 0x7f)
            return err_set(err, ERR_INPUT, "--%s: %s has a control character (\\x%02X at byte %zu); "
                           "use a name without control characters", flag, q, c, i);
    }
    return 0;
}

int train_config_check_path(const char *flag, const char *value, size_t max_len, Err *err)
{
    return check_value(flag, value, max_len, "a file name", err);
}

int train_config_check_name(const char *flag, const char *value, size_t max_len, Err *err)
{
    return check_value(flag, value, max_len, "a value", err);
}

/* optimizer settings whose default depends on the optimizer: "default" selects it */
static int is_optional(const char *name)
{
    static const char *const optional[] = {"alpha", "beta1", "beta2", "eps", "weight-decay"};
    for (size_t i = 0; i < sizeof optional / sizeof optional[0]; i++)
        if (strcmp(name, optional[i]) == 0)
            return 1;
    return 0;
}

/* Parse a number setting: the syntax of its kind, then its range. */
static int parse_number(const FieldSlot *s, const char *value, double *out, Err *err)
{
    char q[96], range[80];
    int whole = s->f.kind == TC_INT || s->f.kind == TC_LONG;
    train_config_quote(value, q, sizeof q);
    train_config_range_text(s->f.min, s->f.max, s->f.min_open, s->f.max_open, whole, range, sizeof range);
    if (is_optional(s->f.name))
        snprintf(range + strlen(range), sizeof range - strlen(range), " or 'default'");
    double x;
    if (whole) {
        long long v = 0;
        int rc = train_config_parse_whole(value, &v);
        if (rc == 1)
            return err_set(err, ERR_INPUT, "--%s: %s is not a whole decimal number; use digits only, in %s",
                           s->f.name, q, range);
        if (rc == 2 || (double)v < s->f.min || (double)v > s->f.max)
            return err_set(err, ERR_INPUT, "--%s: %s is out of range; use a whole number in %s", s->f.name, q,
                           range);
        x = (double)v;
    } else {
        int rc = train_config_parse_real(value, &x);
        if (rc == 1)
            return err_set(err, ERR_INPUT, "--%s: %s is not a decimal number; use a decimal number in %s",
                           s->f.name, q, range);
        /* compared as float, so a saved value always reads back */
        float fx = (float)x, lo = (float)s->f.min, hi = (float)s->f.max;
        int below = s->f.min_open ? !(fx > lo) : fx < lo;
        int above = s->f.max_open ? !(fx < hi) : fx > hi;
        if (rc == 2 || below || above || (x != 0 && fx == 0))
            return err_set(err, ERR_INPUT, "--%s: %s is out of range; use a number in %s", s->f.name, q, range);
    }
    *out = x;
    return 0;
}

int train_config_set(TrainConfig *c, const char *name, const char *value, Err *err)
{
    const FieldSlot *s = find_slot(name);
    if (!s) {
        char flag[80], q[96];
        snprintf(flag, sizeof flag, "--%s", name);
        train_config_quote(flag, q, sizeof q);
        return err_set(err, ERR_INPUT, "unknown setting %s; see rnnscope train --help", q);
    }
    void *p = (char *)c + s->offset;
    double x = 0;
    int rc;
    char q[96];
    train_config_quote(value, q, sizeof q);
    switch (s->f.kind) {
    case TC_STRING:
        if ((rc = train_config_check_path(name, value, TRAIN_PATH_MAX - 1, err)) != 0)
            return rc;
        snprintf((char *)p, TRAIN_PATH_MAX, "%s", value);
        return 0;
    case TC_BOOL:
        if (!strcmp(value, "1") || !strcmp(value, "true") || !strcmp(value, "yes") || !strcmp(value, "on"))
            *(int *)p = 1;
        else if (!strcmp(value, "0") || !strcmp(value, "false") || !strcmp(value, "no") || !strcmp(value, "off"))
            *(int *)p = 0;
        else
            return err_set(err, ERR_INPUT, "--%s: %s is not a boolean; use 1 or 0 (true/false, yes/no, on/off)",
                           name, q);
        return 0;
    case TC_CELL:
        if (cell_parse(value, (CellType *)p) != 0)
            return err_set(err, ERR_INPUT, "--%s: unknown cell %s; use lstm, gru or rnn", name, q);
        return 0;
    case TC_TOKENIZER:
        if (tok_parse(value, (TokType *)p) != 0)
            return err_set(err, ERR_INPUT, "--%s: unknown tokenizer %s; use char, byte or word", name, q);
        return 0;
    case TC_OPTIM:
        if (optim_parse(value, (OptimType *)p) != 0)
            return err_set(err, ERR_INPUT, "--%s: unknown optimizer %s; use sgd, adagrad, rmsprop, adam or adamw",
                           name, q);
        return 0;
    case TC_SCHEDULE:
        if (schedule_parse(value, (SchedType *)p) != 0)
            return err_set(err, ERR_INPUT, "--%s: unknown schedule %s; use constant, step or cosine", name, q);
        return 0;
    case TC_SEED: {
        const char *d0 = value[0] == '-' ? value + 1 : value;
        int digits = d0[0] != '\0';
        for (const char *d = d0; *d; d++)
            digits &= *d >= '0' && *d <= '9';
        char *end;
        errno = 0;
        unsigned long long v = digits ? strtoull(value, &end, 10) : 0;
        if (!digits)
            return err_set(err, ERR_INPUT, "--%s: %s is not a whole decimal number; use digits only, "
                           "in [0, 18446744073709551615]", name, q);
        if (d0 != value || errno == ERANGE || *end)
            return err_set(err, ERR_INPUT, "--%s: %s is out of range; use a whole number in "
                           "[0, 18446744073709551615]", name, q);
        *(uint64_t *)p = (uint64_t)v;
        return 0;
    }
    case TC_INT:
        if ((rc = parse_number(s, value, &x, err)))
            return rc;
        *(int *)p = (int)x;
        return 0;
    case TC_LONG:
        if ((rc = parse_number(s, value, &x, err)))
            return rc;
        *(long *)p = (long)x;
        return 0;
    case TC_FLOAT:
        if (strcmp(value, "default") == 0 && is_optional(name)) {
            *(float *)p = NAN;
            return 0;
        }
        if ((rc = parse_number(s, value, &x, err)))
            return rc;
        *(float *)p = (float)x;
        return 0;
    }
    return err_set(err, ERR_INPUT, "--%s: unsupported setting", name);
}

void train_config_get(const TrainConfig *c, const char *name, char *buf, size_t cap)
{
    const FieldSlot *s = find_slot(name);
    if (!s || cap == 0) {
        if (cap)
            buf[0] = '\0';
        return;
    }
    const void *p = (const char *)c + s->offset;
    switch (s->f.kind) {
    case TC_STRING: snprintf(buf, cap, "%s", (const char *)p); break;
    case TC_BOOL: snprintf(buf, cap, "%d", *(const int *)p); break;
    case TC_CELL: snprintf(buf, cap, "%s", cell_name(*(const CellType *)p)); break;
    case TC_TOKENIZER: snprintf(buf, cap, "%s", tok_name(*(const TokType *)p)); break;
    case TC_OPTIM: snprintf(buf, cap, "%s", optim_name(*(const OptimType *)p)); break;
    case TC_SCHEDULE: snprintf(buf, cap, "%s", schedule_name(*(const SchedType *)p)); break;
    case TC_SEED: snprintf(buf, cap, "%llu", (unsigned long long)*(const uint64_t *)p); break;
    case TC_INT: snprintf(buf, cap, "%d", *(const int *)p); break;
    case TC_LONG: snprintf(buf, cap, "%ld", *(const long *)p); break;
    case TC_FLOAT: {
        float v = *(const float *)p;
        if (isnan(v)) {
            snprintf(buf, cap, "default");
            break;
        }
        /* the shortest text that reads back as the same float */
        for (int prec = 6; prec <= 9; prec++) {
            snprintf(buf, cap, "%.*g", prec, (double)v);
            if (strtof(buf, NULL) == v)
                break;
        }
        break;
    }
    }
}

int train_config_check(const TrainConfig *c, Err *err)
{
    if (c->nesterov && !(c->momentum > 0))
        return err_set(err, ERR_INPUT, "--nesterov needs --momentum above 0");
    if (c->cell != CELL_LSTM && c->forget_bias_one)
        return err_set(err, ERR_INPUT, "--forget-bias-one applies to --cell lstm only");
    if (c->corpus[0] == '\0')
        return err_set(err, ERR_INPUT, "no corpus given; use --corpus FILE");
    return 0;
}

void train_config_optim(const TrainConfig *c, OptimConfig *out)
{
    optim_config_default(out, c->optim);
    out->momentum = c->momentum;
    out->nesterov = c->nesterov;
    if (!isnan(c->alpha))
        out->alpha = c->alpha;
    if (!isnan(c->beta1))
        out->beta1 = c->beta1;
    if (!isnan(c->beta2))
        out->beta2 = c->beta2;
    if (!isnan(c->eps))
        out->eps = c->eps;
    if (!isnan(c->weight_decay))
        out->weight_decay = c->weight_decay;
}

void train_config_schedule(const TrainConfig *c, Schedule *out)
{
    memset(out, 0, sizeof *out);
    out->type = c->schedule;
    out->base_lr = c->lr;
    out->warmup = c->warmup;
    out->step_size = c->step_size;
    out->gamma = c->gamma;
    out->total = c->steps;
    out->min_lr = c->min_lr;
}

void train_config_model(const TrainConfig *c, int vocab, ModelConfig *out)
{
    memset(out, 0, sizeof *out);
    out->cell = c->cell;
    out->layers = c->layers;
    out->hidden = c->hidden;
    out->embed = c->embed;
    out->vocab = vocab;
    out->dropout = c->dropout;
}
