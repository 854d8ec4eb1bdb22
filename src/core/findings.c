/* findings.c — the diagnosis engine (see findings.h).
 *
 * Each step feeds the signals (loss averages, gradient-norm median and spikes,
 * clipping rate, the median update ratio of the weight matrices, validation
 * points, the decay probe, gate and unit statistics). check_all() turns them
 * into a yes / no / "no new evidence" per catalogue entry, track() applies
 * the hysteresis, link_causes() decides what follows from what, and
 * describe() writes the sentence, the advice and the numbers from the state
 * alone, so a restored engine describes its findings without a new step.
 *
 * Every threshold is a named constant with the healthy range it clears; the
 * measurements behind them are in docs/diagnosis.md.
 */
#include "findings.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "optim.h"

/* ---- thresholds (docs/diagnosis.md: "Healthy ranges") ------------------------- */

#define FD_PLATEAU_EVERY 25     /* steps between plateau samples: the ring spans 400 steps */
#define LR_LOW_RATIO 1e-4       /* healthy min 1.5e-3 with the lr at its base */
#define LR_LOW_SLOW 5e-4        /* ... and below this when the loss is not learning either
                                   (Adam 1e-5: 1.7e-4 to 5e-4, loss still above the unigram at 600) */
#define LR_JUDGE_FROM 3         /* steps before the update-ratio average means anything */
#define LR_JUDGE_WARM 50        /* rmsprop, adagrad: their squared averages start at zero, so their
                                   first steps are ~10x lr (healthy rmsprop 2e-3: 0.38 at step 1) */
#define NL_FROM 150             /* steps before "not learning" is judged; healthy runs beat the
                                   unigram entropy by step 63 at the latest */
#define NL_MARGIN 0.02          /* nats below the unigram entropy that count as learning */
#define DIV_RISE 1.0            /* nats above max(first loss, ln V): ran away */
#define DIV_REBOUND 0.5         /* fraction of the progress lost again; healthy max 0.022 */
#define DIV_REBOUND_MIN 0.4     /* nats, so a small early dip does not count */
#define SPIKE_RATIO 10.0        /* gradient norm over its recent median; healthy max 3.1 */
#define SPIKE_HUGE 100.0        /* counted from step 2: healthy runs stay below 3.1 from there
                                   on, and a runaway can blow up before 16 steps of history */
#define SPIKE_HISTORY 16        /* norms needed before a 10x jump counts */
#define SPIKE_WINDOW 100        /* steps in which two spikes make it a pattern */
#define GROW_RATIO 1e3          /* decay probe: gradient at the window's start over t-0 */
#define CLIP_ALWAYS_FRAC 0.9    /* of the last FD_CLIP_RING steps; healthy max 0 (--clip 5) */
#define VAN_FROM 200            /* steps: at initialisation, gradient flow is not a finding */
#define VAN_RATIO 1e-9          /* fall of the gradient over the window; healthy lstm/gru min 6e-6 */
#define PLATEAU_REL 0.01        /* relative improvement over the plateau window */
#define FORGET_SHUT 0.15        /* mean forget gate; healthy min 0.41 */
#define DEAD_FRAC 0.5           /* fraction of a layer's units dead; healthy max 0.11 */
#define OF_MARGIN_ABS 0.03      /* nats above the best validation loss; healthy max rise 0 */
#define OF_MARGIN_REL 0.015
#define UF_GAP 0.03             /* training loss above validation, with dropout: healthy runs are
                                   above it only at their first evaluation (max 0.052, dropout 0.3) */
#define UF_GAP_EVALS 3          /* evaluations in a row, after the first */
#define UF_LEVEL 0.1            /* training loss at most this far below validation: no memorising */
#define WN_FROM 1000            /* steps before the n-gram comparison is judged */
#define WN_MARGIN 0.02
#define CS_RATIO 10.0           /* parameters per training token */

/* The healthy extremes the words quote (docs/diagnosis.md, "Healthy ranges"). */
#define HEALTHY_UPDATE_MAX 0.088
#define HEALTHY_UPDATE_MIN 1.5e-3
#define HEALTHY_FORGET_MIN 0.41
#define HEALTHY_SAT_MAX 0.972

/* ---- names ------------------------------------------------------------------- */

static const char *const id_names[FD_COUNT] = {
    "diverged", "nonfinite", "lr_high", "exploding", "lr_low", "not_learning", "vanishing",
    "forget_shut", "saturated", "dead_units", "clip_always", "overfitting", "underfitting",
    "worse_than_ngram", "corpus_small",
};

const char *findings_id_name(FindingId id)
{
    return id >= 0 && id < FD_COUNT ? id_names[id] : "none";
}

FindingId findings_id_from_name(const char *name)
{
    for (int i = 0; i < FD_COUNT; i++)
        if (strcmp(id_names[i], name) == 0)
            return (FindingId)i;
    return FD_NONE;
}

const char *findings_severity_name(Severity s)
{
    return s == SEV_PROBLEM ? "problem" : s == SEV_WARNING ? "warning" : "note";
}

void findings_format_number(const char *key, double x, char *out, size_t cap)
{
    if (isfinite(x) && x == floor(x) && fabs(x) < 1e12 && !strstr(key, "ratio"))
        snprintf(out, cap, "%.0f", x); /* a layer, a step, a count */
    else
        findings_format_small(x, out, cap);
}

void findings_format_small(double x, char *out, size_t cap)
{
    double a = fabs(x);
    if (!isfinite(x))
        snprintf(out, cap, "%s", isnan(x) ? "NaN" : x > 0 ? "Inf" : "-Inf");
    else if (a < 1e-30)
        snprintf(out, cap, "below 1e-30");
    else if (a >= 0.01 && a < 1e4)
        snprintf(out, cap, "%.3g", x);
    else
        snprintf(out, cap, "%.0e", x);
}

/* ---- init -------------------------------------------------------------------- */

void findings_init(Findings *f, const FindingsContext *ctx)
{
    memset(f, 0, sizeof *f);
    f->ctx = *ctx;
    f->best_val = INFINITY;
    f->best_fast = INFINITY;
    f->last_val = NAN;
    f->log_update = NAN;
    f->probe_spd = INFINITY;
    f->forget_min = 1;
    for (int i = 0; i < FD_COUNT; i++)
        f->st[i].cause = FD_NONE;
}

void findings_set_hyper(Findings *f, float lr, float clip)
{
    f->ctx.lr = lr;
    f->ctx.clip = clip;
}

/* ---- signals ------------------------------------------------------------------- */

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return x < y ? -1 : x > y;
}

static double median_of(const float *v, int n, float *scratch)
{
    if (n <= 0)
        return NAN;
    memcpy(scratch, v, sizeof(float) * (size_t)n);
    qsort(scratch, (size_t)n, sizeof(float), cmp_float);
    return n % 2 ? scratch[n / 2] : 0.5 * ((double)scratch[n / 2 - 1] + scratch[n / 2]);
}

static void observe_loss(Findings *f, const StepInfo *s)
{
    double l = s->loss;
    if (f->steps == 0) {
        f->loss0 = l;
        f->ema_fast = f->ema_slow = l;
    } else {
        f->ema_fast += (l - f->ema_fast) / 10.0;
        f->ema_slow += (l - f->ema_slow) / 100.0;
    }
    if (f->ema_fast < f->best_fast)
        f->best_fast = f->ema_fast;
    if (s->step % FD_PLATEAU_EVERY == 0) {
        if (f->n_plateau == FD_PLATEAU_RING) {
            memmove(f->plateau, f->plateau + 1, sizeof(double) * (FD_PLATEAU_RING - 1));
            f->n_plateau--;
        }
        f->plateau[f->n_plateau++] = f->ema_slow;
    }
}

static void observe_gradient(Findings *f, const StepInfo *s)
{
    float scratch[FD_GN_RING];
    double med = median_of(f->gn, f->gn_n, scratch);
    f->gn_median = med;
    const double ratio = med > 0 ? s->grad_norm / med : 0.0;
    /* ratio is 0 until there is a median (from step 2) */
    if ((f->gn_n >= SPIKE_HISTORY && ratio > SPIKE_RATIO) || ratio > SPIKE_HUGE) {
        if (f->n_spikes == FD_SPIKES) {
            memmove(f->spikes, f->spikes + 1, sizeof(long) * (FD_SPIKES - 1));
            f->n_spikes--;
        }
        f->spikes[f->n_spikes++] = s->step;
        f->spike_ratio = ratio;
    }
    f->gn[f->gn_pos] = s->grad_norm;
    f->gn_pos = (f->gn_pos + 1) % FD_GN_RING;
    if (f->gn_n < FD_GN_RING)
        f->gn_n++;
    if (f->clip_n == FD_CLIP_RING)
        f->clip_count -= f->clipped[f->clip_pos];
    else
        f->clip_n++;
    f->clipped[f->clip_pos] = s->clipped ? 1 : 0;
    f->clip_count += f->clipped[f->clip_pos];
    f->clip_pos = (f->clip_pos + 1) % FD_CLIP_RING;

    float r[STEP_MAX_TENSORS];
    int n = 0;
    for (int i = 0; i < s->n_tensors && i < f->ctx.n_tensors; i++)
        if (f->ctx.is_matrix[i] && s->update_ratio[i] > 0 && isfinite(s->update_ratio[i]))
            r[n++] = s->update_ratio[i];
    if (n > 0) {
        double lu = log10(median_of(r, n, scratch));
        f->log_update = isnan(f->log_update) ? lu : f->log_update + (lu - f->log_update) / 10.0;
        if (!(f->peak_update >= pow(10, f->log_update))) {
            f->peak_update = pow(10, f->log_update);
            f->peak_lr = s->lr;
        }
    }
}

static void observe_eval(Findings *f, const StepInfo *s)
{
    if (!s->evaluated || !isfinite(s->val_loss))
        return;
    f->n_evals++;
    memmove(f->val_recent, f->val_recent + 1, sizeof(double) * 3);
    f->val_recent[3] = s->val_loss;
    f->last_val = s->val_loss;
    f->last_val_step = s->step;
    f->train_at_last = f->ema_fast;
    if (s->val_loss < f->best_val) {
        f->best_val = s->val_loss;
        f->best_val_step = s->step;
        f->train_at_best = f->ema_fast;
    }
    if (f->n_evals >= 2 && f->train_at_last - f->last_val > UF_GAP)
        f->train_above_val++;
    else
        f->train_above_val = 0;
    double margin = fmax(OF_MARGIN_ABS, OF_MARGIN_REL * f->best_val);
    f->val_rising = s->val_loss > f->best_val + margin ? f->val_rising + 1 : 0;
}

/* The decay probe: per layer, how many steps back the gradient of the last
 * position's loss takes to fall 10x, fitted over the whole window. */
static void observe_probe(Findings *f, const StepInfo *s)
{
    if (s->decay_step <= 0 || s->decay_step == f->probe_step || s->flow_len < 2)
        return;
    f->probe_step = s->decay_step;
    double best_spd = INFINITY, grow = 0;
    for (int l = 0; l < s->n_layers; l++) {
        const float *d = s->decay + (size_t)l * s->flow_len;
        double last = d[s->flow_len - 1], first = d[0];
        int span = (s->flow_len - 1) * s->flow_stride;
        if (!(last > 0) || span < 1)
            continue;
        double ratio = first / last;
        if (ratio > grow)
            grow = ratio;
        double decades = ratio > 1e-38 ? -log10(ratio) : 38.0 + 1; /* underflow: below float's range */
        double spd = decades > 0 ? span / decades : INFINITY;
        if (spd < best_spd) {
            best_spd = spd;
            f->probe_layer = l;
            f->probe_ratio = ratio;
            f->probe_span = span;
        }
    }
    if (!isfinite(best_spd) && grow == 0) {
        f->n_probes_fast = 0; /* no layer had a gradient at t-0 to measure against */
        return;
    }
    f->probe_spd = best_spd;
    f->probe_grow = grow;
    if (s->step >= VAN_FROM && isfinite(best_spd) && f->probe_ratio < VAN_RATIO)
        f->n_probes_fast++;
    else
        f->n_probes_fast = 0;
}

static int observe_gates(Findings *f, const StepInfo *s)
{
    if (s->gate_step <= 0 || s->gate_step == f->gate_step)
        return 0;
    f->gate_step = s->gate_step;
    f->forget_min = 1;
    f->sat_max = 0;
    f->dead_max = 0;
    for (int l = 0; l < s->n_layers; l++) {
        if (f->ctx.cell == CELL_LSTM && s->gate_mean[l] < f->forget_min) {
            f->forget_min = s->gate_mean[l];
            f->forget_layer = l;
        }
        for (int g = 0; g < s->n_gates; g++)
            if (s->gate_sat[l][g] > f->sat_max) {
                f->sat_max = s->gate_sat[l][g];
                f->sat_layer = l;
                f->sat_gate = g;
            }
        if (s->dead_frac[l] > f->dead_max) {
            f->dead_max = s->dead_frac[l];
            f->dead_layer = l;
        }
    }
    return 1;
}

static int plateaued(const Findings *f)
{
    if (f->n_plateau < FD_PLATEAU_RING / 2 + 1)
        return 0;
    double then = f->plateau[f->n_plateau - 1 - FD_PLATEAU_RING / 2], now = f->plateau[f->n_plateau - 1];
    return then - now < PLATEAU_REL * then;
}

/* Validation is worse than the 3-gram's and, at the rate of its last three
 * evaluations, would still be after three more: not a run on its way there. */
static int behind_ngram(const Findings *f)
{
    if (f->steps < WN_FROM || !isfinite(f->ctx.ngram) || f->n_evals < 4)
        return 0;
    double gap = f->last_val - f->ctx.ngram;
    double gain = f->val_recent[0] - f->val_recent[3];
    return gap > WN_MARGIN && gain < gap;
}

static double ln_vocab(const Findings *f)
{
    return log(f->ctx.vocab > 1 ? f->ctx.vocab : 2);
}

/* ---- hysteresis ------------------------------------------------------------------ */

static void record(Findings *f, FindingId id, int appeared, long step)
{
    FindingEvent *e = &f->events[f->n_events % FINDINGS_EVENTS];
    e->step = step;
    e->id = (short)id;
    e->appeared = (char)appeared;
    e->severity = (char)f->st[id].severity;
    f->n_events++;
}

/* cond: 1 holds, 0 does not, -1 no new evidence this step. */
static void track(Findings *f, FindingId id, int cond, int raise_after, int clear_after, long step)
{
    FindingState *st = &f->st[id];
    if (cond < 0)
        return;
    if (cond) {
        st->hold++;
        st->miss = 0;
        if (!st->active && st->hold >= raise_after) {
            st->active = 1;
            st->since = step;
            record(f, id, 1, step);
        }
    } else {
        st->miss++;
        st->hold = 0;
        if (st->active && st->miss >= clear_after) {
            st->active = 0;
            record(f, id, 0, step);
        }
    }
}

static void force_clear(Findings *f, FindingId id, long step)
{
    FindingState *st = &f->st[id];
    st->hold = 0;
    if (st->active) {
        st->active = 0;
        record(f, id, 0, step);
    }
}

#define ON(id) (f->st[id].active)

static void check_all(Findings *f, const StepInfo *s, int gates_new, int eval_new, int probe_new)
{
    const FindingsContext *c = &f->ctx;
    long k = s->step;
    /* diverged: far above where it started, or most of the progress lost again */
    double start = fmax(f->loss0, ln_vocab(f));
    double progress = f->loss0 - f->best_fast;
    int ran_away = f->ema_fast > start + DIV_RISE || !isfinite(f->ema_fast);
    int rebound = progress > DIV_REBOUND_MIN && f->ema_fast - f->best_fast > DIV_REBOUND * progress;
    int nonfinite_recent = f->nonfinite_step > 0 && k - f->nonfinite_step < 50;
    track(f, FD_DIVERGED, ran_away || rebound || nonfinite_recent, 5, 50, k);
    track(f, FD_NONFINITE, nonfinite_recent, 1, 1, k);

    /* the learning rate, from how far a step moves the weights; a run that
     * diverged under gradient descent took steps too large for its loss
     * surface whatever the ratio says now (blown-up weights make it small) */
    int warm = c->optim == OPTIM_RMSPROP || c->optim == OPTIM_ADAGRAD ? LR_JUDGE_WARM : LR_JUDGE_FROM;
    int judged_lr = f->steps >= warm && !isnan(f->log_update);
    int over = judged_lr && f->log_update > log10(FINDINGS_LR_HIGH_RATIO);
    /* and symptoms it caused (pinned gates, dead units) keep it while they last,
     * unless the learning rate has been lowered since */
    int lowered = f->peak_lr > 0 && s->lr < 0.5 * f->peak_lr;
    int explains = ON(FD_LR_HIGH) && !lowered &&
                   ((ON(FD_SATURATED) && f->st[FD_SATURATED].cause == FD_LR_HIGH) ||
                    (ON(FD_DEAD_UNITS) && f->st[FD_DEAD_UNITS].cause == FD_LR_HIGH) ||
                    (ON(FD_FORGET_SHUT) && f->st[FD_FORGET_SHUT].cause == FD_LR_HIGH));
    track(f, FD_LR_HIGH, over || ON(FD_DIVERGED) || explains ? 1 : judged_lr ? 0 : -1, ON(FD_DIVERGED) ? 1 : 10,
          50, k);
    /* not learning: no better than a model that ignores its input */
    double floor_loss = fmin(c->unigram > 0 ? c->unigram : ln_vocab(f), ln_vocab(f));
    /* the margin shrinks for text that is nearly predictable by counting alone */
    int stuck = f->steps >= NL_FROM ? f->ema_fast > floor_loss - fmin(NL_MARGIN, 0.1 * floor_loss) : -1;
    int lr_at_base = s->lr >= 0.5f * c->lr;  /* not a schedule's warmup or decayed tail */
    int low = f->log_update < log10(LR_LOW_RATIO) || (stuck == 1 && f->log_update < log10(LR_LOW_SLOW));
    track(f, FD_LR_LOW, judged_lr && lr_at_base ? low : (judged_lr ? 0 : -1), 10, 20, k);
    track(f, FD_NOT_LEARNING, stuck, 10, 20, k);

    /* exploding: repeated spikes of the norm, or a gradient growing back through time */
    int recent = 0;
    for (int i = 0; i < f->n_spikes; i++)
        recent += k - f->spikes[i] < SPIKE_WINDOW;
    int spiking = recent >= 2 || (recent >= 1 && f->spike_ratio > SPIKE_HUGE);
    int growing = probe_new && f->probe_grow > GROW_RATIO;
    track(f, FD_EXPLODING, spiking || growing, 1, SPIKE_WINDOW, k);

    int clip_judged = c->clip > 0 && f->clip_n == FD_CLIP_RING;
    track(f, FD_CLIP_ALWAYS, clip_judged ? f->clip_count > CLIP_ALWAYS_FRAC * f->clip_n : (c->clip > 0 ? -1 : 0), 1,
          20, k);

    track(f, FD_VANISHING, probe_new ? f->n_probes_fast >= 2 : -1, 1, 2, k);
    if (gates_new) {
        track(f, FD_FORGET_SHUT, c->cell == CELL_LSTM && f->forget_min < FORGET_SHUT, 2, 3, k);
        track(f, FD_SATURATED, f->sat_max > FINDINGS_SAT_PINNED, 3, 3, k);
        track(f, FD_DEAD_UNITS, f->dead_max > DEAD_FRAC, 3, 3, k);
    }
    if (eval_new) {
        /* there is a fit to lose only if held-out text was, at its best,
         * predicted better than by a model that ignores its input; and a
         * diverging run's held-out loss rises because it blows up */
        int fitted = f->best_val < floor_loss && !ON(FD_DIVERGED);
        int of = f->n_evals >= 2 && f->val_rising >= 2 && f->train_at_last < f->train_at_best && fitted;
        track(f, FD_OVERFITTING, of, 1, 1, k);
        /* underfitting: training fits no better than held-out text (or, with
         * dropout, clearly worse) while both stay behind a 3-gram */
        int gap = c->dropout > 0 && f->train_above_val >= UF_GAP_EVALS;
        int level = behind_ngram(f) && f->train_at_last - f->last_val > -UF_LEVEL;
        track(f, FD_UNDERFITTING, (gap || level) && !ON(FD_OVERFITTING), 1, 2, k);
        int judged = f->steps >= WN_FROM && isfinite(c->ngram);
        track(f, FD_WORSE_THAN_NGRAM, judged ? behind_ngram(f) : -1, 1, 1, k);
    }
    track(f, FD_CORPUS_SMALL, c->n_train > 0 && (double)c->n_params > CS_RATIO * (double)c->n_train, 1, 1, k);

    /* contradictions: never both */
    if (ON(FD_LR_HIGH))
        force_clear(f, FD_LR_LOW, k);
    if (ON(FD_DIVERGED)) {
        force_clear(f, FD_NOT_LEARNING, k);
        force_clear(f, FD_LR_LOW, k); /* blown-up weights make every update look small */
        force_clear(f, FD_UNDERFITTING, k);
    }
    if (ON(FD_OVERFITTING))
        force_clear(f, FD_UNDERFITTING, k);
}

/* ---- causes and severities --------------------------------------------------------- */

static FindingId first_active(const Findings *f, const FindingId *ids, int n)
{
    for (int i = 0; i < n; i++)
        if (ids[i] != FD_NONE && ON(ids[i]))
            return ids[i];
    return FD_NONE;
}

#define CAUSE(id, ...)                                                                            \
    do {                                                                                          \
        static const FindingId c_[] = {__VA_ARGS__};                                              \
        f->st[id].cause = ON(id) ? first_active(f, c_, (int)(sizeof c_ / sizeof c_[0])) : FD_NONE; \
    } while (0)

static void link_causes(Findings *f, long step)
{
    /* in an order where a cause is always settled before what follows from it */
    CAUSE(FD_CORPUS_SMALL, FD_NONE);
    CAUSE(FD_LR_HIGH, FD_NONE);
    CAUSE(FD_LR_LOW, FD_NONE);
    CAUSE(FD_EXPLODING, FD_LR_HIGH);
    /* a learning rate that was high just before the run went away is its cause
     * even when the update ratio has fallen since (the weights blew up) */
    (void)step;
    CAUSE(FD_DIVERGED, FD_LR_HIGH, FD_EXPLODING);
    CAUSE(FD_NONFINITE, FD_DIVERGED, FD_LR_HIGH, FD_EXPLODING);
    CAUSE(FD_FORGET_SHUT, FD_LR_HIGH, FD_DIVERGED);
    CAUSE(FD_SATURATED, FD_LR_HIGH, FD_DIVERGED, FD_FORGET_SHUT);
    CAUSE(FD_DEAD_UNITS, FD_LR_HIGH, FD_DIVERGED, FD_SATURATED);
    CAUSE(FD_CLIP_ALWAYS, FD_LR_HIGH, FD_EXPLODING, FD_DIVERGED);
    CAUSE(FD_OVERFITTING, FD_CORPUS_SMALL);
    /* pinned gates, dead units and a shut forget gate leave the model fewer
     * units than it has: more of them would fare the same */
    CAUSE(FD_UNDERFITTING, FD_LR_LOW, FD_SATURATED, FD_DEAD_UNITS, FD_FORGET_SHUT);
    CAUSE(FD_NOT_LEARNING, FD_LR_LOW, FD_FORGET_SHUT, FD_DEAD_UNITS, FD_SATURATED, FD_UNDERFITTING, FD_LR_HIGH);
    CAUSE(FD_VANISHING, FD_FORGET_SHUT, FD_SATURATED, FD_LR_HIGH, FD_DIVERGED, FD_LR_LOW, FD_NOT_LEARNING);
    CAUSE(FD_WORSE_THAN_NGRAM, FD_OVERFITTING, FD_UNDERFITTING, FD_NOT_LEARNING, FD_LR_LOW, FD_DIVERGED,
          FD_LR_HIGH, FD_SATURATED, FD_DEAD_UNITS, FD_FORGET_SHUT);

    FindingState *st = f->st;
    int clipping = f->ctx.clip > 0;
    st[FD_DIVERGED].severity = SEV_PROBLEM;
    st[FD_NONFINITE].severity = SEV_PROBLEM;
    st[FD_NOT_LEARNING].severity = SEV_PROBLEM;
    st[FD_FORGET_SHUT].severity = SEV_PROBLEM;
    st[FD_LR_HIGH].severity = ON(FD_DIVERGED) || ON(FD_NONFINITE) || ON(FD_EXPLODING) || ON(FD_SATURATED) ||
                                      ON(FD_NOT_LEARNING)
                                  ? SEV_PROBLEM : SEV_WARNING;
    st[FD_LR_LOW].severity = ON(FD_NOT_LEARNING) ? SEV_PROBLEM : SEV_WARNING;
    st[FD_EXPLODING].severity = clipping ? SEV_WARNING : SEV_PROBLEM;
    st[FD_VANISHING].severity = plateaued(f) ? SEV_WARNING : SEV_NOTE;
    st[FD_SATURATED].severity = SEV_WARNING;
    st[FD_DEAD_UNITS].severity = SEV_WARNING;
    st[FD_CLIP_ALWAYS].severity = SEV_WARNING;
    st[FD_OVERFITTING].severity =
        isfinite(f->ctx.ngram) && f->last_val > f->ctx.ngram ? SEV_PROBLEM : SEV_WARNING;
    st[FD_UNDERFITTING].severity = SEV_WARNING;
    st[FD_WORSE_THAN_NGRAM].severity = SEV_WARNING;
    st[FD_CORPUS_SMALL].severity = SEV_WARNING;
    /* a cause is as serious as what follows from it (dead units that stop
     * learning are a problem); causes form chains no longer than FD_COUNT */
    for (int pass = 0; pass < FD_COUNT; pass++)
        for (int i = 0; i < FD_COUNT; i++) {
            FindingId c = st[i].cause;
            if (st[i].active && c != FD_NONE && st[c].severity < st[i].severity)
                st[c].severity = st[i].severity;
        }
}

/* Events recorded since `from` get the severity their finding has once the
 * causes are linked (track() runs before link_causes()). */
static void settle_events(Findings *f, long from)
{
    for (long i = from < f->n_events - FINDINGS_EVENTS ? f->n_events - FINDINGS_EVENTS : from; i < f->n_events; i++) {
        FindingEvent *e = &f->events[i % FINDINGS_EVENTS];
        if (e->appeared)
            e->severity = (char)f->st[e->id].severity;
    }
}

void findings_observe_step(Findings *f, const StepInfo *s)
{
    long events_before = f->n_events;
    observe_loss(f, s);
    observe_gradient(f, s);
    int had_evals = f->n_evals;
    observe_eval(f, s);
    long probe_before = f->probe_step;
    observe_probe(f, s);
    int gates_new = observe_gates(f, s);
    f->steps++;
    f->last_step = s->step;
    check_all(f, s, gates_new, f->n_evals != had_evals, f->probe_step != probe_before);
    link_causes(f, s->step);
    settle_events(f, events_before);
}

void findings_observe_failure(Findings *f, long step, const char *what)
{
    long events_before = f->n_events;
    f->nonfinite_step = step;
    f->nonfinite_count++;
    snprintf(f->nonfinite_what, sizeof f->nonfinite_what, "%s", what ? what : "");
    f->last_step = step;
    track(f, FD_NONFINITE, 1, 1, 1, step);
    track(f, FD_DIVERGED, 1, 1, 50, step);
    track(f, FD_LR_HIGH, 1, 1, 50, step); /* as in check_all: a diverged run's steps were too large */
    force_clear(f, FD_LR_LOW, step);
    force_clear(f, FD_NOT_LEARNING, step);
    link_causes(f, step);
    settle_events(f, events_before);
}

/* ---- describing ---------------------------------------------------------------------- */

static const char *gate_name(int cell, int g)
{
    static const char *const names[3][4] = {{"input gate", "forget gate", "cell candidate", "output gate"},
                                            {"reset gate", "update gate", "candidate", ""},
                                            {"hidden state", "", "", ""}};
    return cell >= 0 && cell < 3 && g >= 0 && g < 4 ? names[cell][g] : "?";
}

static void num(Finding *d, const char *key, double v)
{
    if (d->n_numbers < FINDING_MAX_NUMBERS)
        d->numbers[d->n_numbers++] = (FindingNumber){key, v};
}

__attribute__((format(printf, 3, 4)))
static void put(char *dst, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, cap, fmt, ap);
    va_end(ap);
}

/* A suggested learning rate: the current one scaled to bring the median
 * update ratio (ratio) to healthy_ratio, rounded to one significant digit;
 * at least a tenfold change. */
static double suggest_lr(double lr_now, double ratio, double healthy_ratio)
{
    double scale = healthy_ratio / ratio;
    if (scale > 0.1 && scale < 10)
        scale = scale < 1 ? 0.1 : 10;
    double lr = lr_now * scale;
    double p = pow(10, floor(log10(lr)));
    return round(lr / p) * p;
}

static void describe(const Findings *f, FindingId id, Finding *d)
{
    const FindingsContext *c = &f->ctx;
    const FindingState *st = &f->st[id];
    memset(d, 0, sizeof *d);
    d->id = id;
    d->severity = st->severity;
    d->since = st->since;
    d->cause = st->cause;
    snprintf(d->subject, sizeof d->subject, "run");
    char a[32], b[32];
    double upd = pow(10, f->log_update);
    switch (id) {
    case FD_DIVERGED: {
        num(d, "loss", f->ema_fast);
        num(d, "first_loss", f->loss0);
        num(d, "best_loss", f->best_fast);
        if (f->nonfinite_step > 0 && f->last_step - f->nonfinite_step < 50 && f->loss0 - f->best_fast > 0.05)
            put(d->text, sizeof d->text, "the run diverged: step %ld went non-finite after the loss had come down "
                "from %.3f to %.3f", f->nonfinite_step, f->loss0, f->best_fast);
        else if (f->nonfinite_step > 0 && f->last_step - f->nonfinite_step < 50)
            put(d->text, sizeof d->text, "the run diverged at once: step %ld went non-finite", f->nonfinite_step);
        else if (f->ema_fast > fmax(f->loss0, ln_vocab(f)) + DIV_RISE || !isfinite(f->ema_fast))
            put(d->text, sizeof d->text, "the loss ran away: %.4g nats/token now, worse than guessing uniformly "
                "(ln V = %.2f) and than where it started (%.3f)", f->ema_fast, ln_vocab(f), f->loss0);
        else
            put(d->text, sizeof d->text, "the loss climbed back from its best, %.3f, to %.3f: most of what was "
                "learnt since the start (%.3f) is lost", f->best_fast, f->ema_fast, f->loss0);
        if (st->cause == FD_LR_HIGH)
            put(d->advice, sizeof d->advice, "fix lr_high, then go on from the last good checkpoint: this state's "
                "weights are blown up");
        else
            put(d->advice, sizeof d->advice, "lower --lr by 3-10x%s and restart from the last good checkpoint",
                c->clip > 0 ? "" : ", set --clip 5");
        break;
    }
    case FD_NONFINITE:
        num(d, "step", f->nonfinite_step);
        num(d, "count", f->nonfinite_count);
        put(d->text, sizeof d->text, "%s", f->nonfinite_what[0] ? f->nonfinite_what : "a step went non-finite");
        put(d->advice, sizeof d->advice, "the parameters are kept from the last good step; lower --lr%s before "
            "going on", c->clip > 0 ? "" : " and set --clip 5");
        break;
    case FD_LR_HIGH:
        num(d, "update_ratio", upd);
        num(d, "peak_update_ratio", f->peak_update);
        num(d, "healthy_max", HEALTHY_UPDATE_MAX);
        num(d, "lr", upd > FINDINGS_LR_HIGH_RATIO ? c->lr : f->peak_lr);
        if (upd > FINDINGS_LR_HIGH_RATIO) {
            findings_format_small(upd, a, sizeof a);
            put(d->text, sizeof d->text, "each step changes the weight matrices by %s of their size (median); "
                "healthy runs stay below %.2g, so the learning rate %g is too high", a, HEALTHY_UPDATE_MAX, c->lr);
        } else if (!ON(FD_DIVERGED)) {
            findings_format_small(f->peak_update, a, sizeof a);
            put(d->text, sizeof d->text, "learning rate %g moved the weight matrices by up to %s of their size per "
                "step (median; healthy runs stay below %.2g): the gates it pinned and the units it killed are still "
                "so", f->peak_lr, a, HEALTHY_UPDATE_MAX);
        } else {
            findings_format_small(f->peak_update, a, sizeof a);
            put(d->text, sizeof d->text, "the run diverged under learning rate %g: its steps moved the weight "
                "matrices by up to %s of their size (median; healthy runs stay below %.2g), too far for this "
                "loss surface", f->peak_lr, a, HEALTHY_UPDATE_MAX);
        }
        put(d->advice, sizeof d->advice, "lower --lr to about %g%s", suggest_lr(upd > FINDINGS_LR_HIGH_RATIO ? c->lr : f->peak_lr, f->peak_update, 0.01),
            c->clip > 0 ? "" : " and set --clip 5");
        break;
    case FD_LR_LOW:
        num(d, "update_ratio", upd);
        num(d, "healthy_min", HEALTHY_UPDATE_MIN);
        num(d, "lr", c->lr);
        findings_format_small(upd, a, sizeof a);
        put(d->text, sizeof d->text, "each step changes the weight matrices by only %s of their size (median); "
            "healthy runs move them by %.2g or more, so the learning rate %g is too low", a, HEALTHY_UPDATE_MIN, c->lr);
        put(d->advice, sizeof d->advice, "raise --lr to about %g", suggest_lr(c->lr, upd, 3e-3));
        break;
    case FD_NOT_LEARNING: {
        double uni = c->unigram > 0 ? c->unigram : ln_vocab(f);
        num(d, "loss", f->ema_fast);
        num(d, "unigram_entropy", uni);
        num(d, "ln_vocab", ln_vocab(f));
        put(d->text, sizeof d->text, "after %ld steps the loss is %.3f nats/token, no better than a model that "
            "ignores its input (unigram entropy %.3f, uniform ln V %.3f)", f->steps, f->ema_fast, uni, ln_vocab(f));
        if (st->cause == FD_LR_LOW)
            put(d->advice, sizeof d->advice, "raise --lr (see lr_low)");
        else if (st->cause == FD_UNDERFITTING)
            put(d->advice, sizeof d->advice, "lower --dropout (%.2g now)", c->dropout);
        else if (st->cause != FD_NONE)
            put(d->advice, sizeof d->advice, "fix %s first", findings_id_name(st->cause));
        else
            put(d->advice, sizeof d->advice, "check the corpus has structure to learn; try the defaults "
                "(--optim adam --lr 2e-3) to rule out the settings");
        break;
    }
    case FD_EXPLODING: {
        int recent = 0;
        for (int i = 0; i < f->n_spikes; i++)
            recent += f->last_step - f->spikes[i] < SPIKE_WINDOW;
        num(d, "spikes", recent);
        num(d, "spike_ratio", f->spike_ratio);
        num(d, "median_grad_norm", f->gn_median);
        num(d, "growth_back_in_time", f->probe_grow);
        if (recent > 0)
            put(d->text, sizeof d->text, "the gradient norm jumped to %.0fx its recent median (%.3g) %d time%s in "
                "the last %d steps", f->spike_ratio, f->gn_median, recent, recent == 1 ? "" : "s", SPIKE_WINDOW);
        else if (f->probe_grow <= GROW_RATIO && f->n_spikes > 0)
            put(d->text, sizeof d->text, "the gradient norm jumped to %.0fx its recent median at step %ld; none "
                "since", f->spike_ratio, f->spikes[f->n_spikes - 1]);
        else
            put(d->text, sizeof d->text, "the gradient grows back through time: %.0e times larger at the start "
                "of the window than at its end", f->probe_grow);
        put(d->advice, sizeof d->advice, "%s", c->clip > 0 ? "clipping holds it; if the loss jumps too, lower --lr"
                                                         : "set --clip 5 (clipping is off) or lower --lr");
        break;
    }
    case FD_CLIP_ALWAYS:
        num(d, "clipped_steps", f->clip_count);
        num(d, "window", f->clip_n);
        num(d, "median_grad_norm", f->gn_median);
        num(d, "clip", c->clip);
        put(d->text, sizeof d->text, "clipping fired on %d of the last %d steps: the gradient norm (median %.3g) "
            "is nearly always above --clip %g, so --clip, not the gradient, sets the step size",
            f->clip_count, f->clip_n, f->gn_median, c->clip);
        put(d->advice, sizeof d->advice, "raise --clip to about %.2g, or lower --lr if the loss is unstable",
            2 * f->gn_median);
        break;
    case FD_VANISHING: {
        int horizon = isfinite(f->probe_spd) && f->probe_spd < 1e6 ? (int)(6 * f->probe_spd + 0.5) : 0; /* to 1e-6 */
        snprintf(d->subject, sizeof d->subject, "layer %d", f->probe_layer);
        num(d, "layer", f->probe_layer);
        num(d, "steps_per_decade", f->probe_spd);
        num(d, "ratio", f->probe_ratio);
        num(d, "window", f->probe_span);
        findings_format_small(f->probe_ratio, a, sizeof a);
        put(d->text, sizeof d->text, "layer %d: the gradient of a loss falls 10x every %.1f steps back (%s of "
            "itself at t-%d), so nothing further back than about %d steps can be learnt%s", f->probe_layer,
            f->probe_spd, a, f->probe_span, horizon, plateaued(f) ? ", and the loss has stopped improving" : "");
        if (c->cell == CELL_RNN)
            put(d->advice, sizeof d->advice, "a tanh rnn forgets fast: use --cell lstm --forget-bias-one or --cell "
                "gru%s", c->seq > horizon ? "; a shorter --seq trains faster for the same result" : "");
        else if (c->cell == CELL_LSTM && !c->forget_bias_one)
            put(d->advice, sizeof d->advice, "start with --forget-bias-one so the cell keeps its state longer");
        else if (c->cell == CELL_GRU)
            put(d->advice, sizeof d->advice, "try --cell lstm --forget-bias-one; a --seq beyond %d is wasted",
                horizon);
        else
            put(d->advice, sizeof d->advice, "a --seq beyond about %d steps is wasted; lower it to train faster",
                horizon);
        break;
    }
    case FD_FORGET_SHUT:
        snprintf(d->subject, sizeof d->subject, "layer %d forget gate", f->forget_layer);
        num(d, "layer", f->forget_layer);
        num(d, "forget_mean", f->forget_min);
        num(d, "healthy_min", HEALTHY_FORGET_MIN);
        put(d->text, sizeof d->text, "layer %d: the forget gates are shut (mean %.3f): the cell state is wiped "
            "at every step, so the LSTM keeps no memory", f->forget_layer, f->forget_min);
        put(d->advice, sizeof d->advice, "restart with --forget-bias-one (forget-gate bias 1); shut gates rarely "
            "reopen on their own");
        break;
    case FD_SATURATED:
        snprintf(d->subject, sizeof d->subject, "layer %d %s", f->sat_layer, gate_name(c->cell, f->sat_gate));
        num(d, "layer", f->sat_layer);
        num(d, "saturated", f->sat_max);
        num(d, "healthy_max", HEALTHY_SAT_MAX);
        put(d->text, sizeof d->text, "layer %d %s: %.0f%% of its activations are pinned at the ends of their "
            "range, where almost no gradient passes", f->sat_layer, gate_name(c->cell, f->sat_gate),
            100 * f->sat_max);
        put(d->advice, sizeof d->advice, "%s", st->cause == FD_LR_HIGH ? "lower --lr (see lr_high)"
                                             : "lower --lr, or restart: pinned units seldom recover");
        break;
    case FD_DEAD_UNITS: {
        int dead = (int)(f->dead_max * c->hidden + 0.5);
        snprintf(d->subject, sizeof d->subject, "layer %d", f->dead_layer);
        num(d, "layer", f->dead_layer);
        num(d, "dead_fraction", f->dead_max);
        num(d, "dead", dead);
        put(d->text, sizeof d->text, "layer %d: %d of %d hidden units (%.0f%%) do not change over a chunk: they "
            "carry nothing", f->dead_layer, dead, c->hidden, 100 * f->dead_max);
        put(d->advice, sizeof d->advice, "lower --lr and restart from a fresh initialisation; dead units do not "
            "come back");
        break;
    }
    case FD_OVERFITTING:
        num(d, "best_step", f->best_val_step);
        num(d, "best_val_loss", f->best_val);
        num(d, "val_loss", f->last_val);
        num(d, "train_loss", f->train_at_last);
        num(d, "train_at_best", f->train_at_best);
        put(d->text, sizeof d->text, "validation loss rose from %.3f at step %ld (its best) to %.3f at step %ld "
            "while the training loss fell from %.3f to %.3f: the model is memorising the training text",
            f->best_val, f->best_val_step, f->last_val, f->last_val_step, f->train_at_best, f->train_at_last);
        put(d->advice, sizeof d->advice, "keep the step-%ld weights; %s", f->best_val_step,
            c->dropout < 0.2f && c->layers > 1 ? "add --dropout 0.3, use a smaller --hidden or more text"
                                               : "use a smaller --hidden or more text");
        break;
    case FD_UNDERFITTING:
        num(d, "train_loss", f->train_at_last);
        num(d, "val_loss", f->last_val);
        num(d, "dropout", c->dropout);
        num(d, "evaluations_above", f->train_above_val);
        if (f->train_above_val >= UF_GAP_EVALS && c->dropout > 0)
            put(d->text, sizeof d->text, "the training loss (%.3f) has stayed above the validation loss (%.3f) for "
                "%d evaluations: dropout %.2g keeps the model from fitting even the training text",
                f->train_at_last, f->last_val, f->train_above_val + 1, c->dropout);
        else
            put(d->text, sizeof d->text, "training (%.3f) fits no better than held-out text (%.3f), and both stay "
                "behind a 3-gram model (%.3f) with no sign of catching up: the model is underfitting",
                f->train_at_last, f->last_val, c->ngram);
        if (st->cause != FD_NONE)
            put(d->advice, sizeof d->advice, "fix %s first: while it lasts, more units would fare no better",
                findings_id_name(st->cause));
        else if (c->dropout > 0.5f || (c->dropout > 0 && f->train_above_val >= UF_GAP_EVALS))
            put(d->advice, sizeof d->advice, "lower --dropout (now %.2g) to 0.2-0.3, or drop it", c->dropout);
        else
            put(d->advice, sizeof d->advice, "raise --hidden (now %d) or --layers", c->hidden);
        break;
    case FD_WORSE_THAN_NGRAM:
        num(d, "val_loss", f->last_val);
        num(d, "ngram_val_loss", c->ngram);
        num(d, "best_val_loss", f->best_val);
        put(d->text, sizeof d->text, "after %ld steps the validation loss %.3f is worse than a 3-gram model's %.3f "
            "on the same split", f->steps, f->last_val, c->ngram);
        if (st->cause == FD_OVERFITTING)
            put(d->advice, sizeof d->advice, "the best step (%ld, %.3f) was %s: overfitting lost it",
                f->best_val_step, f->best_val, f->best_val < c->ngram ? "better" : "no better");
        else if (st->cause != FD_NONE)
            put(d->advice, sizeof d->advice, "fix %s first", findings_id_name(st->cause));
        else
            put(d->advice, sizeof d->advice, "train longer, or raise --hidden; an RNN should beat a 3-gram");
        break;
    case FD_CORPUS_SMALL: {
        double ratio = (double)c->n_params / (double)(c->n_train ? c->n_train : 1);
        num(d, "params", (double)c->n_params);
        num(d, "train_tokens", (double)c->n_train);
        num(d, "ratio", ratio);
        snprintf(a, sizeof a, "%zu", c->n_params);
        snprintf(b, sizeof b, "%zu", c->n_train);
        put(d->text, sizeof d->text, "the model has %s parameters for %s training tokens (%.0fx): it can memorise "
            "the text, and will overfit", a, b, ratio);
        int h = c->hidden;
        while (h > 8 && (double)c->n_params * ((double)h / c->hidden) * ((double)h / c->hidden) >
                            CS_RATIO * (double)c->n_train)
            h /= 2;
        put(d->advice, sizeof d->advice, "use more text, or a smaller model (--hidden %d)", h);
        break;
    }
    default:
        break;
    }
}

/* ---- listing ----------------------------------------------------------------------- */

static int depth_of(const Findings *f, FindingId id)
{
    int d = 0;
    for (FindingId c = f->st[id].cause; c != FD_NONE && d < FD_COUNT; c = f->st[c].cause)
        d++;
    return d;
}

/* Children of parent (FD_NONE: the roots), most severe first, each followed by its own. */
static void list_under(const Findings *f, FindingId parent, Finding *out, int cap, int *n)
{
    for (int sev = SEV_PROBLEM; sev >= SEV_NOTE; sev--)
        for (int i = 0; i < FD_COUNT; i++) {
            const FindingState *st = &f->st[i];
            if (!st->active || st->cause != parent || (int)st->severity != sev)
                continue;
            if (*n < cap) {
                describe(f, (FindingId)i, &out[*n]);
                out[*n].depth = depth_of(f, (FindingId)i);
                (*n)++;
            }
            list_under(f, (FindingId)i, out, cap, n);
        }
}

int findings_list(const Findings *f, Finding *out, int cap)
{
    int n = 0;
    list_under(f, FD_NONE, out, cap, &n);
    return n;
}

void findings_counts(const Findings *f, int *problems, int *warnings, int *notes)
{
    int c[3] = {0, 0, 0};
    for (int i = 0; i < FD_COUNT; i++)
        if (f->st[i].active)
            c[f->st[i].severity]++;
    if (problems)
        *problems = c[SEV_PROBLEM];
    if (warnings)
        *warnings = c[SEV_WARNING];
    if (notes)
        *notes = c[SEV_NOTE];
}

const char *findings_verdict(const Findings *f)
{
    Finding top[FINDINGS_MAX];
    int n = findings_list(f, top, FINDINGS_MAX);
    if (n == 0 || top[0].severity == SEV_NOTE)
        return "healthy";
    return findings_id_name(top[0].id);
}

long findings_steps_to_judge(const Findings *f, long eval_every)
{
    (void)f;
    long need = WN_FROM + 2 * (eval_every > 0 ? eval_every : 0);
    return need < VAN_FROM + 100 ? VAN_FROM + 100 : need;
}

int findings_next_event(const Findings *f, long *seen, FindingEvent *out)
{
    long total = f->n_events, kept = findings_n_events(f);
    if (*seen > total)
        *seen = total;
    if (*seen < total - kept)
        *seen = total - kept;
    if (*seen >= total)
        return 0;
    findings_event(f, *seen - (total - kept), out);
    (*seen)++;
    return 1;
}

int findings_get(const Findings *f, FindingId id, Finding *out)
{
    if (id < 0 || id >= FD_COUNT || !f->st[id].active)
        return 0;
    describe(f, id, out);
    out->depth = depth_of(f, id);
    return 1;
}

long findings_n_events(const Findings *f)
{
    return f->n_events < FINDINGS_EVENTS ? f->n_events : FINDINGS_EVENTS;
}

int findings_event(const Findings *f, long i, FindingEvent *out)
{
    long kept = findings_n_events(f);
    if (i < 0 || i >= kept)
        return 0;
    long first = f->n_events - kept;
    *out = f->events[(first + i) % FINDINGS_EVENTS];
    return 1;
}

/* ---- saving ---------------------------------------------------------------------------- */

/* The numeric state, in one fixed order for both directions. */
#define FD_SCALARS(X)                                                                                  \
    X(steps) X(last_step) X(loss0) X(ema_fast) X(ema_slow) X(best_fast) X(n_plateau)       \
    X(gn_n) X(gn_pos) X(clip_n) X(clip_pos) X(clip_count) X(n_spikes) X(spike_ratio) X(gn_median)      \
    X(log_update) X(peak_update) X(peak_lr) X(n_evals) X(best_val) X(last_val) X(best_val_step)      \
    X(last_val_step) X(train_at_best) X(train_at_last) X(val_rising) X(val_recent[0]) X(val_recent[1]) X(val_recent[2]) X(val_recent[3]) X(train_above_val) X(probe_step) X(probe_layer)      \
    X(probe_spd) X(probe_ratio) X(probe_span) X(probe_grow) X(n_probes_fast) X(gate_step) X(forget_min) \
    X(forget_layer) X(sat_max) X(sat_layer) X(sat_gate) X(dead_max) X(dead_layer) X(nonfinite_step)    \
    X(nonfinite_count) X(n_events)

#define FD_STATE_VERSION "findings/1"

void findings_save(const Findings *f, StWriter *w)
{
    size_t cap = 64 * 1024, len = 0;
    char *s = xmalloc(cap);
#define APPEND(...) (len += (size_t)snprintf(s + len, len < cap ? cap - len : 0, __VA_ARGS__))
    APPEND("%s", FD_STATE_VERSION);
#define X(field) APPEND(" %.17g", (double)f->field);
    FD_SCALARS(X)
#undef X
    for (int i = 0; i < FD_PLATEAU_RING; i++)
        APPEND(" %.17g", f->plateau[i]);
    for (int i = 0; i < FD_GN_RING; i++)
        APPEND(" %.9g", (double)f->gn[i]);
    for (int i = 0; i < FD_CLIP_RING; i++)
        APPEND(" %d", f->clipped[i]);
    for (int i = 0; i < FD_SPIKES; i++)
        APPEND(" %ld", f->spikes[i]);
    for (int i = 0; i < FD_COUNT; i++)
        APPEND(" %d %d %d %ld %d %d", f->st[i].active, f->st[i].hold, f->st[i].miss, f->st[i].since,
               (int)f->st[i].severity, (int)f->st[i].cause);
    for (int i = 0; i < FINDINGS_EVENTS; i++)
        APPEND(" %ld %d %d %d", f->events[i].step, f->events[i].id, f->events[i].appeared, f->events[i].severity);
#undef APPEND
    if (len < cap)
        st_add_meta(w, "findings.state", s);
    st_add_meta(w, "findings.nonfinite", f->nonfinite_what);
    free(s);
}

/* A number read into an integer field must be one (casting NaN or 1e300 to
 * an integer is undefined behaviour); floating fields take anything strtod
 * reads, inf and nan included. */
#define FD_WHOLE(v) (isfinite(v) && fabs(v) <= 1e15 && (v) == floor(v))
#define FD_FITS(field, v) \
    (_Generic((field), double: 1, float: !isfinite(v) || fabs(v) <= FLT_MAX, int: FD_WHOLE(v) && fabs(v) <= 1e9, \
              default: FD_WHOLE(v)))

/* Reads the next number of a state string; 0 at the end or on garbage. */
static int next_num(const char **p, double *out)
{
    char *end;
    double v = strtod(*p, &end);
    if (end == *p)
        return 0;
    *p = end;
    *out = v;
    return 1;
}

int findings_load(Findings *f, const StFile *file, Err *err)
{
    const char *s = st_meta(file, "findings.state");
    if (!s)
        return 0;
    Findings g = *f; /* fill a copy, so a damaged state leaves f as it was */
    size_t vlen = strlen(FD_STATE_VERSION);
    if (strncmp(s, FD_STATE_VERSION, vlen) != 0)
        return err_set(err, ERR_INPUT, "%s: findings.state is not a %s record; the run state is damaged",
                       file->path, FD_STATE_VERSION);
    const char *p = s + vlen;
    double v;
    int ok = 1;
#define X(field) ok = ok && next_num(&p, &v) && FD_FITS(g.field, v) && ((g.field = (__typeof__(g.field))v), 1);
    FD_SCALARS(X)
#undef X
    for (int i = 0; ok && i < FD_PLATEAU_RING; i++)
        ok = next_num(&p, &g.plateau[i]);
    for (int i = 0; ok && i < FD_GN_RING; i++)
        ok = next_num(&p, &v) && (!isfinite(v) || fabs(v) <= FLT_MAX) && ((g.gn[i] = (float)v), 1);
    for (int i = 0; ok && i < FD_CLIP_RING; i++)
        ok = next_num(&p, &v) && (v == 0 || v == 1) && ((g.clipped[i] = (unsigned char)v), 1);
    for (int i = 0; ok && i < FD_SPIKES; i++)
        ok = next_num(&p, &v) && FD_WHOLE(v) && ((g.spikes[i] = (long)v), 1);
    for (int i = 0; ok && i < FD_COUNT; i++) {
        double a, h, m, since, sev, cause;
        ok = next_num(&p, &a) && next_num(&p, &h) && next_num(&p, &m) && next_num(&p, &since) &&
             next_num(&p, &sev) && next_num(&p, &cause) && FD_WHOLE(a) && FD_WHOLE(h) && FD_WHOLE(m) &&
             fabs(h) < 1e9 && fabs(m) < 1e9 && FD_WHOLE(since) && FD_WHOLE(sev) && FD_WHOLE(cause) && sev >= 0 &&
             sev <= 2 && cause >= -1 && cause < FD_COUNT;
        if (ok)
            g.st[i] = (FindingState){a != 0, (int)h, (int)m, (long)since, (Severity)sev, (FindingId)cause};
    }
    for (int i = 0; ok && i < FINDINGS_EVENTS; i++) {
        double st, id, ap, sev;
        ok = next_num(&p, &st) && next_num(&p, &id) && next_num(&p, &ap) && next_num(&p, &sev) && FD_WHOLE(st) &&
             FD_WHOLE(id) && FD_WHOLE(ap) && FD_WHOLE(sev) && id >= 0 && id < FD_COUNT && sev >= 0 && sev <= 2;
        if (ok)
            g.events[i] = (FindingEvent){(long)st, (short)id, (char)(ap != 0), (char)sev};
    }
    /* bounds of the ring positions and counts, so a crafted file cannot index out of range */
    ok = ok && g.n_plateau >= 0 && g.n_plateau <= FD_PLATEAU_RING && g.gn_n >= 0 && g.gn_n <= FD_GN_RING &&
         g.gn_pos >= 0 && g.gn_pos < FD_GN_RING && g.clip_n >= 0 && g.clip_n <= FD_CLIP_RING && g.clip_pos >= 0 &&
         g.clip_pos < FD_CLIP_RING && g.n_spikes >= 0 && g.n_spikes <= FD_SPIKES && g.n_events >= 0 &&
         g.probe_layer >= 0 && g.probe_layer < TRAIN_MAX_LAYERS && g.forget_layer >= 0 &&
         g.forget_layer < TRAIN_MAX_LAYERS && g.sat_layer >= 0 && g.sat_layer < TRAIN_MAX_LAYERS && g.sat_gate >= 0 &&
         g.sat_gate < 4 && g.dead_layer >= 0 && g.dead_layer < TRAIN_MAX_LAYERS &&
         /* fractions the words turn into counts, and the decay rate into steps */
         g.dead_max >= 0 && g.dead_max <= 1 && g.sat_max >= 0 && g.sat_max <= 1 && g.forget_min >= 0 &&
         g.forget_min <= 1 && g.probe_spd >= 0 && g.probe_span >= 0 && g.probe_span <= 100000;
    if (ok) { /* the clip count is the ring's, whatever the file says */
        g.clip_count = 0;
        for (int i = 0; i < FD_CLIP_RING; i++)
            g.clip_count += g.clipped[i];
    }
    if (!ok)
        return err_set(err, ERR_INPUT, "%s: findings.state is malformed; the run state is damaged", file->path);
    const char *nf = st_meta(file, "findings.nonfinite");
    snprintf(g.nonfinite_what, sizeof g.nonfinite_what, "%s", nf ? nf : "");
    g.ctx = f->ctx;
    *f = g;
    return 0;
}
