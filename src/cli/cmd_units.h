/* cmd_units.h — what the files of `rnnscope units` share: a checkpoint with
 * the text it is run over, and the views of that capture.
 *
 *   cmd_units.c        flags, loading, the size budget, dispatch
 *   cmd_units_rank.c   --find and --span: units ranked against a signal or a span
 *   cmd_units_show.c   --show and --html: the text coloured by one unit
 *   cmd_units_stats.c  --saturation and --errors
 *
 * Every view prints to stdout and returns 0, or an ERR_* code with the one
 * line in err (cmd_units.c prints it as "rnnscope units: ...").
 */
#ifndef RNNSCOPE_CMD_UNITS_H
#define RNNSCOPE_CMD_UNITS_H

#include <stdio.h>

#include "err.h"
#include "model.h"
#include "strbuf.h"
#include "tokenizer.h"
#include "train_config.h"
#include "units.h"

typedef struct {
    const char *ckpt, *file;    /* as given on the command line */
    Model model;
    Tokenizer tok;
    UnitText text;
    UnitCapture cap;            /* complete: cap.done == cap.n == text.n */
    int kind;                   /* the activation kind (units_kind_parse) */
    int kind_given;             /* --kind (or --show's KIND) was given */
    int layer;                  /* one layer, or -1 for all */
    int top;                    /* rows of a ranking */
    int json;                   /* one JSON object instead of the table */
    int have_corpus;            /* the checkpoint records its training corpus */
    char corpus[TRAIN_PATH_MAX];/* that corpus (train.corpus) */
    float val_frac;             /* and its held-out fraction (train.val-frac) */
} UnitsRun;

/* cmd_units_rank.c */
int cmd_units_find(const UnitsRun *r, const char *what, Err *err);
int cmd_units_span(const UnitsRun *r, long a, long b, Err *err);

/* cmd_units_show.c: FILE coloured by unit `unit` of `layer` (of r->kind), on
 * stdout or (html not NULL) as an HTML page there. */
int cmd_units_show(const UnitsRun *r, int layer, int unit, const char *html, Err *err);

/* cmd_units_stats.c */
void cmd_units_saturation(const UnitsRun *r);
/* The n-gram of the given order, counted on the training split of corpus
 * (held out: the checkpoint's val-frac), against the network's loss at each
 * position. */
int cmd_units_errors(const UnitsRun *r, int order, const char *corpus, Err *err);

/* "l0" for layer 0: how the program names layers. */
void cmd_units_layer_name(int layer, char *out, size_t cap);
/* s (a file name or pattern from the command line, any bytes) into out
 * (initialised here; the caller frees it) with each byte that is not UTF-8
 * as U+FFFD, for JSON and HTML. */
void cmd_units_clean(const char *s, StrBuf *out);

#endif
