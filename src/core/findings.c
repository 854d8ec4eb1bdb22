/* findings.c — diagnoses in words from the step diagnostics (see findings.h). */
#include "findings.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *findings_kind_name(FindingKind k)
{
    switch (k) {
    case FIND_VANISHING: return "vanishing";
    case FIND_EXPLODING: return "exploding";
    case FIND_SATURATED: return "saturated";
    case FIND_LR_HIGH: return "lr_high";
    case FIND_LR_LOW: return "lr_low";
    }
    return "?";
}

typedef struct {
    Finding *out;
    int cap, n;
} FindList;

__attribute__((format(printf, 7, 8)))
static void add(FindList *fl, FindingKind kind, FindingSeverity sev, int layer, int tensor, double value,
                const char *fmt, ...)
{
    if (fl->n >= fl->cap)
        return;
    Finding *f = &fl->out[fl->n++];
    f->kind = kind;
    f->severity = sev;
    f->layer = layer;
    f->tensor = tensor;
    f->value = value;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->text, sizeof f->text, fmt, ap);
    va_end(ap);
}

static const char *gate_long_name(CellType c, int g)
{
    static const char *const names[3][4] = {
        {"input gate", "forget gate", "cell candidate (tanh)", "output gate"},
        {"reset gate", "update gate", "candidate (tanh)", ""},
        {"hidden state (tanh)", "", "", ""}};
    return names[c][g];
}

static void flow_findings(FindList *fl, const StepInfo *s, const Model *m)
{
    if (s->decay_step <= 0 || s->flow_len < 2)
        return;
    const char *fix = m->cfg.cell == CELL_LSTM ? "try --forget-bias-one or a shorter --seq"
                    : m->cfg.cell == CELL_GRU  ? "try lstm with --forget-bias-one, or a shorter --seq"
                                               : "try lstm/gru, a shorter --seq, or forget-gate bias 1";
    for (int l = 0; l < s->n_layers; l++) {
        const float *d = s->decay + (size_t)l * s->flow_len;
        double last = d[s->flow_len - 1];
        int back = (s->flow_len - 1) * s->flow_stride;
        if (!(last > 0))
            continue;
        double r = d[0] / last;
        if (r < FINDINGS_VANISH_RATIO)
            add(fl, FIND_VANISHING, FIND_BAD, l, -1, r,
                "layer %d: the gradient at t-%d is %.0e of that at t-0 \xe2\x80\x94 it vanishes within this "
                "window; %s", l, back, r, fix);
        else if (r > FINDINGS_EXPLODE_RATIO)
            add(fl, FIND_EXPLODING, FIND_BAD, l, -1, r,
                "layer %d: the gradient at t-%d is %.0e times that at t-0 \xe2\x80\x94 it explodes back "
                "through time; set --clip 1 or lower --lr", l, back, r);
    }
}

static void norm_findings(FindList *fl, const StepInfo *s, const StepInfo *prev)
{
    if (prev && prev->grad_norm > 0 && s->grad_norm > FINDINGS_JUMP * prev->grad_norm)
        add(fl, FIND_EXPLODING, FIND_BAD, -1, -1, s->grad_norm / prev->grad_norm,
            "gradient norm jumped %.0fx in one step (%.3g -> %.3g) \xe2\x80\x94 exploding; lower --lr%s",
            (double)(s->grad_norm / prev->grad_norm), (double)prev->grad_norm, (double)s->grad_norm,
            s->clip > 0 ? "" : " or set --clip 5");
    else if (s->clip > 0 && s->grad_norm > s->clip)
        add(fl, FIND_EXPLODING, s->grad_norm > FINDINGS_JUMP * s->clip ? FIND_BAD : FIND_WARN, -1, -1,
            s->grad_norm / s->clip,
            "gradient norm %.3g is above the clip threshold %.3g (%.1fx) \xe2\x80\x94 clipping fired; if it "
            "fires every step, lower --lr", (double)s->grad_norm, (double)s->clip,
            (double)(s->grad_norm / s->clip));
}

static void gate_findings(FindList *fl, const StepInfo *s, const Model *m)
{
    CellType c = m->cfg.cell;
    for (int l = 0; l < s->n_layers; l++)
        for (int g = 0; g < s->n_gates; g++) {
            double sat = s->gate_sat[l][g];
            if (!(sat > FINDINGS_SATURATED))
                continue;
            char how[64] = "";
            if (g == 1 && c != CELL_RNN) /* the forget / update gate: say which way it is stuck */
                snprintf(how, sizeof how, " (mean %.2f: mostly %s)", (double)s->gate_mean[l],
                         s->gate_mean[l] < 0.5f ? "shut" : "open");
            add(fl, FIND_SATURATED, sat > 0.9 ? FIND_BAD : FIND_WARN, l, -1, sat,
                "%s.%d: %s saturated in %.0f%% of units%s", cell_name(c), l, gate_long_name(c, g), 100 * sat, how);
        }
}

static void update_findings(FindList *fl, const StepInfo *s, const Model *m)
{
    for (int i = 0; i < s->n_tensors && i < m->n_tensors; i++) {
        double r = s->update_ratio[i];
        if (m->tensors[i].ndim != 2)
            continue; /* biases start near zero, so their ratios say little about the learning rate */
        if (r > FINDINGS_UPDATE_HIGH)
            add(fl, FIND_LR_HIGH, r > 10 * FINDINGS_UPDATE_HIGH ? FIND_BAD : FIND_WARN, -1, i, r,
                "%s: update ratio %.0e \xe2\x80\x94 learning rate too high (healthy is about 1e-3)",
                m->tensors[i].name, r);
        else if (i != TENSOR_EMBEDDING && r > 0 && r < FINDINGS_UPDATE_LOW)
            add(fl, FIND_LR_LOW, FIND_INFO, -1, i, r,
                "%s: update ratio %.0e \xe2\x80\x94 learning rate too low, this tensor barely moves",
                m->tensors[i].name, r);
    }
}

int findings_compute(const StepInfo *cur, const StepInfo *prev, const Model *m, Finding *out, int cap)
{
    FindList fl = {out, cap, 0};
    flow_findings(&fl, cur, m);
    norm_findings(&fl, cur, prev);
    gate_findings(&fl, cur, m);
    update_findings(&fl, cur, m);
    /* stable sort by severity, most severe first (insertion sort: a handful of items) */
    for (int i = 1; i < fl.n; i++) {
        Finding f = out[i];
        int j = i;
        while (j > 0 && out[j - 1].severity < f.severity) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = f;
    }
    return fl.n;
}
