/* runlog.h — a run's --log file read back while it grows: the JSON lines
 * src/cli/steplog.c writes (start records, steps, evaluations, finding and
 * control events, the n-gram baseline) parsed into the run's record, for
 * `rnnscope watch` (src/tui/runner_watch.c).
 *
 * Following: runlog_poll reads what was appended since the last call, as
 * `tail -F` does. A last line without its newline (the writer is mid-line) is
 * kept until its newline arrives, never parsed half. A file that was replaced
 * (another inode) or truncated (now shorter than what was read) is read again
 * from its start, and the poll says so (reset). A line that is not JSON, or
 * not an object of a known shape, is skipped with one note (the first
 * RUNLOG_NOTES_MAX of them; then they are only counted). An object of an
 * unknown "event" kind is skipped quietly: a newer writer's record.
 *
 * Sessions: a resumed run appends to the same log, and its steps overlap the
 * ones the earlier session took after the checkpoint it resumed from. As
 * TensorBoard drops a restart's orphaned steps, the later session wins from
 * its first step on: a start record {"event":"start","step":F} drops every
 * step, evaluation and finding event at step F and later that came before it;
 * in a log without start records (an older rnnscope) a step line that does
 * not advance past the last one does the same from its step.
 *
 * What is kept: every step line as a point (loss, lr, gradient norm, clip:
 * the chart's series and the clip count), the per-tensor and per-gate
 * gradient norms of the last RUNLOG_NORMS step lines (the sparklines and
 * trends read no further back), the whole latest step line (the inspector's
 * flow, decay probe and gate saturation), every evaluation, the finding
 * events with the records of their appearances, and the latest start record.
 * A point costs 40 bytes: 1e6 logged steps are 40 MB.
 *
 * Pure core: no threads (the caller serialises), and read-only: the file is
 * never written, locked or created.
 */
#ifndef RNNSCOPE_RUNLOG_H
#define RNNSCOPE_RUNLOG_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"
#include "findings.h"
#include "history.h"
#include "step_info.h"
#include "strbuf.h"
#include "trainer.h"

#define RUNLOG_NORMS HISTORY_RECENT
#define RUNLOG_NOTES_MAX 20           /* notes about skipped lines before they are only counted */
#define RUNLOG_READ_MAX (8u << 20)    /* bytes one poll reads at most (a long log loads over several) */
#define RUNLOG_LINE_MAX (16u << 20)   /* a longer line is skipped as malformed */
#define RUNLOG_CHUNK (1u << 16)       /* bytes of one read */

/* {"event":"start", ...}: the first line of each session. */
typedef struct {
    char run_id[RUN_ID_CAP];
    long step;                        /* the first step the session trains */
    char save[TRAIN_PATH_MAX];        /* the checkpoint it saves ("" unknown) */
    char control[TRAIN_PATH_MAX];     /* its control socket ("" none) */
    int ranks;                        /* processes training it (0 unknown) */
    long pid;                         /* of the writing process (0 unknown) */
    char host[256];
    int have_model;                   /* cell, layers, hidden, embed and vocab were given */
    ModelConfig model;
    int have_tokenizer;
    TokType tokenizer;
    int n_tensors;
    char tensors[STEP_MAX_TENSORS][48];
    char corpus[TRAIN_PATH_MAX];      /* "" unknown */
} RunLogStart;

/* One step line, as the chart and the clip count read it. */
typedef struct {
    long step;
    double epoch;
    float loss, lr, grad_norm;
    float ms, tokens_per_s;
    int clipped;
} RunLogPoint;

typedef struct {
    long step;
    float val_loss;                   /* NAN when the log says null */
} RunLogEval;

typedef struct {
    FindingEvent e;
    int have_record;                  /* an appearance with its "record" */
    Finding record;
} RunLogEvent;

/* What a note is about: a line skipped, a command the run took, a session starting. */
enum { RUNLOG_NOTE_SKIPPED = 0, RUNLOG_NOTE_CONTROL, RUNLOG_NOTE_SESSION };
typedef void (*RunLogNoteFn)(void *ctx, int kind, const char *msg);

typedef struct {
    /* the file */
    char path[TRAIN_PATH_MAX];
    int seen;                         /* the file was read at least once: dev, ino, off are its */
    dev_t dev;
    ino_t ino;
    off_t off;                        /* bytes read (complete lines and the partial one) */
    StrBuf partial;                   /* the last line, not yet complete */
    int skipping;                     /* the partial line is over RUNLOG_LINE_MAX: skip to its newline */
    long line_no;                     /* complete lines read */
    /* the record */
    RunLogPoint *pts;                 /* (n_pts) in step order */
    size_t n_pts, cap_pts;
    float (*norms)[STEP_MAX_TENSORS]; /* (RUNLOG_NORMS) by point index modulo RUNLOG_NORMS */
    float (*gates)[TRAIN_MAX_LAYERS][4];
    size_t norms_from;                /* the first point index whose norms are kept */
    RunLogEval *evals;
    size_t n_evals, cap_evals;
    RunLogEvent *events;
    size_t n_events, cap_events;
    StepInfo last;                    /* the latest kept step line, whole */
    int have_last;
    RunLogStart start;                /* the latest start record */
    int have_start;
    long n_starts;                    /* start records read */
    int n_tensors, n_layers, n_gates; /* the step lines' shape */
    char tensor_names[STEP_MAX_TENSORS][48];
    int ngram_order;                  /* 0: no n-gram line */
    double ngram_loss;
    long malformed;                   /* lines skipped */
    long revision;                    /* bumped whenever kept entries are dropped (an overlap, a reset) */
    long control_events;              /* {"event":"control"} lines read */
    RunLogNoteFn note;                /* may be NULL */
    void *note_ctx;
    StepInfo *scratch;                /* a step line being parsed */
    char *buf;                        /* (RUNLOG_CHUNK) a read */
} RunLog;

/* What one runlog_poll found. */
typedef struct {
    long lines;      /* complete lines parsed */
    int reset;       /* the file was replaced or truncated: the record was read again from its start */
    int more;        /* RUNLOG_READ_MAX was reached: poll again at once */
} RunLogPoll;

void runlog_init(RunLog *l, const char *path);
void runlog_free(RunLog *l);
/* Forget the record and the position in the file (the next poll reads it from
 * its start); revision changes. */
void runlog_clear(RunLog *l);

/* Read what the file gained. ERR_INPUT naming the file when it cannot be
 * opened or read (the record is kept). */
int runlog_poll(RunLog *l, RunLogPoll *out, Err *err);
/* Take bytes as if appended to the file: complete lines are parsed, the rest
 * kept (runlog_poll calls it; the tests feed it directly). Returns the
 * number of complete lines. */
long runlog_feed(RunLog *l, const char *data, size_t n);

/* The index of the first point with a step above `step` (n_pts if none). */
size_t runlog_points_after(const RunLog *l, long step);
/* Point i as a StepInfo for history_push: the norms of the last RUNLOG_NORMS
 * points, zeros before (their sparklines are out of the record's reach). */
void runlog_point_info(const RunLog *l, size_t i, StepInfo *out);
/* Push every point and evaluation with a step above `after` into h. A
 * point stands for the steps --log-every left out before it too: h's
 * n_steps and clip_count count them as it (so "clip 12/300" is of the run's
 * 300 steps, the unlogged ones estimated), its series have the logged points. */
void runlog_push_history(const RunLog *l, long after, History *h);
/* The same for the points from index `from` on (those already pushed are not again). */
void runlog_push_points(const RunLog *l, size_t from, long after, History *h);
/* Apply every finding event with a step above `after` to f (the run's engine
 * as of that step, or a fresh one): what is active, since when, how severe,
 * under which cause, and the event ring. rec[id] / have[id] get the record
 * of each active finding's latest logged appearance, also one at or before
 * `after` (have 0: the log has none, and f's own description holds). */
void runlog_apply_findings(const RunLog *l, long after, Findings *f, Finding rec[FD_COUNT], int have[FD_COUNT]);

/* The step of the latest point (0: none). */
long runlog_last_step(const RunLog *l);
/* Wall time the logged steps took, counting each unlogged step between two
 * lines at the later one's ms, and how many steps that covers. */
void runlog_time(const RunLog *l, double *seconds, long *steps);

#endif
