/* train_config.h — every setting of a training run, and one table describing them.
 *
 * The table (name, kind, range, default, help) is the single source for the
 * command-line flags (--NAME VALUE), the Lua API's option keys, the --help text
 * and the run settings stored in a checkpoint ("train.NAME" metadata), so a
 * setting is parsed and validated the same way wherever it comes from.
 */
#ifndef RNNSCOPE_TRAIN_CONFIG_H
#define RNNSCOPE_TRAIN_CONFIG_H

#include <stdint.h>

#include "err.h"
#include "model.h"
#include "optim.h"
#include "schedule.h"
#include "tokenizer.h"

#define TRAIN_MAX_LAYERS MODEL_MAX_LAYERS
#define TRAIN_PATH_MAX 1024

typedef struct {
    /* data */
    char corpus[TRAIN_PATH_MAX];
    TokType tokenizer;
    int max_vocab;       /* word tokenizer: vocabulary size including <unk> */
    float val_frac;      /* fraction of the file held out for validation */
    /* model */
    CellType cell;
    int layers, hidden, embed;
    float dropout;
    int forget_bias_one; /* lstm: forget-gate bias 1 at initialisation */
    /* optimisation */
    int batch, seq;      /* B streams, T steps per chunk */
    OptimType optim;
    float lr;
    float momentum;      /* sgd */
    int nesterov;        /* sgd */
    float alpha;         /* rmsprop; NAN = PyTorch's default */
    float beta1, beta2;  /* adam, adamw; NAN = default */
    float eps;           /* NAN = the optimizer's default */
    float weight_decay;  /* NAN = the optimizer's default */
    SchedType schedule;
    long warmup;         /* linear warmup steps */
    long step_size;      /* step schedule: decay every step_size steps */
    float gamma;         /* step schedule: factor */
    float min_lr;        /* cosine: floor */
    float clip;          /* global-norm clipping threshold; 0 = off */
    float clip_value;    /* element-wise clipping (char-rnn's grad_clip); 0 = off */
    /* run */
    long steps;          /* total steps of the run; 0 = until stopped */
    long eval_every;     /* validation every K steps; 0 = never */
    int eval_chunks;     /* chunks of the validation split per evaluation; 0 = all */
    uint64_t seed;
    int threads;         /* OpenBLAS threads; 0 = one per core */
} TrainConfig;

void train_config_default(TrainConfig *c);

typedef enum { TC_INT, TC_LONG, TC_FLOAT, TC_STRING, TC_BOOL, TC_CELL, TC_TOKENIZER,
               TC_OPTIM, TC_SCHEDULE, TC_SEED } TcKind;

/* What changing the field means for a run that already exists. */
typedef enum { TC_ANY, TC_ARCH, TC_DATA } TcScope;

typedef struct {
    const char *name;   /* flag name without "--", e.g. "lr" */
    TcKind kind;
    TcScope scope;      /* TC_ARCH: fixed by the checkpoint; TC_DATA: changes the data stream */
    double min, max;    /* numeric range, inclusive unless min_open / max_open */
    const char *help;   /* one line; the default is printed from the config itself */
    int min_open, max_open; /* 1: the bound itself is excluded (e.g. --eps > 0) */
} TcField;

int train_config_n_fields(void);
const TcField *train_config_field(int i);
const TcField *train_config_find(const char *name); /* NULL if unknown */

/* Parse and set one field from text. ERR_INPUT naming "--NAME" for a non-number,
 * an out-of-range value or an unknown choice. */
int train_config_set(TrainConfig *c, const char *name, const char *value, Err *err);
/* The field's current value as text that train_config_set accepts. */
void train_config_get(const TrainConfig *c, const char *name, char *buf, size_t cap);

/* Strict number syntax, shared by every flag (flags.h) and setting.
 * Whole numbers: an optional '-' and decimal digits only; no '+', spaces, 0x,
 * exponent or fraction ("1e3", "5.0" are refused). Returns 0, 1 for bad syntax,
 * 2 when beyond long long. */
int train_config_parse_whole(const char *text, long long *out);
/* Real numbers: [-]digits[.digits][e[+|-]digits] (or [-].digits...); no nan, inf,
 * hex, '+', spaces or trailing junk. Returns 0, 1 for bad syntax, 2 when beyond
 * double (overflow) or a nonzero value that rounds to 0 (underflow). */
int train_config_parse_real(const char *text, double *out);
/* The accepted range as text: "[0, 0.5]", "(0, 1]", a whole-number range as "[1, 4096]". */
void train_config_range_text(double min, double max, int min_open, int max_open, int whole, char *buf,
                             size_t cap);
/* value quoted for a one-line message: '...' with control and non-ASCII bytes
 * as \xNN, cut to about 60 characters ("..." marks the cut). */
void train_config_quote(const char *value, char *buf, size_t cap);
/* 0, or ERR_INPUT naming --flag when a path or name value is empty, longer than
 * max_len bytes or has a control character (they would break the one-line output). */
int train_config_check_path(const char *flag, const char *value, size_t max_len, Err *err);
/* The same for a value that is not a file name (e.g. a list); says "a value" when empty. */
int train_config_check_name(const char *flag, const char *value, size_t max_len, Err *err);

/* Checks across fields (e.g. --nesterov needs --momentum > 0). */
int train_config_check(const TrainConfig *c, Err *err);

/* The optimizer configuration the run uses (PyTorch defaults where NAN). */
void train_config_optim(const TrainConfig *c, OptimConfig *out);
void train_config_schedule(const TrainConfig *c, Schedule *out);
void train_config_model(const TrainConfig *c, int vocab, ModelConfig *out);

#endif
