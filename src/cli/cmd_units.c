/* cmd_units.c — `rnnscope units CKPT FILE`: what each hidden unit of a
 * checkpoint does over a text, headless (issue 12). This file reads the
 * flags, checks that they go together, loads the checkpoint and FILE, keeps
 * the capture within its memory budget and hands the capture to the view
 * asked for (cmd_units.h lists them). Not here: any of the views.
 */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checkpoint.h"
#include "cmd_units.h"
#include "commands.h"
#include "flags.h"
#include "utf8.h"

#define UNITS_FILE_MAX ((size_t)16 << 20)     /* FILE bytes read at most */
#define UNITS_BUDGET ((size_t)1 << 30)        /* bytes a capture may hold */

void cmd_units_layer_name(int layer, char *out, size_t cap)
{
    snprintf(out, cap, "l%d", layer);
}

void cmd_units_clean(const char *s, StrBuf *out)
{
    size_t n = strlen(s);
    strbuf_init(out);
    strbuf_append(out, "", 0);
    for (size_t i = 0; i < n;) {
        size_t at = i;
        uint32_t cp = utf8_next(s, n, &i);
        char buf[4];
        if (cp == 0xfffd && i - at == 1)
            strbuf_append(out, buf, (size_t)utf8_encode(cp, buf));
        else
            strbuf_append(out, s + at, i - at);
    }
}

/* "--NAME" or "--NAME=..." among the flags (before a "--"): for the options
 * whose default cannot tell whether they were given. */
static int given(int argc, char **argv, const char *name)
{
    size_t n = strlen(name);
    for (int i = 0; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (!strncmp(argv[i], "--", 2) && !strncmp(argv[i] + 2, name, n) &&
            (argv[i][2 + n] == '\0' || argv[i][2 + n] == '='))
            return 1;
    return 0;
}

/* A whole number >= 0 from s[0..len), strictly (train_config_parse_whole). */
static int parse_count(const char *s, size_t len, long *out)
{
    char buf[32];
    long long v;
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (train_config_parse_whole(buf, &v) != 0 || v < 0 || v > 2147483647LL)
        return -1;
    *out = (long)v;
    return 0;
}

/* A layer as "0" or "l0", checked against the model. */
static int parse_layer(const char *flag, const char *s, size_t len, int layers, int *out, Err *err)
{
    long v;
    int l = len > 0 && s[0] == 'l';
    if (parse_count(s + l, len - (size_t)l, &v) != 0)
        return err_set(err, ERR_INPUT, "%s: '%.*s' is not a layer; write it as 0 or l0", flag,
                       (int)(len < 40 ? len : 40), s);
    if (v >= layers && layers == 1)
        return err_set(err, ERR_INPUT, "%s: layer l%ld is not in the model, which has one layer, l0", flag, v);
    if (v >= layers)
        return err_set(err, ERR_INPUT, "%s: layer l%ld is not in the model, which has layers l0..l%d", flag, v,
                       layers - 1);
    *out = (int)v;
    return 0;
}

static int parse_kind(const char *flag, const char *s, CellType cell, int *out, Err *err)
{
    char q[96];
    train_config_quote(s, q, sizeof q);
    *out = units_kind_parse(cell, s);
    if (*out < 0)
        return err_set(err, ERR_INPUT, "%s: unknown kind %s; a%s %s has the kinds %s", flag, q,
                       cell == CELL_GRU ? "" : "n", cell_name(cell), units_kind_list(cell));
    return 0;
}

/* --show L:UNIT[:KIND]. */
static int parse_show(const char *s, const Model *m, int *layer, int *unit, int *kind, Err *err)
{
    char q[96];
    train_config_quote(s, q, sizeof q);
    const char *c1 = strchr(s, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    long u;
    if (!c1 || parse_count(c1 + 1, c2 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1), &u) != 0)
        return err_set(err, ERR_INPUT, "--show %s: write the unit as LAYER:UNIT[:KIND], e.g. 0:12, l0:12 or l0:12:h",
                       q);
    int rc = parse_layer("--show", s, (size_t)(c1 - s), m->cfg.layers, layer, err);
    if (rc)
        return rc;
    if (u >= m->cfg.hidden)
        return err_set(err, ERR_INPUT, "--show %s: unit %ld is not in the model, whose layers have units 0..%d", q, u,
                       m->cfg.hidden - 1);
    *unit = (int)u;
    return c2 ? parse_kind("--show", c2 + 1, m->cfg.cell, kind, err) : 0;
}

/* --span A:B, byte offsets with A < B. */
static int parse_span(const char *s, long *a, long *b, Err *err)
{
    char q[96];
    train_config_quote(s, q, sizeof q);
    const char *c = strchr(s, ':');
    if (!c || parse_count(s, (size_t)(c - s), a) != 0 || parse_count(c + 1, strlen(c + 1), b) != 0)
        return err_set(err, ERR_INPUT, "--span %s: write the span as START:END, byte offsets in FILE, e.g. 120:180", q);
    if (*a >= *b)
        return err_set(err, ERR_INPUT, "--span %s: the start must be before the end", q);
    return 0;
}

/* FILE, whole: a regular file of at most UNITS_FILE_MAX bytes. */
static int read_text(const char *path, char **data, size_t *len, Err *err)
{
    struct stat st;
    if (stat(path, &st) != 0 || access(path, R_OK) != 0)
        return err_set(err, ERR_INPUT, "%s: cannot read the text FILE: %s; check the second argument", path,
                       strerror(errno));
    if (!S_ISREG(st.st_mode))
        return err_set(err, ERR_INPUT, "%s: the text FILE is %s; give a text file as the second argument", path,
                       S_ISDIR(st.st_mode) ? "a folder" : "not a regular file");
    if ((size_t)st.st_size > UNITS_FILE_MAX)
        return err_set(err, ERR_INPUT,
                       "%s: %lld bytes is more than the %zu MB the units view reads; use a shorter file", path,
                       (long long)st.st_size, UNITS_FILE_MAX >> 20);
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(err, ERR_INPUT, "%s: cannot open the text FILE: %s", path, strerror(errno));
    *data = xmalloc((size_t)st.st_size + 1);
    *len = fread(*data, 1, (size_t)st.st_size, f);
    int bad = ferror(f) || fgetc(f) != EOF;
    fclose(f);
    if (bad) {
        free(*data);
        return err_set(err, ERR_INPUT, "%s: the text FILE changed or could not be read while it was read", path);
    }
    (*data)[*len] = '\0';
    return ERR_OK;
}

/* Characters of FILE the model has no token for: skipped under char (they
 * lie between tokens), read as <unk> under word. */
static size_t count_unknown(const UnitText *t, const Tokenizer *tok)
{
    size_t n = 0, at = 0;
    for (int i = 0; i <= t->n; i++) {
        size_t next = i < t->n ? t->start[i] : t->len;
        for (; at < next; at++)
            n += ((unsigned char)t->text[at] & 0xC0) != 0x80;
        if (i < t->n) {
            n += t->ids[i] == tok->unk_id;
            at = t->end[i];
        }
    }
    return n;
}

/* Load the checkpoint (model, tokenizer, the corpus it records). */
static int load_checkpoint(UnitsRun *r, Err *err)
{
    StFile f;
    int rc = st_read(&f, r->ckpt, err);
    if (rc)
        return rc;
    rc = checkpoint_read_model(&f, &r->model, &r->tok, err);
    const char *corpus = st_meta(&f, "train.corpus"), *vf = st_meta(&f, "train.val-frac");
    TrainConfig tc;
    train_config_default(&tc);
    Err e;
    if (!rc && corpus && train_config_set(&tc, "corpus", corpus, &e) == 0) {
        r->have_corpus = 1;
        snprintf(r->corpus, sizeof r->corpus, "%s", tc.corpus);
    }
    if (!rc && vf && train_config_set(&tc, "val-frac", vf, &e) != 0)
        r->have_corpus = 0; /* a damaged record: do not guess the split */
    r->val_frac = tc.val_frac;
    st_free(&f);
    return rc;
}

/* Read and encode FILE, then capture every unit over it, within the budget. */
static int load_text(UnitsRun *r, Err *err)
{
    char *data = NULL;
    size_t len = 0;
    int rc = read_text(r->file, &data, &len, err);
    if (rc)
        return rc;
    rc = units_text_encode(&r->text, &r->tok, data, len, r->file, err);
    free(data);
    if (rc)
        return rc;
    size_t unknown = count_unknown(&r->text, &r->tok);
    if (unknown)
        fprintf(stderr, "rnnscope units: note: %s: %zu %s%s outside the model's vocabulary %s %s\n", r->file,
                unknown, r->tok.type == TOK_WORD ? "word" : "character", unknown == 1 ? "" : "s",
                unknown == 1 ? "is" : "are",
                r->tok.type == TOK_WORD ? "read as <unk>" : "skipped (not counted, not coloured)");
    size_t need = units_capture_bytes(&r->model.cfg, r->text.n);
    if (need > UNITS_BUDGET)
        return err_set(err, ERR_INPUT, "%s: %d positions would need %.1f GiB of activations for this %s %dx%d "
                       "model, more than the %zu GiB the units view may use; use a shorter file", r->file,
                       r->text.n, (double)need / (double)((size_t)1 << 30), cell_name(r->model.cfg.cell),
                       r->model.cfg.layers, r->model.cfg.hidden, UNITS_BUDGET >> 30);
    return units_capture(&r->cap, &r->model, r->text.ids, r->text.n, err);
}

/* The corpus --errors counts its n-gram on, readable: --corpus or the
 * checkpoint's own. */
static int errors_corpus(const UnitsRun *r, const char *given_corpus, const char **out, Err *err)
{
    if (given_corpus) {
        *out = given_corpus;
        return 0;
    }
    if (!r->have_corpus)
        return err_set(err, ERR_INPUT, "--errors: %s records no training corpus (a model file); pass --corpus PATH, "
                       "the text it was trained on", r->ckpt);
    if (access(r->corpus, R_OK) != 0)
        return err_set(err, ERR_INPUT,
                       "--errors: %s was trained on %s, which cannot be read here (%s); pass --corpus PATH", r->ckpt,
                       r->corpus, strerror(errno));
    *out = r->corpus;
    return 0;
}

typedef struct {
    const char *find, *span, *show, *layer, *kind, *html, *corpus;
    int saturation, errors, force, top, ngram;
    int top_given, ngram_given;
} UnitsFlags;

/* The flags that go together, before anything is loaded. */
static int check_combination(const UnitsFlags *f, int json, Err *err)
{
    int modes = !!f->find + !!f->span + !!f->show + f->saturation + f->errors;
    if (f->html && !f->show)
        return err_set(err, ERR_INPUT, "--html goes with --show L:UNIT, the unit to colour the text by");
    if (modes == 0)
        return err_set(err, ERR_INPUT, "say what to look at: --find REGEX|line|indent, --span A:B, --show L:UNIT, "
                       "--saturation or --errors; see rnnscope units --help");
    if (modes > 1)
        return err_set(err, ERR_INPUT, "--find, --span, --show, --saturation and --errors are separate views; give "
                       "one of them");
    int ranks = f->find || f->span;
    if (f->top_given && !ranks)
        return err_set(err, ERR_INPUT, "--top goes with --find or --span");
    if (json && !ranks)
        return err_set(err, ERR_INPUT, "--json goes with --find or --span");
    if (f->layer && !(ranks || f->saturation))
        return err_set(err, ERR_INPUT, "--layer goes with --find, --span or --saturation%s",
                       f->show ? " (--show names its own layer)" : "");
    if (f->kind && f->errors)
        return err_set(err, ERR_INPUT, "--kind goes with --find, --span, --show or --saturation");
    if (f->force && !f->html)
        return err_set(err, ERR_INPUT, "--force goes with --html (to replace an existing page)");
    if ((f->ngram_given || f->corpus) && !f->errors)
        return err_set(err, ERR_INPUT, "--%s goes with --errors", f->corpus ? "corpus" : "ngram");
    return 0;
}

static int same_file(const char *a, const struct stat *b)
{
    struct stat s;
    return stat(a, &s) == 0 && s.st_dev == b->st_dev && s.st_ino == b->st_ino;
}

/* --html PATH may be written: not the checkpoint or FILE, and not an
 * existing file unless --force (as export --out). */
static int html_target_ok(const UnitsRun *r, const UnitsFlags *f, Err *err)
{
    struct stat st;
    if (!f->html || stat(f->html, &st) != 0)
        return 0;
    if (same_file(r->file, &st) || same_file(r->ckpt, &st))
        return err_set(err, ERR_INPUT, "not writing over %s: it is the %s itself; give another --html path", f->html,
                       same_file(r->file, &st) ? "text FILE" : "checkpoint");
    if (!f->force)
        return err_set(err, ERR_INPUT, "not writing over %s: it already exists; give another path, or add --force "
                       "to replace it", f->html);
    return 0;
}

static int run_view(UnitsRun *r, const UnitsFlags *f, Err *err)
{
    const Model *m = &r->model;
    int show_layer = 0, show_unit = 0, show_kind = -1, rc;
    long a = 0, b = 0;
    const char *corpus = NULL;
    r->kind = units_kind_parse(m->cfg.cell, m->cfg.cell == CELL_LSTM ? "c" : "h");
    r->layer = -1;
    if (f->kind && (rc = parse_kind("--kind", f->kind, m->cfg.cell, &r->kind, err)) != 0)
        return rc;
    if (f->layer && (rc = parse_layer("--layer", f->layer, strlen(f->layer), m->cfg.layers, &r->layer, err)) != 0)
        return rc;
    if (f->show && (rc = parse_show(f->show, m, &show_layer, &show_unit, &show_kind, err)) != 0)
        return rc;
    if (show_kind >= 0 && f->kind && show_kind != r->kind)
        return err_set(err, ERR_INPUT, "--show names kind %s and --kind %s; give the kind once",
                       units_kind_name(m->cfg.cell, show_kind), f->kind);
    if (show_kind >= 0)
        r->kind = show_kind;
    r->kind_given = f->kind || show_kind >= 0;
    if (f->span && (rc = parse_span(f->span, &a, &b, err)) != 0)
        return rc;
    if (f->errors && (rc = errors_corpus(r, f->corpus, &corpus, err)) != 0)
        return rc;
    if ((rc = html_target_ok(r, f, err)) != 0)
        return rc;
    if ((rc = load_text(r, err)) != 0)
        return rc;
    if (f->find)
        return cmd_units_find(r, f->find, err);
    if (f->span)
        return cmd_units_span(r, a, b, err);
    if (f->show)
        return cmd_units_show(r, show_layer, show_unit, f->html, err);
    if (f->saturation) {
        cmd_units_saturation(r);
        return 0;
    }
    return cmd_units_errors(r, f->ngram, corpus, err);
}

int cmd_units(int argc, char **argv)
{
    UnitsFlags f = {.top = 10, .ngram = 5};
    int json = 0;
    const CliOpt opts[] = {
        {"find", CLI_STR, &f.find, 0, 0, "REGEX|line|indent",
         "rank units by correlation with the matches of a POSIX ERE, the column, or the indentation"},
        {"span", CLI_STR, &f.span, 0, 0, "A:B",
         "rank units by how they differ over the tokens starting in bytes [A, B)"},
        {"show", CLI_STR, &f.show, 0, 0, "L:UNIT[:KIND]", "print FILE coloured by one unit (e.g. 0:12, l0:12:h)"},
        {"saturation", CLI_FLAG, &f.saturation, 0, 1, NULL, "how often units are saturated, per layer and kind"},
        {"errors", CLI_FLAG, &f.errors, 0, 1, NULL, "where the network beats an n-gram, by the context needed"},
        {"top", CLI_INT, &f.top, 1, 10000, "K", "--find, --span: rows of the ranking"},
        {"layer", CLI_STR, &f.layer, 0, 0, "N", "only layer N (0 or l0; default every layer)"},
        {"kind", CLI_STR, &f.kind, 0, 0, "K", "lstm c h i f g o, gru h r z n, rnn h (default c for lstm, else h)"},
        {"json", CLI_FLAG, &json, 0, 1, NULL, "--find, --span: one JSON object instead of the table"},
        {"html", CLI_STR, &f.html, 0, 0, "PATH", "--show: write a self-contained HTML page instead"},
        {"force", CLI_FLAG, &f.force, 0, 1, NULL, "--html: replace a file that already exists"},
        {"ngram", CLI_INT, &f.ngram, 1, NGRAM_MAX_ORDER, "N", "--errors: order of the n-gram"},
        {"corpus", CLI_STR, &f.corpus, 0, 0, "PATH",
         "--errors: count the n-gram here (default the checkpoint's corpus)"},
    };
    char *pos[2];
    CliSpec spec = {
        .usage = "rnnscope units CKPT FILE (--find X | --span A:B | --show L:UNIT | --saturation | --errors) [options]",
        .summary =
            "What each hidden unit of CKPT (a run or a model file) does over the text FILE, read as one\n"
            "stream from a zero state with the checkpoint's tokenizer. Kinds: lstm c (tanh of the cell\n"
            "state), h and the gates i f g o; gru h and r z n; rnn h. Give one of the views:\n"
            "  --find    every unit ranked by |Pearson r| with a signal: 1 where a token starts inside a\n"
            "            match of REGEX (^ and $ match at the start and end of FILE only), the token's\n"
            "            column (line), or its line's indentation (indent); a sparkline of each unit\n"
            "  --span    the units whose mean over the span differs most from the mean around it (as\n"
            "            many tokens each side, at least 16), as LSTMVis selects them\n"
            "  --show    FILE on each character's value, -1 blue to +1 red; not on a terminal, or with\n"
            "            NO_COLOR, every line is followed by a line of digits, one per column: 0..9 for\n"
            "            -1..+1, blank where no token of the model covers the character\n"
            "  --saturation  per layer and kind, the mean fraction of the time units are saturated\n"
            "            (gates below 0.1 or above 0.9, the others beyond -+0.9), and the units mostly so\n"
            "  --errors  the network's loss against an n-gram counted on the training split of the\n"
            "            checkpoint's corpus, by whether the context lies within the n-gram's reach\n"
            "FILE may have 16 MB, and its activations (every unit at every position) 1 GiB.",
        .opts = opts, .n_opts = (int)(sizeof opts / sizeof opts[0]),
        .min_pos = 2, .max_pos = 2, .pos = pos,
    };
    Err err;
    err_clear(&err);
    int rc = cli_parse(&spec, argc, argv, &err);
    if (rc < 0)
        return 0;
    f.top_given = given(argc, argv, "top");
    f.ngram_given = given(argc, argv, "ngram");
    if (!rc)
        rc = check_combination(&f, json, &err);
    if (rc) {
        fprintf(stderr, "rnnscope units: %s\n", err.msg);
        return rc;
    }
    setlocale(LC_CTYPE, ""); /* for the sparkline's blocks: UTF-8 or ASCII */
    UnitsRun r;
    memset(&r, 0, sizeof r);
    r.ckpt = pos[0];
    r.file = pos[1];
    r.top = f.top;
    r.json = json;
    rc = load_checkpoint(&r, &err);
    if (!rc) {
        rc = run_view(&r, &f, &err);
        units_capture_free(&r.cap);
        units_text_free(&r.text);
        model_free(&r.model);
        tokenizer_free(&r.tok);
    }
    if (rc)
        fprintf(stderr, "rnnscope units: %s\n", err.msg);
    return rc;
}
