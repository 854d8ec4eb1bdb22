/* findings.h — the diagnosis of a run over time: what is wrong, why, and what to do.
 *
 * A Findings engine watches every step of one run (its StepInfo, the
 * validation points it carries, the failures of steps that went non-finite)
 * and keeps, for each entry of a fixed catalogue, whether that condition holds
 * now. A finding appears when its condition has held for a few observations
 * in a row and clears when it has failed for a few more (hysteresis, so it
 * does not flicker); every appearance and clearing is an event kept with the
 * run and saved in its checkpoint (findings_save / findings_load).
 *
 * Findings are ranked causes first: a finding whose condition is explained by
 * another one (saturation by a learning rate that is too high, not learning
 * by a learning rate that is too low) names it in `cause` and is listed under
 * it. Findings that contradict each other are never both active.
 *
 * The thresholds are calibrated on measured healthy and broken runs; the
 * measurements and the scenario suite that checks them are in
 * docs/diagnosis.md. Each threshold below says which healthy range it clears.
 *
 * Pure core: no printing, no allocation after findings_init, no threads. The
 * owner (the Trainer) feeds it; readers copy findings out with findings_list.
 */
#ifndef RNNSCOPE_FINDINGS_H
#define RNNSCOPE_FINDINGS_H

#include <stddef.h>

#include "err.h"
#include "safetensors.h"
#include "step_info.h"

/* The catalogue. The names (findings_id_name) are part of the interface:
 * --json, Lua, --log and the scenario suite use them. */
typedef enum {
    FD_DIVERGED,
    FD_NONFINITE,
    FD_LR_HIGH,
    FD_EXPLODING,
    FD_LR_LOW,
    FD_NOT_LEARNING,
    FD_VANISHING,
    FD_FORGET_SHUT,
    FD_SATURATED,
    FD_DEAD_UNITS,
    FD_CLIP_ALWAYS,
    FD_OVERFITTING,
    FD_UNDERFITTING,
    FD_WORSE_THAN_NGRAM,
    FD_CORPUS_SMALL,
    FD_COUNT,
    FD_NONE = -1
} FindingId;

/* problem: training is failing; warning: it will fail or is wasting effort;
 * note: worth knowing, nothing wrong. */
typedef enum { SEV_NOTE = 0, SEV_WARNING = 1, SEV_PROBLEM = 2 } Severity;

/* Thresholds the widgets draw as bands too (one definition; the others are
 * private to findings.c). */
#define FINDINGS_LR_HIGH_RATIO 0.25  /* median update ratio of the weight matrices; healthy max 0.088 */
#define FINDINGS_SAT_PINNED 0.99     /* fraction of a gate's activations saturated; healthy max 0.972 */

#define FINDING_MAX_NUMBERS 8
#define FINDINGS_MAX FD_COUNT
#define FINDINGS_EVENTS 256

typedef struct {
    const char *key;   /* a static name: "update_ratio", "best_step", ... */
    double value;
} FindingNumber;

typedef struct {
    FindingId id;
    Severity severity;
    char subject[48];        /* "run", "layer 1", "layer 0 forget gate", a tensor name */
    long since;              /* the step it appeared at */
    FindingId cause;         /* the finding this one follows from, or FD_NONE */
    int depth;               /* 0 for a root cause, 1 under it, ... (ranking) */
    char text[320];          /* one sentence in plain words, UTF-8 */
    char advice[240];        /* what would help, for this cell and these flags */
    int n_numbers;
    FindingNumber numbers[FINDING_MAX_NUMBERS];
} Finding;

typedef struct {
    long step;
    short id;          /* FindingId */
    char appeared;     /* 1 appeared, 0 cleared */
    char severity;     /* at that moment */
} FindingEvent;

/* What the engine knows about the run, from its configuration and corpus. */
typedef struct {
    int cell;                 /* CellType */
    int layers, hidden, vocab, seq;
    size_t n_params, n_train, n_val;
    int optim;                /* OptimType */
    float lr;                 /* the schedule's base */
    float clip;               /* 0 = off */
    float dropout;
    int forget_bias_one;
    double unigram;           /* entropy of the training split's tokens, nats */
    double ngram;             /* 3-gram validation loss, NAN without a split */
    int n_tensors;
    unsigned char is_matrix[STEP_MAX_TENSORS]; /* weight matrices judged for the lr (not the embedding) */
} FindingsContext;

#define FD_GN_RING 64
#define FD_CLIP_RING 100
#define FD_PLATEAU_RING 16
#define FD_SPIKES 16

typedef struct {
    int active;
    int hold, miss;           /* consecutive observations holding / failing */
    long since;
    Severity severity;
    FindingId cause;
} FindingState;

typedef struct {
    FindingsContext ctx;
    /* loss */
    long steps, last_step;     /* steps observed; the last one's number */
    double loss0;              /* the first observed loss */
    double ema_fast, ema_slow; /* training loss, time constants 10 and 100 steps */
    double best_fast;          /* lowest ema_fast so far */
    double plateau[FD_PLATEAU_RING]; /* ema_slow every FD_PLATEAU_EVERY steps, oldest first */
    int n_plateau;
    /* gradient norm and clipping */
    float gn[FD_GN_RING];
    int gn_n, gn_pos;
    unsigned char clipped[FD_CLIP_RING];
    int clip_n, clip_pos, clip_count;
    long spikes[FD_SPIKES];    /* steps of the last gradient spikes */
    int n_spikes;
    double spike_ratio;        /* the largest of the last spike */
    double gn_median;
    /* update ratios: median over the weight matrices, EMA of its log10 */
    double log_update;
    double peak_update;        /* the largest 10^log_update so far */
    double peak_lr;            /* the learning rate it was measured under */
    /* validation */
    int n_evals;
    double best_val, last_val;
    long best_val_step, last_val_step;
    double train_at_best, train_at_last;
    int val_rising;            /* consecutive evaluations above the best by the margin */
    double val_recent[4];      /* the last four validation losses, oldest first */
    int train_above_val;       /* consecutive evaluations (after the first) with training above validation */
    /* decay probe */
    long probe_step;
    int probe_layer;           /* the layer with the fastest decay */
    double probe_spd;          /* its steps per decade (fall of 10x) */
    double probe_ratio;        /* its decay ratio over the window */
    int probe_span;            /* positions back the window covers */
    double probe_grow;         /* largest ratio over the window (exploding back through time) */
    int n_probes_fast;
    /* gates and units */
    long gate_step;
    double forget_min;  int forget_layer;
    double sat_max;     int sat_layer, sat_gate;
    double dead_max;    int dead_layer;
    /* non-finite */
    long nonfinite_step;
    int nonfinite_count;
    char nonfinite_what[200];
    /* the findings */
    FindingState st[FD_COUNT];
    FindingEvent events[FINDINGS_EVENTS]; /* ring: the last FINDINGS_EVENTS */
    long n_events;             /* ever recorded (the ring holds min(n, FINDINGS_EVENTS)) */
} Findings;

const char *findings_id_name(FindingId id);           /* "diverged", "lr_high", ... */
const char *findings_severity_name(Severity s);       /* "problem", "warning", "note" */
/* The id of a name, FD_NONE if unknown. */
FindingId findings_id_from_name(const char *name);

void findings_init(Findings *f, const FindingsContext *ctx);
/* After a finished step (info->step is its number). */
void findings_observe_step(Findings *f, const StepInfo *info);
/* A step that went non-finite: step is the number it would have had, what
 * the trainer's message. */
void findings_observe_failure(Findings *f, long step, const char *what);
/* The lr or clip the run continues with changed (the dashboard's :lr). */
void findings_set_hyper(Findings *f, float lr, float clip);

/* The active findings, causes first (each root followed by what hangs under
 * it), then by severity. Returns how many (at most cap). */
int findings_list(const Findings *f, Finding *out, int cap);
/* Active findings that are problems / warnings / notes. */
void findings_counts(const Findings *f, int *problems, int *warnings, int *notes);
/* "healthy" when nothing is a problem or a warning, else the id of the top
 * root cause. */
const char *findings_verdict(const Findings *f);
/* Steps a diagnosis needs before every signal has been judged (diagnose's
 * default --steps) for a run evaluating every eval_every steps. */
long findings_steps_to_judge(const Findings *f, long eval_every);
/* The next event after the first *seen ever recorded (advancing *seen past
 * events that left the ring); returns 0 when there is none. Readers keep
 * their own *seen: start it at n_events so a loaded run's past is not news. */
int findings_next_event(const Findings *f, long *seen, FindingEvent *out);
/* The active finding id, described; returns 0 if it is not active. */
int findings_get(const Findings *f, FindingId id, Finding *out);
/* Event i (0 = the oldest kept); returns 0 past the end. */
int findings_event(const Findings *f, long i, FindingEvent *out);
long findings_n_events(const Findings *f);

/* Numbers as a person reads them: "3e-10", "below 1e-30", "0.52". */
void findings_format_small(double x, char *out, size_t cap);
/* A finding's number by its key: counts, layers and steps as whole numbers,
 * ratios and losses as findings_format_small. */
void findings_format_number(const char *key, double x, char *out, size_t cap);

/* The engine's state and event history as checkpoint metadata (findings.*);
 * findings_load restores it over an engine already initialised with this
 * run's context (a file without it leaves a fresh engine: returns 0). */
void findings_save(const Findings *f, StWriter *w);
int findings_load(Findings *f, const StFile *file, Err *err);

#endif
