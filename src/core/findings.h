/* findings.h — the gradient inspector's diagnoses in plain words.
 *
 * Turns one step's diagnostics (a StepInfo, and the step before it) into short
 * findings, each carrying the numbers behind it and a suggestion:
 *   vanishing   the decay probe's gradient at the window's start is < 1e-6 of
 *               that at its end (t-0);
 *   exploding   through time (start > 1e3 x end), the global gradient norm above
 *               the clip threshold, or 10x the previous step's;
 *   saturated   more than half of a gate's units saturated (sigmoid < 0.05 or
 *               > 0.95, tanh beyond +-0.95);
 *   lr_high     a weight matrix's update ratio ||dtheta|| / ||theta|| above 1e-1
 *               (about 1e-3 is the usual band; adam at its default lr runs near
 *               lr / rms(w), up to a few 1e-2, so only a clear excess is reported);
 *   lr_low      below 1e-6 (embedding excluded: its rows update sparsely).
 * Pure functions: no printing, no state; the caller keeps the previous step.
 */
#ifndef RNNSCOPE_FINDINGS_H
#define RNNSCOPE_FINDINGS_H

#include "model.h"
#include "trainer.h"

typedef enum { FIND_VANISHING, FIND_EXPLODING, FIND_SATURATED, FIND_LR_HIGH, FIND_LR_LOW } FindingKind;
typedef enum { FIND_INFO = 0, FIND_WARN = 1, FIND_BAD = 2 } FindingSeverity;

#define FINDINGS_MAX 32

/* Thresholds, exported so the widgets draw the same bands. */
#define FINDINGS_VANISH_RATIO 1e-6
#define FINDINGS_EXPLODE_RATIO 1e3
#define FINDINGS_JUMP 10.0
#define FINDINGS_SATURATED 0.5
#define FINDINGS_UPDATE_HIGH 1e-1
#define FINDINGS_UPDATE_LOW 1e-6

typedef struct {
    FindingKind kind;
    FindingSeverity severity;
    int layer;        /* -1 if not about a layer */
    int tensor;       /* tensor index, -1 if not about a tensor */
    double value;     /* the number behind it (ratio, norm, fraction) */
    char text[240];   /* one line, UTF-8 */
} Finding;

const char *findings_kind_name(FindingKind k); /* "vanishing", "exploding", ... */

/* Findings of step cur (prev: the step before, or NULL), most severe first.
 * Returns how many were written (at most cap). */
int findings_compute(const StepInfo *cur, const StepInfo *prev, const Model *m, Finding *out, int cap);

#endif
